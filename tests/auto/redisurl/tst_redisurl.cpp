// SPDX-License-Identifier: MIT
#include "redis/redisurl_p.h"

#include <QtTest/QtTest>

using Clustr::RedisUrl;

class tst_RedisUrl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void displayHidesPassword();
};

void tst_RedisUrl::valid_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("unixSocket");
    QTest::addColumn<QString>("hostOrPath");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("database");

    QTest::newRow("default") << "redis://127.0.0.1:6379" << false << "127.0.0.1" << 6379 << "" << "" << 0;
    QTest::newRow("no port") << "redis://localhost" << false << "localhost" << 6379 << "" << "" << 0;
    QTest::newRow("password") << "redis://:s3cret@10.1.2.3:7000" << false << "10.1.2.3" << 7000 << "" << "s3cret" << 0;
    QTest::newRow("acl user") << "redis://alice:pw@host:1/5" << false << "host" << 1 << "alice" << "pw" << 5;
    QTest::newRow("encoded password") << "redis://:p%40ss%3Aword@h" << false << "h" << 6379 << "" << "p@ss:word" << 0;
    QTest::newRow("ipv6") << "redis://[::1]:6380" << false << "::1" << 6380 << "" << "" << 0;
    QTest::newRow("trailing slash") << "redis://h:1/" << false << "h" << 1 << "" << "" << 0;
    QTest::newRow("unix") << "unix:///run/redis.sock" << true << "/run/redis.sock" << 6379 << "" << "" << 0;
    QTest::newRow("unix with options") << "unix:///tmp/r.sock?password=x%26y&user=bob&db=3" << true << "/tmp/r.sock" << 6379
                                       << "bob" << "x&y" << 3;
    QTest::newRow("spaces around") << "  redis://h:2  " << false << "h" << 2 << "" << "" << 0;
}

void tst_RedisUrl::valid()
{
    QFETCH(QString, url);
    QFETCH(bool, unixSocket);
    QFETCH(QString, hostOrPath);
    QFETCH(int, port);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(int, database);

    QString error;
    const auto parsed = RedisUrl::parse(url, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->transport == RedisUrl::Transport::Unix, unixSocket);
    QCOMPARE(unixSocket ? parsed->socketPath : parsed->host, hostOrPath);
    if (!unixSocket)
        QCOMPARE(parsed->port, port);
    QCOMPARE(parsed->user, user);
    QCOMPARE(parsed->password, password);
    QCOMPARE(parsed->database, database);
}

void tst_RedisUrl::invalid_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");

    QTest::newRow("empty") << "" << "empty Redis URL";
    QTest::newRow("scheme") << "http://h:1" << "the scheme must be redis:// or unix://";
    QTest::newRow("no scheme") << "127.0.0.1:6379" << "the scheme must be redis:// or unix://";
    QTest::newRow("no host") << "redis://:1" << "no host";
    QTest::newRow("bad port") << "redis://h:99999" << "invalid Redis URL";
    QTest::newRow("bad db") << "redis://h:1/abc" << "database must be a number";
    QTest::newRow("negative db") << "redis://h:1/-2" << "database must be a number";
    QTest::newRow("unix relative") << "unix://relative.sock" << "absolute path";
    QTest::newRow("unix bad db") << "unix:///x.sock?db=z" << "database must be a number";
    QTest::newRow("user without password") << "redis://alice@h" << "a user needs a password";
}

void tst_RedisUrl::invalid()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!RedisUrl::parse(url, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void tst_RedisUrl::displayHidesPassword()
{
    const auto parsed = RedisUrl::parse(QStringLiteral("redis://alice:topsecret@h:7/2"));
    QVERIFY(parsed);
    QVERIFY(!parsed->toString().contains(QStringLiteral("topsecret")));
    QVERIFY(parsed->toString(true).contains(QStringLiteral("topsecret")));
    QCOMPARE(parsed->endpoint(), QStringLiteral("h:7"));
    const auto again = RedisUrl::parse(parsed->toString(true));
    QVERIFY(again);
    QCOMPARE(again->password, QStringLiteral("topsecret"));
    QCOMPARE(again->database, 2);
    const auto unixUrl = RedisUrl::parse(QStringLiteral("unix:///tmp/a.sock?password=pw"));
    QVERIFY(unixUrl);
    QCOMPARE(unixUrl->endpoint(), QStringLiteral("/tmp/a.sock"));
    QCOMPARE(unixUrl->toString(), QStringLiteral("unix:///tmp/a.sock?password=***"));
    QCOMPARE(unixUrl->toString(true), QStringLiteral("unix:///tmp/a.sock?password=pw"));
    QCOMPARE(RedisUrl::parse(unixUrl->toString(true))->socketPath, QStringLiteral("/tmp/a.sock"));
    // Errors quote the URL but never its password.
    QString error;
    QVERIFY(!RedisUrl::parse(QStringLiteral("redis://:hunter2@h:1/xyz"), &error));
    QVERIFY2(!error.contains(QStringLiteral("hunter2")) && error.contains(QStringLiteral(":***@")), qPrintable(error));
}

QTEST_APPLESS_MAIN(tst_RedisUrl)
#include "tst_redisurl.moc"
