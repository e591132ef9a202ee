// SPDX-License-Identifier: MIT
// Workers in other languages -- examples/python/worker.py and
// examples/node/worker.js, written from docs/PROTOCOL.md alone -- run by
// `clustr-qt run` beside a Qt worker (clustr-test-worker), against a
// private redis-server. The test drives the Qt worker with private messages
// ({"cmd": ...}) and the others with the examples' own requests (ping,
// confirm, await), and reads what the whole cluster printed: the daemon's
// event lines and every worker's lines, prefixed "[group pid] ".
#include "clusterrun.h"
#include "redisserver.h"
#include "testprocess.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>

namespace {

// The Python worker needs Debian's python3-redis, which only Debian's python3 sees.
const QString Python = QStringLiteral("/usr/bin/python3");
const QString Cluster = QStringLiteral("polyglot");

QString examplesDirectory()
{
    return QDir(buildBinary(QString())).absoluteFilePath(QStringLiteral("../examples"));
}

QString compact(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QString quoted(const QString &text)
{
    return QRegularExpression::escape(text);
}

// Runs a program to its end; its exit code and everything it printed.
QPair<int, QString> runToEnd(const QString &program, const QStringList &arguments, int timeoutMs = 30000)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForStarted(5000))
        return {-1, QStringLiteral("%1 did not start: %2").arg(program, process.errorString())};
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        return {-1, QStringLiteral("%1 did not finish within %2 s").arg(program).arg(timeoutMs / 1000)};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, QString::fromUtf8(process.readAll())};
}

} // namespace

class tst_AnyLanguage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void joinUnderTheirSpawnEntrysGroup();
    void statusKnowsEveryColumn();
    void privateMessagesBothWays();
    void groupMessagesBothWays();
    void publicMessagesBothWays();
    void confirmationsAcrossLanguages();
    void killWithACodeRespawns();
    void reloadReplacesEveryWorker();
    void stopEndsEveryWorkerThroughItsKill();

private:
    void requirePrograms();
    //! The Qt worker pings each of them by \a kind (private or group); each answers the same way.
    void pingEachTheSameWay(const QString &kind);
    //! A private message to \a pid from the test (it is no process of the cluster; its own pid is its address).
    QByteArray sendPrivate(qint64 pid, const QJsonObject &data);
    //! A command for the Qt worker (clustr-test-worker --no-stdin takes them as private messages).
    void tellQt(const QJsonObject &command) { sendPrivate(m_pids.value(QStringLiteral("qt")), command); }
    //! The Qt worker's events (JSON lines) that satisfy \a predicate, from any of its incarnations.
    QList<QJsonObject> qtEvents(const std::function<bool(const QJsonObject &)> &predicate) const;
    //! Waits for a message the Qt worker received from \a group.
    bool qtReceived(const QString &kind, const QString &group, const QJsonValue &data);
    //! Waits for a line of the worker of \a group (the Python or Node one) that matches \a pattern after its prefix.
    QRegularExpressionMatch waitForWorkerLine(const QString &group, const QString &pattern);
    //! Waits until the daemon's event log has a line matching \a pattern after the timestamp; its captures.
    QRegularExpressionMatch waitForEvent(const QString &pattern, int timeoutMs = 30000);
    bool hasEvent(const QString &pattern) const;
    //! Waits until \a group's worker registered with a pid other than \a oldPid, and remembers it.
    qint64 waitForReplacement(const QString &group, qint64 oldPid);
    QByteArray transcript() const { return m_run.transcript(120); }

    RedisServer m_redis;
    QTemporaryDir m_dir;
    ClusterRun m_run;
    QHash<QString, qint64> m_pids; // group -> the pid of its worker now
    const QHash<QString, QString> m_languages{{QStringLiteral("py"), QStringLiteral("python")},
                                              {QStringLiteral("js"), QStringLiteral("node")}};
};

