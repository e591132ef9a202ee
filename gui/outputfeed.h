// SPDX-License-Identifier: MIT
#pragma once

#include "logrecord.h"

#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QObject>
#include <QtCore/QPointer>

class ClusterMonitor;

namespace Clustr {
class ClusterClient;
class RedisClient;
}

/*
  The workers' output lines `clustr-qt run` keeps in Redis (common/logrecord.h,
  what `clustr-qt logs` reads): the recent ones once a master is found, then
  each new one as the master publishes it (the monitor's client watches
  every channel of the cluster, that one included). Each line comes once
  and in order: the list is read only once the pattern is subscribed, and
  the lines' `seq` tells which were had already.
*/
class OutputFeed : public QObject
{
    Q_OBJECT
public:
    //! The most recent lines read when a master is found (what `clustr-qt run` keeps by default).
    static constexpr int RecentLines = 1000;

    explicit OutputFeed(ClusterMonitor *monitor, QObject *parent = nullptr);

    //! Lines of the current master run received so far.
    qint64 received() const { return m_received; }

Q_SIGNALS:
    //! New lines, oldest first.
    void linesArrived(const QList<LogRecord::Entry> &lines);
    //! Another cluster, or another run of its master: the lines shown so far are of the past.
    void cleared();

private:
    void setClient(Clustr::ClusterClient *client);
    //! Follows the client's subscriber, once it has one.
    void listen();
    void masterFound(qint64 masterPid);
    void readRecent();
    //! Hands on what is pending beyond the last line handed on.
    void deliver();

    ClusterMonitor *m_monitor;
    QPointer<Clustr::ClusterClient> m_client;
    QPointer<Clustr::RedisClient> m_subscriber;
    QByteArray m_channel;
    qint64 m_masterPid = 0;  // 0 while none is known
    qint64 m_seenMaster = 0; // the last one known
    bool m_recentRead = false; // the list was asked for, for this master
    bool m_reading = false;    // its answer is awaited: live lines wait in m_pending
    qint64 m_lastSeq = 0;
    qint64 m_received = 0;
    QMap<qint64, LogRecord::Entry> m_pending; // by seq
};
