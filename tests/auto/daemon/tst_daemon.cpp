// SPDX-License-Identifier: MIT
// `clustr-qt run` and `clustr-qt check` as a user runs them: real cluster
// files, real worker processes, a real redis-server (ours, or the embedded
// one the daemon starts), Unix signals, metrics over HTTP, log files and
// systemd's notification socket.
#include "clusterrun.h"
#include "redisserver.h"
#include "testredis.h"
#include "testprocess.h"

#include <ClustrQt/clusterclient.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QScopeGuard>
#include <QtCore/QSocketNotifier>
#include <QtCore/QStandardPaths>
#include <QtCore/QSysInfo>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

QString worker()
{
    return buildBinary(QStringLiteral("clustr-test-worker"));
}

QJsonObject workerEntry(const QString &group, int instances = 1, const QJsonObject &extraArgs = {})
{
    QJsonObject args{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true}, {QStringLiteral("ready"), true}};
    for (auto it = extraArgs.begin(); it != extraArgs.end(); ++it)
        args.insert(it.key(), it.value());
    return {{QStringLiteral("file"), worker()}, {QStringLiteral("group"), group},
            {QStringLiteral("instances"), instances}, {QStringLiteral("args"), args}};
}

// One `clustr-qt` process; its output is kept and can be waited on.
class Daemon
{
public:
    /*!
      \a wrapper runs clustr-qt (e.g. `unshare ... sh -c '...; exec "$@"'`, which
      keeps the pid); \a setUp runs in the child before exec (e.g. a resource limit).
    */
    explicit Daemon(const QStringList &arguments, const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment(),
                    const QStringList &wrapper = {}, const std::function<void()> &setUp = {})
    {
        m_process.setProcessEnvironment(environment);
        m_process.setChildProcessModifier([setUp] {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (setUp)
                setUp();
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { m_out += m_process.readAllStandardOutput(); });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, [this] { m_err += m_process.readAllStandardError(); });
        const QString program = buildBinary(QStringLiteral("clustr-qt"));
        if (wrapper.isEmpty())
            m_process.start(program, arguments);
        else
            m_process.start(wrapper.first(), wrapper.mid(1) + QStringList{program} + arguments);
        m_process.waitForStarted(5000);
    }
    ~Daemon()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    bool waitForOutput(const QString &text, int timeoutMs = 15000)
    {
        return QTest::qWaitFor([&] { return output().contains(text); }, timeoutMs);
    }
    bool waitForErrors(const QString &text, int timeoutMs = 15000)
    {
        return QTest::qWaitFor([&] { return errors().contains(text); }, timeoutMs);
    }
    bool waitForFinished(int timeoutMs = 15000)
    {
        return QTest::qWaitFor([&] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
    }
    void signal(int signum) { ::kill(pid_t(m_process.processId()), signum); }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    QString output() const { return QString::fromUtf8(m_out); }
    QString errors() const { return QString::fromUtf8(m_err); }
    int exitCode() const { return m_process.exitCode(); }
    qint64 pid() const { return m_process.processId(); }
    QString describeEnd() const
    {
        return m_process.exitStatus() == QProcess::CrashExit ? QStringLiteral("killed by signal %1").arg(m_process.exitCode())
                                                             : QStringLiteral("exit code %1").arg(m_process.exitCode());
    }

private:
    QProcess m_process;
    QByteArray m_out;
    QByteArray m_err;
};

// Runs a short clustr-qt command to its end.
QPair<int, QString> runToEnd(const QStringList &arguments, const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    // What sends a request waits for Redis to take it for longer than its
    // 3 s (a loaded, sanitized run once took over 3 s to answer a stop's
    // PUBLISH); nothing here tests that budget, tst_cli does.
    static const QStringList Sending{QStringLiteral("stop"), QStringLiteral("kill"), QStringLiteral("publish"),
                                     QStringLiteral("send"), QStringLiteral("group"), QStringLiteral("reload"),
                                     QStringLiteral("restart"), QStringLiteral("scale"), QStringLiteral("start")};
    QProcessEnvironment patient = environment;
    if (!arguments.isEmpty() && Sending.contains(arguments.first()) && !patient.contains(QStringLiteral("CLUSTR_CONNECT_TIMEOUT")))
        patient.insert(QStringLiteral("CLUSTR_CONNECT_TIMEOUT"), QStringLiteral("15"));
    Daemon d(arguments, patient);
    if (!d.waitForFinished(20000))
        return {-1, QStringLiteral("did not finish")};
    return {d.exitCode(), d.output() + d.errors()};
}

// Field 22 of /proc/<pid>/stat: when the process started, in clock ticks after boot.
QByteArray startTimeOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return QByteArray();
    const QByteArray text = stat.readAll();
    return text.mid(text.lastIndexOf(')') + 2).split(' ').value(19);
}

qint64 readPidMax()
{
    QFile file(QStringLiteral("/proc/sys/kernel/pid_max"));
    return file.open(QIODevice::ReadOnly) ? file.readAll().trimmed().toLongLong() : 0;
}

// The boot id and the pid namespace: which process table a lock's pid is of.
QByteArray processTableIdentity()
{
    QFile boot(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    char link[64] = {};
    if (!boot.open(QIODevice::ReadOnly) || ::readlink("/proc/self/ns/pid", link, sizeof link - 1) <= 0)
        return QByteArray();
    const QByteArray ns(link); // "pid:[4026531836]"
    return boot.readAll().trimmed() + ':' + ns.mid(ns.indexOf('[') + 1).chopped(1);
}

QByteArray commandOf(qint64 pid)
{
    QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
    return comm.open(QIODevice::ReadOnly) ? comm.readAll().trimmed() : QByteArray();
}

// A process' environment as /proc shows it. exec() gives the process its
// new name before it sets up the new program's environment, and /proc reads
// nothing in between: wait for this to be non-empty, not for the name.
QByteArrayList environmentOf(qint64 pid)
{
    QFile environ(QStringLiteral("/proc/%1/environ").arg(pid));
    if (!environ.open(QIODevice::ReadOnly))
        return {};
    QByteArrayList variables = environ.readAll().split('\0');
    variables.removeAll(QByteArray());
    return variables;
}

// Every process descending from \a root, from the parents /proc names.
QList<qint64> descendantsOf(qint64 root)
{
    QMultiHash<qint64, qint64> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!isPid || !stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        children.insert(text.mid(text.lastIndexOf(')') + 2).split(' ').value(1).toLongLong(), pid);
    }
    QList<qint64> found;
    QList<qint64> next{root};
    while (!next.isEmpty()) {
        const QList<qint64> below = children.values(next.takeFirst());
        found += below;
        next += below;
    }
    return found;
}

// GET /metrics of a daemon's metrics server; empty if it did not answer.
QByteArray scrapeMetrics(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(2000))
        return {};
    socket.write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    QByteArray response;
    while (socket.waitForReadyRead(2000))
        response += socket.readAll();
    QTest::qWait(1); // let the event loop breathe between scrapes
    if (!response.startsWith("HTTP/1.1 200"))
        return {};
    return response.mid(response.indexOf("\r\n\r\n") + 4);
}

quint16 metricsPort(const QString &daemonOutput)
{
    const auto match = QRegularExpression(QStringLiteral(R"(metrics at http://127\.0\.0\.1:(\d+)/metrics)")).match(daemonOutput);
    return match.hasMatch() ? quint16(match.captured(1).toUInt()) : 0;
}

/*!
  A command prefix that runs a program with a tmpfs of \a size mounted at
  \a directory, in a mount namespace of its own: a disk that really fills
  up, seen by that program and its children only, and gone with them.
  Nothing if this machine lets us make none (root, or unprivileged user
  namespaces, are needed).
*/
std::optional<QStringList> tinyDisk(const QString &directory, const QString &size)
{
    const QString unshare = QStandardPaths::findExecutable(QStringLiteral("unshare"));
    if (unshare.isEmpty())
        return std::nullopt;
    // Root makes a mount namespace; anyone else first a user namespace to be root in.
    const QStringList prefix = QStringList{unshare} + (::geteuid() == 0 ? QStringList{QStringLiteral("-m")} : QStringList{QStringLiteral("-r"), QStringLiteral("-m")})
        + QStringList{QStringLiteral("sh"), QStringLiteral("-c"),
                      QStringLiteral(R"(mount -t tmpfs -o size="$1" clustr-test "$2" && shift 2 && exec "$@")"), QStringLiteral("sh"), size, directory};
    QProcess probe;
    probe.start(prefix.first(), prefix.mid(1) + QStringList{QStringLiteral("true")});
    if (!probe.waitForFinished(10000) || probe.exitStatus() != QProcess::NormalExit || probe.exitCode() != 0)
        return std::nullopt;
    return prefix;
}

// Whether `run` would use a Redis at the default port instead of starting its own.
bool defaultRedisAnswers()
{
    QTcpSocket probe;
    probe.connectToHost(QStringLiteral("127.0.0.1"), 6379);
    return probe.waitForConnected(300);
}

// The environment of a `run` that starts its own Redis, recorded in \a directory.
QProcessEnvironment withRuntimeDirectory(const QString &directory)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), directory);
    environment.remove(QStringLiteral("CLUSTR_REDIS"));
    return environment;
}

QList<qint64> pidsIn(const QString &output, const QString &verb)
{
    QList<qint64> pids;
    const QRegularExpression re(verb + QStringLiteral(R"( \S+ pid (\d+))"));
    for (auto it = re.globalMatch(output); it.hasNext();)
        pids.append(it.next().captured(1).toLongLong());
    return pids;
}

} // namespace

class tst_Daemon : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void checkAcceptsAGoodFile();
    void examplesHaveARunnableClusterFile_data();
    void examplesHaveARunnableClusterFile();
    void checkWarnsAboutUnchangedOriginalWorkers();
    void badClusterFiles_data();
    void badClusterFiles();
    void unknownKeysNameTheNearestKnownOne_data();
    void unknownKeysNameTheNearestKnownOne();
    void checkReportsEveryErrorOfEveryEntry();
    void jsonSyntaxErrorsNameLineAndColumn_data();
    void jsonSyntaxErrorsNameLineAndColumn();
    void unitRunsTheClusterUnderSystemd();
    void unitForTheUsersOwnSystemd();
    void unitRefusesBadInput_data();
    void unitRefusesBadInput();
    void unitAgreesWithTheShippedService();
    void runLogsEventsReloadsAndStops();
    void embeddedRedisIsStartedAndCleanedUp();
    void embeddedRedisLetsInOnlyItsUsers();
    void embeddedRedisListensForUnchangedOriginalWorkers();
    void listeningSocketsGoToTheWorkersThatNameThem();
    void twoEmbeddedClustersRunSideBySide();
    void anUnnamedClusterIsCalledByItsFileName();
    void runtimeDirectoryOfSomeoneElseIsRefused();
    void namesKeepClustersApartAndTheSameNameIsRefused();
    void aKilledDaemonIsReplacedAtOnce();
    void aLockOfALiveProcessOrAnotherHostIsRespected();
    void aKilledDaemonLeavesNoProcessBehind();
    void unreachableRedisFailsClearly();
    void metricsAreServed();
    void logFilesRotate();
    void aFullDiskIsCountedWarnedOnceAndShown();
    void aFileSizeLimitDoesNotEndTheCluster();
    void systemdNotifications();

private:
    QString writeFile(const QString &name, const QByteArray &content);
    QString writeCluster(const QString &name, QJsonObject cluster);
    QString writeScriptCluster(const QString &name, const QString &script, const QString &group, const QString &logs);

    TestRedis m_redis; // one redis-server, or a Redis Cluster (tst_daemon_rediscluster)
    QTemporaryDir m_dir;
};

void tst_Daemon::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(buildBinary(QStringLiteral("clustr-qt"))), "clustr-qt is not built");
}

QString tst_Daemon::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    file.write(content);
    return path;
}

