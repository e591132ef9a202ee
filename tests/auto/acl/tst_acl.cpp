// SPDX-License-Identifier: MIT
// The roles of `clustr-qt acl`, loaded into a real redis-server with
// --aclfile: a cluster runs with them (master as operator, worker as
// worker), and each role is refused by Redis what it must not do.
#include "loggedmessages.h"
#include "redisserver.h"
#include "testprocess.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/clusterlock.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

namespace {

const QString MonitorPassword = QStringLiteral("monitor-pw-0");

struct CommandResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CommandResult runClustr(const QStringList &arguments)
{
    QProcess p;
    p.start(buildBinary(QStringLiteral("clustr-qt")), arguments);
    CommandResult result;
    if (!p.waitForFinished(30000))
        return result;
    result.exitCode = p.exitCode();
    result.out = p.readAllStandardOutput();
    result.err = p.readAllStandardError();
    return result;
}

} // namespace

class tst_Acl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void fileHasOneUserPerRole();
    void badPasswordsAreRefused_data();
    void badPasswordsAreRefused();
    void workerAndOperatorRunACluster();
    void eachRoleIsRefusedWhatItMustNotDo_data();
    void eachRoleIsRefusedWhatItMustNotDo();
    void clientKnowsWhetherItMayCommand();
    void aRefusedLockRefreshIsReported();

private:
    QString userUrl(const QString &role) const;
    QByteArray as(const QString &role, const QStringList &command) const;

    QTemporaryDir m_dir;
    QString m_aclFile;
    QHash<QString, QString> m_passwords; // role -> password, as the file says
    std::unique_ptr<RedisServer> m_redis;
};

void tst_Acl::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QString cluster = m_dir.filePath(QStringLiteral("shop.json"));
    QFile file(cluster);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(QJsonObject{
                                 {QStringLiteral("name"), QStringLiteral("shop")},
                                 {QStringLiteral("workers"), QJsonArray{QJsonObject{
                                                                 {QStringLiteral("file"), buildBinary(QStringLiteral("clustr-test-worker"))},
                                                                 {QStringLiteral("group"), QStringLiteral("web")}}}},
                             })
                   .toJson());
    file.close();
    m_aclFile = m_dir.filePath(QStringLiteral("users.acl"));
    const CommandResult acl = runClustr({QStringLiteral("acl"), cluster, QStringLiteral("--password"),
                                         QStringLiteral("monitor=") + MonitorPassword, QStringLiteral("--output"), m_aclFile});
    QVERIFY2(acl.exitCode == 0, acl.err.constData());

    QFile written(m_aclFile);
    QVERIFY(written.open(QIODevice::ReadOnly));
    const QRegularExpression user(QStringLiteral(R"(^user shop-(\w+) reset on >(\S+) )"));
    for (const QByteArray &line : written.readAll().split('\n')) {
        const auto match = user.match(QString::fromUtf8(line));
        if (match.hasMatch())
            m_passwords.insert(match.captured(1), match.captured(2));
    }
    QCOMPARE(m_passwords.size(), 3);

    RedisServer::Options options;
    options.extraArguments = {QStringLiteral("--aclfile"), m_aclFile};
    m_redis = std::make_unique<RedisServer>(options);
    QString error;
    QVERIFY2(m_redis->start(&error), qPrintable(error));
}

QString tst_Acl::userUrl(const QString &role) const
{
    return QStringLiteral("redis://shop-%1:%2@127.0.0.1:%3").arg(role, m_passwords.value(role)).arg(m_redis->port());
}

QByteArray tst_Acl::as(const QString &role, const QStringList &command) const
{
    return m_redis->cli(QStringList{QStringLiteral("--no-auth-warning"), QStringLiteral("--user"), QStringLiteral("shop-") + role,
                                    QStringLiteral("--pass"), m_passwords.value(role)}
                        + command).trimmed();
}

