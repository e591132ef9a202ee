// SPDX-License-Identifier: MIT
#pragma once

#include "logrecord.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QByteArrayList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

/*!
  Keeps the last lines the workers printed in Redis for `clustr-qt logs`:
  each line becomes a LogRecord, appended to the cluster's list (trimmed to
  the last `keep`) and published on its channel. Lines are collected and
  written together a few milliseconds after the first, as one pipeline, so
  a chatty worker costs a few round trips, not one per line. Its own
  connection (the master's URL and user) is never waited for: while Redis
  is away or behind, lines are dropped and counted, never piled up. The
  list expires like the master's keys (5 s after a master that died) and
  is deleted when the cluster stops (finish()).
*/
class LogShipper : public QObject
{
    Q_OBJECT
public:
    LogShipper(const QString &redisUrl, const QString &clusterNamespace, const QString &host, int keep, QObject *parent = nullptr);

    //! Connects and clears what a previous master of the cluster left; false if the URL is invalid.
    bool start();
    //! One line of worker \a pid of \a group (without its newline).
    void add(const QString &group, qint64 pid, const QByteArray &line, bool isStderr);
    //! Writes what is collected, deletes the list, then emits finished() (also when Redis does not answer).
    void finish();
    //! Lines not kept because Redis was unreachable or behind.
    quint64 droppedLines() const { return m_dropped; }

Q_SIGNALS:
    void finished();

private:
    void flush();
    void reportDropped();

    Clustr::RedisClient m_redis;
    QByteArray m_key;
    QByteArray m_channel;
    int m_keep;
    qint64 m_seq = 0;
    QByteArrayList m_pending; // encoded records not written yet, at most m_keep
    QTimer m_flushTimer;
    QTimer m_expiryTimer;
    quint64 m_dropped = 0;
    quint64 m_reported = 0; // m_dropped when it was last logged
    bool m_everConnected = false;
    bool m_finishing = false;
};
