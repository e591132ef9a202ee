// SPDX-License-Identifier: MIT
// The rolling reload's transitions, with no process: a fake host keeps a
// model of the cluster (processes, their slots in their parents, who is
// registered) and the test plays what processes would do. Every path must
// end in Idle with exactly the configured instances of every group.
#include "reloadmachine_p.h"

#include <QtCore/QMap>
#include <QtTest/QTest>

#include <functional>
#include <memory>

using namespace Clustr;
using namespace std::chrono_literals;
using Phase = ReloadMachine::Phase;
using Event = ReloadMachine::Event;
using Strategy = ProcessOptions::ReloadStrategy;
using Timer = ReloadHost::Timer;

Q_DECLARE_METATYPE(Clustr::ReloadHost::Rollout)

// Named, not anonymous: the test class below holds a FakeHost, and GCC
// warns about a member of an anonymous type when a unity build includes
// this file into another (-Wsubobject-linkage).
namespace ModelCluster {

/*
  The cluster as the master would see it. A slot is one place in a parent
  (what a ChildProcess is): a respawn keeps the slot and gets a new pid.
  A kill only records what was asked; the test decides when the process
  exits (exit()), when a new one registers (registerPid()).
*/
class FakeHost : public ReloadHost
{
public:
    struct Proc
    {
        qint64 pid = 0;
        QString group;
        int slot = 0;
        qint64 parent = 0;
        bool own = true;
        bool respawn = true;
        bool endedByParent = true; // false: an original (clustr-node) parent, which leaves it running
        bool alive = true;
        bool registered = false;
        int killCode = -1;   // the exit code it was told to exit with; -1: none
    };

    ReloadMachine *machine = nullptr;
    QMap<qint64, Proc> procs;
    QList<qint64> registrationOrder;
    QHash<QString, int> configured;
    QStringList log;
    QStringList excluded; // reloadExcluded(), apart from the log: "pid: reason"
    QMap<Timer, std::chrono::milliseconds> timers;
    QMap<Timer, std::chrono::milliseconds> timersStartedAt;
    std::chrono::milliseconds clock{0}; // moves on only when a timer fires
    bool canSurge = true;
    struct Surge
    {
        int oldSlot = 0;
        int newSlot = 0;
    };
    QMap<qint64, Surge> surges; // by the old pid
    // The latest surge, for tests of one step at a time.
    int surgeOldSlot = 0;
    int surgeNewSlot = 0;
    QSet<int> retiredSlots;
    QHash<QString, Rollout> rollouts;
    std::function<void()> onReloaded;
    //! Called after every change of the model, once the machine has handled it.
    std::function<void()> onChanged;

    qint64 spawn(const QString &group, bool registered = true, qint64 parent = 0, bool respawn = true)
    {
        Proc p;
        p.pid = m_nextPid++;
        p.group = group;
        p.slot = m_nextSlot++;
        p.parent = parent;
        p.own = parent == 0;
        p.respawn = respawn;
        procs.insert(p.pid, p);
        if (registered)
            registerPid(p.pid);
        else if (onChanged)
            onChanged();
        return p.pid;
    }
    qint64 configure(const QString &group, int instances = 1)
    {
        configured[group] += instances;
        qint64 first = 0;
        for (int i = 0; i < instances; ++i) {
            const qint64 pid = spawn(group);
            first = first ? first : pid;
        }
        return first;
    }

    void registerPid(qint64 pid)
    {
        QVERIFY(procs.value(pid).alive);
        procs[pid].registered = true;
        registrationOrder.append(pid);
        changed();
    }

    //! \a pid ends; its parent respawns it (same slot, a new pid, not yet
    //! registered) unless its slot was retired, it was told to exit with 0 or it does not respawn.
    qint64 exit(qint64 pid)
    {
        Proc &p = procs[pid];
        if (!p.alive)
            return 0;
        p.alive = false;
        p.registered = false;
        registrationOrder.removeAll(pid);
        qint64 respawned = 0;
        if (p.respawn && p.killCode != 0 && !retiredSlots.contains(p.slot)) {
            Proc next = p;
            next.pid = m_nextPid++;
            next.alive = true;
            next.killCode = -1;
            procs.insert(next.pid, next);
            respawned = next.pid;
        }
        changed();
        return respawned;
    }

    //! The process killed in this step exits and its respawn registers.
    qint64 replaceKilled(qint64 pid)
    {
        const qint64 next = exit(pid);
        registerPid(next);
        return next;
    }

    qint64 currentPid(int slot) const
    {
        for (const Proc &p : procs) {
            if (p.slot == slot && p.alive)
                return p.pid;
        }
        return 0;
    }

    //! The time comes when \a timer fires, and it does.
    void fire(Timer timer)
    {
        QVERIFY2(timers.contains(timer), "the timer is not running");
        clock = std::max(clock, timersStartedAt.value(timer) + timers.value(timer));
        timers.remove(timer);
        machine->post(timer == Timer::Step ? Event::StepTimedOut : Event::DelayElapsed);
        if (onChanged)
            onChanged();
    }

    void changed()
    {
        machine->post(Event::Changed);
        if (onChanged)
            onChanged();
    }

    //! Live processes of \a group, and those of them registered.
    int running(const QString &group) const { return instances().value(group); }
    int ready(const QString &group) const { return int(groupMembers(group).size()); }

    QHash<QString, int> instances() const
    {
        QHash<QString, int> count;
        for (const Proc &p : procs) {
            if (p.alive)
                ++count[p.group];
        }
        return count;
    }

    //! Live processes told to exit with \a code.
    QList<qint64> killed(int code) const
    {
        QList<qint64> pids;
        for (const Proc &p : procs) {
            if (p.alive && p.killCode == code)
                pids.append(p.pid);
        }
        return pids;
    }

