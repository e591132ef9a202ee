// SPDX-License-Identifier: MIT
// The three examples (examples/messaging, reload, http) end to end: each
// master is started as a user would start it, against a private
// redis-server, and the test reads what the whole tree printed.
#include "clusterrun.h"
#include "httpload.h"
#include "redisserver.h"
#include "testprocess.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

#include <csignal>

#include <sched.h>

namespace {

QRegularExpression re(const QString &pattern)
{
    return QRegularExpression(pattern);
}

QJsonObject jsonObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString cpusAllowedList(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("Cpus_allowed_list:"))
            return QString::fromLatin1(line.mid(18).trimmed());
    }
    return {};
}

QList<int> allowedCpus()
{
    QList<int> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
        for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
            if (CPU_ISSET(cpu, &set))
                cpus.append(cpu);
        }
    }
    return cpus;
}

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

// The index of the first line matching \a pattern anywhere (QStringList::indexOf wants whole-line matches).
qsizetype indexOfLine(const QStringList &lines, const QRegularExpression &pattern)
{
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (pattern.match(lines.at(i)).hasMatch())
            return i;
    }
    return -1;
}

// The pids captured by group 1 of every line matching \a pattern.
QSet<qint64> pidsOf(const ClusterRun &run, const QRegularExpression &pattern, int group = 1)
{
    QSet<qint64> pids;
    for (const auto &match : run.matches(pattern))
        pids.insert(match.captured(group).toLongLong());
    return pids;
}

} // namespace

// QVERIFY2 cuts long messages: the transcript goes to the log in full.
#define VERIFY_RUN(cond, run)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            qWarning().noquote() << QString::fromUtf8((run).transcript());     \
            QFAIL(#cond);                                                      \
        }                                                                      \
    } while (false)

class tst_Examples : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void messaging();
    void reload();
    void httpReloadUnderLoad_data();
    void httpReloadUnderLoad();
    void httpReloadUnderTheDaemon();
    void httpWorkersOnTheirOwn();
    void httpWorkerBadListenFd_data();
    void httpWorkerBadListenFd();
    void httpWorkerIgnoresBadInheritedSockets_data();
    void httpWorkerIgnoresBadInheritedSockets();

private:
    QStringList redisArgument() const { return {QStringLiteral("--cluster-redis=") + m_redis.url()}; }
    //! SIGTERM ends the cluster with 15, and nothing of its tree keeps running.
    void stopCluster(ClusterRun &run);
    //! Runs \a load, reloads \a run (SIGHUP) until its log says \a reloaded, and loads on after it; no request may fail.
    void reloadUnderLoad(ClusterRun &run, HttpLoad &load, const QRegularExpression &reloaded);

    RedisServer m_redis;
};

void tst_Examples::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void tst_Examples::stopCluster(ClusterRun &run)
{
    const QSet<qint64> tree = run.treePids();
    run.signal(SIGTERM);
    VERIFY_RUN(run.waitForExit(20000), run);
    QCOMPARE(run.exitStatus(), QProcess::NormalExit);
    QCOMPARE(run.exitCode(), 15);
    // Children end with their parents; give the kernel a moment to reap them.
    QTRY_VERIFY2_WITH_TIMEOUT(run.liveClusterProcesses().isEmpty(),
                              qPrintable(QStringLiteral("still running: %1").arg(
                                  QString::number(run.liveClusterProcesses().value(0)))), 10000);
    for (qint64 pid : tree)
        QTRY_VERIFY2_WITH_TIMEOUT(processGone(pid), qPrintable(QStringLiteral("pid %1 still running").arg(pid)), 10000);
}

