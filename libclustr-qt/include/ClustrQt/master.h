// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/heartbeat.h>
#include <ClustrQt/process.h>
#include <ClustrQt/spawnspec.h>

#include <functional>
#include <optional>

namespace Clustr {

class MasterPrivate;

/*!
  The master of a cluster (group "master"): it keeps clusterInfo() from the
  workers' registrations and deregistrations, answers their cluster-info
  requests, and runs the cluster's lifecycle.
*/
class CLUSTR_EXPORT Master : public Process
{
    Q_OBJECT
    Q_PROPERTY(int workerCount READ workerCount NOTIFY clusterInfoChanged)

public:
    //! Why a restart or a group command was not carried out (the same kinds as docs/PROTOCOL.md section 11).
    enum class CommandError {
        NoError,
        NoSuchTarget, //!< no such group or process in the cluster
        NothingToDo,  //!< the target is already as asked (stopped, running, of that size)
        Invalid,      //!< the target cannot be handled so (the master itself, `respawn: false`, not spawned by the master)
        Busy,         //!< a reload or restart runs; group commands wait until it is done
        Stopping,     //!< the cluster is stopping
    };
    Q_ENUM(CommandError)

    explicit Master(QObject *parent = nullptr);
    explicit Master(const ProcessOptions &options, QObject *parent = nullptr);
    ~Master() override;

    ClusterInfo clusterInfo() const;
    int workerCount() const;
    std::chrono::milliseconds reloadDelay() const;
    bool isReloading() const;
    /*!
      In a cluster across hosts: the other hosts this master sees lost (listed
      in the hosts list, their entry not rewritten for 6 s by its clock: their
      master died or lost Redis without stopping), sorted.
    */
    QStringList lostHosts() const;
    //! The status snapshot the master publishes (docs/PROTOCOL.md section 11).
    ClusterStatus status() const;
    //! The last heartbeat of a registered process (ppid, host, stats, children...); a default one if none came.
    Heartbeat heartbeatOf(qint64 pid) const;
    /*!
      Asks every process of the cluster for its figures (CPU, memory,
      counters), now and every heartbeat interval for \a lease: an idle
      cluster sends none unasked (docs/PROTOCOL.md section 8.4). What a
      reader inside the master's process (a metrics endpoint) calls.
    */
    void requestSamples(std::chrono::milliseconds lease);

    /*!
      Where updateSpawnEntries() gets the spawn entries it should run: the
      daemon reads its cluster file again. Returns them, or nothing with
      \a error saying why (the file's errors); called once per update.
    */
    using SpawnSource = std::function<std::optional<QList<SpawnSpec>>(QString *error)>;
    void setSpawnSource(const SpawnSource &source);

