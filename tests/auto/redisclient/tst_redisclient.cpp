// SPDX-License-Identifier: MIT
// The Qt Redis layer against real redis-server processes: TCP, unix socket,
// AUTH, ACL users, pub/sub, reconnection, queueing and timeouts.
#include "fakeredis.h"
#include "redisserver.h"

#include "redis/looppauses_p.h"
#include "redis/qtadapter_p.h"
#include "redis/redisclient_p.h"
#include "redis/sigpipeguard_p.h"

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QScopeGuard>

#include <ClustrQt/redisclient.h>

#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <memory>
#include <optional>

#include <csignal>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

using Clustr::RedisClient;
using Clustr::RedisReply;

namespace {

std::unique_ptr<RedisClient> client(const QString &url)
{
    auto c = std::make_unique<RedisClient>();
    c->setUrl(url);
    c->setReconnectDelays(std::chrono::milliseconds(20), std::chrono::milliseconds(200));
    return c;
}

// Runs a command and waits for its reply.
std::optional<RedisReply> run(RedisClient *c, const QByteArrayList &args, int timeoutMs = 5000)
{
    std::optional<RedisReply> reply;
    c->command(args, [&reply](const RedisReply &r) { reply = r; });
    (void)QTest::qWaitFor([&] { return reply.has_value(); }, timeoutMs);
    if (!reply)
        return RedisReply::error("TEST no reply in time");
    return reply;
}

bool waitConnected(RedisClient *c, int timeoutMs = 5000)
{
    return QTest::qWaitFor([c] { return c->isConnected(); }, timeoutMs);
}

int freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

// A plain connection to Redis read blocking, outside the event loop: what
// a client has written is seen from inside a slot.
class RawWatcher
{
public:
    bool open(int port, const QByteArray &command, const QByteArray &answer)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, quint16(port));
        if (!m_socket.waitForConnected(5000))
            return false;
        m_socket.write(command);
        const bool answered = readUntil(answer);
        m_seen.clear();
        return answered;
    }
    // Bounded by the timeout, not a sleep; what the event loop read meanwhile is taken first.
    bool readUntil(const QByteArray &text)
    {
        m_seen += m_socket.readAll();
        while (!m_seen.contains(text) && m_socket.waitForReadyRead(5000))
            m_seen += m_socket.readAll();
        return m_seen.contains(text);
    }
    //! What has come, without blocking: for a wait that the event loop must serve.
    bool has(const QByteArray &text)
    {
        m_seen += m_socket.readAll();
        return m_seen.contains(text);
    }
    const QByteArray &seen() const { return m_seen; }

private:
    QTcpSocket m_socket;
    QByteArray m_seen;
};

// The answer tests' Redis, a raw watcher on it, and their clients:
// `first` (made before the others), a subscriber on "ask" whose slot
// answers through `pub`, and an asker; ask() sends the question.
struct Answering
{
    RedisServer server;
    RawWatcher watcher;
    std::unique_ptr<RedisClient> first, sub, pub, asker;

    //! Starts Redis and the watcher on it (\a command, once Redis sent \a answer).
    bool start(const QByteArray &command, const QByteArray &answer, QString *error)
    {
        if (!server.start(error))
            return false;
        if (watcher.open(server.port(), command, answer))
            return true;
        *error = QStringLiteral("the watcher got no answer to ") + QString::fromLatin1(command);
        return false;
    }
    bool connect()
    {
        for (auto *c : {&first, &sub, &pub, &asker}) {
            *c = client(server.url());
            if (!(*c)->open() || !waitConnected(c->get()))
                return false;
        }
        QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
        sub->subscribe("ask");
        return subscribed.wait();
    }
    template<typename Slot>
    void answer(QObject *context, Slot slot)
    {
        QObject::connect(sub.get(), &RedisClient::messageReceived, context,
                         [slot](const QByteArray &, const QByteArray &) { slot(); });
    }
    void ask() { asker->publish("ask", "question"); }
};

} // namespace

class tst_RedisClient : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void publishSubscribe();
    void patternSubscribe();
    void unsubscribeStopsDelivery();
    void commandReplies();
    void clientNameShowsInClientList();
    void invalidUrl();
    void unreachableAtStart();
    void hostName();
    void unresolvableHostName();
    void destroyedDuringLookup();
    void reconnectsAndResubscribes();
    void queueIsBounded();
    void commandTimeoutReconnects();
    void unixSocket();
    void passwordAuth();
    void wrongPassword();
    void aclUser();
    void drainedAfterReplies();
    void destroyFromReplyCallback();
    void refusedConnectionIsRetried();
    void writesCannotRaiseSigpipe();
    void publishIntoAClosedConnectionIsAnError();
    void hostileRepliesAreProtocolErrors_data();
    void hostileRepliesAreProtocolErrors();
    void hostilePubSubRepliesAreProtocolErrors();
    void refusedCommandsAreReportedOnce();
    void oversizedMessagesAreSkipped();
    void replyLimits();
    void messagesKeepTheirPlaceAmongOtherReplies();
    void messagesOfEverySizeArriveInOrder();
    void nestedEventLoopKeepsMessageOrder();
    void repliesNobodyWaitsForAreReadLazily();
    void answersLeaveBeforeTheLoopUnwinds();
    void theAnswerToALastMessageLeavesFromTheSlot();
    void anAnswerDoesNotOvertakeEarlierWrites();
    void anAnswerTheSocketTakesInPartIsWrittenWhole();

private:
    RedisServer m_server;
};

void tst_RedisClient::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void tst_RedisClient::publishSubscribe()
{
    auto sub = client(m_server.url());
    auto pub = client(m_server.url());
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    QSignalSpy messages(sub.get(), &RedisClient::messageReceived);
    sub->subscribe("news");
    QVERIFY(sub->open());
    QVERIFY(pub->open());
    QTRY_COMPARE(subscribed.count(), 1);
    QCOMPARE(subscribed.at(0).at(0).toByteArray(), QByteArray("news"));

    const QByteArray binary("a\0b\r\nc", 6);
    pub->publish("news", binary);
    pub->publish("other", "not for us");
    pub->publish("news", "second");
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("news"));
    QCOMPARE(messages.at(0).at(1).toByteArray(), binary);
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("second"));
    QCOMPARE(sub->channels(), QByteArrayList{"news"});
}

