// SPDX-License-Identifier: MIT
#include "redis/redisurl_p.h"
#include <ClustrQt/redisclient.h>

#include <QtTest/QtTest>

using Clustr::RedisUrl;

namespace {

// "a:1,b:2" as a list: the sentinels a row expects.
QStringList hosts(const char *list)
{
    return QString::fromLatin1(list).split(u',');
}

} // namespace

class tst_RedisUrl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void roundTrip_data();
    void roundTrip();
    void displayHidesPassword();
    void defaultIsTheDefaultUrl();
    void tls_data();
    void tls();
    void tlsRoundTrip_data();
    void tlsRoundTrip();
    void tlsDisplayHidesPassword();
    void sentinel_data();
    void sentinel();
    void sentinelInvalid_data();
    void sentinelInvalid();
    void sentinelRoundTrip_data();
    void sentinelRoundTrip();
    void sentinelDisplayHidesPasswords();
    void cluster_data();
    void cluster();
    void clusterInvalid_data();
    void clusterInvalid();
    void clusterRoundTrip_data();
    void clusterRoundTrip();
    void clusterDisplayHidesPassword();
    void clusterPubSubChoice();
    void validHost_data();
    void validHost();
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
    QTest::newRow("uppercase scheme") << "REDIS://H:1" << false << "h" << 1 << "" << "" << 0;
    QTest::newRow("uppercase unix scheme") << "UNIX:///run/r.sock" << true << "/run/r.sock" << 6379 << "" << "" << 0;
    QTest::newRow("ipv6 password db") << "redis://u:p%20w@[::1]:7000/4" << false << "::1" << 7000 << "u" << "p w" << 4;
    QTest::newRow("ipv6 uppercase") << "redis://[2001:DB8::A]" << false << "2001:db8::a" << 6379 << "" << "" << 0;
    QTest::newRow("ipv6 with ipv4 tail") << "redis://[::ffff:10.0.0.1]:1" << false << "::ffff:10.0.0.1" << 1 << "" << "" << 0;
    QTest::newRow("empty port") << "redis://h:" << false << "h" << 6379 << "" << "" << 0;
    QTest::newRow("colon in password") << "redis://a:b:c@h" << false << "h" << 6379 << "a" << "b:c" << 0;
    QTest::newRow("utf-8 password") << "redis://:p%C3%A4ss@h" << false << "h" << 6379 << "" << QString::fromUtf8("p\xc3\xa4ss") << 0;
    QTest::newRow("encoded unix path") << "unix:///tmp/a%20b.sock" << true << "/tmp/a b.sock" << 6379 << "" << "" << 0;
    QTest::newRow("unix plus stays") << "unix:///x.sock?password=a+b&foo=bar" << true << "/x.sock" << 6379 << "" << "a+b" << 0;
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
    QVERIFY(!parsed->tls);
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
    QTest::newRow("scheme") << "http://h:1" << "the scheme must be redis://, rediss://, redis-sentinel://, redis-cluster:// or unix://";
    QTest::newRow("no scheme") << "127.0.0.1:6379" << "the scheme must be redis://, rediss://, redis-sentinel://, redis-cluster:// or unix://";
    QTest::newRow("redis with tls options") << "redis://h:1?cacert=/ca.pem" << "a redis:// URL takes no ?query";
    QTest::newRow("no host") << "redis://:1" << "no host";
    QTest::newRow("bad port") << "redis://h:99999" << "invalid Redis URL";
    QTest::newRow("bad db") << "redis://h:1/abc" << "database must be a number";
    QTest::newRow("negative db") << "redis://h:1/-2" << "database must be a number";
    QTest::newRow("unix relative") << "unix://relative.sock" << "absolute path";
    QTest::newRow("unix bad db") << "unix:///x.sock?db=z" << "database must be a number";
    QTest::newRow("user without password") << "redis://alice@h" << "a user needs a password";
    QTest::newRow("space inside") << "redis://my host:1" << "invalid Redis URL";
    QTest::newRow("control character") << QStringLiteral("redis://h\x01:1") << "invalid Redis URL";
    QTest::newRow("port not a number") << "redis://h:12ab" << "bad port";
    QTest::newRow("port zero") << "redis://h:0" << "bad port";
    QTest::newRow("port with sign") << "redis://h:+1" << "bad port";
    QTest::newRow("unbalanced bracket") << "redis://[::1" << "invalid Redis URL";
    QTest::newRow("junk after bracket") << "redis://[::1]x" << "invalid Redis URL";
    QTest::newRow("bad ipv6") << "redis://[1::2::3]" << "invalid Redis URL";
    QTest::newRow("empty label") << "redis://a..b" << "invalid Redis URL";
    QTest::newRow("bad host character") << "redis://h!x" << "invalid Redis URL";
    QTest::newRow("query on redis") << "redis://h:1/2?x=y" << "invalid Redis URL";
    QTest::newRow("fragment on redis") << "redis://h:1#x" << "invalid Redis URL";
    QTest::newRow("bad escape") << "redis://h%zz" << "invalid Redis URL";
    QTest::newRow("bad escape in password") << "redis://:a%2@h" << "invalid Redis URL";
    QTest::newRow("nested path") << "redis://h:1/2/3" << "database must be a number";
    QTest::newRow("huge db") << "redis://h:1/99999999999" << "database must be a number";
    QTest::newRow("unix host") << "unix://host/x.sock" << "absolute path";
    QTest::newRow("unix negative db") << "unix:///x.sock?db=-1" << "database must be a number";
    // rediss://: its own query items, and the rest as for redis://.
    QTest::newRow("rediss: unknown item") << "rediss://h?cacert=/ca&cafile=/x"
                                          << "unknown option \"cafile\" (a rediss:// URL takes cacert, cert, key and sni)";
    QTest::newRow("rediss: unix's items") << "rediss://h?password=x" << "unknown option \"password\"";
    QTest::newRow("rediss: db as item") << "rediss://h?db=2" << "unknown option \"db\"";
    QTest::newRow("rediss: cert without key") << "rediss://h?cert=/c.pem" << "cert and key go together";
    QTest::newRow("rediss: key without cert") << "rediss://h?cacert=/ca&key=/k.pem" << "cert and key go together";
    QTest::newRow("rediss: twice") << "rediss://h?cacert=/a&cacert=/b" << "cacert is given twice";
    QTest::newRow("rediss: empty value") << "rediss://h?cacert=" << "cacert needs a value";
    QTest::newRow("rediss: no value") << "rediss://h?sni" << "sni needs a value";
    QTest::newRow("rediss: bad sni") << "rediss://h?sni=not%20a%20name" << "sni must be a host name";
    QTest::newRow("rediss: fragment") << "rediss://h#x" << "a rediss:// URL takes no #fragment";
    QTest::newRow("rediss: no host") << "rediss://:1?cacert=/ca" << "no host";
    QTest::newRow("rediss: bad db") << "rediss://h/x?cacert=/ca" << "database must be a number";
    QTest::newRow("rediss: user without password") << "rediss://alice@h" << "a user needs a password";
    QTest::newRow("rediss: bad escape") << "rediss://h?cacert=/a%zz" << "invalid Redis URL";
}

