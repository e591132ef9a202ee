// SPDX-License-Identifier: MIT
// redis-cluster:// with a real Redis Cluster (three masters, three replicas,
// RedisClusterNodes): key commands follow MOVED and ASK to the node serving
// the slot without the connection ever seeming lost, pub/sub crosses nodes,
// a server that is no cluster node is refused with a clear error, a master
// node killed is survived, and a cluster of a master and workers runs on it
// (messaging, cluster info, kill, the name lock on hash-tagged keys).
// Hash-tagged channels go through sharded pub/sub, at the master of their
// slot, which they follow when it moves or fails over; `?pubsub=plain`
// keeps every channel plain.
#include "clusterrun.h"
#include "fakeredis.h"
#include "masterfixture.h"
#include "programrun.h"
#include "redisclusternodes.h"
#include "testprocess.h"

#include "protocol/channels_p.h"
#include "protocol/codec_p.h"

#include <ClustrQt/accesscontrol.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

#include <memory>

using Clustr::RedisClient;
using Clustr::RedisReply;

namespace {

constexpr int Workers = 4;

qint64 pidOf(const QJsonObject &e)
{
    return qint64(e.value(QLatin1String("pid")).toDouble());
}



// Sends \a arguments and waits for the answer (an error reply if none comes).
RedisReply ask(RedisClient &client, const QByteArrayList &arguments)
{
    std::optional<RedisReply> answer;
    client.command(arguments, [&answer](const RedisReply &reply) { answer = reply; });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 30000))
        return RedisReply::error("ERR no answer in the test's wait");
    return *answer;
}

// The port of the node \a client is connected to, from its INFO.
int serverPort(RedisClient &client)
{
    const RedisReply reply = ask(client, {"INFO", "server"});
    for (const QByteArray &line : reply.string.split('\n')) {
        if (line.startsWith("tcp_port:"))
            return line.mid(9).trimmed().toInt();
    }
    return -1;
}

} // namespace

class tst_RedisCluster : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void keysFollowMovedToEveryNode();
    void askRedirectIsFollowedOnce();
    void publishAndSubscribeOnDifferentNodes();
    void serverWithoutClusterIsRefused();
    void redirectLoopEndsWithTheError();
    void malformedRedirectIsTheAnswer_data();
    void malformedRedirectIsTheAnswer();
    void clusterOfWorkersRuns();
    void shardedChannelsStayInTheirShard();
    void shardedSubscriptionFollowsItsSlot();
    void plainPubSubOnRequest();
    void shardedSubscriptionRefusedIsSaid();
    void daemonAndCliRunOnIt();
    // Last: it kills a master node, whose replica takes its place for good.
    void masterNodeKilledIsSurvived();

private:
    RedisClusterNodes m_nodes;
};

void tst_RedisCluster::initTestCase()
{
    QString error;
    QVERIFY2(m_nodes.start(&error), qPrintable(error));
}


void tst_RedisCluster::keysFollowMovedToEveryNode()
{
    // One seed: every key of a slot served elsewhere comes back MOVED.
    auto client = connectedRedisClient(m_nodes.urlOf(0));
    QVERIFY(client);
    QSignalSpy lost(client.get(), &RedisClient::disconnected);
    QSignalSpy connected(client.get(), &RedisClient::connected);
    QSet<int> owners;
    for (int i = 0; i < 30; ++i) {
        const QByteArray key = "moved-" + QByteArray::number(i);
        owners.insert(m_nodes.masterOf(m_nodes.slotOf(key)));
        const RedisReply set = ask(*client, {"SET", key, "value-" + QByteArray::number(i)});
        QVERIFY2(!set.isError(), set.string.constData());
    }
    QCOMPARE(owners.size(), 3); // the keys did land on every master
    for (int i = 0; i < 30; ++i) {
        const QByteArray key = "moved-" + QByteArray::number(i);
        QCOMPARE(ask(*client, {"GET", key}).string, "value-" + QByteArray::number(i));
        // Where the key is, from the node that serves it.
        const int owner = m_nodes.masterOf(m_nodes.slotOf(key));
        QCOMPARE(m_nodes.node(owner).cli({QStringLiteral("GET"), QString::fromUtf8(key)}).trimmed(), "value-" + QByteArray::number(i));
    }
    // Moving between nodes is nothing its users hear about.
    QCOMPARE(lost.size(), 0);
    QCOMPARE(connected.size(), 0);
    QVERIFY(client->isConnected());
}

