// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/childinfo.h>
#include <ClustrQt/message.h>
#include <ClustrQt/stats.h>

#include <QtCore/QDateTime>
#include <QtCore/QMap>
#include <QtCore/QStringList>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QSharedDataPointer>

#include <optional>

namespace Clustr {

class MasterInfoPrivate;
class ProcessStatusPrivate;
class ClusterStatusPrivate;

/*!
  A master's announcement (docs/PROTOCOL.md section 11): who runs the cluster,
  since when, in which state, and what it costs.
*/
class CLUSTR_EXPORT MasterInfo
{
    Q_GADGET
    Q_PROPERTY(qint64 pid READ pid)
    Q_PROPERTY(QString host READ host)
    Q_PROPERTY(QString name READ name)
    Q_PROPERTY(QString clusterNamespace READ clusterNamespace)
    Q_PROPERTY(QDateTime startedAt READ startedAt)
    Q_PROPERTY(MasterInfo::State state READ state)
    Q_PROPERTY(QString version READ version)
    Q_PROPERTY(QString redisUrl READ redisUrl)
    Q_PROPERTY(int workerCount READ workerCount)
    Q_PROPERTY(int reloadCount READ reloadCount)
    Q_PROPERTY(qint64 lastReloadMs READ lastReloadMs)
    Q_PROPERTY(qint64 rssBytes READ rssBytes)
    Q_PROPERTY(double cpuPercent READ cpuPercent)
    Q_PROPERTY(QString cpus READ cpus)
    Q_PROPERTY(Stats stats READ stats)
    Q_PROPERTY(bool redisConnected READ redisConnected)
    Q_PROPERTY(QString sampleId READ sampleId)
    Q_PROPERTY(int reloadStep READ reloadStep)
    Q_PROPERTY(int reloadSteps READ reloadSteps)
public:
    enum class State { Starting, Running, Reloading, Stopping };
    Q_ENUM(State)
    static QString stateName(State state);
    static std::optional<State> stateFromName(QStringView name);

    MasterInfo();
    MasterInfo(const MasterInfo &other);
    MasterInfo(MasterInfo &&other) noexcept;
    MasterInfo &operator=(const MasterInfo &other);
    MasterInfo &operator=(MasterInfo &&other) noexcept;
    ~MasterInfo();
    void swap(MasterInfo &other) noexcept { d.swap(other.d); }

    qint64 pid() const;
    void setPid(qint64 pid);
    QString host() const;
    void setHost(const QString &host);
    //! the cluster's name
    QString name() const;
    void setName(const QString &name);
    //! the channel namespace (the name, or empty)
    QString clusterNamespace() const;
    void setClusterNamespace(const QString &clusterNamespace);
    QDateTime startedAt() const;
    void setStartedAt(const QDateTime &startedAt);
    MasterInfo::State state() const;
    void setState(MasterInfo::State state);
    //! the library version of the master
    QString version() const;
    void setVersion(const QString &version);
    //! the master's Redis, password hidden
    QString redisUrl() const;
    void setRedisUrl(const QString &redisUrl);
    //! registered processes
    int workerCount() const;
    void setWorkerCount(int workerCount);
    //! reloads finished
    int reloadCount() const;
    void setReloadCount(int reloadCount);
    //! how long the last reload took
    qint64 lastReloadMs() const;
    void setLastReloadMs(qint64 lastReloadMs);
    qint64 rssBytes() const;
    void setRssBytes(qint64 rssBytes);
    double cpuPercent() const;
    void setCpuPercent(double cpuPercent);
    QString cpus() const;
    void setCpus(const QString &cpus);
    Stats stats() const;
    void setStats(const Stats &stats);
    bool redisConnected() const;
    void setRedisConnected(bool redisConnected);
    /*!
      The id of the last request for fresh figures (docs/PROTOCOL.md
      section 8.4) that this snapshot answers: a tool that asked waits for
      its own id here.
    */
    QString sampleId() const;
    void setSampleId(const QString &sampleId);
    //! while reloading: the step under way (1-based)
    int reloadStep() const;
    void setReloadStep(int reloadStep);
    //! while reloading: how many steps the reload has
    int reloadSteps() const;
    void setReloadSteps(int reloadSteps);

