// SPDX-License-Identifier: MIT
// Every kind of message end to end between real processes
// (clustr-test-worker) through a real redis-server, and again (CTest's
// tst_messaging_rediscluster) through a real Redis Cluster of six nodes.
#include "testprocess.h"
#include "testredis.h"

#include <QtCore/QJsonArray>
#include <QtTest/QtTest>

#include <memory>

namespace {

TestProcess::Predicate messageWith(const QString &kind, const QJsonValue &data)
{
    return [kind, data](const QJsonObject &e) {
        return e.value(QStringLiteral("kind")).toString() == kind && e.value(QStringLiteral("data")) == data;
    };
}

} // namespace

class tst_Messaging : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup();

    void publicReachesEveryone();
    void privateReachesOnlyItsPid();
    void groupReachesOnlyItsGroup();
    void payloadsRoundTrip();
    void confirmationsAfterNAndAgainAfter2N();
    void killWithoutHandler();
    void killHandlerDefersExit();
    void killTimeoutEndsStuckHandler();
    void killRejectsBadExitCodes();
    void registrationAndClusterInfo();
    void clusterInfoTimesOut();
    void workerWithoutMaster();
    void statsCountEveryEvent();
    void namespacesAreIsolated();
    void emptyGroupIsAnError();
    void refusedPublishesAreCountedAndReportedOnce();

private:
    TestProcess *worker(const QStringList &arguments);
    TestRedis m_redis;
    std::vector<std::unique_ptr<TestProcess>> m_processes;
};

void tst_Messaging::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void tst_Messaging::cleanup()
{
    m_processes.clear(); // kills whatever is still running
}

TestProcess *tst_Messaging::worker(const QStringList &arguments)
{
    auto process = std::make_unique<TestProcess>();
    if (!process->startWorker(arguments + QStringList{QStringLiteral("--cluster-redis=") + m_redis.url()})) {
        qWarning("worker %s did not start: %s", qPrintable(arguments.join(QLatin1Char(' '))),
                 process->standardError().constData());
        return nullptr;
    }
    m_processes.push_back(std::move(process));
    return m_processes.back().get();
}

void tst_Messaging::publicReachesEveryone()
{
    auto *a = worker({QStringLiteral("--group=a")});
    auto *b = worker({QStringLiteral("--group=b")});
    QVERIFY(a && b);
    a->send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), QJsonObject{{QStringLiteral("hello"), 1}}}}));
    const QJsonValue data = QJsonObject{{QStringLiteral("hello"), 1}};
    for (auto *p : {a, b}) {
        const auto e = p->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("public"), data));
        QVERIFY(e);
        QCOMPARE(qint64(e->value(QStringLiteral("pid")).toDouble()), a->pid());
        QCOMPARE(e->value(QStringLiteral("group")).toString(), QStringLiteral("a"));
        QCOMPARE(e->value(QStringLiteral("channel")).toString(), QStringLiteral("public"));
    }
}

void tst_Messaging::privateReachesOnlyItsPid()
{
    auto *a = worker({QStringLiteral("--group=g")});
    auto *b = worker({QStringLiteral("--group=g")});
    auto *c = worker({QStringLiteral("--group=g")});
    QVERIFY(a && b && c);
    a->send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), double(b->pid())}, {QStringLiteral("data"), QStringLiteral("psst")}}));
    const auto e = b->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("private"), QStringLiteral("psst")));
    QVERIFY(e);
    // On a Redis Cluster a process' inbox is sharded: hash-tagged, SSUBSCRIBEd at its slot's master.
    const QString expected = m_redis.isCluster() ? QStringLiteral("private:{%1}") : QStringLiteral("private:%1");
    QCOMPARE(e->value(QStringLiteral("channel")).toString(), expected.arg(b->pid()));
    if (m_redis.isCluster()) {
        const QByteArray channel = expected.arg(b->pid()).toUtf8();
        QVERIFY(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("SHARDCHANNELS")}).contains(channel));
        QVERIFY(!m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("CHANNELS")}).contains(channel));
    }
    // A public message sent after it arrives after it too: by then the
    // private one would have reached the others if it were sent to them.
    a->send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), QStringLiteral("marker")}}));
    for (auto *p : {a, c})
        QVERIFY(p->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("public"), QStringLiteral("marker"))));
    QCOMPARE(a->count(QStringLiteral("message"), messageWith(QStringLiteral("private"), QStringLiteral("psst"))), 0);
    QCOMPARE(c->count(QStringLiteral("message"), messageWith(QStringLiteral("private"), QStringLiteral("psst"))), 0);
}

