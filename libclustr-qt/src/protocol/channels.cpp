// SPDX-License-Identifier: MIT
#include "channels_p.h"

#include "base/decimal_p.h"

#include <QtCore/QByteArrayView>

namespace Clustr::Protocol {

namespace {

constexpr qsizetype MaxNameLength = 200;

QByteArray withNumber(const QByteArray &prefix, QByteArrayView name, qint64 number)
{
    // Digits written in place: QByteArray::number() would allocate a
    // temporary, and emitPrivate() builds a channel name for every message.
    char digits[24];
    char *const end = digits + sizeof(digits);
    const char *const first = writeDecimal(number, end);
    QByteArray channel;
    channel.reserve(prefix.size() + name.size() + (end - first));
    channel.append(prefix).append(name).append(first, end - first);
    return channel;
}

} // namespace

Channels::Channels(const QString &clusterNamespace)
    : m_namespace(clusterNamespace)
    , m_prefix(clusterNamespace.isEmpty() ? QByteArray() : clusterNamespace.toUtf8() + ':')
{
}

QByteArray Channels::publicChannel() const
{
    return m_prefix + "public";
}

QByteArray Channels::privateChannel(qint64 pid) const
{
    return withNumber(m_prefix, "private:", pid);
}

QByteArray Channels::groupChannel(const QString &group) const
{
    return m_prefix + "group:" + group.toUtf8();
}

QByteArray Channels::killChannel(qint64 pid) const
{
    return withNumber(m_prefix, "kill:", pid);
}

QByteArray Channels::confirmationChannel() const
{
    return m_prefix + "confirmation";
}

QByteArray Channels::clusterInfoChannel(qint64 pid) const
{
    return withNumber(m_prefix, "clusterInfo:", pid);
}

QByteArray Channels::registrationChannel(qint64 masterPid) const
{
    return withNumber(m_prefix, "registration:", masterPid);
}

QByteArray Channels::deregistrationChannel(qint64 masterPid) const
{
    return withNumber(m_prefix, "deregistration:", masterPid);
}

QByteArray Channels::heartbeatChannel(qint64 masterPid) const
{
    return withNumber(m_prefix, "heartbeat:", masterPid);
}

QByteArray Channels::samplingChannel(qint64 masterPid) const
{
    return withNumber(m_prefix, "sampling:", masterPid);
}

QByteArray Channels::eventsChannel(qint64 masterPid) const
{
    return withNumber(m_prefix, "events:", masterPid);
}

QByteArray Channels::controlChannel(qint64 masterPid) const
{
    return withNumber(m_prefix, "control:", masterPid);
}

QByteArray Channels::masterKey() const
{
    return m_prefix + QByteArrayLiteral("clustr:master");
}

QByteArray Channels::statusKey() const
{
    return m_prefix + QByteArrayLiteral("clustr:status");
}

namespace {

// A namespace may hold any printable character; in a glob, *, ?, [, ] and \ are special.
QByteArray escapedForGlob(const QByteArray &text)
{
    QByteArray out;
    out.reserve(text.size());
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

} // namespace

QByteArrayList Channels::messageChannelPatterns() const
{
    const QByteArray p = escapedForGlob(m_prefix);
    return {p + "public", p + "private:*", p + "group:*", p + "kill:*", p + "confirmation", p + "clusterInfo:*",
            p + "registration:*", p + "deregistration:*", p + "heartbeat:*", p + "sampling:*"};
}

QByteArray Channels::allChannelsPattern() const
{
    return escapedForGlob(m_prefix) + '*';
}

QByteArray Channels::samplingChannelPattern() const
{
    return escapedForGlob(m_prefix) + "sampling:*";
}

QByteArray Channels::keyPattern() const
{
    return escapedForGlob(m_prefix) + "clustr:*";
}

QByteArray Channels::lockKey() const
{
    return m_prefix + QByteArrayLiteral("clustr:lock");
}

ChannelKind Channels::kindOf(const QByteArray &channel) const
{
    // Called for every received message: compares bytes in place, no allocation.
    using Kind = ChannelKind;
    QByteArrayView rest(channel);
    if (!m_prefix.isEmpty()) {
        if (!rest.startsWith(m_prefix))
            return Kind::Unknown;
        rest = rest.sliced(m_prefix.size());
    }
    const qsizetype colon = rest.indexOf(':');
    if (colon < 0) {
        if (rest == QByteArrayView("public"))
            return Kind::Public;
        if (rest == QByteArrayView("confirmation"))
            return Kind::Confirmation;
        return Kind::Unknown;
    }
    const QByteArrayView head = rest.first(colon);
    const QByteArrayView argument = rest.sliced(colon + 1);
    if (head == QByteArrayView("group"))
        return argument.isEmpty() ? Kind::Unknown : Kind::Group;

    // Every other channel with an argument names a process: anything but a
    // pid after the colon is not a channel of the protocol.
    if (!isDecimal(argument))
        return Kind::Unknown;
    if (head == QByteArrayView("private"))
        return Kind::Private;
    if (head == QByteArrayView("kill"))
        return Kind::Kill;
    if (head == QByteArrayView("clusterInfo"))
        return Kind::ClusterInfo;
    if (head == QByteArrayView("registration"))
        return Kind::Registration;
    if (head == QByteArrayView("deregistration"))
        return Kind::Deregistration;
    if (head == QByteArrayView("heartbeat"))
        return Kind::Heartbeat;
    if (head == QByteArrayView("sampling"))
        return Kind::Sampling;
    if (head == QByteArrayView("events"))
        return Kind::Event;
    if (head == QByteArrayView("control"))
        return Kind::Control;
    return Kind::Unknown;
}

QString Channels::withoutPrefix(const QByteArray &channel) const
{
    if (!m_prefix.isEmpty() && channel.startsWith(m_prefix))
        return QString::fromUtf8(QByteArrayView(channel).sliced(m_prefix.size()));
    return QString::fromUtf8(channel);
}

bool Channels::isValidName(const QString &name)
{
    if (name.isEmpty() || name.size() > MaxNameLength)
        return false;
    for (QChar c : name) {
        // ASCII by hand: QChar::category() reads Qt's Unicode tables, 128 KiB
        // more of every process' memory for names that are nearly always ASCII.
        const char16_t u = c.unicode();
        if (u < 0x80 ? (u <= 0x20 || u == 0x7f) : (c.isSpace() || c.category() == QChar::Other_Control))
            return false;
    }
    return true;
}

} // namespace Clustr::Protocol

bool Clustr::isValidName(const QString &name)
{
    return Protocol::Channels::isValidName(name);
}
