// SPDX-License-Identifier: MIT
// Spawning, supervision, rolling reloads and shutdown of real process trees:
// a clustr-test-worker master spawns clustr-test-worker children (which may
// spawn grandchildren); the test reads the whole tree's events from the
// master's forwarded output and sends real Unix signals.
#include "masterfixture.h"

#include "protocol/codec_p.h"
#include "protocol/records_p.h"

#include <ClustrQt/childinfo.h>
#include <ClustrQt/heartbeat.h>

#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSysInfo>
#include <QtTest/QtTest>

#include <csignal>
#include <memory>

using Clustr::Protocol::Records;

namespace {

qint64 pidOf(const QJsonObject &e, const char *key = "pid")
{
    return qint64(e.value(QLatin1String(key)).toDouble());
}

// Events the master printed itself (not forwarded from a child).
TestProcess::Predicate own(const TestProcess::Predicate &also = {})
{
    return [also](const QJsonObject &e) { return !e.contains(QStringLiteral("_from")) && (!also || also(e)); };
}

TestProcess::Predicate field(const QString &name, const QJsonValue &value)
{
    return [name, value](const QJsonObject &e) { return e.value(name) == value; };
}

QJsonObject spec(const QString &group, const QJsonObject &extraArgs = {}, const QJsonObject &fields = {})
{
    QJsonObject args{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true}, {QStringLiteral("ready"), true}};
    for (auto it = extraArgs.begin(); it != extraArgs.end(); ++it)
        args.insert(it.key(), it.value());
    QJsonObject s{{QStringLiteral("file"), QStringLiteral("clustr-test-worker")}, {QStringLiteral("args"), args}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        s.insert(it.key(), it.value());
    return s;
}

// The largest pid this host gives out: larger ones never run here.
qint64 readPidMax()
{
    QFile file(QStringLiteral("/proc/sys/kernel/pid_max"));
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toLongLong() : 0;
}

QString cpusAllowed(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return QString();
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("Cpus_allowed_list:"))
            return QString::fromLatin1(line.mid(18).trimmed());
    }
    return QString();
}

} // namespace

class tst_Cluster : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void clusterStartsAndRespawnsAfterSigkill();
    void exitZeroIsNotRespawned();
    void respawnFalse();
    void crashLoopBacksOffAndGivesUp();
    void cpuAffinity();
    void badSpecsDoNotStopTheOthers();
    void argumentsReachChildrenAndGrandchildren();
    void processReadsItsOwnCommandLine();
    void childrenInheritNoConnection();
    void grandchildKilledDisappearsFromClusterInfo();
    void rollingReload();
    void maxUnavailableReplacesTwoAtOnce();
    void sighupDuringReloadIsQueued();
    void reloadTimesOutAndGoesOn();
    void reloadEnforcesTheKillTimeout_data();
    void reloadEnforcesTheKillTimeout();
    void surgeReloadOfASingleInstance();
    void surgeStepTimeoutStopsTheReplacement();
    void sigtermStopsTheWholeTree();
    void emitKillToMasterEndsCluster();
    void masterSigkillLeavesNoOrphans();
    void silentWorkerExpires();
    void forgedRegistrationsOfDeadPidsAreDropped();
    void aForgedHeartbeatCannotStallAReload();
    void heartbeatSentAfterRemovalRejoins();
    void spawnEntrysGroupReachesTheWorker();
    void idleWorkersHeartbeatOnlyWhenAsked();
    void localProcessKilledIsSeenAtOnce();
    void supervisedProcessOfAnotherHostGoesWithItsParent();

private:
    TestProcess *startMaster(const QJsonArray &specs, const QStringList &extra = {}) { return m_fixture.startMaster(specs, extra); }
    //! Pids of every registered worker, from the master's events.
    QSet<qint64> registered(TestProcess *master) const { return registeredPids(*master); }
    void sendTo(qint64 pid, const QJsonObject &command);

    MasterFixture m_fixture;
    RedisServer &m_redis = m_fixture.redis();
    Clustr::RedisClient *m_client = nullptr;
};

void tst_Cluster::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    m_client = m_fixture.client();
}

void tst_Cluster::cleanup()
{
    m_fixture.clear();
}

void tst_Cluster::sendTo(qint64 pid, const QJsonObject &command)
{
    m_client->publish("private:" + QByteArray::number(pid), Clustr::Protocol::Codec::encode(4242, QStringLiteral("test"), command));
}

void tst_Cluster::clusterStartsAndRespawnsAfterSigkill()
{
    auto *master = startMaster({spec(QStringLiteral("web"), {}, {{QStringLiteral("instances"), 2}}), spec(QStringLiteral("cache"))});
    QVERIFY(master);
    const auto started = master->waitForEvent(QStringLiteral("clusterStarted"), own());
    QVERIFY(started);
    QCOMPARE(started->value(QStringLiteral("count")).toInt(), 3);
    QCOMPARE(registered(master).size(), 3);

    const qint64 victim = pidOf(master->events(QStringLiteral("registered"), own(field(QStringLiteral("group"), QStringLiteral("web")))).constFirst());
    ::kill(pid_t(victim), SIGKILL);
    const auto respawned = master->waitForEvent(QStringLiteral("childRespawned"), own([victim](const QJsonObject &e) { return pidOf(e, "oldPid") == victim; }));
    QVERIFY(respawned);
    const qint64 replacement = pidOf(*respawned, "newPid");
    const auto exited = master->events(QStringLiteral("childExited"), own([victim](const QJsonObject &e) { return pidOf(e) == victim; }));
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.constFirst().value(QStringLiteral("signal")).toInt(), SIGKILL);
    // No ghost: the dead one leaves the cluster info, its replacement joins.
    QVERIFY(master->waitForEvent(QStringLiteral("workerLost"), own([victim](const QJsonObject &e) { return pidOf(e) == victim; })));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), own([replacement](const QJsonObject &e) { return pidOf(e) == replacement; })));
    QTRY_COMPARE(registered(master).size(), 3);
    QVERIFY(!registered(master).contains(victim));
    const QJsonObject stats = master->stats();
    QCOMPARE(stats.value(QStringLiteral("spawnChildProcess")).toInt(), 3);
    QCOMPARE(stats.value(QStringLiteral("respawnChildProcess")).toInt(), 1);
}

