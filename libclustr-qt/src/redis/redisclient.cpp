// SPDX-License-Identifier: MIT
#include "redisclient_p.h"

#include "hashslot_p.h"
#include "hostlookup_p.h"
#include "qtadapter_p.h"
#include "sentinelreply_p.h"
#include "sentinelresolver_p.h"
#include "sentinelwatch_p.h"
#include "shardedpubsub_p.h"
#include "tlsplugin_p.h"

#include <QtCore/QMetaMethod>
#include <QtCore/QVarLengthArray>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstring>

#include <fcntl.h>

namespace Clustr {

namespace {

// Replies a command gets when its connection goes away before the answer.
const QByteArray ConnectionLost = QByteArrayLiteral("ERR connection lost");
const QByteArray PublishCommand = QByteArrayLiteral("PUBLISH");
// redis-cluster://: redirects one command follows before its caller gets the
// error (a slot moving while we follow it; more is a cluster in turmoil).
constexpr int MaxRedirects = 5;
// Refusals reported per connection: one per kind, and no more kinds than
// this (an error text that names its arguments would make every one new).
constexpr qsizetype MaxReportedRefusals = 16;

// Callbacks being handed a reply the client made up (see isLocalAnswer()):
// per thread, as the client is, and not a member, since a callback may
// delete the client it came from.
thread_local int localAnswers = 0;

RedisReply convert(const redisReply *reply)
{
    RedisReply result;
    switch (reply->type) {
    case REDIS_REPLY_STRING:
        result.type = RedisReply::Type::String;
        result.string = QByteArray(reply->str, int(reply->len));
        break;
    case REDIS_REPLY_STATUS:
        result.type = RedisReply::Type::Status;
        result.string = QByteArray(reply->str, int(reply->len));
        break;
    case REDIS_REPLY_ERROR:
        result.type = RedisReply::Type::Error;
        result.string = QByteArray(reply->str, int(reply->len));
        break;
    case REDIS_REPLY_INTEGER:
        result.type = RedisReply::Type::Integer;
        result.integer = reply->integer;
        break;
    case REDIS_REPLY_ARRAY:
        result.type = RedisReply::Type::Array;
        result.elements.reserve(qsizetype(reply->elements));
        for (size_t i = 0; i < reply->elements; ++i)
            result.elements.append(convert(reply->element[i]));
        break;
    default:
        result.type = RedisReply::Type::Nil;
        break;
    }
    return result;
}

RedisClientPrivate *clientOf(const redisAsyncContext *context)
{
    return static_cast<RedisClientPrivate *>(context->data);
}

QByteArray sanitizedName(const QString &name)
{
    QByteArray bytes = name.toUtf8();
    for (char &c : bytes) {
        if (uchar(c) <= ' ' || c == 0x7f)
            c = '_'; // CLIENT SETNAME refuses spaces and control characters
    }
    return bytes;
}

bool isSubscriptionCommand(const QByteArray &name)
{
    const QByteArray upper = name.toUpper();
    return upper == "SUBSCRIBE" || upper == "UNSUBSCRIBE" || upper == "PSUBSCRIBE"
        || upper == "PUNSUBSCRIBE" || upper == "MONITOR";
}

} // namespace

RedisClientPrivate::RedisClientPrivate(RedisClient *q)
    : q_ptr(q)
    , url(RedisUrl()) // what urlText, the default URL, parses to (tst_redisurl checks it)
{
    clock.start();
    connectTimer.setSingleShot(true);
    reconnectTimer.setSingleShot(true);
    commandTimer.setSingleShot(true);
}

RedisClientPrivate::~RedisClientPrivate() = default;

LocalAnswer::LocalAnswer()
{
    ++localAnswers;
}

LocalAnswer::~LocalAnswer()
{
    --localAnswers;
}

bool RedisClientPrivate::isLocalAnswer()
{
    return localAnswers > 0;
}

QString RedisClientPrivate::endpoint() const
{
    if (url && clusterNode)
        return RedisUrl::endpoint(clusterNode->host, clusterNode->port);
    if (url && master)
        return RedisUrl::endpoint(master->host, master->port) + QStringLiteral(" (master ") + url->masterName + u')';
    return url ? url->endpoint() : urlText;
}

void RedisClientPrivate::setState(RedisClient::State newState)
{
    Q_Q(RedisClient);
    if (state == newState)
        return;
    const bool wasConnected = state == RedisClient::State::Connected;
    state = newState;
    Q_EMIT q->stateChanged(state);
    if (wasConnected)
        Q_EMIT q->disconnected();
}

void RedisClientPrivate::reportError(RedisClient::Error newError, const QString &text)
{
    Q_Q(RedisClient);
    // Retrying an unreachable server repeats the same error every few
    // seconds; say it once, and again when it changes.
    if (text != errorString && !quiet)
        qCWarning(lcRedis).noquote() << text;
    else
        clustrDebug(lcRedis).noquote() << text;
    error = newError;
    errorString = text;
    Q_EMIT q->errorOccurred(newError, text);
}

void RedisClientPrivate::startConnecting()
{
    if (context || !wantOpen || !url)
        return;
    if (url->transport == RedisUrl::Transport::Unix) {
        connectTo(QByteArray());
        return;
    }
    if (url->transport == RedisUrl::Transport::Sentinel && untriedAddresses.isEmpty()) {
        askSentinels();
        return;
    }
    if (url->isCluster() && !clusterNode)
        clusterNode = pinnedNode ? *pinnedNode : url->seeds.at(seedIndex % url->seeds.size());
    connectToHost(url->transport == RedisUrl::Transport::Sentinel ? master->host
                  : url->isCluster()                              ? clusterNode->host
                                                                  : url->host);
}

void RedisClientPrivate::askSentinels()
{
    Q_Q(RedisClient);
    // Asked again on every connect: after a failover the old address is a
    // dead server, or a demoted one.
    master.reset();
    if (!sentinels)
        sentinels = std::make_unique<SentinelResolver>(q);
    resolving = true;
    sentinels->resolve(*url, connectTimeout, [this](const std::optional<RedisUrl::Address> &found, const QString &why) {
        resolving = false;
        if (!wantOpen || context)
            return;
        if (!found) {
            reportError(RedisClient::Error::ConnectionFailed,
                        QStringLiteral("cannot connect to Redis at %1: %2").arg(endpoint(), why));
            scheduleReconnect();
            return;
        }
        master = found;
        clustrDebug(lcRedis).noquote() << "the sentinels say master" << url->masterName << "is at"
                                       << RedisUrl::endpoint(master->host, master->port);
        connectToHost(master->host);
    });
}

void RedisClientPrivate::connectToHost(const QString &host)
{
    Q_Q(RedisClient);
    if (!HostLookup::isAddress(host)) {
        if (!untriedAddresses.isEmpty()) {
            connectTo(untriedAddresses.takeFirst());
            return;
        }
        // hiredis resolves names with a blocking getaddrinfo(); resolve here,
        // off the event loop, and hand it an address.
        resolving = true;
        HostLookup::lookup(host, q, [this](const QByteArrayList &addresses, const QString &why) {
            resolving = false;
            if (!wantOpen || context)
                return;
            if (addresses.isEmpty()) {
                reportError(RedisClient::Error::ConnectionFailed,
                            QStringLiteral("cannot connect to Redis at %1: %2").arg(endpoint(), why));
                scheduleReconnect();
                return;
            }
            untriedAddresses = addresses;
            connectTo(untriedAddresses.takeFirst());
        });
        return;
    }
    connectTo(host.toUtf8()); // an address: ASCII
}

void RedisClientPrivate::connectTo(const QByteArray &address)
{
    if (url->tls) {
        // hiredis 0.14 has no TLS: it talks to the plaintext end of a tunnel
        // (tlstunnel_p.h), which connects to `address` and does the TLS.
        QString why;
        tunnel = TlsPlugin::createTunnel(*url, address, &why);
        if (!tunnel) {
            reportError(RedisClient::Error::ConnectionFailed,
                        QStringLiteral("cannot connect to Redis at %1: %2").arg(endpoint(), why));
            scheduleReconnect();
            return;
        }
    }
    redisAsyncContext *ctx = tunnel ? redisAsyncConnectUnix(tunnel->socketPath().constData())
        : url->transport == RedisUrl::Transport::Unix
        ? redisAsyncConnectUnix(url->socketPath.toUtf8().constData()) // QFile::encodeName() on Unix, minus a conversion table
        : redisAsyncConnect(address.constData(), clusterNode ? clusterNode->port : master ? master->port : url->port);
    if (!ctx || ctx->err) {
        const QString reason = ctx ? QString::fromLocal8Bit(ctx->errstr) : QStringLiteral("out of memory");
        if (ctx)
            redisAsyncFree(ctx);
        tunnel.reset();
        reportError(RedisClient::Error::ConnectionFailed,
                    QStringLiteral("cannot connect to Redis at %1: %2").arg(endpoint(), reason));
        scheduleReconnect();
        return;
    }
    if (url->transport != RedisUrl::Transport::Unix && !tunnel)
        redisEnableKeepAlive(&ctx->c); // notices a peer that vanished without a word (a tunnel does it on its TCP side)
    // hiredis opens its socket without close-on-exec: every child a process
    // spawns would hold this connection (and a dead master's subscriptions)
    // open for as long as it lives.
    ::fcntl(ctx->c.fd, F_SETFD, FD_CLOEXEC);

    ctx->data = this;
    adapter = QtRedisAdapter::attach(ctx);
    adapter->setReplyLimits(replyLimits);
    adapter->setMessageSink(&RedisClientPrivate::onMessage, ctx);
    QObject::connect(adapter, &QtRedisAdapter::replyRefused, q_ptr, [this](const QString &reason) { replyRefused(reason); });
    redisAsyncSetConnectCallback(ctx, &RedisClientPrivate::onConnect);
    redisAsyncSetDisconnectCallback(ctx, &RedisClientPrivate::onDisconnect);
    context = ctx;
    handshakeComplete = false;
    handshakePending = 0;

    // hiredis buffers these until the socket is connected; nothing else is
    // sent before they are answered, so AUTH always comes first.
    if (!url->password.isEmpty()) {
        QByteArrayList auth{QByteArrayLiteral("AUTH")};
        if (!url->user.isEmpty())
            auth << url->user.toUtf8();
        auth << url->password.toUtf8();
        writeHandshake(auth, QStringLiteral("Redis at %1 refused the credentials").arg(endpoint()));
    }
    if (url->database != 0)
        writeHandshake({QByteArrayLiteral("SELECT"), QByteArray::number(url->database)},
                       QStringLiteral("Redis at %1 refused to select database %2").arg(endpoint()).arg(url->database));
    if (url->transport == RedisUrl::Transport::Sentinel)
        writeRoleCheck();
    if (url->isCluster())
        writeClusterCheck();
    if (!clientName.isEmpty())
        writeHandshake({QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), sanitizedName(clientName)}, QString());
    else
        writeHandshake({QByteArrayLiteral("PING")}, QString());
    connectTimer.start(connectTimeout);
}

