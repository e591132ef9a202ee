// SPDX-License-Identifier: MIT
#include "processtreemodel.h"

#include "format.h"
#include "icons.h"

#include <QtGui/QBrush>
#include <QtGui/QFont>

#include <algorithm>
#include <cmath>

namespace {

constexpr qint64 OverrideMaxAgeMs = 10000;
const QString MasterGroup = QStringLiteral("master");

bool keyLessThan(const ProcessInfo &a, const ProcessInfo &b)
{
    return a.key < b.key;
}

// Not in the cluster (yet) or not at all: shown, but not as a member.
ProcessState childState(const Clustr::ChildInfo &child)
{
    using State = Clustr::ChildInfo::State;
    if (child.registers() && child.state() == State::Running)
        return State::Starting; // running, not registered yet
    return child.state();
}

// One dot for a whole group: the worst news first.
ProcessState groupState(bool stale, int failed, int running, int stopped, int total)
{
    using State = Clustr::ChildInfo::State;
    if (stale)
        return ProcessState();
    if (failed)
        return State::Failed;
    if (running == total)
        return State::Running;
    if (running + stopped == total)
        return State::Stopped; // ended on purpose (exit code 0)
    return State::BackingOff;
}

} // namespace

bool groupLessThan(const QString &a, const QString &b)
{
    const bool aMaster = a == MasterGroup;
    const bool bMaster = b == MasterGroup;
    if (aMaster != bMaster)
        return aMaster;
    return a < b;
}

ProcessTreeModel::ProcessTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{
    m_hosts.push_back(std::make_unique<Host>());
}

ProcessTreeModel::~ProcessTreeModel() = default;

// ---- hosts ----

ProcessTreeModel::Host *ProcessTreeModel::hostNamed(const QString &name) const
{
    if (!m_acrossHosts)
        return m_hosts.front().get();
    for (const auto &host : m_hosts) {
        if (host->name == name)
            return host.get();
    }
    return nullptr;
}

int ProcessTreeModel::hostRow(const Host *host) const
{
    for (size_t h = 0; h < m_hosts.size(); ++h) {
        if (m_hosts[h].get() == host)
            return int(h);
    }
    return -1;
}

QModelIndex ProcessTreeModel::groupIndex(const Host &host, int row, int column) const
{
    // Node is the common base: the pointer is read back as what its isHost says.
    return createIndex(row, column, m_acrossHosts ? const_cast<Node *>(static_cast<const Node *>(&host)) : nullptr);
}

QModelIndex ProcessTreeModel::indexOfHost(const QString &host, int column) const
{
    if (!m_acrossHosts)
        return QModelIndex();
    const int row = hostRow(hostNamed(host));
    return row >= 0 ? createIndex(row, column, nullptr) : QModelIndex();
}

QStringList ProcessTreeModel::hostNames() const
{
    QStringList names;
    if (m_acrossHosts) {
        for (const auto &host : m_hosts)
            names.append(host->name);
    }
    return names;
}

bool ProcessTreeModel::isHostLost(const QString &host) const
{
    const Host *h = m_acrossHosts ? hostNamed(host) : nullptr;
    return h && h->lost;
}

void ProcessTreeModel::setCurrentHost(const QString &host)
{
    m_currentHost = host;
}

