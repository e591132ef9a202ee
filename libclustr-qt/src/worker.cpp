// SPDX-License-Identifier: MIT
#include "worker_p.h"

#include "protocol/records_p.h"

#include <QtCore/QSysInfo>

#include <unistd.h>

namespace Clustr {

namespace {

// A spawner tells each child the group of its spawn entry (docs/PROTOCOL.md, section 7).
QString groupOrSpawnersChoice(const QString &group)
{
    return group.isEmpty() ? qEnvironmentVariable("CLUSTR_GROUP") : group;
}

} // namespace

WorkerPrivate::WorkerPrivate(const QString &group, const ProcessOptions &options)
    : ProcessPrivate(groupOrSpawnersChoice(group), options)
{
    clusterInfoTimer.setSingleShot(true);
}

QList<QPair<QByteArray, Protocol::ChannelKind>> WorkerPrivate::extraChannels() const
{
    // The master answers cluster-info requests on the requester's channel.
    return {{channels.clusterInfoChannel(pid), Protocol::ChannelKind::ClusterInfo}};
}

bool WorkerPrivate::handleMessage(Protocol::ChannelKind kind, const Message &message)
{
    Q_Q(Worker);
    if (kind != Protocol::ChannelKind::ClusterInfo)
        return false;
    if (message.data() == QJsonValue(QStringLiteral("clusterInfo")))
        return true; // a request for a master that shares our pid (in-process use)
    QString error;
    const auto info = Protocol::Codec::clusterInfo(message.data(), &error);
    if (!info) {
        reject(channels.clusterInfoChannel(pid), error);
        return true;
    }
    ++stats.onMessage;
    Q_EMIT q->messageReceived(message);
    if (!clusterInfoRequested)
        return true; // an answer nobody waits for (any more)
    clusterInfoRequested = false;
    clusterInfoTimer.stop();
    const auto callbacks = std::exchange(clusterInfoCallbacks, {});
    for (const auto &callback : callbacks) {
        if (callback)
            callback(*info);
    }
    Q_EMIT q->clusterInfoReceived(*info);
    return true;
}

void WorkerPrivate::subscriptionsActive()
{
    if (masterPid > 0 && options.heartbeatInterval().count() > 0 && !heartbeatTimer.isActive())
        heartbeatTimer.start(options.heartbeatInterval());
    // Registering before our own subscriptions are confirmed would let the
    // master (or anyone it tells) message us before we can hear it.
    if (readyRequested && !registered)
        registerWithMaster();
}

void WorkerPrivate::registerWithMaster()
{
    Q_Q(Worker);
    registered = true;
    if (masterPid > 0) {
        clustrInfo(lcWorker) << "registering with master" << masterPid << "as" << group;
        // The heartbeat first: the master learns our parent and children
        // before it counts us, on the same connection, so in order.
        sendHeartbeat();
        publish(channels.registrationChannel(masterPid), QStringLiteral("registration"));
    } else {
        clustrInfo(lcWorker) << "ready, but no master is known (no --cluster-master-pid): not registering";
    }
    Q_EMIT q->readyChanged(true);
}

void WorkerPrivate::childrenChanged()
{
    Q_Q(Worker);
    // Children changed: tell the master soon (once per event-loop pass), so
    // a reload or a cluster start does not wait for the next beat.
    if (heartbeatScheduled || !heartbeatTimer.isActive())
        return;
    heartbeatScheduled = true;
    QMetaObject::invokeMethod(q, [this] {
        heartbeatScheduled = false;
        if (!closing)
            sendHeartbeat();
    }, Qt::QueuedConnection);
}

Heartbeat WorkerPrivate::heartbeat()
{
    const ProcStat::Sample sample = procStat.sample();
    Heartbeat beat;
    beat.setRssBytes(sample.rssBytes);
    beat.setCpuPercent(sample.cpuPercent);
    beat.setCpus(sample.cpus);
    beat.setPpid(::getppid());
    beat.setReady(registered);
    beat.setHost(QSysInfo::machineHostName());
    beat.setStartedAt(startedAt);
    beat.setSentAt(QDateTime::currentDateTimeUtc());
    if (supervisor)
        beat.setChildren(supervisor->infos());
    beat.setStats(q_func()->stats());
    return beat;
}

void WorkerPrivate::sendHeartbeat()
{
    if (masterPid > 0 && !closing)
        publish(channels.heartbeatChannel(masterPid), Protocol::Records::toJson(heartbeat()));
}

void WorkerPrivate::aboutToClose(int exitCode)
{
    Q_UNUSED(exitCode);
    heartbeatTimer.stop();
    failClusterInfoRequests(QStringLiteral("the worker is closing"));
    if (registered && masterPid > 0)
        publish(channels.deregistrationChannel(masterPid), QStringLiteral("deregistration"));
}

void WorkerPrivate::failClusterInfoRequests(const QString &reason)
{
    Q_Q(Worker);
    if (!clusterInfoRequested)
        return;
    clusterInfoRequested = false;
    clusterInfoTimer.stop();
    clusterInfoCallbacks.clear();
    qCWarning(lcWorker).noquote() << "cluster info request failed:" << reason;
    Q_EMIT q->clusterInfoRequestFailed(reason);
}

Worker::Worker(QObject *parent)
    : Worker(QString(), ProcessOptions(), parent)
{
}

Worker::Worker(const QString &group, QObject *parent)
    : Worker(group, ProcessOptions(), parent)
{
}

Worker::Worker(const QString &group, const ProcessOptions &options, QObject *parent)
    : Process(*new WorkerPrivate(group, options), parent)
{
    Q_D(Worker);
    if (d->group == QLatin1String("master"))
        qCWarning(lcWorker) << "a worker in the group \"master\" will be taken for the master by other tools";
    connect(&d->heartbeatTimer, &QTimer::timeout, this, [d] { d->sendHeartbeat(); });
    connect(&d->clusterInfoTimer, &QTimer::timeout, this, [d] {
        d->failClusterInfoRequests(QStringLiteral("no answer from the master (pid %1) within %2 ms")
                                       .arg(d->masterPid)
                                       .arg(d->options.clusterInfoTimeout().count()));
    });
}

Worker::~Worker() = default;

bool Worker::isReady() const
{
    return d_func()->registered;
}

void Worker::emitReady()
{
    Q_D(Worker);
    if (!d->checkValid("emitReady") || d->readyRequested)
        return;
    d->readyRequested = true;
    if (d->subscriptionsConfirmed)
        d->registerWithMaster();
}

void Worker::requestClusterInfo(ClusterInfoCallback callback)
{
    Q_D(Worker);
    if (!d->checkValid("requestClusterInfo"))
        return;
    d->clusterInfoCallbacks.append(std::move(callback));
    if (d->clusterInfoRequested)
        return; // one question answers everybody waiting
    d->clusterInfoRequested = true;
    if (d->masterPid <= 0) {
        // Queued, so the caller sees the failure the same way as a timeout.
        QMetaObject::invokeMethod(this, [d] {
            d->failClusterInfoRequests(QStringLiteral("no master is known (no --cluster-master-pid)"));
        }, Qt::QueuedConnection);
        return;
    }
    d->publish(d->channels.clusterInfoChannel(d->masterPid), QStringLiteral("clusterInfo"));
    d->clusterInfoTimer.start(d->options.clusterInfoTimeout());
}

} // namespace Clustr
