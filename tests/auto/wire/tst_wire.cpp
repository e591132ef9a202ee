// SPDX-License-Identifier: MIT
// The wire protocol as other programs see it: redis-cli speaking it by hand,
// malformed payloads on every channel, and Redis going away under running
// processes.
#include "redisserver.h"
#include "testprocess.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QScopeGuard>
#include <QtTest/QtTest>

#include <memory>

#include <sys/resource.h>

namespace {

qint64 pidOf(const QJsonObject &e)
{
    return qint64(e.value(QStringLiteral("pid")).toDouble());
}

// The size of a process' data segment (VmData: heap and private writable mappings), in bytes.
qint64 dataSize(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmData:"))
            return line.mid(7).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

// `redis-cli SUBSCRIBE channel` in the background, collecting what it prints.
class Subscriber
{
public:
    Subscriber(const RedisServer &server, const QString &channel)
    {
        m_process.start(QStringLiteral("redis-cli"), server.cliArguments() + QStringList{QStringLiteral("--raw"), QStringLiteral("SUBSCRIBE"), channel});
        m_process.waitForStarted();
    }
    ~Subscriber()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    // Waits until redis-cli printed a line that parses as a JSON object.
    std::optional<QJsonObject> waitForPayload()
    {
        std::optional<QJsonObject> found;
        (void)QTest::qWaitFor([&] {
            m_output += m_process.readAllStandardOutput();
            for (const QByteArray &line : m_output.split('\n')) {
                const QJsonDocument doc = QJsonDocument::fromJson(line);
                if (doc.isObject()) {
                    found = doc.object();
                    return true;
                }
            }
            return false;
        }, 10000);
        return found;
    }

private:
    QProcess m_process;
    QByteArray m_output;
};

} // namespace

class tst_Wire : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void handMadeProcessJoinsCluster();
    void workerPayloadIsTheOriginalFormat();
    void malformedPayloadsAreRejected();
    void oversizedPayloadIsRejected();
    void oversizedPayloadIsNeverBuffered();
    void redisRestartMidway();

private:
    TestProcess *start(const QStringList &arguments);
    int publish(const QString &channel, const QByteArray &payload);

    RedisServer m_redis;
    std::vector<std::unique_ptr<TestProcess>> m_processes;
};

void tst_Wire::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void tst_Wire::cleanup()
{
    m_processes.clear();
}

TestProcess *tst_Wire::start(const QStringList &arguments)
{
    auto process = std::make_unique<TestProcess>();
    if (!process->startWorker(arguments + QStringList{QStringLiteral("--cluster-redis=") + m_redis.url()}))
        return nullptr;
    m_processes.push_back(std::move(process));
    return m_processes.back().get();
}

int tst_Wire::publish(const QString &channel, const QByteArray &payload)
{
    return m_redis.cli({QStringLiteral("PUBLISH"), channel, QString::fromUtf8(payload)}).trimmed().toInt();
}

