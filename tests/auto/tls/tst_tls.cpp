// SPDX-License-Identifier: MIT
// rediss:// end to end: RedisClient, Worker and Master, and the clustr-qt
// CLI and daemon against real redis-servers listening with --tls-port only,
// with a CA and certificates made by the openssl command. And what TLS must
// not cost: a process that uses no rediss:// URL maps no OpenSSL.
#include "programrun.h"
#include "redisserver.h"
#include "testcertificates.h"
#include "testprocess.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QScopeGuard>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

#include <csignal>
#include <memory>
#include <sys/prctl.h>

using Clustr::RedisClient;

namespace {

QString percentEncoded(const QString &path)
{
    return QString::fromLatin1(path.toUtf8().toPercentEncoding("/"));
}

//! Whether the process \a pid has OpenSSL's libraries mapped (its /proc/PID/maps).
bool mapsOpenSsl(qint64 pid)
{
    QFile maps(QStringLiteral("/proc/%1/maps").arg(pid));
    if (!maps.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = maps.readAll();
    return text.contains("/libssl.so") || text.contains("/libcrypto.so");
}

//! Waits for \a client to be connected; on a timeout the client's last error says why.
bool waitConnected(RedisClient &client, int timeoutMs = 15000)
{
    return QTest::qWaitFor([&client] { return client.isConnected(); }, timeoutMs);
}

//! The reply to \a arguments on \a client (an error reply when none comes in time).
Clustr::RedisReply ask(RedisClient &client, const QByteArrayList &arguments)
{
    std::optional<Clustr::RedisReply> answer;
    client.command(arguments, [&answer](const Clustr::RedisReply &reply) { answer = reply; });
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 15000))
        return Clustr::RedisReply::error(QByteArrayLiteral("ERR no answer in the test's time"));
    return *answer;
}

/*!
  Collects every error \a client reports, and waits until one satisfies a
  predicate \a count times: a connection refused once and tried again
  reports twice.
*/
class ErrorLog
{
public:
    explicit ErrorLog(RedisClient &client)
    {
        QObject::connect(&client, &RedisClient::errorOccurred, &client,
                         [this](RedisClient::Error error, const QString &text) { m_errors.append({error, text}); });
    }
    bool waitFor(const QString &fragment, int count = 1, int timeoutMs = 20000) const
    {
        return QTest::qWaitFor([&] { return matching(fragment) >= count; }, timeoutMs);
    }
    int matching(const QString &fragment) const
    {
        int n = 0;
        for (const auto &entry : m_errors)
            n += entry.second.contains(fragment) ? 1 : 0;
        return n;
    }
    int count() const { return int(m_errors.size()); }
    RedisClient::Error lastError() const { return m_errors.isEmpty() ? RedisClient::Error::NoError : m_errors.constLast().first; }
    QByteArray describe() const
    {
        QStringList lines;
        for (const auto &entry : m_errors)
            lines.append(entry.second);
        return lines.isEmpty() ? QByteArray("no error reported") : lines.join(QLatin1Char('\n')).toUtf8();
    }

private:
    QList<QPair<RedisClient::Error, QString>> m_errors;
};

//! A client of \a url that retries quickly, with the errors it reports; not opened yet.
struct TlsClient
{
    explicit TlsClient(const QString &url)
        : errors(client)
    {
        client.setReconnectDelays(std::chrono::milliseconds(50), std::chrono::milliseconds(200));
        client.setUrl(url);
    }
    //! Opens, and waits until connected.
    bool connect()
    {
        return client.open() && waitConnected(client);
    }

    RedisClient client;
    ErrorLog errors;
};

} // namespace

class tst_Tls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void commandsOverTls();
    void byName();
    void largeValuesBothWays();
    void workerAndMasterExchangeMessages();
    void openSslOnlyWhereTlsIsUsed();
    void wrongCaIsRefusedAndRetried();
    void hostnameMismatchIsRefused();
    void plainServerIsNotTls();
    void clientCertificateRequired();
    void unusableFilesAreReported();
    void pluginMissingIsReported();
    void reconnectsAfterServerRestart();
    void tunnelLeavesNothingOnDisk();
    void invalidUrlsAreRefusedEverywhere();
    void cliAndDaemonOverTls();