void tst_AnyLanguage::requirePrograms()
{
    // scripts/setup installs these: missing, they are an error, not a reason to skip.
    if (!QFile::exists(Python))
        QFAIL("python3 is not installed at /usr/bin/python3: run scripts/setup (Debian: apt-get install python3 python3-redis)");
    const auto [pythonCode, pythonOutput] = runToEnd(Python, {QStringLiteral("-c"), QStringLiteral("import redis")});
    QVERIFY2(pythonCode == 0, qPrintable(QStringLiteral("python3-redis is missing: run scripts/setup (Debian: apt-get install "
                                                        "python3-redis); python3 said: ") + pythonOutput));
    QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("node")).isEmpty(),
             "node is not installed: run scripts/setup (Debian: apt-get install nodejs npm)");
    // npm's redis client goes into the build's copy of the example, as a user installs it.
    const QString install = examplesDirectory() + QStringLiteral("/node/install-modules");
    QVERIFY2(QFile::exists(install), qPrintable(install + QStringLiteral(" is missing: is the node example built?")));
    const auto [npmCode, npmOutput] = runToEnd(QStringLiteral("bash"), {install}, 180000);
    QVERIFY2(npmCode == 0, qPrintable(QStringLiteral("installing the Node example's npm packages failed:\n") + npmOutput));
}

void tst_AnyLanguage::initTestCase()
{
    requirePrograms();
    if (QTest::currentTestFailed())
        return;
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY(m_dir.isValid());

    // The Qt worker names no group of its own (no --group): it takes its spawn entry's, as the others do.
    const QJsonObject cluster{
        {QStringLiteral("name"), Cluster},
        {QStringLiteral("reloadDelay"), 100},
        // A worker that ignored its kill would be SIGKILLed only after this: the stop would show it.
        {QStringLiteral("killTimeout"), 20000},
        {QStringLiteral("workers"), QJsonArray{
            QJsonObject{{QStringLiteral("file"), examplesDirectory() + QStringLiteral("/python/worker.py")},
                        {QStringLiteral("group"), QStringLiteral("py")}},
            QJsonObject{{QStringLiteral("file"), examplesDirectory() + QStringLiteral("/node/worker.js")},
                        {QStringLiteral("command"), QStringLiteral("node")},
                        {QStringLiteral("group"), QStringLiteral("js")}},
            QJsonObject{{QStringLiteral("file"), buildBinary(QStringLiteral("clustr-test-worker"))},
                        {QStringLiteral("group"), QStringLiteral("qt")},
                        {QStringLiteral("args"), QJsonObject{{QStringLiteral("no-stdin"), true}, {QStringLiteral("ready"), true}}}},
        }},
    };
    const QString path = m_dir.filePath(QStringLiteral("polyglot.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(cluster).toJson());
    file.close();

    QVERIFY(m_run.start(QStringLiteral("clustr-qt"), {QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()}));
    QVERIFY2(waitForEvent(QStringLiteral("cluster started: 3 workers")).hasMatch(), transcript());
}

QByteArray tst_AnyLanguage::sendPrivate(qint64 pid, const QJsonObject &data)
{
    const QJsonObject payload{
        {QStringLiteral("meta"), QJsonObject{{QStringLiteral("pid"), double(QCoreApplication::applicationPid())},
                                             {QStringLiteral("group"), QStringLiteral("test")}}},
        {QStringLiteral("data"), data},
    };
    return m_redis.cli({QStringLiteral("PUBLISH"), QStringLiteral("%1:private:%2").arg(Cluster).arg(pid),
                        QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact))}).trimmed();
}

QList<QJsonObject> tst_AnyLanguage::qtEvents(const std::function<bool(const QJsonObject &)> &predicate) const
{
    static const QRegularExpression line(QStringLiteral(R"(^\[qt \d+\] (\{.*\})$)"));
    QList<QJsonObject> events;
    for (const auto &match : m_run.matches(line)) {
        const QJsonObject event = QJsonDocument::fromJson(match.captured(1).toUtf8()).object();
        if (predicate(event))
            events.append(event);
    }
    return events;
}

bool tst_AnyLanguage::qtReceived(const QString &kind, const QString &group, const QJsonValue &data)
{
    const qint64 sender = m_pids.value(group);
    return QTest::qWaitFor([&] {
        return !qtEvents([&](const QJsonObject &e) {
                    return e.value(QStringLiteral("event")) == QLatin1String("message") && e.value(QStringLiteral("kind")) == kind
                        && qint64(e.value(QStringLiteral("pid")).toDouble()) == sender
                        && e.value(QStringLiteral("group")) == group && e.value(QStringLiteral("data")) == data;
                }).isEmpty();
    }, 15000);
}

