// SPDX-License-Identifier: MIT
#include "processtreeview.h"

#include "processtreemodel.h"

#include <QtCore/QSortFilterProxyModel>
#include <QtCore/QTimer>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QTreeView>
#include <QtWidgets/QVBoxLayout>

ProcessTreeView::ProcessTreeView(ProcessTreeModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_view(new QTreeView(this))
    , m_filter(new QLineEdit(this))
{
    setObjectName(QStringLiteral("processTree"));
    m_proxy->setSourceModel(model);
    m_proxy->setSortRole(ProcessTreeModel::SortRole);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    // A matching process keeps its group visible, a matching group all its processes.
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true);

    m_filter->setObjectName(QStringLiteral("processFilter"));
    m_filter->setPlaceholderText(QStringLiteral("Filter processes: group, pid, host, state…"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    clearSelectionOfRemovedRows();
    setUpView();
    expandNewGroups();
    reportSelection();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_filter);
    layout->addWidget(m_view);
}

// When the selected process goes away, a single-selection view selects its
// neighbour; but the user chose that process, not the next one (which a
// Delete would kill). The selection is emptied instead, and the details
// show the process as gone. Connected before setModel(), so this runs
// before the view moves the selection.
void ProcessTreeView::clearSelectionOfRemovedRows()
{
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeRemoved, this, [this](const QModelIndex &parent, int first, int last) {
        for (QModelIndex index : m_view->selectionModel()->selectedRows()) {
            for (; index.isValid(); index = index.parent()) {
                if (index.parent() == parent && index.row() >= first && index.row() <= last)
                    m_selectionRemoved = true;
            }
        }
    });
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, [this] {
        if (!m_selectionRemoved)
            return;
        m_selectionRemoved = false;
        m_view->selectionModel()->clearSelection();
    });
}

void ProcessTreeView::setUpView()
{
    m_view->setObjectName(QStringLiteral("processTreeView"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ProcessTreeModel::NameColumn, Qt::AscendingOrder);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAllColumnsShowFocus(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(QHeaderView::Interactive);
    const int widths[ProcessTreeModel::ColumnCount] = {110, 115, 70, 48, 60, 70, 62, 72, 55, 75};
    for (int c = 0; c < ProcessTreeModel::ColumnCount; ++c)
        m_view->setColumnWidth(c, widths[c]);
}

// Groups open as they appear; a group someone collapsed stays collapsed.
void ProcessTreeView::expandNewGroups()
{
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent, int first, int last) {
        expandInserted(parent, first, last);
        if (!parent.isValid() && !m_columnsSized) {
            // Once, when the first cluster shows up; then the widths are the user's.
            m_columnsSized = true;
            QTimer::singleShot(0, this, [this] {
                for (int c = 0; c < ProcessTreeModel::ColumnCount; ++c)
                    m_view->resizeColumnToContents(c);
            });
        }
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] {
        expandInserted(QModelIndex(), 0, m_proxy->rowCount() - 1);
        Q_EMIT expandedHostsChanged();
    });
    connect(m_view, &QTreeView::expanded, this, [this](const QModelIndex &index) {
        if (index.data(ProcessTreeModel::IsHostRole).toBool()) {
            expandInserted(index, 0, m_proxy->rowCount(index) - 1);
            Q_EMIT expandedHostsChanged();
        }
    });
    connect(m_view, &QTreeView::collapsed, this, [this](const QModelIndex &index) {
        if (index.data(ProcessTreeModel::IsHostRole).toBool())
            Q_EMIT expandedHostsChanged();
    });
}

bool ProcessTreeView::mayExpandHosts() const
{
    return m_model->hostNames().size() <= AutoExpandedHosts;
}

// A group opens when it comes; a host too while there are few of them, and its groups with it.
void ProcessTreeView::expandInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() && !parent.data(ProcessTreeModel::IsHostRole).toBool())
        return; // processes
    bool hostOpened = false;
    for (int row = first; row <= last; ++row) {
        const QModelIndex index = m_proxy->index(row, 0, parent);
        if (!index.data(ProcessTreeModel::IsHostRole).toBool()) {
            m_view->expand(index);
            continue;
        }
        if (mayExpandHosts() || index.data(ProcessTreeModel::HostRole).toString() == m_model->currentHost()) {
            m_view->expand(index); // its groups: through the expanded signal
            hostOpened = true;
        }
    }
    if (hostOpened)
        Q_EMIT expandedHostsChanged();
}

QSet<QString> ProcessTreeView::expandedHosts() const
{
    QSet<QString> hosts;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex index = m_proxy->index(row, 0);
        if (index.data(ProcessTreeModel::IsHostRole).toBool() && m_view->isExpanded(index))
            hosts.insert(index.data(ProcessTreeModel::HostRole).toString());
    }
    return hosts;
}

void ProcessTreeView::expandHost(const QString &host)
{
    const QModelIndex index = m_proxy->mapFromSource(m_model->indexOfHost(host));
    if (index.isValid())
        m_view->expand(index);
}

// Reported once the model is done changing: while a row is being removed
// the selection model is half-way through moving the current index.
void ProcessTreeView::reportSelection()
{
    auto report = [this] {
        if (m_reportPending)
            return;
        m_reportPending = true;
        QMetaObject::invokeMethod(this, [this] {
            m_reportPending = false;
            const qint64 key = selectedKey();
            const QString host = selectedHost();
            // Across hosts a pid is only unique on its host.
            if (key != m_reportedKey || host != m_reportedHost) {
                m_reportedKey = key;
                m_reportedHost = host;
                Q_EMIT currentProcessChanged(key);
            }
        }, Qt::QueuedConnection);
    };
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, report);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, report);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const qint64 key = index.data(ProcessTreeModel::KeyRole).toLongLong();
        if (key != 0)
            Q_EMIT activated(key);
    });
}

qint64 ProcessTreeView::selectedKey() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    if (!current.isValid() || !m_view->selectionModel()->isSelected(current.siblingAtColumn(0)))
        return 0;
    return current.data(ProcessTreeModel::KeyRole).toLongLong();
}

QString ProcessTreeView::selectedGroup() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    return current.isValid() ? current.data(ProcessTreeModel::GroupRole).toString() : QString();
}

QString ProcessTreeView::selectedHost() const
{
    const QModelIndex current = m_view->selectionModel()->currentIndex();
    return current.isValid() ? current.data(ProcessTreeModel::HostRole).toString() : QString();
}

bool ProcessTreeView::selectKey(qint64 key)
{
    return selectOn(m_model->currentHost(), key);
}

bool ProcessTreeView::selectOn(const QString &host, qint64 key)
{
    const QModelIndex source = key != 0 || !m_model->isAcrossHosts() ? m_model->indexOfKeyOn(host, key) : m_model->indexOfHost(host);
    const QModelIndex index = m_proxy->mapFromSource(source);
    if (!index.isValid())
        return false;
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
    // Told now: whoever selected it expects the rest of the window to follow at once.
    m_reportedKey = key;
    m_reportedHost = selectedHost();
    Q_EMIT currentProcessChanged(key);
    return true;
}

void ProcessTreeView::clearSelection()
{
    // The current row too: left alone, it stays on a row that the next
    // status fills with another cluster's process, which a later selection
    // report would then show.
    m_view->selectionModel()->clear();
    m_reportedKey = 0;
    m_reportedHost.clear();
}

void ProcessTreeView::setFilterText(const QString &text)
{
    m_filter->setText(text);
}
