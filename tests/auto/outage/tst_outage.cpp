// SPDX-License-Identifier: MIT
// What an outage must not lose (docs/PROTOCOL.md section 7): a kill, a
// control command, a registration, a deregistration, a reload step. Real
// processes and a real redis-server; the connection of the receiver is
// dropped at the point that matters. A process is kept off Redis for as long
// as the test needs by the ACL: its user is switched off and its
// connections killed (it keeps trying to reconnect), then switched on again.
#include "masterfixture.h"

#include <ClustrQt/clusterclient.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtTest/QtTest>

#include <memory>

namespace {

qint64 pidOf(const QJsonObject &e, const char *key = "pid")
{
    return qint64(e.value(QLatin1String(key)).toDouble());
}

TestProcess::Predicate hasPid(qint64 pid)
{
    return ownEvents([pid](const QJsonObject &e) { return pidOf(e) == pid; });
}

QJsonObject workerSpec(const QString &group, int instances)
{
    return {{QStringLiteral("file"), QStringLiteral("clustr-test-worker")},
            {QStringLiteral("instances"), instances},
            {QStringLiteral("args"), QJsonObject{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true},
                                                 {QStringLiteral("ready"), true}}}};
}

} // namespace

class tst_Outage : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void killReachesAProcessBackFromAnOutage();
    void killOfAChildMissedByItIsPassedOnByItsSpawner();
    void controlCommandReachesAMasterBackFromAnOutage();
    void registrationReachesAMasterBackFromAnOutage();
    void deregistrationReachesAMasterBackFromAnOutage();
    void reloadCompletesThroughDroppedConnections();
    void aKillNobodyReceivesIsGivenUpAndSaidSo();

private:
    //! The URL of the ACL user \a user (created, switched on).
    QString userUrl(const QString &user);
    //! Switches \a user off and drops its connections: its processes are off Redis until online().
    void offline(const QString &user);
    void online(const QString &user);
    //! How many PUBLISH commands Redis ran so far.
    qint64 publishCalls();
    //! The id of the connection named \a name (CLIENT LIST), or 0.
    qint64 clientId(const QString &name);
    TestProcess *startMaster(const QString &url, int workers);
    TestProcess *startWorker(const QStringList &arguments) { return m_fixture.startWorker(arguments); }

    MasterFixture m_fixture;
};

void tst_Outage::initTestCase()
{
    QString error;
    QVERIFY2(m_fixture.start(&error), qPrintable(error));
}

void tst_Outage::cleanup()
{
    m_fixture.clear();
}

QString tst_Outage::userUrl(const QString &user)
{
    m_fixture.redis().cli({QStringLiteral("ACL"), QStringLiteral("SETUSER"), user, QStringLiteral("reset"), QStringLiteral("on"),
                           QStringLiteral(">pw-") + user, QStringLiteral("~*"), QStringLiteral("&*"), QStringLiteral("+@all")});
    return QStringLiteral("redis://%1:pw-%1@127.0.0.1:%2").arg(user).arg(m_fixture.redis().port());
}

void tst_Outage::offline(const QString &user)
{
    m_fixture.redis().cli({QStringLiteral("ACL"), QStringLiteral("SETUSER"), user, QStringLiteral("off")});
    m_fixture.redis().cli({QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("USER"), user});
}

void tst_Outage::online(const QString &user)
{
    m_fixture.redis().cli({QStringLiteral("ACL"), QStringLiteral("SETUSER"), user, QStringLiteral("on")});
}

qint64 tst_Outage::publishCalls()
{
    const QByteArray info = m_fixture.redis().cli({QStringLiteral("INFO"), QStringLiteral("commandstats")});
    const auto match = QRegularExpression(QStringLiteral("cmdstat_publish:calls=(\\d+)")).match(QString::fromUtf8(info));
    return match.hasMatch() ? match.captured(1).toLongLong() : 0;
}

qint64 tst_Outage::clientId(const QString &name)
{
    const QByteArray list = m_fixture.redis().cli({QStringLiteral("CLIENT"), QStringLiteral("LIST")});
    for (const QByteArray &line : list.split('\n')) {
        if (!line.contains(" name=" + name.toUtf8() + ' '))
            continue;
        const auto match = QRegularExpression(QStringLiteral("^id=(\\d+)")).match(QString::fromUtf8(line));
        if (match.hasMatch())
            return match.captured(1).toLongLong();
    }
    return 0;
}

TestProcess *tst_Outage::startMaster(const QString &url, int workers)
{
    auto *master = m_fixture.startMaster(QJsonArray{workerSpec(QStringLiteral("w"), workers)}, {QStringLiteral("--reload-delay=0")}, url);
    if (!master || !master->waitForEvent(QStringLiteral("clusterStarted"), ownEvents(), 20000))
        return nullptr;
    return master;
}

