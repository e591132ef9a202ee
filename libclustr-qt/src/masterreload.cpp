// SPDX-License-Identifier: MIT
// The master's side of the rolling reload: ReloadMachine decides, the master
// does (Redis kills, its supervisor's children, timers, signals) and tells
// the machine what changed (see reloadmachine_p.h for the transitions).
#include "master_p.h"

#include <algorithm>

namespace Clustr {

void MasterPrivate::startReload()
{
    if (closing) {
        qCWarning(lcMaster) << "reload ignored: the cluster is stopping";
        return;
    }
    reloadMachine.post(ReloadMachine::Event::ReloadRequested);
}

// A reload replaces our own tree: our children and the processes of this
// host descending from them. Whatever else registered (a hand-made process,
// one on another host, a forged registration) has no parent here to start
// it again, and the reload would only wait for it in vain.
QList<ReloadHost::WorkerInfo> MasterPrivate::registeredWorkers() const
{
    QList<WorkerInfo> workers;
    workers.reserve(groupOf.size());
    for (auto it = groupOf.cbegin(); it != groupOf.cend(); ++it) {
        if (!vetted.value(it.key()).ownTree)
            continue;
        const qint64 parent = parentOf(it.key());
        workers.append(WorkerInfo{it.key(), it.value(), parent == pid ? 0 : parent, respawns(it.key()),
                                  isOwnChild(it.key()), isEndedByParent(it.key())});
    }
    return workers;
}

QList<qint64> MasterPrivate::groupMembers(const QString &group) const
{
    // Only our tree's processes can be a step's replacement.
    QList<qint64> members = clusterInfo.value(group);
    members.removeIf([this](qint64 member) { return !vetted.value(member).ownTree; });
    return members;
}

bool MasterPrivate::isWorkerRegistered(qint64 workerPid) const
{
    return isRegistered(workerPid);
}

bool MasterPrivate::isClusterComplete(const QList<qint64> &othersUnderWay) const
{
    // The other steps' children (respawning, or a surge's replacement) are theirs to wait for.
    QSet<const ChildProcess *> ignored;
    for (qint64 oldPid : othersUnderWay) {
        const ReloadSlot slot = reloadSlots.value(oldPid);
        if (slot.old)
            ignored.insert(slot.old);
        if (slot.replacement)
            ignored.insert(slot.replacement);
    }
    return clusterComplete(ignored);
}

ReloadHost::Rollout MasterPrivate::rolloutOf(qint64 workerPid) const
{
    const Supervisor::Child *own = supervisor ? supervisor->findByPid(workerPid) : nullptr;
    return own ? Rollout{own->spec.maxUnavailable(), own->spec.maxSurge()} : Rollout{};
}

std::chrono::milliseconds MasterPrivate::now() const
{
    return std::chrono::milliseconds(clock.elapsed());
}

void MasterPrivate::killWorker(qint64 workerPid, int exitCode)
{
    Q_Q(Master);
    if (const Supervisor::Child *own = supervisor ? supervisor->findByPid(workerPid) : nullptr) {
        own->process->expectExit(); // commanded: respawned at once, not counted as a crash
        if (exitCode != 0)
            reloadSlots[workerPid].old = own->process; // a step: its slot respawns it
    }
    killedByUs.insert(workerPid);
    q->emitKill(workerPid, exitCode);
}

std::optional<qint64> MasterPrivate::respawnedPid(qint64 oldPid) const
{
    const auto slot = reloadSlots.constFind(oldPid);
    if (slot == reloadSlots.cend())
        return std::nullopt;
    return slot->old ? slot->old->pid() : 0;
}

bool MasterPrivate::startSurge(qint64 oldPid)
{
    const Supervisor::Child *own = supervisor ? supervisor->findByPid(oldPid) : nullptr;
    ChildProcess *replacement = own ? supervisor->startLike(own->process) : nullptr;
    if (!replacement)
        return false;
    reloadSlots.insert(oldPid, ReloadSlot{own->process, replacement, false});
    return true;
}

qint64 MasterPrivate::surgeReplacementPid(qint64 oldPid) const
{
    const ChildProcess *replacement = reloadSlots.value(oldPid).replacement;
    return replacement ? replacement->pid() : 0;
}

void MasterPrivate::retireSurgeOld(qint64 oldPid)
{
    ReloadSlot &slot = reloadSlots[oldPid];
    if (slot.old)
        stopForGood(slot.old);
    else
        slot.oldGone = true;
}

bool MasterPrivate::isSurgeOldGone(qint64 oldPid) const
{
    const ReloadSlot slot = reloadSlots.value(oldPid);
    return slot.oldGone || !slot.old;
}

void MasterPrivate::stopSurgeReplacement(qint64 oldPid)
{
    ChildProcess *replacement = reloadSlots.value(oldPid).replacement;
    if (!replacement)
        return;
    clustrInfo(lcMaster) << "surge: the replacement" << replacement->pid() << "was not ready in time, stopping it";
    stopForGood(replacement);
}

void MasterPrivate::endStep(qint64 oldPid)
{
    reloadSlots.remove(oldPid);
}

// One of our children goes and is not respawned (stopChild()), and is
// forgotten once it has ended.
void MasterPrivate::stopForGood(ChildProcess *child)
{
    QObject::connect(child, &ChildProcess::stopped, q_func(), [this, child] {
        for (ReloadSlot &slot : reloadSlots) {
            if (slot.old == child)
                slot.oldGone = true; // before remove(): that reports a change the machine checks
        }
        supervisor->remove(child);
    });
    stopChild(child);
}

// Given-up children: what a restart brings back. Only the master's own
// children: a given-up grandchild is its parent's to start again.
ChildProcess *MasterPrivate::givenUpChild(qint64 lastPid) const
{
    if (!supervisor || lastPid <= 0)
        return nullptr;
    const QList<ChildProcess *> children = supervisor->processes();
    for (ChildProcess *child : children) {
        if (child->state() == ChildProcess::State::Failed && child->lastPid() == lastPid && supervisor->find(child)->spec.registers())
            return child;
    }
    return nullptr;
}

QList<ReloadHost::WorkerInfo> MasterPrivate::givenUpWorkers() const
{
    QList<WorkerInfo> workers;
    const QList<ChildProcess *> children = supervisor ? supervisor->processes() : QList<ChildProcess *>();
    for (ChildProcess *child : children) {
        if (givenUpChild(child->lastPid()) == child)
            workers.append(WorkerInfo{child->lastPid(), child->group(), 0, true, true, false});
    }
    return workers;
}

bool MasterPrivate::isGivenUp(qint64 workerPid) const
{
    return givenUpChild(workerPid) != nullptr;
}

void MasterPrivate::reviveWorker(qint64 workerPid)
{
    if (ChildProcess *child = givenUpChild(workerPid)) {
        clustrInfo(lcMaster) << "starting the given-up child" << workerPid << "of" << child->group() << "again";
        child->start(); // from Failed: its crash counters start over
    }
}

void MasterPrivate::startTimer(Timer timer, std::chrono::milliseconds interval)
{
    (timer == Timer::Step ? reloadStepTimer : reloadDelayTimer).start(interval);
}

void MasterPrivate::stopTimer(Timer timer)
{
    (timer == Timer::Step ? reloadStepTimer : reloadDelayTimer).stop();
}

void MasterPrivate::reloadStarted(int steps)
{
    Q_EMIT q_func()->reloadStarted(steps);
    // Children that never register are not the reload's to replace; say so,
    // rather than let "reloaded" suggest that the whole tree is new. Only
    // those the reload was asked for: a restart of one group leaves the rest.
    const ReloadMachine::Request &request = reloadMachine.currentRequest();
    const auto report = [this, &request](const ChildInfo &child) {
        if (!request.names(child.pid(), child.group()))
            return;
        if (!child.registers())
            reloadExcluded(child.pid(), child.group(), QStringLiteral("register: false"));
        else if (child.state() == ChildInfo::State::Failed && !reloadMachine.currentRequest().revive)
            reloadExcluded(child.pid(), child.group(), QStringLiteral("given up: %1").arg(child.error()));
        else if (child.state() == ChildInfo::State::Stopped && stoppedGroups.contains(child.group()))
            reloadExcluded(child.pid(), child.group(), QStringLiteral("stopped (clustr-qt start %1 brings it back)").arg(child.group()));
    };
    if (supervisor) {
        const QList<ChildInfo> own = supervisor->infos();
        std::for_each(own.cbegin(), own.cend(), report);
    }
    for (auto it = heartbeats.cbegin(); it != heartbeats.cend(); ++it) {
        if (!isRegistered(it.key()) || !vetted.value(it.key()).ownTree)
            continue;
        const QList<ChildInfo> children = it->data.children();
        std::for_each(children.cbegin(), children.cend(), report);
    }
}

void MasterPrivate::reloadExcluded(qint64 workerPid, const QString &workerGroup, const QString &reason)
{
    clustrInfo(lcMaster).noquote() << QStringLiteral("reload: %1 of %2 is no step of its own: %3").arg(workerPid).arg(workerGroup, reason);
    Q_EMIT q_func()->reloadExcluded(workerPid, workerGroup, reason);
}

void MasterPrivate::reloadStepStarted(int step, int steps, qint64 oldPid, const QString &group)
{
    Q_EMIT q_func()->reloadStepStarted(step, steps, oldPid, group);
}

void MasterPrivate::reloadStepFinished(int step, int steps, qint64 oldPid, qint64 newPid)
{
    Q_EMIT q_func()->reloadStepFinished(step, steps, oldPid, newPid);
    if (isUpdateRoll(reloadMachine.currentRequest())) {
        ++update->rollDone;
        publishUpdateProgress();
    }
}

void MasterPrivate::reloadStepTimedOut(int step, int steps, qint64 oldPid, const QString &group)
{
    Q_EMIT q_func()->reloadStepTimedOut(step, steps, oldPid, group);
    if (isUpdateRoll(reloadMachine.currentRequest())) {
        ++update->rollDone;
        publishUpdateProgress();
    }
}

void MasterPrivate::clusterReloaded()
{
    clustrInfo(lcMaster) << "cluster reloaded:" << groupOf.size() << "workers";
    Q_EMIT q_func()->clusterReloaded(int(groupOf.size()));
    const ReloadMachine::Request &request = reloadMachine.currentRequest();
    if (isUpdateRoll(request)) {
        finishUpdate(QString());
    } else if (request.revive) { // a restart: its command is answered
        Protocol::ControlCommand command;
        command.type = Protocol::ControlCommand::Type::Restart;
        command.id = request.id;
        command.group = request.groups.value(0);
        command.pid = request.pid;
        publishCommandEvent(ClusterEvent::Type::CommandFinished, command, reloadMachine.steps(), reloadMachine.steps());
    }
}

} // namespace Clustr
