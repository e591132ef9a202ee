// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

/*!
  One line a worker printed, as `clustr-qt run` keeps it in Redis for
  `clustr-qt logs` (docs/PROTOCOL.md section 11): a compact JSON object
  `{"group":"web","pid":4242,"seq":17,"stream":"out","text":"...","time":1764662400123}`
  in the list `<ns>clustr:logs` (the last N lines) and as a message on the
  channel of the same name (for followers). `seq` counts the lines of one
  run of the master from 1, so a follower that reads the list after it
  subscribed tells which lines it has already.
*/
namespace LogRecord {

//! The most bytes of a line kept; a longer one is cut (at a character) and marked.
inline constexpr qsizetype MaxTextBytes = 4096;

struct Entry
{
    qint64 seq = 0;
    qint64 timeMs = 0; //!< when the master read the line, ms since the epoch (UTC)
    QString group;
    qint64 pid = 0;
    bool isStderr = false;
    QString text;
};

//! The list of the recent lines of the cluster with namespace \a clusterNamespace.
//! On a Redis Cluster (\a hashTagged) `{NAME:clustr}:logs`, beside the cluster's other keys.
QByteArray key(const QString &clusterNamespace, const QString &host = QString(), bool hashTagged = false);
//! The channel every line is published on: the key's name (keys and channels do not share names in Redis).
QByteArray channel(const QString &clusterNamespace, const QString &host = QString());

//! \a line as text of at most MaxTextBytes bytes, plus ` [truncated from N bytes]` if it was longer.
QString boundedText(const QByteArray &line);
QByteArray encode(const Entry &entry);
//! "web[4242]": whose line it is.
QString who(const Entry &entry);
/*!
  The line as people read it: `TIME  GROUP[PID]  STREAM  TEXT`, the time in
  \a timeFormat (QDateTime's), the GROUP[PID] column padded to \a whoWidth.
*/
QString display(const Entry &entry, const QString &timeFormat, qsizetype whoWidth = 0);
//! Nothing if \a json is not a record (not an object, no seq or pid).
std::optional<Entry> decode(const QByteArray &json);

} // namespace LogRecord
