// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>
#include <ClustrQt/redisreply.h>

#include <QtCore/QByteArrayList>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <chrono>
#include <functional>
#include <memory>

namespace Clustr {

class RedisClientPrivate;

/*!
  One asynchronous connection to Redis, driven by the Qt event loop.

  The client never blocks: open() starts connecting and returns at once;
  commands are pipelined and written when the socket is writable. A lost
  connection is re-established with capped exponential backoff; on every
  (re)connect the client authenticates, selects its database, sets its
  client name and restores its subscriptions. Commands issued while
  disconnected are queued up to maxQueuedCommands(), then dropped
  (counted in droppedCommands(), with a warning).

  A client that has subscribed is in Redis' pub/sub mode and may only
  (un)subscribe: use one client to publish and another to subscribe.

  What Redis sends is checked before it is parsed: a reply larger than
  maxReplySize() or with more than maxReplyElements() elements is a
  ProtocolError that drops the connection, before anything is allocated for
  it; a message larger than maxMessageSize() is skipped as it is read
  (messageDiscarded()). Commands sent without a callback, publish() among
  them, that Redis answers with an error (e.g. NOPERM from an ACL) are
  counted in refusedCommands() and reported through errorOccurred() once
  per kind (command and error text) for each connection, not once each.
  While only such commands are outstanding and nothing is connected to
  drained(), their replies are read by a timer every few milliseconds, not
  as they arrive: a process that publishes as it answers messages is not
  woken up a second time for each PUBLISH's reply. A command with a
  callback, or a slot on drained(), has its reply read as it arrives.

  URLs: `redis://[[user]:password@]host[:port][/db]`,
  `rediss://[[user]:password@]host[:port][/db][?cacert=FILE][&cert=FILE&key=FILE][&sni=NAME]`
  (TLS: the server's certificate verified against `cacert`, else the
  system's CAs, and against `sni`, else the host; a client certificate from
  `cert` and `key`), `unix:///path/to.sock[?password=…&user=…&db=…]`,
  `redis-cluster://[[user]:password@]host[:port][,host[:port]…]` (seed
  nodes of a Redis Cluster: MOVED and ASK redirects are followed, docs/PROTOCOL.md) and
  `redis-sentinel://[[user]:password@]host[:port][,host[:port]…]/MASTER[/db][?sentinelUser=…&sentinelPassword=…]`
  (a Sentinel set, port 26379 by default: before every connect the sentinels
  are asked in turn where the master named MASTER is, the server found must
  say `ROLE` master, else the sentinels are asked again after a backoff; so
  a reconnect after a failover reaches the promoted master. The user info is
  for the data nodes, `sentinelUser`/`sentinelPassword` for the sentinels).
  TLS is done by a plugin, `clustr-qt/libclustr-qt-tls.so` beside the
  library, loaded by the first `rediss://` connection; a failed handshake is
  a ConnectionFailed error with OpenSSL's reason, retried like any other.
*/
class CLUSTR_EXPORT RedisClient : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString clientName READ clientName WRITE setClientName)

