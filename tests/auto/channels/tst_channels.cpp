// SPDX-License-Identifier: MIT
#include "protocol/channels_p.h"
#include "redis/hashslot_p.h"

#include <QtTest/QTest>

using Clustr::Message;
using Clustr::Protocol::Channels;
using Kind = Clustr::Protocol::ChannelKind;

class tst_Channels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesWithoutNamespace();
    void namesWithNamespace();
    void namesAcrossHosts();
    void keysHashTaggedOnRedisCluster();
    void inboxesShardedOnRedisCluster();
    void hashSlotIsRedisClusters_data();
    void hashSlotIsRedisClusters();
    void isValidHostName_data();
    void isValidHostName();
    void kindOf_data();
    void kindOf();
    void kindOfEveryBuiltName_data();
    void kindOfEveryBuiltName();
    void publicKind();
    void messageIsHeartbeat();
    void withoutPrefix();
    void isValidName_data();
    void isValidName();
};

void tst_Channels::namesWithoutNamespace()
{
    // Exactly clustr-node's names, so its processes and redis-cli can join.
    const Channels channels;
    QVERIFY(channels.clusterNamespace().isEmpty());
    QVERIFY(channels.prefix().isEmpty());
    QCOMPARE(channels.publicChannel(), QByteArrayLiteral("public"));
    QCOMPARE(channels.privateChannel(4242), QByteArrayLiteral("private:4242"));
    QCOMPARE(channels.groupChannel(QStringLiteral("web")), QByteArrayLiteral("group:web"));
    QCOMPARE(channels.groupChannel(QString::fromUtf8("wörker")), QByteArray("group:w\xc3\xb6rker"));
    QCOMPARE(channels.killChannel(17), QByteArrayLiteral("kill:17"));
    QCOMPARE(channels.confirmationChannel(), QByteArrayLiteral("confirmation"));
    QCOMPARE(channels.clusterInfoChannel(4242), QByteArrayLiteral("clusterInfo:4242"));
    QCOMPARE(channels.registrationChannel(1), QByteArrayLiteral("registration:1"));
    QCOMPARE(channels.deregistrationChannel(1), QByteArrayLiteral("deregistration:1"));
    QCOMPARE(channels.heartbeatChannel(1), QByteArrayLiteral("heartbeat:1"));
    QCOMPARE(channels.privateChannel(Q_INT64_C(9007199254740992)), QByteArrayLiteral("private:9007199254740992"));
}

void tst_Channels::namesWithNamespace()
{
    const Channels channels(QStringLiteral("shop"));
    QCOMPARE(channels.clusterNamespace(), QStringLiteral("shop"));
    QCOMPARE(channels.prefix(), QByteArrayLiteral("shop:"));
    QCOMPARE(channels.publicChannel(), QByteArrayLiteral("shop:public"));
    QCOMPARE(channels.privateChannel(42), QByteArrayLiteral("shop:private:42"));
    QCOMPARE(channels.groupChannel(QStringLiteral("web")), QByteArrayLiteral("shop:group:web"));
    QCOMPARE(channels.killChannel(42), QByteArrayLiteral("shop:kill:42"));
    QCOMPARE(channels.confirmationChannel(), QByteArrayLiteral("shop:confirmation"));
    QCOMPARE(channels.clusterInfoChannel(42), QByteArrayLiteral("shop:clusterInfo:42"));
    QCOMPARE(channels.registrationChannel(7), QByteArrayLiteral("shop:registration:7"));
    QCOMPARE(channels.deregistrationChannel(7), QByteArrayLiteral("shop:deregistration:7"));
    QCOMPARE(channels.heartbeatChannel(7), QByteArrayLiteral("shop:heartbeat:7"));

    const Channels unicode(QString::fromUtf8("café"));
    QCOMPARE(unicode.prefix(), QByteArray("caf\xc3\xa9:"));
    QCOMPARE(unicode.publicChannel(), QByteArray("caf\xc3\xa9:public"));
}

