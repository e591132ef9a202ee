// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "actiontracker.h"
#include "clusterhistory.h"
#include "clustermonitor.h"
#include "connectiondialog.h"
#include "emptystatewidget.h"
#include "exitcodedialog.h"
#include "format.h"
#include "hostfeeds.h"
#include "messagecollector.h"
#include "messagelogmodel.h"
#include "messagelogview.h"
#include "operationactions.h"
#include "operationrunner.h"
#include "outputfeed.h"
#include "outputview.h"
#include "processdetails.h"
#include "processtreemodel.h"
#include "processtreeview.h"
#include "reloadprogress.h"
#include "senddialog.h"
#ifdef CLUSTR_GUI_HAVE_CHARTS
#include "chartspanel.h"
#endif

#include <ClustrQt/clusterclient.h>

#include <QtCore/QSettings>
#include <QtCore/QTimer>
#include <QtGui/QAction>
#include <QtGui/QCloseEvent>
#include <QtGui/QKeySequence>
#include <QtWidgets/QApplication>
#include <QtWidgets/QDialog>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QMenuBar>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QStackedWidget>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QToolBar>
#include <QtWidgets/QTreeView>
#include <QtWidgets/QVBoxLayout>

#include <algorithm>
#include <utility>

using Severity = ActivityLog::Severity;

namespace {

QString dot(const QColor &color)
{
    return QStringLiteral("<span style=\"color:%1\">●</span> ").arg(color.name());
}

QColor stateDotColor(ClusterMonitor::State state)
{
    switch (state) {
    case ClusterMonitor::State::Running: return QColor(0x2e, 0x9d, 0x4f);
    case ClusterMonitor::State::Connecting: return QColor(0x2a, 0x7a, 0xd5);
    case ClusterMonitor::State::NoCluster:
    case ClusterMonitor::State::Gone: return QColor(0xe0, 0x8e, 0x0b);
    case ClusterMonitor::State::Unreachable: return QColor(0xd0, 0x31, 0x2d);
    case ClusterMonitor::State::Idle: break;
    }
    return QColor(0x8a, 0x8a, 0x8a);
}

} // namespace

