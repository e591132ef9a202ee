// SPDX-License-Identifier: MIT
#pragma once

#include "redisurl_p.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include <deque>
#include <optional>
#include <vector>

namespace Clustr {

/*!
  Sharded pub/sub for one RedisClient on a Redis Cluster (a redis-cluster://
  URL without `?pubsub=plain`): every channel with a hash tag is published
  with `SPUBLISH` and subscribed with `SSUBSCRIBE`, on the master that owns
  its slot, so a message stays in its shard instead of crossing the
  cluster bus to every node.

  Where each slot is comes from `CLUSTER SLOTS`, asked through a node's
  publishing connection that is up, else through a connection of its own
  that lives only for the question. It is asked again when a node answers
  `MOVED`, says it dropped a subscription (`sunsubscribe`: the slot
  moved), or cannot be reached (a failover: again and again, 100 ms
  doubling to 1 s, until the map names another master), and every
  subscription then moves to the slot's new master.

  One connection per node, made when first needed: a publisher for the
  nodes this client publishes to, a subscriber for the nodes of the
  channels it listens on (a process' inbox is one slot: one node). Each is
  a RedisClient held to its node (RedisClientPrivate::pinnedNode) that
  hands a MOVED back instead of following it.
*/
class ShardedPubSub : public QObject
{
public:
    //! For \a owner: its URL, name and limits; its messages, subscriptions and drained() are its own.
    explicit ShardedPubSub(RedisClient *owner);
    ~ShardedPubSub() override;

    //! `SPUBLISH`; \a callback (may be empty) gets Redis' answer: the count of subscribers, or the error.
    void publish(const QByteArray &channel, const QByteArray &payload, RedisClient::ReplyCallback callback);
    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);
    QList<QByteArray> channels() const { return QList<QByteArray>(m_wanted.cbegin(), m_wanted.cend()); }

    //! The owner opened: the slot map is asked for as soon as something needs it.
    void open();
    //! The owner closed: every connection closes, publishes waiting for the map fail.
    void close();
    //! Publishes not answered yet (waiting for the map, or written to a node).
    int pendingCommands() const;
    //! The owner (re)connected: the channels subscribed on healthy nodes are confirmed again.
    void reconfirm();

private:
    struct Node
    {
        RedisUrl::Address address;
        QPointer<RedisClient> publisher;
        QPointer<RedisClient> subscriber;
    };
    struct Waiting
    {
        QByteArray channel;
        QByteArray payload;
        RedisClient::ReplyCallback callback;
        int redirects = 0;
    };

    //! A client with the owner's URL, name (+ \a nameSuffix), timeouts and limits; held to \a pinnedNode if given.
    RedisClient *newClient(const QString &nameSuffix, const std::optional<RedisUrl::Address> &pinnedNode);
    RedisClient *nodeClient(int node, bool subscriber);
    int nodeIndex(const RedisUrl::Address &address);
    void send(Waiting &&message);
    //! Asks for the slot map (at most one question at a time, again after \a delayMs when asked to).
    void refreshMap(int delayMs = 0);
    void mapAnswered(const RedisReply &reply);
    //! Every wanted channel subscribed at its slot's node, and nowhere else.
    void placeSubscriptions();
    void flushWaiting();
    void failWaiting(const QByteArray &reason);
    //! \a client's node cannot be reached (lost, refused, not answering): where are its slots now?
    void nodeLost(RedisClient *client);
    void checkDrained();

    RedisClient *m_owner;
    bool m_open = false;
    std::vector<Node> m_nodes;
    //! Slot -> index in m_nodes of its master, -1 until the map says.
    std::vector<int> m_slots;
    bool m_mapLoaded = false;
    //! The connection made for a question about the map, when no node's was up.
    QPointer<RedisClient> m_mapClient;
    bool m_asking = false;
    //! Node connections lost or refused since they last connected.
    QSet<RedisClient *> m_unreachable;
    bool m_refreshAgain = false;
    QTimer m_refreshTimer;
    int m_refreshAttempt = 0;
    QSet<QByteArray> m_wanted;
    //! Channel -> node it is subscribed at.
    QHash<QByteArray, int> m_placed;
    //! Channels confirmed by their node (its `ssubscribe`) since it last connected.
    QSet<QByteArray> m_confirmed;
    std::deque<Waiting> m_waiting;
    int m_inFlight = 0;
};

} // namespace Clustr
