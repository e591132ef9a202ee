// SPDX-License-Identifier: MIT
#pragma once

#include "base/logging_p.h"
#include "redisurl_p.h"
#include "replyscanner_p.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

struct redisAsyncContext;

namespace Clustr {

class QtRedisAdapter;
class SentinelResolver;
class ShardedPubSub;
class SentinelWatch;
class TlsTunnel;

//! While it lives, the callbacks it wraps get a reply the client made up (RedisClientPrivate::isLocalAnswer()).
class LocalAnswer
{
public:
    LocalAnswer();
    ~LocalAnswer();
    LocalAnswer(const LocalAnswer &) = delete;
    LocalAnswer &operator=(const LocalAnswer &) = delete;
};

class RedisClientPrivate
{
    Q_DECLARE_PUBLIC(RedisClient)
public:
    struct Pending;

    explicit RedisClientPrivate(RedisClient *q);
    ~RedisClientPrivate();

    // hiredis callbacks; privdata is unused, the context's `data` is the
    // client (or null once the client let go of that context).
    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    static void onReply(redisAsyncContext *context, void *reply, void *privdata);
    static void onHandshakeReply(redisAsyncContext *context, void *reply, void *privdata);
    static void onSubscriptionReply(redisAsyncContext *context, void *reply, void *privdata);
    //! A sharded subscriber's SSUBSCRIBE or SUNSUBSCRIBE: called with Redis' errors only.
    static void onShardedSubscriptionRefused(redisAsyncContext *context, void *reply, void *privdata);
    //! A message the adapter read past hiredis; \a context is the hiredis context it came on.
    static void onMessage(void *context, const ReplyScanner::Message &message);
    //! A `message` on a subscribed channel, whichever way it was read: to the hook and messageReceived().
    void deliverMessage(const char *channel, qsizetype channelSize, const char *payload, qsizetype payloadSize);

    void startConnecting();
    //! redis-sentinel://: asks the sentinels where the master is, then connects there.
    void askSentinels();
    //! Resolves \a host if it is a name, then connects.
    void connectToHost(const QString &host);
    void connectTo(const QByteArray &address);
    void writeHandshake(const QByteArrayList &arguments, const QString &failure);
    //! redis-sentinel://: the handshake's ROLE, which must say "master".
    void writeRoleCheck();
    void handshakeDone();
    //! The connection failed or went away while hiredis frees the context itself.
    void contextLost(const redisAsyncContext *context, RedisClient::Error error, const QString &text);
    //! We let go of the context (timeout, failed AUTH, close()).
    void dropContext(const QByteArray &reason);
    void scheduleReconnect();
    //! redis-sentinel://, waiting to reconnect: reconnect at once when the sentinels switch masters.
    void watchForSwitch();
    void failPending(const QByteArray &reason);
    //! redis-cluster://: the handshake's CLUSTER MYID, refused by a server that is no cluster node.
    void writeClusterCheck();
    /*!
      redis-cluster://: \a text is Redis' error answer to \a entry; if it is
      a MOVED or ASK redirect, the command is kept to be sent again at the
      node it names and true is returned.
    */
    bool followRedirect(Pending &entry, QByteArrayView text);
    /*!
      The node a `MOVED` or `ASK` error \a text names (an empty host: the
      \a answering node's), and in \a ask whether it was an ASK; nothing
      for any other text or a malformed address.
    */
    static std::optional<RedisUrl::Address> redirectTarget(QByteArrayView text,
                                                           const std::optional<RedisUrl::Address> &answering,
                                                           bool *ask = nullptr);
    //! Once every command written to this node has its answer: reconnects to the node a redirect named.
    void moveWhenAnswered();
    //! The redirected commands back in front of the queue.
    void requeueRedirected();
    //! Writes to the current context, whatever its state (the handshake uses it).
    void write(const QByteArrayList &arguments, RedisClient::ReplyCallback &&callback, int redirects = 0);
    //! PUBLISH, formatted here rather than by hiredis (the hot path).
    void writePublish(const QByteArray &channel, const QByteArray &message);
    //! Book-keeping after a command was handed to hiredis with \a status; \a command names one without a callback.
    void written(int status, RedisClient::ReplyCallback &&callback, const QByteArray &command,
                 const QByteArrayList &arguments = {}, int redirects = 0);
    void writeSubscription(const char *command, const QByteArrayList &names);
    //! (Un)subscribes \a name in \a names (channels or patterns): remembered for
    //! reconnects, sent with \a command at once if connected; no-op if unchanged.
    void changeSubscription(QSet<QByteArray> &names, bool add, const QByteArray &name, const char *command);
    //! Writes when connected, else queues.
    void send(const QByteArrayList &arguments, RedisClient::ReplyCallback &&callback);
    void enqueue(const QByteArrayList &arguments, RedisClient::ReplyCallback &&callback);
    void flushQueue();
    void failQueue(const QByteArray &reason);
    void checkCommandTimeout();
    void setState(RedisClient::State state);
    void reportError(RedisClient::Error error, const QString &text);
    //! The scanner refused what Redis sent: the connection is dropped.
    void replyRefused(const QString &reason);
    //! Redis answered \a command, sent without a callback, with the error \a text.
    void commandRefused(const QByteArray &command, const QByteArray &text);
    //! A message of \a size bytes on \a channel was skipped (larger than the message limit).
    void messageDiscarded(const QByteArray &channel, qint64 size);
    //! Sets one of the reply limits, for this connection and the next.
    void setReplyLimit(qint64 ReplyScanner::Limits::*limit, qint64 value);
    QString endpoint() const;

