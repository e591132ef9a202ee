// SPDX-License-Identifier: MIT
// A running master seen and driven from outside: announcement, status
// snapshot, lifecycle events, messages, reload and stop through ClusterClient.
#include "redisserver.h"
#include "testprocess.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QJsonArray>
#include <QtCore/QScopeGuard>
#include <QtNetwork/QLocalSocket>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

#include <memory>

#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <csignal>

using Clustr::ClusterClient;

namespace {

QJsonObject workerSpec(const QString &group, int instances = 1)
{
    return {{QStringLiteral("file"), QStringLiteral("clustr-test-worker")},
            {QStringLiteral("instances"), instances},
            {QStringLiteral("args"), QJsonObject{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true}, {QStringLiteral("ready"), true}}}};
}

} // namespace

class tst_ClusterClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void noClusterRunning();
    void followsARunningCluster();
    void namesKeepClustersApart();
    void lateEventsOfALeavingMasterArrive();
    void discoverRedisUrl();
    void recordsAreTrustedOnlyInAPrivateDirectory_data();
    void recordsAreTrustedOnlyInAPrivateDirectory();
    void recordedSocketOfAnotherUserIsNotTrusted();
    void recordIsWrittenThroughNoSymlink();

private:
    void followFast(ClusterClient &client) const;
    RedisServer m_redis;
};

// A client of the test's Redis that polls ten times a second.
void tst_ClusterClient::followFast(ClusterClient &client) const
{
    client.setRedisUrl(m_redis.url());
    client.setPollInterval(std::chrono::milliseconds(100));
}

void tst_ClusterClient::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void tst_ClusterClient::noClusterRunning()
{
    ClusterClient client;
    client.setRedisUrl(m_redis.url());
    QSignalSpy status(&client, &ClusterClient::statusUpdated);
    QVERIFY(client.open());
    QTRY_VERIFY(client.isConnected());
    client.refresh();
    QTest::qWait(200); // a refresh that finds nothing signals nothing; give it time to answer
    QVERIFY(!client.isClusterRunning());
    QCOMPARE(client.masterPid(), 0);
    QVERIFY(!client.reload());
    QVERIFY(!client.stop());
    QVERIFY(!client.kill(1234, 300));

    ClusterClient bad;
    bad.setRedisUrl(QStringLiteral("localhost:6379"));
    QSignalSpy errors(&bad, &ClusterClient::errorOccurred);
    QVERIFY(!bad.open());
    QCOMPARE(errors.count(), 1);
}

