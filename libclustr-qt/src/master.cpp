// SPDX-License-Identifier: MIT
#include "master_p.h"

namespace Clustr {

MasterPrivate::MasterPrivate(const ProcessOptions &options)
    : ProcessPrivate(QStringLiteral("master"), options)
{
    masterPid = pid;
}

QList<QPair<QByteArray, Message::Kind>> MasterPrivate::extraChannels() const
{
    return {
        {channels.registrationChannel(pid), Message::Kind::Registration},
        {channels.deregistrationChannel(pid), Message::Kind::Deregistration},
        // Workers ask for cluster info on the master's channel.
        {channels.clusterInfoChannel(pid), Message::Kind::ClusterInfo},
    };
}

bool MasterPrivate::handleMessage(const Message &message)
{
    Q_Q(Master);
    switch (message.kind) {
    case Message::Kind::Registration:
        ++stats.onMessage;
        Q_EMIT q->messageReceived(message);
        addWorker(message.pid, message.group);
        return true;
    case Message::Kind::Deregistration:
        ++stats.onMessage;
        Q_EMIT q->messageReceived(message);
        removeWorker(message.pid);
        return true;
    case Message::Kind::ClusterInfo:
        if (message.data.isObject())
            return true; // our own answer, when a worker shares our pid (in-process use)
        if (message.data != QJsonValue(QStringLiteral("clusterInfo"))) {
            reject(channels.clusterInfoChannel(pid), QStringLiteral("a cluster-info request's data must be \"clusterInfo\""));
            return true;
        }
        ++stats.onMessage;
        Q_EMIT q->messageReceived(message);
        publish(channels.clusterInfoChannel(message.pid), Protocol::Codec::toJson(clusterInfo));
        return true;
    default:
        return false;
    }
}

void MasterPrivate::addWorker(qint64 workerPid, const QString &workerGroup)
{
    Q_Q(Master);
    const auto known = groupOf.constFind(workerPid);
    if (known != groupOf.cend()) {
        if (known.value() == workerGroup)
            return; // registered twice: once is enough
        removeWorker(workerPid); // same pid, new group: a recycled pid
    }
    groupOf.insert(workerPid, workerGroup);
    clusterInfo[workerGroup].append(workerPid);
    qCInfo(lcMaster) << "registered" << workerPid << "in" << workerGroup;
    Q_EMIT q->workerRegistered(workerPid, workerGroup);
    Q_EMIT q->clusterInfoChanged();
}

void MasterPrivate::removeWorker(qint64 workerPid)
{
    Q_Q(Master);
    const QString workerGroup = groupOf.take(workerPid);
    if (workerGroup.isNull())
        return;
    auto it = clusterInfo.find(workerGroup);
    if (it != clusterInfo.end()) {
        it->removeAll(workerPid);
        if (it->isEmpty())
            clusterInfo.erase(it);
    }
    qCInfo(lcMaster) << "deregistered" << workerPid << "of" << workerGroup;
    Q_EMIT q->workerDeregistered(workerPid, workerGroup);
    Q_EMIT q->clusterInfoChanged();
}

Master::Master(QObject *parent)
    : Master(ProcessOptions(), parent)
{
}

Master::Master(const ProcessOptions &options, QObject *parent)
    : Process(*new MasterPrivate(options), parent)
{
}

Master::~Master() = default;

ClusterInfo Master::clusterInfo() const
{
    return d_func()->clusterInfo;
}

int Master::workerCount() const
{
    return int(d_func()->groupOf.size());
}

std::chrono::milliseconds Master::reloadDelay() const
{
    return d_func()->options.reloadDelay;
}

} // namespace Clustr