void tst_Examples::messaging()
{
    ClusterRun run;
    QVERIFY(run.start(QStringLiteral("messaging-master"), redisArgument()));
    const qint64 master = run.pid();

    // clusterStarted: the whole tree registered (2 web + 2 cache workers + 2 cache children).
    const auto started = run.waitForLine(re(QStringLiteral(R"(^master: cluster started with (\d+) workers$)")));
    VERIFY_RUN(started.hasMatch(), run);
    QCOMPARE(started.captured(1).toInt(), 6);

    // Both web workers registered; the second spawn entry's got the options.
    // (Their lines come in whatever order they started in.)
    qint64 plainWeb = 0;
    qint64 optionWeb = 0;
    const auto webLines = run.matches(re(QStringLiteral(R"(web worker (\d+): received cluster-option=(\S+) private=(\S+)$)")));
    for (const auto &line : webLines) {
        const bool withOptions = line.captured(3) == QLatin1String("option");
        qint64 &pid = withOptions ? optionWeb : plainWeb;
        if (pid != 0)
            continue; // a respawned one
        pid = line.captured(1).toLongLong();
        QCOMPARE(line.captured(2), withOptions ? QStringLiteral("foo") : QStringLiteral("(none)"));
        QCOMPARE(line.captured(3), withOptions ? QStringLiteral("option") : QStringLiteral("(none)"));
    }
    VERIFY_RUN(plainWeb != 0 && optionWeb != 0, run);
    const QSet<qint64> registeredWeb = pidsOf(run, re(QStringLiteral(R"(^master: worker (\d+) registered in webWorker$)")));
    VERIFY_RUN(registeredWeb.contains(plainWeb) && registeredWeb.contains(optionWeb), run);

    // Pinned like the original (CPU 0 and 1), to the CPUs this machine lets
    // us use: what each worker saw itself, and what /proc says while it runs.
    const QList<int> cpus = allowedCpus();
    const auto checkPinned = [&run](qint64 pid, int cpu) {
        const auto seen = run.waitForLine(re(QStringLiteral("web worker %1: runs on CPUs (\\S+)$").arg(pid)), 10000);
        if (!seen.hasMatch() || seen.captured(1) != QString::number(cpu))
            return false;
        const QString now = cpusAllowedList(pid);
        return now.isEmpty() || now == QString::number(cpu); // empty: it has been killed meanwhile
    };
    VERIFY_RUN(checkPinned(plainWeb, cpus.at(0)), run);
    if (cpus.size() > 1)
        VERIFY_RUN(checkPinned(optionWeb, cpus.at(1)), run);

    // "webWorker" confirmed twice -> the second sender is killed with exit
    // code 1, its parent sees that code and respawns it.
    const auto kill = run.waitForLine(re(QStringLiteral(
        R"(^master: confirmation "webWorker" received from (\d+) and (\d+): killing (\d+) with exit code 1$)")));
    VERIFY_RUN(kill.hasMatch(), run);
    const qint64 victim = kill.captured(3).toLongLong();
    QCOMPARE(victim, kill.captured(2).toLongLong());
    VERIFY_RUN(victim == plainWeb || victim == optionWeb, run);
    VERIFY_RUN(run.waitForLine(re(QStringLiteral("^master: child %1 \\(\\S+\\) exited with code 1$").arg(victim))).hasMatch(), run);
    const auto respawn = run.waitForLine(re(QStringLiteral(R"(^master: child %1 \(\S+\) respawned as (\d+)$)").arg(victim)));
    VERIFY_RUN(respawn.hasMatch(), run);
    const qint64 replacement = respawn.captured(1).toLongLong();
    VERIFY_RUN(run.waitForLine(re(QStringLiteral("web worker %1: received ").arg(replacement))).hasMatch(), run);
    VERIFY_RUN(run.waitForLine(re(QStringLiteral("^master: worker %1 registered in webWorker$").arg(replacement))).hasMatch(), run);
    QTRY_VERIFY_WITH_TIMEOUT(processGone(victim), 5000);

    // A cache child (a grandchild) got cluster-option=foo but not the
    // private option its parent got, and the cluster info from the master.
    const auto child = run.waitForLine(re(QStringLiteral(R"(cache child (\d+): received cluster-option=(\S+) private=(\S+) \(master (\d+)\)$)")));
    VERIFY_RUN(child.hasMatch(), run);
    QCOMPARE(child.captured(2), QStringLiteral("foo"));
    QCOMPARE(child.captured(3), QStringLiteral("(none)"));
    QCOMPARE(child.captured(4).toLongLong(), master);
    const auto cacheWorker = run.matches(re(QStringLiteral(R"(cache worker (\d+): received cluster-option=foo private=option$)")));
    VERIFY_RUN(cacheWorker.size() == 2, run);

    // The answer to a request made once the cluster started has every group;
    // one made earlier may lack a web worker that was just being respawned.
    const QRegularExpression infoLine(QStringLiteral(R"(cache child (\d+): cluster info (\{.*\})$)"));
    const auto hasWebAndCache = [](const QRegularExpressionMatch &match) {
        const QJsonObject info = jsonObject(match.captured(2));
        return !info.value(QStringLiteral("webWorker")).toArray().isEmpty()
            && info.value(QStringLiteral("cacheWorker")).toArray().size() == 2
            && info.value(QStringLiteral("cacheChild")).toArray().contains(double(match.captured(1).toLongLong()));
    };
    const auto fullInfo = [&] {
        const auto infos = run.matches(infoLine);
        return std::any_of(infos.cbegin(), infos.cend(), hasWebAndCache);
    };
    VERIFY_RUN(QTest::qWaitFor(fullInfo, 30000), run);

    // The bash script: not registered, output prefixed with its group and pid.
    const auto script = run.waitForLine(re(QStringLiteral(R"(^\[bashscript (\d+)\] bash script (\d+): started by master (\d+) )")));
    VERIFY_RUN(script.hasMatch(), run);
    QCOMPARE(script.captured(1), script.captured(2));
    QCOMPARE(script.captured(3).toLongLong(), master);

    // The master's stats, as the original's JSON counters.
    const auto stats = run.waitForLine(re(QStringLiteral(R"(^master: stats (\{.*\})$)")));
    VERIFY_RUN(stats.hasMatch(), run);
    QCOMPARE(jsonObject(stats.captured(1)).value(QStringLiteral("spawnChildProcess")).toInt(), 5);

    stopCluster(run);
    // The stats printed on the way out count the kill (and maybe those of the
    // stop, depending on when they are counted) and the respawn.
    const auto last = run.matches(re(QStringLiteral(R"(^master: stats (\{.*\})$)")));
    const QJsonObject finalStats = jsonObject(last.constLast().captured(1));
    QVERIFY(finalStats.value(QStringLiteral("emitKill")).toInt() >= 1);
    QCOMPARE(finalStats.value(QStringLiteral("respawnChildProcess")).toInt(), 1);
    QVERIFY(finalStats.value(QStringLiteral("receivedConfirmations")).toInt() >= 2);
    QCOMPARE(finalStats.value(QStringLiteral("successfulConfirmations")).toInt(), 1);
    QVERIFY(processGone(replacement));
}

