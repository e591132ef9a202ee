// SPDX-License-Identifier: MIT
#include "messagecollector.h"

#include <QtCore/QDateTime>

MessageCollector::MessageCollector(QObject *parent)
    : QObject(parent)
{
    // Armed by the first message of a batch: an idle cluster costs no wake-ups.
    m_timer.setSingleShot(true);
    m_timer.setInterval(100);
    connect(&m_timer, &QTimer::timeout, this, &MessageCollector::flush);
}

void MessageCollector::setFlushInterval(std::chrono::milliseconds interval)
{
    m_timer.setInterval(interval);
}

void MessageCollector::setMaxPending(qsizetype count)
{
    m_maxPending = std::max<qsizetype>(1, count);
}

void MessageCollector::collect(const Clustr::Message &message, const QByteArray &raw)
{
    m_pending.append(LogEntry::fromMessage(message, raw, ++m_sequence, QDateTime::currentMSecsSinceEpoch()));
    // Trimmed in halves, not one by one: amortised O(1) per message.
    if (m_pending.size() >= 2 * m_maxPending) {
        const qsizetype excess = m_pending.size() - m_maxPending;
        m_pending.remove(0, excess);
        m_dropped += quint64(excess);
        Q_EMIT droppedChanged(m_dropped);
    }
    if (!m_timer.isActive())
        m_timer.start();
}

void MessageCollector::flush()
{
    m_timer.stop();
    if (m_pending.isEmpty())
        return;
    if (m_pending.size() > m_maxPending) {
        const qsizetype excess = m_pending.size() - m_maxPending;
        m_pending.remove(0, excess);
        m_dropped += quint64(excess);
        Q_EMIT droppedChanged(m_dropped);
    }
    LogBatch batch;
    batch.swap(m_pending);
    Q_EMIT batchReady(batch);
}
