// SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"
#include "processinfo.h"

#include <QtWidgets/QWidget>

class ElidedLabel;
class MessageLogModel;
class ProcessTreeModel;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QTableWidget;
class QTreeWidget;

/*
  Everything about the selected process: its properties, its statistics
  counters, its command line (known for the master's own children) and
  the last messages it sent or received — what it publishes, what comes
  on its private, kill and group channels, and what everybody gets
  (public, confirmations). Heartbeats are left out: "last seen" says it.
*/
class ProcessDetails : public QWidget
{
    Q_OBJECT
public:
    ProcessDetails(ProcessTreeModel *model, MessageLogModel *log, QWidget *parent = nullptr);

    //! Shows process \a key (0: none).
    void showProcess(qint64 key);
    qint64 key() const { return m_key; }
    //! The shown process left the cluster; its last known state stays shown.
    bool isGone() const { return m_gone; }

    int recentCount() const;
    QString recentText(int row) const;
    QString commandLineText() const;
    QString statValue(const QString &name) const;
    //! The label of property \a name ("Program", "Host"…), for tests.
    ElidedLabel *valueLabel(const QString &name) const;

public Q_SLOTS:
    void addBatch(const LogBatch &batch);

private:
    enum class Direction { None, Sent, Received };
    QGridLayout *createFields();
    void setUpStats();
    void setUpCommandLineAndRecent();
    void layOut(QGridLayout *fields);
    void followModel();
    Direction directionOf(const LogEntry &e) const;
    //! The message came before the shown process existed (a new pid, or an old one used again).
    bool predates(const LogEntry &e) const;
    void refresh();
    void fillRecent();
    void appendRecent(const QList<const LogEntry *> &entries);

    ProcessTreeModel *m_model;
    MessageLogModel *m_log;
    qint64 m_key = 0;
    bool m_gone = false;
    ProcessInfo m_info;
    QString m_groupChannel;
    QLabel *m_title;
    QLabel *m_placeholder;
    QWidget *m_body;
    QList<ElidedLabel *> m_values;
    QTableWidget *m_stats;
    QPlainTextEdit *m_commandLine;
    QTreeWidget *m_recent;
};
