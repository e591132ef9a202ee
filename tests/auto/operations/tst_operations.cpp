// SPDX-License-Identifier: MIT
// restart, stop GROUP, start and scale end to end: the real clustr-qt run
// as a subprocess for every command, against a real Redis and a real
// cluster (a master started with clustr-test-worker --master); and again
// (CTest's tst_operations_rediscluster) on a real Redis Cluster of six nodes.
#include "clusterrun.h"
#include "programrun.h"
#include "registeredpids.h"
#include "testprocess.h"
#include "testredis.h"

#include <ClustrQt/clusterclient.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>
#include <memory>

using Clustr::ClusterClient;

namespace {

QJsonObject workerSpec(const QString &group, int instances = 1, const QJsonObject &extra = {})
{
    // The entry's group is the one the master stops, starts and scales; the worker registers with it.
    QJsonObject spec{{QStringLiteral("file"), QStringLiteral("clustr-test-worker")},
                     {QStringLiteral("group"), group},
                     {QStringLiteral("instances"), instances},
                     {QStringLiteral("args"), QJsonObject{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true},
                                                          {QStringLiteral("ready"), true}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        spec.insert(it.key(), it.value());
    return spec;
}

QList<qint64> sorted(QList<qint64> pids)
{
    std::sort(pids.begin(), pids.end());
    return pids;
}

} // namespace

class tst_Operations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void restartOfAGroupLeavesOtherGroupsAlone();
    void restartBringsBackAGivenUpWorker();
    void stoppedGroupStaysStoppedUntilStarted();
    void scaleUpAndDown();
    void updateFromTheClusterFile();
    void badTargets_data();
    void badTargets();
    void badArguments_data();
    void badArguments();

private:
    ProgramRun runCli(const QStringList &arguments, int timeoutMs = 60000);
    std::unique_ptr<TestProcess> startMaster(const QString &name, const QJsonArray &specs, int workers);
    //! The registered pids of \a group once there are \a count of them, none of \a excluding.
    QList<qint64> pidsOf(const QString &name, const QString &group, int count, const QList<qint64> &excluding = {});
    //! `status --json` of cluster \a name.
    QJsonObject statusJson(const QString &name);
    //! The pids of the master's children of \a group, from `status --json`.
    QList<qint64> childPids(const QString &name, const QString &group);
    QStringList target(const QString &name) const
    {
        return {QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--cluster"), name};
    }

    TestRedis m_redis;
    QTemporaryDir m_runtimeDir;
    QString m_binary;
};

void tst_Operations::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY(m_runtimeDir.isValid());
    m_binary = buildBinary(QStringLiteral("clustr-qt"));
    QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary + QStringLiteral(" is not built")));
}

ProgramRun tst_Operations::runCli(const QStringList &arguments, int timeoutMs)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CLUSTR_REDIS"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtimeDir.path());
    return runProgram(m_binary, arguments, env, timeoutMs);
}

std::unique_ptr<TestProcess> tst_Operations::startMaster(const QString &name, const QJsonArray &specs, int workers)
{
    auto master = std::make_unique<TestProcess>();
    const QStringList args{QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + m_redis.url(),
                           QStringLiteral("--reload-delay=0"), QStringLiteral("--cluster-namespace=") + name,
                           QStringLiteral("--spawn=") + QString::fromUtf8(QJsonDocument(specs).toJson(QJsonDocument::Compact))};
    if (!master->startWorker(args) || !master->waitForEvent(QStringLiteral("clusterStarted"), {}, 20000))
        return nullptr;
    if (pidsOf(name, QString(), workers).size() != workers)
        return nullptr;
    return master;
}

QList<qint64> tst_Operations::pidsOf(const QString &name, const QString &group, int count, const QList<qint64> &excluding)
{
    return sorted(waitForRegisteredPids(m_redis.url(), name, count, group, excluding, 20000));
}

QJsonObject tst_Operations::statusJson(const QString &name)
{
    const ProgramRun run = runCli(QStringList{QStringLiteral("status"), QStringLiteral("--json")} + target(name));
    if (run.exitCode != 0)
        qWarning("%s", run.describe().constData());
    return QJsonDocument::fromJson(run.out).object();
}