void tst_Channels::namesAcrossHosts()
{
    // A cluster across hosts: what names a process names it @HOST:PID;
    // what reaches everybody stays the cluster's.
    const Channels channels(QStringLiteral("shop"), QStringLiteral("web-01"));
    QCOMPARE(channels.host(), QStringLiteral("web-01"));
    QCOMPARE(channels.publicChannel(), QByteArrayLiteral("shop:public"));
    QCOMPARE(channels.groupChannel(QStringLiteral("web")), QByteArrayLiteral("shop:group:web"));
    QCOMPARE(channels.confirmationChannel(), QByteArrayLiteral("shop:confirmation"));
    QCOMPARE(channels.privateChannel(42), QByteArrayLiteral("shop:private:@web-01:42"));
    QCOMPARE(channels.killChannel(42), QByteArrayLiteral("shop:kill:@web-01:42"));
    QCOMPARE(channels.clusterInfoChannel(42), QByteArrayLiteral("shop:clusterInfo:@web-01:42"));
    QCOMPARE(channels.registrationChannel(1), QByteArrayLiteral("shop:registration:@web-01:1"));
    QCOMPARE(channels.deregistrationChannel(1), QByteArrayLiteral("shop:deregistration:@web-01:1"));
    QCOMPARE(channels.heartbeatChannel(1), QByteArrayLiteral("shop:heartbeat:@web-01:1"));
    QCOMPARE(channels.samplingChannel(1), QByteArrayLiteral("shop:sampling:@web-01:1"));
    QCOMPARE(channels.eventsChannel(1), QByteArrayLiteral("shop:events:@web-01:1"));
    QCOMPARE(channels.controlChannel(1), QByteArrayLiteral("shop:control:@web-01:1"));
    QCOMPARE(channels.masterKey(), QByteArrayLiteral("shop:clustr:@web-01:master"));
    QCOMPARE(channels.statusKey(), QByteArrayLiteral("shop:clustr:@web-01:status"));
    QCOMPARE(channels.lockKey(), QByteArrayLiteral("shop:clustr:@web-01:lock"));
    QCOMPARE(channels.hostsKey(), QByteArrayLiteral("shop:clustr:hosts"));
    QCOMPARE(channels.forHost(QStringLiteral("web-02")).privateChannel(42), QByteArrayLiteral("shop:private:@web-02:42"));
    // Every name is under the namespace: the ACL patterns of a role (NAME:*) cover them.
    QVERIFY(channels.privateChannel(42).startsWith(channels.prefix()));

    // Without a host, or without a namespace, nothing changes: the unnamed
    // cluster speaks clustr-node's protocol, which has no hosts.
    QCOMPARE(Channels(QStringLiteral("shop")).privateChannel(42), QByteArrayLiteral("shop:private:42"));
    QCOMPARE(Channels(QStringLiteral("shop")).masterKey(), QByteArrayLiteral("shop:clustr:master"));
    const Channels unnamed(QString(), QStringLiteral("web-01"));
    QCOMPARE(unnamed.host(), QString());
    QCOMPARE(unnamed.privateChannel(42), QByteArrayLiteral("private:42"));
    QCOMPARE(unnamed.registrationChannel(1), QByteArrayLiteral("registration:1"));
}