void tst_Messaging::groupReachesOnlyItsGroup()
{
    auto *web1 = worker({QStringLiteral("--group=web")});
    auto *web2 = worker({QStringLiteral("--group=web")});
    auto *cache = worker({QStringLiteral("--group=cache")});
    QVERIFY(web1 && web2 && cache);
    cache->send(cmd(QStringLiteral("group"), {{QStringLiteral("group"), QStringLiteral("web")}, {QStringLiteral("data"), QJsonArray{1, 2, 3}}}));
    for (auto *p : {web1, web2}) {
        const auto e = p->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("group"), QJsonArray{1, 2, 3}));
        QVERIFY(e);
        QCOMPARE(e->value(QStringLiteral("channel")).toString(), QStringLiteral("group:web"));
        QCOMPARE(e->value(QStringLiteral("group")).toString(), QStringLiteral("cache"));
    }
    cache->send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), QStringLiteral("marker")}}));
    QVERIFY(cache->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("public"), QStringLiteral("marker"))));
    QCOMPARE(cache->count(QStringLiteral("message"), messageWith(QStringLiteral("group"), QJsonArray{1, 2, 3})), 0);
}

void tst_Messaging::payloadsRoundTrip()
{
    auto *a = worker({QStringLiteral("--group=a")});
    auto *b = worker({QStringLiteral("--group=b")});
    QVERIFY(a && b);
    const QList<QJsonValue> payloads{
        QJsonValue(), QJsonValue(true), QJsonValue(false), QJsonValue(0), QJsonValue(-17), QJsonValue(3.25),
        QJsonValue(9007199254740991.0), QJsonValue(QStringLiteral("quotes \" and \\ and \n newline, ünïcödé ✓")),
        QJsonValue(QString()), QJsonArray{QJsonObject{{QStringLiteral("deep"), QJsonArray{1, QStringLiteral("x"), QJsonValue()}}}},
    };
    for (const QJsonValue &payload : payloads) {
        a->send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), double(b->pid())},
                                                {QStringLiteral("data"), QJsonObject{{QStringLiteral("v"), payload}}}}));
        QVERIFY2(b->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("private"), QJsonObject{{QStringLiteral("v"), payload}})),
                 qPrintable(QString::fromUtf8(QJsonDocument(QJsonArray{payload}).toJson())));
        a->send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), double(b->pid())}, {QStringLiteral("data"), payload}}));
        QVERIFY(b->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("private"), payload)));
    }
}

void tst_Messaging::confirmationsAfterNAndAgainAfter2N()
{
    auto *listener = worker({QStringLiteral("--group=l")});
    auto *s1 = worker({QStringLiteral("--group=s")});
    auto *s2 = worker({QStringLiteral("--group=s")});
    QVERIFY(listener && s1 && s2);
    listener->send(cmd(QStringLiteral("onConfirmation"), {{QStringLiteral("count"), 2}, {QStringLiteral("id"), QStringLiteral("webWorker")}}));
    QVERIFY(listener->sync());
    auto confirmationsSeen = [listener] {
        return listener->count(QStringLiteral("message"), [](const QJsonObject &e) {
            return e.value(QStringLiteral("kind")).toString() == QLatin1String("confirmation");
        });
    };

    s1->send(cmd(QStringLiteral("confirmation"), {{QStringLiteral("id"), QStringLiteral("webWorker")}}));
    QTRY_COMPARE(confirmationsSeen(), 1);
    QVERIFY(listener->sync());
    QCOMPARE(listener->count(QStringLiteral("confirmed")), 0); // one is not enough

    s2->send(cmd(QStringLiteral("confirmation"), {{QStringLiteral("id"), QStringLiteral("other")}}));
    QTRY_COMPARE(confirmationsSeen(), 2);
    QCOMPARE(listener->count(QStringLiteral("confirmed")), 0); // another identifier does not count

    s2->send(cmd(QStringLiteral("confirmation"), {{QStringLiteral("id"), QStringLiteral("webWorker")}}));
    const auto first = listener->waitForEvent(QStringLiteral("confirmed"));
    QVERIFY(first);
    QCOMPARE(first->value(QStringLiteral("id")).toString(), QStringLiteral("webWorker"));
    QCOMPARE(first->value(QStringLiteral("pids")).toArray(), (QJsonArray{double(s1->pid()), double(s2->pid())}));

    // Counting starts again: a third is not enough, a fourth is.
    s1->send(cmd(QStringLiteral("confirmation"), {{QStringLiteral("id"), QStringLiteral("webWorker")}}));
    QTRY_COMPARE(confirmationsSeen(), 4);
    QCOMPARE(listener->count(QStringLiteral("confirmed")), 1);
    s1->send(cmd(QStringLiteral("confirmation"), {{QStringLiteral("id"), QStringLiteral("webWorker")}}));
    QTRY_COMPARE(listener->count(QStringLiteral("confirmed")), 2);
    const QJsonObject stats = listener->stats();
    QCOMPARE(stats.value(QStringLiteral("receivedConfirmations")).toInt(), 5);
    QCOMPARE(stats.value(QStringLiteral("successfulConfirmations")).toInt(), 2);
}