private:
    //! rediss:// to \a server with extra query items (`&sni=…`).
    QString url(const RedisServer &server, const QString &extra = QString()) const { return server.url() + extra; }
    QString clientCertificateItems() const
    {
        return QStringLiteral("&cert=%1&key=%2").arg(percentEncoded(m_certificates.clientCert), percentEncoded(m_certificates.clientKey));
    }
    QProcessEnvironment environment() const;
    ProgramRun runCli(const QStringList &arguments, int timeoutMs = 30000);

    QTemporaryDir m_certificateDir;
    TestCertificates m_certificates;
    std::unique_ptr<RedisServer> m_redis;       // --tls-auth-clients optional
    std::unique_ptr<RedisServer> m_strictRedis; // --tls-auth-clients yes
    QTemporaryDir m_runtimeDir;                 // XDG_RUNTIME_DIR of the CLI and daemon
};

void tst_Tls::initTestCase()
{
    QVERIFY(m_certificateDir.isValid());
    QVERIFY(m_runtimeDir.isValid());
    QString error;
    QVERIFY2(m_certificates.create(m_certificateDir.path(), &error), qPrintable(error));

    RedisServer::Options options;
    options.tls.certFile = m_certificates.serverCert;
    options.tls.keyFile = m_certificates.serverKey;
    options.tls.caCertFile = m_certificates.caCert;
    m_redis = std::make_unique<RedisServer>(options);
    QVERIFY2(m_redis->start(&error), qPrintable(error));

    options.tls.requireClientCertificate = true;
    options.tls.clientCertFile = m_certificates.clientCert; // for redis-cli, which checks the server is up
    options.tls.clientKeyFile = m_certificates.clientKey;
    m_strictRedis = std::make_unique<RedisServer>(options);
    QVERIFY2(m_strictRedis->start(&error), qPrintable(error));
}

QProcessEnvironment tst_Tls::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CLUSTR_REDIS"));
    env.remove(QStringLiteral("CLUSTR_TLS_PLUGIN"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtimeDir.path());
    return env;
}

ProgramRun tst_Tls::runCli(const QStringList &arguments, int timeoutMs)
{
    return runProgram(buildBinary(QStringLiteral("clustr-qt")), arguments, environment(), timeoutMs);
}

void tst_Tls::commandsOverTls()
{
    TlsClient tls(url(*m_redis));
    QVERIFY2(tls.connect(), tls.errors.describe());
    QCOMPARE(ask(tls.client, {"SET", "tls:key", "over TLS"}).string, QByteArray("OK"));
    QCOMPARE(ask(tls.client, {"GET", "tls:key"}).string, QByteArray("over TLS"));
    // The server has only its TLS port: that is where this client is.
    const QByteArray info = ask(tls.client, {"CLIENT", "INFO"}).string;
    QVERIFY2(info.contains("laddr=127.0.0.1:" + QByteArray::number(m_redis->port())), info.constData());
}

void tst_Tls::byName()
{
    // A host name is resolved as for redis://, and the certificate checked against the name.
    TlsClient tls(QStringLiteral("rediss://localhost:%1?cacert=%2").arg(m_redis->port()).arg(percentEncoded(m_certificates.caCert)));
    QVERIFY2(tls.connect(), tls.errors.describe());
    QCOMPARE(ask(tls.client, {"PING"}).string, QByteArray("PONG"));
}

void tst_Tls::largeValuesBothWays()
{
    // More than the tunnel buffers towards either side at once (1 MiB) and
    // more than one TLS record: partial writes, both directions.
    TlsClient tls(url(*m_redis));
    QVERIFY2(tls.connect(), tls.errors.describe());
    QByteArray value(5 * 1024 * 1024 + 17, Qt::Uninitialized);
    for (qsizetype i = 0; i < value.size(); ++i)
        value[i] = char('a' + (i * 7) % 26);
    QCOMPARE(ask(tls.client, {"SET", "tls:large", value}).string, QByteArray("OK"));
    for (int round = 0; round < 3; ++round) {
        const Clustr::RedisReply reply = ask(tls.client, {"GET", "tls:large"});
        QCOMPARE(reply.string.size(), value.size());
        QVERIFY(reply.string == value);
    }
}