void tst_Channels::keysHashTaggedOnRedisCluster()
{
    // One hash tag per cluster: all its keys in one slot of a Redis Cluster.
    const Channels unnamed = Channels().withHashTaggedKeys(true);
    QVERIFY(unnamed.hasHashTaggedKeys());
    QCOMPARE(unnamed.masterKey(), QByteArrayLiteral("{clustr}:master"));
    QCOMPARE(unnamed.statusKey(), QByteArrayLiteral("{clustr}:status"));
    QCOMPARE(unnamed.lockKey(), QByteArrayLiteral("{clustr}:lock"));
    QCOMPARE(unnamed.keyPattern(), QByteArrayLiteral("{clustr}:*"));
    const Channels shop = Channels(QStringLiteral("shop*"), QStringLiteral("web-01")).withHashTaggedKeys(true);
    QCOMPARE(shop.masterKey(), QByteArrayLiteral("{shop*:clustr}:@web-01:master"));
    QCOMPARE(shop.hostsKey(), QByteArrayLiteral("{shop*:clustr}:hosts"));
    QCOMPARE(shop.keyPattern(), QByteArrayLiteral("{shop\\*:clustr}:*"));
    QCOMPARE(shop.forHost(QStringLiteral("web-02")).statusKey(), QByteArrayLiteral("{shop*:clustr}:@web-02:status"));
    QCOMPARE(shop.masterKey().endsWith(shop.masterKeySuffix()), false); // the host comes between
    QVERIFY(shop.hostsKey().endsWith(shop.hostsKeySuffix()));
    // Channel names do not change.
    const Channels plain(QStringLiteral("shop*"), QStringLiteral("web-01"));
    QCOMPARE(shop.privateChannel(42), plain.privateChannel(42));
    QCOMPARE(shop.publicChannel(), plain.publicChannel());
    QCOMPARE(shop.withHashTaggedKeys(false).masterKey(), plain.masterKey());
    QVERIFY(!plain.hasHashTaggedKeys());
}

void tst_Channels::isValidHostName_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("valid");
    QTest::newRow("short") << QStringLiteral("h1") << true;
    QTest::newRow("dotted") << QStringLiteral("web-01.eu.example") << true;
    QTest::newRow("underscore") << QStringLiteral("web_01") << true;
    QTest::newRow("digit first") << QStringLiteral("1web") << true;
    QTest::newRow("253 characters") << QString(253, QLatin1Char('a')) << true;
    QTest::newRow("254 characters") << QString(254, QLatin1Char('a')) << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("dash first") << QStringLiteral("-web") << false;
    QTest::newRow("dot first") << QStringLiteral(".web") << false;
    QTest::newRow("colon") << QStringLiteral("web:1") << false;
    QTest::newRow("at") << QStringLiteral("web@1") << false;
    QTest::newRow("space") << QStringLiteral("web 1") << false;
    QTest::newRow("non-ASCII") << QString::fromUtf8("wéb") << false;
}

void tst_Channels::isValidHostName()
{
    QFETCH(QString, host);
    QFETCH(bool, valid);
    QCOMPARE(Channels::isValidHostName(host), valid);
    QCOMPARE(Clustr::isValidHostName(host), valid);
}