void tst_Operations::restartOfAGroupLeavesOtherGroupsAlone()
{
    const QString name = QStringLiteral("ops-restart");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 2), workerSpec(QStringLiteral("cache"))}, 3);
    QVERIFY(master);
    const QList<qint64> web = pidsOf(name, QStringLiteral("web"), 2);
    const QList<qint64> cache = pidsOf(name, QStringLiteral("cache"), 1);

    const ProgramRun run = runCli(QStringList{QStringLiteral("restart"), QStringLiteral("web")} + target(name));
    QVERIFY2(run.finished && run.exitCode == 0, run.describe());
    const QStringList lines = run.outLines();
    QVERIFY2(lines.value(0) == QStringLiteral("restart of group web started: 2 steps"), run.describe());
    QVERIFY2(lines.constLast().startsWith(QStringLiteral("restarted: 2 processes in ")), run.describe());
    QCOMPARE(lines.filter(QRegularExpression(QStringLiteral("^step \\d/2: \\d+ -> \\d+$"))).size(), 2);

    const QList<qint64> newWeb = pidsOf(name, QStringLiteral("web"), 2, web);
    QCOMPARE(newWeb.size(), 2);
    QCOMPARE(pidsOf(name, QStringLiteral("cache"), 1), cache);

    // One process, by pid: only it.
    const ProgramRun one = runCli(QStringList{QStringLiteral("restart"), QString::number(newWeb.at(0))} + target(name));
    QVERIFY2(one.exitCode == 0, one.describe());
    const QList<qint64> after = pidsOf(name, QStringLiteral("web"), 2, {newWeb.at(0)});
    QVERIFY2(after.contains(newWeb.at(1)), qPrintable(QStringLiteral("%1").arg(newWeb.at(1))));
    QCOMPARE(pidsOf(name, QStringLiteral("cache"), 1), cache);
}

void tst_Operations::restartBringsBackAGivenUpWorker()
{
    const QString name = QStringLiteral("ops-givenup");
    // No restart allowed: its first crash gives it up.
    const QJsonObject policy{{QStringLiteral("maxRestarts"), 0}, {QStringLiteral("windowMs"), 60000}};
    auto master = startMaster(name, {workerSpec(QStringLiteral("flaky"), 1, {{QStringLiteral("restartPolicy"), policy}}),
                                     workerSpec(QStringLiteral("web"))}, 2);
    QVERIFY(master);
    const QList<qint64> flaky = pidsOf(name, QStringLiteral("flaky"), 1);
    QCOMPARE(flaky.size(), 1);
    ::kill(pid_t(flaky.at(0)), SIGKILL);
    QVERIFY(master->waitForEvent(QStringLiteral("childGaveUp"), {}, 20000));
    QCOMPARE(pidsOf(name, QStringLiteral("flaky"), 0).size(), 0);

    const ProgramRun run = runCli(QStringList{QStringLiteral("restart"), QStringLiteral("flaky")} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QVERIFY2(run.outLines().value(0) == QStringLiteral("restart of group flaky started: 1 step"), run.describe());
    const QList<qint64> back = pidsOf(name, QStringLiteral("flaky"), 1, flaky);
    QCOMPARE(back.size(), 1);
    // Its crash budget starts over: it is running, not failed.
    const QJsonArray children = statusJson(name).value(QStringLiteral("children")).toArray();
    for (const QJsonValue &child : children) {
        if (child.toObject().value(QStringLiteral("group")).toString() == QLatin1String("flaky"))
            QCOMPARE(child.toObject().value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    }
}

void tst_Operations::stoppedGroupStaysStoppedUntilStarted()
{
    const QString name = QStringLiteral("ops-stop");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 2), workerSpec(QStringLiteral("cache"))}, 3);
    QVERIFY(master);
    const QList<qint64> web = pidsOf(name, QStringLiteral("web"), 2);

    const ProgramRun stop = runCli(QStringList{QStringLiteral("stop"), QStringLiteral("web")} + target(name));
    QVERIFY2(stop.exitCode == 0, stop.describe());
    QVERIFY2(stop.outLines().constLast().startsWith(QStringLiteral("stopped group web")), stop.describe());
    for (qint64 pid : web)
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    QCOMPARE(pidsOf(name, QStringLiteral("web"), 0).size(), 0);
    // The status record is rewritten within a second of a change: waited for, not raced.
    auto webGroup = [this, &name] { return statusJson(name).value(QStringLiteral("groups")).toObject().value(QStringLiteral("web")).toObject(); };
    QTRY_VERIFY_WITH_TIMEOUT(webGroup().value(QStringLiteral("stopped")).toBool(), 10000);
    QCOMPARE(webGroup().value(QStringLiteral("instances")).toInt(), 2);

    // A reload of the cluster leaves it stopped...
    const ProgramRun reload = runCli(QStringList{QStringLiteral("reload")} + target(name));
    QVERIFY2(reload.exitCode == 0, reload.describe());
    QVERIFY2(reload.outLines().value(0) == QStringLiteral("reload started: 1 step"), reload.describe());
    // ...and so does another worker's crash and respawn.
    const QList<qint64> cache = pidsOf(name, QStringLiteral("cache"), 1);
    ::kill(pid_t(cache.at(0)), SIGKILL);
    QCOMPARE(pidsOf(name, QStringLiteral("cache"), 1, cache).size(), 1);
    QCOMPARE(pidsOf(name, QStringLiteral("web"), 0).size(), 0);

    const ProgramRun again = runCli(QStringList{QStringLiteral("stop"), QStringLiteral("web")} + target(name));
    QVERIFY2(again.exitCode == 7, again.describe());
    QVERIFY2(again.err.contains("group web is stopped already"), again.describe());

    const ProgramRun start = runCli(QStringList{QStringLiteral("start"), QStringLiteral("web")} + target(name));
    QVERIFY2(start.exitCode == 0, start.describe());
    QCOMPARE(pidsOf(name, QStringLiteral("web"), 2).size(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!webGroup().value(QStringLiteral("stopped")).toBool(), 10000);

    const ProgramRun startAgain = runCli(QStringList{QStringLiteral("start"), QStringLiteral("web")} + target(name));
    QVERIFY2(startAgain.exitCode == 7, startAgain.describe());
}