void tst_Messaging::killWithoutHandler()
{
    auto *killer = worker({QStringLiteral("--group=k")});
    auto *victim = worker({QStringLiteral("--group=v")});
    QVERIFY(killer && victim);
    killer->send(cmd(QStringLiteral("kill"), {{QStringLiteral("pid"), double(victim->pid())}, {QStringLiteral("code"), 7}}));
    QVERIFY(victim->waitForFinished());
    QCOMPARE(victim->exitStatus(), QProcess::NormalExit);
    QCOMPARE(victim->exitCode(), 7);
    QVERIFY(victim->waitForEvent(QStringLiteral("killRequested"), [](const QJsonObject &e) { return e.value(QStringLiteral("code")).toInt() == 7; }));
    QVERIFY(victim->waitForEvent(QStringLiteral("closed")));
}

void tst_Messaging::killHandlerDefersExit()
{
    auto *killer = worker({QStringLiteral("--group=k")});
    auto *victim = worker({QStringLiteral("--group=v"), QStringLiteral("--kill-delay=400")});
    QVERIFY(killer && victim);
    QElapsedTimer clock;
    clock.start();
    killer->send(cmd(QStringLiteral("kill"), {{QStringLiteral("pid"), double(victim->pid())}, {QStringLiteral("code"), 0}}));
    QVERIFY(victim->waitForEvent(QStringLiteral("killHandler")));
    QVERIFY(victim->isRunning()); // the handler has not called done() yet
    QVERIFY(victim->waitForFinished());
    QCOMPARE(victim->exitCode(), 0);
    QVERIFY(clock.elapsed() >= 400); // it waited for the handler
}

void tst_Messaging::killTimeoutEndsStuckHandler()
{
    auto *killer = worker({QStringLiteral("--group=k")});
    auto *victim = worker({QStringLiteral("--group=v"), QStringLiteral("--kill-delay=-1"), QStringLiteral("--kill-timeout=300")});
    QVERIFY(killer && victim);
    killer->send(cmd(QStringLiteral("kill"), {{QStringLiteral("pid"), double(victim->pid())}, {QStringLiteral("code"), 3}}));
    QVERIFY(victim->waitForEvent(QStringLiteral("killHandler")));
    QVERIFY(victim->waitForFinished(5000));
    QCOMPARE(victim->exitCode(), 3);
    QVERIFY(victim->standardError().contains("did not finish within 300 ms"));
}

void tst_Messaging::killRejectsBadExitCodes()
{
    auto *killer = worker({QStringLiteral("--group=k")});
    auto *victim = worker({QStringLiteral("--group=v")});
    QVERIFY(killer && victim);
    // Out of range on the sending side: refused there, nothing is sent.
    killer->send(cmd(QStringLiteral("kill"), {{QStringLiteral("pid"), double(victim->pid())}, {QStringLiteral("code"), 300}}));
    QVERIFY(killer->sync());
    QTRY_VERIFY(killer->standardError().contains("is not in 0..255"));
    QVERIFY(victim->sync());
    QVERIFY(victim->isRunning());
    QCOMPARE(killer->stats().value(QStringLiteral("emitKill")).toInt(), 0);
}

