// SPDX-License-Identifier: MIT
// How a group command (stop, start, scale GROUP) counts its steps and
// decides it is done, with no process: views of the group are made up.
#include "groupoperation_p.h"
#include "supervision/spawnplan_p.h"

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
    // What an update of the spawn entries does to each group (SpawnPlan)
    void planSaysWhatChangesPerGroup();
    void planOfTheSameEntriesChangesNothing();
    void planKeepsAStoppedGroupStopped();
    void planRefusesAGroupNamedTwice();
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

namespace {

using Clustr::SpawnPlan;
using Clustr::SpawnSpec;

SpawnSpec spec(const QString &group, int instances, const QJsonObject &args = {})
{
    SpawnSpec s;
    s.setFile(QStringLiteral("/usr/bin/worker"));
    s.setGroup(group);
    s.setInstances(instances);
    s.setArgs(args);
    return s;
}

} // namespace

void tst_GroupOperation::planSaysWhatChangesPerGroup()
{
    SpawnSpec plain = spec(QStringLiteral("batch"), 1);
    plain.setRegisters(false);
    SpawnSpec changedPlain = plain;
    changedPlain.setEnv({{QStringLiteral("MODE"), QStringLiteral("fast")}});
    SpawnSpec unnamed; // its group is its file's name
    unnamed.setFile(QStringLiteral("/opt/bin/mailer.sh"));
    const QList<SpawnPlan::Running> running{{spec(QStringLiteral("web"), 2), 2, false},
                                            {spec(QStringLiteral("cache"), 1), 3, false}, // scaled to 3 since
                                            {spec(QStringLiteral("old"), 1), 1, false},
                                            {plain, 1, false},
                                            {unnamed, 1, false}};
    const QList<SpawnSpec> wanted{spec(QStringLiteral("api"), 2), spec(QStringLiteral("web"), 3, {{QStringLiteral("port"), 81}}),
                                  spec(QStringLiteral("cache"), 1), changedPlain, unnamed};
    QString error;
    const SpawnPlan plan = SpawnPlan::make(running, wanted, &error);
    QVERIFY(error.isEmpty());
    QVERIFY(plan.hasChanges());
    using Action = SpawnPlan::Group::Action;
    QStringList names;
    QList<Action> actions;
    for (const SpawnPlan::Group &g : plan.groups()) {
        names.append(g.name);
        actions.append(g.action);
    }
    // The running groups in their order, then the new ones in the file's.
    QCOMPARE(names, (QStringList{QStringLiteral("web"), QStringLiteral("cache"), QStringLiteral("old"), QStringLiteral("batch"),
                                 QStringLiteral("mailer"), QStringLiteral("api")}));
    QCOMPARE(actions, (QList<Action>{Action::Roll, Action::Scale, Action::Remove, Action::Replace, Action::Keep, Action::Add}));
    QCOMPARE(plan.groups().at(0).changed, QStringList{QStringLiteral("args")});
    QCOMPARE(plan.groups().at(0).spec.args().value(QStringLiteral("port")).toInt(), 81);
    QCOMPARE(plan.lines(), (QStringList{QStringLiteral("web: roll, one by one (2 -> 3; args changed)"),
                                        QStringLiteral("cache: scale 3 -> 1"),
                                        QStringLiteral("old: remove (1 instance stopped)"),
                                        QStringLiteral("batch: replace all at once (1 instance; env changed; its processes do not "
                                                       "register, so none can be waited for)"),
                                        QStringLiteral("mailer: keep (1 instance, unchanged)"),
                                        QStringLiteral("api: add (2 instances)")}));
}

void tst_GroupOperation::planOfTheSameEntriesChangesNothing()
{
    const QList<SpawnSpec> entries{spec(QStringLiteral("web"), 2), spec(QStringLiteral("cache"), 1)};
    const SpawnPlan plan = SpawnPlan::make({{entries.at(0), 2, false}, {entries.at(1), 1, false}}, entries);
    QVERIFY(!plan.hasChanges());
    QCOMPARE(plan.lines(), (QStringList{QStringLiteral("web: keep (2 instances, unchanged)"),
                                        QStringLiteral("cache: keep (1 instance, unchanged)")}));
    QVERIFY(!SpawnPlan::make({}, {}).hasChanges());
}

void tst_GroupOperation::planKeepsAStoppedGroupStopped()
{
    const SpawnPlan plan = SpawnPlan::make({{spec(QStringLiteral("web"), 2), 0, true}},
                                           {spec(QStringLiteral("web"), 2, {{QStringLiteral("v"), 2}})});
    QCOMPARE(plan.groups().size(), 1);
    QVERIFY(plan.groups().at(0).stopped);
    QCOMPARE(plan.lines(), QStringList{QStringLiteral("web: roll, one by one (0 -> 2; args changed); stopped: takes effect when started")});
}

void tst_GroupOperation::planRefusesAGroupNamedTwice()
{
    QString error;
    const SpawnPlan plan = SpawnPlan::make({{spec(QStringLiteral("web"), 1), 1, false}},
                                           {spec(QStringLiteral("web"), 1), spec(QStringLiteral("web"), 2)}, &error);
    QVERIFY(plan.groups().isEmpty());
    QCOMPARE(error, QStringLiteral("group web has more than one spawn entry: an update needs one entry per group "
                                   "(give each entry its own \"group\")"));
}

QTEST_GUILESS_MAIN(tst_GroupOperation)
#include "tst_groupoperation.moc"