QString tst_Daemon::writeCluster(const QString &name, QJsonObject cluster)
{
    return writeFile(name, QJsonDocument(cluster).toJson());
}

// Cluster \a name: one shell script of \a group that never registers, with
// its log in \a logs (relative to the cluster file).
QString tst_Daemon::writeScriptCluster(const QString &name, const QString &script, const QString &group, const QString &logs)
{
    return writeCluster(name + QStringLiteral(".json"), {
        {QStringLiteral("name"), name},
        {QStringLiteral("logs"), QJsonObject{{QStringLiteral("directory"), logs}}},
        {QStringLiteral("workers"), QJsonArray{
            QJsonObject{{QStringLiteral("file"), script}, {QStringLiteral("command"), QStringLiteral("sh")},
                        {QStringLiteral("register"), false}, {QStringLiteral("group"), group}},
        }},
    });
}

// `scripts/run examples/NAME/cluster.json` runs the build's copy of each
// example's cluster file, which must name the programs where the build puts them.
void tst_Daemon::examplesHaveARunnableClusterFile_data()
{
    QTest::addColumn<QString>("example");
    const QStringList examples = QDir(QStringLiteral(CLUSTR_SOURCE_DIR "/examples")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &example : examples) {
        if (QFile::exists(QStringLiteral(CLUSTR_SOURCE_DIR "/examples/%1/cluster.json").arg(example)))
            QTest::newRow(qPrintable(example)) << example;
    }
    QVERIFY(examples.size() >= 5);
}

void tst_Daemon::examplesHaveARunnableClusterFile()
{
    QFETCH(QString, example);
    const QDir bin = QFileInfo(buildBinary(QStringLiteral("clustr-qt"))).absoluteDir();
    QString built = bin.filePath(QStringLiteral("../examples/%1/cluster.json").arg(example));
    if (!QFile::exists(built))
        built = bin.filePath(QStringLiteral("%1-cluster.json").arg(example));
    QVERIFY2(QFile::exists(built), qPrintable(built));
    const auto [code, output] = runToEnd({QStringLiteral("check"), built});
    QVERIFY2(code == 0 && output.contains(QStringLiteral(": OK: ")), qPrintable(output));
}

void tst_Daemon::checkAcceptsAGoodFile()
{
    QJsonObject web = workerEntry(QStringLiteral("web"), 2);
    web.insert(QStringLiteral("maxUnavailable"), QStringLiteral("50%"));
    web.insert(QStringLiteral("maxSurge"), 0);
    const QString path = writeCluster(QStringLiteral("good.json"), {
        {QStringLiteral("name"), QStringLiteral("good")},
        {QStringLiteral("surprise"), 1},
        {QStringLiteral("workers"), QJsonArray{web, workerEntry(QStringLiteral("cache"))}},
    });
    const auto [code, output] = runToEnd({QStringLiteral("check"), path});
    QCOMPARE(code, 0);
    QVERIFY2(output.contains(QStringLiteral("good.json: OK: 3 workers (3 cluster-aware) in web, cache")), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("good.json: surprise: unknown key, ignored")), qPrintable(output));
}

// clustr-node workers cannot be told where Redis is: check says so before they crash in a loop.
void tst_Daemon::checkWarnsAboutUnchangedOriginalWorkers()
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty())
        QSKIP("node is not installed");
    const QJsonObject entry{{QStringLiteral("file"), worker()}, {QStringLiteral("command"), node}};
    const QString path = writeCluster(QStringLiteral("originals.json"), {{QStringLiteral("workers"), QJsonArray{entry}}});
    const auto [code, output] = runToEnd({QStringLiteral("check"), path});
    QCOMPARE(code, 0);
    QVERIFY2(output.contains(QStringLiteral("originals.json: workers[0]: runs node: an unchanged clustr-node worker connects to 127.0.0.1:6379 only")),
             qPrintable(output));
    const QString listening = writeCluster(QStringLiteral("listening.json"), {
        {QStringLiteral("embeddedRedis"), QJsonObject{{QStringLiteral("listen"), QStringLiteral("127.0.0.1:6379")}}},
        {QStringLiteral("workers"), QJsonArray{entry}},
    });
    const auto [listeningCode, listeningOutput] = runToEnd({QStringLiteral("check"), listening});
    QCOMPARE(listeningCode, 0);
    QVERIFY2(!listeningOutput.contains(QStringLiteral("runs node")), qPrintable(listeningOutput));
}

void tst_Daemon::badClusterFiles_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    const QByteArray w = worker().toUtf8();
    QList<int> allowed;
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);

    QTest::newRow("not json") << QByteArray("{ \"workers\": [ }") << "cluster.json:1:16: expected a value, not '}'";
    QTest::newRow("not an object") << QByteArray("[]") << "cluster.json: expected a JSON object";
    QTest::newRow("no workers") << QByteArray("{}") << "cluster.json: workers: expected a non-empty array";
    QTest::newRow("worker not an object") << QByteArray("{\"workers\": [5]}") << "cluster.json: workers[0]: expected an object";
    QTest::newRow("no file") << QByteArray("{\"workers\": [{\"cpu\": 0}]}") << "cluster.json: workers[0].file: required";
    QTest::newRow("missing file") << QByteArray("{\"workers\": [{\"file\": \"no-such-program\"}]}")
                                  << "cluster.json: workers[0].file: ";
    QTest::newRow("cpu not here") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\"}, {\"file\": \"" + w + "\", \"cpu\": 4000}]}")
                                  << "cluster.json: workers[1].cpu: CPU 4000 is not available here (allowed: ";
    QTest::newRow("cpu garbage") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"cpu\": \"two\"}]}")
                                 << "cluster.json: workers[0].cpu: ";
    QTest::newRow("instances") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"instances\": 0}]}")
                               << "cluster.json: workers[0].instances: must be an integer >= 1";
    QTest::newRow("respawn type") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"respawn\": \"yes\"}]}")
                                  << "cluster.json: workers[0].respawn: ";
    QTest::newRow("args type") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"args\": [1]}]}")
                               << "cluster.json: workers[0].args: ";
    QTest::newRow("missing command") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"command\": \"no-such-interpreter\"}]}")
                                     << "cluster.json: workers[0].command: ";
    QTest::newRow("embeddedRedis not loopback") << QByteArray("{\"embeddedRedis\": {\"listen\": \"0.0.0.0:6379\"}, \"workers\": [{\"file\": \"" + w + "\"}]}")
                                                << "cluster.json: embeddedRedis.listen: expected a loopback IPv4 address and port";
    QTest::newRow("embeddedRedis no port") << QByteArray("{\"embeddedRedis\": {\"listen\": \"127.0.0.1\"}, \"workers\": [{\"file\": \"" + w + "\"}]}")
                                           << "cluster.json: embeddedRedis.listen: expected a loopback IPv4 address and port";
    QTest::newRow("embeddedRedis type") << QByteArray("{\"embeddedRedis\": \"127.0.0.1:6379\", \"workers\": [{\"file\": \"" + w + "\"}]}")
                                        << "cluster.json: embeddedRedis: expected an object";
    QTest::newRow("name") << QByteArray("{\"name\": \"has space\", \"workers\": [{\"file\": \"" + w + "\"}]}")
                          << "cluster.json: name: expected a name without spaces";
    QTest::newRow("duration") << QByteArray("{\"reloadDelay\": -5, \"workers\": [{\"file\": \"" + w + "\"}]}")
                              << "cluster.json: reloadDelay: expected a duration in milliseconds";
    QTest::newRow("redis url") << QByteArray("{\"redis\": \"localhost:6379\", \"workers\": [{\"file\": \"" + w + "\"}]}")
                               << "cluster.json: redis: invalid Redis URL";
    QTest::newRow("strategy") << QByteArray("{\"reloadStrategy\": \"fast\", \"workers\": [{\"file\": \"" + w + "\"}]}")
                              << "cluster.json: reloadStrategy: expected \"restart\" or \"surge\"";
    // Group names become log file names (<group>-<n>.log in logs.directory).
    QTest::newRow("group leaves the log directory") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"group\": \"../escape\"}]}")
                                                   << "cluster.json: workers[0].group: \"../escape\" must not contain '/'";
    QTest::newRow("group is a path") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\"}, {\"file\": \"" + w + "\", \"group\": \"/tmp/x\"}]}")
                                    << "cluster.json: workers[1].group: \"/tmp/x\" must not contain '/'";
    QTest::newRow("group is hidden") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"group\": \".web\"}]}")
                                    << "cluster.json: workers[0].group: \".web\" must not start with '.'";
    // Rolling-update limits: a count or a percentage, and never both 0.
    QTest::newRow("maxUnavailable type") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"maxUnavailable\": \"two\"}]}")
                                         << "cluster.json: workers[0].maxUnavailable: expected an integer >= 0 or a percentage of the group's instances such as \"25%\"";
    QTest::newRow("maxSurge over 100%") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"maxSurge\": \"150%\"}]}")
                                        << "cluster.json: workers[0].maxSurge: expected an integer >= 0 or a percentage";
    QTest::newRow("maxUnavailable and maxSurge 0") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"maxUnavailable\": 0, \"maxSurge\": \"0%\"}]}")
                                                   << "cluster.json: workers[0].maxUnavailable: maxUnavailable and maxSurge are both 0: "
                                                      "no worker of the group could be replaced; set one of them to at least 1";
    QTest::newRow("maxUnavailable 0 with restarts") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"maxUnavailable\": 0}]}")
                                                    << "cluster.json: workers[0].maxUnavailable: maxUnavailable and maxSurge are both 0 "
                                                       "(maxSurge is 0 with reloadStrategy \"restart\")";
    QTest::newRow("logs keep") << QByteArray("{\"logs\": {\"directory\": \"l\", \"keep\": -1}, \"workers\": [{\"file\": \"" + w + "\"}]}")
                               << "cluster.json: logs.keep: ";
    QTest::newRow("logs recentLines") << QByteArray("{\"logs\": {\"recentLines\": 10001}, \"workers\": [{\"file\": \"" + w + "\"}]}")
                                      << "cluster.json: logs.recentLines: expected how many recent output lines Redis keeps, 0..10000";
    // Listening sockets the daemon owns: declared once, named by the workers that take them.
    const QByteArray worker = "\"workers\": [{\"file\": \"" + w + "\", \"sockets\": [\"http\"]}]";
    QTest::newRow("sockets: undeclared") << QByteArray("{" + worker + "}")
                                         << "cluster.json: workers[0].sockets: no socket named \"http\" in \"sockets\" (it declares none)";
    QTest::newRow("sockets: other name") << QByteArray("{\"sockets\": {\"web\": {\"listen\": \"127.0.0.1:8080\"}}, " + worker + "}")
                                         << "cluster.json: workers[0].sockets: no socket named \"http\" in \"sockets\" (it declares web)";
    QTest::newRow("sockets: not an array") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"sockets\": \"http\"}]}")
                                           << "cluster.json: workers[0].sockets: expected an array of socket names";
    QTest::newRow("sockets: named twice") << QByteArray("{\"workers\": [{\"file\": \"" + w + "\", \"sockets\": [\"a\", \"a\"]}]}")
                                          << "cluster.json: workers[0].sockets: names a twice";
    QTest::newRow("sockets: no port") << QByteArray("{\"sockets\": {\"http\": {\"listen\": \"127.0.0.1\"}}, " + worker + "}")
                                      << "cluster.json: sockets.http.listen: expected an IP address and a port";
    QTest::newRow("sockets: port 70000") << QByteArray("{\"sockets\": {\"http\": {\"listen\": \"0.0.0.0:70000\"}}, " + worker + "}")
                                         << "cluster.json: sockets.http.listen: expected an IP address and a port";
    QTest::newRow("sockets: a host name") << QByteArray("{\"sockets\": {\"http\": {\"listen\": \"example.org:80\"}}, " + worker + "}")
                                          << "cluster.json: sockets.http.listen: expected an IP address and a port";
    QTest::newRow("sockets: listen and path") << QByteArray("{\"sockets\": {\"http\": {\"listen\": \"127.0.0.1:80\", \"path\": \"x.sock\"}}, " + worker + "}")
                                              << "cluster.json: sockets.http: expected {\"listen\": \"HOST:PORT\"} or {\"path\": \"FILE\"}, one of the two";
    QTest::newRow("sockets: backlog") << QByteArray("{\"sockets\": {\"http\": {\"listen\": \"127.0.0.1:80\", \"backlog\": 0}}, " + worker + "}")
                                      << "cluster.json: sockets.http.backlog: expected an integer from 1 to 65535";
    QTest::newRow("sockets: a name with ':'") << QByteArray("{\"sockets\": {\"a:b\": {\"listen\": \"127.0.0.1:80\"}}, " + worker + "}")
                                              << "cluster.json: sockets.a:b: a socket's name is 1 to 255 letters";
    QTest::newRow("sockets: one address twice") << QByteArray("{\"sockets\": {\"a\": {\"listen\": \"127.0.0.1:8080\"}, \"b\": {\"listen\": \"127.0.0.1:8080\"}}, \"workers\": [{\"file\": \"" + w + "\", \"sockets\": [\"a\", \"b\"]}]}")
                                                << "cluster.json: sockets.b: the same address as sockets.a";
    QTest::newRow("sockets: one path twice") << QByteArray("{\"sockets\": {\"a\": {\"path\": \"x.sock\"}, \"b\": {\"path\": \"./x.sock\"}}, " + worker + "}")
                                             << "cluster.json: sockets.b: the same address as sockets.a";
    QTest::newRow("sockets: path too long") << QByteArray("{\"sockets\": {\"http\": {\"path\": \"/" + QByteArray(120, 'x') + "\"}}, " + worker + "}")
                                            << "cluster.json: sockets.http.path: expected the path of a unix socket, up to 107 bytes";
}