namespace {

// A refusal of CLIENT SETNAME that still leaves a usable connection: a server
// or proxy that does not know the command, or an ACL user not allowed it.
bool isHarmlessRefusal(const QByteArray &reply)
{
    return reply.startsWith("NOPERM") || reply.contains("unknown command") || reply.contains("unknown subcommand")
        || reply.contains("Unknown subcommand");
}

} // namespace

void RedisClientPrivate::writeHandshake(const QByteArrayList &arguments, const QString &failure)
{
    ++handshakePending;
    redisAsyncContext *ctx = context;
    write(arguments, [this, ctx, failure](const RedisReply &reply) {
        if (ctx != context)
            return; // that connection is gone already
        if (reply.isError()) {
            if (reply.string.startsWith(ConnectionLost))
                return; // contextLost() reports it
            if (reply.string.startsWith("NOAUTH")) {
                // Everything would fail the same way: say so once, clearly.
                reportError(RedisClient::Error::AuthenticationFailed,
                            QStringLiteral("Redis at %1 requires a password: give one in the URL (redis://:password@host:port)").arg(endpoint()));
                dropContext(QByteArrayLiteral("ERR handshake failed"));
                scheduleReconnect();
                return;
            }
            if (failure.isEmpty() && isHarmlessRefusal(reply.string)) {
                // CLIENT SETNAME is a courtesy; a server (or an ACL user) that
                // does not allow it still serves.
                clustrDebug(lcRedis).noquote() << "handshake command refused:" << reply.string;
            } else if (failure.isEmpty()) {
                // "-ERR max number of clients reached", protected mode's
                // "-DENIED": the server closes the connection after saying so.
                // Writing on would write into a closed socket.
                reportError(RedisClient::Error::ConnectionFailed,
                            QStringLiteral("Redis at %1 refused the connection: %2").arg(endpoint(), QString::fromUtf8(reply.string)));
                dropContext(QByteArrayLiteral("ERR handshake failed"));
                scheduleReconnect();
                return;
            } else {
                reportError(RedisClient::Error::AuthenticationFailed,
                            failure + QStringLiteral(": ") + QString::fromUtf8(reply.string));
                dropContext(QByteArrayLiteral("ERR handshake failed"));
                scheduleReconnect();
                return;
            }
        }
        if (--handshakePending == 0)
            handshakeDone();
    });
}

