// SPDX-License-Identifier: MIT
// The monitor's commands that change a cluster's shape — restart (of the
// cluster, a group, a process, a given-up process), stop and start of a
// group, scale — driven through the window's own actions and dialogs, on
// the offscreen platform, against a real Redis and a real cluster run by
// the clustr-qt daemon. Each effect is checked in the cluster's status.
#include "redisserver.h"
#include "testprocess.h"

#include "activitylog.h"
#include "clustermonitor.h"
#include "confirmdialog.h"
#include "mainwindow.h"
#include "operationactions.h"
#include "operationrunner.h"
#include "processtreemodel.h"
#include "processtreeview.h"
#include "scaledialog.h"
#include "updateplandialog.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/clusterstatus.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <QtGui/QAction>
#include <QtTest/QtTest>
#include <QtWidgets/QLabel>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QTreeView>

#include <csignal>
#include <memory>

namespace {

const QString ClusterName = QStringLiteral("guiops");
const QString Web = QStringLiteral("web");
const QString Flaky = QStringLiteral("flaky");
constexpr int Long = 30000; // a restart of two workers on a loaded machine

QJsonObject workerEntry(const QString &group, int instances, const QJsonObject &extra = {})
{
    // The entry names its group: the master stops, starts and scales it by that name.
    QJsonObject entry{{QStringLiteral("file"), buildBinary(QStringLiteral("clustr-test-worker"))},
                      {QStringLiteral("group"), group},
                      {QStringLiteral("instances"), instances},
                      {QStringLiteral("args"), QJsonObject{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true},
                                                           {QStringLiteral("ready"), true}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        entry.insert(it.key(), it.value());
    return entry;
}

} // namespace

class tst_GuiOps : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void greyedWithoutCluster();
    void restartGroupReplacesItsProcesses();
    void restartProcessReplacesOnlyIt();
    void restartClusterAsksFirst();
    void stopAndStartGroup();
    void scaleChangesTheConfiguredCount();
    void refusalsAreReported();
    void updateShowsThePlanFirst();
    void givenUpProcessRestartsByItsLastPid();

private:
    QList<qint64> pidsOf(const QString &group) const;
    //! Selects the first process of \a group; false if it has none.
    bool selectIn(const QString &group);
    //! Triggers \a action and returns the dialog it opened.
    template<typename Dialog>
    Dialog *openedDialog(QAction *action);
    //! Waits for the command under way to end; its outcome's text.
    QString waitForOutcome(QSignalSpy &finished);

    RedisServer m_redis;
    QTemporaryDir m_dir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<TestProcess> m_daemon;
    OperationActions *m_ops = nullptr;
    OperationRunner *m_runner = nullptr;
};

void tst_GuiOps::initTestCase()
{
    QVERIFY2(QFile::exists(buildBinary(QStringLiteral("clustr-qt"))), "build the daemon first: cmake --build build --target clustr-qt");
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY(m_dir.isValid());

    // "flaky" is given up at its first crash.
    const QJsonObject noRestart{{QStringLiteral("maxRestarts"), 0}, {QStringLiteral("windowMs"), 60000}};
    const QJsonObject cluster{{QStringLiteral("name"), ClusterName},
                              {QStringLiteral("redis"), m_redis.url()},
                              {QStringLiteral("reloadDelay"), 0},
                              {QStringLiteral("workers"), QJsonArray{workerEntry(Web, 2),
                                                                     workerEntry(Flaky, 1, {{QStringLiteral("restartPolicy"), noRestart}})}}};
    QFile file(m_dir.filePath(QStringLiteral("cluster.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(cluster).toJson());
    file.close();

    m_settings = std::make_unique<QSettings>(m_dir.filePath(QStringLiteral("gui.ini")), QSettings::IniFormat);
    MainWindow::Options options;
    options.pollIntervalMs = 200;
    m_window = std::make_unique<MainWindow>(m_settings.get(), options);
    m_ops = m_window->operations();
    m_runner = m_window->operationRunner();
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    ConnectionSettings connection;
    connection.clusterName = ClusterName;
    connection.redisUrl = m_redis.url();
    connection.automatic = false;
    m_window->connectTo(connection, false);
}

void tst_GuiOps::cleanupTestCase()
{
    m_window.reset();
    m_daemon.reset(); // killed with its tree (the daemon's guard) if a test left it running
}

QList<qint64> tst_GuiOps::pidsOf(const QString &group) const
{
    QList<qint64> pids;
    for (qint64 key : m_window->processModel()->keys(group)) {
        if (key > 0)
            pids.append(key);
    }
    return pids;
}

bool tst_GuiOps::selectIn(const QString &group)
{
    const QList<qint64> keys = m_window->processModel()->keys(group);
    return !keys.isEmpty() && m_window->processView()->selectKey(keys.constFirst());
}

template<typename Dialog>
Dialog *tst_GuiOps::openedDialog(QAction *action)
{
    if (!action->isEnabled())
        return nullptr;
    action->trigger();
    auto *dialog = qobject_cast<Dialog *>(m_window->activeDialog());
    return dialog && dialog->isVisible() ? dialog : nullptr;
}

QString tst_GuiOps::waitForOutcome(QSignalSpy &finished)
{
    if (!QTest::qWaitFor([&] { return !finished.isEmpty(); }, Long))
        return QStringLiteral("(no outcome within %1 ms)").arg(Long);
    return finished.takeFirst().at(1).toString();
}

// ---- the tests, in this order ----

void tst_GuiOps::greyedWithoutCluster()
{
    QTRY_COMPARE(m_window->monitor()->state(), ClusterMonitor::State::NoCluster);
    QAction *restart = m_ops->restartClusterAction();
    QVERIFY(!restart->isEnabled());
    QCOMPARE(restart->toolTip(), QStringLiteral("No cluster running"));

    // Then the cluster.
    m_daemon = std::make_unique<TestProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("CLUSTR_REDIS"));
    QVERIFY(m_daemon->start(QStringLiteral("clustr-qt"), {QStringLiteral("run"), m_dir.filePath(QStringLiteral("cluster.json"))}, environment));
    // Registered, not just started: a restart replaces the registered ones
    // (the tree shows a starting child too, as soon as the status says so).
    const auto registeredIn = [this](const QString &group) {
        const Clustr::ClusterClient *client = m_window->monitor()->client();
        const QList<Clustr::ProcessStatus> processes = client ? client->status().processes() : QList<Clustr::ProcessStatus>();
        return std::count_if(processes.cbegin(), processes.cend(), [&group](const Clustr::ProcessStatus &p) { return p.group() == group; });
    };
    QTRY_VERIFY_WITH_TIMEOUT(m_window->monitor()->isRunning() && pidsOf(Web).size() == 2 && pidsOf(Flaky).size() == 1
                                 && registeredIn(Web) == 2 && registeredIn(Flaky) == 1, 20000);
    QTRY_VERIFY(restart->isEnabled());
    QVERIFY(restart->toolTip().startsWith(QStringLiteral("Restart every worker")));
    // Nothing selected: the group actions say what to do.
    m_window->processView()->treeView()->selectionModel()->clear();
    QTRY_VERIFY(m_window->processView()->selectedKey() == 0 && m_window->processView()->selectedGroup().isEmpty());
    QVERIFY(!m_ops->stopGroupAction()->isEnabled());
    QCOMPARE(m_ops->stopGroupAction()->toolTip(), QStringLiteral("Select a group or one of its processes in the tree"));
}

void tst_GuiOps::restartGroupReplacesItsProcesses()
{
    const QList<qint64> before = pidsOf(Web);
    const QList<qint64> flaky = pidsOf(Flaky);
    QVERIFY(selectIn(Web));
    QAction *action = m_ops->restartGroupAction();
    QTRY_VERIFY(action->isEnabled());
    QCOMPARE(QString(action->text()).remove(QLatin1Char('&')), QStringLiteral("Restart group web"));
    QVERIFY(m_ops->restartClusterAction()->isEnabled());

    QSignalSpy finished(m_runner, &OperationRunner::finished);
    QSignalSpy progress(m_runner, &OperationRunner::progressChanged);
    action->trigger();
    QVERIFY(m_runner->isActive());
    QVERIFY(!m_ops->restartClusterAction()->isEnabled()); // one at a time
    QVERIFY(m_ops->restartClusterAction()->toolTip().startsWith(QStringLiteral("Wait for the restart of group web")));
    QVERIFY(m_window->reloadBar()->isVisible());
    QVERIFY(!m_window->reloadBar()->isTextVisible()); // the text is beside it
    QVERIFY2(m_window->reloadLabel()->text().startsWith(QStringLiteral("Restart of group web")), qPrintable(m_window->reloadLabel()->text()));

    const QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Restarted group web: 2 processes")), qPrintable(outcome));
    QVERIFY(m_window->activity()->contains(QStringLiteral("Restarted group web")));
    QCOMPARE(m_window->reloadBar()->value(), 100);
    QList<int> percents;
    for (const auto &signal : std::as_const(progress))
        percents.append(signal.at(0).toInt());
    QVERIFY2(percents.contains(50), qPrintable(QVariant::fromValue(percents).toString()));

    QTRY_VERIFY_WITH_TIMEOUT(pidsOf(Web).size() == 2 && !pidsOf(Web).contains(before.at(0)) && !pidsOf(Web).contains(before.at(1)), 10000);
    QCOMPARE(pidsOf(Flaky), flaky); // other groups are left alone
    QVERIFY(m_ops->restartClusterAction()->isEnabled());
}

void tst_GuiOps::restartProcessReplacesOnlyIt()
{
    const QList<qint64> before = pidsOf(Web);
    QVERIFY(m_window->processView()->selectKey(before.at(0)));
    QAction *action = m_ops->restartProcessAction();
    QTRY_VERIFY(action->isEnabled());
    QCOMPARE(QString(action->text()).remove(QLatin1Char('&')), QStringLiteral("Restart process %1").arg(before.at(0)));

    QSignalSpy finished(m_runner, &OperationRunner::finished);
    action->trigger();
    const QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Restarted process %1").arg(before.at(0))), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(pidsOf(Web).size() == 2 && !pidsOf(Web).contains(before.at(0)), 10000);
    QVERIFY(pidsOf(Web).contains(before.at(1)));

    // The master is no process to restart.
    QVERIFY(m_window->processView()->selectKey(m_window->monitor()->masterPid()));
    QVERIFY(!action->isEnabled());
    QVERIFY(action->toolTip().contains(QStringLiteral("restart the cluster")));
}

void tst_GuiOps::restartClusterAsksFirst()
{
    const QList<qint64> web = pidsOf(Web);
    const QList<qint64> flaky = pidsOf(Flaky);
    auto *dialog = openedDialog<ConfirmDialog>(m_ops->restartClusterAction());
    QVERIFY(dialog);
    dialog->reject();
    QVERIFY(!m_runner->isActive()); // "no" asks nothing

    QSignalSpy finished(m_runner, &OperationRunner::finished);
    dialog = openedDialog<ConfirmDialog>(m_ops->restartClusterAction());
    QVERIFY(dialog);
    dialog->accept();
    QVERIFY(m_runner->isActive());
    const QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Restarted the cluster: 3 processes")), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(pidsOf(Web).size() == 2 && pidsOf(Flaky).size() == 1 && !pidsOf(Web).contains(web.at(0))
                                 && !pidsOf(Web).contains(web.at(1)) && !pidsOf(Flaky).contains(flaky.at(0)),
                             10000);
}

void tst_GuiOps::stopAndStartGroup()
{
    QVERIFY(selectIn(Web));
    QTRY_VERIFY(m_ops->stopGroupAction()->isEnabled());
    QVERIFY(!m_ops->startGroupAction()->isEnabled());
    QCOMPARE(m_ops->startGroupAction()->toolTip(), QStringLiteral("Group web is not stopped"));

    QSignalSpy finished(m_runner, &OperationRunner::finished);
    auto *dialog = openedDialog<ConfirmDialog>(m_ops->stopGroupAction());
    QVERIFY(dialog);
    dialog->accept();
    QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Stopped group web")), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->monitor()->status().stoppedGroups().contains(Web) && pidsOf(Web).isEmpty(), 10000);

    // The stopped group stays in the tree, to be started again from there.
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->processModel()->keys(Web).isEmpty(), 10000);
    QVERIFY(selectIn(Web));
    QTRY_VERIFY(m_ops->startGroupAction()->isEnabled());
    QVERIFY(!m_ops->stopGroupAction()->isEnabled());
    QCOMPARE(m_ops->stopGroupAction()->toolTip(), QStringLiteral("Group web is stopped already"));

    m_ops->startGroupAction()->trigger(); // no question: it only starts processes
    outcome = waitForOutcome(finished);
    QVERIFY2(outcome == QStringLiteral("Started group web"), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->monitor()->status().stoppedGroups().contains(Web) && pidsOf(Web).size() == 2, 10000);
}

void tst_GuiOps::scaleChangesTheConfiguredCount()
{
    QVERIFY(selectIn(Web));
    QTRY_VERIFY(m_ops->scaleAction()->isEnabled());
    QSignalSpy finished(m_runner, &OperationRunner::finished);
    auto *dialog = openedDialog<ScaleDialog>(m_ops->scaleAction());
    QVERIFY(dialog);
    QCOMPARE(dialog->instances(), 2); // the configured count, preselected
    dialog->setInstances(3);
    dialog->accept();
    QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome == QStringLiteral("Scaled group web to 3 instances"), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->monitor()->status().groupInstances().value(Web) == 3 && pidsOf(Web).size() == 3, 10000);

