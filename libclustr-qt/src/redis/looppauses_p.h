// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>

#include <vector>

QT_BEGIN_NAMESPACE
class QAbstractEventDispatcher;
QT_END_NAMESPACE

namespace Clustr {

class QtRedisAdapter;

/*!
  Tells the Redis connections of one thread that its event loop pauses
  between two passes (the event dispatcher's aboutToBlock() and awake()),
  so that each writes what one pass queued in one write before the loop
  sleeps (QtRedisAdapter::addWrite()).

  One per thread, made on first use, a child of the thread's event
  dispatcher. Every adapter used to connect to both signals itself: the
  loop then called each of them twice per pass, whether it had anything to
  write or not: in a process that answers messages, about 7% of the
  instructions a message cost (docs/BENCHMARKS.md, latency). Now the dispatcher
  calls this object, and it calls the adapters only when one has a write
  waiting, in the order the adapters were made, as the signals did.
*/
class LoopPauses : public QObject
{
    Q_OBJECT
public:
    //! This thread's; nullptr in a thread without an event dispatcher.
    static LoopPauses *ofCurrentThread();

    void addAdapter(QtRedisAdapter *adapter);
    void removeAdapter(QtRedisAdapter *adapter);

    //! The dispatcher was seen to signal a pause: only then may a write wait for one.
    bool pausesSeen() const { return m_pausesSeen; }
    //! An adapter has a write waiting: the adapters are called at the next pause.
    void writeWaiting() { m_writesWaiting = true; }
    /*!
      Calls the adapters that have a write waiting now, as at a pause. An
      adapter that has passed on what one read brought calls it: what the
      receivers of those messages sent in answer goes out then, not after
      the event loop has unwound to its pause (the answers of one read
      still leave together).
    */
    void callWaitingNow();

    /*!
      The message being handed to its receiver is the last of what one read
      brought (QtRedisAdapter::passOn()): the first answer its receiver
      publishes may leave at once, from inside the receiver's slot
      (QtRedisAdapter::sendAhead()), rather than after the slot and the
      message have been unwound: nothing else of that read can join it.
    */
    void setLastOfRead(bool last) { m_lastOfRead = last; }
    /*!
      Whether an answer may leave at once; true once per last message, and
      only while no other write waits in this thread: the writes of one
      pass otherwise leave together, in the order the connections were
      made, as before.
    */
    bool takeWriteAhead()
    {
        const bool ahead = m_lastOfRead && !m_writesWaiting;
        m_lastOfRead = false;
        return ahead;
    }

private:
    explicit LoopPauses(QAbstractEventDispatcher *dispatcher);
    void paused();

    // In the order they were made; an adapter that goes while they are
    // being called leaves a null behind until the calls are over.
    std::vector<QtRedisAdapter *> m_adapters;
    int m_calling = 0;
    bool m_adaptersWent = false; // a null is left in m_adapters
    bool m_writesWaiting = false;
    bool m_pausesSeen = false;
    bool m_lastOfRead = false;
};

} // namespace Clustr