void tst_Messaging::registrationAndClusterInfo()
{
    auto master = std::make_unique<TestProcess>();
    QVERIFY(master->startWorker({QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + m_redis.url()}));
    const QString masterPid = QStringLiteral("--cluster-master-pid=%1").arg(master->pid());
    auto *web1 = worker({QStringLiteral("--group=web"), masterPid, QStringLiteral("--ready")});
    auto *web2 = worker({QStringLiteral("--group=web"), masterPid, QStringLiteral("--ready")});
    auto *cache = worker({QStringLiteral("--group=cache"), masterPid});
    QVERIFY(web1 && web2 && cache);
    QCOMPARE(qint64(web1->events(QStringLiteral("started")).constFirst().value(QStringLiteral("masterPid")).toDouble()), master->pid());
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), [&](const QJsonObject &e) { return qint64(e.value(QStringLiteral("pid")).toDouble()) == web2->pid(); }));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), [&](const QJsonObject &e) { return qint64(e.value(QStringLiteral("pid")).toDouble()) == web1->pid(); }));
    QVERIFY(master->sync());
    QCOMPARE(master->count(QStringLiteral("registered")), 2); // cache is not ready yet

    cache->send(cmd(QStringLiteral("ready")));
    QVERIFY(cache->waitForEvent(QStringLiteral("ready")));
    QVERIFY(master->waitForEvent(QStringLiteral("registered"), [](const QJsonObject &e) { return e.value(QStringLiteral("group")).toString() == QLatin1String("cache"); }));

    cache->send(cmd(QStringLiteral("clusterInfo")));
    const auto info = cache->waitForEvent(QStringLiteral("clusterInfo"));
    QVERIFY(info);
    const QJsonObject groups = info->value(QStringLiteral("info")).toObject();
    QCOMPARE(groups.keys(), (QStringList{QStringLiteral("cache"), QStringLiteral("web")}));
    QCOMPARE(groups.value(QStringLiteral("cache")).toArray(), QJsonArray{double(cache->pid())});
    QCOMPARE(groups.value(QStringLiteral("web")).toArray().size(), 2);
    QVERIFY(groups.value(QStringLiteral("web")).toArray().contains(double(web1->pid())));

    // Closing deregisters.
    web1->send(cmd(QStringLiteral("close"), {{QStringLiteral("code"), 0}}));
    QVERIFY(web1->waitForFinished());
    QCOMPARE(web1->exitCode(), 0);
    QVERIFY(master->waitForEvent(QStringLiteral("deregistered"), [&](const QJsonObject &e) { return qint64(e.value(QStringLiteral("pid")).toDouble()) == web1->pid(); }));
    master->send(cmd(QStringLiteral("masterInfo")));
    const auto after = master->waitForEvent(QStringLiteral("masterInfo"));
    QVERIFY(after);
    QCOMPARE(after->value(QStringLiteral("info")).toObject().value(QStringLiteral("web")).toArray(), QJsonArray{double(web2->pid())});
    m_processes.push_back(std::move(master));
}

void tst_Messaging::clusterInfoTimesOut()
{
    // A master pid nobody answers for.
    auto *lonely = worker({QStringLiteral("--group=x"), QStringLiteral("--cluster-master-pid=999999999"),
                           QStringLiteral("--cluster-info-timeout=300")});
    QVERIFY(lonely);
    lonely->send(cmd(QStringLiteral("clusterInfo")));
    const auto failed = lonely->waitForEvent(QStringLiteral("clusterInfoFailed"));
    QVERIFY(failed);
    QVERIFY2(failed->value(QStringLiteral("reason")).toString().contains(QStringLiteral("within 300 ms")),
             qPrintable(failed->value(QStringLiteral("reason")).toString()));
}