MainWindow::MainWindow(QSettings *settings, const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_settings(settings)
    , m_monitor(new ClusterMonitor(this))
    , m_processModel(new ProcessTreeModel(this))
    , m_collector(new MessageCollector(this))
    , m_logModel(new MessageLogModel(options.logCapacity, this))
    , m_activity(new ActivityLog(2000, this))
    , m_actions(new ActionTracker(m_monitor, this))
    , m_reload(new ReloadProgress(this))
    , m_runner(new OperationRunner(m_monitor, this))
    , m_history(new ClusterHistory(this))
    , m_feeds(new HostFeeds(this))
{
    setWindowTitle(QStringLiteral("clustr-qt-gui"));
    m_monitor->setPollInterval(std::chrono::milliseconds(options.pollIntervalMs));
    m_feeds->setPollInterval(std::chrono::milliseconds(options.pollIntervalMs));
    m_collector->setMaxPending(options.logCapacity);
    createActions();
    createCentralWidget();
    createMenus();
    createStatusBar();
    wire();
    restoreLayout();
    updateState();
}

MainWindow::~MainWindow() = default;

// ---- construction ----

void MainWindow::createActions()
{
    auto make = [this](const QString &text, const QKeySequence &key, const QString &tip, auto slot) {
        auto *action = new QAction(text, this);
        action->setShortcut(key);
        action->setToolTip(QStringLiteral("%1 (%2)").arg(tip, key.toString(QKeySequence::NativeText)));
        action->setProperty(NormalToolTipProperty, action->toolTip()); // given back when the connection may command again
        action->setStatusTip(tip);
        connect(action, &QAction::triggered, this, slot);
        return action;
    };
    m_connectAction = make(QStringLiteral("&Connection…"), QKeySequence(Qt::CTRL | Qt::Key_Comma),
                           QStringLiteral("Where to find the cluster"), &MainWindow::openConnectionDialog);
    m_refreshAction = make(QStringLiteral("Re&fresh"), QKeySequence(Qt::Key_F5), QStringLiteral("Read the cluster's status now"),
                           [this] { m_monitor->refresh(); });
    m_sendAction = make(QStringLiteral("&Send message…"), QKeySequence(Qt::CTRL | Qt::Key_M),
                        QStringLiteral("Send a public, group or private message"), &MainWindow::openSendDialog);
    m_killAction = make(QStringLiteral("&Kill process…"), QKeySequence(Qt::CTRL | Qt::Key_K),
                        QStringLiteral("Kill the selected process with an exit code"), &MainWindow::openKillDialog);
    m_reloadAction = make(QStringLiteral("&Reload cluster"), QKeySequence(Qt::CTRL | Qt::Key_R),
                          QStringLiteral("Replace every worker, one at a time or as each group's maxUnavailable and maxSurge allow"), &MainWindow::reloadCluster);
    m_stopAction = make(QStringLiteral("S&top cluster…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K),
                        QStringLiteral("Stop the whole cluster"), &MainWindow::openStopDialog);
    m_quitAction = make(QStringLiteral("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), QStringLiteral("Close the monitor"), &QWidget::close);
    m_sendAction->setObjectName(QStringLiteral("sendAction"));
    m_killAction->setObjectName(QStringLiteral("killAction"));
    m_reloadAction->setObjectName(QStringLiteral("reloadAction"));
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
}

void MainWindow::createCentralWidget()
{
    m_processView = new ProcessTreeView(m_processModel, this);
    m_details = new ProcessDetails(m_processModel, m_logModel, this);
    m_logView = new MessageLogView(m_logModel, this);
    m_outputView = new OutputView(new OutputFeed(m_monitor, this), this);
    m_operations = new OperationActions(m_monitor, m_processModel, m_processView, m_runner, this);

    addProcessActions();
    createBottomTabs();

    m_horizontal = new QSplitter(Qt::Horizontal, this);
    m_horizontal->addWidget(m_processView);
    m_horizontal->addWidget(m_details);
    m_horizontal->setStretchFactor(0, 3);
    m_horizontal->setStretchFactor(1, 2);
    m_vertical = new QSplitter(Qt::Vertical, this);
    m_vertical->addWidget(m_horizontal);
    m_vertical->addWidget(m_tabs);
    m_vertical->setStretchFactor(0, 3);
    m_vertical->setStretchFactor(1, 2);

    m_goneBanner = new QLabel(this);
    m_goneBanner->setObjectName(QStringLiteral("goneBanner"));
    m_goneBanner->setWordWrap(true);
    m_goneBanner->setStyleSheet(QStringLiteral("QLabel { background: #fff3cd; color: #664d03; border: 1px solid #ffe69c;"
                                               " border-radius: 3px; padding: 6px; }"));
    m_goneBanner->hide();

    auto *page = new QWidget(this);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(6, 6, 6, 0);
    layout->addWidget(m_goneBanner);
    layout->addWidget(m_vertical, 1);

    m_emptyState = new EmptyStateWidget(this);
    connect(m_emptyState, &EmptyStateWidget::settingsRequested, this, &MainWindow::openConnectionDialog);

    m_stack = new QStackedWidget(this);
    m_stack->addWidget(m_emptyState);
    m_stack->addWidget(page);
    setCentralWidget(m_stack);

    createToolBar();
}

// Kill from the tree: Delete, or the context menu.
void MainWindow::addProcessActions()
{
    auto *killHere = new QAction(QStringLiteral("Kill…"), m_processView->treeView());
    killHere->setShortcut(QKeySequence::Delete);
    killHere->setShortcutContext(Qt::WidgetShortcut);
    connect(killHere, &QAction::triggered, this, &MainWindow::openKillDialog);
    auto *sendHere = new QAction(QStringLiteral("Send message…"), m_processView->treeView());
    connect(sendHere, &QAction::triggered, this, &MainWindow::openSendDialog);
    auto *logHere = new QAction(QStringLiteral("Show its messages in the log"), m_processView->treeView());
    connect(logHere, &QAction::triggered, this, [this] {
        const qint64 key = m_processView->selectedKey();
        if (key > 0) {
            m_logView->filterByPid(key);
            showTab(QStringLiteral("messages"));
        } else if (!m_processView->selectedGroup().isEmpty()) {
            m_logView->filterByGroup(m_processView->selectedGroup());
            showTab(QStringLiteral("messages"));
        }
    });
    auto *outputHere = new QAction(QStringLiteral("Show its output"), m_processView->treeView());
    connect(outputHere, &QAction::triggered, this, [this] {
        m_outputView->setSelectedOnly(true);
        showTab(QStringLiteral("output"));
    });
    m_processView->treeView()->addActions({sendHere, killHere, logHere, outputHere});
    auto *separator = new QAction(m_processView->treeView());
    separator->setSeparator(true);
    m_processView->treeView()->addAction(separator);
    m_processView->treeView()->addActions(m_operations->selectionActions());
}

void MainWindow::createBottomTabs()
{
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("bottomTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_logView, QStringLiteral("&Messages"));
    m_tabs->addTab(m_outputView, QStringLiteral("&Output"));
#ifdef CLUSTR_GUI_HAVE_CHARTS
    m_tabs->addTab(new ChartsPanel(m_history, this), QStringLiteral("C&harts"));
#endif
    auto *activityView = new QTreeView(this);
    activityView->setObjectName(QStringLiteral("activityView"));
    activityView->setModel(m_activity);
    activityView->setRootIsDecorated(false);
    activityView->setUniformRowHeights(true);
    activityView->setAlternatingRowColors(true);
    activityView->setColumnWidth(ActivityLog::TimeColumn, 100);
    connect(m_activity, &QAbstractItemModel::rowsInserted, activityView, &QTreeView::scrollToBottom);
    m_tabs->addTab(activityView, QStringLiteral("&Activity"));
}

void MainWindow::createToolBar()
{
    auto *toolBar = addToolBar(QStringLiteral("Cluster"));
    toolBar->setObjectName(QStringLiteral("clusterToolBar"));
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolBar->addAction(m_connectAction);
    toolBar->addAction(m_refreshAction);
    toolBar->addSeparator();
    toolBar->addAction(m_sendAction);
    toolBar->addAction(m_killAction);
    toolBar->addAction(m_reloadAction);
    toolBar->addAction(m_stopAction);
    toolBar->addSeparator();
    toolBar->addAction(m_logView->pauseAction());
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(QStringLiteral("&File"));
    file->addAction(m_connectAction);
    file->addAction(m_logView->exportAction());
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *cluster = menuBar()->addMenu(QStringLiteral("&Cluster"));
    cluster->addAction(m_refreshAction);
    cluster->addSeparator();
    cluster->addAction(m_sendAction);
    cluster->addAction(m_killAction);
    cluster->addAction(m_reloadAction);
    cluster->addAction(m_operations->restartClusterAction());
    cluster->addAction(m_operations->updateConfigAction());
    cluster->addAction(m_stopAction);
    cluster->addSeparator();
    cluster->addActions(m_operations->selectionActions());

    QMenu *log = menuBar()->addMenu(QStringLiteral("&Log"));
    log->addAction(m_logView->pauseAction());
    log->addAction(m_logView->clearAction());
    log->addAction(m_logView->exportAction());
    auto *findLog = log->addAction(QStringLiteral("Filter messages"), this, [this] {
        showTab(QStringLiteral("messages"));
        m_logView->focusTextFilter();
    });
    findLog->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    auto *findProcess = log->addAction(QStringLiteral("Filter processes"), this, [this] {
        m_processView->filterEdit()->setFocus();
        m_processView->filterEdit()->selectAll();
    });
    findProcess->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));

    QMenu *view = menuBar()->addMenu(QStringLiteral("&View"));
    const QStringList tabs{QStringLiteral("messages"), QStringLiteral("output"), QStringLiteral("charts"), QStringLiteral("activity")};
    int number = 1;
    for (const QString &tab : tabs) {
#ifndef CLUSTR_GUI_HAVE_CHARTS
        if (tab == QLatin1String("charts"))
            continue;
#endif
        QAction *a = view->addAction(tab.at(0).toUpper() + tab.mid(1), this, [this, tab] { showTab(tab); });
        a->setShortcut(QKeySequence(Qt::ALT | Qt::Key(Qt::Key_0 + number++)));
    }

    QMenu *help = menuBar()->addMenu(QStringLiteral("&Help"));
    QAction *keys = help->addAction(QStringLiteral("Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    keys->setShortcut(QKeySequence(Qt::Key_F1));
}

void MainWindow::createStatusBar()
{
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_connectionLabel->setTextFormat(Qt::RichText);
    m_rateLabel = new QLabel(this);
    m_rateLabel->setObjectName(QStringLiteral("rateLabel"));
    // The text beside the bar, not on it: drawn over the fill, styles make it unreadable.
    m_progress = new QWidget(this);
    m_reloadBar = new QProgressBar(m_progress);
    m_reloadBar->setObjectName(QStringLiteral("reloadBar"));
    m_reloadBar->setRange(0, 100);
    m_reloadBar->setFixedWidth(120);
    m_reloadBar->setTextVisible(false);
    m_reloadLabel = new QLabel(m_progress);
    m_reloadLabel->setObjectName(QStringLiteral("reloadLabel"));
    auto *progressLayout = new QHBoxLayout(m_progress);
    progressLayout->setContentsMargins(0, 0, 6, 0);
    progressLayout->addWidget(m_reloadBar);
    progressLayout->addWidget(m_reloadLabel);
    m_progress->hide();
    statusBar()->addPermanentWidget(m_progress);
    m_readOnlyLabel = new QLabel(QStringLiteral("Read-only"), this);
    m_readOnlyLabel->setObjectName(QStringLiteral("readOnlyLabel"));
    m_readOnlyLabel->hide();
    statusBar()->addPermanentWidget(m_rateLabel);
    statusBar()->addPermanentWidget(m_readOnlyLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
}

void MainWindow::wire()
{
    wireConnection();
    wireClusterData();
    wireReloadBar();
    wireOperations();
    wireSelection();
}

void MainWindow::wireConnection()
{
    // The connection.
    connect(m_monitor, &ClusterMonitor::stateChanged, this, &MainWindow::updateState);
    connect(m_monitor, &ClusterMonitor::clientChanged, m_reload, &ReloadProgress::setClient);
    connect(m_monitor, &ClusterMonitor::reconnected, this, [this] {
        m_processModel->clear();
        m_processModel->setCurrentHost(m_monitor->host());
        m_hostPending.clear();
        m_feeds->clear();
        m_masterPids.clear();
        m_history->clear();
        m_activity->add(Severity::Info, QStringLiteral("Connecting to %1 (%2)").arg(m_monitor->redisUrl(), m_monitor->settings().describe()));
        updateState();
    });
    // Across hosts, the monitor moved to the host of the selection: every host stays shown.
    connect(m_monitor, &ClusterMonitor::hostSwitched, this, [this](const QString &host) {
        m_processModel->setCurrentHost(host);
        m_processView->expandHost(host); // the followed host is always shown open
        m_history->clear(); // the charts are of the host followed
        m_activity->add(Severity::Info, QStringLiteral("Following host %1: the actions go to its master").arg(host));
        updateFeeds();
        updateState();
    });
    // A monitor's Redis user: everything is shown, nothing can be commanded.
    connect(m_monitor, &ClusterMonitor::readOnlyChanged, this, [this](bool readOnly) {
        if (readOnly)
            m_activity->add(Severity::Warning, QStringLiteral("Read-only: %1").arg(m_monitor->readOnlyReason()));
        updateActions();
    });
    connect(m_monitor, &ClusterMonitor::clientChanged, this, &MainWindow::updateActions);
    // The hosts of a cluster across hosts: a row each in the tree, the lost ones marked.
    connect(m_monitor, &ClusterMonitor::hostsChanged, this, [this](const QList<Clustr::ClusterHost> &hosts) {
        m_processModel->setCurrentHost(m_hostPending.isEmpty() ? m_monitor->host() : m_hostPending);
        m_processModel->setHosts(hosts);
        reportHostChanges(hosts);
        if (!m_hostWanted.isEmpty() && m_processModel->indexOfHost(m_hostWanted).isValid()) {
            // --host NAME (or the connection's host): that host open and selected.
            const QString host = std::exchange(m_hostWanted, QString());
            m_processView->expandHost(host);
            if (m_processView->selectedHost().isEmpty())
                m_processView->selectOn(host, 0);
        }
        updateFeeds();
        updateState();
    });
    connect(m_processView, &ProcessTreeView::expandedHostsChanged, this, &MainWindow::updateFeeds);
    connect(m_monitor, &ClusterMonitor::errorOccurred, this, [this](const QString &text) {
        if (text == m_lastError)
            return; // a Redis that stays away reports the same error at every retry
        m_lastError = text;
        m_activity->add(Severity::Warning, text);
    });
}

// What the cluster says: its status, its events, its messages, and what came of our actions.
void MainWindow::wireClusterData()
{
    // The status snapshot, once a second.
    connect(m_monitor, &ClusterMonitor::statusUpdated, this, [this](const Clustr::ClusterStatus &status) {
        m_processModel->applyStatus(m_monitor->host(), status);
        forgetEarlierCluster(m_monitor->host(), status.master().pid());
        m_history->addStatus(status);
        m_logView->setKnownGroups(m_processModel->groups());
        if (!m_selectWanted.isEmpty()) {
            const QList<qint64> keys = m_processModel->keys(m_selectWanted);
            if (!keys.isEmpty() && m_processView->selectKey(keys.constFirst()))
                m_selectWanted.clear();
        }
        updateState();
    });

    // Lifecycle events, as they happen.
    connect(m_monitor, &ClusterMonitor::eventReceived, this,
            [this](const Clustr::ClusterEvent &event) { m_processModel->applyEvent(m_monitor->host(), event); });
    // The other hosts whose rows are open: the tree only.
    connect(m_feeds, &HostFeeds::statusUpdated, this, [this](const QString &host, const Clustr::ClusterStatus &status) {
        if (host == m_monitor->host())
            return; // a feed not closed yet: the monitor's client speaks for this host
        m_processModel->applyStatus(host, status);
        forgetEarlierCluster(host, status.master().pid());
    });
    connect(m_feeds, &HostFeeds::eventReceived, this, [this](const QString &host, const Clustr::ClusterEvent &event) {
        if (host != m_monitor->host())
            m_processModel->applyEvent(host, event);
    });
    connect(m_monitor, &ClusterMonitor::eventReceived, m_activity, &ActivityLog::addEvent);
    connect(m_monitor, &ClusterMonitor::eventReceived, m_actions, &ActionTracker::observeEvent);
    connect(m_monitor, &ClusterMonitor::eventReceived, m_history, &ClusterHistory::addEvent);

    // Messages: collected, then handed on in batches.
    connect(m_monitor, &ClusterMonitor::messageObserved, m_collector, &MessageCollector::collect);
    connect(m_monitor, &ClusterMonitor::messageObserved, m_history, &ClusterHistory::countMessage);
    connect(m_collector, &MessageCollector::droppedChanged, m_logView, &MessageLogView::setDroppedCount);
    connect(m_collector, &MessageCollector::batchReady, m_logModel, &MessageLogModel::appendBatch);
    connect(m_collector, &MessageCollector::batchReady, m_details, &ProcessDetails::addBatch);
    connect(m_collector, &MessageCollector::batchReady, m_actions, &ActionTracker::observeBatch);
    connect(m_history, &ClusterHistory::sampled, this, &MainWindow::updateRate);

    // Outcomes.
    connect(m_actions, &ActionTracker::outcome, this, &MainWindow::showOutcome);
    connect(m_logView, &MessageLogView::report, this, [this](const QString &text, bool ok) {
        showOutcome(ok ? Severity::Success : Severity::Warning, text);
    });
}

void MainWindow::wireReloadBar()
{
    // The reload's progress bar. A restart runs as a reload: while one of
    // ours runs, its own texts (wireOperations) speak for it.
    connect(m_reload, &ReloadProgress::started, this, [this] {
        if (!barShowsOperation())
            showProgress(0, QStringLiteral("Reload 0%"));
    });
    connect(m_reload, &ReloadProgress::progressChanged, this, [this](int percent, const QString &text) {
        if (barShowsOperation())
            return;
        showProgress(percent, QStringLiteral("Reload %1%").arg(percent));
        m_reloadBar->setToolTip(text);
        statusBar()->showMessage(text, 10000);
    });
    connect(m_reload, &ReloadProgress::finished, this, [this](bool ok, const QString &text) {
        if (!barShowsOperation()) {
            showOutcome(ok ? Severity::Success : Severity::Warning, text);
            hideProgressLater();
        }
        updateActions();
        followPendingHost();
    });
}

void MainWindow::wireOperations()
{
    connect(m_operations, &OperationActions::dialogReady, this, &MainWindow::openDialog);
    connect(m_runner, &OperationRunner::outcome, this, &MainWindow::showOutcome);
    connect(m_runner, &OperationRunner::started, this, &MainWindow::updateActions);
    connect(m_runner, &OperationRunner::progressChanged, this, [this](int percent, const QString &text) {
        showProgress(percent, text);
        m_reloadBar->setToolTip(text);
    });
    connect(m_runner, &OperationRunner::finished, this, [this](bool, const QString &text) {
        showProgress(m_reloadBar->value(), text);
        hideProgressLater();
        updateActions();
        followPendingHost();
    });
}

bool MainWindow::barShowsOperation() const
{
    // Waiting behind someone else's reload, ours leaves the bar to it.
    return m_runner->isRunning() || (m_runner->isActive() && m_runner->operation() != Clustr::ReloadJob::Operation::Restart);
}

void MainWindow::showProgress(int percent, const QString &text)
{
    m_reloadBar->setValue(percent);
    m_reloadLabel->setText(text);
    m_progress->show();
}

void MainWindow::hideProgressLater()
{
    // Left at its last value for a moment, so the end is seen.
    QTimer::singleShot(5000, m_progress, [this] {
        if (!m_reload->isActive() && !m_runner->isActive())
            m_progress->hide();
    });
}

void MainWindow::wireSelection()
{
    // Selection.
    connect(m_processView, &ProcessTreeView::currentProcessChanged, this, [this](qint64 key) {
        // Across hosts, what is selected is acted on where it is.
        const QString before = m_processModel->currentHost();
        const QString host = m_processView->selectedHost();
        if (!host.isEmpty() && host != m_monitor->host()) {
            followHost(host);
        } else if (!host.isEmpty() && !m_hostPending.isEmpty()) {
            m_hostPending.clear(); // back on the followed host before it was left
            m_processModel->setCurrentHost(host);
        }
        const bool otherHost = m_processModel->currentHost() != before;
        // Nothing selected because the selected process went away: the
        // details keep showing it, marked gone.
        if (key != 0 || otherHost || m_processModel->process(m_details->key()))
            m_details->showProcess(key);
        // A process: its lines; a group: those of its processes.
        QSet<qint64> pids;
        const QString group = m_processView->selectedGroup();
        if (const auto process = key != 0 ? m_processModel->process(key) : std::nullopt) {
            pids.insert(process->pid > 0 ? process->pid : process->lastPid);
        } else {
            for (qint64 member : m_processModel->keys(group))
                pids.insert(member);
        }
        m_outputView->setSelection(key != 0 ? QString() : group, pids);
        updateActions();
    });
    connect(m_processView, &ProcessTreeView::activated, this, [this](qint64 key) { m_logView->filterByPid(key); });}

// ---- state ----

bool MainWindow::isShowingEmptyState() const
{
    return m_stack->currentWidget() == m_emptyState;
}

void MainWindow::updateState()
{
    using State = ClusterMonitor::State;
    const State state = m_monitor->state();
    const bool running = state == State::Running;
    // Nothing of a cluster left to show (never seen, or the Redis it was on
    // is gone and discovery moved on): say how to start one.
    // Across hosts the tree stays while the monitor moves to another host
    // (connecting anew) or the host it follows is lost: the others are shown live.
    const bool acrossHosts = m_processModel->isAcrossHosts();
    const bool showEmpty = !running && (acrossHosts ? m_processModel->rowCount() == 0
                                                    : !m_monitor->hasSeenCluster() || m_processModel->rowCount() == 0);
    m_stack->setCurrentWidget(showEmpty ? static_cast<QWidget *>(m_emptyState) : m_stack->widget(1));
    if (showEmpty)
        m_emptyState->update(*m_monitor);

    const bool stale = acrossHosts ? state == State::Unreachable : !running && m_monitor->hasSeenCluster();
    const bool followedLost = acrossHosts && !running && m_processModel->isHostLost(m_monitor->host());
    m_processModel->setStale(stale);
    if (stale)
        m_goneBanner->setText(goneText());
    else if (followedLost)
        m_goneBanner->setText(QStringLiteral("Host %1 is lost: its master stopped announcing itself without stopping. Its processes are "
                                             "shown as last seen; the other hosts are shown live, select one of them to act on it.")
                                  .arg(m_monitor->host()));
    m_goneBanner->setVisible((stale || followedLost) && !showEmpty);
    if (!running)
        m_reload->abandon();

    QString text = m_monitor->stateText();
    if (running) {
        const int processes = m_processModel->processCount();
        text = QStringLiteral("%1 processes · %2").arg(processes).arg(text);
    }
    m_connectionLabel->setText(dot(stateDotColor(state)) + text.toHtmlEscaped());
    m_connectionLabel->setToolTip(m_monitor->discoveryTrail().join(QLatin1Char('\n')));

    // The name the master announces (its file's name, else the file's base name), as the CLI shows it.
    const QString announced = m_monitor->status().master().name();
    const QString name = !announced.isEmpty() ? announced
        : m_monitor->clusterName().isEmpty()  ? QStringLiteral("unnamed cluster")
                                              : m_monitor->clusterName();
    const QString where = m_monitor->host().isEmpty() ? QString() : QStringLiteral(" on %1").arg(m_monitor->host());
    setWindowTitle(running ? QStringLiteral("%1%2 (master %3) — clustr-qt-gui").arg(name, where).arg(m_monitor->masterPid())
                           : QStringLiteral("%1 (%2) — clustr-qt-gui").arg(name, ClusterMonitor::stateName(state)));
    updateActions();
}

QString MainWindow::goneText() const
{
    const QString when = m_monitor->goneSince().isValid() ? m_monitor->goneSince().toString(QStringLiteral("HH:mm:ss"))
                                                          : QStringLiteral("a moment ago");
    // The Redis the cluster ran on, not the one discovery looks at now.
    const QString clusterRedis = m_monitor->clusterRedisUrl().isEmpty() ? m_monitor->redisUrl() : m_monitor->clusterRedisUrl();
    const QString looking = clusterRedis == m_monitor->redisUrl() ? QString()
                                                                  : QStringLiteral(" Looking for it on %1.").arg(m_monitor->redisUrl());
    const QString howToStart = QStringLiteral(" Start it again with clustr-qt run CLUSTER.json (or scripts/run for the demo).");
    if (m_monitor->state() == ClusterMonitor::State::Unreachable && looking.isEmpty())
        return QStringLiteral("Redis (%1) went away at %2: showing the cluster as it was last seen. Reconnecting…").arg(clusterRedis, when);
    return QStringLiteral("The cluster on %1 went away at %2: showing it as it was last seen.%3 It comes back here by itself when it runs again.%4")
        .arg(clusterRedis, when, looking, howToStart);
}

void MainWindow::forgetEarlierCluster(const QString &host, qint64 masterPid)
{
    if (masterPid <= 0 || masterPid == m_masterPids.value(host))
        return;
    const bool another = m_masterPids.contains(host);
    m_masterPids.insert(host, masterPid);
    // A gone process stays in the details while its cluster (host) is the one
    // shown, not after; and what was selected in that cluster means nothing in this one.
    if (another && m_processView->selectedHost() == host) {
        m_processView->clearSelection();
        m_details->showProcess(0);
    }
}

void MainWindow::followHost(const QString &host)
{
    // From now on every lookup by pid is on that host (the details show its process).
    m_processModel->setCurrentHost(host);
    // A command or reload under way is followed to its end through the
    // monitor's connection: moving it elsewhere would cut its progress off.
    // Until it ends, nothing is acted on on the selection's host (see selectionIsFollowed()).
    if (m_runner->isActive() || m_reload->isActive()) {
        if (m_hostPending != host)
            showOutcome(Severity::Info, QStringLiteral("Host %1 is followed once the %2 on host %3 ends")
                                            .arg(host, m_runner->isActive() ? m_runner->description() : QStringLiteral("reload"), m_monitor->host()));
        m_hostPending = host;
        return;
    }
    m_hostPending.clear();
    // Queued: the monitor's client is replaced, and this may run inside one
    // of its signals (a command's end, a status) or of a job it owns.
    QMetaObject::invokeMethod(this, [this, host] {
        if (m_processModel->currentHost() == host && m_hostPending.isEmpty()) // the selection did not move on meanwhile
            m_monitor->setHost(host);
    }, Qt::QueuedConnection);
}

void MainWindow::followPendingHost()
{
    if (m_hostPending.isEmpty() || m_runner->isActive() || m_reload->isActive())
        return;
    const QString host = std::exchange(m_hostPending, QString());
    if (m_processView->selectedHost() == host) // still where the selection is
        followHost(host);
    else
        m_processModel->setCurrentHost(m_monitor->host());
}

bool MainWindow::selectionIsFollowed()
{
    const QString host = m_processView->selectedHost();
    if (host.isEmpty() || host == m_monitor->host())
        return true;
    // A selection made a moment ago on another host: the monitor follows it at once, acting waits for it.
    followHost(host);
    showOutcome(Severity::Warning, m_hostPending.isEmpty()
                                       ? QStringLiteral("Connecting to host %1: try again in a moment").arg(host)
                                       : QStringLiteral("Host %1 is followed once the command on host %2 ends: try again then").arg(host, m_monitor->host()));
    return false;
}

void MainWindow::updateFeeds()
{
    // Not before the monitor follows a host: it is about to follow the first running one.
    if (!m_processModel->isAcrossHosts() || m_monitor->host().isEmpty()) {
        m_feeds->clear();
        return;
    }
    m_feeds->setCluster(m_monitor->redisUrl(), m_monitor->settings().clusterNamespace());
    QSet<QString> wanted;
    for (const QString &host : m_processView->expandedHosts()) {
        if (host != m_monitor->host() && !m_processModel->isHostLost(host))
            wanted.insert(host);
    }
    m_feeds->setHosts(wanted);
}

void MainWindow::reportHostChanges(const QList<Clustr::ClusterHost> &hosts)
{
    QSet<QString> lost;
    for (const Clustr::ClusterHost &host : hosts) {
        if (!host.lost)
            continue;
        lost.insert(host.name);
        if (!m_lostHosts.contains(host.name))
            m_activity->add(Severity::Warning, QStringLiteral("Host %1 is lost: its master stopped announcing itself without stopping").arg(host.name));
    }
    for (const QString &name : std::as_const(m_lostHosts)) {
        const bool listed = std::any_of(hosts.cbegin(), hosts.cend(), [&name](const Clustr::ClusterHost &h) { return h.name == name; });
        if (listed && !lost.contains(name))
            m_activity->add(Severity::Success, QStringLiteral("Host %1 rejoined").arg(name));
    }
    m_lostHosts = lost;
}

void MainWindow::updateActions()
{
    const bool readOnly = m_monitor->isReadOnly();
    const bool running = m_monitor->isRunning() && !readOnly;
    const qint64 key = m_processView ? m_processView->selectedKey() : 0;
    // Across hosts the cluster-wide actions are the followed host's (the
    // selection's): a host is what one master reloads or stops, and acting on
    // every host at once from a click is what the CLI's `reload` is for.
    const QString host = m_monitor->host();
    m_reloadAction->setText(host.isEmpty() ? QStringLiteral("&Reload cluster") : QStringLiteral("&Reload host %1").arg(host));
    m_stopAction->setText(host.isEmpty() ? QStringLiteral("S&top cluster…") : QStringLiteral("S&top host %1…").arg(host));
    const QString stopTip = host.isEmpty() ? QStringLiteral("Stop the whole cluster") : QStringLiteral("Stop host %1: its master and its processes").arg(host);
    m_stopAction->setProperty(NormalToolTipProperty, QStringLiteral("%1 (%2)").arg(stopTip, m_stopAction->shortcut().toString(QKeySequence::NativeText)));
    // A process of a host not followed yet has no master to ask.
    const QString selectedHost = m_processView ? m_processView->selectedHost() : QString();
    const bool followed = selectedHost.isEmpty() || selectedHost == host;
    m_sendAction->setEnabled(running);
    m_killAction->setEnabled(running && key > 0 && followed);
    m_reloadAction->setEnabled(running && !m_reload->isActive());
    m_stopAction->setEnabled(running);
    // Greyed out for a reason the user can read where they point.
    const QString why = QStringLiteral("Not allowed: %1").arg(m_monitor->readOnlyReason());
    for (QAction *action : {m_sendAction, m_killAction, m_reloadAction, m_stopAction})
        action->setToolTip(readOnly ? why : action->property(NormalToolTipProperty).toString());
    m_readOnlyLabel->setVisible(readOnly);
    m_readOnlyLabel->setToolTip(readOnly ? m_monitor->readOnlyReason() : QString());
    if (m_operations)
        m_operations->update();
}

bool MainWindow::refusedAsReadOnly()
{
    if (!m_monitor->isReadOnly())
        return false;
    showOutcome(Severity::Warning, QStringLiteral("Read-only: %1").arg(m_monitor->readOnlyReason()));
    return true;
}

void MainWindow::updateRate()
{
    m_rateLabel->setText(QStringLiteral("%1 msg/s · %2 seen").arg(m_history->currentRate(), 0, 'f', 0).arg(Format::count(qint64(m_collector->received()))));
}

void MainWindow::showOutcome(Severity severity, const QString &text)
{
    m_activity->add(severity, text);
    statusBar()->showMessage(text, severity == Severity::Info ? 5000 : 10000);
}

// ---- actions ----

void MainWindow::openDialog(QDialog *dialog)
{
    // open(), not exec(): no nested event loop, the window keeps updating behind.
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_dialog = dialog;
    dialog->open();
}

void MainWindow::openSendDialog()
{
    if (refusedAsReadOnly() || !selectionIsFollowed())
        return;
    if (!m_monitor->isRunning()) {
        showOutcome(Severity::Warning, QStringLiteral("No cluster to send to"));
        return;
    }
    const qint64 key = m_processView->selectedKey();
    auto *dialog = new SendDialog(m_processModel->groups(), m_processView->selectedGroup(), key > 0 ? key : 0, this);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_actions->sendMessage(dialog->target(), dialog->group(), dialog->pid(), dialog->dataJson());
    });
    openDialog(dialog);
}

void MainWindow::openKillDialog()
{
    if (refusedAsReadOnly() || !selectionIsFollowed())
        return;
    const qint64 key = m_processView->selectedKey();
    const auto process = key > 0 ? m_processModel->process(key) : std::nullopt;
    if (!process) {
        showOutcome(Severity::Warning, QStringLiteral("Select a running process to kill"));
        return;
    }
    QString who = QStringLiteral("%1 %2").arg(process->group).arg(process->pid);
    if (!m_monitor->host().isEmpty())
        who += QStringLiteral(" on %1").arg(m_monitor->host());
    const QString question = process->isMaster
        ? (m_monitor->host().isEmpty() ? QStringLiteral("Kill the master %1? That ends the whole cluster.").arg(process->pid)
                                       : QStringLiteral("Kill the master %1? That ends host %2's part of the cluster; the other hosts run on.")
                                             .arg(process->pid).arg(m_monitor->host()))
        : QStringLiteral("Kill %1? It runs its kill handler, leaves the cluster and exits with this code.").arg(who);
    auto *dialog = new ExitCodeDialog(QStringLiteral("Kill %1").arg(who), question,
                                      QStringLiteral("1: its parent respawns it (a fresh start). 0: it stays down."),
                                      process->isMaster ? 0 : 1, QStringLiteral("Kill"), this);
    const qint64 pid = process->pid;
    const QString group = process->group;
    connect(dialog, &QDialog::accepted, this, [this, dialog, pid, group] { m_actions->kill(pid, group, dialog->exitCode()); });
    openDialog(dialog);
}

void MainWindow::openStopDialog()
{
    if (refusedAsReadOnly())
        return;
    if (!m_monitor->isRunning()) {
        showOutcome(Severity::Warning, QStringLiteral("No cluster to stop"));
        return;
    }
    const bool acrossHosts = !m_monitor->host().isEmpty();
    const QString others = acrossHosts ? QStringLiteral(" The other hosts run on (clustr-qt stop stops them all).") : QString();
    auto *dialog = new ExitCodeDialog(
        acrossHosts ? QStringLiteral("Stop host %1").arg(m_monitor->host()) : QStringLiteral("Stop the cluster"),
        QStringLiteral("Stop %1? Master %2 kills all %3 processes and exits.%4")
            .arg(m_monitor->targetName()).arg(m_monitor->masterPid()).arg(m_processModel->processCount()).arg(others),
        QStringLiteral("The master's exit code (15, like SIGTERM, by default)."), 15,
        acrossHosts ? QStringLiteral("Stop host") : QStringLiteral("Stop cluster"), this);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_actions->stop(dialog->exitCode()); });
    openDialog(dialog);
}

void MainWindow::reloadCluster()
{
    if (refusedAsReadOnly())
        return;
    if (m_actions->reload())
        updateActions();
}

void MainWindow::openConnectionDialog()
{
    auto *dialog = new ConnectionDialog(m_monitor->settings(), this);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { connectTo(dialog->settings(), true); });
    openDialog(dialog);
}

void MainWindow::showShortcuts()
{
    QStringList rows;
    for (QAction *action : {m_connectAction, m_refreshAction, m_sendAction, m_killAction, m_reloadAction,
                            m_operations->restartClusterAction(), m_operations->restartProcessAction(), m_stopAction,
                            m_logView->pauseAction(), m_logView->copyAction(), m_logView->exportAction(), m_logView->clearAction(),
                            m_quitAction}) {
        rows.append(QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>")
                        .arg(action->shortcut().toString(QKeySequence::NativeText), QString(action->text()).remove(QLatin1Char('&'))));
    }
    rows.append(QStringLiteral("<tr><td><b>Del</b></td><td>Kill the selected process (in the tree)</td></tr>"));
    rows.append(QStringLiteral("<tr><td><b>Right-click</b></td><td>In the tree: restart the process or its group; stop, start "
                               "or scale the group (also in the Cluster menu)</td></tr>"));
    rows.append(QStringLiteral("<tr><td><b>Ctrl+F / Ctrl+Shift+F</b></td><td>Filter messages / processes</td></tr>"));
    rows.append(QStringLiteral("<tr><td><b>Alt+1 … Alt+4</b></td><td>Messages, output, charts, activity</td></tr>"));
    rows.append(QStringLiteral("<tr><td><b>Enter</b></td><td>Show the selected process' messages in the log</td></tr>"));
    auto *box = new QMessageBox(QMessageBox::NoIcon, QStringLiteral("Keyboard shortcuts"),
                                QStringLiteral("<table cellpadding=\"3\">%1</table>").arg(rows.join(QString())), QMessageBox::Close, this);
    openDialog(box);
}

// ---- connection, tabs, layout ----

void MainWindow::connectTo(const ConnectionSettings &settings, bool remember)
{
    if (remember && m_settings)
        settings.save(*m_settings);
    m_lastError.clear();
    m_hostWanted = settings.host;
    m_monitor->connectTo(settings);
    updateState();
}

bool MainWindow::showTab(const QString &name)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (QString(m_tabs->tabText(i)).remove(QLatin1Char('&')).compare(name, Qt::CaseInsensitive) == 0) {
            m_tabs->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

void MainWindow::selectFirstOf(const QString &group)
{
    m_selectWanted = group;
}

void MainWindow::restoreLayout()
{
    resize(1320, 840);
    m_horizontal->setSizes({860, 460});
    m_vertical->setSizes({500, 320});
    if (!m_settings)
        return;
    restoreGeometry(m_settings->value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(m_settings->value(QStringLiteral("window/state")).toByteArray());
    m_horizontal->restoreState(m_settings->value(QStringLiteral("window/horizontal")).toByteArray());
    m_vertical->restoreState(m_settings->value(QStringLiteral("window/vertical")).toByteArray());
}

void MainWindow::saveLayout()
{
    if (!m_settings)
        return;
    m_settings->setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("window/state"), saveState());
    m_settings->setValue(QStringLiteral("window/horizontal"), m_horizontal->saveState());
    m_settings->setValue(QStringLiteral("window/vertical"), m_vertical->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    event->accept();
}