void tst_RedisClient::patternSubscribe()
{
    auto sub = client(m_server.url());
    auto pub = client(m_server.url());
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    QSignalSpy messages(sub.get(), &RedisClient::patternMessageReceived);
    QVERIFY(sub->open());
    QVERIFY(pub->open());
    sub->psubscribe("group:*");
    QTRY_COMPARE(subscribed.count(), 1);
    pub->publish("group:web", "hello");
    pub->publish("private:1", "no");
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("group:*"));
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("group:web"));
    QCOMPARE(messages.at(0).at(2).toByteArray(), QByteArray("hello"));
}

void tst_RedisClient::unsubscribeStopsDelivery()
{
    auto sub = client(m_server.url());
    auto pub = client(m_server.url());
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    QSignalSpy messages(sub.get(), &RedisClient::messageReceived);
    sub->subscribe("a");
    sub->subscribe("b");
    QVERIFY(sub->open());
    QVERIFY(pub->open());
    QTRY_COMPARE(subscribed.count(), 2);
    sub->unsubscribe("a");
    // Redis answers in order: once NUMSUB says nobody listens on "a", the
    // unsubscribe has been processed.
    QTRY_VERIFY(run(pub.get(), {"PUBSUB", "NUMSUB", "a"})->elements.value(1).integer == 0);
    pub->publish("a", "gone");
    pub->publish("b", "kept");
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("b"));
}

void tst_RedisClient::commandReplies()
{
    auto c = client(m_server.url());
    QVERIFY(c->open());
    auto status = run(c.get(), {"SET", "k", "v"});
    QCOMPARE(status->type, RedisReply::Type::Status);
    QCOMPARE(status->string, QByteArray("OK"));
    auto string = run(c.get(), {"GET", "k"});
    QCOMPARE(string->type, RedisReply::Type::String);
    QCOMPARE(string->string, QByteArray("v"));
    auto nil = run(c.get(), {"GET", "missing"});
    QVERIFY(nil->isNil());
    auto integer = run(c.get(), {"INCRBY", "n", "41"});
    QCOMPARE(integer->integer, 41);
    run(c.get(), {"RPUSH", "l", "x", "y"});
    auto array = run(c.get(), {"LRANGE", "l", "0", "-1"});
    QCOMPARE(array->type, RedisReply::Type::Array);
    QCOMPARE(array->elements.size(), 2);
    QCOMPARE(array->elements.at(1).string, QByteArray("y"));
    auto error = run(c.get(), {"INCR", "l"});
    QVERIFY(error->isError());
    QVERIFY(error->string.startsWith("WRONGTYPE"));
    auto refused = run(c.get(), {"SUBSCRIBE", "x"});
    QVERIFY(refused->isError());
}

void tst_RedisClient::clientNameShowsInClientList()
{
    auto c = client(m_server.url());
    c->setClientName(QStringLiteral("clustr.web.1234 pub"));
    QVERIFY(c->open());
    auto list = run(c.get(), {"CLIENT", "LIST"});
    QVERIFY2(list->string.contains("name=clustr.web.1234_pub"), list->string.constData());
}

void tst_RedisClient::invalidUrl()
{
    auto c = client(QStringLiteral("http://nope"));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(!c->open());
    QCOMPARE(c->error(), RedisClient::Error::InvalidUrl);
    QCOMPARE(errors.count(), 1);
    QVERIFY(c->errorString().contains(QStringLiteral("scheme")));
    QCOMPARE(c->state(), RedisClient::State::Disconnected);
}

void tst_RedisClient::unreachableAtStart()
{
    const int port = freePort();
    auto c = client(QStringLiteral("redis://127.0.0.1:%1").arg(port));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    QCOMPARE(c->state(), RedisClient::State::Connecting);
    // Retried: several attempts fail the same clear way.
    QTRY_VERIFY(errors.count() >= 3);
    QCOMPARE(errors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::ConnectionFailed);
    QCOMPARE(errors.at(0).at(1).toString(),
             QStringLiteral("cannot connect to Redis at 127.0.0.1:%1: Connection refused").arg(port));
    std::optional<RedisReply> reply;
    c->command({"PING"}, [&](const RedisReply &r) { reply = r; });
    QVERIFY(!reply); // queued, not failed
    c->close();
    QVERIFY(reply && reply->isError());
    QCOMPARE(c->state(), RedisClient::State::Disconnected);
    const int after = int(errors.count());
    QTest::qWait(300); // nothing may happen after close(): no retry is scheduled
    QCOMPARE(errors.count(), after);
}

void tst_RedisClient::hostName()
{
    // A name, not an address: resolved off the event loop, then connected.
    const QString url = m_server.url().replace(QStringLiteral("127.0.0.1"), QStringLiteral("localhost"));
    QVERIFY(url.contains(QStringLiteral("localhost")));
    auto c = client(url);
    QVERIFY(c->open());
    QTRY_COMPARE(c->state(), RedisClient::State::Connected);
    QCOMPARE(run(c.get(), {"PING"})->string, QByteArray("PONG"));
}

void tst_RedisClient::unresolvableHostName()
{
    auto c = client(QStringLiteral("redis://no-such-host.invalid:6379"));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    // A resolver that has to wait for an unreachable DNS server takes a while.
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 1, 30000);
    QCOMPARE(errors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::ConnectionFailed);
    const QString text = errors.at(0).at(1).toString();
    QVERIFY2(text.startsWith(QStringLiteral("cannot connect to Redis at no-such-host.invalid:6379: ")), qPrintable(text));
    QVERIFY(c->state() != RedisClient::State::Connected);
    c->close();
    QCOMPARE(c->state(), RedisClient::State::Disconnected);
}

