// SPDX-License-Identifier: MIT
#include "logentry.h"

#include "format.h"

namespace {
// Long enough for any message people read in a table; the log stays bounded in bytes too.
constexpr int MaxDataLength = 2048;

// In LogKind's order.
const char *const KindNames[] = {
    "unknown", "public", "private", "group", "kill", "confirmation", "clusterinfo",
    "registration", "deregistration", "heartbeat", "event", "control", "sampling",
};
} // namespace

LogKind logKindOf(const Clustr::Message &message)
{
    using K = Clustr::Message::Kind;
    switch (message.kind()) {
    case K::Unknown: return LogKind::Unknown;
    case K::Public: return LogKind::Public;
    case K::Private: return LogKind::Private;
    case K::Group: return LogKind::Group;
    case K::Kill: return LogKind::Kill;
    case K::Confirmation: return LogKind::Confirmation;
    case K::ClusterInfo: return LogKind::ClusterInfo;
    case K::Registration: return LogKind::Registration;
    case K::Deregistration: return LogKind::Deregistration;
    case K::Other: break;
    }
    if (message.isHeartbeat())
        return LogKind::Heartbeat;
    // The library calls its other channels Other as well; their names are in
    // docs/PROTOCOL.md: `events:<pid>`, `control:<pid>` (section 11), `sampling:<pid>` (8.4).
    const QString channel = message.channel();
    if (channel.startsWith(QLatin1String("events:")))
        return LogKind::Event;
    if (channel.startsWith(QLatin1String("control:")))
        return LogKind::Control;
    if (channel.startsWith(QLatin1String("sampling:")))
        return LogKind::Sampling;
    return LogKind::Unknown;
}

LogEntry LogEntry::fromMessage(const Clustr::Message &message, const QByteArray &raw, quint64 sequence, qint64 timeMs)
{
    LogEntry e;
    e.sequence = sequence;
    e.timeMs = timeMs;
    e.kind = logKindOf(message);
    e.pid = message.pid();
    e.group = message.group();
    e.host = message.host();
    e.channel = message.channel();
    e.targetPid = channelTargetPid(e.channel);
    // ClusterClient hands undecodable payloads over with pid 0 and the raw text as data.
    e.valid = e.pid > 0;
    e.data = e.valid ? Format::jsonText(message.dataJson(), MaxDataLength)
                     : QString::fromUtf8(raw.left(MaxDataLength));
    return e;
}

QString kindName(LogKind kind)
{
    return QLatin1String(KindNames[int(kind)]);
}

QColor kindColor(LogKind kind)
{
    using K = LogKind;
    switch (kind) {
    case K::Public: return QColor(0x1f, 0x77, 0xb4);
    case K::Private: return QColor(0xff, 0x7f, 0x0e);
    case K::Group: return QColor(0x2c, 0xa0, 0x2c);
    case K::Kill: return QColor(0xd6, 0x27, 0x28);
    case K::Confirmation: return QColor(0x94, 0x67, 0xbd);
    case K::ClusterInfo: return QColor(0x8c, 0x56, 0x4b);
    case K::Registration: return QColor(0xe3, 0x77, 0xc2);
    case K::Deregistration: return QColor(0xbc, 0xbd, 0x22);
    case K::Heartbeat: return QColor(0x9a, 0x9a, 0x9a);
    case K::Event: return QColor(0x17, 0xbe, 0xcf);
    case K::Control: return QColor(0x39, 0x3b, 0x79);
    case K::Sampling: return QColor(0xc7, 0xc7, 0xc7);
    case K::Unknown: break;
    }
    return QColor(0x55, 0x55, 0x55);
}

QList<LogKind> allKinds()
{
    using K = LogKind;
    return {K::Public, K::Private, K::Group, K::Kill, K::Confirmation, K::ClusterInfo, K::Registration,
            K::Deregistration, K::Heartbeat, K::Event, K::Control, K::Sampling, K::Unknown};
}

qint64 channelTargetPid(const QString &channel)
{
    const int colon = channel.lastIndexOf(QLatin1Char(':'));
    if (colon < 0)
        return 0;
    const QStringView prefix = QStringView(channel).left(colon);
    if (prefix != QLatin1String("private") && prefix != QLatin1String("kill") && prefix != QLatin1String("clusterInfo"))
        return 0;
    bool ok = false;
    const qint64 pid = QStringView(channel).mid(colon + 1).toLongLong(&ok);
    return ok ? pid : 0;
}