void tst_Daemon::badClusterFiles()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString path = writeFile(QStringLiteral("cluster.json"), content);
    for (const QString &command : {QStringLiteral("check"), QStringLiteral("run")}) {
        const auto [code, output] = runToEnd({command, path, QStringLiteral("--redis"), m_redis.url()});
        QCOMPARE(code, 2);
        QVERIFY2(output.contains(expected), qPrintable(command + QStringLiteral(": ") + output));
        QVERIFY2(!output.contains(QStringLiteral("spawned")), "nothing may run from a bad file");
    }
}

void tst_Daemon::unknownKeysNameTheNearestKnownOne_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    const QByteArray w = "{\"file\": \"" + worker().toUtf8() + "\"";
    const QByteArray ok = "\"workers\": [" + w + "}]";
    QTest::newRow("in an entry") << QByteArray("{\"workers\": [" + w + "}, " + w + ", \"groop\": \"web\"}]}") << QStringList() << 0
                                 << "cluster.json: workers[1].groop: unknown key, ignored; did you mean \"group\"?";
    QTest::newRow("top level") << QByteArray("{\"reloadDelya\": 5, " + ok + "}") << QStringList() << 0
                               << "cluster.json: reloadDelya: unknown key, ignored; did you mean \"reloadDelay\"?";
    QTest::newRow("wrong case") << QByteArray("{\"workers\": [" + w + ", \"workingdirectory\": \".\"}]}") << QStringList() << 0
                                << "workers[0].workingdirectory: unknown key, ignored; did you mean \"workingDirectory\"?";
    QTest::newRow("in logs") << QByteArray("{\"logs\": {\"directry\": \"l\"}, " + ok + "}") << QStringList() << 0
                             << "cluster.json: logs.directry: unknown key, ignored; did you mean \"directory\"?";
    QTest::newRow("nothing near") << QByteArray("{\"surprise\": 1, " + ok + "}") << QStringList() << 0
                                  << "cluster.json: surprise: unknown key, ignored\n";
    QTest::newRow("--strict") << QByteArray("{\"workers\": [" + w + ", \"respwan\": false}]}") << QStringList{QStringLiteral("--strict")} << 2
                              << "cluster.json: workers[0].respwan: unknown key (strict); did you mean \"respawn\"?";
    QTest::newRow("strict in the file") << QByteArray("{\"strict\": true, \"nmae\": \"x\", " + ok + "}") << QStringList() << 2
                                        << "cluster.json: nmae: unknown key (strict); did you mean \"name\"?";
    QTest::newRow("strict false") << QByteArray("{\"strict\": false, \"nmae\": \"x\", " + ok + "}") << QStringList() << 0
                                  << "cluster.json: nmae: unknown key, ignored; did you mean \"name\"?";
    QTest::newRow("strict not a boolean") << QByteArray("{\"strict\": \"yes\", " + ok + "}") << QStringList() << 2
                                          << "cluster.json: strict: expected true or false";
}

void tst_Daemon::unknownKeysNameTheNearestKnownOne()
{
    QFETCH(QByteArray, content);
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    const QString path = writeFile(QStringLiteral("cluster.json"), content);
    const auto [code, output] = runToEnd(QStringList{QStringLiteral("check"), path} + options);
    QCOMPARE(code, exitCode);
    QVERIFY2(output.contains(expected), qPrintable(output));
    // run reads the file the same way: a strict file does not start.
    if (exitCode != 0) {
        const auto [runCode, runOutput] = runToEnd(QStringList{QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()} + options);
        QCOMPARE(runCode, exitCode);
        QVERIFY2(runOutput.contains(expected), qPrintable(runOutput));
    }
}

// Every problem of every entry at once, not one per run of check.
void tst_Daemon::checkReportsEveryErrorOfEveryEntry()
{
    const QByteArray w = worker().toUtf8();
    const QString path = writeFile(QStringLiteral("cluster.json"),
        "{\"reloadDelay\": -1, \"reloadStrategy\": \"fast\", \"workers\": [\n"
        "  {\"file\": \"" + w + "\", \"instances\": 0, \"respawn\": \"yes\", \"args\": [1]},\n"
        "  {\"cpu\": \"two\", \"killTimeoutMs\": -5},\n"
        "  {\"file\": \"no-such-program\", \"cpu\": 4000, \"group\": \".hidden\"}\n"
        "]}");
    const QStringList expected{
        QStringLiteral("cluster.json: reloadDelay: expected a duration"),
        QStringLiteral("cluster.json: reloadStrategy: expected \"restart\" or \"surge\""),
        QStringLiteral("cluster.json: workers[0].instances: must be an integer >= 1"),
        QStringLiteral("cluster.json: workers[0].respawn: "),
        QStringLiteral("cluster.json: workers[0].args: "),
        QStringLiteral("cluster.json: workers[1].file: required"),
        QStringLiteral("cluster.json: workers[1].cpu: "),
        QStringLiteral("cluster.json: workers[1].killTimeoutMs: must be an integer >= 0"),
        QStringLiteral("cluster.json: workers[2].group: \".hidden\" must not start with '.'"),
        QStringLiteral("cluster.json: workers[2].file: "),
        QStringLiteral("cluster.json: workers[2].cpu: CPU 4000 is not available here"),
    };
    const auto [code, output] = runToEnd({QStringLiteral("check"), path});
    QCOMPARE(code, 2);
    for (const QString &line : expected)
        QVERIFY2(output.contains(line), qPrintable(line + QStringLiteral(" missing from:\n") + output));
    QCOMPARE(output.count(QStringLiteral("cluster.json: ")), expected.size());
}

void tst_Daemon::jsonSyntaxErrorsNameLineAndColumn_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expected");
    auto row = [](const char *name, const char *content, const char *expected) {
        QTest::newRow(name) << QByteArray(content) << QString::fromUtf8(expected);
    };
    row("missing comma between members", "{\n  \"name\": \"a\"\n  \"workers\": []\n}", "cluster.json:3:3: missing ',' between object members");
    row("missing comma in an array", "{\n  \"workers\": [1 2]\n}", "cluster.json:2:17: missing ',' between array elements");
    row("trailing comma", "{\n  \"name\": \"a\",\n}", "cluster.json:2:14: a ',' with nothing after it");
    row("missing colon", "{\n  \"name\" \"a\"\n}", "cluster.json:2:10: missing ':' after the member name");
    row("unquoted key", "{\n  name: \"a\"\n}", "cluster.json:2:3: expected a \"quoted\" member name, not 'n'");
    row("misspelt literal", "{\"strict\": ture}", "cluster.json:1:12: not a JSON value");
    row("unclosed object", "{\"name\": \"a\"\n", "cluster.json:2:1: missing '}' at the end of the file");
    row("unclosed string", "{\"name\": \"a}", "cluster.json:1:13: the file ends inside a string");
    row("text after the object", "{}\n}", "cluster.json:2:1: more after the end of the JSON object");
    row("empty", "", "cluster.json:1:1: the file is empty");
    // Columns count characters, as editors do, not UTF-8 bytes.
    row("after non-ASCII text", "{\"name\": \"\xc3\xa9t\xc3\xa9\" \"workers\": []}", "cluster.json:1:16: missing ',' between object members");
}

void tst_Daemon::jsonSyntaxErrorsNameLineAndColumn()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    const QString path = writeFile(QStringLiteral("cluster.json"), content);
    const auto [code, output] = runToEnd({QStringLiteral("check"), path});
    QCOMPARE(code, 2);
    QVERIFY2(output.contains(expected), qPrintable(output));
}

namespace {

// The settings of a unit's [Service] section, comments left out.
QStringList serviceSettings(const QString &unit)
{
    QStringList settings;
    bool inService = false;
    for (const QString &line : unit.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1Char('[')))
            inService = line == QLatin1String("[Service]");
        else if (inService && !line.isEmpty() && !line.startsWith(QLatin1Char('#')))
            settings.append(line);
    }
    return settings;
}

} // namespace

void tst_Daemon::unitRunsTheClusterUnderSystemd()
{
    const QString path = writeCluster(QStringLiteral("shop.json"), {
        {QStringLiteral("name"), QStringLiteral("shop")},
        {QStringLiteral("killTimeout"), 40000},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"))}},
    });
    // A relative path: the unit has it absolute.
    const QString relative = QDir::current().relativeFilePath(path);
    Daemon d({QStringLiteral("unit"), relative});
    QVERIFY(d.waitForFinished());
    QVERIFY2(d.exitCode() == 0, qPrintable(d.errors()));
    const QString unit = d.output();
    const QStringList settings = serviceSettings(unit);
    const QString program = QFileInfo(buildBinary(QStringLiteral("clustr-qt"))).canonicalFilePath();
    QVERIFY2(settings.contains(QStringLiteral("ExecStart=%1 run %2").arg(program, QFileInfo(path).absoluteFilePath())), qPrintable(unit));
    QVERIFY2(settings.contains(QStringLiteral("ExecReload=/bin/kill -HUP $MAINPID")), qPrintable(unit));
    QVERIFY2(settings.contains(QStringLiteral("Type=notify")), qPrintable(unit));
    QVERIFY2(settings.contains(QStringLiteral("KillMode=mixed")), qPrintable(unit));
    QVERIFY2(settings.contains(QStringLiteral("Restart=on-failure")), qPrintable(unit));
    QVERIFY2(settings.contains(QStringLiteral("WorkingDirectory=") + m_dir.path()), qPrintable(unit));
    // Time for the longest kill timeout (40 s) and the master's own end.
    QVERIFY2(settings.contains(QStringLiteral("TimeoutStopSec=65")), qPrintable(unit));
    QVERIFY2(unit.contains(QStringLiteral("\nWantedBy=multi-user.target\n")), qPrintable(unit));
    // A system unit runs as whoever wrote it, unless that is root.
    const bool asRoot = ::geteuid() == 0;
    QCOMPARE(settings.filter(QRegularExpression(QStringLiteral("^User="))).size(), asRoot ? 0 : 1);
    QVERIFY2(d.errors().contains(QStringLiteral("/etc/systemd/system/clustr-qt-shop.service")), qPrintable(d.errors()));
    QVERIFY2(d.errors().contains(QStringLiteral("sudo systemctl daemon-reload && sudo systemctl enable --now clustr-qt-shop")),
             qPrintable(d.errors()));

    // --output writes the same unit to a file.
    const QString file = m_dir.filePath(QStringLiteral("clustr-qt-shop.service"));
    const auto [code, output] = runToEnd({QStringLiteral("unit"), relative, QStringLiteral("--output"), file});
    QCOMPARE(code, 0);
    QFile written(file);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(written.readAll()), unit);

    // systemd's own checker accepts it, where it is installed (it is not installed for this test).
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    if (analyze.isEmpty())
        QSKIP("systemd-analyze is not installed");
    QProcess verify;
    verify.start(analyze, {QStringLiteral("verify"), file});
    QVERIFY(verify.waitForFinished(30000));
    const QByteArray verdict = verify.readAllStandardOutput() + verify.readAllStandardError();
    QVERIFY2(verify.exitCode() == 0 && !verdict.contains("clustr-qt-shop.service"), verdict.constData());
}

