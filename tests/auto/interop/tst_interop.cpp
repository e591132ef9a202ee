// SPDX-License-Identifier: MIT
// clustr-qt beside the original clustr-node 0.16 (docs/PROTOCOL.md): the
// original master's timing played with raw Redis commands, as tst_wire
// does, and clustr-qt's master facing original workers and exit codes.
#include "masterfixture.h"

#include "protocol/codec_p.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

#include <csignal>
#include <memory>

using Clustr::Protocol::Codec;

namespace {

qint64 pidOf(const QJsonObject &e, const char *key = "pid")
{
    return qint64(e.value(QLatin1String(key)).toDouble());
}

QJsonObject spec(const QString &group, const QJsonObject &extraArgs = {}, const QString &file = QStringLiteral("clustr-test-worker"))
{
    QJsonObject args{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true}, {QStringLiteral("ready"), true}};
    for (auto it = extraArgs.begin(); it != extraArgs.end(); ++it)
        args.insert(it.key(), it.value());
    return {{QStringLiteral("file"), file}, {QStringLiteral("args"), args}};
}

QString json(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

} // namespace

class tst_Interop : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void registrationReachesALateOriginalMaster();
    void registrationIsImmediateUnderAClustrQtMaster();
    void stopSendsTheMastersExitCode_data();
    void stopSendsTheMastersExitCode();
    void reloadReplacesTheChildOfAnOriginalWorkerOnce();

private:
    MasterFixture m_fixture;
    RedisServer &m_redis = m_fixture.redis();
    Clustr::RedisClient *m_client = nullptr;
};

void tst_Interop::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
    m_client = m_fixture.client();
}

void tst_Interop::cleanup()
{
    m_fixture.clear();
}

// The original master (lib/master_setup.coffee) subscribes to
// registration:<its pid> only once its spawn loop has returned, and counts
// every registration it hears. Redis MONITOR showed a Qt worker's
// registration tens of milliseconds before that SUBSCRIBE; here the fake
// master subscribes once the worker is connected (subscribed and about to
// register), which is that order every time. A worker as the README's
// quick start writes it (emitReady() at once) must be heard, once, in every run.
void tst_Interop::registrationReachesALateOriginalMaster()
{
    const qint64 self = QCoreApplication::applicationPid(); // the fake master
    const QByteArray registration = "registration:" + QByteArray::number(self);
    const QByteArray deregistration = "deregistration:" + QByteArray::number(self);
    constexpr int Runs = 20;
    int heard = 0;
    for (int run = 0; run < Runs; ++run) {
        Clustr::RedisClient master;
        master.setUrl(m_redis.url());
        QVERIFY(master.open());
        QTRY_VERIFY(master.isConnected());
        QHash<qint64, int> registrations;
        QSet<qint64> deregistered;
        connect(&master, &Clustr::RedisClient::messageReceived, &master, [&](const QByteArray &channel, const QByteArray &payload) {
            const auto decoded = Codec::decode(payload, Clustr::DefaultMaxPayloadSize);
            QVERIFY(decoded);
            if (channel == registration)
                ++registrations[decoded->pid];
            else if (channel == deregistration)
                deregistered.insert(decoded->pid);
        });

        TestProcess worker;
        QVERIFY(worker.startWorker({QStringLiteral("--group=web"), QStringLiteral("--ready"),
                                    QStringLiteral("--cluster-master-pid=%1").arg(self),
                                    QStringLiteral("--cluster-redis=") + m_redis.url()}));
        // The spawn loop has returned: now the original master subscribes.
        int confirmed = 0;
        connect(&master, &Clustr::RedisClient::subscribed, &master, [&] { ++confirmed; });
        master.subscribe(registration);
        master.subscribe(deregistration);
        QTRY_COMPARE(confirmed, 2);

        QTRY_COMPARE_WITH_TIMEOUT(registrations.value(worker.pid()), 1, 5000);
        // The original master's exit kills it; its deregistration comes after
        // any registration it sent (one connection), so none can follow.
        m_client->publish("kill:" + QByteArray::number(worker.pid()), Codec::encode(self, QStringLiteral("master"), 0));
        QTRY_VERIFY(deregistered.contains(worker.pid()));
        QVERIFY(worker.waitForFinished());
        QCOMPARE(registrations.value(worker.pid()), 1);
        heard += registrations.value(worker.pid()) == 1;
    }
    QCOMPARE(heard, Runs);
}

// A clustr-qt master listens before it starts anyone and tells its tree so:
// its workers register at once, not after reloadDelay (ten minutes here,
// which the cluster would wait for).
void tst_Interop::registrationIsImmediateUnderAClustrQtMaster()
{
    const QJsonArray grandchildren{spec(QStringLiteral("grandchild"), {{QStringLiteral("reload-delay"), 600000}})};
    auto *master = m_fixture.startMaster({spec(QStringLiteral("web"), {{QStringLiteral("reload-delay"), 600000},
                                                             {QStringLiteral("spawn"), json(grandchildren)}})});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), ownEvents(), 20000));
    QCOMPARE(registeredPids(*master).size(), 2);
}