void tst_RedisClient::destroyedDuringLookup()
{
    const QString url = m_server.url().replace(QStringLiteral("127.0.0.1"), QStringLiteral("localhost"));
    // Gone before its lookup answers: the lookup thread must not call back
    // into it (the sanitizer build catches a use after free).
    for (int i = 0; i < 20; ++i) {
        auto doomed = client(url);
        QVERIFY(doomed->open());
    }
    // A client started afterwards still gets its answer and connects.
    auto c = client(url);
    QVERIFY(c->open());
    QTRY_COMPARE(c->state(), RedisClient::State::Connected);
}

void tst_RedisClient::reconnectsAndResubscribes()
{
    RedisServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    auto sub = client(server.url());
    auto pub = client(server.url());
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    QSignalSpy messages(sub.get(), &RedisClient::messageReceived);
    QSignalSpy lost(pub.get(), &RedisClient::errorOccurred);
    sub->subscribe("c");
    QVERIFY(sub->open());
    QVERIFY(pub->open());
    QTRY_COMPARE(subscribed.count(), 1);
    QVERIFY(waitConnected(pub.get()));

    server.kill();
    QTRY_COMPARE(pub->state(), RedisClient::State::Reconnecting);
    QTRY_COMPARE(sub->state(), RedisClient::State::Reconnecting);
    QCOMPARE(lost.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::ConnectionLost);

    // Made while Redis is down: kept and written after the reconnect.
    std::optional<RedisReply> queued;
    pub->command({"SET", "while-down", "yes"}, [&](const RedisReply &r) { queued = r; });
    QVERIFY(server.restart(&error));
    QTRY_VERIFY_WITH_TIMEOUT(pub->isConnected() && sub->isConnected(), 10000);
    QTRY_VERIFY(queued.has_value());
    QCOMPARE(queued->string, QByteArray("OK"));
    QCOMPARE(run(pub.get(), {"GET", "while-down"})->string, QByteArray("yes"));

    QTRY_COMPARE(subscribed.count(), 2); // restored
    pub->publish("c", "after restart");
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("after restart"));
}

void tst_RedisClient::queueIsBounded()
{
    auto c = client(QStringLiteral("redis://127.0.0.1:%1").arg(freePort()));
    c->setMaxQueuedCommands(3);
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    int droppedReplies = 0;
    for (int i = 0; i < 5; ++i)
        c->command({"PING"}, [&](const RedisReply &r) { droppedReplies += r.string.contains("dropped"); });
    QCOMPARE(c->droppedCommands(), quint64(2));
    QCOMPARE(droppedReplies, 2);
    QCOMPARE(c->pendingCommands(), 3);
    bool overflowReported = false;
    for (const auto &e : errors)
        overflowReported |= e.at(0).value<RedisClient::Error>() == RedisClient::Error::QueueOverflow;
    QVERIFY(overflowReported);
}

void tst_RedisClient::commandTimeoutReconnects()
{
    auto c = client(m_server.url());
    auto other = client(m_server.url());
    c->setCommandTimeout(std::chrono::milliseconds(300));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    QVERIFY(other->open());
    QVERIFY(waitConnected(c.get()));
    QCOMPARE(run(other.get(), {"CLIENT", "PAUSE", "1500", "ALL"})->string, QByteArray("OK"));
    std::optional<RedisReply> reply;
    c->command({"PING"}, [&](const RedisReply &r) { reply = r; });
    QTRY_VERIFY(reply.has_value());
    QVERIFY(reply->isError());
    QCOMPARE(errors.constLast().at(0).value<RedisClient::Error>(), RedisClient::Error::CommandTimeout);
    // Once the pause is over, it is connected again and answers.
    QTRY_VERIFY_WITH_TIMEOUT(c->isConnected(), 10000);
    QCOMPARE(run(c.get(), {"PING"})->string, QByteArray("PONG"));
}

void tst_RedisClient::unixSocket()
{
    RedisServer::Options options;
    options.unixSocket = true;
    RedisServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    QVERIFY(server.url().startsWith(QStringLiteral("unix:///")));
    auto c = client(server.url());
    QVERIFY(c->open());
    QCOMPARE(run(c.get(), {"PING"})->string, QByteArray("PONG"));

    auto missing = client(QStringLiteral("unix://") + server.directory() + QStringLiteral("/nothing.sock"));
    QSignalSpy errors(missing.get(), &RedisClient::errorOccurred);
    QVERIFY(missing->open());
    QTRY_VERIFY(!errors.isEmpty());
    QVERIFY2(errors.at(0).at(1).toString().contains(QStringLiteral("No such file or directory")),
             qPrintable(errors.at(0).at(1).toString()));
}

void tst_RedisClient::passwordAuth()
{
    RedisServer::Options options;
    options.password = QStringLiteral("s3cret");
    RedisServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    auto c = client(QStringLiteral("redis://:s3cret@127.0.0.1:%1").arg(server.port()));
    QVERIFY(c->open());
    QCOMPARE(run(c.get(), {"SET", "a", "1"})->string, QByteArray("OK"));
    auto sub = client(QStringLiteral("redis://:s3cret@127.0.0.1:%1/3").arg(server.port()));
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    sub->subscribe("x");
    QVERIFY(sub->open());
    QTRY_COMPARE(subscribed.count(), 1);
}

void tst_RedisClient::wrongPassword()
{
    RedisServer::Options options;
    options.password = QStringLiteral("right");
    RedisServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    auto c = client(QStringLiteral("redis://:wrong@127.0.0.1:%1").arg(server.port()));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    QTRY_VERIFY(!errors.isEmpty());
    QCOMPARE(errors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::AuthenticationFailed);
    QVERIFY2(errors.at(0).at(1).toString().contains(QStringLiteral("refused the credentials")),
             qPrintable(errors.at(0).at(1).toString()));
    QVERIFY(!c->isConnected());

    // No password at all: not "connected" with every command failing, but
    // an authentication error that says what is missing.
    auto none = client(server.url());
    QSignalSpy noneErrors(none.get(), &RedisClient::errorOccurred);
    std::optional<RedisReply> reply;
    QVERIFY(none->open());
    none->command({"GET", "x"}, [&](const RedisReply &r) { reply = r; });
    QTRY_VERIFY(!noneErrors.isEmpty());
    QCOMPARE(noneErrors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::AuthenticationFailed);
    QVERIFY2(noneErrors.at(0).at(1).toString().contains(QStringLiteral("requires a password")), qPrintable(noneErrors.at(0).at(1).toString()));
    QVERIFY(!none->isConnected());
    QVERIFY(!reply.has_value()); // still queued, for when a password is given
}

