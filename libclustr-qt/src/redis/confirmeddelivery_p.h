// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/redisreply.h>

#include <QtCore/QByteArray>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <chrono>
#include <functional>

namespace Clustr {

class RedisClient;

/*!
  Publishes the messages an outage must not lose: kills, control commands,
  registrations, deregistrations (docs/PROTOCOL.md section 7, "What must not
  be lost").

  Redis answers PUBLISH with the number of subscribers it handed the
  message to, and each of these channels has its receiver among them: a
  process listens on its own kill channel, a master on its registration
  and control channels. So an answer of 0 means the receiver was not
  connected (reconnecting after an outage or a failover), and the message
  is published again after a delay (50 ms, doubling up to 1 s) until some
  subscriber received it or the window (30 s by default) is over. A
  connection lost before the answer came means the message may or may not
  have gone out: it is published again too, so a receiver may see it twice
  (registrations, deregistrations and kills are idempotent; control
  commands carry an id the master remembers).

  On a Redis Cluster the answer counts the subscribers of the node
  published to only, so 0 proves nothing there: a message is then published
  again only when its answer was lost.
*/
class CLUSTR_AUTOTEST_EXPORT ConfirmedDelivery : public QObject
{
    Q_OBJECT
public:
    enum class Outcome {
        Delivered, //!< a subscriber received it (on a Redis Cluster: the node took it)
        Refused,   //!< Redis answered with an error (an ACL's NOPERM...): not retried
        GivenUp,   //!< nobody received it within the window, or the client was closed
    };
    using Done = std::function<void(Outcome, const RedisReply &)>;

    explicit ConfirmedDelivery(RedisClient *client, QObject *parent = nullptr);

    //! How long a message is published again while nobody receives it.
    std::chrono::milliseconds window() const { return m_window; }
    void setWindow(std::chrono::milliseconds window) { m_window = window; }
    //! The first delay between two attempts, doubled each time up to maxDelay().
    void setDelays(std::chrono::milliseconds first, std::chrono::milliseconds max);

    /*!
      Publishes \a message on \a channel until delivered (see above); \a done
      gets the outcome and Redis' last answer (the local error when given up).
      Returns an id for cancel(). \a minimumReceivers: how many subscribers
      make it delivered (2 for a kill of our own child: we listen on its
      kill channel too).
    */
    quint64 publish(const QByteArray &channel, const QByteArray &message, Done done = {}, int minimumReceivers = 1);
    //! Stops publishing the message \a id publish() returned, if it is outstanding; its Done is not called.
    void cancel(quint64 id);

    //! Messages not yet delivered, refused or given up.
    int outstanding() const { return int(m_pending.size()); }
    //! Attempts beyond the first one, since construction.
    quint64 retries() const { return m_retries; }

Q_SIGNALS:
    //! Nothing is outstanding any more (after the last one settled).
    void settled();

private:
    struct Pending
    {
        QByteArray channel;
        QByteArray message;
        QDeadlineTimer deadline;
        std::chrono::milliseconds delay;
        Done done;
        int minimumReceivers = 1;
    };

    void attempt(quint64 id);
    void answered(quint64 id, const RedisReply &reply);
    void finish(quint64 id, Outcome outcome, const RedisReply &reply);

    QPointer<RedisClient> m_client;
    QHash<quint64, Pending> m_pending;
    quint64 m_nextId = 0;
    quint64 m_retries = 0;
    std::chrono::milliseconds m_window{30000};
    std::chrono::milliseconds m_firstDelay{50};
    std::chrono::milliseconds m_maxDelay{1000};
};

} // namespace Clustr
