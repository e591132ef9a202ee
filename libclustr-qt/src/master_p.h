// SPDX-License-Identifier: MIT
#pragma once

#include "groupoperation_p.h"
#include "hostwatch_p.h"
#include "process_p.h"
#include "reloadmachine_p.h"
#include "protocol/records_p.h"
#include "supervision/procstat_p.h"
#include "supervision/spawnplan_p.h"

#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/heartbeat.h>
#include <ClustrQt/master.h>

#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>

#include <optional>

namespace Clustr {

class ExitWatch;
class OrphanReaper;
class TreeGuard;
class UnixSignalWatcher;

//! How the master answers a restart or a group command: carried out, or refused and why.
struct CommandAnswer
{
    Master::CommandError error = Master::CommandError::NoError;
    QString reason;
};

class MasterPrivate : public ProcessPrivate, public ReloadHost
{
    Q_DECLARE_PUBLIC(Master)
public:
    explicit MasterPrivate(const ProcessOptions &options);

    void setUp();
    QList<QPair<QByteArray, Protocol::ChannelKind>> extraChannels() const override;
    bool handleMessage(Protocol::ChannelKind kind, const Message &message) override;
    void subscriptionsActive() override;
    void childGone(qint64 childPid, const QString &childGroup, const QString &how) override;
    void childrenChanged() override;
    void aboutToClose(int exitCode) override;
    void childrenStopped() override;
    void aboutToSpawn() override;
    void spawnDone() override;
    qint64 childProcessGroup() const override;

    // Membership (master.cpp)
    void addWorker(qint64 workerPid, const QString &workerGroup);
    //! \a reason empty: the worker deregistered itself; else it was lost.
    void removeWorker(qint64 workerPid, const QString &reason = QString());
    bool isRegistered(qint64 workerPid) const { return groupOf.contains(workerPid); }
    void handleHeartbeat(const Message &message);
    void expireSilentWorkers();
    //! Pids that a process with a fresh heartbeat lists as its running children.
    QSet<qint64> vouchedFor() const;
    //! Every cluster-aware process that should run (our children, and the
    //! children our workers report) has registered, but for the children in
    //! \a ignored (a reload's steps under way wait for those) and what they report.
    bool clusterComplete(const QSet<const ChildProcess *> &ignored = {}) const;
    void checkLifecycle();
    qint64 parentOf(qint64 workerPid) const;
    bool respawns(qint64 workerPid) const;
    //! Its parent is a registered clustr-qt process that ends it when it ends (it heartbeats and lists it).
    bool isEndedByParent(qint64 workerPid) const;

    // What the master is told is checked (mastervetting.cpp)
    enum class Vetting {
        Running,    //!< ours, on this host and running, or on another host and heartbeating
        Gone,       //!< of this host, and not running
        Unverified, //!< no heartbeat, and not running here: perhaps on another host
    };
    Vetting vet(qint64 workerPid) const;
    struct Vetted;
    //! How a process that vet() found Running is kept checked once registered.
    Vetted vettingOf(qint64 workerPid) const;
    //! A registration (or a ready heartbeat): registers \a message's sender if it checks out.
    void admit(const Message &message, const QByteArray &channel);
    void admitHeld(qint64 workerPid);
    void dropHeld(qint64 workerPid, const QString &reason);
    //! A heartbeat may vouch for held registrations: its sender's own, its children's.
    void resolveHeld(const Message &message, const Heartbeat &beat);
    //! Registered processes of this host that are gone, held registrations past their time.
    void checkMembers();
    //! Something to check by time: silent heartbeaters, held registrations, unwatched members.
    bool needsChecks() const;
    //! Starts the checks if they are not running (they stop when needsChecks() is false).
    void ensureChecks();
    //! A pidfd says a member of this host ended.
    void memberExited(qint64 workerPid);
    //! Its end is seen here: our child, or a process of this host.
    bool isWatchedHere(qint64 workerPid) const;
    void forgetOldRemovals();
    bool isOwnChild(qint64 workerPid) const { return supervisor && supervisor->owns(workerPid); }