void tst_Interop::stopSendsTheMastersExitCode_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<int>("code");
    QTest::newRow("SIGTERM") << QStringLiteral("sigterm") << 15;
    QTest::newRow("SIGINT") << QStringLiteral("sigint") << 130;
    QTest::newRow("stop command") << QStringLiteral("control") << 7;
    QTest::newRow("kill message to the master") << QStringLiteral("kill") << 42;
}

// The original master sends its own exit code to every worker (15 after
// SIGTERM), so a worker ends as the master did. Its child, a grandchild of
// the master, ends with the same code.
void tst_Interop::stopSendsTheMastersExitCode()
{
    QFETCH(QString, how);
    QFETCH(int, code);
    const QJsonArray grandchildren{spec(QStringLiteral("grandchild"))};
    auto *master = m_fixture.startMaster({spec(QStringLiteral("web"), {{QStringLiteral("spawn"), json(grandchildren)}})});
    QVERIFY(master);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterStarted"), ownEvents()));
    const QSet<qint64> workers = registeredPids(*master);
    QCOMPARE(workers.size(), 2);

    const QByteArray m = QByteArray::number(master->pid());
    if (how == QLatin1String("sigterm"))
        master->signal(SIGTERM);
    else if (how == QLatin1String("sigint"))
        master->signal(SIGINT);
    else if (how == QLatin1String("control"))
        m_client->publish("control:" + m, Codec::encode(4242, QStringLiteral("cli"),
                                                        QJsonObject{{QStringLiteral("command"), QStringLiteral("stop")}, {QStringLiteral("code"), code}}));
    else
        m_client->publish("kill:" + m, Codec::encode(4242, QStringLiteral("web"), code));
    QVERIFY(master->waitForFinished(15000));
    QCOMPARE(master->exitCode(), code);

    // Each worker heard one kill, with the master's code, and exited with it.
    const auto kills = master->events(QStringLiteral("killRequested"), [](const QJsonObject &e) { return e.contains(QStringLiteral("_from")); });
    QCOMPARE(kills.size(), 2);
    for (const QJsonObject &kill : kills) {
        QVERIFY(workers.contains(pidOf(kill, "_from")));
        QCOMPARE(kill.value(QStringLiteral("code")).toInt(), code);
    }
    const auto exited = master->events(QStringLiteral("childExited"), ownEvents());
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.constFirst().value(QStringLiteral("code")).toInt(), code);
    for (qint64 pid : workers)
        QTRY_VERIFY(processGone(pid));
}

// An original worker that spawned a Qt child: its close() just exits, the
// child runs on, and its replacement spawns a new child. After the reload
// every registered process has been replaced exactly once, none of the old
// ones is left, and the reload said what it did with the child.
void tst_Interop::reloadReplacesTheChildOfAnOriginalWorkerOnce()
{
    auto *master = m_fixture.startMaster({spec(QStringLiteral("original"), {{QStringLiteral("child-group"), QStringLiteral("child")}},
                                     QStringLiteral("clustr-test-original-worker"))},
                               {QStringLiteral("--reload-delay=0")});
    QVERIFY(master);
    QTRY_COMPARE_WITH_TIMEOUT(registeredPids(*master).size(), 2, 10000);
    const QSet<qint64> before = registeredPids(*master);
    const auto childRegistration = master->events(QStringLiteral("registered"), ownEvents([](const QJsonObject &e) {
        return e.value(QStringLiteral("group")).toString() == QLatin1String("child");
    }));
    QCOMPARE(childRegistration.size(), 1);
    const qint64 child = pidOf(childRegistration.constFirst());

    master->signal(SIGHUP);
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), ownEvents(), 30000));
    QCOMPARE(master->count(QStringLiteral("reloadStepTimedOut"), ownEvents()), 0);
    const auto excluded = master->events(QStringLiteral("reloadExcluded"), ownEvents());
    QCOMPARE(excluded.size(), 1);
    QCOMPARE(pidOf(excluded.constFirst()), child);
    QVERIFY2(excluded.constFirst().value(QStringLiteral("reason")).toString().contains(QStringLiteral("does not end it")),
             qPrintable(excluded.constFirst().value(QStringLiteral("reason")).toString()));

    // The new parent's new child registers; one of each, all new.
    QTRY_COMPARE_WITH_TIMEOUT(registeredPids(*master).size(), 2, 10000);
    QTRY_VERIFY_WITH_TIMEOUT((registeredPids(*master) & before).isEmpty(), 10000);
    for (qint64 pid : before)
        QTRY_VERIFY(processGone(pid));
    QVERIFY(master->sync());
    QCOMPARE(registeredPids(*master).size(), 2);
}

QTEST_GUILESS_MAIN(tst_Interop)
#include "tst_interop.moc"
