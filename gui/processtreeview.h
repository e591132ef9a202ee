// SPDX-License-Identifier: MIT
#pragma once

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
*/
class ProcessTreeView : public QWidget
{
    Q_OBJECT
public:
    explicit ProcessTreeView(ProcessTreeModel *model, QWidget *parent = nullptr);

    //! The selected process' key (pid), 0 for none or a group.
    qint64 selectedKey() const;
    //! The selected group, or the group of the selected process.
    QString selectedGroup() const;
    //! Selects the row of \a key (a pid); false if there is none.
    bool selectKey(qint64 key);
    //! Nothing selected, no current row (another cluster took the place of the one shown).
    void clearSelection();
    void setFilterText(const QString &text);

    QTreeView *treeView() const { return m_view; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QLineEdit *filterEdit() const { return m_filter; }

Q_SIGNALS:
    void currentProcessChanged(qint64 key);
    void activated(qint64 key);

private:
    void clearSelectionOfRemovedRows();
    void setUpView();
    void expandNewGroups();
    void reportSelection();

    ProcessTreeModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLineEdit *m_filter;
    qint64 m_reportedKey = 0;
    bool m_reportPending = false;
    bool m_selectionRemoved = false;
    bool m_columnsSized = false;
};
