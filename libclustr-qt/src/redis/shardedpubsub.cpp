// SPDX-License-Identifier: MIT
#include "shardedpubsub_p.h"

#include "base/logging_p.h"
#include "hashslot_p.h"
#include "redisclient_p.h"

namespace Clustr {

namespace {

const QByteArray SpublishCommand = QByteArrayLiteral("SPUBLISH");
// MOVED answers one publish follows (a slot moving while it does) before its caller gets the error.
constexpr int MaxPublishRedirects = 3;
// The map asked again after a failed question, or while a node is unreachable
// (a failover: until the map names its replica): 100 ms, doubling to 1 s.
constexpr int FirstRefreshDelayMs = 100;
constexpr int MaxRefreshDelayMs = 1000;

} // namespace

ShardedPubSub::ShardedPubSub(RedisClient *owner)
    : m_owner(owner)
    , m_slots(HashSlotCount, -1)
{
    m_refreshTimer.setSingleShot(true);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] { refreshMap(); });
}

ShardedPubSub::~ShardedPubSub()
{
    m_open = false;
    failWaiting(QByteArrayLiteral("ERR client destroyed"));
}

void ShardedPubSub::open()
{
    m_open = true;
    if (!m_wanted.isEmpty() || !m_waiting.empty())
        refreshMap();
}

void ShardedPubSub::close()
{
    m_open = false;
    m_refreshTimer.stop();
    m_asking = false;
    m_refreshAgain = false;
    m_unreachable.clear();
    if (m_mapClient)
        m_mapClient->deleteLater();
    m_mapClient = nullptr;
    for (Node &node : m_nodes) {
        for (RedisClient *client : {node.publisher.data(), node.subscriber.data()}) {
            if (client) {
                client->close();
                client->deleteLater();
            }
        }
        node.publisher = nullptr;
        node.subscriber = nullptr;
    }
    m_placed.clear();
    m_confirmed.clear();
    failWaiting(QByteArrayLiteral("ERR connection closed"));
}

int ShardedPubSub::pendingCommands() const
{
    return int(m_waiting.size()) + m_inFlight;
}

void ShardedPubSub::reconfirm()
{
    for (const QByteArray &channel : m_confirmed)
        Q_EMIT m_owner->subscribed(channel);
}

int ShardedPubSub::nodeIndex(const RedisUrl::Address &address)
{
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        if (m_nodes[i].address == address)
            return int(i);
    }
    m_nodes.push_back(Node{address, nullptr, nullptr});
    return int(m_nodes.size() - 1);
}

RedisClient *ShardedPubSub::newClient(const QString &nameSuffix, const std::optional<RedisUrl::Address> &pinnedNode)
{
    RedisClientPrivate *const ownerD = RedisClientPrivate::get(m_owner);
    auto *client = new RedisClient(this);
    RedisClientPrivate *const d = RedisClientPrivate::get(client);
    d->pinnedNode = pinnedNode; // before setUrl(): a pinned client routes nothing itself
    client->setUrl(m_owner->url());
    client->setClientName(ownerD->clientName.isEmpty() ? QString() : ownerD->clientName + nameSuffix);
    client->setConnectTimeout(ownerD->connectTimeout);
    client->setCommandTimeout(ownerD->commandTimeout);
    client->setReconnectDelays(ownerD->firstDelay, ownerD->maxDelay);
    d->replyLimits = ownerD->replyLimits;
    d->quiet = ownerD->quiet;
    return client;
}