void ProcessTreeModel::setHosts(const QList<Clustr::ClusterHost> &hosts)
{
    if (hosts.isEmpty() != !m_acrossHosts) {
        // Another shape of tree: one reset. What was read of a host before
        // its list came (a monitor told its host) stays that host's.
        beginResetModel();
        std::unique_ptr<Host> kept = m_acrossHosts ? nullptr : std::move(m_hosts.front());
        m_hosts.clear();
        m_acrossHosts = !hosts.isEmpty();
        for (const Clustr::ClusterHost &entry : hosts) {
            std::unique_ptr<Host> host;
            if (kept && entry.name == m_currentHost) {
                host = std::move(kept);
                for (auto &group : host->groups)
                    group->host = host.get();
            } else {
                host = std::make_unique<Host>();
            }
            host->take(entry);
            m_hosts.push_back(std::move(host));
        }
        if (!m_acrossHosts)
            m_hosts.push_back(std::make_unique<Host>());
        endResetModel();
        return;
    }
    if (!m_acrossHosts)
        return;
    // The same shape: hosts added, removed and changed in place (both lists sorted by name).
    for (int h = int(m_hosts.size()) - 1; h >= 0; --h) {
        const QString name = m_hosts[size_t(h)]->name;
        if (std::none_of(hosts.cbegin(), hosts.cend(), [&name](const Clustr::ClusterHost &e) { return e.name == name; })) {
            beginRemoveRows(QModelIndex(), h, h);
            m_hosts.erase(m_hosts.begin() + h);
            endRemoveRows();
        }
    }
    for (const Clustr::ClusterHost &entry : hosts) {
        Host *host = hostNamed(entry.name);
        if (!host) {
            const auto position = std::lower_bound(m_hosts.cbegin(), m_hosts.cend(), entry.name,
                                                   [](const std::unique_ptr<Host> &h, const QString &n) { return h->name < n; });
            const int row = int(position - m_hosts.cbegin());
            beginInsertRows(QModelIndex(), row, row);
            auto added = std::make_unique<Host>();
            added->take(entry);
            m_hosts.insert(m_hosts.begin() + row, std::move(added));
            endInsertRows();
            continue;
        }
        const bool lostChanged = host->lost != entry.lost;
        if (!lostChanged && host->masterPid == entry.masterPid)
            continue;
        host->take(entry);
        const int row = hostRow(host);
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        if (lostChanged) {
            // Its processes are greyed out while it is lost, shown again when it is back.
            const QModelIndex parent = index(row, 0);
            emitRowsChanged(parent, int(host->groups.size()));
            for (int g = 0; g < int(host->groups.size()); ++g)
                emitRowsChanged(groupIndex(*host, g), int(host->groups[size_t(g)]->processes.size()));
            Q_EMIT hostLostChanged(host->name, host->lost);
        }
    }
}

void ProcessTreeModel::emitRowsChanged(const QModelIndex &parent, int rows)
{
    if (rows > 0)
        Q_EMIT dataChanged(index(0, 0, parent), index(rows - 1, ColumnCount - 1, parent));
}

// ---- updates ----

ProcessTreeModel::Desired ProcessTreeModel::desiredFrom(Host &host, const Clustr::ClusterStatus &status)
{
    Desired desired;
    const QDateTime now = status.updatedAt();
    const ProcessInfo masterInfo = ProcessInfo::fromMaster(status.master(), now);
    if (masterInfo.pid > 0)
        desired[MasterGroup].append(masterInfo);

    const QList<Clustr::ChildInfo> children = status.children();
    QHash<qint64, Clustr::ChildInfo> childByPid;
    for (const Clustr::ChildInfo &child : children) {
        if (child.pid() > 0) {
            childByPid.insert(child.pid(), child);
            host.lastPids.insert({child.group(), child.instance()}, child.pid());
        }
    }

    QHash<qint64, bool> registered;
    QHash<QString, QString> alias;
    for (const Clustr::ProcessStatus &process : status.processes()) {
        ProcessInfo p = ProcessInfo::fromProcess(process);
        if (p.pid <= 0)
            continue;
        const auto child = childByPid.constFind(p.pid);
        if (child != childByPid.cend()) {
            p.addChildDetails(*child);
            const QString childGroup = child->group();
            const auto known = alias.constFind(childGroup);
            alias.insert(childGroup, known == alias.cend() || *known == p.group ? p.group : QString()); // empty: ambiguous
        }
        registered.insert(p.pid, true);
        desired[p.group].append(p);
    }
    for (auto it = alias.cbegin(); it != alias.cend(); ++it)
        host.groupAlias.insert(it.key(), it.value());

    for (int i = 0; i < children.size(); ++i) {
        const Clustr::ChildInfo &child = children.at(i);
        if (child.pid() > 0 && registered.contains(child.pid()))
            continue;
        ProcessInfo p = ProcessInfo::fromChild(child, i, masterInfo.host, masterInfo.pid, now);
        p.state = childState(child);
        if (p.pid <= 0)
            p.lastPid = host.lastPids.value({child.group(), child.instance()});
        const QString aliased = host.groupAlias.value(p.group);
        if (!aliased.isEmpty())
            p.group = aliased;
        desired[p.group].append(p);
    }

    applyOverrides(host, desired, now);
    for (auto &list : desired)
        std::sort(list.begin(), list.end(), keyLessThan);
    return desired;
}