void tst_Messaging::workerWithoutMaster()
{
    auto *alone = worker({QStringLiteral("--group=solo")});
    QVERIFY(alone);
    alone->send(cmd(QStringLiteral("ready")));
    QVERIFY(alone->waitForEvent(QStringLiteral("ready")));
    alone->send(cmd(QStringLiteral("clusterInfo")));
    const auto failed = alone->waitForEvent(QStringLiteral("clusterInfoFailed"));
    QVERIFY(failed);
    QVERIFY(failed->value(QStringLiteral("reason")).toString().contains(QStringLiteral("no master is known")));
    // It still sends and receives every kind of message.
    alone->send(cmd(QStringLiteral("group"), {{QStringLiteral("group"), QStringLiteral("solo")}, {QStringLiteral("data"), 5}}));
    QVERIFY(alone->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("group"), 5)));
}

void tst_Messaging::statsCountEveryEvent()
{
    auto *a = worker({QStringLiteral("--group=a")});
    auto *b = worker({QStringLiteral("--group=b")});
    QVERIFY(a && b);
    a->send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), 1}}));
    a->send(cmd(QStringLiteral("private"), {{QStringLiteral("pid"), double(b->pid())}, {QStringLiteral("data"), 2}}));
    a->send(cmd(QStringLiteral("group"), {{QStringLiteral("group"), QStringLiteral("b")}, {QStringLiteral("data"), 3}}));
    a->send(cmd(QStringLiteral("group"), {{QStringLiteral("group"), QStringLiteral("b")}, {QStringLiteral("data"), 4}}));
    // The private message first: on a Redis Cluster it is sharded and may
    // come after the plain ones sent after it (docs/PROTOCOL.md, "Sharded channels").
    QVERIFY(b->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("private"), 2)));
    a->send(cmd(QStringLiteral("confirmation"), {{QStringLiteral("id"), QStringLiteral("c")}}));
    a->send(cmd(QStringLiteral("kill"), {{QStringLiteral("pid"), 999999999.0}, {QStringLiteral("code"), 0}}));
    QVERIFY(b->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("kind")).toString() == QLatin1String("confirmation"); }));
    QVERIFY(a->waitForEvent(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("kind")).toString() == QLatin1String("confirmation"); }));

    const QJsonObject sa = a->stats();
    QCOMPARE(sa.value(QStringLiteral("emitPublic")).toInt(), 1);
    QCOMPARE(sa.value(QStringLiteral("emitPrivate")).toInt(), 1);
    QCOMPARE(sa.value(QStringLiteral("emitGroup")).toInt(), 2);
    QCOMPARE(sa.value(QStringLiteral("emitKill")).toInt(), 1);
    QCOMPARE(sa.value(QStringLiteral("emitConfirmation")).toInt(), 1);
    QCOMPARE(sa.value(QStringLiteral("onPublic")).toInt(), 1);
    QCOMPARE(sa.value(QStringLiteral("onPrivate")).toInt(), 0);
    QCOMPARE(sa.value(QStringLiteral("onGroup")).toInt(), 0);
    QCOMPARE(sa.value(QStringLiteral("onMessage")).toInt(), 2); // public + confirmation
    QCOMPARE(sa.value(QStringLiteral("receivedConfirmations")).toInt(), 1);

    const QJsonObject sb = b->stats();
    QCOMPARE(sb.value(QStringLiteral("onPublic")).toInt(), 1);
    QCOMPARE(sb.value(QStringLiteral("onPrivate")).toInt(), 1);
    QCOMPARE(sb.value(QStringLiteral("onGroup")).toInt(), 2);
    QCOMPARE(sb.value(QStringLiteral("onMessage")).toInt(), 5);
    QCOMPARE(sb.value(QStringLiteral("emitPublic")).toInt(), 0);
    QCOMPARE(sb.value(QStringLiteral("successfulConfirmations")).toInt(), 0);
    QCOMPARE(sb.value(QStringLiteral("rejectedMessages")).toInt(), 0);
    QCOMPARE(sb.keys().size(), 16);
}

