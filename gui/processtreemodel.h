// SPDX-License-Identifier: MIT
#pragma once

#include "processinfo.h"

#include <ClustrQt/clusterevent.h>
#include <ClustrQt/clusterstatus.h>

#include <QtCore/QAbstractItemModel>
#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QMap>

#include <memory>
#include <optional>
#include <vector>

/*
  The cluster as a tree: groups at the top ("master" first), their
  processes below, one column per property.

  It is fed the master's status snapshot every second and its lifecycle
  events as they come, and applies both as the smallest change: rows are
  inserted and removed one by one and changed rows get dataChanged, never
  a reset, so selection, expansion and scrolling survive every update.

  Events are faster than the snapshot (up to a second old when it arrives),
  so a row removed by an Exited event could come back from a snapshot
  taken before the exit. Each event therefore leaves an override for its
  pid that wins over snapshots older than the event (both carry the
  master's clock) and is forgotten once a newer snapshot arrives.
*/
class ProcessTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    // Words first, then numbers: a right-aligned number never ends where
    // the left-aligned text of the next column begins.
    enum Column {
        NameColumn,
        StateColumn,
        HostColumn,
        CpusColumn,
        ParentColumn,
        UptimeColumn,
        RestartsColumn,
        RssColumn,
        CpuColumn,
        LastSeenColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1, //!< numbers as numbers, for QSortFilterProxyModel
        KeyRole,                     //!< the row's key (pid, or negative for a child that is not running)
        PidRole,
        GroupRole,
        IsGroupRole,
        StateRole,
    };

    explicit ProcessTreeModel(QObject *parent = nullptr);
    ~ProcessTreeModel() override;

    //! A status snapshot (docs/PROTOCOL.md section 11); one without a master (the cluster is gone) is ignored.
    void applyStatus(const Clustr::ClusterStatus &status);
    //! A lifecycle event: registered, deregistered, lost, exited.
    void applyEvent(const Clustr::ClusterEvent &event);
    //! The cluster is gone: rows stay, greyed out, until it comes back.
    void setStale(bool stale);
    bool isStale() const { return m_stale; }
    //! Another cluster: everything goes (one reset, on purpose).
    void clear();

    QModelIndex indexOfKey(qint64 key, int column = 0) const;
    std::optional<ProcessInfo> process(qint64 key) const;
    QStringList groups() const;
    //! Keys of the processes of \a group (all groups when empty), the master included.
    QList<qint64> keys(const QString &group = QString()) const;
    int processCount() const;
    //! The master's spawn entry whose workers registered as \a group (often the same name).
    QString spawnEntryOf(const QString &group) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = QModelIndex()) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    //! Words left, numbers right; the header as its cells.
    static Qt::Alignment columnAlignment(int column);
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

Q_SIGNALS:
    //! A process row was added or changed.
    void processUpdated(qint64 key);
    void processRemoved(qint64 key);
    void staleChanged(bool stale);

private:
    struct Group
    {
        QString name;
        QList<ProcessInfo> processes; // sorted by key
    };
    struct Override
    {
        bool present = false;
        QString group;
        QDateTime eventTime;  // the master's clock
        QElapsedTimer age;    // ours: an override never outlives a few seconds
    };
    using Desired = QMap<QString, QList<ProcessInfo>>;

    Desired desiredFrom(const Clustr::ClusterStatus &status);
    void applyOverrides(Desired &desired, const QDateTime &snapshotTime);
    void setDesired(const Desired &desired);
    void syncGroup(int groupRow, const QList<ProcessInfo> &wanted);
    void removeKey(qint64 key);
    void addRegistered(qint64 pid, const QString &group);
    int groupRow(const QString &name) const;
    int groupInsertPosition(const QString &name) const;
    QVariant groupData(const Group &group, int column, int role) const;
    QVariant processData(const ProcessInfo &p, int column, int role) const;

    std::vector<std::unique_ptr<Group>> m_groups;
    QHash<qint64, Override> m_overrides;
    // The master's children carry the name of their spawn entry (often the
    // program's file name), registered processes the group they chose. A
    // child seen registered teaches which group its entry's name stands for,
    // so its respawns and failures are shown in the same group.
    QHash<QString, QString> m_groupAlias;
    // The pid each child of the master (entry, instance) had when last seen
    // running: a given-up child has none, and the master restarts it by that one.
    QHash<QPair<QString, int>, qint64> m_lastPids;
    bool m_stale = false;
};

//! Groups sort with the master first, then by name.
bool groupLessThan(const QString &a, const QString &b);
