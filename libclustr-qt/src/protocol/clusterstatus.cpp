// SPDX-License-Identifier: MIT
#include <ClustrQt/clusterstatus.h>

#include "protocol/recordfields_p.h"
#include "protocol/records_p.h"

namespace Clustr {

namespace {

constexpr QLatin1String MasterStateNames[] = {
    QLatin1String("starting"), QLatin1String("running"), QLatin1String("reloading"), QLatin1String("stopping"),
};

} // namespace

QString MasterInfo::stateName(State state)
{
    return MasterStateNames[int(state)];
}

std::optional<MasterInfo::State> MasterInfo::stateFromName(QStringView name)
{
    for (int i = 0; i < int(std::size(MasterStateNames)); ++i) {
        if (name == MasterStateNames[i])
            return State(i);
    }
    return std::nullopt;
}

class MasterInfoPrivate : public QSharedData
{
public:
    qint64 pid = 0;
    QString host;
    QString name;
    QString clusterNamespace;
    QDateTime startedAt;
    MasterInfo::State state = MasterInfo::State::Starting;
    QString version;
    QString redisUrl;
    int workerCount = 0;
    int reloadCount = 0;
    qint64 lastReloadMs = 0;
    qint64 rssBytes = -1;
    double cpuPercent = std::numeric_limits<double>::quiet_NaN();
    QString cpus;
    Stats stats;
    bool redisConnected = false;
    QString sampleId;
    int reloadStep = 0;
    int reloadSteps = 0;
};

MasterInfo::MasterInfo() : d(new MasterInfoPrivate) {}
MasterInfo::MasterInfo(const MasterInfo &other) = default;
MasterInfo::MasterInfo(MasterInfo &&other) noexcept = default;
MasterInfo &MasterInfo::operator=(const MasterInfo &other) = default;
MasterInfo &MasterInfo::operator=(MasterInfo &&other) noexcept = default;
MasterInfo::~MasterInfo() = default;

qint64 MasterInfo::pid() const { return d->pid; }
void MasterInfo::setPid(qint64 pid) { d->pid = pid; }
QString MasterInfo::host() const { return d->host; }
void MasterInfo::setHost(const QString &host) { d->host = host; }
QString MasterInfo::name() const { return d->name; }
void MasterInfo::setName(const QString &name) { d->name = name; }
QString MasterInfo::clusterNamespace() const { return d->clusterNamespace; }
void MasterInfo::setClusterNamespace(const QString &clusterNamespace) { d->clusterNamespace = clusterNamespace; }
QDateTime MasterInfo::startedAt() const { return d->startedAt; }
void MasterInfo::setStartedAt(const QDateTime &startedAt) { d->startedAt = startedAt; }
MasterInfo::State MasterInfo::state() const { return d->state; }
void MasterInfo::setState(MasterInfo::State state) { d->state = state; }
QString MasterInfo::version() const { return d->version; }
void MasterInfo::setVersion(const QString &version) { d->version = version; }
QString MasterInfo::redisUrl() const { return d->redisUrl; }
void MasterInfo::setRedisUrl(const QString &redisUrl) { d->redisUrl = redisUrl; }
int MasterInfo::workerCount() const { return d->workerCount; }
void MasterInfo::setWorkerCount(int workerCount) { d->workerCount = workerCount; }
int MasterInfo::reloadCount() const { return d->reloadCount; }
void MasterInfo::setReloadCount(int reloadCount) { d->reloadCount = reloadCount; }
qint64 MasterInfo::lastReloadMs() const { return d->lastReloadMs; }
void MasterInfo::setLastReloadMs(qint64 lastReloadMs) { d->lastReloadMs = lastReloadMs; }
qint64 MasterInfo::rssBytes() const { return d->rssBytes; }
void MasterInfo::setRssBytes(qint64 rssBytes) { d->rssBytes = rssBytes; }
double MasterInfo::cpuPercent() const { return d->cpuPercent; }
void MasterInfo::setCpuPercent(double cpuPercent) { d->cpuPercent = cpuPercent; }
QString MasterInfo::cpus() const { return d->cpus; }
void MasterInfo::setCpus(const QString &cpus) { d->cpus = cpus; }
Stats MasterInfo::stats() const { return d->stats; }
void MasterInfo::setStats(const Stats &stats) { d->stats = stats; }
bool MasterInfo::redisConnected() const { return d->redisConnected; }
void MasterInfo::setRedisConnected(bool redisConnected) { d->redisConnected = redisConnected; }
QString MasterInfo::sampleId() const { return d->sampleId; }
void MasterInfo::setSampleId(const QString &sampleId) { d->sampleId = sampleId; }
int MasterInfo::reloadStep() const { return d->reloadStep; }
void MasterInfo::setReloadStep(int reloadStep) { d->reloadStep = reloadStep; }
int MasterInfo::reloadSteps() const { return d->reloadSteps; }
void MasterInfo::setReloadSteps(int reloadSteps) { d->reloadSteps = reloadSteps; }

bool MasterInfo::operator==(const MasterInfo &other) const
{
    return d == other.d || (d->pid == other.d->pid
        && d->host == other.d->host
        && d->name == other.d->name
        && d->clusterNamespace == other.d->clusterNamespace
        && d->startedAt == other.d->startedAt
        && d->state == other.d->state
        && d->version == other.d->version
        && d->redisUrl == other.d->redisUrl
        && d->workerCount == other.d->workerCount
        && d->reloadCount == other.d->reloadCount
        && d->lastReloadMs == other.d->lastReloadMs
        && d->rssBytes == other.d->rssBytes
        && sameNumber(d->cpuPercent, other.d->cpuPercent)
        && d->cpus == other.d->cpus
        && d->stats == other.d->stats
        && d->redisConnected == other.d->redisConnected
        && d->sampleId == other.d->sampleId
        && d->reloadStep == other.d->reloadStep
        && d->reloadSteps == other.d->reloadSteps);
}

class ProcessStatusPrivate : public QSharedData
{
public:
    qint64 pid = 0;
    QString group;
    QString host;
    qint64 ppid = 0;
    QString instance;
    bool heartbeat = false;
    qint64 rssBytes = -1;
    double cpuPercent = std::numeric_limits<double>::quiet_NaN();
    QString cpus;
    Stats stats;
    qint64 lastSeenMs = -1;
    QDateTime startedAt;
    qint64 uptimeMs = -1;
    int restarts = 0;
    ChildInfo::State state = ChildInfo::State::Running;
};

ProcessStatus::ProcessStatus() : d(new ProcessStatusPrivate) {}
ProcessStatus::ProcessStatus(const ProcessStatus &other) = default;
ProcessStatus::ProcessStatus(ProcessStatus &&other) noexcept = default;
ProcessStatus &ProcessStatus::operator=(const ProcessStatus &other) = default;
ProcessStatus &ProcessStatus::operator=(ProcessStatus &&other) noexcept = default;
ProcessStatus::~ProcessStatus() = default;

qint64 ProcessStatus::pid() const { return d->pid; }
void ProcessStatus::setPid(qint64 pid) { d->pid = pid; }
QString ProcessStatus::group() const { return d->group; }
void ProcessStatus::setGroup(const QString &group) { d->group = group; }
QString ProcessStatus::host() const { return d->host; }
void ProcessStatus::setHost(const QString &host) { d->host = host; }
qint64 ProcessStatus::ppid() const { return d->ppid; }
void ProcessStatus::setPpid(qint64 ppid) { d->ppid = ppid; }
QString ProcessStatus::instance() const { return d->instance; }
void ProcessStatus::setInstance(const QString &instance) { d->instance = instance; }
bool ProcessStatus::heartbeat() const { return d->heartbeat; }
void ProcessStatus::setHeartbeat(bool heartbeat) { d->heartbeat = heartbeat; }
qint64 ProcessStatus::rssBytes() const { return d->rssBytes; }
void ProcessStatus::setRssBytes(qint64 rssBytes) { d->rssBytes = rssBytes; }
double ProcessStatus::cpuPercent() const { return d->cpuPercent; }
void ProcessStatus::setCpuPercent(double cpuPercent) { d->cpuPercent = cpuPercent; }
QString ProcessStatus::cpus() const { return d->cpus; }
void ProcessStatus::setCpus(const QString &cpus) { d->cpus = cpus; }
Stats ProcessStatus::stats() const { return d->stats; }
void ProcessStatus::setStats(const Stats &stats) { d->stats = stats; }
qint64 ProcessStatus::lastSeenMs() const { return d->lastSeenMs; }
void ProcessStatus::setLastSeenMs(qint64 lastSeenMs) { d->lastSeenMs = lastSeenMs; }
QDateTime ProcessStatus::startedAt() const { return d->startedAt; }
void ProcessStatus::setStartedAt(const QDateTime &startedAt) { d->startedAt = startedAt; }
qint64 ProcessStatus::uptimeMs() const { return d->uptimeMs; }
void ProcessStatus::setUptimeMs(qint64 uptimeMs) { d->uptimeMs = uptimeMs; }
int ProcessStatus::restarts() const { return d->restarts; }
void ProcessStatus::setRestarts(int restarts) { d->restarts = restarts; }
ChildInfo::State ProcessStatus::state() const { return d->state; }
void ProcessStatus::setState(ChildInfo::State state) { d->state = state; }

bool ProcessStatus::operator==(const ProcessStatus &other) const
{
    return d == other.d || (d->pid == other.d->pid
        && d->group == other.d->group
        && d->host == other.d->host
        && d->ppid == other.d->ppid
        && d->instance == other.d->instance
        && d->heartbeat == other.d->heartbeat
        && d->rssBytes == other.d->rssBytes
        && sameNumber(d->cpuPercent, other.d->cpuPercent)
        && d->cpus == other.d->cpus
        && d->stats == other.d->stats
        && d->lastSeenMs == other.d->lastSeenMs
        && d->startedAt == other.d->startedAt
        && d->uptimeMs == other.d->uptimeMs
        && d->restarts == other.d->restarts
        && d->state == other.d->state);
}

class ClusterStatusPrivate : public QSharedData
{
public:
    MasterInfo master;
    QList<ProcessStatus> processes;
    QList<ChildInfo> children;
    ClusterInfo clusterInfo;
    QDateTime updatedAt;
    QMap<QString, int> groupInstances;
    QStringList stoppedGroups;
};

ClusterStatus::ClusterStatus() : d(new ClusterStatusPrivate) {}
ClusterStatus::ClusterStatus(const ClusterStatus &other) = default;
ClusterStatus::ClusterStatus(ClusterStatus &&other) noexcept = default;
ClusterStatus &ClusterStatus::operator=(const ClusterStatus &other) = default;
ClusterStatus &ClusterStatus::operator=(ClusterStatus &&other) noexcept = default;
ClusterStatus::~ClusterStatus() = default;

MasterInfo ClusterStatus::master() const { return d->master; }
void ClusterStatus::setMaster(const MasterInfo &master) { d->master = master; }
QList<ProcessStatus> ClusterStatus::processes() const { return d->processes; }
void ClusterStatus::setProcesses(const QList<ProcessStatus> &processes) { d->processes = processes; }
QList<ChildInfo> ClusterStatus::children() const { return d->children; }
void ClusterStatus::setChildren(const QList<ChildInfo> &children) { d->children = children; }
ClusterInfo ClusterStatus::clusterInfo() const { return d->clusterInfo; }
void ClusterStatus::setClusterInfo(const ClusterInfo &clusterInfo) { d->clusterInfo = clusterInfo; }
QDateTime ClusterStatus::updatedAt() const { return d->updatedAt; }
void ClusterStatus::setUpdatedAt(const QDateTime &updatedAt) { d->updatedAt = updatedAt; }
QMap<QString, int> ClusterStatus::groupInstances() const { return d->groupInstances; }
void ClusterStatus::setGroupInstances(const QMap<QString, int> &instances) { d->groupInstances = instances; }
QStringList ClusterStatus::stoppedGroups() const { return d->stoppedGroups; }
void ClusterStatus::setStoppedGroups(const QStringList &groups) { d->stoppedGroups = groups; }

bool ClusterStatus::operator==(const ClusterStatus &other) const
{
    return d == other.d || (d->master == other.d->master
        && d->processes == other.d->processes
        && d->children == other.d->children
        && d->clusterInfo == other.d->clusterInfo
        && d->updatedAt == other.d->updatedAt
        && d->groupInstances == other.d->groupInstances
        && d->stoppedGroups == other.d->stoppedGroups);
}

QJsonObject ClusterStatus::toJson() const
{
    return Protocol::Records::toJson(*this);
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_clusterstatus.cpp"
