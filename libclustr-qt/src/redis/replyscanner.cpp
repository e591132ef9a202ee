// SPDX-License-Identifier: MIT
#include "replyscanner_p.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace Clustr {

namespace {

// The length of a string or an array: -1 (nil) or a decimal number that fits.
std::optional<qint64> parseLength(const char *digits, qsizetype count)
{
    bool negative = false;
    if (count > 0 && digits[0] == '-') {
        negative = true;
        ++digits;
        --count;
    }
    if (count == 0 || count > 19)
        return std::nullopt;
    qint64 value = 0;
    for (qsizetype i = 0; i < count; ++i) {
        const char c = digits[i];
        if (c < '0' || c > '9')
            return std::nullopt;
        if (value > (std::numeric_limits<qint64>::max() - (c - '0')) / 10)
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return negative ? -value : value;
}

} // namespace

bool ReplyScanner::feed(const char *data, qsizetype size, bool subscribed, Sink sink, void *context)
{
    if (!m_error.isEmpty())
        return false;
    const char *p = data;
    const char *const end = data + size;
    const char *run = p; // the start of what passes unchanged
    auto flush = [&](const char *upTo) {
        if (upTo > run)
            sink(context, run, upTo - run);
        run = upTo;
    };
    while (p < end) {
        if (m_mode != Mode::Line) {
            const qint64 n = std::min<qint64>(m_left, end - p);
            if (m_mode == Mode::Skip) {
                flush(p);
                run = p + n;
            } else if (m_kindLength >= 0 && m_kindRead < m_kindLength) {
                const qint64 wanted = std::min(n, m_kindLength - m_kindRead);
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
                fail(QStringLiteral("a line longer than the limit of %1 bytes").arg(MaxLineLength));
                return false;
            }
            // Held back until it is whole: its header may have to change.
            flush(p);
            m_line.append(p, end - p);
            run = end;
            break;
        }
        const char *const lineEnd = newline + 1;
        Header header;
        if (m_line.isEmpty()) {
            header = line(p, lineEnd - p, subscribed);
        } else {
            m_line.append(p, lineEnd - p);
            header = line(m_line.constData(), m_line.size(), subscribed);
        }
        if (!header.ok)
            return false;
        if (!header.replacement.isNull()) {
            flush(p);
            sink(context, header.replacement.constData(), header.replacement.size());
            run = lineEnd;
        } else if (!m_line.isEmpty()) {
            flush(p);
            sink(context, m_line.constData(), m_line.size() - (lineEnd - p));
        }
        m_line.clear();
        p = lineEnd;
    }
    flush(end);
    return true;
}

ReplyScanner::Header ReplyScanner::line(const char *text, qsizetype size, bool subscribed)
{
    if (size > MaxLineLength)
        return fail(QStringLiteral("a line longer than the limit of %1 bytes").arg(MaxLineLength));
    if (size < 3 || text[size - 2] != '\r')
        return fail(QStringLiteral("a line that does not end in CRLF"));
    m_replyBytes += size;
    if (m_replyBytes > m_limits.replySize)
        return fail(QStringLiteral("a reply of more than %1 bytes, the limit").arg(m_limits.replySize));
    const char *const digits = text + 1;
    const qsizetype count = size - 3;
    switch (text[0]) {
    case '+':
    case '-':
    case ':':
        elementDone();
        return {};
    case '$':
    case '*': {
        const auto length = parseLength(digits, count);
        if (!length || *length < -1)
            return fail(QStringLiteral("a malformed length \"%1\"").arg(QString::fromLatin1(digits, std::min<qsizetype>(count, 24))));
        if (*length == -1) { // nil
            elementDone();
            return {};
        }
        if (text[0] == '$')
            return string(digits, count, *length);
        if (*length > m_limits.replyElements)
            return fail(QStringLiteral("an array of %1 elements, more than the limit of %2 in one reply").arg(*length).arg(m_limits.replyElements));
        m_replyElements += *length;
        if (m_replyElements > m_limits.replyElements)
            return fail(QStringLiteral("a reply of more than %1 elements, the limit").arg(m_limits.replyElements));
        if (m_depth == MaxDepth && *length > 0)
            return fail(QStringLiteral("arrays nested more than %1 deep").arg(MaxDepth));
        array(*length, subscribed);
        return {};
    }
    default:
        return fail(QStringLiteral("a reply that starts with the byte 0x%1").arg(uchar(text[0]), 2, 16, QLatin1Char('0')));
    }
}

ReplyScanner::Header ReplyScanner::string(const char *digits, qsizetype count, qint64 length)
{
    Header header;
    m_left = length + 2; // and its CRLF
    if (isMessagePayload() && length > m_limits.messageSize) {
        // In place of the payload: its size, as an integer reply.
        header.replacement.reserve(count + 3);
        header.replacement.append(':').append(digits, count).append("\r\n");
        m_mode = Mode::Skip;
        ++m_skipped;
        return header;
    }
    if (length > m_limits.replySize)
        return fail(QStringLiteral("a string of %1 bytes, more than the limit of %2 bytes in one reply").arg(length).arg(m_limits.replySize));
    m_replyBytes += length;
    if (m_replyBytes > m_limits.replySize)
        return fail(QStringLiteral("a reply of more than %1 bytes, the limit").arg(m_limits.replySize));
    m_mode = Mode::String;
    // The first element of what may be a message: "message" or "pmessage"?
    const bool first = m_depth == 1 && m_topCount > 0 && m_open[0] == m_topCount;
    const qint64 kindLength = m_topCount == 3 ? 7 : 8;
    if (first && length == kindLength) {
        m_kindLength = length;
        m_kindRead = 0;
    }
    return header;
}

void ReplyScanner::array(qint64 count, bool subscribed)
{
    if (count == 0) {
        elementDone();
        return;
    }
    m_open[m_depth++] = count;
    if (m_depth == 1) {
        m_topCount = subscribed && (count == 3 || count == 4) ? count : 0;
        m_payloadIndex = -1;
    }
}

bool ReplyScanner::isMessagePayload() const
{
    return m_depth == 1 && m_payloadIndex >= 0 && m_topCount - m_open[0] == m_payloadIndex;
}

void ReplyScanner::stringDone()
{
    m_mode = Mode::Line;
    if (m_kindLength >= 0) {
        const QByteArray kind = QByteArray::fromRawData(m_kind, qsizetype(m_kindLength));
        if ((m_topCount == 3 && kind == "message") || (m_topCount == 4 && kind == "pmessage"))
            m_payloadIndex = m_topCount - 1;
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
    m_replyBytes = 0;
    m_replyElements = 0;
    m_topCount = 0;
    m_payloadIndex = -1;
}

ReplyScanner::Header ReplyScanner::fail(const QString &reason)
{
    m_error = reason;
    Header header;
    header.ok = false;
    return header;
}

} // namespace Clustr
