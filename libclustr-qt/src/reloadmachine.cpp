// SPDX-License-Identifier: MIT
#include "reloadmachine_p.h"

#include "base/logging_p.h"

#include <QtCore/QHash>

#include <algorithm>
#include <utility>

namespace Clustr {

ReloadHost::~ReloadHost() = default;

ReloadMachine::ReloadMachine(ReloadHost *host, const Config &config)
    : m_host(host)
    , m_config(config)
{
}

int ReloadMachine::step() const
{
    return std::min(m_current + 1, steps());
}

void ReloadMachine::post(Event event)
{
    if (event == Event::ReloadRequested)
        enqueue(Request());
    dispatch(event);
}

void ReloadMachine::request(const Request &request)
{
    enqueue(request);
    dispatch(Event::ReloadRequested);
}

void ReloadMachine::dispatch(Event event)
{
    m_pending.append(event);
    if (m_dispatching)
        return;
    m_dispatching = true;
    while (!m_pending.isEmpty())
        handle(m_pending.takeFirst());
    m_dispatching = false;
}

// Requests without an id (reloads: SIGHUP, reload()) that ask for the same
// replace the same processes: one run serves them all. One with an id is
// somebody's command, answered on its own.
void ReloadMachine::enqueue(const Request &request)
{
    if (request.id.isEmpty()) {
        for (const Request &queued : std::as_const(m_queue)) {
            if (queued.id.isEmpty() && queued.sameTarget(request))
                return;
        }
    }
    m_queue.append(request);
}

// The transition function: the current phase decides what an event means.
void ReloadMachine::handle(Event event)
{
    if (event == Event::Cancelled) {
        cancel();
        return;
    }
    switch (m_phase) {
    case Phase::Idle:
        if (event == Event::ReloadRequested)
            startReload();
        return;
    case Phase::Replacing:
    case Phase::SurgeStarting:
    case Phase::SurgeStopping:
        switch (event) {
        case Event::ReloadRequested:
            break;
        case Event::Changed:
            checkStep();
            return;
        case Event::StepTimedOut:
            timeOutStep();
            return;
        default:
            return;
        }
        break;
    case Phase::Settling:
        if (event == Event::DelayElapsed) {
            nextStep();
            return;
        }
        if (event != Event::ReloadRequested)
            return;
        break;
    }
    // A reload was requested during one: never two at once, it runs after this one.
    clustrInfo(lcMaster) << "a reload is running: the next one is queued";
}

void ReloadMachine::startReload()
{
    if (m_queue.isEmpty())
        return;
    m_request = m_queue.takeFirst();
    m_plan.clear();
    m_current = 0;
    m_phase = Phase::Settling; // between steps until the first one begins
    plan(inScope(m_host->registeredWorkers()));
    nextStep();
}

bool ReloadMachine::matches(const ReloadHost::WorkerInfo &worker) const
{
    switch (m_request.scope) {
    case Request::Scope::Cluster:
        return true;
    case Request::Scope::Group:
        return worker.group == m_request.group;
    case Request::Scope::Process:
        return worker.pid == m_request.pid;
    }
    return false;
}

// The processes in scope and their descendants (replaced with them, or
// retired first). An in-scope process whose parent stays is planned as if
// it had none: its parent respawns it, so it is a step of its own.
QList<ReloadHost::WorkerInfo> ReloadMachine::inScope(QList<ReloadHost::WorkerInfo> workers) const
{
    if (m_request.scope == Request::Scope::Cluster)
        return workers;
    QSet<qint64> kept;
    for (const ReloadHost::WorkerInfo &worker : std::as_const(workers)) {
        if (matches(worker))
            kept.insert(worker.pid);
    }
    for (bool grew = true; grew;) { // bounded: each pass adds at least one of a finite list
        grew = false;
        for (const ReloadHost::WorkerInfo &worker : std::as_const(workers)) {
            if (!kept.contains(worker.pid) && kept.contains(worker.parent)) {
                kept.insert(worker.pid);
                grew = true;
            }
        }
    }
    QList<ReloadHost::WorkerInfo> scoped;
    for (ReloadHost::WorkerInfo worker : std::as_const(workers)) {
        if (!kept.contains(worker.pid))
            continue;
        if (!kept.contains(worker.parent))
            worker.parent = 0;
        scoped.append(worker);
    }
    return scoped;
}

// Every registered process is replaced once: by a step of its own, or with
// the parent it descends from, which starts a new one. Children that are not
// respawned would only be killed, so they are left alone.
void ReloadMachine::plan(QList<ReloadHost::WorkerInfo> workers)
{
    std::sort(workers.begin(), workers.end(), [](const ReloadHost::WorkerInfo &a, const ReloadHost::WorkerInfo &b) {
        return a.group != b.group ? a.group < b.group : a.pid < b.pid;
    });
    QHash<qint64, ReloadHost::WorkerInfo> byPid;
    for (const ReloadHost::WorkerInfo &worker : std::as_const(workers))
        byPid.insert(worker.pid, worker);
    // The pid whose step replaces \a pid (itself, or an ancestor), 0 for none.
    // Bounded: heartbeats could describe a cycle of parents.
    const auto stepOf = [&byPid](qint64 pid) {
        qint64 root = 0;
        QList<qint64> chain;
        for (qint64 at = pid; at != 0 && chain.size() < 64; at = byPid.value(at).parent) {
            if (!byPid.contains(at))
                break;
            chain.append(at);
        }
        for (auto it = chain.crbegin(); it != chain.crend() && root == 0; ++it) {
            if (byPid.value(*it).respawns)
                root = *it;
        }
        return root;
    };
    QHash<qint64, qint64> rootOf;
    for (const ReloadHost::WorkerInfo &worker : std::as_const(workers)) {
        const qint64 root = stepOf(worker.pid);
        rootOf.insert(worker.pid, root);
        if (root == worker.pid)
            m_plan.append(Step{worker.pid, worker.group, worker.ownChild, false, {}});
    }
    if (m_request.revive) {
        const QList<ReloadHost::WorkerInfo> givenUp = m_host->givenUpWorkers();
        for (const ReloadHost::WorkerInfo &worker : givenUp) {
            if (matches(worker))
                m_plan.append(Step{worker.pid, worker.group, true, true, {}});
        }
    }
    struct Excluded
    {
        qint64 pid;
        QString group;
        QString reason;
    };
    QList<Excluded> excluded;
    for (const ReloadHost::WorkerInfo &worker : std::as_const(workers)) {
        const qint64 root = rootOf.value(worker.pid);
        if (root == worker.pid)
            continue;
        if (root == 0) {
            excluded.append({worker.pid, worker.group, QStringLiteral("respawn: false")});
            continue;
        }
        if (worker.endedByParent) {
            excluded.append({worker.pid, worker.group, QStringLiteral("replaced with its parent %1, which ends it").arg(worker.parent)});
            continue;
        }
        for (Step &step : m_plan) {
            if (step.pid == root)
                step.retire.append(worker.pid);
        }
        excluded.append({worker.pid, worker.group,
                         QStringLiteral("replaced with its parent %1, which does not end it: told to exit with code 0 first").arg(worker.parent)});
    }
    clustrInfo(lcMaster) << "reloading" << m_plan.size() << "workers";
    m_host->reloadStarted(steps());
    for (const Excluded &e : std::as_const(excluded))
        m_host->reloadExcluded(e.pid, e.group, e.reason);
}

void ReloadMachine::retireChildren(const Step &step)
{
    for (qint64 child : step.retire) {
        if (m_host->isWorkerRegistered(child))
            m_host->killWorker(child, 0);
    }
}

bool ReloadMachine::childrenRetired(const Step &step) const
{
    return std::none_of(step.retire.cbegin(), step.retire.cend(), [this](qint64 child) { return m_host->isWorkerRegistered(child); });
}

// A step's process is still there to replace (or, given up, to revive).
bool ReloadMachine::isPresent(const Step &step) const
{
    return step.revive ? m_host->isGivenUp(step.pid) : m_host->isWorkerRegistered(step.pid);
}

void ReloadMachine::nextStep()
{
    // Pids that went away meanwhile (crashed, killed by someone else) are skipped.
    while (m_current < steps() && !isPresent(m_plan.at(m_current))) {
        const Step &step = m_plan.at(m_current);
        clustrInfo(lcMaster) << "reload step" << m_current + 1 << "of" << steps() << ":" << step.pid << "is gone, skipped";
        m_host->reloadStepFinished(m_current + 1, steps(), step.pid, 0);
        ++m_current;
    }
    if (m_current >= steps()) {
        m_phase = Phase::Idle;
        m_host->clusterReloaded();
        if (!m_queue.isEmpty())
            m_pending.append(Event::ReloadRequested); // handled once this transition is complete
        return;
    }

    const Step step = m_plan.at(m_current);
    const QList<qint64> members = m_host->groupMembers(step.group);
    m_before = QSet<qint64>(members.cbegin(), members.cend());
    clustrInfo(lcMaster) << "reload step" << m_current + 1 << "of" << steps() << ": replacing" << step.pid << "of" << step.group;
    m_host->reloadStepStarted(m_current + 1, steps(), step.pid, step.group);
    m_host->startTimer(ReloadHost::Timer::Step, m_config.stepTimeout);
    if (step.revive) {
        m_phase = Phase::Replacing;
        m_host->reviveWorker(step.pid);
        return;
    }
    if (step.ownChild && m_config.strategy == ProcessOptions::ReloadStrategy::Surge && m_host->startSurge(step.pid)) {
        m_phase = Phase::SurgeStarting;
        checkStep(); // a replacement may be ready at once (a host that is quick, or a test)
        return;
    }
    m_phase = Phase::Replacing;
    retireChildren(step);
    m_host->killWorker(step.pid, 1);
}

void ReloadMachine::checkStep()
{
    const Step step = m_plan.at(m_current);
    switch (m_phase) {
    case Phase::Replacing: {
        if (m_host->isWorkerRegistered(step.pid) || !childrenRetired(step) || !m_host->isClusterComplete())
            return;
        if (const qint64 newPid = newPidOf(step.group))
            finishStep(newPid);
        return;
    }
    case Phase::SurgeStarting: {
        const qint64 replacement = m_host->surgeReplacementPid();
        if (replacement <= 0 || !m_host->isWorkerRegistered(replacement) || !m_host->isClusterComplete())
            return;
        // The replacement serves: the old one may go, for good.
        clustrInfo(lcMaster) << "surge: replacement" << replacement << "is ready, stopping" << step.pid;
        m_phase = Phase::SurgeStopping;
        retireChildren(step);
        m_host->retireSurgeOld();
        checkStep(); // it may have been gone already
        return;
    }
    case Phase::SurgeStopping:
        if (m_host->isSurgeOldGone() && !m_host->isWorkerRegistered(step.pid) && childrenRetired(step))
            finishStep(m_host->surgeReplacementPid());
        return;
    default:
        return;
    }
}

// The replacement: a process of the same group that was not there before.
qint64 ReloadMachine::newPidOf(const QString &group) const
{
    const QList<qint64> members = m_host->groupMembers(group);
    for (qint64 member : members) {
        if (!m_before.contains(member))
            return member;
    }
    return 0;
}

void ReloadMachine::finishStep(qint64 newPid)
{
    const Step step = m_plan.at(m_current);
    clustrInfo(lcMaster) << "reload step" << m_current + 1 << "of" << steps() << ":" << step.pid << "->" << newPid;
    m_host->stopTimer(ReloadHost::Timer::Step);
    if (m_phase == Phase::SurgeStopping)
        m_host->endSurge();
    m_host->reloadStepFinished(m_current + 1, steps(), step.pid, newPid);
    settle();
}

void ReloadMachine::timeOutStep()
{
    const Step step = m_plan.at(m_current);
    // Whatever the step started must not outlive it: a replacement that is
    // not ready in time goes, so the group keeps its size. A kill (Replacing)
    // or a retirement (SurgeStopping) already sent runs its course.
    if (m_phase == Phase::SurgeStarting)
        m_host->stopSurgeReplacement();
    if (m_phase == Phase::SurgeStarting || m_phase == Phase::SurgeStopping)
        m_host->endSurge();
    qCWarning(lcMaster).noquote() << QStringLiteral("reload step %1 of %2: no replacement of %3 (%4) became ready within %5 ms; going on")
                                         .arg(m_current + 1).arg(steps()).arg(step.pid).arg(step.group)
                                         .arg(m_config.stepTimeout.count());
    m_host->reloadStepTimedOut(m_current + 1, steps(), step.pid, step.group);
    settle();
}

void ReloadMachine::settle()
{
    m_phase = Phase::Settling;
    ++m_current;
    m_host->startTimer(ReloadHost::Timer::Delay, m_config.delay);
}

void ReloadMachine::cancel()
{
    if (m_phase == Phase::SurgeStarting || m_phase == Phase::SurgeStopping)
        m_host->endSurge();
    m_phase = Phase::Idle;
    m_queue.clear();
    m_host->stopTimer(ReloadHost::Timer::Step);
    m_host->stopTimer(ReloadHost::Timer::Delay);
}

} // namespace Clustr
