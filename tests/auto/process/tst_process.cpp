// SPDX-License-Identifier: MIT
// Worker and Master as objects inside one program: configuration,
// injected connections, the logger hook, bad setup and unreachable Redis.
#include "embeddedoptions.h"
#include "redisserver.h"

#include <ClustrQt/master.h>
#include <ClustrQt/redisclient.h>
#include <ClustrQt/worker.h>

#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

#include <sys/prctl.h>

#include <memory>

using namespace Clustr;

class tst_Process : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void callbacksBoundToAContext();
    void initTestCase();
    void optionsFromCommandLine();
    void redisUrlPrecedence();
    void groupFromTheSpawner();
    void invalidSetupIsReported_data();
    void invalidSetupIsReported();
    void injectedConnections();
    void loggerReceivesLibraryLines();
    void unreachableRedisKeepsProcessAlive();
    void masterKnowsItself();
    void messageIsAQtValueType();
    void anotherProcessKeepsItsLogger();
    void linesTheChildOutputHandlerCouldNotWriteAreCounted();
    void masterAdoptsOrphansOnlyWhenAsked();

private:
    RedisServer m_redis;
};

void tst_Process::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void tst_Process::optionsFromCommandLine()
{
    Worker worker(QStringLiteral("web"), embedded(m_redis.url(), {
        QStringLiteral("--port=8080"), QStringLiteral("--flag"), QStringLiteral("positional"),
        QStringLiteral("--cluster-master-pid=4242"), QStringLiteral("--cluster-option=foo"),
        QStringLiteral("--private=option with spaces"),
    }));
    QVERIFY(worker.isValid());
    QCOMPARE(worker.option(QStringLiteral("port")), QStringLiteral("8080"));
    QCOMPARE(worker.option(QStringLiteral("flag")), QStringLiteral("true"));
    QCOMPARE(worker.option(QStringLiteral("private")), QStringLiteral("option with spaces"));
    QCOMPARE(worker.option(QStringLiteral("missing"), QStringLiteral("dflt")), QStringLiteral("dflt"));
    QVERIFY(!worker.hasOption(QStringLiteral("positional")));
    QCOMPARE(worker.masterPid(), 4242);
    QCOMPARE(worker.clusterArguments(),
             (QStringList{QStringLiteral("--cluster-master-pid=4242"), QStringLiteral("--cluster-option=foo")}));
    QCOMPARE(worker.group(), QStringLiteral("web"));
    QCOMPARE(worker.pid(), QCoreApplication::applicationPid());
}

void tst_Process::redisUrlPrecedence()
{
    qputenv("CLUSTR_REDIS", "redis://10.9.9.9:1");
    {
        ProcessOptions options = embedded(QString(), {QStringLiteral("--cluster-redis=redis://10.8.8.8:2")});
        Worker fromCommandLine(QStringLiteral("a"), options);
        QCOMPARE(fromCommandLine.redisUrl(), QStringLiteral("redis://10.8.8.8:2"));
        options.setRedisUrl(QStringLiteral("redis://10.7.7.7:3"));
        Worker fromOptions(QStringLiteral("a"), options);
        QCOMPARE(fromOptions.redisUrl(), QStringLiteral("redis://10.7.7.7:3"));
        Worker fromEnvironment(QStringLiteral("a"), embedded(QString()));
        QCOMPARE(fromEnvironment.redisUrl(), QStringLiteral("redis://10.9.9.9:1"));
    }
    qunsetenv("CLUSTR_REDIS");
    Worker byDefault(QStringLiteral("a"), embedded(QString()));
    QCOMPARE(byDefault.redisUrl(), QStringLiteral("redis://127.0.0.1:6379"));
}

// A worker whose code names no group takes its spawn entry's (CLUSTR_GROUP).
void tst_Process::groupFromTheSpawner()
{
    qputenv("CLUSTR_GROUP", "fromSpawner");
    qputenv("CLUSTR_REDIS", m_redis.url().toUtf8());
    {
        Worker unnamed;
        QVERIFY2(unnamed.isValid(), qPrintable(unnamed.errorString()));
        QCOMPARE(unnamed.group(), QStringLiteral("fromSpawner"));
        Worker empty(QString(), embedded(m_redis.url()));
        QCOMPARE(empty.group(), QStringLiteral("fromSpawner"));
        Worker named(QStringLiteral("own"), embedded(m_redis.url()));
        QCOMPARE(named.group(), QStringLiteral("own"));
    }
    qunsetenv("CLUSTR_GROUP");
    qunsetenv("CLUSTR_REDIS");
}

