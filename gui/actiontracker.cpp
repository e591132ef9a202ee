// SPDX-License-Identifier: MIT
#include "actiontracker.h"

#include "clustermonitor.h"
#include "format.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>

using Severity = ActivityLog::Severity;

ActionTracker::ActionTracker(ClusterMonitor *monitor, QObject *parent)
    : QObject(parent)
    , m_monitor(monitor)
{
    m_timeoutTimer.setInterval(500);
    connect(&m_timeoutTimer, &QTimer::timeout, this, &ActionTracker::checkTimeouts);
}

void ActionTracker::setTimeouts(int sendMs, int killMs, int controlMs)
{
    m_sendTimeoutMs = sendMs;
    m_killTimeoutMs = killMs;
    m_controlTimeoutMs = controlMs;
}

int ActionTracker::pendingCount() const
{
    return int(m_sends.size() + m_kills.size()) + (m_reloadRequested.isValid() ? 1 : 0) + (m_stopRequested.isValid() ? 1 : 0);
}

bool ActionTracker::ensureConnected(const QString &what)
{
    if (m_monitor->client())
        return true;
    Q_EMIT outcome(Severity::Error, QStringLiteral("Cannot %1: not connected to Redis").arg(what));
    return false;
}

bool ActionTracker::sendMessage(Target target, const QString &group, qint64 pid, const QByteArray &json)
{
    if (!ensureConnected(QStringLiteral("send")))
        return false;
    Clustr::ClusterClient *client = m_monitor->client();
    PendingSend pending;
    pending.data = Format::jsonText(json, 2048); // as the log shows it, to recognise it there
    switch (target) {
    case Target::Public:
        client->publishJson(json);
        pending.channel = QStringLiteral("public");
        pending.description = QStringLiteral("public message");
        break;
    case Target::Group:
        if (group.isEmpty()) {
            Q_EMIT outcome(Severity::Error, QStringLiteral("Cannot send to a group: no group given"));
            return false;
        }
        client->sendGroupJson(group, json);
        pending.channel = QStringLiteral("group:") + group;
        pending.description = QStringLiteral("message to group %1").arg(group);
        break;
    case Target::Private:
        if (pid <= 0) {
            Q_EMIT outcome(Severity::Error, QStringLiteral("Cannot send a private message: no process given"));
            return false;
        }
        client->sendJson(pid, json);
        if (Clustr::RedisClient::usesShardedChannels(client->redisUrl())) {
            // A process' inbox is a sharded channel there, which the message
            // log's pattern does not reach: nothing to wait for.
            Q_EMIT outcome(Severity::Success, QStringLiteral("Sent private message to %1 (a sharded channel of this Redis Cluster: the message log does not show it)").arg(pid));
            return true;
        }
        pending.channel = QStringLiteral("private:%1").arg(pid);
        pending.description = QStringLiteral("private message to %1").arg(pid);
        break;
    }
    pending.age.start();
    Q_EMIT outcome(Severity::Info, QStringLiteral("Sending %1: %2").arg(pending.description, pending.data.left(80)));
    m_sends.append(pending);
    m_timeoutTimer.start();
    return true;
}

bool ActionTracker::kill(qint64 pid, const QString &group, int exitCode)
{
    if (!ensureConnected(QStringLiteral("kill")))
        return false;
    if (!m_monitor->client()->kill(pid, exitCode)) {
        Q_EMIT outcome(Severity::Error, QStringLiteral("Cannot kill %1 with exit code %2: a code is 0 to 255").arg(pid).arg(exitCode));
        return false;
    }
    PendingKill pending;
    pending.group = group;
    pending.code = exitCode;
    pending.age.start();
    m_kills.insert(pid, pending);
    m_timeoutTimer.start();
    Q_EMIT outcome(Severity::Info, QStringLiteral("Killing %1 %2 with exit code %3%4")
                                       .arg(group).arg(pid).arg(exitCode)
                                       .arg(exitCode == 0 ? QStringLiteral(" (it stays down)") : QStringLiteral(" (its parent respawns it)")));
    return true;
}

bool ActionTracker::reload()
{
    if (!ensureConnected(QStringLiteral("reload")))
        return false;
    if (!m_monitor->client()->reload()) {
        Q_EMIT outcome(Severity::Error, QStringLiteral("Cannot reload: no master is running"));
        return false;
    }
    m_reloadRequested.start();
    m_timeoutTimer.start();
    Q_EMIT outcome(Severity::Info, QStringLiteral("Reload requested from master %1").arg(m_monitor->masterPid()));
    return true;
}

