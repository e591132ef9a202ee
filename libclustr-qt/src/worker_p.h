// SPDX-License-Identifier: MIT
#pragma once

#include "process_p.h"
#include "supervision/procstat_p.h"

#include <ClustrQt/heartbeat.h>
#include <ClustrQt/worker.h>

#include <QtCore/QDateTime>

namespace Clustr {

class WorkerPrivate : public ProcessPrivate
{
    Q_DECLARE_PUBLIC(Worker)
public:
    WorkerPrivate(const QString &group, const ProcessOptions &options);

    QList<QPair<QByteArray, Protocol::ChannelKind>> extraChannels() const override;
    bool handleMessage(Protocol::ChannelKind kind, const Message &message) override;
    void aboutToClose(int exitCode) override;
    void subscriptionsActive() override;

    void childrenChanged() override;
    bool masterListensAlready() const;
    //! emitReady() and our subscriptions confirmed: register now, or as the original worker does.
    void beginRegistration();
    void registerWithMaster();
    void publishRegistration();
    void registrationPublished(const RedisReply &reply);
    void sendHeartbeat();
    Heartbeat heartbeat();
    //! A request for fresh figures: a heartbeat now, and every interval until the lease ends.
    void handleSamplingRequest(const Message &message);
    //! Heartbeats every interval: always unless supervised, else while a sampling lease runs.
    void updateHeartbeatTimer();
    void failClusterInfoRequests(const QString &reason);

    bool readyRequested = false;
    bool registered = false;
    // Registering with a master that may be the original one: the delay
    // before the registration, and before each one that reached nobody.
    QTimer registrationTimer;
    int unheardRegistrations = 0;
    // A registration to a clustr-qt master still being delivered (0: none),
    // and whether one reached it: only then is our deregistration too.
    quint64 registrationDelivery = 0;
    bool registrationDelivered = false;
    static constexpr int UnheardRegistrationsWarning = 10;
    QList<Worker::ClusterInfoCallback> clusterInfoCallbacks;
    bool clusterInfoRequested = false;
    QTimer clusterInfoTimer;
    QTimer heartbeatTimer;
    bool heartbeatScheduled = false;
    // Connected to a master: heartbeats go out (when something changes, at least).
    bool heartbeating = false;
    // Our parent is the clustr-qt spawner named in the environment: it
    // reports our end, so we need not heartbeat to prove we live.
    bool supervised = false;
    QTimer samplingLease;
    ProcStat procStat;
    QDateTime startedAt = QDateTime::currentDateTimeUtc();
};

} // namespace Clustr
