// SPDX-License-Identifier: MIT
#include "codec_p.h"

#include "base/decimal_p.h"
#include "jsonreader_p.h"
#include "jsonwriter_p.h"

#include <ClustrQt/json.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>

#include <algorithm>
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

// Everything of a payload before its data: {"meta":{"pid":N,"group":"G"},"data":
void appendEnvelopeStart(QByteArray &out, qint64 pid, const QString &group, const QString &host)
{
    out += "{\"meta\":{\"pid\":";
    JsonWriter::appendInteger(out, pid);
    out += ",\"group\":";
    JsonWriter::appendString(out, group);
    if (!host.isEmpty()) {
        out += ",\"host\":";
        JsonWriter::appendString(out, host);
    }
    out += "},\"data\":";
}

// decode() for the form clustr-qt itself writes, by hand:
// {"meta":{"pid":<1..2^53>,"group":"<text>"},"data":<any JSON>}, or with
// ,"host":"<text>" after the group (a cluster across hosts), without
// whitespace in the envelope, where <text> is printable ASCII without escapes.
// Building a tree of the whole payload made decoding most of a message's
// cost; this reads the envelope in one pass and only checks the data, whose
// bytes the message keeps (parsed if someone reads them).
// Anything else (escapes, UTF-8 or whitespace in the envelope, other key
// orders, extra keys, invalid JSON) returns false and takes the general
// path, so what is accepted, and what it decodes to, is the same.
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
    // Digits without a leading zero (JSON has none), at most 16 of them.
    auto integer = [&p, end](qint64 *value) {
        constexpr int MaxDigits = 16;
        const char *const first = p;
        if (p == end || *p < '0' || *p > '9')
            return false;
        qint64 n = 0;
        while (p != end && *p >= '0' && *p <= '9' && p - first < MaxDigits + 1)
            n = n * 10 + (*p++ - '0');
        if (p - first > MaxDigits || (*first == '0' && p - first > 1))
            return false;
        *value = n;
        return true;
    };

    qint64 pid = 0;
    if (!skip("{\"meta\":{\"pid\":") || !integer(&pid) || pid < 1 || pid > MaxSafeInteger
        || !skip(",\"group\":\""))
        return false;
    const char *const groupBegin = p;
    p = JsonReader::skipPlain(p, end);
    if (p == end || *p != '"')
        return false;
    const QLatin1String group(groupBegin, p - groupBegin);
    ++p;
    QLatin1String host;
    if (skip(",\"host\":\"")) {
        const char *const hostBegin = p;
        p = JsonReader::skipPlain(p, end);
        if (p == end || *p != '"')
            return false;
        host = QLatin1String(hostBegin, p - hostBegin);
        ++p;
    }
    if (!skip("},\"data\":") || p == end || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        return false;
    const char *const dataBegin = p;
    QByteArrayView data;
    if (*p == '"') {
        // A plain string, the most common data, without the reader.
        p = JsonReader::skipPlain(p + 1, end);
        if (p == end || *p != '"')
            return false;
        ++p;
    } else {
        JsonReader reader(QByteArrayView(p, end - p));
        if (!reader.skipValue())
            return false;
        p = reader.position();
    }
    data = QByteArrayView(dataBegin, p - dataBegin);
    if (!skip("}") || p != end)
        return false;
    // A process hears from few groups (and hosts), mostly the same one many
    // times in a row: the last one's text is shared rather than allocated again.
    const auto shareLast = [](QString &last, QLatin1String text) -> const QString & {
        if (last.isNull() || last != text)
            last = text;
        return last;
    };
    thread_local QString lastGroup;
    thread_local QString lastHost;
    decoded->pid = pid;
    decoded->group = shareLast(lastGroup, group);
    if (!host.isEmpty())
        decoded->host = shareLast(lastHost, host);
    decoded->data = data.toByteArray();
    return true;
}

} // namespace

QByteArray Codec::toJsonBytes(const QJsonValue &value)
{
    QByteArray out;
    JsonWriter::appendValue(out, value);
    return out;
}

std::optional<QJsonValue> Codec::parseValue(QByteArrayView json, QString *error)
{
    QString reason;
    auto value = JsonReader::parse(json, &reason);
    if (!value)
        setError(error, QStringLiteral("not valid JSON: %1").arg(reason));
    return value;
}

QByteArray Codec::envelopePrefix(qint64 pid, const QString &group, const QString &host)
{
    QByteArray out;
    appendEnvelopeStart(out, pid, group, host);
    return out;
}

