// SPDX-License-Identifier: MIT
#include "logshipper.h"

#include "eventlog.h"

#include <QtCore/QDateTime>

namespace {

// As the master's announcement and status (docs/PROTOCOL.md section 11):
// refreshed every two seconds, so the list outlives a dead master by 5 s at most.
const QByteArray ExpiryMs = QByteArrayLiteral("5000");
constexpr int ExpiryRefreshMs = 2000;
// Lines collected before they are written: enough for a burst to go as one pipeline.
constexpr int FlushDelayMs = 5;
// Unanswered commands beyond which Redis is taken to be behind: new lines
// are dropped rather than queued in the client without bound.
constexpr int MaxPendingCommands = 1000;

} // namespace

LogShipper::LogShipper(const QString &redisUrl, const QString &clusterNamespace, const QString &host, int keep, QObject *parent)
    : QObject(parent)
    , m_key(LogRecord::key(clusterNamespace, host, Clustr::RedisClient::isClusterUrl(redisUrl)))
    , m_channel(LogRecord::channel(clusterNamespace, host))
    , m_keep(keep)
{
    m_redis.setUrl(redisUrl);
    m_redis.setClientName(QStringLiteral("clustr-qt-logs"));
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushDelayMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogShipper::flush);
    m_expiryTimer.setInterval(ExpiryRefreshMs);
    connect(&m_expiryTimer, &QTimer::timeout, this, [this] {
        if (m_seq > 0 && m_redis.isConnected())
            m_redis.command({QByteArrayLiteral("PEXPIRE"), m_key, ExpiryMs});
    });
    connect(&m_redis, &Clustr::RedisClient::connected, this, [this] {
        m_everConnected = true;
        reportDropped();
        flush();
    });
}

bool LogShipper::start()
{
    if (!m_redis.open())
        return false;
    // Lines of an earlier master of this name (one that died) have seqs of their own.
    m_redis.command({QByteArrayLiteral("DEL"), m_key});
    m_expiryTimer.start();
    return true;
}

void LogShipper::add(const QString &group, qint64 pid, const QByteArray &line, bool isStderr)
{
    if (m_finishing)
        return;
    LogRecord::Entry entry;
    entry.seq = ++m_seq;
    entry.timeMs = QDateTime::currentMSecsSinceEpoch();
    entry.group = group;
    entry.pid = pid;
    entry.isStderr = isStderr;
    entry.text = LogRecord::boundedText(line);
    // Only the last m_keep lines can end up in the list anyway.
    if (m_pending.size() >= m_keep)
        m_pending.removeFirst();
    m_pending.append(LogRecord::encode(entry));
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void LogShipper::flush()
{
    // The workers' first lines may come before the first connection: they wait for it.
    if (m_pending.isEmpty() || (!m_everConnected && !m_finishing))
        return;
    const QByteArrayList lines = std::exchange(m_pending, {});
    if (!m_redis.isConnected() || m_redis.pendingCommands() > MaxPendingCommands) {
        m_dropped += quint64(lines.size());
        return;
    }
    m_redis.command(QByteArrayList{QByteArrayLiteral("RPUSH"), m_key} + lines);
    m_redis.command({QByteArrayLiteral("LTRIM"), m_key, QByteArray::number(-m_keep), QByteArrayLiteral("-1")});
    m_redis.command({QByteArrayLiteral("PEXPIRE"), m_key, ExpiryMs});
    for (const QByteArray &line : lines)
        m_redis.publish(m_channel, line);
}

void LogShipper::reportDropped()
{
    if (m_dropped == m_reported)
        return;
    EventLog::line(QStringLiteral("%1 output lines were not kept in Redis for `clustr-qt logs` (Redis unreachable or behind)")
                       .arg(m_dropped - m_reported));
    m_reported = m_dropped;
}

void LogShipper::finish()
{
    m_finishing = true;
    flush();
    m_expiryTimer.stop();
    reportDropped();
    if (!m_redis.isConnected()) {
        Q_EMIT finished();
        return;
    }
    m_redis.command({QByteArrayLiteral("DEL"), m_key}, [this](const Clustr::RedisReply &) { Q_EMIT finished(); });
}
