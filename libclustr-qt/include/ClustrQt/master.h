// SPDX-License-Identifier: MIT
#pragma once

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

Q_SIGNALS:
    void workerRegistered(qint64 pid, const QString &group);
    void workerDeregistered(qint64 pid, const QString &group);
    void clusterInfoChanged();
    //! Every spawned worker has registered.
    void clusterStarted(int workerCount);
    //! A rolling reload has replaced every worker.
    void clusterReloaded(int workerCount);

private:
    Q_DECLARE_PRIVATE(Master)
};

} // namespace Clustr