void tst_Process::invalidSetupIsReported_data()
{
    QTest::addColumn<QString>("group");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty group") << QString() << QStringList() << "group name is empty";
    QTest::newRow("group with space") << "web server" << QStringList() << "invalid group name";
    QTest::newRow("namespace with space") << "web" << QStringList{QStringLiteral("--cluster-namespace=a b")} << "invalid cluster namespace";
    QTest::newRow("bad redis url") << "web" << QStringList{QStringLiteral("--cluster-redis=localhost:6379")} << "scheme must be redis://";
}

void tst_Process::invalidSetupIsReported()
{
    QFETCH(QString, group);
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    ProcessOptions options = embedded(QString(), arguments);
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QRegularExpression::escape(expected)));
    Worker worker(group, options);
    QVERIFY(!worker.isValid());
    QCOMPARE(worker.error(), Process::Error::InvalidSetup);
    QVERIFY2(worker.errorString().contains(expected), qPrintable(worker.errorString()));
    // Everything else is refused with a warning, nothing crashes.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("emitPublic ignored")));
    worker.emitPublic(1);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("emitReady ignored")));
    worker.emitReady();
    QCOMPARE(worker.stats().emitPublic(), quint64(0));
    QSignalSpy closed(&worker, &Process::closed);
    worker.close(4);
    QCOMPARE(closed.count(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 4);
}

void tst_Process::injectedConnections()
{
    RedisClient publisher;
    RedisClient subscriber;
    publisher.setUrl(m_redis.url());
    subscriber.setUrl(m_redis.url());
    ProcessOptions options = embedded(QStringLiteral("redis://unused:1"));
    options.setPublisher(&publisher);
    options.setSubscriber(&subscriber);
    Worker worker(QStringLiteral("injected"), options);
    QCOMPARE(worker.publisher(), &publisher);
    QCOMPARE(worker.subscriber(), &subscriber);
    QTRY_VERIFY(worker.isConnected());
    QSignalSpy received(&worker, &Process::groupMessageReceived);
    worker.emitGroup(QStringLiteral("injected"), QStringLiteral("to myself"));
    QTRY_COMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).value<Message>().data().toString(), QStringLiteral("to myself"));
    QCOMPARE(received.at(0).at(0).value<Message>().kind(), Message::Kind::Group);
    QSignalSpy closed(&worker, &Process::closed);
    worker.close(0);
    QTRY_COMPARE(closed.count(), 1);
    // Injected connections belong to the caller: they stay open.
    QVERIFY(publisher.isConnected());
}

void tst_Process::loggerReceivesLibraryLines()
{
    QStringList lines;
    ProcessOptions options = embedded(m_redis.url(), {QStringLiteral("--verbose")});
    options.setLogger([&lines](QtMsgType, const QString &category, const QString &text) {
        lines << category + QStringLiteral(": ") + text;
    });
    {
        Worker worker(QStringLiteral("logged"), options);
        QTRY_VERIFY(worker.isConnected());
        worker.emitReady();
        QTRY_VERIFY(lines.join(QLatin1Char('\n')).contains(QStringLiteral("no master is known")));
    }
    QVERIFY2(lines.join(QLatin1Char('\n')).contains(QStringLiteral("clustr.redis: connected to Redis at")),
             qPrintable(lines.join(QLatin1Char('\n'))));
    // Removing the logger hands messages back to Qt's handler.
    ProcessOptions quiet = embedded(m_redis.url());
    quiet.setLogger([](QtMsgType, const QString &, const QString &) {});
    Worker other(QStringLiteral("quiet"), quiet);
    QLoggingCategory::setFilterRules(QString());
}

