// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QSet>
#include <QtWidgets/QWidget>

class ProcessTreeModel;
class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

/*
  The cluster tree as people use it: a filter field above a sortable tree
  (through a QSortFilterProxyModel, so the model itself stays in pid
  order), new groups expanded as they appear, the selection reported as a
  process key so it survives every re-sort.

  Across hosts a row per host comes first. Hosts open as they appear while
  there are few (AutoExpandedHosts); of a larger cluster only the hosts
  someone opens are, because each open host is read live (MainWindow).
*/
class ProcessTreeView : public QWidget
{
    Q_OBJECT
public:
    //! Up to this many hosts open by themselves; beyond, each is opened on demand.
    static constexpr int AutoExpandedHosts = 8;

    explicit ProcessTreeView(ProcessTreeModel *model, QWidget *parent = nullptr);

    //! The selected process' key (pid), 0 for none or a group.
    qint64 selectedKey() const;
    //! The selected group, or the group of the selected process.
    QString selectedGroup() const;
    //! The host of the selected row (across hosts); empty for none or a cluster of one host.
    QString selectedHost() const;
    //! Selects the row of \a key (a pid) of the model's current host; false if there is none.
    bool selectKey(qint64 key);
    //! Selects the row of process \a key of \a host (across hosts), or the host's own row for key 0.
    bool selectOn(const QString &host, qint64 key);
    //! The hosts whose rows are open.
    QSet<QString> expandedHosts() const;
    void expandHost(const QString &host);
    //! Nothing selected, no current row (another cluster took the place of the one shown).
    void clearSelection();
    void setFilterText(const QString &text);

    QTreeView *treeView() const { return m_view; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QLineEdit *filterEdit() const { return m_filter; }

Q_SIGNALS:
    //! The selection moved to another process, group or host (selectedHost()).
    void currentProcessChanged(qint64 key);
    //! A host's row was opened or closed.
    void expandedHostsChanged();
    void activated(qint64 key);

private:
    void clearSelectionOfRemovedRows();
    void setUpView();
    void expandNewGroups();
    void reportSelection();
    void expandInserted(const QModelIndex &parent, int first, int last);
    bool mayExpandHosts() const;

    ProcessTreeModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLineEdit *m_filter;
    qint64 m_reportedKey = 0;
    QString m_reportedHost;
    bool m_reportPending = false;
    bool m_selectionRemoved = false;
    bool m_columnsSized = false;
};