void tst_RedisClient::aclUser()
{
    RedisServer::Options options;
    options.aclUsers = {{QStringLiteral("alice"), QStringLiteral("wonder")}};
    RedisServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    auto c = client(QStringLiteral("redis://alice:wonder@127.0.0.1:%1").arg(server.port()));
    QVERIFY(c->open());
    QCOMPARE(run(c.get(), {"ACL", "WHOAMI"})->string, QByteArray("alice"));

    auto bad = client(QStringLiteral("redis://alice:nope@127.0.0.1:%1").arg(server.port()));
    QSignalSpy errors(bad.get(), &RedisClient::errorOccurred);
    QVERIFY(bad->open());
    QTRY_VERIFY(!errors.isEmpty());
    QCOMPARE(errors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::AuthenticationFailed);
}

void tst_RedisClient::drainedAfterReplies()
{
    auto c = client(m_server.url());
    QSignalSpy drained(c.get(), &RedisClient::drained);
    QVERIFY(c->open());
    for (int i = 0; i < 100; ++i)
        c->publish("nobody", QByteArray::number(i));
    QTRY_VERIFY(drained.count() >= 1);
    QCOMPARE(c->pendingCommands(), 0);
}

void tst_RedisClient::destroyFromReplyCallback()
{
    auto *c = new RedisClient;
    c->setUrl(m_server.url());
    QVERIFY(c->open());
    bool called = false;
    c->command({"PING"}, [&](const RedisReply &) {
        called = true;
        delete c; // hiredis defers freeing its context until the callback returns
    });
    c->command({"PING"}, {});
    QTRY_VERIFY(called);
}

// A server that refuses a new connection says so and closes it ("-ERR max
// number of clients reached"). The client must not take that for a usable
// connection and write its subscriptions and queued commands into the
// closed socket (SIGPIPE ends the process), but report the server's text
// and try again later. (Before the fix each attempt passed for a connection
// and was then reported as lost, without the server's reason.)
void tst_RedisClient::refusedConnectionIsRetried()
{
    RedisServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    RedisClient admin;
    admin.setUrl(server.url());
    admin.open();
    QTRY_VERIFY(admin.isConnected());
    std::optional<RedisReply> set;
    admin.command({QByteArrayLiteral("CONFIG"), QByteArrayLiteral("SET"), QByteArrayLiteral("maxclients"), QByteArrayLiteral("1")},
                  [&set](const RedisReply &reply) { set = reply; });
    QTRY_VERIFY(set.has_value());
    QVERIFY2(!set->isError(), set->string.constData());

    RedisClient client;
    client.setUrl(server.url());
    client.setClientName(QStringLiteral("refused"));
    client.setReconnectDelays(std::chrono::milliseconds(20), std::chrono::milliseconds(50));
    QSignalSpy errors(&client, &RedisClient::errorOccurred);
    client.subscribe("refused:channel");
    client.open();
    // Several refusals in a row, each reported with what the server said.
    QTRY_VERIFY_WITH_TIMEOUT(errors.count() >= 5, 20000);
    for (const QList<QVariant> &e : std::as_const(errors)) {
        QCOMPARE(e.at(0).value<RedisClient::Error>(), RedisClient::Error::ConnectionFailed);
        QVERIFY2(e.at(1).toString().contains(QStringLiteral("max number of clients")), qPrintable(e.at(1).toString()));
    }
    QVERIFY(!client.isConnected());

}

// The guard around hiredis' writes: a write into a socket whose peer is
// gone fails with EPIPE instead of ending the process, whatever the
// application's SIGPIPE disposition is (here the default, which kills).
// A connection the server closed, written to before the close is read:
// the write fails (EPIPE on a unix socket) and the connection is lost and
// retried, while SIGPIPE keeps its default disposition, which would end
// this process. The write is the one of an established connection, done
// with send(MSG_NOSIGNAL) rather than under the guard.
void tst_RedisClient::publishIntoAClosedConnectionIsAnError()
{
    RedisServer::Options options;
    options.unixSocket = true;
    RedisServer server(options);
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    struct sigaction previous = {};
    struct sigaction defaults = {};
    defaults.sa_handler = SIG_DFL;
    sigemptyset(&defaults.sa_mask);
    QCOMPARE(::sigaction(SIGPIPE, &defaults, &previous), 0);
    const auto restore = qScopeGuard([&previous] { ::sigaction(SIGPIPE, &previous, nullptr); });

    auto pub = client(server.url());
    QSignalSpy errors(pub.get(), &RedisClient::errorOccurred);
    QVERIFY(pub->open());
    QVERIFY(waitConnected(pub.get()));
    QCOMPARE(run(pub.get(), {"CLIENT", "SETNAME", "victim"})->string, QByteArray("OK"));

    // Closed by the server while this test's event loop does not run: the
    // client has not read the close when it writes.
    QVERIFY(server.cli({QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("TYPE"), QStringLiteral("normal"),
                        QStringLiteral("SKIPME"), QStringLiteral("yes")}).trimmed().toInt() >= 1);
    pub->publish("c", "into a closed connection");
    QTRY_VERIFY(!errors.isEmpty());
    QCOMPARE(errors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::ConnectionLost);
    // Reconnected, and usable: this process is still here to see it.
    QVERIFY(waitConnected(pub.get(), 10000));
    QCOMPARE(run(pub.get(), {"PING"})->string, QByteArray("PONG"));
}