void tst_Tls::workerAndMasterExchangeMessages()
{
    const QString redis = QStringLiteral("--cluster-redis=") + url(*m_redis);
    TestProcess master;
    QVERIFY(master.startWorker({QStringLiteral("--master"), redis}));
    TestProcess worker;
    QVERIFY(worker.startWorker({QStringLiteral("--group=web"), QStringLiteral("--ready"), redis,
                                QStringLiteral("--cluster-master-pid=%1").arg(master.pid())}));
    QVERIFY(master.waitForEvent(QStringLiteral("registered"), [&](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("pid")).toDouble()) == worker.pid();
    }));

    // Worker -> master, master -> worker.
    worker.send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), QStringLiteral("from the worker")}}));
    QVERIFY(master.waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) {
        return e.value(QStringLiteral("data")).toString() == QLatin1String("from the worker");
    }));
    master.send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), double(worker.pid())}, {QStringLiteral("data"), QStringLiteral("from the master")}}));
    QVERIFY(worker.waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) {
        return e.value(QStringLiteral("kind")).toString() == QLatin1String("private")
            && e.value(QStringLiteral("data")).toString() == QLatin1String("from the master");
    }));
    // A request and its answer: the cluster's membership, from the master.
    worker.send(cmd(QStringLiteral("clusterInfo")));
    const auto info = worker.waitForEvent(QStringLiteral("clusterInfo"));
    QVERIFY2(info, worker.standardError().constData());
    const QJsonArray web = info->value(QStringLiteral("info")).toObject().value(QStringLiteral("web")).toArray();
    QVERIFY2(web.contains(double(worker.pid())), QJsonDocument(*info).toJson().constData());
}

void tst_Tls::openSslOnlyWhereTlsIsUsed()
{
    // What TLS costs a process that does not use it: nothing of OpenSSL is
    // mapped by a worker on unix:// or redis:// (the library does not link it;
    // the plugin is loaded by the first rediss:// connection only).
    RedisServer::Options unixOptions;
    unixOptions.unixSocket = true;
    RedisServer unixRedis(unixOptions);
    RedisServer tcpRedis;
    QString error;
    QVERIFY2(unixRedis.start(&error), qPrintable(error));
    QVERIFY2(tcpRedis.start(&error), qPrintable(error));

    TestProcess overUnix;
    QVERIFY(overUnix.startWorker({QStringLiteral("--group=plain"), QStringLiteral("--ready"), QStringLiteral("--cluster-redis=") + unixRedis.url()}));
    TestProcess overTcp;
    QVERIFY(overTcp.startWorker({QStringLiteral("--group=plain"), QStringLiteral("--ready"), QStringLiteral("--cluster-redis=") + tcpRedis.url()}));
    TestProcess overTls;
    QVERIFY(overTls.startWorker({QStringLiteral("--group=secure"), QStringLiteral("--ready"), QStringLiteral("--cluster-redis=") + url(*m_redis)}));
    // Each has used its connection: a round trip through Redis.
    for (TestProcess *process : {&overUnix, &overTcp, &overTls}) {
        process->send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), double(process->pid())}, {QStringLiteral("data"), QStringLiteral("echo")}}));
        QVERIFY(process->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) {
            return e.value(QStringLiteral("data")).toString() == QLatin1String("echo");
        }));
    }
    QVERIFY2(!mapsOpenSsl(overUnix.pid()), "a worker on unix:// maps libssl or libcrypto");
    QVERIFY2(!mapsOpenSsl(overTcp.pid()), "a worker on redis:// maps libssl or libcrypto");
    QVERIFY2(mapsOpenSsl(overTls.pid()), "a worker on rediss:// maps no OpenSSL: is it TLS at all?");
}