void tst_Channels::kindOf_data()
{
    QTest::addColumn<QString>("clusterNamespace");
    QTest::addColumn<QByteArray>("channel");
    QTest::addColumn<Kind>("kind");

    const QString none;
    QTest::newRow("public") << none << QByteArray("public") << Kind::Public;
    QTest::newRow("private") << none << QByteArray("private:4242") << Kind::Private;
    QTest::newRow("group") << none << QByteArray("group:web") << Kind::Group;
    QTest::newRow("group with colon") << none << QByteArray("group:eu:web") << Kind::Group;
    QTest::newRow("group named like a pid") << none << QByteArray("group:12") << Kind::Group;
    QTest::newRow("kill") << none << QByteArray("kill:1") << Kind::Kill;
    QTest::newRow("confirmation") << none << QByteArray("confirmation") << Kind::Confirmation;
    QTest::newRow("clusterInfo") << none << QByteArray("clusterInfo:99") << Kind::ClusterInfo;
    QTest::newRow("registration") << none << QByteArray("registration:99") << Kind::Registration;
    QTest::newRow("deregistration") << none << QByteArray("deregistration:99") << Kind::Deregistration;
    QTest::newRow("heartbeat") << none << QByteArray("heartbeat:99") << Kind::Heartbeat;
    QTest::newRow("events") << none << QByteArray("events:99") << Kind::Event;
    QTest::newRow("control") << none << QByteArray("control:99") << Kind::Control;

    QTest::newRow("empty") << none << QByteArray() << Kind::Unknown;
    QTest::newRow("colon only") << none << QByteArray(":") << Kind::Unknown;
    QTest::newRow("public with argument") << none << QByteArray("public:1") << Kind::Unknown;
    QTest::newRow("publicity") << none << QByteArray("publicity") << Kind::Unknown;
    QTest::newRow("case matters") << none << QByteArray("Public") << Kind::Unknown;
    QTest::newRow("clusterinfo lower case") << none << QByteArray("clusterinfo:1") << Kind::Unknown;
    QTest::newRow("confirmation with argument") << none << QByteArray("confirmation:x") << Kind::Unknown;
    QTest::newRow("private without pid") << none << QByteArray("private:") << Kind::Unknown;
    QTest::newRow("private without colon") << none << QByteArray("private") << Kind::Unknown;
    QTest::newRow("private with word") << none << QByteArray("private:abc") << Kind::Unknown;
    QTest::newRow("private negative") << none << QByteArray("private:-1") << Kind::Unknown;
    QTest::newRow("kill with two arguments") << none << QByteArray("kill:1:2") << Kind::Unknown;
    QTest::newRow("group without name") << none << QByteArray("group:") << Kind::Unknown;
    QTest::newRow("unknown channel") << none << QByteArray("news:1") << Kind::Unknown;
    QTest::newRow("namespaced without namespace") << none << QByteArray("shop:public") << Kind::Unknown;
    QTest::newRow("NUL inside") << none << QByteArray("public\0", 7) << Kind::Unknown;

    const QString shop = QStringLiteral("shop");
    QTest::newRow("ns public") << shop << QByteArray("shop:public") << Kind::Public;
    QTest::newRow("ns private") << shop << QByteArray("shop:private:42") << Kind::Private;
    QTest::newRow("ns group") << shop << QByteArray("shop:group:web") << Kind::Group;
    QTest::newRow("ns kill") << shop << QByteArray("shop:kill:42") << Kind::Kill;
    QTest::newRow("ns confirmation") << shop << QByteArray("shop:confirmation") << Kind::Confirmation;
    QTest::newRow("ns heartbeat") << shop << QByteArray("shop:heartbeat:1") << Kind::Heartbeat;
    QTest::newRow("ns: bare public is another cluster's") << shop << QByteArray("public") << Kind::Unknown;
    QTest::newRow("ns: bare private") << shop << QByteArray("private:42") << Kind::Unknown;
    QTest::newRow("ns: other namespace") << shop << QByteArray("shopx:public") << Kind::Unknown;
    QTest::newRow("ns: prefix without colon") << shop << QByteArray("shoppublic") << Kind::Unknown;
    QTest::newRow("ns: prefix only") << shop << QByteArray("shop:") << Kind::Unknown;
    QTest::newRow("ns: twice") << shop << QByteArray("shop:shop:public") << Kind::Unknown;
    QTest::newRow("ns: shorter than prefix") << shop << QByteArray("sho") << Kind::Unknown;
    QTest::newRow("ns: case matters") << shop << QByteArray("Shop:public") << Kind::Unknown;

    QTest::newRow("host private") << shop << QByteArray("shop:private:@web-01:42") << Kind::Private;
    QTest::newRow("host kill") << shop << QByteArray("shop:kill:@h2:42") << Kind::Kill;
    QTest::newRow("host registration") << shop << QByteArray("shop:registration:@h2:1") << Kind::Registration;
    QTest::newRow("host control") << shop << QByteArray("shop:control:@h2:1") << Kind::Control;
    QTest::newRow("host without name") << shop << QByteArray("shop:private:@:42") << Kind::Unknown;
    QTest::newRow("host without pid") << shop << QByteArray("shop:private:@h2") << Kind::Unknown;
    QTest::newRow("host with word") << shop << QByteArray("shop:private:@h2:abc") << Kind::Unknown;
    QTest::newRow("host, empty pid") << shop << QByteArray("shop:private:@h2:") << Kind::Unknown;
    QTest::newRow("group named like a host") << shop << QByteArray("shop:group:@h2:1") << Kind::Group;

    const QString nested = QStringLiteral("eu:shop");
    QTest::newRow("namespace with colon") << nested << QByteArray("eu:shop:group:web") << Kind::Group;
    QTest::newRow("namespace with colon, partial") << nested << QByteArray("eu:group:web") << Kind::Unknown;
}

