// SPDX-License-Identifier: MIT
#include "replyscanner_p.h"

#include <algorithm>
#include <cstring>

namespace Clustr {

namespace {

// The length of a string or an array: -1 (nil) or a decimal number, at most
// 18 digits (nothing larger passes a limit, and it cannot overflow); -2 for
// anything else. Every message has three of these: kept to a plain loop.
qint64 parseLength(const char *digits, qsizetype count)
{
    const bool negative = count > 0 && digits[0] == '-';
    if (negative) {
        ++digits;
        --count;
    }
    if (count == 0 || count > 18)
        return -2;
    qint64 value = 0;
    for (qsizetype i = 0; i < count; ++i) {
        const unsigned digit = unsigned(digits[i]) - '0';
        if (digit > 9)
            return -2;
        value = value * 10 + digit;
    }
    return negative ? (value == 1 ? -1 : -2) : value;
}

// What hiredis 0.14 takes for an unsubscribe reply: the first element read
// as a C string (up to a NUL), with an optional 'p' in front, equal to
// "unsubscribe" ignoring case. \a kind holds the first \a size bytes of it.
bool namesUnsubscribe(const char *kind, qint64 size)
{
    const auto *nul = static_cast<const char *>(std::memchr(kind, 0, size_t(size)));
    qint64 length = nul ? nul - kind : size;
    if (length > 0 && (kind[0] == 'p' || kind[0] == 'P')) {
        ++kind;
        --length;
    }
    return length == 11 && qstrnicmp(kind, "unsubscribe", 11) == 0;
}

} // namespace

bool ReplyScanner::feed(const char *data, qsizetype size, bool subscribed, Sink sink, void *context)
{
    return scan(data, size, subscribed, sink, context, nullptr);
}

bool ReplyScanner::feedReply(const char *data, qsizetype size, bool subscribed, Sink sink, void *context, qsizetype *consumed)
{
    *consumed = 0;
    return scan(data, size, subscribed, sink, context, consumed);
}

bool ReplyScanner::scan(const char *data, qsizetype size, bool subscribed, Sink sink, void *context, qsizetype *consumed)
{
    if (!m_error.isEmpty())
        return false;
    const char *p = data;
    const char *end = data + size;
    const char *run = p; // the start of what passes unchanged
    m_replyEnded = false;
    while (p < end) {
        if (consumed && m_replyEnded) {
            end = p; // feedReply(): the rest is scanned after the reply's callback ran
            break;
        }
        if (m_mode != Mode::Line) {
            const qint64 n = std::min<qint64>(m_left, end - p);
            if (m_mode == Mode::Skip) {
                if (p > run)
                    sink(context, run, p - run);
                run = p + n;
            } else if (m_kindLength >= 0 && m_kindRead < m_kindCapture) {
                const qint64 wanted = std::min(n, m_kindCapture - m_kindRead);
                std::memcpy(m_kind + m_kindRead, p, size_t(wanted));
                m_kindRead += wanted;
            }
            p += n;
            m_left -= n;
            if (m_left == 0)
                stringDone();
            continue;
        }
        const auto *newline = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!newline) {
            if (m_line.size() + (end - p) > MaxLineLength) {
                fail(Violation::LineTooLong);
                return false;
            }
            // Held back until it is whole: its header may have to change.
            if (p > run)
                sink(context, run, p - run);
            m_line.append(p, end - p);
            run = end;
            break;
        }
        const char *const lineEnd = newline + 1;
        const bool held = !m_line.isEmpty(); // its start came with an earlier feed()
        if (held)
            m_line.append(p, lineEnd - p);
        const Verdict verdict = held ? line(m_line.constData(), m_line.size(), subscribed) : line(p, lineEnd - p, subscribed);
        if (verdict == Verdict::Fail)
            return false;
        if (verdict == Verdict::Replace) {
            if (p > run)
                sink(context, run, p - run);
            sink(context, m_replacement, m_replacementSize);
            run = lineEnd;
        } else if (held) {
            // run == p here: nothing of this feed() was passed on yet.
            sink(context, m_line.constData(), m_line.size() - (lineEnd - p));
        }
        if (held)
            m_line.clear();
        p = lineEnd;
    }
    if (end > run)
        sink(context, run, end - run);
    if (consumed)
        *consumed = end - data;
    return true;
}

