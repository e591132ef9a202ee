// SPDX-License-Identifier: MIT
#include "jsonreader_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include <charconv>
#include <cstring>
#include <limits>

namespace Clustr::Protocol {

namespace {

// Qt's parser refuses deeper nesting; so does this reader, so that what is
// accepted does not depend on which of the two reads it.
constexpr int NestingLimit = 1024;

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

} // namespace

const std::array<bool, 256> JsonReader::PlainByte = [] {
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x80; ++c)
        table[size_t(c)] = c != '"' && c != '\\';
    return table;
}();

// Eight bytes at a time while it can (SWAR): strings are most of a payload,
// and a word at a time is several times faster than a byte at a time.
const char *JsonReader::skipPlain(const char *p, const char *end)
{
    constexpr quint64 Ones = 0x0101010101010101;
    constexpr quint64 Highs = 0x8080808080808080;
    // Flags a byte that is zero (the borrow may flag a neighbour too, but
    // only next to a byte that is flagged for real).
    auto hasZero = [](quint64 v) { return (v - Ones) & ~v & Highs; };
    for (quint64 word; end - p >= 8; p += 8) {
        std::memcpy(&word, p, 8);
        const quint64 nonAscii = word & Highs;
        const quint64 control = (word - Ones * 0x20) & ~word & Highs; // a byte < 0x20
        if ((nonAscii | control | hasZero(word ^ (Ones * '"')) | hasZero(word ^ (Ones * '\\'))) != 0)
            break;
    }
    while (p != end && PlainByte[uchar(*p)])
        ++p;
    return p;
}

bool JsonReader::fail(const char *reason)
{
    if (m_error.isEmpty())
        m_error = QStringLiteral("%1 at offset %2").arg(QLatin1String(reason)).arg(offset());
    return false;
}