public:
    enum class State { Disconnected, Connecting, Connected, Reconnecting };
    Q_ENUM(State)

    enum class Error {
        NoError,
        InvalidUrl,            //!< the URL could not be parsed
        ConnectionFailed,      //!< refused, unreachable, no such socket, timed out
        ConnectionLost,        //!< an established connection went away
        AuthenticationFailed,  //!< AUTH or SELECT was refused
        CommandTimeout,        //!< Redis did not answer a command in time
        QueueOverflow,         //!< commands dropped while disconnected
        ProtocolError,         //!< Redis sent something malformed, or larger than the limits
        PermissionDenied,      //!< Redis' ACL refused a command sent without a callback (NOPERM)
        CommandRefused,        //!< Redis answered a command sent without a callback with another error
    };
    Q_ENUM(Error)

    using ReplyCallback = std::function<void(const RedisReply &)>;

    explicit RedisClient(QObject *parent = nullptr);
    ~RedisClient() override;

    //! The URL a client uses when none is set: redis://127.0.0.1:6379.
    static QString defaultUrl();
    /*!
      Whether \a url is a Redis URL this client accepts (`redis://`,
      `rediss://`, `unix://`, `redis-sentinel://`, `redis-cluster://`); if not, \a error says why in one line.
    */
    static bool isValidUrl(const QString &url, QString *error = nullptr);
    //! \a url as messages show it: the password replaced by `***`, a socket as `unix:///path`.
    static QString displayUrl(const QString &url);
    /*!
      Whether \a url names a Redis Cluster (redis-cluster://): the keys of
      the protocol are hash-tagged there (docs/PROTOCOL.md, "Redis Cluster").
    */
    static bool isClusterUrl(const QString &url);
    /*!
      Whether \a url names a Redis Cluster whose hash-tagged channels go
      through sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`): a redis-cluster://
      URL without `?pubsub=plain`. A process' inbox channels are hash-tagged
      there (docs/PROTOCOL.md, "Sharded channels").
    */
    static bool usesShardedChannels(const QString &url);

    QString url() const;
    void setUrl(const QString &url);

    QString clientName() const;
    //! Sent as `CLIENT SETNAME` on every connect; spaces are replaced by '_'.
    void setClientName(const QString &name);

    //! Commands kept while disconnected before new ones are dropped (default 10000).
    int maxQueuedCommands() const;
    void setMaxQueuedCommands(int count);

    std::chrono::milliseconds connectTimeout() const;
    void setConnectTimeout(std::chrono::milliseconds timeout); //!< default 2 s
    std::chrono::milliseconds commandTimeout() const;
    //! A command unanswered for this long drops the connection (default 10 s, 0 = never).
    void setCommandTimeout(std::chrono::milliseconds timeout);
    //! First and largest delay between reconnection attempts (default 100 ms .. 5 s).
    void setReconnectDelays(std::chrono::milliseconds first, std::chrono::milliseconds max);
    //! Whether a lost or refused connection is retried (default true).
    void setAutoReconnect(bool enabled);

    //! The largest reply accepted, in bytes (default 512 MiB, Redis' largest string).
    qsizetype maxReplySize() const;
    void setMaxReplySize(qsizetype bytes);
    //! The most elements a reply may have, nested arrays counted together (default 1048576).
    qsizetype maxReplyElements() const;
    void setMaxReplyElements(qsizetype count);
    /*!
      Messages whose payload is larger are skipped as they are read, never
      buffered, and reported by messageDiscarded(); the connection stays.
      Default: no limit of its own (maxReplySize() applies).
    */
    qsizetype maxMessageSize() const;
    void setMaxMessageSize(qsizetype bytes);

    State state() const;
    bool isConnected() const { return state() == State::Connected; }
    Error error() const;
    QString errorString() const;
    //! Commands dropped since construction because the queue was full.
    quint64 droppedCommands() const;
    //! Commands written or queued but not yet answered.
    int pendingCommands() const;
    //! Commands sent without a callback (publish() among them) that Redis answered with an error.
    quint64 refusedCommands() const;
    //! Messages skipped because they were larger than maxMessageSize().
    quint64 discardedMessages() const;

    //! Starts connecting to url(). Returns false (and reports InvalidUrl) if it cannot be parsed.
    bool open();
    //! Closes the connection; pending callbacks get an error reply. No reconnection follows.
    void close();

    //! Sends any command, e.g. {"SET", "key", "value"}; \a callback gets the reply.
    void command(const QByteArrayList &arguments, ReplyCallback callback = {});
    void publish(const QByteArray &channel, const QByteArray &message);

    //! Subscriptions are remembered and restored after a reconnect.
    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);
    void psubscribe(const QByteArray &pattern);
    void punsubscribe(const QByteArray &pattern);
    QByteArrayList channels() const;
    QByteArrayList patterns() const;

Q_SIGNALS:
    void urlChanged(const QString &url);
    void stateChanged(Clustr::RedisClient::State state);
    void connected();
    void disconnected();
    void errorOccurred(Clustr::RedisClient::Error error, const QString &text);
    //! A message on a channel subscribed with subscribe().
    void messageReceived(const QByteArray &channel, const QByteArray &payload);
    //! A message on a channel matched by a psubscribe() pattern.
    void patternMessageReceived(const QByteArray &pattern, const QByteArray &channel,
                                const QByteArray &payload);
    //! A message on \a channel with a payload of \a size bytes, more than maxMessageSize(), was skipped unread.
    void messageDiscarded(const QByteArray &channel, qsizetype size);
    //! Redis confirmed a subscribe() or psubscribe() (again after every reconnect).
    void subscribed(const QByteArray &channelOrPattern);
    //! Every queued and pending command has been written and answered.
    void drained();

protected:
    //! Whether drained() has a slot: its replies are then read as they come (see above).
    void connectNotify(const QMetaMethod &signal) override;

private:
    Q_DECLARE_PRIVATE(RedisClient)
    std::unique_ptr<RedisClientPrivate> const d_ptr;
};

} // namespace Clustr