void tst_Tls::wrongCaIsRefusedAndRetried()
{
    TlsClient tls(QStringLiteral("rediss://127.0.0.1:%1?cacert=%2").arg(m_redis->port()).arg(percentEncoded(m_certificates.otherCaCert)));
    QVERIFY(tls.client.open());
    // Refused, said why, and tried again (the same error twice) without connecting.
    const QString expected = QStringLiteral("cannot connect to Redis at 127.0.0.1:%1: TLS handshake failed: certificate verify failed")
                                 .arg(m_redis->port());
    QVERIFY2(tls.errors.waitFor(expected, 2), tls.errors.describe());
    QCOMPARE(tls.errors.lastError(), RedisClient::Error::ConnectionFailed);
    QCOMPARE(tls.client.error(), RedisClient::Error::ConnectionFailed);
    QVERIFY(!tls.client.isConnected());
}

void tst_Tls::hostnameMismatchIsRefused()
{
    TlsClient wrong(url(*m_redis, QStringLiteral("&sni=wrong.example")));
    QVERIFY(wrong.client.open());
    QVERIFY2(wrong.errors.waitFor(QStringLiteral("certificate verify failed: hostname mismatch (the server's certificate is not for \"wrong.example\")")),
             wrong.errors.describe());
    QVERIFY(!wrong.client.isConnected());

    // The same server by its right name, given as sni, is fine.
    TlsClient right(url(*m_redis, QStringLiteral("&sni=localhost")));
    QVERIFY2(right.connect(), right.errors.describe());
}

void tst_Tls::plainServerIsNotTls()
{
    // rediss:// to a port that speaks plain RESP: Redis takes the ClientHello
    // for the start of an inline command and waits for more. The connect
    // timeout ends it, saying at which step.
    RedisServer plain;
    QString error;
    QVERIFY2(plain.start(&error), qPrintable(error));
    TlsClient tls(QStringLiteral("rediss://127.0.0.1:%1?cacert=%2").arg(plain.port()).arg(percentEncoded(m_certificates.caCert)));
    tls.client.setConnectTimeout(std::chrono::milliseconds(300));
    QVERIFY(tls.client.open());
    QVERIFY2(tls.errors.waitFor(QStringLiteral("cannot connect to Redis at 127.0.0.1:%1: timed out after 300 ms waiting for the "
                                               "server's TLS handshake (is this port a TLS port?)").arg(plain.port()), 2),
             tls.errors.describe());
    QVERIFY(!tls.client.isConnected());
}

void tst_Tls::clientCertificateRequired()
{
    TlsClient without(url(*m_strictRedis));
    QVERIFY(without.client.open());
    // Said the same way every time, whether the server's alert or its reset came first.
    const QString expected = QStringLiteral("cannot connect to Redis at 127.0.0.1:%1: the server refused the connection without "
                                            "a client certificate").arg(m_strictRedis->port());
    QVERIFY2(without.errors.waitFor(expected, 3), without.errors.describe());
    QVERIFY2(without.errors.matching(QStringLiteral("add cert=FILE&key=FILE to the URL")) == without.errors.count(),
             without.errors.describe());
    QCOMPARE(without.errors.lastError(), RedisClient::Error::ConnectionFailed);
    QVERIFY(!without.client.isConnected());

    TlsClient with(url(*m_strictRedis, clientCertificateItems()));
    QVERIFY2(with.connect(), with.errors.describe());
    QCOMPARE(ask(with.client, {"PING"}).string, QByteArray("PONG"));
}

