// SPDX-License-Identifier: MIT
#pragma once

#include <QtWidgets/QWidget>

class MessageLogFilter;
class MessageLogModel;
class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QToolButton;
class QTreeView;

/*
  The message log tab: filters (kind, group, pid, text) above the newest
  messages, following the end while the user is at the end, with pause,
  copy, export and clear.
*/
class MessageLogView : public QWidget
{
    Q_OBJECT
public:
    MessageLogView(MessageLogModel *model, QWidget *parent = nullptr);

    MessageLogFilter *filter() const { return m_filter; }
    QTreeView *view() const { return m_view; }
    QAction *pauseAction() const { return m_pauseAction; }
    QAction *copyAction() const { return m_copyAction; }
    QAction *exportAction() const { return m_exportAction; }
    QAction *clearAction() const { return m_clearAction; }

    //! The groups offered by the group filter.
    void setKnownGroups(const QStringList &groups);
    //! Shows only the messages of \a pid (0: all).
    void filterByPid(qint64 pid);
    //! Shows only the messages of \a group (empty: all).
    void filterByGroup(const QString &group);
    void focusTextFilter();
    //! Messages that arrived faster than the log could take them (kept newest first).
    void setDroppedCount(quint64 count);

    //! The selected rows as text, one per line; empty when none is selected.
    QString selectedText() const;
    //! Writes the shown rows to \a path: JSON lines for *.jsonl / *.json, tab-separated text otherwise.
    bool exportTo(const QString &path, int *written, QString *error) const;

Q_SIGNALS:
    //! Something worth telling in the status bar (copied, exported, failed…).
    void report(const QString &text, bool ok);

private:
    void setUpFilterBar();
    void createActions();
    void setUpView();
    void layOut();
    void updateCounts();
    void copySelection();
    void chooseExportFile();

    MessageLogModel *m_model;
    MessageLogFilter *m_filter;
    QTreeView *m_view;
    QToolButton *m_kindsButton;
    QComboBox *m_groupBox;
    QLineEdit *m_pidEdit;
    QLineEdit *m_textEdit;
    QLabel *m_counts;
    QAction *m_pauseAction;
    QAction *m_copyAction;
    QAction *m_exportAction;
    QAction *m_clearAction;
    QAction *m_followAction;
    quint64 m_dropped = 0;
};
