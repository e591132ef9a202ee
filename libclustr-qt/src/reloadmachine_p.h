// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/options.h>
#include <ClustrQt/spawnspec.h>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <chrono>
#include <optional>

namespace Clustr {

/*!
  What a ReloadMachine reads of the cluster and does to it: the master
  implements it with Redis and its supervisor, the unit test with a model.
  Calls may re-enter the machine (post()); it copes.
*/
class CLUSTR_AUTOTEST_EXPORT ReloadHost
{
public:
    struct WorkerInfo
    {
        qint64 pid = 0;
        QString group;
        //! The registered process that spawned it; 0 for the master itself (or unknown).
        qint64 parent = 0;
        //! Its parent starts it again when it exits: only such workers can be reloaded.
        bool respawns = true;
        //! A child of the master: the surge strategy can start one more like it.
        bool ownChild = false;
        //! Its parent ends it when it ends (a clustr-qt parent does; an original one just exits).
        bool endedByParent = true;
    };
    //! A group's rolling-update limits as its spawn entry sets them; empty ones follow the strategy.
    struct Rollout
    {
        std::optional<InstanceCount> maxUnavailable;
        std::optional<InstanceCount> maxSurge;
    };
    enum class Timer { Step, Delay };

    virtual ~ReloadHost();

    // Given-up children (a restart brings them back). A host without any need not implement these.
    //! Children that crashed too often and were given up: pid is the last one they had.
    virtual QList<WorkerInfo> givenUpWorkers() const { return {}; }
    virtual bool isGivenUp(qint64 pid) const { Q_UNUSED(pid); return false; }
    //! Starts the given-up child whose last pid was \a pid again, its crash counter reset.
    virtual void reviveWorker(qint64 pid) { Q_UNUSED(pid); }

    // The cluster as it is now.
    //! Every registered process.
    virtual QList<WorkerInfo> registeredWorkers() const = 0;
    //! The registered processes of \a group, in order of registration.
    virtual QList<qint64> groupMembers(const QString &group) const = 0;
    virtual bool isWorkerRegistered(qint64 pid) const = 0;
    /*!
      Every cluster-aware process that should run has registered, apart from
      the replacements of the steps of \a othersUnderWay (their old pids):
      those are waited for by their own steps.
    */
    virtual bool isClusterComplete(const QList<qint64> &othersUnderWay) const = 0;
    //! The limits of the spawn entry of the master's own child \a pid. A host without any need not implement it.
    virtual Rollout rolloutOf(qint64 pid) const { Q_UNUSED(pid); return {}; }
    //! A steady clock: when steps time out and settle delays end.
    virtual std::chrono::milliseconds now() const = 0;

    // Kill-and-respawn.
    //! Tells \a pid to exit with \a exitCode; an exit we asked for (its parent respawns it at once).
    virtual void killWorker(qint64 pid, int exitCode) = 0;
    /*!
      The pid that runs now where the master's own child \a oldPid ran, which
      its step killed (0 while none does); nothing when the host cannot tell,
      and a new pid of its group is taken for its replacement.
    */
    virtual std::optional<qint64> respawnedPid(qint64 oldPid) const { Q_UNUSED(oldPid); return std::nullopt; }

    // Surge: the host keeps, per step (by the old child's pid), the old child and its replacement.
    //! Starts one more child like the master's own child \a oldPid; false if it cannot.
    virtual bool startSurge(qint64 oldPid) = 0;
    //! The current pid of \a oldPid's replacement; 0 while none runs.
    virtual qint64 surgeReplacementPid(qint64 oldPid) const = 0;
    //! The replacement serves: the old child goes for good (exit code 0, SIGKILL after its kill timeout).
    virtual void retireSurgeOld(qint64 oldPid) = 0;
    //! The old child retired by retireSurgeOld() has ended.
    virtual bool isSurgeOldGone(qint64 oldPid) const = 0;
    //! The replacement did not become ready in time: it goes for good, the old child stays.
    virtual void stopSurgeReplacement(qint64 oldPid) = 0;
    //! The step of \a oldPid is over: forget what was kept for it (whatever is still stopping finishes on its own).
    virtual void endStep(qint64 oldPid) = 0;

    virtual void startTimer(Timer timer, std::chrono::milliseconds interval) = 0;
    virtual void stopTimer(Timer timer) = 0;

