// SPDX-License-Identifier: MIT
#include "channels_p.h"

#include "base/decimal_p.h"

#include <QtCore/QByteArrayView>

namespace Clustr::Protocol {

namespace {

constexpr qsizetype MaxNameLength = 200;

constexpr qsizetype MaxHostNameLength = 253;

} // namespace

Channels::Channels(const QString &clusterNamespace, const QString &host)
    : m_namespace(clusterNamespace)
    , m_host(clusterNamespace.isEmpty() ? QString() : host)
    , m_prefix(clusterNamespace.isEmpty() ? QByteArray() : clusterNamespace.toUtf8() + ':')
    , m_qualifier(m_host.isEmpty() ? QByteArray() : '@' + m_host.toUtf8() + ':')
{
}

QByteArray Channels::withProcess(QByteArrayView name, qint64 pid, bool inbox) const
{
    // Digits written in place: QByteArray::number() would allocate a
    // temporary, and emitPrivate() builds a channel name for every message.
    char digits[24];
    char *const end = digits + sizeof(digits);
    const char *const first = writeDecimal(pid, end);
    QByteArray channel;
    const bool tagged = inbox && m_sharded;
    channel.reserve(m_prefix.size() + name.size() + m_qualifier.size() + (end - first) + (tagged ? 2 : 0));
    channel.append(m_prefix).append(name);
    if (tagged)
        channel.append('{');
    channel.append(m_qualifier).append(first, end - first);
    if (tagged)
        channel.append('}');
    return channel;
}

Channels Channels::withShardedInboxes(bool sharded) const
{
    Channels copy(*this);
    copy.m_sharded = sharded;
    return copy;
}

Channels Channels::withHashTaggedKeys(bool tagged) const
{
    Channels copy(*this);
    copy.m_hashTagged = tagged;
    return copy;
}

QByteArray Channels::keyHead() const
{
    return m_hashTagged ? '{' + m_prefix + "clustr}:" : m_prefix + "clustr:";
}

QByteArray Channels::key(QByteArrayView name) const
{
    return keyHead() + m_qualifier + name.toByteArray();
}

QByteArray Channels::publicChannel() const
{
    return m_prefix + "public";
}

QByteArray Channels::privateChannel(qint64 pid) const
{
    return withProcess("private:", pid, true);
}

QByteArray Channels::groupChannel(const QString &group) const
{
    return m_prefix + "group:" + group.toUtf8();
}

QByteArray Channels::killChannel(qint64 pid) const
{
    return withProcess("kill:", pid, true);
}

QByteArray Channels::confirmationChannel() const
{
    return m_prefix + "confirmation";
}

QByteArray Channels::clusterInfoChannel(qint64 pid) const
{
    return withProcess("clusterInfo:", pid, true);
}

QByteArray Channels::registrationChannel(qint64 masterPid) const
{
    return withProcess("registration:", masterPid);
}

QByteArray Channels::deregistrationChannel(qint64 masterPid) const
{
    return withProcess("deregistration:", masterPid);
}

QByteArray Channels::heartbeatChannel(qint64 masterPid) const
{
    return withProcess("heartbeat:", masterPid);
}

QByteArray Channels::samplingChannel(qint64 masterPid) const
{
    return withProcess("sampling:", masterPid);
}

QByteArray Channels::eventsChannel(qint64 masterPid) const
{
    return withProcess("events:", masterPid);
}

QByteArray Channels::controlChannel(qint64 masterPid) const
{
    return withProcess("control:", masterPid);
}

QByteArray Channels::masterKey() const
{
    return key("master");
}

QByteArray Channels::statusKey() const
{
    return key("status");
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
    // Braces are not special in Redis' globs.
    return m_hashTagged ? '{' + escapedForGlob(m_prefix) + "clustr}:*" : escapedForGlob(m_prefix) + "clustr:*";
}

QByteArray Channels::masterKeySuffix() const
{
    return m_hashTagged ? QByteArrayLiteral("clustr}:master") : QByteArrayLiteral("clustr:master");
}

QByteArray Channels::hostsKeySuffix() const
{
    return m_hashTagged ? QByteArrayLiteral("clustr}:hosts") : QByteArrayLiteral("clustr:hosts");
}

QByteArray Channels::lockKey() const
{
    return key("lock");
}

QByteArray Channels::hostsKey() const
{
    return keyHead() + QByteArrayLiteral("hosts");
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
    // pid (in a cluster across hosts `@HOST:PID`, of any host: a reader of
    // every channel, as ClusterClient::watch(), sees them all) after the
    // colon is not a channel of the protocol.
    QByteArrayView pid = argument;
    if (pid.size() > 2 && pid.startsWith('{') && pid.endsWith('}'))
        pid = pid.sliced(1, pid.size() - 2); // a sharded inbox: `private:{42}`
    if (pid.startsWith('@')) {
        const qsizetype hostEnd = pid.indexOf(':');
        if (hostEnd < 2)
            return Kind::Unknown;
        pid = pid.sliced(hostEnd + 1);
    }
    if (!isDecimal(pid))
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

bool Channels::isValidHostName(const QString &host)
{
    if (host.isEmpty() || host.size() > MaxHostNameLength)
        return false;
    for (qsizetype i = 0; i < host.size(); ++i) {
        const char16_t u = host.at(i).unicode();
        const bool alnum = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9');
        if (!alnum && (i == 0 || (u != '.' && u != '-' && u != '_')))
            return false;
    }
    return true;
}

} // namespace Clustr::Protocol

bool Clustr::isValidName(const QString &name)
{
    return Protocol::Channels::isValidName(name);
}

bool Clustr::isValidHostName(const QString &host)
{
    return Protocol::Channels::isValidHostName(host);
}