void tst_RedisUrl::invalid()
{
    QFETCH(QString, url);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!RedisUrl::parse(url, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void tst_RedisUrl::roundTrip_data()
{
    valid_data();
}

// What toString(true) writes parses back to the same settings, whatever the
// password or path contains.
void tst_RedisUrl::roundTrip()
{
    QFETCH(QString, url);
    const auto parsed = RedisUrl::parse(url);
    QVERIFY(parsed);
    const QString written = parsed->toString(true);
    QString error;
    const auto again = RedisUrl::parse(written, &error);
    QVERIFY2(again, qPrintable(written + QLatin1String(": ") + error));
    QCOMPARE(again->transport, parsed->transport);
    QCOMPARE(again->host, parsed->host);
    QCOMPARE(again->port, parsed->port);
    QCOMPARE(again->socketPath, parsed->socketPath);
    QCOMPARE(again->user, parsed->user);
    QCOMPARE(again->password, parsed->password);
    QCOMPARE(again->database, parsed->database);
    QCOMPARE(again->tls, parsed->tls);
    QCOMPARE(again->caCertFile, parsed->caCertFile);
    QCOMPARE(again->certFile, parsed->certFile);
    QCOMPARE(again->keyFile, parsed->keyFile);
    QCOMPARE(again->serverName, parsed->serverName);
    QCOMPARE(again->sentinels, parsed->sentinels);
    QCOMPARE(again->seeds, parsed->seeds);
    QCOMPARE(again->masterName, parsed->masterName);
    QCOMPARE(again->sentinelUser, parsed->sentinelUser);
    QCOMPARE(again->sentinelPassword, parsed->sentinelPassword);
    QCOMPARE(again->toString(true), written);
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
    QVERIFY(!RedisUrl::parse(QStringLiteral("unix:///x.sock?password=hunter2&db=z"), &error));
    QVERIFY2(!error.contains(QStringLiteral("hunter2")) && error.contains(QStringLiteral("password=***")), qPrintable(error));
    QVERIFY(!RedisUrl::parse(QStringLiteral("redis://:hunter2@h:99999"), &error));
    QVERIFY2(!error.contains(QStringLiteral("hunter2")), qPrintable(error));

    const auto ipv6 = RedisUrl::parse(QStringLiteral("redis://u:p%20w@[::1]:7000/4"));
    QVERIFY(ipv6);
    QCOMPARE(ipv6->endpoint(), QStringLiteral("[::1]:7000"));
    QCOMPARE(ipv6->toString(), QStringLiteral("redis://u:***@[::1]:7000/4"));
    QCOMPARE(ipv6->toString(true), QStringLiteral("redis://u:p%20w@[::1]:7000/4"));
}

void tst_RedisUrl::defaultIsTheDefaultUrl()
{
    // RedisClient starts from RedisUrl() rather than parsing DefaultUrl.
    const auto parsed = RedisUrl::parse(QString::fromLatin1(RedisUrl::DefaultUrl));
    QVERIFY(parsed);
    const RedisUrl plain;
    QCOMPARE(parsed->transport, plain.transport);
    QCOMPARE(parsed->host, plain.host);
    QCOMPARE(parsed->port, plain.port);
    QCOMPARE(parsed->socketPath, plain.socketPath);
    QCOMPARE(parsed->user, plain.user);
    QCOMPARE(parsed->password, plain.password);
    QCOMPARE(parsed->database, plain.database);
}

void tst_RedisUrl::tls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<int>("database");
    QTest::addColumn<QString>("cacert");
    QTest::addColumn<QString>("cert");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("sni");

    QTest::newRow("bare") << "rediss://redis.example" << "redis.example" << 6379 << "" << "" << 0 << "" << "" << "" << "";
    QTest::newRow("cacert") << "rediss://127.0.0.1:6380?cacert=/etc/ca.pem" << "127.0.0.1" << 6380 << "" << "" << 0
                            << "/etc/ca.pem" << "" << "" << "";
    QTest::newRow("everything") << "rediss://alice:pw@h:7000/3?cacert=/ca.pem&cert=/c.pem&key=/k.pem&sni=Redis.Example"
                                << "h" << 7000 << "alice" << "pw" << 3 << "/ca.pem" << "/c.pem" << "/k.pem" << "redis.example";
    QTest::newRow("any order") << "rediss://h?sni=n&key=/k&cert=/c" << "h" << 6379 << "" << "" << 0 << "" << "/c" << "/k" << "n";
    QTest::newRow("password only") << "rediss://:s3cret@h:1/2?cacert=ca.pem" << "h" << 1 << "" << "s3cret" << 2 << "ca.pem" << "" << "" << "";
    QTest::newRow("ipv6") << "rediss://[::1]:6380?cacert=/ca" << "::1" << 6380 << "" << "" << 0 << "/ca" << "" << "" << "";
    QTest::newRow("encoded path") << "rediss://h?cacert=/my%20certs/ca%26co.pem" << "h" << 6379 << "" << "" << 0
                                  << "/my certs/ca&co.pem" << "" << "" << "";
    QTest::newRow("uppercase scheme") << "REDISS://H:1" << "h" << 1 << "" << "" << 0 << "" << "" << "" << "";
    QTest::newRow("empty query") << "rediss://h:1?" << "h" << 1 << "" << "" << 0 << "" << "" << "" << "";
    QTest::newRow("empty items") << "rediss://h:1?&cacert=/ca&&" << "h" << 1 << "" << "" << 0 << "/ca" << "" << "" << "";
}

void tst_RedisUrl::tls()
{
    QFETCH(QString, url);
    QString error;
    const auto parsed = RedisUrl::parse(url, &error);
    QVERIFY2(parsed, qPrintable(error));
    QVERIFY(parsed->tls);
    QCOMPARE(parsed->transport, RedisUrl::Transport::Tcp);
    QTEST(parsed->host, "host");
    QTEST(parsed->port, "port");
    QTEST(parsed->user, "user");
    QTEST(parsed->password, "password");
    QTEST(parsed->database, "database");
    QTEST(parsed->caCertFile, "cacert");
    QTEST(parsed->certFile, "cert");
    QTEST(parsed->keyFile, "key");
    QTEST(parsed->serverName, "sni");
}

void tst_RedisUrl::tlsRoundTrip_data()
{
    tls_data();
}

// rediss:// URLs, through the same checks.
void tst_RedisUrl::tlsRoundTrip()
{
    QFETCH(QString, url);
    QVERIFY(url.startsWith(QLatin1String("rediss://"), Qt::CaseInsensitive));
    roundTrip();
}

void tst_RedisUrl::tlsDisplayHidesPassword()
{
    const auto parsed = RedisUrl::parse(QStringLiteral("rediss://alice:topsecret@h:7/2?cacert=/ca.pem&cert=/c.pem&key=/k.pem&sni=n"));
    QVERIFY(parsed);
    QCOMPARE(parsed->toString(), QStringLiteral("rediss://alice:***@h:7/2?cacert=/ca.pem&cert=/c.pem&key=/k.pem&sni=n"));
    QCOMPARE(parsed->endpoint(), QStringLiteral("h:7"));
    QVERIFY(parsed->toString(true).contains(QStringLiteral("topsecret")));
    // Errors quote the URL, never its password.
    QString error;
    QVERIFY(!RedisUrl::parse(QStringLiteral("rediss://:hunter2@h:1?cafile=x"), &error));
    QVERIFY2(!error.contains(QStringLiteral("hunter2")) && error.contains(QStringLiteral(":***@")), qPrintable(error));
    QVERIFY(!RedisUrl::parse(QStringLiteral("rediss://h:1?password=hunter2"), &error));
    QVERIFY2(!error.contains(QStringLiteral("hunter2")), qPrintable(error));
}

void tst_RedisUrl::sentinel_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("sentinels");
    QTest::addColumn<QString>("masterName");
    QTest::addColumn<int>("database");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("sentinelUser");
    QTest::addColumn<QString>("sentinelPassword");

    QTest::newRow("three") << "redis-sentinel://10.0.0.1:26379,10.0.0.2:26380,10.0.0.3:26381/mymaster"
                           << hosts("10.0.0.1:26379,10.0.0.2:26380,10.0.0.3:26381") << "mymaster" << 0
                           << "" << "" << "" << "";
    QTest::newRow("one, default port") << "redis-sentinel://localhost/m" << hosts("localhost:26379") << "m" << 0
                                       << "" << "" << "" << "";
    QTest::newRow("empty port") << "redis-sentinel://a:,b/m" << hosts("a:26379,b:26379") << "m" << 0
                                << "" << "" << "" << "";
    QTest::newRow("ipv6 and names") << "redis-sentinel://[::1]:5000,Sentinel.Example:5001/m"
                                    << hosts("[::1]:5000,sentinel.example:5001") << "m" << 0 << "" << "" << "" << "";
    QTest::newRow("database") << "redis-sentinel://h/m/3" << hosts("h:26379") << "m" << 3 << "" << "" << "" << "";
    QTest::newRow("empty database") << "redis-sentinel://h/m/" << hosts("h:26379") << "m" << 0 << "" << "" << "" << "";
    QTest::newRow("data node credentials") << "redis-sentinel://alice:pw@h1,h2/m" << hosts("h1:26379,h2:26379") << "m"
                                           << 0 << "alice" << "pw" << "" << "";
    QTest::newRow("sentinel password") << "redis-sentinel://:pw@h/m?sentinelPassword=s3cret" << hosts("h:26379") << "m"
                                       << 0 << "" << "pw" << "" << "s3cret";
    QTest::newRow("sentinel user") << "redis-sentinel://h/m/1?sentinelUser=sen&sentinelPassword=a%26b" << hosts("h:26379")
                                   << "m" << 1 << "" << "" << "sen" << "a&b";
    QTest::newRow("escaped name") << "redis-sentinel://h/my%20master" << hosts("h:26379") << "my master" << 0
                                  << "" << "" << "" << "";
    QTest::newRow("scheme case") << "Redis-Sentinel://h/M" << hosts("h:26379") << "M" << 0 << "" << "" << "" << "";
}