void tst_RedisCluster::askRedirectIsFollowedOnce()
{
    // A slot migrating from A to B: a key not on A any more is asked for at B (ASK).
    const QByteArray key = "asked-key";
    const int slot = m_nodes.slotOf(key);
    const int source = m_nodes.masterOf(slot);
    QVERIFY(source >= 0);
    const int target = (source + 1) % 3;
    const QString slotText = QString::number(slot);
    QCOMPARE(m_nodes.node(target).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), slotText, QStringLiteral("IMPORTING"),
                                       QString::fromUtf8(m_nodes.idOf(source))}).trimmed(), QByteArray("OK"));
    QCOMPARE(m_nodes.node(source).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), slotText, QStringLiteral("MIGRATING"),
                                       QString::fromUtf8(m_nodes.idOf(target))}).trimmed(), QByteArray("OK"));
    const auto restore = qScopeGuard([&] {
        for (int node : {source, target})
            m_nodes.node(node).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), slotText, QStringLiteral("STABLE")});
    });

    auto client = connectedRedisClient(m_nodes.urlOf(source));
    QVERIFY(client);
    const RedisReply set = ask(*client, {"SET", key, "there"});
    QVERIFY2(!set.isError(), set.string.constData());
    // It is at B, which holds it only for an ASKING client, and not at A.
    QCOMPARE(m_nodes.node(target).cli({QStringLiteral("CLUSTER"), QStringLiteral("COUNTKEYSINSLOT"), slotText}).trimmed(), QByteArray("1"));
    QCOMPARE(m_nodes.node(source).cli({QStringLiteral("CLUSTER"), QStringLiteral("COUNTKEYSINSLOT"), slotText}).trimmed(), QByteArray("0"));
    QCOMPARE(serverPort(*client), m_nodes.node(target).port());
}

void tst_RedisCluster::publishAndSubscribeOnDifferentNodes()
{
    // A subscriber on one master, a publisher on a replica: the cluster's bus carries it.
    auto subscriber = connectedRedisClient(m_nodes.urlOf(0));
    auto publisher = connectedRedisClient(m_nodes.urlOf(5));
    QVERIFY(subscriber && publisher);
    QCOMPARE(serverPort(*publisher), m_nodes.node(5).port());
    QSignalSpy subscribed(subscriber.get(), &RedisClient::subscribed);
    QSignalSpy messages(subscriber.get(), &RedisClient::messageReceived);
    subscriber->subscribe("crossing");
    QTRY_COMPARE(subscribed.size(), 1);
    publisher->publish("crossing", "over the bus");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 10000);
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("over the bus"));
}

void tst_RedisCluster::serverWithoutClusterIsRefused()
{
    RedisServer plain;
    QString error;
    QVERIFY2(plain.start(&error), qPrintable(error));
    RedisClient client;
    client.setUrl(QStringLiteral("redis-cluster://127.0.0.1:%1").arg(plain.port()));
    client.setReconnectDelays(std::chrono::milliseconds(50), std::chrono::milliseconds(200));
    QSignalSpy errors(&client, &RedisClient::errorOccurred);
    QVERIFY(client.open());
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 10000);
    QVERIFY2(errors.at(0).at(1).toString().contains(QLatin1String("is not a Redis Cluster node")),
             qPrintable(errors.at(0).at(1).toString()));
    QVERIFY(!client.isConnected());
    QCOMPARE(client.error(), RedisClient::Error::ConnectionFailed);
}

// A hostile node: every key command is redirected to itself. The client
// follows five redirects, then hands the caller the sixth, and stays usable.
void tst_RedisCluster::redirectLoopEndsWithTheError()
{
    QTcpServer portFinder;
    QVERIFY(portFinder.listen(QHostAddress::LocalHost));
    const quint16 port = portFinder.serverPort();
    portFinder.close();
    // The handshake (CLUSTER MYID, PING), then the command: MOVED here again.
    FakeRedis fake({"$3\r\nabc\r\n+PONG\r\n", "-MOVED 42 127.0.0.1:" + QByteArray::number(port) + "\r\n"});
    QVERIFY(fake.listen(port)); // the port it redirects to is its own
    auto client = connectedRedisClient(QStringLiteral("redis-cluster://127.0.0.1:%1").arg(port));
    QVERIFY(client);
    const RedisReply reply = ask(*client, {"GET", "looping"});
    QVERIFY2(reply.isError() && reply.string.startsWith("MOVED 42 "), reply.string.constData());
    QCOMPARE(fake.connections(), 6); // the first, and one per redirect followed
    QTRY_VERIFY(client->isConnected());
}