    // ReloadHost
    QList<WorkerInfo> registeredWorkers() const override
    {
        QList<WorkerInfo> workers;
        for (const Proc &p : procs) {
            if (p.registered)
                workers.append(WorkerInfo{p.pid, p.group, p.parent, p.respawn, p.own, p.endedByParent});
        }
        return workers;
    }
    QList<qint64> groupMembers(const QString &group) const override
    {
        QList<qint64> pids;
        for (qint64 pid : registrationOrder) {
            if (procs.value(pid).group == group)
                pids.append(pid);
        }
        return pids;
    }
    bool isWorkerRegistered(qint64 pid) const override { return procs.value(pid).registered; }
    bool isClusterComplete(const QList<qint64> &othersUnderWay) const override
    {
        QSet<int> theirs; // the slots the other steps wait for
        for (qint64 old : othersUnderWay) {
            theirs.insert(procs.value(old).slot);
            theirs.insert(surges.value(old).newSlot);
        }
        for (const Proc &p : procs) {
            if (p.alive && !p.registered && !theirs.contains(p.slot))
                return false;
        }
        return true;
    }
    Rollout rolloutOf(qint64 pid) const override { return rollouts.value(procs.value(pid).group); }
    std::chrono::milliseconds now() const override { return clock; }
    void killWorker(qint64 pid, int exitCode) override
    {
        log.append(QStringLiteral("kill %1 %2").arg(pid).arg(exitCode));
        procs[pid].killCode = exitCode;
    }
    std::optional<qint64> respawnedPid(qint64 oldPid) const override
    {
        if (!procs.contains(oldPid) || !procs.value(oldPid).own)
            return std::nullopt;
        return currentPid(procs.value(oldPid).slot);
    }
    bool startSurge(qint64 oldPid) override
    {
        if (!canSurge)
            return false;
        log.append(QStringLiteral("surge %1").arg(oldPid));
        Surge &surge = surges[oldPid];
        surge.oldSlot = surgeOldSlot = procs.value(oldPid).slot;
        const qint64 replacement = spawn(procs.value(oldPid).group, false);
        surge.newSlot = surgeNewSlot = procs.value(replacement).slot;
        return true;
    }
    qint64 surgeReplacementPid(qint64 oldPid) const override { return currentPid(surges.value(oldPid).newSlot); }
    //! The latest surge's replacement.
    qint64 surgeReplacementPid() const { return currentPid(surgeNewSlot); }
    void retireSurgeOld(qint64 oldPid) override
    {
        const int slot = surges.value(oldPid).oldSlot;
        const qint64 old = currentPid(slot);
        log.append(QStringLiteral("retire %1").arg(old));
        retiredSlots.insert(slot);
        if (old)
            procs[old].killCode = 0;
    }
    bool isSurgeOldGone(qint64 oldPid) const override { return currentPid(surges.value(oldPid).oldSlot) == 0; }
    void stopSurgeReplacement(qint64 oldPid) override
    {
        const int slot = surges.value(oldPid).newSlot;
        const qint64 replacement = currentPid(slot);
        log.append(QStringLiteral("stop replacement %1").arg(replacement));
        retiredSlots.insert(slot);
        if (replacement)
            exit(replacement);
    }
    void endStep(qint64 oldPid) override
    {
        const Surge surge = surges.take(oldPid);
        if (surge.oldSlot != 0 && surge.oldSlot == surgeOldSlot) {
            surgeOldSlot = 0;
            surgeNewSlot = 0;
        }
    }
    void startTimer(Timer timer, std::chrono::milliseconds interval) override
    {
        timers.insert(timer, interval);
        timersStartedAt.insert(timer, clock);
    }
    void stopTimer(Timer timer) override { timers.remove(timer); }
    void reloadStarted(int steps) override { log.append(QStringLiteral("started %1").arg(steps)); }
    void reloadExcluded(qint64 pid, const QString &, const QString &reason) override
    {
        excluded.append(QStringLiteral("%1: %2").arg(pid).arg(reason));
    }
    void reloadStepStarted(int step, int steps, qint64 oldPid, const QString &group) override
    {
        log.append(QStringLiteral("step %1/%2 %3 %4").arg(step).arg(steps).arg(oldPid).arg(group));
    }
    void reloadStepFinished(int step, int steps, qint64 oldPid, qint64 newPid) override
    {
        log.append(QStringLiteral("finished %1/%2 %3->%4").arg(step).arg(steps).arg(oldPid).arg(newPid));
    }
    void reloadStepTimedOut(int step, int steps, qint64 oldPid, const QString &) override
    {
        log.append(QStringLiteral("timedOut %1/%2 %3").arg(step).arg(steps).arg(oldPid));
    }
    void clusterReloaded() override
    {
        log.append(QStringLiteral("reloaded"));
        if (onReloaded)
            onReloaded();
    }
    // Given-up children: a last pid and a group; revived, a new unregistered process of the group.
    QMap<qint64, QString> givenUp;
    QList<WorkerInfo> givenUpWorkers() const override
    {
        QList<WorkerInfo> workers;
        for (auto it = givenUp.cbegin(); it != givenUp.cend(); ++it)
            workers.append(WorkerInfo{it.key(), it.value(), 0, true, true, false});
        return workers;
    }
    bool isGivenUp(qint64 pid) const override { return givenUp.contains(pid); }
    void reviveWorker(qint64 pid) override
    {
        log.append(QStringLiteral("revive %1").arg(pid));
        configured[givenUp.value(pid)] += 1;
        revived = spawn(givenUp.take(pid), false);
    }
    qint64 revived = 0;

private:
    qint64 m_nextPid = 100;
    int m_nextSlot = 1;
};

ReloadMachine::Config config(Strategy strategy)
{
    return {strategy, 300ms, 50ms};
}

} // namespace ModelCluster

using namespace ModelCluster;

class tst_ReloadMachine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();

    void emptyClusterIsReloadedAtOnce();
    void plan();
    void replacesEveryWorkerInTurn_data();
    void replacesEveryWorkerInTurn();
    void restartStepTimesOut_data();
    void restartStepTimesOut();
    void surgeStepTimesOutBeforeTheReplacementIsReady_data();
    void surgeStepTimesOutBeforeTheReplacementIsReady();
    void surgeStepTimesOutWhileTheOldOneStops();
    void reloadRequestedDuringAReloadIsQueued_data();
    void reloadRequestedDuringAReloadIsQueued();
    void requestFromAProgressReportRunsAfterIt();
    void plannedWorkerDyingMidStepIsSkipped_data();
    void plannedWorkerDyingMidStepIsSkipped();
    void oldWorkerDyingDuringASurgeStep();
    void surgeFallsBackToKillAndRespawn();
    void childOfAnOriginalParentIsEndedBeforeIt();
    void cancelEndsEverything_data();
    void cancelEndsEverything();
    void lateTimersAreIgnored();
    void restartOfAGroupLeavesOtherGroupsAlone();
    void restartOfOneProcess();
    void restartRevivesGivenUpChildren();
    void requestsWithIdsAreNotMerged();

    // Several steps at once: maxUnavailable and maxSurge.
    void limitsFollowKubernetes_data();
    void limitsFollowKubernetes();
    void maxUnavailableKillsSeveralAtOnce();
    void maxSurgeStartsSeveralReplacementsAtOnce();
    void percentagesOfTheGroup_data();
    void percentagesOfTheGroup();
    void aReplacementTimesOutWhileAnotherSucceeds();
    void explicitDefaultsReproduceTheOneAtATimeReload_data();
    void explicitDefaultsReproduceTheOneAtATimeReload();
    void groupsStillGoOneAfterAnother();

