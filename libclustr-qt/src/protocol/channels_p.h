// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/message.h>

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace Clustr::Protocol {

/*!
  Every kind of channel of the protocol, clustr-qt's own included. The
  public Message::Kind has the ones user code receives; the library's own
  channels (heartbeats, events, control) are Message::Kind::Other there.
*/
enum class ChannelKind {
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
    Sampling,
    Event,
    Control,
};

//! The kind a Message that came in on a channel of \a kind carries.
constexpr Message::Kind publicKind(ChannelKind kind)
{
    switch (kind) {
    case ChannelKind::Unknown: return Message::Kind::Unknown;
    case ChannelKind::Public: return Message::Kind::Public;
    case ChannelKind::Private: return Message::Kind::Private;
    case ChannelKind::Group: return Message::Kind::Group;
    case ChannelKind::Kill: return Message::Kind::Kill;
    case ChannelKind::Confirmation: return Message::Kind::Confirmation;
    case ChannelKind::ClusterInfo: return Message::Kind::ClusterInfo;
    case ChannelKind::Registration: return Message::Kind::Registration;
    case ChannelKind::Deregistration: return Message::Kind::Deregistration;
    case ChannelKind::Heartbeat:
    case ChannelKind::Sampling:
    case ChannelKind::Event:
    case ChannelKind::Control:
        return Message::Kind::Other;
    }
    return Message::Kind::Unknown;
}

/*!
  Channel names of the wire protocol, with the cluster namespace in front
  (`NAME:` + channel) when one is set. Without a namespace the names are
  exactly clustr-node's: `public`, `private:<pid>`, `group:<group>`,
  `kill:<pid>`, `confirmation`, `clusterInfo:<pid>`,
  `registration:<masterPid>`, `deregistration:<masterPid>`.

  In a cluster across hosts (a namespace and a host name, never without a
  namespace) every channel that names a process names it as `@HOST:PID`:
  `shop:private:@web-01:42`, `shop:registration:@web-01:1`; the tools' keys
  of one host are `shop:clustr:@web-01:master` and the like, and
  `shop:clustr:hosts` lists the hosts. `public`, `group:<group>` and
  `confirmation` stay the cluster's, so they reach every host.

  On a Redis Cluster the keys' `PREFIXclustr` is a hash tag,
  `{shop:clustr}:master`, `{clustr}:lock`: one cluster's keys live in one
  slot, so that one connection serves them all and the commands naming
  two of them (MGET, DEL) are allowed. Where its channels are sharded
  (withShardedInboxes(), a redis-cluster:// URL without `?pubsub=plain`) a
  process' inbox, the channels only it reads (`private`, `kill`,
  `clusterInfo`), names it inside a hash tag: `private:{42}`,
  `shop:kill:{@web-01:42}`. All three hash to one slot, so one sharded
  subscription connection carries them in the order they were sent.
*/
class CLUSTR_AUTOTEST_EXPORT Channels
{
public:
    explicit Channels(const QString &clusterNamespace = QString(), const QString &host = QString());
    //! The same channels, with the keys hash-tagged for a Redis Cluster (\a tagged) or not.
    Channels withHashTaggedKeys(bool tagged) const;
    bool hasHashTaggedKeys() const { return m_hashTagged; }
    //! The same channels, with each process' inbox hash-tagged for sharded pub/sub (\a sharded) or not.
    Channels withShardedInboxes(bool sharded) const;
    bool hasShardedInboxes() const { return m_sharded; }

    QString clusterNamespace() const { return m_namespace; }
    //! The host this process' own channels are qualified with; empty in a cluster of one host.
    QString host() const { return m_host; }
    //! The same channels for the processes of \a host (of this namespace).
    Channels forHost(const QString &host) const
    {
        return Channels(m_namespace, host).withHashTaggedKeys(m_hashTagged).withShardedInboxes(m_sharded);
    }
    //! `NAME:` or empty.
    QByteArray prefix() const { return m_prefix; }

    QByteArray publicChannel() const;
    QByteArray privateChannel(qint64 pid) const;
    QByteArray groupChannel(const QString &group) const;
    QByteArray killChannel(qint64 pid) const;
    QByteArray confirmationChannel() const;
    QByteArray clusterInfoChannel(qint64 pid) const;
    QByteArray registrationChannel(qint64 masterPid) const;
    QByteArray deregistrationChannel(qint64 masterPid) const;
    QByteArray heartbeatChannel(qint64 masterPid) const;
    //! Asks the master's tree for fresh figures (docs/PROTOCOL.md section 8.4).
    QByteArray samplingChannel(qint64 masterPid) const;
    //! The master's lifecycle events (clustr-qt only).
    QByteArray eventsChannel(qint64 masterPid) const;
    //! Commands for the master, e.g. {"command":"reload"} (clustr-qt only).
    QByteArray controlChannel(qint64 masterPid) const;
    //! Keys the master refreshes: its announcement and its status snapshot.
    QByteArray masterKey() const;
    QByteArray statusKey() const;
    //! One master per cluster name (and host): held by `clustr-qt run` while it runs.
    QByteArray lockKey() const;
    //! The hash of the hosts of a cluster across hosts (host -> its master's entry).
    QByteArray hostsKey() const;

    /*
      Glob patterns (as Redis ACL and PSUBSCRIBE read them) matching this
      namespace's channels, with the namespace escaped: the message
      channels every process uses (no control or events), every channel
      of the namespace, and its `clustr:*` keys.
    */
    QByteArrayList messageChannelPatterns() const;
    QByteArray allChannelsPattern() const;
    //! The sampling channels of every master (a monitor may publish there).
    QByteArray samplingChannelPattern() const;
    QByteArray keyPattern() const;
    //! What every master's announcement key ends with, after the prefix: "clustr:master" or "clustr}:master".
    QByteArray masterKeySuffix() const;
    QByteArray hostsKeySuffix() const;

    //! The kind of a full channel name of this namespace (Unknown for others).
    ChannelKind kindOf(const QByteArray &channel) const;
    //! The channel name without this namespace's prefix.
    QString withoutPrefix(const QByteArray &channel) const;

    //! Whether \a name is acceptable as a namespace or a group: non-empty, printable, no whitespace.
    static bool isValidName(const QString &name);
    /*!
      Whether \a host is acceptable as a host name: 1 to 253 characters of
      letters, digits, `.`, `-` and `_`, starting with a letter or digit
      (what hostname(1) allows, so the machine's own name always is).
    */
    static bool isValidHostName(const QString &host);

private:
    //! \a name, then the process `[@HOST:]PID`, in a hash tag when \a inbox and the inboxes are sharded.
    QByteArray withProcess(QByteArrayView name, qint64 pid, bool inbox = false) const;
    QByteArray key(QByteArrayView name) const;
    //! `PREFIXclustr:`, or `{PREFIXclustr}:` hash-tagged.
    QByteArray keyHead() const;

    QString m_namespace;
    QString m_host;
    QByteArray m_prefix;
    QByteArray m_qualifier; //!< `@HOST:` or empty
    bool m_hashTagged = false;
    bool m_sharded = false;

};

} // namespace Clustr::Protocol