void tst_RedisUrl::sentinel()
{
    QFETCH(QString, url);
    QFETCH(QStringList, sentinels);
    QFETCH(QString, masterName);
    QFETCH(int, database);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, sentinelUser);
    QFETCH(QString, sentinelPassword);

    QString error;
    const auto parsed = RedisUrl::parse(url, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->transport, RedisUrl::Transport::Sentinel);
    QVERIFY(!parsed->tls);
    QStringList found;
    for (const RedisUrl::Address &sentinel : parsed->sentinels)
        found.append(RedisUrl::endpoint(sentinel.host, sentinel.port));
    QCOMPARE(found, sentinels);
    QCOMPARE(parsed->sentinelList(), sentinels.join(u','));
    QCOMPARE(parsed->masterName, masterName);
    QCOMPARE(parsed->database, database);
    QCOMPARE(parsed->user, user);
    QCOMPARE(parsed->password, password);
    QCOMPARE(parsed->sentinelUser, sentinelUser);
    QCOMPARE(parsed->sentinelPassword, sentinelPassword);
    QVERIFY(parsed->host.isEmpty()); // only the sentinels know where the master is
    QCOMPARE(parsed->endpoint(), QStringLiteral("master %1 of sentinels %2").arg(masterName, sentinels.join(u',')));
}