void tst_Channels::kindOf()
{
    QFETCH(QString, clusterNamespace);
    QFETCH(QByteArray, channel);
    QFETCH(Kind, kind);
    QCOMPARE(Channels(clusterNamespace).kindOf(channel), kind);
}

void tst_Channels::inboxesShardedOnRedisCluster()
{
    // A process' inbox (private, kill, clusterInfo) names it in a hash tag:
    // one slot for the three, and nothing else changes.
    const Channels plain(QStringLiteral("shop"), QStringLiteral("web-01"));
    const Channels sharded = plain.withHashTaggedKeys(true).withShardedInboxes(true);
    QVERIFY(sharded.hasShardedInboxes());
    QVERIFY(!plain.hasShardedInboxes());
    QCOMPARE(sharded.privateChannel(42), QByteArrayLiteral("shop:private:{@web-01:42}"));
    QCOMPARE(sharded.killChannel(42), QByteArrayLiteral("shop:kill:{@web-01:42}"));
    QCOMPARE(sharded.clusterInfoChannel(42), QByteArrayLiteral("shop:clusterInfo:{@web-01:42}"));
    QCOMPARE(Channels().withShardedInboxes(true).privateChannel(7), QByteArrayLiteral("private:{7}"));
    QCOMPARE(sharded.forHost(QStringLiteral("web-02")).killChannel(5), QByteArrayLiteral("shop:kill:{@web-02:5}"));
    for (const QByteArray &channel : {sharded.publicChannel(), sharded.groupChannel(QStringLiteral("web")),
                                      sharded.confirmationChannel(), sharded.registrationChannel(1),
                                      sharded.deregistrationChannel(1), sharded.heartbeatChannel(1),
                                      sharded.eventsChannel(1), sharded.controlChannel(1), sharded.samplingChannel(1)}) {
        QVERIFY2(!Clustr::hasHashTag(channel), channel.constData());
    }
    QCOMPARE(sharded.registrationChannel(1), plain.registrationChannel(1));
    QCOMPARE(Clustr::hashSlot(sharded.privateChannel(42)), Clustr::hashSlot(sharded.killChannel(42)));
    QCOMPARE(Clustr::hashSlot(sharded.privateChannel(42)), Clustr::hashSlot(sharded.clusterInfoChannel(42)));
    // Read back as the kinds they are, tagged or not.
    QCOMPARE(sharded.kindOf(sharded.privateChannel(42)), Kind::Private);
    QCOMPARE(sharded.kindOf(sharded.killChannel(42)), Kind::Kill);
    QCOMPARE(sharded.kindOf(sharded.clusterInfoChannel(42)), Kind::ClusterInfo);
    QCOMPARE(Channels().kindOf("private:{42}"), Kind::Private);
    QCOMPARE(Channels().kindOf("private:{}"), Kind::Unknown);
    QCOMPARE(Channels().kindOf("private:{42"), Kind::Unknown);
    QCOMPARE(Channels().kindOf("private:{x}"), Kind::Unknown);
}