void tst_Operations::scaleUpAndDown()
{
    const QString name = QStringLiteral("ops-scale");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"))}, 1);
    QVERIFY(master);
    const QList<qint64> first = pidsOf(name, QStringLiteral("web"), 1);

    const ProgramRun up = runCli(QStringList{QStringLiteral("scale"), QStringLiteral("web"), QStringLiteral("3")} + target(name));
    QVERIFY2(up.exitCode == 0, up.describe());
    QVERIFY2(up.outLines().constLast() == QStringLiteral("scaled group web to 3 instances"), up.describe());
    const QList<qint64> three = pidsOf(name, QStringLiteral("web"), 3);
    QCOMPARE(three.size(), 3);
    QVERIFY(three.contains(first.at(0)));
    // The status record is rewritten within a second of a change: waited for, not raced.
    auto webInstances = [this, &name] {
        return statusJson(name).value(QStringLiteral("groups")).toObject().value(QStringLiteral("web")).toObject()
            .value(QStringLiteral("instances")).toInt();
    };
    QTRY_COMPARE_WITH_TIMEOUT(webInstances(), 3, 10000);

    const ProgramRun down = runCli(QStringList{QStringLiteral("scale"), QStringLiteral("web"), QStringLiteral("1")} + target(name));
    QVERIFY2(down.exitCode == 0, down.describe());
    // The first instance stays; the highest two went.
    QCOMPARE(pidsOf(name, QStringLiteral("web"), 1), first);
    for (qint64 pid : three) {
        if (pid != first.at(0))
            QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    }
    QTRY_COMPARE_WITH_TIMEOUT(webInstances(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(statusJson(name).value(QStringLiteral("children")).toArray().size(), 1, 10000);

    const ProgramRun same = runCli(QStringList{QStringLiteral("scale"), QStringLiteral("web"), QStringLiteral("1")} + target(name));
    QVERIFY2(same.exitCode == 7, same.describe());
    QVERIFY2(same.err.contains("group web has 1 instances already"), same.describe());
}

QList<qint64> tst_Operations::childPids(const QString &name, const QString &group)
{
    QList<qint64> pids;
    const QJsonArray children = statusJson(name).value(QStringLiteral("children")).toArray();
    for (const QJsonValue &child : children) {
        const QJsonObject c = child.toObject();
        if (c.value(QStringLiteral("group")).toString() == group && c.value(QStringLiteral("pid")).toDouble() > 0)
            pids.append(qint64(c.value(QStringLiteral("pid")).toDouble()));
    }
    return sorted(pids);
}

// `reload --config` under `clustr-qt run`: the plan first (and only the
// plan with --dry-run), then each group as the file now says, the
// unchanged ones left alone; a file that cannot be run changes nothing.
void tst_Operations::updateFromTheClusterFile()
{
    const QString name = QStringLiteral("ops-update");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("cluster.json"));
    const QString worker = buildBinary(QStringLiteral("clustr-test-worker"));
    const QString child = buildBinary(QStringLiteral("clustr-test-child"));
    auto entry = [&](const QString &group, int instances, const QJsonObject &extraArgs = {}) {
        QJsonObject spec = workerSpec(group, instances);
        spec.insert(QStringLiteral("file"), worker);
        QJsonObject args = spec.value(QStringLiteral("args")).toObject();
        for (auto it = extraArgs.begin(); it != extraArgs.end(); ++it)
            args.insert(it.key(), it.value());
        spec.insert(QStringLiteral("args"), args);
        return spec;
    };
    // Not cluster-aware: replaced all at once, as nothing tells when one is ready.
    // It prints its MARK, then waits.
    auto plain = [&](const QString &mark) {
        return QJsonObject{{QStringLiteral("file"), child}, {QStringLiteral("group"), QStringLiteral("batch")},
                           {QStringLiteral("register"), false}, {QStringLiteral("env"), QJsonObject{{QStringLiteral("MARK"), mark}}},
                           {QStringLiteral("args"), QJsonObject{{QStringLiteral("env"), QStringLiteral("MARK")}, {QStringLiteral("pause"), 600000}}}};
    };
    auto write = [&path](const QByteArray &text) {
        QFile file(path);
        return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
    };
    auto cluster = [&name](const QJsonArray &workers) {
        return QJsonDocument(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("reloadDelay"), 0},
                                         {QStringLiteral("workers"), workers}}).toJson();
    };
    QVERIFY(write(cluster({entry(QStringLiteral("web"), 2), entry(QStringLiteral("keep"), 1), entry(QStringLiteral("old"), 1),
                           plain(QStringLiteral("first"))})));
    ClusterRun run;
    QVERIFY(run.start(QStringLiteral("clustr-qt"), {QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()}));
    QVERIFY2(run.waitForLine(QRegularExpression(QStringLiteral("cluster started"))).hasMatch(), run.transcript().constData());
    const QList<qint64> web = pidsOf(name, QStringLiteral("web"), 2);
    const QList<qint64> keep = pidsOf(name, QStringLiteral("keep"), 1);
    const QList<qint64> old = pidsOf(name, QStringLiteral("old"), 1);
    QTRY_COMPARE_WITH_TIMEOUT(childPids(name, QStringLiteral("batch")).size(), 1, 10000);
    const QList<qint64> batch = childPids(name, QStringLiteral("batch"));
    const QStringList update{QStringLiteral("reload"), QStringLiteral("--config")};

    QVERIFY(write(cluster({entry(QStringLiteral("web"), 2, {{QStringLiteral("x"), 1}}), entry(QStringLiteral("keep"), 1),
                           entry(QStringLiteral("api"), 1), plain(QStringLiteral("second"))})));
    const ProgramRun dry = runCli(update + QStringList{QStringLiteral("--dry-run")} + target(name));
    QVERIFY2(dry.exitCode == 0, dry.describe());
    const QStringList expected{QStringLiteral("  web: roll, one by one (2 instances; args changed)"),
                               QStringLiteral("  keep: keep (1 instance, unchanged)"),
                               QStringLiteral("  old: remove (1 instance stopped)"),
                               QStringLiteral("  batch: replace all at once (1 instance; env changed; its processes do not register, "
                                              "so none can be waited for)"),
                               QStringLiteral("  api: add (1 instance)")};
    for (const QString &line : expected)
        QVERIFY2(dry.outLines().contains(line), dry.describe());
    QVERIFY2(dry.outLines().constLast().startsWith(QStringLiteral("dry run: nothing was changed")), dry.describe());
    QCOMPARE(pidsOf(name, QStringLiteral("web"), 2), web);
    QCOMPARE(pidsOf(name, QStringLiteral("old"), 1), old);
    QCOMPARE(childPids(name, QStringLiteral("batch")), batch);

    const ProgramRun applied = runCli(update + target(name));
    QVERIFY2(applied.exitCode == 0, applied.describe());
    for (const QString &line : expected)
        QVERIFY2(applied.outLines().contains(line), applied.describe());
    QVERIFY2(applied.outLines().constLast() == QStringLiteral("updated the spawn entries"), applied.describe());
    // The roll of web says nothing of the other groups' processes.
    QVERIFY2(!applied.out.contains("no step of its own"), applied.describe());
    const QList<qint64> newWeb = pidsOf(name, QStringLiteral("web"), 2, web);
    QCOMPARE(newWeb.size(), 2);
    for (qint64 pid : web)
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(old.at(0)), 0) != 0, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(batch.at(0)), 0) != 0, 10000);
    QCOMPARE(pidsOf(name, QStringLiteral("keep"), 1), keep);
    QCOMPARE(pidsOf(name, QStringLiteral("api"), 1).size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(childPids(name, QStringLiteral("batch")).size(), 1, 10000);
    QVERIFY(childPids(name, QStringLiteral("batch")) != batch);
    QVERIFY2(run.waitForLine(QRegularExpression(QStringLiteral("\\] env:MARK=second$"))).hasMatch(), run.transcript().constData());
    const QJsonObject groups = statusJson(name).value(QStringLiteral("groups")).toObject();
    QVERIFY2(!groups.contains(QStringLiteral("old")) && groups.contains(QStringLiteral("api")),
             QJsonDocument(groups).toJson().constData());

    // The same file again: nothing to do.
    const ProgramRun same = runCli(update + target(name));
    QVERIFY2(same.exitCode == 7, same.describe());
    QVERIFY2(same.err.contains("the cluster runs its spawn entries as they are"), same.describe());

    // A file that cannot be run changes nothing, and says why.
    const QList<qint64> before = pidsOf(name, QStringLiteral("web"), 2);
    QVERIFY(write("{\"workers\": [ {\"file\": "));
    const ProgramRun broken = runCli(update + target(name));
    QVERIFY2(broken.exitCode == 1 && broken.err.contains("cluster.json:1:"), broken.describe());
    QVERIFY(write(cluster({entry(QStringLiteral("web"), 2), entry(QStringLiteral("web"), 1)})));
    const ProgramRun twice = runCli(update + target(name));
    QVERIFY2(twice.exitCode == 1 && twice.err.contains("group web has more than one spawn entry"), twice.describe());
    QJsonObject missing = entry(QStringLiteral("web"), 2, {{QStringLiteral("y"), 1}});
    missing.insert(QStringLiteral("file"), dir.filePath(QStringLiteral("no-such-program")));
    QVERIFY(write(cluster({missing, entry(QStringLiteral("keep"), 1), entry(QStringLiteral("api"), 1), plain(QStringLiteral("second"))})));
    const ProgramRun unrunnable = runCli(update + target(name));
    QVERIFY2(unrunnable.exitCode == 1 && unrunnable.err.contains("workers[0].file: ") && unrunnable.err.contains("does not exist"), unrunnable.describe());
    // Listening sockets are bound once, at start: a file that changes them is refused.
    QJsonObject withSocket = QJsonDocument::fromJson(cluster({entry(QStringLiteral("web"), 2, {{QStringLiteral("x"), 1}}),
                                                              entry(QStringLiteral("keep"), 1), entry(QStringLiteral("api"), 1), plain(QStringLiteral("second"))})).object();
    withSocket.insert(QStringLiteral("sockets"), QJsonObject{{QStringLiteral("admin"), QJsonObject{{QStringLiteral("path"), QStringLiteral("admin.sock")}}}});
    QVERIFY(write(QJsonDocument(withSocket).toJson()));
    const ProgramRun newSocket = runCli(update + target(name));
    QVERIFY2(newSocket.exitCode == 1 && newSocket.err.contains("cluster.json: sockets: changed; the daemon binds its listening sockets once"),
             newSocket.describe());
    QCOMPARE(pidsOf(name, QStringLiteral("web"), 2), before);
    QVERIFY(run.isRunning());

    // Not with a plain reload's options.
    const ProgramRun mixed = runCli(QStringList{QStringLiteral("reload"), QStringLiteral("--dry-run")} + target(name));
    QVERIFY2(mixed.exitCode == 2 && mixed.err.contains("--dry-run goes with --config"), mixed.describe());
    run.signal(SIGTERM);
    QVERIFY(run.waitForExit(30000));
}

