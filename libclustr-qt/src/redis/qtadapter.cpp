// SPDX-License-Identifier: MIT
#include "qtadapter_p.h"

#include "looppauses_p.h"
#include "sigpipeguard_p.h"

#include <QtCore/QEvent>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

// Runs the callbacks of the replies hiredis' reader holds: the second half
// of redisAsyncHandleRead(), after its read. Exported by hiredis 0.14 and
// 1.x alike, but declared only in async.c (CMakeLists.txt checks it links).
extern "C" void redisProcessCallbacks(redisAsyncContext *ac);

namespace Clustr {

namespace {

void feedReader(void *reader, const char *data, qsizetype size)
{
    // Fails only without memory; the reader then holds the error, and
    // redisProcessCallbacks() disconnects with it.
    redisReaderFeed(static_cast<redisReader *>(reader), data, size_t(size));
}

} // namespace

AdapterNotifier::AdapterNotifier(qintptr socket, Type type, QtRedisAdapter *adapter)
    : QSocketNotifier(socket, type, adapter)
{
}

bool AdapterNotifier::event(QEvent *event)
{
    if (event->type() != QEvent::SockAct && event->type() != QEvent::SockClose)
        return QSocketNotifier::event(event);
    // Nothing of this object is touched after the call: a callback may have
    // let go of the connection (the adapter, and with it this notifier, is
    // then deleted later, never here).
    static_cast<QtRedisAdapter *>(parent())->socketActivated(type());
    return true;
}

QtRedisAdapter *QtRedisAdapter::attach(redisAsyncContext *context)
{
    if (!context || context->ev.data)
        return nullptr; // hiredis allows one adapter per context
    auto *adapter = new QtRedisAdapter(context);
    context->ev.data = adapter;
    context->ev.addRead = &QtRedisAdapter::addRead;
    context->ev.delRead = &QtRedisAdapter::delRead;
    context->ev.addWrite = &QtRedisAdapter::addWrite;
    context->ev.delWrite = &QtRedisAdapter::delWrite;
    context->ev.cleanup = &QtRedisAdapter::cleanup;
    return adapter;
}

QtRedisAdapter::QtRedisAdapter(redisAsyncContext *context)
    : m_context(context)
    , m_readNotifier(context->c.fd, QSocketNotifier::Read, this)
    , m_writeNotifier(context->c.fd, QSocketNotifier::Write, this)
    , m_pauses(LoopPauses::ofCurrentThread())
{
    m_readNotifier.setEnabled(false);
    m_writeNotifier.setEnabled(false);
    if (m_pauses)
        m_pauses->addAdapter(this);
    m_lazyTimer.setInterval(LazyReadInterval);
    connect(&m_lazyTimer, &QTimer::timeout, this, &QtRedisAdapter::lazyTimerShot);
}

QtRedisAdapter::~QtRedisAdapter()
{
    if (m_pauses)
        m_pauses->removeAdapter(this);
}

void QtRedisAdapter::addRead(void *self)
{
    auto *adapter = static_cast<QtRedisAdapter *>(self);
    adapter->m_wantRead = true;
    adapter->updateReadNotifier();
}

void QtRedisAdapter::delRead(void *self)
{
    auto *adapter = static_cast<QtRedisAdapter *>(self);
    adapter->m_wantRead = false;
    adapter->updateReadNotifier();
}

void QtRedisAdapter::updateReadNotifier()
{
    const bool watch = m_wantRead && !m_lazy;
    // setEnabled() of an unchanged state is not free with every dispatcher.
    if (m_readNotifier.isEnabled() != watch)
        m_readNotifier.setEnabled(watch);
}

void QtRedisAdapter::setLazyReads(bool lazy)
{
    if (lazy == m_lazy)
        return;
    if (lazy && (!m_context || (m_context->c.flags & REDIS_SUBSCRIBED)))
        return; // a subscribed connection's messages must wake us
    m_lazy = lazy;
    if (lazy)
        m_lazyTimer.start();
    else
        m_lazyTimer.stop();
    updateReadNotifier();
}

bool QtRedisAdapter::repliesOutstanding() const
{
    return m_context && m_context->replies.head != nullptr;
}

void QtRedisAdapter::lazyTimerShot()
{
    if (!m_lazy)
        return;
    // Everything that came, 16 KiB a read: a publisher that outpaces the
    // reads would leave its replies piling up in Redis' output buffer.
    for (int reads = 0; reads < 64 && m_lazy && repliesOutstanding(); ++reads) {
        if (!handleReadable())
            break;
    }
    // Nothing outstanding: the socket is watched again (the server closing
    // the connection is seen at once), until the next reply nobody waits for.
    if (m_lazy && !repliesOutstanding())
        setLazyReads(false);
}

void QtRedisAdapter::socketActivated(QSocketNotifier::Type type)
{
    if (type == QSocketNotifier::Read)
        handleReadable();
    else
        handleWritable();
}

void QtRedisAdapter::addWrite(void *self)
{
    auto *adapter = static_cast<QtRedisAdapter *>(self);
    // Commands of an established connection are written when the read
    // being handled has been passed on, or else when the event loop pauses
    // (LoopPauses calls loopPaused()): what one read or one pass issued goes
    // out in one write. Toggling the write notifier for
    // every command instead cost each message a loop pass and, with the
    // GLib dispatcher, two wake-up writes (enable and disable each wake the
    // loop): most of the latency a message had over a plain client. While
    // connecting, "writable" means the connect finished, which only the
    // notifier can tell; and a dispatcher that was never seen to signal its
    // pauses keeps the notifier too.
    LoopPauses *pauses = adapter->m_pauses;
    if (pauses && pauses->pausesSeen() && adapter->m_context && (adapter->m_context->c.flags & REDIS_CONNECTED)) {
        adapter->m_writePending = true;
        pauses->writeWaiting();
        return;
    }
    adapter->m_writeNotifier.setEnabled(true);
}

void QtRedisAdapter::delWrite(void *self)
{
    auto *adapter = static_cast<QtRedisAdapter *>(self);
    adapter->m_writePending = false;
    adapter->m_writeNotifier.setEnabled(false);
}

void QtRedisAdapter::cleanup(void *self)
{
    auto *adapter = static_cast<QtRedisAdapter *>(self);
    adapter->m_lazy = false;
    adapter->m_lazyTimer.stop();
    adapter->m_wantRead = false;
    adapter->m_readNotifier.setEnabled(false);
    adapter->m_writeNotifier.setEnabled(false);
    adapter->m_writePending = false;
    adapter->m_context = nullptr;
    // Called from inside hiredis: deleting now would pull the notifier out
    // from under a running activation. A pending DeferredDelete is dropped
    // if the owner deletes us directly first.
    adapter->deleteLater();
    Q_EMIT adapter->detached();
}

bool QtRedisAdapter::handleReadable()
{
    if (!m_context)
        return false;
    if (!(m_context->c.flags & REDIS_CONNECTED)) {
        // Readable before the connect was seen to finish (a server that
        // speaks first, or a failed connect): hiredis finishes it as it
        // does when the socket is writable, and reads nothing itself.
        writeGuarded();
        if (!m_context || !(m_context->c.flags & REDIS_CONNECTED))
            return false;
    }
    passOn(); // the rest of an outer read, when this one runs in a nested event loop
    if (!m_context)
        return false;
    char buffer[16 * 1024]; // what hiredis reads at a time
    const ssize_t count = ::read(m_context->c.fd, buffer, sizeof(buffer));
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return false;
    if (count <= 0) {
        // The end of the connection or an error: hiredis reads it again
        // itself, reports it, and disconnects.
        redisAsyncHandleRead(m_context);
        return false;
    }
    m_next = buffer;
    m_end = buffer + count;
    passOn();
    m_next = m_end = nullptr; // the buffer goes out of scope
    // The answers to what was just read leave now (see LoopPauses): this
    // adapter is deleted later, never here, so it is still there to ask.
    if (m_pauses)
        m_pauses->callWaitingNow();
    return true;
}

void QtRedisAdapter::passOn()
{
    while (m_next < m_end && m_context) {
        const char *const data = m_next;
        const qsizetype size = m_end - data;
        redisReader *reader = m_context->c.reader;
        const bool subscribed = (m_context->c.flags & REDIS_SUBSCRIBED) != 0;
        // A subscribed connection is read reply by reply: a message may come next.
        const bool byReply = subscribed && m_messageSink;
        ReplyScanner::Message message;
        qsizetype whole = 0;
        // Past hiredis only while hiredis holds nothing: a reply it has not
        // called back yet came first.
        if (byReply && m_scanner.atReplyBoundary() && reader->pos >= reader->len
            && (whole = m_scanner.wholeMessage(data, size, &message)) > 0) {
            m_next = data + whole; // before the sink: a nested read goes on from there
            const bool last = m_next >= m_end && m_pauses;
            if (last)
                m_pauses->setLastOfRead(true);
            m_messageSink(m_sinkContext, message); // may free the context (m_context is null then)
            if (last && m_pauses)
                m_pauses->setLastOfRead(false);
            continue;
        }
        qsizetype taken = size;
        const bool scanned = byReply ? m_scanner.feedReply(data, size, true, &feedReader, reader, &taken)
                                     : m_scanner.feed(data, size, subscribed, &feedReader, reader);
        if (!scanned) {
            m_next = m_end;
            Q_EMIT replyRefused(m_scanner.error()); // the owner frees the context
            return;
        }
        m_next = data + taken; // before the callbacks, as for the sink
        redisProcessCallbacks(m_context);
    }
}

void QtRedisAdapter::handleWritable()
{
    if (m_context)
        writeGuarded();
}

void QtRedisAdapter::writeGuarded()
{
    if ((m_context->c.flags & REDIS_CONNECTED) && m_context->c.err == 0 && writeDirectly())
        return;
    SigPipeGuard guard;
    redisAsyncHandleWrite(m_context);
    // A failed write disconnects (cleanup() clears m_context) or leaves the
    // error in the context: only then can a SIGPIPE be pending.
    if (m_context && m_context->c.err == 0)
        guard.writesSucceeded();
}

bool QtRedisAdapter::writeDirectly()
{
    // What redisAsyncHandleWrite() does once connected (redisBufferWrite(),
    // then the event hooks), but with send(MSG_NOSIGNAL): a closed peer
    // gives EPIPE and no SIGPIPE, so no signal mask has to be set and reset
    // around the write, two system calls of every message (docs/BENCHMARKS.md,
    // latency). The buffer is shortened with sds.h's inline functions (its
    // others are declared without C linkage for C++ and cannot be called).
    // Left to hiredis, under the guard: a buffer that grew large (hiredis
    // frees it once written, which only its own sdsfree() can), and a write
    // that fails (hiredis writes again, fails the same way and takes its own
    // error path).
    redisContext *c = &m_context->c;
    const size_t length = sdslen(c->obuf);
    if (sdsalloc(c->obuf) > DirectWriteBuffer)
        return false;
    if (length > 0) {
        const ssize_t written = ::send(c->fd, c->obuf, length, MSG_NOSIGNAL);
        if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return false;
        if (written > 0)
            dropWritten(size_t(written));
    }
    wrote();
    return true;
}

void QtRedisAdapter::dropWritten(size_t count)
{
    sds obuf = m_context->c.obuf;
    const size_t left = sdslen(obuf) - std::min(count, sdslen(obuf));
    std::memmove(obuf, obuf + (sdslen(obuf) - left), left);
    sdssetlen(obuf, left);
    obuf[left] = '\0';
}

void QtRedisAdapter::wrote()
{
    // As redisAsyncHandleWrite() after a write: the rest waits for the
    // socket, and the replies are read.
    if (sdslen(m_context->c.obuf) > 0)
        addWrite(this);
    else
        delWrite(this);
    addRead(this);
}

size_t QtRedisAdapter::sendAhead(const char *command, size_t size)
{
    // Only on a connection that will take the command into its buffer (one
    // that is going away refuses it: the bytes would be out, and their
    // reply nobody's), with nothing of its own waiting to go first.
    if (!m_context || m_context->c.err != 0 || !(m_context->c.flags & REDIS_CONNECTED)
        || (m_context->c.flags & (REDIS_DISCONNECTING | REDIS_FREEING | REDIS_SUBSCRIBED))
        || sdslen(m_context->c.obuf) != 0
        || !m_pauses || !m_pauses->takeWriteAhead())
        return 0;
    // A failure is left to the write of the queued command, where hiredis
    // takes its error path (it may free the context and call back), not
    // here under the caller's feet.
    const ssize_t written = ::send(m_context->c.fd, command, size, MSG_NOSIGNAL);
    return written > 0 ? size_t(written) : 0;
}

void QtRedisAdapter::takeBackSent(size_t sent)
{
    if (!m_context)
        return;
    // The buffer was empty before the command was queued: the command is
    // all it holds, and its first `sent` bytes are out.
    dropWritten(sent);
    wrote();
}

void QtRedisAdapter::loopPaused()
{
    if (!m_writePending || !m_context)
        return;
    writeGuarded(); // delWrite() once all is written
    if (m_context && m_writePending) {
        // The socket took only part: the notifier says when it takes more.
        m_writePending = false;
        m_writeNotifier.setEnabled(true);
    }
}

} // namespace Clustr