    bool operator==(const MasterInfo &other) const;
    bool operator!=(const MasterInfo &other) const { return !(*this == other); }

private:
    QSharedDataPointer<MasterInfoPrivate> d;
};

/*!
  One registered process in a master's status snapshot: what the master
  knows of it from its registration, its heartbeats and its parent.
*/
class CLUSTR_EXPORT ProcessStatus
{
    Q_GADGET
    Q_PROPERTY(qint64 pid READ pid)
    Q_PROPERTY(QString group READ group)
    Q_PROPERTY(QString host READ host)
    Q_PROPERTY(qint64 ppid READ ppid)
    Q_PROPERTY(QString instance READ instance)
    Q_PROPERTY(bool heartbeat READ heartbeat)
    Q_PROPERTY(qint64 rssBytes READ rssBytes)
    Q_PROPERTY(double cpuPercent READ cpuPercent)
    Q_PROPERTY(QString cpus READ cpus)
    Q_PROPERTY(Stats stats READ stats)
    Q_PROPERTY(qint64 lastSeenMs READ lastSeenMs)
    Q_PROPERTY(QDateTime startedAt READ startedAt)
    Q_PROPERTY(qint64 uptimeMs READ uptimeMs)
    Q_PROPERTY(int restarts READ restarts)
    Q_PROPERTY(ChildInfo::State state READ state)
public:
    ProcessStatus();
    ProcessStatus(const ProcessStatus &other);
    ProcessStatus(ProcessStatus &&other) noexcept;
    ProcessStatus &operator=(const ProcessStatus &other);
    ProcessStatus &operator=(ProcessStatus &&other) noexcept;
    ~ProcessStatus();
    void swap(ProcessStatus &other) noexcept { d.swap(other.d); }

    qint64 pid() const;
    void setPid(qint64 pid);
    QString group() const;
    void setGroup(const QString &group);
    QString host() const;
    void setHost(const QString &host);
    //! its parent (the master, or a worker that spawned it)
    qint64 ppid() const;
    void setPpid(qint64 ppid);
    /*!
      Its slot in the cluster, which outlives its pid: the instance index of
      its spawn entry ("0", "1", ...), after its parent's for a child of a
      worker ("1.0": instance 0 of worker instance 1's entry); empty when no
      parent reports one (a process of another host, an original worker).
    */
    QString instance() const;
    void setInstance(const QString &instance);
    //! it heartbeats (a clustr-qt process); rss, cpu, cpus, stats and startedAt come from there
    bool heartbeat() const;
    void setHeartbeat(bool heartbeat);
    qint64 rssBytes() const;
    void setRssBytes(qint64 rssBytes);
    double cpuPercent() const;
    void setCpuPercent(double cpuPercent);
    QString cpus() const;
    void setCpus(const QString &cpus);
    Stats stats() const;
    void setStats(const Stats &stats);
    //! how long ago its last heartbeat came; -1 for none
    qint64 lastSeenMs() const;
    void setLastSeenMs(qint64 lastSeenMs);
    QDateTime startedAt() const;
    void setStartedAt(const QDateTime &startedAt);
    qint64 uptimeMs() const;
    void setUptimeMs(qint64 uptimeMs);
    int restarts() const;
    void setRestarts(int restarts);
    //! as its parent reports it
    ChildInfo::State state() const;
    void setState(ChildInfo::State state);

