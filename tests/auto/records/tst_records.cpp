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

QTEST_GUILESS_MAIN(tst_Records)
#include "tst_records.moc"