void tst_Daemon::unitForTheUsersOwnSystemd()
{
    const QString path = writeCluster(QStringLiteral("mine.json"), {{QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"))}}});
    Daemon d({QStringLiteral("unit"), path, QStringLiteral("--user")});
    QVERIFY(d.waitForFinished());
    QVERIFY2(d.exitCode() == 0, qPrintable(d.errors()));
    const QString unit = d.output();
    const QStringList settings = serviceSettings(unit);
    QVERIFY2(unit.contains(QStringLiteral("\nWantedBy=default.target\n")), qPrintable(unit));
    QVERIFY2(!unit.contains(QStringLiteral("multi-user.target")), qPrintable(unit));
    QVERIFY2(settings.filter(QRegularExpression(QStringLiteral("^User="))).isEmpty(), qPrintable(unit));
    // The user's manager gives it its own runtime directory and has no network targets.
    QVERIFY2(settings.filter(QRegularExpression(QStringLiteral("^(RuntimeDirectory|Environment)="))).isEmpty(), qPrintable(unit));
    QVERIFY2(!unit.contains(QStringLiteral("network-online.target")), qPrintable(unit));
    QVERIFY2(settings.contains(QStringLiteral("ExecReload=/bin/kill -HUP $MAINPID")), qPrintable(unit));
    // An unnamed cluster is called by its file's name.
    QVERIFY2(unit.contains(QStringLiteral("Description=clustr-qt cluster mine\n")), qPrintable(unit));
    QVERIFY2(d.errors().contains(QStringLiteral("~/.config/systemd/user/clustr-qt-mine.service")), qPrintable(d.errors()));
    QVERIFY2(d.errors().contains(QStringLiteral("systemctl --user daemon-reload && systemctl --user enable --now clustr-qt-mine")),
             qPrintable(d.errors()));
}

void tst_Daemon::unitRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    const QString unit = QStringLiteral("unit");
    QTest::newRow("no file") << QStringList{unit} << "unit: which cluster file?";
    QTest::newRow("missing file") << QStringList{unit, QStringLiteral("no-such.json")} << "no-such.json: cannot read the cluster file";
    QTest::newRow("bad file") << QStringList{unit, QStringLiteral("BAD")} << "cluster.json: workers[0].instances: must be an integer >= 1";
    QTest::newRow("strict file") << QStringList{unit, QStringLiteral("STRICT")} << "cluster.json: workrs: unknown key (strict); did you mean \"workers\"?";
    QTest::newRow("unknown option") << QStringList{unit, QStringLiteral("GOOD"), QStringLiteral("--system")} << "unit: unknown option --system for unit";
    QTest::newRow("two files") << QStringList{unit, QStringLiteral("GOOD"), QStringLiteral("GOOD")} << "unit: unexpected argument";
    QTest::newRow("output without FILE") << QStringList{unit, QStringLiteral("GOOD"), QStringLiteral("--output")} << "unit: --output needs a FILE";
    QTest::newRow("empty output") << QStringList{unit, QStringLiteral("GOOD"), QStringLiteral("--output=")} << "unit: --output needs a FILE";
}

void tst_Daemon::unitRefusesBadInput()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const QByteArray w = worker().toUtf8();
    const QString good = writeFile(QStringLiteral("good.json"), "{\"workers\": [{\"file\": \"" + w + "\"}]}");
    const QString bad = writeFile(QStringLiteral("cluster.json"), "{\"workers\": [{\"file\": \"" + w + "\", \"instances\": 0}]}");
    arguments.replaceInStrings(QStringLiteral("GOOD"), good);
    arguments.replaceInStrings(QStringLiteral("BAD"), bad);
    if (arguments.contains(QStringLiteral("STRICT"))) {
        arguments.replaceInStrings(QStringLiteral("STRICT"),
                                   writeFile(QStringLiteral("cluster.json"), "{\"strict\": true, \"workrs\": [], \"workers\": [{\"file\": \"" + w + "\"}]}"));
    }
    Daemon d(arguments);
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 2);
    QVERIFY2(d.errors().contains(expected), qPrintable(d.errors()));
    QVERIFY2(d.output().isEmpty(), qPrintable(d.output())); // no unit from bad input
}

// daemon/clustr-qt.service (a template for /etc/clustr-qt/NAME.json) and
// what `unit` writes differ only where one file differs from another.
void tst_Daemon::unitAgreesWithTheShippedService()
{
    QFile shipped(QStringLiteral(CLUSTR_SOURCE_DIR "/daemon/clustr-qt.service"));
    QVERIFY2(shipped.open(QIODevice::ReadOnly), qPrintable(shipped.fileName()));
    const QString path = writeCluster(QStringLiteral("shop.json"), {{QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"))}}});
    Daemon d({QStringLiteral("unit"), path});
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 0);
    const QRegularExpression perFile(QStringLiteral("^(ExecStart|WorkingDirectory|User)="));
    QStringList generated = serviceSettings(d.output());
    generated.removeIf([&](const QString &line) { return perFile.match(line).hasMatch(); });
    QStringList template_ = serviceSettings(QString::fromUtf8(shipped.readAll()));
    QVERIFY(template_.removeIf([&](const QString &line) { return perFile.match(line).hasMatch(); }) == 1);
    QCOMPARE(generated, template_);
}

void tst_Daemon::runLogsEventsReloadsAndStops()
{
    const QString path = writeCluster(QStringLiteral("events.json"), {
        {QStringLiteral("name"), QStringLiteral("events")},
        {QStringLiteral("reloadDelay"), 100},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 2, {{QStringLiteral("kill-delay"), 50}})}},
    });
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()});
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 2 workers")), qPrintable(d.output() + d.errors()));
    // One timestamped line per event.
    QVERIFY(QRegularExpression(QStringLiteral(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} spawned web pid \d+)")).match(d.output()).hasMatch());
    QCOMPARE(pidsIn(d.output(), QStringLiteral("registered")).size(), 2);

    d.signal(SIGHUP);
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster reloaded: 2 workers")), qPrintable(d.output()));
    QVERIFY(d.output().contains(QStringLiteral("reload started: 2 steps")));
    QVERIFY(QRegularExpression(QStringLiteral(R"(reload step 1/2: \d+ -> \d+)")).match(d.output()).hasMatch());
    QVERIFY(QRegularExpression(QStringLiteral(R"(reload step 2/2: \d+ -> \d+)")).match(d.output()).hasMatch());

    const QList<qint64> all = pidsIn(d.output(), QStringLiteral("spawned"));
    d.signal(SIGTERM);
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 15);
    QVERIFY(d.output().contains(QStringLiteral("stopping the cluster (exit code 15)")));
    QVERIFY(d.output().contains(QStringLiteral("stopped with exit code 15")));
    for (qint64 pid : all)
        QTRY_VERIFY(processGone(pid));
    // The lock and the announcement are gone: the same cluster may start again.
    QCOMPARE(m_redis.keyCli({QStringLiteral("EXISTS"), m_redis.clusterKey(QStringLiteral("events"), QStringLiteral("lock")),
                             m_redis.clusterKey(QStringLiteral("events"), QStringLiteral("master"))}).trimmed(), QByteArray("0"));
}

void tst_Daemon::embeddedRedisIsStartedAndCleanedUp()
{
    if (defaultRedisAnswers())
        QSKIP("a Redis answers at 127.0.0.1:6379 here, so the daemon rightly uses it instead of an embedded one");
    QTemporaryDir runtime;
    const QProcessEnvironment environment = withRuntimeDirectory(runtime.path());
    const QString path = writeCluster(QStringLiteral("embedded.json"), {
        {QStringLiteral("name"), QStringLiteral("emb")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 2)}},
    });
    Daemon d({QStringLiteral("run"), path}, environment);
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 2 workers")), qPrintable(d.output() + d.errors()));
    QVERIFY(d.output().contains(QStringLiteral("started an embedded Redis at unix://")));

    // Recorded where the CLI and the GUI look, in a private directory.
    const QString directory = runtime.filePath(QStringLiteral("clustr-qt"));
    QCOMPARE(QFileInfo(directory).permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::ExeGroup | QFile::ExeOther), QFileDevice::Permissions());
    QFile record(directory + QStringLiteral("/emb.json"));
    QVERIFY(record.open(QIODevice::ReadOnly));
    const QJsonObject recorded = QJsonDocument::fromJson(record.readAll()).object();
    const QString url = recorded.value(QStringLiteral("redis")).toString();
    const qint64 redisPid = qint64(recorded.value(QStringLiteral("redisPid")).toDouble());
    QVERIFY(url.startsWith(QStringLiteral("unix://") + directory));
    QVERIFY(redisPid > 0 && !processGone(redisPid));
    qputenv("XDG_RUNTIME_DIR", runtime.path().toUtf8());
    QCOMPARE(Clustr::ClusterClient::discoverRedisUrl(QStringLiteral("emb")).section(u'?', 0, 0), url);
    qunsetenv("XDG_RUNTIME_DIR");

    d.signal(SIGINT);
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 130);
    QTRY_VERIFY(processGone(redisPid));
    QVERIFY(!QFile::exists(directory + QStringLiteral("/emb.json")));
    QVERIFY(!QFile::exists(url.mid(7)));
    QVERIFY(!QFile::exists(directory + QStringLiteral("/redis-emb.acl")));
    // No persistence: a Redis with save points would have written its dump as it stopped.
    QCOMPARE(QDir(directory).entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList());
}