void tst_RedisUrl::sentinelInvalid_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");

    QTest::newRow("no master name") << "redis-sentinel://h:26379" << "no master name";
    QTest::newRow("empty master name") << "redis-sentinel://h:26379/" << "no master name";
    QTest::newRow("empty master name, db") << "redis-sentinel://h:26379//2" << "no master name";
    QTest::newRow("no hosts") << "redis-sentinel:///m" << "no sentinel: name at least one";
    QTest::newRow("only credentials") << "redis-sentinel://:pw@/m" << "no sentinel: name at least one";
    QTest::newRow("empty host in list") << "redis-sentinel://a,,b/m" << "an empty host in the list of sentinels";
    QTest::newRow("trailing comma") << "redis-sentinel://a,/m" << "an empty host in the list of sentinels";
    QTest::newRow("leading comma") << "redis-sentinel://,a/m" << "an empty host in the list of sentinels";
    QTest::newRow("bad port") << "redis-sentinel://a:1,b:99999/m" << "sentinel \"b:99999\": bad port";
    QTest::newRow("port zero") << "redis-sentinel://a:0/m" << "sentinel \"a:0\": bad port";
    QTest::newRow("port not a number") << "redis-sentinel://a:x/m" << "bad port";
    QTest::newRow("no host, a port") << "redis-sentinel://a,:26379/m" << "sentinel \":26379\": no host";
    QTest::newRow("bad host") << "redis-sentinel://a,b!c/m" << "invalid Redis URL";
    QTest::newRow("bad ipv6") << "redis-sentinel://[1::2::3]/m" << "bad IPv6 address";
    QTest::newRow("bad db") << "redis-sentinel://h/m/x" << "database must be a number";
    QTest::newRow("nested path") << "redis-sentinel://h/m/1/2" << "database must be a number";
    QTest::newRow("unknown option") << "redis-sentinel://h/m?password=x"
                                    << "unknown option \"password\" (a redis-sentinel:// URL takes sentinelUser and sentinelPassword)";
    QTest::newRow("tls option") << "redis-sentinel://h/m?cacert=/ca.pem" << "unknown option \"cacert\"";
    QTest::newRow("twice") << "redis-sentinel://h/m?sentinelPassword=a&sentinelPassword=b" << "sentinelPassword is given twice";
    QTest::newRow("empty value") << "redis-sentinel://h/m?sentinelPassword=" << "sentinelPassword needs a value";
    QTest::newRow("user without password") << "redis-sentinel://h/m?sentinelUser=u" << "sentinelUser needs a sentinelPassword";
    QTest::newRow("data user without password") << "redis-sentinel://alice@h/m" << "a user needs a password";
    QTest::newRow("fragment") << "redis-sentinel://h/m#x" << "a redis-sentinel:// URL takes no #fragment";
    QTest::newRow("bad escape") << "redis-sentinel://h/m%zz" << "invalid Redis URL";
}