QByteArray Codec::encode(const QByteArray &prefix, const QJsonValue &data)
{
    // Written by hand, not through a QJsonObject: this runs once per emit and
    // building and serialising a document would cost several allocations.
    // One allocation for the bytes (and, for string data, the copy
    // QJsonValue::toString() hands out, taken once): the reserve covers the
    // prefix and ASCII text.
    const bool isString = data.isString();
    const QString text = isString ? data.toString() : QString();
    QByteArray out;
    out.reserve(prefix.size() + 1 + (isString ? text.size() + 2 : 16));
    out += prefix;
    if (isString)
        JsonWriter::appendString(out, text);
    else
        JsonWriter::appendValue(out, data);
    out += '}';
    return out;
}

QByteArray Codec::encodeJson(const QByteArray &prefix, QByteArrayView dataJson)
{
    QByteArray out;
    out.reserve(prefix.size() + dataJson.size() + 1);
    out += prefix;
    out += dataJson;
    out += '}';
    return out;
}

QByteArray Codec::encode(qint64 pid, const QString &group, const QJsonValue &data)
{
    return encode(envelopePrefix(pid, group), data);
}

QByteArray Codec::encodeJson(qint64 pid, const QString &group, QByteArrayView dataJson)
{
    return encodeJson(envelopePrefix(pid, group), dataJson);
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
    // The general path: the envelope's members in any order and spelling.
    // Only `meta` is built into a value; `data` is checked and its bytes
    // kept as they came (a repeated name: the last one counts, as in
    // JavaScript).
    JsonReader reader(payload);
    QJsonValue meta(QJsonValue::Undefined);
    QByteArrayView data("null");
    bool isObject = false;
    auto members = [&] {
        reader.skipWhitespace();
        isObject = reader.consume('{');
        if (!isObject)
            return reader.skipValue() && (reader.atEnd() || reader.fail("garbage at the end of the document"));
        if (reader.consume('}'))
            return reader.atEnd() || reader.fail("garbage at the end of the document");
        do {
            reader.skipWhitespace();
            QString name;
            if (reader.atEnd() || *reader.position() != '"')
                return reader.fail("missing name");
            if (!reader.readString(&name))
                return false;
            if (!reader.consume(':'))
                return reader.fail("missing name separator");
            reader.skipWhitespace();
            const char *const first = reader.position();
            if (name == QLatin1String("meta")) {
                if (!reader.readValue(&meta))
                    return false;
            } else if (!reader.skipValue()) {
                return false;
            } else if (name == QLatin1String("data")) {
                data = QByteArrayView(first, reader.position() - first);
            }
        } while (reader.consume(','));
        if (!reader.consume('}'))
            return reader.fail("unterminated object");
        return reader.atEnd() || reader.fail("garbage at the end of the document");
    };
    if (!members()) {
        setError(error, QStringLiteral("payload is not valid JSON: %1").arg(reader.errorString()));
        return std::nullopt;
    }
    if (!isObject) {
        setError(error, QStringLiteral("payload is not a JSON object"));
        return std::nullopt;
    }
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
    if (const QJsonValue hostValue = metaObject.value(QLatin1String("host")); hostValue.isString())
        decoded.host = hostValue.toString();
    decoded.data = data.toByteArray();
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

QByteArray Codec::clusterInfoJson(const QStringList &groups, const ClusterInfo &info)
{
    // JavaScript orders an object's keys that are array indices (canonical
    // decimal numbers below 2^32 - 1) numerically, before all others.
    auto arrayIndex = [](const QString &name) -> std::optional<quint32> {
        if (name.isEmpty() || name.size() > 10 || !isDecimal(name) || (name.size() > 1 && name.front() == u'0'))
            return std::nullopt;
        const qint64 n = name.toLongLong();
        return n < Q_INT64_C(4294967295) ? std::optional<quint32>(quint32(n)) : std::nullopt;
    };
    QList<std::pair<quint32, QString>> indices;
    QStringList names;
    for (const QString &group : groups) {
        if (const auto index = arrayIndex(group))
            indices.append({*index, group});
        else
            names.append(group);
    }
    std::sort(indices.begin(), indices.end());
    QStringList ordered;
    for (const auto &index : indices)
        ordered.append(index.second);
    ordered += names;

    QByteArray out = "{";
    for (const QString &group : ordered) {
        if (out.size() > 1)
            out += ',';
        JsonWriter::appendString(out, group);
        out += ":[";
        const QList<qint64> pids = info.value(group);
        for (qsizetype i = 0; i < pids.size(); ++i) {
            if (i > 0)
                out += ',';
            JsonWriter::appendInteger(out, pids.at(i));
        }
        out += ']';
    }
    out += '}';
    return out;
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

QByteArray Clustr::jsonOrString(const QString &text)
{
    const QByteArray utf8 = text.toUtf8().trimmed();
    if (parseJson(utf8))
        return utf8;
    return toJson(text);
}
