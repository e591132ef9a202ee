// SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"

#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>

/*
  Where every observed message enters the monitor. A burst can bring
  thousands a second; touching a model or a widget for each would freeze
  the window. So a message is only turned into a LogEntry and queued here,
  and the queue goes out as one batch at most every flush interval
  (100 ms): the log, the details pane and the charts each do their work
  once per batch.
*/
class MessageCollector : public QObject
{
    Q_OBJECT
public:
    explicit MessageCollector(QObject *parent = nullptr);

    void setFlushInterval(std::chrono::milliseconds interval);
    //! Queued entries beyond this between two flushes are dropped, oldest first (default 20000).
    void setMaxPending(qsizetype count);
    //! Messages seen since the start.
    quint64 received() const { return m_sequence; }
    //! Messages dropped before they reached a batch.
    quint64 dropped() const { return m_dropped; }
    qsizetype pending() const { return m_pending.size(); }

public Q_SLOTS:
    void collect(const Clustr::Message &message, const QByteArray &raw);
    //! Sends what is queued now.
    void flush();

Q_SIGNALS:
    void batchReady(const LogBatch &batch);
    //! Messages were dropped under load; \a total since the start.
    void droppedChanged(quint64 total);

private:
    LogBatch m_pending;
    QTimer m_timer;
    qsizetype m_maxPending = 20000;
    quint64 m_sequence = 0;
    quint64 m_dropped = 0;
};
