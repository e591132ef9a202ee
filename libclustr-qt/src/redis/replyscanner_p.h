// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <limits>

namespace Clustr {

/*!
  Reads what Redis sends before hiredis does, one RESP2 reply after the
  other, and passes hiredis only what it may parse. hiredis 0.14 trusts
  every header: `*2147483647` makes it allocate 2^31 slots at once (and walk
  them all to free them), and a string is buffered as it comes, however
  long it says it is. Here each header is checked before hiredis sees it:

  - a reply of more than Limits::replySize bytes or Limits::replyElements
    elements (nested arrays counted together), a line longer than
    MaxLineLength, arrays nested deeper than hiredis reads (MaxDepth), or a
    byte that starts no RESP2 type is a violation: feed() returns false with
    the reason, and the connection must be dropped;
  - on a subscribed connection, the payload of a pub/sub message (`message`,
    `smessage`, `pmessage`) larger than Limits::messageSize is skipped as it arrives,
    never buffered: hiredis sees an integer, the payload's size, in its
    place (Redis never sends one there), which tells RedisClient that the
    message was discarded. The connection goes on;
  - on a subscribed connection, an array hiredis 0.14 would `assert()` on
    (it ends the process) is a violation: fewer than two elements, a first
    or second element that is not a string, or an `unsubscribe` reply
    without its count (an integer, third). Redis sends nothing of the kind
    there; a broken or hostile server (a sentinel, say) could.

  Everything else passes unchanged, in as few pieces as it came in.
*/
class CLUSTR_AUTOTEST_EXPORT ReplyScanner
{
public:
    struct Limits
    {
        //! Redis' own largest string (proto-max-bulk-len): any value it stores can be read.
        qint64 replySize = 512 * 1024 * 1024;
        qint64 replyElements = 1024 * 1024;
        qint64 messageSize = std::numeric_limits<qint64>::max();
    };
    //! hiredis 0.14 reads arrays nested up to 7 deep (its reader keeps 9 tasks).
    static constexpr int MaxDepth = 7;
    //! Status, error and integer lines, and the headers of strings and arrays.
    static constexpr qsizetype MaxLineLength = 64 * 1024;

    //! Receives what hiredis may parse, with the \a context given to feed().
    using Sink = void (*)(void *context, const char *data, qsizetype size);

    //! A `message` reply found by wholeMessage(): views into the buffer it lies in.
    struct Message
    {
        const char *channel = nullptr;
        qsizetype channelSize = 0;
        const char *payload = nullptr;
        qsizetype payloadSize = 0;
    };

    void setLimits(const Limits &limits) { m_limits = limits; }
    const Limits &limits() const { return m_limits; }

    /*!
      Scans \a size bytes of \a data and passes them on to \a sink, minus the
      payloads it skips. \a subscribed: the connection is in pub/sub mode,
      where an array of `message` or `pmessage` is a message (elsewhere it is
      any reply, e.g. of LRANGE). False on a violation (see error()); the
      connection is unusable from then on.
    */
    bool feed(const char *data, qsizetype size, bool subscribed, Sink sink, void *context);
    /*!
      As feed(), but stops where the first reply that ends in \a data ends
      and says in \a consumed how many bytes it scanned (\a size if no
      reply ends there). The caller has hiredis run that reply's callback
      before it scans on: what came after it may be a message for
      wholeMessage().
    */
    bool feedReply(const char *data, qsizetype size, bool subscribed, Sink sink, void *context, qsizetype *consumed);
    /*!
      On a subscribed connection, between two replies (atReplyBoundary()):
      if \a data starts with a whole `message` or `smessage` reply (`*3`,
      `message`, a channel, a payload) that feed() would pass unchanged, returns its size
      and points \a message at its channel and payload. Returns 0 for
      anything else, which is feed()'s: another reply, a message that is not
      whole in \a data, one that a limit refuses or cuts short, or one
      whose first lines are not spelled as Redis writes them. Changes nothing in the scanner.
    */
    qsizetype wholeMessage(const char *data, qsizetype size, Message *message) const;
    //! No reply is under way: what comes next starts a new one.
    bool atReplyBoundary() const { return m_mode == Mode::Line && m_depth == 0 && m_line.isEmpty() && m_error.isEmpty(); }
    //! Why feed() returned false, e.g. "an array of 2147483647 elements, more than the limit of 1048576 in one reply".
    QString error() const { return m_error; }
    //! Message payloads skipped so far.
    quint64 skippedMessages() const { return m_skipped; }

private:
    enum class Mode : quint8 { Line, String, Skip };
    //! What becomes of a line: passed on, replaced (by m_replacement), or a violation.
    enum class Verdict : quint8 { Pass, Replace, Fail };
    enum class Violation : quint8 {
        LineTooLong, NoCrlf, ReplyTooLarge, UnknownType, MalformedLength, StringTooLarge, ArrayTooLarge,
        TooManyElements, TooDeep, NotPubSub,
    };

    //! One complete line (its CRLF included): checks it and moves on to what follows.
    Verdict line(const char *text, qsizetype size, bool subscribed);
    //! A string whose header says \a length (not nil); its digits are \a digits.
    Verdict string(const char *digits, qsizetype count, qint64 length);
    Verdict array(qint64 length, bool subscribed);
    bool isMessagePayload() const;
    //! On a subscribed connection: whether an element of \a type (and \a length) may come next in the top array.
    bool allowedInPubSub(char type, qint64 length) const;
    //! The string read in String mode is complete.
    void stringDone();
    //! An element (or a whole reply) is complete.
    void elementDone();
    bool scan(const char *data, qsizetype size, bool subscribed, Sink sink, void *context, qsizetype *consumed);
    //! Says why in error(); out of the way of the checks that pass (three per message).
    Q_DECL_COLD_FUNCTION Verdict fail(Violation violation, const char *text = nullptr, qsizetype size = 0, qint64 value = 0);

    Limits m_limits;
    Mode m_mode = Mode::Line;
    QByteArray m_line;     // the start of a line that did not come whole
    qint64 m_left = 0;     // String and Skip: bytes of the string left, its CRLF included
    qint64 m_open[MaxDepth] = {}; // elements left in each open array, outermost first
    int m_depth = 0;
    qint64 m_replyBytes = 0;
    qint64 m_replyElements = 0;
    // The reply under way may be a message: a top-level array of 3
    // (`message`) or 4 (`pmessage`) on a subscribed connection. Its first
    // element says which (kept in m_kind while it is read); then the last
    // element is the payload.
    qint64 m_topCount = 0;
    qint64 m_payloadIndex = -1;
    qint64 m_kindLength = -1; // reading the first element into m_kind: its length, else -1
    qint64 m_kindCapture = 0; // how much of it is kept: enough for "punsubscribe" and a NUL
    qint64 m_kindRead = 0;
    char m_kind[13] = {};
    // A top-level array on a subscribed connection, checked for the shape
    // hiredis insists on (allowedInPubSub()): its length, and whether its
    // first element names an unsubscribe (as hiredis reads it).
    bool m_pubSub = false;
    bool m_unsubscribe = false;
    qint64 m_topLength = 0;
    // ":<digits>\r\n", in place of a skipped payload's header
    char m_replacement[24] = {};
    qsizetype m_replacementSize = 0;
    QString m_error;
    quint64 m_skipped = 0;
    bool m_replyEnded = false; // set by elementDone() when a whole reply is through (feedReply() stops there)
};

} // namespace Clustr
