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

ReloadMachine::Limits ReloadMachine::limits(ProcessOptions::ReloadStrategy strategy, const ReloadHost::Rollout &rollout,
                                            int instances)
{
    const bool surge = strategy == ProcessOptions::ReloadStrategy::Surge;
    Limits limits;
    limits.maxUnavailable = rollout.maxUnavailable ? rollout.maxUnavailable->resolve(instances, false) : (surge ? 0 : 1);
    limits.maxSurge = rollout.maxSurge ? rollout.maxSurge->resolve(instances, true) : (surge ? 1 : 0);
    if (limits.maxUnavailable == 0 && limits.maxSurge == 0)
        limits.maxUnavailable = 1;
    return limits;
}

namespace {

bool isUnderWay(ReloadMachine::Phase phase)
{
    return phase == ReloadMachine::Phase::Replacing || phase == ReloadMachine::Phase::SurgeStarting
        || phase == ReloadMachine::Phase::SurgeStopping;
}

} // namespace

ReloadMachine::Phase ReloadMachine::phase() const
{
    if (!m_running)
        return Phase::Idle;
    for (const Lane &lane : m_lanes) {
        if (isUnderWay(lane.phase))
            return lane.phase;
    }
    return Phase::Settling;
}

int ReloadMachine::stepsUnderWay() const
{
    return int(std::count_if(m_lanes.cbegin(), m_lanes.cend(), [](const Lane &lane) { return isUnderWay(lane.phase); }));
}