QRegularExpressionMatch tst_AnyLanguage::waitForWorkerLine(const QString &group, const QString &pattern)
{
    const qint64 pid = m_pids.value(group);
    return m_run.waitForLine(QRegularExpression(QStringLiteral(R"(^\[%1 %2\] %3 worker %2: )").arg(group).arg(pid).arg(m_languages.value(group))
                                                + pattern + QLatin1Char('$')),
                             15000);
}

QRegularExpressionMatch tst_AnyLanguage::waitForEvent(const QString &pattern, int timeoutMs)
{
    return m_run.waitForLine(QRegularExpression(QStringLiteral(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} )") + pattern + QLatin1Char('$')),
                             timeoutMs);
}

bool tst_AnyLanguage::hasEvent(const QString &pattern) const
{
    return !m_run.matches(QRegularExpression(QStringLiteral(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} )") + pattern + QLatin1Char('$'))).isEmpty();
}

qint64 tst_AnyLanguage::waitForReplacement(const QString &group, qint64 oldPid)
{
    const QRegularExpression registered(QStringLiteral(R"(^\S+ \S+ registered %1 pid (\d+)$)").arg(group));
    qint64 newPid = 0;
    const bool found = QTest::qWaitFor([&] {
        // The first registration of the group after the old pid's own.
        bool afterOld = false;
        for (const QString &line : m_run.lines()) {
            const auto match = registered.match(line);
            if (!match.hasMatch())
                continue;
            const qint64 pid = match.captured(1).toLongLong();
            if (pid == oldPid) {
                afterOld = true;
            } else if (afterOld) {
                newPid = pid;
                return true;
            }
        }
        return false;
    }, 30000);
    if (!found)
        return 0;
    m_pids.insert(group, newPid);
    return newPid;
}

// Display and registration agree: each worker is shown (spawn log, status)
// and registered under its spawn entry's group, which it learnt from CLUSTR_GROUP.
void tst_AnyLanguage::joinUnderTheirSpawnEntrysGroup()
{
    for (const QString &group : {QStringLiteral("py"), QStringLiteral("js"), QStringLiteral("qt")}) {
        const auto spawned = waitForEvent(QStringLiteral(R"(spawned %1 pid (\d+))").arg(group));
        QVERIFY2(spawned.hasMatch(), transcript());
        const qint64 pid = spawned.captured(1).toLongLong();
        QVERIFY2(hasEvent(QStringLiteral("registered %1 pid %2").arg(group).arg(pid)), transcript());
        m_pids.insert(group, pid);
    }
    const qint64 master = m_run.pid();
    for (const QString &group : {QStringLiteral("py"), QStringLiteral("js")}) {
        QVERIFY2(waitForWorkerLine(group, QStringLiteral("registered as %1 with master %2").arg(group).arg(master)).hasMatch(), transcript());
        // It asked for cluster info, and it is in the answer.
        const auto info = waitForWorkerLine(group, QStringLiteral(R"(cluster info (\{.*\}))"));
        QVERIFY2(info.hasMatch(), transcript());
        const QJsonArray pids = QJsonDocument::fromJson(info.captured(1).toUtf8()).object().value(group).toArray();
        QVERIFY2(pids.contains(double(m_pids.value(group))), qPrintable(info.captured(1)));
    }
}

// Their heartbeats carry what `status` shows: nothing is "-" for them.
void tst_AnyLanguage::statusKnowsEveryColumn()
{
    QJsonObject status;
    const QStringList statusJson{QStringLiteral("status"), QStringLiteral("--json"), QStringLiteral("--compact"),
                                 QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--cluster"), Cluster};
    const auto processOf = [&](qint64 pid) {
        for (const QJsonValue &process : status.value(QStringLiteral("processes")).toArray()) {
            if (qint64(process[QStringLiteral("pid")].toDouble()) == pid)
                return process.toObject();
        }
        return QJsonObject();
    };
    // The master rewrites its status when something changed; a first heartbeat may not have arrived yet.
    const bool complete = QTest::qWaitFor([&] {
        const auto [code, output] = runToEnd(buildBinary(QStringLiteral("clustr-qt")), statusJson);
        status = QJsonDocument::fromJson(output.toUtf8()).object();
        for (const QString &group : {QStringLiteral("py"), QStringLiteral("js")}) {
            const QJsonObject p = processOf(m_pids.value(group));
            if (code != 0 || !p.value(QStringLiteral("heartbeat")).toBool() || !p.contains(QStringLiteral("cpu"))
                || !p.contains(QStringLiteral("rss")) || !p.contains(QStringLiteral("stats")))
                return false;
        }
        return true;
    }, 20000);
    QVERIFY2(complete, qPrintable(QString::fromUtf8(QJsonDocument(status).toJson())));
    for (const QString &group : {QStringLiteral("py"), QStringLiteral("js")}) {
        const QJsonObject p = processOf(m_pids.value(group));
        const QString shown = QString::fromUtf8(QJsonDocument(p).toJson(QJsonDocument::Compact));
        QCOMPARE(p.value(QStringLiteral("group")).toString(), group);
        QCOMPARE(qint64(p.value(QStringLiteral("ppid")).toDouble()), m_run.pid());
        QVERIFY2(p.value(QStringLiteral("rss")).toDouble() > 0, qPrintable(shown));
        QVERIFY2(p.value(QStringLiteral("cpu")).toDouble() >= 0, qPrintable(shown));
        QVERIFY2(!p.value(QStringLiteral("cpus")).toString().isEmpty(), qPrintable(shown));
        QVERIFY2(p.value(QStringLiteral("uptimeMs")).toDouble() >= 0, qPrintable(shown));
        QVERIFY2(p.value(QStringLiteral("stats")).toObject().contains(QStringLiteral("onMessage")), qPrintable(shown));
        QCOMPARE(p.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    }

    // The table: CPUS, RSS and CPU% are known (columns as docs/CLI.md shows them).
    const auto [code, table] = runToEnd(buildBinary(QStringLiteral("clustr-qt")), statusJson.mid(0, 1) + statusJson.mid(3));
    QCOMPARE(code, 0);
    for (const QString &group : {QStringLiteral("py"), QStringLiteral("js")}) {
        const QRegularExpression row(QStringLiteral(R"(^%1\s+%2\s+\S+\s+%3\s+\S+\s+0\s+running\s+(\S+)\s+(\S+)\s+(\S+)\s+)")
                                         .arg(group).arg(m_pids.value(group)).arg(m_run.pid()),
                                     QRegularExpression::MultilineOption);
        const auto match = row.match(table);
        QVERIFY2(match.hasMatch(), qPrintable(table));
        for (int column = 1; column <= 3; ++column)
            QVERIFY2(match.captured(column) != QLatin1String("-"), qPrintable(table));
    }
}

// The Qt worker pings each of them privately; each answers privately to it.
void tst_AnyLanguage::privateMessagesBothWays()
{
    pingEachTheSameWay(QStringLiteral("private"));
}

// The Qt worker pings each group; each answers to the Qt worker's group.
void tst_AnyLanguage::groupMessagesBothWays()
{
    pingEachTheSameWay(QStringLiteral("group"));
}

void tst_AnyLanguage::pingEachTheSameWay(const QString &kind)
{
    const qint64 qt = m_pids.value(QStringLiteral("qt"));
    for (const QString &group : {QStringLiteral("py"), QStringLiteral("js")}) {
        const QJsonObject ping{{QStringLiteral("ping"), kind + QLatin1Char('-') + group}};
        QJsonObject command{{QStringLiteral("cmd"), kind}, {QStringLiteral("data"), ping}};
        if (kind == QLatin1String("private"))
            command.insert(QStringLiteral("pid"), double(m_pids.value(group)));
        else
            command.insert(QStringLiteral("group"), group);
        tellQt(command);
        QVERIFY2(waitForWorkerLine(group, QStringLiteral("%1 message from qt %2: %3").arg(kind).arg(qt).arg(quoted(compact(ping)))).hasMatch(),
                 transcript());
        const QJsonObject pong{{QStringLiteral("pong"), ping.value(QStringLiteral("ping"))}, {QStringLiteral("from"), m_languages.value(group)}};
        QVERIFY2(qtReceived(kind, group, pong), transcript());
    }
}

// One public ping from the Qt worker: both answer publicly, and everybody
// hears every answer, Python and Node each other's too.
void tst_AnyLanguage::publicMessagesBothWays()
{
    const qint64 qt = m_pids.value(QStringLiteral("qt"));
    const QJsonObject ping{{QStringLiteral("ping"), QStringLiteral("public")}};
    tellQt({{QStringLiteral("cmd"), QStringLiteral("public")}, {QStringLiteral("data"), ping}});
    for (const QString &group : {QStringLiteral("py"), QStringLiteral("js")}) {
        QVERIFY2(waitForWorkerLine(group, QStringLiteral("public message from qt %1: %2").arg(qt).arg(quoted(compact(ping)))).hasMatch(),
                 transcript());
        const QJsonObject pong{{QStringLiteral("pong"), QStringLiteral("public")}, {QStringLiteral("from"), m_languages.value(group)}};
        QVERIFY2(qtReceived(QStringLiteral("public"), group, pong), transcript());
        const QString other = group == QLatin1String("py") ? QStringLiteral("js") : QStringLiteral("py");
        QVERIFY2(waitForWorkerLine(other, QStringLiteral("public message from %1 %2: %3")
                                              .arg(group).arg(m_pids.value(group)).arg(quoted(compact(pong))))
                     .hasMatch(),
                 transcript());
    }
}

// Each language counts the others' confirmations.
void tst_AnyLanguage::confirmationsAcrossLanguages()
{
    const qint64 py = m_pids.value(QStringLiteral("py"));
    const qint64 js = m_pids.value(QStringLiteral("js"));
    const qint64 qt = m_pids.value(QStringLiteral("qt"));

    // The Qt worker waits for two: Python's and Node's. Every request below
    // goes out after the one before it was delivered (each PUBLISH returns
    // once Redis passed it on), so nobody confirms before the counting starts.
    tellQt({{QStringLiteral("cmd"), QStringLiteral("onConfirmation")}, {QStringLiteral("count"), 2}, {QStringLiteral("id"), QStringLiteral("for-qt")}});
    sendPrivate(py, {{QStringLiteral("confirm"), QStringLiteral("for-qt")}});
    sendPrivate(js, {{QStringLiteral("confirm"), QStringLiteral("for-qt")}});
    const auto confirmedForQt = [&] {
        return qtEvents([&](const QJsonObject &e) {
            return e.value(QStringLiteral("event")) == QLatin1String("confirmed") && e.value(QStringLiteral("id")) == QLatin1String("for-qt");
        });
    };
    QVERIFY2(QTest::qWaitFor([&] { return !confirmedForQt().isEmpty(); }, 15000), transcript());
    QSet<qint64> senders;
    for (const QJsonValue &pid : confirmedForQt().constFirst().value(QStringLiteral("pids")).toArray())
        senders.insert(qint64(pid.toDouble()));
    QCOMPARE(senders, (QSet<qint64>{py, js}));

    // Python and Node each wait for the Qt worker's and the other one's.
    for (const QString &group : {QStringLiteral("py"), QStringLiteral("js")}) {
        const QString other = group == QLatin1String("py") ? QStringLiteral("js") : QStringLiteral("py");
        const QString id = QStringLiteral("for-") + group;
        sendPrivate(m_pids.value(group), {{QStringLiteral("await"), id}, {QStringLiteral("count"), 2}});
        tellQt({{QStringLiteral("cmd"), QStringLiteral("confirmation")}, {QStringLiteral("id"), id}});
        sendPrivate(m_pids.value(other), {{QStringLiteral("confirm"), id}});
        const auto completed = waitForWorkerLine(group, QStringLiteral(R"(confirmation "%1" completed by (\d+) (\d+))").arg(id));
        QVERIFY2(completed.hasMatch(), transcript());
        QCOMPARE((QSet<qint64>{completed.captured(1).toLongLong(), completed.captured(2).toLongLong()}),
                 (QSet<qint64>{qt, m_pids.value(other)}));
    }
}

// A kill with a code: the worker deregisters, exits with that code and is
// respawned; its replacement registers under the same group.
void tst_AnyLanguage::killWithACodeRespawns()
{
    const qint64 qt = m_pids.value(QStringLiteral("qt"));
    // The Qt worker kills the Python worker with 3.
    const qint64 py = m_pids.value(QStringLiteral("py"));
    tellQt({{QStringLiteral("cmd"), QStringLiteral("kill")}, {QStringLiteral("pid"), double(py)}, {QStringLiteral("code"), 3}});
    QVERIFY2(waitForWorkerLine(QStringLiteral("py"), QStringLiteral("kill from qt %1: leaving with exit code 3").arg(qt)).hasMatch(), transcript());
    QVERIFY2(waitForEvent(QStringLiteral("exited py pid %1 with code 3").arg(py)).hasMatch(), transcript());
    QVERIFY2(waitForEvent(QStringLiteral(R"(respawned py pid %1 -> \d+)").arg(py)).hasMatch(), transcript());
    QVERIFY2(hasEvent(QStringLiteral("deregistered py pid %1").arg(py)), transcript());
    QVERIFY2(waitForReplacement(QStringLiteral("py"), py) > 0, transcript());

    // Anyone may kill: here the test, as redis-cli would. Two receivers
    // hear it: the worker, and its parent (the master), which so knows the
    // exit is no crash.
    const qint64 js = m_pids.value(QStringLiteral("js"));
    const QByteArray receivers = m_redis.cli({QStringLiteral("PUBLISH"), QStringLiteral("%1:kill:%2").arg(Cluster).arg(js),
                                              QStringLiteral(R"({"meta":{"pid":%1,"group":"test"},"data":4})").arg(QCoreApplication::applicationPid())});
    QCOMPARE(receivers.trimmed(), QByteArray("2"));
    QVERIFY2(waitForWorkerLine(QStringLiteral("js"), QStringLiteral("kill from test %1: leaving with exit code 4").arg(QCoreApplication::applicationPid())).hasMatch(),
             transcript());
    QVERIFY2(waitForEvent(QStringLiteral("exited js pid %1 with code 4").arg(js)).hasMatch(), transcript());
    QVERIFY2(waitForEvent(QStringLiteral(R"(respawned js pid %1 -> \d+)").arg(js)).hasMatch(), transcript());
    QVERIFY2(hasEvent(QStringLiteral("deregistered js pid %1").arg(js)), transcript());
    QVERIFY2(waitForReplacement(QStringLiteral("js"), js) > 0, transcript());

    // They deregistered themselves: none of them was lost.
    QVERIFY2(!hasEvent(QStringLiteral(R"(lost .*)")), transcript());
}

// SIGHUP: each worker in turn is killed with exit code 1 and replaced.
void tst_AnyLanguage::reloadReplacesEveryWorker()
{
    const QHash<QString, qint64> before = m_pids;
    m_run.signal(SIGHUP);
    QVERIFY2(waitForEvent(QStringLiteral("cluster reloaded: 3 workers")).hasMatch(), transcript());
    for (auto it = before.cbegin(); it != before.cend(); ++it) {
        QVERIFY2(hasEvent(QStringLiteral("exited %1 pid %2 with code 1").arg(it.key()).arg(it.value())), transcript());
        QVERIFY2(waitForReplacement(it.key(), it.value()) > 0, transcript());
    }
    QVERIFY2(!hasEvent(QStringLiteral(R"(lost .*)")), transcript());
}

// SIGTERM to the daemon: every worker gets a kill with the daemon's exit
// code, 15, as the original master sends (not SIGTERM), leaves at once and
// exits with 15; the daemon exits with 15.
void tst_AnyLanguage::stopEndsEveryWorkerThroughItsKill()
{
    const qint64 master = m_run.pid();
    m_run.signal(SIGTERM);
    QVERIFY2(m_run.waitForExit(60000), transcript());
    QCOMPARE(m_run.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_run.exitCode(), 15);
    for (auto it = m_pids.cbegin(); it != m_pids.cend(); ++it) {
        // Exit code 15 rather than SIGKILL after the kill timeout: the kill was answered.
        QVERIFY2(hasEvent(QStringLiteral("exited %1 pid %2 with code 15").arg(it.key()).arg(it.value())), transcript());
        if (it.key() != QLatin1String("qt"))
            QVERIFY2(waitForWorkerLine(it.key(), QStringLiteral("kill from master %1: leaving with exit code 15").arg(master)).hasMatch(),
                     transcript());
        QTRY_VERIFY(processGone(it.value()));
    }
}

QTEST_GUILESS_MAIN(tst_AnyLanguage)
#include "tst_anylanguage.moc"
