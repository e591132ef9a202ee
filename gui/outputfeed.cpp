// SPDX-License-Identifier: MIT
#include "outputfeed.h"

#include "clustermonitor.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/redisclient.h>
#include <ClustrQt/redisreply.h>

OutputFeed::OutputFeed(ClusterMonitor *monitor, QObject *parent)
    : QObject(parent)
    , m_monitor(monitor)
{
    connect(monitor, &ClusterMonitor::clientChanged, this, &OutputFeed::setClient);
    setClient(monitor->client());
}

void OutputFeed::setClient(Clustr::ClusterClient *client)
{
    using Clustr::ClusterClient;
    using Clustr::RedisClient;
    if (m_client == client)
        return;
    if (m_client)
        disconnect(m_client, nullptr, this, nullptr);
    if (m_subscriber)
        disconnect(m_subscriber, nullptr, this, nullptr);
    m_subscriber.clear();
    m_client = client;
    m_masterPid = m_seenMaster = 0;
    m_lastSeq = m_received = 0;
    m_pending.clear();
    m_recentRead = m_reading = false;
    Q_EMIT cleared();
    if (!client)
        return;
    m_channel = LogRecord::channel(client->clusterName());
    connect(client, &ClusterClient::masterChanged, this, [this](const Clustr::MasterInfo &master) { masterFound(master.pid()); });
    // The client makes its connections when it opens, which may come after.
    connect(client, &ClusterClient::connectedChanged, this, &OutputFeed::listen);
    listen();
    masterFound(client->masterPid()); // one found already: its recent lines
}

void OutputFeed::listen()
{
    using Clustr::RedisClient;
    RedisClient *subscriber = m_client ? m_client->subscriber() : nullptr;
    if (!subscriber || subscriber == m_subscriber)
        return;
    m_subscriber = subscriber;
    // The pattern confirmed after the master was found: the list is read now.
    connect(subscriber, &RedisClient::subscribed, this, [this] { masterFound(m_masterPid); });
    connect(subscriber, &RedisClient::patternMessageReceived, this,
            [this](const QByteArray &, const QByteArray &channel, const QByteArray &payload) {
        if (channel != m_channel)
            return;
        if (const auto entry = LogRecord::decode(payload)) {
            m_pending.insert(entry->seq, *entry);
            if (!m_reading)
                deliver();
        }
    });
}

void OutputFeed::masterFound(qint64 masterPid)
{
    if (masterPid > 0 && masterPid != m_masterPid) {
        // Another run of the master numbers its lines from 1 again. Lines
        // heard before any master was known are this one's: they stay. The
        // cluster gone (no master), its last lines stay to be read.
        if (m_seenMaster > 0 && m_seenMaster != masterPid) {
            m_lastSeq = m_received = 0;
            Q_EMIT cleared();
        }
        m_seenMaster = masterPid;
        m_recentRead = false;
    }
    m_masterPid = masterPid;
    if (m_masterPid > 0 && !m_recentRead && m_client && m_client->isWatching())
        readRecent();
}

void OutputFeed::readRecent()
{
    m_recentRead = m_reading = true;
    QPointer<OutputFeed> self(this);
    const qint64 forMaster = m_masterPid;
    m_client->publisher()->command({QByteArrayLiteral("LRANGE"), LogRecord::key(m_client->clusterName(), QString(), Clustr::RedisClient::isClusterUrl(m_client->redisUrl())),
                                    QByteArray::number(-RecentLines), QByteArrayLiteral("-1")},
                                   [self, forMaster](const Clustr::RedisReply &reply) {
        if (!self || self->m_masterPid != forMaster)
            return;
        self->m_reading = false;
        // An error (no such list is no error: an empty one) leaves only the live lines.
        for (const Clustr::RedisReply &element : reply.elements) {
            if (const auto entry = LogRecord::decode(element.string))
                self->m_pending.insert(entry->seq, *entry);
        }
        self->deliver();
    });
}

void OutputFeed::deliver()
{
    QList<LogRecord::Entry> lines;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it.key() > m_lastSeq)
            lines.append(it.value());
    }
    m_pending.clear();
    if (lines.isEmpty())
        return;
    m_lastSeq = lines.constLast().seq;
    m_received += lines.size();
    Q_EMIT linesArrived(lines);
}