void tst_Acl::fileHasOneUserPerRole()
{
    QCOMPARE(QFileInfo(m_aclFile).permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
             QFileDevice::Permissions());
    QCOMPARE(m_passwords.value(QStringLiteral("monitor")), MonitorPassword);
    const QRegularExpression generated(QStringLiteral("^[0-9a-f]{64}$"));
    QVERIFY(generated.match(m_passwords.value(QStringLiteral("worker"))).hasMatch());
    QVERIFY(generated.match(m_passwords.value(QStringLiteral("operator"))).hasMatch());
    QVERIFY(m_passwords.value(QStringLiteral("worker")) != m_passwords.value(QStringLiteral("operator")));
    // Redis took every user as written.
    const QByteArray users = m_redis->cli({QStringLiteral("ACL"), QStringLiteral("USERS")});
    for (const char *name : {"shop-worker", "shop-operator", "shop-monitor"})
        QVERIFY2(users.contains(name), users.constData());
}

void tst_Acl::badPasswordsAreRefused_data()
{
    QTest::addColumn<QString>("password");
    QTest::newRow("unknown role") << QStringLiteral("admin=x");
    QTest::newRow("no role") << QStringLiteral("secret");
    QTest::newRow("space in it") << QStringLiteral("worker=a b");
    QTest::newRow("empty") << QStringLiteral("worker=");
}

void tst_Acl::badPasswordsAreRefused()
{
    QFETCH(QString, password);
    const CommandResult r = runClustr({QStringLiteral("acl"), m_dir.filePath(QStringLiteral("shop.json")), QStringLiteral("--password"), password});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("--password") || r.err.contains("password"), r.err.constData());
    QVERIFY(r.out.isEmpty());
}

// The cluster works on these users: the master (as the daemon runs it)
// with the operator's, a worker with the worker's.
void tst_Acl::workerAndOperatorRunACluster()
{
    TestProcess master;
    QVERIFY(master.startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + userUrl(QStringLiteral("operator")),
                                QStringLiteral("--cluster-namespace=shop")}));
    TestProcess worker;
    QVERIFY(worker.startWorker({QStringLiteral("--group=web"), QStringLiteral("--cluster-redis=") + userUrl(QStringLiteral("worker")),
                                QStringLiteral("--cluster-namespace=shop"), QStringLiteral("--cluster-master-pid=") + QString::number(master.pid()),
                                QStringLiteral("--ready")}));
    QVERIFY2(master.waitForEvent(QStringLiteral("registered")).has_value(), master.standardError().constData());
    worker.send({{QStringLiteral("cmd"), QStringLiteral("public")}, {QStringLiteral("data"), QStringLiteral("hello")}});
    QVERIFY(master.waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) {
        return e.value(QStringLiteral("data")).toString() == QLatin1String("hello");
    }).has_value());
    master.send({{QStringLiteral("cmd"), QStringLiteral("private")}, {QStringLiteral("pid"), double(worker.pid())},
                 {QStringLiteral("data"), QStringLiteral("to you")}});
    QVERIFY(worker.waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) {
        return e.value(QStringLiteral("data")).toString() == QLatin1String("to you");
    }).has_value());
    // The master writes its announcement as the operator; the monitor reads it.
    QVERIFY(QTest::qWaitFor([&] { return !as(QStringLiteral("monitor"), {QStringLiteral("GET"), QStringLiteral("shop:clustr:master")}).isEmpty(); }, 10000));
    QVERIFY(!worker.standardError().contains("NOPERM"));
    QVERIFY(!master.standardError().contains("NOPERM"));
}

