// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/heartbeat.h>
#include <ClustrQt/process.h>

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
    explicit Master(QObject *parent = nullptr);
    explicit Master(const ProcessOptions &options, QObject *parent = nullptr);
    ~Master() override;

    ClusterInfo clusterInfo() const;
    int workerCount() const;
    std::chrono::milliseconds reloadDelay() const;
    bool isReloading() const;
    //! The status snapshot the master publishes (docs/PROTOCOL.md section 11).
    ClusterStatus status() const;
    //! The last heartbeat of a registered process (ppid, host, stats, children...); a default one if none came.
    Heartbeat heartbeatOf(qint64 pid) const;

    /*!
      Replaces every registered worker, one at a time (what SIGHUP does).
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
    //! A registered process stopped heartbeating (or its parent saw it die) and was removed.
    void workerLost(qint64 pid, const QString &group, const QString &reason);

private:
    Q_DECLARE_PRIVATE(Master)
};

} // namespace Clustr