void tst_Process::unreachableRedisKeepsProcessAlive()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const int port = probe.serverPort();
    probe.close();
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot connect to Redis at 127.0.0.1:%1: Connection refused").arg(port)));
    ProcessOptions options = embedded(QStringLiteral("redis://127.0.0.1:%1").arg(port));
    Worker worker(QStringLiteral("lonely"), options);
    QSignalSpy errors(worker.publisher(), &RedisClient::errorOccurred);
    QSignalSpy processErrors(&worker, &Process::errorOccurred);
    QTRY_VERIFY(!errors.isEmpty());
    // The process reports it too, through its own one error path.
    QTRY_VERIFY(!processErrors.isEmpty());
    QCOMPARE(processErrors.at(0).at(0).value<Process::Error>(), Process::Error::ConnectionFailed);
    QCOMPARE(worker.error(), Process::Error::ConnectionFailed);
    QVERIFY2(worker.errorString().contains(QStringLiteral("Connection refused")), qPrintable(worker.errorString()));
    QVERIFY(worker.isValid());
    QVERIFY(!worker.isConnected());
    worker.emitPublic(QStringLiteral("queued"));
    QCOMPARE(worker.publisher()->pendingCommands(), 1);
    QCOMPARE(worker.stats().emitPublic(), quint64(1));
    // close() cannot flush to a Redis that is not there; it ends anyway, bounded.
    QSignalSpy closed(&worker, &Process::closed);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("could not write 1 queued messages")));
    worker.close(1);
    QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 5000);
}

void tst_Process::masterKnowsItself()
{
    Master master(embedded(m_redis.url()));
    QCOMPARE(master.group(), QStringLiteral("master"));
    QCOMPARE(master.masterPid(), master.pid());
    QCOMPARE(master.reloadDelay(), std::chrono::milliseconds(500));
    QCOMPARE(master.workerCount(), 0);
    QTRY_VERIFY(master.isConnected());

    // A worker in this same program registers with it (same pid, but a real round trip).
    Worker worker(QStringLiteral("web"), embedded(m_redis.url(), {QStringLiteral("--cluster-master-pid=%1").arg(master.pid())}));
    QSignalSpy registered(&master, &Master::workerRegistered);
    QSignalSpy changed(&master, &Master::clusterInfoChanged);
    worker.emitReady();
    QTRY_COMPARE(registered.count(), 1);
    QCOMPARE(master.workerCount(), 1);
    QCOMPARE(master.clusterInfo().value(QStringLiteral("web")), QList<qint64>{master.pid()});
    QSignalSpy info(&worker, &Worker::clusterInfoReceived);
    worker.requestClusterInfo([&](const ClusterInfo &received) { QCOMPARE(received.value(QStringLiteral("web")).size(), 1); });
    QTRY_COMPARE(info.count(), 1);
    QSignalSpy deregistered(&master, &Master::workerDeregistered);
    worker.close(0);
    QTRY_COMPARE(deregistered.count(), 1);
    QCOMPARE(master.workerCount(), 0);
    QVERIFY(master.clusterInfo().isEmpty());
    QCOMPARE(changed.count(), 2);
}

void tst_Process::messageIsAQtValueType()
{
    Message a;
    a.setKind(Message::Kind::Private);
    a.setPid(7);
    a.setGroup(QStringLiteral("g"));
    a.setData(QJsonObject{{QStringLiteral("k"), 1}});
    a.setChannel(QStringLiteral("private:7"));
    const QVariant v = QVariant::fromValue(a);
    QCOMPARE(v.value<Message>(), a);
    Message b = a;
    b.setPid(8);
    QVERIFY(a != b);
    QCOMPARE(Message::staticMetaObject.property(Message::staticMetaObject.indexOfProperty("pid")).readOnGadget(&a).toLongLong(), 7);
}

