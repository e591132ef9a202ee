// SPDX-License-Identifier: MIT
// A cluster across hosts, for real: three `clustr-qt run` of one cluster
// file, each in namespaces of its own (unshare --pid --fork --mount-proc
// --uts: its own pid numbering, so the masters are all pid 1 and their
// workers' pids collide, and its own host name), one redis-server on
// loopback. Every CLI command across hosts, a host killed and restarted, a
// reload across hosts under HTTP load.
#include "httpload.h"
#include "programrun.h"
#include "redisserver.h"
#include "testprocess.h"
#include "waitunderload.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

#include <algorithm>
#include <csignal>
#include <memory>
#include <sys/prctl.h>

/*
  One host: `clustr-qt run` as the first process (pid 1) of new pid, mount
  and uts namespaces. SIGKILLing that process ends everything in its pid
  namespace at once, as a host that loses power. unshare dies with the test
  (PR_SET_PDEATHSIG) and takes its child with it (--kill-child).
*/
class NamespaceHost
{
public:
    NamespaceHost(const QString &name, const QString &clusterFile) : m_name(name), m_clusterFile(clusterFile) {}
    ~NamespaceHost() { kill(); }

    QString name() const { return m_name; }

    bool start()
    {
        m_output.clear();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        QObject::connect(m_process.get(), &QProcess::readyReadStandardOutput, m_process.get(),
                         [this] { m_output += m_process->readAllStandardOutput(); });
        const QString script = QStringLiteral("hostname %1 && exec %2 run %3").arg(m_name, buildBinary(QStringLiteral("clustr-qt")), m_clusterFile);
        m_process->start(QStringLiteral("unshare"), {QStringLiteral("--pid"), QStringLiteral("--fork"), QStringLiteral("--mount-proc"),
                                                     QStringLiteral("--uts"), QStringLiteral("--kill-child"), QStringLiteral("sh"),
                                                     QStringLiteral("-c"), script});
        return m_process->waitForStarted(5000);
    }

    //! The namespace's first process, `clustr-qt run`, as this (the parent) pid namespace numbers it.
    qint64 masterPid() const
    {
        if (!m_process)
            return 0;
        const qint64 unshare = m_process->processId();
        QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(unshare));
        if (!children.open(QIODevice::ReadOnly))
            return 0;
        return children.readAll().trimmed().split(' ').value(0).toLongLong();
    }

    //! SIGKILL to the namespace's init: every process of the host dies at once.
    void kill()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        if (const qint64 pid = masterPid(); pid > 0)
            ::kill(pid_t(pid), SIGKILL);
        m_process->kill();
        m_process->waitForFinished(10000);
    }

    bool waitForExit(int timeoutMs) { return !m_process || m_process->state() == QProcess::NotRunning || m_process->waitForFinished(timeoutMs); }
    int exitCode() const { return m_process ? m_process->exitCode() : -1; }
    bool isRunning() const { return m_process && m_process->state() != QProcess::NotRunning; }
    QByteArray output()
    {
        if (m_process)
            m_output += m_process->readAllStandardOutput();
        return m_output;
    }

private:
    QString m_name;
    QString m_clusterFile;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
};

namespace {

//! The test worker's message events on a host's output: "[web 4] {...,"event":"message",...}" as (pid, event).
QList<QPair<qint64, QJsonObject>> messagesOf(const QByteArray &output)
{
    static const QRegularExpression line(QStringLiteral(R"(^\[\S+ (\d+)\] (\{.*"event":"message".*\})$)"),
                                         QRegularExpression::MultilineOption);
    QList<QPair<qint64, QJsonObject>> found;
    auto it = line.globalMatch(QString::fromUtf8(output));
    while (it.hasNext()) {
        const auto match = it.next();
        found.append({match.captured(1).toLongLong(), QJsonDocument::fromJson(match.captured(2).toUtf8()).object()});
    }
    return found;
}

} // namespace