void tst_RedisCluster::malformedRedirectIsTheAnswer_data()
{
    QTest::addColumn<QByteArray>("redirect");
    QTest::newRow("no address") << QByteArray("-MOVED 42\r\n");
    QTest::newRow("no port") << QByteArray("-MOVED 42 127.0.0.1\r\n");
    QTest::newRow("port out of range") << QByteArray("-MOVED 42 127.0.0.1:99999\r\n");
    QTest::newRow("port zero") << QByteArray("-ASK 42 127.0.0.1:0\r\n");
    QTest::newRow("port not a number") << QByteArray("-MOVED 42 127.0.0.1:x\r\n");
    QTest::newRow("bad host") << QByteArray("-MOVED 42 bad!host:7000\r\n");
    QTest::newRow("bad ipv6") << QByteArray("-ASK 42 [1::2::3]:7000\r\n");
}

// A redirect that names no usable node is not followed: it is the caller's
// answer, on the same connection.
void tst_RedisCluster::malformedRedirectIsTheAnswer()
{
    QFETCH(QByteArray, redirect);
    FakeRedis fake({"$3\r\nabc\r\n+PONG\r\n", redirect});
    QVERIFY(fake.listen());
    auto client = connectedRedisClient(QStringLiteral("redis-cluster://") + fake.url().mid(int(qstrlen("redis://"))));
    QVERIFY(client);
    QSignalSpy lost(client.get(), &RedisClient::disconnected);
    const RedisReply reply = ask(*client, {"GET", "somewhere"});
    QVERIFY(reply.isError());
    QCOMPARE(reply.string, redirect.mid(1).chopped(2));
    QCOMPARE(fake.connections(), 1);
    QCOMPARE(lost.size(), 0);
}