void tst_ClusterClient::followsARunningCluster()
{
    TestProcess master;
    const QJsonArray specs{workerSpec(QStringLiteral("web"), 2)};
    QVERIFY(master.startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + m_redis.url(), QStringLiteral("--reload-delay=0"),
                                QStringLiteral("--spawn=") + QString::fromUtf8(QJsonDocument(specs).toJson(QJsonDocument::Compact))}));
    QVERIFY(master.waitForEvent(QStringLiteral("clusterStarted")));

    ClusterClient client;
    followFast(client);
    QSignalSpy events(&client, &ClusterClient::eventReceived);
    QVERIFY(client.open());
    QTRY_VERIFY(client.isClusterRunning());
    QCOMPARE(client.masterPid(), master.pid());
    // The master prints "clusterStarted" before its announcement saying so
    // has reached Redis: the client may first read the one of its start.
    QTRY_COMPARE(client.master().state(), Clustr::MasterInfo::State::Running);
    QCOMPARE(client.master().workerCount(), 2);

    // The status lists both workers with what their heartbeats said.
    QTRY_VERIFY(client.status().processes().size() == 2 && client.status().processes().at(0).heartbeat());
    const Clustr::ProcessStatus first = client.status().processes().at(0);
    QCOMPARE(first.group(), QStringLiteral("web"));
    QCOMPARE(first.ppid(), master.pid());
    QVERIFY(first.rssBytes() > 0);
    QCOMPARE(first.state(), Clustr::ChildInfo::State::Running);
    QVERIFY(first.startedAt().isValid());
    QVERIFY(!first.cpus().isEmpty());
    const qint64 workerPid = first.pid();

    // Fresh figures on request (an idle cluster sends none unasked): the
    // status the master writes once the answers are in says which request it answers.
    const QString sampleId = client.requestSamples();
    QVERIFY(!sampleId.isEmpty());
    QTRY_COMPARE(client.status().master().sampleId(), sampleId);
    QVERIFY(client.status().processes().at(1).rssBytes() > 0);
    // A watcher keeps asking while it samples.
    QSignalSpy asked(&client, &ClusterClient::messageObserved);
    client.watch(QStringLiteral("sampling:*"));
    QTRY_COMPARE(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMPAT")}).trimmed().toInt(), 1);
    QSignalSpy samplingChanged(&client, &ClusterClient::samplingChanged);
    client.setSampling(true);
    QCOMPARE(samplingChanged.size(), 1);
    QTRY_VERIFY(!asked.isEmpty());
    QCOMPARE(asked.at(0).at(0).value<Clustr::Message>().channel(), QStringLiteral("sampling:%1").arg(master.pid()));
    client.setSampling(false);
    client.unwatch();
    QTRY_COMPARE(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMPAT")}).trimmed().toInt(), 0);

    // Messages reach the workers (their events come through the master's output).
    client.sendGroup(QStringLiteral("web"), QStringLiteral("to the group"));
    client.send(workerPid, QStringLiteral("to one"));
    client.publish(QStringLiteral("to all"));
    QVERIFY(master.waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("data")).toString() == QLatin1String("to one"); }));
    QTRY_COMPARE(master.count(QStringLiteral("message"), [](const QJsonObject &e) {
        return e.contains(QStringLiteral("_from")) && e.value(QStringLiteral("data")).toString() == QLatin1String("to the group");
    }), 2);
    QVERIFY(master.waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) {
        return !e.contains(QStringLiteral("_from")) && e.value(QStringLiteral("data")).toString() == QLatin1String("to all");
    }));

    // watch() sees the traffic.
    QSignalSpy observed(&client, &ClusterClient::messageObserved);
    client.watch(QStringLiteral("group:*"));
    QTRY_COMPARE(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMPAT")}).trimmed().toInt(), 1);
    client.sendGroup(QStringLiteral("web"), QStringLiteral("seen"));
    QTRY_VERIFY(!observed.isEmpty());
    QCOMPARE(observed.at(0).at(0).value<Clustr::Message>().channel(), QStringLiteral("group:web"));
    QCOMPARE(observed.at(0).at(0).value<Clustr::Message>().data().toString(), QStringLiteral("seen"));
    QCOMPARE(observed.at(0).at(0).value<Clustr::Message>().kind(), Clustr::Message::Kind::Group);

    // A reload through the control channel, followed through events.
    QVERIFY(client.reload());
    using Event = Clustr::ClusterEvent;
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.cbegin(), events.cend(), [](const QList<QVariant> &e) {
        return e.at(0).value<Event>().type() == Event::Type::ClusterReloaded;
    }), 30000);
    int finishedSteps = 0;
    qint64 victim = 0;
    for (const auto &e : events) {
        const Event event = e.at(0).value<Event>();
        if (event.type() == Event::Type::ReloadStep && event.reloadPhase() == Event::ReloadPhase::Finished) {
            ++finishedSteps;
            victim = event.newPid(); // alive: a replacement
        }
    }
    QCOMPARE(finishedSteps, 2);

    // Kill one: the master reports it exited and respawned.
    QVERIFY(victim > 0);
    events.clear();
    QVERIFY(client.kill(victim, 1));
    QTRY_VERIFY(std::any_of(events.cbegin(), events.cend(), [victim](const QList<QVariant> &e) {
        const Event event = e.at(0).value<Event>();
        return event.type() == Event::Type::Respawned && event.oldPid() == victim && event.pid() > 0;
    }));

    // Stop with a code: the master exits with it and the announcement goes away.
    QSignalSpy running(&client, &ClusterClient::clusterRunningChanged);
    QVERIFY(client.stop(7));
    QVERIFY(master.waitForFinished(15000));
    QCOMPARE(master.exitCode(), 7);
    QTRY_VERIFY(!client.isClusterRunning());
    QVERIFY(!running.isEmpty());
    QCOMPARE(m_redis.cli({QStringLiteral("EXISTS"), QStringLiteral("clustr:master")}).trimmed(), QByteArray("0"));
}

