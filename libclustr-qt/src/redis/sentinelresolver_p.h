// SPDX-License-Identifier: MIT
#pragma once

#include "redisurl_p.h"

#include <ClustrQt/redisreply.h>

#include <QtCore/QPointer>
#include <QtCore/QStringList>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QObject;

namespace Clustr {

class RedisClient;

/*!
  Asks the sentinels of a redis-sentinel:// URL where its master is
  (`SENTINEL get-master-addr-by-name NAME`), one after the other until one
  answers with an address; the sentinel that answered is asked first next
  time, as the Sentinel client guidelines suggest. Each question is a
  short-lived RedisClient (the sentinel credentials, no reconnect, small
  reply limits, \a timeout to connect and to answer), so it runs on the event
  loop like every connection of the library; a sentinel that refuses, hangs
  up, stays silent or answers nonsense costs one timeout at most and the
  next one is asked. The callback is called on the event loop, never from
  inside hiredis, and never after abort() or the resolver's destruction.
*/
class SentinelResolver
{
public:
    //! The master's address, or none and why not (each sentinel's reason).
    using Callback = std::function<void(const std::optional<RedisUrl::Address> &master, const QString &error)>;

    //! \a context: the thread and lifetime the questions and the callback are bound to.
    explicit SentinelResolver(QObject *context);
    ~SentinelResolver();
    SentinelResolver(const SentinelResolver &) = delete;
    SentinelResolver &operator=(const SentinelResolver &) = delete;

    //! Starts asking the sentinels of \a url; a round under way is abandoned.
    void resolve(const RedisUrl &url, std::chrono::milliseconds timeout, Callback callback);
    //! Abandons the round under way: its callback is not called.
    void abort();
    //! The sentinel asked first in the next round: the one that answered last (empty host before any round).
    RedisUrl::Address preferred() const { return m_url.sentinels.value(m_current); }

private:
    void ask();
    void answered(const RedisReply &reply, bool local);
    void finish(const std::optional<RedisUrl::Address> &master, const QString &error);

    QPointer<QObject> m_context;
    RedisUrl m_url;
    std::chrono::milliseconds m_timeout{2000};
    Callback m_callback;
    std::unique_ptr<RedisClient> m_query;
    //! Which sentinel is asked now, and how many were asked in this round.
    qsizetype m_current = 0;
    qsizetype m_asked = 0;
    QStringList m_reasons;
    //! Changes with every round and abort(): answers of an older round are ignored.
    quint64 m_round = 0;
};

} // namespace Clustr