class tst_MultiHost : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void everyHostInOneCluster();
    void processesAreAddressedByHost();
    void aSecondMasterOfAHostIsRefused();
    void aLostHostIsShownAndRejoins();
    void reloadAndStopAcrossHosts();
    void reloadAcrossHostsUnderHttpLoad();
    void aHostNeedsANamedCluster();

private:
    ProgramRun cli(const QStringList &arguments, int timeoutMs = 60000);
    //! `status --json` across the hosts, parsed (empty on failure).
    QJsonObject status();
    //! Until every host is listed running with \a workers processes each.
    bool waitForHosts(int workers);
    QSet<qint64> pidsOf(const QJsonObject &document, const QString &host);

    std::unique_ptr<RedisServer> m_redis;
    QTemporaryDir m_dir;
    QString m_clusterFile;
    QList<std::shared_ptr<NamespaceHost>> m_hosts;
};

void tst_MultiHost::initTestCase()
{
    // Namespaces need CAP_SYS_ADMIN: a machine that refuses them cannot run this test at all.
    const ProgramRun probe = runProgram(QStringLiteral("unshare"), {QStringLiteral("--pid"), QStringLiteral("--fork"), QStringLiteral("--mount-proc"),
                                                                     QStringLiteral("--uts"), QStringLiteral("true")},
                                        QProcessEnvironment::systemEnvironment(), 10000);
    if (probe.exitCode != 0)
        QSKIP(qPrintable(QStringLiteral("this machine does not let the test make pid/mount/uts namespaces: %1").arg(QString::fromUtf8(probe.err.trimmed()))));
    m_redis = std::make_unique<RedisServer>();
    QString error;
    QVERIFY2(m_redis->start(&error), qPrintable(error));
    QVERIFY(m_dir.isValid());
    m_clusterFile = m_dir.filePath(QStringLiteral("cluster.json"));
    const QJsonObject worker = testWorkerEntry(buildBinary(QStringLiteral("clustr-test-worker")), QStringLiteral("web"), 2);
    const QJsonObject file{{QStringLiteral("name"), QStringLiteral("shop")},
                           {QStringLiteral("multiHost"), true},
                           {QStringLiteral("redis"), m_redis->url()},
                           {QStringLiteral("reloadDelay"), 100},
                           {QStringLiteral("logs"), QJsonObject{{QStringLiteral("recentLines"), 0}}},
                           {QStringLiteral("workers"), QJsonArray{worker}}};
    QFile out(m_clusterFile);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(file).toJson());
}

void tst_MultiHost::init()
{
    // Those make hosts of their own.
    const QByteArray test(QTest::currentTestFunction());
    if (test == "aHostNeedsANamedCluster" || test == "reloadAcrossHostsUnderHttpLoad")
        return;
    for (const char *name : {"h1", "h2", "h3"}) {
        auto host = std::make_shared<NamespaceHost>(QString::fromLatin1(name), m_clusterFile);
        QVERIFY(host->start());
        m_hosts.append(host);
    }
    QVERIFY2(waitForHosts(2), QJsonDocument(status()).toJson().constData());
}

void tst_MultiHost::cleanup()
{
    m_hosts.clear(); // SIGKILLs every host that is left
    if (m_redis)
        m_redis->cli({QStringLiteral("FLUSHALL")});
}

ProgramRun tst_MultiHost::cli(const QStringList &arguments, int timeoutMs)
{
    return runProgram(buildBinary(QStringLiteral("clustr-qt")),
                      arguments + QStringList{QStringLiteral("--redis"), m_redis->url(), QStringLiteral("--cluster"), QStringLiteral("shop")},
                      QProcessEnvironment::systemEnvironment(), timeoutMs);
}

QJsonObject tst_MultiHost::status()
{
    const ProgramRun run = cli({QStringLiteral("status"), QStringLiteral("--json")});
    return run.exitCode == 0 ? QJsonDocument::fromJson(run.out).object() : QJsonObject();
}