    // The same count again: nothing to do, and said so.
    QVERIFY(selectIn(Web));
    dialog = openedDialog<ScaleDialog>(m_ops->scaleAction());
    QVERIFY(dialog);
    QCOMPARE(dialog->instances(), 3);
    dialog->accept();
    outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Nothing to do: ")), qPrintable(outcome));

    // Back to two: the highest instance goes.
    m_runner->scale(Web, 2);
    outcome = waitForOutcome(finished);
    QVERIFY2(outcome == QStringLiteral("Scaled group web to 2 instances"), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->monitor()->status().groupInstances().value(Web) == 2 && pidsOf(Web).size() == 2, 10000);
}

void tst_GuiOps::refusalsAreReported()
{
    QSignalSpy finished(m_runner, &OperationRunner::finished);
    m_runner->startGroup(QStringLiteral("nosuch"));
    QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("No such target: ")) && outcome.contains(QStringLiteral("nosuch")), qPrintable(outcome));

    m_runner->startGroup(Web);
    outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Nothing to do: ")), qPrintable(outcome));

    // The master itself is no target of a restart.
    m_runner->restartProcess(m_window->monitor()->masterPid(), QStringLiteral("master"));
    outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Refused: ")), qPrintable(outcome));
    QVERIFY(m_window->activity()->contains(QStringLiteral("Refused: ")));

    // A command that takes longer than allowed: it goes on in the cluster, the window says it timed out.
    const QList<qint64> before = pidsOf(Web);
    m_runner->setTimeouts(std::chrono::milliseconds(1), std::chrono::milliseconds(1));
    m_runner->restartGroup(Web);
    outcome = waitForOutcome(finished);
    m_runner->setTimeouts(std::chrono::minutes(10), std::chrono::minutes(2));
    QVERIFY2(outcome.startsWith(QStringLiteral("Timed out: ")), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(pidsOf(Web).size() == 2 && !pidsOf(Web).contains(before.at(0)) && !pidsOf(Web).contains(before.at(1)), Long);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->monitor()->status().master().state() == Clustr::MasterInfo::State::Running, Long);
}