void RedisClientPrivate::writeRoleCheck()
{
    // What the sentinels said may be out of date (a failover under way, or
    // one they have not noticed yet): a replica would take subscriptions and
    // publishes that never reach the rest of the cluster. So the server must
    // say it is the master; if not, ask the sentinels again after a backoff.
    ++handshakePending;
    redisAsyncContext *ctx = context;
    write({QByteArrayLiteral("ROLE")}, [this, ctx](const RedisReply &reply) {
        if (ctx != context)
            return; // that connection is gone already
        if (reply.isError() && reply.string.startsWith(ConnectionLost))
            return; // contextLost() reports it
        const QByteArray role = SentinelReply::role(reply);
        if (reply.isError() && isHarmlessRefusal(reply.string)) {
            // An ACL user not allowed ROLE: take the sentinels' word for it.
            clustrDebug(lcRedis).noquote() << "ROLE refused, the sentinels' word taken:" << reply.string;
        } else if (role != "master") {
            const QString said = reply.isError() ? QStringLiteral("answered ROLE with %1").arg(QString::fromUtf8(reply.string.left(200)))
                : role.isEmpty()                 ? QStringLiteral("did not say its role")
                                                 : QStringLiteral("is a %1").arg(QString::fromUtf8(role.left(40)));
            reportError(RedisClient::Error::ConnectionFailed,
                        QStringLiteral("Redis at %1 %2, not the master: asking the sentinels again").arg(endpoint(), said));
            untriedAddresses.clear(); // not another address of this server: the sentinels again
            dropContext(QByteArrayLiteral("ERR not the master"));
            scheduleReconnect();
            return;
        }
        if (--handshakePending == 0)
            handshakeDone();
    });
}

void RedisClientPrivate::writeClusterCheck()
{
    // A redis-cluster:// URL naming a server that is no cluster node would
    // work, alone, and hide from the user that the rest of the cluster never
    // sees this process: say so instead.
    ++handshakePending;
    redisAsyncContext *ctx = context;
    write({QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("MYID")}, [this, ctx](const RedisReply &reply) {
        if (ctx != context)
            return; // that connection is gone already
        if (reply.isError() && reply.string.startsWith(ConnectionLost))
            return; // contextLost() reports it
        if (reply.isError() && !isHarmlessRefusal(reply.string)) {
            reportError(RedisClient::Error::ConnectionFailed,
                        QStringLiteral("Redis at %1 is not a Redis Cluster node (%2): name it with redis://, or name the cluster's nodes")
                            .arg(endpoint(), QString::fromUtf8(reply.string.left(200))));
            untriedAddresses.clear();
            dropContext(QByteArrayLiteral("ERR not a cluster node"));
            scheduleReconnect();
            return;
        }
        if (--handshakePending == 0)
            handshakeDone();
    });
}

std::optional<RedisUrl::Address> RedisClientPrivate::redirectTarget(QByteArrayView text,
                                                                    const std::optional<RedisUrl::Address> &answering, bool *ask)
{
    // "MOVED 3999 127.0.0.1:6381" for good, "ASK 3999 127.0.0.1:6381" for
    // one command while the slot migrates.
    const bool isAsk = text.startsWith("ASK ");
    if (!isAsk && !text.startsWith("MOVED "))
        return std::nullopt;
    const QByteArrayView where = text.sliced(text.lastIndexOf(' ') + 1);
    const qsizetype colon = where.lastIndexOf(':');
    bool ok = false;
    const int port = colon >= 0 ? where.sliced(colon + 1).toInt(&ok) : 0;
    if (!ok || port <= 0 || port > 65535)
        return std::nullopt;
    RedisUrl::Address node;
    node.host = QString::fromUtf8(where.first(colon));
    if (node.host.startsWith(u'[') && node.host.endsWith(u']'))
        node.host = node.host.mid(1, node.host.size() - 2);
    // An empty host (or "?", a node that does not know its own address)
    // means the one that answered.
    if ((node.host.isEmpty() || node.host == QLatin1String("?")) && answering)
        node.host = answering->host;
    if (!RedisUrl::isValidHost(node.host))
        return std::nullopt;
    node.port = port;
    if (ask)
        *ask = isAsk;
    return node;
}

bool RedisClientPrivate::followRedirect(Pending &entry, QByteArrayView text)
{
    if (entry.arguments.isEmpty() || entry.redirects >= MaxRedirects)
        return false;
    bool ask = false;
    const std::optional<RedisUrl::Address> target = redirectTarget(text, clusterNode, &ask);
    if (!target)
        return false;
    const RedisUrl::Address &node = *target;
    clustrDebug(lcRedis).noquote() << "Redis Cluster:" << text.toByteArray() << "- following it";
    redirected.push_back(Queued{std::move(entry.arguments), std::move(entry.callback), entry.redirects + 1, ask});
    if (!moving || clusterNode != node) {
        clusterNode = node;
        untriedAddresses.clear();
    }
    moving = true;
    return true;
}

void RedisClientPrivate::moveWhenAnswered()
{
    Q_Q(RedisClient);
    if (!moving || !pending.empty())
        return; // the rest written to this node first: their answers keep their order
    // Not from hiredis' reply callback: the context is freed and another made.
    QMetaObject::invokeMethod(q, [this] {
        if (!moving || !pending.empty() || !wantOpen)
            return;
        clustrDebug(lcRedis).noquote() << "Redis Cluster: moving to" << endpoint();
        requeueRedirected();
        dropContext(QByteArrayLiteral("ERR moved"));
        reconnectTimer.stop();
        startConnecting();
    }, Qt::QueuedConnection);
}

void RedisClientPrivate::requeueRedirected()
{
    moving = false;
    // In the order their answers came, before what was queued meanwhile.
    while (!redirected.empty()) {
        queue.push_front(std::move(redirected.back()));
        redirected.pop_back();
    }
}

void RedisClientPrivate::handshakeDone()
{
    Q_Q(RedisClient);
    handshakeComplete = true;
    if (switchWatch)
        switchWatch->stop(); // connected: no cost to the sentinels while it lasts
    connectTimer.stop();
    attempt = 0;
    untriedAddresses.clear();
    error = RedisClient::Error::NoError;
    errorString.clear();
    reportedRefusals.clear(); // a new connection (maybe as another user) says them again
    clustrInfo(lcRedis).noquote() << "connected to Redis at" << endpoint();
    requeueRedirected(); // a move that ended in another reconnect

    // One command per kind restores every subscription of the lost connection.
    if (!channels.isEmpty())
        writeSubscription("SUBSCRIBE", QByteArrayList(channels.cbegin(), channels.cend()));
    if (!patterns.isEmpty())
        writeSubscription("PSUBSCRIBE", QByteArrayList(patterns.cbegin(), patterns.cend()));
    flushQueue();
    if (shards) // what a process counts to know it is listening: its sharded channels too
        QMetaObject::invokeMethod(q, [this] { if (shards) shards->reconfirm(); }, Qt::QueuedConnection);
    // Following a redirect (redis-cluster://) moves a connection without
    // ever being disconnected: nothing for the users to hear about.
    const bool wasConnected = state == RedisClient::State::Connected;
    setState(RedisClient::State::Connected);
    if (!wasConnected)
        Q_EMIT q->connected();
}

void RedisClientPrivate::onConnect(const redisAsyncContext *ctx, int status)
{
    RedisClientPrivate *d = clientOf(ctx);
    if (!d || status == REDIS_OK)
        return; // the handshake replies take it from here
    d->contextLost(ctx, RedisClient::Error::ConnectionFailed,
                   QStringLiteral("cannot connect to Redis at %1: %2").arg(d->endpoint(), QString::fromLocal8Bit(ctx->errstr)));
}

