// SPDX-License-Identifier: MIT
#include "codec_p.h"

#include "base/decimal_p.h"

#include <ClustrQt/json.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonParseError>
#include <QtCore/QLocale>

#include <array>
#include <cmath>
#include <cstring>

namespace Clustr::Protocol {

namespace {

// Largest integer a JavaScript number (clustr-node's pids) holds exactly.
constexpr qint64 MaxSafeInteger = Q_INT64_C(9007199254740992);

void setError(QString *error, const QString &reason)
{
    if (error)
        *error = reason;
}

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

// The bytes a JSON string holds as they are: printable ASCII (DEL included)
// but '"' and '\\'. One lookup per character in the loops that run over
// whole strings, when encoding and when decoding.
constexpr std::array<bool, 256> PlainByte = [] {
    std::array<bool, 256> table{};
    for (int c = 0x20; c < 0x80; ++c)
        table[size_t(c)] = c != '"' && c != '\\';
    return table;
}();

bool isPlainAscii(char16_t unit)
{
    return unit < 0x80 && PlainByte[unit];
}

// The first byte of [p, end) that is not plain (see PlainByte), or end.
// Eight bytes at a time while it can (SWAR): strings are most of a payload,
// and a word at a time is several times faster than a byte at a time.
const char *skipPlain(const char *p, const char *end)
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

// Escapes like JSON.stringify (and Qt's own JSON writer, so both halves of a
// payload look alike): short escapes where JSON has them, \u00XX for other
// control characters, UTF-8 for the rest, and \uXXXX for lone surrogates,
// which have no UTF-8 form.
void appendString(QByteArray &out, QStringView text)
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
void appendInteger(QByteArray &out, qint64 value)
{
    char digits[24];
    char *const end = digits + sizeof(digits);
    char *first = end;
    quint64 magnitude = value < 0 ? 0 - quint64(value) : quint64(value);
    do {
        *--first = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0)
        *--first = '-';
    out.append(first, end - first);
}

void appendNumber(QByteArray &out, const QJsonValue &value)
{
    const double d = value.toDouble();
    if (!std::isfinite(d)) {
        out += "null"; // what JSON.stringify writes for NaN and infinities
        return;
    }
    // Integral values without a fraction, like JSON.stringify; toInteger()
    // keeps integers beyond 2^53 that were parsed or built as integers exact.
    if (d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        appendInteger(out, value.toInteger(qint64(d)));
        return;
    }
    out += QByteArray::number(d, 'g', QLocale::FloatingPointShortest);
}

void appendValue(QByteArray &out, const QJsonValue &value)
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
    case QJsonValue::Array:
        out += QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
        break;
    case QJsonValue::Object:
        out += QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
        break;
    }
}

// A pid as clustr-node and its clients write it: a number, or (since its
// README asks for string meta items) a string of decimal digits.
qint64 toPid(const QJsonValue &value)
{
    qint64 pid = 0;
    if (value.isDouble()) {
        pid = value.toInteger(0);
    } else if (value.isString()) {
        const QString text = value.toString();
        // 16 digits hold 2^53; longer strings need not be converted at all.
        if (text.size() <= 16 && isDecimal(text))
            pid = text.toLongLong();
    }
    return pid >= 1 && pid <= MaxSafeInteger ? pid : 0;
}

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("the number %1").arg(value.toDouble());
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

