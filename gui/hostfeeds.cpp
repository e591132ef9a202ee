// SPDX-License-Identifier: MIT
#include "hostfeeds.h"

#include <ClustrQt/clusterclient.h>

HostFeeds::HostFeeds(QObject *parent)
    : QObject(parent)
{
}

HostFeeds::~HostFeeds() = default;

void HostFeeds::setCluster(const QString &redisUrl, const QString &clusterNamespace)
{
    if (redisUrl == m_url && clusterNamespace == m_namespace)
        return;
    clear();
    m_url = redisUrl;
    m_namespace = clusterNamespace;
}

void HostFeeds::setPollInterval(std::chrono::milliseconds interval)
{
    m_pollInterval = interval;
    for (auto &entry : m_clients)
        entry.second->setPollInterval(interval);
}

void HostFeeds::setHosts(const QSet<QString> &hosts)
{
    for (auto it = m_clients.begin(); it != m_clients.end();) {
        if (hosts.contains(it->first))
            ++it;
        else
            it = m_clients.erase(it);
    }
    for (const QString &host : hosts) {
        if (m_clients.find(host) == m_clients.end())
            open(host);
    }
}

QSet<QString> HostFeeds::hosts() const
{
    QSet<QString> hosts;
    for (const auto &entry : m_clients)
        hosts.insert(entry.first);
    return hosts;
}

void HostFeeds::clear()
{
    m_clients.clear();
}

void HostFeeds::open(const QString &host)
{
    if (m_url.isEmpty() || m_namespace.isEmpty())
        return; // only a named cluster runs across hosts
    auto client = std::make_unique<Clustr::ClusterClient>();
    client->setRedisUrl(m_url);
    client->setClusterName(m_namespace);
    client->setHost(host);
    client->setPollInterval(m_pollInterval);
    connect(client.get(), &Clustr::ClusterClient::statusUpdated, this,
            [this, host](const Clustr::ClusterStatus &status) { Q_EMIT statusUpdated(host, status); });
    connect(client.get(), &Clustr::ClusterClient::eventReceived, this,
            [this, host](const Clustr::ClusterEvent &event) { Q_EMIT eventReceived(host, event); });
    // Errors are the monitor's to report: its client talks to the same Redis.
    if (client->open())
        m_clients.emplace(host, std::move(client));
}