RedisClient *ShardedPubSub::nodeClient(int index, bool subscriber)
{
    Node &node = m_nodes[size_t(index)];
    QPointer<RedisClient> &slot = subscriber ? node.subscriber : node.publisher;
    if (slot)
        return slot;
    RedisClient *client = newClient(QStringLiteral(".shard"), node.address);
    RedisClientPrivate *const d = RedisClientPrivate::get(client);
    d->shardedSubscriber = subscriber;
    if (subscriber) {
        // Messages go where the owner's own go: its hook, then its signal.
        d->messageHook = [this](const QByteArray &channel, const QByteArray &payload) {
            RedisClientPrivate::get(m_owner)->deliverMessage(channel.constData(), channel.size(), payload.constData(),
                                                             payload.size());
        };
        d->shardLostHook = [this](const QByteArray &channel) {
            // The node no longer serves the slot (it moved, or the node
            // became a replica); no channel: it answered an SSUBSCRIBE MOVED.
            if (channel.isEmpty()) {
                clustrDebug(lcRedis).noquote() << "Redis Cluster: a sharded subscription was redirected: asking for the slot map";
            } else {
                clustrDebug(lcRedis).noquote() << "Redis Cluster: the subscription to" << channel << "was dropped by its node";
                m_placed.remove(channel);
                m_confirmed.remove(channel);
            }
            refreshMap();
        };
        connect(client, &RedisClient::subscribed, this, [this](const QByteArray &channel) {
            if (!m_wanted.contains(channel))
                return;
            m_confirmed.insert(channel);
            Q_EMIT m_owner->subscribed(channel);
        });
        connect(client, &RedisClient::messageDiscarded, m_owner, &RedisClient::messageDiscarded);
    }
    connect(client, &RedisClient::errorOccurred, this, [this, client](RedisClient::Error error, const QString &text) {
        switch (error) {
        case RedisClient::Error::PermissionDenied:
        case RedisClient::Error::CommandRefused:
            Q_EMIT m_owner->errorOccurred(error, text); // the owner's to report (NOPERM: an ACL file without the sharded commands)
            break;
        case RedisClient::Error::ConnectionFailed:
        case RedisClient::Error::ConnectionLost:
        case RedisClient::Error::CommandTimeout:
            nodeLost(client);
            break;
        default:
            break;
        }
    });
    connect(client, &RedisClient::connected, this, [this, client] { m_unreachable.remove(client); });
    slot = client;
    client->open();
    return client;
}

void ShardedPubSub::nodeLost(RedisClient *client)
{
    if (!m_open)
        return;
    m_unreachable.insert(client);
    // A node gone (killed, failing over): its channels are unconfirmed until
    // the map says where their slot went.
    for (auto it = m_placed.cbegin(); it != m_placed.cend(); ++it) {
        if (m_nodes[size_t(it.value())].subscriber == client)
            m_confirmed.remove(it.key());
    }
    refreshMap(FirstRefreshDelayMs);
}

void ShardedPubSub::publish(const QByteArray &channel, const QByteArray &payload, RedisClient::ReplyCallback callback)
{
    send(Waiting{channel, payload, std::move(callback)});
}

void ShardedPubSub::send(Waiting &&message)
{
    const int slot = hashSlot(message.channel);
    const int node = m_slots[size_t(slot)];
    if (node < 0 || !m_open) {
        if (int(m_waiting.size()) >= RedisClientPrivate::get(m_owner)->maxQueued) {
            ++RedisClientPrivate::get(m_owner)->dropped;
            const LocalAnswer local;
            if (message.callback)
                message.callback(RedisReply::error(QByteArrayLiteral("ERR dropped: the Redis Cluster's slot map is unknown and the queue is full")));
            return;
        }
        m_waiting.push_back(std::move(message));
        if (m_open)
            refreshMap();
        return;
    }
    RedisClient *client = nodeClient(node, false);
    ++m_inFlight;
    const QByteArrayList arguments{SpublishCommand, message.channel, message.payload};
    client->command(arguments, [this, guard = QPointer<ShardedPubSub>(this), node, message = std::move(message)](
                                   const RedisReply &reply) mutable {
        if (!guard)
            return;
        --m_inFlight;
        if (reply.isError() && !RedisClientPrivate::isLocalAnswer()) {
            // MOVED only: while a slot migrates, its old master still serves
            // its sharded channels (they have no keys to be asked about
            // elsewhere, so no ASK); MOVED comes once the slot has moved.
            bool ask = false;
            const auto target = RedisClientPrivate::redirectTarget(reply.string, m_nodes[size_t(node)].address, &ask);
            if (target && !ask && message.redirects < MaxPublishRedirects) {
                // The slot moved: learn where, send it there, and ask for the whole map.
                clustrDebug(lcRedis).noquote() << "Redis Cluster:" << reply.string << "for" << message.channel;
                m_slots[size_t(hashSlot(message.channel))] = nodeIndex(*target);
                ++message.redirects;
                send(std::move(message));
                refreshMap();
                return;
            }
            if (!message.callback)
                RedisClientPrivate::get(m_owner)->commandRefused(SpublishCommand, reply.string);
        }
        if (message.callback)
            message.callback(reply);
        checkDrained();
    });
}