// decode() for the one form clustr-qt itself writes, by hand:
// {"meta":{"pid":<1..2^53>,"group":"<text>"},"data":<text|integer|true|false|null>}
// without whitespace, where <text> is printable ASCII without escapes and an
// integer has at most 15 digits. QJsonDocument builds a CBOR tree of the
// whole payload, which made it most of a message's cost; this reads the
// envelope in one pass. Anything else (objects, arrays, fractions, escapes,
// UTF-8, other key orders, extra keys, invalid JSON) returns false and takes
// the general path, so what is accepted, and what it decodes to, is the same.
bool decodeCanonical(QByteArrayView payload, Codec::Decoded *decoded)
{
    const char *p = payload.data();
    const char *const end = p + payload.size();
    auto skip = [&p, end](QByteArrayView text) {
        if (end - p < text.size() || std::memcmp(p, text.data(), size_t(text.size())) != 0)
            return false;
        p += text.size();
        return true;
    };
    // The text of a string whose opening quote was read.
    auto plainString = [&p, end](QLatin1String *text) {
        const char *const first = p;
        p = skipPlain(p, end);
        if (p == end || *p != '"')
            return false;
        *text = QLatin1String(first, p - first);
        ++p;
        return true;
    };
    // Digits without a leading zero (JSON has none), at most maxDigits of them.
    auto integer = [&p, end](int maxDigits, qint64 *value) {
        const char *const first = p;
        if (p == end || *p < '0' || *p > '9')
            return false;
        qint64 n = 0;
        while (p != end && *p >= '0' && *p <= '9' && p - first < maxDigits + 1)
            n = n * 10 + (*p++ - '0');
        if (p - first > maxDigits || (*first == '0' && p - first > 1))
            return false;
        *value = n;
        return true;
    };

    qint64 pid = 0;
    QLatin1String group;
    if (!skip("{\"meta\":{\"pid\":") || !integer(16, &pid) || pid < 1 || pid > MaxSafeInteger
        || !skip(",\"group\":\"") || !plainString(&group) || !skip("},\"data\":") || p == end)
        return false;
    QJsonValue data;
    if (*p == '"') {
        ++p;
        QLatin1String text;
        if (!plainString(&text))
            return false;
        data = QJsonValue(text);
    } else if (skip("true")) {
        data = QJsonValue(true);
    } else if (skip("false")) {
        data = QJsonValue(false);
    } else if (skip("null")) {
        data = QJsonValue(QJsonValue::Null);
    } else {
        // 15 digits stay exact in a double; QJsonDocument reads such a
        // number as an integer too. "-0" is left to it.
        const bool negative = *p == '-';
        if (negative)
            ++p;
        qint64 n = 0;
        if (!integer(15, &n) || (negative && n == 0))
            return false;
        data = QJsonValue(negative ? -n : n);
    }
    if (!skip("}") || p != end)
        return false;
    // A process hears from few groups, mostly the same one many times in a
    // row: the last one's text is shared rather than allocated again.
    thread_local QString lastGroup;
    if (lastGroup.isNull() || lastGroup != group)
        lastGroup = group;
    decoded->pid = pid;
    decoded->group = lastGroup;
    decoded->data = std::move(data);
    return true;
}

} // namespace

QByteArray Codec::toJsonBytes(const QJsonValue &value)
{
    QByteArray out;
    appendValue(out, value);
    return out;
}

std::optional<QJsonValue> Codec::parseValue(const QByteArray &json, QString *error)
{
    // QJsonDocument only parses arrays and objects; wrapping the text in one
    // lets it parse scalars too.
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray('[' + json + ']'), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        const int offset = qBound(0, parseError.offset - 1, int(json.size()));
        setError(error, QStringLiteral("not valid JSON: %1 at offset %2")
                            .arg(parseError.errorString())
                            .arg(offset));
        return std::nullopt;
    }
    const QJsonArray array = document.array();
    if (array.size() != 1) {
        // e.g. `1,2` or an empty text
        setError(error, QStringLiteral("not one JSON value"));
        return std::nullopt;
    }
    return array.first();
}

QByteArray Codec::encode(qint64 pid, const QString &group, const QJsonValue &data)
{
    // Written by hand, not through a QJsonObject: this runs once per emit and
    // building and serialising a document would cost several allocations.
    // One allocation for the bytes (and, for string data, the copy
    // QJsonValue::toString() hands out, taken once): the reserve covers the
    // fixed parts (36 bytes), a pid of up to 20 characters and ASCII text.
    const bool isString = data.isString();
    const QString text = isString ? data.toString() : QString();
    QByteArray out;
    out.reserve(56 + group.size() + 2 + (isString ? text.size() + 2 : 16));
    out += "{\"meta\":{\"pid\":";
    appendInteger(out, pid);
    out += ",\"group\":";
    appendString(out, group);
    out += "},\"data\":";
    if (isString)
        appendString(out, text);
    else
        appendValue(out, data);
    out += '}';
    return out;
}

QString Codec::oversizedReason(qsizetype size, qsizetype maxSize)
{
    return QStringLiteral("payload of %1 bytes exceeds the limit of %2 bytes").arg(size).arg(maxSize);
}