// The embedded Redis has the cluster's ACL users and no default user: the
// master is the operator, its workers are workers, the CLI reads as the
// monitor and commands as the operator, and a connection without a
// password gets nothing.
void tst_Daemon::embeddedRedisLetsInOnlyItsUsers()
{
    if (defaultRedisAnswers())
        QSKIP("a Redis answers at 127.0.0.1:6379 here, so the daemon rightly uses it instead of an embedded one");
    QTemporaryDir runtime;
    const QProcessEnvironment environment = withRuntimeDirectory(runtime.path());
    const QString path = writeCluster(QStringLiteral("locked.json"), {
        {QStringLiteral("name"), QStringLiteral("locked")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 2)}},
    });
    Daemon d({QStringLiteral("run"), path}, environment);
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 2 workers")), qPrintable(d.output() + d.errors()));
    const QString directory = runtime.filePath(QStringLiteral("clustr-qt"));
    const QString socket = directory + QStringLiteral("/redis-locked.sock");
    QVERIFY(!d.output().contains(QStringLiteral("password=")) || d.output().contains(QStringLiteral("password=***")));

    // The ACL file and the record hold passwords: only we may read them.
    for (const QString &file : {directory + QStringLiteral("/redis-locked.acl"), directory + QStringLiteral("/locked.json")}) {
        struct stat info = {};
        QCOMPARE(::stat(QFile::encodeName(file).constData(), &info), 0);
        QCOMPARE(info.st_mode & 07777, mode_t(0600));
    }

    // Without a password: nothing, not even a PING.
    const auto redisCli = [&socket](const QStringList &arguments) {
        QProcess cli;
        cli.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-s"), socket} + arguments);
        cli.waitForFinished(5000);
        return cli.readAllStandardOutput().trimmed();
    };
    QVERIFY2(redisCli({QStringLiteral("PING")}).contains("NOAUTH"), redisCli({QStringLiteral("PING")}).constData());

    // Each worker was handed the worker's user, not the master's operator.
    const QList<qint64> workers = descendantsOf(d.pid());
    int handed = 0;
    for (qint64 pid : workers) {
        if (commandOf(pid) != "clustr-test-wor")
            continue;
        for (const QByteArray &variable : environmentOf(pid)) {
            if (variable.startsWith("CLUSTR_REDIS=")) {
                QVERIFY2(variable.contains("user=locked-worker&password="), variable.constData());
                ++handed;
            }
        }
    }
    QCOMPARE(handed, 2);

    // The CLI finds the cluster and logs in as the role its command needs.
    QCOMPARE(runToEnd({QStringLiteral("status"), QStringLiteral("--cluster"), QStringLiteral("locked")}, environment).first, 0);
    qputenv("XDG_RUNTIME_DIR", runtime.path().toUtf8());
    const QString monitorUrl = Clustr::ClusterClient::discoverRedisUrl(QStringLiteral("locked"), Clustr::AccessControl::Role::Monitor);
    const QString operatorUrl = Clustr::ClusterClient::discoverRedisUrl(QStringLiteral("locked"));
    qunsetenv("XDG_RUNTIME_DIR");
    QVERIFY2(monitorUrl.contains(QStringLiteral("user=locked-monitor&password=")), qPrintable(monitorUrl));
    QVERIFY2(operatorUrl.contains(QStringLiteral("user=locked-operator&password=")), qPrintable(operatorUrl));
    const auto [published, publishOutput] = runToEnd({QStringLiteral("publish"), QStringLiteral("--cluster"), QStringLiteral("locked"),
                                                      QStringLiteral("hello")}, environment);
    QVERIFY2(published == 0, qPrintable(publishOutput));
    // A monitor's URL, given explicitly, reads but is refused a command.
    QCOMPARE(runToEnd({QStringLiteral("status"), QStringLiteral("--redis"), monitorUrl, QStringLiteral("--cluster"), QStringLiteral("locked")}, environment).first, 0);
    const auto [refused, refusedOutput] = runToEnd({QStringLiteral("stop"), QStringLiteral("--redis"), monitorUrl, QStringLiteral("--cluster"),
                                                    QStringLiteral("locked")}, environment);
    QVERIFY2(refused == 77 && refusedOutput.contains(QStringLiteral("NOPERM")), qPrintable(refusedOutput));
    QVERIFY(d.isRunning());

    const auto [stopped, stopOutput] = runToEnd({QStringLiteral("stop"), QStringLiteral("--cluster"), QStringLiteral("locked")}, environment);
    QVERIFY2(stopped == 0, qPrintable(stopOutput));
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 15);
}

// "sockets": the daemon listens once and hands the sockets to the workers
// that name them, as systemd would (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES,
// descriptors from 3); a socket it cannot open stops it before anything runs.
void tst_Daemon::listeningSocketsGoToTheWorkersThatNameThem()
{
    const QString child = buildBinary(QStringLiteral("clustr-test-child"));
    auto entry = [&child](const QString &group, const QStringList &sockets) {
        QJsonObject e{{QStringLiteral("file"), child}, {QStringLiteral("group"), group}, {QStringLiteral("register"), false},
                      {QStringLiteral("args"), QJsonObject{{QStringLiteral("pause"), 60000}}}};
        if (!sockets.isEmpty())
            e.insert(QStringLiteral("sockets"), QJsonArray::fromStringList(sockets));
        return e;
    };
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost));
    const QString adminPath = m_dir.filePath(QStringLiteral("admin.sock"));
    auto cluster = [&](quint16 port) {
        return QJsonObject{
            {QStringLiteral("name"), QStringLiteral("sockets")},
            {QStringLiteral("sockets"), QJsonObject{{QStringLiteral("http"), QJsonObject{{QStringLiteral("listen"), QStringLiteral("127.0.0.1:%1").arg(port)}}},
                                                    {QStringLiteral("admin"), QJsonObject{{QStringLiteral("path"), QStringLiteral("admin.sock")}}}}},
            {QStringLiteral("workers"), QJsonArray{entry(QStringLiteral("probe"), {QStringLiteral("http"), QStringLiteral("admin")}),
                                                   entry(QStringLiteral("plain"), {})}}};
    };

    // The port is taken: said, and nothing runs.
    const QString busy = writeCluster(QStringLiteral("busy.json"), cluster(taken.serverPort()));
    const auto [busyCode, busyOutput] = runToEnd({QStringLiteral("run"), busy, QStringLiteral("--redis"), m_redis.url()});
    QCOMPARE(busyCode, 1);
    QVERIFY2(busyOutput.contains(QStringLiteral("cannot listen on 127.0.0.1:%1 (socket \"http\"): ").arg(taken.serverPort())), qPrintable(busyOutput));
    QVERIFY2(!busyOutput.contains(QStringLiteral("spawned")), qPrintable(busyOutput));
    QVERIFY(!QFile::exists(adminPath)); // opened before http failed, closed and removed with it
    const quint16 port = taken.serverPort();
    taken.close();

    const QString path = writeCluster(QStringLiteral("sockets.json"), cluster(port));
    ClusterRun run;
    // As if the daemon itself were socket-activated: those variables are not its workers'.
    qputenv("LISTEN_FDS", "1");
    qputenv("LISTEN_PID", "1");
    const bool started = run.start(QStringLiteral("clustr-qt"), {QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()});
    qunsetenv("LISTEN_FDS");
    qunsetenv("LISTEN_PID");
    QVERIFY(started);
    const auto probe = run.waitForLine(QRegularExpression(QStringLiteral("spawned probe pid (\\d+)$")));
    const auto plain = run.waitForLine(QRegularExpression(QStringLiteral("spawned plain pid (\\d+)$")));
    QVERIFY2(probe.hasMatch() && plain.hasMatch(), run.transcript().constData());
    const qint64 probePid = probe.captured(1).toLongLong();
    const qint64 plainPid = plain.captured(1).toLongLong();
    auto listenVariables = [](qint64 pid) {
        QByteArrayList found;
        for (const QByteArray &variable : environmentOf(pid)) {
            if (variable.startsWith("LISTEN_"))
                found.append(variable);
        }
        std::sort(found.begin(), found.end());
        return found;
    };
    // The environment is the program's own once it has exec'd (through the shell that sets LISTEN_PID).
    for (qint64 pid : {probePid, plainPid}) {
        QTRY_COMPARE_WITH_TIMEOUT(commandOf(pid), QByteArray("clustr-test-chi"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!environmentOf(pid).isEmpty(), 10000);
    }
    const QByteArrayList probeVariables = listenVariables(probePid);
    QVERIFY2(probeVariables == (QByteArrayList{"LISTEN_FDNAMES=http:admin", "LISTEN_FDS=2", "LISTEN_PID=" + QByteArray::number(probePid)}),
             (probeVariables.join(' ') + " (the daemon said: " + run.transcript() + ')').constData());
    QCOMPARE(listenVariables(plainPid), QByteArrayList());
    auto fdTarget = [](qint64 pid, int fd) { return QFile::symLinkTarget(QStringLiteral("/proc/%1/fd/%2").arg(pid).arg(fd)); };
    const QString http = fdTarget(probePid, 3);
    const QString admin = fdTarget(probePid, 4);
    QVERIFY2(http.contains(QStringLiteral("socket:")) && admin.contains(QStringLiteral("socket:")) && http != admin, qPrintable(http + admin));
    // The other worker holds neither.
    const QStringList plainFds = QDir(QStringLiteral("/proc/%1/fd").arg(plainPid)).entryList(QDir::Files | QDir::System);
    for (const QString &fd : plainFds) {
        const QString target = fdTarget(plainPid, fd.toInt());
        QVERIFY2(target != http && target != admin, qPrintable(fd + QStringLiteral(" -> ") + target));
    }
    // Both take connections (queued until a worker accepts).
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(5000));
    const int unixClient = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    const QByteArray adminBytes = QFile::encodeName(adminPath);
    std::memcpy(address.sun_path, adminBytes.constData(), size_t(adminBytes.size()));
    QCOMPARE(::connect(unixClient, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
    ::close(unixClient);

    run.signal(SIGTERM);
    QVERIFY(run.waitForExit(20000));
    QVERIFY(!QFile::exists(adminPath)); // the daemon's socket file goes with it
}

// embeddedRedis.listen: unchanged clustr-node workers connect to a TCP port
// without logging in; there, the default user may do what a worker may and
// nothing more.
void tst_Daemon::embeddedRedisListensForUnchangedOriginalWorkers()
{
    if (defaultRedisAnswers())
        QSKIP("a Redis answers at 127.0.0.1:6379 here, so the daemon rightly uses it instead of an embedded one");
    QTcpServer portFinder;
    QVERIFY(portFinder.listen(QHostAddress::LocalHost));
    const quint16 port = portFinder.serverPort();
    portFinder.close();
    QTemporaryDir runtime;
    const QProcessEnvironment environment = withRuntimeDirectory(runtime.path());
    const QString path = writeCluster(QStringLiteral("originals.json"), {
        {QStringLiteral("embeddedRedis"), QJsonObject{{QStringLiteral("listen"), QStringLiteral("127.0.0.1:%1").arg(port)}}},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 1)}},
    });
    Daemon d({QStringLiteral("run"), path}, environment);
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 1 worker")), qPrintable(d.output() + d.errors()));
    QVERIFY(d.output().contains(QStringLiteral(" and 127.0.0.1:%1").arg(port)));

    const auto tcpCli = [port](const QStringList &arguments) {
        QProcess cli;
        cli.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"),
                                                           QString::number(port)} + arguments);
        cli.waitForFinished(5000);
        return cli.readAllStandardOutput().trimmed();
    };
    // A worker's channels, as clustr-node uses them: yes.
    const QByteArray published = tcpCli({QStringLiteral("PUBLISH"), QStringLiteral("public"), QStringLiteral("{}")});
    QVERIFY2(!published.isEmpty() && !published.contains("NOPERM") && !published.contains("NOAUTH"), published.constData());
    // The master's control channel, its keys, the server: no.
    QVERIFY(tcpCli({QStringLiteral("PUBLISH"), QStringLiteral("control:%1").arg(d.pid()), QStringLiteral("{}")}).contains("NOPERM"));
    QVERIFY(tcpCli({QStringLiteral("GET"), QStringLiteral("clustr:master")}).contains("NOPERM"));
    QVERIFY(tcpCli({QStringLiteral("CONFIG"), QStringLiteral("GET"), QStringLiteral("bind")}).contains("NOPERM"));

    d.signal(SIGTERM);
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 15);
}