void ProcessTreeModel::applyOverrides(Host &host, Desired &desired, const QDateTime &snapshotTime)
{
    for (auto it = host.overrides.begin(); it != host.overrides.end();) {
        const qint64 pid = it.key();
        const Override &o = it.value();
        if ((snapshotTime.isValid() && o.eventTime.isValid() && snapshotTime > o.eventTime) || o.age.elapsed() > OverrideMaxAgeMs) {
            it = host.overrides.erase(it); // the snapshot knows about the event now
            continue;
        }
        bool member = false;
        std::optional<ProcessInfo> child; // shown as a child that has not registered yet
        for (auto g = desired.begin(); g != desired.end(); ++g) {
            auto &list = g.value();
            const auto row = std::find_if(list.begin(), list.end(), [pid](const ProcessInfo &p) { return p.key == pid; });
            if (row == list.end())
                continue;
            member = row->registered;
            if (o.present && !member)
                child = *row;
            if (!o.present || !member)
                list.erase(row);
            break;
        }
        if (o.present && !member) {
            // Registered since the snapshot: a member, in the group it
            // registered with, keeping what the snapshot knew of the child.
            ProcessInfo p = child.value_or(ProcessInfo::registeredProcess(pid, o.group));
            p.registered = true;
            if (p.state.is(Clustr::ChildInfo::State::Starting))
                p.state = Clustr::ChildInfo::State::Running;
            p.group = o.group;
            desired[o.group].append(p);
        }
        ++it;
    }
    for (auto g = desired.begin(); g != desired.end();) {
        if (g->isEmpty())
            g = desired.erase(g);
        else
            ++g;
    }
}

void ProcessTreeModel::applyStatus(const Clustr::ClusterStatus &status)
{
    if (Host *host = current())
        applyStatusTo(*host, status);
}

void ProcessTreeModel::applyStatus(const QString &host, const Clustr::ClusterStatus &status)
{
    if (Host *h = hostNamed(host))
        applyStatusTo(*h, status);
}

void ProcessTreeModel::applyStatusTo(Host &host, const Clustr::ClusterStatus &status)
{
    if (status.master().pid() <= 0)
        return; // the cluster is gone: keep the last picture (setStale greys it)
    host.read = true;
    setDesired(host, desiredFrom(host, status));
}

void ProcessTreeModel::applyEvent(const Clustr::ClusterEvent &event)
{
    if (Host *host = current())
        applyEventTo(*host, event);
}

void ProcessTreeModel::applyEvent(const QString &host, const Clustr::ClusterEvent &event)
{
    if (Host *h = hostNamed(host))
        applyEventTo(*h, event);
}

void ProcessTreeModel::applyEventTo(Host &host, const Clustr::ClusterEvent &event)
{
    using Type = Clustr::ClusterEvent::Type;
    const qint64 pid = event.pid();
    if (pid <= 0)
        return;
    const bool added = event.type() == Type::Registered;
    const bool removed = event.type() == Type::Deregistered || event.type() == Type::Lost || event.type() == Type::Exited;
    if (!added && !removed)
        return; // spawned and respawned processes show up once they register (with their real group)
    Override o;
    o.present = added;
    o.group = event.group();
    o.eventTime = event.time();
    o.age.start();
    host.overrides.insert(pid, o);
    if (added)
        addRegistered(host, pid, o.group);
    else
        removeKey(host, pid);
}

void ProcessTreeModel::addRegistered(Host &host, qint64 pid, const QString &group)
{
    if (group.isEmpty())
        return;
    if (const auto shown = processOn(host.name, pid); shown && shown->registered)
        return;
    // The rows as they are, with the registration applied (see applyOverrides()).
    Desired desired;
    for (const auto &g : host.groups)
        desired.insert(g->name, g->processes);
    applyOverrides(host, desired, QDateTime());
    for (auto &list : desired)
        std::sort(list.begin(), list.end(), keyLessThan);
    setDesired(host, desired);
}