void tst_Outage::killReachesAProcessBackFromAnOutage()
{
    const QString url = m_fixture.redis().url();
    auto *victim = startWorker({QStringLiteral("--group=v"), QStringLiteral("--cluster-redis=") + userUrl(QStringLiteral("victim"))});
    auto *killer = startWorker({QStringLiteral("--group=k"), QStringLiteral("--cluster-redis=") + url});
    QVERIFY(victim && killer);
    QVERIFY(victim->waitForEvent(QStringLiteral("connected")));
    QVERIFY(killer->waitForEvent(QStringLiteral("connected")));

    offline(QStringLiteral("victim"));
    QVERIFY(victim->waitForEvent(QStringLiteral("disconnected")));
    const qint64 before = publishCalls();
    killer->send(cmd(QStringLiteral("kill"), {{QStringLiteral("pid"), double(victim->pid())}, {QStringLiteral("code"), 7}}));
    // Nobody else publishes here: two calls are the kill that reached
    // nobody and the first time it was published again.
    QTRY_VERIFY_WITH_TIMEOUT(publishCalls() >= before + 2, 10000);
    QVERIFY(victim->isRunning());

    online(QStringLiteral("victim"));
    QVERIFY(victim->waitForEvent(QStringLiteral("killRequested"), [](const QJsonObject &e) { return e.value(QStringLiteral("code")).toInt() == 7; }, 20000));
    QVERIFY(victim->waitForFinished(20000));
    QCOMPARE(victim->exitCode(), 7);
}

void tst_Outage::killOfAChildMissedByItIsPassedOnByItsSpawner()
{
    auto *master = startMaster(m_fixture.redis().url(), 1);
    QVERIFY(master);
    const QSet<qint64> workers = registeredPids(*master);
    QCOMPARE(workers.size(), 1);
    const qint64 child = *workers.cbegin();
    const qint64 subscriber = clientId(QStringLiteral("clustr.w.%1.sub").arg(child));
    QVERIFY(subscriber > 0);

    // One write, run by Redis in one go: the child's subscriber is gone
    // when the kill is published, and only its spawner (the master, which
    // listens on its children's kill channels) receives it.
    Clustr::RedisClient *client = m_fixture.client();
    int answered = 0;
    qint64 receivers = -1;
    client->command({"CLIENT", "KILL", "ID", QByteArray::number(subscriber)}, [&answered](const Clustr::RedisReply &) { ++answered; });
    client->command({"PUBLISH", "kill:" + QByteArray::number(child), R"({"meta":{"pid":4242,"group":"test"},"data":9})"},
                    [&answered, &receivers](const Clustr::RedisReply &reply) {
                        ++answered;
                        receivers = reply.integer;
                    });
    QTRY_COMPARE(answered, 2);
    QCOMPARE(receivers, 1);

    const auto exited = master->waitForEvent(QStringLiteral("childExited"), hasPid(child), 20000);
    QVERIFY(exited);
    QVERIFY2(exited->value(QStringLiteral("signal")).toInt() == 0, master->standardError().constData()); // not the master's SIGKILL
    QCOMPARE(exited->value(QStringLiteral("code")).toInt(), 9);
    QVERIFY(master->count(QStringLiteral("killRequested"), fromWorker(child)) >= 1);
}

void tst_Outage::controlCommandReachesAMasterBackFromAnOutage()
{
    auto *master = startMaster(userUrl(QStringLiteral("tree")), 2);
    QVERIFY(master);
    QTRY_COMPARE_WITH_TIMEOUT(registeredPids(*master).size(), 2, 20000);
    const QSet<qint64> old = registeredPids(*master);

    Clustr::ClusterClient client;
    client.setRedisUrl(m_fixture.redis().url());
    client.setPollInterval(std::chrono::milliseconds(100));
    QVERIFY(client.open());
    QTRY_COMPARE_WITH_TIMEOUT(client.masterPid(), master->pid(), 20000);

    offline(QStringLiteral("tree"));
    QVERIFY(master->waitForEvent(QStringLiteral("disconnected"), ownEvents()));
    const qint64 before = publishCalls();
    QVERIFY(client.reload());
    QTRY_VERIFY_WITH_TIMEOUT(publishCalls() >= before + 2, 10000); // reached nobody, published again
    QCOMPARE(client.pendingDeliveries(), 1);
    QCOMPARE(master->count(QStringLiteral("reloadStarted"), ownEvents()), 0);

    online(QStringLiteral("tree"));
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), ownEvents(), 30000));
    QTRY_COMPARE(client.pendingDeliveries(), 0);
    QCOMPARE(client.error(), Clustr::ClusterClient::Error::NoError);
    QTRY_COMPARE_WITH_TIMEOUT(registeredPids(*master).size(), 2, 20000);
    QVERIFY(!registeredPids(*master).intersects(old));
    QCOMPARE(master->count(QStringLiteral("reloadStarted"), ownEvents()), 1); // once, though published more than once
}

