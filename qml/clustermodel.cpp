// SPDX-License-Identifier: MIT
#include "clustermodel.h"

#include <ClustrQt/accesscontrol.h>
#include <ClustrQt/childinfo.h>
#include <ClustrQt/clusterclient.h>

#include <QtCore/QMap>

#include <algorithm>

struct ClusterModel::Node
{
    enum class Kind { Root, Host, Group, Process };

    Node(Kind kind, const QString &name, Node *parent) : kind(kind), name(name), parent(parent) {}

    Kind kind;
    QString name;
    Node *parent;
    Clustr::ProcessStatus status; // Process only
    Nodes children;

    qint64 pid() const { return kind == Kind::Process ? status.pid() : 0; }
    // Hosts and groups in name order, processes in pid order.
    bool lessThan(const Node &other) const
    {
        return kind == Kind::Process ? pid() < other.pid() : name < other.name;
    }
    bool sameKey(const Node &other) const { return !lessThan(other) && !other.lessThan(*this); }
    int row() const
    {
        const auto &siblings = parent->children;
        const auto it = std::find_if(siblings.cbegin(), siblings.cend(), [this](const auto &n) { return n.get() == this; });
        return int(it - siblings.cbegin());
    }
    int processCount() const
    {
        if (kind == Kind::Process)
            return 1;
        int count = 0;
        for (const auto &child : children)
            count += child->processCount();
        return count;
    }
};

ClusterModel::ClusterModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>(Node::Kind::Root, QString(), nullptr))
{
    scheduleReconnect();
}

ClusterModel::~ClusterModel()
{
    // The client says goodbye as it goes (connectedChanged, ...): not to a
    // model that is half destroyed.
    if (m_client)
        m_client->disconnect(this);
}

void ClusterModel::setRedisUrl(const QString &url)
{
    if (url == m_redisUrl)
        return;
    m_redisUrl = url;
    Q_EMIT redisUrlChanged();
    scheduleReconnect();
}

void ClusterModel::setClusterName(const QString &name)
{
    if (name == m_clusterName)
        return;
    m_clusterName = name;
    Q_EMIT clusterNameChanged();
    scheduleReconnect();
}

void ClusterModel::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    Q_EMIT activeChanged();
    scheduleReconnect();
}

void ClusterModel::setSampling(bool sampling)
{
    if (sampling == m_sampling)
        return;
    m_sampling = sampling;
    if (m_client)
        m_client->setSampling(sampling);
    Q_EMIT samplingChanged();
}

bool ClusterModel::isConnected() const
{
    return m_client && m_client->isConnected();
}

bool ClusterModel::isClusterRunning() const
{
    return m_client && m_client->isClusterRunning();
}

qint64 ClusterModel::masterPid() const
{
    return m_client ? m_client->masterPid() : 0;
}

void ClusterModel::scheduleReconnect()
{
    // Properties are set one by one (by QML as it creates the element): one
    // connection once they all are, not one per property.
    if (m_reconnectScheduled)
        return;
    m_reconnectScheduled = true;
    QMetaObject::invokeMethod(this, &ClusterModel::reconnect, Qt::QueuedConnection);
}

void ClusterModel::reconnect()
{
    m_reconnectScheduled = false;
    const bool wasConnected = isConnected();
    const bool wasRunning = isClusterRunning();
    m_client.reset();
    clear();
    if (m_active) {
        const QString url = m_redisUrl.isEmpty()
                                ? Clustr::ClusterClient::discoverRedisUrl(m_clusterName, Clustr::AccessControl::Role::Monitor)
                                : m_redisUrl;
        m_client = std::make_unique<Clustr::ClusterClient>();
        Clustr::ClusterClient *client = m_client.get();
        client->setRedisUrl(url);
        client->setClusterName(m_clusterName);
        connect(client, &Clustr::ClusterClient::connectedChanged, this, &ClusterModel::connectedChanged);
        connect(client, &Clustr::ClusterClient::clusterRunningChanged, this, [this](bool running) {
            if (!running)
                clear(); // a stopped cluster has no processes, whatever its last status said
            Q_EMIT clusterRunningChanged();
        });
        connect(client, &Clustr::ClusterClient::statusUpdated, this, &ClusterModel::applyStatus);
        connect(client, &Clustr::ClusterClient::errorOccurred, this,
                [this](Clustr::ClusterClient::Error, const QString &text) {
                    m_errorString = text;
                    Q_EMIT errorOccurred(text);
                });
        if (client->open()) {
            client->setSampling(m_sampling);
        } else {
            // An unusable URL or name: said by errorOccurred(); nothing to retry until they change.
            m_client.reset();
        }
    }
    if (wasConnected != isConnected())
        Q_EMIT connectedChanged();
    if (wasRunning != isClusterRunning())
        Q_EMIT clusterRunningChanged();
}

void ClusterModel::clear()
{
    sync(m_root.get(), {});
}

