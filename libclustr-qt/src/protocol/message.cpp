// SPDX-License-Identifier: MIT
#include <ClustrQt/message.h>

#include "protocol/channels_p.h"
#include "protocol/codec_p.h"

#include <QtCore/QMutex>

#include <atomic>

namespace Clustr {

/*
  The data is held in the form it came in, JSON text (received) or a value
  (setData()), and the other form is made the first time it is asked for.
  Messages are delivered to every handler of every subscriber: most never
  look at the data, and parsing it for each of them was most of the cost of
  receiving. The derived form is made once, under a mutex taken only until
  it exists, so copies of one message read on several threads stay safe, as
  for Qt's own shared types. (Not std::call_once: its instantiations would
  be exported from the library, std:: templates having default visibility.)
*/
class MessagePrivate : public QSharedData
{
public:
    MessagePrivate() = default;
    MessagePrivate(const MessagePrivate &other)
        : QSharedData(other), kind(other.kind), pid(other.pid), group(other.group), host(other.host),
          channel(other.channel), fromJson(other.fromJson), json(other.json), value(other.value)
    {
        if (other.derived.load(std::memory_order_acquire)) {
            derived.store(true, std::memory_order_relaxed);
        } else if (fromJson) {
            value = QJsonValue(); // not made yet: made from the copied text when asked for
        } else {
            json.clear();
        }
    }

    // Makes \a d, about to take new data, one of its own whose derived form was never made.
    static void prepareForData(QSharedDataPointer<MessagePrivate> &d)
    {
        d.detach();
        if (d->derived.load(std::memory_order_acquire)) {
            auto *fresh = new MessagePrivate;
            fresh->kind = d->kind;
            fresh->pid = d->pid;
            fresh->group = d->group;
            fresh->host = d->host;
            fresh->channel = d->channel;
            d = fresh;
        }
    }
    MessagePrivate &operator=(const MessagePrivate &) = delete;

    const QJsonValue &dataValue() const
    {
        if (fromJson && !derived.load(std::memory_order_acquire)) {
            QMutexLocker lock(&deriving);
            if (!derived.load(std::memory_order_relaxed)) {
                value = Protocol::Codec::parseValue(json).value_or(QJsonValue(QJsonValue::Null));
                derived.store(true, std::memory_order_release);
            }
        }
        return value;
    }
    const QByteArray &dataJson() const
    {
        if (!fromJson && !derived.load(std::memory_order_acquire)) {
            QMutexLocker lock(&deriving);
            if (!derived.load(std::memory_order_relaxed)) {
                json = Protocol::Codec::toJsonBytes(value);
                derived.store(true, std::memory_order_release);
            }
        }
        return json;
    }

    Message::Kind kind = Message::Kind::Unknown;
    qint64 pid = 0;
    QString group;
    QString host;
    QString channel;
    // Which form is the source: the JSON text (received) or the value.
    bool fromJson = false;
    mutable QByteArray json;
    mutable QJsonValue value;
    mutable QBasicMutex deriving;
    mutable std::atomic<bool> derived{false};
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
QString Message::host() const { return d->host; }
void Message::setHost(const QString &host) { d->host = host; }
QString Message::group() const { return d->group; }
void Message::setGroup(const QString &group) { d->group = group; }
QJsonValue Message::data() const { return d->dataValue(); }
QByteArray Message::dataJson() const { return d->dataJson(); }
QString Message::channel() const { return d->channel; }
void Message::setChannel(const QString &channel) { d->channel = channel; }

void Message::setData(const QJsonValue &data)
{
    MessagePrivate::prepareForData(d);
    d->fromJson = false;
    d->value = data;
    d->json.clear();
}

void Message::setDataJson(const QByteArray &json)
{
    MessagePrivate::prepareForData(d);
    d->fromJson = true;
    d->json = json;
    d->value = QJsonValue();
}

bool Message::isHeartbeat() const
{
    // The channel's name is read by the one parser of channel names, so this
    // cannot disagree with what the library itself takes for a heartbeat.
    return d->kind == Kind::Other
        && Protocol::Channels().kindOf(d->channel.toUtf8()) == Protocol::ChannelKind::Heartbeat;
}

bool Message::operator==(const Message &other) const
{
    if (d == other.d)
        return true;
    if (d->kind != other.d->kind || d->pid != other.d->pid || d->group != other.d->group
        || d->host != other.d->host || d->channel != other.d->channel)
        return false;
    // The same bytes are the same data; other bytes may still be (key order, spelling).
    if (d->fromJson && other.d->fromJson && d->json == other.d->json)
        return true;
    return d->dataValue() == other.d->dataValue();
}

} // namespace Clustr

// Next to the class' code, as for the other value types: see the source
// order in CMakeLists.txt.
#include "ClustrQt/moc_message.cpp"