void tst_Operations::badTargets_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("restart: no such group") << QStringList{QStringLiteral("restart"), QStringLiteral("nosuch")} << 6
                                            << QStringLiteral("no group \"nosuch\" in the cluster (its groups: web)");
    QTest::newRow("restart: no such pid") << QStringList{QStringLiteral("restart"), QStringLiteral("999999999")} << 6
                                          << QStringLiteral("no process 999999999 in the cluster");
    QTest::newRow("restart: the master") << QStringList{QStringLiteral("restart"), QStringLiteral("MASTER")} << 1
                                         << QStringLiteral("is the master");
    QTest::newRow("stop: no such group") << QStringList{QStringLiteral("stop"), QStringLiteral("nosuch")} << 6
                                         << QStringLiteral("no group \"nosuch\"");
    QTest::newRow("start: no such group") << QStringList{QStringLiteral("start"), QStringLiteral("nosuch")} << 6
                                          << QStringLiteral("no group \"nosuch\"");
    QTest::newRow("scale: no such group") << QStringList{QStringLiteral("scale"), QStringLiteral("nosuch"), QStringLiteral("2")} << 6
                                          << QStringLiteral("no group \"nosuch\"");
    QTest::newRow("start: running") << QStringList{QStringLiteral("start"), QStringLiteral("web")} << 7
                                    << QStringLiteral("group web runs already (1 instances)");
}