    bool operator==(const ProcessStatus &other) const;
    bool operator!=(const ProcessStatus &other) const { return !(*this == other); }

private:
    QSharedDataPointer<ProcessStatusPrivate> d;
};

/*!
  A master's status snapshot (docs/PROTOCOL.md section 11): the master,
  every registered process, the master's own children and the cluster info.
*/
class CLUSTR_EXPORT ClusterStatus
{
    Q_GADGET
    Q_PROPERTY(MasterInfo master READ master)
    Q_PROPERTY(QList<ProcessStatus> processes READ processes)
    Q_PROPERTY(QList<ChildInfo> children READ children)
    Q_PROPERTY(ClusterInfo clusterInfo READ clusterInfo)
    Q_PROPERTY(QDateTime updatedAt READ updatedAt)
    Q_PROPERTY(QStringList stoppedGroups READ stoppedGroups)
public:
    ClusterStatus();
    ClusterStatus(const ClusterStatus &other);
    ClusterStatus(ClusterStatus &&other) noexcept;
    ClusterStatus &operator=(const ClusterStatus &other);
    ClusterStatus &operator=(ClusterStatus &&other) noexcept;
    ~ClusterStatus();
    void swap(ClusterStatus &other) noexcept { d.swap(other.d); }

    MasterInfo master() const;
    void setMaster(const MasterInfo &master);
    //! registered processes, by group then pid
    QList<ProcessStatus> processes() const;
    void setProcesses(const QList<ProcessStatus> &processes);
    //! the master's own children, registering or not
    QList<ChildInfo> children() const;
    void setChildren(const QList<ChildInfo> &children);
    ClusterInfo clusterInfo() const;
    void setClusterInfo(const ClusterInfo &clusterInfo);
    QDateTime updatedAt() const;
    void setUpdatedAt(const QDateTime &updatedAt);
    /*!
      The configured instance count of each group the master spawns itself
      (its spawn entries, as `clustr-qt scale` changed them); empty from a
      master that does not say.
    */
    QMap<QString, int> groupInstances() const;
    void setGroupInstances(const QMap<QString, int> &instances);
    //! The groups `clustr-qt stop GROUP` stopped, sorted: the master keeps them stopped.
    QStringList stoppedGroups() const;
    void setStoppedGroups(const QStringList &groups);

    //! The snapshot as the master writes it (docs/PROTOCOL.md section 11), e.g. for `clustr-qt status --json`.
    QJsonObject toJson() const;

    bool operator==(const ClusterStatus &other) const;
    bool operator!=(const ClusterStatus &other) const { return !(*this == other); }

private:
    QSharedDataPointer<ClusterStatusPrivate> d;
};

/*!
  One host of a cluster across hosts, as the cluster's hosts list
  (`NAME:clustr:hosts`, docs/PROTOCOL.md section 11) has it.
*/
struct ClusterHost
{
    QString name;
    qint64 masterPid = 0;
    QDateTime startedAt;
    //! When its master last wrote its entry (every 2 s while it runs), by that host's clock.
    QDateTime updatedAt;
    //! Listed, but its master's announcement has expired: the host died (or lost Redis) without stopping.
    bool lost = false;

    bool operator==(const ClusterHost &other) const
    {
        return name == other.name && masterPid == other.masterPid && startedAt == other.startedAt
            && updatedAt == other.updatedAt && lost == other.lost;
    }
};

/*!
  `clustr-qt status --json` of a cluster across hosts: `{"cluster", "hosts":
  [{"host", "state": "running" or "lost", "masterPid", "updatedAt",
  "status"}], "processes": [every host's, each with its "host"]}`.
  \a statuses has one status per host of \a hosts, in order; a lost host's
  is a default ClusterStatus.
*/
CLUSTR_EXPORT QJsonObject statusAcrossHostsToJson(const QString &clusterName, const QList<ClusterHost> &hosts,
                                                  const QList<ClusterStatus> &statuses);

} // namespace Clustr

Q_DECLARE_SHARED(Clustr::MasterInfo)
Q_DECLARE_METATYPE(Clustr::MasterInfo)
Q_DECLARE_SHARED(Clustr::ProcessStatus)
Q_DECLARE_METATYPE(Clustr::ProcessStatus)
Q_DECLARE_SHARED(Clustr::ClusterStatus)
Q_DECLARE_METATYPE(Clustr::ClusterStatus)
Q_DECLARE_METATYPE(Clustr::ClusterHost)