void ProcessTreeModel::removeKey(Host &host, qint64 key)
{
    const QModelIndex hostIndex = m_acrossHosts ? index(hostRow(&host), 0) : QModelIndex();
    for (size_t g = 0; g < host.groups.size(); ++g) {
        Group &group = *host.groups[g];
        const auto it = std::find_if(group.processes.cbegin(), group.processes.cend(), [key](const ProcessInfo &p) { return p.key == key; });
        if (it == group.processes.cend())
            continue;
        if (group.processes.size() == 1) {
            beginRemoveRows(hostIndex, int(g), int(g));
            host.groups.erase(host.groups.begin() + qsizetype(g));
            endRemoveRows();
        } else {
            const int row = int(it - group.processes.cbegin());
            beginRemoveRows(groupIndex(host, int(g)), row, row);
            group.processes.removeAt(row);
            endRemoveRows();
            Q_EMIT dataChanged(groupIndex(host, int(g)), groupIndex(host, int(g), ColumnCount - 1));
        }
        if (m_acrossHosts)
            Q_EMIT dataChanged(hostIndex, hostIndex.siblingAtColumn(ColumnCount - 1)); // its count
        if (isCurrent(host))
            Q_EMIT processRemoved(key);
        return;
    }
}

void ProcessTreeModel::setDesired(Host &host, const Desired &desired)
{
    const QModelIndex hostIndex = m_acrossHosts ? index(hostRow(&host), 0) : QModelIndex();
    const bool current = isCurrent(host);
    bool changed = false;
    // Groups that went away, with all their processes.
    for (int g = int(host.groups.size()) - 1; g >= 0; --g) {
        if (desired.contains(host.groups[size_t(g)]->name))
            continue;
        const QList<ProcessInfo> gone = host.groups[size_t(g)]->processes;
        beginRemoveRows(hostIndex, g, g);
        host.groups.erase(host.groups.begin() + g);
        endRemoveRows();
        changed = true;
        for (const ProcessInfo &p : gone) {
            if (current)
                Q_EMIT processRemoved(p.key);
        }
    }
    for (auto it = desired.cbegin(); it != desired.cend(); ++it) {
        const int row = groupRow(host, it.key());
        if (row >= 0) {
            changed = syncGroup(host, row, it.value()) || changed;
            continue;
        }
        // A new group comes with its processes in one insertion.
        const int position = groupInsertPosition(host, it.key());
        beginInsertRows(hostIndex, position, position);
        auto group = std::make_unique<Group>();
        group->host = &host;
        group->name = it.key();
        group->processes = it.value();
        host.groups.insert(host.groups.begin() + position, std::move(group));
        endInsertRows();
        changed = true;
        for (const ProcessInfo &p : it.value()) {
            if (current)
                Q_EMIT processUpdated(p.key);
        }
    }
    if (changed && m_acrossHosts)
        Q_EMIT dataChanged(hostIndex, hostIndex.siblingAtColumn(ColumnCount - 1)); // its counts
}

bool ProcessTreeModel::syncGroup(Host &host, int groupRow, const QList<ProcessInfo> &wanted)
{
    Group &group = *host.groups[size_t(groupRow)];
    const QModelIndex parent = groupIndex(host, groupRow);
    const bool current = isCurrent(host);
    bool changed = false;

    // Both lists are sorted by key: one merge pass finds removals, insertions and changes.
    int row = 0;
    int w = 0;
    while (row < group.processes.size() || w < wanted.size()) {
        const bool haveOld = row < group.processes.size();
        const bool haveNew = w < wanted.size();
        if (haveOld && (!haveNew || group.processes.at(row).key < wanted.at(w).key)) {
            const qint64 key = group.processes.at(row).key;
            beginRemoveRows(parent, row, row);
            group.processes.removeAt(row);
            endRemoveRows();
            if (current)
                Q_EMIT processRemoved(key);
            changed = true;
        } else if (haveNew && (!haveOld || wanted.at(w).key < group.processes.at(row).key)) {
            beginInsertRows(parent, row, row);
            group.processes.insert(row, wanted.at(w));
            endInsertRows();
            if (current)
                Q_EMIT processUpdated(wanted.at(w).key);
            changed = true;
            ++row;
            ++w;
        } else {
            if (group.processes.at(row) != wanted.at(w)) {
                group.processes[row] = wanted.at(w);
                Q_EMIT dataChanged(index(row, 0, parent), index(row, ColumnCount - 1, parent));
                if (current)
                    Q_EMIT processUpdated(wanted.at(w).key);
                changed = true;
            }
            ++row;
            ++w;
        }
    }
    if (changed)
        Q_EMIT dataChanged(parent, parent.siblingAtColumn(ColumnCount - 1));
    return changed;
}

