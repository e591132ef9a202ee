// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QByteArray>
#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>

namespace Clustr {

class MessagePrivate;

/*!
  One message of the cluster as it was received: who sent it (pid() and
  group(), the payload's `meta`), what it carries (data()) and the channel
  it came in on (channel(), without the cluster namespace).
*/
class CLUSTR_EXPORT Message
{
    Q_GADGET
    Q_PROPERTY(Kind kind READ kind)
    Q_PROPERTY(qint64 pid READ pid)
    Q_PROPERTY(QString group READ group)
    Q_PROPERTY(QJsonValue data READ data)
    Q_PROPERTY(QByteArray dataJson READ dataJson)
    Q_PROPERTY(QString channel READ channel)
public:
    //! What kind of channel a message came in on (docs/PROTOCOL.md, section 2).
    enum class Kind {
        //! Not a channel of this cluster (e.g. another namespace's, seen by ClusterClient::watch()).
        Unknown,
        Public,
        Private,
        Group,
        Kill,
        Confirmation,
        ClusterInfo,
        Registration,
        Deregistration,
        /*!
          One of the channels clustr-qt adds for itself: heartbeats, the
          master's lifecycle events and its control commands. A Worker or a
          Master never delivers these to user code; only
          ClusterClient::messageObserved() reports them. channel() tells
          which (e.g. `heartbeat:<master pid>`), isHeartbeat() the one a
          monitor usually hides. They are not one kind each because their
          form may still change while the kinds above are clustr-node's.
        */
        Other,
    };
    Q_ENUM(Kind)

    Message();
    Message(const Message &other);
    Message(Message &&other) noexcept;
    Message &operator=(const Message &other);
    Message &operator=(Message &&other) noexcept;
    ~Message();
    void swap(Message &other) noexcept { d.swap(other.d); }

    //! The kind of channel it came in on.
    Kind kind() const;
    void setKind(Kind kind);
    //! The sender's pid (the payload's `meta.pid`).
    qint64 pid() const;
    void setPid(qint64 pid);
    //! The sender's group (the payload's `meta.group`).
    QString group() const;
    void setGroup(const QString &group);
    /*!
      The sender's host (the payload's `meta.host`), which a process of a
      cluster across hosts sends; empty from a cluster of one host. Reply
      with Process::emitPrivate(message.host(), message.pid(), ...).
    */
    QString host() const;
    void setHost(const QString &host);
    /*!
      What the sender passed to emitPublic(), emitPrivate(), ...: any JSON
      value. A received message keeps the bytes it came with and parses them
      the first time this is called (handlers that do not look at the data
      pay nothing for it). A number too large for a double (`1e400`) reads
      as null, as JavaScript would send it on.
      \sa dataJson()
    */
    QJsonValue data() const;
    void setData(const QJsonValue &data);
    /*!
      The JSON text of data(): for a received message exactly the bytes the
      sender wrote (key order, number spelling, escapes), for one built with
      setData() the value as JavaScript's JSON.stringify writes it. Pass it
      to Process::emitPublicJson() and the like to relay the data unchanged.
    */
    QByteArray dataJson() const;
    /*!
      Sets the data as JSON text, kept as it is (not checked: text that is
      not JSON reads as null in data()).
    */
    void setDataJson(const QByteArray &json);
    //! The channel it came in on, without the cluster namespace, e.g. `group:web`.
    QString channel() const;
    void setChannel(const QString &channel);

    /*!
      Whether it is a heartbeat (Kind::Other, on `heartbeat:<master pid>`):
      every process of a cluster sends one a second, so a monitor showing
      messages as they come usually leaves them out.
    */
    bool isHeartbeat() const;

    bool operator==(const Message &other) const;
    bool operator!=(const Message &other) const { return !(*this == other); }

private:
    QSharedDataPointer<MessagePrivate> d;
};

//! group -> pids of the registered processes of that group.
using ClusterInfo = QMap<QString, QList<qint64>>;

} // namespace Clustr

Q_DECLARE_SHARED(Clustr::Message)
Q_DECLARE_METATYPE(Clustr::Message)
Q_DECLARE_METATYPE(Clustr::ClusterInfo)
