// SPDX-License-Identifier: MIT
#pragma once

#include "redisurl_p.h"

#include <QtCore/QPointer>

#include <functional>
#include <memory>

class QObject;

namespace Clustr {

class RedisClient;

/*!
  Listens on one sentinel for `+switch-master` of one master name, while a
  redis-sentinel:// client waits to reconnect: the moment the sentinels
  have promoted a replica, the client need not sit out the rest of its
  backoff. Only while reconnecting, so a connected client costs the
  sentinels nothing; the backoff stays the fallback when the sentinel
  watched cannot be reached. The callback is called on the event loop,
  never from inside hiredis, and never after stop() or destruction.
*/
class SentinelWatch
{
public:
    //! \a context: the thread and lifetime the subscription and the callback are bound to.
    explicit SentinelWatch(QObject *context);
    ~SentinelWatch();
    SentinelWatch(const SentinelWatch &) = delete;
    SentinelWatch &operator=(const SentinelWatch &) = delete;

    //! Subscribes on \a sentinel (with \a url's sentinel credentials); \a switched when \a url's master moved.
    void start(const RedisUrl &url, const RedisUrl::Address &sentinel, std::function<void()> switched);
    void stop();
    bool isWatching() const { return m_client != nullptr; }

private:
    QPointer<QObject> m_context;
    std::unique_ptr<RedisClient> m_client;
    //! Changes with every start() and stop(): a message of an older watch is ignored.
    quint64 m_generation = 0;
};

} // namespace Clustr
