// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>

//! The dynamic property of an action that holds its tool tip for when it may
//! run: a window that greys it out for a while gives it back from here.
inline constexpr const char *NormalToolTipProperty = "normalToolTip";

class ClusterMonitor;
class OperationRunner;
class ProcessTreeModel;
class ProcessTreeView;
class QAction;
class QDialog;
class QWidget;

/*
  The menu entries for restart, stop GROUP, start GROUP and scale: what
  each acts on (the process or group selected in the tree), whether it may
  be used now (greyed out with the reason as its tooltip otherwise), and
  the question asked before the destructive ones. The commands themselves
  go out through OperationRunner.
*/
class OperationActions : public QObject
{
    Q_OBJECT
public:
    OperationActions(ClusterMonitor *monitor, ProcessTreeModel *model, ProcessTreeView *view, OperationRunner *runner,
                     QWidget *dialogParent);

    QAction *restartClusterAction() const { return m_restartCluster; }
    QAction *restartGroupAction() const { return m_restartGroup; }
    QAction *restartProcessAction() const { return m_restartProcess; }
    QAction *stopGroupAction() const { return m_stopGroup; }
    QAction *startGroupAction() const { return m_startGroup; }
    QAction *scaleAction() const { return m_scale; }
    QAction *updateConfigAction() const { return m_updateConfig; }
    //! The ones that act on the selection, for the tree's context menu.
    QList<QAction *> selectionActions() const;

public Q_SLOTS:
    //! Re-reads the selection, the connection and the cluster's status.
    void update();

Q_SIGNALS:
    //! A dialog to open (the window opens it, never exec()).
    void dialogReady(QDialog *dialog);

private:
    //! What the selection stands for.
    struct Target
    {
        QString group;      //!< as the tree shows it
        QString entry;      //!< the master's spawn entry of that group (may differ from the name its workers registered with)
        qint64 pid = 0;     //!< the process to restart: its pid, or a given-up child's last one
        bool isProcess = false;
        bool isMaster = false;
        bool givenUp = false;
    };
    QAction *makeAction(const QString &objectName, const QString &tip);
    Target target() const;
    //! Why no command can be sent now; empty when one can.
    QString blockedReason() const;
    void setState(QAction *action, const QString &text, const QString &whyNot);
    void updateProcessActions(const Target &t, const QString &blocked);
    void updateGroupActions(const Target &t, const QString &blocked);

    void restartCluster();
    void restartGroup();
    void restartProcess();
    void stopGroup();
    void startGroup();
    void scale();
    void updateConfig();
    void confirmUpdate(const QStringList &plan);

    ClusterMonitor *m_monitor;
    ProcessTreeModel *m_model;
    ProcessTreeView *m_view;
    OperationRunner *m_runner;
    QWidget *m_dialogParent;
    QAction *m_restartCluster;
    QAction *m_restartGroup;
    QAction *m_restartProcess;
    QAction *m_stopGroup;
    QAction *m_startGroup;
    QAction *m_scale;
    QAction *m_updateConfig;
};