void RedisClientPrivate::onDisconnect(const redisAsyncContext *ctx, int status)
{
    Q_UNUSED(status);
    RedisClientPrivate *d = clientOf(ctx);
    if (!d)
        return; // we let go of it ourselves
    const QString reason = ctx->errstr[0] ? QString::fromLocal8Bit(ctx->errstr) : QStringLiteral("closed");
    d->contextLost(ctx, RedisClient::Error::ConnectionLost,
                   QStringLiteral("connection to Redis at %1 lost: %2").arg(d->endpoint(), reason));
}

void RedisClientPrivate::contextLost(const redisAsyncContext *ctx, RedisClient::Error lostError, const QString &lostText)
{
    Q_Q(RedisClient);
    // hiredis is freeing the context right now: detach from it, and do the
    // rest (signals, reconnect) from the event loop, where user code may do
    // anything, including deleting this client.
    const_cast<redisAsyncContext *>(ctx)->data = nullptr;
    QString text = lostText;
    // A sharded subscriber's SSUBSCRIBE refused: hiredis 0.14 drops a
    // subscribed connection on any error reply, with the error as the reason.
    const QByteArray refusal = shardedSubscriber && (ctx->c.flags & REDIS_SUBSCRIBED) && ctx->c.err == REDIS_ERR_OTHER
        ? QByteArray(ctx->c.errstr)
        : QByteArray();
    if (context == ctx) {
        // hiredis saw only its end of a TLS tunnel close; the tunnel knows why
        // (a certificate refused, the server's TLS alert).
        if (tunnel && !tunnel->errorString().isEmpty()) {
            lostError = handshakeComplete ? RedisClient::Error::ConnectionLost : RedisClient::Error::ConnectionFailed;
            text = (handshakeComplete ? QStringLiteral("connection to Redis at %1 lost: %2") : QStringLiteral("cannot connect to Redis at %1: %2"))
                       .arg(endpoint(), tunnel->errorString());
        }
        tunnel.reset();
        context = nullptr;
        adapter = nullptr;
        handshakeComplete = false;
        connectTimer.stop();
        commandTimer.stop();
    }
    QPointer<RedisClient> guard(q);
    failPending(ConnectionLost);
    if (!guard)
        return;
    QMetaObject::invokeMethod(q, [this, lostError, text, refusal] {
        if (!wantOpen)
            return;
        if (!refusal.isEmpty()) {
            // MOVED is not a failure: the slot moved, and the router moves the
            // subscription. Anything else (NOPERM: an ACL file without the
            // sharded commands) is said once as a refusal, and the connection
            // tries again less and less often, not at once after each refusal.
            clustrDebug(lcRedis).noquote() << "Redis at" << endpoint() << "refused a sharded subscription:" << refusal;
            QPointer<RedisClient> alive(q_ptr);
            shardRefused(refusal);
            if (!alive)
                return;
            if (!refusal.startsWith("MOVED ") && !refusal.startsWith("ASK "))
                attempt = ++shardRefusals;
            scheduleReconnect();
            return;
        }
        reportError(lostError, text);
        scheduleReconnect();
    }, Qt::QueuedConnection);
}

void RedisClientPrivate::dropContext(const QByteArray &reason)
{
    if (!context)
        return;
    redisAsyncContext *ctx = context;
    context = nullptr;
    adapter = nullptr; // hiredis' cleanup hook deletes it
    handshakeComplete = false;
    connectTimer.stop();
    commandTimer.stop();
    ctx->data = nullptr;
    // Deferred by hiredis until the current callback returns when called from one.
    redisAsyncFree(ctx);
    tunnel.reset();
    failPending(reason);
}

void RedisClientPrivate::failPending(const QByteArray &reason)
{
    std::deque<Pending> failed;
    failed.swap(pending);
    awaited = 0;
    const LocalAnswer local;
    const RedisReply reply = RedisReply::error(reason);
    for (Pending &p : failed) {
        if (p.callback)
            p.callback(reply);
    }
}

void RedisClientPrivate::scheduleReconnect()
{
    if (!wantOpen || context || reconnectTimer.isActive() || resolving)
        return;
    if (url && url->isCluster() && untriedAddresses.isEmpty()) {
        // That node failed (or is failing over): the next seed, which
        // redirects us to whichever node serves now.
        if (clusterNode && !moving)
            ++seedIndex;
        clusterNode.reset();
        requeueRedirected();
    }
    if (!autoReconnect) {
        wantOpen = false;
        failQueue(QByteArrayLiteral("ERR not connected"));
        setState(RedisClient::State::Disconnected);
        return;
    }
    if (!untriedAddresses.isEmpty()) {
        // Not from this callback: hiredis may still be freeing the old context.
        reconnectTimer.start(0);
        return;
    }
    const qint64 first = std::max<qint64>(1, firstDelay.count());
    const qint64 delay = std::min<qint64>(maxDelay.count(), first << std::min(attempt, 20));
    ++attempt;
    if (state == RedisClient::State::Connected)
        setState(RedisClient::State::Reconnecting);
    clustrDebug(lcRedis) << "reconnecting to" << endpoint() << "in" << delay << "ms";
    reconnectTimer.start(int(delay));
    watchForSwitch();
}

void RedisClientPrivate::watchForSwitch()
{
    Q_Q(RedisClient);
    if (!url || url->transport != RedisUrl::Transport::Sentinel || (switchWatch && switchWatch->isWatching()))
        return;
    // A failover ends with +switch-master: the backoff, grown by then with
    // the refused connects to the dead master, need not run out.
    if (!switchWatch)
        switchWatch = std::make_unique<SentinelWatch>(q);
    const RedisUrl::Address preferred = sentinels ? sentinels->preferred() : RedisUrl::Address();
    switchWatch->start(*url, preferred.host.isEmpty() ? url->sentinels.constFirst() : preferred, [this] {
        if (!wantOpen || context || resolving || !reconnectTimer.isActive())
            return; // a connect is under way already
        clustrDebug(lcRedis).noquote() << "the sentinels switched master" << url->masterName << "- reconnecting now";
        reconnectTimer.stop();
        startConnecting();
    });
}

void RedisClientPrivate::write(const QByteArrayList &arguments, RedisClient::ReplyCallback &&callback, int redirects)
{
    QVarLengthArray<const char *, 8> argv;
    QVarLengthArray<size_t, 8> lengths;
    for (const QByteArray &argument : arguments) {
        argv.append(argument.constData());
        lengths.append(size_t(argument.size()));
    }
    const QByteArray command = callback ? QByteArray() : arguments.constFirst();
    written(redisAsyncCommandArgv(context, &RedisClientPrivate::onReply, nullptr, int(argv.size()), argv.data(),
                                  lengths.data()),
            std::move(callback), command, url && url->isCluster() && !pinnedNode ? arguments : QByteArrayList(),
            redirects);
}