void tst_Outage::registrationReachesAMasterBackFromAnOutage()
{
    auto *master = startMaster(userUrl(QStringLiteral("tree")), 1);
    QVERIFY(master);
    offline(QStringLiteral("tree"));
    QVERIFY(master->waitForEvent(QStringLiteral("disconnected"), ownEvents()));

    // A worker of this host joins the cluster while its master is off Redis.
    const qint64 before = publishCalls();
    auto *late = startWorker({QStringLiteral("--group=late"), QStringLiteral("--ready"), QStringLiteral("--cluster-redis=") + m_fixture.redis().url(),
                              QStringLiteral("--cluster-master-pid=%1").arg(master->pid())});
    QVERIFY(late);
    QVERIFY(late->waitForEvent(QStringLiteral("ready")));
    QTRY_VERIFY_WITH_TIMEOUT(publishCalls() >= before + 3, 10000); // heartbeat, registration, registration again
    QCOMPARE(master->count(QStringLiteral("registered"), hasPid(late->pid())), 0);

    online(QStringLiteral("tree"));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), hasPid(late->pid()), 30000));
}

void tst_Outage::deregistrationReachesAMasterBackFromAnOutage()
{
    auto *master = startMaster(userUrl(QStringLiteral("tree")), 1);
    QVERIFY(master);
    auto *leaving = startWorker({QStringLiteral("--group=leaving"), QStringLiteral("--ready"),
                                 QStringLiteral("--cluster-redis=") + m_fixture.redis().url(),
                                 QStringLiteral("--cluster-master-pid=%1").arg(master->pid())});
    QVERIFY(leaving);
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), hasPid(leaving->pid()), 20000));

    // The worker leaves while its master is off Redis.
    offline(QStringLiteral("tree"));
    QVERIFY(master->waitForEvent(QStringLiteral("disconnected"), ownEvents()));
    leaving->send(cmd(QStringLiteral("close"), {{QStringLiteral("code"), 0}}));
    QVERIFY(leaving->waitForFinished(20000));
    QCOMPARE(leaving->exitCode(), 0);

    online(QStringLiteral("tree"));
    QTRY_VERIFY_WITH_TIMEOUT(master->count(QStringLiteral("connected"), ownEvents()) >= 2, 30000);
    const qint64 gone = leaving->pid();
    QTRY_VERIFY_WITH_TIMEOUT(!registeredPids(*master).contains(gone), 20000);
    master->send(cmd(QStringLiteral("masterInfo")));
    const auto info = master->waitForEvent(QStringLiteral("masterInfo"), ownEvents());
    QVERIFY(info);
    QVERIFY2(!QJsonDocument(info->value(QStringLiteral("info")).toObject()).toJson().contains(QByteArray::number(gone)),
             QJsonDocument(*info).toJson().constData());
}

void tst_Outage::reloadCompletesThroughDroppedConnections()
{
    auto *master = startMaster(m_fixture.redis().url(), 3);
    QVERIFY(master);
    QTRY_COMPARE_WITH_TIMEOUT(registeredPids(*master).size(), 3, 20000);
    const QSet<qint64> old = registeredPids(*master);

    // Every step's registration and kill go through connections dropped
    // as the step starts: every pub/sub connection of the cluster.
    int drops = 0;
    connect(master, &TestProcess::eventRecorded, this, [this, &drops](const QJsonObject &e) {
        if (e.value(QStringLiteral("event")).toString() == QLatin1String("reloadStepStarted") && !e.contains(QStringLiteral("_from"))) {
            m_fixture.client()->command({"CLIENT", "KILL", "TYPE", "pubsub"});
            ++drops;
        }
    });
    master->send(cmd(QStringLiteral("reload")));
    QVERIFY(master->waitForEvent(QStringLiteral("clusterReloaded"), ownEvents(), 60000));
    QCOMPARE(drops, 3);
    QCOMPARE(master->count(QStringLiteral("reloadStepTimedOut"), ownEvents()), 0);
    QTRY_COMPARE_WITH_TIMEOUT(registeredPids(*master).size(), 3, 20000);
    QVERIFY(!registeredPids(*master).intersects(old));
}

void tst_Outage::aKillNobodyReceivesIsGivenUpAndSaidSo()
{
    // A pid nothing listens for: published again for the tool's window
    // (10 s), then given up with an error, not reported as sent.
    Clustr::ClusterClient client;
    client.setRedisUrl(m_fixture.redis().url());
    QVERIFY(client.open());
    QTRY_VERIFY(client.isConnected());
    QSignalSpy errors(&client, &Clustr::ClusterClient::errorOccurred);
    const qint64 before = publishCalls();
    QVERIFY(client.kill(999999999, 3));
    QCOMPARE(client.pendingDeliveries(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(client.pendingDeliveries() == 0, 30000);
    QCOMPARE(client.error(), Clustr::ClusterClient::Error::NotDelivered);
    QVERIFY2(client.errorString().contains(QLatin1String("nobody received the message on kill:999999999")), qPrintable(client.errorString()));
    QCOMPARE(errors.count(), 1);
    QVERIFY(publishCalls() - before > 2); // published again meanwhile
}

QTEST_GUILESS_MAIN(tst_Outage)
#include "tst_outage.moc"