private:
    void start(Strategy strategy);
    //! Checks at every change that \a group of \a instances keeps \a limits while a reload runs.
    void watch(const QString &group, int instances, ReloadMachine::Limits limits);
    //! Plays what every process does, step after step, until the reload has ended.
    void serveEverything();
    //! The most steps under way at once seen by watch().
    int m_mostUnderWay = 0;
    //! Plays what the processes do until the step under way completes.
    void serveStep();
    //! The reload ended: Idle, no timer left, every group at its size.
    void verifyEnd();

    std::unique_ptr<FakeHost> m_host;
    std::unique_ptr<ReloadMachine> m_machine;
};

void tst_ReloadMachine::init()
{
    m_machine.reset();
    m_host = std::make_unique<FakeHost>();
    m_mostUnderWay = 0;
}

void tst_ReloadMachine::start(Strategy strategy)
{
    m_machine = std::make_unique<ReloadMachine>(m_host.get(), config(strategy));
    m_host->machine = m_machine.get();
}

void tst_ReloadMachine::serveStep()
{
    const qint64 old = m_host->killed(1).isEmpty() ? 0 : m_host->killed(1).constLast();
    switch (m_machine->phase()) {
    case Phase::Replacing:
        QVERIFY(old);
        m_host->replaceKilled(old);
        break;
    case Phase::SurgeStarting: {
        const int oldSlot = m_host->surgeOldSlot;
        m_host->registerPid(m_host->surgeReplacementPid());
        QCOMPARE(m_machine->phase(), Phase::SurgeStopping);
        m_host->exit(m_host->currentPid(oldSlot)); // its kill handler ran, it exits with 0
        break;
    }
    default:
        QFAIL("no step under way");
    }
    QCOMPARE(m_machine->phase(), Phase::Settling);
    QVERIFY(!m_host->timers.contains(Timer::Step));
}

void tst_ReloadMachine::verifyEnd()
{
    QCOMPARE(m_machine->phase(), Phase::Idle);
    QVERIFY(!m_machine->isRunning());
    QVERIFY(m_host->timers.isEmpty());
    QCOMPARE(m_host->instances(), m_host->configured);
    QCOMPARE(m_host->surgeOldSlot, 0);
    QCOMPARE(m_host->surgeNewSlot, 0);
    QVERIFY(m_host->surges.isEmpty());
}

void tst_ReloadMachine::emptyClusterIsReloadedAtOnce()
{
    start(Strategy::Restart);
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_host->log, (QStringList{QStringLiteral("started 0"), QStringLiteral("reloaded")}));
    verifyEnd();
}

void tst_ReloadMachine::plan()
{
    start(Strategy::Restart);
    const qint64 web = m_host->configure(QStringLiteral("web"));
    const qint64 parent = m_host->configure(QStringLiteral("cache"));
    // Goes with its parent: not a step of its own.
    m_host->configured[QStringLiteral("grandchild")] = 1;
    m_host->spawn(QStringLiteral("grandchild"), true, parent);
    // Would only be killed.
    m_host->configured[QStringLiteral("once")] = 1;
    m_host->spawn(QStringLiteral("once"), true, 0, false);

    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_machine->steps(), 2);
    QCOMPARE(m_machine->step(), 1);
    // Group by group: cache before web.
    QCOMPARE(m_host->log, (QStringList{QStringLiteral("started 2"), QStringLiteral("step 1/2 %1 cache").arg(parent),
                                      QStringLiteral("kill %1 1").arg(parent)}));
    // And says so.
    QCOMPARE(m_host->excluded, (QStringList{QStringLiteral("%1: replaced with its parent %2, which ends it").arg(parent + 1).arg(parent),
                                           QStringLiteral("%1: respawn: false").arg(parent + 2)}));
    QCOMPARE(m_host->timers.value(Timer::Step).count(), 300);
    serveStep();
    QCOMPARE(m_host->timers.value(Timer::Delay).count(), 50);
    QCOMPARE(m_machine->step(), 2); // the next one, while settling
    m_host->fire(Timer::Delay);
    QVERIFY(m_host->log.contains(QStringLiteral("kill %1 1").arg(web)));
    serveStep();
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    QCOMPARE(m_machine->step(), 2);
    // The grandchild went with its parent in the real world; here it simply stays.
    verifyEnd();
}

void tst_ReloadMachine::replacesEveryWorkerInTurn_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::newRow("restart") << Strategy::Restart;
    QTest::newRow("surge") << Strategy::Surge;
}

void tst_ReloadMachine::replacesEveryWorkerInTurn()
{
    QFETCH(Strategy, strategy);
    start(strategy);
    const qint64 first = m_host->configure(QStringLiteral("web"), 2);
    const QSet<qint64> before{first, first + 1};
    m_machine->post(Event::ReloadRequested);
    QVERIFY(m_machine->isRunning());
    for (int i = 0; i < 2; ++i) {
        if (strategy == Strategy::Restart) {
            QCOMPARE(m_machine->phase(), Phase::Replacing);
        } else {
            QCOMPARE(m_machine->phase(), Phase::SurgeStarting);
            QVERIFY(m_host->killed(1).isEmpty());
        }
        // One step at a time: nothing happens to the other worker meanwhile.
        m_host->changed();
        QCOMPARE(m_machine->step(), i + 1);
        serveStep();
        m_host->fire(Timer::Delay);
    }
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    const QList<qint64> after = m_host->groupMembers(QStringLiteral("web"));
    QCOMPARE(after.size(), 2);
    for (qint64 pid : after)
        QVERIFY(!before.contains(pid));
    QCOMPARE(m_host->log.filter(QStringLiteral("finished")).size(), 2);
    QCOMPARE(m_host->log.filter(QStringLiteral("->0")).size(), 0);
    verifyEnd();
}

void tst_ReloadMachine::restartStepTimesOut_data()
{
    QTest::addColumn<bool>("oldExits");
    QTest::addColumn<bool>("replacementRegistersLate");
    QTest::newRow("old one never exits") << false << false;
    QTest::newRow("replacement never registers") << true << false;
    QTest::newRow("replacement registers late") << true << true;
}