void tst_Acl::eachRoleIsRefusedWhatItMustNotDo_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QStringList>("command");
    QTest::addColumn<bool>("allowed");
    const auto row = [](const char *name, const char *role, const QStringList &command, bool allowed) {
        QTest::newRow(name) << QString::fromLatin1(role) << command << allowed;
    };
    const QString publish = QStringLiteral("PUBLISH");
    row("worker: public", "worker", {publish, QStringLiteral("shop:public"), QStringLiteral("x")}, true);
    row("worker: kill", "worker", {publish, QStringLiteral("shop:kill:1"), QStringLiteral("x")}, true);
    row("worker: no control", "worker", {publish, QStringLiteral("shop:control:1"), QStringLiteral("x")}, false);
    row("worker: no events", "worker", {publish, QStringLiteral("shop:events:1"), QStringLiteral("x")}, false);
    row("worker: no status", "worker", {QStringLiteral("GET"), QStringLiteral("shop:clustr:status")}, false);
    row("worker: no other cluster", "worker", {publish, QStringLiteral("blog:public"), QStringLiteral("x")}, false);
    row("worker: no unnamed cluster", "worker", {publish, QStringLiteral("public"), QStringLiteral("x")}, false);
    row("operator: control", "operator", {publish, QStringLiteral("shop:control:1"), QStringLiteral("x")}, true);
    row("operator: lock", "operator", {QStringLiteral("SET"), QStringLiteral("shop:clustr:lock"), QStringLiteral("x")}, true);
    row("operator: lock takeover script", "operator",
        {QStringLiteral("EVAL"), QStringLiteral("return redis.call('GET', KEYS[1])"), QStringLiteral("1"), QStringLiteral("shop:clustr:lock")}, true);
    row("operator: no script on other keys", "operator",
        {QStringLiteral("EVAL"), QStringLiteral("return redis.call('GET', KEYS[1])"), QStringLiteral("1"), QStringLiteral("blog:clustr:lock")}, false);
    row("operator: no other cluster", "operator", {publish, QStringLiteral("blog:control:1"), QStringLiteral("x")}, false);
    row("operator: no other keys", "operator", {QStringLiteral("GET"), QStringLiteral("blog:clustr:status")}, false);
    row("operator: no admin", "operator", {QStringLiteral("FLUSHALL")}, false);
    // What ClusterClient reads the records with (at most 16 MiB of each).
    row("monitor: status", "monitor", {QStringLiteral("GETRANGE"), QStringLiteral("shop:clustr:status"), QStringLiteral("0"), QStringLiteral("16777216")}, true);
    row("operator: status", "operator", {QStringLiteral("GETRANGE"), QStringLiteral("shop:clustr:master"), QStringLiteral("0"), QStringLiteral("16777216")}, true);
    row("monitor: the lock's read", "monitor", {QStringLiteral("MGET"), QStringLiteral("shop:clustr:master"), QStringLiteral("shop:clustr:lock")}, true);
    row("monitor: no publish", "monitor", {publish, QStringLiteral("shop:public"), QStringLiteral("x")}, false);
    row("monitor: no control", "monitor", {publish, QStringLiteral("shop:control:1"), QStringLiteral("x")}, false);
    row("monitor: no kill", "monitor", {publish, QStringLiteral("shop:kill:1"), QStringLiteral("15")}, false);
    // Asking for fresh figures (docs/PROTOCOL.md section 8.4) is all a monitor may publish, and only in its cluster.
    row("monitor: asks for figures", "monitor", {publish, QStringLiteral("shop:sampling:1"), QStringLiteral("{}")}, true);
    row("monitor: not another cluster's figures", "monitor", {publish, QStringLiteral("blog:sampling:1"), QStringLiteral("{}")}, false);
    row("worker: hears requests for figures", "worker", {QStringLiteral("SUBSCRIBE"), QStringLiteral("shop:sampling:1")}, true);
    // The workers' recent output (`clustr-qt logs`): written by the master's user, read by tools, not by workers.
    row("operator: keeps output lines", "operator", {QStringLiteral("RPUSH"), QStringLiteral("shop:clustr:logs"), QStringLiteral("{}")}, true);
    row("operator: trims them", "operator", {QStringLiteral("LTRIM"), QStringLiteral("shop:clustr:logs"), QStringLiteral("-10"), QStringLiteral("-1")}, true);
    row("monitor: reads output lines", "monitor", {QStringLiteral("LRANGE"), QStringLiteral("shop:clustr:logs"), QStringLiteral("0"), QStringLiteral("-1")}, true);
    row("operator: publishes output lines", "operator", {QStringLiteral("PUBLISH"), QStringLiteral("shop:clustr:logs"), QStringLiteral("{}")}, true);
    row("monitor: writes no output lines", "monitor", {QStringLiteral("RPUSH"), QStringLiteral("shop:clustr:logs"), QStringLiteral("{}")}, false);
    row("worker: reads no output lines", "worker", {QStringLiteral("LRANGE"), QStringLiteral("shop:clustr:logs"), QStringLiteral("0"), QStringLiteral("-1")}, false);
    row("worker: publishes no output lines", "worker", {QStringLiteral("PUBLISH"), QStringLiteral("shop:clustr:logs"), QStringLiteral("{}")}, false);
    row("monitor: no writes", "monitor", {QStringLiteral("SET"), QStringLiteral("shop:clustr:master"), QStringLiteral("x")}, false);
    // On a Redis Cluster the same keys are hash-tagged (docs/PROTOCOL.md, "Redis Cluster").
    row("operator: hash-tagged keys", "operator", {QStringLiteral("SET"), QStringLiteral("{shop:clustr}:master"), QStringLiteral("x")}, true);
    row("operator: no other cluster's hash-tagged keys", "operator", {QStringLiteral("SET"), QStringLiteral("{blog:clustr}:master"), QStringLiteral("x")}, false);
    row("monitor: reads hash-tagged keys", "monitor", {QStringLiteral("GET"), QStringLiteral("{shop:clustr}:status")}, true);
    row("monitor: writes no hash-tagged keys", "monitor", {QStringLiteral("SET"), QStringLiteral("{shop:clustr}:lock"), QStringLiteral("x")}, false);
    row("worker: no hash-tagged keys", "worker", {QStringLiteral("GET"), QStringLiteral("{shop:clustr}:master")}, false);
}