void tst_Cluster::exitZeroIsNotRespawned()
{
    auto *master = startMaster({spec(QStringLiteral("web"))});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const qint64 worker = *registered(master).cbegin();
    sendTo(worker, {{QStringLiteral("cmd"), QStringLiteral("close")}, {QStringLiteral("code"), 0}});
    const auto exited = master->waitForEvent(QStringLiteral("childExited"), own());
    QVERIFY(exited);
    QCOMPARE(exited->value(QStringLiteral("code")).toInt(), 0);
    QVERIFY(master->waitForEvent(QStringLiteral("deregistered"), own()));
    QVERIFY(master->sync());
    master->send({{QStringLiteral("cmd"), QStringLiteral("children")}});
    const auto children = master->waitForEvent(QStringLiteral("children"), own());
    QVERIFY(children);
    QCOMPARE(children->value(QStringLiteral("children")).toArray().at(0).toObject().value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
    QCOMPARE(master->count(QStringLiteral("childRespawned"), own()), 0);
}

void tst_Cluster::respawnFalse()
{
    auto *master = startMaster({spec(QStringLiteral("cache"), {}, {{QStringLiteral("respawn"), false}})});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const qint64 worker = *registered(master).cbegin();
    ::kill(pid_t(worker), SIGKILL);
    QVERIFY(master->waitForEvent(QStringLiteral("workerLost"), own()));
    master->send({{QStringLiteral("cmd"), QStringLiteral("children")}});
    const auto children = master->waitForEvent(QStringLiteral("children"), own());
    QVERIFY(children);
    QCOMPARE(children->value(QStringLiteral("children")).toArray().at(0).toObject().value(QStringLiteral("state")).toString(), QStringLiteral("stopped"));
    QCOMPARE(master->count(QStringLiteral("childRespawned"), own()), 0);
}

void tst_Cluster::crashLoopBacksOffAndGivesUp()
{
    const QJsonObject policy{{QStringLiteral("maxRestarts"), 3}, {QStringLiteral("windowMs"), 20000},
                             {QStringLiteral("initialBackoffMs"), 50}, {QStringLiteral("maxBackoffMs"), 200}};
    auto *master = startMaster({spec(QStringLiteral("crasher"), {{QStringLiteral("exit-code"), 3}}, {{QStringLiteral("restartPolicy"), policy}}),
                                spec(QStringLiteral("web"))});
    QVERIFY(master);
    const auto gaveUp = master->waitForEvent(QStringLiteral("childGaveUp"), own(), 20000);
    QVERIFY(gaveUp);
    QCOMPARE(master->count(QStringLiteral("childRespawned"), own()), 3);
    QCOMPARE(master->count(QStringLiteral("childExited"), own()), 4);
    QVERIFY2(master->standardError().contains("giving up on"), master->standardError().constData());
    // The crasher never registers; the cluster started without it.
    const auto started = master->waitForEvent(QStringLiteral("clusterStarted"), own());
    QVERIFY(started);
    QCOMPARE(started->value(QStringLiteral("count")).toInt(), 1);
}

void tst_Cluster::cpuAffinity()
{
    auto *master = startMaster({spec(QStringLiteral("pinned"), {}, {{QStringLiteral("cpu"), 0}})});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const qint64 worker = *registered(master).cbegin();
    QCOMPARE(cpusAllowed(worker), QStringLiteral("0"));
    // The command line went through taskset, and taskset exec'd the worker in place.
    const auto started = master->waitForEvent(QStringLiteral("started"), [worker](const QJsonObject &e) { return qint64(e.value(QStringLiteral("_from")).toDouble()) == worker; });
    QVERIFY(started);
}

void tst_Cluster::badSpecsDoNotStopTheOthers()
{
    auto *master = startMaster({
        QJsonObject{{QStringLiteral("file"), QStringLiteral("no-such-program")}},
        spec(QStringLiteral("badcpu"), {}, {{QStringLiteral("cpu"), 4000}}),
        spec(QStringLiteral("good")),
    });
    QVERIFY(master);
    const auto started = master->waitForEvent(QStringLiteral("clusterStarted"), own());
    QVERIFY(started);
    QCOMPARE(started->value(QStringLiteral("count")).toInt(), 1);
    const auto failures = master->events(QStringLiteral("spawnFailed"), own());
    QCOMPARE(failures.size(), 2);
    QVERIFY2(failures.at(0).value(QStringLiteral("error")).toString().contains(QStringLiteral("does not exist")),
             qPrintable(failures.at(0).value(QStringLiteral("error")).toString()));
    QVERIFY2(failures.at(1).value(QStringLiteral("error")).toString().contains(QStringLiteral("CPU 4000 is not available here")),
             qPrintable(failures.at(1).value(QStringLiteral("error")).toString()));
}

void tst_Cluster::argumentsReachChildrenAndGrandchildren()
{
    const QJsonArray grandchildren{spec(QStringLiteral("grandchild"))};
    auto *master = startMaster({spec(QStringLiteral("parent"), {
                                    {QStringLiteral("cluster-option"), QStringLiteral("foo")},
                                    {QStringLiteral("private"), QStringLiteral("option")},
                                    {QStringLiteral("spaced"), QStringLiteral("a b \"c\" 'd'")},
                                    {QStringLiteral("flag"), true},
                                    {QStringLiteral("off"), false},
                                    {QStringLiteral("spawn"), QString::fromUtf8(QJsonDocument(grandchildren).toJson(QJsonDocument::Compact))},
                                })},
                               {QStringLiteral("--cluster-verbose"), QStringLiteral("--private-master=1")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    QCOMPARE(registered(master).size(), 2);
    const QString m = QStringLiteral("--cluster-master-pid=%1").arg(master->pid());
    const QString redis = QStringLiteral("--cluster-redis=") + m_redis.url();

    const auto parentStarted = master->waitForEvent(QStringLiteral("started"), field(QStringLiteral("group"), QStringLiteral("parent")));
    QVERIFY(parentStarted);
    const QStringList parentArgs = parentStarted->value(QStringLiteral("arguments")).toVariant().toStringList();
    for (const QString &expected : {QStringLiteral("--cluster-option=foo"), QStringLiteral("--private=option"),
                                    QStringLiteral("--spaced=a b \"c\" 'd'"), QStringLiteral("--flag"), m, redis,
                                    QStringLiteral("--cluster-verbose")})
        QVERIFY2(parentArgs.contains(expected), qPrintable(expected + QStringLiteral(" not in ") + parentArgs.join(QLatin1Char('|'))));
    QVERIFY(!parentArgs.join(QLatin1Char(' ')).contains(QStringLiteral("--off")));
    QVERIFY(!parentArgs.join(QLatin1Char(' ')).contains(QStringLiteral("private-master")));

    const auto grandchildStarted = master->waitForEvent(QStringLiteral("started"), field(QStringLiteral("group"), QStringLiteral("grandchild")));
    QVERIFY(grandchildStarted);
    QCOMPARE(pidOf(*grandchildStarted, "masterPid"), master->pid());
    const QStringList grandchildArgs = grandchildStarted->value(QStringLiteral("arguments")).toVariant().toStringList();
    for (const QString &expected : {QStringLiteral("--cluster-option=foo"), m, redis, QStringLiteral("--cluster-verbose")})
        QVERIFY2(grandchildArgs.contains(expected), qPrintable(expected + QStringLiteral(" not in ") + grandchildArgs.join(QLatin1Char('|'))));
    QVERIFY(!grandchildArgs.join(QLatin1Char(' ')).contains(QStringLiteral("--private")));
    QVERIFY(!grandchildArgs.join(QLatin1Char(' ')).contains(QStringLiteral("--spaced")));
    QVERIFY(grandchildStarted->value(QStringLiteral("_group")).toString() == QLatin1String("clustr-test-worker")
            || grandchildStarted->value(QStringLiteral("_group")).toString() == QLatin1String("grandchild"));
}

void tst_Cluster::processReadsItsOwnCommandLine()
{
    // A process reads its command line itself (/proc/self/cmdline, see
    // CommandLine::processArguments): spaces, non-ASCII text and empty
    // arguments must come out as Qt's QCoreApplication::arguments() has them.
    const QString redis = QStringLiteral("--cluster-redis=") + m_redis.url();
    const QStringList arguments{QStringLiteral("--group=own"), redis, QStringLiteral("--cluster-tag=a b"),
                                QString(), QStringLiteral("plain"), QStringLiteral("--cluster-name=zo\u00eb \u2713"),
                                QStringLiteral("--name=zo\u00eb")};
    TestProcess worker;
    QVERIFY(worker.start(QStringLiteral("clustr-test-worker"), arguments));
    const auto started = worker.waitForEvent(QStringLiteral("started"));
    QVERIFY(started);
    QCOMPARE(started->value(QStringLiteral("arguments")).toVariant().toStringList(), arguments); // Qt's view
    QCOMPARE(started->value(QStringLiteral("clusterArguments")).toVariant().toStringList(),
             (QStringList{redis, QStringLiteral("--cluster-tag=a b"), QStringLiteral("--cluster-name=zo\u00eb \u2713")}));
    const QJsonObject options = started->value(QStringLiteral("options")).toObject();
    QCOMPARE(options.value(QStringLiteral("--name=zo\u00eb")).toString(), QStringLiteral("zo\u00eb"));
    QCOMPARE(options.value(QStringLiteral("--group=own")).toString(), QStringLiteral("own"));
}

namespace {

// The inodes of the sockets \a pid has open, from /proc/PID/fd.
QSet<QString> socketsOf(qint64 pid)
{
    QSet<QString> sockets;
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    for (const QFileInfo &entry : fds.entryInfoList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
        const QString target = entry.symLinkTarget().isEmpty() ? QFile::symLinkTarget(entry.filePath()) : entry.symLinkTarget();
        if (target.contains(QLatin1String("socket:[")))
            sockets.insert(target.mid(target.indexOf(QLatin1String("socket:["))));
    }
    return sockets;
}

} // namespace

void tst_Cluster::childrenInheritNoConnection()
{
    // hiredis opens its sockets without close-on-exec; a child holding its
    // spawner's Redis connections would keep them (and a dead master's
    // subscriptions) open for as long as it lives.
    auto *master = startMaster({spec(QStringLiteral("web"))});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const qint64 child = pidOf(master->events(QStringLiteral("registered"), own()).constFirst());
    const QSet<QString> masterSockets = socketsOf(master->pid());
    const QSet<QString> childSockets = socketsOf(child);
    QVERIFY2(masterSockets.size() >= 2, "the master's Redis connections are not in /proc/PID/fd");
    QVERIFY(childSockets.size() >= 2);
    const QSet<QString> shared = QSet<QString>(masterSockets).intersect(childSockets);
    QVERIFY2(shared.isEmpty(), qPrintable(QStringList(shared.begin(), shared.end()).join(QLatin1Char(' '))));
}

void tst_Cluster::grandchildKilledDisappearsFromClusterInfo()
{
    const QJsonArray grandchildren{spec(QStringLiteral("grandchild"))};
    auto *master = startMaster({spec(QStringLiteral("parent"), {{QStringLiteral("spawn"), QString::fromUtf8(QJsonDocument(grandchildren).toJson(QJsonDocument::Compact))}})});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const auto grandchild = master->events(QStringLiteral("registered"), own(field(QStringLiteral("group"), QStringLiteral("grandchild"))));
    QCOMPARE(grandchild.size(), 1);
    const qint64 victim = pidOf(grandchild.constFirst());
    ::kill(pid_t(victim), SIGKILL);
    // Its parent saw it die and deregistered it; the respawned one registers.
    QVERIFY(master->waitForEvent(QStringLiteral("deregistered"), own([victim](const QJsonObject &e) { return pidOf(e) == victim; })));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), own([victim](const QJsonObject &e) {
        return e.value(QStringLiteral("group")).toString() == QLatin1String("grandchild") && pidOf(e) != victim;
    })));
    QVERIFY(!registered(master).contains(victim));
    QCOMPARE(registered(master).size(), 2);
}