// The checks of invalid(), on these rows.
void tst_RedisUrl::sentinelInvalid()
{
    invalid();
}

void tst_RedisUrl::sentinelRoundTrip_data()
{
    sentinel_data();
}

// redis-sentinel:// URLs, through the same checks.
void tst_RedisUrl::sentinelRoundTrip()
{
    QFETCH(QString, url);
    QVERIFY(url.startsWith(QLatin1String("redis-sentinel://"), Qt::CaseInsensitive));
    roundTrip();
}

void tst_RedisUrl::sentinelDisplayHidesPasswords()
{
    const auto parsed = RedisUrl::parse(QStringLiteral("redis-sentinel://alice:topsecret@h1:1,h2:2/m/2?sentinelUser=s&sentinelPassword=hidden"));
    QVERIFY(parsed);
    QCOMPARE(parsed->toString(), QStringLiteral("redis-sentinel://alice:***@h1:1,h2:2/m/2?sentinelUser=s&sentinelPassword=***"));
    QCOMPARE(parsed->toString(true), QStringLiteral("redis-sentinel://alice:topsecret@h1:1,h2:2/m/2?sentinelUser=s&sentinelPassword=hidden"));
    // What is shown parses too (the status record carries it).
    QVERIFY(RedisUrl::parse(parsed->toString()));
    // A sentinel is reached with the sentinel credentials, not the data nodes'.
    QCOMPARE(parsed->sentinelUrl(parsed->sentinels.constFirst()), QStringLiteral("redis://s:hidden@h1:1"));
    // Errors quote the URL, never a password.
    QString error;
    QVERIFY(!RedisUrl::parse(QStringLiteral("redis-sentinel://:hunter2@h:99999/m?sentinelPassword=hunter3"), &error));
    QVERIFY2(!error.contains(QStringLiteral("hunter2")) && !error.contains(QStringLiteral("hunter3")), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("sentinelPassword=***")), qPrintable(error));
}

