// SPDX-License-Identifier: MIT
#include <ClustrQt/childinfo.h>

#include "protocol/recordfields_p.h"

namespace Clustr {

namespace {

// The protocol's spelling of each state (docs/PROTOCOL.md section 8), in enum order.
constexpr QLatin1String StateNames[] = {
    QLatin1String("not started"), QLatin1String("starting"), QLatin1String("running"),
    QLatin1String("backing off"), QLatin1String("stopping"), QLatin1String("stopped"),
    QLatin1String("failed"),
};

} // namespace

QString ChildInfo::stateName(State state)
{
    return StateNames[int(state)];
}

std::optional<ChildInfo::State> ChildInfo::stateFromName(QStringView name)
{
    for (int i = 0; i < int(std::size(StateNames)); ++i) {
        if (name == StateNames[i])
            return State(i);
    }
    return std::nullopt;
}

bool ChildInfo::isAlive(State state)
{
    return state == State::NotStarted || state == State::Starting || state == State::Running || state == State::BackingOff;
}

class ChildInfoPrivate : public QSharedData
{
public:
    qint64 pid = 0;
    QString group;
    int instance = 0;
    QString file;
    QString cpu;
    ChildInfo::State state = ChildInfo::State::NotStarted;
    int restarts = 0;
    QDateTime startedAt;
    bool registers = true;
    bool respawn = true;
    QStringList commandLine;
    QString error;
    qint64 droppedOutputLines = 0;
};

ChildInfo::ChildInfo() : d(new ChildInfoPrivate) {}
ChildInfo::ChildInfo(const ChildInfo &other) = default;
ChildInfo::ChildInfo(ChildInfo &&other) noexcept = default;
ChildInfo &ChildInfo::operator=(const ChildInfo &other) = default;
ChildInfo &ChildInfo::operator=(ChildInfo &&other) noexcept = default;
ChildInfo::~ChildInfo() = default;

qint64 ChildInfo::pid() const { return d->pid; }
void ChildInfo::setPid(qint64 pid) { d->pid = pid; }
QString ChildInfo::group() const { return d->group; }
void ChildInfo::setGroup(const QString &group) { d->group = group; }
int ChildInfo::instance() const { return d->instance; }
void ChildInfo::setInstance(int instance) { d->instance = instance; }
QString ChildInfo::file() const { return d->file; }
void ChildInfo::setFile(const QString &file) { d->file = file; }
QString ChildInfo::cpu() const { return d->cpu; }
void ChildInfo::setCpu(const QString &cpu) { d->cpu = cpu; }
ChildInfo::State ChildInfo::state() const { return d->state; }
void ChildInfo::setState(ChildInfo::State state) { d->state = state; }
int ChildInfo::restarts() const { return d->restarts; }
void ChildInfo::setRestarts(int restarts) { d->restarts = restarts; }
QDateTime ChildInfo::startedAt() const { return d->startedAt; }
void ChildInfo::setStartedAt(const QDateTime &startedAt) { d->startedAt = startedAt; }
bool ChildInfo::registers() const { return d->registers; }
void ChildInfo::setRegisters(bool registers) { d->registers = registers; }
bool ChildInfo::respawn() const { return d->respawn; }
void ChildInfo::setRespawn(bool respawn) { d->respawn = respawn; }
QStringList ChildInfo::commandLine() const { return d->commandLine; }
void ChildInfo::setCommandLine(const QStringList &commandLine) { d->commandLine = commandLine; }
QString ChildInfo::error() const { return d->error; }
void ChildInfo::setError(const QString &error) { d->error = error; }
qint64 ChildInfo::droppedOutputLines() const { return d->droppedOutputLines; }
void ChildInfo::setDroppedOutputLines(qint64 droppedOutputLines) { d->droppedOutputLines = droppedOutputLines; }

bool ChildInfo::operator==(const ChildInfo &other) const
{
    return d == other.d || (d->pid == other.d->pid
        && d->group == other.d->group
        && d->instance == other.d->instance
        && d->file == other.d->file
        && d->cpu == other.d->cpu
        && d->state == other.d->state
        && d->restarts == other.d->restarts
        && d->startedAt == other.d->startedAt
        && d->registers == other.d->registers
        && d->respawn == other.d->respawn
        && d->commandLine == other.d->commandLine
        && d->error == other.d->error
        && d->droppedOutputLines == other.d->droppedOutputLines);
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_childinfo.cpp"
