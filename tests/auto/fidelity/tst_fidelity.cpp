// SPDX-License-Identifier: MIT
// The data passes through as it was sent (docs/PROTOCOL.md, section 1):
// a relayed message keeps the sender's bytes, a number JavaScript reads as
// Infinity is accepted, and a master's cluster-info answer lists its groups
// as clustr-node's does. Real Worker and Master objects, raw Redis clients
// playing the other programs, a private redis-server.
#include "embeddedoptions.h"
#include "redisserver.h"

#include <ClustrQt/master.h>
#include <ClustrQt/redisclient.h>
#include <ClustrQt/worker.h>

#include <QtCore/QProcess>
#include <QtTest/QtTest>

using namespace Clustr;

namespace {

QByteArray envelope(qint64 pid, const QByteArray &group, const QByteArray &data)
{
    return "{\"meta\":{\"pid\":" + QByteArray::number(pid) + ",\"group\":\"" + group + "\"},\"data\":" + data + '}';
}

// A redis client subscribed to one channel, keeping every payload.
class RawSubscriber
{
public:
    RawSubscriber(const QString &url, const QByteArray &channel)
    {
        m_client.setUrl(url);
        QObject::connect(&m_client, &RedisClient::messageReceived, &m_client,
                         [this](const QByteArray &, const QByteArray &payload) { payloads.append(payload); });
        QObject::connect(&m_client, &RedisClient::subscribed, &m_client, [this] { subscribed = true; });
        m_client.subscribe(channel);
        m_client.open();
    }
    QByteArrayList payloads;
    bool subscribed = false;

private:
    RedisClient m_client;
};

// A process that runs (the master checks that a registered pid does), ended with the test.
class LiveProcess
{
public:
    LiveProcess()
    {
        m_process.start(QStringLiteral("sleep"), {QStringLiteral("1000")});
        m_process.waitForStarted();
    }
    ~LiveProcess()
    {
        m_process.kill();
        m_process.waitForFinished();
    }
    qint64 pid() const { return m_process.processId(); }

private:
    QProcess m_process;
};

} // namespace

class tst_Fidelity : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void relayKeepsTheSendersBytes_data();
    void relayKeepsTheSendersBytes();
    void receivedDataIsParsedWhenRead();
    void clusterInfoKeepsRegistrationOrderAndEmptyGroups();

private:
    RedisServer m_redis;
};

void tst_Fidelity::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void tst_Fidelity::relayKeepsTheSendersBytes_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("key order") << QByteArray(R"({"b":1,"a":2})")
                               << QJsonValue(QJsonObject{{QStringLiteral("a"), 2}, {QStringLiteral("b"), 1}});
    QTest::newRow("number spellings") << QByteArray("[1e-7,0.000001,2.5e-5,1e19,1.0,2E3,-0]")
                                      << QJsonValue(QJsonArray{1e-7, 1e-6, 2.5e-5, 1e19, 1, 2000, 0});
    QTest::newRow("escapes") << QByteArray(R"("caf\u00e9 \/ \ud83d\ude00")")
                             << QJsonValue(QString::fromUtf8("café / 😀"));
    QTest::newRow("nested, spaced") << QByteArray(R"({"z" : [ {"y":1, "x":[]} ], "a":null})")
                                    << QJsonValue(QJsonObject{{QStringLiteral("a"), QJsonValue::Null},
                                                              {QStringLiteral("z"), QJsonArray{QJsonObject{{QStringLiteral("x"), QJsonArray()}, {QStringLiteral("y"), 1}}}}});
    // JavaScript reads it as Infinity and sends that on as null: accepted, read as null.
    QTest::newRow("beyond a double") << QByteArray(R"({"big":1e400,"n":[-1E400]})")
                                     << QJsonValue(QJsonObject{{QStringLiteral("big"), QJsonValue::Null},
                                                               {QStringLiteral("n"), QJsonArray{QJsonValue::Null}}});
}