void tst_Wire::handMadeProcessJoinsCluster()
{
    auto *master = start({QStringLiteral("--master")});
    QVERIFY(master);
    const QString m = QString::number(master->pid());
    auto *worker = start({QStringLiteral("--group=cache"), QStringLiteral("--cluster-master-pid=") + m, QStringLiteral("--ready")});
    QVERIFY(worker);
    // Started by hand, not by the master: it registers reloadDelay after
    // emitReady(), as it would under the original master (PROTOCOL.md section 3).
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), [&](const QJsonObject &e) { return pidOf(e) == worker->pid(); }));

    // redis-cli registers a process of group web by hand: this test, as a
    // shell would use its own pid ($$), since the master checks that the pid runs.
    const qint64 self = QCoreApplication::applicationPid();
    const QByteArray me = QByteArray::number(self);
    QCOMPARE(publish(QStringLiteral("registration:") + m, R"({"meta":{"pid":)" + me + R"(,"group":"web"},"data":"registration"})"), 1);
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), [self](const QJsonObject &e) { return pidOf(e) == self; }));
    worker->send(cmd(QStringLiteral("clusterInfo")));
    const auto info = worker->waitForEvent(QStringLiteral("clusterInfo"));
    QVERIFY(info);
    QCOMPARE(info->value(QStringLiteral("info")).toObject().value(QStringLiteral("web")).toArray(), QJsonArray{double(self)});

    // It asks for cluster info by hand and gets the original answer format.
    Subscriber answer(m_redis, QStringLiteral("clusterInfo:%1").arg(self));
    QTRY_COMPARE(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMSUB"), QStringLiteral("clusterInfo:%1").arg(self)}).split('\n').value(1).toInt(), 1);
    publish(QStringLiteral("clusterInfo:") + m, R"({"meta":{"pid":)" + me + R"(,"group":"web"},"data":"clusterInfo"})");
    const auto reply = answer.waitForPayload();
    QVERIFY(reply);
    QCOMPARE(pidOf(reply->value(QStringLiteral("meta")).toObject()), master->pid());
    QCOMPARE(reply->value(QStringLiteral("meta")).toObject().value(QStringLiteral("group")).toString(), QStringLiteral("master"));
    QCOMPARE(reply->value(QStringLiteral("data")).toObject().value(QStringLiteral("cache")).toArray(), QJsonArray{double(worker->pid())});

    // It messages a worker, with the pid as a string as some clients send it.
    publish(QStringLiteral("private:%1").arg(worker->pid()), R"({"meta":{"pid":")" + me + R"(","group":"web"},"data":{"x":[1,2]}})");
    const auto received = worker->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("kind")).toString() == QLatin1String("private"); });
    QVERIFY(received);
    QCOMPARE(pidOf(*received), self);
    QCOMPARE(received->value(QStringLiteral("group")).toString(), QStringLiteral("web"));
    QCOMPARE(received->value(QStringLiteral("data")).toObject().value(QStringLiteral("x")).toArray(), (QJsonArray{1, 2}));

    // It deregisters and then kills the worker by hand.
    publish(QStringLiteral("deregistration:") + m, R"({"meta":{"pid":)" + me + R"(,"group":"web"},"data":"deregistration"})");
    QVERIFY(master->waitForEvent(QStringLiteral("deregistered"), [self](const QJsonObject &e) { return pidOf(e) == self; }));
    publish(QStringLiteral("kill:%1").arg(worker->pid()), R"({"meta":{"pid":)" + me + R"(,"group":"web"},"data":9})");
    QVERIFY(worker->waitForFinished());
    QCOMPARE(worker->exitCode(), 9);
    QVERIFY(master->waitForEvent(QStringLiteral("deregistered"), [&](const QJsonObject &e) { return pidOf(e) == worker->pid(); }));
}

void tst_Wire::workerPayloadIsTheOriginalFormat()
{
    auto *worker = start({QStringLiteral("--group=web")});
    QVERIFY(worker);
    Subscriber listener(m_redis, QStringLiteral("private:4242"));
    QTRY_COMPARE(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMSUB"), QStringLiteral("private:4242")}).split('\n').value(1).toInt(), 1);
    worker->send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), 4242}, {QStringLiteral("data"), QJsonObject{{QStringLiteral("hello"), QStringLiteral("world")}}}}));
    const auto payload = listener.waitForPayload();
    QVERIFY(payload);
    QCOMPARE(payload->keys(), (QStringList{QStringLiteral("data"), QStringLiteral("meta")}));
    const QJsonObject meta = payload->value(QStringLiteral("meta")).toObject();
    QCOMPARE(meta.keys(), (QStringList{QStringLiteral("group"), QStringLiteral("pid")}));
    QVERIFY(meta.value(QStringLiteral("pid")).isDouble()); // a number, as clustr-node wrote it
    QCOMPARE(pidOf(meta), worker->pid());
    QCOMPARE(meta.value(QStringLiteral("group")).toString(), QStringLiteral("web"));
    QCOMPARE(payload->value(QStringLiteral("data")).toObject().value(QStringLiteral("hello")).toString(), QStringLiteral("world"));
}