void JsonReader::skipWhitespace()
{
    while (m_p != m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
        ++m_p;
}

bool JsonReader::consume(char c)
{
    skipWhitespace();
    if (m_p == m_end || *m_p != c)
        return false;
    ++m_p;
    return true;
}

bool JsonReader::atEnd()
{
    skipWhitespace();
    return m_p == m_end;
}

bool JsonReader::readLiteral(const char *word, qsizetype size)
{
    if (m_end - m_p < size || std::memcmp(m_p, word, size_t(size)) != 0)
        return fail("illegal value");
    m_p += size;
    return true;
}

bool JsonReader::readValue(QJsonValue *value)
{
    skipWhitespace();
    if (m_p == m_end)
        return fail("unexpected end of text");
    switch (*m_p) {
    case '{':
        return readObject(value);
    case '[':
        return readArray(value);
    case '"': {
        if (!value)
            return readString(nullptr);
        QString text;
        if (!readString(&text))
            return false;
        *value = QJsonValue(text);
        return true;
    }
    case 't':
        if (value)
            *value = QJsonValue(true);
        return readLiteral("true", 4);
    case 'f':
        if (value)
            *value = QJsonValue(false);
        return readLiteral("false", 5);
    case 'n':
        if (value)
            *value = QJsonValue(QJsonValue::Null);
        return readLiteral("null", 4);
    default:
        return readNumber(value);
    }
}

bool JsonReader::readNumber(QJsonValue *value)
{
    const char *const first = m_p;
    if (m_p != m_end && *m_p == '-')
        ++m_p;
    const char *const digits = m_p;
    if (m_p == m_end || !isDigit(*m_p))
        return fail("illegal number");
    if (*m_p == '0')
        ++m_p;
    else
        while (m_p != m_end && isDigit(*m_p))
            ++m_p;
    const char *const integerEnd = m_p;
    bool integral = true;
    if (m_p != m_end && *m_p == '.') {
        integral = false;
        ++m_p;
        if (m_p == m_end || !isDigit(*m_p))
            return fail("illegal number");
        while (m_p != m_end && isDigit(*m_p))
            ++m_p;
    }
    qint64 exponent = 0;
    if (m_p != m_end && (*m_p == 'e' || *m_p == 'E')) {
        integral = false;
        ++m_p;
        const bool negative = m_p != m_end && *m_p == '-';
        if (m_p != m_end && (*m_p == '+' || *m_p == '-'))
            ++m_p;
        if (m_p == m_end || !isDigit(*m_p))
            return fail("illegal number");
        for (; m_p != m_end && isDigit(*m_p); ++m_p)
            exponent = qMin<qint64>(exponent * 10 + (*m_p - '0'), 1 << 30);
        if (negative)
            exponent = -exponent;
    }
    if (!value)
        return true;

    // Integers stay integers while they fit (Qt's parser does the same), so
    // that ids beyond 2^53 survive exactly.
    if (integral) {
        qint64 n = 0;
        if (std::from_chars(first, m_p, n).ec == std::errc()) {
            *value = QJsonValue(n);
            return true;
        }
    }
    double d = 0;
    const auto result = std::from_chars(first, m_p, d);
    if (result.ec == std::errc::result_out_of_range) {
        // Too large or too small for a double. JavaScript reads the first as
        // Infinity, which JSON.stringify sends on as null, and the second as
        // 0. The order of magnitude tells them apart: the position of the
        // first significant digit relative to the point, plus the exponent.
        const char *p = digits;
        qint64 magnitude = integerEnd - digits;
        while (p != m_p && (*p == '0' || *p == '.')) {
            if (*p == '0')
                --magnitude;
            ++p;
        }
        if (magnitude + exponent > 0) {
            *value = QJsonValue(QJsonValue::Null);
            return true;
        }
        d = *first == '-' ? -0.0 : 0.0;
    } else if (result.ec != std::errc()) {
        return fail("illegal number");
    }
    *value = QJsonValue(d);
    return true;
}

bool JsonReader::readUtf8(QString *text)
{
    // One multi-byte UTF-8 sequence, strictly: no overlong forms, no
    // surrogates, nothing beyond U+10FFFF (what Qt's parser refuses too).
    const uchar lead = uchar(*m_p);
    int length = 0;
    char32_t code = 0;
    char32_t minimum = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2; code = lead & 0x1f; minimum = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3; code = lead & 0x0f; minimum = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4; code = lead & 0x07; minimum = 0x10000;
    } else {
        return fail("invalid UTF-8 string");
    }
    if (m_end - m_p < length)
        return fail("invalid UTF-8 string");
    for (int i = 1; i < length; ++i) {
        const uchar next = uchar(m_p[i]);
        if ((next & 0xc0) != 0x80)
            return fail("invalid UTF-8 string");
        code = (code << 6) | (next & 0x3f);
    }
    if (code < minimum || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return fail("invalid UTF-8 string");
    m_p += length;
    if (text)
        text->append(QChar::fromUcs4(code));
    return true;
}

bool JsonReader::readString(QString *text)
{
    ++m_p; // the opening quote
    for (;;) {
        const char *const plain = m_p;
        m_p = skipPlain(m_p, m_end);
        if (text && m_p != plain)
            text->append(QLatin1String(plain, m_p - plain));
        if (m_p == m_end)
            return fail("unterminated string");
        const char c = *m_p;
        if (c == '"') {
            ++m_p;
            return true;
        }
        if (uchar(c) < 0x20)
            return fail("illegal value");
        if (uchar(c) >= 0x80) {
            if (!readUtf8(text))
                return false;
            continue;
        }
        // A backslash.
        if (++m_p == m_end)
            return fail("illegal escape sequence");
        char16_t unit = 0;
        switch (*m_p++) {
        case '"': unit = '"'; break;
        case '\\': unit = '\\'; break;
        case '/': unit = '/'; break;
        case 'b': unit = '\b'; break;
        case 'f': unit = '\f'; break;
        case 'n': unit = '\n'; break;
        case 'r': unit = '\r'; break;
        case 't': unit = '\t'; break;
        case 'u':
            if (m_end - m_p < 4)
                return fail("illegal escape sequence");
            for (int i = 0; i < 4; ++i) {
                const int digit = hexValue(*m_p++);
                if (digit < 0)
                    return fail("illegal escape sequence");
                unit = char16_t((unit << 4) | digit);
            }
            break;
        default:
            return fail("illegal escape sequence");
        }
        if (text)
            text->append(QChar(unit));
    }
}

bool JsonReader::readArray(QJsonValue *value)
{
    if (++m_depth > NestingLimit)
        return fail("too deeply nested");
    ++m_p;
    QJsonArray array;
    if (!consume(']')) {
        do {
            QJsonValue element;
            if (!readValue(value ? &element : nullptr))
                return false;
            if (value)
                array.append(element);
        } while (consume(','));
        if (!consume(']'))
            return fail("missing value separator");
    }
    --m_depth;
    if (value)
        *value = array;
    return true;
}

bool JsonReader::readObject(QJsonValue *value)
{
    if (++m_depth > NestingLimit)
        return fail("too deeply nested");
    ++m_p;
    QJsonObject object;
    if (!consume('}')) {
        do {
            skipWhitespace();
            if (m_p == m_end || *m_p != '"')
                return fail("missing name");
            QString key;
            if (!readString(value ? &key : nullptr))
                return false;
            if (!consume(':'))
                return fail("missing name separator");
            QJsonValue member;
            if (!readValue(value ? &member : nullptr))
                return false;
            if (value)
                object.insert(key, member); // a repeated name: the last one counts, as in JavaScript
        } while (consume(','));
        if (!consume('}'))
            return fail("unterminated object");
    }
    --m_depth;
    if (value)
        *value = object;
    return true;
}

std::optional<QJsonValue> JsonReader::parse(QByteArrayView text, QString *error)
{
    JsonReader reader(text);
    QJsonValue value;
    if (!reader.readValue(&value) || (!reader.atEnd() && !reader.fail("garbage at the end of the document"))) {
        if (error)
            *error = reader.errorString();
        return std::nullopt;
    }
    return value;
}

bool JsonReader::isValid(QByteArrayView text, QString *error)
{
    JsonReader reader(text);
    if (!reader.skipValue() || (!reader.atEnd() && !reader.fail("garbage at the end of the document"))) {
        if (error)
            *error = reader.errorString();
        return false;
    }
    return true;
}

} // namespace Clustr::Protocol