    /*!
      redis-cluster:// with sharded pub/sub: the router of \a channel if it
      has a hash tag (made when first needed), else null. Null for a
      client pinned to one node: it is a router's own.
    */
    ShardedPubSub *shardsFor(QByteArrayView channel);
    //! After the URL changed: whether hash-tagged channels are sharded (shardedChannels).
    void updateSharding();
    //! SUBSCRIBE or UNSUBSCRIBE of one channel on a sharded subscriber: sent as SSUBSCRIBE or SUNSUBSCRIBE.
    void writeShardedSubscription(bool subscribe, const QByteArray &channel);
    //! A sharded subscriber's SSUBSCRIBE was refused with \a text (MOVED: the router asks for the slot map again).
    void shardRefused(const QByteArray &text);

    static RedisClientPrivate *get(RedisClient *client) { return client->d_func(); }
    /*!
      True while a callback gets an error reply the client made up itself
      (the command could not be sent, or its connection went away before the
      answer): not Redis' word. What tells a refusal by Redis from a lost
      command (ClusterClient) asks here.
    */
    static bool isLocalAnswer();

    RedisClient *q_ptr;

    QString urlText = QString::fromLatin1(RedisUrl::DefaultUrl);
    std::optional<RedisUrl> url;
    QString clientName;
    int maxQueued = 10000;
    std::chrono::milliseconds connectTimeout{2000};
    std::chrono::milliseconds commandTimeout{10000};
    std::chrono::milliseconds firstDelay{100};
    std::chrono::milliseconds maxDelay{5000};
    bool autoReconnect = true;
    //! Failures go to the debug log only: a sentinel question, whose asker reports them.
    bool quiet = false;