// The cluster file changed: the window shows the master's plan and applies
// it only when told to.
void tst_GuiOps::updateShowsThePlanFirst()
{
    const QJsonObject noRestart{{QStringLiteral("maxRestarts"), 0}, {QStringLiteral("windowMs"), 60000}};
    const QJsonObject cluster{{QStringLiteral("name"), ClusterName},
                              {QStringLiteral("redis"), m_redis.url()},
                              {QStringLiteral("reloadDelay"), 0},
                              {QStringLiteral("workers"), QJsonArray{workerEntry(Web, 2, {{QStringLiteral("env"), QJsonObject{{QStringLiteral("V"), QStringLiteral("2")}}}}),
                                                                     workerEntry(Flaky, 1, {{QStringLiteral("restartPolicy"), noRestart}}),
                                                                     workerEntry(QStringLiteral("extra"), 1)}}};
    QFile file(m_dir.filePath(QStringLiteral("cluster.json")));
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(cluster).toJson());
    file.close();
    const QList<qint64> web = pidsOf(Web);
    const QList<qint64> flaky = pidsOf(Flaky);
    QCOMPARE(web.size(), 2);
    const QStringList plan{QStringLiteral("web: roll, one by one (2 instances; env changed)"), QStringLiteral("flaky: keep (1 instance, unchanged)"),
                           QStringLiteral("extra: add (1 instance)")};

    // Asked, then declined: nothing changes.
    QSignalSpy finished(m_runner, &OperationRunner::finished);
    QTRY_VERIFY(m_ops->updateConfigAction()->isEnabled());
    m_ops->updateConfigAction()->trigger();
    const QString planned = waitForOutcome(finished);
    QVERIFY2(planned.startsWith(QStringLiteral("Planned the update")), qPrintable(planned));
    auto *dialog = qobject_cast<UpdatePlanDialog *>(m_window->activeDialog());
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->plan(), plan);
    dialog->reject();
    QVERIFY(!m_runner->isActive());
    QCOMPARE(pidsOf(Web), web);

    // Asked again, and applied.
    m_ops->updateConfigAction()->trigger();
    waitForOutcome(finished);
    dialog = qobject_cast<UpdatePlanDialog *>(m_window->activeDialog());
    QVERIFY(dialog && dialog->isVisible());
    dialog->accept();
    const QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome == QStringLiteral("Updated the spawn entries from the cluster file"), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(pidsOf(Web).size() == 2 && !pidsOf(Web).contains(web.at(0)) && !pidsOf(Web).contains(web.at(1))
                                 && pidsOf(QStringLiteral("extra")).size() == 1, Long);
    QCOMPARE(pidsOf(Flaky), flaky);
}