bool tst_MultiHost::waitForHosts(int workers)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 60000) {
        const QJsonObject document = status();
        const QJsonArray hosts = document.value(QStringLiteral("hosts")).toArray();
        int ready = 0;
        for (const QJsonValue &host : hosts) {
            const QString name = host[QStringLiteral("host")].toString();
            if (host[QStringLiteral("state")].toString() == QLatin1String("running") && pidsOf(document, name).size() == workers)
                ++ready;
        }
        if (ready == m_hosts.size() && hosts.size() == m_hosts.size())
            return true;
        QTest::qWait(200);
    }
    return false;
}

QSet<qint64> tst_MultiHost::pidsOf(const QJsonObject &document, const QString &host)
{
    QSet<qint64> pids;
    for (const QJsonValue &process : document.value(QStringLiteral("processes")).toArray()) {
        if (process[QStringLiteral("host")].toString() == host)
            pids.insert(qint64(process[QStringLiteral("pid")].toDouble()));
    }
    return pids;
}

void tst_MultiHost::everyHostInOneCluster()
{
    const QJsonObject document = status();
    const QJsonArray hosts = document.value(QStringLiteral("hosts")).toArray();
    QCOMPARE(hosts.size(), 3);
    // Each host's master is the first process of its pid namespace: the pids collide.
    for (const QJsonValue &host : hosts)
        QCOMPARE(host[QStringLiteral("masterPid")].toInteger(), 1);
    QCOMPARE(pidsOf(document, QStringLiteral("h1")), pidsOf(document, QStringLiteral("h2")));
    QCOMPARE(pidsOf(document, QStringLiteral("h1")), pidsOf(document, QStringLiteral("h3")));
    QCOMPARE(document.value(QStringLiteral("processes")).toArray().size(), 6);

    // The text form: a line per host and a summary.
    const ProgramRun run = cli({QStringLiteral("status")});
    QVERIFY2(run.exitCode == 0, run.describe().constData());
    QVERIFY2(run.out.contains("across 3 hosts") && run.out.contains("3 running, 0 lost; 6 registered processes"), run.describe().constData());
    for (const char *name : {"h1", "h2", "h3"})
        QVERIFY2(run.out.contains("== host " + QByteArray(name) + " =="), run.describe().constData());

    // --host: one host's status, as a cluster of one host shows it.
    const ProgramRun one = cli({QStringLiteral("status"), QStringLiteral("--host"), QStringLiteral("h2")});
    QVERIFY2(one.exitCode == 0 && one.out.contains("pid 1 on h2") && !one.out.contains("on h1"), one.describe().constData());

    // A command that works on one master at a time is told to choose.
    const ProgramRun restart = cli({QStringLiteral("restart"), QStringLiteral("web")});
    QVERIFY2(restart.exitCode == 2 && restart.err.contains("runs across 3 hosts (h1, h2, h3): choose one with --host NAME"),
             restart.describe().constData());
}