void tst_RedisCluster::clusterOfWorkersRuns()
{
    const QString url = m_nodes.url();
    const QJsonObject spec = testWorkerEntry(QStringLiteral("clustr-test-worker"), QStringLiteral("web"), Workers);
    TestProcess master;
    QVERIFY(master.startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + url,
                                QStringLiteral("--cluster-namespace=shop"),
                                QStringLiteral("--spawn=") + QString::fromUtf8(QJsonDocument(QJsonArray{spec}).toJson(QJsonDocument::Compact))}));
    QVERIFY(master.waitForEvent(QStringLiteral("clusterStarted"), ownEvents(), 30000));
    QTRY_COMPARE_WITH_TIMEOUT(registeredPids(master).size(), Workers, 30000);
    const QSet<qint64> workers = registeredPids(master);

    auto client = connectedRedisClient(url);
    QVERIFY(client);
    // A group message from outside reaches every worker, whichever node each is on.
    client->publish("shop:group:web", Clustr::Protocol::Codec::encode(4242, QStringLiteral("test"), QStringLiteral("hello")));
    for (qint64 pid : workers)
        QVERIFY(master.waitForEvent(QStringLiteral("message"), fromWorker(pid, withData(QStringLiteral("hello"))), 20000));

    // Every worker's inbox is sharded: its channels, hash-tagged, are
    // subscribed with SSUBSCRIBE at their slot's master, not with SUBSCRIBE.
    const Clustr::Protocol::Channels channels
        = Clustr::Protocol::Channels(QStringLiteral("shop")).withHashTaggedKeys(true).withShardedInboxes(true);
    const QByteArray sharded = m_nodes.cliOnEveryNode({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")});
    const QByteArray plain = m_nodes.cliOnEveryNode({QStringLiteral("PUBSUB"), QStringLiteral("CHANNELS")});
    for (qint64 pid : workers) {
        QCOMPARE(channels.privateChannel(pid), "shop:private:{" + QByteArray::number(pid) + '}');
        for (const QByteArray &inbox : {channels.privateChannel(pid), channels.killChannel(pid), channels.clusterInfoChannel(pid)}) {
            QVERIFY2(sharded.contains(inbox), inbox.constData());
            QVERIFY2(!plain.contains(inbox), inbox.constData());
        }
    }
    QVERIFY(plain.contains("shop:group:web"));

    // A worker asks for the cluster info and hears every worker in it.
    const qint64 first = *workers.cbegin();
    client->publish(channels.privateChannel(first),
                    Clustr::Protocol::Codec::encode(4242, QStringLiteral("test"), QJsonObject{{QStringLiteral("cmd"), QStringLiteral("clusterInfo")}}));
    QVERIFY(master.waitForEvent(QStringLiteral("clusterInfo"), fromWorker(first, [&](const QJsonObject &e) {
        QSet<qint64> web;
        for (const QJsonValue &pid : e.value(QStringLiteral("info")).toObject().value(QStringLiteral("web")).toArray())
            web.insert(qint64(pid.toDouble()));
        return web == workers;
    }), 20000));

    // The master's keys are hash-tagged: one slot, one node, on which the master's announcement is.
    const Clustr::Protocol::Channels keys = Clustr::Protocol::Channels(QStringLiteral("shop")).withHashTaggedKeys(true);
    QCOMPARE(keys.masterKey(), QByteArray("{shop:clustr}:master"));
    QTRY_VERIFY_WITH_TIMEOUT(!ask(*client, {"GET", keys.masterKey()}).string.isEmpty(), 20000);
    QCOMPARE(m_nodes.slotOf(keys.masterKey()), m_nodes.slotOf(keys.statusKey()));

    // A kill with an exit code ends exactly that worker, which is respawned.
    client->publish(channels.killChannel(first), Clustr::Protocol::Codec::encode(4242, QStringLiteral("test"), 3));
    QVERIFY(master.waitForEvent(QStringLiteral("childExited"), ownEvents([first](const QJsonObject &e) {
        return pidOf(e) == first && e.value(QStringLiteral("code")).toInt() == 3;
    }), 20000));
    // Its deregistration may be printed after childExited: both are waited for.
    QTRY_VERIFY_WITH_TIMEOUT(!registeredPids(master).contains(first) && registeredPids(master).size() == Workers, 30000);
}

// A channel "NAME:{tag}" whose slot's master is node \a master.
QByteArray channelServedBy(RedisClusterNodes &nodes, const QByteArray &name, int master)
{
    for (int i = 0;; ++i) {
        const QByteArray channel = name + ":{" + QByteArray::number(i) + '}';
        if (nodes.masterOf(nodes.slotOf(channel)) == master)
            return channel;
    }
}

void tst_RedisCluster::shardedChannelsStayInTheirShard()
{
    // One channel on each master, and a plain one.
    QByteArrayList channels;
    for (int master = 0; master < 3; ++master)
        channels.append(channelServedBy(m_nodes, "inbox", master));
    auto subscriber = connectedRedisClient(m_nodes.url());
    auto publisher = connectedRedisClient(m_nodes.urlOf(1));
    QVERIFY(subscriber && publisher);
    QSignalSpy subscribed(subscriber.get(), &RedisClient::subscribed);
    QSignalSpy messages(subscriber.get(), &RedisClient::messageReceived);
    for (const QByteArray &channel : channels)
        subscriber->subscribe(channel);
    subscriber->subscribe("plain-channel");
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 4, 20000);
    QCOMPARE(subscriber->channels().size(), 4);

    // Each at its own master: SSUBSCRIBEd there, nowhere a plain subscription.
    for (int master = 0; master < 3; ++master) {
        const QByteArray there = m_nodes.node(master).cli({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")});
        QVERIFY2(there.contains(channels.at(master)), there.constData());
    }
    QVERIFY(!m_nodes.cliOnEveryNode({QStringLiteral("PUBSUB"), QStringLiteral("CHANNELS")}).contains("inbox:"));

    // SPUBLISH at the slot's master, whichever node the publisher started
    // on, and its count is the subscriber's: exactly one.
    for (const QByteArray &channel : channels) {
        const RedisReply reply = ask(*publisher, {"PUBLISH", channel, "to " + channel});
        QCOMPARE(reply.type, RedisReply::Type::Integer);
        QCOMPARE(reply.integer, 1);
    }
    publisher->publish("plain-channel", "plain");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 4, 20000);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(messages.at(i).at(0).toByteArray(), channels.at(i));
        QCOMPARE(messages.at(i).at(1).toByteArray(), "to " + channels.at(i));
    }
    QCOMPARE(messages.at(3).at(1).toByteArray(), QByteArray("plain"));
    int spublished = 0;
    for (const QByteArray &line : m_nodes.cliOnEveryNode({QStringLiteral("INFO"), QStringLiteral("commandstats")}).split('\n')) {
        if (line.startsWith("cmdstat_spublish:calls="))
            spublished += line.mid(23, line.indexOf(',') - 23).toInt();
    }
    QVERIFY2(spublished >= 3, QByteArray::number(spublished).constData());

    // Unsubscribed at its node: nobody hears it any more.
    subscriber->unsubscribe(channels.at(0));
    QTRY_VERIFY_WITH_TIMEOUT(!m_nodes.node(0).cli({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")}).contains(channels.at(0)), 20000);
    QCOMPARE(ask(*publisher, {"PUBLISH", channels.at(0), "gone"}).integer, 0);
}

void tst_RedisCluster::shardedSubscriptionFollowsItsSlot()
{
    const QByteArray channel = channelServedBy(m_nodes, "moving", 0);
    const int slot = m_nodes.slotOf(channel);
    auto subscriber = connectedRedisClient(m_nodes.url());
    auto publisher = connectedRedisClient(m_nodes.url());
    QVERIFY(subscriber && publisher);
    QSignalSpy subscribed(subscriber.get(), &RedisClient::subscribed);
    QSignalSpy messages(subscriber.get(), &RedisClient::messageReceived);
    subscriber->subscribe(channel);
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 1, 20000);
    QCOMPARE(ask(*publisher, {"PUBLISH", channel, "before"}).integer, 1); // the publisher learns the slot is at node 0

    // The (empty) slot is handed to node 1, as a resharding does: node 0
    // drops the subscription (`sunsubscribe`), which then moves to node 1;
    // the publisher's next SPUBLISH to node 0 is answered MOVED and goes to node 1.
    auto setSlot = [&](int owner) {
        // As redis-cli --cluster reshard does: importing at the new owner,
        // migrating at the old one, then the new owner everywhere (the new
        // owner first: it takes a new config epoch, which the others accept).
        const int from = m_nodes.masterOf(slot);
        const QString id = QString::fromLatin1(m_nodes.idOf(owner));
        const QString slotText = QString::number(slot);
        m_nodes.node(owner).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), slotText, QStringLiteral("IMPORTING"), QString::fromLatin1(m_nodes.idOf(from))});
        m_nodes.node(from).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), slotText, QStringLiteral("MIGRATING"), id});
        // While the slot migrates, its old master still serves the channel.
        const RedisReply during = ask(*publisher, {"PUBLISH", channel, "while moving to " + QByteArray::number(owner)});
        if (during.type != RedisReply::Type::Integer || during.integer != 1)
            return false;
        m_nodes.node(owner).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), slotText, QStringLiteral("NODE"), id});
        for (int i = 0; i < 3; ++i) {
            if (i != owner)
                m_nodes.node(i).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), slotText, QStringLiteral("NODE"), id});
        }
        return QTest::qWaitFor([&] {
            for (int i = 0; i < RedisClusterNodes::NodeCount; ++i) {
                if (m_nodes.masterOf(slot, i) != owner)
                    return false;
            }
            return true;
        }, 30000);
    };
    QVERIFY(setSlot(1));
    QTRY_VERIFY_WITH_TIMEOUT(subscribed.size() >= 2, 20000);
    QVERIFY(m_nodes.node(1).cli({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")}).contains(channel));
    const RedisReply after = ask(*publisher, {"PUBLISH", channel, "after"});
    QCOMPARE(after.type, RedisReply::Type::Integer);
    QCOMPARE(after.integer, 1);
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 3, 20000);
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("while moving to 1"));
    QCOMPARE(messages.at(2).at(1).toByteArray(), QByteArray("after"));

    // Back where it was, for the cases after this one.
    QVERIFY(setSlot(0));
    QTRY_VERIFY_WITH_TIMEOUT(subscribed.size() >= 3, 20000);
    QCOMPARE(ask(*publisher, {"PUBLISH", channel, "home"}).integer, 1);
}