void tst_ReloadMachine::restartStepTimesOut()
{
    QFETCH(bool, oldExits);
    QFETCH(bool, replacementRegistersLate);
    start(Strategy::Restart);
    const qint64 old = m_host->configure(QStringLiteral("web"));
    m_machine->post(Event::ReloadRequested);
    const qint64 replacement = oldExits ? m_host->exit(old) : 0;
    QCOMPARE(m_machine->phase(), Phase::Replacing);
    m_host->fire(Timer::Step);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("timedOut 1/1 %1").arg(old));
    QCOMPARE(m_machine->phase(), Phase::Settling);
    if (replacementRegistersLate)
        m_host->registerPid(replacement); // too late: the step is over
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    QCOMPARE(m_host->log.filter(QStringLiteral("finished")).size(), 0);
    verifyEnd();
}

void tst_ReloadMachine::surgeStepTimesOutBeforeTheReplacementIsReady_data()
{
    QTest::addColumn<int>("crashes");
    QTest::newRow("slow replacement") << 0;
    QTest::newRow("replacement crashes before it registers") << 2;
}

// The bug this machine was written for: a surge step that timed out left
// its replacement running, and the group one instance larger for good.
void tst_ReloadMachine::surgeStepTimesOutBeforeTheReplacementIsReady()
{
    QFETCH(int, crashes);
    start(Strategy::Surge);
    const qint64 old = m_host->configure(QStringLiteral("solo"));
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_machine->phase(), Phase::SurgeStarting);
    for (int i = 0; i < crashes; ++i)
        QVERIFY(m_host->exit(m_host->surgeReplacementPid())); // respawned by its ChildProcess
    QCOMPARE(m_host->instances().value(QStringLiteral("solo")), 2);
    const qint64 replacement = m_host->surgeReplacementPid();

    m_host->fire(Timer::Step);
    QCOMPARE(m_host->log.mid(m_host->log.size() - 2),
             (QStringList{QStringLiteral("stop replacement %1").arg(replacement), QStringLiteral("timedOut 1/1 %1").arg(old)}));
    QVERIFY(!m_host->procs.value(replacement).alive);
    QVERIFY(m_host->isWorkerRegistered(old)); // it never stopped serving
    QVERIFY(m_host->killed(0).isEmpty());
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    QCOMPARE(m_host->groupMembers(QStringLiteral("solo")), QList<qint64>{old});
    verifyEnd();
}

void tst_ReloadMachine::surgeStepTimesOutWhileTheOldOneStops()
{
    start(Strategy::Surge);
    const qint64 old = m_host->configure(QStringLiteral("solo"));
    m_machine->post(Event::ReloadRequested);
    const qint64 replacement = m_host->surgeReplacementPid();
    m_host->registerPid(replacement);
    QCOMPARE(m_machine->phase(), Phase::SurgeStopping);
    QCOMPARE(m_host->killed(0), QList<qint64>{old});
    // Its kill handler takes longer than the step may.
    m_host->fire(Timer::Step);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("timedOut 1/1 %1").arg(old));
    QVERIFY(m_host->procs.value(replacement).alive);
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    // The retirement runs its course (SIGKILL at the kill timeout at the latest), without a respawn.
    QCOMPARE(m_host->exit(old), 0);
    QCOMPARE(m_host->groupMembers(QStringLiteral("solo")), QList<qint64>{replacement});
    verifyEnd();
}

void tst_ReloadMachine::reloadRequestedDuringAReloadIsQueued_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::addColumn<bool>("whileSettling");
    QTest::newRow("restart, during a step") << Strategy::Restart << false;
    QTest::newRow("restart, while settling") << Strategy::Restart << true;
    QTest::newRow("surge, during a step") << Strategy::Surge << false;
    QTest::newRow("surge, while settling") << Strategy::Surge << true;
}

void tst_ReloadMachine::reloadRequestedDuringAReloadIsQueued()
{
    QFETCH(Strategy, strategy);
    QFETCH(bool, whileSettling);
    start(strategy);
    m_host->configure(QStringLiteral("web"), 2);
    m_machine->post(Event::ReloadRequested);
    if (whileSettling)
        serveStep();
    m_machine->post(Event::ReloadRequested); // SIGHUP
    m_machine->post(Event::ReloadRequested); // merged with the queued one
    QVERIFY(m_machine->isQueued());
    QCOMPARE(m_host->log.filter(QStringLiteral("started")).size(), 1);
    for (int step = whileSettling ? 1 : 0; step < 2; ++step) {
        if (step > 0)
            m_host->fire(Timer::Delay);
        serveStep();
    }
    m_host->fire(Timer::Delay);
    // The first one ended, the queued one began at once, over the new pids.
    QCOMPARE(m_host->log.filter(QStringLiteral("reloaded")).size(), 1);
    QCOMPARE(m_host->log.filter(QStringLiteral("started 2")).size(), 2);
    QVERIFY(!m_machine->isQueued());
    for (int step = 0; step < 2; ++step) {
        if (step > 0)
            m_host->fire(Timer::Delay);
        serveStep();
    }
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.filter(QStringLiteral("reloaded")).size(), 2);
    QCOMPARE(m_host->log.filter(QStringLiteral("finished")).size(), 4);
    verifyEnd();
}

void tst_ReloadMachine::requestFromAProgressReportRunsAfterIt()
{
    start(Strategy::Restart);
    m_host->configure(QStringLiteral("web"));
    int reloads = 0;
    m_host->onReloaded = [this, &reloads] {
        if (++reloads == 1) {
            QVERIFY(!m_machine->isRunning()); // reported once the machine is back in Idle
            m_machine->post(Event::ReloadRequested);
            QCOMPARE(m_host->log.filter(QStringLiteral("started")).size(), 1); // not inside the report
        }
    };
    m_machine->post(Event::ReloadRequested);
    serveStep();
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.filter(QStringLiteral("started")).size(), 2);
    QCOMPARE(m_machine->phase(), Phase::Replacing);
    serveStep();
    m_host->fire(Timer::Delay);
    QCOMPARE(reloads, 2);
    verifyEnd();
}

void tst_ReloadMachine::plannedWorkerDyingMidStepIsSkipped_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::newRow("restart") << Strategy::Restart;
    QTest::newRow("surge") << Strategy::Surge;
}