void tst_ClusterClient::namesKeepClustersApart()
{
    TestProcess shop;
    QVERIFY(shop.startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + m_redis.url(), QStringLiteral("--cluster-namespace=shop")}));
    ClusterClient blog;
    blog.setRedisUrl(m_redis.url());
    blog.setClusterName(QStringLiteral("blog"));
    ClusterClient shopClient;
    shopClient.setRedisUrl(m_redis.url());
    shopClient.setClusterName(QStringLiteral("shop"));
    QVERIFY(blog.open());
    QVERIFY(shopClient.open());
    QTRY_VERIFY(shopClient.isClusterRunning());
    QCOMPARE(shopClient.masterPid(), shop.pid());
    // Closed and opened again, it finds the cluster anew and follows its events.
    shopClient.close();
    QVERIFY(!shopClient.isClusterRunning());
    QCOMPARE(shopClient.masterPid(), 0);
    QVERIFY(shopClient.open());
    QTRY_VERIFY(shopClient.isClusterRunning());
    QCOMPARE(shopClient.masterPid(), shop.pid());
    QTRY_VERIFY(shopClient.subscriber()->channels().contains("shop:events:" + QByteArray::number(shop.pid())));
    blog.refresh();
    QTRY_VERIFY(blog.isConnected());
    QVERIFY(!blog.isClusterRunning());
}

void tst_ClusterClient::lateEventsOfALeavingMasterArrive()
{
    // A master's last events are in the subscriber's socket, behind other
    // traffic, when a poll already finds its announcement gone: they are
    // still its events, and the client reports them (the monitor's "The
    // cluster is stopping" came from such an event).
    TestProcess master;
    QVERIFY(master.startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + m_redis.url()}));
    ClusterClient client;
    followFast(client);
    QSignalSpy events(&client, &ClusterClient::eventReceived);
    QVERIFY(client.open());
    QTRY_VERIFY(client.isClusterRunning());
    const QString eventsChannel = QStringLiteral("events:%1").arg(master.pid());
    QTRY_VERIFY(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMSUB"), eventsChannel}).endsWith("\n1\n"));
    // Frozen, the master neither writes its announcement again nor publishes.
    QVERIFY(::kill(pid_t(master.pid()), SIGSTOP) == 0);
    const auto resume = qScopeGuard([&] { ::kill(pid_t(master.pid()), SIGCONT); });

    // Published while this test does not run its event loop: about 1.9 MB
    // (read 16 KiB per pass of the loop) before the event, then the
    // announcement goes; the poll's answer comes long before the event is read.
    QProcess cli;
    cli.start(QStringLiteral("redis-cli"), m_redis.cliArguments());
    QVERIFY(cli.waitForStarted());
    const QByteArray filler(120 * 1024, 'x');
    for (int i = 0; i < 16; ++i) {
        cli.write("PUBLISH " + eventsChannel.toUtf8() + ' ' + filler + '\n');
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^ignored a malformed event of the master: .+")));
    }
    cli.write("PUBLISH " + eventsChannel.toUtf8() + " '{\"meta\":{\"pid\":" + QByteArray::number(master.pid())
              + ",\"group\":\"master\"},\"data\":{\"event\":\"stopping\",\"code\":9,\"time\":\"2026-12-02T10:00:00.000Z\"}}'\n");
    cli.write("DEL clustr:master\n");
    cli.closeWriteChannel();
    QVERIFY(cli.waitForFinished(10000));
    QVERIFY2(cli.readAllStandardOutput().trimmed().endsWith("1"), "the announcement was not deleted");
    client.refresh();
    QTRY_VERIFY(!client.isClusterRunning());
    using Event = Clustr::ClusterEvent;
    QTRY_VERIFY(std::any_of(events.cbegin(), events.cend(), [](const QList<QVariant> &e) {
        const Event event = e.at(0).value<Event>();
        return event.type() == Event::Type::Stopping && event.exitCode() == 9;
    }));
}

void tst_ClusterClient::discoverRedisUrl()
{
    const QByteArray saved = qgetenv("CLUSTR_REDIS");
    qputenv("CLUSTR_REDIS", "redis://10.0.0.1:1");
    QStringList tried;
    QCOMPARE(ClusterClient::discoverRedisUrl(QStringLiteral("x"), &tried), QStringLiteral("redis://10.0.0.1:1"));
    qunsetenv("CLUSTR_REDIS");
    tried.clear();
    QCOMPARE(ClusterClient::discoverRedisUrl(QStringLiteral("no-such-cluster-here"), &tried), QStringLiteral("redis://127.0.0.1:6379"));
    QCOMPARE(tried.size(), 3);
    QVERIFY(tried.at(1).contains(QStringLiteral("no-such-cluster-here.json")));
    if (!saved.isEmpty())
        qputenv("CLUSTR_REDIS", saved);
}