// Callbacks bound to a context object, as connections are: once the
// receiver is gone, nothing runs on it.
void tst_Process::callbacksBoundToAContext()
{
    Worker worker(QStringLiteral("bound"), embedded(m_redis.url()));
    QTRY_VERIFY(worker.isConnected());

    int confirmed = 0;
    auto receiver = std::make_unique<QObject>();
    worker.onConfirmation(1, QStringLiteral("bound-id"), receiver.get(), [&confirmed](const QList<Message> &) { ++confirmed; });
    QSignalSpy completed(&worker, &Process::confirmationCompleted);
    worker.emitConfirmation(QStringLiteral("bound-id"));
    QTRY_COMPARE(completed.count(), 1);
    QCOMPARE(confirmed, 1);
    receiver.reset();
    worker.emitConfirmation(QStringLiteral("bound-id"));
    QTRY_COMPARE(completed.count(), 2); // still counted and signalled
    QCOMPARE(confirmed, 1);            // but the callback of a destroyed receiver is not called

    bool handled = false;
    auto killReceiver = std::make_unique<QObject>();
    worker.onKill(killReceiver.get(), [&handled](std::function<void()> done) {
        handled = true;
        done();
    });
    killReceiver.reset();
    QSignalSpy closed(&worker, &Process::closed);
    worker.emitKill(worker.pid(), 3);
    QTRY_COMPARE(closed.count(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 3);
    QVERIFY(!handled);
}

// A process object that goes away removes its own logger, not one another
// installed after it.
void tst_Process::anotherProcessKeepsItsLogger()
{
    QStringList first;
    QStringList second;
    ProcessOptions a = embedded(m_redis.url(), {QStringLiteral("--verbose")});
    a.setLogger([&first](QtMsgType, const QString &, const QString &text) { first << text; });
    ProcessOptions b = embedded(m_redis.url(), {QStringLiteral("--verbose")});
    b.setLogger([&second](QtMsgType, const QString &, const QString &text) { second << text; });
    auto older = std::make_unique<Worker>(QStringLiteral("older"), a);
    Worker newer(QStringLiteral("newer"), b);
    older.reset();
    second.clear();
    newer.emitReady(); // "no master is known": a line of the library's
    QTRY_VERIFY2(second.join(QLatin1Char('\n')).contains(QStringLiteral("no master is known")), qPrintable(second.join(QLatin1Char('\n'))));
    QLoggingCategory::setFilterRules(QString());
}

// A childOutput handler that could not write a line (a full disk) says so;
// the child's ChildInfo counts it, per group and instance.
void tst_Process::linesTheChildOutputHandlerCouldNotWriteAreCounted()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile script(dir.filePath(QStringLiteral("talker.sh")));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("echo kept; echo lost; echo lost >&2\n");
    script.close();
    SpawnSpec spec;
    spec.setFile(script.fileName());
    spec.setCommand(QStringLiteral("sh"));
    spec.setGroup(QStringLiteral("talker"));
    spec.setInstances(2);
    spec.setRegisters(false);
    spec.setRespawn(false);

    ProcessOptions options = embedded(m_redis.url());
    options.setAdoptOrphans(false);
    options.setHandleUnixSignals(false);
    options.setAnnounce(false);
    int handled = 0;
    options.setChildOutput([&handled](const QString &, int, qint64, const QByteArray &line, bool) {
        ++handled;
        return line != "lost";
    });
    Master master(options);
    QSignalSpy exited(&master, &Process::childExited);
    QCOMPARE(master.spawn({spec}), 2);
    QTRY_COMPARE(exited.count(), 2);
    QTRY_COMPARE(handled, 6);
    const QList<ChildInfo> children = master.children();
    QCOMPARE(children.size(), 2);
    QSet<int> instances;
    for (const ChildInfo &child : children) {
        instances.insert(child.instance());
        QCOMPARE(child.droppedOutputLines(), 2);
    }
    QCOMPARE(instances, (QSet<int>{0, 1}));
}

// Becoming a child subreaper changes the whole process: a Master does it
// when it spawns unless the application says no.
void tst_Process::masterAdoptsOrphansOnlyWhenAsked()
{
    const auto subreaper = [] {
        int flag = -1;
        ::prctl(PR_GET_CHILD_SUBREAPER, &flag, 0, 0, 0);
        return flag;
    };
    QCOMPARE(subreaper(), 0);
    SpawnSpec spec;
    spec.setFile(QStringLiteral("/bin/true"));
    spec.setRegisters(false);
    spec.setRespawn(false);
    for (const bool adopt : {false, true}) {
        ProcessOptions options = embedded(m_redis.url());
        options.setAdoptOrphans(adopt);
        options.setHandleUnixSignals(false);
        options.setAnnounce(false);
        Master master(options);
        QSignalSpy exited(&master, &Process::childExited);
        QCOMPARE(master.spawn({spec}), 1);
        QTRY_COMPARE(exited.count(), 1);
        QCOMPARE(subreaper(), adopt ? 1 : 0);
    }
}

QTEST_GUILESS_MAIN(tst_Process)
#include "tst_process.moc"
