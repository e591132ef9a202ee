// SPDX-License-Identifier: MIT
#include <ClustrQt/clusterevent.h>

#include "protocol/recordfields_p.h"

namespace Clustr {

namespace {

// The protocol's names (docs/PROTOCOL.md section 11), in enum order.
constexpr QLatin1String TypeNames[] = {
    QLatin1String(""), QLatin1String("registered"), QLatin1String("deregistered"), QLatin1String("lost"),
    QLatin1String("spawned"), QLatin1String("exited"), QLatin1String("respawned"), QLatin1String("gaveUp"),
    QLatin1String("spawnFailed"), QLatin1String("clusterStarted"), QLatin1String("reloadStarted"),
    QLatin1String("reloadStep"), QLatin1String("clusterReloaded"), QLatin1String("stopping"),
    QLatin1String("reloadExcluded"), QLatin1String("commandRejected"), QLatin1String("commandAccepted"),
    QLatin1String("commandProgress"), QLatin1String("commandFinished"),
};
constexpr QLatin1String PhaseNames[] = {
    QLatin1String(""), QLatin1String("started"), QLatin1String("finished"), QLatin1String("skipped"),
    QLatin1String("timedOut"),
};

template<typename Enum, std::size_t N>
std::optional<Enum> lookUp(const QLatin1String (&names)[N], QStringView name)
{
    for (std::size_t i = 1; i < N; ++i) { // 0 is "none": never a valid name
        if (name == names[i])
            return Enum(i);
    }
    return std::nullopt;
}

} // namespace

QString ClusterEvent::typeName(Type type)
{
    return TypeNames[int(type)];
}

std::optional<ClusterEvent::Type> ClusterEvent::typeFromName(QStringView name)
{
    return lookUp<Type>(TypeNames, name);
}

QString ClusterEvent::phaseName(ReloadPhase phase)
{
    return PhaseNames[int(phase)];
}

std::optional<ClusterEvent::ReloadPhase> ClusterEvent::phaseFromName(QStringView name)
{
    return lookUp<ReloadPhase>(PhaseNames, name);
}

class ClusterEventPrivate : public QSharedData
{
public:
    ClusterEvent::Type type = ClusterEvent::Type::Unknown;
    QDateTime time;
    qint64 pid = 0;
    qint64 oldPid = 0;
    qint64 newPid = 0;
    QString group;
    QString reason;
    int exitCode = 0;
    int signal = 0;
    QString file;
    QString error;
    int workerCount = 0;
    int step = 0;
    int steps = 0;
    ClusterEvent::ReloadPhase reloadPhase = ClusterEvent::ReloadPhase::None;
    qint64 durationMs = 0;
    QString requestId;
    QString command;
    QStringList plan;
};

ClusterEvent::ClusterEvent() : d(new ClusterEventPrivate) {}
ClusterEvent::ClusterEvent(const ClusterEvent &other) = default;
ClusterEvent::ClusterEvent(ClusterEvent &&other) noexcept = default;
ClusterEvent &ClusterEvent::operator=(const ClusterEvent &other) = default;
ClusterEvent &ClusterEvent::operator=(ClusterEvent &&other) noexcept = default;
ClusterEvent::~ClusterEvent() = default;

ClusterEvent::Type ClusterEvent::type() const { return d->type; }
void ClusterEvent::setType(ClusterEvent::Type type) { d->type = type; }
QDateTime ClusterEvent::time() const { return d->time; }
void ClusterEvent::setTime(const QDateTime &time) { d->time = time; }
qint64 ClusterEvent::pid() const { return d->pid; }
void ClusterEvent::setPid(qint64 pid) { d->pid = pid; }
qint64 ClusterEvent::oldPid() const { return d->oldPid; }
void ClusterEvent::setOldPid(qint64 oldPid) { d->oldPid = oldPid; }
qint64 ClusterEvent::newPid() const { return d->newPid; }
void ClusterEvent::setNewPid(qint64 newPid) { d->newPid = newPid; }
QString ClusterEvent::group() const { return d->group; }
void ClusterEvent::setGroup(const QString &group) { d->group = group; }
QString ClusterEvent::reason() const { return d->reason; }
void ClusterEvent::setReason(const QString &reason) { d->reason = reason; }
int ClusterEvent::exitCode() const { return d->exitCode; }
void ClusterEvent::setExitCode(int exitCode) { d->exitCode = exitCode; }
int ClusterEvent::signal() const { return d->signal; }
void ClusterEvent::setSignal(int signal) { d->signal = signal; }
QString ClusterEvent::file() const { return d->file; }
void ClusterEvent::setFile(const QString &file) { d->file = file; }
QString ClusterEvent::error() const { return d->error; }
void ClusterEvent::setError(const QString &error) { d->error = error; }
int ClusterEvent::workerCount() const { return d->workerCount; }
void ClusterEvent::setWorkerCount(int workerCount) { d->workerCount = workerCount; }
int ClusterEvent::step() const { return d->step; }
void ClusterEvent::setStep(int step) { d->step = step; }
int ClusterEvent::steps() const { return d->steps; }
void ClusterEvent::setSteps(int steps) { d->steps = steps; }
ClusterEvent::ReloadPhase ClusterEvent::reloadPhase() const { return d->reloadPhase; }
void ClusterEvent::setReloadPhase(ClusterEvent::ReloadPhase reloadPhase) { d->reloadPhase = reloadPhase; }
qint64 ClusterEvent::durationMs() const { return d->durationMs; }
void ClusterEvent::setDurationMs(qint64 durationMs) { d->durationMs = durationMs; }
QString ClusterEvent::requestId() const { return d->requestId; }
void ClusterEvent::setRequestId(const QString &requestId) { d->requestId = requestId; }
QString ClusterEvent::command() const { return d->command; }
void ClusterEvent::setCommand(const QString &command) { d->command = command; }
QStringList ClusterEvent::plan() const { return d->plan; }
void ClusterEvent::setPlan(const QStringList &plan) { d->plan = plan; }

bool ClusterEvent::operator==(const ClusterEvent &other) const
{
    return d == other.d || (d->type == other.d->type
        && d->time == other.d->time
        && d->pid == other.d->pid
        && d->oldPid == other.d->oldPid
        && d->newPid == other.d->newPid
        && d->group == other.d->group
        && d->reason == other.d->reason
        && d->exitCode == other.d->exitCode
        && d->signal == other.d->signal
        && d->file == other.d->file
        && d->error == other.d->error
        && d->workerCount == other.d->workerCount
        && d->step == other.d->step
        && d->steps == other.d->steps
        && d->reloadPhase == other.d->reloadPhase
        && d->durationMs == other.d->durationMs
        && d->requestId == other.d->requestId
        && d->command == other.d->command && d->plan == other.d->plan);
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_clusterevent.cpp"
