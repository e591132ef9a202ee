// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/message.h>

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtGui/QColor>

/*
  What the log shows, colours and filters by: the public kinds of
  Clustr::Message, with clustr-qt's own channels (Message::Kind::Other) told
  apart, since people hide heartbeats but want to see events and commands.
  The first nine are Message::Kind's, in its order.
*/
enum class LogKind {
    Unknown,
    Public,
    Private,
    Group,
    Kill,
    Confirmation,
    ClusterInfo,
    Registration,
    Deregistration,
    Heartbeat,
    Event,
    Control,
    Sampling, //!< a tool asks the cluster for fresh figures (sampling:<pid>)
};

//! The log's kind of \a message: its kind, or for Kind::Other which of clustr-qt's channels.
LogKind logKindOf(const Clustr::Message &message);

/*
  One message of the log, ready to show and to filter: formatted once when
  it arrives, so scrolling, filtering and exporting never touch JSON again.
*/
struct LogEntry
{
    quint64 sequence = 0;   //!< counts every message the monitor saw, from 1
    qint64 timeMs = 0;      //!< when it arrived, ms since the epoch
    LogKind kind = LogKind::Unknown;
    qint64 pid = 0;         //!< the sender (meta.pid); 0 when it did not decode
    QString group;          //!< the sender's group
    QString host;           //!< the sender's host in a cluster across hosts (meta.host), else empty
    QString channel;        //!< without the cluster's namespace
    qint64 targetPid = 0;   //!< whom a private, kill or clusterInfo message is for
    QString data;           //!< the data in one line (strings without quotes)
    bool valid = true;      //!< false: the payload did not decode; data is the raw text

    static LogEntry fromMessage(const Clustr::Message &message, const QByteArray &raw, quint64 sequence, qint64 timeMs);
};

using LogBatch = QList<LogEntry>;

//! "public", "group", "heartbeat"…: the name used in the log and its filters.
QString kindName(LogKind kind);
//! One colour per kind, the same in the log and the charts.
QColor kindColor(LogKind kind);
//! Every kind, in the order the filters list them.
QList<LogKind> allKinds();
//! The pid a channel is addressed to (private:<pid>, kill:<pid>, clusterInfo:<pid>), else 0.
qint64 channelTargetPid(const QString &channel);