void tst_RedisUrl::cluster_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QStringList>("seeds");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");

    const auto hosts = [](const char *list) { return QString::fromLatin1(list).split(u','); };
    QTest::newRow("three") << "redis-cluster://10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002"
                           << hosts("10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:7002") << "" << "";
    QTest::newRow("one, default port") << "redis-cluster://localhost" << hosts("localhost:6379") << "" << "";
    QTest::newRow("trailing slash") << "redis-cluster://a:1/" << hosts("a:1") << "" << "";
    QTest::newRow("ipv6 and names") << "REDIS-CLUSTER://[::1]:7000,Node.Example:7001" << hosts("[::1]:7000,node.example:7001") << "" << "";
    QTest::newRow("credentials") << "redis-cluster://alice:p%40ss@h1:7000,h2:7001" << hosts("h1:7000,h2:7001") << "alice" << "p@ss";
    QTest::newRow("password only") << "redis-cluster://:pw@h:7000" << hosts("h:7000") << "" << "pw";
    QTest::newRow("plain pub/sub") << "redis-cluster://:pw@h:7000?pubsub=plain" << hosts("h:7000") << "" << "pw";
    QTest::newRow("sharded pub/sub") << "redis-cluster://h:7000/?pubsub=sharded" << hosts("h:7000") << "" << "";
}