void tst_RedisClient::writesCannotRaiseSigpipe()
{
    struct sigaction previous = {};
    struct sigaction defaults = {};
    defaults.sa_handler = SIG_DFL;
    sigemptyset(&defaults.sa_mask);
    QCOMPARE(::sigaction(SIGPIPE, &defaults, &previous), 0);
    int fds[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ::close(fds[1]);
    sigset_t before;
    pthread_sigmask(SIG_SETMASK, nullptr, &before);
    ssize_t written = 0;
    int error = 0;
    {
        const Clustr::SigPipeGuard guard;
        written = ::write(fds[0], "x", 1);
        error = errno;
    }
    sigset_t after;
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    sigset_t pending;
    sigpending(&pending);
    ::close(fds[0]);
    ::sigaction(SIGPIPE, &previous, nullptr);
    QCOMPARE(written, ssize_t(-1));
    QCOMPARE(error, EPIPE);
    QCOMPARE(sigismember(&pending, SIGPIPE), 0);                       // taken off, not left to fire later
    QCOMPARE(sigismember(&after, SIGPIPE), sigismember(&before, SIGPIPE)); // the mask is as it was

    // A write that succeeded (the guard told so, as the adapter does): the
    // mask comes back without the guard looking for a SIGPIPE.
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    {
        Clustr::SigPipeGuard guard;
        QCOMPARE(::write(fds[0], "x", 1), ssize_t(1));
        guard.writesSucceeded();
    }
    pthread_sigmask(SIG_SETMASK, nullptr, &after);
    QCOMPARE(sigismember(&after, SIGPIPE), sigismember(&before, SIGPIPE));
    ::close(fds[0]);
    ::close(fds[1]);

    // An application that blocks SIGPIPE itself and has one pending keeps
    // it: the guard takes off only what its own write raised.
    sigset_t pipeOnly;
    sigemptyset(&pipeOnly);
    sigaddset(&pipeOnly, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipeOnly, nullptr);
    QCOMPARE(::pthread_kill(pthread_self(), SIGPIPE), 0);
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    ::close(fds[1]);
    {
        const Clustr::SigPipeGuard guard;
        QCOMPARE(::write(fds[0], "x", 1), ssize_t(-1));
    }
    ::close(fds[0]);
    sigpending(&pending);
    const bool kept = sigismember(&pending, SIGPIPE) == 1;
    const timespec now{0, 0};
    while (sigtimedwait(&pipeOnly, nullptr, &now) < 0 && errno == EINTR) {
    }
    pthread_sigmask(SIG_SETMASK, &before, nullptr);
    QVERIFY(kept);
}

void tst_RedisClient::hostileRepliesAreProtocolErrors_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<QString>("says");
    // hiredis 0.14 allocates the 2^31 slots of such an array at once (and
    // walks them all to free them), and buffers a string as it comes.
    QTest::newRow("an array of 2^31-1 elements") << QByteArray("*2147483647\r\n") << QStringLiteral("an array of 2147483647 elements");
    QTest::newRow("a string of 2 GiB") << QByteArray("$2147483647\r\n") << QStringLiteral("a string of 2147483647 bytes");
    QTest::newRow("a line without an end") << QByteArray("+") + QByteArray(100000, 'x') << QStringLiteral("a line longer than");
}

// A server that announces more than the client accepts: a protocol error,
// reported at the header, before anything is allocated or buffered for it;
// the command waiting for the reply fails with the reason.
void tst_RedisClient::hostileRepliesAreProtocolErrors()
{
    QFETCH(QByteArray, reply);
    QFETCH(QString, says);
    FakeRedis server({QByteArrayLiteral("+PONG\r\n"), reply});
    QVERIFY(server.listen());
    auto c = client(server.url());
    c->setCommandTimeout(std::chrono::milliseconds(3000));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    std::optional<RedisReply> answer;
    c->command({"GET", "k"}, [&answer](const RedisReply &r) { answer = r; });
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 60000);
    QVERIFY(answer->isError());
    QVERIFY2(answer->string.contains(says.toUtf8()), answer->string.constData());
    bool reported = false;
    for (const QList<QVariant> &e : std::as_const(errors)) {
        reported |= e.at(0).value<RedisClient::Error>() == RedisClient::Error::ProtocolError
            && e.at(1).toString().contains(says) && e.at(1).toString().contains(QStringLiteral("limit"));
    }
    QVERIFY2(reported, errors.isEmpty() ? "no error" : qPrintable(errors.constLast().at(1).toString()));
    c->close();
}

// A subscribed connection answered with what hiredis 0.14 assert()s on (the
// reply to SUBSCRIBE made of integers): a protocol error, not the end of
// the process.
void tst_RedisClient::hostilePubSubRepliesAreProtocolErrors()
{
    FakeRedis server({QByteArrayLiteral("+PONG\r\n"), QByteArrayLiteral("*3\r\n:1\r\n:2\r\n:3\r\n")});
    QVERIFY(server.listen());
    auto c = client(server.url());
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    c->subscribe("news");
    QVERIFY(c->open());
    QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 20000);
    QCOMPARE(errors.constFirst().at(0).value<RedisClient::Error>(), RedisClient::Error::ProtocolError);
    QVERIFY2(errors.constFirst().at(1).toString().contains(QStringLiteral("an array shaped like no pub/sub reply")),
             qPrintable(errors.constFirst().at(1).toString()));
    c->close();
}