void tst_Cluster::rollingReload()
{
    const QJsonArray grandchildren{spec(QStringLiteral("grandchild"))};
    auto *master = startMaster({spec(QStringLiteral("web"), {}, {{QStringLiteral("instances"), 2}}),
                                spec(QStringLiteral("cache"), {{QStringLiteral("spawn"), QString::fromUtf8(QJsonDocument(grandchildren).toJson(QJsonDocument::Compact))}}),
                                spec(QStringLiteral("once"), {}, {{QStringLiteral("respawn"), false}})},
                               {QStringLiteral("--reload-delay=300")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const QSet<qint64> before = registered(master);
    QCOMPARE(before.size(), 5);
    const qint64 onceBefore = pidOf(master->events(QStringLiteral("registered"), own(field(QStringLiteral("group"), QStringLiteral("once")))).constFirst());

    master->signal(SIGHUP);
    const auto reloaded = master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 60000);
    QVERIFY(reloaded);
    QCOMPARE(reloaded->value(QStringLiteral("count")).toInt(), 5);
    // web x2 and cache; the grandchild goes with cache, "once" is not respawned so not touched.
    QCOMPARE(master->events(QStringLiteral("reloadStarted"), own()).constFirst().value(QStringLiteral("steps")).toInt(), 3);

    const QSet<qint64> after = registered(master);
    QCOMPARE(after.size(), 5);
    QVERIFY(after.contains(onceBefore));
    QCOMPARE((after & before), QSet<qint64>{onceBefore}); // everything else is new
    for (qint64 pid : before - QSet<qint64>{onceBefore})
        QTRY_VERIFY(processGone(pid));

    // Order and spacing: each step finished (replacement registered) before
    // the next one started, and the next started at least reloadDelay later.
    const auto all = master->events(QStringLiteral("reloadStepStarted"), own());
    const auto done = master->events(QStringLiteral("reloadStepFinished"), own());
    QCOMPARE(all.size(), 3);
    QCOMPARE(done.size(), 3);
    QSet<qint64> replacedOld;
    for (const QJsonObject &e : done) {
        QVERIFY(pidOf(e, "newPid") > 0);
        QVERIFY(after.contains(pidOf(e, "newPid")));
        replacedOld.insert(pidOf(e, "oldPid"));
    }
    QCOMPARE(replacedOld.size(), 3); // each old pid exactly once

    // Replay the master's own events in order: a step starts only after the
    // previous one's replacement registered and reloadDelay passed, and a
    // group with two instances always has one serving.
    QHash<QString, int> up;
    QSet<qint64> registeredSoFar;
    double lastFinishedAt = 0;
    int stepsSeen = 0;
    bool reloadRunning = false;
    for (const QJsonObject &e : master->allEvents()) {
        if (e.contains(QStringLiteral("_from")))
            continue;
        const QString name = e.value(QStringLiteral("event")).toString();
        if (name == QLatin1String("registered")) {
            ++up[e.value(QStringLiteral("group")).toString()];
            registeredSoFar.insert(pidOf(e));
        } else if (name == QLatin1String("deregistered")) {
            --up[e.value(QStringLiteral("group")).toString()];
        } else if (name == QLatin1String("reloadStarted")) {
            reloadRunning = true;
        } else if (name == QLatin1String("reloadStepStarted")) {
            ++stepsSeen;
            if (stepsSeen > 1)
                QVERIFY2(e.value(QStringLiteral("t")).toDouble() - lastFinishedAt >= 300, "next step before reloadDelay");
        } else if (name == QLatin1String("reloadStepFinished")) {
            QVERIFY2(registeredSoFar.contains(pidOf(e, "newPid")), "step finished before its replacement registered");
            lastFinishedAt = e.value(QStringLiteral("t")).toDouble();
        }
        if (reloadRunning)
            QVERIFY2(up.value(QStringLiteral("web")) >= 1, "both web workers were down at once");
    }
    QCOMPARE(stepsSeen, 3);
}

void tst_Cluster::maxUnavailableReplacesTwoAtOnce()
{
    // Four workers, two of them killed and respawned at a time.
    auto *master = startMaster({spec(QStringLiteral("web"), {}, {{QStringLiteral("instances"), 4}, {QStringLiteral("maxUnavailable"), 2}})},
                               {QStringLiteral("--reload-delay=0")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const QSet<qint64> before = registered(master);
    QCOMPARE(before.size(), 4);
    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 30000));
    QCOMPARE(master->count(QStringLiteral("reloadStepTimedOut"), own()), 0);

    // Replay the master's events: two steps were under way at once, never
    // more, and never more than two of the four workers were missing.
    int up = 0;
    int underWay = 0;
    int most = 0;
    bool reloading = false;
    QList<int> startedSteps;
    for (const QJsonObject &e : master->allEvents()) {
        if (e.contains(QStringLiteral("_from")))
            continue;
        const QString name = e.value(QStringLiteral("event")).toString();
        if (name == QLatin1String("registered")) {
            ++up;
        } else if (name == QLatin1String("deregistered")) {
            --up;
        } else if (name == QLatin1String("reloadStarted")) {
            reloading = true;
        } else if (name == QLatin1String("reloadStepStarted")) {
            most = std::max(most, ++underWay);
            startedSteps.append(e.value(QStringLiteral("step")).toInt());
        } else if (name == QLatin1String("reloadStepFinished")) {
            --underWay;
        }
        if (reloading)
            QVERIFY2(up >= 2, "more than maxUnavailable workers were down at once");
    }
    QCOMPARE(most, 2);
    QCOMPARE(startedSteps, (QList<int>{1, 2, 3, 4}));

    // Every worker was replaced, once.
    const auto finished = master->events(QStringLiteral("reloadStepFinished"), own());
    QCOMPARE(finished.size(), 4);
    QSet<qint64> replacedOld;
    QSet<qint64> replacements;
    for (const QJsonObject &e : finished) {
        replacedOld.insert(pidOf(e, "oldPid"));
        replacements.insert(pidOf(e, "newPid"));
    }
    QCOMPARE(replacedOld, before);
    QVERIFY(master->sync());
    QCOMPARE(registered(master), replacements);
    for (qint64 pid : before)
        QTRY_VERIFY(processGone(pid));
}

void tst_Cluster::sighupDuringReloadIsQueued()
{
    auto *master = startMaster({spec(QStringLiteral("web"), {}, {{QStringLiteral("instances"), 2}})}, {QStringLiteral("--reload-delay=200")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("reloadStepStarted"), own()));
    master->signal(SIGHUP);
    master->signal(SIGHUP); // merged with the queued one
    QTRY_COMPARE_WITH_TIMEOUT(master->count(QStringLiteral("clusterReloaded"), own()), 2, 60000);
    QVERIFY(master->sync());
    QCOMPARE(master->count(QStringLiteral("reloadStarted"), own()), 2);
    QCOMPARE(master->count(QStringLiteral("reloadStepFinished"), own()), 4);
    QCOMPARE(registered(master).size(), 2);
}

void tst_Cluster::reloadTimesOutAndGoesOn()
{
    // Replacements take 1.5 s to become ready; the reload waits 300 ms.
    auto *master = startMaster({spec(QStringLiteral("slow"), {{QStringLiteral("ready"), false}, {QStringLiteral("ready-delay"), 1500}}, {{QStringLiteral("instances"), 2}})},
                               {QStringLiteral("--reload-delay=0"), QStringLiteral("--reload-timeout=300")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own(), 15000));
    master->send({{QStringLiteral("cmd"), QStringLiteral("reload")}});
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 20000));
    QVERIFY(master->count(QStringLiteral("reloadStepTimedOut"), own()) >= 1);
    QVERIFY(master->standardError().contains("became ready within 300 ms"));
    QTRY_COMPARE_WITH_TIMEOUT(registered(master).size(), 2, 10000);
}