void tst_Messaging::namespacesAreIsolated()
{
    auto *shopA = worker({QStringLiteral("--group=web"), QStringLiteral("--cluster-namespace=shop")});
    auto *shopB = worker({QStringLiteral("--group=web"), QStringLiteral("--cluster-namespace=shop")});
    auto *blog = worker({QStringLiteral("--group=web"), QStringLiteral("--cluster-namespace=blog")});
    auto *plain = worker({QStringLiteral("--group=web")});
    QVERIFY(shopA && shopB && blog && plain);
    shopA->send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), QStringLiteral("shop-public")}}));
    shopA->send(cmd(QStringLiteral("group"), {{QStringLiteral("group"), QStringLiteral("web")}, {QStringLiteral("data"), QStringLiteral("shop-group")}}));
    QVERIFY(shopB->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("group"), QStringLiteral("shop-group"))));
    const auto e = shopB->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("public"), QStringLiteral("shop-public")));
    QVERIFY(e);
    QCOMPARE(e->value(QStringLiteral("channel")).toString(), QStringLiteral("public")); // without the namespace
    // The others see nothing; their own markers prove they were listening.
    for (auto *other : {blog, plain}) {
        other->send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), QStringLiteral("marker")}}));
        QVERIFY(other->waitForEvent(QStringLiteral("message"), messageWith(QStringLiteral("public"), QStringLiteral("marker"))));
        QCOMPARE(other->count(QStringLiteral("message"), [](const QJsonObject &m) {
                     return m.value(QStringLiteral("data")).toString().startsWith(QLatin1String("shop"));
                 }), 0);
    }
    QCOMPARE(blog->count(QStringLiteral("message"), messageWith(QStringLiteral("public"), QStringLiteral("marker"))), 1);
    const QByteArray channels = m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("CHANNELS"), QStringLiteral("shop:*")});
    QVERIFY2(channels.contains("shop:group:web") && channels.contains("shop:public"), channels.constData());
}

void tst_Messaging::emptyGroupIsAnError()
{
    TestProcess p;
    QVERIFY(p.start(QStringLiteral("clustr-test-worker"), {QStringLiteral("--group="), QStringLiteral("--cluster-redis=") + m_redis.url()}));
    const auto started = p.events(QStringLiteral("started")).constFirst();
    QCOMPARE(started.value(QStringLiteral("valid")).toBool(), false);
    QVERIFY(started.value(QStringLiteral("error")).toString().contains(QStringLiteral("group name is empty")));
    QVERIFY(p.waitForFinished());
    QCOMPARE(p.exitCode(), 3);
    QVERIFY(p.standardError().contains("group name is empty"));
}


// An ACL user without +publish: Redis refuses every message. The worker must
// not pass them for sent: each is counted, and the refusal is reported once
// (the process' error signal, its publisher's, the log), not per message.
void tst_Messaging::refusedPublishesAreCountedAndReportedOnce()
{
    const QByteArray created = m_redis.cli({QStringLiteral("ACL"), QStringLiteral("SETUSER"), QStringLiteral("mute"), QStringLiteral("reset"),
                                            QStringLiteral("on"), QStringLiteral(">pw"), QStringLiteral("~*"), QStringLiteral("&*"),
                                            QStringLiteral("+@all"), QStringLiteral("-publish")});
    const QByteArrayList answers = created.trimmed().split('\n'); // every node's, on a Redis Cluster
    QCOMPARE(QSet<QByteArray>(answers.cbegin(), answers.cend()), QSet<QByteArray>{"OK"});
    auto process = std::make_unique<TestProcess>();
    QVERIFY(process->startWorker({QStringLiteral("--group=mute"),
                                  QStringLiteral("--cluster-redis=") + m_redis.urlAs(QStringLiteral("mute"), QStringLiteral("pw"))}));
    for (int i = 0; i < 3; ++i)
        process->send(cmd(QStringLiteral("public"), {{QStringLiteral("data"), i}}));
    QTRY_COMPARE(process->stats().value(QStringLiteral("refusedMessages")).toInt(), 3);
    QCOMPARE(process->stats().value(QStringLiteral("emitPublic")).toInt(), 3);
    const auto noperm = [](const QJsonObject &e) { return e.value(QStringLiteral("text")).toString().contains(QStringLiteral("NOPERM")); };
    QCOMPARE(process->count(QStringLiteral("processError"), noperm), 1);
    QCOMPARE(process->count(QStringLiteral("redisError"), noperm), 1);
    QVERIFY2(process->standardError().contains("NOPERM"), process->standardError().constData());
}

QTEST_GUILESS_MAIN(tst_Messaging)
#include "tst_messaging.moc"