// PUBLISH refused by Redis (an ACL user without +publish): every refusal is
// counted, but reported once per kind, not once per message. A command with
// a callback gets the refusal itself.
void tst_RedisClient::refusedCommandsAreReportedOnce()
{
    auto admin = client(m_server.url());
    QVERIFY(admin->open());
    const auto created = run(admin.get(), {"ACL", "SETUSER", "mute", "reset", "on", ">pw", "~*", "&*", "+@all", "-publish"});
    QVERIFY2(!created->isError(), created->string.constData());

    auto c = client(QStringLiteral("redis://mute:pw@127.0.0.1:%1").arg(m_server.port()));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    QVERIFY(waitConnected(c.get()));
    for (int i = 0; i < 5; ++i)
        c->publish("news", QByteArray::number(i));
    // Answered in order: once this is, so are the publishes.
    const auto own = run(c.get(), {"PUBLISH", "news", "mine"});
    QVERIFY2(own->isError() && own->string.startsWith("NOPERM"), own->string.constData());
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::PermissionDenied);
    QVERIFY2(errors.at(0).at(1).toString().contains(QStringLiteral("NOPERM")), qPrintable(errors.at(0).at(1).toString()));
    QCOMPARE(c->refusedCommands(), quint64(5));
    QVERIFY(c->isConnected());

    // Other refusals are another kind: said once too.
    c->command({"SET", "news", "x"});
    c->command({"INCR", "news"});
    c->command({"INCR", "news"});
    QVERIFY(run(c.get(), {"PING"}).has_value());
    QCOMPARE(errors.count(), 2);
    QCOMPARE(errors.at(1).at(0).value<RedisClient::Error>(), RedisClient::Error::CommandRefused);
    QVERIFY2(errors.at(1).at(1).toString().contains(QStringLiteral("refused INCR: ERR value is not an integer")),
             qPrintable(errors.at(1).at(1).toString()));
    QCOMPARE(c->refusedCommands(), quint64(7));
}

// A message larger than the subscriber's message limit is skipped as it is
// read: reported with its channel and size, counted, and the connection and
// the messages after it go on. Patterns alike.
void tst_RedisClient::oversizedMessagesAreSkipped()
{
    auto sub = client(m_server.url());
    auto pub = client(m_server.url());
    sub->setMaxMessageSize(1024);
    QCOMPARE(sub->maxMessageSize(), qsizetype(1024));
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    QSignalSpy messages(sub.get(), &RedisClient::messageReceived);
    QSignalSpy patternMessages(sub.get(), &RedisClient::patternMessageReceived);
    QSignalSpy discarded(sub.get(), &RedisClient::messageDiscarded);
    QSignalSpy lost(sub.get(), &RedisClient::disconnected);
    sub->subscribe("news");
    sub->psubscribe("pat:*");
    QVERIFY(sub->open());
    QVERIFY(pub->open());
    QTRY_COMPARE(subscribed.count(), 2);

    const QByteArray big(3 * 1024 * 1024, 'x');
    pub->publish("news", QByteArray(1024, 'a'));
    pub->publish("news", big);
    pub->publish("pat:1", big + 'y');
    pub->publish("news", "after");
    pub->publish("pat:1", "after");
    QTRY_COMPARE(messages.count(), 2);
    QTRY_COMPARE(patternMessages.count(), 1);
    QCOMPARE(messages.at(0).at(1).toByteArray().size(), 1024);
    QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("after"));
    QCOMPARE(patternMessages.at(0).at(2).toByteArray(), QByteArray("after"));
    QCOMPARE(discarded.count(), 2);
    QCOMPARE(discarded.at(0).at(0).toByteArray(), QByteArray("news"));
    QCOMPARE(discarded.at(0).at(1).value<qsizetype>(), big.size());
    QCOMPARE(discarded.at(1).at(0).toByteArray(), QByteArray("pat:1"));
    QCOMPARE(discarded.at(1).at(1).value<qsizetype>(), big.size() + 1);
    QCOMPARE(sub->discardedMessages(), quint64(2));
    QCOMPARE(lost.count(), 0);
    QVERIFY(sub->isConnected());
}

// The limits on replies to commands, set lower than their defaults.
void tst_RedisClient::replyLimits()
{
    auto c = client(m_server.url());
    QCOMPARE(c->maxReplySize(), qsizetype(512 * 1024 * 1024));
    QCOMPARE(c->maxReplyElements(), qsizetype(1024 * 1024));
    c->setMaxReplyElements(10);
    c->setMaxReplySize(100);
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    run(c.get(), {"DEL", "limits:list"});
    for (int i = 0; i < 11; ++i)
        run(c.get(), {"RPUSH", "limits:list", QByteArray::number(i)});
    QCOMPARE(run(c.get(), {"LRANGE", "limits:list", "0", "9"})->elements.size(), 10);
    const auto tooMany = run(c.get(), {"LRANGE", "limits:list", "0", "-1"});
    QVERIFY2(tooMany->isError() && tooMany->string.contains("an array of 11 elements, more than the limit of 10"), tooMany->string.constData());
    QCOMPARE(errors.constLast().at(0).value<RedisClient::Error>(), RedisClient::Error::ProtocolError);
    // Reconnected: the next command is answered.
    QVERIFY(waitConnected(c.get()));
    run(c.get(), {"SET", "limits:big", QByteArray(200, 'b')});
    const auto tooLarge = run(c.get(), {"GET", "limits:big"});
    QVERIFY2(tooLarge->isError() && tooLarge->string.contains("a string of 200 bytes, more than the limit of 100 bytes"), tooLarge->string.constData());
    QVERIFY(waitConnected(c.get()));
    QCOMPARE(run(c.get(), {"PING"})->string, QByteArray("PONG"));
}

QTEST_GUILESS_MAIN(tst_RedisClient)
// Messages that lie whole in what the client read skip hiredis; other
// replies, and messages over the client's limit, go through it. Redis'
// order holds across both ways: a subscription is confirmed before the
// messages that follow it are delivered.
void tst_RedisClient::messagesKeepTheirPlaceAmongOtherReplies()
{
    auto message = [](const QByteArray &channel, const QByteArray &payload) {
        return "*3\r\n$7\r\nmessage\r\n$" + QByteArray::number(channel.size()) + "\r\n" + channel + "\r\n$"
            + QByteArray::number(payload.size()) + "\r\n" + payload + "\r\n";
    };
    const QByteArray answer = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n" + message("news", "one")
        + "*3\r\n$9\r\nsubscribe\r\n$5\r\nother\r\n:2\r\n" + message("other", "two, over the limit")
        + message("news", "three") + message("other", "four");
    FakeRedis server({QByteArrayLiteral("+PONG\r\n"), answer});
    QVERIFY(server.listen());
    auto c = client(server.url());
    c->setMaxMessageSize(8);
    QByteArrayList seen;
    connect(c.get(), &RedisClient::subscribed, this, [&seen](const QByteArray &channel) { seen.append("subscribed " + channel); });
    connect(c.get(), &RedisClient::messageReceived, this,
            [&seen](const QByteArray &channel, const QByteArray &payload) { seen.append(channel + ' ' + payload); });
    connect(c.get(), &RedisClient::messageDiscarded, this,
            [&seen](const QByteArray &channel, qsizetype size) { seen.append(channel + " discarded " + QByteArray::number(size)); });
    c->subscribe("news");
    c->subscribe("other");
    QVERIFY(c->open());
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 6, 20000);
    QCOMPARE(seen, (QByteArrayList{"subscribed news", "news one", "subscribed other", "other discarded 19", "news three", "other four"}));
    c->close();
}

