// SPDX-License-Identifier: MIT
#include "operationactions.h"

#include "clustermonitor.h"
#include "confirmdialog.h"
#include "operationrunner.h"
#include "processtreemodel.h"
#include "processtreeview.h"
#include "scaledialog.h"
#include "updateplandialog.h"

#include <QtGui/QAction>

namespace {
const QString MasterGroup = QStringLiteral("master");
} // namespace

OperationActions::OperationActions(ClusterMonitor *monitor, ProcessTreeModel *model, ProcessTreeView *view, OperationRunner *runner,
                                   QWidget *dialogParent)
    : QObject(dialogParent)
    , m_monitor(monitor)
    , m_model(model)
    , m_view(view)
    , m_runner(runner)
    , m_dialogParent(dialogParent)
    , m_restartCluster(makeAction(QStringLiteral("restartClusterAction"), QStringLiteral("Restart every worker, one at a time, given-up ones included")))
    , m_restartGroup(makeAction(QStringLiteral("restartGroupAction"), QStringLiteral("Restart the selected group's processes, one at a time")))
    , m_restartProcess(makeAction(QStringLiteral("restartProcessAction"), QStringLiteral("Restart the selected process (a given-up one starts again)")))
    , m_stopGroup(makeAction(QStringLiteral("stopGroupAction"), QStringLiteral("Stop the selected group; the master keeps it stopped")))
    , m_startGroup(makeAction(QStringLiteral("startGroupAction"), QStringLiteral("Start the selected group again")))
    , m_scale(makeAction(QStringLiteral("scaleAction"), QStringLiteral("Give the selected group more or fewer processes")))
    , m_updateConfig(makeAction(QStringLiteral("updateConfigAction"),
                                QStringLiteral("Have the daemon read its cluster file again and apply what changed, after showing the plan")))
{
    m_restartCluster->setText(QStringLiteral("Res&tart cluster…"));
    m_restartCluster->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_restartProcess->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_R));
    m_restartCluster->setProperty(NormalToolTipProperty, QStringLiteral("%1 (%2)").arg(m_restartCluster->statusTip(),
                                                                             m_restartCluster->shortcut().toString(QKeySequence::NativeText)));
    m_restartProcess->setProperty(NormalToolTipProperty, QStringLiteral("%1 (%2)").arg(m_restartProcess->statusTip(),
                                                                             m_restartProcess->shortcut().toString(QKeySequence::NativeText)));
    connect(m_restartCluster, &QAction::triggered, this, &OperationActions::restartCluster);
    connect(m_restartGroup, &QAction::triggered, this, &OperationActions::restartGroup);
    connect(m_restartProcess, &QAction::triggered, this, &OperationActions::restartProcess);
    connect(m_stopGroup, &QAction::triggered, this, &OperationActions::stopGroup);
    connect(m_startGroup, &QAction::triggered, this, &OperationActions::startGroup);
    connect(m_scale, &QAction::triggered, this, &OperationActions::scale);
    connect(m_updateConfig, &QAction::triggered, this, &OperationActions::updateConfig);
    connect(m_runner, &OperationRunner::planned, this, &OperationActions::confirmUpdate);
    update();
}

QAction *OperationActions::makeAction(const QString &objectName, const QString &tip)
{
    auto *action = new QAction(this);
    action->setObjectName(objectName);
    action->setStatusTip(tip);
    action->setProperty(NormalToolTipProperty, tip);
    return action;
}

QList<QAction *> OperationActions::selectionActions() const
{
    return {m_restartProcess, m_restartGroup, m_stopGroup, m_startGroup, m_scale};
}

OperationActions::Target OperationActions::target() const
{
    Target t;
    // Across hosts, a selection on a host the monitor does not follow (yet)
    // is nothing to act on: the commands go to the followed host's master.
    const QString host = m_view->selectedHost();
    if (!host.isEmpty() && host != m_monitor->host())
        return t;
    const qint64 key = m_view->selectedKey();
    t.group = m_view->selectedGroup();
    t.entry = m_model->spawnEntryOf(t.group);
    t.isMaster = t.group == MasterGroup;
    if (key == 0)
        return t;
    const auto process = m_model->process(key);
    if (!process)
        return t;
    t.isProcess = true;
    t.isMaster = process->isMaster;
    // A child given up after its crash limit has no pid; the master knows it by its last one.
    t.givenUp = process->pid <= 0;
    t.pid = process->pid > 0 ? process->pid : process->lastPid;
    return t;
}

QString OperationActions::blockedReason() const
{
    if (m_monitor->isReadOnly())
        return QStringLiteral("Not allowed: %1").arg(m_monitor->readOnlyReason());
    if (!m_monitor->isRunning())
        return QStringLiteral("No cluster running");
    if (m_runner->isActive())
        return QStringLiteral("Wait for the %1 to end").arg(m_runner->description());
    return QString();
}

void OperationActions::setState(QAction *action, const QString &text, const QString &whyNot)
{
    action->setText(text);
    action->setEnabled(whyNot.isEmpty());
    action->setToolTip(whyNot.isEmpty() ? action->property(NormalToolTipProperty).toString() : whyNot);
}

void OperationActions::update()
{
    const QString blocked = blockedReason();
    // Across hosts: the followed host's (MainWindow's reload and stop do the same).
    const QString host = m_monitor->host();
    setState(m_restartCluster, host.isEmpty() ? QStringLiteral("Res&tart cluster…") : QStringLiteral("Res&tart host %1…").arg(host), blocked);
    setState(m_updateConfig, QStringLiteral("&Update from cluster file…"), blocked);
    const Target t = target();
    updateProcessActions(t, blocked);
    updateGroupActions(t, blocked);
}