void tst_RedisUrl::cluster()
{
    QFETCH(QString, url);
    QFETCH(QStringList, seeds);
    QFETCH(QString, user);
    QFETCH(QString, password);

    QString error;
    const auto parsed = RedisUrl::parse(url, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->transport, RedisUrl::Transport::Cluster);
    QVERIFY(parsed->isCluster());
    QVERIFY(!parsed->tls);
    QCOMPARE(RedisUrl::addressList(parsed->seeds), seeds.join(u','));
    QCOMPARE(parsed->user, user);
    QCOMPARE(parsed->password, password);
    QCOMPARE(parsed->database, 0);
    QVERIFY(parsed->host.isEmpty()); // whichever seed answers
    QCOMPARE(parsed->endpoint(), QStringLiteral("Redis Cluster ") + seeds.join(u','));
    QVERIFY(Clustr::RedisClient::isClusterUrl(url));
}

void tst_RedisUrl::clusterInvalid_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("expected");

    QTest::newRow("database") << "redis-cluster://h:7000/1" << "a Redis Cluster has database 0 only";
    QTest::newRow("database 0") << "redis-cluster://h:7000/0" << "a Redis Cluster has database 0 only";
    QTest::newRow("query") << "redis-cluster://h:7000?cacert=/ca.pem" << "unknown option \"cacert\" (a redis-cluster:// URL takes pubsub=sharded or pubsub=plain)";
    QTest::newRow("pubsub misspelt") << "redis-cluster://h:7000?pubsub=plane" << "pubsub is \"plane\": sharded or plain";
    QTest::newRow("pubsub twice") << "redis-cluster://h:7000?pubsub=plain&pubsub=plain" << "pubsub is given twice";
    QTest::newRow("pubsub empty") << "redis-cluster://h:7000?pubsub=" << "pubsub needs a value";
    QTest::newRow("fragment") << "redis-cluster://h:7000#x" << "a redis-cluster:// URL takes no #fragment";
    QTest::newRow("no hosts") << "redis-cluster://" << "no node: name at least one";
    QTest::newRow("only credentials") << "redis-cluster://:pw@" << "no node: name at least one";
    QTest::newRow("empty host in list") << "redis-cluster://a,,b" << "an empty host in the list of nodes";
    QTest::newRow("trailing comma") << "redis-cluster://a:1," << "an empty host in the list of nodes";
    QTest::newRow("bad port") << "redis-cluster://a:1,b:99999" << "node \"b:99999\": bad port";
    QTest::newRow("bad host") << "redis-cluster://a,b!c" << "invalid Redis URL";
    QTest::newRow("user without password") << "redis-cluster://alice@h" << "a user needs a password";
}