void tst_Cluster::reloadEnforcesTheKillTimeout_data()
{
    QTest::addColumn<bool>("surge");
    QTest::newRow("restart") << false;
    QTest::newRow("surge") << true;
}

void tst_Cluster::reloadEnforcesTheKillTimeout()
{
    QFETCH(bool, surge);
    // Workers whose kill handler never finishes, whose own kill timeout is
    // ten minutes away and which ignore SIGTERM: only their spawner's
    // SIGKILL, at the spec's 300 ms kill timeout, can end them.
    QStringList options{QStringLiteral("--reload-delay=0"), QStringLiteral("--reload-timeout=5000")};
    if (surge)
        options.append(QStringLiteral("--surge"));
    auto *master = startMaster({spec(QStringLiteral("stuck"),
                                     {{QStringLiteral("kill-delay"), -1}, {QStringLiteral("kill-timeout"), 600000}, {QStringLiteral("ignore-sigterm"), true}},
                                     {{QStringLiteral("instances"), 2}, {QStringLiteral("killTimeoutMs"), 300}})},
                               options);
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const QSet<qint64> before = registered(master);
    QCOMPARE(before.size(), 2);

    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 30000));
    QCOMPARE(master->count(QStringLiteral("reloadStepTimedOut"), own()), 0);
    QCOMPARE(master->count(QStringLiteral("reloadStepFinished"), own()), 2);
    // Each old worker heard its kill, and is now dead and reaped.
    QCOMPARE(master->count(QStringLiteral("killHandler"), [](const QJsonObject &e) { return e.contains(QStringLiteral("_from")); }), 2);
    for (qint64 pid : before)
        QTRY_VERIFY2(processReaped(pid), qPrintable(QStringLiteral("the old worker %1 survived the reload").arg(pid)));

    // The group has exactly its two instances, registered and running.
    QVERIFY(master->sync());
    const QSet<qint64> after = registered(master);
    QCOMPARE(after.size(), 2);
    QVERIFY((after & before).isEmpty());
    master->send(cmd(QStringLiteral("children")));
    const auto children = master->waitForEvent(QStringLiteral("children"), own());
    QVERIFY(children);
    const QJsonArray list = children->value(QStringLiteral("children")).toArray();
    QCOMPARE(list.size(), 2);
    for (const QJsonValue &child : list) {
        QCOMPARE(child.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("running"));
        QVERIFY(after.contains(pidOf(child.toObject())));
    }
}