// Clusters, each on its own embedded Redis: all stay reachable by the name
// every tool calls them (a file's "name", else its base name: two files
// without a name are two clusters), `ls` lists them, and a second run of one
// is refused without cutting it off. One runs in the background (--detach).
void tst_Daemon::twoEmbeddedClustersRunSideBySide()
{
    if (defaultRedisAnswers())
        QSKIP("a Redis answers at 127.0.0.1:6379 here, so the daemon rightly uses it instead of an embedded one");
    QTemporaryDir runtime;
    const QProcessEnvironment environment = withRuntimeDirectory(runtime.path());
    const QString alphaFile = writeCluster(QStringLiteral("alpha.json"), {
        {QStringLiteral("name"), QStringLiteral("alpha")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 2)}},
    });
    const QString betaFile = writeCluster(QStringLiteral("beta.json"), {
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("db"), 1)}},
    });
    const QString gammaFile = writeCluster(QStringLiteral("gamma.json"), {
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 1)}},
    });
    Daemon alpha({QStringLiteral("run"), alphaFile}, environment);
    Daemon beta({QStringLiteral("run"), betaFile}, environment);
    QVERIFY2(alpha.waitForOutput(QStringLiteral("cluster started: 2 workers")), qPrintable(alpha.output() + alpha.errors()));
    QVERIFY2(beta.waitForOutput(QStringLiteral("cluster started: 1 worker")), qPrintable(beta.output() + beta.errors()));

    // In the background: back once it has started, with its master's pid.
    const QString gammaLog = runtime.filePath(QStringLiteral("gamma.log"));
    const auto [detached, detachedOutput] = runToEnd({QStringLiteral("run"), gammaFile, QStringLiteral("--detach"),
                                                      QStringLiteral("--log-file"), gammaLog}, environment);
    QCOMPARE(detached, 0);
    static const QRegularExpression startedLine(QStringLiteral("^cluster \"gamma\" started in the background: master pid (\\d+) \\(1 worker\\), log (\\S+);"));
    const QRegularExpressionMatch started = startedLine.match(detachedOutput);
    QVERIFY2(started.hasMatch() && started.captured(2) == gammaLog, qPrintable(detachedOutput));
    const qint64 gamma = started.captured(1).toLongLong();
    QVERIFY(gamma > 0 && !processGone(gamma));
    // Not our child: should a check below fail, it must not outlive the test.
    const auto stopGamma = qScopeGuard([gamma] {
        if (!processGone(gamma) && ::kill(pid_t(gamma), SIGTERM) == 0)
            (void)QTest::qWaitFor([gamma] { return processGone(gamma); }, 15000);
    });
    QCOMPARE(::getsid(pid_t(gamma)), pid_t(gamma)); // its own session: no terminal's hang-up reaches it
    QFile log(gammaLog);
    QVERIFY(log.open(QIODevice::ReadOnly));
    QVERIFY2(log.readAll().contains("cluster started: 1 worker"), qPrintable(gammaLog));

    // The same clusters again: refused, naming the master that runs (in the foreground and from --detach).
    const auto [again, againOutput] = runToEnd({QStringLiteral("run"), alphaFile}, environment);
    QCOMPARE(again, 5);
    QVERIFY2(againOutput.contains(QStringLiteral("cluster \"alpha\" is already running: master pid %1").arg(alpha.pid())), qPrintable(againOutput));
    const auto [betaAgain, betaAgainOutput] = runToEnd({QStringLiteral("run"), betaFile, QStringLiteral("--detach"),
                                                        QStringLiteral("--log-file"), runtime.filePath(QStringLiteral("beta.log"))}, environment);
    QCOMPARE(betaAgain, 5);
    QVERIFY2(betaAgainOutput.contains(QStringLiteral("the cluster \"beta\" did not start: clustr-qt run exited with code 5"))
                 && betaAgainOutput.contains(QStringLiteral("cluster \"beta\" is already running: master pid %1").arg(beta.pid())),
             qPrintable(betaAgainOutput));
    QVERIFY(alpha.isRunning());
    QVERIFY(beta.isRunning());

    const QList<QPair<QString, qint64>> masters{{QStringLiteral("alpha"), alpha.pid()}, {QStringLiteral("beta"), beta.pid()},
                                                {QStringLiteral("gamma"), gamma}};
    for (const auto &[name, pid] : masters) {
        const auto [code, output] = runToEnd({QStringLiteral("status"), QStringLiteral("--cluster"), name}, environment);
        QVERIFY2(code == 0 && output.startsWith(QStringLiteral("cluster \"%1\" at ").arg(name)), qPrintable(output));
    }
    const auto [listed, list] = runToEnd({QStringLiteral("ls")}, environment);
    QCOMPARE(listed, 0);
    for (const auto &[name, pid] : masters) {
        const int workers = name == QLatin1String("alpha") ? 2 : 1;
        const QRegularExpression row(QStringLiteral("^%1 +%2 +\\S+ +%3 +%3/%3 ").arg(name).arg(pid).arg(workers), QRegularExpression::MultilineOption);
        QVERIFY2(row.match(list).hasMatch(), qPrintable(list));
    }

    // Without --cluster nothing is found among several, and the message says what runs.
    const auto [unnamed, unnamedOutput] = runToEnd({QStringLiteral("status")}, environment);
    QCOMPARE(unnamed, 3);
    QVERIFY2(unnamedOutput.contains(QStringLiteral("running on this host: \"alpha\" (--cluster alpha), \"beta\" (--cluster beta), \"gamma\" (--cluster gamma)")),
             qPrintable(unnamedOutput));

    for (const QString &name : {QStringLiteral("alpha"), QStringLiteral("gamma")})
        QCOMPARE(runToEnd({QStringLiteral("stop"), QStringLiteral("--cluster"), name}, environment).first, 0);
    QVERIFY(alpha.waitForFinished());
    QVERIFY(QTest::qWaitFor([gamma] { return processGone(gamma); }, 15000));
    // One cluster left here: it is the one meant without --cluster.
    const auto [only, onlyOutput] = runToEnd({QStringLiteral("status")}, environment);
    QVERIFY2(only == 0 && onlyOutput.startsWith(QStringLiteral("cluster \"beta\" at ")), qPrintable(onlyOutput));
    QCOMPARE(runToEnd({QStringLiteral("stop")}, environment).first, 0);
    QVERIFY(beta.waitForFinished());
    const auto [none, noneOutput] = runToEnd({QStringLiteral("ls")}, environment);
    QVERIFY2(none == 0 && noneOutput.contains(QStringLiteral("no cluster runs here")), qPrintable(noneOutput));
}

// One name for one cluster: a file without a "name" runs the unnamed
// cluster, and every program calls it by the file's base name.
void tst_Daemon::anUnnamedClusterIsCalledByItsFileName()
{
    const QString path = writeCluster(QStringLiteral("storefront.json"), {
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 1)}},
    });
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()});
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 1 worker")), qPrintable(d.output() + d.errors()));
    QVERIFY2(d.output().contains(QStringLiteral("of cluster \"storefront\"")), qPrintable(d.output()));
    QVERIFY2(!d.output().contains(QStringLiteral("1 workers")), qPrintable(d.output()));
    auto why = [&](const QString &text) { return (text + QStringLiteral(" [daemon %1] ").arg(d.pid()) + d.output() + d.errors()).toUtf8(); };
    const QStringList redis{QStringLiteral("--redis"), m_redis.url()};
    const auto [statusCode, status] = runToEnd(QStringList{QStringLiteral("status")} + redis);
    QVERIFY2(statusCode == 0 && status.startsWith(QStringLiteral("cluster \"storefront\" at ")), why(status).constData());
    // ... and finds it by that name.
    const auto [byName, byNameStatus] = runToEnd(QStringList{QStringLiteral("status"), QStringLiteral("--cluster"), QStringLiteral("storefront")} + redis);
    QVERIFY2(byName == 0 && byNameStatus.startsWith(QStringLiteral("cluster \"storefront\" at ")), why(byNameStatus).constData());
    const auto [other, otherOutput] = runToEnd(QStringList{QStringLiteral("status"), QStringLiteral("--cluster"), QStringLiteral("backoffice")} + redis);
    QVERIFY2(other == 4 && otherOutput.contains(QStringLiteral("no cluster \"backoffice\" is running")), why(otherOutput).constData());
    const auto [published, publishOutput] = runToEnd(QStringList{QStringLiteral("publish"), QStringLiteral("hi")} + redis);
    QVERIFY2(published == 0 && publishOutput.contains(QStringLiteral("published to cluster \"storefront\": ")), why(publishOutput).constData());
    const auto [stopped, stopOutput] = runToEnd(QStringList{QStringLiteral("stop")} + redis);
    QVERIFY2(stopped == 0 && stopOutput.contains(QStringLiteral("stopped cluster \"storefront\": ")), why(stopOutput).constData());
    QVERIFY(d.waitForFinished());
}

// Someone made our runtime directory first (here: readable by all): the
// embedded Redis' socket and record do not go there.
void tst_Daemon::runtimeDirectoryOfSomeoneElseIsRefused()
{
    if (defaultRedisAnswers())
        QSKIP("a Redis answers at 127.0.0.1:6379 here, so the daemon rightly uses it instead of an embedded one");
    QTemporaryDir runtime;
    const QString directory = runtime.filePath(QStringLiteral("clustr-qt"));
    QVERIFY(QDir().mkdir(directory));
    QVERIFY(QFile::setPermissions(directory, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup
                                                 | QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
    const QProcessEnvironment environment = withRuntimeDirectory(runtime.path());
    const QString path = writeCluster(QStringLiteral("hijacked.json"), {
        {QStringLiteral("name"), QStringLiteral("hijacked")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 1)}},
    });
    const auto [code, output] = runToEnd({QStringLiteral("run"), path}, environment);
    QCOMPARE(code, 3);
    QVERIFY2(output.contains(QStringLiteral("refusing the runtime directory %1: its mode is 0755").arg(directory)), qPrintable(output));
    QVERIFY(QDir(directory).isEmpty());
}

void tst_Daemon::namesKeepClustersApartAndTheSameNameIsRefused()
{
    const QString shop = writeCluster(QStringLiteral("shop.json"), {
        {QStringLiteral("name"), QStringLiteral("shop")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 2)}},
    });
    const QString blog = writeCluster(QStringLiteral("blog.json"), {
        {QStringLiteral("name"), QStringLiteral("blog")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 1)}},
    });
    Daemon first({QStringLiteral("run"), shop, QStringLiteral("--redis"), m_redis.url()});
    QVERIFY2(first.waitForOutput(QStringLiteral("cluster started: 2 workers")), qPrintable(first.output() + first.errors()));

    const auto [code, output] = runToEnd({QStringLiteral("run"), shop, QStringLiteral("--redis"), m_redis.url()});
    QCOMPARE(code, 5);
    QVERIFY2(output.contains(QStringLiteral("cluster \"shop\" is already running on %1: master pid %2 on host ").arg(m_redis.url()).arg(first.pid())),
             qPrintable(output));

    Daemon second({QStringLiteral("run"), blog, QStringLiteral("--redis"), m_redis.url()});
    QVERIFY2(second.waitForOutput(QStringLiteral("cluster started: 1 worker")), qPrintable(second.output() + second.errors()));
    // Each master counts only its own workers, on its own channels.
    auto statusOf = [this](const QString &name) {
        return QJsonDocument::fromJson(m_redis.keyCli({QStringLiteral("GET"), m_redis.clusterKey(name, QStringLiteral("status"))})).object();
    };
    QTRY_COMPARE(statusOf(QStringLiteral("shop")).value(QStringLiteral("processes")).toArray().size(), 2);
    QTRY_COMPARE(statusOf(QStringLiteral("blog")).value(QStringLiteral("processes")).toArray().size(), 1);
    const QList<qint64> shopPids = pidsIn(first.output(), QStringLiteral("registered"));
    const QList<qint64> blogPids = pidsIn(second.output(), QStringLiteral("registered"));
    QCOMPARE(shopPids.size(), 2);
    QCOMPARE(blogPids.size(), 1);
    QVERIFY(!shopPids.contains(blogPids.constFirst()));
    const QByteArray channels = m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("CHANNELS"), QStringLiteral("*group:web")});
    QVERIFY2(channels.contains("shop:group:web") && channels.contains("blog:group:web"), channels.constData());
    first.signal(SIGTERM);
    second.signal(SIGTERM);
    QVERIFY(first.waitForFinished());
    QVERIFY(second.waitForFinished());
}