void tst_Wire::malformedPayloadsAreRejected()
{
    auto *master = start({QStringLiteral("--master")});
    QVERIFY(master);
    auto *worker = start({QStringLiteral("--group=web"), QStringLiteral("--cluster-master-pid=%1").arg(master->pid())});
    QVERIFY(worker);
    const QString w = QString::number(worker->pid());
    const QString m = QString::number(master->pid());

    const QList<QByteArray> garbage{
        "not json", "", "[1,2]", "42", "{}", R"({"meta":1,"data":1})", R"({"meta":{"group":"g"},"data":1})",
        R"({"meta":{"pid":0,"group":"g"},"data":1})", R"({"meta":{"pid":-5,"group":"g"},"data":1})",
        R"({"meta":{"pid":1.5,"group":"g"},"data":1})", R"({"meta":{"pid":"12x","group":"g"},"data":1})",
        R"({"meta":{"pid":1},"data":1})", R"({"meta":{"pid":1,"group":7},"data":1})", "{\"meta\":{\"pid\":1,\"group\":\"g\"},\"data\":",
        QByteArray(2000, '['),
    };
    const QStringList workerChannels{QStringLiteral("public"), QStringLiteral("private:") + w, QStringLiteral("group:web"),
                                     QStringLiteral("kill:") + w, QStringLiteral("confirmation"), QStringLiteral("clusterInfo:") + w};
    // The master hears public and confirmation too.
    int sentToWorker = 0;
    int sentToMaster = 0;
    for (const QString &channel : workerChannels) {
        const bool shared = channel == QLatin1String("public") || channel == QLatin1String("confirmation");
        for (const QByteArray &payload : garbage) {
            QCOMPARE(publish(channel, payload), shared ? 2 : 1);
            ++sentToWorker;
            sentToMaster += shared;
        }
    }
    // Well-formed, but of the wrong type for their channel.
    const QList<QPair<QString, QByteArray>> wrongTypes{
        {QStringLiteral("kill:") + w, R"({"meta":{"pid":1,"group":"g"},"data":"soon"})"},
        {QStringLiteral("kill:") + w, R"({"meta":{"pid":1,"group":"g"},"data":300})"},
        {QStringLiteral("kill:") + w, R"({"meta":{"pid":1,"group":"g"},"data":-1})"},
        {QStringLiteral("kill:") + w, R"({"meta":{"pid":1,"group":"g"},"data":1.5})"},
        {QStringLiteral("confirmation"), R"({"meta":{"pid":1,"group":"g"},"data":{"id":1}})"},
        {QStringLiteral("clusterInfo:") + w, R"({"meta":{"pid":1,"group":"g"},"data":{"web":"x"}})"},
        {QStringLiteral("clusterInfo:") + w, R"({"meta":{"pid":1,"group":"g"},"data":{"web":[0]}})"},
    };
    for (const auto &entry : wrongTypes) {
        const bool shared = entry.first == QLatin1String("confirmation");
        QCOMPARE(publish(entry.first, entry.second), shared ? 2 : 1);
        ++sentToWorker;
        sentToMaster += shared;
    }
    for (const QString &channel : {QStringLiteral("registration:") + m, QStringLiteral("deregistration:") + m, QStringLiteral("clusterInfo:") + m}) {
        for (const QByteArray &payload : garbage) {
            QCOMPARE(publish(channel, payload), 1);
            ++sentToMaster;
        }
    }

    // Still alive, still serving, and every bad message counted.
    QVERIFY(worker->sync());
    QVERIFY(master->sync());
    QTRY_COMPARE(worker->stats().value(QStringLiteral("rejectedMessages")).toInt(), sentToWorker);
    QTRY_COMPARE(master->stats().value(QStringLiteral("rejectedMessages")).toInt(), sentToMaster);
    QCOMPARE(worker->count(QStringLiteral("message")), 0); // none reached user code
    QCOMPARE(master->count(QStringLiteral("registered")), 0);
    QVERIFY(worker->isRunning());
    QVERIFY(master->isRunning());
    QVERIFY(worker->standardError().contains("rejected a message on"));

    publish(QStringLiteral("group:web"), R"({"meta":{"pid":1,"group":"g"},"data":"fine"})");
    QVERIFY(worker->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("data")).toString() == QLatin1String("fine"); }));
}

void tst_Wire::oversizedPayloadIsRejected()
{
    auto *worker = start({QStringLiteral("--group=web"), QStringLiteral("--max-payload=200")});
    QVERIFY(worker);
    const QByteArray big = R"({"meta":{"pid":1,"group":"g"},"data":")" + QByteArray(300, 'x') + R"("})";
    const QByteArray small = R"({"meta":{"pid":1,"group":"g"},"data":"small"})";
    QCOMPARE(publish(QStringLiteral("public"), big), 1);
    QCOMPARE(publish(QStringLiteral("public"), small), 1);
    QVERIFY(worker->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("data")).toString() == QLatin1String("small"); }));
    QCOMPARE(worker->count(QStringLiteral("message")), 1);
    const auto rejected = worker->waitForEvent(QStringLiteral("rejected"));
    QVERIFY(rejected);
    QVERIFY2(rejected->value(QStringLiteral("reason")).toString().contains(QStringLiteral("exceeds the limit of 200 bytes")),
             qPrintable(rejected->value(QStringLiteral("reason")).toString()));
    QCOMPARE(worker->stats().value(QStringLiteral("rejectedMessages")).toInt(), 1);
}