    // Progress, as Master's signals of the same names.
    virtual void reloadStarted(int steps) = 0;
    //! Right after reloadStarted(): a registered process that is no step of its own, and why.
    virtual void reloadExcluded(qint64 pid, const QString &group, const QString &reason) = 0;
    virtual void reloadStepStarted(int step, int steps, qint64 oldPid, const QString &group) = 0;
    virtual void reloadStepFinished(int step, int steps, qint64 oldPid, qint64 newPid) = 0;
    virtual void reloadStepTimedOut(int step, int steps, qint64 oldPid, const QString &group) = 0;
    virtual void clusterReloaded() = 0;
};

/*!
  The master's rolling reload: replaces every registered worker, group by
  group, up to the group's limits at a time. It does no I/O; it asks its
  ReloadHost, which tells it what happens by post()ing events.

  Each step replaces one process in a lane of its own; a lane is free again
  once its step has ended and the settle delay (reloadDelay) after it has
  passed. A group's steps share its lanes: up to maxSurge surge lanes (a
  replacement started beside the old one) and up to maxUnavailable kill
  lanes (the old one killed and respawned), resolved by limits() from the
  spawn entry and the strategy (Restart: 1 and 0, Surge: 0 and 1, the
  one-at-a-time reload of old). The next group begins when every lane of
  the one before is free. A step that is not the master's own child (its
  parent respawns it), a given-up child revived, or a surge that cannot
  start, runs alone. A lane goes through these phases; each input is an
  event handled according to them:

  \code
  Idle --ReloadRequested--> take the first queued request, plan its scope (reloadStarted), then FILL
  FILL: while the next step may start (lanes free, same group, not alone):
        a planned pid that is gone is skipped (reloadStepFinished, new pid 0)
        a given-up child      --> revive it --> Replacing                 (alone)
        own child, surge lane --> start a replacement --> SurgeStarting
        own child, kill lane  --> kill it, exit code 1 --> Replacing
        otherwise             --> kill it, exit code 1 --> Replacing      (alone)
        no step and no lane left --> Idle (clusterReloaded); a queued request starts a new reload
  Replacing --Changed [old pid gone, a new pid of its group registered, cluster complete]
            --> Settling (reloadStepFinished)
  SurgeStarting --Changed [replacement registered, cluster complete]
            --> retire the old one (exit code 0) --> SurgeStopping
  SurgeStopping --Changed [old one ended, its pid gone]
            --> Settling (reloadStepFinished old -> replacement)
  Replacing --StepTimedOut--> Settling (reloadStepTimedOut)
            the old one was told to go; its parent respawns it whenever it does
  SurgeStarting --StepTimedOut--> stop the replacement --> Settling (reloadStepTimedOut)
            the old one keeps serving: the group never stays one instance larger
  SurgeStopping --StepTimedOut--> Settling (reloadStepTimedOut)
            the old one's stop goes on and ends with SIGKILL at its kill timeout
  Settling --DelayElapsed--> the lane is free --> FILL
  while running --ReloadRequested--> queued (equal requests without an id merge
            into one; a request with an id is answered on its own)
  any --Cancelled--> Idle: timers stopped, queued request dropped, nothing reported
  \endcode

  "Cluster complete" leaves out the replacements other lanes wait for. Each
  step has its own timeout (stepTimeout from its start) and each lane its own
  settle delay: the machine keeps the deadlines on the host's clock and runs
  the host's two timers to the earliest of each.

  A Request says what to replace: the whole cluster (a reload, `restart
  all`), one group or one process (`restart GROUP|PID`): the processes in
  scope and their descendants are planned as above, an in-scope process
  whose parent is out of scope being a step of its own when its parent
  respawns it. A restart (Request::revive) also plans a step for each
  given-up child in scope: revived (its crash counter reset), it is done
  when a new pid of its group has registered.

  Any other event is ignored (a timer that fired late, a change while Idle).
  A worker whose parent is replaced is replaced with that parent, and a
  worker that is not respawned would only be killed: neither is a step
  (reloadExcluded() says so). A parent that does not end its children
  itself (an original clustr-node one) has them told to exit with code 0
  first, and its step waits until they have deregistered: its replacement
  starts new ones, and none of the old ones is left. Steps go group by
  group, then by pid, and are numbered so; with several lanes they may end
  in another order than they started.

  Events posted while one is handled (a host call or a slot of a progress
  signal re-entering the machine) wait in a queue, so each transition
  completes before the next begins.
*/
class CLUSTR_AUTOTEST_EXPORT ReloadMachine
{
public:
    //! The machine's, or one lane's.
    enum class Phase { Idle, Replacing, SurgeStarting, SurgeStopping, Settling };
    enum class Event {
        //! reload(), SIGHUP, a control command.
        ReloadRequested,
        //! A registration, a deregistration, a child started or ended, a heartbeat:
        //! anything a step may be waiting for.
        Changed,
        //! The step timer fired: steps whose timeout has passed give up.
        StepTimedOut,
        //! The delay timer fired: lanes whose settle delay has passed are free.
        DelayElapsed,
        //! The cluster is stopping.
        Cancelled,
    };

    //! What one reload or restart replaces.
    struct Request
    {
        enum class Scope { Cluster, Group, Process };
        Scope scope = Scope::Cluster;
        QStringList groups; //!< Scope::Group: the processes of these groups
        qint64 pid = 0;    //!< Scope::Process
        //! A restart: given-up children in scope come back too.
        bool revive = false;
        //! The tool's request id, for the answer events; empty for a reload.
        QString id;