int ReloadMachine::step() const
{
    return std::min(m_next + (stepsUnderWay() > 0 ? 0 : 1), steps());
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

// The transition function: each lane's phase decides what an event means to it.
void ReloadMachine::handle(Event event)
{
    if (event == Event::Cancelled) {
        cancel();
        return;
    }
    if (!m_running) {
        if (event == Event::ReloadRequested)
            startReload();
        armTimers();
        return;
    }
    switch (event) {
    case Event::ReloadRequested:
        // Never two at once: it runs after this one.
        clustrInfo(lcMaster) << "a reload is running: the next one is queued";
        return;
    case Event::Changed:
        for (int lane = 0; lane < m_lanes.size(); ++lane)
            checkLane(lane);
        break;
    case Event::StepTimedOut: {
        m_stepTimerAt.reset(); // spent; armTimers() starts it again for what is left
        const std::chrono::milliseconds now = m_host->now();
        for (int lane = 0; lane < m_lanes.size(); ++lane) {
            if (isUnderWay(m_lanes.at(lane).phase) && m_lanes.at(lane).deadline <= now)
                timeOutLane(lane);
        }
        break;
    }
    case Event::DelayElapsed:
        m_delayTimerAt.reset();
        freeSettledLanes();
        fill();
        break;
    case Event::Cancelled:
        break;
    }
    armTimers();
}

void ReloadMachine::startReload()
{
    if (m_queue.isEmpty())
        return;
    m_request = m_queue.takeFirst();
    m_plan.clear();
    m_groupSize.clear();
    m_lanes.clear();
    m_claimed.clear();
    m_next = 0;
    m_running = true;
    plan(inScope(m_host->registeredWorkers()));
    fill();
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
        if (m_request.names(worker.pid, worker.group))
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
        if (root == worker.pid) {
            m_plan.append(Step{worker.pid, worker.group, worker.ownChild, false, {}});
            m_groupSize[worker.group] += worker.ownChild ? 1 : 0;
        }
    }
    if (m_request.revive) {
        const QList<ReloadHost::WorkerInfo> givenUp = m_host->givenUpWorkers();
        for (const ReloadHost::WorkerInfo &worker : givenUp) {
            if (m_request.names(worker.pid, worker.group))
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

ReloadMachine::Limits ReloadMachine::limitsOf(const Step &step) const
{
    return limits(m_config.strategy, m_host->rolloutOf(step.pid), m_groupSize.value(step.group));
}

int ReloadMachine::lanesOf(LaneKind kind) const
{
    return int(std::count_if(m_lanes.cbegin(), m_lanes.cend(), [kind](const Lane &lane) { return lane.kind == kind; }));
}

// Whether \a step may start beside the lanes in use: a step of the same
// group, with a lane of its kind free. Everything else waits for all of them.
bool ReloadMachine::mayJoin(const Step &step) const
{
    if (step.revive || !step.ownChild)
        return false;
    for (const Lane &lane : m_lanes) {
        if (lane.kind == LaneKind::Alone || m_plan.at(lane.index).group != step.group)
            return false;
    }
    const Limits limits = limitsOf(step);
    return lanesOf(LaneKind::Surge) < limits.maxSurge || lanesOf(LaneKind::Kill) < limits.maxUnavailable;
}

// Starts every step that may start now, in order.
void ReloadMachine::fill()
{
    while (m_next < steps()) {
        const Step &step = m_plan.at(m_next);
        if (!m_lanes.isEmpty() && !mayJoin(step))
            break;
        if (isPresent(step)) {
            startLane(m_next++);
            continue;
        }
        // Pids that went away meanwhile (crashed, killed by someone else) are skipped.
        clustrInfo(lcMaster) << "reload step" << m_next + 1 << "of" << steps() << ":" << step.pid << "is gone, skipped";
        m_host->reloadStepFinished(m_next + 1, steps(), step.pid, 0);
        ++m_next;
    }
    if (m_lanes.isEmpty() && m_next >= steps())
        finishReload();
}

void ReloadMachine::startLane(int index)
{
    const Step step = m_plan.at(index);
    // In the list before anything is reported: step() counts it.
    Lane &added = m_lanes.emplace_back();
    added.index = index;
    added.kind = LaneKind::Alone; // until it is known to be one of its group's lanes
    const QList<qint64> members = m_host->groupMembers(step.group);
    added.before = QSet<qint64>(members.cbegin(), members.cend());
    added.deadline = m_host->now() + m_config.stepTimeout;
    const int lane = int(m_lanes.size()) - 1;
    clustrInfo(lcMaster) << "reload step" << index + 1 << "of" << steps() << ": replacing" << step.pid << "of" << step.group;
    m_host->reloadStepStarted(index + 1, steps(), step.pid, step.group);
    if (step.revive) {
        m_host->reviveWorker(step.pid);
        return;
    }
    // Not the master's own child: its parent respawns it, one at a time as always.
    if (step.ownChild) {
        const Limits limits = limitsOf(step);
        if (lanesOf(LaneKind::Surge) < limits.maxSurge) {
            if (m_host->startSurge(step.pid)) {
                m_lanes[lane].phase = Phase::SurgeStarting;
                m_lanes[lane].kind = LaneKind::Surge;
                checkLane(lane); // a replacement may be ready at once (a host that is quick, or a test)
                return;
            }
            // No replacement could be started: killed instead, within maxUnavailable, else alone.
            if (lanesOf(LaneKind::Kill) < limits.maxUnavailable)
                m_lanes[lane].kind = LaneKind::Kill;
        } else {
            m_lanes[lane].kind = LaneKind::Kill;
        }
    }
    retireChildren(step);
    m_host->killWorker(step.pid, 1);
}

void ReloadMachine::checkLane(int index)
{
    const Lane &lane = m_lanes.at(index);
    const Step step = m_plan.at(lane.index);
    switch (lane.phase) {
    case Phase::Replacing: {
        if (m_host->isWorkerRegistered(step.pid) || !childrenRetired(step) || !m_host->isClusterComplete(othersUnderWay(index)))
            return;
        // The respawn where the old one ran, when the host knows it: with
        // several steps under way, a new pid of the group may be another's.
        const std::optional<qint64> respawned = m_host->respawnedPid(step.pid);
        const qint64 newPid = !respawned ? newPidOf(lane)
            : *respawned != step.pid && m_host->isWorkerRegistered(*respawned) ? *respawned
                                                                               : 0;
        if (newPid)
            finishLane(index, newPid);
        return;
    }
    case Phase::SurgeStarting: {
        const qint64 replacement = m_host->surgeReplacementPid(step.pid);
        if (replacement <= 0 || !m_host->isWorkerRegistered(replacement) || !m_host->isClusterComplete(othersUnderWay(index)))
            return;
        // The replacement serves: the old one may go, for good.
        clustrInfo(lcMaster) << "surge: replacement" << replacement << "is ready, stopping" << step.pid;
        m_lanes[index].phase = Phase::SurgeStopping;
        retireChildren(step);
        m_host->retireSurgeOld(step.pid);
        checkLane(index); // it may have been gone already
        return;
    }
    case Phase::SurgeStopping:
        if (m_host->isSurgeOldGone(step.pid) && !m_host->isWorkerRegistered(step.pid) && childrenRetired(step))
            finishLane(index, m_host->surgeReplacementPid(step.pid));
        return;
    default:
        return;
    }
}

// The old pids of the steps under way beside lane \a index: their replacements
// are theirs to wait for, not a reason for this one to wait.
QList<qint64> ReloadMachine::othersUnderWay(int index) const
{
    QList<qint64> pids;
    for (int other = 0; other < m_lanes.size(); ++other) {
        if (other != index && isUnderWay(m_lanes.at(other).phase))
            pids.append(m_plan.at(m_lanes.at(other).index).pid);
    }
    return pids;
}

// The replacement: a process of the same group that was not there when the
// step began, and is no other step's (one that ended, or a surge under way).
qint64 ReloadMachine::newPidOf(const Lane &lane) const
{
    QSet<qint64> taken = m_claimed;
    for (const Lane &other : m_lanes) {
        if (other.kind == LaneKind::Surge && isUnderWay(other.phase))
            taken.insert(m_host->surgeReplacementPid(m_plan.at(other.index).pid));
    }
    const QList<qint64> members = m_host->groupMembers(m_plan.at(lane.index).group);
    for (qint64 member : members) {
        if (!lane.before.contains(member) && !taken.contains(member))
            return member;
    }
    return 0;
}

void ReloadMachine::finishLane(int index, qint64 newPid)
{
    const Step step = m_plan.at(m_lanes.at(index).index);
    const int number = m_lanes.at(index).index + 1;
    clustrInfo(lcMaster) << "reload step" << number << "of" << steps() << ":" << step.pid << "->" << newPid;
    m_claimed.insert(newPid);
    m_host->endStep(step.pid);
    m_host->reloadStepFinished(number, steps(), step.pid, newPid);
    settle(index);
}

void ReloadMachine::timeOutLane(int index)
{
    const Step step = m_plan.at(m_lanes.at(index).index);
    const int number = m_lanes.at(index).index + 1;
    // Whatever the step started must not outlive it: a replacement that is
    // not ready in time goes, so the group keeps its size. A kill (Replacing)
    // or a retirement (SurgeStopping) already sent runs its course.
    if (m_lanes.at(index).phase == Phase::SurgeStarting)
        m_host->stopSurgeReplacement(step.pid);
    m_host->endStep(step.pid);
    qCWarning(lcMaster).noquote() << QStringLiteral("reload step %1 of %2: no replacement of %3 (%4) became ready within %5 ms; going on")
                                         .arg(number).arg(steps()).arg(step.pid).arg(step.group)
                                         .arg(m_config.stepTimeout.count());
    m_host->reloadStepTimedOut(number, steps(), step.pid, step.group);
    settle(index);
}

void ReloadMachine::settle(int index)
{
    m_lanes[index].phase = Phase::Settling;
    m_lanes[index].settledAt = m_host->now() + m_config.delay;
}

void ReloadMachine::freeSettledLanes()
{
    const std::chrono::milliseconds now = m_host->now();
    m_lanes.removeIf([now](const Lane &lane) { return lane.phase == Phase::Settling && lane.settledAt <= now; });
}

void ReloadMachine::finishReload()
{
    m_running = false;
    m_host->clusterReloaded();
    if (!m_queue.isEmpty())
        m_pending.append(Event::ReloadRequested); // handled once this transition is complete
}

// The host's two timers fire at the earliest step timeout and the earliest
// end of a settle delay; each is started again only when that moment changes.
void ReloadMachine::armTimers()
{
    std::optional<std::chrono::milliseconds> timeout;
    std::optional<std::chrono::milliseconds> settled;
    for (const Lane &lane : std::as_const(m_lanes)) {
        if (isUnderWay(lane.phase))
            timeout = timeout ? std::min(*timeout, lane.deadline) : lane.deadline;
        else if (lane.phase == Phase::Settling)
            settled = settled ? std::min(*settled, lane.settledAt) : lane.settledAt;
    }
    arm(ReloadHost::Timer::Step, timeout, &m_stepTimerAt);
    arm(ReloadHost::Timer::Delay, settled, &m_delayTimerAt);
}

void ReloadMachine::arm(ReloadHost::Timer timer, std::optional<std::chrono::milliseconds> at,
                        std::optional<std::chrono::milliseconds> *armed)
{
    if (at == *armed)
        return;
    *armed = at;
    if (at)
        m_host->startTimer(timer, std::max(*at - m_host->now(), std::chrono::milliseconds(0)));
    else
        m_host->stopTimer(timer);
}

void ReloadMachine::cancel()
{
    for (const Lane &lane : std::as_const(m_lanes)) {
        if (isUnderWay(lane.phase))
            m_host->endStep(m_plan.at(lane.index).pid);
    }
    m_lanes.clear();
    m_running = false;
    m_queue.clear();
    m_stepTimerAt.reset();
    m_delayTimerAt.reset();
    m_host->stopTimer(ReloadHost::Timer::Step);
    m_host->stopTimer(ReloadHost::Timer::Delay);
}

} // namespace Clustr