void ProcessTreeModel::setStale(bool stale)
{
    if (stale == m_stale)
        return;
    m_stale = stale;
    // Every row changes colour.
    if (m_acrossHosts)
        emitRowsChanged(QModelIndex(), int(m_hosts.size()));
    for (const auto &host : m_hosts) {
        const QModelIndex hostIndex = m_acrossHosts ? index(hostRow(host.get()), 0) : QModelIndex();
        emitRowsChanged(hostIndex, int(host->groups.size()));
        for (int g = 0; g < int(host->groups.size()); ++g)
            emitRowsChanged(groupIndex(*host, g), int(host->groups[size_t(g)]->processes.size()));
    }
    Q_EMIT staleChanged(stale);
}

void ProcessTreeModel::clear()
{
    beginResetModel();
    m_hosts.clear();
    m_hosts.push_back(std::make_unique<Host>());
    m_acrossHosts = false;
    m_stale = false;
    endResetModel();
}

// ---- lookups ----

int ProcessTreeModel::groupRow(const Host &host, const QString &name)
{
    for (size_t g = 0; g < host.groups.size(); ++g) {
        if (host.groups[g]->name == name)
            return int(g);
    }
    return -1;
}

int ProcessTreeModel::groupInsertPosition(const Host &host, const QString &name)
{
    const auto it = std::lower_bound(host.groups.cbegin(), host.groups.cend(), name,
                                     [](const std::unique_ptr<Group> &g, const QString &n) { return groupLessThan(g->name, n); });
    return int(it - host.groups.cbegin());
}

QModelIndex ProcessTreeModel::indexOfKeyIn(const Host *host, qint64 key, int column) const
{
    if (!host)
        return QModelIndex();
    for (const auto &group : host->groups) {
        const QList<ProcessInfo> &list = group->processes;
        for (int row = 0; row < list.size(); ++row) {
            if (list.at(row).key == key)
                return createIndex(row, column, static_cast<Node *>(group.get()));
        }
    }
    return QModelIndex();
}

QModelIndex ProcessTreeModel::indexOfKey(qint64 key, int column) const
{
    return indexOfKeyIn(current(), key, column);
}

QModelIndex ProcessTreeModel::indexOfKeyOn(const QString &host, qint64 key, int column) const
{
    return indexOfKeyIn(hostNamed(host), key, column);
}

std::optional<ProcessInfo> ProcessTreeModel::process(qint64 key) const
{
    return processOn(m_currentHost, key);
}

std::optional<ProcessInfo> ProcessTreeModel::processOn(const QString &host, qint64 key) const
{
    const QModelIndex i = indexOfKeyOn(host, key);
    if (!i.isValid())
        return std::nullopt;
    return static_cast<const Group *>(static_cast<const Node *>(i.internalPointer()))->processes.at(i.row());
}

QStringList ProcessTreeModel::groups() const
{
    QStringList names;
    if (const Host *host = current()) {
        for (const auto &g : host->groups)
            names.append(g->name);
    }
    return names;
}

QList<qint64> ProcessTreeModel::keys(const QString &group) const
{
    return keysOn(m_currentHost, group);
}

QList<qint64> ProcessTreeModel::keysOn(const QString &host, const QString &group) const
{
    QList<qint64> result;
    const Host *h = hostNamed(host);
    if (!h)
        return result;
    for (const auto &g : h->groups) {
        if (!group.isEmpty() && g->name != group)
            continue;
        for (const ProcessInfo &p : g->processes)
            result.append(p.key);
    }
    return result;
}

int ProcessTreeModel::processCount() const
{
    int n = 0;
    if (const Host *host = current()) {
        for (const auto &g : host->groups)
            n += int(g->processes.size());
    }
    return n;
}