void tst_Acl::eachRoleIsRefusedWhatItMustNotDo()
{
    QFETCH(QString, role);
    QFETCH(QStringList, command);
    QFETCH(bool, allowed);
    const QByteArray reply = as(role, command);
    QVERIFY2(reply.contains("NOPERM") != allowed, reply.constData());
}

// A tool learns at connect whether its user may command the cluster (the
// GUI greys out its actions for a monitor), and asking publishes nothing.
void tst_Acl::clientKnowsWhetherItMayCommand()
{
    Clustr::RedisClient listener;
    listener.setUrl(userUrl(QStringLiteral("operator")));
    QByteArrayList heard;
    connect(&listener, &Clustr::RedisClient::patternMessageReceived, this,
            [&heard](const QByteArray &, const QByteArray &channel, const QByteArray &) { heard.append(channel); });
    QSignalSpy listening(&listener, &Clustr::RedisClient::subscribed);
    QVERIFY(listener.open());
    listener.psubscribe(QByteArrayLiteral("shop:*"));
    QVERIFY(listening.wait(10000));

    const QHash<QString, bool> expected{{QStringLiteral("monitor"), true}, {QStringLiteral("worker"), true}, {QStringLiteral("operator"), false}};
    for (auto it = expected.cbegin(); it != expected.cend(); ++it) {
        Clustr::ClusterClient client;
        client.setRedisUrl(userUrl(it.key()));
        client.setClusterName(QStringLiteral("shop"));
        QVERIFY(client.open());
        // Answers come in order: once this PING is answered, so is the question.
        bool answered = false;
        QTRY_VERIFY_WITH_TIMEOUT(client.publisher()->isConnected(), 10000);
        client.publisher()->command({QByteArrayLiteral("PING")}, [&answered](const Clustr::RedisReply &) { answered = true; });
        QTRY_VERIFY_WITH_TIMEOUT(answered, 10000);
        QVERIFY2(client.isReadOnly() == it.value(), qPrintable(it.key()));
        QCOMPARE(client.readOnlyReason().contains(QStringLiteral("NOPERM")), it.value());
    }
    // Nothing was published by asking: the first thing heard is this.
    QCOMPARE(as(QStringLiteral("operator"), {QStringLiteral("PUBLISH"), QStringLiteral("shop:public"), QStringLiteral("{}")}), QByteArray("1"));
    QTRY_VERIFY_WITH_TIMEOUT(!heard.isEmpty(), 10000);
    QCOMPARE(heard, QByteArrayList{QByteArrayLiteral("shop:public")});
}

