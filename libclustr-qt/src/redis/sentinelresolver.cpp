// SPDX-License-Identifier: MIT
#include "sentinelresolver_p.h"

#include "redisclient_p.h"
#include "sentinelreply_p.h"

#include <ClustrQt/redisclient.h>

namespace Clustr {

namespace {

// A get-master-addr-by-name answer is two short strings: anything near these
// limits is not a sentinel talking, and is refused before it is buffered.
constexpr qsizetype MaxSentinelReply = 64 * 1024;
constexpr qsizetype MaxSentinelElements = 16;

} // namespace

SentinelResolver::SentinelResolver(QObject *context)
    : m_context(context)
{
}

SentinelResolver::~SentinelResolver()
{
    abort();
}

void SentinelResolver::resolve(const RedisUrl &url, std::chrono::milliseconds timeout, Callback callback)
{
    abort();
    // Keep the preferred sentinel while the list stays the same.
    if (url.sentinels != m_url.sentinels)
        m_current = 0;
    m_url = url;
    m_timeout = timeout;
    m_callback = std::move(callback);
    m_asked = 0;
    m_reasons.clear();
    ask();
}

void SentinelResolver::abort()
{
    ++m_round;
    m_callback = {};
    // Its callback, called with "client destroyed", sees the round changed.
    m_query.reset();
}

void SentinelResolver::ask()
{
    m_query = std::make_unique<RedisClient>();
    RedisClient *query = m_query.get();
    // Its failures are this resolver's reasons, said once by the client it works for.
    RedisClientPrivate::get(query)->quiet = true;
    query->setUrl(m_url.sentinelUrl(m_url.sentinels.at(m_current)));
    query->setAutoReconnect(false);
    query->setConnectTimeout(m_timeout);
    query->setCommandTimeout(m_timeout);
    query->setMaxReplySize(MaxSentinelReply);
    query->setMaxReplyElements(MaxSentinelElements);
    query->open();
    const quint64 round = m_round;
    query->command({QByteArrayLiteral("SENTINEL"), QByteArrayLiteral("get-master-addr-by-name"), m_url.masterName.toUtf8()},
                   [this, round](const RedisReply &reply) {
                       if (round != m_round)
                           return;
                       // Not from inside the client's own call: the next step destroys it.
                       const bool local = RedisClientPrivate::isLocalAnswer();
                       QMetaObject::invokeMethod(m_context, [this, round, reply, local] {
                           if (round == m_round)
                               answered(reply, local);
                       }, Qt::QueuedConnection);
                   });
}

void SentinelResolver::answered(const RedisReply &reply, bool local)
{
    const RedisUrl::Address &sentinel = m_url.sentinels.at(m_current);
    QString why;
    std::optional<RedisUrl::Address> master;
    if (local) {
        // The client made the answer up (refused, lost, timed out, a reply
        // over the limits): its error, reported by now, says why.
        why = m_query->errorString().isEmpty() ? QString::fromUtf8(reply.string) : m_query->errorString();
        // The reason comes after the sentinel's name: not twice.
        const QString prefix = QStringLiteral("cannot connect to Redis at %1: ").arg(RedisUrl::endpoint(sentinel.host, sentinel.port));
        if (why.startsWith(prefix))
            why = why.mid(prefix.size());
    } else {
        master = SentinelReply::masterAddress(reply, m_url.masterName, &why);
    }
    m_query.reset();
    if (master) {
        finish(master, QString());
        return;
    }
    m_reasons.append(QStringLiteral("sentinel %1: %2").arg(RedisUrl::endpoint(sentinel.host, sentinel.port), why));
    ++m_asked;
    m_current = (m_current + 1) % m_url.sentinels.size();
    if (m_asked < m_url.sentinels.size()) {
        ask();
        return;
    }
    finish(std::nullopt, QStringLiteral("no sentinel gave the address of master %1 (%2)")
                             .arg(m_url.masterName, m_reasons.join(QStringLiteral("; "))));
}

void SentinelResolver::finish(const std::optional<RedisUrl::Address> &master, const QString &error)
{
    Callback callback = std::move(m_callback);
    m_callback = {};
    ++m_round;
    if (callback)
        callback(master, error);
}

} // namespace Clustr
