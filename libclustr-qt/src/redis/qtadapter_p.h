// SPDX-License-Identifier: MIT
#pragma once

#include "replyscanner_p.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <chrono>

struct redisAsyncContext;

namespace Clustr {

class LoopPauses;
class QtRedisAdapter;

/*!
  A socket notifier that hands its activations to its adapter itself.
  QSocketNotifier announces each one with two signals (activated() with a
  QSocketDescriptor and, until Qt 7, with an int) through the meta-object
  system; for a socket that is readable once per message, that was about
  4% of the instructions a message cost (docs/BENCHMARKS.md, latency). Every
  other event goes to QSocketNotifier. Its adapter is its parent.
*/
class AdapterNotifier final : public QSocketNotifier
{
public:
    AdapterNotifier(qintptr socket, Type type, QtRedisAdapter *adapter);

protected:
    bool event(QEvent *event) override;
};

/*!
  Drives one hiredis async context from the Qt event loop: the hiredis
  adapter contract (addRead/delRead/addWrite/delWrite/cleanup) mapped onto
  two socket notifiers (AdapterNotifier) that are parented to this object
  and toggled, never recreated.

  Debian's hiredis 0.14 has no scheduleTimer hook; timeouts (connect and
  command) are kept by RedisClient with QTimers instead, which covers the
  same contract. With hiredis >= 1.0 the hook is left unset for the same
  reason: one timeout mechanism, whatever the version.

  hiredis frees its context itself on errors, from inside
  redisAsyncHandleRead/Write; cleanup() is its last word, after which this
  object no longer touches the context and deletes itself later.

  The adapter reads the socket itself rather than letting hiredis do it:
  every byte passes a ReplyScanner before hiredis' reader sees it, which
  refuses replies larger than the limits and skips oversized message
  payloads unbuffered (see ReplyScanner).

  On a subscribed connection, a `message` that lies whole in what was read
  goes straight to the message sink, as views into the read buffer:
  hiredis would make nine allocations for it (the reply, its elements,
  three strings and their bytes, the channel's name for its lookup), find
  the callback and free them all, which was more than half of what
  receiving a message cost. Everything
  else goes through hiredis as before, one reply at a time, so that its
  callbacks and the sink's calls keep the order Redis sent them in.
*/
class QtRedisAdapter : public QObject
{
    Q_OBJECT
public:
    //! Attaches to \a context (which must have no adapter yet). Returns nullptr on failure.
    static QtRedisAdapter *attach(redisAsyncContext *context);
    ~QtRedisAdapter() override;

    redisAsyncContext *context() const { return m_context; }
    bool isAttached() const { return m_context != nullptr; }
    void setReplyLimits(const ReplyScanner::Limits &limits) { m_scanner.setLimits(limits); }

    //! Receives a `message` read past hiredis, with the \a context given to setMessageSink().
    using MessageSink = void (*)(void *context, const ReplyScanner::Message &message);
    //! Where the messages read past hiredis go; without a sink, every message goes through hiredis.
    void setMessageSink(MessageSink sink, void *context)
    {
        m_messageSink = sink;
        m_sinkContext = context;
    }

    /*!
      Replies that nobody waits for (a PUBLISH's count of receivers) do not
      wake the process: the socket leaves the event loop's poll, and a timer
      (LazyReadInterval) reads what has come while replies are outstanding.
      A process that publishes as it answers messages woke up twice per
      message before, once for the message and once for its PUBLISH's
      reply: most of its latency over a plain client on some machines
      (docs/BENCHMARKS.md). When the timer finds nothing outstanding, the
      socket is watched again, so an idle connection still sees the server
      go away at once. RedisClient turns it on while no command with a
      callback is outstanding and nothing listens to drained(), and off
      otherwise. Never on a subscribed connection (messages must wake it).
    */
    void setLazyReads(bool lazy);
    bool readsLazily() const { return m_lazy; }
    static constexpr std::chrono::milliseconds LazyReadInterval{5};
    //! Up to this capacity the write buffer is written by writeDirectly();
    //! beyond, by hiredis, which frees it once written.
    static constexpr size_t DirectWriteBuffer = 64 * 1024;

    /*!
      A command about to be queued (\a command, \a size bytes, formatted)
      goes to the socket first if it answers the last message of a read and
      nothing else waits to be written (LoopPauses::takeWriteAhead()): it
      leaves while the receiver's slot still runs, before hiredis and the
      client record it, so that neither that bookkeeping nor the slot's
      return, the message's destruction and the way back to the adapter
      are on the answer's path (about 2% of a ping-pong's round trip,
      docs/BENCHMARKS.md, latency). Returns how many bytes the socket took
      (0: none, the command is written as any other); the caller queues
      the command as usual and then calls takeBackSent() with that count.
    */
    size_t sendAhead(const char *command, size_t size);
    //! Takes the \a sent bytes that sendAhead() wrote back out of the output buffer.
    void takeBackSent(size_t sent);

Q_SIGNALS:
    //! hiredis let go of the context (freed after an error or a close).
    void detached();
    /*!
      Redis sent something the scanner refuses (\a reason says what): the
      connection is unusable, its owner must drop it. Nothing of the reply
      reached hiredis.
    */
    void replyRefused(const QString &reason);

private:
    friend class AdapterNotifier;
    friend class LoopPauses;

    explicit QtRedisAdapter(redisAsyncContext *context);

    static void addRead(void *self);
    static void delRead(void *self);
    static void addWrite(void *self);
    static void delWrite(void *self);
    static void cleanup(void *self);

    //! Reads once and passes it on; true if it read bytes.
    bool handleReadable();
    /*!
      Passes on what is left of the buffer being read (m_next to m_end). A
      sink or a callback may run a nested event loop that reads again: that
      read first passes on the rest of this buffer, so nothing overtakes.
    */
    void passOn();
    void handleWritable();
    //! The socket is readable or writable (\a type), as its notifier says.
    void socketActivated(QSocketNotifier::Type type);
    //! Writes what waited for the event loop to pause (LoopPauses).
    void loopPaused();
    void lazyTimerShot();
    //! Enables the read notifier when hiredis wants reads and they are not lazy.
    void updateReadNotifier();
    bool repliesOutstanding() const;
    //! redisAsyncHandleWrite() under a SigPipeGuard, told when the write succeeded.
    void writeGuarded();
    bool writeDirectly();
    //! Takes the first \a count bytes, written, out of hiredis' output buffer.
    void dropWritten(size_t count);
    //! Tells hiredis' hooks what a write leaves: more to write, or not; replies to read.
    void wrote();

    redisAsyncContext *m_context;
    ReplyScanner m_scanner;
    MessageSink m_messageSink = nullptr;
    void *m_sinkContext = nullptr;
    // hiredis asked for reads (addRead) and did not take it back (delRead).
    bool m_wantRead = false;
    bool m_lazy = false;
    QTimer m_lazyTimer;
    // What handleReadable() read and has not passed on yet.
    const char *m_next = nullptr;
    const char *m_end = nullptr;
    AdapterNotifier m_readNotifier;
    AdapterNotifier m_writeNotifier;
    // hiredis has output for an established connection, to be written when
    // the event loop pauses (loopPaused), without the write notifier.
    bool m_writePending = false;
    // This thread's; a write waits for a pause only once it has seen one.
    QPointer<LoopPauses> m_pauses;
};

} // namespace Clustr