QString ProcessTreeModel::spawnEntryOf(const QString &group) const
{
    const Host *host = current();
    if (!host)
        return group;
    if (host->groupAlias.value(group) == group)
        return group;
    for (auto it = host->groupAlias.cbegin(); it != host->groupAlias.cend(); ++it) {
        if (it.value() == group)
            return it.key();
    }
    return group;
}

// ---- QAbstractItemModel ----

QModelIndex ProcessTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column < 0 || column >= ColumnCount || row < 0)
        return QModelIndex();
    if (!parent.isValid()) {
        if (m_acrossHosts)
            return row < int(m_hosts.size()) ? createIndex(row, column, nullptr) : QModelIndex();
        return row < int(m_hosts.front()->groups.size()) ? createIndex(row, column, nullptr) : QModelIndex();
    }
    const auto *node = static_cast<const Node *>(parent.internalPointer());
    const Host *host = nullptr;
    if (!node && m_acrossHosts) {
        // A host's row: its groups.
        if (parent.row() >= int(m_hosts.size()))
            return QModelIndex();
        host = m_hosts[size_t(parent.row())].get();
        return row < int(host->groups.size()) ? groupIndex(*host, row, column) : QModelIndex();
    }
    if (node && !node->isHost)
        return QModelIndex(); // processes have no children
    // A group's row: its processes.
    host = node ? static_cast<const Host *>(node) : m_hosts.front().get();
    if (parent.row() >= int(host->groups.size()))
        return QModelIndex();
    Group *group = host->groups[size_t(parent.row())].get();
    return row < group->processes.size() ? createIndex(row, column, static_cast<Node *>(group)) : QModelIndex();
}

QModelIndex ProcessTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !child.internalPointer())
        return QModelIndex();
    const auto *node = static_cast<const Node *>(child.internalPointer());
    if (node->isHost) {
        const int row = hostRow(static_cast<const Host *>(node));
        return row >= 0 ? createIndex(row, 0, nullptr) : QModelIndex();
    }
    const auto *group = static_cast<const Group *>(node);
    const Host &host = *group->host;
    for (size_t g = 0; g < host.groups.size(); ++g) {
        if (host.groups[g].get() == group)
            return groupIndex(host, int(g));
    }
    return QModelIndex();
}

int ProcessTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return m_acrossHosts ? int(m_hosts.size()) : int(m_hosts.front()->groups.size());
    if (parent.column() != 0)
        return 0;
    const auto *node = static_cast<const Node *>(parent.internalPointer());
    if (!node && m_acrossHosts)
        return parent.row() < int(m_hosts.size()) ? int(m_hosts[size_t(parent.row())]->groups.size()) : 0;
    if (node && !node->isHost)
        return 0;
    const Host *host = node ? static_cast<const Host *>(node) : m_hosts.front().get();
    return parent.row() < int(host->groups.size()) ? int(host->groups[size_t(parent.row())]->processes.size()) : 0;
}

bool ProcessTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (m_acrossHosts && parent.isValid() && !parent.internalPointer() && parent.column() == 0)
        return true;
    return QAbstractItemModel::hasChildren(parent);
}

int ProcessTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

Qt::ItemFlags ProcessTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

Qt::Alignment ProcessTreeModel::columnAlignment(int column)
{
    return column < ParentColumn ? (Qt::AlignLeft | Qt::AlignVCenter) : (Qt::AlignRight | Qt::AlignVCenter);
}

QVariant ProcessTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QVariant();
    if (role == Qt::TextAlignmentRole)
        return QVariant(columnAlignment(section));
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn: return QStringLiteral("Group / PID");
        case StateColumn: return QStringLiteral("State");
        case HostColumn: return QStringLiteral("Host");
        case ParentColumn: return QStringLiteral("Parent");
        case UptimeColumn: return QStringLiteral("Uptime");
        case RestartsColumn: return QStringLiteral("Restarts");
        case CpusColumn: return QStringLiteral("CPUs");
        case RssColumn: return QStringLiteral("RSS");
        case CpuColumn: return QStringLiteral("CPU");
        case LastSeenColumn: return QStringLiteral("Last seen");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case ParentColumn: return QStringLiteral("The parent process' pid");
        case CpusColumn: return QStringLiteral("CPU affinity (taskset)");
        case RssColumn: return QStringLiteral("Resident memory");
        case CpuColumn: return QStringLiteral("Percent of one CPU");
        case LastSeenColumn: return QStringLiteral("Time since the last heartbeat");
        }
    }
    return QVariant();
}

