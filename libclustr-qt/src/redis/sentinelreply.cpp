// SPDX-License-Identifier: MIT
#include "sentinelreply_p.h"

#include "base/decimal_p.h"

namespace Clustr {

namespace {

// Enough for any host name (253) or address; a longer "host" is not one.
constexpr qsizetype MaxHostLength = 255;

// Shown in reasons: a hostile reply may be long or binary.
QString quoted(const QByteArray &bytes)
{
    constexpr qsizetype Shown = 40;
    QString text = QString::fromLatin1(bytes.left(Shown).toPercentEncoding(":.-_[]"));
    if (bytes.size() > Shown)
        text += QStringLiteral("…");
    return u'"' + text + u'"';
}

} // namespace

std::optional<RedisUrl::Address> SentinelReply::masterAddress(const RedisReply &reply, const QString &masterName,
                                                              QString *why)
{
    using Type = RedisReply::Type;
    if (reply.isNil() || (reply.type == Type::Array && reply.elements.isEmpty())) {
        *why = QStringLiteral("does not know a master named %1").arg(masterName);
        return std::nullopt;
    }
    if (reply.isError()) {
        *why = QStringLiteral("refused: %1").arg(QString::fromUtf8(reply.string.left(200)));
        return std::nullopt;
    }
    if (reply.type != Type::Array || reply.elements.size() != 2 || reply.elements[0].type != Type::String
        || reply.elements[1].type != Type::String) {
        *why = QStringLiteral("answered something else than a host and a port");
        return std::nullopt;
    }
    const QByteArray &host = reply.elements[0].string;
    const QByteArray &port = reply.elements[1].string;
    // An IPv6 address comes without brackets; anything not ASCII is no host.
    const QString hostText = QString::fromLatin1(host);
    if (host.isEmpty() || host.size() > MaxHostLength || !RedisUrl::isValidHost(hostText)) {
        *why = QStringLiteral("gave a bad host %1").arg(quoted(host));
        return std::nullopt;
    }
    // Digits only: toInt() alone would take a sign and spaces.
    const int number = isDecimal(port) && port.size() <= 5 ? port.toInt() : 0;
    if (number <= 0 || number > 65535) {
        *why = QStringLiteral("gave a bad port %1").arg(quoted(port));
        return std::nullopt;
    }
    return RedisUrl::Address{hostText.toLower(), number};
}

QByteArray SentinelReply::role(const RedisReply &reply)
{
    if (reply.type != RedisReply::Type::Array || reply.elements.isEmpty()
        || reply.elements.constFirst().type != RedisReply::Type::String)
        return QByteArray();
    return reply.elements.constFirst().string;
}

} // namespace Clustr