void tst_ReloadMachine::plannedWorkerDyingMidStepIsSkipped()
{
    QFETCH(Strategy, strategy);
    start(strategy);
    const qint64 first = m_host->configure(QStringLiteral("a"));
    const qint64 second = m_host->configure(QStringLiteral("b"));
    m_machine->post(Event::ReloadRequested);
    // The second planned worker crashes while the first is replaced; its
    // parent respawns it, and the new one is as new as a reload would make it.
    const qint64 respawned = m_host->exit(second);
    QVERIFY(m_machine->isRunning());
    m_host->registerPid(respawned);
    serveStep();
    QVERIFY(!m_host->isWorkerRegistered(first));
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.mid(m_host->log.size() - 2),
             (QStringList{QStringLiteral("finished 2/2 %1->0").arg(second), QStringLiteral("reloaded")}));
    QCOMPARE(m_host->procs.value(respawned).killCode, -1); // not touched
    verifyEnd();
}

// The old child crashes while its replacement starts: its ChildProcess
// respawns it, and once the replacement is ready that respawn is what goes.
void tst_ReloadMachine::oldWorkerDyingDuringASurgeStep()
{
    start(Strategy::Surge);
    const qint64 old = m_host->configure(QStringLiteral("solo"));
    m_machine->post(Event::ReloadRequested);
    const int oldSlot = m_host->surgeOldSlot;
    const qint64 respawned = m_host->exit(old);
    QVERIFY(respawned);
    m_host->registerPid(respawned);
    QCOMPARE(m_machine->phase(), Phase::SurgeStarting);
    const qint64 replacement = m_host->surgeReplacementPid();
    m_host->registerPid(replacement);
    QCOMPARE(m_machine->phase(), Phase::SurgeStopping);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("retire %1").arg(respawned));
    QCOMPARE(m_host->exit(m_host->currentPid(oldSlot)), 0);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 1/1 %1->%2").arg(old).arg(replacement));
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->groupMembers(QStringLiteral("solo")), QList<qint64>{replacement});
    verifyEnd();
}

// An original (clustr-node) parent exits without ending its children, and
// its replacement starts new ones: the old ones are told to exit with code 0
// (not respawned) before it goes, and its step ends only once they are gone.
void tst_ReloadMachine::childOfAnOriginalParentIsEndedBeforeIt()
{
    start(Strategy::Restart);
    const qint64 parent = m_host->configure(QStringLiteral("original"));
    m_host->configured[QStringLiteral("child")] = 1;
    const qint64 child = m_host->spawn(QStringLiteral("child"), true, parent);
    m_host->procs[child].endedByParent = false;
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_host->log, (QStringList{QStringLiteral("started 1"), QStringLiteral("step 1/1 %1 original").arg(parent),
                                      QStringLiteral("kill %1 0").arg(child), QStringLiteral("kill %1 1").arg(parent)}));
    QCOMPARE(m_host->excluded, QStringList{QStringLiteral("%1: replaced with its parent %2, which does not end it: "
                                                          "told to exit with code 0 first").arg(child).arg(parent)});
    const qint64 newParent = m_host->replaceKilled(parent);
    QCOMPARE(m_machine->phase(), Phase::Replacing); // the old child still runs
    QCOMPARE(m_host->exit(child), 0);               // not respawned: code 0
    QCOMPARE(m_machine->phase(), Phase::Settling);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 1/1 %1->%2").arg(parent).arg(newParent));
    // The new parent's new child.
    m_host->registerPid(m_host->spawn(QStringLiteral("child"), false, newParent));
    m_host->fire(Timer::Delay);
    verifyEnd();
}

void tst_ReloadMachine::surgeFallsBackToKillAndRespawn()
{
    start(Strategy::Surge);
    // A grandchild's group is not the master's to start: its parent respawns it.
    const qint64 parent = m_host->configure(QStringLiteral("a"));
    m_host->configured[QStringLiteral("b")] = 1;
    const qint64 notOurs = m_host->spawn(QStringLiteral("b"), true, 4242);
    m_host->canSurge = false; // and our own when the supervisor cannot start one more
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_machine->phase(), Phase::Replacing);
    QCOMPARE(m_host->killed(1), QList<qint64>{parent});
    serveStep();
    m_host->canSurge = true;
    m_host->fire(Timer::Delay);
    QCOMPARE(m_machine->phase(), Phase::Replacing);
    QCOMPARE(m_host->killed(1).constLast(), notOurs);
    serveStep();
    m_host->fire(Timer::Delay);
    QVERIFY(m_host->log.filter(QStringLiteral("surge")).isEmpty());
    verifyEnd();
}

void tst_ReloadMachine::cancelEndsEverything_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::newRow("restart") << Strategy::Restart;
    QTest::newRow("surge") << Strategy::Surge;
}

void tst_ReloadMachine::cancelEndsEverything()
{
    QFETCH(Strategy, strategy);
    start(strategy);
    m_host->configure(QStringLiteral("web"), 2);
    m_machine->post(Event::ReloadRequested);
    m_machine->post(Event::ReloadRequested);
    m_machine->post(Event::Cancelled);
    QCOMPARE(m_machine->phase(), Phase::Idle);
    QVERIFY(!m_machine->isQueued());
    QVERIFY(m_host->timers.isEmpty());
    QCOMPARE(m_host->surgeOldSlot, 0);
    const int reported = int(m_host->log.size());
    // The cluster stops: whatever happens now is not the reload's business.
    m_host->changed();
    m_machine->post(Event::StepTimedOut);
    m_machine->post(Event::DelayElapsed);
    QCOMPARE(m_host->log.size(), reported);
}

void tst_ReloadMachine::lateTimersAreIgnored()
{
    start(Strategy::Restart);
    m_host->configure(QStringLiteral("web"), 2);
    m_machine->post(Event::StepTimedOut);
    m_machine->post(Event::DelayElapsed);
    QVERIFY(m_host->log.isEmpty());
    m_machine->post(Event::ReloadRequested);
    m_machine->post(Event::DelayElapsed); // during a step
    QCOMPARE(m_machine->phase(), Phase::Replacing);
    QCOMPARE(m_machine->step(), 1);
    serveStep();
    m_machine->post(Event::StepTimedOut); // while settling
    QCOMPARE(m_machine->phase(), Phase::Settling);
    QCOMPARE(m_host->log.filter(QStringLiteral("timedOut")).size(), 0);
    m_host->fire(Timer::Delay);
    serveStep();
    m_host->fire(Timer::Delay);
    verifyEnd();
}

QTEST_GUILESS_MAIN(tst_ReloadMachine)
#include "tst_reloadmachine.moc"