void tst_Cluster::surgeReloadOfASingleInstance()
{
    auto *master = startMaster({spec(QStringLiteral("solo"))}, {QStringLiteral("--surge"), QStringLiteral("--reload-delay=0")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const qint64 old = *registered(master).cbegin();
    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 30000));
    const auto finished = master->events(QStringLiteral("reloadStepFinished"), own());
    QCOMPARE(finished.size(), 1);
    const qint64 replacement = pidOf(finished.constFirst(), "newPid");
    QVERIFY(replacement != old);
    // The replacement registered before the old one left: never zero instances.
    int up = 0;
    bool seenFirst = false;
    for (const QJsonObject &e : master->allEvents()) {
        if (e.contains(QStringLiteral("_from")))
            continue;
        const QString name = e.value(QStringLiteral("event")).toString();
        if (name == QLatin1String("registered"))
            ++up, seenFirst = true;
        else if (name == QLatin1String("deregistered"))
            --up;
        if (seenFirst)
            QVERIFY2(up >= 1, "the only instance was down during a surge reload");
    }
    const auto exited = master->waitForEvent(QStringLiteral("childExited"), own([old](const QJsonObject &e) { return pidOf(e) == old; }));
    QVERIFY(exited);
    QCOMPARE(exited->value(QStringLiteral("code")).toInt(), 0); // stopped for good, not respawned
    QCOMPARE(registered(master), QSet<qint64>{replacement});
    QCOMPARE(master->count(QStringLiteral("childRespawned"), own()), 0);
}

void tst_Cluster::surgeStepTimeoutStopsTheReplacement()
{
    // One instance, surge, a 300 ms reload timeout and a replacement that
    // takes 1.5 s to become ready: the step times out, and the replacement
    // that was not ready in time is stopped, so the group keeps exactly its
    // one instance (the old one, which never stopped serving).
    auto *master = startMaster({spec(QStringLiteral("solo"), {{QStringLiteral("ready"), false}, {QStringLiteral("ready-delay"), 1500}})},
                               {QStringLiteral("--surge"), QStringLiteral("--reload-delay=0"), QStringLiteral("--reload-timeout=300")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own(), 15000));
    const qint64 old = *registered(master).cbegin();
    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 20000));
    QCOMPARE(master->count(QStringLiteral("reloadStepTimedOut"), own()), 1);
    QCOMPARE(master->count(QStringLiteral("reloadStepFinished"), own()), 0);

    const auto started = master->waitForEvent(QStringLiteral("childStarted"), own([old](const QJsonObject &e) { return pidOf(e) != old; }));
    QVERIFY(started);
    const qint64 replacement = pidOf(*started);
    // Either the replacement is stopped or (the bug) it becomes ready and stays.
    QTRY_VERIFY_WITH_TIMEOUT(master->count(QStringLiteral("childExited"), own([replacement](const QJsonObject &e) { return pidOf(e) == replacement; })) > 0
                                 || registered(master).contains(replacement),
                             15000);
    QVERIFY2(!registered(master).contains(replacement), "the replacement that was not ready in time stayed: one instance too many");
    QVERIFY(master->sync());
    QCOMPARE(registered(master), QSet<qint64>{old});
    QVERIFY(!processGone(old));
    QCOMPARE(master->count(QStringLiteral("childRespawned"), own()), 0);
}

