// SPDX-License-Identifier: MIT
#include "worker_p.h"

#include "base/environment_p.h"
#include "protocol/records_p.h"

#include <QtCore/QPointer>

#include <utility>

#include <unistd.h>

namespace Clustr {

namespace {

// A spawner tells each child the group of its spawn entry (docs/PROTOCOL.md, section 7).
QString groupOrSpawnersChoice(const QString &group)
{
    return group.isEmpty() ? environmentVariable("CLUSTR_GROUP") : group;
}

} // namespace

WorkerPrivate::WorkerPrivate(const QString &group, const ProcessOptions &options)
    : ProcessPrivate(groupOrSpawnersChoice(group), options)
{
    clusterInfoTimer.setSingleShot(true);
    samplingLease.setSingleShot(true);
    // The variable alone is not enough: a grandchild started by a program
    // in between (a shell script) inherits it, but its parent is not ours.
    const qint64 spawner = environmentPid(ClustrQtSupervisorVariable);
    supervised = spawner > 0 && spawner == qint64(::getppid());
}

QList<QPair<QByteArray, Protocol::ChannelKind>> WorkerPrivate::extraChannels() const
{
    // The master answers cluster-info requests on the requester's channel.
    QList<QPair<QByteArray, Protocol::ChannelKind>> extra{{channels.clusterInfoChannel(pid), Protocol::ChannelKind::ClusterInfo}};
    if (masterPid > 0)
        extra.append({channels.samplingChannel(masterPid), Protocol::ChannelKind::Sampling});
    return extra;
}

bool WorkerPrivate::handleMessage(Protocol::ChannelKind kind, const Message &message)
{
    Q_Q(Worker);
    if (kind == Protocol::ChannelKind::Sampling) {
        handleSamplingRequest(message);
        return true;
    }
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
    if (masterPid > 0 && options.heartbeatInterval().count() > 0) {
        heartbeating = true;
        updateHeartbeatTimer();
        // Back after an outage: what the master lost meanwhile (our
        // registration, our children) it learns again from this one.
        if (registered)
            sendHeartbeat();
    }
    // Registering before our own subscriptions are confirmed would let the
    // master (or anyone it tells) message us before we can hear it.
    if (readyRequested && !registered)
        beginRegistration();
}

bool WorkerPrivate::masterListensAlready() const
{
    // A clustr-qt master subscribes before it starts anyone, and says so to
    // its tree. The original (clustr-node) master subscribes only after its
    // spawn loop, and hears nothing published before.
    return masterPid <= 0 || environmentPid(ClustrQtMasterVariable) == masterPid;
}

void WorkerPrivate::beginRegistration()
{
    if (masterListensAlready()) {
        registerWithMaster();
        return;
    }
    // As the original worker does: reloadDelay after emitReady(), by when
    // the original master has subscribed. A registration Redis delivered to
    // nobody is sent again (registrationPublished()).
    if (!registrationTimer.isActive()) {
        clustrInfo(lcWorker) << "master" << masterPid << "is not known to be a clustr-qt one: registering in"
                             << options.reloadDelay().count() << "ms, as clustr-node workers do";
        registrationTimer.start(options.reloadDelay());
    }
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
        publishRegistration();
    } else {
        clustrInfo(lcWorker) << "ready, but no master is known (no --cluster-master-pid): not registering";
    }
    Q_EMIT q->readyChanged(true);
}

void WorkerPrivate::publishRegistration()
{
    Q_Q(Worker);
    const QByteArray channel = channels.registrationChannel(masterPid);
    if (masterListensAlready()) {
        deliveries->cancel(registrationDelivery); // one at a time (a second emitReady())
        registrationDelivery = publishConfirmed(channel, QStringLiteral("registration"), "a registration", [this] {
            registrationDelivery = 0;
            registrationDelivered = true;
        });
        return;
    }
    // PUBLISH answers how many subscribers received it. Only one that
    // reached nobody is sent again: the original master counts every
    // registration it hears, so a second one that it heard would count twice.
    const QPointer<Worker> guard(q);
    publisher->command({QByteArrayLiteral("PUBLISH"), channel, Protocol::Codec::encode(pid, group, QStringLiteral("registration"))},
                       [this, guard](const RedisReply &reply) {
        if (guard)
            registrationPublished(reply);
    });
}

void WorkerPrivate::registrationPublished(const RedisReply &reply)
{
    if (closing || reply.type != RedisReply::Type::Integer || reply.integer > 0) {
        if (reply.isError())
            qCWarning(lcWorker).noquote() << "could not register with master" << masterPid << ":" << QString::fromUtf8(reply.string);
        return;
    }
    if (++unheardRegistrations == UnheardRegistrationsWarning)
        qCWarning(lcWorker) << "nobody listens on" << channels.registrationChannel(masterPid)
                            << "yet: is master" << masterPid << "running? Registering again every"
                            << options.reloadDelay().count() << "ms";
    registrationTimer.start(options.reloadDelay());
}

void WorkerPrivate::childrenChanged()
{
    Q_Q(Worker);
    // Children changed: tell the master soon (once per event-loop pass), so
    // a reload or a cluster start does not wait for the next beat.
    if (heartbeatScheduled || !heartbeating)
        return;
    heartbeatScheduled = true;
    QMetaObject::invokeMethod(q, [this] {
        heartbeatScheduled = false;
        if (!closing)
            sendHeartbeat();
    }, Qt::QueuedConnection);
}

void WorkerPrivate::handleSamplingRequest(const Message &message)
{
    const auto request = samplingRequestOf(message);
    if (!request || !heartbeating)
        return;
    sendHeartbeat();
    if (request->leaseMs > 0 && request->leaseMs > samplingLease.remainingTime())
        samplingLease.start(std::chrono::milliseconds(request->leaseMs));
    updateHeartbeatTimer();
}

void WorkerPrivate::updateHeartbeatTimer()
{
    const bool periodic = heartbeating && !closing && (!supervised || samplingLease.isActive());
    if (!periodic)
        heartbeatTimer.stop();
    else if (!heartbeatTimer.isActive())
        heartbeatTimer.start(options.heartbeatInterval());
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
    beat.setSupervised(supervised);
    beat.setHost(hostLabel());
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
    heartbeating = false;
    heartbeatTimer.stop();
    samplingLease.stop();
    registrationTimer.stop();
    failClusterInfoRequests(QStringLiteral("the worker is closing"));
    // A master that never got our registration is not kept waiting for
    // (nor are we, for a master that is not there): a plain deregistration.
    deliveries->cancel(std::exchange(registrationDelivery, 0));
    if (registered && masterPid > 0 && registrationDelivered)
        publishConfirmed(channels.deregistrationChannel(masterPid), QStringLiteral("deregistration"), "a deregistration");
    else if (registered && masterPid > 0)
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
    connect(&d->samplingLease, &QTimer::timeout, this, [d] { d->updateHeartbeatTimer(); });
    d->registrationTimer.setSingleShot(true);
    connect(&d->registrationTimer, &QTimer::timeout, this, [d] {
        if (d->closing)
            return;
        if (d->registered)
            d->publishRegistration();
        else
            d->registerWithMaster();
    });
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
        d->beginRegistration();
}

void Worker::requestClusterInfo(ClusterInfoCallback callback)
{
    Q_D(Worker);
    if (!d->checkValid("requestClusterInfo"))
        return;
    qRegisterMetaType<Clustr::ClusterInfo>(); // for queued and string-based connections, see ProcessPrivate::init()
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
