// SPDX-License-Identifier: MIT
#include "confirmeddelivery_p.h"

#include "hashslot_p.h"
#include "redisclient_p.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QTimer>

#include <algorithm>

namespace Clustr {

ConfirmedDelivery::ConfirmedDelivery(RedisClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
}

void ConfirmedDelivery::setDelays(std::chrono::milliseconds first, std::chrono::milliseconds max)
{
    m_firstDelay = std::max(first, std::chrono::milliseconds(1));
    m_maxDelay = std::max(max, m_firstDelay);
}

quint64 ConfirmedDelivery::publish(const QByteArray &channel, const QByteArray &message, Done done, int minimumReceivers)
{
    const quint64 id = ++m_nextId;
    // Copies of our own: a channel name may be a view of the received message it came in.
    m_pending.insert(id, Pending{QByteArray(channel.constData(), channel.size()), message, QDeadlineTimer(m_window), m_firstDelay, std::move(done),
                                 std::max(minimumReceivers, 1)});
    attempt(id);
    return id;
}

void ConfirmedDelivery::cancel(quint64 id)
{
    // An attempt under way still gets its answer, which finds nothing to do.
    if (m_pending.remove(id) && m_pending.isEmpty())
        Q_EMIT settled();
}

void ConfirmedDelivery::attempt(quint64 id)
{
    const auto it = m_pending.constFind(id);
    if (it == m_pending.cend())
        return;
    if (!m_client) {
        finish(id, Outcome::GivenUp, RedisReply::error(QByteArrayLiteral("the connection is gone")));
        return;
    }
    const QPointer<ConfirmedDelivery> guard(this);
    m_client->command({QByteArrayLiteral("PUBLISH"), it->channel, it->message}, [guard, id](const RedisReply &reply) {
        if (guard)
            guard->answered(id, reply);
    });
}

void ConfirmedDelivery::answered(quint64 id, const RedisReply &reply)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    const bool local = reply.isError() && RedisClientPrivate::isLocalAnswer();
    if (reply.isError() && !local) {
        finish(id, Outcome::Refused, reply);
        return;
    }
    // A Redis Cluster node counts its own subscribers only: any answer is as
    // good as it gets for a plain channel there. A sharded one's count is
    // exact: its subscribers are all at the master of its slot, which
    // answered (RedisClient routes SPUBLISH there).
    const bool countsOneNode = m_client && RedisClientPrivate::get(m_client)->url
        && RedisClientPrivate::get(m_client)->url->isCluster()
        && !(RedisClientPrivate::get(m_client)->shardedChannels && hasHashTag(it->channel));
    if (!local && (reply.integer >= it->minimumReceivers || countsOneNode || reply.type != RedisReply::Type::Integer)) {
        finish(id, Outcome::Delivered, reply);
        return;
    }
    // Nobody received it, or the connection went before the answer came.
    // A closed client (close(), or no reconnecting) will not send it again.
    const bool closed = !m_client || m_client->state() == RedisClient::State::Disconnected;
    if (closed || it->deadline.hasExpired()) {
        finish(id, Outcome::GivenUp,
               local ? reply : RedisReply::error(QByteArrayLiteral("no subscriber received it")));
        return;
    }
    const auto delay = std::min(it->delay, std::chrono::milliseconds(std::max<qint64>(it->deadline.remainingTime(), 0)));
    it->delay = std::min(it->delay * 2, m_maxDelay);
    ++m_retries;
    QTimer::singleShot(delay, this, [this, id] { attempt(id); });
}

void ConfirmedDelivery::finish(quint64 id, Outcome outcome, const RedisReply &reply)
{
    Pending pending = m_pending.take(id);
    if (pending.done)
        pending.done(outcome, reply);
    if (m_pending.isEmpty())
        Q_EMIT settled();
}

} // namespace Clustr
