// SPDX-License-Identifier: MIT
// What the sentinels and the data nodes answer during redis-sentinel://
// discovery, read without trusting them (pure logic; tst_sentinel has the
// real sentinels and a hostile one).
#include "redis/sentinelreply_p.h"

#include <QtTest/QtTest>

using Clustr::RedisReply;
using Clustr::RedisUrl;
namespace SentinelReply = Clustr::SentinelReply;

namespace {

RedisReply string(const QByteArray &text)
{
    RedisReply reply;
    reply.type = RedisReply::Type::String;
    reply.string = text;
    return reply;
}

RedisReply array(const QList<RedisReply> &elements)
{
    RedisReply reply;
    reply.type = RedisReply::Type::Array;
    reply.elements = elements;
    return reply;
}

RedisReply integer(qint64 value)
{
    RedisReply reply;
    reply.type = RedisReply::Type::Integer;
    reply.integer = value;
    return reply;
}

} // namespace

class tst_SentinelReply : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void masterAddress_data();
    void masterAddress();
    void refused_data();
    void refused();
    void role_data();
    void role();
};

void tst_SentinelReply::masterAddress_data()
{
    QTest::addColumn<RedisReply>("reply");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::newRow("ipv4") << array({string("127.0.0.1"), string("6380")}) << "127.0.0.1" << 6380;
    QTest::newRow("ipv6") << array({string("::1"), string("7000")}) << "::1" << 7000;
    QTest::newRow("host name") << array({string("Redis-2.Example"), string("1")}) << "redis-2.example" << 1;
    QTest::newRow("highest port") << array({string("10.0.0.1"), string("65535")}) << "10.0.0.1" << 65535;
}

void tst_SentinelReply::masterAddress()
{
    QFETCH(RedisReply, reply);
    QFETCH(QString, host);
    QFETCH(int, port);
    QString why;
    const auto address = SentinelReply::masterAddress(reply, QStringLiteral("m"), &why);
    QVERIFY2(address, qPrintable(why));
    QCOMPARE(address->host, host);
    QCOMPARE(address->port, port);
}

void tst_SentinelReply::refused_data()
{
    QTest::addColumn<RedisReply>("reply");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown master") << RedisReply() << "does not know a master named m";
    QTest::newRow("empty array") << array({}) << "does not know a master named m";
    QTest::newRow("error") << RedisReply::error("NOAUTH Authentication required.") << "refused: NOAUTH Authentication required.";
    QTest::newRow("status") << [] { RedisReply r; r.type = RedisReply::Type::Status; r.string = "OK"; return r; }()
                            << "answered something else than a host and a port";
    QTest::newRow("integer") << integer(6379) << "answered something else than a host and a port";
    QTest::newRow("one element") << array({string("127.0.0.1")}) << "answered something else than a host and a port";
    QTest::newRow("three elements") << array({string("127.0.0.1"), string("1"), string("x")})
                                    << "answered something else than a host and a port";
    QTest::newRow("port as integer") << array({string("127.0.0.1"), integer(6379)})
                                     << "answered something else than a host and a port";
    QTest::newRow("nested") << array({array({string("127.0.0.1")}), string("1")})
                            << "answered something else than a host and a port";
    QTest::newRow("empty host") << array({string(""), string("6379")}) << "gave a bad host \"\"";
    QTest::newRow("host with space") << array({string("a b"), string("6379")}) << "gave a bad host \"a%20b\"";
    QTest::newRow("bracketed ipv6") << array({string("[::1]"), string("6379")}) << "gave a bad host \"[::1]\"";
    QTest::newRow("host with port") << array({string("h:1"), string("6379")}) << "gave a bad host";
    QTest::newRow("binary host") << array({string(QByteArray("h\0x", 3)), string("6379")}) << "gave a bad host \"h%00x\"";
    QTest::newRow("long host") << array({string(QByteArray(300, 'a')), string("1")}) << "…\"";
    QTest::newRow("port zero") << array({string("h"), string("0")}) << "gave a bad port \"0\"";
    QTest::newRow("port too large") << array({string("h"), string("65536")}) << "gave a bad port \"65536\"";
    QTest::newRow("port huge") << array({string("h"), string("99999999999999999999")}) << "gave a bad port";
    QTest::newRow("port signed") << array({string("h"), string("+6379")}) << "gave a bad port";
    QTest::newRow("port negative") << array({string("h"), string("-1")}) << "gave a bad port";
    QTest::newRow("port spaces") << array({string("h"), string(" 6379")}) << "gave a bad port";
    QTest::newRow("port empty") << array({string("h"), string("")}) << "gave a bad port \"\"";
}

void tst_SentinelReply::refused()
{
    QFETCH(RedisReply, reply);
    QFETCH(QString, expected);
    QString why;
    QVERIFY(!SentinelReply::masterAddress(reply, QStringLiteral("m"), &why));
    QVERIFY2(why.contains(expected), qPrintable(why));
    QVERIFY2(why.size() < 300, qPrintable(why)); // a hostile reply is not quoted whole
}

void tst_SentinelReply::role_data()
{
    QTest::addColumn<RedisReply>("reply");
    QTest::addColumn<QByteArray>("role");
    QTest::newRow("master") << array({string("master"), integer(0), array({})}) << QByteArray("master");
    QTest::newRow("replica") << array({string("slave"), string("127.0.0.1"), integer(6379), string("connected"), integer(1)})
                             << QByteArray("slave");
    QTest::newRow("sentinel") << array({string("sentinel"), array({string("m")})}) << QByteArray("sentinel");
    QTest::newRow("error") << RedisReply::error("NOPERM") << QByteArray();
    QTest::newRow("nil") << RedisReply() << QByteArray();
    QTest::newRow("empty array") << array({}) << QByteArray();
    QTest::newRow("not a string first") << array({integer(1)}) << QByteArray();
    QTest::newRow("a bare string") << string("master") << QByteArray();
}

void tst_SentinelReply::role()
{
    QFETCH(RedisReply, reply);
    QFETCH(QByteArray, role);
    QCOMPARE(SentinelReply::role(reply), role);
}

QTEST_APPLESS_MAIN(tst_SentinelReply)
#include "tst_sentinelreply.moc"