ReplyScanner::Verdict ReplyScanner::line(const char *text, qsizetype size, bool subscribed)
{
    if (size > MaxLineLength)
        return fail(Violation::LineTooLong);
    if (size < 3 || text[size - 2] != '\r')
        return fail(Violation::NoCrlf);
    m_replyBytes += size;
    if (m_replyBytes > m_limits.replySize)
        return fail(Violation::ReplyTooLarge);
    const char type = text[0];
    if (type == '+' || type == '-' || type == ':') {
        if (!allowedInPubSub(type, 0))
            return fail(Violation::NotPubSub);
        elementDone();
        return Verdict::Pass;
    }
    if (type != '$' && type != '*')
        return fail(Violation::UnknownType, text, 1);
    const char *const digits = text + 1;
    const qsizetype count = size - 3;
    const qint64 length = parseLength(digits, count);
    if (length == -2)
        return fail(Violation::MalformedLength, digits, count);
    if (!allowedInPubSub(type, length))
        return fail(Violation::NotPubSub);
    if (length == -1) { // nil
        elementDone();
        return Verdict::Pass;
    }
    return type == '$' ? string(digits, count, length) : array(length, subscribed);
}

ReplyScanner::Verdict ReplyScanner::string(const char *digits, qsizetype count, qint64 length)
{
    m_left = length + 2; // and its CRLF
    if (length > m_limits.messageSize && isMessagePayload()) {
        // In place of the payload: its size, as an integer reply.
        m_replacement[0] = ':';
        std::memcpy(m_replacement + 1, digits, size_t(count)); // at most 18 digits
        std::memcpy(m_replacement + 1 + count, "\r\n", 2);
        m_replacementSize = count + 3;
        m_mode = Mode::Skip;
        ++m_skipped;
        return Verdict::Replace;
    }
    if (length > m_limits.replySize)
        return fail(Violation::StringTooLarge, nullptr, 0, length);
    m_replyBytes += length;
    if (m_replyBytes > m_limits.replySize)
        return fail(Violation::ReplyTooLarge);
    m_mode = Mode::String;
    // The first element of a pub/sub reply: "message", "pmessage", an unsubscribe?
    if (m_pubSub && m_depth == 1 && m_open[0] == m_topLength) {
        m_kindLength = length;
        m_kindCapture = std::min<qint64>(length, qint64(sizeof(m_kind)));
        m_kindRead = 0;
    }
    return Verdict::Pass;
}

ReplyScanner::Verdict ReplyScanner::array(qint64 length, bool subscribed)
{
    if (length > m_limits.replyElements)
        return fail(Violation::ArrayTooLarge, nullptr, 0, length);
    m_replyElements += length;
    if (m_replyElements > m_limits.replyElements)
        return fail(Violation::TooManyElements);
    if (subscribed && m_depth == 0 && length < 2)
        return fail(Violation::NotPubSub);
    if (length == 0) {
        elementDone();
        return Verdict::Pass;
    }
    if (m_depth == MaxDepth)
        return fail(Violation::TooDeep);
    m_open[m_depth++] = length;
    if (m_depth == 1) {
        m_topCount = subscribed && (length == 3 || length == 4) ? length : 0;
        m_payloadIndex = -1;
        m_pubSub = subscribed;
        m_unsubscribe = false;
        m_topLength = length;
    }
    return Verdict::Pass;
}

bool ReplyScanner::allowedInPubSub(char type, qint64 length) const
{
    if (!m_pubSub || m_depth != 1)
        return true;
    // hiredis reads elements 0 and 1 as strings (the kind, the channel) and,
    // for an unsubscribe, element 2 as the count of what is left.
    const qint64 index = m_topLength - m_open[0];
    if (index == 0)
        return type == '$' && length >= 0;
    if (index == 1)
        return type == '$' && length >= 0 && (!m_unsubscribe || m_topLength >= 3);
    return index != 2 || !m_unsubscribe || type == ':';
}

bool ReplyScanner::isMessagePayload() const
{
    return m_depth == 1 && m_payloadIndex >= 0 && m_topCount - m_open[0] == m_payloadIndex;
}

void ReplyScanner::stringDone()
{
    m_mode = Mode::Line;
    if (m_kindLength >= 0) {
        if ((m_topCount == 3 && m_kindLength == 7 && std::memcmp(m_kind, "message", 7) == 0)
            || (m_topCount == 3 && m_kindLength == 8 && std::memcmp(m_kind, "smessage", 8) == 0)
            || (m_topCount == 4 && m_kindLength == 8 && std::memcmp(m_kind, "pmessage", 8) == 0))
            m_payloadIndex = m_topCount - 1;
        m_unsubscribe = namesUnsubscribe(m_kind, m_kindCapture);
        m_kindLength = -1;
    }
    elementDone();
}