void tst_GuiOps::givenUpProcessRestartsByItsLastPid()
{
    const QList<qint64> flaky = pidsOf(Flaky);
    QCOMPARE(flaky.size(), 1);
    QVERIFY(m_window->processView()->selectKey(flaky.at(0))); // the tree knew it running: it knows its last pid
    ::kill(pid_t(flaky.at(0)), SIGKILL);
    // Given up: a row without pid, in its group.
    ProcessTreeModel *model = m_window->processModel();
    QTRY_VERIFY_WITH_TIMEOUT(model->keys(Flaky).size() == 1 && model->keys(Flaky).at(0) < 0
                                 && model->process(model->keys(Flaky).at(0))->state.is(Clustr::ChildInfo::State::Failed), 15000);
    const qint64 key = model->keys(Flaky).at(0);
    QCOMPARE(model->process(key)->lastPid, flaky.at(0));
    QVERIFY(m_window->processView()->selectKey(key));
    QAction *action = m_ops->restartProcessAction();
    QTRY_VERIFY(action->isEnabled());
    QCOMPARE(action->text(), QStringLiteral("Restart flaky (given up, last pid %1)").arg(flaky.at(0)));

    QSignalSpy finished(m_runner, &OperationRunner::finished);
    action->trigger();
    const QString outcome = waitForOutcome(finished);
    QVERIFY2(outcome.startsWith(QStringLiteral("Restarted process %1").arg(flaky.at(0))), qPrintable(outcome));
    QTRY_VERIFY_WITH_TIMEOUT(pidsOf(Flaky).size() == 1 && pidsOf(Flaky).at(0) != flaky.at(0), 15000);
}

QTEST_MAIN(tst_GuiOps)
#include "tst_guiops.moc"