void tst_MultiHost::processesAreAddressedByHost()
{
    const QJsonObject document = status();
    const qint64 pid = *pidsOf(document, QStringLiteral("h2")).cbegin(); // on every host

    // A bare pid that several hosts have is refused, naming the candidates.
    const ProgramRun ambiguous = cli({QStringLiteral("send"), QString::number(pid), QStringLiteral("1")});
    QCOMPARE(ambiguous.exitCode, 2);
    for (const char *name : {"h1", "h2", "h3"})
        QVERIFY2(ambiguous.err.contains(QStringLiteral("%1:%2 (web)").arg(QLatin1String(name)).arg(pid).toUtf8()), ambiguous.describe().constData());

    // send HOST:PID reaches that process only.
    const ProgramRun send = cli({QStringLiteral("send"), QStringLiteral("h2:%1").arg(pid), QStringLiteral("{\"to\":\"h2\"}")});
    QVERIFY2(send.exitCode == 0, send.describe().constData());
    auto privateTo = [](NamespaceHost &host, const QString &marker) {
        QList<qint64> receivers;
        for (const auto &[receiver, event] : messagesOf(host.output())) {
            if (event[QStringLiteral("kind")].toString() == QLatin1String("private")
                && QJsonDocument(event[QStringLiteral("data")].toObject()).toJson().contains(marker.toUtf8()))
                receivers.append(receiver);
        }
        return receivers;
    };
    QTRY_COMPARE_WITH_TIMEOUT(privateTo(*m_hosts[1], QStringLiteral("h2")), QList<qint64>{pid}, 20000);
    QCOMPARE(privateTo(*m_hosts[0], QStringLiteral("h2")), QList<qint64>{});
    QCOMPARE(privateTo(*m_hosts[2], QStringLiteral("h2")), QList<qint64>{});

    // A worker messages a worker of another host with the same pid:
    // commands reach the test worker as private messages ({"cmd": ...}).
    const QByteArray command = QJsonDocument(QJsonObject{{QStringLiteral("cmd"), QStringLiteral("private")},
                                                         {QStringLiteral("host"), QStringLiteral("h3")},
                                                         {QStringLiteral("pid"), double(pid)},
                                                         {QStringLiteral("data"), QJsonObject{{QStringLiteral("from"), QStringLiteral("h1-worker")}}}})
                                   .toJson(QJsonDocument::Compact);
    QVERIFY(cli({QStringLiteral("send"), QStringLiteral("h1:%1").arg(pid), QString::fromUtf8(command)}).exitCode == 0);
    QTRY_COMPARE_WITH_TIMEOUT(privateTo(*m_hosts[2], QStringLiteral("h1-worker")), QList<qint64>{pid}, 20000);
    QCOMPARE(privateTo(*m_hosts[1], QStringLiteral("h1-worker")), QList<qint64>{});
    // The receiver learns where the sender runs, to answer it.
    for (const auto &[receiver, event] : messagesOf(m_hosts[2]->output())) {
        if (QJsonDocument(event[QStringLiteral("data")].toObject()).toJson().contains("h1-worker")) {
            QCOMPARE(event[QStringLiteral("host")].toString(), QStringLiteral("h1"));
            QCOMPARE(event[QStringLiteral("pid")].toInteger(), pid);
            QCOMPARE(event[QStringLiteral("channel")].toString(), QStringLiteral("private:@h3:%1").arg(pid));
        }
    }

    // public and group reach every host.
    QVERIFY(cli({QStringLiteral("publish"), QStringLiteral("\"to-all\"")}).exitCode == 0);
    const ProgramRun group = cli({QStringLiteral("group"), QStringLiteral("web"), QStringLiteral("\"to-web\"")});
    QVERIFY2(group.exitCode == 0 && group.out.contains("(6 processes)"), group.describe().constData());
    auto countOf = [](NamespaceHost &host, const QString &data) {
        int n = 0;
        for (const auto &[receiver, event] : messagesOf(host.output()))
            n += event[QStringLiteral("data")].toString() == data ? 1 : 0;
        return n;
    };
    for (const auto &host : std::as_const(m_hosts)) {
        QTRY_COMPARE_WITH_TIMEOUT(countOf(*host, QStringLiteral("to-all")), 2, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(countOf(*host, QStringLiteral("to-web")), 2, 20000);
    }

    // kill HOST:PID ends that process only: h3's is respawned, the others keep theirs.
    const ProgramRun kill = cli({QStringLiteral("kill"), QStringLiteral("h3:%1").arg(pid), QStringLiteral("3")});
    QVERIFY2(kill.exitCode == 0 && kill.out.contains("on host h3"), kill.describe().constData());
    QTRY_VERIFY_WITH_TIMEOUT(m_hosts[2]->output().contains(QStringLiteral("exited web pid %1 with code 3").arg(pid).toUtf8()), 20000);
    QVERIFY(waitForHosts(2));
    const QJsonObject after = status();
    QVERIFY(pidsOf(after, QStringLiteral("h1")).contains(pid));
    QVERIFY(pidsOf(after, QStringLiteral("h2")).contains(pid));
    QVERIFY(!m_hosts[0]->output().contains(QStringLiteral("exited web pid %1").arg(pid).toUtf8()));
    QVERIFY(!m_hosts[1]->output().contains(QStringLiteral("exited web pid %1").arg(pid).toUtf8()));

    // A pid no host has is refused rather than sent nowhere.
    const ProgramRun nobody = cli({QStringLiteral("kill"), QStringLiteral("99999")});
    QVERIFY2(nobody.exitCode == 6 && nobody.err.contains("not a registered process on any host"), nobody.describe().constData());
}

void tst_MultiHost::aSecondMasterOfAHostIsRefused()
{
    NamespaceHost second(QStringLiteral("h2"), m_clusterFile);
    QVERIFY(second.start());
    QVERIFY(second.waitForExit(30000));
    QCOMPARE(second.exitCode(), 5);
    QVERIFY2(second.output().contains("master pid 1 on host h2") && second.output().contains("--host h2"), second.output().constData());
    // The running one was not disturbed.
    QVERIFY(waitForHosts(2));
}

void tst_MultiHost::aLostHostIsShownAndRejoins()
{
    const QJsonObject before = status();
    m_hosts[1]->kill(); // h2: its master and workers at once
    QTRY_VERIFY_WITH_TIMEOUT(status().value(QStringLiteral("hosts")).toArray().at(1)[QStringLiteral("state")].toString() == QLatin1String("lost"), 30000);
    const QJsonObject lost = status();
    QVERIFY(pidsOf(lost, QStringLiteral("h2")).isEmpty()); // its workers left the view
    // Nothing on the other hosts was touched.
    QCOMPARE(pidsOf(lost, QStringLiteral("h1")), pidsOf(before, QStringLiteral("h1")));
    QCOMPARE(pidsOf(lost, QStringLiteral("h3")), pidsOf(before, QStringLiteral("h3")));
    const ProgramRun text = cli({QStringLiteral("status")});
    QVERIFY2(text.out.contains("2 running, 1 lost") && QRegularExpression(QStringLiteral("h2 +1 +lost")).match(QString::fromUtf8(text.out)).hasMatch(),
             text.describe().constData());
    // Cluster-wide commands go on with the hosts that are there.
    const ProgramRun publish = cli({QStringLiteral("publish"), QStringLiteral("1")});
    QVERIFY2(publish.exitCode == 0, publish.describe().constData());
    // The other masters notice it themselves.
    for (int other : {0, 2})
        QTRY_VERIFY_WITH_TIMEOUT(m_hosts[other]->output().contains("host h2 lost"), 30000);

    // It comes back: it rejoins (its lock was of a process that is gone), and the others say so.
    QVERIFY(m_hosts[1]->start());
    QVERIFY2(waitForHosts(2), QJsonDocument(status()).toJson().constData());
    for (int other : {0, 2})
        QTRY_VERIFY_WITH_TIMEOUT(m_hosts[other]->output().contains("host h2 rejoined"), 30000);
    QVERIFY(!m_hosts[0]->output().contains("host h3 lost"));
}

void tst_MultiHost::reloadAndStopAcrossHosts()
{
    const QJsonObject before = status();
    const ProgramRun reload = cli({QStringLiteral("reload")}, 120000);
    QVERIFY2(reload.exitCode == 0, reload.describe().constData());
    // Host after host, so no two workers were replaced at the same time: one
    // step's replacement registered before the next step started.
    QCOMPARE(reload.out.count("reloaded: 2 workers"), 3);
    const QByteArray hostOrder = reload.out;
    QVERIFY(hostOrder.indexOf("host h1:") < hostOrder.indexOf("host h2:") && hostOrder.indexOf("host h2:") < hostOrder.indexOf("host h3:"));
    QVERIFY(waitForHosts(2));
    const QJsonObject after = status();
    for (const char *name : {"h1", "h2", "h3"})
        QVERIFY(!pidsOf(after, QLatin1String(name)).intersects(pidsOf(before, QLatin1String(name))));

    // stop --host: that host alone; it leaves the list (it stopped, it is not lost).
    const ProgramRun stopOne = cli({QStringLiteral("stop"), QStringLiteral("--host"), QStringLiteral("h1")});
    QVERIFY2(stopOne.exitCode == 0, stopOne.describe().constData());
    QVERIFY(m_hosts[0]->waitForExit(30000));
    QCOMPARE(m_hosts[0]->exitCode(), 15);
    const QJsonObject two = status();
    QCOMPARE(two.value(QStringLiteral("hosts")).toArray().size(), 2);
    QVERIFY(m_hosts[1]->isRunning() && m_hosts[2]->isRunning());

    // stop: every host.
    const ProgramRun stopAll = cli({QStringLiteral("stop")});
    QVERIFY2(stopAll.exitCode == 0 && stopAll.out.count("stopped cluster") == 2, stopAll.describe().constData());
    QVERIFY(m_hosts[1]->waitForExit(30000) && m_hosts[2]->waitForExit(30000));
    QCOMPARE(m_redis->cli({QStringLiteral("KEYS"), QStringLiteral("shop:*")}).trimmed(), QByteArray());
}

void tst_MultiHost::reloadAcrossHostsUnderHttpLoad()
{
    // The HTTP example's workers, two per host, each host serving on a port
    // of its own (the hosts share this machine's network), all three under
    // load while `clustr-qt reload` rolls across the cluster: one worker at
    // a time, each taking over its socket before the old one drains.
    const QString httpWorker = buildBinary(QStringLiteral("http-worker"));
    if (!QFile::exists(httpWorker))
        QSKIP("the examples are not built (CLUSTR_BUILD_EXAMPLES=OFF)");
    QList<quint16> ports;
    std::vector<std::unique_ptr<QTcpServer>> holders; // keeps the ports distinct until the files are written
    for (int i = 0; i < 3; ++i) {
        auto holder = std::make_unique<QTcpServer>();
        QVERIFY(holder->listen(QHostAddress::LocalHost));
        ports.append(holder->serverPort());
        holders.push_back(std::move(holder));
    }
    holders.clear();
    for (int i = 0; i < 3; ++i) {
        const QString name = QStringLiteral("h%1").arg(i + 1);
        const QJsonObject worker{{QStringLiteral("file"), httpWorker},
                                 {QStringLiteral("group"), QStringLiteral("httpWorker")},
                                 {QStringLiteral("instances"), 2},
                                 {QStringLiteral("sockets"), QJsonArray{QStringLiteral("http")}},
                                 {QStringLiteral("args"), QJsonObject{{QStringLiteral("delay"), 20}}}};
        const QJsonObject file{{QStringLiteral("name"), QStringLiteral("shop")},
                               {QStringLiteral("multiHost"), true},
                               {QStringLiteral("redis"), m_redis->url()},
                               {QStringLiteral("reloadDelay"), 0},
                               {QStringLiteral("logs"), QJsonObject{{QStringLiteral("recentLines"), 0}}},
                               {QStringLiteral("sockets"), QJsonObject{{QStringLiteral("http"), QJsonObject{{QStringLiteral("listen"),
                                                                        QStringLiteral("127.0.0.1:%1").arg(ports[i])}}}}},
                               {QStringLiteral("workers"), QJsonArray{worker}}};
        const QString path = m_dir.filePath(QStringLiteral("http-%1.json").arg(name));
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(file).toJson());
        out.close();
        auto host = std::make_shared<NamespaceHost>(name, path);
        QVERIFY(host->start());
        m_hosts.append(host);
    }
    QVERIFY2(waitForHosts(2), QJsonDocument(status()).toJson().constData());
    const QJsonObject before = status();

    std::vector<std::unique_ptr<HttpLoad>> loads;
    for (quint16 port : ports) {
        loads.push_back(std::make_unique<HttpLoad>(port, 2));
        loads.back()->start();
    }
    // Until each load has had \a more answers than it had when asked (or a failure).
    const auto eachServed = [&loads](int more) {
        std::vector<int> targets;
        for (const auto &load : loads)
            targets.push_back(load->succeeded() + more);
        return waitUnderLoad([&loads, targets] {
            for (size_t i = 0; i < loads.size(); ++i) {
                if (loads[i]->succeeded() < targets[i] && loads[i]->failed() == 0)
                    return false;
            }
            return true;
        }, 20000);
    };
    QVERIFY(eachServed(100));
    const ProgramRun reload = cli({QStringLiteral("reload")}, 180000);
    QVERIFY2(reload.exitCode == 0, reload.describe().constData());
    QCOMPARE(reload.out.count("reloaded: 2 workers"), 3);
    QVERIFY(eachServed(100));
    for (const auto &load : loads)
        load->stop();
    QVERIFY(waitUnderLoad([&] {
        return std::all_of(loads.cbegin(), loads.cend(), [](const auto &load) { return load->isIdle(); });
    }, 20000));

    QVERIFY(waitForHosts(2));
    const QJsonObject after = status();
    for (int i = 0; i < 3; ++i) {
        const QString name = QStringLiteral("h%1").arg(i + 1);
        const HttpLoad &load = *loads[size_t(i)];
        qInfo("%s: %d requests, %d failed, served by %d pids", qPrintable(name), load.succeeded() + load.failed(),
              load.failed(), int(load.responsesByPid().size()));
        QVERIFY2(load.failed() == 0, qPrintable(name + QStringLiteral(": ") + load.failures().join(u'\n')));
        // Both generations of that host served it (pids as its namespace numbers them, as the worker says).
        const QSet<qint64> old = pidsOf(before, name);
        const QSet<qint64> fresh = pidsOf(after, name);
        QVERIFY(!old.intersects(fresh));
        int fromOld = 0;
        int fromNew = 0;
        const auto byPid = load.responsesByPid();
        for (auto it = byPid.cbegin(); it != byPid.cend(); ++it) {
            QVERIFY2(old.contains(it.key()) || fresh.contains(it.key()),
                     qPrintable(QStringLiteral("%1: a response from pid %2, no worker of that host").arg(name).arg(it.key())));
            (old.contains(it.key()) ? fromOld : fromNew) += it.value();
        }
        QVERIFY(fromOld > 0);
        QVERIFY(fromNew > 0);
    }
}

void tst_MultiHost::aHostNeedsANamedCluster()
{
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("unnamed.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"multiHost": true, "workers": [{"file": "/bin/true", "register": false}]})");
    file.close();
    const ProgramRun check = runProgram(buildBinary(QStringLiteral("clustr-qt")), {QStringLiteral("check"), file.fileName()},
                                        QProcessEnvironment::systemEnvironment(), 30000);
    QVERIFY2(check.exitCode == 2 && check.err.contains("a cluster across hosts needs a \"name\""), check.describe().constData());
    const ProgramRun badHost = runProgram(buildBinary(QStringLiteral("clustr-qt")), {QStringLiteral("run"), m_clusterFile, QStringLiteral("--host"), QStringLiteral("a b")},
                                          QProcessEnvironment::systemEnvironment(), 30000);
    QVERIFY2(badHost.exitCode == 2 && badHost.err.contains("--host must be a host name"), badHost.describe().constData());
}

QTEST_GUILESS_MAIN(tst_MultiHost)
#include "tst_multihost.moc"
