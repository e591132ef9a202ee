// SPDX-License-Identifier: MIT
#pragma once

#include "process_p.h"
#include "supervision/procstat_p.h"

#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/heartbeat.h>
#include <ClustrQt/master.h>

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>

namespace Clustr {

class OrphanReaper;
class UnixSignalWatcher;

class MasterPrivate : public ProcessPrivate
{
    Q_DECLARE_PUBLIC(Master)
public:
    explicit MasterPrivate(const ProcessOptions &options);

    void setUp();
    QList<QPair<QByteArray, Protocol::ChannelKind>> extraChannels() const override;
    bool handleMessage(Protocol::ChannelKind kind, const Message &message) override;
    void childGone(qint64 childPid, const QString &childGroup, const QString &how) override;
    void childrenChanged() override;
    void aboutToClose(int exitCode) override;
    void childrenStopped() override;
    void aboutToSpawn() override;
    void spawnDone() override;

    // Membership (master.cpp)
    void addWorker(qint64 workerPid, const QString &workerGroup);
    //! \a reason empty: the worker deregistered itself; else it was lost.
    void removeWorker(qint64 workerPid, const QString &reason = QString());
    bool isRegistered(qint64 workerPid) const { return groupOf.contains(workerPid); }
    void handleHeartbeat(const Message &message);
    void expireSilentWorkers();
    //! Every cluster-aware process that should run (our children, and the
    //! children our workers report) has registered.
    bool clusterComplete() const;
    void checkLifecycle();
    qint64 parentOf(qint64 workerPid) const;
    bool respawns(qint64 workerPid) const;

    // Announcement, status, events and control (masterstatus.cpp)
    void setUpAnnouncements();
    void publishEvent(ClusterEvent event);
    void announce();
    MasterInfo masterInfo() const;
    ClusterStatus statusSnapshot() const;
    void handleControl(const Message &message);
    MasterInfo::State state() const;

    // Rolling reload (masterreload.cpp)
    void startReload();
    void nextReloadStep();
    void checkReloadStep();
    void finishReloadStep(qint64 newPid);
    void reloadStepTimedOut();
    void cancelReload();

    ClusterInfo clusterInfo;
    QHash<qint64, QString> groupOf; // pid -> group, for removal by pid
    struct ReceivedHeartbeat
    {
        Heartbeat data;
        qint64 receivedAt = 0;
    };
    QHash<qint64, ReceivedHeartbeat> heartbeats;
    QHash<qint64, qint64> recentlyRemoved; // pid -> when, so a late heartbeat cannot resurrect it
    QElapsedTimer clock;
    QTimer expiryTimer;
    bool spawned = false;
    bool started = false;

    struct ReloadStep
    {
        qint64 pid = 0;
        QString group;
    };
    bool reloading = false;
    bool reloadQueued = false;
    QList<ReloadStep> reloadPlan;
    int reloadStep = 0;
    bool waitingForReplacement = false;
    QSet<qint64> stepSnapshot;
    ChildProcess *surgeOld = nullptr;
    ChildProcess *surgeNew = nullptr;
    QTimer reloadStepTimer;
    QTimer reloadDelayTimer;

    QTimer announceTimer;
    ProcStat procStat;
    ProcStat::Sample lastSample;
    QDateTime startedAt = QDateTime::currentDateTimeUtc();
    int reloadCount = 0;
    qint64 lastReloadMs = 0;
    QElapsedTimer reloadClock;

    RateLimiter collisionWarnings{10000};
    QSet<qint64> killedByUs;      // exits we asked for are not "lost"
    QSet<qint64> otherChildren;   // children the program had before it spawned: not orphans
    UnixSignalWatcher *signalWatcher = nullptr;
    OrphanReaper *reaper = nullptr;
};

} // namespace Clustr