void tst_Channels::hashSlotIsRedisClusters_data()
{
    // The slots are what redis-server 7 answers to CLUSTER KEYSLOT.
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("tag");
    QTest::addColumn<int>("slot");
    QTest::newRow("no tag") << QByteArray("foo") << QByteArray("foo") << 12182;
    QTest::newRow("empty tag: all of it") << QByteArray("{}x") << QByteArray("{}x") << 10595;
    QTest::newRow("first tag") << QByteArray("a{b}c{d}") << QByteArray("b") << 3300;
    QTest::newRow("inbox") << QByteArray("private:{42}") << QByteArray("42") << 8000;
    QTest::newRow("inbox across hosts") << QByteArray("shop:kill:{@web-01:42}") << QByteArray("@web-01:42") << 3657;
    QTest::newRow("docs' example") << QByteArray("{user1000}.following") << QByteArray("user1000") << 3443;
    QTest::newRow("unclosed") << QByteArray("a{b") << QByteArray("a{b") << -1;
}

void tst_Channels::hashSlotIsRedisClusters()
{
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, tag);
    QFETCH(int, slot);
    QCOMPARE(Clustr::hashTag(name).toByteArray(), tag);
    QCOMPARE(Clustr::hasHashTag(name), tag != name);
    if (slot >= 0)
        QCOMPARE(Clustr::hashSlot(name), slot);
    QVERIFY(Clustr::hashSlot(name) >= 0 && Clustr::hashSlot(name) < Clustr::HashSlotCount);
}

void tst_Channels::kindOfEveryBuiltName_data()
{
    QTest::addColumn<QString>("clusterNamespace");
    QTest::newRow("no namespace") << QString();
    QTest::newRow("shop") << QStringLiteral("shop");
    QTest::newRow("unicode") << QString::fromUtf8("κλάστερ");
}

void tst_Channels::kindOfEveryBuiltName()
{
    // Whatever the class builds, it recognises.
    QFETCH(QString, clusterNamespace);
    const Channels channels(clusterNamespace);
    QCOMPARE(channels.kindOf(channels.publicChannel()), Kind::Public);
    QCOMPARE(channels.kindOf(channels.privateChannel(4242)), Kind::Private);
    QCOMPARE(channels.kindOf(channels.groupChannel(QString::fromUtf8("wörker"))), Kind::Group);
    QCOMPARE(channels.kindOf(channels.killChannel(4242)), Kind::Kill);
    QCOMPARE(channels.kindOf(channels.confirmationChannel()), Kind::Confirmation);
    QCOMPARE(channels.kindOf(channels.clusterInfoChannel(4242)), Kind::ClusterInfo);
    QCOMPARE(channels.kindOf(channels.registrationChannel(1)), Kind::Registration);
    QCOMPARE(channels.kindOf(channels.deregistrationChannel(1)), Kind::Deregistration);
    QCOMPARE(channels.kindOf(channels.heartbeatChannel(1)), Kind::Heartbeat);
    QCOMPARE(channels.kindOf(channels.eventsChannel(1)), Kind::Event);
    QCOMPARE(channels.kindOf(channels.controlChannel(1)), Kind::Control);

    // ... and never one of another cluster on the same server.
    const Channels other(clusterNamespace.isEmpty() ? QStringLiteral("other") : QString());
    QCOMPARE(channels.kindOf(other.publicChannel()), Kind::Unknown);
    QCOMPARE(channels.kindOf(other.privateChannel(4242)), Kind::Unknown);
}

void tst_Channels::publicKind()
{
    // clustr-node's kinds keep their names; clustr-qt's own channels are Other.
    using Clustr::Protocol::publicKind;
    QCOMPARE(publicKind(Kind::Unknown), Message::Kind::Unknown);
    QCOMPARE(publicKind(Kind::Public), Message::Kind::Public);
    QCOMPARE(publicKind(Kind::Private), Message::Kind::Private);
    QCOMPARE(publicKind(Kind::Group), Message::Kind::Group);
    QCOMPARE(publicKind(Kind::Kill), Message::Kind::Kill);
    QCOMPARE(publicKind(Kind::Confirmation), Message::Kind::Confirmation);
    QCOMPARE(publicKind(Kind::ClusterInfo), Message::Kind::ClusterInfo);
    QCOMPARE(publicKind(Kind::Registration), Message::Kind::Registration);
    QCOMPARE(publicKind(Kind::Deregistration), Message::Kind::Deregistration);
    QCOMPARE(publicKind(Kind::Heartbeat), Message::Kind::Other);
    QCOMPARE(publicKind(Kind::Event), Message::Kind::Other);
    QCOMPARE(publicKind(Kind::Control), Message::Kind::Other);
}