void ClusterModel::applyStatus(const Clustr::ClusterStatus &status)
{
    // What the tree should be: hosts, groups, processes, each level in order.
    QMap<QString, QMap<QString, QList<Clustr::ProcessStatus>>> wanted;
    const QString masterHost = status.master().host();
    for (const Clustr::ProcessStatus &process : status.processes()) {
        const QString host = process.host().isEmpty() ? masterHost : process.host();
        wanted[host][process.group()].append(process);
    }
    Nodes hosts;
    for (auto host = wanted.cbegin(); host != wanted.cend(); ++host) {
        auto hostNode = std::make_unique<Node>(Node::Kind::Host, host.key(), m_root.get());
        for (auto group = host->cbegin(); group != host->cend(); ++group) {
            auto groupNode = std::make_unique<Node>(Node::Kind::Group, group.key(), hostNode.get());
            for (const Clustr::ProcessStatus &process : group.value()) {
                auto processNode = std::make_unique<Node>(Node::Kind::Process, QString::number(process.pid()), groupNode.get());
                processNode->status = process;
                groupNode->children.push_back(std::move(processNode));
            }
            std::sort(groupNode->children.begin(), groupNode->children.end(),
                      [](const auto &a, const auto &b) { return a->lessThan(*b); });
            hostNode->children.push_back(std::move(groupNode));
        }
        hosts.push_back(std::move(hostNode));
    }
    sync(m_root.get(), std::move(hosts));
    Q_EMIT statusApplied();
}

void ClusterModel::sync(Node *parent, Nodes wanted)
{
    // Both lists are in order: one merge removes what is not wanted, inserts
    // what is new and updates what stays.
    const QModelIndex parentIndex = indexOf(parent);
    Nodes &existing = parent->children;
    const auto remove = [&](size_t i) {
        beginRemoveRows(parentIndex, int(i), int(i));
        existing.erase(existing.begin() + qsizetype(i));
        endRemoveRows();
    };
    size_t i = 0;
    for (auto &w : wanted) {
        while (i < existing.size() && existing[i]->lessThan(*w))
            remove(i);
        if (i < existing.size() && existing[i]->sameKey(*w)) {
            Node *node = existing[i].get();
            const int countBefore = node->processCount();
            sync(node, std::move(w->children));
            const bool changed = node->kind == Node::Kind::Process ? node->status != w->status
                                                                   : countBefore != node->processCount();
            if (changed) {
                node->status = w->status;
                const QModelIndex index = indexOf(node);
                Q_EMIT dataChanged(index, index);
            }
        } else {
            beginInsertRows(parentIndex, int(i), int(i));
            w->parent = parent;
            existing.insert(existing.begin() + qsizetype(i), std::move(w));
            endInsertRows();
        }
        ++i;
    }
    while (i < existing.size())
        remove(i);
    if (parent == m_root.get()) {
        const int count = m_root->processCount();
        if (count != m_processCount) {
            m_processCount = count;
            Q_EMIT processCountChanged();
        }
    }
}

QModelIndex ClusterModel::indexOfProcess(qint64 pid) const
{
    for (const auto &host : m_root->children)
        for (const auto &group : host->children)
            for (const auto &process : group->children)
                if (process->pid() == pid)
                    return indexOf(process.get());
    return {};
}

QModelIndex ClusterModel::indexOf(const Node *node) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row(), 0, const_cast<Node *>(node));
}

ClusterModel::Node *ClusterModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex ClusterModel::index(int row, int column, const QModelIndex &parent) const
{
    const Node *node = nodeOf(parent);
    if (column != 0 || row < 0 || size_t(row) >= node->children.size() || (parent.isValid() && parent.column() != 0))
        return {};
    return createIndex(row, 0, node->children[size_t(row)].get());
}

QModelIndex ClusterModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexOf(nodeOf(child)->parent);
}

int ClusterModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int ClusterModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant ClusterModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node &node = *nodeOf(index);
    const Clustr::ProcessStatus &status = node.status;
    const bool process = node.kind == Node::Kind::Process;
    const Node *group = process ? node.parent : node.kind == Node::Kind::Group ? &node : nullptr;
    const Node *host = group ? group->parent : &node;
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return node.name;
    case KindRole:
        return process ? QStringLiteral("process") : group ? QStringLiteral("group") : QStringLiteral("host");
    case HostRole:
        return host->name;
    case GroupRole:
        return group ? group->name : QString();
    case PidRole:
        return node.pid();
    case PpidRole:
        return process ? status.ppid() : 0;
    case StateRole:
        return process ? Clustr::ChildInfo::stateName(status.state()) : QString();
    case InstanceRole:
        return process ? status.instance() : QString();
    case RestartsRole:
        return process ? status.restarts() : 0;
    case UptimeRole:
        return process ? status.uptimeMs() : 0;
    case CpuPercentRole:
        return process ? status.cpuPercent() : 0.0;
    case RssBytesRole:
        return process ? status.rssBytes() : 0;
    case HeartbeatRole:
        return process && status.heartbeat();
    case ProcessCountRole:
        return node.processCount();
    default:
        return {};
    }
}

QHash<int, QByteArray> ClusterModel::roleNames() const
{
    return {
        {Qt::DisplayRole, "display"},
        {NameRole, "name"},
        {KindRole, "kind"},
        {HostRole, "host"},
        {GroupRole, "group"},
        {PidRole, "pid"},
        {PpidRole, "ppid"},
        {StateRole, "state"},
        {InstanceRole, "instance"},
        {RestartsRole, "restarts"},
        {UptimeRole, "uptimeMs"},
        {CpuPercentRole, "cpuPercent"},
        {RssBytesRole, "rssBytes"},
        {HeartbeatRole, "heartbeat"},
        {ProcessCountRole, "processCount"},
    };
}