// A worker relays what it receives: the bytes the original sender wrote
// reach the next receiver unchanged.
void tst_Fidelity::relayKeepsTheSendersBytes()
{
    QFETCH(QByteArray, data);
    QFETCH(QJsonValue, value);

    Worker relay(QStringLiteral("relay"), embedded(m_redis.url()));
    QList<Message> received;
    QObject::connect(&relay, &Process::groupMessageReceived, &relay, [&](const Message &message) {
        received.append(message);
        QVERIFY(relay.emitGroupJson(QStringLiteral("sink"), message.dataJson()));
    });
    RawSubscriber sink(m_redis.url(), "group:sink");
    RedisClient sender;
    sender.setUrl(m_redis.url());
    sender.open();
    QTRY_VERIFY(relay.isConnected() && sink.subscribed && sender.isConnected());

    sender.publish("group:relay", envelope(4242, "node", data));
    QTRY_COMPARE(sink.payloads.size(), 1);
    QCOMPARE(sink.payloads.first(), envelope(relay.pid(), "relay", data));
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().dataJson(), data);
    QCOMPARE(received.first().data(), value);
    QCOMPARE(relay.stats().rejectedMessages(), quint64(0));
}

void tst_Fidelity::receivedDataIsParsedWhenRead()
{
    Message message;
    message.setDataJson(R"({"b":[1,2],"a":"x"})");
    const Message copy = message;
    QCOMPARE(copy.dataJson(), QByteArray(R"({"b":[1,2],"a":"x"})"));
    QCOMPARE(copy.data().toObject().value(QStringLiteral("a")).toString(), QStringLiteral("x"));
    QCOMPARE(message, copy);

    // Built from a value, its text is written as JSON.stringify writes it.
    Message built;
    built.setData(QJsonObject{{QStringLiteral("n"), 2.5e-5}, {QStringLiteral("m"), 1e21}});
    QCOMPARE(built.dataJson(), QByteArray(R"({"m":1e+21,"n":0.000025})"));
    built.setDataJson("[1]"); // after the text was made: the new data counts
    QCOMPARE(built.data(), QJsonValue(QJsonArray{1}));
    QCOMPARE(Message().dataJson(), QByteArray("null"));
}

// clustr-node's master keeps its groups in a JavaScript object: its answer
// lists them in the order they first registered (names that are numbers
// first, as JavaScript orders them), and a group whose last process left
// stays, as [].
void tst_Fidelity::clusterInfoKeepsRegistrationOrderAndEmptyGroups()
{
    Master master(embedded(m_redis.url()));
    QTRY_VERIFY(master.isConnected());
    LiveProcess web, cache, numbered, admin;
    RedisClient sender;
    sender.setUrl(m_redis.url());
    sender.open();
    QTRY_VERIFY(sender.isConnected());
    const QByteArray registration = "registration:" + QByteArray::number(master.pid());
    QSignalSpy registered(&master, &Master::workerRegistered);
    sender.publish(registration, envelope(web.pid(), "web", R"("registration")"));
    sender.publish(registration, envelope(cache.pid(), "cache", R"("registration")"));
    sender.publish(registration, envelope(numbered.pid(), "7", R"("registration")"));
    sender.publish(registration, envelope(admin.pid(), "admin", R"("registration")"));
    QTRY_COMPARE(registered.count(), 4);
    QSignalSpy deregistered(&master, &Master::workerDeregistered);
    sender.publish("deregistration:" + QByteArray::number(master.pid()), envelope(admin.pid(), "admin", R"("deregistration")"));
    QTRY_COMPARE(deregistered.count(), 1);

    RawSubscriber answer(m_redis.url(), "clusterInfo:" + QByteArray::number(web.pid()));
    QTRY_VERIFY(answer.subscribed);
    sender.publish("clusterInfo:" + QByteArray::number(master.pid()), envelope(web.pid(), "web", R"("clusterInfo")"));
    QTRY_COMPARE(answer.payloads.size(), 1);
    const QByteArray expected = "{\"7\":[" + QByteArray::number(numbered.pid()) + "],\"web\":["
        + QByteArray::number(web.pid()) + "],\"cache\":[" + QByteArray::number(cache.pid()) + "],\"admin\":[]}";
    QCOMPARE(answer.payloads.first(), envelope(master.pid(), "master", expected));
}

QTEST_GUILESS_MAIN(tst_Fidelity)
#include "tst_fidelity.moc"
