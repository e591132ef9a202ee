// SPDX-License-Identifier: MIT
#include <ClustrQt/message.h>

#include "protocol/channels_p.h"

namespace Clustr {

class MessagePrivate : public QSharedData
{
public:
    Message::Kind kind = Message::Kind::Unknown;
    qint64 pid = 0;
    QString group;
    QJsonValue data;
    QString channel;
};

Message::Message() : d(new MessagePrivate) {}
Message::Message(const Message &other) = default;
Message::Message(Message &&other) noexcept = default;
Message &Message::operator=(const Message &other) = default;
Message &Message::operator=(Message &&other) noexcept = default;
Message::~Message() = default;

Message::Kind Message::kind() const { return d->kind; }
void Message::setKind(Kind kind) { d->kind = kind; }
qint64 Message::pid() const { return d->pid; }
void Message::setPid(qint64 pid) { d->pid = pid; }
QString Message::group() const { return d->group; }
void Message::setGroup(const QString &group) { d->group = group; }
QJsonValue Message::data() const { return d->data; }
void Message::setData(const QJsonValue &data) { d->data = data; }
QString Message::channel() const { return d->channel; }
void Message::setChannel(const QString &channel) { d->channel = channel; }

bool Message::isHeartbeat() const
{
    // The channel's name is read by the one parser of channel names, so this
    // cannot disagree with what the library itself takes for a heartbeat.
    return d->kind == Kind::Other
        && Protocol::Channels().kindOf(d->channel.toUtf8()) == Protocol::ChannelKind::Heartbeat;
}

bool Message::operator==(const Message &other) const
{
    return d == other.d || (d->kind == other.d->kind
        && d->pid == other.d->pid
        && d->group == other.d->group
        && d->data == other.d->data
        && d->channel == other.d->channel);
}

} // namespace Clustr

// Next to the class' code, as for the other value types: see the source
// order in CMakeLists.txt.
#include "ClustrQt/moc_message.cpp"