        //! Whether the process \a pid of \a group is one the request names (its descendants aside).
        bool names(qint64 pid, const QString &group) const
        {
            return scope == Scope::Cluster || (scope == Scope::Group && groups.contains(group))
                || (scope == Scope::Process && pid == this->pid);
        }

        bool sameTarget(const Request &other) const
        {
            return scope == other.scope && groups == other.groups && pid == other.pid && revive == other.revive;
        }
    };

    struct Config
    {
        //! The default limits of groups whose spawn entry sets none.
        ProcessOptions::ReloadStrategy strategy = ProcessOptions::ReloadStrategy::Restart;
        //! How long one step may take.
        std::chrono::milliseconds stepTimeout{30000};
        //! The settle time after each step before its lane takes the next one.
        std::chrono::milliseconds delay{500};
    };

    //! How many of a group may be killed (maxUnavailable) and started beside it (maxSurge) at once.
    struct Limits
    {
        int maxUnavailable = 1;
        int maxSurge = 0;
        friend bool operator==(const Limits &a, const Limits &b)
        {
            return a.maxUnavailable == b.maxUnavailable && a.maxSurge == b.maxSurge;
        }
    };
    /*!
      The limits of a group of \a instances: \a rollout's, each one it leaves
      empty as \a strategy has it. A percentage of maxUnavailable rounds
      down, one of maxSurge up; both 0 makes maxUnavailable 1 (as Kubernetes
      does), or nothing could be replaced.
    */
    static Limits limits(ProcessOptions::ReloadStrategy strategy, const ReloadHost::Rollout &rollout, int instances);

    ReloadMachine(ReloadHost *host, const Config &config);

    //! ReloadRequested asks for a reload of the whole cluster, as request(Request()).
    void post(Event event);
    //! Queues \a request and starts it when no other runs.
    void request(const Request &request);

    //! Idle, else the phase of the earliest step under way, else (every lane settling) Settling.
    Phase phase() const;
    bool isRunning() const { return m_running; }
    bool isQueued() const { return !m_queue.isEmpty(); }
    //! The request under way (or the last one).
    const Request &currentRequest() const { return m_request; }
    //! The last step started while one is under way, else the next one (1-based, at most steps()).
    int step() const;
    //! Steps of the reload under way (or of the last one).
    int steps() const { return int(m_plan.size()); }
    //! Steps started and not ended yet (settling ones are ended).
    int stepsUnderWay() const;

private:
    struct Step
    {
        qint64 pid = 0;
        QString group;
        bool ownChild = false;
        //! A given-up child, started again rather than killed.
        bool revive = false;
        //! Children its parent leaves running: told to exit with code 0 before it is replaced.
        QList<qint64> retire;
    };
    enum class LaneKind { Kill, Surge, Alone };
    struct Lane
    {
        int index = 0; //!< of its step in m_plan
        Phase phase = Phase::Replacing;
        LaneKind kind = LaneKind::Kill;
        QSet<qint64> before; //!< the group's pids when the step began: a replacement is not among them
        std::chrono::milliseconds deadline{0};
        std::chrono::milliseconds settledAt{0};
    };

    void enqueue(const Request &request);
    //! Handles \a event, after the ones queued before it (a re-entrant call only queues it).
    void dispatch(Event event);
    void handle(Event event);
    QList<ReloadHost::WorkerInfo> inScope(QList<ReloadHost::WorkerInfo> workers) const;
    void plan(QList<ReloadHost::WorkerInfo> workers);
    bool isPresent(const Step &step) const;
    void retireChildren(const Step &step);
    bool childrenRetired(const Step &step) const;
    void startReload();
    Limits limitsOf(const Step &step) const;
    int lanesOf(LaneKind kind) const;
    bool mayJoin(const Step &step) const;
    void fill();
    void startLane(int index);
    void checkLane(int lane);
    QList<qint64> othersUnderWay(int lane) const;
    qint64 newPidOf(const Lane &lane) const;
    void finishLane(int lane, qint64 newPid);
    void timeOutLane(int lane);
    void settle(int lane);
    void freeSettledLanes();
    void finishReload();
    void armTimers();
    void arm(ReloadHost::Timer timer, std::optional<std::chrono::milliseconds> at, std::optional<std::chrono::milliseconds> *armed);
    void cancel();

    ReloadHost *m_host;
    Config m_config;
    bool m_running = false;
    QList<Request> m_queue;         // requested, not started yet
    Request m_request;              // the one under way
    QList<Step> m_plan;
    QHash<QString, int> m_groupSize; // own children planned per group: what percentages are of
    int m_next = 0;                 // index in m_plan of the next step to start
    QList<Lane> m_lanes;            // in the order their steps started
    QSet<qint64> m_claimed;         // replacements that ended a step: no other step's
    // When the host's timers were last started to fire (they are single-shot).
    std::optional<std::chrono::milliseconds> m_stepTimerAt;
    std::optional<std::chrono::milliseconds> m_delayTimerAt;

    QList<Event> m_pending;
    bool m_dispatching = false;
};

} // namespace Clustr