void tst_Examples::reload()
{
    ClusterRun run;
    QVERIFY(run.start(QStringLiteral("reload-master"), redisArgument()));
    VERIFY_RUN(run.waitForLine(re(QStringLiteral(R"(^master: cluster started with 4 workers)"))).hasMatch(), run);
    VERIFY_RUN(run.waitForLine(re(QStringLiteral("^ready: kill -HUP %1 to reload").arg(run.pid()))).hasMatch(), run);
    const QSet<qint64> before = pidsOf(run, re(QStringLiteral(R"(^master: worker (\d+) registered in reloadWorker$)")));
    QCOMPARE(before.size(), 4);
    QCOMPARE(pidsOf(run, re(QStringLiteral(R"(worker (\d+): started$)"))), before);

    run.signal(SIGHUP);
    VERIFY_RUN(run.waitForLine(re(QStringLiteral(R"(^master: cluster reloaded, 4 workers)")), 60000).hasMatch(), run);

    // Every old pid replaced exactly once, by a new one, one step after another.
    const auto steps = run.matches(re(QStringLiteral(R"(^master: reload step (\d+)/(\d+): (\d+) -> (\d+)$)")));
    VERIFY_RUN(steps.size() == 4, run);
    QSet<qint64> replaced;
    QSet<qint64> after;
    for (int i = 0; i < steps.size(); ++i) {
        QCOMPARE(steps.at(i).captured(1).toInt(), i + 1);
        QCOMPARE(steps.at(i).captured(2).toInt(), 4);
        const qint64 oldPid = steps.at(i).captured(3).toLongLong();
        const qint64 newPid = steps.at(i).captured(4).toLongLong();
        QVERIFY2(!replaced.contains(oldPid), "a worker was replaced twice");
        replaced.insert(oldPid);
        after.insert(newPid);
        QVERIFY(!before.contains(newPid));
    }
    QCOMPARE(replaced, before);
    QCOMPARE(after.size(), 4);
    QVERIFY(run.matches(re(QStringLiteral("timed out|no replacement"))).isEmpty());

    // The step order in the log: step n+1 begins only after step n finished.
    const QStringList lines = run.lines();
    qsizetype previousEnd = -1;
    for (int step = 1; step <= 4; ++step) {
        const qsizetype begin = indexOfLine(lines, re(QStringLiteral("^master: reload step %1/4: replacing ").arg(step)));
        const qsizetype end = indexOfLine(lines, re(QStringLiteral("^master: reload step %1/4: \\d+ -> ").arg(step)));
        QVERIFY(begin > previousEnd);
        QVERIFY(end > begin);
        previousEnd = end;
    }

    for (qint64 pid : before)
        QTRY_VERIFY2_WITH_TIMEOUT(processGone(pid), qPrintable(QStringLiteral("old worker %1 still running").arg(pid)), 5000);
    for (qint64 pid : after)
        QVERIFY2(!processGone(pid), qPrintable(QStringLiteral("new worker %1 is not running").arg(pid)));
    QCOMPARE(pidsOf(run, re(QStringLiteral(R"(worker (\d+): started$)"))), before | after);

    stopCluster(run);
}

