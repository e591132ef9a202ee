// SPDX-License-Identifier: MIT
// The master's rolling reload: one registered worker at a time is replaced
// (killed with exit code 1 and respawned by its parent, or, with the surge
// strategy, replaced by a new child before it is stopped), and the next is
// touched only once the replacement is ready and reloadDelay has passed.
#include "master_p.h"

#include <algorithm>

namespace Clustr {

void MasterPrivate::startReload()
{
    Q_Q(Master);
    if (closing) {
        qCWarning(lcMaster) << "reload ignored: the cluster is stopping";
        return;
    }
    if (reloading) {
        // Never two reloads at once: one more runs when this one is done.
        reloadQueued = true;
        clustrInfo(lcMaster) << "a reload is running: the next one is queued";
        return;
    }
    reloading = true;
    reloadPlan.clear();
    reloadStep = 0;

    // A worker whose parent is itself a registered worker is replaced
    // together with that parent (it dies with it and is spawned anew), so
    // it is not a step of its own: nothing is reloaded twice. Children
    // that are not respawned would only be killed, so they are left alone.
    QList<qint64> pids = groupOf.keys();
    std::sort(pids.begin(), pids.end(), [this](qint64 a, qint64 b) {
        return groupOf.value(a) != groupOf.value(b) ? groupOf.value(a) < groupOf.value(b) : a < b;
    });
    for (qint64 workerPid : std::as_const(pids)) {
        const qint64 parent = parentOf(workerPid);
        if (parent != pid && isRegistered(parent))
            continue;
        if (!respawns(workerPid))
            continue;
        reloadPlan.append(ReloadStep{workerPid, groupOf.value(workerPid)});
    }
    clustrInfo(lcMaster) << "reloading" << reloadPlan.size() << "workers";
    Q_EMIT q->reloadStarted(int(reloadPlan.size()));
    nextReloadStep();
}

void MasterPrivate::nextReloadStep()
{
    Q_Q(Master);
    if (!reloading || closing)
        return;
    const int total = int(reloadPlan.size());
    // Pids that went away meanwhile (crashed, killed by someone else) are skipped.
    while (reloadStep < total && !isRegistered(reloadPlan.at(reloadStep).pid)) {
        clustrInfo(lcMaster) << "reload step" << reloadStep + 1 << "of" << total << ":"
                         << reloadPlan.at(reloadStep).pid << "is gone, skipped";
        Q_EMIT q->reloadStepFinished(reloadStep + 1, total, reloadPlan.at(reloadStep).pid, 0);
        ++reloadStep;
    }
    if (reloadStep >= total) {
        reloading = false;
        clustrInfo(lcMaster) << "cluster reloaded:" << groupOf.size() << "workers";
        Q_EMIT q->clusterReloaded(int(groupOf.size()));
        if (reloadQueued) {
            reloadQueued = false;
            startReload();
        }
        return;
    }

    const ReloadStep &step = reloadPlan.at(reloadStep);
    stepSnapshot = QSet<qint64>(groupOf.keyBegin(), groupOf.keyEnd());
    waitingForReplacement = true;
    clustrInfo(lcMaster) << "reload step" << reloadStep + 1 << "of" << total << ": replacing" << step.pid << "of" << step.group;
    Q_EMIT q->reloadStepStarted(reloadStep + 1, total, step.pid, step.group);
    reloadStepTimer.start(options.reloadTimeout());

    const Supervisor::Child *own = supervisor ? supervisor->findByPid(step.pid) : nullptr;
    if (own && options.reloadStrategy() == ProcessOptions::ReloadStrategy::Surge) {
        surgeOld = own->process;
        surgeNew = supervisor->startLike(own->process);
        return; // checkReloadStep() stops the old one once the new one is ready
    }
    if (own)
        own->process->expectExit(); // commanded: respawned at once, not counted as a crash
    killedByUs.insert(step.pid);
    q->emitKill(step.pid, 1);
}

void MasterPrivate::checkReloadStep()
{
    Q_Q(Master);
    if (!waitingForReplacement || reloadStep >= reloadPlan.size())
        return;
    const ReloadStep &step = reloadPlan.at(reloadStep);

    if (surgeNew) {
        if (surgeOld && surgeNew->pid() > 0 && isRegistered(surgeNew->pid()) && clusterComplete()) {
            // The replacement serves: the old one may go, for good (exit code 0).
            clustrInfo(lcMaster) << "surge: replacement" << surgeNew->pid() << "is ready, stopping" << step.pid;
            ChildProcess *old = surgeOld;
            surgeOld = nullptr;
            QObject::connect(old, &ChildProcess::stopped, q, [this, old] { supervisor->remove(old); });
            old->stop(ChildProcess::StopMode::WaitForExit);
            killedByUs.insert(step.pid);
            q->emitKill(step.pid, 0);
            return;
        }
        if (!surgeOld && !isRegistered(step.pid)) {
            const qint64 newPid = surgeNew->pid();
            surgeNew = nullptr;
            finishReloadStep(newPid);
        }
        return;
    }

    if (isRegistered(step.pid) || !clusterComplete())
        return;
    // The replacement: a process of the same group that was not there before.
    qint64 newPid = 0;
    for (qint64 candidate : clusterInfo.value(step.group)) {
        if (!stepSnapshot.contains(candidate)) {
            newPid = candidate;
            break;
        }
    }
    if (newPid)
        finishReloadStep(newPid);
}

void MasterPrivate::finishReloadStep(qint64 newPid)
{
    Q_Q(Master);
    const ReloadStep step = reloadPlan.at(reloadStep);
    waitingForReplacement = false;
    reloadStepTimer.stop();
    clustrInfo(lcMaster) << "reload step" << reloadStep + 1 << "of" << reloadPlan.size() << ":" << step.pid << "->" << newPid;
    Q_EMIT q->reloadStepFinished(reloadStep + 1, int(reloadPlan.size()), step.pid, newPid);
    ++reloadStep;
    reloadDelayTimer.start(options.reloadDelay());
}

void MasterPrivate::reloadStepTimedOut()
{
    Q_Q(Master);
    if (!waitingForReplacement)
        return;
    const ReloadStep step = reloadPlan.at(reloadStep);
    waitingForReplacement = false;
    surgeOld = nullptr;
    surgeNew = nullptr;
    qCWarning(lcMaster).noquote() << QStringLiteral("reload step %1 of %2: no replacement of %3 (%4) became ready within %5 ms; going on")
                                         .arg(reloadStep + 1).arg(reloadPlan.size()).arg(step.pid).arg(step.group)
                                         .arg(options.reloadTimeout().count());
    Q_EMIT q->reloadStepTimedOut(reloadStep + 1, int(reloadPlan.size()), step.pid, step.group);
    ++reloadStep;
    reloadDelayTimer.start(options.reloadDelay());
}

void MasterPrivate::cancelReload()
{
    reloading = false;
    reloadQueued = false;
    waitingForReplacement = false;
    surgeOld = nullptr;
    surgeNew = nullptr;
    reloadStepTimer.stop();
    reloadDelayTimer.stop();
}

} // namespace Clustr