void tst_Daemon::aKilledDaemonIsReplacedAtOnce()
{
    const QString path = writeCluster(QStringLiteral("crash.json"), {
        {QStringLiteral("name"), QStringLiteral("crash")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 1)}},
    });
    const QStringList run{QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()};
    auto first = std::make_unique<Daemon>(run);
    QVERIFY2(first->waitForOutput(QStringLiteral("cluster started: 1 worker")), qPrintable(first->output() + first->errors()));
    const qint64 firstPid = first->pid();
    first->signal(SIGKILL);
    QVERIFY(first->waitForFinished());
    first.reset();
    // Its lock outlives it for a few seconds: the master it names is gone.
    QCOMPARE(m_redis.keyCli({QStringLiteral("EXISTS"), m_redis.clusterKey(QStringLiteral("crash"), QStringLiteral("lock"))}).trimmed(), QByteArray("1"));

    // Started again at once (as systemd's Restart= does), it need not wait.
    Daemon second(run);
    QVERIFY(QTest::qWaitFor([&] { return second.output().contains(QStringLiteral("cluster started: 1 worker")) || !second.isRunning(); }, 15000));
    QVERIFY2(second.isRunning(), qPrintable(QStringLiteral("exit code %1: ").arg(second.exitCode()) + second.output() + second.errors()));
    QVERIFY2(second.output().contains(QStringLiteral("cluster \"crash\" was locked by master pid %1 on %2, which is gone: lock taken over")
                                          .arg(firstPid).arg(QSysInfo::machineHostName())),
             qPrintable(second.output()));
    second.signal(SIGTERM);
    QVERIFY(second.waitForFinished());
    QCOMPARE(second.exitCode(), 15);
}

void tst_Daemon::aLockOfALiveProcessOrAnotherHostIsRespected()
{
    const QString path = writeCluster(QStringLiteral("held.json"), {
        {QStringLiteral("name"), QStringLiteral("held")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 1)}},
    });
    const QStringList run{QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()};
    const QString key = m_redis.clusterKey(QStringLiteral("held"), QStringLiteral("lock"));
    const auto cleanup = qScopeGuard([&] { m_redis.keyCli({QStringLiteral("DEL"), key}); });
    auto lockedBy = [&](const QString &value) { m_redis.keyCli({QStringLiteral("SET"), key, value, QStringLiteral("PX"), QStringLiteral("60000")}); };
    const QString host = QSysInfo::machineHostName();
    const QString table = QString::fromLatin1(processTableIdentity());
    QVERIFY(!table.isEmpty());
    const QString self = QString::number(QCoreApplication::applicationPid());
    const QString selfStart = QString::fromLatin1(startTimeOf(QCoreApplication::applicationPid()));
    const QString dead = QString::number(readPidMax() + 1); // never runs here

    // Respected: holders that cannot be checked from here, and one that runs.
    const QList<QPair<QString, QString>> respected{
        {dead + QStringLiteral("@elsewhere#1#0b0e0b0e-0000-4000-8000-000000000000:4026531836"),                            // another host (boot)
         QStringLiteral("master pid %1 on host elsewhere").arg(dead)},
        {dead + QLatin1Char('@') + host + QStringLiteral("#1#") + table.section(QLatin1Char(':'), 0, 0) + QStringLiteral(":1"), // another pid namespace
         QStringLiteral("master pid %1 on host %2").arg(dead, host)},
        {dead + QLatin1Char('@') + host, QStringLiteral("master pid %1 on host %2").arg(dead, host)},                     // no start, no table
        {self + QLatin1Char('@') + host + QLatin1Char('#') + selfStart + QLatin1Char('#') + table,                        // this test: it runs
         QStringLiteral("master pid %1 on host %2").arg(self, host)},
    };
    for (const auto &[value, expected] : respected) {
        lockedBy(value);
        const auto [code, output] = runToEnd(run);
        QVERIFY2(code == 5 && output.contains(expected), qPrintable(QStringLiteral("%1: exit code %2: %3").arg(value).arg(code).arg(output)));
    }

    // The same pid with another start time is a later process: the holder is gone.
    lockedBy(self + QLatin1Char('@') + host + QStringLiteral("#1#") + table);
    Daemon d(run);
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 1 worker")), qPrintable(d.output() + d.errors()));
    QVERIFY(d.output().contains(QStringLiteral("was locked by master pid %1 on %2, which is gone: lock taken over").arg(self, host)));
    d.signal(SIGTERM);
    QVERIFY(d.waitForFinished());
}

void tst_Daemon::aKilledDaemonLeavesNoProcessBehind()
{
    // Shells that start background children: processes no clustr-qt process
    // supervises, one level under the master and one under a cluster worker.
    const QString script = writeFile(QStringLiteral("sleepers.sh"), "sleep 1000 &\nsleep 1000 &\nwait\n");
    const QJsonObject shell{{QStringLiteral("file"), script}, {QStringLiteral("command"), QStringLiteral("/bin/sh")},
                            {QStringLiteral("register"), false}, {QStringLiteral("group"), QStringLiteral("shell")}};
    const QString path = writeCluster(QStringLiteral("tree.json"), {
        {QStringLiteral("name"), QStringLiteral("tree")},
        {QStringLiteral("workers"), QJsonArray{shell, workerEntry(QStringLiteral("web"), 1, {
            {QStringLiteral("spawn"), QString::fromUtf8(QJsonDocument(QJsonArray{shell}).toJson(QJsonDocument::Compact))}})}},
    });
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()});
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 1 worker")), qPrintable(d.output() + d.errors()));
    QList<qint64> tree;
    const auto cleanup = qScopeGuard([&tree] {
        for (qint64 pid : std::as_const(tree))
            ::kill(pid_t(pid), SIGKILL);
    });
    auto sleepers = [&tree] {
        return std::count_if(tree.cbegin(), tree.cend(), [](qint64 pid) { return commandOf(pid) == "sleep"; });
    };
    QVERIFY(QTest::qWaitFor([&] { tree = descendantsOf(d.pid()); return sleepers() == 4; }, 15000));

    d.signal(SIGKILL);
    QVERIFY(d.waitForFinished());
    auto survivors = [&tree] {
        QStringList alive;
        for (qint64 pid : std::as_const(tree)) {
            if (!processGone(pid))
                alive.append(QStringLiteral("%1 (%2)").arg(pid).arg(QString::fromUtf8(commandOf(pid))));
        }
        return alive;
    };
    const bool allGone = QTest::qWaitFor([&] { return survivors().isEmpty(); }, 10000);
    QVERIFY2(allGone, qPrintable(QStringLiteral("%1 of %2 descendants outlived the daemon: ").arg(survivors().size()).arg(tree.size())
                                                + survivors().join(QStringLiteral(", "))));
}

void tst_Daemon::unreachableRedisFailsClearly()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const int port = probe.serverPort();
    probe.close();
    const QString path = writeCluster(QStringLiteral("unreachable.json"), {
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"))}},
    });
    const auto [code, output] = runToEnd({QStringLiteral("run"), path, QStringLiteral("--redis"), QStringLiteral("redis://127.0.0.1:%1").arg(port)});
    QCOMPARE(code, 3);
    QVERIFY2(output.contains(QStringLiteral("cannot reach Redis at redis://127.0.0.1:%1").arg(port)), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("Connection refused")), qPrintable(output));
    QVERIFY(!output.contains(QStringLiteral("spawned")));
}

void tst_Daemon::metricsAreServed()
{
    const QString path = writeCluster(QStringLiteral("metrics.json"), {
        {QStringLiteral("name"), QStringLiteral("metered")},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"), 2), workerEntry(QStringLiteral("cache"))}},
    });
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--metrics"), QStringLiteral("127.0.0.1:0")});
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started: 3 workers")), qPrintable(d.output() + d.errors()));
    const quint16 port = metricsPort(d.output());
    QVERIFY(port != 0);

    // Heartbeats fill in the per-process figures within a second or two.
    QByteArray body;
    QVERIFY(QTest::qWaitFor([&] {
        body = scrapeMetrics(port);
        return body.count("clustr_process_resident_memory_bytes{") == 3;
    }, 15000));

    // Every sample line is well-formed exposition text.
    const QRegularExpression sample(QStringLiteral(R"(^[a-z_]+(\{([a-z]+="[^"]*",?)*\})? -?[0-9.e+]+$)"));
    int samples = 0;
    for (const QByteArray &line : body.split('\n')) {
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        QVERIFY2(sample.match(QString::fromUtf8(line)).hasMatch(), line.constData());
        ++samples;
    }
    QVERIFY(samples > 20);
    QVERIFY2(body.contains("clustr_workers{cluster=\"metered\",group=\"web\"} 2\n"), body.constData());
    QVERIFY(body.contains("clustr_workers{cluster=\"metered\",group=\"cache\"} 1\n"));
    QVERIFY(body.contains("clustr_redis_connected{cluster=\"metered\"} 1\n"));
    QVERIFY(body.contains("clustr_process_events_total{cluster=\"metered\",group=\"master\""));
    QVERIFY(body.contains(",counter=\"emitPublic\"}"));

    // The Grafana dashboard in docs/ asks only for what is served.
    QFile dashboardFile(QStringLiteral(CLUSTR_SOURCE_DIR "/docs/grafana-dashboard.json"));
    QVERIFY(dashboardFile.open(QIODevice::ReadOnly));
    const QJsonArray panels = QJsonDocument::fromJson(dashboardFile.readAll()).object().value(QStringLiteral("panels")).toArray();
    QVERIFY(!panels.isEmpty());
    static const QRegularExpression metricName(QStringLiteral("\\bclustr_[a-z_]+"));
    int asked = 0;
    for (const QJsonValue &panel : panels) {
        for (const QJsonValue &target : panel.toObject().value(QStringLiteral("targets")).toArray()) {
            const QString expr = target.toObject().value(QStringLiteral("expr")).toString();
            for (auto it = metricName.globalMatch(expr); it.hasNext(); ++asked) {
                const QString name = it.next().captured();
                QVERIFY2(body.contains("# TYPE " + name.toUtf8() + ' '), qPrintable(name));
            }
        }
    }
    QVERIFY(asked >= 10);

    // Per-process series go by slot (group, instance), the pid only in the
    // info metric: a restarted worker continues its series.
    for (const QByteArray &line : body.split('\n')) {
        if (line.startsWith("clustr_process_") && !line.startsWith("clustr_process_info{"))
            QVERIFY2(!line.contains("pid=") && line.contains(",instance=\""), line.constData());
    }
    static const QRegularExpression info(QStringLiteral(R"re(^clustr_process_info\{cluster="metered",group="web",instance="(\d)",pid="(\d+)",host="[^"]*"\} 1$)re"),
                                         QRegularExpression::MultilineOption);
    auto webSlots = [](const QByteArray &text) {
        QMap<QString, qint64> pids;
        for (auto it = info.globalMatch(QString::fromUtf8(text)); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            pids.insert(m.captured(1), m.captured(2).toLongLong());
        }
        return pids;
    };
    const QMap<QString, qint64> before = webSlots(body);
    QCOMPARE(before.keys(), (QStringList{QStringLiteral("0"), QStringLiteral("1")}));
    QVERIFY(body.contains("clustr_process_restarts_total{cluster=\"metered\",group=\"web\",instance=\"1\"} 0\n"));
    QVERIFY(body.contains("clustr_process_resident_memory_bytes{cluster=\"metered\",group=\"cache\",instance=\"0\"} "));
    QCOMPARE(::kill(pid_t(before.value(QStringLiteral("1"))), SIGKILL), 0);
    QVERIFY2(QTest::qWaitFor([&] {
        body = scrapeMetrics(port);
        const QMap<QString, qint64> now = webSlots(body);
        return now.size() == 2 && now.value(QStringLiteral("1")) != before.value(QStringLiteral("1"))
            && now.value(QStringLiteral("0")) == before.value(QStringLiteral("0"))
            && body.contains("clustr_process_restarts_total{cluster=\"metered\",group=\"web\",instance=\"1\"} 1\n");
    }, 15000), body.constData());

    d.signal(SIGTERM);
    QVERIFY(d.waitForFinished());
}