void RedisClientPrivate::writePublish(const QByteArray &channel, const QByteArray &message)
{
    // PUBLISH in RESP, formatted here into a buffer on the stack (a large
    // payload aside): hiredis' formatter builds a fresh sds with sdscatfmt
    // for every command, which was half the cost of a publish.
    char channelDigits[24];
    char messageDigits[24];
    auto decimal = [](char *end, qsizetype value) {
        char *first = end;
        size_t n = size_t(value);
        do {
            *--first = char('0' + n % 10);
            n /= 10;
        } while (n != 0);
        return first;
    };
    const char *const channelLength = decimal(channelDigits + sizeof(channelDigits), channel.size());
    const char *const messageLength = decimal(messageDigits + sizeof(messageDigits), message.size());
    const size_t channelLengthSize = size_t(channelDigits + sizeof(channelDigits) - channelLength);
    const size_t messageLengthSize = size_t(messageDigits + sizeof(messageDigits) - messageLength);
    static constexpr char Head[] = "*3\r\n$7\r\nPUBLISH\r\n";
    const size_t size = sizeof(Head) - 1 + 3 + channelLengthSize + size_t(channel.size()) + 2 + 3 + messageLengthSize
        + size_t(message.size()) + 2;
    QVarLengthArray<char, 1024> command(static_cast<qsizetype>(size)); // chars: not initialised
    char *to = command.data();
    auto put = [&to](const char *data, size_t length) {
        std::memcpy(to, data, length);
        to += length;
    };
    put(Head, sizeof(Head) - 1);
    put("$", 1);
    put(channelLength, channelLengthSize);
    put("\r\n", 2);
    put(channel.constData(), size_t(channel.size()));
    put("\r\n$", 3);
    put(messageLength, messageLengthSize);
    put("\r\n", 2);
    put(message.constData(), size_t(message.size()));
    put("\r\n", 2);
    Q_ASSERT(to == command.data() + size);
    // An answer to the last message read leaves at once (QtRedisAdapter::sendAhead()).
    const size_t sent = adapter ? adapter->sendAhead(command.constData(), size) : 0;
    const int status = redisAsyncFormattedCommand(context, &RedisClientPrivate::onReply, nullptr, command.constData(), size);
    if (sent > 0)
        adapter->takeBackSent(sent);
    written(status, {}, PublishCommand);
}

void RedisClientPrivate::written(int status, RedisClient::ReplyCallback &&callback, const QByteArray &command,
                                 const QByteArrayList &arguments, int redirects)
{
    if (status != REDIS_OK) {
        const LocalAnswer local;
        if (callback)
            callback(RedisReply::error(QByteArrayLiteral("ERR cannot send the command")));
        return;
    }
    if (callback)
        ++awaited;
    pending.push_back(Pending{std::move(callback), clock.elapsed(), command, arguments, redirects});
    if (commandTimeout.count() > 0 && !commandTimer.isActive())
        commandTimer.start(commandTimeout);
    // Replies nobody waits for are read by a timer (see
    // QtRedisAdapter::setLazyReads()): a publisher is not woken up for the
    // count of receivers of every PUBLISH. A callback, or a slot on
    // drained(), waits for its reply: then the socket is watched again.
    if (drainedWatched) // once connected; a receiver may have gone since
        drainedWatched = q_ptr->isSignalConnected(QMetaMethod::fromSignal(&RedisClient::drained));
    if (adapter)
        adapter->setLazyReads(awaited == 0 && handshakeComplete && !drainedWatched);
}

void RedisClientPrivate::writeSubscription(const char *command, const QByteArrayList &names)
{
    if (shardedSubscriber && (qstrcmp(command, "SUBSCRIBE") == 0 || qstrcmp(command, "UNSUBSCRIBE") == 0)) {
        // One command per channel: one SSUBSCRIBE may name channels of one slot only.
        for (const QByteArray &name : names)
            writeShardedSubscription(command[0] == 'S', name);
        if (adapter)
            adapter->setLazyReads(false);
        return;
    }
    QVarLengthArray<const char *, 16> argv;
    QVarLengthArray<size_t, 16> lengths;
    argv.append(command);
    lengths.append(qstrlen(command));
    for (const QByteArray &name : names) {
        argv.append(name.constData());
        lengths.append(size_t(name.size()));
    }
    // hiredis keeps this callback per channel and calls it for every message.
    redisAsyncCommandArgv(context, &RedisClientPrivate::onSubscriptionReply, nullptr, int(argv.size()),
                          argv.data(), lengths.data());
    if (adapter)
        adapter->setLazyReads(false); // messages must wake us as they come
}

void RedisClientPrivate::writeShardedSubscription(bool subscribe, const QByteArray &channel)
{
    // hiredis 0.14 knows no SSUBSCRIBE: it hands a subscribed connection's
    // pushes to the callback it keeps per channel for a SUBSCRIBE, and to
    // nothing else. So it is given a SUBSCRIBE, which keeps the callback
    // (onSubscriptionReply(), which reads `smessage`, `ssubscribe` and
    // `sunsubscribe`), that SUBSCRIBE is taken back out of the output
    // buffer before anything is written (writes wait for the event loop,
    // QtRedisAdapter::addWrite()), and the SSUBSCRIBE goes out instead as a
    // command hiredis does not know. Its confirmation comes to the channel's
    // callback; a refusal (MOVED, NOPERM) makes hiredis 0.14 drop the
    // connection, and contextLost() reads it from there.
    const size_t channelSize = size_t(channel.size());
    if (subscribe) {
        const size_t before = sdslen(context->c.obuf);
        const char *argv[] = {"SUBSCRIBE", channel.constData()};
        const size_t lengths[] = {9, channelSize};
        if (redisAsyncCommandArgv(context, &RedisClientPrivate::onSubscriptionReply, nullptr, 2, argv, lengths) != REDIS_OK)
            return;
        sdssetlen(context->c.obuf, before);
        context->c.obuf[before] = '\0';
    }
    const char *argv[] = {subscribe ? "SSUBSCRIBE" : "SUNSUBSCRIBE", channel.constData()};
    const size_t lengths[] = {subscribe ? size_t(10) : size_t(12), channelSize};
    redisAsyncCommandArgv(context, &RedisClientPrivate::onShardedSubscriptionRefused, nullptr, 2, argv, lengths);
}

void RedisClientPrivate::onShardedSubscriptionRefused(redisAsyncContext *ctx, void *r, void *)
{
    // hiredis 0.14 hands a subscribed connection's errors to no callback:
    // it drops the connection with Redis' error as the reason (see
    // contextLost()). Kept for a hiredis that does.
    RedisClientPrivate *d = clientOf(ctx);
    const auto *reply = static_cast<const redisReply *>(r);
    if (!d || !reply || reply->type != REDIS_REPLY_ERROR)
        return; // the connection went away: its channels are subscribed again on the next
    d->shardRefused(QByteArray(reply->str, qsizetype(reply->len)));
}

void RedisClientPrivate::shardRefused(const QByteArray &text)
{
    if (!text.startsWith("MOVED ") && !text.startsWith("ASK ")) {
        commandRefused(QByteArrayLiteral("SSUBSCRIBE"), text);
        return;
    }
    if (shardLostHook)
        shardLostHook(QByteArray()); // this node does not serve that slot: the slot map is stale
}