void tst_Examples::reloadUnderLoad(ClusterRun &run, HttpLoad &load, const QRegularExpression &reloaded)
{
    load.start();
    QVERIFY(waitUnderLoad([&] { return load.succeeded() >= 200 || load.failed() > 0; }, 10000));
    QVERIFY2(load.failed() == 0, qPrintable(load.failures().join(u'\n')));
    run.signal(SIGHUP);
    VERIFY_RUN(run.waitForLine(reloaded, 60000).hasMatch(), run);
    const int atReload = load.succeeded();
    QVERIFY(waitUnderLoad([&] { return load.succeeded() >= atReload + 200; }, 10000));
    load.stop();
    QVERIFY(waitUnderLoad([&] { return load.isIdle(); }, 15000));
}

void tst_Examples::httpReloadUnderLoad_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("concurrency");
    // Slow requests are in flight at every kill, so the drain has work to
    // finish; fast ones hammer the accept queue while a socket closes.
    QTest::newRow("slow requests") << QStringList{QStringLiteral("--delay=20")} << 4;
    QTest::newRow("fast requests") << QStringList{QStringLiteral("--delay=0")} << 4;
    QTest::newRow("surge, slow requests") << QStringList{QStringLiteral("--delay=20"), QStringLiteral("--surge")} << 4;
}

void tst_Examples::httpReloadUnderLoad()
{
    QFETCH(QStringList, options);
    QFETCH(int, concurrency);
    const quint16 port = freePort();
    QVERIFY(port != 0);
    ClusterRun run;
    QVERIFY(run.start(QStringLiteral("http-master"),
                      redisArgument() + options
                          + QStringList{QStringLiteral("--port=%1").arg(port), QStringLiteral("--workers=4")}));
    VERIFY_RUN(run.waitForLine(re(QStringLiteral(R"(^master: cluster started with 4 workers)"))).hasMatch(), run);
    const QSet<qint64> before = pidsOf(run, re(QStringLiteral(R"(^master: worker (\d+) registered in httpWorker$)")));
    QCOMPARE(before.size(), 4);

    HttpLoad load(port, concurrency);
    reloadUnderLoad(run, load, re(QStringLiteral(R"(^master: cluster reloaded, 4 workers)")));
    if (QTest::currentTestFailed())
        return;

    const QSet<qint64> after = pidsOf(run, re(QStringLiteral(R"(^master: reload step \d+/\d+: \d+ -> (\d+)$)")));
    QCOMPARE(after.size(), 4);
    QCOMPARE(pidsOf(run, re(QStringLiteral(R"(^master: reload step \d+/\d+: (\d+) -> \d+$)"))), before);
    qInfo("%d requests, %d failed, served by %d pids", load.succeeded() + load.failed(), load.failed(),
          int(load.responsesByPid().size()));
    QVERIFY2(load.failed() == 0, qPrintable(load.failures().join(u'\n')));
    // Every old worker drained before it exited.
    for (qint64 pid : before)
        VERIFY_RUN(!run.matches(re(QStringLiteral("http worker %1: drained, exiting$").arg(pid))).isEmpty(), run);

    int fromOld = 0;
    int fromNew = 0;
    const auto byPid = load.responsesByPid();
    for (auto it = byPid.cbegin(); it != byPid.cend(); ++it) {
        if (before.contains(it.key()))
            fromOld += it.value();
        else if (after.contains(it.key()))
            fromNew += it.value();
        else
            QFAIL(qPrintable(QStringLiteral("a response from pid %1, which is no worker of the pool").arg(it.key())));
    }
    QVERIFY(fromOld > 0);
    QVERIFY(fromNew > 0);

    stopCluster(run);
}

