// SPDX-License-Identifier: MIT
#pragma once

#include "activitylog.h"
#include "connectionsettings.h"

#include <ClustrQt/clusterstatus.h>

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtWidgets/QDialog>
#include <QtWidgets/QMainWindow>

class ActionTracker;
class ClusterHistory;
class ClusterMonitor;
class EmptyStateWidget;
class HostFeeds;
class MessageCollector;
class MessageLogModel;
class MessageLogView;
class OperationActions;
class OperationRunner;
class OutputView;
class ProcessDetails;
class ProcessTreeModel;
class ProcessTreeView;
class QLabel;
class QProgressBar;
class QSettings;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class ReloadProgress;

struct MainWindowOptions
{
    qsizetype logCapacity = 20000; //!< messages kept in the log
    int pollIntervalMs = 1000;     //!< how often the status is read
};

/*
  The monitor's window. It owns the pieces and wires them together:
  ClusterMonitor (the connection) feeds the process tree, the details
  pane, the message log (through MessageCollector's batches), the charts
  and the activity log; the actions go out through ActionTracker, which
  reports how each one ended.

  A cluster across hosts is one tree of every host (ProcessTreeModel's host
  level). The monitor follows the host of the selection: the actions, the
  output and the charts are that host's, so a kill reaches the process of
  the host it was chosen on. The other hosts whose rows are
  open are read by HostFeeds. Every dialog is opened with open(), never
  exec(): the window never stops updating.
*/
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    using Options = MainWindowOptions;

    //! \a settings remembers the connection and the window (not owned; may be null).
    explicit MainWindow(QSettings *settings, const Options &options = Options(), QWidget *parent = nullptr);
    ~MainWindow() override;

    //! Connects to a cluster; \a remember stores the settings for the next start.
    void connectTo(const ConnectionSettings &settings, bool remember);
    //! Shows the bottom tab \a name: "messages", "charts" or "activity".
    bool showTab(const QString &name);
    //! Selects the first process of \a group once there is one.
    void selectFirstOf(const QString &group);

    ClusterMonitor *monitor() const { return m_monitor; }
    ProcessTreeModel *processModel() const { return m_processModel; }
    ProcessTreeView *processView() const { return m_processView; }
    ProcessDetails *details() const { return m_details; }
    MessageCollector *collector() const { return m_collector; }
    MessageLogModel *logModel() const { return m_logModel; }
    MessageLogView *logView() const { return m_logView; }
    OutputView *outputView() const { return m_outputView; }
    ActivityLog *activity() const { return m_activity; }
    ActionTracker *actions() const { return m_actions; }
    ReloadProgress *reloadProgress() const { return m_reload; }
    ClusterHistory *history() const { return m_history; }
    //! The progress of a reload or of a command run from here (restart, stop/start GROUP, scale).
    QProgressBar *reloadBar() const { return m_reloadBar; }
    //! What the bar is about, beside it: "Reload 50%", "Restart of group web: 1 of 2 replaced".
    QLabel *reloadLabel() const { return m_reloadLabel; }
    OperationRunner *operationRunner() const { return m_runner; }
    OperationActions *operations() const { return m_operations; }
    QLabel *connectionLabel() const { return m_connectionLabel; }
    EmptyStateWidget *emptyState() const { return m_emptyState; }
    QLabel *goneBanner() const { return m_goneBanner; }
    QLabel *readOnlyLabel() const { return m_readOnlyLabel; }
    //! The hosts of a cluster across hosts read besides the monitor's.
    HostFeeds *hostFeeds() const { return m_feeds; }
    bool isShowingEmptyState() const;
    //! The dialog opened last, while it is open.
    QDialog *activeDialog() const { return m_dialog; }

    QAction *sendAction() const { return m_sendAction; }
    QAction *killAction() const { return m_killAction; }
    QAction *reloadAction() const { return m_reloadAction; }
    QAction *stopAction() const { return m_stopAction; }
    QAction *connectAction() const { return m_connectAction; }

public Q_SLOTS:
    void openSendDialog();
    void openKillDialog();
    void openStopDialog();
    void reloadCluster();
    void openConnectionDialog();
    void showShortcuts();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createCentralWidget();
    void addProcessActions();
    void createBottomTabs();
    void createToolBar();
    void createStatusBar();
    void wire();
    void wireConnection();
    void wireClusterData();
    void wireReloadBar();
    void wireOperations();
    //! The bar shows a command of ours; the reload it runs as is not reported twice.
    bool barShowsOperation() const;
    void showProgress(int percent, const QString &text);
    void hideProgressLater();
    void wireSelection();
    void updateState();
    //! What the banner says while the cluster is out of sight.
    QString goneText() const;
    //! A new master: the details of a process of the cluster before it go.
    void forgetEarlierCluster(const QString &host, qint64 masterPid);
    //! Across hosts: the monitor follows \a host from now on (the selection is there), or once the command under way ends.
    void followHost(const QString &host);
    void followPendingHost();
    //! False (and says so) when the selection is on a host the monitor does not follow yet.
    bool selectionIsFollowed();
    //! Opens and closes HostFeeds' clients as the hosts and the open rows change.
    void updateFeeds();
    void reportHostChanges(const QList<Clustr::ClusterHost> &hosts);
    void updateActions();
    //! True (and says why) when the connection may not command the cluster.
    bool refusedAsReadOnly();
    void updateRate();
    void showOutcome(ActivityLog::Severity severity, const QString &text);
    void openDialog(QDialog *dialog);
    void restoreLayout();
    void saveLayout();

    QSettings *m_settings;
    ClusterMonitor *m_monitor;
    ProcessTreeModel *m_processModel;
    MessageCollector *m_collector;
    MessageLogModel *m_logModel;
    ActivityLog *m_activity;
    ActionTracker *m_actions;
    ReloadProgress *m_reload;
    OperationRunner *m_runner;
    OperationActions *m_operations = nullptr;
    ClusterHistory *m_history;

    QStackedWidget *m_stack = nullptr;
    EmptyStateWidget *m_emptyState = nullptr;
    QLabel *m_goneBanner = nullptr;
    QSplitter *m_vertical = nullptr;
    QSplitter *m_horizontal = nullptr;
    ProcessTreeView *m_processView = nullptr;
    ProcessDetails *m_details = nullptr;
    MessageLogView *m_logView = nullptr;
    OutputView *m_outputView = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_rateLabel = nullptr;
    QLabel *m_readOnlyLabel = nullptr;
    HostFeeds *m_feeds;
    QSet<QString> m_lostHosts;              // said once each, while they stay lost
    QString m_hostWanted;                   // the settings' host: opened and selected once it is listed
    QString m_hostPending;                  // the selection's host, followed once the command under way ends
    QWidget *m_progress = nullptr;
    QProgressBar *m_reloadBar = nullptr;
    QLabel *m_reloadLabel = nullptr;
    QPointer<QDialog> m_dialog;
    QString m_lastError;
    QString m_selectWanted;
    QHash<QString, qint64> m_masterPids; // of each host (one unnamed for a cluster of one host)

    QAction *m_connectAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_sendAction = nullptr;
    QAction *m_killAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_quitAction = nullptr;
};