void OperationActions::updateProcessActions(const Target &t, const QString &blocked)
{
    QString whyNot = blocked;
    QString text = QStringLiteral("Restart &process");
    if (whyNot.isEmpty() && !t.isProcess)
        whyNot = QStringLiteral("Select a process in the tree");
    else if (whyNot.isEmpty() && t.isMaster)
        whyNot = QStringLiteral("The master is not restarted: restart the cluster, or stop it and run it again");
    else if (whyNot.isEmpty() && t.pid <= 0)
        whyNot = QStringLiteral("Its last pid is not known here: restart its group instead");
    if (t.isProcess && !t.isMaster && t.pid > 0)
        text = t.givenUp ? QStringLiteral("Restart %1 (given up, last pid %2)").arg(t.group).arg(t.pid)
                         : QStringLiteral("Restart &process %1").arg(t.pid);
    setState(m_restartProcess, text, whyNot);
}

void OperationActions::updateGroupActions(const Target &t, const QString &blocked)
{
    const Clustr::ClusterStatus status = m_monitor->status();
    const bool isEntry = status.groupInstances().contains(t.entry);
    const bool stopped = status.stoppedGroups().contains(t.entry);
    const bool selected = !t.group.isEmpty() && !t.isMaster;
    const QString name = selected ? QLatin1Char(' ') + t.group : QString();

    QString whyNot = blocked;
    if (whyNot.isEmpty() && !selected)
        whyNot = t.isMaster ? QStringLiteral("The master is no group of workers") : QStringLiteral("Select a group or one of its processes in the tree");
    setState(m_restartGroup, QStringLiteral("Restart &group%1").arg(name), whyNot);

    // stop, start and scale act on the master's spawn entries only.
    if (whyNot.isEmpty() && !isEntry)
        whyNot = QStringLiteral("Group %1 is not one of the master's spawn entries (its parent spawns it): restart it instead").arg(t.group);
    setState(m_scale, QStringLiteral("Sc&ale group%1…").arg(name), whyNot);
    setState(m_stopGroup, QStringLiteral("St&op group%1…").arg(name),
             !whyNot.isEmpty() ? whyNot : stopped ? QStringLiteral("Group %1 is stopped already").arg(t.group) : QString());
    setState(m_startGroup, QStringLiteral("Start gro&up%1").arg(name),
             !whyNot.isEmpty() ? whyNot : !stopped ? QStringLiteral("Group %1 is not stopped").arg(t.group) : QString());
}

// ---- the commands ----

void OperationActions::restartCluster()
{
    if (!blockedReason().isEmpty())
        return;
    auto *dialog = new ConfirmDialog(m_monitor->host().isEmpty() ? QStringLiteral("Restart the cluster") : QStringLiteral("Restart host %1").arg(m_monitor->host()),
                                     QStringLiteral("Restart every worker of %1, one at a time? Each is replaced once its "
                                                    "successor has registered; given-up ones start again too.").arg(m_monitor->targetName()),
                                     QStringLiteral("Restart cluster"), m_dialogParent);
    connect(dialog, &QDialog::accepted, m_runner, [this] { m_runner->restartCluster(); });
    Q_EMIT dialogReady(dialog);
}

void OperationActions::restartGroup()
{
    const Target t = target();
    if (m_restartGroup->isEnabled())
        m_runner->restartGroup(t.group);
}

void OperationActions::restartProcess()
{
    const Target t = target();
    if (m_restartProcess->isEnabled() && t.pid > 0)
        m_runner->restartProcess(t.pid, t.group);
}

void OperationActions::stopGroup()
{
    const Target t = target();
    if (!m_stopGroup->isEnabled())
        return;
    const int running = int(m_model->keys(t.group).size());
    auto *dialog = new ConfirmDialog(QStringLiteral("Stop group %1").arg(t.group),
                                     QStringLiteral("Stop the %1 processes of group %2? Each runs its kill handler. The master keeps "
                                                    "the group stopped (no respawn, no reload) until you start it again.").arg(running).arg(t.group),
                                     QStringLiteral("Stop group"), m_dialogParent);
    const QString entry = t.entry;
    connect(dialog, &QDialog::accepted, m_runner, [this, entry] { m_runner->stopGroup(entry); });
    Q_EMIT dialogReady(dialog);
}

void OperationActions::startGroup()
{
    const Target t = target();
    if (m_startGroup->isEnabled())
        m_runner->startGroup(t.entry);
}

void OperationActions::scale()
{
    const Target t = target();
    if (!m_scale->isEnabled())
        return;
    auto *dialog = new ScaleDialog(t.entry, m_monitor->status().groupInstances().value(t.entry, -1), m_dialogParent);
    connect(dialog, &QDialog::accepted, m_runner, [this, dialog] { m_runner->scale(dialog->group(), dialog->instances()); });
    Q_EMIT dialogReady(dialog);
}

// The plan first (a dry run), then the question; applying is a second command.
void OperationActions::updateConfig()
{
    if (m_updateConfig->isEnabled())
        m_runner->planUpdate();
}

void OperationActions::confirmUpdate(const QStringList &plan)
{
    auto *dialog = new UpdatePlanDialog(plan, m_dialogParent);
    connect(dialog, &QDialog::accepted, m_runner, [this] { m_runner->applyUpdate(); });
    Q_EMIT dialogReady(dialog);
}
