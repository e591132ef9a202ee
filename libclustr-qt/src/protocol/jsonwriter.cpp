// SPDX-License-Identifier: MIT
#include "jsonwriter_p.h"

#include "jsonreader_p.h"

#include "base/decimal_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QVariant>

#include <charconv>
#include <cmath>

namespace Clustr::Protocol {

namespace {

char hexDigit(uint value)
{
    return char(value < 10 ? '0' + value : 'a' + value - 10);
}

void appendUnicodeEscape(QByteArray &out, char16_t unit)
{
    const char escape[] = {'\\', 'u', hexDigit((unit >> 12) & 0xf), hexDigit((unit >> 8) & 0xf),
                           hexDigit((unit >> 4) & 0xf), hexDigit(unit & 0xf)};
    out.append(escape, sizeof(escape));
}

void appendUtf8(QByteArray &out, char32_t ucs4)
{
    if (ucs4 < 0x800) {
        out += char(0xc0 | (ucs4 >> 6));
    } else if (ucs4 < 0x10000) {
        out += char(0xe0 | (ucs4 >> 12));
        out += char(0x80 | ((ucs4 >> 6) & 0x3f));
    } else {
        out += char(0xf0 | (ucs4 >> 18));
        out += char(0x80 | ((ucs4 >> 12) & 0x3f));
        out += char(0x80 | ((ucs4 >> 6) & 0x3f));
    }
    out += char(0x80 | (ucs4 & 0x3f));
}

bool isPlainAscii(char16_t unit)
{
    return unit < 0x80 && JsonReader::PlainByte[unit];
}

} // namespace

// Escapes like JSON.stringify (and Qt's own JSON writer, so both halves of a
// payload look alike): short escapes where JSON has them, \u00XX for other
// control characters, UTF-8 for the rest, and \uXXXX for lone surrogates,
// which have no UTF-8 form.
void JsonWriter::appendString(QByteArray &out, QStringView text)
{
    out += '"';
    const char16_t *it = text.utf16();
    const char16_t *const end = it + text.size();
    while (it != end) {
        // Characters that need no escape (all of a typical string) are
        // copied in one pass into room made for the rest of the text:
        // appending them one by one cost a call and a capacity check each,
        // which made this loop the encoder's hot spot.
        const qsizetype at = out.size();
        out.resize(at + (end - it));
        char *const first = out.data() + at;
        char *to = first;
        while (it != end && isPlainAscii(*it))
            *to++ = char(*it++);
        out.resize(at + (to - first));
        if (it == end)
            break;
        const char16_t unit = *it++;
        switch (unit) {
        case '"': out += "\\\""; continue;
        case '\\': out += "\\\\"; continue;
        case '\b': out += "\\b"; continue;
        case '\f': out += "\\f"; continue;
        case '\n': out += "\\n"; continue;
        case '\r': out += "\\r"; continue;
        case '\t': out += "\\t"; continue;
        default: break;
        }
        if (unit < 0x20) {
            appendUnicodeEscape(out, unit);
        } else if (QChar::isHighSurrogate(unit) && it != end && QChar::isLowSurrogate(*it)) {
            appendUtf8(out, QChar::surrogateToUcs4(unit, *it++));
        } else if (QChar::isSurrogate(unit)) {
            appendUnicodeEscape(out, unit);
        } else {
            appendUtf8(out, unit);
        }
    }
    out += '"';
}

// Decimal digits written in place: QByteArray::number() would allocate a
// temporary for every message.
void JsonWriter::appendInteger(QByteArray &out, qint64 value)
{
    char digits[24];
    char *const end = digits + sizeof(digits);
    const char *const first = writeDecimal(value, end);
    out.append(first, end - first);
}

// ECMAScript's Number::toString: the shortest digits s (k of them) with
// s x 10^(n-k) == value, then, by the decimal exponent n, plain digits with
// zeros (k <= n <= 21), a point inside (0 < n <= 21), "0." and zeros
// (-6 < n <= 0), or d.ddde+-x. std::to_chars gives the shortest digits.
void JsonWriter::appendDouble(QByteArray &out, double value)
{
    if (!std::isfinite(value)) {
        out += "null"; // what JSON.stringify writes for NaN and infinities
        return;
    }
    if (value == 0) {
        out += '0'; // -0 too
        return;
    }
    if (value < 0) {
        out += '-';
        value = -value;
    }
    char scientific[32];
    const auto result = std::to_chars(scientific, scientific + sizeof(scientific), value,
                                      std::chars_format::scientific);
    char digits[20];
    int k = 0;
    const char *p = scientific;
    for (; p != result.ptr && *p != 'e'; ++p) {
        if (*p != '.')
            digits[k++] = *p;
    }
    int exponent = 0;
    std::from_chars(p + (p[1] == '+' ? 2 : 1), result.ptr, exponent);
    const int n = exponent + 1;
    if (k <= n && n <= 21) {
        out.append(digits, k);
        out.append(n - k, '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, n);
        out += '.';
        out.append(digits + n, k - n);
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(-n, '0');
        out.append(digits, k);
    } else {
        out += digits[0];
        if (k > 1) {
            out += '.';
            out.append(digits + 1, k - 1);
        }
        out += n - 1 < 0 ? "e-" : "e+";
        appendInteger(out, std::abs(n - 1));
    }
}

namespace {

void appendNumber(QByteArray &out, const QJsonValue &value)
{
    const double d = value.toDouble();
    // An integer below 2^53 is written alike either way; above it, one held
    // as an integer keeps all its digits (the only reason to hold it so).
    if (std::abs(d) >= 9007199254740992.0 && d < 9223372036854775808.0
        && value.toVariant().typeId() == QMetaType::LongLong) {
        JsonWriter::appendInteger(out, value.toInteger());
        return;
    }
    if (d == std::trunc(d) && std::abs(d) < 9007199254740992.0) {
        JsonWriter::appendInteger(out, qint64(d)); // the common case, without to_chars
        return;
    }
    JsonWriter::appendDouble(out, d);
}

} // namespace

// Arrays and objects by hand rather than through QJsonDocument, whose
// writer spells numbers its own way (1e-07, 1e+19).
void JsonWriter::appendValue(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        break;
    case QJsonValue::Double:
        appendNumber(out, value);
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        out += '[';
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i > 0)
                out += ',';
            appendValue(out, array.at(i));
        }
        out += ']';
        break;
    }
    case QJsonValue::Object: {
        const QJsonObject object = value.toObject();
        out += '{';
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            if (it != object.constBegin())
                out += ',';
            appendString(out, it.key());
            out += ':';
            appendValue(out, it.value());
        }
        out += '}';
        break;
    }
    }
}

} // namespace Clustr::Protocol