void tst_Channels::messageIsHeartbeat()
{
    Message message;
    message.setKind(Message::Kind::Other);
    message.setChannel(QStringLiteral("heartbeat:42"));
    QVERIFY(message.isHeartbeat());
    message.setChannel(QStringLiteral("events:42"));
    QVERIFY(!message.isHeartbeat());
    message.setChannel(QStringLiteral("control:42"));
    QVERIFY(!message.isHeartbeat());
    // The kind says where it came from; a channel name alone does not make a heartbeat.
    message.setKind(Message::Kind::Group);
    message.setChannel(QStringLiteral("heartbeat:42"));
    QVERIFY(!message.isHeartbeat());
}

void tst_Channels::withoutPrefix()
{
    const Channels shop(QStringLiteral("shop"));
    QCOMPARE(shop.withoutPrefix("shop:group:web"), QStringLiteral("group:web"));
    QCOMPARE(shop.withoutPrefix("shop:public"), QStringLiteral("public"));
    QCOMPARE(shop.withoutPrefix(shop.groupChannel(QString::fromUtf8("wörker"))), QString::fromUtf8("group:wörker"));
    // A channel outside the namespace is returned as it is.
    QCOMPARE(shop.withoutPrefix("public"), QStringLiteral("public"));
    QCOMPARE(shop.withoutPrefix("shopx:public"), QStringLiteral("shopx:public"));
    QCOMPARE(shop.withoutPrefix(QByteArray()), QString());

    const Channels none;
    QCOMPARE(none.withoutPrefix("shop:public"), QStringLiteral("shop:public"));
    QCOMPARE(none.withoutPrefix("private:1"), QStringLiteral("private:1"));
}

void tst_Channels::isValidName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("web") << QStringLiteral("web") << true;
    QTest::newRow("one char") << QStringLiteral("a") << true;
    QTest::newRow("master") << QStringLiteral("master") << true;
    QTest::newRow("punctuation and colon") << QStringLiteral("eu:shop-1_v2.0/a\"b") << true;
    QTest::newRow("unicode") << QString::fromUtf8("wörker-世界") << true;
    QTest::newRow("emoji") << QString::fromUtf8("😀") << true;
    QTest::newRow("200 chars") << QString(200, u'x') << true;

    QTest::newRow("empty") << QString() << false;
    QTest::newRow("201 chars") << QString(201, u'x') << false;
    QTest::newRow("space") << QStringLiteral("a b") << false;
    QTest::newRow("leading space") << QStringLiteral(" web") << false;
    QTest::newRow("tab") << QStringLiteral("a\tb") << false;
    QTest::newRow("newline") << QStringLiteral("web\n") << false;
    QTest::newRow("NUL") << QString(QChar(0)) << false;
    QTest::newRow("control") << QStringLiteral("a\x01") << false;
    QTest::newRow("DEL") << QStringLiteral("a\x7f") << false;
    QTest::newRow("no-break space") << QString(QChar(0xa0)) << false;
    QTest::newRow("line separator") << QString(QChar(0x2028)) << false;
    QTest::newRow("C1 control") << QString(QChar(0x85)) << false;
}

void tst_Channels::isValidName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(Channels::isValidName(name), valid);
}

QTEST_APPLESS_MAIN(tst_Channels)

#include "tst_channels.moc"