bool ActionTracker::stop(int exitCode)
{
    if (!ensureConnected(QStringLiteral("stop the cluster")))
        return false;
    if (!m_monitor->client()->stop(exitCode)) {
        Q_EMIT outcome(Severity::Error, QStringLiteral("Cannot stop: no master is running"));
        return false;
    }
    m_stopRequested.start();
    m_timeoutTimer.start();
    Q_EMIT outcome(Severity::Info, QStringLiteral("Stop requested from master %1 (exit code %2)").arg(m_monitor->masterPid()).arg(exitCode));
    return true;
}

void ActionTracker::observeEvent(const Clustr::ClusterEvent &event)
{
    using Type = Clustr::ClusterEvent::Type;
    switch (event.type()) {
    case Type::Exited:
    case Type::Deregistered:
    case Type::Lost: {
        const auto it = m_kills.constFind(event.pid());
        if (it == m_kills.cend())
            break;
        const QString how = event.type() == Type::Exited ? QStringLiteral("exited with code %1").arg(event.exitCode())
                                                         : QStringLiteral("left the cluster");
        Q_EMIT outcome(Severity::Success, QStringLiteral("Killed %1 %2: it %3").arg(it->group).arg(event.pid()).arg(how));
        m_kills.erase(it);
        break;
    }
    case Type::ReloadStarted:
        m_reloadRequested.invalidate();
        break;
    case Type::Stopping:
        if (!m_stopRequested.isValid())
            break;
        m_stopRequested.invalidate();
        Q_EMIT outcome(Severity::Success, QStringLiteral("The cluster is stopping (exit code %1)").arg(event.exitCode()));
        break;
    default:
        break;
    }
}

void ActionTracker::observeBatch(const LogBatch &batch)
{
    if (m_sends.isEmpty())
        return;
    static const qint64 ownPid = QCoreApplication::applicationPid();
    for (const LogEntry &e : batch) {
        if (e.pid != ownPid)
            continue;
        for (qsizetype i = 0; i < m_sends.size(); ++i) {
            if (m_sends.at(i).channel == e.channel && m_sends.at(i).data == e.data) {
                Q_EMIT outcome(Severity::Success, QStringLiteral("Sent %1 (seen on %2)").arg(m_sends.at(i).description, e.channel));
                m_sends.removeAt(i);
                break;
            }
        }
    }
}

void ActionTracker::checkTimeouts()
{
    for (qsizetype i = m_sends.size() - 1; i >= 0; --i) {
        if (m_sends.at(i).age.elapsed() > m_sendTimeoutMs) {
            Q_EMIT outcome(Severity::Warning, QStringLiteral("The %1 was not seen on %2 within %3 s: is Redis reachable?")
                                                  .arg(m_sends.at(i).description, m_sends.at(i).channel).arg(m_sendTimeoutMs / 1000));
            m_sends.removeAt(i);
        }
    }
    for (auto it = m_kills.begin(); it != m_kills.end();) {
        if (it->age.elapsed() > m_killTimeoutMs) {
            Q_EMIT outcome(Severity::Warning, QStringLiteral("%1 %2 did not exit within %3 s of the kill (is it part of the cluster? is its kill handler stuck?)")
                                                  .arg(it->group).arg(it.key()).arg(m_killTimeoutMs / 1000));
            it = m_kills.erase(it);
        } else {
            ++it;
        }
    }
    if (m_reloadRequested.isValid() && m_reloadRequested.elapsed() > m_controlTimeoutMs) {
        m_reloadRequested.invalidate();
        Q_EMIT outcome(Severity::Warning, QStringLiteral("The master did not start the reload within %1 s").arg(m_controlTimeoutMs / 1000));
    }
    if (m_stopRequested.isValid() && m_stopRequested.elapsed() > m_controlTimeoutMs) {
        m_stopRequested.invalidate();
        Q_EMIT outcome(Severity::Warning, QStringLiteral("The master did not start stopping within %1 s").arg(m_controlTimeoutMs / 1000));
    }
    if (pendingCount() == 0)
        m_timeoutTimer.stop();
}
