// SPDX-License-Identifier: MIT
#include "sentinelwatch_p.h"

#include "redisclient_p.h"

#include <ClustrQt/redisclient.h>

namespace Clustr {

namespace {

// "+switch-master NAME OLDIP OLDPORT NEWIP NEWPORT": a few short words.
constexpr qsizetype MaxSentinelMessage = 64 * 1024;

} // namespace

SentinelWatch::SentinelWatch(QObject *context)
    : m_context(context)
{
}

SentinelWatch::~SentinelWatch()
{
    stop();
}

void SentinelWatch::start(const RedisUrl &url, const RedisUrl::Address &sentinel, std::function<void()> switched)
{
    stop();

    m_client = std::make_unique<RedisClient>();
    RedisClient *client = m_client.get();
    RedisClientPrivate::get(client)->quiet = true; // a hint, not a connection anyone waits for
    client->setUrl(url.sentinelUrl(sentinel));
    client->setMaxReplySize(MaxSentinelMessage);
    client->setMaxMessageSize(MaxSentinelMessage);
    const QByteArray prefix = url.masterName.toUtf8() + ' ';
    const quint64 generation = m_generation;
    QObject::connect(client, &RedisClient::messageReceived, client,
                     [this, prefix, generation, switched](const QByteArray &, const QByteArray &payload) {
                         if (!payload.startsWith(prefix))
                             return; // another master of these sentinels
                         // Not from inside the subscriber's own call: the callback stops this watch.
                         QMetaObject::invokeMethod(m_context, [this, generation, switched] {
                             if (generation == m_generation)
                                 switched();
                         }, Qt::QueuedConnection);
                     });
    client->subscribe(QByteArrayLiteral("+switch-master"));
    client->open();
}

void SentinelWatch::stop()
{
    ++m_generation;
    m_client.reset();
}

} // namespace Clustr