void tst_Tls::unusableFilesAreReported()
{
    const QString missing = QDir(m_certificateDir.path()).filePath(QStringLiteral("missing.crt"));
    struct Case
    {
        QString query;
        QString expected;
    };
    const QList<Case> cases{
        {QStringLiteral("?cacert=") + missing,
         QStringLiteral("cannot read the CA certificates (cacert) %1: No such file or directory").arg(missing)},
        {QStringLiteral("?cacert=%1&cert=%2&key=%3").arg(m_certificates.caCert, m_certificates.clientCert, m_certificates.serverKey),
         QStringLiteral("the client key %1 does not belong to the certificate %2").arg(m_certificates.serverKey, m_certificates.clientCert)},
        {QStringLiteral("?cacert=%1&cert=%2&key=%3").arg(m_certificates.caCert, m_certificates.clientKey, m_certificates.clientKey),
         QStringLiteral("cannot read the client certificate (cert) %1").arg(m_certificates.clientKey)},
    };
    for (const Case &c : cases) {
        TlsClient tls(QStringLiteral("rediss://127.0.0.1:%1").arg(m_redis->port()) + c.query);
        QVERIFY(tls.client.open());
        // Retried: the file may appear, or be fixed.
        QVERIFY2(tls.errors.waitFor(c.expected, 2), qPrintable(c.expected + QStringLiteral(" <- ") + QString::fromUtf8(tls.errors.describe())));
        QCOMPARE(tls.errors.lastError(), RedisClient::Error::ConnectionFailed);
    }
}

void tst_Tls::pluginMissingIsReported()
{
    // In a process of its own: the plugin, once loaded, stays loaded.
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("CLUSTR_TLS_PLUGIN"), QStringLiteral("/nonexistent/libclustr-qt-tls.so"));
    TestProcess worker;
    QVERIFY(worker.start(QStringLiteral("clustr-test-worker"),
                         {QStringLiteral("--group=web"), QStringLiteral("--cluster-redis=") + url(*m_redis)}, env));
    const auto error = worker.waitForEvent(QStringLiteral("redisError"));
    QVERIFY2(error, worker.standardError().constData());
    const QString text = error->value(QStringLiteral("text")).toString();
    QVERIFY2(text.contains(QLatin1String("TLS needs libclustr-qt-tls.so, not found at /nonexistent/libclustr-qt-tls.so")), qPrintable(text));
    QVERIFY(worker.isRunning()); // no crash; it keeps trying
    QVERIFY(!mapsOpenSsl(worker.pid()));
}

void tst_Tls::reconnectsAfterServerRestart()
{
    TlsClient subscribing(url(*m_redis));
    TlsClient publishing(url(*m_redis));
    RedisClient &subscriber = subscribing.client;
    RedisClient &publisher = publishing.client;
    const ErrorLog &errors = subscribing.errors;
    QSignalSpy subscribed(&subscriber, &RedisClient::subscribed);
    QSignalSpy disconnected(&subscriber, &RedisClient::disconnected);
    QList<QByteArray> received;
    connect(&subscriber, &RedisClient::messageReceived, this,
            [&received](const QByteArray &, const QByteArray &payload) { received.append(payload); });
    subscriber.subscribe("tls:news");
    QVERIFY(subscriber.open());
    QVERIFY(publisher.open());
    QVERIFY2(QTest::qWaitFor([&] { return subscribed.count() == 1 && publisher.isConnected(); }, 15000), errors.describe());
    publisher.publish("tls:news", "before");
    QVERIFY(QTest::qWaitFor([&] { return received.contains("before"); }, 15000));

    QString error;
    QVERIFY2(m_redis->restart(&error), qPrintable(error));
    // The tunnel saw the server go; hiredis saw its end close; a new tunnel
    // carries the new connection and the subscription is restored.
    QVERIFY(QTest::qWaitFor([&] { return disconnected.count() >= 1; }, 15000));
    QVERIFY2(QTest::qWaitFor([&] { return subscribed.count() >= 2 && subscriber.isConnected() && publisher.isConnected(); }, 20000),
             errors.describe());
    publisher.publish("tls:news", "after");
    QVERIFY(QTest::qWaitFor([&] { return received.contains("after"); }, 15000));
}

