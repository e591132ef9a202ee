// SPDX-License-Identifier: MIT
#pragma once

#include "replyscanner_p.h"

#include <QtCore/QObject>
#include <QtCore/QSocketNotifier>

struct redisAsyncContext;

namespace Clustr {

/*!
  Drives one hiredis async context from the Qt event loop: the hiredis
  adapter contract (addRead/delRead/addWrite/delWrite/cleanup) mapped onto
  two QSocketNotifiers that are parented to this object and toggled, never
  recreated.

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
*/
class QtRedisAdapter : public QObject
{
    Q_OBJECT
public:
    //! Attaches to \a context (which must have no adapter yet). Returns nullptr on failure.
    static QtRedisAdapter *attach(redisAsyncContext *context);

    redisAsyncContext *context() const { return m_context; }
    bool isAttached() const { return m_context != nullptr; }
    void setReplyLimits(const ReplyScanner::Limits &limits) { m_scanner.setLimits(limits); }

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
    explicit QtRedisAdapter(redisAsyncContext *context);

    static void addRead(void *self);
    static void delRead(void *self);
    static void addWrite(void *self);
    static void delWrite(void *self);
    static void cleanup(void *self);

    void handleReadable();
    void handleWritable();
    void loopPaused();
    //! redisAsyncHandleWrite() under a SigPipeGuard, told when the write succeeded.
    void writeGuarded();

    redisAsyncContext *m_context;
    ReplyScanner m_scanner;
    QSocketNotifier m_readNotifier;
    QSocketNotifier m_writeNotifier;
    // hiredis has output for an established connection, to be written when
    // the event loop pauses (loopPaused), without the write notifier.
    bool m_writePending = false;
    // The event dispatcher was seen to emit aboutToBlock()/awake(): only
    // then is a pending write left to loopPaused().
    bool m_loopSignals = false;
};

} // namespace Clustr