void tst_ReloadMachine::restartOfAGroupLeavesOtherGroupsAlone()
{
    start(Strategy::Restart);
    const qint64 web = m_host->configure(QStringLiteral("web"), 2);
    const qint64 cache = m_host->configure(QStringLiteral("cache"));
    ReloadMachine::Request request;
    request.scope = ReloadMachine::Request::Scope::Group;
    request.groups = {QStringLiteral("web")};
    request.revive = true;
    m_machine->request(request);
    QCOMPARE(m_host->log.value(0), QStringLiteral("started 2"));
    for (int i = 0; i < 2; ++i) {
        serveStep();
        m_host->fire(Timer::Delay);
    }
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    QVERIFY(!m_host->isWorkerRegistered(web) && !m_host->isWorkerRegistered(web + 1));
    QVERIFY(m_host->isWorkerRegistered(cache));
    QCOMPARE(m_host->log.filter(QStringLiteral("step ")).filter(QStringLiteral("cache")).size(), 0);
    verifyEnd();
}

void tst_ReloadMachine::restartOfOneProcess()
{
    start(Strategy::Restart);
    const qint64 web = m_host->configure(QStringLiteral("web"), 2);
    // A child of the other web worker, respawned by it: a step of its own when named.
    const qint64 child = m_host->spawn(QStringLiteral("leaf"), true, web + 1);
    m_host->configured[QStringLiteral("leaf")] = 1;
    ReloadMachine::Request request;
    request.scope = ReloadMachine::Request::Scope::Process;
    request.pid = child;
    m_machine->request(request);
    QCOMPARE(m_host->log.value(0), QStringLiteral("started 1"));
    QCOMPARE(m_host->log.value(1), QStringLiteral("step 1/1 %1 leaf").arg(child));
    m_host->replaceKilled(child);
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    QVERIFY(m_host->isWorkerRegistered(web) && m_host->isWorkerRegistered(web + 1));
    verifyEnd();
}

void tst_ReloadMachine::restartRevivesGivenUpChildren()
{
    start(Strategy::Restart);
    m_host->configure(QStringLiteral("web"));
    m_host->givenUp.insert(4000, QStringLiteral("web"));
    ReloadMachine::Request request;
    request.revive = true;
    m_machine->request(request);
    QCOMPARE(m_host->log.value(0), QStringLiteral("started 2"));
    serveStep(); // the running one first
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("revive 4000"));
    QCOMPARE(m_machine->phase(), Phase::Replacing);
    m_host->changed(); // not registered yet: the step waits
    QCOMPARE(m_machine->phase(), Phase::Replacing);
    m_host->registerPid(m_host->revived);
    QCOMPARE(m_machine->phase(), Phase::Settling);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 2/2 4000->%1").arg(m_host->revived));
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    verifyEnd();

    // A reload leaves given-up children as they are.
    m_host->givenUp.insert(4001, QStringLiteral("web"));
    m_host->log.clear();
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_host->log.value(0), QStringLiteral("started 2"));
    QVERIFY(m_host->log.filter(QStringLiteral("revive")).isEmpty());
}

void tst_ReloadMachine::requestsWithIdsAreNotMerged()
{
    start(Strategy::Restart);
    m_host->configure(QStringLiteral("web"));
    m_machine->post(Event::ReloadRequested);
    ReloadMachine::Request restart;
    restart.revive = true;
    restart.id = QStringLiteral("a");
    m_machine->request(restart);
    restart.id = QStringLiteral("b");
    m_machine->request(restart);
    m_machine->post(Event::ReloadRequested);
    m_machine->post(Event::ReloadRequested); // merges with the one queued
    QStringList ran;
    for (int reload = 0; reload < 5 && m_machine->isRunning(); ++reload) {
        ran.append(m_machine->currentRequest().id);
        serveStep();
        m_host->fire(Timer::Delay);
    }
    QCOMPARE(ran, (QStringList{QString(), QStringLiteral("a"), QStringLiteral("b"), QString()}));
    verifyEnd();
}

using Limits = ReloadMachine::Limits;
using Rollout = ReloadHost::Rollout;

namespace {

InstanceCount exactly(int value)
{
    return InstanceCount{value, false};
}

InstanceCount percentOf(int value)
{
    return InstanceCount{value, true};
}

} // namespace

// Never fewer than instances - maxUnavailable ready, never more than
// instances + maxSurge running: after every change the model goes through.
void tst_ReloadMachine::watch(const QString &group, int instances, Limits limits)
{
    m_host->onChanged = [this, group, instances, limits] {
        if (!m_machine || !m_machine->isRunning())
            return;
        m_mostUnderWay = std::max(m_mostUnderWay, m_machine->stepsUnderWay());
        QVERIFY2(m_host->ready(group) >= instances - limits.maxUnavailable,
                 qPrintable(QStringLiteral("%1 of %2 ready").arg(m_host->ready(group)).arg(group)));
        QVERIFY2(m_host->running(group) <= instances + limits.maxSurge,
                 qPrintable(QStringLiteral("%1 of %2 running").arg(m_host->running(group)).arg(group)));
    };
}

void tst_ReloadMachine::serveEverything()
{
    for (int round = 0; round < 100 && m_machine->isRunning(); ++round) {
        // The killed ones exit and their respawns register.
        const QList<qint64> killed = m_host->killed(1);
        for (qint64 pid : killed)
            m_host->replaceKilled(pid);
        // The surges' replacements register, the old ones retired then exit.
        const QList<qint64> olds = m_host->surges.keys();
        for (qint64 old : olds) {
            if (const qint64 replacement = m_host->surgeReplacementPid(old); replacement && !m_host->isWorkerRegistered(replacement))
                m_host->registerPid(replacement);
        }
        const QList<qint64> retired = m_host->killed(0);
        for (qint64 pid : retired)
            m_host->exit(pid);
        if (m_host->timers.contains(Timer::Delay))
            m_host->fire(Timer::Delay);
    }
    QVERIFY(!m_machine->isRunning());
}

void tst_ReloadMachine::limitsFollowKubernetes_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::addColumn<Rollout>("rollout");
    QTest::addColumn<int>("instances");
    QTest::addColumn<int>("maxUnavailable");
    QTest::addColumn<int>("maxSurge");
    QTest::newRow("restart") << Strategy::Restart << Rollout{} << 4 << 1 << 0;
    QTest::newRow("surge") << Strategy::Surge << Rollout{} << 4 << 0 << 1;
    QTest::newRow("restart, maxSurge 2") << Strategy::Restart << Rollout{{}, exactly(2)} << 4 << 1 << 2;
    QTest::newRow("surge, maxUnavailable 2") << Strategy::Surge << Rollout{exactly(2), {}} << 4 << 2 << 1;
    QTest::newRow("both set") << Strategy::Surge << Rollout{exactly(3), exactly(0)} << 4 << 3 << 0;
    QTest::newRow("30% down, 30% up") << Strategy::Restart << Rollout{percentOf(30), percentOf(30)} << 4 << 1 << 2;
    QTest::newRow("100% of 3") << Strategy::Restart << Rollout{percentOf(100), percentOf(100)} << 3 << 3 << 3;
    QTest::newRow("more than there are") << Strategy::Restart << Rollout{exactly(10), {}} << 4 << 10 << 0;
    // Both 0: nothing could be replaced; one at a time, as Kubernetes does.
    QTest::newRow("10% of 4 and no surge") << Strategy::Restart << Rollout{percentOf(10), {}} << 4 << 1 << 0;
    QTest::newRow("10% of 4 with surge") << Strategy::Restart << Rollout{percentOf(10), percentOf(10)} << 4 << 0 << 1;
    QTest::newRow("0 and 0%") << Strategy::Surge << Rollout{exactly(0), percentOf(0)} << 4 << 1 << 0;
}