    // Announcement, status, events and control (masterstatus.cpp)
    void setUpAnnouncements();
    void publishProcessEvents();
    void publishLifecycleEvents();
    void publishEvent(ClusterEvent event);
    //! What changed: the cluster (written soon) or only figures (at most once a second).
    enum class StatusChange { Structure, Figures };
    //! The status must be written again (coalesced; docs/PROTOCOL.md section 11).
    void statusChanged(StatusChange change = StatusChange::Structure);
    void keepAnnouncementAlive();
    void writeHostEntry();
    //! The hosts list as read after our entry's write: who was lost, who is back.
    void watchHosts(const RedisReply &entries);
    //! A tool asks for fresh figures (sampling:<pid>, docs/PROTOCOL.md section 8.4).
    void handleSamplingRequest(const Message &message);
    //! Asks the whole tree (and ourselves) for figures for \a lease.
    void requestSamples(std::chrono::milliseconds lease);
    void announce();
    MasterInfo masterInfo() const;
    void setInstances(QList<ProcessStatus> &processes, const QHash<qint64, ChildInfo> &reportedByParent) const;
    ClusterStatus statusSnapshot() const;
    void handleControl(const Message &message);
    //! Whether a control command with \a id ran already (and remembers it if not); an empty id is never a copy.
    bool isRepeatedCommand(const QString &id);
    MasterInfo::State state() const;

    // Restarts and group commands (mastercommands.cpp)
    //! Checks and carries out \a command (any but reload and stop); answers it with events.
    Master::CommandError runCommand(const Protocol::ControlCommand &command);
    //! runCommand() for Master's slots: their arguments checked as a tool's command is.
    Master::CommandError runLocalCommand(const Protocol::ControlCommand &command);
    CommandAnswer checkCommand(const Protocol::ControlCommand &command) const;
    CommandAnswer checkRestart(const Protocol::ControlCommand &command) const;
    CommandAnswer checkRestartedProcess(qint64 workerPid) const;
    CommandAnswer checkGroupCommand(const Protocol::ControlCommand &command) const;
    void startRestart(const Protocol::ControlCommand &command);
    void startGroupCommand(const Protocol::ControlCommand &command);
    void resizeGroup(const QString &group, int instances, bool start);
    //! A child goes, for good or until its group is started again: a kill if it registered, else SIGTERM.
    void stopChild(ChildProcess *child);
    GroupOperation::View groupView(const QString &group) const;
    //! Reports progress of the group commands under way, and finishes those that are done.
    void checkGroupOperations();
    void finishGroupOperation(const Protocol::ControlCommand &command, const GroupOperation &operation);
    void publishCommandEvent(ClusterEvent::Type type, const Protocol::ControlCommand &command, int step = 0, int steps = 0,
                             const CommandAnswer &answer = {}, const QStringList &plan = {});
    //! Logs, publishes and signals that \a command was refused; returns the answer's error.
    Master::CommandError rejectCommand(const Protocol::ControlCommand &command, const CommandAnswer &answer,
                                       const QStringList &plan = {});

    // Updates of the spawn entries (masterupdate.cpp)
    Master::CommandError runUpdate(const Protocol::ControlCommand &command);
    QList<SpawnPlan::Running> runningGroups() const;
    void startUpdate(const Protocol::ControlCommand &command, const SpawnPlan &plan);
    void resizeForUpdate(const QString &group, int instances);
    //! Moves the update under way on: its group changes, then its roll, then its end.
    void checkUpdate();
    void publishUpdateProgress();
    void finishUpdate(const QString &failure);
    bool isUpdateRoll(const ReloadMachine::Request &request) const;
    QStringList knownGroups() const;

    // Rolling reload (masterreload.cpp): the ReloadMachine's host
    void startReload();
    QList<WorkerInfo> registeredWorkers() const override;
    QList<qint64> groupMembers(const QString &group) const override;
    bool isWorkerRegistered(qint64 workerPid) const override;
    bool isClusterComplete(const QList<qint64> &othersUnderWay) const override;
    Rollout rolloutOf(qint64 workerPid) const override;
    std::chrono::milliseconds now() const override;
    void killWorker(qint64 workerPid, int exitCode) override;
    std::optional<qint64> respawnedPid(qint64 oldPid) const override;
    bool startSurge(qint64 oldPid) override;
    qint64 surgeReplacementPid(qint64 oldPid) const override;
    void retireSurgeOld(qint64 oldPid) override;
    bool isSurgeOldGone(qint64 oldPid) const override;
    void stopSurgeReplacement(qint64 oldPid) override;
    void endStep(qint64 oldPid) override;
    void stopForGood(ChildProcess *child);
    void startTimer(Timer timer, std::chrono::milliseconds interval) override;
    void stopTimer(Timer timer) override;
    void reloadStarted(int steps) override;
    void reloadExcluded(qint64 workerPid, const QString &workerGroup, const QString &reason) override;
    void reloadStepStarted(int step, int steps, qint64 oldPid, const QString &group) override;
    void reloadStepFinished(int step, int steps, qint64 oldPid, qint64 newPid) override;
    void reloadStepTimedOut(int step, int steps, qint64 oldPid, const QString &group) override;
    void clusterReloaded() override;
    QList<WorkerInfo> givenUpWorkers() const override;
    bool isGivenUp(qint64 workerPid) const override;
    void reviveWorker(qint64 workerPid) override;
    ChildProcess *givenUpChild(qint64 lastPid) const;

