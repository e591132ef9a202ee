// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/options.h>

#include <QtCore/QList>
#include <QtCore/QSet>
#include <QtCore/QString>

#include <chrono>

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
    //! Every cluster-aware process that should run has registered.
    virtual bool isClusterComplete() const = 0;

    // Kill-and-respawn.
    //! Tells \a pid to exit with \a exitCode; an exit we asked for (its parent respawns it at once).
    virtual void killWorker(qint64 pid, int exitCode) = 0;

    // Surge: the host keeps the old child and its replacement of the step under way.
    //! Starts one more child like the master's own child \a oldPid; false if it cannot.
    virtual bool startSurge(qint64 oldPid) = 0;
    //! The replacement's current pid; 0 while none runs.
    virtual qint64 surgeReplacementPid() const = 0;
    //! The replacement serves: the old child goes for good (exit code 0, SIGKILL after its kill timeout).
    virtual void retireSurgeOld() = 0;
    //! The old child retired by retireSurgeOld() has ended.
    virtual bool isSurgeOldGone() const = 0;
    //! The replacement did not become ready in time: it goes for good, the old child stays.
    virtual void stopSurgeReplacement() = 0;
    //! The step is over: forget the pair (whatever is still stopping finishes on its own).
    virtual void endSurge() = 0;

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
  The master's rolling reload: replaces every registered worker, one at a
  time. It does no I/O; it asks its ReloadHost, which tells it what happens
  by post()ing events. Each input is an event handled according to the
  current phase:

  \code
  Idle --ReloadRequested--> take the first queued request, plan its scope (reloadStarted), then NEXT
  NEXT: a planned pid that is gone is skipped (reloadStepFinished, new pid 0)
        no step left          --> Idle (clusterReloaded); a queued request starts a new reload
        a given-up child      --> revive it --> Replacing                  (step timer)
        own child, surge      --> start a replacement --> SurgeStarting   (step timer)
        otherwise             --> kill it, exit code 1 --> Replacing      (step timer)
  Replacing --Changed [old pid gone, a new pid of its group registered, cluster complete]
            --> Settling (reloadStepFinished, delay timer)
  SurgeStarting --Changed [replacement registered, cluster complete]
            --> retire the old one (exit code 0) --> SurgeStopping
  SurgeStopping --Changed [old one ended, its pid gone]
            --> Settling (reloadStepFinished old -> replacement, delay timer)
  Replacing --StepTimedOut--> Settling (reloadStepTimedOut)
            the old one was told to go; its parent respawns it whenever it does
  SurgeStarting --StepTimedOut--> stop the replacement --> Settling (reloadStepTimedOut)
            the old one keeps serving: the group never stays one instance larger
  SurgeStopping --StepTimedOut--> Settling (reloadStepTimedOut)
            the old one's stop goes on and ends with SIGKILL at its kill timeout
  Settling --DelayElapsed--> NEXT
  Replacing/SurgeStarting/SurgeStopping/Settling --ReloadRequested--> queued (equal requests
            without an id merge into one; a request with an id is answered on its own)
  any --Cancelled--> Idle: timers stopped, queued request dropped, nothing reported
  \endcode

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
  group, then by pid.

  Events posted while one is handled (a host call or a slot of a progress
  signal re-entering the machine) wait in a queue, so each transition
  completes before the next begins.
*/
class CLUSTR_AUTOTEST_EXPORT ReloadMachine
{
public:
    enum class Phase { Idle, Replacing, SurgeStarting, SurgeStopping, Settling };
    enum class Event {
        //! reload(), SIGHUP, a control command.
        ReloadRequested,
        //! A registration, a deregistration, a child started or ended, a heartbeat:
        //! anything a step may be waiting for.
        Changed,
        StepTimedOut,
        DelayElapsed,
        //! The cluster is stopping.
        Cancelled,
    };

    //! What one reload or restart replaces.
    struct Request
    {
        enum class Scope { Cluster, Group, Process };
        Scope scope = Scope::Cluster;
        QString group;     //!< Scope::Group
        qint64 pid = 0;    //!< Scope::Process
        //! A restart: given-up children in scope come back too.
        bool revive = false;
        //! The tool's request id, for the answer events; empty for a reload.
        QString id;

        bool sameTarget(const Request &other) const
        {
            return scope == other.scope && group == other.group && pid == other.pid && revive == other.revive;
        }
    };

    struct Config
    {
        ProcessOptions::ReloadStrategy strategy = ProcessOptions::ReloadStrategy::Restart;
        //! How long one step may take.
        std::chrono::milliseconds stepTimeout{30000};
        //! The pause after each step.
        std::chrono::milliseconds delay{500};
    };

    ReloadMachine(ReloadHost *host, const Config &config);

    //! ReloadRequested asks for a reload of the whole cluster, as request(Request()).
    void post(Event event);
    //! Queues \a request and starts it when no other runs.
    void request(const Request &request);

    Phase phase() const { return m_phase; }
    bool isRunning() const { return m_phase != Phase::Idle; }
    bool isQueued() const { return !m_queue.isEmpty(); }
    //! The request under way (or the last one).
    const Request &currentRequest() const { return m_request; }
    //! The step under way, or the next one while settling (1-based, at most steps()).
    int step() const;
    //! Steps of the reload under way (or of the last one).
    int steps() const { return int(m_plan.size()); }

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

    void enqueue(const Request &request);
    //! Handles \a event, after the ones queued before it (a re-entrant call only queues it).
    void dispatch(Event event);
    void handle(Event event);
    QList<ReloadHost::WorkerInfo> inScope(QList<ReloadHost::WorkerInfo> workers) const;
    bool matches(const ReloadHost::WorkerInfo &worker) const;
    void plan(QList<ReloadHost::WorkerInfo> workers);
    bool isPresent(const Step &step) const;
    void retireChildren(const Step &step);
    bool childrenRetired(const Step &step) const;
    void startReload();
    void nextStep();
    void checkStep();
    qint64 newPidOf(const QString &group) const;
    void finishStep(qint64 newPid);
    void timeOutStep();
    void settle();
    void cancel();

    ReloadHost *m_host;
    Config m_config;
    Phase m_phase = Phase::Idle;
    QList<Request> m_queue;         // requested, not started yet
    Request m_request;              // the one under way
    QList<Step> m_plan;
    int m_current = 0;              // index in m_plan of the step under way, or of the next one
    QSet<qint64> m_before;          // the group's pids when the step began: a replacement is not among them

    QList<Event> m_pending;
    bool m_dispatching = false;
};

} // namespace Clustr
