// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/commandline_p.h"
#include "base/logging_p.h"
#include "protocol/channels_p.h"
#include "protocol/codec_p.h"
#include "protocol/records_p.h"
#include "protocol/stats_p.h"
#include "redis/confirmeddelivery_p.h"
#include "redis/redisurl_p.h"
#include "supervision/supervisor_p.h"

#include <ClustrQt/process.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>

namespace Clustr {

//! Set by a clustr-qt master for its tree: its pid (docs/PROTOCOL.md, section 7).
inline constexpr const char *ClustrQtMasterVariable = "CLUSTR_QT_MASTER_PID";
//! Set by every clustr-qt spawner for its children: its pid (docs/PROTOCOL.md, section 8.2).
inline constexpr const char *ClustrQtSupervisorVariable = "CLUSTR_QT_SUPERVISOR_PID";

class ProcessPrivate
{
    Q_DECLARE_PUBLIC(Process)
public:
    ProcessPrivate(const QString &group, const ProcessOptions &options);
    virtual ~ProcessPrivate();

    //! Called once q_ptr is set: validates, connects, subscribes.
    void init();
    // The steps of init()
    bool validate();
    void createConnections();
    QList<QByteArray> routeChannels();
    void watchConnections();
    //! Every failure a process reports goes through here.
    void setError(Process::Error code, const QString &text);

    //! Channels this kind of process listens on, beyond the common ones.
    virtual QList<QPair<QByteArray, Protocol::ChannelKind>> extraChannels() const { return {}; }
    //! Kinds handled by the subclass (registrations, cluster info); true if handled.
    virtual bool handleMessage(Protocol::ChannelKind kind, const Message &message)
    {
        Q_UNUSED(kind);
        Q_UNUSED(message);
        return false;
    }
    //! What a subclass does right before the process closes (deregistering, stopping children).
    virtual void aboutToClose(int exitCode) { Q_UNUSED(exitCode); }
    //! Called when every subscription is confirmed (again after a reconnect).
    virtual void subscriptionsActive() {}
    //! A cluster-aware child ended (crashed, was killed, exited): it cannot deregister any more.
    virtual void childGone(qint64 childPid, const QString &childGroup, const QString &how);
    //! Something about the children changed (started, ended, added, removed).
    virtual void childrenChanged() {}
    //! Every child has stopped during close(); the process is about to flush and exit.
    virtual void childrenStopped() {}
    //! spawn() was called (before and after the children are started).
    virtual void aboutToSpawn() {}
    virtual void spawnDone() {}
    //! The process group our children start in (ChildProcess::Config::processGroup).
    virtual qint64 childProcessGroup() const;