void tst_Cluster::sigtermStopsTheWholeTree()
{
    const QJsonArray grandchildren{spec(QStringLiteral("grandchild"), {{QStringLiteral("kill-delay"), 100}})};
    auto *master = startMaster({spec(QStringLiteral("web"), {{QStringLiteral("kill-delay"), 100}}, {{QStringLiteral("instances"), 2}}),
                                spec(QStringLiteral("parent"), {{QStringLiteral("kill-delay"), 100},
                                                                {QStringLiteral("spawn"), QString::fromUtf8(QJsonDocument(grandchildren).toJson(QJsonDocument::Compact))}}),
                                QJsonObject{{QStringLiteral("file"), QStringLiteral("/bin/sh")}, {QStringLiteral("register"), false},
                                            {QStringLiteral("group"), QStringLiteral("script")},
                                            {QStringLiteral("args"), QJsonObject{}}}});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const QSet<qint64> workers = registered(master);
    QCOMPARE(workers.size(), 4);
    master->signal(SIGTERM);
    QVERIFY(master->waitForFinished(15000));
    QCOMPARE(master->exitStatus(), QProcess::NormalExit);
    QCOMPARE(master->exitCode(), 15);
    // Every kill handler ran, grandchild included.
    QCOMPARE(master->count(QStringLiteral("killHandler"), [](const QJsonObject &e) { return e.contains(QStringLiteral("_from")); }), 4);
    for (qint64 pid : workers)
        QTRY_VERIFY(processGone(pid));
}

void tst_Cluster::emitKillToMasterEndsCluster()
{
    auto *master = startMaster({spec(QStringLiteral("web"))});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const qint64 worker = *registered(master).cbegin();
    sendTo(worker, {{QStringLiteral("cmd"), QStringLiteral("kill")}, {QStringLiteral("pid"), double(master->pid())}, {QStringLiteral("code"), 42}});
    QVERIFY(master->waitForFinished(15000));
    QCOMPARE(master->exitCode(), 42);
    QTRY_VERIFY(processGone(worker));
}

void tst_Cluster::masterSigkillLeavesNoOrphans()
{
    const QJsonArray grandchildren{spec(QStringLiteral("grandchild"))};
    auto *master = startMaster({spec(QStringLiteral("web"), {}, {{QStringLiteral("instances"), 2}}),
                                spec(QStringLiteral("parent"), {{QStringLiteral("spawn"), QString::fromUtf8(QJsonDocument(grandchildren).toJson(QJsonDocument::Compact))}})});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const QSet<qint64> workers = registered(master);
    QCOMPARE(workers.size(), 4);
    master->signal(SIGKILL);
    QVERIFY(master->waitForFinished());
    for (qint64 pid : workers)
        QTRY_VERIFY_WITH_TIMEOUT(processGone(pid), 5000);
}

void tst_Cluster::silentWorkerExpires()
{
    auto *master = startMaster({}, {QStringLiteral("--heartbeat-timeout=600")});
    QVERIFY(master);
    const QByteArray m = QByteArray::number(master->pid());
    using Clustr::Protocol::Codec;
    // 4242, on another host, heartbeats once, then falls silent; this test
    // process speaks only the original protocol (no heartbeat) and must stay.
    const qint64 self = QCoreApplication::applicationPid();
    m_client->publish("heartbeat:" + m, Codec::encode(4242, QStringLiteral("web"), QJsonObject{{QStringLiteral("ppid"), 1}, {QStringLiteral("ready"), false},
                                                                                              {QStringLiteral("host"), QStringLiteral("elsewhere")}}));
    m_client->publish("registration:" + m, Codec::encode(4242, QStringLiteral("web"), QStringLiteral("registration")));
    m_client->publish("registration:" + m, Codec::encode(self, QStringLiteral("old"), QStringLiteral("registration")));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), own([self](const QJsonObject &e) { return pidOf(e) == self; })));
    const auto lost = master->waitForEvent(QStringLiteral("workerLost"), own(), 5000);
    QVERIFY(lost);
    QCOMPARE(pidOf(*lost), 4242);
    QVERIFY(lost->value(QStringLiteral("reason")).toString().contains(QStringLiteral("no heartbeat")));
    QVERIFY(master->sync());
    QVERIFY(registered(master).contains(self));
    QVERIFY(!registered(master).contains(4242));

    // The same pid heartbeating from two hosts is called out.
    m_client->publish("heartbeat:" + m, Codec::encode(4444, QStringLiteral("web"), QJsonObject{{QStringLiteral("host"), QStringLiteral("alpha")}}));
    m_client->publish("heartbeat:" + m, Codec::encode(4444, QStringLiteral("web"), QJsonObject{{QStringLiteral("host"), QStringLiteral("beta")}}));
    QTRY_VERIFY(master->standardError().contains("pid 4444 is alive on two hosts (alpha and beta)"));
}

void tst_Cluster::forgedRegistrationsOfDeadPidsAreDropped()
{
    auto *master = startMaster({spec(QStringLiteral("web"))}, {QStringLiteral("--heartbeat-timeout=2000"), QStringLiteral("--reload-delay=0")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const qint64 web = *registered(master).cbegin();
    const QByteArray m = QByteArray::number(master->pid());
    using Clustr::Protocol::Codec;

    // Pids above pid_max never run on this host.
    const qint64 pidMax = readPidMax();
    QVERIFY(pidMax > 0);
    constexpr int Forged = 3000;
    for (int i = 1; i <= Forged; ++i)
        m_client->publish("registration:" + m, Codec::encode(pidMax + i, QStringLiteral("forged"), QStringLiteral("registration")));
    // One that says, with a heartbeat, that it runs on this host, and does not.
    Clustr::Heartbeat liar;
    liar.setHost(QSysInfo::machineHostName());
    liar.setReady(true);
    m_client->publish("heartbeat:" + m, Codec::encode(pidMax + Forged + 1, QStringLiteral("forged"), Records::toJson(liar)));
    m_client->publish("registration:" + m, Codec::encode(pidMax + Forged + 1, QStringLiteral("forged"), QStringLiteral("registration")));
    // Then a process that runs here (this test, as a hand-made process): once
    // the master registered it, it has handled everything sent before.
    const qint64 self = QCoreApplication::applicationPid();
    m_client->publish("registration:" + m, Codec::encode(self, QStringLiteral("hand"), QStringLiteral("registration")));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), own([self](const QJsonObject &e) { return pidOf(e) == self; })));
    QVERIFY(master->sync());
    QCOMPARE(registered(master), (QSet<qint64>{web, self}));

    // None of them is kept, not even once the time to vouch for them passed.
    QTRY_VERIFY_WITH_TIMEOUT(master->stats().value(QStringLiteral("rejectedMessages")).toInt() >= Forged + 1, 15000);
    master->send(cmd(QStringLiteral("masterInfo")));
    const auto info = master->waitForEvent(QStringLiteral("masterInfo"), own());
    QVERIFY(info);
    QCOMPARE(info->value(QStringLiteral("info")).toObject().keys(), (QStringList{QStringLiteral("hand"), QStringLiteral("web")}));
    QCOMPARE(master->count(QStringLiteral("registered"), own()), 2);

    // A reload plans the master's own workers only.
    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 30000));
    QCOMPARE(master->events(QStringLiteral("reloadStarted"), own()).constFirst().value(QStringLiteral("steps")).toInt(), 1);
    QCOMPARE(master->count(QStringLiteral("reloadStepTimedOut"), own()), 0);
}

