// SPDX-License-Identifier: MIT
// The master's update of its spawn entries (`clustr-qt reload --config`,
// Master::updateSpawnEntries()): the entries to run come from the spawn
// source (the daemon reads its cluster file again), a SpawnPlan says what
// differs, and the update carries it out in two phases, answered as one
// command (docs/PROTOCOL.md section 11): first every group that is added,
// removed, scaled or replaced at once, each followed by a GroupOperation;
// then one restart of the groups it rolls, run by the ReloadMachine, whose
// replacements start from the new entries.
#include "master_p.h"

namespace Clustr {

namespace {

using Command = Protocol::ControlCommand;
using Error = Master::CommandError;
using Action = SpawnPlan::Group::Action;

} // namespace

int MasterPrivate::PendingUpdate::steps() const
{
    int total = rollSteps;
    for (const PendingOperation &pending : operations)
        total += pending.operation.steps();
    for (const int instances : startAfterStop)
        total += instances;
    return total;
}

int MasterPrivate::PendingUpdate::done() const
{
    int total = rollDone;
    for (const PendingOperation &pending : operations)
        total += pending.operation.done();
    return total;
}

QList<SpawnPlan::Running> MasterPrivate::runningGroups() const
{
    QList<SpawnPlan::Running> running;
    const QStringList groups = supervisor ? supervisor->groups() : QStringList();
    for (const QString &group : groups) {
        if (const auto spec = supervisor->groupSpec(group))
            running.append({*spec, int(supervisor->groupProcesses(group).size()), stoppedGroups.contains(group)});
    }
    return running;
}

Master::CommandError MasterPrivate::runUpdate(const Command &command)
{
    const auto refuse = [&](Error error, const QString &reason, const QStringList &plan = {}) {
        return rejectCommand(command, {error, reason}, plan);
    };
    if (closing)
        return refuse(Error::Stopping, QStringLiteral("the cluster is stopping"));
    if (!spawnSource)
        return refuse(Error::Invalid, QStringLiteral("this master was not started from a cluster file: there is nothing to read again"));
    if (update || !groupOperations.isEmpty() || reloadMachine.isRunning())
        return refuse(Error::Busy, QStringLiteral("a reload, restart or group command is running: try again once it is done"));
    QString error;
    const auto wanted = spawnSource(&error);
    if (!wanted)
        return refuse(Error::Invalid, error);
    const SpawnPlan plan = SpawnPlan::make(runningGroups(), *wanted, &error);
    if (!error.isEmpty())
        return refuse(Error::Invalid, error);
    // Every entry that would start something must be able to: nothing changes otherwise.
    for (const SpawnPlan::Group &g : plan.groups()) {
        if (g.action == Action::Keep || g.action == Action::Remove)
            continue;
        if (const QString problem = supervisor ? supervisor->checkSpec(g.spec) : QString(); !problem.isEmpty())
            return refuse(Error::Invalid, QStringLiteral("group %1: %2").arg(g.name, problem), plan.lines());
    }
    if (!plan.hasChanges())
        return refuse(Error::NothingToDo, QStringLiteral("the cluster runs its spawn entries as they are"), plan.lines());
    const QStringList lines = plan.lines();
    for (const QString &line : lines)
        clustrInfo(lcMaster).noquote() << (command.dryRun ? "update (dry run):" : "update:") << line;
    if (command.dryRun) {
        publishCommandEvent(ClusterEvent::Type::CommandAccepted, command, 0, 0, {}, lines);
        publishCommandEvent(ClusterEvent::Type::CommandFinished, command, 0, 0, {}, lines);
        return Error::NoError;
    }
    startUpdate(command, plan);
    return Error::NoError;
}

void MasterPrivate::startUpdate(const Command &command, const SpawnPlan &plan)
{
    update.emplace();
    update->command = command;
    update->plan = plan.lines();
    for (const SpawnPlan::Group &g : plan.groups()) {
        QString error;
        switch (g.action) {
        case Action::Keep:
            break;
        case Action::Add:
            supervisor->spawn({g.spec});
            resizeForUpdate(g.name, g.to); // spawned at that size already: only followed
            break;
        case Action::Remove:
            stoppedGroups.remove(g.name);
            update->removed.append(g.name);
            resizeForUpdate(g.name, 0);
            break;
        case Action::Roll:
        case Action::Replace:
        case Action::Scale:
            if (g.action != Action::Scale && !supervisor->setGroupSpec(g.name, g.spec, &error)) {
                // Checked before anything changed: only a file that changed since fails here.
                qCWarning(lcMaster).noquote() << QStringLiteral("update: group %1 keeps its entry: %2").arg(g.name, error);
                break;
            }
            if (g.stopped) {
                resizeGroup(g.name, g.to, false); // a stopped group keeps its new entry and size for `start GROUP`
            } else if (g.action == Action::Replace) {
                // Nothing says when a process that does not register is
                // ready: the old ones go, then the group starts anew.
                update->startAfterStop.insert(g.name, g.to);
                resizeForUpdate(g.name, 0);
            } else {
                resizeForUpdate(g.name, g.to);
                if (g.action == Action::Roll) {
                    update->roll.append(g.name);
                    update->rollSteps += g.to;
                }
            }
            break;
        }
    }
    publishCommandEvent(ClusterEvent::Type::CommandAccepted, command, 0, update->steps(), {}, update->plan);
    checkUpdate(); // a change with nothing to wait for is done now
}

// The group to \a instances (new ones started), followed there by one of the update's operations.
void MasterPrivate::resizeForUpdate(const QString &group, int instances)
{
    const GroupOperation::View before = groupView(group);
    resizeGroup(group, instances, true);
    Command target;
    target.group = group;
    update->operations.append({target, GroupOperation({true, instances}, before)});
}

void MasterPrivate::checkUpdate()
{
    if (!update || update->rolling)
        return;
    QString failure;
    bool structureDone = true;
    for (PendingOperation &pending : update->operations) {
        pending.operation.update(groupView(pending.command.group));
        if (!pending.operation.isFinished())
            structureDone = false;
        else if (failure.isEmpty())
            failure = pending.operation.failure();
    }
    if (!failure.isEmpty()) {
        finishUpdate(failure);
        return;
    }
    if (structureDone && !update->startAfterStop.isEmpty()) {
        // The replaced groups' old processes are gone: their new ones start.
        const QHash<QString, int> starts = std::exchange(update->startAfterStop, {});
        for (auto it = starts.cbegin(); it != starts.cend(); ++it)
            resizeForUpdate(it.key(), it.value());
        publishUpdateProgress();
        checkUpdate();
        return;
    }
    publishUpdateProgress();
    if (!structureDone)
        return;
    for (const QString &group : std::as_const(update->removed))
        supervisor->forgetGroup(group);
    update->removed.clear();
    if (update->roll.isEmpty()) {
        finishUpdate(QString());
        return;
    }
    // The rolled groups' processes that ran before the update are replaced
    // from the new entries, as a restart of those groups replaces them.
    update->rolling = true;
    ReloadMachine::Request request;
    request.scope = ReloadMachine::Request::Scope::Group;
    request.groups = update->roll;
    request.revive = true;
    request.id = update->command.id;
    reloadMachine.request(request);
}

bool MasterPrivate::isUpdateRoll(const ReloadMachine::Request &request) const
{
    return update && update->rolling && request.revive && request.id == update->command.id && request.groups == update->roll;
}

void MasterPrivate::publishUpdateProgress()
{
    if (!update)
        return;
    const int done = update->done();
    if (done == update->lastDone)
        return;
    update->lastDone = done;
    if (update->rolling && reloadMachine.steps() > 0)
        update->rollSteps = reloadMachine.steps();
    publishCommandEvent(ClusterEvent::Type::CommandProgress, update->command, done, std::max(done, update->steps()));
}

void MasterPrivate::finishUpdate(const QString &failure)
{
    Q_Q(Master);
    const PendingUpdate finished = std::move(*update);
    update.reset();
    const int steps = std::max(finished.done(), finished.steps());
    if (!failure.isEmpty()) {
        qCWarning(lcMaster).noquote() << QStringLiteral("update of the spawn entries failed: %1").arg(failure);
        publishCommandEvent(ClusterEvent::Type::CommandFinished, finished.command, steps, steps, {Error::NoError, failure}, finished.plan);
        return;
    }
    clustrInfo(lcMaster) << "spawn entries updated";
    publishCommandEvent(ClusterEvent::Type::CommandFinished, finished.command, steps, steps, {}, finished.plan);
    Q_EMIT q->spawnEntriesUpdated(finished.plan);
}

} // namespace Clustr