ShardedPubSub *RedisClientPrivate::shardsFor(QByteArrayView channel)
{
    if (!shardedChannels || !hasHashTag(channel))
        return nullptr;
    if (!shards) {
        shards = std::make_unique<ShardedPubSub>(q_ptr);
        if (wantOpen)
            shards->open();
    }
    return shards.get();
}

void RedisClientPrivate::updateSharding()
{
    shardedChannels = url && url->isCluster() && url->shardedPubSub && !pinnedNode;
    if (!shards || shardedChannels)
        return;
    // No longer a sharded Redis Cluster: its channels become plain ones.
    const QList<QByteArray> sharded = shards->channels();
    shards->close();
    shards.reset();
    for (const QByteArray &channel : sharded)
        changeSubscription(channels, true, channel, "SUBSCRIBE");
}

void RedisClientPrivate::send(const QByteArrayList &arguments, RedisClient::ReplyCallback &&callback)
{
    if (context && handshakeComplete && !moving)
        write(arguments, std::move(callback));
    else
        enqueue(arguments, std::move(callback));
}

void RedisClientPrivate::enqueue(const QByteArrayList &arguments, RedisClient::ReplyCallback &&callback)
{
    Q_Q(RedisClient);
    if (int(queue.size()) >= maxQueued) {
        ++dropped;
        quint64 suppressed = 0;
        if (dropWarnings.allow(&suppressed)) {
            const QString text = QStringLiteral("Redis at %1 is unreachable and %2 commands are queued: dropping new ones (%3 dropped so far)")
                                     .arg(endpoint()).arg(maxQueued).arg(dropped);
            qCWarning(lcRedis).noquote() << text;
            Q_EMIT q->errorOccurred(RedisClient::Error::QueueOverflow, text);
        }
        const LocalAnswer local;
        if (callback)
            callback(RedisReply::error(QByteArrayLiteral("ERR dropped: Redis unreachable and the queue is full")));
        return;
    }
    queue.push_back(Queued{arguments, std::move(callback)});
}

void RedisClientPrivate::flushQueue()
{
    std::deque<Queued> waiting;
    waiting.swap(queue);
    for (Queued &entry : waiting) {
        if (entry.asking)
            write({QByteArrayLiteral("ASKING")}, {});
        write(entry.arguments, std::move(entry.callback), entry.redirects);
    }
}

void RedisClientPrivate::failQueue(const QByteArray &reason)
{
    requeueRedirected();
    std::deque<Queued> waiting;
    waiting.swap(queue);
    const LocalAnswer local;
    const RedisReply reply = RedisReply::error(reason);
    for (Queued &entry : waiting) {
        if (entry.callback)
            entry.callback(reply);
    }
}

void RedisClientPrivate::checkCommandTimeout()
{
    if (pending.empty() || !context)
        return;
    const qint64 age = clock.elapsed() - pending.front().sentAt;
    if (age < commandTimeout.count()) {
        commandTimer.start(int(commandTimeout.count() - age));
        return;
    }
    reportError(RedisClient::Error::CommandTimeout,
                QStringLiteral("Redis at %1 did not answer within %2 ms: reconnecting").arg(endpoint()).arg(commandTimeout.count()));
    dropContext(QByteArrayLiteral("ERR command timed out"));
    if (state == RedisClient::State::Connected)
        setState(RedisClient::State::Reconnecting);
    scheduleReconnect();
}

void RedisClientPrivate::onReply(redisAsyncContext *ctx, void *reply, void *)
{
    RedisClientPrivate *d = clientOf(ctx);
    if (!d || d->pending.empty())
        return;
    Pending entry = std::move(d->pending.front());
    d->pending.pop_front();
    if (entry.callback)
        --d->awaited;
    const auto *answer = static_cast<const redisReply *>(reply);
    if (answer && answer->type == REDIS_REPLY_ERROR && !entry.arguments.isEmpty()
        && d->followRedirect(entry, QByteArrayView(answer->str, qsizetype(answer->len)))) {
        d->moveWhenAnswered();
        return;
    }
    if (entry.callback) {
        QPointer<RedisClient> guard(d->q_ptr);
        if (answer) {
            entry.callback(convert(answer));
        } else { // hiredis frees the context with this command unanswered
            const LocalAnswer local;
            entry.callback(RedisReply::error(ConnectionLost));
        }
        if (!guard)
            return; // the callback deleted the client
    } else if (answer && answer->type == REDIS_REPLY_ERROR) {
        // Nobody else sees this answer: a refused publish must not pass for a sent one.
        QPointer<RedisClient> guard(d->q_ptr);
        d->commandRefused(entry.command, QByteArray(answer->str, qsizetype(answer->len)));
        if (!guard)
            return; // a slot of errorOccurred deleted the client
    }
    if (d->moving) {
        d->moveWhenAnswered();
        return;
    }
    if (d->pending.empty() && d->queue.empty() && (!d->shards || d->shards->pendingCommands() == 0))
        Q_EMIT d->q_ptr->drained();
}