void tst_Cluster::aForgedHeartbeatCannotStallAReload()
{
    // Heartbeats that never expire during the test, and a short step timeout.
    auto *master = startMaster({spec(QStringLiteral("web"), {}, {{QStringLiteral("instances"), 2}})},
                               {QStringLiteral("--heartbeat-timeout=600000"), QStringLiteral("--reload-timeout=3000"), QStringLiteral("--reload-delay=0")});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const QByteArray m = QByteArray::number(master->pid());

    // One heartbeat, in the name of a process that runs here (this test),
    // announcing a cluster-aware child that will never register.
    Clustr::ChildInfo ghost;
    ghost.setPid(readPidMax() + 7);
    ghost.setGroup(QStringLiteral("ghost"));
    ghost.setRegisters(true);
    ghost.setRespawn(true);
    ghost.setState(Clustr::ChildInfo::State::Running);
    Clustr::Heartbeat forged;
    forged.setHost(QSysInfo::machineHostName());
    forged.setReady(true);
    forged.setChildren({ghost});
    const qint64 self = QCoreApplication::applicationPid();
    m_client->publish("heartbeat:" + m, Clustr::Protocol::Codec::encode(self, QStringLiteral("forged"), Records::toJson(forged)));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), own([self](const QJsonObject &e) { return pidOf(e) == self; })));

    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), own(), 30000));
    QCOMPARE(master->events(QStringLiteral("reloadStarted"), own()).constFirst().value(QStringLiteral("steps")).toInt(), 2);
    QCOMPARE(master->count(QStringLiteral("reloadStepTimedOut"), own()), 0);
    QCOMPARE(master->count(QStringLiteral("reloadStepFinished"), own()), 2);
}

// A removed pid is not registered again by a heartbeat sent before its
// removal (a late one from a process that died), but at once by one sent
// after it: the worker is alive (it was expired while Redis was away, say).
void tst_Cluster::heartbeatSentAfterRemovalRejoins()
{
    auto *master = startMaster({}, {QStringLiteral("--heartbeat-timeout=60000")});
    QVERIFY(master);
    const QByteArray m = QByteArray::number(master->pid());
    using Clustr::Protocol::Codec;
    // Processes of another host: the master goes by their heartbeats, not
    // by its process table (PROTOCOL.md 8.3).
    const auto heartbeat = [&](qint64 pid, const QDateTime &sentAt) {
        QJsonObject beat{{QStringLiteral("ppid"), 1}, {QStringLiteral("ready"), true}, {QStringLiteral("host"), QStringLiteral("elsewhere")}};
        if (sentAt.isValid())
            beat.insert(QStringLiteral("sentAt"), sentAt.toUTC().toString(Qt::ISODateWithMs));
        m_client->publish("heartbeat:" + m, Codec::encode(pid, QStringLiteral("web"), beat));
    };
    const auto join = [&](qint64 pid) {
        heartbeat(pid, QDateTime::currentDateTimeUtc());
        m_client->publish("registration:" + m, Codec::encode(pid, QStringLiteral("web"), QStringLiteral("registration")));
    };
    const auto isPid = [](qint64 pid) { return own([pid](const QJsonObject &e) { return pidOf(e) == pid; }); };

    join(4545);
    m_client->publish("deregistration:" + m, Codec::encode(4545, QStringLiteral("web"), QStringLiteral("deregistration")));
    const auto removed = master->waitForEvent(QStringLiteral("deregistered"), isPid(4545));
    QVERIFY(removed);
    const qint64 removedBy = qint64(removed->value(QStringLiteral("t")).toDouble()); // printed right after the removal

    // Sent before the removal, or without saying when: not a sign of life.
    heartbeat(4545, QDateTime::fromMSecsSinceEpoch(removedBy - 1000));
    heartbeat(4545, QDateTime());
    // One connection delivers in order: once the master has 4646, it has handled both.
    join(4646);
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), isPid(4646)));
    QCOMPARE(master->count(QStringLiteral("registered"), isPid(4545)), 1);

    QVERIFY(QTest::qWaitFor([&] { return QDateTime::currentMSecsSinceEpoch() > removedBy; }));
    heartbeat(4545, QDateTime::currentDateTimeUtc());
    join(4747);
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), isPid(4747)));
    QCOMPARE(master->count(QStringLiteral("registered"), isPid(4545)), 2);
}

// A spawner hands each child the group of its spawn entry (CLUSTR_GROUP),
// or the file's name; a worker whose code names no group registers under
// it. A grandchild gets its own entry's, never its parent's.
void tst_Cluster::spawnEntrysGroupReachesTheWorker()
{
    const QJsonObject args{{QStringLiteral("no-stdin"), true}, {QStringLiteral("ready"), true}};
    const QJsonArray grandchildren{QJsonObject{{QStringLiteral("file"), QStringLiteral("clustr-test-worker")}, {QStringLiteral("args"), args}}};
    QJsonObject parentArgs = args;
    parentArgs.insert(QStringLiteral("spawn"), QString::fromUtf8(QJsonDocument(grandchildren).toJson(QJsonDocument::Compact)));
    auto *master = startMaster({QJsonObject{{QStringLiteral("file"), QStringLiteral("clustr-test-worker")},
                                            {QStringLiteral("group"), QStringLiteral("fromEntry")},
                                            {QStringLiteral("args"), parentArgs}}});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    QSet<QString> groups;
    for (const QJsonObject &e : master->events(QStringLiteral("registered"), own()))
        groups.insert(e.value(QStringLiteral("group")).toString());
    QCOMPARE(groups, (QSet<QString>{QStringLiteral("fromEntry"), QStringLiteral("clustr-test-worker")}));
    // The spawner shows the child under the group it registered with.
    const auto child = master->events(QStringLiteral("childStarted"), own());
    QCOMPARE(child.size(), 1);
    QCOMPARE(child.constFirst().value(QStringLiteral("group")).toString(), QStringLiteral("fromEntry"));
}