void ShardedPubSub::subscribe(const QByteArray &channel)
{
    if (m_wanted.contains(channel))
        return;
    m_wanted.insert(channel);
    if (m_mapLoaded)
        placeSubscriptions();
    else if (m_open)
        refreshMap();
}

void ShardedPubSub::unsubscribe(const QByteArray &channel)
{
    if (!m_wanted.remove(channel))
        return;
    m_confirmed.remove(channel);
    const auto placed = m_placed.constFind(channel);
    if (placed == m_placed.cend())
        return;
    if (RedisClient *client = m_nodes[size_t(placed.value())].subscriber)
        client->unsubscribe(channel);
    m_placed.erase(placed);
}

void ShardedPubSub::refreshMap(int delayMs)
{
    if (!m_open)
        return;
    if (delayMs > 0) {
        if (!m_refreshTimer.isActive())
            m_refreshTimer.start(delayMs);
        return;
    }
    if (m_asking) {
        m_refreshAgain = true; // a question is under way: once more after its answer
        return;
    }
    m_refreshTimer.stop();
    // Through a node's publishing connection that is up: no connect to pay.
    // Else a connection of its own, for this question: the owner may be a
    // subscriber, which may send nothing but subscriptions.
    RedisClient *asked = nullptr;
    for (const Node &node : m_nodes) {
        if (node.publisher && node.publisher->isConnected() && !m_unreachable.contains(node.publisher)) {
            asked = node.publisher;
            break;
        }
    }
    if (!asked) {
        m_mapClient = newClient(QStringLiteral(".slots"), std::nullopt);
        RedisClientPrivate::get(m_mapClient)->quiet = true; // the owner's own connection reports an unreachable Redis
        m_mapClient->open();
        asked = m_mapClient;
    }
    m_asking = true;
    asked->command({QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("SLOTS")},
                   [this, guard = QPointer<ShardedPubSub>(this)](const RedisReply &reply) {
                       if (!guard || !m_asking)
                           return; // closed meanwhile
                       m_asking = false;
                       if (m_mapClient) {
                           m_mapClient->deleteLater();
                           m_mapClient = nullptr;
                       }
                       mapAnswered(reply);
                   });
}

