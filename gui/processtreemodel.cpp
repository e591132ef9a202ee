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
}

ProcessTreeModel::~ProcessTreeModel() = default;

// ---- updates ----

ProcessTreeModel::Desired ProcessTreeModel::desiredFrom(const Clustr::ClusterStatus &status)
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
            m_lastPids.insert({child.group(), child.instance()}, child.pid());
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
        m_groupAlias.insert(it.key(), it.value());

    for (int i = 0; i < children.size(); ++i) {
        const Clustr::ChildInfo &child = children.at(i);
        if (child.pid() > 0 && registered.contains(child.pid()))
            continue;
        ProcessInfo p = ProcessInfo::fromChild(child, i, masterInfo.host, masterInfo.pid, now);
        p.state = childState(child);
        if (p.pid <= 0)
            p.lastPid = m_lastPids.value({child.group(), child.instance()});
        const QString aliased = m_groupAlias.value(p.group);
        if (!aliased.isEmpty())
            p.group = aliased;
        desired[p.group].append(p);
    }

    applyOverrides(desired, now);
    for (auto &list : desired)
        std::sort(list.begin(), list.end(), keyLessThan);
    return desired;
}

void ProcessTreeModel::applyOverrides(Desired &desired, const QDateTime &snapshotTime)
{
    for (auto it = m_overrides.begin(); it != m_overrides.end();) {
        const qint64 pid = it.key();
        const Override &o = it.value();
        if ((snapshotTime.isValid() && o.eventTime.isValid() && snapshotTime > o.eventTime) || o.age.elapsed() > OverrideMaxAgeMs) {
            it = m_overrides.erase(it); // the snapshot knows about the event now
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
    if (status.master().pid() <= 0)
        return; // the cluster is gone: keep the last picture (setStale greys it)
    setDesired(desiredFrom(status));
}

void ProcessTreeModel::applyEvent(const Clustr::ClusterEvent &event)
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
    m_overrides.insert(pid, o);
    if (added)
        addRegistered(pid, o.group);
    else
        removeKey(pid);
}

void ProcessTreeModel::addRegistered(qint64 pid, const QString &group)
{
    if (group.isEmpty())
        return;
    if (const auto shown = process(pid); shown && shown->registered)
        return;
    // The rows as they are, with the registration applied (see applyOverrides()).
    Desired desired;
    for (const auto &g : m_groups)
        desired.insert(g->name, g->processes);
    applyOverrides(desired, QDateTime());
    for (auto &list : desired)
        std::sort(list.begin(), list.end(), keyLessThan);
    setDesired(desired);
}

void ProcessTreeModel::removeKey(qint64 key)
{
    for (size_t g = 0; g < m_groups.size(); ++g) {
        Group &group = *m_groups[g];
        const auto it = std::find_if(group.processes.cbegin(), group.processes.cend(), [key](const ProcessInfo &p) { return p.key == key; });
        if (it == group.processes.cend())
            continue;
        if (group.processes.size() == 1) {
            beginRemoveRows(QModelIndex(), int(g), int(g));
            m_groups.erase(m_groups.begin() + qsizetype(g));
            endRemoveRows();
        } else {
            const int row = int(it - group.processes.cbegin());
            beginRemoveRows(index(int(g), 0), row, row);
            group.processes.removeAt(row);
            endRemoveRows();
            Q_EMIT dataChanged(index(int(g), 0), index(int(g), ColumnCount - 1));
        }
        Q_EMIT processRemoved(key);
        return;
    }
}

void ProcessTreeModel::setDesired(const Desired &desired)
{
    // Groups that went away, with all their processes.
    for (int g = int(m_groups.size()) - 1; g >= 0; --g) {
        if (desired.contains(m_groups[size_t(g)]->name))
            continue;
        const QList<ProcessInfo> gone = m_groups[size_t(g)]->processes;
        beginRemoveRows(QModelIndex(), g, g);
        m_groups.erase(m_groups.begin() + g);
        endRemoveRows();
        for (const ProcessInfo &p : gone)
            Q_EMIT processRemoved(p.key);
    }
    for (auto it = desired.cbegin(); it != desired.cend(); ++it) {
        const int row = groupRow(it.key());
        if (row >= 0) {
            syncGroup(row, it.value());
            continue;
        }
        // A new group comes with its processes in one insertion.
        const int position = groupInsertPosition(it.key());
        beginInsertRows(QModelIndex(), position, position);
        auto group = std::make_unique<Group>();
        group->name = it.key();
        group->processes = it.value();
        m_groups.insert(m_groups.begin() + position, std::move(group));
        endInsertRows();
        for (const ProcessInfo &p : it.value())
            Q_EMIT processUpdated(p.key);
    }
}

void ProcessTreeModel::syncGroup(int groupRow, const QList<ProcessInfo> &wanted)
{
    Group &group = *m_groups[size_t(groupRow)];
    const QModelIndex parent = index(groupRow, 0);
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
            Q_EMIT processRemoved(key);
            changed = true;
        } else if (haveNew && (!haveOld || wanted.at(w).key < group.processes.at(row).key)) {
            beginInsertRows(parent, row, row);
            group.processes.insert(row, wanted.at(w));
            endInsertRows();
            Q_EMIT processUpdated(wanted.at(w).key);
            changed = true;
            ++row;
            ++w;
        } else {
            if (group.processes.at(row) != wanted.at(w)) {
                group.processes[row] = wanted.at(w);
                Q_EMIT dataChanged(index(row, 0, parent), index(row, ColumnCount - 1, parent));
                Q_EMIT processUpdated(wanted.at(w).key);
                changed = true;
            }
            ++row;
            ++w;
        }
    }
    if (changed)
        Q_EMIT dataChanged(index(groupRow, 0), index(groupRow, ColumnCount - 1));
}