// An idle cluster costs nothing: children of a clustr-qt parent heartbeat
// only when something changed, or while someone asks for figures.
void tst_Cluster::idleWorkersHeartbeatOnlyWhenAsked()
{
    constexpr int Interval = 100;
    const QJsonObject fast{{QStringLiteral("heartbeat-interval"), Interval}};
    auto *master = startMaster({spec(QStringLiteral("web"), fast), spec(QStringLiteral("web"), fast)});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), own()));
    const QSet<qint64> workers = registered(master);
    QCOMPARE(workers.size(), 2);

    Clustr::RedisClient listener;
    listener.setUrl(m_redis.url());
    QVERIFY(listener.open());
    QHash<qint64, int> beats;
    QHash<qint64, Clustr::Heartbeat> last;
    connect(&listener, &Clustr::RedisClient::messageReceived, this, [&](const QByteArray &, const QByteArray &payload) {
        const auto message = Clustr::Protocol::Codec::decode(payload, Clustr::Protocol::Codec::DefaultMaxPayloadSize);
        if (!message)
            return;
        ++beats[message->pid];
        if (const auto beat = Records::heartbeat(message->value()))
            last.insert(message->pid, *beat);
    });
    QSignalSpy subscribed(&listener, &Clustr::RedisClient::subscribed);
    listener.subscribe("heartbeat:" + QByteArray::number(master->pid()));
    QVERIFY(subscribed.wait());

    // Ten intervals of quiet: not one heartbeat.
    QVERIFY(!QTest::qWaitFor([&] { return !beats.isEmpty(); }, 10 * Interval));
    for (qint64 pid : workers)
        QVERIFY(!master->waitForEvent(QStringLiteral("workerLost"), own([pid](const QJsonObject &e) { return pidOf(e) == pid; }), 1));

    // Asked for figures for a while: each answers at once, then every interval.
    m_client->publish("sampling:" + QByteArray::number(master->pid()),
                      Clustr::Protocol::Codec::encode(4242, QStringLiteral("cli"), QJsonObject{{QStringLiteral("leaseMs"), 15 * Interval}}));
    QVERIFY(QTest::qWaitFor([&] { return std::all_of(workers.cbegin(), workers.cend(), [&](qint64 p) { return beats.value(p) >= 3; }); }, 10000));
    for (qint64 pid : workers) {
        QVERIFY(last.value(pid).supervised());
        QVERIFY(last.value(pid).rssBytes() > 0);
    }
    // Then quiet again once the lease ran out: a stretch of five intervals without one.
    QVERIFY(QTest::qWaitFor([&] {
        const int before = beats.value(*workers.cbegin()) + beats.value(*std::next(workers.cbegin()));
        QTest::qWait(5 * Interval);
        return beats.value(*workers.cbegin()) + beats.value(*std::next(workers.cbegin())) == before;
    }, 20000));
}

// A process of this host that is no child of a clustr-qt parent and
// is killed: the kernel tells the master (a pidfd), not a timeout.
void tst_Cluster::localProcessKilledIsSeenAtOnce()
{
    auto *master = startMaster({}, {QStringLiteral("--heartbeat-timeout=600000")});
    QVERIFY(master);
    TestProcess loner;
    QVERIFY(loner.startWorker({QStringLiteral("--group=loner"), QStringLiteral("--ready"), QStringLiteral("--cluster-redis=") + m_redis.url(),
                               QStringLiteral("--cluster-master-pid=") + QString::number(master->pid())}));
    const qint64 victim = loner.pid();
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), own([victim](const QJsonObject &e) { return pidOf(e) == victim; })));
    loner.signal(SIGKILL);
    // Its heartbeats would expire only after ten minutes: this is the process table's word.
    const auto lost = master->waitForEvent(QStringLiteral("workerLost"), own([victim](const QJsonObject &e) { return pidOf(e) == victim; }), 20000);
    QVERIFY(lost);
    QCOMPARE(lost->value(QStringLiteral("reason")).toString(), QStringLiteral("its process is gone"));
}

// On another host, a supervised process (it heartbeats only on change)
// lives as long as its heartbeating parent lists it, and goes with it.
void tst_Cluster::supervisedProcessOfAnotherHostGoesWithItsParent()
{
    auto *master = startMaster({}, {QStringLiteral("--heartbeat-timeout=600")});
    QVERIFY(master);
    const QByteArray m = QByteArray::number(master->pid());
    using Clustr::Protocol::Codec;
    constexpr qint64 Parent = 4600;
    constexpr qint64 Child = 4601;
    const auto parentBeat = [&] {
        QJsonObject beat{{QStringLiteral("host"), QStringLiteral("elsewhere")}, {QStringLiteral("ready"), true},
                         {QStringLiteral("sentAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                         {QStringLiteral("children"), QJsonArray{QJsonObject{{QStringLiteral("pid"), Child}, {QStringLiteral("group"), QStringLiteral("kid")},
                                                                             {QStringLiteral("state"), QStringLiteral("running")}}}}};
        m_client->publish("heartbeat:" + m, Codec::encode(Parent, QStringLiteral("parent"), beat));
    };
    parentBeat();
    m_client->publish("heartbeat:" + m, Codec::encode(Child, QStringLiteral("kid"),
                                                      QJsonObject{{QStringLiteral("host"), QStringLiteral("elsewhere")}, {QStringLiteral("ppid"), Parent},
                                                                  {QStringLiteral("ready"), true}, {QStringLiteral("supervised"), true}}));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), own([](const QJsonObject &e) { return pidOf(e) == Child; })));
    // Five timeouts long, the parent heartbeats and the silent child stays.
    QTimer beating;
    connect(&beating, &QTimer::timeout, this, parentBeat);
    beating.start(100);
    QVERIFY(!master->waitForEvent(QStringLiteral("workerLost"), own(), 3000));
    beating.stop();
    // The parent falls silent: it expires, and its child with it.
    QVERIFY(master->waitForEvent(QStringLiteral("workerLost"), own([](const QJsonObject &e) { return pidOf(e) == Parent; }), 10000));
    const auto lost = master->waitForEvent(QStringLiteral("workerLost"), own([](const QJsonObject &e) { return pidOf(e) == Child; }), 10000);
    QVERIFY(lost);
    QVERIFY(lost->value(QStringLiteral("reason")).toString().contains(QStringLiteral("no heartbeat")));
}

QTEST_GUILESS_MAIN(tst_Cluster)
#include "tst_cluster.moc"