void ShardedPubSub::mapAnswered(const RedisReply &reply)
{
    // [[start, end, [host, port, id…], replica…]…]: the master of each range first.
    std::vector<int> slots(HashSlotCount, -1);
    bool complete = reply.type == RedisReply::Type::Array && !reply.elements.isEmpty();
    for (const RedisReply &range : reply.elements) {
        if (range.type != RedisReply::Type::Array || range.elements.size() < 3
            || range.elements.at(0).type != RedisReply::Type::Integer
            || range.elements.at(1).type != RedisReply::Type::Integer
            || range.elements.at(2).type != RedisReply::Type::Array || range.elements.at(2).elements.size() < 2) {
            complete = false;
            break;
        }
        const RedisReply &master = range.elements.at(2);
        RedisUrl::Address address{QString::fromUtf8(master.elements.at(0).string), int(master.elements.at(1).integer)};
        const qint64 first = range.elements.at(0).integer;
        const qint64 last = range.elements.at(1).integer;
        if (first < 0 || last >= HashSlotCount || first > last || address.port <= 0 || address.port > 65535
            || !RedisUrl::isValidHost(address.host)) {
            complete = false;
            break;
        }
        const int node = nodeIndex(address);
        for (qint64 slot = first; slot <= last; ++slot)
            slots[size_t(slot)] = node;
    }
    if (!complete) {
        if (reply.isError() && !RedisClientPrivate::isLocalAnswer()) {
            RedisClientPrivate::get(m_owner)->reportError(
                reply.string.startsWith("NOPERM") ? RedisClient::Error::PermissionDenied : RedisClient::Error::CommandRefused,
                QStringLiteral("Redis Cluster %1 refused CLUSTER SLOTS (%2): sharded channels wait for it")
                    .arg(RedisClientPrivate::get(m_owner)->endpoint(), QString::fromUtf8(reply.string.left(200))));
        } else {
            clustrDebug(lcRedis).noquote() << "Redis Cluster: no usable slot map:" << reply.string;
        }
        m_refreshAgain = false;
        refreshMap(std::min(MaxRefreshDelayMs, FirstRefreshDelayMs << std::min(m_refreshAttempt++, 5)));
        return;
    }
    // A slot not served (a cluster failing over) keeps where it last was:
    // its node answers MOVED or fails, and the map is asked again.
    for (size_t slot = 0; slot < slots.size(); ++slot) {
        if (slots[slot] >= 0)
            m_slots[slot] = slots[slot];
    }
    m_mapLoaded = true;
    placeSubscriptions();
    flushWaiting();
    // Nodes no longer any slot's master: their connections go.
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        if (std::find(slots.cbegin(), slots.cend(), int(i)) != slots.cend())
            continue;
        Node &node = m_nodes[i];
        const bool subscribed = std::any_of(m_placed.cbegin(), m_placed.cend(), [i](int at) { return at == int(i); });
        if (node.publisher) { // what it still holds is answered "closed": kills and the like are sent again
            m_unreachable.remove(node.publisher);
            node.publisher->close();
            node.publisher->deleteLater();
            node.publisher = nullptr;
        }
        if (node.subscriber && !subscribed) {
            m_unreachable.remove(node.subscriber);
            node.subscriber->close();
            node.subscriber->deleteLater();
            node.subscriber = nullptr;
        }
    }
    if (m_refreshAgain) {
        m_refreshAgain = false;
        refreshMap();
    }
    // A node still unreachable, and still a master in the map: ask again
    // (more and more slowly) until its replica has taken over.
    if (!m_unreachable.isEmpty())
        refreshMap(std::min(MaxRefreshDelayMs, FirstRefreshDelayMs << std::min(m_refreshAttempt++, 5)));
    else
        m_refreshAttempt = 0;
}

void ShardedPubSub::placeSubscriptions()
{
    for (const QByteArray &channel : std::as_const(m_wanted)) {
        const int node = m_slots[size_t(hashSlot(channel))];
        if (node < 0)
            continue;
        const auto placed = m_placed.constFind(channel);
        if (placed != m_placed.cend() && placed.value() == node && m_nodes[size_t(node)].subscriber)
            continue;
        if (placed != m_placed.cend()) {
            if (RedisClient *old = m_nodes[size_t(placed.value())].subscriber)
                old->unsubscribe(channel);
            m_confirmed.remove(channel);
        }
        m_placed.insert(channel, node);
        nodeClient(node, true)->subscribe(channel);
    }
}

void ShardedPubSub::flushWaiting()
{
    std::deque<Waiting> waiting;
    waiting.swap(m_waiting);
    for (Waiting &message : waiting)
        send(std::move(message));
}

void ShardedPubSub::failWaiting(const QByteArray &reason)
{
    std::deque<Waiting> waiting;
    waiting.swap(m_waiting);
    const LocalAnswer local;
    for (Waiting &message : waiting) {
        if (message.callback)
            message.callback(RedisReply::error(reason));
    }
}

void ShardedPubSub::checkDrained()
{
    if (pendingCommands() == 0 && m_owner->pendingCommands() == 0)
        Q_EMIT m_owner->drained();
}

} // namespace Clustr