    RedisClient::State state = RedisClient::State::Disconnected;
    RedisClient::Error error = RedisClient::Error::NoError;
    QString errorString;
    quint64 dropped = 0;
    quint64 refused = 0;
    //! PUBLISHes among them: a process counts them as refused messages.
    quint64 refusedPublishes = 0;
    quint64 discarded = 0;
    //! "COMMAND error text" of the refusals reported on this connection (a few at most).
    QSet<QByteArray> reportedRefusals;
    ReplyScanner::Limits replyLimits;
    bool wantOpen = false;
    //! A host name lookup or a question to the sentinels under way.
    bool resolving = false;
    //! redis-sentinel://: asks the sentinels before every connect, so a
    //! reconnect after a failover finds the promoted master.
    std::unique_ptr<SentinelResolver> sentinels;
    //! Where the sentinels last said the master is.
    std::optional<RedisUrl::Address> master;
    //! redis-cluster://: the node to connect to, a seed or where a redirect
    //! sent us (the node serving this cluster's keys, in the end).
    std::optional<RedisUrl::Address> clusterNode;
    //! redis-cluster://: which seed to try when no node is known (advances with every failure).
    qsizetype seedIndex = 0;
    //! redis-cluster://: a redirect came: new commands wait in the queue
    //! until the ones written have their answers, then we move.
    bool moving = false;
    //! A router's connection to one node of a Redis Cluster: never moves, hands MOVED back to its caller.
    std::optional<RedisUrl::Address> pinnedNode;
    //! A router's subscriber: its subscriptions are SSUBSCRIBEs (see writeShardedSubscription()).
    bool shardedSubscriber = false;
    //! A sharded subscriber: its node dropped a subscription still wanted (the slot moved).
    std::function<void(const QByteArray &channel)> shardLostHook;
    //! A sharded subscriber: its subscriptions refused (not MOVED) since the last one confirmed; its reconnect backs off.
    int shardRefusals = 0;
    //! redis-cluster://: the hash-tagged channels, through sharded pub/sub (see shardsFor()).
    std::unique_ptr<ShardedPubSub> shards;
    bool shardedChannels = false;
    //! redis-sentinel://: +switch-master on a sentinel while reconnecting.
    std::unique_ptr<SentinelWatch> switchWatch;
    //! Addresses of the last lookup not tried yet: a failed connect tries the
    //! next one at once (a name with an IPv6 and an IPv4 address, a server
    //! listening on one of them). Cleared once connected, so a later
    //! reconnect resolves the name again.
    QByteArrayList untriedAddresses;
    bool handshakeComplete = false;
    int handshakePending = 0;
    int attempt = 0;

    redisAsyncContext *context = nullptr;
    QPointer<QtRedisAdapter> adapter;
    //! rediss://: what hiredis' context is connected to, living and dying with it.
    std::unique_ptr<TlsTunnel> tunnel;

    struct Pending
    {
        RedisClient::ReplyCallback callback;
        qint64 sentAt;
        QByteArray command; // without a callback: its name, for a refusal
        QByteArrayList arguments; // redis-cluster:// only: to send again after a redirect
        int redirects = 0;
    };
    std::deque<Pending> pending;     // written to the current context, unanswered
    int awaited = 0;                 // those of them with a callback
    bool drainedWatched = false;     // drained() may have a slot (RedisClient::connectNotify())
    struct Queued
    {
        QByteArrayList arguments;
        RedisClient::ReplyCallback callback;
        int redirects = 0;
        bool asking = false;         // after an ASK redirect: ASKING goes first
    };
    std::deque<Queued> queue;        // waiting for a connection
    std::deque<Queued> redirected;   // redis-cluster://: answered with MOVED/ASK, to send at the new node

    QSet<QByteArray> channels;
    QSet<QByteArray> patterns;
    /*!
      Receives every message of a subscribe()d channel before messageReceived()
      (which is emitted only if connected). \a channel and \a payload may point
      into hiredis' reply: valid during the call only, never to be kept. The
      process owning this subscriber reads its messages here.
    */
    std::function<void(const QByteArray &channel, const QByteArray &payload)> messageHook;

    QTimer connectTimer;
    QTimer reconnectTimer;
    QTimer commandTimer;
    QElapsedTimer clock;
    RateLimiter dropWarnings;
};

} // namespace Clustr