QVariant ProcessTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return QVariant();
    const auto *node = static_cast<const Node *>(index.internalPointer());
    if (!node && m_acrossHosts) {
        if (index.row() >= int(m_hosts.size()))
            return QVariant();
        return hostData(*m_hosts[size_t(index.row())], index.column(), role);
    }
    if (!node || node->isHost) {
        const Host &host = node ? *static_cast<const Host *>(node) : *m_hosts.front();
        if (index.row() >= int(host.groups.size()))
            return QVariant();
        return groupData(*host.groups[size_t(index.row())], index.column(), role);
    }
    const auto *group = static_cast<const Group *>(node);
    if (index.row() >= group->processes.size())
        return QVariant();
    return processData(*group->host, group->processes.at(index.row()), index.column(), role);
}

// A host's row: its name, whether it runs or is lost, how many workers it has.
QVariant ProcessTreeModel::hostData(const Host &host, int column, int role) const
{
    int workers = 0;
    qint64 masterPid = host.masterPid;
    for (const auto &group : host.groups) {
        for (const ProcessInfo &p : group->processes) {
            if (p.isMaster)
                masterPid = p.pid;
            else
                ++workers;
        }
    }
    const QString state = host.lost ? QStringLiteral("lost") : QStringLiteral("running");
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn: return host.name;
        case StateColumn:
            // A host never read (its row never opened) has no count to show, not 0.
            return !host.read ? state
                              : QStringLiteral("%1 · %2 %3").arg(state).arg(workers).arg(workers == 1 ? QStringLiteral("worker") : QStringLiteral("workers"));
        case HostColumn: return host.name;
        }
        return QVariant();
    case SortRole:
        switch (column) {
        case NameColumn:
        case HostColumn: return host.name;
        case StateColumn: return state;
        }
        return QVariant();
    case Qt::ToolTipRole:
        return host.lost ? QStringLiteral("host %1 is lost: its master %2 stopped announcing itself without stopping; "
                                          "its processes are shown as last seen")
                               .arg(host.name).arg(masterPid)
                         : !host.read ? QStringLiteral("host %1, master %2: open it to read its processes").arg(host.name).arg(masterPid)
                                      : QStringLiteral("host %1, master %2, %3 workers").arg(host.name).arg(masterPid).arg(workers);
    case Qt::DecorationRole:
        if (column == StateColumn) // red for lost: a dead host is worse news than a failed worker's orange
            return dotIcon(m_stale ? ProcessState().color() : host.lost ? QColor(0xd0, 0x31, 0x2d) : QColor(0x2e, 0x9d, 0x4f));
        return QVariant();
    case Qt::FontRole: {
        QFont font;
        font.setBold(true);
        font.setItalic(host.lost);
        return font;
    }
    case Qt::ForegroundRole:
        return m_stale ? QBrush(Qt::gray) : host.lost ? QBrush(QColor(0xd0, 0x31, 0x2d)) : QVariant();
    case Qt::TextAlignmentRole:
        return QVariant(columnAlignment(column));
    case HostRole:
        return host.name;
    case IsHostRole:
        return true;
    case IsGroupRole:
        return false;
    case StateRole:
        return state;
    case KeyRole:
    case PidRole:
        return qint64(0);
    }
    return QVariant();
}