// A message larger than maxPayloadSize is skipped as it is read, never
// buffered: the worker's data segment may not grow by more than 16 MiB
// (RLIMIT_DATA) while a 40 MiB message passes, which buffering it (hiredis
// alone copies it once) cannot do. It is rejected as any oversized message
// is, the connection stays, and the next message arrives.
void tst_Wire::oversizedPayloadIsNeverBuffered()
{
    // Redis itself disconnects a subscriber whose output buffer passes the
    // pubsub limit (32 MB by default): lifted, as docs/PROTOCOL.md tells a
    // deployment with large payloads to do.
    const QStringList limit{QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("client-output-buffer-limit")};
    QCOMPARE(m_redis.cli(limit + QStringList{QStringLiteral("pubsub 0 0 0")}).trimmed(), QByteArray("OK"));
    const auto restore = qScopeGuard([&] { m_redis.cli(limit + QStringList{QStringLiteral("pubsub 33554432 8388608 60")}); });
    auto *worker = start({QStringLiteral("--group=web"), QStringLiteral("--max-payload=1048576")});
    QVERIFY(worker);
    const qint64 data = dataSize(worker->pid());
    QVERIFY(data > 0);
    const rlimit bound{rlim_t(data + 16 * 1024 * 1024), rlim_t(data + 16 * 1024 * 1024)};
    QCOMPARE(::prlimit(pid_t(worker->pid()), RLIMIT_DATA, &bound, nullptr), 0);

    Clustr::RedisClient publisher;
    publisher.setUrl(m_redis.url());
    QVERIFY(publisher.open());
    const qsizetype size = 40 * 1024 * 1024;
    QByteArray big = R"({"meta":{"pid":1,"group":"g"},"data":")" + QByteArray(size, 'x') + R"("})";
    publisher.publish("public", big);
    big.clear();
    publisher.publish("public", R"({"meta":{"pid":1,"group":"g"},"data":"after"})");
    QVERIFY(worker->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) {
        return e.value(QStringLiteral("data")).toString() == QLatin1String("after");
    }, 30000));
    const auto rejected = worker->waitForEvent(QStringLiteral("rejected"));
    QVERIFY(rejected);
    QVERIFY2(rejected->value(QStringLiteral("reason")).toString().contains(QStringLiteral("exceeds the limit of 1048576 bytes")),
             qPrintable(rejected->value(QStringLiteral("reason")).toString()));
    QCOMPARE(worker->stats().value(QStringLiteral("rejectedMessages")).toInt(), 1);
    QCOMPARE(worker->count(QStringLiteral("disconnected")), 0);
}

void tst_Wire::redisRestartMidway()
{
    RedisServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    auto a = std::make_unique<TestProcess>();
    auto b = std::make_unique<TestProcess>();
    QVERIFY(a->startWorker({QStringLiteral("--group=a"), QStringLiteral("--cluster-redis=") + server.url()}));
    QVERIFY(b->startWorker({QStringLiteral("--group=b"), QStringLiteral("--cluster-redis=") + server.url()}));
    a->send(cmd(QStringLiteral("group"), {{QStringLiteral("group"), QStringLiteral("b")}, {QStringLiteral("data"), QStringLiteral("before")}}));
    QVERIFY(b->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("data")).toString() == QLatin1String("before"); }));

    server.kill();
    QVERIFY(a->waitForEvent(QStringLiteral("disconnected")));
    QVERIFY(b->waitForEvent(QStringLiteral("disconnected")));
    QVERIFY(a->isRunning() && b->isRunning());
    QVERIFY2(server.restart(&error), qPrintable(error));
    QTRY_COMPARE_WITH_TIMEOUT(a->count(QStringLiteral("connected")), 2, 15000);
    QTRY_COMPARE_WITH_TIMEOUT(b->count(QStringLiteral("connected")), 2, 15000);

    a->send(cmd(QStringLiteral("group"), {{QStringLiteral("group"), QStringLiteral("b")}, {QStringLiteral("data"), QStringLiteral("after")}}));
    QVERIFY(b->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("data")).toString() == QLatin1String("after"); }));
    b->send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), double(a->pid())}, {QStringLiteral("data"), QStringLiteral("back")}}));
    QVERIFY(a->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("data")).toString() == QLatin1String("back"); }));
}

QTEST_GUILESS_MAIN(tst_Wire)
#include "tst_wire.moc"