void ReplyScanner::elementDone()
{
    while (m_depth > 0) {
        if (--m_open[m_depth - 1] > 0)
            return;
        --m_depth; // that array is complete: an element of the one around it
    }
    m_replyEnded = true;
    m_replyBytes = 0;
    m_replyElements = 0;
    m_topCount = 0;
    m_payloadIndex = -1;
    m_pubSub = false;
    m_unsubscribe = false;
}

qsizetype ReplyScanner::wholeMessage(const char *data, qsizetype size, Message *message) const
{
    // Redis writes every message so: `*3\r\n$7\r\nmessage\r\n$<n>\r\n<channel>\r\n$<n>\r\n<payload>\r\n`,
    // and a sharded channel's with `$8\r\nsmessage` (SSUBSCRIBE).
    static constexpr char Head[] = "*3\r\n$7\r\nmessage\r\n";
    static constexpr char ShardedHead[] = "*3\r\n$8\r\nsmessage\r\n";
    constexpr qsizetype HeadSize = sizeof(Head) - 1;
    constexpr qsizetype ShardedHeadSize = sizeof(ShardedHead) - 1;
    qsizetype headSize = 0;
    if (size >= HeadSize && std::memcmp(data, Head, HeadSize) == 0)
        headSize = HeadSize;
    else if (size >= ShardedHeadSize && std::memcmp(data, ShardedHead, ShardedHeadSize) == 0)
        headSize = ShardedHeadSize;
    else
        return 0;
    const char *p = data + headSize;
    const char *const end = data + size;
    // One string at p: its header, its bytes and their CRLF, all before end.
    auto string = [&p, end](const char **bytes, qsizetype *length) {
        if (p == end || *p != '$')
            return false;
        // A length has at most 18 digits (parseLength()): no need to look further.
        const auto *cr = static_cast<const char *>(std::memchr(p + 1, '\r', size_t(std::min<qsizetype>(end - p - 1, 20))));
        if (!cr || end - cr < 2 || cr[1] != '\n')
            return false;
        if (p[1] == '0' && cr - p > 2)
            return false; // "$04": not how Redis writes a length
        const qint64 n = parseLength(p + 1, cr - p - 1);
        if (n < 0 || end - (cr + 2) < n + 2 || cr[2 + n] != '\r' || cr[3 + n] != '\n')
            return false;
        *bytes = cr + 2;
        *length = qsizetype(n);
        p = cr + 4 + n;
        return true;
    };
    Message found;
    if (!string(&found.channel, &found.channelSize) || !string(&found.payload, &found.payloadSize))
        return 0;
    // What feed() would refuse or cut short is left to it. The reply's size
    // is counted as feed() counts it: its lines and its strings' bytes.
    const qsizetype total = p - data;
    if (found.payloadSize > m_limits.messageSize || m_limits.replyElements < 3 || total - 6 > m_limits.replySize)
        return 0;
    *message = found;
    return total;
}

ReplyScanner::Verdict ReplyScanner::fail(Violation violation, const char *text, qsizetype size, qint64 value)
{
    switch (violation) {
    case Violation::LineTooLong:
        m_error = QStringLiteral("a line longer than the limit of %1 bytes").arg(MaxLineLength);
        break;
    case Violation::NoCrlf:
        m_error = QStringLiteral("a line that does not end in CRLF");
        break;
    case Violation::ReplyTooLarge:
        m_error = QStringLiteral("a reply of more than %1 bytes, the limit").arg(m_limits.replySize);
        break;
    case Violation::UnknownType:
        m_error = QStringLiteral("a reply that starts with the byte 0x%1").arg(uchar(text[0]), 2, 16, QLatin1Char('0'));
        break;
    case Violation::MalformedLength:
        m_error = QStringLiteral("a malformed length \"%1\"").arg(QString::fromLatin1(text, std::min<qsizetype>(size, 24)));
        break;
    case Violation::StringTooLarge:
        m_error = QStringLiteral("a string of %1 bytes, more than the limit of %2 bytes in one reply").arg(value).arg(m_limits.replySize);
        break;
    case Violation::ArrayTooLarge:
        m_error = QStringLiteral("an array of %1 elements, more than the limit of %2 in one reply").arg(value).arg(m_limits.replyElements);
        break;
    case Violation::TooManyElements:
        m_error = QStringLiteral("a reply of more than %1 elements, the limit").arg(m_limits.replyElements);
        break;
    case Violation::TooDeep:
        m_error = QStringLiteral("arrays nested more than %1 deep").arg(MaxDepth);
        break;
    case Violation::NotPubSub:
        m_error = QStringLiteral("an array shaped like no pub/sub reply on a subscribed connection");
        break;
    }
    return Verdict::Fail;
}

} // namespace Clustr