void RedisClientPrivate::onSubscriptionReply(redisAsyncContext *ctx, void *r, void *)
{
    RedisClientPrivate *d = clientOf(ctx);
    const auto *reply = static_cast<const redisReply *>(r);
    if (!d || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
        return;
    const redisReply *kind = reply->element[0];
    if (kind->type != REDIS_REPLY_STRING)
        return;
    auto bytes = [](const redisReply *element) { return QByteArray(element->str, int(element->len)); };
    // In place of a payload larger than the message limit, the scanner put
    // its size (see ReplyScanner): Redis itself never sends an integer there.
    const redisReply *last = reply->element[reply->elements - 1];
    const bool isMessage = reply->elements == 3
        && (qstrncmp(kind->str, "message", 8) == 0 || qstrncmp(kind->str, "smessage", 9) == 0);
    const bool isPatternMessage = reply->elements == 4 && qstrncmp(kind->str, "pmessage", 9) == 0;
    if ((isMessage || isPatternMessage) && last->type == REDIS_REPLY_INTEGER) {
        d->messageDiscarded(bytes(reply->element[reply->elements - 2]), last->integer);
        return;
    }
    if (isMessage) {
        // Only when the adapter had no sink, or the message did not lie
        // whole in one read: the adapter hands the others over itself.
        const redisReply *channel = reply->element[1];
        const redisReply *payload = reply->element[2];
        d->deliverMessage(channel->str, qsizetype(channel->len), payload->str, qsizetype(payload->len));
    } else if (isPatternMessage) {
        Q_EMIT d->q_ptr->patternMessageReceived(bytes(reply->element[1]), bytes(reply->element[2]),
                                                bytes(reply->element[3]));
    }
    else if (qstrncmp(kind->str, "subscribe", 10) == 0 || qstrncmp(kind->str, "psubscribe", 11) == 0
             || qstrncmp(kind->str, "ssubscribe", 11) == 0) {
        d->shardRefusals = 0;
        Q_EMIT d->q_ptr->subscribed(bytes(reply->element[1]));
    }
    else if (qstrncmp(kind->str, "sunsubscribe", 13) == 0 && d->shardLostHook) {
        // Ours were taken out of the set before they were sent: one still in
        // it was dropped by the node (its slot moved).
        const QByteArray channel = bytes(reply->element[1]);
        if (d->channels.remove(channel))
            d->shardLostHook(channel);
    }
}

void RedisClientPrivate::onMessage(void *context, const ReplyScanner::Message &message)
{
    if (RedisClientPrivate *d = clientOf(static_cast<redisAsyncContext *>(context)))
        d->deliverMessage(message.channel, message.channelSize, message.payload, message.payloadSize);
}

void RedisClientPrivate::deliverMessage(const char *channel, qsizetype channelSize, const char *payload, qsizetype payloadSize)
{
    // Copies for the public signal only when somebody listens to it: the
    // process that owns this subscriber reads the message in place (the
    // hook), which saves two allocations and a signal per message.
    static const QMetaMethod signal = QMetaMethod::fromSignal(&RedisClient::messageReceived);
    RedisClient *q = q_ptr;
    if (!q->isSignalConnected(signal)) {
        if (messageHook)
            messageHook(QByteArray::fromRawData(channel, channelSize), QByteArray::fromRawData(payload, payloadSize));
        return; // the hook may have deleted the client
    }
    const QByteArray channelBytes(channel, channelSize);
    const QByteArray payloadBytes(payload, payloadSize);
    if (messageHook) {
        QPointer<RedisClient> guard(q);
        messageHook(channelBytes, payloadBytes);
        if (!guard)
            return;
    }
    Q_EMIT q->messageReceived(channelBytes, payloadBytes);
}

void RedisClientPrivate::replyRefused(const QString &reason)
{
    Q_Q(RedisClient);
    const QString text = QStringLiteral("protocol error from Redis at %1: %2").arg(endpoint(), reason);
    QPointer<RedisClient> guard(q);
    // The commands waiting for an answer learn why they get none.
    dropContext(QByteArrayLiteral("ERR ") + text.toUtf8());
    if (!guard)
        return;
    reportError(RedisClient::Error::ProtocolError, text);
    if (guard)
        scheduleReconnect();
}

void RedisClientPrivate::commandRefused(const QByteArray &command, const QByteArray &text)
{
    ++refused;
    if (command == PublishCommand)
        ++refusedPublishes;
    // Once per kind and connection: a publisher whose every message is
    // refused would otherwise say so for each one.
    const QByteArray kind = command + ' ' + text;
    if (reportedRefusals.contains(kind) || reportedRefusals.size() >= MaxReportedRefusals) {
        clustrDebug(lcRedis).noquote() << "Redis refused" << command << "again:" << text;
        return;
    }
    reportedRefusals.insert(kind);
    const RedisClient::Error code = text.startsWith("NOPERM") ? RedisClient::Error::PermissionDenied
                                                               : RedisClient::Error::CommandRefused;
    reportError(code, QStringLiteral("Redis at %1 refused %2: %3").arg(endpoint(), QString::fromUtf8(command), QString::fromUtf8(text)));
}

void RedisClientPrivate::messageDiscarded(const QByteArray &channel, qint64 size)
{
    Q_Q(RedisClient);
    ++discarded;
    clustrDebug(lcRedis).noquote() << "skipped a message of" << size << "bytes on" << channel;
    Q_EMIT q->messageDiscarded(channel, qsizetype(size));
}

void RedisClientPrivate::setReplyLimit(qint64 ReplyScanner::Limits::*limit, qint64 value)
{
    replyLimits.*limit = value;
    if (adapter) // the connection under way too
        adapter->setReplyLimits(replyLimits);
}

// RedisClient

RedisClient::RedisClient(QObject *parent)
    : QObject(parent)
    , d_ptr(new RedisClientPrivate(this))
{
    Q_D(RedisClient);
    connect(&d->connectTimer, &QTimer::timeout, this, [d] {
        // A TLS tunnel still connecting says at which step (a plain server never answers a TLS handshake).
        const QString step = d->tunnel ? d->tunnel->waitingFor() : QString();
        d->reportError(Error::ConnectionFailed,
                       QStringLiteral("cannot connect to Redis at %1: timed out after %2 ms%3")
                           .arg(d->endpoint()).arg(d->connectTimeout.count()).arg(step.isEmpty() ? QString() : QLatin1Char(' ') + step));
        d->dropContext(QByteArrayLiteral("ERR connect timed out"));
        d->scheduleReconnect();
    });
    connect(&d->reconnectTimer, &QTimer::timeout, this, [d] { d->startConnecting(); });
    connect(&d->commandTimer, &QTimer::timeout, this, [d] { d->checkCommandTimeout(); });
}

QString RedisClient::defaultUrl()
{
    return QString::fromLatin1(RedisUrl::DefaultUrl);
}

bool RedisClient::isValidUrl(const QString &url, QString *error)
{
    return RedisUrl::parse(url, error).has_value();
}

QString RedisClient::displayUrl(const QString &url)
{
    const auto parsed = RedisUrl::parse(url);
    return parsed ? parsed->toString() : url;
}

bool RedisClient::isClusterUrl(const QString &url)
{
    const auto parsed = RedisUrl::parse(url);
    return parsed && parsed->isCluster();
}

bool RedisClient::usesShardedChannels(const QString &url)
{
    const auto parsed = RedisUrl::parse(url);
    return parsed && parsed->isCluster() && parsed->shardedPubSub;
}

RedisClient::~RedisClient()
{
    Q_D(RedisClient);
    d->wantOpen = false;
    d->dropContext(QByteArrayLiteral("ERR client destroyed"));
    d->failQueue(QByteArrayLiteral("ERR client destroyed"));
}

QString RedisClient::url() const
{
    return d_func()->urlText;
}

void RedisClient::setUrl(const QString &url)
{
    Q_D(RedisClient);
    if (d->urlText == url)
        return;
    d->urlText = url;
    d->url = RedisUrl::parse(url);
    d->untriedAddresses.clear();
    d->master.reset();
    d->clusterNode.reset();
    d->updateSharding();
    Q_EMIT urlChanged(url);
}

QString RedisClient::clientName() const
{
    return d_func()->clientName;
}

void RedisClient::setClientName(const QString &name)
{
    d_func()->clientName = name;
}

int RedisClient::maxQueuedCommands() const
{
    return d_func()->maxQueued;
}

void RedisClient::setMaxQueuedCommands(int count)
{
    d_func()->maxQueued = std::max(0, count);
}

std::chrono::milliseconds RedisClient::connectTimeout() const
{
    return d_func()->connectTimeout;
}

void RedisClient::setConnectTimeout(std::chrono::milliseconds timeout)
{
    d_func()->connectTimeout = std::max(timeout, std::chrono::milliseconds(1));
}

std::chrono::milliseconds RedisClient::commandTimeout() const
{
    return d_func()->commandTimeout;
}

void RedisClient::setCommandTimeout(std::chrono::milliseconds timeout)
{
    d_func()->commandTimeout = std::max(timeout, std::chrono::milliseconds(0));
}

void RedisClient::setReconnectDelays(std::chrono::milliseconds first, std::chrono::milliseconds max)
{
    Q_D(RedisClient);
    d->firstDelay = std::max(first, std::chrono::milliseconds(1));
    d->maxDelay = std::max(max, d->firstDelay);
}

void RedisClient::setAutoReconnect(bool enabled)
{
    d_func()->autoReconnect = enabled;
}

qsizetype RedisClient::maxReplySize() const
{
    return qsizetype(d_func()->replyLimits.replySize);
}

void RedisClient::setMaxReplySize(qsizetype bytes)
{
    d_func()->setReplyLimit(&ReplyScanner::Limits::replySize, std::max<qint64>(bytes, 1));
}

qsizetype RedisClient::maxReplyElements() const
{
    return qsizetype(d_func()->replyLimits.replyElements);
}

void RedisClient::setMaxReplyElements(qsizetype count)
{
    d_func()->setReplyLimit(&ReplyScanner::Limits::replyElements, std::max<qint64>(count, 1));
}

qsizetype RedisClient::maxMessageSize() const
{
    return qsizetype(d_func()->replyLimits.messageSize);
}

void RedisClient::setMaxMessageSize(qsizetype bytes)
{
    d_func()->setReplyLimit(&ReplyScanner::Limits::messageSize, std::max<qint64>(bytes, 0));
}

RedisClient::State RedisClient::state() const
{
    return d_func()->state;
}

RedisClient::Error RedisClient::error() const
{
    return d_func()->error;
}

QString RedisClient::errorString() const
{
    return d_func()->errorString;
}

quint64 RedisClient::droppedCommands() const
{
    return d_func()->dropped;
}

quint64 RedisClient::refusedCommands() const
{
    return d_func()->refused;
}

quint64 RedisClient::discardedMessages() const
{
    return d_func()->discarded;
}

int RedisClient::pendingCommands() const
{
    Q_D(const RedisClient);
    // Before the handshake completes, everything in flight is the handshake's own.
    return int((d->handshakeComplete ? d->pending.size() : 0) + d->queue.size() + d->redirected.size())
        + (d->shards ? d->shards->pendingCommands() : 0);
}

bool RedisClient::open()
{
    Q_D(RedisClient);
    if (d->wantOpen)
        return true;
    QString parseError;
    d->url = RedisUrl::parse(d->urlText, &parseError);
    if (!d->url) {
        d->reportError(Error::InvalidUrl, parseError);
        return false;
    }
    d->updateSharding();
    d->wantOpen = true;
    if (d->shards)
        d->shards->open();
    d->attempt = 0;
    d->setState(State::Connecting);
    d->startConnecting();
    return true;
}

// A flag rather than asking QObject for every command: that question
// (isSignalConnected) cost a PUBLISH about 220 instructions. Only asked
// once something has connected: deleting a receiver tells no one here.
void RedisClient::connectNotify(const QMetaMethod &signal)
{
    Q_D(RedisClient);
    if (signal != QMetaMethod::fromSignal(&RedisClient::drained))
        return;
    d->drainedWatched = true;
    if (d->adapter)
        d->adapter->setLazyReads(false);
}

void RedisClient::close()
{
    Q_D(RedisClient);
    d->wantOpen = false;
    d->reconnectTimer.stop();
    d->untriedAddresses.clear();
    if (d->sentinels) {
        d->sentinels->abort();
        d->resolving = false;
    }
    if (d->switchWatch)
        d->switchWatch->stop();
    d->dropContext(QByteArrayLiteral("ERR connection closed"));
    d->failQueue(QByteArrayLiteral("ERR connection closed"));
    if (d->shards)
        d->shards->close();
    d->setState(State::Disconnected);
}

void RedisClient::command(const QByteArrayList &arguments, ReplyCallback callback)
{
    Q_D(RedisClient);
    if (arguments.isEmpty() || isSubscriptionCommand(arguments.constFirst())) {
        const LocalAnswer local;
        if (callback)
            callback(RedisReply::error(QByteArrayLiteral("ERR use subscribe()/psubscribe() for subscriptions")));
        return;
    }
    if (d->shardedChannels && arguments.size() == 3 && arguments.constFirst().compare("PUBLISH", Qt::CaseInsensitive) == 0) {
        if (ShardedPubSub *shards = d->shardsFor(arguments.at(1))) {
            shards->publish(arguments.at(1), arguments.at(2), std::move(callback));
            return;
        }
    }
    d->send(arguments, std::move(callback));
}

void RedisClient::publish(const QByteArray &channel, const QByteArray &message)
{
    Q_D(RedisClient);
    if (Q_UNLIKELY(d->shardedChannels)) {
        if (ShardedPubSub *shards = d->shardsFor(channel)) {
            shards->publish(channel, message, {});
            return;
        }
    }
    if (d->context && d->handshakeComplete && !d->moving) {
        // The common case straight to hiredis: no argument list to allocate.
        d->writePublish(channel, message);
        return;
    }
    d->enqueue({QByteArrayLiteral("PUBLISH"), channel, message}, {});
}

void RedisClientPrivate::changeSubscription(QSet<QByteArray> &names, bool add, const QByteArray &name,
                                            const char *command)
{
    if (add ? names.contains(name) : !names.remove(name))
        return; // nothing changes
    if (add)
        names.insert(name);
    if (context && handshakeComplete)
        writeSubscription(command, {name});
}

void RedisClient::subscribe(const QByteArray &channel)
{
    Q_D(RedisClient);
    if (ShardedPubSub *shards = d->shardsFor(channel))
        shards->subscribe(channel);
    else
        d->changeSubscription(d->channels, true, channel, "SUBSCRIBE");
}

void RedisClient::unsubscribe(const QByteArray &channel)
{
    Q_D(RedisClient);
    if (ShardedPubSub *shards = d->shardsFor(channel))
        shards->unsubscribe(channel);
    else
        d->changeSubscription(d->channels, false, channel, "UNSUBSCRIBE");
}

void RedisClient::psubscribe(const QByteArray &pattern)
{
    Q_D(RedisClient);
    d->changeSubscription(d->patterns, true, pattern, "PSUBSCRIBE");
}

void RedisClient::punsubscribe(const QByteArray &pattern)
{
    Q_D(RedisClient);
    d->changeSubscription(d->patterns, false, pattern, "PUNSUBSCRIBE");
}

QByteArrayList RedisClient::channels() const
{
    Q_D(const RedisClient);
    QByteArrayList list(d->channels.cbegin(), d->channels.cend());
    if (d->shards)
        list += d->shards->channels();
    std::sort(list.begin(), list.end());
    return list;
}

QByteArrayList RedisClient::patterns() const
{
    Q_D(const RedisClient);
    QByteArrayList list(d->patterns.cbegin(), d->patterns.cend());
    std::sort(list.begin(), list.end());
    return list;
}

} // namespace Clustr