    void handleRawMessage(const QByteArray &channel, const QByteArray &payload);
    void reject(const QByteArray &channel, const QString &reason);
    //! The request for figures \a message carries (docs/PROTOCOL.md 8.4); rejected (nothing) if malformed.
    std::optional<Protocol::SamplingRequest> samplingRequestOf(const Message &message);
    void handleKill(const Message &message);
    void handleChildKill(const QByteArray &channel, const Message &message);
    Supervisor *ensureSupervisor();
    //! Follows kills sent to \a childPid while \a child runs; nullptr stops following.
    void watchChildKills(qint64 childPid, ChildProcess *child);
    void flushAndFinish(int exitCode);
    void handleConfirmation(const Message &message);
    void publish(const QByteArray &channel, const QJsonValue &data);
    //! The start of every payload this process sends (Codec::envelopePrefix()), made once.
    const QByteArray &envelopePrefix();
    //! Publishes \a json, JSON text, as the data, byte for byte.
    void publishJson(const QByteArray &channel, QByteArrayView json);
    //! publish() until \a channel's receiver got it (a kill, a registration...); \a what names it in a warning.
    //! \a delivered runs once a receiver got it. Returns the id ConfirmedDelivery::cancel() takes.
    quint64 publishConfirmed(const QByteArray &channel, const QJsonValue &data, const char *what,
                             std::function<void()> delivered = {}, int minimumReceivers = 1);
    //! The same for a payload made already (a deregistration on a child's behalf).
    quint64 publishPayloadConfirmed(const QByteArray &channel, const QByteArray &payload, const char *what,
                                    std::function<void()> delivered = {}, int minimumReceivers = 1);
    //! How many subscribers a kill on \a killChannel has when its process hears it: 2 if it is our child's (we listen too).
    int killReceivers(const QByteArray &killChannel) const { return childKills.contains(killChannel) ? 2 : 1; }
    //! Whether \a json is one JSON value; warns, naming \a what, if not.
    bool checkJson(const QByteArray &json, const char *what) const;
    //! The host heartbeats, the announcement and the status name: the cluster's host name, else the machine's.
    QString hostLabel() const;
    //! This process' channels, or those of \a host's processes (none, warned, for a host it cannot name).
    std::optional<Protocol::Channels> channelsOfHost(const QString &host, const char *what) const;
    //! The channel of an emit to process \a target, or empty (warned) if it cannot be sent.
    QByteArray privateChannelFor(const QString &host, qint64 target, const char *what);
    //! Makes lastGroupChannel the channel of group \a target; false (warned) if it cannot be sent.
    bool groupChannelFor(const QString &target, const char *what);
    void finishClose(int exitCode);
    void updateConnected();
    bool checkValid(const char *what) const;

    Process *q_ptr = nullptr;

    QString group;
    ProcessOptions options;
    CommandLine commandLine;
    Protocol::Channels channels;
    qint64 pid = 0;
    qint64 masterPid = 0;
    QString redisUrl;
    bool valid = true;
    QString errorString;
    Process::Error error = Process::Error::NoError;
    quint64 loggerOwner = 0; // see Logging::removeLogger()

    RedisClient *publisher = nullptr;
    RedisClient *subscriber = nullptr;
    // Kills and (de)registrations go through it: published again until
    // their receiver got them (docs/PROTOCOL.md section 7).
    ConfirmedDelivery *deliveries = nullptr;
    bool connected = false;
    bool subscriptionsConfirmed = false;
    QSet<QByteArray> unconfirmed;

    // One lookup per received message: full channel name -> its kind and
    // Message::channel (the name without the namespace), built once here
    // rather than for every message.
    struct Route
    {
        Protocol::ChannelKind kind = Protocol::ChannelKind::Unknown;
        QString channel;
    };
    QHash<QByteArray, Route> dispatch;
    QByteArray ownKillChannel;
    // The channel of the group emitGroup() addressed last.
    QString lastGroup;
    QByteArray lastGroupChannel;
    // The private channel on this host that emitPrivate() addressed last:
    // a process that answers messages names the same peers again and again.
    qint64 lastPrivateTarget = 0;
    QByteArray lastPrivateChannel;
    // The envelope's start, for the pid and group it was made for.
    QByteArray envelope;
    qint64 prefixPid = 0;
    QString prefixGroup;
    // kill:<child pid> -> child: kills of our children are seen here too, so
    // a commanded exit is not taken for a crash.
    QHash<QByteArray, ChildProcess *> childKills;
    // kill:<child pid> -> the delivery of a kill of our child, ours or one
    // someone else sent that we pass on, published again until the child
    // itself got it (see handleChildKill()); given up when the child is gone.
    QHash<QByteArray, quint64> childKillDeliveries;
    Supervisor *supervisor = nullptr;

    Protocol::StatsCounters stats;
    RateLimiter rejectWarnings;

    struct Confirmation
    {
        int count = 0;
        Process::ConfirmationCallback callback;
        QList<Message> messages;
    };
    QHash<QString, Confirmation> confirmations;

    Process::KillHandler killHandler;
    bool killing = false;
    bool closing = false;
    bool finished = false;
    QTimer killTimer;
    QTimer flushTimer;
};

} // namespace Clustr