QVariant ProcessTreeModel::groupData(const Group &group, int column, int role) const
{
    int running = 0;
    int failed = 0;
    int stopped = 0;
    int restarts = 0;
    double rss = 0;
    double cpu = 0;
    for (const ProcessInfo &p : group.processes) {
        running += p.isRunning() ? 1 : 0;
        failed += p.state.is(Clustr::ChildInfo::State::Failed) ? 1 : 0;
        stopped += p.state.is(Clustr::ChildInfo::State::Stopped) ? 1 : 0;
        restarts += p.restarts;
        rss += std::max(0.0, p.rss);
        cpu += std::isnan(p.cpu) ? 0.0 : p.cpu;
    }
    const int total = int(group.processes.size());
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn: return group.name;
        case StateColumn: return running == total ? QStringLiteral("%1 running").arg(total)
                                                  : QStringLiteral("%1 of %2 running").arg(running).arg(total);
        case RestartsColumn: return restarts;
        case RssColumn: return Format::bytes(rss);
        case CpuColumn: return Format::percent(cpu);
        }
        return QVariant();
    case SortRole:
        switch (column) {
        case NameColumn: return group.name;
        case StateColumn: return running;
        case RestartsColumn: return restarts;
        case RssColumn: return rss;
        case CpuColumn: return cpu;
        }
        return QVariant();
    case Qt::DecorationRole:
        if (column == StateColumn)
            return dotIcon(groupState(isGreyed(*group.host), failed, running, stopped, total).color());
        return QVariant();
    case Qt::FontRole: {
        QFont font;
        font.setBold(true);
        return font;
    }
    case Qt::ForegroundRole:
        return isGreyed(*group.host) ? QBrush(Qt::gray) : QVariant();
    case Qt::TextAlignmentRole:
        return QVariant(columnAlignment(column));
    case HostRole:
        return group.host->name;
    case IsHostRole:
        return false;
    case GroupRole:
        return group.name;
    case IsGroupRole:
        return true;
    case KeyRole:
    case PidRole:
        return qint64(0);
    }
    return QVariant();
}

QVariant ProcessTreeModel::processData(const Host &host, const ProcessInfo &p, int column, int role) const
{
    const bool greyed = isGreyed(host);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn: return p.pid > 0 ? QString::number(p.pid) : Format::unknown();
        case StateColumn: return p.state.isKnown() ? p.state.text() : Format::unknown();
        case HostColumn: return p.host;
        case ParentColumn: return p.ppid > 0 ? QString::number(p.ppid) : Format::unknown();
        case UptimeColumn: return Format::duration(p.uptimeMs);
        case RestartsColumn: return p.restarts;
        case CpusColumn: return p.cpus.isEmpty() ? QStringLiteral("any") : p.cpus;
        case RssColumn: return Format::bytes(p.rss);
        case CpuColumn: return Format::percent(p.cpu);
        case LastSeenColumn: return p.isMaster ? QStringLiteral("now") : p.heartbeat ? Format::ago(p.lastSeenMs)
                                                                      : p.registered ? QStringLiteral("no heartbeat") : Format::unknown();
        }
        return QVariant();
    case SortRole:
        switch (column) {
        case NameColumn: return p.key;
        case StateColumn: return p.state.text();
        case HostColumn: return p.host;
        case ParentColumn: return p.ppid;
        case UptimeColumn: return p.uptimeMs;
        case RestartsColumn: return p.restarts;
        case CpusColumn: return p.cpus;
        case RssColumn: return p.rss;
        case CpuColumn: return std::isnan(p.cpu) ? -1.0 : p.cpu;
        case LastSeenColumn: return p.lastSeenMs;
        }
        return QVariant();
    case Qt::ToolTipRole: {
        QString tip = QStringLiteral("%1 %2 in group %3").arg(p.isMaster ? QStringLiteral("master") : QStringLiteral("process"))
                          .arg(p.pid).arg(p.group);
        if (!p.file.isEmpty())
            tip += QStringLiteral("\nprogram: ") + p.file;
        if (!p.registered && !p.isMaster)
            tip += QStringLiteral("\nnot registered with the master");
        if (!p.error.isEmpty())
            tip += QStringLiteral("\nerror: ") + p.error;
        return tip;
    }
    case Qt::DecorationRole:
        return column == StateColumn ? QVariant(dotIcon((greyed ? ProcessState() : p.state).color())) : QVariant();
    case Qt::ForegroundRole:
        if (greyed || p.pid <= 0)
            return QBrush(Qt::gray);
        return QVariant();
    case Qt::FontRole:
        if (column == NameColumn && p.isMaster) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return QVariant();
    case Qt::TextAlignmentRole:
        return QVariant(columnAlignment(column));
    case KeyRole:
        return p.key;
    case PidRole:
        return p.pid;
    case HostRole:
        return host.name;
    case IsHostRole:
        return false;
    case GroupRole:
        return p.group;
    case IsGroupRole:
        return false;
    case StateRole:
        return p.state.text();
    }
    return QVariant();
}
