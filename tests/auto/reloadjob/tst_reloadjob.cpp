// SPDX-License-Identifier: MIT
// ReloadJob against a master played by raw Redis commands (its announcement
// key and its events channel, as docs/PROTOCOL.md section 11 describes
// them), so every turn a reload can take is reached exactly.
#include "redisserver.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/reloadjob.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QSignalSpy>
#include <QtTest/QtTest>

using Clustr::ClusterClient;
using Clustr::ReloadJob;

namespace {

constexpr qint64 MasterPid = 4242;

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class tst_ReloadJob : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void followsItsOwnReload();
    void stepsUnderWayAtOnceAreCountedAsTheyEnd();
    void earlierReloadDoesNotCount();
    void timedOutStepsFailTheJob();
    void stoppingAbandonsIt();
    void notStartedInTime();
    void masterGoneDuringReload();
    void followJoinsAReloadUnderWay();
    void followIgnoresAReloadThatIsOver();

private:
    void announce(const QString &state, int reloads = 0, int step = 0, int steps = 0);
    void event(QJsonObject fields);
    void openClient();

    RedisServer m_redis;
    std::unique_ptr<ClusterClient> m_client;
};

void tst_ReloadJob::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
}

void tst_ReloadJob::init()
{
    announce(QStringLiteral("running"));
    openClient();
}

void tst_ReloadJob::cleanup()
{
    m_client.reset();
    m_redis.cli({QStringLiteral("FLUSHALL")});
}

void tst_ReloadJob::openClient()
{
    m_client = std::make_unique<ClusterClient>();
    m_client->setRedisUrl(m_redis.url());
    m_client->setPollInterval(std::chrono::milliseconds(50));
    QVERIFY(m_client->open());
    QTRY_VERIFY(m_client->isClusterRunning() && m_client->isFollowingEvents());
}

void tst_ReloadJob::announce(const QString &state, int reloads, int step, int steps)
{
    QJsonObject master{{QStringLiteral("pid"), MasterPid}, {QStringLiteral("host"), QStringLiteral("test")},
                       {QStringLiteral("state"), state}, {QStringLiteral("reloads"), reloads}};
    if (steps > 0)
        master.insert(QStringLiteral("reload"), QJsonObject{{QStringLiteral("step"), step}, {QStringLiteral("steps"), steps}});
    m_redis.cli({QStringLiteral("SET"), QStringLiteral("clustr:master"), QString::fromUtf8(json(master))});
}

void tst_ReloadJob::event(QJsonObject fields)
{
    const QJsonObject envelope{{QStringLiteral("meta"), QJsonObject{{QStringLiteral("pid"), MasterPid}, {QStringLiteral("group"), QStringLiteral("master")}}},
                               {QStringLiteral("data"), fields}};
    m_redis.cli({QStringLiteral("PUBLISH"), QStringLiteral("events:%1").arg(MasterPid), QString::fromUtf8(json(envelope))});
}

namespace {

QJsonObject started(int steps)
{
    return {{QStringLiteral("event"), QStringLiteral("reloadStarted")}, {QStringLiteral("steps"), steps}};
}

QJsonObject step(const char *phase, int step, int steps, qint64 oldPid, qint64 newPid = 0)
{
    return {{QStringLiteral("event"), QStringLiteral("reloadStep")}, {QStringLiteral("phase"), QLatin1String(phase)},
            {QStringLiteral("step"), step}, {QStringLiteral("steps"), steps}, {QStringLiteral("oldPid"), oldPid},
            {QStringLiteral("newPid"), newPid}, {QStringLiteral("group"), QStringLiteral("web")}};
}

QJsonObject reloaded(int workers, int durationMs)
{
    return {{QStringLiteral("event"), QStringLiteral("clusterReloaded")}, {QStringLiteral("workers"), workers},
            {QStringLiteral("durationMs"), durationMs}};
}

} // namespace