void tst_Daemon::logFilesRotate()
{
    const QString script = writeFile(QStringLiteral("chatty.sh"),
                                     "i=0; while [ $i -lt 300 ]; do echo \"line $i of a chatty worker\"; i=$((i+1)); done\n"
                                     "echo done >&2\nexec sleep 60\n");
    const QString logs = m_dir.filePath(QStringLiteral("logs"));
    const QString path = writeCluster(QStringLiteral("logs.json"), {
        {QStringLiteral("name"), QStringLiteral("logged")},
        {QStringLiteral("logs"), QJsonObject{{QStringLiteral("directory"), QStringLiteral("logs")}, {QStringLiteral("maxSize"), 2048}, {QStringLiteral("keep"), 2}}},
        {QStringLiteral("workers"), QJsonArray{
            QJsonObject{{QStringLiteral("file"), QStringLiteral("chatty.sh")}, {QStringLiteral("command"), QStringLiteral("sh")},
                        {QStringLiteral("register"), false}, {QStringLiteral("group"), QStringLiteral("chatty")}},
            workerEntry(QStringLiteral("web")),
        }},
    });
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()});
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started")), qPrintable(d.output() + d.errors()));
    // 300 lines of ~60 bytes through 2 KiB files: many rotations, 2 kept.
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(logs + QStringLiteral("/chatty-0.log.2")), 10000);
    QTRY_VERIFY(QFile(logs + QStringLiteral("/chatty-0.log")).size() > 0);
    QTRY_VERIFY([&] {
        QFile current(logs + QStringLiteral("/chatty-0.log"));
        current.open(QIODevice::ReadOnly);
        return current.readAll().contains(" ! done");
    }());
    QStringList files = QDir(logs).entryList({QStringLiteral("chatty-0.log*")}, QDir::Files, QDir::Name);
    QCOMPARE(files, (QStringList{QStringLiteral("chatty-0.log"), QStringLiteral("chatty-0.log.1"), QStringLiteral("chatty-0.log.2")}));
    for (const QString &file : files)
        QVERIFY(QFileInfo(logs + QLatin1Char('/') + file).size() <= 2048 + 200);
    QVERIFY(QFile::exists(logs + QStringLiteral("/web-0.log")));
    QVERIFY2(!d.output().contains(QStringLiteral("chatty worker")), "with a log directory, output goes to the files only");
    // The files are the complete record; Redis keeps the last lines as well, for `clustr-qt logs`.
    const QStringList readKept{QStringLiteral("LRANGE"), m_redis.clusterKey(QStringLiteral("logged"), QStringLiteral("logs")), QStringLiteral("0"), QStringLiteral("-1")};
    QTRY_VERIFY_WITH_TIMEOUT(m_redis.keyCli(readKept).contains("\"stream\":\"err\",\"text\":\"done\""), 10000);
    QVERIFY(m_redis.keyCli(readKept).contains("\"text\":\"line 299 of a chatty worker\""));

    // SIGUSR1: an external logrotate moved the file; we write to a new one.
    QVERIFY(QFile::rename(logs + QStringLiteral("/web-0.log"), logs + QStringLiteral("/web-0.log.moved")));
    d.signal(SIGUSR1);
    QVERIFY(d.waitForOutput(QStringLiteral("log files reopened")));
    d.signal(SIGHUP); // the reloaded worker prints again
    QVERIFY(d.waitForOutput(QStringLiteral("cluster reloaded")));
    QTRY_VERIFY(QFile::exists(logs + QStringLiteral("/web-0.log")));

    d.signal(SIGTERM);
    QVERIFY(d.waitForFinished());
}

void tst_Daemon::aFullDiskIsCountedWarnedOnceAndShown()
{
    // A worker prints 1000 lines into a log directory on a 16 KiB tmpfs: the
    // disk fills after a few hundred. Its second run (after the test made
    // room) prints one line.
    const QString logs = m_dir.filePath(QStringLiteral("fulllogs"));
    QVERIFY(QDir().mkpath(logs));
    const auto wrapper = tinyDisk(logs, QStringLiteral("16k"));
    if (!wrapper)
        QSKIP("cannot mount a tmpfs in a private mount namespace here (needs root or unprivileged user namespaces)");
    const QString script = writeFile(QStringLiteral("filler.sh"),
                                     "if [ -e \"$0.ran\" ]; then echo 'the disk has room again'; exec sleep 600; fi\n"
                                     ": > \"$0.ran\"\n"
                                     "i=0; while [ $i -lt 1000 ]; do echo \"line $i of a worker whose log disk fills up\"; i=$((i+1)); done\n"
                                     "echo done >&2\nexec sleep 600\n");
    const QString path = writeScriptCluster(QStringLiteral("fulldisk"), script, QStringLiteral("filler"), QStringLiteral("fulllogs"));
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--metrics"), QStringLiteral("127.0.0.1:0")},
             QProcessEnvironment::systemEnvironment(), *wrapper);
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started")), qPrintable(d.output() + d.errors()));
    const quint16 port = metricsPort(d.output());
    QVERIFY(port != 0);
    // The tmpfs exists in the daemon's mount namespace only: we look through its root.
    const QString logFile = QStringLiteral("/proc/%1/root%2/filler-0.log").arg(d.pid()).arg(logs);
    auto linesInFile = [&logFile] {
        QFile file(logFile);
        return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : qsizetype(-1);
    };

    // Every one of the 1001 lines is in the file or counted as dropped.
    const QRegularExpression sample(QStringLiteral(R"(clustr_child_dropped_output_lines_total\{cluster="fulldisk",group="filler",index="0"\} (\d+))"));
    qsizetype written = 0;
    qint64 dropped = -1;
    const bool accounted = QTest::qWaitFor([&] {
        const auto match = sample.match(QString::fromUtf8(scrapeMetrics(port)));
        dropped = match.hasMatch() ? match.captured(1).toLongLong() : -1;
        written = linesInFile();
        return dropped >= 0 && written + dropped == 1001;
    }, 20000);
    QVERIFY2(accounted, qPrintable(QStringLiteral("%1 lines written, %2 dropped; daemon: %3").arg(written).arg(dropped).arg(d.errors())));
    QVERIFY2(written > 100 && dropped > 100, qPrintable(QStringLiteral("%1 written, %2 dropped").arg(written).arg(dropped)));

    // One warning for the file, naming it and the system's reason.
    QCOMPARE(d.errors().count(QStringLiteral("cannot write log file")), 1);
    QVERIFY2(d.errors().contains(logs + QStringLiteral("/filler-0.log: No space left on device")), qPrintable(d.errors()));

    // `clustr-qt status` shows the count (its snapshot is refreshed once a second).
    QString status;
    const QRegularExpression row(QStringLiteral(R"(\nfiller\s+0\s+\d+\s+%1(\n|$))").arg(dropped));
    QVERIFY2(QTest::qWaitFor([&] {
        const auto [code, output] = runToEnd({QStringLiteral("status"), QStringLiteral("--cluster"), QStringLiteral("fulldisk"),
                                               QStringLiteral("--redis"), m_redis.url()});
        status = output;
        return code == 0 && row.match(status).hasMatch();
    }, 10000), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("output lines that could not be written")), qPrintable(status));

    // Room again: the worker's next line is written, and the daemon says so once.
    QVERIFY(QFile(logFile).resize(0));
    const qint64 fillerPid = pidsIn(d.output(), QStringLiteral("spawned")).value(0);
    QVERIFY(fillerPid > 0);
    ::kill(pid_t(fillerPid), SIGTERM); // respawned at once, it prints one line
    QVERIFY2(QTest::qWaitFor([&] {
        QFile file(logFile);
        return file.open(QIODevice::ReadOnly) && file.readAll().contains("the disk has room again");
    }, 15000), qPrintable(d.output() + d.errors()));
    // Said on stderr once the line is in the file: its pipe may be read later.
    QVERIFY2(d.waitForErrors(QStringLiteral("%1/filler-0.log is writable again; %2 lines were dropped").arg(logs).arg(dropped)),
             qPrintable(d.errors()));
    QCOMPARE(d.errors().count(QStringLiteral("cannot write log file")), 1);

    d.signal(SIGTERM);
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 15);
}

void tst_Daemon::aFileSizeLimitDoesNotEndTheCluster()
{
    // A file-size limit (ulimit -f, systemd's LimitFSIZE=) on the daemon: a
    // write past it raises SIGXFSZ, which must not end the daemon and with
    // it every worker. The line is dropped and counted like on a full disk.
    const QString script = writeFile(QStringLiteral("limited.sh"),
                                     "i=0; while [ $i -lt 300 ]; do echo \"line $i of a worker with a file-size limit\"; i=$((i+1)); done\n"
                                     "exec sleep 600\n");
    const QString path = writeScriptCluster(QStringLiteral("limited"), script, QStringLiteral("limited"), QStringLiteral("limitedlogs"));
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()}, QProcessEnvironment::systemEnvironment(), {}, [] {
        const rlimit limit{4096, 4096};
        ::setrlimit(RLIMIT_FSIZE, &limit);
    });
    QVERIFY2(d.waitForOutput(QStringLiteral("cluster started")), qPrintable(d.output() + d.errors()));
    QVERIFY(QTest::qWaitFor([&] { return d.errors().contains(QStringLiteral("limited-0.log: File too large")) || !d.isRunning(); }, 15000));
    QVERIFY2(d.isRunning(), qPrintable(QStringLiteral("the daemon ended: %1").arg(d.describeEnd())));
    QVERIFY2(d.errors().contains(QStringLiteral("limited-0.log: File too large")), qPrintable(d.output() + d.errors()));
    QCOMPARE(QFileInfo(m_dir.filePath(QStringLiteral("limitedlogs/limited-0.log"))).size(), 4096);
    d.signal(SIGTERM);
    QVERIFY(d.waitForFinished());
    QCOMPARE(d.exitCode(), 15);
}

void tst_Daemon::systemdNotifications()
{
    // Our own NOTIFY_SOCKET, as systemd would pass it.
    const QString socketPath = m_dir.filePath(QStringLiteral("notify.sock"));
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    QVERIFY(fd >= 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    strncpy(address.sun_path, QFile::encodeName(socketPath).constData(), sizeof address.sun_path - 1);
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    QStringList received;
    QSocketNotifier notifier(fd, QSocketNotifier::Read);
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        char buffer[512];
        ssize_t n;
        while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0)
            received.append(QString::fromUtf8(buffer, int(n)));
    });

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("NOTIFY_SOCKET"), socketPath);
    const QString path = writeCluster(QStringLiteral("notify.json"), {
        {QStringLiteral("name"), QStringLiteral("notified")},
        {QStringLiteral("reloadDelay"), 0},
        {QStringLiteral("workers"), QJsonArray{workerEntry(QStringLiteral("web"))}},
    });
    Daemon d({QStringLiteral("run"), path, QStringLiteral("--redis"), m_redis.url()}, environment);
    QTRY_VERIFY_WITH_TIMEOUT(!received.isEmpty(), 15000);
    QVERIFY2(received.at(0).startsWith(QStringLiteral("READY=1\n")), qPrintable(received.join(QLatin1Char('|'))));
    d.signal(SIGHUP);
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 3, 15000);
    QVERIFY(received.at(1).startsWith(QStringLiteral("RELOADING=1")));
    QVERIFY(received.at(2).startsWith(QStringLiteral("READY=1")));
    d.signal(SIGTERM);
    QTRY_COMPARE(received.size(), 4);
    QVERIFY(received.at(3).startsWith(QStringLiteral("STOPPING=1")));
    QVERIFY(d.waitForFinished());
    ::close(fd);
}

QTEST_GUILESS_MAIN(tst_Daemon)
#include "tst_daemon.moc"