void tst_RedisUrl::clusterInvalid()
{
    invalid();
    QFETCH(QString, url);
    QVERIFY(!Clustr::RedisClient::isClusterUrl(url));
}

void tst_RedisUrl::clusterRoundTrip_data()
{
    cluster_data();
}

// redis-cluster:// URLs, through the same checks.
void tst_RedisUrl::clusterRoundTrip()
{
    QFETCH(QString, url);
    QVERIFY(url.startsWith(QLatin1String("redis-cluster://"), Qt::CaseInsensitive));
    roundTrip();
}

void tst_RedisUrl::clusterDisplayHidesPassword()
{
    const auto parsed = RedisUrl::parse(QStringLiteral("redis-cluster://alice:topsecret@h1:1,h2:2"));
    QVERIFY(parsed);
    QCOMPARE(parsed->toString(), QStringLiteral("redis-cluster://alice:***@h1:1,h2:2"));
    QCOMPARE(parsed->toString(true), QStringLiteral("redis-cluster://alice:topsecret@h1:1,h2:2"));
    QVERIFY(RedisUrl::parse(parsed->toString()));
    QString error;
    QVERIFY(!RedisUrl::parse(QStringLiteral("redis-cluster://:hunter2@h:99999"), &error));
    QVERIFY2(!error.contains(QStringLiteral("hunter2")), qPrintable(error));
    QVERIFY(!Clustr::RedisClient::isClusterUrl(QStringLiteral("redis://h:7000")));
}

void tst_RedisUrl::clusterPubSubChoice()
{
    // Sharded unless ?pubsub=plain; only a Redis Cluster has sharded pub/sub.
    const auto sharded = RedisUrl::parse(QStringLiteral("redis-cluster://h:1"));
    QVERIFY(sharded && sharded->shardedPubSub);
    QCOMPARE(sharded->toString(), QStringLiteral("redis-cluster://h:1"));
    const auto plain = RedisUrl::parse(QStringLiteral("redis-cluster://:pw@h:1,g:2?pubsub=plain"));
    QVERIFY(plain && !plain->shardedPubSub);
    QCOMPARE(plain->toString(), QStringLiteral("redis-cluster://:***@h:1,g:2?pubsub=plain"));
    QCOMPARE(RedisUrl::parse(QStringLiteral("redis-cluster://h:1?pubsub=sharded"))->toString(), QStringLiteral("redis-cluster://h:1"));
    QVERIFY(Clustr::RedisClient::usesShardedChannels(QStringLiteral("redis-cluster://h:1")));
    QVERIFY(!Clustr::RedisClient::usesShardedChannels(QStringLiteral("redis-cluster://h:1?pubsub=plain")));
    QVERIFY(!Clustr::RedisClient::usesShardedChannels(QStringLiteral("redis://h:1")));
    QVERIFY(!Clustr::RedisClient::usesShardedChannels(QStringLiteral("not a url")));
}

void tst_RedisUrl::validHost_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("valid");
    QTest::newRow("ipv4") << "10.0.0.1" << true;
    QTest::newRow("ipv6") << "::1" << true;
    QTest::newRow("name") << "redis-1.example" << true;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("bracketed ipv6") << "[::1]" << false;
    QTest::newRow("space") << "a b" << false;
    QTest::newRow("bad ipv6") << "1::2::3" << false;
    QTest::newRow("with port") << "h:1" << false;
}

void tst_RedisUrl::validHost()
{
    QFETCH(QString, host);
    QFETCH(bool, valid);
    QCOMPARE(RedisUrl::isValidHost(host), valid);
}

QTEST_APPLESS_MAIN(tst_RedisUrl)
#include "tst_redisurl.moc"