// Small messages (many to a read) and large ones (one over several reads)
// arrive whole and in the order they were published.
void tst_RedisClient::messagesOfEverySizeArriveInOrder()
{
    auto sub = client(m_server.url());
    auto pub = client(m_server.url());
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    QByteArrayList received;
    connect(sub.get(), &RedisClient::messageReceived, this,
            [&received](const QByteArray &, const QByteArray &payload) { received.append(payload); });
    sub->subscribe("sizes");
    QVERIFY(sub->open());
    QVERIFY(pub->open());
    QTRY_COMPARE(subscribed.count(), 1);
    QByteArrayList sent;
    for (int i = 0; i < 400; ++i) {
        // Sizes from 0 to about 40 KiB, mostly small; every one filled with its number.
        const qsizetype size = i % 4 == 0 ? (i * 997) % 40000 : i % 50;
        sent.append(QByteArray::number(i).leftJustified(size, char('a' + i % 26), true));
        pub->publish("sizes", sent.constLast());
    }
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), sent.size(), 20000);
    for (qsizetype i = 0; i < sent.size(); ++i)
        QVERIFY2(received.at(i) == sent.at(i), qPrintable(QStringLiteral("message %1 differs").arg(i)));
}

// A slot that runs an event loop of its own while messages of the same read
// wait to be delivered: what the nested loop reads comes after them.
void tst_RedisClient::nestedEventLoopKeepsMessageOrder()
{
    auto sub = client(m_server.url());
    QSignalSpy subscribed(sub.get(), &RedisClient::subscribed);
    QByteArrayList received;
    bool nested = false;
    connect(sub.get(), &RedisClient::messageReceived, this, [&](const QByteArray &, const QByteArray &payload) {
        received.append(payload);
        if (payload != "1")
            return;
        m_server.cli({QStringLiteral("PUBLISH"), QStringLiteral("nest"), QStringLiteral("4")});
        nested = QTest::qWaitFor([&received] { return received.size() >= 4; }, 10000);
    });
    sub->subscribe("nest");
    QVERIFY(sub->open());
    QTRY_COMPARE(subscribed.count(), 1);
    // redis-cli blocks this thread: the client reads all three at once.
    for (const char *payload : {"1", "2", "3"})
        QCOMPARE(m_server.cli({QStringLiteral("PUBLISH"), QStringLiteral("nest"), QString::fromLatin1(payload)}).trimmed(), QByteArray("1"));
    QTRY_COMPARE(received.size(), 4);
    QVERIFY(nested);
    QCOMPARE(received, (QByteArrayList{"1", "2", "3", "4"}));
}

// A publisher is not woken up for replies nobody waits for: they are read
// as its loop is about to sleep, or by a timer. Refusals among them are
// still counted and reported; a command with a callback, or a slot on
// drained(), is answered as before; once nothing is outstanding the socket
// is watched again, so a server that goes away is seen at once.
void tst_RedisClient::repliesNobodyWaitsForAreReadLazily()
{
    RedisServer server;
    QString error;
    QVERIFY2(server.start(&error), qPrintable(error));
    auto admin = client(server.url());
    QVERIFY(admin->open());
    const auto created = run(admin.get(), {"ACL", "SETUSER", "mute", "reset", "on", ">pw", "~*", "&*", "+@all", "-publish"});
    QVERIFY2(!created->isError(), created->string.constData());
    admin.reset();

    auto c = client(QStringLiteral("redis://mute:pw@127.0.0.1:%1").arg(server.port()));
    QSignalSpy errors(c.get(), &RedisClient::errorOccurred);
    QVERIFY(c->open());
    QVERIFY(waitConnected(c.get()));
    auto readsLazily = [](RedisClient *client) {
        const auto *d = Clustr::RedisClientPrivate::get(client);
        return d->adapter && d->adapter->readsLazily();
    };
    auto lazy = [&c, &readsLazily] { return readsLazily(c.get()); };
    for (int i = 0; i < 5; ++i)
        c->publish("news", QByteArray::number(i));
    QVERIFY(lazy());
    QTRY_COMPARE(c->refusedCommands(), quint64(5)); // read with no command waiting
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).value<RedisClient::Error>(), RedisClient::Error::PermissionDenied);
    QTRY_VERIFY(!lazy()); // nothing outstanding: the socket is watched again

    c->publish("news", "x");
    QVERIFY(lazy());
    std::optional<RedisReply> pong;
    c->command({"PING"}, [&pong](const RedisReply &reply) { pong = reply; });
    QVERIFY(!lazy());
    QTRY_VERIFY(pong.has_value());
    QCOMPARE(pong->string, QByteArray("PONG"));
    QCOMPARE(c->refusedCommands(), quint64(6)); // answered in order: the PUBLISH before the PING
    {
        QSignalSpy drained(c.get(), &RedisClient::drained);
        c->publish("news", "y");
        QVERIFY(!lazy());
        QTRY_COMPARE(drained.count(), 1);
    }

    // More replies than one read takes (20,000 refusals, about 2 MB): all read.
    for (int i = 0; i < 20000; ++i)
        c->publish("news", "burst");
    QVERIFY(lazy());
    QTRY_COMPARE_WITH_TIMEOUT(c->pendingCommands(), 0, 20000);
    QCOMPARE(c->refusedCommands(), quint64(20007));
    QTRY_VERIFY(!lazy());

    // A connection that subscribes is woken up by what comes, at once.
    auto both = client(server.url());
    QVERIFY(both->open());
    QVERIFY(waitConnected(both.get()));
    both->publish("news", "z");
    QVERIFY(readsLazily(both.get()));
    both->subscribe("elsewhere");
    QVERIFY(!readsLazily(both.get()));
    both.reset();

    server.kill();
    QTRY_COMPARE(c->state(), RedisClient::State::Reconnecting);
}