// The lock's refresh every 2 s is answered, not only sent: when Redis
// refuses it (here an ACL that takes SET away from the holder), the name
// would expire under a running master, and the holder says so, once, and
// again once a refresh succeeds.
void tst_Acl::aRefusedLockRefreshIsReported()
{
    auto admin = [this](const QStringList &command) { return m_redis->cli(command).trimmed(); };
    QCOMPARE(admin({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("locker"), QStringLiteral("reset"), QStringLiteral("on"),
                    QStringLiteral(">locker-pw"), QStringLiteral("~*"), QStringLiteral("&*"), QStringLiteral("+@all")}),
             QByteArray("OK"));
    const auto dropUser = qScopeGuard([&admin] { admin({QStringLiteral("ACL"), QStringLiteral("DELUSER"), QStringLiteral("locker")}); });
    LoggedMessages messages;
    const QStringList &logged = messages.seen();

    Clustr::ClusterLock lock;
    lock.setRedisUrl(QStringLiteral("redis://locker:locker-pw@127.0.0.1:%1").arg(m_redis->port()));
    lock.setClusterName(QStringLiteral("refreshed"));
    QSignalSpy acquired(&lock, &Clustr::ClusterLock::acquired);
    lock.acquire();
    QVERIFY(acquired.wait(10000));
    QVERIFY(lock.isHeld());

    QCOMPARE(admin({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("locker"), QStringLiteral("-set")}), QByteArray("OK"));
    const auto refused = [&logged] {
        return logged.filter(QStringLiteral("the cluster lock refreshed:clustr:lock could not be refreshed: NOPERM")).size();
    };
    QTRY_COMPARE_WITH_TIMEOUT(refused(), 1, 10000);
    QVERIFY2(logged.filter(QStringLiteral("could not be refreshed")).constFirst().contains(QStringLiteral("it expires 5 s after")),
             qPrintable(logged.join(u'\n')));
    // Refused again every 2 s (Redis' ACL log counts the refusals), said once.
    const auto refusals = [&admin] {
        const QByteArrayList lines = admin({QStringLiteral("ACL"), QStringLiteral("LOG"), QStringLiteral("1")}).split('\n');
        const qsizetype at = lines.indexOf(QByteArrayLiteral("count"));
        return at >= 0 && at + 1 < lines.size() ? lines.at(at + 1).toInt() : 0;
    };
    const int refusalsBefore = refusals();
    QVERIFY(refusalsBefore >= 1);
    QTRY_VERIFY_WITH_TIMEOUT(refusals() > refusalsBefore, 10000);
    QCOMPARE(refused(), 1);

    QCOMPARE(admin({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("locker"), QStringLiteral("+set")}), QByteArray("OK"));
    QTRY_COMPARE_WITH_TIMEOUT(logged.filter(QStringLiteral("the cluster lock refreshed:clustr:lock is refreshed again")).size(), 1, 10000);
    QCOMPARE(refused(), 1);
}

QTEST_GUILESS_MAIN(tst_Acl)
#include "tst_acl.moc"
