// SPDX-License-Identifier: MIT
// How a group command (stop, start, scale GROUP) counts its steps and
// decides it is done, with no process: views of the group are made up.
#include "groupoperation_p.h"

#include <QtTest/QTest>

using namespace Clustr;
using Goal = GroupOperation::Goal;
using View = GroupOperation::View;

class tst_GroupOperation : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void stopCountsTheChildrenThatEnd();
    void scaleUpCountsTheNewReadyOnes();
    void scaleDownWaitsForTheRemovedOnes();
    void alreadyThereIsFinishedAtOnce();
    void aGivenUpChildFailsARunningGoal();
    void doneNeverGoesBack();
};

void tst_GroupOperation::stopCountsTheChildrenThatEnd()
{
    GroupOperation op(Goal{false, 0}, View{3, 3, 0, {}});
    QCOMPARE(op.steps(), 3);
    QVERIFY(!op.isFinished());
    QVERIFY(op.update(View{3, 2, 1, {}}));
    QCOMPARE(op.done(), 1);
    QVERIFY(!op.update(View{3, 1, 1, {}})); // one stopping: no progress yet
    QVERIFY(op.update(View{3, 0, 3, {}}));
    QVERIFY(op.isFinished());
    QCOMPARE(op.done(), 3);
    QVERIFY(op.failure().isEmpty());
}

void tst_GroupOperation::scaleUpCountsTheNewReadyOnes()
{
    GroupOperation op(Goal{true, 4}, View{2, 2, 0, {}});
    QCOMPARE(op.steps(), 2);
    QVERIFY(!op.update(View{4, 2, 0, {}})); // started, not ready
    QVERIFY(op.update(View{4, 3, 0, {}}));
    QCOMPARE(op.done(), 1);
    QVERIFY(op.update(View{4, 4, 0, {}}));
    QVERIFY(op.isFinished());
}

void tst_GroupOperation::scaleDownWaitsForTheRemovedOnes()
{
    GroupOperation op(Goal{true, 1}, View{3, 3, 0, {}});
    QCOMPARE(op.steps(), 2);
    QVERIFY(!op.update(View{3, 1, 0, {}})); // two stopping
    QVERIFY(op.update(View{2, 1, 0, {}}));
    QCOMPARE(op.done(), 1);
    QVERIFY(op.update(View{1, 1, 0, {}}));
    QVERIFY(op.isFinished());
}

void tst_GroupOperation::alreadyThereIsFinishedAtOnce()
{
    QVERIFY(GroupOperation(Goal{false, 0}, View{2, 0, 2, {}}).isFinished());
    QVERIFY(GroupOperation(Goal{true, 2}, View{2, 2, 0, {}}).isFinished());
    QCOMPARE(GroupOperation(Goal{true, 0}, View{0, 0, 0, {}}).steps(), 0);
}

void tst_GroupOperation::aGivenUpChildFailsARunningGoal()
{
    GroupOperation op(Goal{true, 2}, View{2, 0, 2, {}});
    QVERIFY(op.update(View{2, 1, 1, QStringLiteral("instance 1 of web was given up: crashed")}));
    QVERIFY(op.isFinished());
    QCOMPARE(op.failure(), QStringLiteral("instance 1 of web was given up: crashed"));
    QVERIFY(!op.update(View{2, 2, 0, {}})); // over is over

    // A stop does not care: a given-up child is down too.
    GroupOperation stop(Goal{false, 0}, View{2, 1, 1, {}});
    QVERIFY(stop.update(View{2, 0, 2, QStringLiteral("given up")}));
    QVERIFY(stop.isFinished());
    QVERIFY(stop.failure().isEmpty());
}

void tst_GroupOperation::doneNeverGoesBack()
{
    GroupOperation op(Goal{true, 3}, View{3, 0, 3, {}});
    QVERIFY(op.update(View{3, 2, 1, {}}));
    QCOMPARE(op.done(), 2);
    QVERIFY(!op.update(View{3, 1, 1, {}})); // one crashed and is respawning
    QCOMPARE(op.done(), 2);
    QVERIFY(op.update(View{3, 3, 0, {}}));
    QCOMPARE(op.done(), 3);
}

QTEST_GUILESS_MAIN(tst_GroupOperation)
#include "tst_groupoperation.moc"