std::optional<Codec::Decoded> Codec::decode(const QByteArray &payload, qsizetype maxSize,
                                            QString *error)
{
    if (payload.size() > maxSize) {
        setError(error, oversizedReason(payload.size(), maxSize));
        return std::nullopt;
    }
    if (Decoded decoded; decodeCanonical(payload, &decoded))
        return decoded;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(payload, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        setError(error, QStringLiteral("payload is not valid JSON: %1 at offset %2")
                            .arg(parseError.errorString())
                            .arg(parseError.offset));
        return std::nullopt;
    }
    if (!document.isObject()) {
        setError(error, QStringLiteral("payload is not a JSON object"));
        return std::nullopt;
    }
    const QJsonObject object = document.object();
    const QJsonValue meta = object.value(QLatin1String("meta"));
    if (!meta.isObject()) {
        setError(error, meta.isUndefined() ? QStringLiteral("meta is missing")
                                           : QStringLiteral("meta is %1, not an object").arg(typeName(meta)));
        return std::nullopt;
    }
    const QJsonObject metaObject = meta.toObject();
    const QJsonValue pidValue = metaObject.value(QLatin1String("pid"));
    Decoded decoded;
    decoded.pid = toPid(pidValue);
    if (decoded.pid == 0) {
        setError(error, pidValue.isUndefined()
                            ? QStringLiteral("meta.pid is missing")
                            : QStringLiteral("meta.pid is %1, not an integer between 1 and 2^53")
                                  .arg(typeName(pidValue)));
        return std::nullopt;
    }
    const QJsonValue groupValue = metaObject.value(QLatin1String("group"));
    if (!groupValue.isString()) {
        setError(error, groupValue.isUndefined()
                            ? QStringLiteral("meta.group is missing")
                            : QStringLiteral("meta.group is %1, not a string").arg(typeName(groupValue)));
        return std::nullopt;
    }
    decoded.group = groupValue.toString();
    decoded.data = object.value(QLatin1String("data"));
    if (decoded.data.isUndefined())
        decoded.data = QJsonValue(QJsonValue::Null);
    return decoded;
}

std::optional<int> Codec::exitCode(const QJsonValue &data, QString *error)
{
    qint64 code = -1;
    if (data.isDouble()) {
        code = data.toInteger(-1);
    } else if (data.isString()) {
        const QString text = data.toString();
        if (text.size() <= 3 && isDecimal(text))
            code = text.toInt();
    }
    if (code < 0 || code > 255) {
        setError(error, QStringLiteral("exit code is %1, not an integer between 0 and 255")
                            .arg(typeName(data)));
        return std::nullopt;
    }
    return int(code);
}

std::optional<ClusterInfo> Codec::clusterInfo(const QJsonValue &data, QString *error)
{
    if (!data.isObject()) {
        setError(error, QStringLiteral("cluster info is %1, not an object").arg(typeName(data)));
        return std::nullopt;
    }
    const QJsonObject object = data.toObject();
    ClusterInfo info;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!it.value().isArray()) {
            setError(error, QStringLiteral("cluster info of group \"%1\" is %2, not an array")
                                .arg(it.key(), typeName(it.value())));
            return std::nullopt;
        }
        const QJsonArray array = it.value().toArray();
        QList<qint64> &pids = info[it.key()];
        pids.reserve(array.size());
        for (const QJsonValue &value : array) {
            const qint64 pid = toPid(value);
            if (pid == 0) {
                setError(error, QStringLiteral("cluster info of group \"%1\" holds %2, not a pid")
                                    .arg(it.key(), typeName(value)));
                return std::nullopt;
            }
            pids.append(pid);
        }
    }
    return info;
}

QJsonValue Codec::toJson(const ClusterInfo &info)
{
    QJsonObject object;
    for (auto it = info.constBegin(); it != info.constEnd(); ++it) {
        QJsonArray pids;
        for (qint64 pid : it.value())
            pids.append(pid);
        object.insert(it.key(), pids);
    }
    return object;
}

} // namespace Clustr::Protocol

std::optional<QJsonValue> Clustr::parseJson(const QByteArray &text, QString *error)
{
    return Protocol::Codec::parseValue(text, error);
}

QByteArray Clustr::toJson(const QJsonValue &value)
{
    return Protocol::Codec::toJsonBytes(value);
}