void tst_ReloadMachine::limitsFollowKubernetes()
{
    QFETCH(Strategy, strategy);
    QFETCH(Rollout, rollout);
    QFETCH(int, instances);
    QFETCH(int, maxUnavailable);
    QFETCH(int, maxSurge);
    const Limits limits = ReloadMachine::limits(strategy, rollout, instances);
    QCOMPARE(limits.maxUnavailable, maxUnavailable);
    QCOMPARE(limits.maxSurge, maxSurge);
}

void tst_ReloadMachine::maxUnavailableKillsSeveralAtOnce()
{
    start(Strategy::Restart);
    m_host->rollouts.insert(QStringLiteral("web"), Rollout{exactly(2), {}});
    const qint64 a = m_host->configure(QStringLiteral("web"), 4);
    const qint64 b = a + 1, c = a + 2, d = a + 3;
    watch(QStringLiteral("web"), 4, {2, 0});
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_host->log, (QStringList{QStringLiteral("started 4"), QStringLiteral("step 1/4 %1 web").arg(a), QStringLiteral("kill %1 1").arg(a),
                                      QStringLiteral("step 2/4 %1 web").arg(b), QStringLiteral("kill %1 1").arg(b)}));
    QCOMPARE(m_machine->stepsUnderWay(), 2);
    QCOMPARE(m_machine->step(), 2);
    QCOMPARE(m_host->timers.value(Timer::Step).count(), 300);

    // The second one's replacement is ready first: its step ends first, under its own number.
    const qint64 newB = m_host->replaceKilled(b);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 2/4 %1->%2").arg(b).arg(newB));
    QCOMPARE(m_machine->phase(), Phase::Replacing); // the first step still is
    QCOMPARE(m_machine->stepsUnderWay(), 1);
    QCOMPARE(m_host->log.filter(QStringLiteral("step ")).size(), 2); // its lane settles before it takes the next
    const qint64 newA = m_host->replaceKilled(a);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 1/4 %1->%2").arg(a).arg(newA));
    QCOMPARE(m_machine->phase(), Phase::Settling);
    QVERIFY(!m_host->timers.contains(Timer::Step));
    QCOMPARE(m_host->timers.value(Timer::Delay).count(), 50);

    // Both lanes free at once: the next two start together.
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.mid(m_host->log.size() - 4),
             (QStringList{QStringLiteral("step 3/4 %1 web").arg(c), QStringLiteral("kill %1 1").arg(c),
                          QStringLiteral("step 4/4 %1 web").arg(d), QStringLiteral("kill %1 1").arg(d)}));
    QCOMPARE(m_machine->stepsUnderWay(), 2);
    QCOMPARE(m_machine->step(), 4);
    serveEverything();
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    QCOMPARE(m_host->log.filter(QStringLiteral("finished")).size(), 4);
    QCOMPARE(m_host->log.filter(QStringLiteral("->0")).size(), 0);
    const QList<qint64> after = m_host->groupMembers(QStringLiteral("web"));
    QCOMPARE(after.size(), 4);
    for (qint64 pid : after)
        QVERIFY(pid > d);
    QCOMPARE(m_mostUnderWay, 2);
    verifyEnd();
}

void tst_ReloadMachine::maxSurgeStartsSeveralReplacementsAtOnce()
{
    start(Strategy::Surge);
    m_host->rollouts.insert(QStringLiteral("web"), Rollout{{}, exactly(2)});
    const qint64 a = m_host->configure(QStringLiteral("web"), 4);
    watch(QStringLiteral("web"), 4, {0, 2});
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_host->log, (QStringList{QStringLiteral("started 4"), QStringLiteral("step 1/4 %1 web").arg(a), QStringLiteral("surge %1").arg(a),
                                      QStringLiteral("step 2/4 %1 web").arg(a + 1), QStringLiteral("surge %1").arg(a + 1)}));
    QCOMPARE(m_machine->phase(), Phase::SurgeStarting);
    QCOMPARE(m_host->running(QStringLiteral("web")), 6);
    QVERIFY(m_host->killed(1).isEmpty());

    // The second replacement is ready first: its old one goes, the first keeps serving.
    const qint64 second = m_host->surgeReplacementPid(a + 1);
    m_host->registerPid(second);
    QCOMPARE(m_host->killed(0), QList<qint64>{a + 1});
    QCOMPARE(m_host->exit(a + 1), 0);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 2/4 %1->%2").arg(a + 1).arg(second));
    QCOMPARE(m_machine->phase(), Phase::SurgeStarting);
    QVERIFY(m_host->isWorkerRegistered(a));
    serveEverything();
    QCOMPARE(m_host->log.filter(QStringLiteral("surge ")).size(), 4);
    QCOMPARE(m_host->log.filter(QStringLiteral("finished")).size(), 4);
    QCOMPARE(m_host->log.filter(QStringLiteral("kill")).size(), 0);
    QCOMPARE(m_mostUnderWay, 2);
    const QList<qint64> after = m_host->groupMembers(QStringLiteral("web"));
    QCOMPARE(after.size(), 4);
    for (qint64 pid : after)
        QVERIFY(pid > a + 3);
    verifyEnd();
}

void tst_ReloadMachine::percentagesOfTheGroup_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::addColumn<Rollout>("rollout");
    QTest::addColumn<int>("kills");  // started at once
    QTest::addColumn<int>("surges");
    QTest::newRow("50% unavailable") << Strategy::Restart << Rollout{percentOf(50), {}} << 2 << 0;
    QTest::newRow("25% and 25%") << Strategy::Restart << Rollout{percentOf(25), percentOf(25)} << 1 << 1;
    QTest::newRow("30% surge rounds up") << Strategy::Surge << Rollout{{}, percentOf(30)} << 0 << 2;
    QTest::newRow("100% surge") << Strategy::Surge << Rollout{{}, percentOf(100)} << 0 << 4;
    QTest::newRow("10% unavailable rounds down to one at a time") << Strategy::Restart << Rollout{percentOf(10), {}} << 1 << 0;
}

