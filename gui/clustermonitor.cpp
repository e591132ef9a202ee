// SPDX-License-Identifier: MIT
#include "clustermonitor.h"

#include <ClustrQt/clusterclient.h>

#include <utility>

namespace {
// ClusterClient reports nothing when a read finds no cluster, so "no cluster"
// is concluded after this long without an announcement (a few polls).
constexpr int SearchGraceMs = 1500;
constexpr int RediscoverIntervalMs = 3000;
} // namespace

ClusterMonitor::ClusterMonitor(QObject *parent)
    : QObject(parent)
{
    m_searchTimer.setSingleShot(true);
    m_searchTimer.setInterval(SearchGraceMs);
    connect(&m_searchTimer, &QTimer::timeout, this, [this] {
        m_searching = false;
        updateState();
    });
    m_rediscoverTimer.setInterval(RediscoverIntervalMs);
    connect(&m_rediscoverTimer, &QTimer::timeout, this, &ClusterMonitor::rediscover);
}

ClusterMonitor::~ClusterMonitor() = default;

void ClusterMonitor::connectTo(const ConnectionSettings &settings)
{
    m_settings = settings;
    m_host = settings.host;
    if (!m_hosts.isEmpty()) {
        m_hosts.clear();
        Q_EMIT hostsChanged(m_hosts);
    }
    m_seen = false;
    m_clusterUrl.clear();
    m_goneSince = QDateTime();
    m_trail.clear();
    open(settings.effectiveUrl(&m_trail));
    if (settings.automatic)
        m_rediscoverTimer.start();
    else
        m_rediscoverTimer.stop();
}

void ClusterMonitor::open(const QString &url)
{
    using Clustr::ClusterClient;
    // A fresh client per connection: it starts with no master, so it
    // subscribes to the events of whatever master it finds.
    m_client.reset();
    m_url = url;
    m_lastError.clear();
    m_searching = true;
    m_searchTimer.stop();
    if (std::exchange(m_switchingHost, false))
        Q_EMIT hostSwitched(m_host);
    else
        Q_EMIT reconnected();

    m_client = std::make_unique<ClusterClient>();
    ClusterClient *client = m_client.get();
    client->setRedisUrl(url);
    client->setClusterName(m_settings.clusterNamespace());
    client->setHost(m_host);
    client->setPollInterval(m_pollInterval);
    // Before open(): whoever follows the client hears all it says.
    Q_EMIT clientChanged(client);
    connect(client, &ClusterClient::connectedChanged, this, [this](bool connected) {
        if (connected) {
            m_lastError.clear();
            m_searching = true;
            m_searchTimer.start();
        }
        updateState();
    });
    connect(client, &ClusterClient::clusterRunningChanged, this, [this](bool running) {
        if (running) {
            m_seen = true;
            m_clusterUrl = m_url;
            m_goneSince = QDateTime();
        } else if (m_seen) {
            m_goneSince = QDateTime::currentDateTime();
        }
        updateState();
    });
    connect(client, &ClusterClient::errorOccurred, this, [this](ClusterClient::Error, const QString &text) {
        m_lastError = text;
        updateState();
        Q_EMIT errorOccurred(text);
    });
    connect(client, &ClusterClient::hostsChanged, this, [this, client](const QList<Clustr::ClusterHost> &hosts) {
        m_hosts = hosts;
        Q_EMIT hostsChanged(hosts);
        if (!m_host.isEmpty() || client->isClusterRunning())
            return;
        // A cluster across hosts, no host chosen: the first that runs. Not
        // from the client's own signal, which the new connection replaces.
        for (const Clustr::ClusterHost &host : hosts) {
            if (!host.lost) {
                QMetaObject::invokeMethod(this, [this, client, name = host.name] {
                    if (m_client.get() == client) // not connected elsewhere meanwhile
                        setHost(name);
                }, Qt::QueuedConnection);
                return;
            }
        }
    });
    connect(client, &ClusterClient::statusUpdated, this, &ClusterMonitor::statusUpdated);
    connect(client, &ClusterClient::eventReceived, this, &ClusterMonitor::eventReceived);
    connect(client, &ClusterClient::messageObserved, this, &ClusterMonitor::messageObserved);
    connect(client, &ClusterClient::readOnlyChanged, this, &ClusterMonitor::readOnlyChanged);

    if (!client->open()) {
        // Invalid URL or name: the error was reported; nothing to retry until the settings change.
        m_client.reset();
        Q_EMIT clientChanged(nullptr);
        m_searching = false;
    } else {
        client->watch(); // every message of the cluster, for the log
        client->setSampling(true); // CPU, memory and counters shown live: the cluster sends them while we look
    }
    updateState();
}

