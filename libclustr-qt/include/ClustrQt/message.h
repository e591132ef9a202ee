// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QString>

namespace Clustr {

/*!
  One message of the cluster as it was received: who sent it (\a pid and
  \a group, the payload's `meta`), what it carries (\a data) and the channel
  it came in on (without the cluster namespace).
*/
struct CLUSTR_EXPORT Message
{
    Q_GADGET
    Q_PROPERTY(Kind kind MEMBER kind)
    Q_PROPERTY(qint64 pid MEMBER pid)
    Q_PROPERTY(QString group MEMBER group)
    Q_PROPERTY(QJsonValue data MEMBER data)
    Q_PROPERTY(QString channel MEMBER channel)
public:
    //! What kind of channel a message came in on.
    enum class Kind {
        Unknown,
        Public,
        Private,
        Group,
        Kill,
        Confirmation,
        ClusterInfo,
        Registration,
        Deregistration,
        Heartbeat,
        Event,
        Control,
    };
    Q_ENUM(Kind)

    Kind kind = Kind::Unknown;
    qint64 pid = 0;
    QString group;
    QJsonValue data;
    QString channel;

    friend bool operator==(const Message &a, const Message &b)
    {
        return a.kind == b.kind && a.pid == b.pid && a.group == b.group && a.data == b.data
            && a.channel == b.channel;
    }
    friend bool operator!=(const Message &a, const Message &b) { return !(a == b); }
};

//! group -> pids of the registered processes of that group.
using ClusterInfo = QMap<QString, QList<qint64>>;

} // namespace Clustr

Q_DECLARE_METATYPE(Clustr::Message)
Q_DECLARE_METATYPE(Clustr::ClusterInfo)