void tst_ReloadMachine::percentagesOfTheGroup()
{
    QFETCH(Strategy, strategy);
    QFETCH(Rollout, rollout);
    QFETCH(int, kills);
    QFETCH(int, surges);
    start(strategy);
    m_host->rollouts.insert(QStringLiteral("web"), rollout);
    m_host->configure(QStringLiteral("web"), 4);
    watch(QStringLiteral("web"), 4, ReloadMachine::limits(strategy, rollout, 4));
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_host->log.filter(QStringLiteral("kill ")).size(), kills);
    QCOMPARE(m_host->log.filter(QStringLiteral("surge ")).size(), surges);
    QCOMPARE(m_machine->stepsUnderWay(), kills + surges);
    serveEverything();
    QCOMPARE(m_host->log.filter(QStringLiteral("finished")).size(), 4);
    QCOMPARE(m_mostUnderWay, kills + surges);
    verifyEnd();
}

// Each step has its own timeout: one that fails does not hold up, nor
// take down, the one beside it.
void tst_ReloadMachine::aReplacementTimesOutWhileAnotherSucceeds()
{
    start(Strategy::Restart);
    m_host->rollouts.insert(QStringLiteral("web"), Rollout{exactly(2), {}});
    const qint64 a = m_host->configure(QStringLiteral("web"), 4);
    const qint64 b = a + 1, c = a + 2, d = a + 3;
    watch(QStringLiteral("web"), 4, {2, 0});
    m_machine->post(Event::ReloadRequested);
    const qint64 newB = m_host->exit(b); // starts, but is not ready in time
    const qint64 newA = m_host->replaceKilled(a);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 1/4 %1->%2").arg(a).arg(newA));
    m_host->fire(Timer::Delay); // at 50 ms: the first lane takes the third step
    QCOMPARE(m_host->log.mid(m_host->log.size() - 2), (QStringList{QStringLiteral("step 3/4 %1 web").arg(c), QStringLiteral("kill %1 1").arg(c)}));

    m_host->fire(Timer::Step); // at 300 ms: the second step's time is up, not the third's
    QCOMPARE(m_host->log.constLast(), QStringLiteral("timedOut 2/4 %1").arg(b));
    QCOMPARE(m_machine->stepsUnderWay(), 1);
    QCOMPARE(m_host->timers.value(Timer::Step).count(), 50); // the third's ends at 350 ms
    // As after any timeout, the cluster is not complete while the slow one
    // still starts: the next step waits for it (or for its own timeout).
    const qint64 newC = m_host->replaceKilled(c);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("timedOut 2/4 %1").arg(b));
    m_host->registerPid(newB); // late: no step's replacement
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 3/4 %1->%2").arg(c).arg(newC));
    m_host->fire(Timer::Delay); // at 350 ms both lanes are free; only one step is left
    QCOMPARE(m_host->log.mid(m_host->log.size() - 2), (QStringList{QStringLiteral("step 4/4 %1 web").arg(d), QStringLiteral("kill %1 1").arg(d)}));
    const qint64 newD = m_host->replaceKilled(d);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("finished 4/4 %1->%2").arg(d).arg(newD));
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.constLast(), QStringLiteral("reloaded"));
    QCOMPARE(m_host->log.filter(QStringLiteral("timedOut")).size(), 1);
    QCOMPARE(m_host->log.filter(QStringLiteral("finished")).size(), 3);
    verifyEnd();
}

void tst_ReloadMachine::explicitDefaultsReproduceTheOneAtATimeReload_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::addColumn<Rollout>("rollout");
    QTest::newRow("restart") << Strategy::Restart << Rollout{exactly(1), exactly(0)};
    QTest::newRow("surge") << Strategy::Surge << Rollout{exactly(0), exactly(1)};
}

void tst_ReloadMachine::explicitDefaultsReproduceTheOneAtATimeReload()
{
    QFETCH(Strategy, strategy);
    QFETCH(Rollout, rollout);
    QStringList logs[2];
    for (int run = 0; run < 2; ++run) {
        init();
        start(strategy);
        if (run == 1)
            m_host->rollouts.insert(QStringLiteral("web"), rollout);
        m_host->configure(QStringLiteral("web"), 3);
        watch(QStringLiteral("web"), 3, ReloadMachine::limits(strategy, rollout, 3));
        m_machine->post(Event::ReloadRequested);
        serveEverything();
        QCOMPARE(m_mostUnderWay, 1);
        verifyEnd();
        logs[run] = m_host->log;
    }
    QCOMPARE(logs[1], logs[0]);
    QCOMPARE(logs[0].filter(QStringLiteral("finished")).size(), 3);
    // One step after the other: each ends before the next begins.
    const auto at = [&logs](const QString &prefix) {
        for (int i = 0; i < logs[0].size(); ++i) {
            if (logs[0].at(i).startsWith(prefix))
                return i;
        }
        return -1;
    };
    QVERIFY(at(QStringLiteral("finished 1/3")) < at(QStringLiteral("step 2/3")));
    QVERIFY(at(QStringLiteral("finished 2/3")) < at(QStringLiteral("step 3/3")));
}

void tst_ReloadMachine::groupsStillGoOneAfterAnother()
{
    start(Strategy::Restart);
    m_host->rollouts.insert(QStringLiteral("a"), Rollout{exactly(2), {}});
    m_host->rollouts.insert(QStringLiteral("b"), Rollout{exactly(2), {}});
    const qint64 a = m_host->configure(QStringLiteral("a"), 1);
    const qint64 b = m_host->configure(QStringLiteral("b"), 2);
    m_machine->post(Event::ReloadRequested);
    QCOMPARE(m_machine->stepsUnderWay(), 1); // a's one lane in use, b waits for it
    m_host->replaceKilled(a);
    QCOMPARE(m_host->log.filter(QStringLiteral("step ")).size(), 1);
    m_host->fire(Timer::Delay);
    QCOMPARE(m_host->log.mid(m_host->log.size() - 4),
             (QStringList{QStringLiteral("step 2/3 %1 b").arg(b), QStringLiteral("kill %1 1").arg(b),
                          QStringLiteral("step 3/3 %1 b").arg(b + 1), QStringLiteral("kill %1 1").arg(b + 1)}));
    serveEverything();
    verifyEnd();
}