void tst_ReloadJob::followsItsOwnReload()
{
    ReloadJob job(m_client.get());
    QSignalSpy result(&job, &ReloadJob::result);
    QSignalSpy finishedSteps(&job, &ReloadJob::stepFinished);
    QVERIFY(job.start());
    QCOMPARE(job.state(), ReloadJob::State::Waiting);
    // The request reached the master's control channel.
    QTRY_VERIFY(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMSUB"), QStringLiteral("control:4242")}).size() > 0);

    event(started(2));
    QTRY_COMPARE(job.state(), ReloadJob::State::Running);
    QCOMPARE(job.steps(), 2);
    event(step("started", 1, 2, 100));
    event(step("finished", 1, 2, 100, 101));
    event(step("started", 2, 2, 200));
    event(step("skipped", 2, 2, 200));
    event(reloaded(2, 1500));
    QTRY_COMPARE(result.count(), 1);
    QCOMPARE(job.error(), ReloadJob::Error::NoError);
    QCOMPARE(job.state(), ReloadJob::State::Finished);
    QCOMPARE(job.completedSteps(), 2);
    QCOMPARE(job.percent(), 100);
    QCOMPARE(job.workerCount(), 2);
    QCOMPARE(job.durationMs(), 1500);
    QCOMPARE(finishedSteps.count(), 2);
    QCOMPARE(finishedSteps.at(0).at(3).toLongLong(), 101);
    QCOMPARE(finishedSteps.at(1).at(3).toLongLong(), 0); // skipped: the pid was gone
}

// maxUnavailable 2: two steps start before either ends, and the second ends first.
void tst_ReloadJob::stepsUnderWayAtOnceAreCountedAsTheyEnd()
{
    ReloadJob job(m_client.get());
    QSignalSpy result(&job, &ReloadJob::result);
    QSignalSpy finishedSteps(&job, &ReloadJob::stepFinished);
    QSignalSpy progress(&job, &ReloadJob::progressChanged);
    QVERIFY(job.start());
    QTRY_VERIFY(m_redis.cli({QStringLiteral("PUBSUB"), QStringLiteral("NUMSUB"), QStringLiteral("control:4242")}).size() > 0);
    event(started(3));
    QTRY_COMPARE(job.state(), ReloadJob::State::Running);
    event(step("started", 1, 3, 100));
    event(step("started", 2, 3, 200));
    QTRY_COMPARE(job.currentStep(), 2);
    QCOMPARE(job.completedSteps(), 0); // neither has ended
    event(step("finished", 2, 3, 200, 201));
    QTRY_COMPARE(finishedSteps.count(), 1);
    QCOMPARE(finishedSteps.at(0).at(0).toInt(), 2); // under its own number
    QCOMPARE(job.completedSteps(), 1);
    QCOMPARE(job.currentStep(), 2);
    event(step("started", 3, 3, 300));
    event(step("finished", 1, 3, 100, 101));
    QTRY_COMPARE(finishedSteps.count(), 2);
    QCOMPARE(finishedSteps.at(1).at(0).toInt(), 1);
    QCOMPARE(job.completedSteps(), 2);
    QCOMPARE(job.currentStep(), 3);
    event(step("finished", 3, 3, 300, 301));
    event(reloaded(3, 900));
    QTRY_COMPARE(result.count(), 1);
    QCOMPARE(job.error(), ReloadJob::Error::NoError);
    QCOMPARE(job.completedSteps(), 3);
    // The count never went back.
    int last = 0;
    for (const QList<QVariant> &change : std::as_const(progress)) {
        QVERIFY(change.at(0).toInt() >= last);
        last = change.at(0).toInt();
    }
}

void tst_ReloadJob::earlierReloadDoesNotCount()
{
    ReloadJob job(m_client.get());
    QSignalSpy result(&job, &ReloadJob::result);
    QVERIFY(job.start());
    // Ours is queued behind a reload that was running: its end is not ours.
    event(step("finished", 3, 3, 300, 301));
    event(reloaded(3, 900));
    QTRY_VERIFY(job.sawEarlierReload());
    QCOMPARE(job.state(), ReloadJob::State::Waiting);
    QCOMPARE(result.count(), 0);
    event(started(1));
    event(step("finished", 1, 1, 400, 401));
    event(reloaded(1, 100));
    QTRY_COMPARE(result.count(), 1);
    QCOMPARE(job.error(), ReloadJob::Error::NoError);
    QCOMPARE(job.steps(), 1);
}

void tst_ReloadJob::timedOutStepsFailTheJob()
{
    ReloadJob job(m_client.get());
    QSignalSpy result(&job, &ReloadJob::result);
    QSignalSpy timedOut(&job, &ReloadJob::stepTimedOut);
    QVERIFY(job.start());
    event(started(2));
    event(step("timedOut", 1, 2, 100));
    event(step("finished", 2, 2, 200, 201));
    event(reloaded(2, 3000));
    QTRY_COMPARE(result.count(), 1);
    QCOMPARE(job.error(), ReloadJob::Error::StepsTimedOut);
    QCOMPARE(timedOut.count(), 1);
    QCOMPARE(job.failures().size(), 1);
    QVERIFY2(job.failures().at(0).contains(QStringLiteral("100 (web)")), qPrintable(job.failures().at(0)));
    QVERIFY(job.errorText().contains(QStringLiteral("1 of its steps timed out")));
}

void tst_ReloadJob::stoppingAbandonsIt()
{
    ReloadJob job(m_client.get());
    QSignalSpy result(&job, &ReloadJob::result);
    QVERIFY(job.start());
    event(started(2));
    event(step("started", 1, 2, 100));
    event({{QStringLiteral("event"), QStringLiteral("stopping")}, {QStringLiteral("code"), 15}});
    QTRY_COMPARE(result.count(), 1);
    QCOMPARE(job.error(), ReloadJob::Error::ClusterStopping);
    QVERIFY2(job.errorText().contains(QStringLiteral("exit code 15")) && job.errorText().contains(QStringLiteral("at step 1/2")),
             qPrintable(job.errorText()));
}

void tst_ReloadJob::notStartedInTime()
{
    ReloadJob job(m_client.get());
    job.setStartTimeout(std::chrono::milliseconds(200));
    QSignalSpy result(&job, &ReloadJob::result);
    QVERIFY(job.start());
    QVERIFY(result.wait());
    QCOMPARE(job.error(), ReloadJob::Error::NotStarted);
    QCOMPARE(job.position(), QStringLiteral("it had not started"));
}

void tst_ReloadJob::masterGoneDuringReload()
{
    ReloadJob job(m_client.get());
    QSignalSpy result(&job, &ReloadJob::result);
    QVERIFY(job.start());
    event(started(3));
    QTRY_COMPARE(job.state(), ReloadJob::State::Running);
    m_redis.cli({QStringLiteral("DEL"), QStringLiteral("clustr:master")});
    QTRY_COMPARE(result.count(), 1);
    QCOMPARE(job.error(), ReloadJob::Error::MasterGone);
}

void tst_ReloadJob::followJoinsAReloadUnderWay()
{
    announce(QStringLiteral("reloading"), 0, 2, 3);
    QTRY_COMPARE(m_client->master().state(), Clustr::MasterInfo::State::Reloading);
    ReloadJob job(m_client.get());
    QSignalSpy startedSpy(&job, &ReloadJob::started);
    QSignalSpy result(&job, &ReloadJob::result);
    job.follow();
    QCOMPARE(startedSpy.count(), 1);
    QCOMPARE(job.steps(), 3);
    QCOMPARE(job.currentStep(), 2);
    QCOMPARE(job.completedSteps(), 1);
    event(step("finished", 2, 3, 200, 201));
    event(step("finished", 3, 3, 300, 301));
    event(reloaded(3, 2000));
    QTRY_COMPARE(result.count(), 1);
    QCOMPARE(job.error(), ReloadJob::Error::NoError);
}

void tst_ReloadJob::followIgnoresAReloadThatIsOver()
{
    ReloadJob job(m_client.get());
    QSignalSpy startedSpy(&job, &ReloadJob::started);
    QSignalSpy result(&job, &ReloadJob::result);
    job.follow();
    announce(QStringLiteral("reloading"), 0, 1, 1);
    event(started(1));
    QTRY_COMPARE(job.state(), ReloadJob::State::Running);
    QTRY_COMPARE(m_client->master().state(), Clustr::MasterInfo::State::Reloading);
    event(step("finished", 1, 1, 100, 101));
    event(reloaded(1, 500));
    QTRY_COMPARE(result.count(), 1);

    // The client still holds the announcement that says "reloading": the
    // reload it describes is the one that just ended.
    QCOMPARE(m_client->master().state(), Clustr::MasterInfo::State::Reloading);
    job.follow();
    QCOMPARE(job.state(), ReloadJob::State::Waiting);
    QSignalSpy masterChanged(m_client.get(), &ClusterClient::masterChanged);
    m_client->refresh();
    QTRY_VERIFY(m_client->master().state() == Clustr::MasterInfo::State::Reloading); // re-read, unchanged
    QTest::qWait(150); // several polls of the same stale announcement
    QCOMPARE(job.state(), ReloadJob::State::Waiting);
    QCOMPARE(startedSpy.count(), 1);

    // The next reload is followed as usual.
    announce(QStringLiteral("running"), 1);
    event(started(2));
    QTRY_COMPARE(job.state(), ReloadJob::State::Running);
    QCOMPARE(startedSpy.count(), 2);
    QCOMPARE(job.steps(), 2);
}

QTEST_GUILESS_MAIN(tst_ReloadJob)
#include "tst_reloadjob.moc"