void tst_Operations::badTargets()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const QString name = QStringLiteral("ops-bad");
    static std::unique_ptr<TestProcess> master; // one cluster for every row
    if (!master)
        master = startMaster(name, {workerSpec(QStringLiteral("web"))}, 1);
    QVERIFY(master);
    const QList<qint64> before = pidsOf(name, QStringLiteral("web"), 1);
    arguments.replaceInStrings(QStringLiteral("MASTER"), QString::number(master->pid()));

    const ProgramRun run = runCli(arguments + target(name));
    QVERIFY2(run.finished && run.exitCode == exitCode, run.describe());
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.describe());
    // Nothing was lost to it.
    QCOMPARE(pidsOf(name, QStringLiteral("web"), 1), before);
    if (QByteArray(QTest::currentDataTag()) == "start: running")
        master.reset(); // the last row
}

void tst_Operations::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString s = QStringLiteral("scale");
    QTest::newRow("restart: nothing") << QStringList{QStringLiteral("restart")} << QStringLiteral("restart needs one TARGET");
    QTest::newRow("restart: pid 0") << QStringList{QStringLiteral("restart"), QStringLiteral("0")} << QStringLiteral("PID must be a positive integer");
    QTest::newRow("restart: two") << QStringList{QStringLiteral("restart"), QStringLiteral("a"), QStringLiteral("b")} << QStringLiteral("restart needs one TARGET");
    QTest::newRow("start: nothing") << QStringList{QStringLiteral("start")} << QStringLiteral("start needs one GROUP");
    QTest::newRow("start: bad name") << QStringList{QStringLiteral("start"), QStringLiteral("a b")} << QStringLiteral("invalid group \"a b\"");
    QTest::newRow("scale: no N") << QStringList{s, QStringLiteral("web")} << QStringLiteral("scale needs GROUP and N");
    QTest::newRow("scale: N too large") << QStringList{s, QStringLiteral("web"), QStringLiteral("1001")} << QStringLiteral("N must be an integer from 0 to 1000, not \"1001\"");
    QTest::newRow("scale: N negative") << QStringList{s, QStringLiteral("web"), QStringLiteral("-1")} << QStringLiteral("N must be an integer from 0 to 1000");
    QTest::newRow("scale: N text") << QStringList{s, QStringLiteral("web"), QStringLiteral("two")} << QStringLiteral("N must be an integer");
    QTest::newRow("scale: timeout 0") << QStringList{s, QStringLiteral("web"), QStringLiteral("2"), QStringLiteral("--timeout=0")} << QStringLiteral("--timeout must be a number of seconds");
    QTest::newRow("stop: two groups") << QStringList{QStringLiteral("stop"), QStringLiteral("a"), QStringLiteral("b")} << QStringLiteral("stop takes at most one GROUP");
    QTest::newRow("stop: GROUP with --code") << QStringList{QStringLiteral("stop"), QStringLiteral("web"), QStringLiteral("--code=3")} << QStringLiteral("--code is the exit code of a cluster's stop");
    QTest::newRow("misspelt: scael") << QStringList{QStringLiteral("scael")} << QStringLiteral("did you mean scale?");
    QTest::newRow("misspelt: restrat") << QStringList{QStringLiteral("restrat")} << QStringLiteral("did you mean restart?");
}

void tst_Operations::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    // Nothing listens there: a command that got as far as connecting would exit 3, not 2.
    const ProgramRun run = runCli(arguments + QStringList{QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:1")}, 10000);
    QVERIFY2(run.finished && run.exitCode == 2, run.describe());
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.describe());
}

QTEST_GUILESS_MAIN(tst_Operations)
#include "tst_operations.moc"