bool ClusterMonitor::isReadOnly() const
{
    return m_client && m_client->isReadOnly();
}

QString ClusterMonitor::readOnlyReason() const
{
    return m_client ? m_client->readOnlyReason() : QString();
}

void ClusterMonitor::rediscover()
{
    if (m_state == State::Running || m_state == State::Connecting)
        return;
    QStringList trail;
    const QString url = m_settings.effectiveUrl(&trail);
    m_trail = trail;
    if (url != m_url)
        open(url); // keeps m_seen: the same cluster may come back on its new Redis
}

void ClusterMonitor::updateState()
{
    State next;
    if (!m_client)
        next = m_lastError.isEmpty() ? State::Idle : State::Unreachable;
    else if (!m_client->isConnected())
        next = m_lastError.isEmpty() ? State::Connecting : State::Unreachable;
    else if (m_client->isClusterRunning())
        next = State::Running;
    else if (m_seen)
        next = State::Gone;
    else
        next = m_searching ? State::Connecting : State::NoCluster;
    if (next == State::Running)
        m_goneSince = QDateTime(); // a Redis blip may pass without the cluster ever stopping
    else if (m_seen && next == State::Unreachable && m_goneSince.isNull())
        m_goneSince = QDateTime::currentDateTime();
    if (next == m_state)
        return;
    m_state = next;
    Q_EMIT stateChanged(m_state);
}

qint64 ClusterMonitor::masterPid() const
{
    return m_client ? m_client->masterPid() : 0;
}

Clustr::ClusterStatus ClusterMonitor::status() const
{
    return m_client ? m_client->status() : Clustr::ClusterStatus();
}

QString ClusterMonitor::targetName() const
{
    const QString cluster = clusterName().isEmpty() ? QStringLiteral("the cluster") : QStringLiteral("cluster \"%1\"").arg(clusterName());
    return m_host.isEmpty() ? cluster : QStringLiteral("host %1 of %2").arg(m_host, cluster);
}

void ClusterMonitor::setHost(const QString &host)
{
    if (host == m_host)
        return;
    m_host = host;
    m_seen = false; // another master: what was seen is that host's
    m_goneSince = QDateTime();
    m_switchingHost = true;
    open(m_url);
    Q_EMIT hostsChanged(m_hosts); // the same hosts, another one shown
}

void ClusterMonitor::setPollInterval(std::chrono::milliseconds interval)
{
    m_pollInterval = interval;
    if (m_client)
        m_client->setPollInterval(interval);
}

void ClusterMonitor::refresh()
{
    if (m_client)
        m_client->refresh();
    else if (!m_settings.clusterName.isEmpty() || !m_url.isEmpty())
        open(m_settings.effectiveUrl(&m_trail));
}

QString ClusterMonitor::stateName(State state)
{
    switch (state) {
    case State::Idle: return QStringLiteral("idle");
    case State::Connecting: return QStringLiteral("connecting");
    case State::Unreachable: return QStringLiteral("Redis unreachable");
    case State::NoCluster: return QStringLiteral("no cluster");
    case State::Running: return QStringLiteral("running");
    case State::Gone: return QStringLiteral("gone");
    }
    return QString();
}

QString ClusterMonitor::stateText() const
{
    QString cluster = m_settings.clusterName.isEmpty() ? QStringLiteral("default cluster")
                                                       : QStringLiteral("cluster \"%1\"").arg(m_settings.clusterName);
    if (!m_host.isEmpty())
        cluster += QStringLiteral(" host %1").arg(m_host);
    switch (m_state) {
    case State::Idle:
        return QStringLiteral("Not connected");
    case State::Connecting:
        return m_client && m_client->isConnected() ? QStringLiteral("Looking for %1 on %2…").arg(cluster, m_url)
                                                   : QStringLiteral("Connecting to %1…").arg(m_url);
    case State::Unreachable:
        return QStringLiteral("%1 unreachable, retrying: %2").arg(m_url, m_lastError);
    case State::NoCluster:
        return QStringLiteral("No %1 on %2").arg(cluster, m_url);
    case State::Running:
        return QStringLiteral("%1 running · master %2 · %3").arg(cluster).arg(masterPid()).arg(m_url);
    case State::Gone:
        return QStringLiteral("%1 gone since %2 · waiting on %3")
            .arg(cluster, m_goneSince.toString(QStringLiteral("HH:mm:ss")), m_url);
    }
    return QString();
}