    /*!
      Replaces every registered worker (what SIGHUP does): one at a time, or
      as many of a group at once as its spawn entry's
      SpawnSpec::maxUnavailable() and SpawnSpec::maxSurge() allow.
      A reload requested while one runs is queued and runs after it; never
      two at once.
    */
    void reload();
    /*!
      Ends the cluster (what SIGTERM does): every worker is killed (its kill
      handler runs), stragglers are SIGKILLed after the kill timeout, and the
      master closes with \a exitCode.
    */
    void stop(int exitCode = 15);

public Q_SLOTS:
    /*!
      Replaces every worker one at a time, as reload() does, and also starts
      again the children that were given up after too many crashes (their
      crash counters reset). Queued behind a reload or restart under way.
      Progress: the reload signals (reloadStarted() ... clusterReloaded()).
    */
    Clustr::Master::CommandError restartCluster();
    //! restartCluster() for the processes of \a group (and what descends from them) only.
    Clustr::Master::CommandError restartGroup(const QString &group);
    //! restartCluster() for process \a pid only; \a pid may be the last pid of a given-up child.
    Clustr::Master::CommandError restartProcess(qint64 pid);
    /*!
      Stops every child of \a group, one of the master's spawn entries (kill
      handlers run; SIGKILL after the kill timeout), and keeps the group
      stopped, across reloads and other children's respawns, until
      startGroup(). groupStopped() once none is left.
    */
    Clustr::Master::CommandError stopGroup(const QString &group);
    //! Starts the stopped or given-up children of \a group again; groupStarted() once all are ready.
    Clustr::Master::CommandError startGroup(const QString &group);
    /*!
      Gives \a group \a instances children (0..1000): new ones are started
      with the lowest free instance numbers, or the highest instances are
      stopped as a surge reload retires one (a kill with exit code 0, SIGKILL
      after the kill timeout). groupScaled() once the group has its size.
    */
    Clustr::Master::CommandError scaleGroup(const QString &group, int instances);
    /*!
      Asks the spawn source (setSpawnSource()) for the entries to run and
      applies what differs from what runs (`clustr-qt reload --config`):
      new groups started, removed ones stopped, a changed entry's processes
      replaced one by one like a restart (all at once if they do not
      register), a new instance count scaled to, the rest left alone.
      spawnEntriesUpdated() with the plan once done. With \a dryRun only the
      plan is made and answered. Refused (Invalid) without a source or for
      entries it cannot run, NothingToDo when nothing differs.
    */
    Clustr::Master::CommandError updateSpawnEntries(bool dryRun = false);

Q_SIGNALS:
    void workerRegistered(qint64 pid, const QString &group);
    void workerDeregistered(qint64 pid, const QString &group);
    void clusterInfoChanged();
    //! Every spawned worker has registered.
    void clusterStarted(int workerCount);
    //! A rolling reload has replaced every worker.
    void clusterReloaded(int workerCount);
    void reloadStarted(int steps);
    /*!
      Right after reloadStarted(): \a pid (0 for a child that never
      registers) of \a group is no step of its own, and \a reason says why:
      replaced with its parent, `respawn: false`, `register: false`, given up.
    */
    void reloadExcluded(qint64 pid, const QString &group, const QString &reason);
    //! Step \a step of \a steps begins: \a oldPid is being replaced.
    void reloadStepStarted(int step, int steps, qint64 oldPid, const QString &group);
    //! \a oldPid was replaced by \a newPid (0 if it had gone already and was skipped).
    void reloadStepFinished(int step, int steps, qint64 oldPid, qint64 newPid);
    //! No replacement of \a oldPid became ready within the reload timeout; the reload goes on.
    void reloadStepTimedOut(int step, int steps, qint64 oldPid, const QString &group);
    //! The cluster is ending with \a exitCode.
    void stopping(int exitCode);
    //! Every child of \a group has ended after stopGroup().
    void groupStopped(const QString &group);
    //! Every child of \a group runs (and has registered) after startGroup().
    void groupStarted(const QString &group, int instances);
    //! \a group has \a instances children, each ready, after scaleGroup().
    void groupScaled(const QString &group, int instances);
    //! An update of the spawn entries is done; \a plan says what it changed, one line per group.
    void spawnEntriesUpdated(const QStringList &plan);
    //! A group command could not finish: a child of \a group was given up (\a reason says which).
    void groupCommandFailed(const QString &group, const QString &reason);
    //! A restart or group command (\a command: "restart", "stopGroup", ...) was refused, and why.
    void commandRejected(const QString &command, Clustr::Master::CommandError error, const QString &reason);
    //! A registered process stopped heartbeating (or its parent saw it die) and was removed.
    void workerLost(qint64 pid, const QString &group, const QString &reason);
    //! Another host of a cluster across hosts stopped rewriting its entry in the hosts list (see lostHosts()).
    void hostLost(const QString &host);
    //! A lost host writes its entry again: its master is back.
    void hostRejoined(const QString &host);

private:
    Q_DECLARE_PRIVATE(Master)
};

} // namespace Clustr