    ClusterInfo clusterInfo;
    /*
      Every group that has registered, in the order of its first
      registration, emptied ones included: clustr-node's master keeps its
      groups in a JavaScript object, so its cluster-info answers list them
      that way ("web":[] once the last one left).
    */
    QStringList groupsInOrder;
    QHash<qint64, QString> groupOf; // pid -> group, for removal by pid
    struct ReceivedHeartbeat
    {
        Heartbeat data;
        qint64 receivedAt = 0;
    };
    QHash<qint64, ReceivedHeartbeat> heartbeats;
    struct Removal
    {
        qint64 at = 0;     // clock.elapsed(): how long it is remembered
        qint64 wallMs = 0; // ms since the epoch: compared with a heartbeat's sentAt
    };
    QHash<qint64, Removal> recentlyRemoved; // pid -> when, so a late heartbeat cannot resurrect it
    // The ids of the last control commands run: a tool publishes one again
    // when a lost connection swallowed Redis' answer, and it runs once.
    QStringList recentCommandIds;
    static constexpr int RememberedCommandIds = 64;
    // How each registered process was vetted.
    struct Vetted
    {
        bool local = false;     //!< checked against this host's process table
        quint64 startTime = 0;  //!< then: its start, so a recycled pid is not taken for it
        bool ownTree = false;   //!< our child, or a process of this host descending from us
        int missedChecks = 0;   //!< checks in a row that found it gone
    };
    QHash<qint64, Vetted> vetted;
    // Registrations that could not be checked yet, until a heartbeat vouches for them.
    struct Held
    {
        Message registration;
        QByteArray channel;
        qint64 since = 0;
    };
    QHash<qint64, Held> held;
    QElapsedTimer clock;
    std::optional<HostWatch> hostWatch; // a cluster across hosts only
    QTimer expiryTimer;
    ExitWatch *exitWatch = nullptr;
    bool spawned = false;
    bool started = false;

    ReloadMachine reloadMachine{this, {options.reloadStrategy(), options.reloadTimeout(), options.reloadDelay()}};
    // The steps under way, by the old child's pid (the machine knows their phases).
    struct ReloadSlot
    {
        QPointer<ChildProcess> old;         //!< the old child (a killed one respawns in place)
        QPointer<ChildProcess> replacement; //!< a surge's: started beside it
        bool oldGone = false;               //!< a surge's old child retired and ended
    };
    QHash<qint64, ReloadSlot> reloadSlots;
    QTimer reloadStepTimer;
    QTimer reloadDelayTimer;

    // Groups `stop GROUP` stopped: kept so until `start GROUP`.
    QSet<QString> stoppedGroups;
    struct PendingOperation
    {
        Protocol::ControlCommand command;
        GroupOperation operation;
    };
    QList<PendingOperation> groupOperations;

    Master::SpawnSource spawnSource;
    // The update under way: one operation per group it changes, then a
    // restart of the groups it rolls.
    struct PendingUpdate
    {
        Protocol::ControlCommand command;
        QStringList plan;
        QList<PendingOperation> operations;
        //! Replaced groups: started again at their new size once their old processes are gone.
        QHash<QString, int> startAfterStop;
        QStringList removed;
        QStringList roll;
        int rollSteps = 0; //!< estimated until the roll starts
        int rollDone = 0;
        bool rolling = false;
        int lastDone = -1;
        int steps() const;
        int done() const;
    };
    std::optional<PendingUpdate> update;

    QTimer statusWriteTimer;
    QTimer ttlTimer;
    // The last request for figures (its id), which the status answers.
    QString sampleId;
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
    TreeGuard *guard = nullptr;
};

} // namespace Clustr