namespace {

// Where discoverRedisUrl() looks, for one test: XDG_RUNTIME_DIR set to a
// fresh directory, CLUSTR_REDIS unset, both restored at the end.
class RuntimeEnvironment
{
public:
    RuntimeEnvironment()
        : m_savedRuntime(qgetenv("XDG_RUNTIME_DIR"))
        , m_savedRedis(qgetenv("CLUSTR_REDIS"))
    {
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(m_root.path()));
        qunsetenv("CLUSTR_REDIS");
    }
    ~RuntimeEnvironment()
    {
        restore("XDG_RUNTIME_DIR", m_savedRuntime);
        restore("CLUSTR_REDIS", m_savedRedis);
    }
    bool isValid() const { return m_root.isValid(); }
    QString root() const { return m_root.path(); }
    QString directory() const { return m_root.filePath(QStringLiteral("clustr-qt")); }

    //! A record of cluster \a name naming \a url, written as `clustr-qt run` would by an attacker: plainly.
    bool plantRecord(const QString &directory, const QString &name, const QString &url) const
    {
        QFile file(directory + QLatin1Char('/') + name + QStringLiteral(".json"));
        const QJsonObject record{{QStringLiteral("pid"), double(QCoreApplication::applicationPid())},
                                 {QStringLiteral("redis"), url},
                                 {QStringLiteral("redisPid"), 0},
                                 {QStringLiteral("cluster"), name}};
        return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(record).toJson()) > 0;
    }

private:
    static void restore(const char *name, const QByteArray &value)
    {
        if (value.isEmpty())
            qunsetenv(name);
        else
            qputenv(name, value);
    }
    QTemporaryDir m_root;
    QByteArray m_savedRuntime;
    QByteArray m_savedRedis;
};

constexpr uid_t Nobody = 65534;

} // namespace

void tst_ClusterClient::recordsAreTrustedOnlyInAPrivateDirectory_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<bool>("trusted");
    QTest::newRow("ours, 0700") << QStringLiteral("private") << true;
    QTest::newRow("mode 0755") << QStringLiteral("0755") << false;
    QTest::newRow("another user's") << QStringLiteral("nobody") << false;
    QTest::newRow("a symlink to a private directory") << QStringLiteral("symlink") << false;
}

// Anyone may create /tmp/clustr-qt-UID before us: a record found there
// would make our CLI talk to their Redis.
void tst_ClusterClient::recordsAreTrustedOnlyInAPrivateDirectory()
{
    QFETCH(QString, setup);
    QFETCH(bool, trusted);
    if (setup == QLatin1String("nobody") && ::geteuid() != 0)
        QSKIP("giving a directory to another user needs root");
    RuntimeEnvironment runtime;
    QVERIFY(runtime.isValid());
    const QString directory = runtime.directory();
    QString recordsIn = directory;
    if (setup == QLatin1String("symlink")) {
        recordsIn = runtime.root() + QStringLiteral("/elsewhere");
        QVERIFY(QDir().mkdir(recordsIn));
        QVERIFY(::chmod(QFile::encodeName(recordsIn).constData(), 0700) == 0);
        QVERIFY(QFile::link(recordsIn, directory));
    } else {
        QVERIFY(QDir().mkdir(directory));
        QVERIFY(::chmod(QFile::encodeName(directory).constData(), setup == QLatin1String("0755") ? 0755 : 0700) == 0);
    }
    const QString planted = QStringLiteral("redis://127.0.0.1:1");
    QVERIFY(runtime.plantRecord(recordsIn, QStringLiteral("shop"), planted));
    if (setup == QLatin1String("nobody")) // after the record is in: the attacker's directory, the attacker's file
        QVERIFY(::chown(QFile::encodeName(directory).constData(), Nobody, Nobody) == 0);

    QStringList tried;
    const QString found = ClusterClient::discoverRedisUrl(QStringLiteral("shop"), &tried);
    QCOMPARE(found == planted, trusted);
    if (!trusted)
        QVERIFY2(tried.join(QLatin1Char('\n')).contains(QStringLiteral("refusing the runtime directory")), qPrintable(tried.join(QLatin1Char('\n'))));
    QString error;
    QCOMPARE(ClusterClient::prepareRuntimeDirectory(&error), trusted);
    QCOMPARE(error.isEmpty(), trusted);
}