void tst_Tls::tunnelLeavesNothingOnDisk()
{
    // The tunnel's socket lives in a private directory under $TMPDIR only
    // until hiredis connected to it.
    QTemporaryDir temporary;
    QVERIFY(temporary.isValid());
    const QByteArray previous = qgetenv("TMPDIR");
    qputenv("TMPDIR", QFile::encodeName(temporary.path()));
    const auto restore = qScopeGuard([&previous] {
        if (previous.isEmpty())
            qunsetenv("TMPDIR");
        else
            qputenv("TMPDIR", previous);
    });
    const auto entries = [&temporary] {
        return QDir(temporary.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    };
    TlsClient tls(url(*m_redis));
    QVERIFY(tls.client.open());
    // An address needs no lookup: the tunnel listens as open() returns.
    const QStringList listening = entries();
    QVERIFY2(listening.size() == 1 && listening.first().startsWith(QLatin1String("clustr-tls-")), qPrintable(listening.join(u' ')));
    const QFile::Permissions ownerOnly = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadUser
        | QFile::WriteUser | QFile::ExeUser; // 0700 (the "User" bits are the owner's, seen by the owner)
    QCOMPARE(QFileInfo(QDir(temporary.path()).filePath(listening.first())).permissions(), ownerOnly);
    QVERIFY2(QTest::qWaitFor([&tls] { return tls.client.isConnected(); }, 15000), tls.errors.describe());
    QCOMPARE(entries(), QStringList());
    tls.client.close();
    QCOMPARE(entries(), QStringList());
}

void tst_Tls::invalidUrlsAreRefusedEverywhere()
{
    // Every place a URL is given checks it with the same parser, and says the same.
    const QString bad = QStringLiteral("rediss://127.0.0.1:%1?cacert=%2&cafile=x").arg(m_redis->port()).arg(percentEncoded(m_certificates.caCert));
    const QString reason = QStringLiteral("unknown option \"cafile\" (a rediss:// URL takes cacert, cert, key and sni)");

    QString error;
    QVERIFY(!RedisClient::isValidUrl(bad, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QVERIFY(RedisClient::isValidUrl(url(*m_redis), &error));

    RedisClient client;
    client.setUrl(bad);
    QVERIFY(!client.open());
    QCOMPARE(client.error(), RedisClient::Error::InvalidUrl);

    // Worker options: --cluster-redis, and CLUSTR_REDIS.
    TestProcess byOption;
    QVERIFY(byOption.start(QStringLiteral("clustr-test-worker"), {QStringLiteral("--group=web"), QStringLiteral("--cluster-redis=") + bad}, environment()));
    const auto started = byOption.events(QStringLiteral("started"));
    QVERIFY(!started.isEmpty());
    QVERIFY(!started.first().value(QStringLiteral("valid")).toBool());
    QVERIFY2(started.first().value(QStringLiteral("error")).toString().contains(reason), byOption.standardOutput().constData());
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("CLUSTR_REDIS"), bad);
    TestProcess byEnvironment;
    QVERIFY(byEnvironment.start(QStringLiteral("clustr-test-worker"), {QStringLiteral("--group=web")}, env));
    QVERIFY2(byEnvironment.events(QStringLiteral("started")).first().value(QStringLiteral("error")).toString().contains(reason),
             byEnvironment.standardOutput().constData());

    // The CLI never shows a rediss:// URL's password, in none of its messages.
    const ProgramRun unreachable = runCli({QStringLiteral("status"), QStringLiteral("--redis"),
                                       QStringLiteral("rediss://:hunter2@127.0.0.1:1?cacert=") + percentEncoded(m_certificates.caCert)});
    QVERIFY2(unreachable.finished && unreachable.exitCode != 0, unreachable.describe());
    QVERIFY2(!unreachable.err.contains("hunter2") && unreachable.err.contains("rediss://:***@127.0.0.1:1"), unreachable.describe());

    // The CLI's --redis, and a cluster file's "redis".
    const ProgramRun status = runCli({QStringLiteral("status"), QStringLiteral("--redis"), bad});
    QVERIFY2(status.finished && status.exitCode != 0 && QString::fromUtf8(status.err).contains(reason), status.describe());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("cluster.json"));
    const auto writeCluster = [&file](const QString &redis) {
        QFile out(file);
        return out.open(QIODevice::WriteOnly | QIODevice::Truncate)
            && out.write(QJsonDocument(QJsonObject{{QStringLiteral("name"), QStringLiteral("tls-check")},
                                                   {QStringLiteral("redis"), redis},
                                                   {QStringLiteral("workers"), QJsonArray{QJsonObject{
                                                        {QStringLiteral("file"), buildBinary(QStringLiteral("clustr-test-worker"))}}}}})
                             .toJson())
            > 0;
    };
    QVERIFY(writeCluster(bad));
    const ProgramRun check = runCli({QStringLiteral("check"), file});
    QVERIFY2(check.finished && check.exitCode != 0 && QString::fromUtf8(check.err + check.out).contains(reason), check.describe());
    QVERIFY(writeCluster(url(*m_redis)));
    const ProgramRun good = runCli({QStringLiteral("check"), file});
    QVERIFY2(good.exitCode == 0, good.describe());
}

void tst_Tls::cliAndDaemonOverTls()
{
    // `clustr-qt run` with "redis": "rediss://…" in its cluster file; its
    // workers reach Redis through the CLUSTR_REDIS it gives them; the CLI
    // finds the cluster with --redis rediss://….
    const QString name = QStringLiteral("tls-run");
    const QString redis = url(*m_redis);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("cluster.json"));
    {
        const QJsonObject worker{{QStringLiteral("file"), buildBinary(QStringLiteral("clustr-test-worker"))},
                                 {QStringLiteral("instances"), 2},
                                 {QStringLiteral("args"), QJsonObject{{QStringLiteral("group"), QStringLiteral("web")},
                                                                      {QStringLiteral("no-stdin"), true},
                                                                      {QStringLiteral("ready"), true}}}};
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QVERIFY(out.write(QJsonDocument(QJsonObject{{QStringLiteral("name"), name},
                                                    {QStringLiteral("redis"), redis},
                                                    {QStringLiteral("workers"), QJsonArray{worker}}})
                              .toJson())
                > 0);
    }
    QProcess daemon;
    daemon.setProcessEnvironment(environment());
    daemon.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    daemon.setProcessChannelMode(QProcess::MergedChannels);
    daemon.start(buildBinary(QStringLiteral("clustr-qt")), {QStringLiteral("run"), file});
    QVERIFY(daemon.waitForStarted(10000));
    const auto stopDaemon = qScopeGuard([&daemon] {
        if (daemon.state() != QProcess::NotRunning) {
            daemon.kill();
            daemon.waitForFinished(10000);
        }
    });

    const QStringList target{QStringLiteral("--redis"), redis, QStringLiteral("--cluster"), name};
    QJsonArray processes;
    ProgramRun last;
    const bool up = QTest::qWaitFor([&] {
        last = runCli(QStringList{QStringLiteral("status"), QStringLiteral("--json")} + target);
        processes = QJsonDocument::fromJson(last.out).object().value(QStringLiteral("processes")).toArray();
        return last.exitCode == 0 && processes.size() == 2;
    }, 60000);
    QVERIFY2(up, last.describe() + "\n--- daemon:\n" + daemon.readAll());

    const qint64 masterPid = daemon.processId();
    QVERIFY2(mapsOpenSsl(masterPid), "the daemon's master is not on TLS");
    for (const QJsonValue &process : processes) {
        const qint64 pid = qint64(process.toObject().value(QStringLiteral("pid")).toDouble());
        QVERIFY2(mapsOpenSsl(pid), qPrintable(QStringLiteral("worker %1 is not on TLS").arg(pid)));
    }

    const ProgramRun plain = runCli(QStringList{QStringLiteral("status")} + target);
    QVERIFY2(plain.exitCode == 0 && plain.out.contains("web"), plain.describe());

    const ProgramRun stop = runCli(QStringList{QStringLiteral("stop")} + target, 70000);
    QVERIFY2(stop.exitCode == 0, stop.describe());
    QVERIFY(QTest::qWaitFor([&daemon] { return daemon.state() == QProcess::NotRunning; }, 30000));
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
