// SPDX-License-Identifier: MIT
// The master's restarts and group commands (`clustr-qt restart|stop|start|
// scale`, Master's slots of the same names): each is checked first and
// refused with a reason, or carried out and answered with events
// (docs/PROTOCOL.md section 11). Restarts are reloads of a scope, run by the
// ReloadMachine; group commands act on the master's own children and are
// followed to their end by a GroupOperation.
#include "master_p.h"

#include <algorithm>

namespace Clustr {

namespace {

using Command = Protocol::ControlCommand;
using Error = Master::CommandError;

CommandAnswer refuse(Error error, const QString &reason)
{
    return {error, reason};
}

Command::Failure failureOf(Error error)
{
    static_assert(int(Error::Stopping) == int(Command::Failure::Stopping), "the same kinds, in the same order");
    return Command::Failure(int(error));
}

QString targetText(const Command &command)
{
    if (command.type == Command::Type::Restart && command.pid > 0)
        return QStringLiteral("process %1").arg(command.pid);
    if (command.type == Command::Type::Update)
        return QStringLiteral("the spawn entries");
    if (!command.group.isEmpty())
        return QStringLiteral("group %1").arg(command.group);
    return QStringLiteral("the cluster");
}

} // namespace

Master::CommandError MasterPrivate::runCommand(const Command &command)
{
    if (command.type == Command::Type::Update)
        return runUpdate(command);
    const CommandAnswer answer = checkCommand(command);
    if (answer.error != Error::NoError)
        return rejectCommand(command, answer);
    clustrInfo(lcMaster).noquote() << Command::typeName(command.type) << "of" << targetText(command);
    if (command.type == Command::Type::Restart)
        startRestart(command);
    else
        startGroupCommand(command);
    return Error::NoError;
}

Master::CommandError MasterPrivate::rejectCommand(const Command &command, const CommandAnswer &answer, const QStringList &plan)
{
    qCWarning(lcMaster).noquote() << QStringLiteral("%1 of %2 refused: %3")
                                         .arg(Command::typeName(command.type), targetText(command), answer.reason);
    publishCommandEvent(ClusterEvent::Type::CommandRejected, command, 0, 0, answer, plan);
    Q_EMIT q_func()->commandRejected(Command::typeName(command.type), answer.error, answer.reason);
    return answer.error;
}

CommandAnswer MasterPrivate::checkCommand(const Command &command) const
{
    if (closing)
        return refuse(Error::Stopping, QStringLiteral("the cluster is stopping"));
    if (command.type == Command::Type::Restart)
        return checkRestart(command);
    return checkGroupCommand(command);
}

QStringList MasterPrivate::knownGroups() const
{
    QStringList groups = supervisor ? supervisor->groups() : QStringList();
    for (auto it = groupOf.cbegin(); it != groupOf.cend(); ++it) {
        if (vetted.value(it.key()).ownTree && !groups.contains(it.value()))
            groups.append(it.value());
    }
    std::sort(groups.begin(), groups.end());
    return groups;
}

CommandAnswer MasterPrivate::checkRestart(const Command &command) const
{
    if (command.pid > 0)
        return checkRestartedProcess(command.pid);
    const QList<WorkerInfo> workers = registeredWorkers();
    const QList<WorkerInfo> givenUp = givenUpWorkers();
    const auto inGroup = [&command](const WorkerInfo &worker) { return command.group.isEmpty() || worker.group == command.group; };
    if (!command.group.isEmpty() && !knownGroups().contains(command.group))
        return refuse(Error::NoSuchTarget, QStringLiteral("no group \"%1\" in the cluster (its groups: %2)")
                                               .arg(command.group, knownGroups().join(QStringLiteral(", "))));
    if (stoppedGroups.contains(command.group))
        return refuse(Error::NothingToDo, QStringLiteral("group %1 is stopped: start it instead").arg(command.group));
    if (std::none_of(workers.cbegin(), workers.cend(), inGroup) && std::none_of(givenUp.cbegin(), givenUp.cend(), inGroup))
        return refuse(Error::NothingToDo, QStringLiteral("%1 has no process to restart").arg(targetText(command)));
    return {};
}

CommandAnswer MasterPrivate::checkRestartedProcess(qint64 workerPid) const
{
    if (workerPid == pid)
        return refuse(Error::Invalid, QStringLiteral("%1 is the master: stop the cluster and run it again instead").arg(workerPid));
    if (givenUpChild(workerPid))
        return {};
    if (!isRegistered(workerPid))
        return refuse(Error::NoSuchTarget, QStringLiteral("no process %1 in the cluster").arg(workerPid));
    if (!vetted.value(workerPid).ownTree)
        return refuse(Error::Invalid, QStringLiteral("%1 is not of the master's tree: nothing here would start it again").arg(workerPid));
    if (!respawns(workerPid))
        return refuse(Error::Invalid, QStringLiteral("%1 is not respawned (respawn: false): a restart would only stop it").arg(workerPid));
    return {};
}

CommandAnswer MasterPrivate::checkGroupCommand(const Command &command) const
{
    const QString &group = command.group;
    const bool spawned = supervisor && supervisor->groups().contains(group);
    if (!spawned && knownGroups().contains(group))
        return refuse(Error::Invalid, QStringLiteral("group %1 is not spawned by the master (its processes are children of "
                                                     "other workers): only the master's spawn entries can be stopped, started "
                                                     "or scaled").arg(group));
    if (!spawned)
        return refuse(Error::NoSuchTarget, QStringLiteral("no group \"%1\" in the cluster (its groups: %2)")
                                               .arg(group, knownGroups().join(QStringLiteral(", "))));
    // A reload waits for replacements in every group: a group changing under it would stall it.
    if (reloadMachine.isRunning())
        return refuse(Error::Busy, QStringLiteral("a reload or restart is running: try again once it is done"));
    if (update)
        return refuse(Error::Busy, QStringLiteral("an update of the spawn entries is running: try again once it is done"));
    const QList<ChildProcess *> children = supervisor->groupProcesses(group);
    const bool stopped = stoppedGroups.contains(group);
    switch (command.type) {
    case Command::Type::StopGroup:
        if (stopped)
            return refuse(Error::NothingToDo, QStringLiteral("group %1 is stopped already").arg(group));
        break;
    case Command::Type::StartGroup:
        if (!stopped && std::none_of(children.cbegin(), children.cend(), [](ChildProcess *child) {
                return child->state() == ChildProcess::State::Failed || child->state() == ChildProcess::State::Stopped;
            }))
            return refuse(Error::NothingToDo, QStringLiteral("group %1 runs already (%2 instances)").arg(group).arg(children.size()));
        break;
    case Command::Type::Scale:
        if (children.size() == command.instances)
            return refuse(Error::NothingToDo, QStringLiteral("group %1 has %2 instances already").arg(group).arg(command.instances));
        break;
    default:
        return refuse(Error::Invalid, QStringLiteral("not a group command"));
    }
    return {};
}

void MasterPrivate::startRestart(const Command &command)
{
    ReloadMachine::Request request;
    request.revive = true;
    request.id = command.id;
    if (command.pid > 0) {
        request.scope = ReloadMachine::Request::Scope::Process;
        request.pid = command.pid;
    } else if (!command.group.isEmpty()) {
        request.scope = ReloadMachine::Request::Scope::Group;
        request.groups = {command.group};
    }
    // Accepted now; its steps come with its reloadStarted, which may wait behind a reload under way.
    publishCommandEvent(ClusterEvent::Type::CommandAccepted, command);
    reloadMachine.request(request);
}

void MasterPrivate::startGroupCommand(const Command &command)
{
    const QString &group = command.group;
    const QList<ChildProcess *> children = supervisor->groupProcesses(group);
    GroupOperation::Goal goal{true, int(children.size())};
    const GroupOperation::View before = groupView(group);
    if (command.type == Command::Type::StopGroup) {
        goal.running = false;
        stoppedGroups.insert(group);
        for (ChildProcess *child : children)
            stopChild(child);
    } else if (command.type == Command::Type::StartGroup) {
        stoppedGroups.remove(group);
        for (ChildProcess *child : children) {
            const auto state = child->state();
            if (state == ChildProcess::State::Stopped || state == ChildProcess::State::Failed || state == ChildProcess::State::NotStarted)
                child->start(); // counters start over: a given-up child gets a fresh crash budget
        }
    } else {
        // A stopped group keeps its new size for `start GROUP`: nothing runs now.
        goal = stoppedGroups.contains(group) ? GroupOperation::Goal{false, 0} : GroupOperation::Goal{true, command.instances};
        resizeGroup(group, command.instances, !stoppedGroups.contains(group));
    }
    GroupOperation operation(goal, before);
    publishCommandEvent(ClusterEvent::Type::CommandAccepted, command, 0, operation.steps());
    groupOperations.append({command, operation});
    checkGroupOperations(); // a stop of children that were all down already is done now
}

// New instances take the lowest free numbers; the highest go first, so a
// group scaled down and up again has instances 0..N-1.
void MasterPrivate::resizeGroup(const QString &group, int instances, bool start)
{
    QList<ChildProcess *> children = supervisor->groupProcesses(group);
    for (qsizetype n = children.size(); n < instances; ++n)
        supervisor->addInstance(group, start);
    while (children.size() > instances)
        stopForGood(children.takeLast());
}

// A worker that has registered hears a kill (its handler runs, exit code
// 0); one that has not may not hear it yet, so it gets SIGTERM. SIGKILL
// after its kill timeout either way: the group never stays larger than it should.
void MasterPrivate::stopChild(ChildProcess *child)
{
    Q_Q(Master);
    const qint64 childPid = child->pid();
    if (childPid > 0 && isRegistered(childPid)) {
        child->stop(ChildProcess::StopMode::WaitForExit);
        killedByUs.insert(childPid);
        q->emitKill(childPid, 0);
    } else {
        child->stop(ChildProcess::StopMode::Terminate);
    }
}

GroupOperation::View MasterPrivate::groupView(const QString &group) const
{
    GroupOperation::View view;
    const QList<ChildProcess *> children = supervisor ? supervisor->groupProcesses(group) : QList<ChildProcess *>();
    for (ChildProcess *child : children) {
        ++view.children;
        const auto state = child->state();
        const bool registers = supervisor->find(child)->spec.registers();
        if (state == ChildProcess::State::Running && (!registers || isRegistered(child->pid())))
            ++view.ready;
        if (state == ChildProcess::State::Stopped || state == ChildProcess::State::Failed || state == ChildProcess::State::NotStarted)
            ++view.down;
        if (state == ChildProcess::State::Failed && view.failure.isEmpty())
            view.failure = QStringLiteral("instance %1 of %2 was given up: %3")
                               .arg(supervisor->find(child)->instance).arg(group, child->errorString());
    }
    return view;
}

void MasterPrivate::checkGroupOperations()
{
    for (qsizetype i = 0; i < groupOperations.size();) {
        PendingOperation &pending = groupOperations[i];
        if (pending.operation.update(groupView(pending.command.group)) && !pending.operation.isFinished())
            publishCommandEvent(ClusterEvent::Type::CommandProgress, pending.command, pending.operation.done(), pending.operation.steps());
        if (!pending.operation.isFinished()) {
            ++i;
            continue;
        }
        const PendingOperation done = groupOperations.takeAt(i);
        finishGroupOperation(done.command, done.operation);
    }
    checkUpdate();
}

void MasterPrivate::finishGroupOperation(const Command &command, const GroupOperation &operation)
{
    Q_Q(Master);
    const QString &group = command.group;
    if (!operation.failure().isEmpty()) {
        qCWarning(lcMaster).noquote() << QStringLiteral("%1 of group %2 failed: %3").arg(Command::typeName(command.type), group, operation.failure());
        publishCommandEvent(ClusterEvent::Type::CommandFinished, command, operation.steps(), operation.steps(),
                            {Error::NoError, operation.failure()});
        Q_EMIT q->groupCommandFailed(group, operation.failure());
        return;
    }
    publishCommandEvent(ClusterEvent::Type::CommandFinished, command, operation.steps(), operation.steps());
    const int instances = supervisor ? int(supervisor->groupProcesses(group).size()) : 0;
    if (command.type == Command::Type::StopGroup)
        Q_EMIT q->groupStopped(group);
    else if (command.type == Command::Type::StartGroup)
        Q_EMIT q->groupStarted(group, instances);
    else
        Q_EMIT q->groupScaled(group, instances);
}

// \a answer's reason with no error kind: a command that ran and failed (CommandFinished).
void MasterPrivate::publishCommandEvent(ClusterEvent::Type type, const Command &command, int step, int steps,
                                        const CommandAnswer &answer, const QStringList &plan)
{
    if (!options.announce())
        return;
    ClusterEvent e;
    e.setType(type);
    e.setRequestId(command.id);
    e.setCommand(Command::typeName(command.type));
    e.setGroup(command.group);
    e.setPid(command.pid);
    e.setStep(step);
    e.setSteps(steps);
    if (answer.error != Error::NoError)
        e.setError(Command::failureName(failureOf(answer.error)));
    else if (!answer.reason.isEmpty())
        e.setError(Command::failureName(Command::Failure::Failed));
    e.setReason(answer.reason);
    e.setPlan(plan);
    publishEvent(e);
}

// What the protocol's reader checks of a command from a tool, for one from the program's own calls.
Master::CommandError MasterPrivate::runLocalCommand(const Command &command)
{
    Q_Q(Master);
    QString reason;
    const bool groupNeeded = command.type != Command::Type::Update && (command.type != Command::Type::Restart || command.pid == 0);
    if (groupNeeded && !(command.type == Command::Type::Restart && command.group.isEmpty()) && !isValidName(command.group))
        reason = QStringLiteral("invalid group name \"%1\"").arg(command.group.left(200));
    else if (command.instances < 0 || command.instances > Command::MaxInstances)
        reason = QStringLiteral("instances must be from 0 to %1, not %2").arg(Command::MaxInstances).arg(command.instances);
    if (reason.isEmpty())
        return runCommand(command);
    Q_EMIT q->commandRejected(Command::typeName(command.type), Error::Invalid, reason);
    return Error::Invalid;
}

// Master's slots

Master::CommandError Master::restartCluster()
{
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::Restart;
    return d_func()->runCommand(command);
}

Master::CommandError Master::restartGroup(const QString &group)
{
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::Restart;
    command.group = group;
    return d_func()->runLocalCommand(command);
}

Master::CommandError Master::restartProcess(qint64 pid)
{
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::Restart;
    command.pid = pid;
    if (pid <= 0) {
        const QString reason = QStringLiteral("invalid pid %1").arg(pid);
        Q_EMIT commandRejected(Protocol::ControlCommand::typeName(command.type), CommandError::Invalid, reason);
        return CommandError::Invalid;
    }
    return d_func()->runLocalCommand(command);
}

Master::CommandError Master::stopGroup(const QString &group)
{
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::StopGroup;
    command.group = group;
    return d_func()->runLocalCommand(command);
}

Master::CommandError Master::startGroup(const QString &group)
{
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::StartGroup;
    command.group = group;
    return d_func()->runLocalCommand(command);
}

Master::CommandError Master::scaleGroup(const QString &group, int instances)
{
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::Scale;
    command.group = group;
    command.instances = instances;
    return d_func()->runLocalCommand(command);
}

Master::CommandError Master::updateSpawnEntries(bool dryRun)
{
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::Update;
    command.dryRun = dryRun;
    return d_func()->runLocalCommand(command);
}

void Master::setSpawnSource(const SpawnSource &source)
{
    d_func()->spawnSource = source;
}

} // namespace Clustr