// The record is ours, but the socket it names is served by someone else.
void tst_ClusterClient::recordedSocketOfAnotherUserIsNotTrusted()
{
    if (::geteuid() != 0)
        QSKIP("a server of another user needs root to start");
    RuntimeEnvironment runtime;
    QVERIFY(runtime.isValid());
    QString error;
    QVERIFY2(ClusterClient::prepareRuntimeDirectory(&error), qPrintable(error));

    // Ours: trusted.
    RedisServer::Options onASocket;
    onASocket.unixSocket = true;
    RedisServer own(onASocket);
    QVERIFY2(own.start(&error), qPrintable(error));
    QVERIFY(runtime.plantRecord(runtime.directory(), QStringLiteral("own"), own.url()));
    QCOMPARE(ClusterClient::discoverRedisUrl(QStringLiteral("own")), own.url());

    // Nobody's, in a directory nobody may write to.
    QTemporaryDir shared;
    QVERIFY(shared.isValid());
    QVERIFY(::chmod(QFile::encodeName(shared.path()).constData(), 0777) == 0);
    const QString socket = shared.filePath(QStringLiteral("r.sock"));
    QProcess foreign;
    foreign.setChildProcessModifier([] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::setgroups(0, nullptr) != 0 || ::setgid(Nobody) != 0 || ::setuid(Nobody) != 0)
            ::_exit(126);
    });
    foreign.start(QStringLiteral("redis-server"), {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--unixsocket"), socket,
                                                   QStringLiteral("--unixsocketperm"), QStringLiteral("777"), QStringLiteral("--save"),
                                                   QString(), QStringLiteral("--dir"), shared.path()});
    QVERIFY(foreign.waitForStarted());
    const auto stopForeign = qScopeGuard([&] {
        foreign.kill();
        foreign.waitForFinished();
    });
    // The socket file appears at bind(); the server answers once it listens.
    const auto answers = [&] {
        QLocalSocket probe;
        probe.connectToServer(socket);
        return probe.waitForConnected(100);
    };
    QVERIFY(QTest::qWaitFor([&] { return answers() || foreign.state() != QProcess::Running; }, 10000));
    QVERIFY2(foreign.state() == QProcess::Running, foreign.readAll().constData());
    QVERIFY(runtime.plantRecord(runtime.directory(), QStringLiteral("foreign"), QStringLiteral("unix://") + socket));
    QStringList tried;
    QCOMPARE(ClusterClient::discoverRedisUrl(QStringLiteral("foreign"), &tried), QStringLiteral("redis://127.0.0.1:6379"));
    QVERIFY2(tried.join(QLatin1Char('\n')).contains(QStringLiteral("not trusted")), qPrintable(tried.join(QLatin1Char('\n'))));
}

// A symlink planted where the record goes must not be followed (it could
// truncate any file of ours): the record replaces the link.
void tst_ClusterClient::recordIsWrittenThroughNoSymlink()
{
    RuntimeEnvironment runtime;
    QVERIFY(runtime.isValid());
    QString error;
    QVERIFY2(ClusterClient::prepareRuntimeDirectory(&error), qPrintable(error));
    const QString victim = runtime.root() + QStringLiteral("/victim");
    {
        QFile file(victim);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("precious\n");
    }
    const QString record = ClusterClient::recordFile(QStringLiteral("shop"));
    QVERIFY(QFile::link(victim, record));
    QVERIFY2(ClusterClient::writeRecord(QStringLiteral("shop"), QStringLiteral("redis://127.0.0.1:7"), 0, &error), qPrintable(error));
    QFile file(victim);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("precious\n"));
    QVERIFY(!QFileInfo(record).isSymLink());
    QCOMPARE(ClusterClient::discoverRedisUrl(QStringLiteral("shop")), QStringLiteral("redis://127.0.0.1:7"));
    QCOMPARE(QFileInfo(record).permissions() & (QFile::ReadGroup | QFile::ReadOther), QFileDevice::Permissions());
}

QTEST_GUILESS_MAIN(tst_ClusterClient)
#include "tst_clusterclient.moc"