void tst_RedisCluster::plainPubSubOnRequest()
{
    // ?pubsub=plain: hash-tagged channels are plain ones, and a process' inbox is not tagged.
    const QString url = m_nodes.url() + QStringLiteral("?pubsub=plain");
    QVERIFY(RedisClient::isClusterUrl(url));
    QVERIFY(!RedisClient::usesShardedChannels(url));
    QVERIFY(RedisClient::usesShardedChannels(m_nodes.url()));
    auto subscriber = connectedRedisClient(url);
    auto publisher = connectedRedisClient(url);
    QVERIFY(subscriber && publisher);
    QSignalSpy subscribed(subscriber.get(), &RedisClient::subscribed);
    QSignalSpy messages(subscriber.get(), &RedisClient::messageReceived);
    subscriber->subscribe("plain:{7}");
    QTRY_COMPARE_WITH_TIMEOUT(subscribed.size(), 1, 20000);
    QVERIFY(m_nodes.cliOnEveryNode({QStringLiteral("PUBSUB"), QStringLiteral("CHANNELS")}).contains("plain:{7}"));
    QVERIFY(!m_nodes.cliOnEveryNode({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")}).contains("plain:{7}"));
    publisher->publish("plain:{7}", "hello");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 20000);

    TestProcess worker;
    QVERIFY(worker.startWorker({QStringLiteral("--cluster-redis=") + url, QStringLiteral("--group=w")}));
    QVERIFY(worker.waitForEvent(QStringLiteral("connected"), {}, 20000));
    const QByteArray plainChannels = m_nodes.cliOnEveryNode({QStringLiteral("PUBSUB"), QStringLiteral("CHANNELS")});
    QVERIFY2(plainChannels.contains("private:" + QByteArray::number(worker.pid()) + "\n"), plainChannels.constData());
}

void tst_RedisCluster::shardedSubscriptionRefusedIsSaid()
{
    // A user without SSUBSCRIBE (an ACL file from before the sharded
    // commands): the refusal is reported with Redis' words, as the
    // owner's error; its plain channels work on.
    m_nodes.cliOnEveryNode({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("noshard"), QStringLiteral("on"),
                            QStringLiteral(">pw"), QStringLiteral("~*"), QStringLiteral("&*"), QStringLiteral("+@all"),
                            QStringLiteral("-ssubscribe")});
    auto cleanup = qScopeGuard([this] { m_nodes.cliOnEveryNode({QStringLiteral("ACL"), QStringLiteral("DELUSER"), QStringLiteral("noshard")}); });
    const QString url = m_nodes.url().replace(QStringLiteral("://"), QStringLiteral("://noshard:pw@"));
    auto subscriber = connectedRedisClient(url);
    QVERIFY(subscriber);
    QSignalSpy errors(subscriber.get(), &RedisClient::errorOccurred);
    QSignalSpy subscribed(subscriber.get(), &RedisClient::subscribed);
    subscriber->subscribe("refused:{1}");
    subscriber->subscribe("plain-and-allowed");
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(errors.cbegin(), errors.cend(), [](const QList<QVariant> &error) {
        return error.at(0).value<RedisClient::Error>() == RedisClient::Error::PermissionDenied
            && error.at(1).toString().contains(QLatin1String("NOPERM")) && error.at(1).toString().contains(QLatin1String("SSUBSCRIBE"));
    }), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(subscribed.contains(QVariantList{QByteArray("plain-and-allowed")}), 20000);
    QVERIFY(!subscribed.contains(QVariantList{QByteArray("refused:{1}")}));
}

void tst_RedisCluster::daemonAndCliRunOnIt()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("cluster.json"));
    const QJsonObject worker = testWorkerEntry(buildBinary(QStringLiteral("clustr-test-worker")), QStringLiteral("web"), 2);
    const QJsonObject file{{QStringLiteral("name"), QStringLiteral("store")},
                           {QStringLiteral("redis"), m_nodes.url()},
                           {QStringLiteral("workers"), QJsonArray{worker}}};
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument(file).toJson());
    out.close();

    ClusterRun run;
    QVERIFY(run.start(QStringLiteral("clustr-qt"), {QStringLiteral("run"), path}));
    const auto cli = [this](const QStringList &arguments) {
        return runProgram(buildBinary(QStringLiteral("clustr-qt")),
                          arguments + QStringList{QStringLiteral("--redis"), m_nodes.url(), QStringLiteral("--cluster"), QStringLiteral("store")},
                          QProcessEnvironment::systemEnvironment(), 60000);
    };
    const auto workers = [&cli] {
        const ProgramRun status = cli({QStringLiteral("status"), QStringLiteral("--json")});
        QList<qint64> pids;
        for (const QJsonValue &p : QJsonDocument::fromJson(status.out).object().value(QStringLiteral("processes")).toArray())
            pids.append(qint64(p[QStringLiteral("pid")].toDouble()));
        return pids;
    };
    QTRY_COMPARE_WITH_TIMEOUT(workers().size(), 2, 60000);

    // The status is read from the hash-tagged keys, wherever their slot lives.
    const ProgramRun table = cli({QStringLiteral("status")});
    QVERIFY2(table.exitCode == 0 && table.out.contains("web"), table.describe().constData());
    // Found among the clusters of every master node.
    const ProgramRun names = runProgram(buildBinary(QStringLiteral("clustr-qt")),
                                        {QStringLiteral("complete-words"), QStringLiteral("clusters"), QStringLiteral("--redis"), m_nodes.url()},
                                        QProcessEnvironment::systemEnvironment(), 60000);
    QVERIFY2(names.exitCode == 0 && names.outLines().contains(QStringLiteral("store")), names.describe().constData());
    // And by the cluster's monitor user (ACLs are per node: on every node),
    // whose rules allow CLUSTER MYID and CLUSTER SLOTS, and no writing.
    const QByteArray rule = Clustr::AccessControl::aclRule(QStringLiteral("store"), Clustr::AccessControl::Role::Monitor, QStringLiteral("pw-monitor"));
    QStringList setUser{QStringLiteral("ACL"), QStringLiteral("SETUSER")};
    const auto tokens = QRegularExpression(QStringLiteral(R"(\([^)]*\)|\S+)")).globalMatch(QString::fromUtf8(rule).section(QLatin1Char(' '), 1));
    for (auto it = tokens; it.hasNext();)
        setUser.append(it.next().captured());
    QCOMPARE(m_nodes.cliOnEveryNode(setUser).trimmed(), QByteArray("OK\nOK\nOK\nOK\nOK\nOK"));
    const QString monitorUrl = QString(m_nodes.url()).replace(QStringLiteral("redis-cluster://"),
        QStringLiteral("redis-cluster://%1:pw-monitor@").arg(Clustr::AccessControl::userName(QStringLiteral("store"), Clustr::AccessControl::Role::Monitor)));
    const ProgramRun monitorNames = runProgram(buildBinary(QStringLiteral("clustr-qt")),
                                               {QStringLiteral("complete-words"), QStringLiteral("clusters"), QStringLiteral("--redis"), monitorUrl},
                                               QProcessEnvironment::systemEnvironment(), 60000);
    QVERIFY2(monitorNames.exitCode == 0 && monitorNames.outLines().contains(QStringLiteral("store")), monitorNames.describe().constData());
    const ProgramRun monitorStatus = runProgram(buildBinary(QStringLiteral("clustr-qt")),
                                                {QStringLiteral("status"), QStringLiteral("--redis"), monitorUrl, QStringLiteral("--cluster"), QStringLiteral("store")},
                                                QProcessEnvironment::systemEnvironment(), 60000);
    QVERIFY2(monitorStatus.exitCode == 0 && monitorStatus.out.contains("web"), monitorStatus.describe().constData());

    // send reaches the worker; kill ends it with the code, and it is respawned.
    const qint64 pid = workers().constFirst();
    const ProgramRun send = cli({QStringLiteral("send"), QString::number(pid), QStringLiteral("\"over the cluster\"")});
    QVERIFY2(send.exitCode == 0, send.describe().constData());
    QVERIFY2(run.waitForLine(QRegularExpression(QStringLiteral("over the cluster"))).hasMatch(), run.transcript().constData());
    const ProgramRun kill = cli({QStringLiteral("kill"), QString::number(pid), QStringLiteral("3")});
    QVERIFY2(kill.exitCode == 0, kill.describe().constData());
    QTRY_VERIFY_WITH_TIMEOUT(!workers().contains(pid) && workers().size() == 2, 60000);

    // The recent lines, from the hash-tagged list.
    const ProgramRun logs = cli({QStringLiteral("logs"), QStringLiteral("-n"), QStringLiteral("50")});
    QVERIFY2(logs.exitCode == 0 && logs.out.contains("web["), logs.describe().constData());

    // stop ends the whole tree; the lock (hash-tagged too) goes with it.
    const ProgramRun stop = cli({QStringLiteral("stop")});
    QVERIFY2(stop.exitCode == 0, stop.describe().constData());
    QVERIFY(run.waitForExit(60000));
    QCOMPARE(run.exitCode(), 15); // as after a SIGTERM, which is what stop asks for
    auto client = connectedRedisClient(m_nodes.url());
    QVERIFY(client);
    QCOMPARE(ask(*client, {"EXISTS", "{store:clustr}:lock"}).integer, 0);
}

