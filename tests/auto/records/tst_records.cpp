// SPDX-License-Identifier: MIT
// The typed records of docs/PROTOCOL.md sections 8 and 11 (Protocol::Records):
// what each writes, and what each reader accepts.
#include "protocol/records_p.h"

#include <QtCore/QJsonArray>
#include <QtTest/QtTest>

using namespace Clustr;
using Protocol::Records;

class tst_Records : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void childCarriesItsInstanceAndDroppedLines();
    void numbersBeyondTheirFieldAreRefused_data();
    void numbersBeyondTheirFieldAreRefused();
    void aReloadStepWithoutAPhaseIsWrittenBackReadably();
    void anUpdateCarriesItsDryRunAndItsAnswersThePlan();
};

void tst_Records::childCarriesItsInstanceAndDroppedLines()
{
    ChildInfo child;
    child.setPid(4242);
    child.setGroup(QStringLiteral("web"));
    child.setInstance(3);
    child.setDroppedOutputLines(17);
    for (const auto form : {Records::ChildForm::Full, Records::ChildForm::Heartbeat}) {
        const QJsonObject json = Records::toJson(child, form);
        QCOMPARE(json.value(QLatin1String("instance")).toInt(), 3);
        QCOMPARE(json.value(QLatin1String("droppedOutputLines")).toInteger(), 17);
        const auto read = Records::childInfo(json);
        QVERIFY(read);
        QCOMPARE(read->instance(), 3);
        QCOMPARE(read->droppedOutputLines(), 17);
    }
    // A heartbeat, sent every second, carries the count only once there is one.
    child.setDroppedOutputLines(0);
    QVERIFY(!Records::toJson(child, Records::ChildForm::Heartbeat).contains(QLatin1String("droppedOutputLines")));
    QCOMPARE(Records::toJson(child, Records::ChildForm::Full).value(QLatin1String("droppedOutputLines")).toInteger(-1), 0);
    // A peer that does not know the fields: instance 0, nothing dropped.
    const auto older = Records::childInfo(QJsonObject{{QLatin1String("pid"), 7}, {QLatin1String("state"), QLatin1String("running")}});
    QVERIFY(older);
    QCOMPARE(older->instance(), 0);
    QCOMPARE(older->droppedOutputLines(), 0);
    QString error;
    QVERIFY(!Records::childInfo(QJsonObject{{QLatin1String("droppedOutputLines"), -1}}, &error));
    QCOMPARE(error, QStringLiteral("child.droppedOutputLines is a number, not an integer >= 0"));
}

void tst_Records::numbersBeyondTheirFieldAreRefused_data()
{
    // Fields held in an int: a larger number used to wrap around (1e15
    // restarts became -1530494976), and the master then published a status
    // its own readers refused. Found by tests/fuzz/fuzz_records.
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("reason");
    QTest::newRow("child restarts") << QByteArray(R"({"pid":4242,"restarts":1e15,"state":"running"})")
                                    << "child.restarts is a number, not an integer from 0 to 2147483647";
    QTest::newRow("child instance") << QByteArray(R"({"pid":4242,"instance":2147483648})")
                                    << "child.instance is a number, not an integer from 0 to 2147483647";
    QTest::newRow("heartbeat child") << QByteArray(R"({"ppid":1,"children":[{"pid":2,"restarts":4294967296}]})")
                                     << "heartbeat: child.restarts is a number, not an integer from 0 to 2147483647";
    QTest::newRow("process restarts") << QByteArray(R"({"pid":4242,"restarts":3000000000})")
                                      << "process.restarts is a number, not an integer from 0 to 2147483647";
    QTest::newRow("master workers") << QByteArray(R"({"pid":1,"workers":9007199254740992})")
                                    << "master.workers is a number, not an integer from 0 to 2147483647";
    QTest::newRow("reload step") << QByteArray(R"({"pid":1,"reload":{"step":1e10,"steps":2}})")
                                 << "master.reload.step is a number, not an integer from 0 to 2147483647";
    QTest::newRow("event code") << QByteArray(R"({"event":"exited","code":2147483648})")
                                << "event.code is a number, not an integer from -1 to 2147483647";
}

