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
  processes below, one column per property. A cluster across hosts
  (docs/MULTI-HOST.md, setHosts()) has one more level above them: a row
  per host, its master and workers below it, a lost host kept and marked.

  It is fed the master's status snapshot every second and its lifecycle
  events as they come, and applies both as the smallest change: rows are
  inserted and removed one by one and changed rows get dataChanged, never
  a reset, so selection, expansion and scrolling survive every update.

  Events are faster than the snapshot (up to a second old when it arrives),
  so a row removed by an Exited event could come back from a snapshot
  taken before the exit. Each event therefore leaves an override for its
  pid that wins over snapshots older than the event (both carry the
  master's clock) and is forgotten once a newer snapshot arrives.

  Across hosts, pids are only unique on their host: every update names
  its host, and the lookups by key (process(), indexOfKey(), keys()...)
  answer for the current host (setCurrentHost()), the one the window's
  actions go to; the *Of() variants for any host.
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
        HostRole,   //!< the row's host across hosts (its own name for a host row); empty for a cluster of one host
        IsHostRole, //!< a host's row (across hosts)
    };

    explicit ProcessTreeModel(QObject *parent = nullptr);
    ~ProcessTreeModel() override;

    //! A status snapshot (docs/PROTOCOL.md section 11); one without a master (the cluster is gone) is ignored.
    void applyStatus(const Clustr::ClusterStatus &status);
    //! As above, of \a host of a cluster across hosts (ignored if it is not listed).
    void applyStatus(const QString &host, const Clustr::ClusterStatus &status);
    //! A lifecycle event: registered, deregistered, lost, exited.
    void applyEvent(const Clustr::ClusterEvent &event);
    void applyEvent(const QString &host, const Clustr::ClusterEvent &event);

    /*!
      The hosts of a cluster across hosts: a row each, added, removed and
      marked lost or running again in place. The first list turns a tree of
      groups into one of hosts (a reset, once); an empty one turns it back.
    */
    void setHosts(const QList<Clustr::ClusterHost> &hosts);
    bool isAcrossHosts() const { return m_acrossHosts; }
    QStringList hostNames() const;
    bool isHostLost(const QString &host) const;
    //! The host the lookups by key answer for (across hosts); what comes before it is kept.
    void setCurrentHost(const QString &host);
    QString currentHost() const { return m_currentHost; }
    QModelIndex indexOfHost(const QString &host, int column = 0) const;
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
    //! As the lookups above, on \a host (across hosts).
    QModelIndex indexOfKeyOn(const QString &host, qint64 key, int column = 0) const;
    std::optional<ProcessInfo> processOn(const QString &host, qint64 key) const;
    QList<qint64> keysOn(const QString &host, const QString &group = QString()) const;
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
    //! A host's row can be opened before its processes are known (they are read once it is).
    bool hasChildren(const QModelIndex &parent = QModelIndex()) const override;

Q_SIGNALS:
    //! A process row was added or changed.
    void processUpdated(qint64 key);
    void processRemoved(qint64 key);
    void staleChanged(bool stale);
    //! A host was marked lost, or running again (across hosts).
    void hostLostChanged(const QString &host, bool lost);

private:
    struct Host;
    // An index' internal pointer: a host row has none, a group row its
    // Host (across hosts; none in a cluster of one host), a process row its Group.
    struct Node
    {
        explicit Node(bool host)
            : isHost(host)
        {
        }
        const bool isHost;
    };
    struct Group : Node
    {
        Group()
            : Node(false)
        {
        }
        Host *host = nullptr;
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
    // Everything the model knows of one host's master; a cluster of one host has one, unnamed.
    struct Host : Node
    {
        Host()
            : Node(true)
        {
        }
        //! What the hosts list says of it.
        void take(const Clustr::ClusterHost &entry)
        {
            name = entry.name;
            lost = entry.lost;
            masterPid = entry.masterPid;
        }
        QString name;
        bool lost = false;
        bool read = false;    // a status of it was applied: its worker count is known
        qint64 masterPid = 0; // from the hosts list, for a host never read
        std::vector<std::unique_ptr<Group>> groups;
        QHash<qint64, Override> overrides;
        // The master's children carry the name of their spawn entry (often the
        // program's file name), registered processes the group they chose. A
        // child seen registered teaches which group its entry's name stands for,
        // so its respawns and failures are shown in the same group.
        QHash<QString, QString> groupAlias;
        // The pid each child of the master (entry, instance) had when last seen
        // running: a given-up child has none, and the master restarts it by that one.
        QHash<QPair<QString, int>, qint64> lastPids;
    };
    using Desired = QMap<QString, QList<ProcessInfo>>;

    Host *hostNamed(const QString &name) const;
    Host *current() const { return hostNamed(m_currentHost); }
    int hostRow(const Host *host) const;
    QModelIndex groupIndex(const Host &host, int row, int column = 0) const;
    //! Keys of the host shown by lookups are the ones the rest of the window knows.
    bool isCurrent(const Host &host) const { return !m_acrossHosts || host.name == m_currentHost; }
    bool isGreyed(const Host &host) const { return m_stale || host.lost; }
    void applyStatusTo(Host &host, const Clustr::ClusterStatus &status);
    void applyEventTo(Host &host, const Clustr::ClusterEvent &event);
    Desired desiredFrom(Host &host, const Clustr::ClusterStatus &status);
    void applyOverrides(Host &host, Desired &desired, const QDateTime &snapshotTime);
    void setDesired(Host &host, const Desired &desired);
    bool syncGroup(Host &host, int groupRow, const QList<ProcessInfo> &wanted);
    void removeKey(Host &host, qint64 key);
    void addRegistered(Host &host, qint64 pid, const QString &group);
    void emitRowsChanged(const QModelIndex &parent, int rows);
    static int groupRow(const Host &host, const QString &name);
    static int groupInsertPosition(const Host &host, const QString &name);
    QModelIndex indexOfKeyIn(const Host *host, qint64 key, int column) const;
    QVariant hostData(const Host &host, int column, int role) const;
    QVariant groupData(const Group &group, int column, int role) const;
    QVariant processData(const Host &host, const ProcessInfo &p, int column, int role) const;

    // One unnamed host for a cluster of one host; across hosts, one per host, sorted by name.
    std::vector<std::unique_ptr<Host>> m_hosts;
    bool m_acrossHosts = false;
    QString m_currentHost;
    bool m_stale = false;
};

//! Groups sort with the master first, then by name.
bool groupLessThan(const QString &a, const QString &b);