// What a receiver publishes in answer to a message is written once the
// read that brought the message is passed on, not after the event loop has
// unwound to its pause: seen here from a slot on the dispatcher's awake(),
// made before the connections' own, which a raw subscriber on the answer's
// channel finds the answer already delivered in.
void tst_RedisClient::answersLeaveBeforeTheLoopUnwinds()
{
    Answering clients;
    QString error;
    QVERIFY2(clients.start("SUBSCRIBE answer\r\n", "subscribe", &error), qPrintable(error));
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    QVERIFY(dispatcher);
    // The connections' pauses, made again after our slot (the earlier tests' went with their connections).
    delete dispatcher->findChild<Clustr::LoopPauses *>(QString(), Qt::FindDirectChildrenOnly);

    bool answered = false;
    std::optional<bool> answerOutAtPause;
    const auto spy = connect(dispatcher, &QAbstractEventDispatcher::awake, this, [&] {
        if (answered && !answerOutAtPause)
            answerOutAtPause = clients.watcher.readUntil("$6\r\nanswer\r\n$5\r\nhello");
    });
    const auto disconnectSpy = qScopeGuard([spy] { disconnect(spy); });

    QVERIFY(clients.connect());
    clients.answer(this, [&] {
        clients.pub->publish("answer", "hello");
        answered = true;
    });
    clients.ask();
    QTRY_VERIFY(answerOutAtPause.has_value());
    QVERIFY2(*answerOutAtPause, clients.watcher.seen().constData());
}

// The last message of a read: the first answer its receiver publishes is
// written while the receiver's slot still runs, which a raw subscriber on
// the answer's channel, read from inside the slot, sees. A second answer
// of the same slot follows after it, in order.
void tst_RedisClient::theAnswerToALastMessageLeavesFromTheSlot()
{
    Answering clients;
    QString error;
    QVERIFY2(clients.start("SUBSCRIBE answer\r\n", "subscribe", &error), qPrintable(error));
    QVERIFY(clients.connect());
    RawWatcher &watcher = clients.watcher;
    std::optional<bool> outFromTheSlot;
    clients.answer(this, [&] {
        clients.pub->publish("answer", "hello");
        outFromTheSlot = watcher.readUntil("$6\r\nanswer\r\n$5\r\nhello");
        clients.pub->publish("answer", "again");
    });
    clients.ask();
    QTRY_VERIFY(outFromTheSlot.has_value());
    QVERIFY2(*outFromTheSlot, watcher.seen().constData());
    QVERIFY2(watcher.readUntil("$5\r\nagain"), watcher.seen().constData());
    QVERIFY(watcher.seen().indexOf("hello") < watcher.seen().indexOf("again"));
}

// ... but not ahead of a write that waits already: the writes of one pass
// leave together, in the order their connections were made, as before;
// Redis runs them in that order (MONITOR says).
void tst_RedisClient::anAnswerDoesNotOvertakeEarlierWrites()
{
    Answering clients;
    QString error;
    QVERIFY2(clients.start("MONITOR\r\n", "+OK", &error), qPrintable(error));
    QVERIFY(clients.connect());
    RawWatcher &monitor = clients.watcher;
    bool answered = false;
    clients.answer(this, [&] {
        clients.first->command({"SET", "first", "1"});
        clients.pub->publish("answer", "second");
        answered = true;
    });
    clients.ask();
    QTRY_VERIFY(answered);
    QVERIFY2(monitor.readUntil("\"second\""), monitor.seen().constData());
    const qsizetype set = monitor.seen().indexOf("\"SET\" \"first\"");
    QVERIFY2(set >= 0, monitor.seen().constData());
    QVERIFY2(set < monitor.seen().indexOf("\"PUBLISH\" \"answer\""), monitor.seen().constData());
}

// An answer larger than the socket takes at once (Redis is stopped while
// the slot runs, so nothing is read): what the socket took goes ahead, the
// rest once Redis reads again; the answer arrives whole, once, in order.
void tst_RedisClient::anAnswerTheSocketTakesInPartIsWrittenWhole()
{
    Answering clients;
    QString error;
    QVERIFY2(clients.start("SUBSCRIBE answer\r\n", "subscribe", &error), qPrintable(error));
    QVERIFY(clients.connect());
    RawWatcher &watcher = clients.watcher;
    QByteArray big(8 * 1024 * 1024, 'x');
    for (qsizetype i = 0; i < big.size(); i += 4096)
        big[i] = char('a' + (i / 4096) % 26); // a misplaced or repeated chunk shows
    bool answered = false;
    clients.answer(this, [&] {
        ::kill(pid_t(clients.server.pid()), SIGSTOP);
        clients.pub->publish("answer", big);
        clients.pub->publish("answer", "after");
        answered = true;
    });
    const auto resume = qScopeGuard([&clients] { ::kill(pid_t(clients.server.pid()), SIGCONT); });
    clients.ask();
    QTRY_VERIFY(answered);
    ::kill(pid_t(clients.server.pid()), SIGCONT);
    // The rest is written from the event loop: waited for there.
    QTRY_VERIFY_WITH_TIMEOUT(watcher.has("$5\r\nafter\r\n"), 30000);
    const QByteArray expected = "$6\r\nanswer\r\n$" + QByteArray::number(big.size()) + "\r\n" + big + "\r\n";
    QCOMPARE(watcher.seen().count(expected), 1);
    QVERIFY(watcher.seen().indexOf(expected) < watcher.seen().indexOf("$5\r\nafter"));
    QCOMPARE(clients.pub->refusedCommands(), quint64(0));
}

#include "tst_redisclient.moc"