void ProcessTreeModel::setStale(bool stale)
{
    if (stale == m_stale)
        return;
    m_stale = stale;
    // Every row changes colour.
    for (int g = 0; g < int(m_groups.size()); ++g) {
        Q_EMIT dataChanged(index(g, 0), index(g, ColumnCount - 1));
        const QModelIndex parent = index(g, 0);
        const int children = int(m_groups[size_t(g)]->processes.size());
        if (children > 0)
            Q_EMIT dataChanged(index(0, 0, parent), index(children - 1, ColumnCount - 1, parent));
    }
    Q_EMIT staleChanged(stale);
}

void ProcessTreeModel::clear()
{
    beginResetModel();
    m_groups.clear();
    m_overrides.clear();
    m_groupAlias.clear();
    m_lastPids.clear();
    m_stale = false;
    endResetModel();
}

// ---- lookups ----

int ProcessTreeModel::groupRow(const QString &name) const
{
    for (size_t g = 0; g < m_groups.size(); ++g) {
        if (m_groups[g]->name == name)
            return int(g);
    }
    return -1;
}

int ProcessTreeModel::groupInsertPosition(const QString &name) const
{
    const auto it = std::lower_bound(m_groups.cbegin(), m_groups.cend(), name,
                                     [](const std::unique_ptr<Group> &g, const QString &n) { return groupLessThan(g->name, n); });
    return int(it - m_groups.cbegin());
}

QModelIndex ProcessTreeModel::indexOfKey(qint64 key, int column) const
{
    for (size_t g = 0; g < m_groups.size(); ++g) {
        const QList<ProcessInfo> &list = m_groups[g]->processes;
        for (int row = 0; row < list.size(); ++row) {
            if (list.at(row).key == key)
                return createIndex(row, column, m_groups[g].get());
        }
    }
    return QModelIndex();
}

std::optional<ProcessInfo> ProcessTreeModel::process(qint64 key) const
{
    const QModelIndex i = indexOfKey(key);
    if (!i.isValid())
        return std::nullopt;
    return static_cast<const Group *>(i.internalPointer())->processes.at(i.row());
}

QStringList ProcessTreeModel::groups() const
{
    QStringList names;
    for (const auto &g : m_groups)
        names.append(g->name);
    return names;
}

QList<qint64> ProcessTreeModel::keys(const QString &group) const
{
    QList<qint64> result;
    for (const auto &g : m_groups) {
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
    for (const auto &g : m_groups)
        n += int(g->processes.size());
    return n;
}

QString ProcessTreeModel::spawnEntryOf(const QString &group) const
{
    if (m_groupAlias.value(group) == group)
        return group;
    for (auto it = m_groupAlias.cbegin(); it != m_groupAlias.cend(); ++it) {
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
    if (!parent.isValid())
        return row < int(m_groups.size()) ? createIndex(row, column, nullptr) : QModelIndex();
    if (parent.internalPointer() || parent.row() >= int(m_groups.size()))
        return QModelIndex(); // processes have no children
    Group *group = m_groups[size_t(parent.row())].get();
    return row < group->processes.size() ? createIndex(row, column, group) : QModelIndex();
}

QModelIndex ProcessTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || !child.internalPointer())
        return QModelIndex();
    const auto *group = static_cast<const Group *>(child.internalPointer());
    for (size_t g = 0; g < m_groups.size(); ++g) {
        if (m_groups[g].get() == group)
            return createIndex(int(g), 0, nullptr);
    }
    return QModelIndex();
}

int ProcessTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_groups.size());
    if (parent.column() != 0 || parent.internalPointer() || parent.row() >= int(m_groups.size()))
        return 0;
    return int(m_groups[size_t(parent.row())]->processes.size());
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
    if (!index.internalPointer()) {
        if (index.row() >= int(m_groups.size()))
            return QVariant();
        return groupData(*m_groups[size_t(index.row())], index.column(), role);
    }
    const auto *group = static_cast<const Group *>(index.internalPointer());
    if (index.row() >= group->processes.size())
        return QVariant();
    return processData(group->processes.at(index.row()), index.column(), role);
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
            return dotIcon(groupState(m_stale, failed, running, stopped, total).color());
        return QVariant();
    case Qt::FontRole: {
        QFont font;
        font.setBold(true);
        return font;
    }
    case Qt::ForegroundRole:
        return m_stale ? QBrush(Qt::gray) : QVariant();
    case Qt::TextAlignmentRole:
        return QVariant(columnAlignment(column));
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

QVariant ProcessTreeModel::processData(const ProcessInfo &p, int column, int role) const
{
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
        return column == StateColumn ? QVariant(dotIcon((m_stale ? ProcessState() : p.state).color())) : QVariant();
    case Qt::ForegroundRole:
        if (m_stale || p.pid <= 0)
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
    case GroupRole:
        return p.group;
    case IsGroupRole:
        return false;
    case StateRole:
        return p.state.text();
    }
    return QVariant();
}