void tst_RedisCluster::masterNodeKilledIsSurvived()
{
    // A key whose master is node 0, the seed the subscriber sits on.
    QByteArray key;
    for (int i = 0; key.isEmpty(); ++i) {
        const QByteArray candidate = "survivor-" + QByteArray::number(i);
        if (m_nodes.masterOf(m_nodes.slotOf(candidate)) == 0)
            key = candidate;
    }
    auto writer = connectedRedisClient(m_nodes.url());
    auto subscriber = connectedRedisClient(m_nodes.url());
    auto publisher = connectedRedisClient(m_nodes.urlOf(4));
    QVERIFY(writer && subscriber && publisher);
    QVERIFY(!ask(*writer, {"SET", key, "before"}).isError());
    QCOMPARE(serverPort(*writer), m_nodes.node(0).port());
    QCOMPARE(serverPort(*subscriber), m_nodes.node(0).port());
    QSignalSpy subscribed(subscriber.get(), &RedisClient::subscribed);
    QSignalSpy messages(subscriber.get(), &RedisClient::messageReceived);
    subscriber->subscribe("after-failover");
    // And a sharded channel whose slot is node 0's too.
    const QByteArray inbox = channelServedBy(m_nodes, "failover-inbox", 0);
    subscriber->subscribe(inbox);
    QTRY_COMPARE(subscribed.size(), 2);

    m_nodes.node(0).kill();
    // Its replica takes over the slots once the others agree it is gone.
    QTRY_VERIFY_WITH_TIMEOUT(m_nodes.masterOf(m_nodes.slotOf(key)) > 2, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(m_nodes.isHealthy(), 60000);
    const int promoted = m_nodes.masterOf(m_nodes.slotOf(key));

    // The writer finds the promoted node by itself; the key is still there (replicated).
    QTRY_VERIFY_WITH_TIMEOUT(writer->isConnected(), 60000);
    QCOMPARE(ask(*writer, {"GET", key}).string, QByteArray("before"));
    QVERIFY(!ask(*writer, {"SET", key, "after"}).isError());
    QCOMPARE(serverPort(*writer), m_nodes.node(promoted).port());

    // The subscriber moved to another seed and subscribed again; the
    // sharded subscription moved to the promoted master of its slot.
    QTRY_VERIFY_WITH_TIMEOUT(subscriber->isConnected() && subscribed.size() >= 4, 60000);
    QTRY_VERIFY_WITH_TIMEOUT(m_nodes.node(m_nodes.masterOf(m_nodes.slotOf(inbox))).cli({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")}).contains(inbox), 60000);
    publisher->publish("after-failover", "still here");
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 20000);
    const RedisReply delivered = ask(*publisher, {"PUBLISH", inbox, "sharded, still here"});
    QCOMPARE(delivered.type, RedisReply::Type::Integer);
    QCOMPARE(delivered.integer, 1);
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 2, 20000);
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("sharded, still here"));
}

QTEST_GUILESS_MAIN(tst_RedisCluster)
#include "tst_rediscluster.moc"