void tst_Records::numbersBeyondTheirFieldAreRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, reason);
    const auto object = Records::objectFromBytes(json);
    QVERIFY(object);
    QString error;
    bool refused = false;
    if (object->contains(QLatin1String("event")))
        refused = !Records::clusterEvent(*object, &error);
    else if (object->contains(QLatin1String("ppid")))
        refused = !Records::heartbeat(*object, &error);
    else if (object->contains(QLatin1String("workers")) || object->contains(QLatin1String("reload")))
        refused = !Records::masterInfo(*object, &error);
    else if (QByteArray(QTest::currentDataTag()).startsWith("process"))
        refused = !Records::processStatus(*object, &error);
    else
        refused = !Records::childInfo(*object, &error);
    QVERIFY2(refused, json.constData());
    QCOMPARE(error, reason);
}

void tst_Records::aReloadStepWithoutAPhaseIsWrittenBackReadably()
{
    // The reader takes a reloadStep event without a phase; its writer used to
    // write the missing phase as "", which the reader refuses. Found by
    // tests/fuzz/fuzz_records.
    const auto event = Records::clusterEvent(QJsonObject{{QLatin1String("event"), QLatin1String("reloadStep")},
                                                         {QLatin1String("step"), 1}, {QLatin1String("steps"), 2}});
    QVERIFY(event);
    QCOMPARE(event->reloadPhase(), ClusterEvent::ReloadPhase::None);
    QString error;
    const auto again = Records::clusterEvent(Records::toJson(*event), &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->reloadPhase(), ClusterEvent::ReloadPhase::None);
    QCOMPARE(again->step(), 1);
    QCOMPARE(again->steps(), 2);
}

void tst_Records::anUpdateCarriesItsDryRunAndItsAnswersThePlan()
{
    using Command = Protocol::ControlCommand;
    Command command;
    command.type = Command::Type::Update;
    command.id = QStringLiteral("r1");
    command.dryRun = true;
    const QJsonObject written = Records::toJson(command);
    QCOMPARE(written, (QJsonObject{{QLatin1String("command"), QLatin1String("update")}, {QLatin1String("id"), QLatin1String("r1")},
                                   {QLatin1String("dryRun"), true}}));
    QString error;
    const auto read = Records::controlCommand(written, &error);
    QVERIFY2(read, qPrintable(error));
    QVERIFY(read->type == Command::Type::Update && read->dryRun && read->id == QLatin1String("r1"));
    command.dryRun = false; // the default is not written
    QVERIFY(!Records::toJson(command).contains(QLatin1String("dryRun")));
    QVERIFY(!Records::controlCommand(QJsonObject{{QLatin1String("command"), QLatin1String("update")},
                                                 {QLatin1String("dryRun"), QLatin1String("yes")}}, &error));
    QCOMPARE(error, QStringLiteral("control.dryRun is \"yes\", not a boolean"));

    ClusterEvent accepted;
    accepted.setType(ClusterEvent::Type::CommandAccepted);
    accepted.setCommand(QStringLiteral("update"));
    accepted.setRequestId(QStringLiteral("r1"));
    accepted.setSteps(3);
    accepted.setPlan({QStringLiteral("web: roll, one by one (2 instances; args changed)"), QStringLiteral("api: add (1 instance)")});
    const auto again = Records::clusterEvent(Records::toJson(accepted), &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(again->plan(), accepted.plan());
    QVERIFY(!Records::clusterEvent(QJsonObject{{QLatin1String("event"), QLatin1String("commandAccepted")},
                                               {QLatin1String("plan"), QJsonArray{QLatin1String("a"), 1}}}, &error));
    QCOMPARE(error, QStringLiteral("event.plan holds a number, not only strings"));
}

QTEST_GUILESS_MAIN(tst_Records)
#include "tst_records.moc"