// The same pool run by `clustr-qt run`: the daemon owns the listening
// socket (the cluster file's "sockets") and hands it to every worker, so
// a worker that goes away leaves no queue of its own behind. Both kinds of
// clients at once, through one reload.
void tst_Examples::httpReloadUnderTheDaemon()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QJsonObject cluster{
        {QStringLiteral("reloadDelay"), 0},
        {QStringLiteral("sockets"), QJsonObject{{QStringLiteral("http"), QJsonObject{{QStringLiteral("listen"), QStringLiteral("127.0.0.1:%1").arg(port)}}}}},
        {QStringLiteral("workers"), QJsonArray{QJsonObject{
            {QStringLiteral("file"), buildBinary(QStringLiteral("http-worker"))}, {QStringLiteral("group"), QStringLiteral("httpWorker")},
            {QStringLiteral("instances"), 4}, {QStringLiteral("sockets"), QJsonArray{QStringLiteral("http")}},
            {QStringLiteral("args"), QJsonObject{{QStringLiteral("delay"), 20}}}}}}};
    QFile file(dir.filePath(QStringLiteral("http.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(cluster).toJson());
    file.close();

    ClusterRun run;
    QVERIFY(run.start(QStringLiteral("clustr-qt"), {QStringLiteral("run"), file.fileName(), QStringLiteral("--redis"), m_redis.url()}));
    VERIFY_RUN(run.waitForLine(re(QStringLiteral(R"(cluster started: 4 workers$)"))).hasMatch(), run);
    VERIFY_RUN(!run.matches(re(QStringLiteral("listening for the workers: http at 127.0.0.1:%1$").arg(port))).isEmpty(), run);
    const QSet<qint64> before = pidsOf(run, re(QStringLiteral(R"(registered httpWorker pid (\d+)$)")));
    QCOMPARE(before.size(), 4);

    HttpLoad load(port, 3, HttpLoad::Mode::Close);
    HttpLoad keptAlive(port, 3, HttpLoad::Mode::KeepAlive);
    keptAlive.start();
    reloadUnderLoad(run, load, re(QStringLiteral(R"(cluster reloaded: 4 workers$)")));
    keptAlive.stop();
    QVERIFY(waitUnderLoad([&] { return keptAlive.isIdle(); }, 15000));
    if (QTest::currentTestFailed())
        return;

    const QSet<qint64> after = pidsOf(run, re(QStringLiteral(R"(reload step \d+/\d+: \d+ -> (\d+)$)")));
    QCOMPARE(after.size(), 4);
    for (const HttpLoad *l : {&load, &keptAlive}) {
        qInfo("%s: %d requests, %d failed, served by %d pids", l == &load ? "Connection: close" : "keep-alive",
              l->succeeded() + l->failed(), l->failed(), int(l->responsesByPid().size()));
        QVERIFY2(l->failed() == 0, qPrintable(l->failures().join(u'\n')));
        // Both generations served.
        int fromOld = 0;
        int fromNew = 0;
        const auto byPid = l->responsesByPid();
        for (auto it = byPid.cbegin(); it != byPid.cend(); ++it) {
            QVERIFY2(before.contains(it.key()) || after.contains(it.key()),
                     qPrintable(QStringLiteral("a response from pid %1, which is no worker of the pool").arg(it.key())));
            (before.contains(it.key()) ? fromOld : fromNew) += it.value();
        }
        QVERIFY(fromOld > 0);
        QVERIFY(fromNew > 0);
    }
    // Every old worker drained.
    for (qint64 pid : before)
        VERIFY_RUN(!run.matches(re(QStringLiteral("http worker %1: drained, exiting$").arg(pid))).isEmpty(), run);
    stopCluster(run);
}

void tst_Examples::httpWorkersOnTheirOwn()
{
    // Without http-master (e.g. under `clustr-qt run`), each worker makes a
    // socket of its own with SO_REUSEPORT: two of them share the port and
    // both serve.
    const quint16 port = freePort();
    const QStringList arguments = redisArgument() + QStringList{QStringLiteral("--port=%1").arg(port)};
    ClusterRun first;
    ClusterRun second;
    QVERIFY(first.start(QStringLiteral("http-worker"), arguments));
    QVERIFY(second.start(QStringLiteral("http-worker"), arguments));
    VERIFY_RUN(first.waitForLine(re(QStringLiteral("listening on 127.0.0.1 port %1$").arg(port))).hasMatch(), first);
    VERIFY_RUN(second.waitForLine(re(QStringLiteral("listening on 127.0.0.1 port %1$").arg(port))).hasMatch(), second);

    HttpLoad load(port, 8);
    load.start();
    QTRY_VERIFY_WITH_TIMEOUT(load.responsesByPid().size() == 2 || load.failed() > 0, 20000);
    load.stop();
    QTRY_VERIFY(load.isIdle());
    QVERIFY2(load.failed() == 0, qPrintable(load.failures().join(QLatin1Char('\n'))));
    QVERIFY(load.responsesByPid().contains(first.pid()));
    QVERIFY(load.responsesByPid().contains(second.pid()));
    first.signal(SIGTERM);
    second.signal(SIGTERM);
    QVERIFY(first.waitForExit(10000));
    QVERIFY(second.waitForExit(10000));
}

void tst_Examples::httpWorkerBadListenFd_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message");
    QTest::newRow("not a number") << QStringLiteral("abc") << QStringLiteral("not a descriptor number");
    QTest::newRow("negative") << QStringLiteral("-3") << QStringLiteral("not a descriptor number");
    QTest::newRow("not open") << QStringLiteral("999") << QStringLiteral("not a listening TCP socket");
    QTest::newRow("not a socket") << QStringLiteral("0") << QStringLiteral("not a listening TCP socket");
}

void tst_Examples::httpWorkerBadListenFd()
{
    QFETCH(QString, value);
    QFETCH(QString, message);
    ClusterRun run;
    QVERIFY(run.start(QStringLiteral("http-worker"), redisArgument() + QStringList{QStringLiteral("--listen-fd=") + value}));
    QVERIFY(run.waitForExit(10000));
    QCOMPARE(run.exitCode(), 1);
    VERIFY_RUN(!run.matches(re(QStringLiteral("cannot use --listen-fd=%1: .*%2").arg(QRegularExpression::escape(value), message))).isEmpty(), run);
}

void tst_Examples::httpWorkerIgnoresBadInheritedSockets_data()
{
    QTest::addColumn<QString>("variables");
    QTest::addColumn<QString>("warning");
    QTest::newRow("not a socket") << QStringLiteral("LISTEN_PID=$$ LISTEN_FDS=1 LISTEN_FDNAMES=http")
                                  << QStringLiteral("descriptor 3 (http) is not a socket");
    QTest::newRow("another process'") << QStringLiteral("LISTEN_PID=1 LISTEN_FDS=1 LISTEN_FDNAMES=http")
                                      << QStringLiteral("LISTEN_PID is \"1\", not this process");
    QTest::newRow("count not a number") << QStringLiteral("LISTEN_PID=$$ LISTEN_FDS=x LISTEN_FDNAMES=http")
                                        << QStringLiteral("LISTEN_FDS is \"x\", not a number of sockets");
    QTest::newRow("names do not match") << QStringLiteral("LISTEN_PID=$$ LISTEN_FDS=2 LISTEN_FDNAMES=http")
                                        << QStringLiteral("LISTEN_FDNAMES names 1 sockets, LISTEN_FDS says 2");
}

// Inherited-socket variables that do not hold are warned about and
// ignored: the worker goes on to its other ways of listening (here a
// --listen-fd that fails, which says it was reached).
void tst_Examples::httpWorkerIgnoresBadInheritedSockets()
{
    QFETCH(QString, variables);
    QFETCH(QString, warning);
    ClusterRun run;
    // The shell sets the variables and, exec'ing, gives its pid ($$) to the worker; descriptor 3 is /dev/null.
    const QString script = variables + QStringLiteral("; export LISTEN_PID LISTEN_FDS LISTEN_FDNAMES; exec \"$0\" \"$@\" 3</dev/null");
    QVERIFY(run.start(QStringLiteral("/bin/sh"), QStringList{QStringLiteral("-c"), script, buildBinary(QStringLiteral("http-worker"))}
                                                     + redisArgument() + QStringList{QStringLiteral("--listen-fd=abc")}));
    QVERIFY(run.waitForExit(10000));
    QCOMPARE(run.exitCode(), 1);
    VERIFY_RUN(!run.matches(re(QStringLiteral("cannot use --listen-fd=abc: "))).isEmpty(), run);
    VERIFY_RUN(run.transcript().contains(QStringLiteral("ignored the inherited sockets: %1").arg(warning).toUtf8()), run);
}

QTEST_GUILESS_MAIN(tst_Examples)
#include "tst_examples.moc"
