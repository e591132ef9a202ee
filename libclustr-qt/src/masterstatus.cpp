// SPDX-License-Identifier: MIT
// What the master tells tools outside the cluster: an announcement and a
// status snapshot kept in Redis keys (written when something changed, kept
// alive by a cheap PEXPIRE, expiring when the master is gone), its
// lifecycle events on events:<pid>, and the commands it takes on
// control:<pid>. See docs/PROTOCOL.md section 11.
#include "master_p.h"

#include "protocol/records_p.h"

#include <functional>

namespace Clustr {

namespace {

// The keys' lifetime: long enough to survive a late refresh, short enough
// that a master killed with SIGKILL is soon not "running" any more.
constexpr int AnnounceTtlMs = 5000;
// An idle cluster rewrites nothing: the keys are only kept alive, which
// costs Redis and us next to nothing (two refreshes may be lost).
constexpr int TtlRefreshMs = 2000;
// Changes that come together (a registration and its events, a reload
// step) are written once, this soon after the first.
constexpr int ChangeSettleMs = 100;
// New figures alone (heartbeats while someone samples) at most once per
// second: the rate watchers read at.
constexpr int FiguresSettleMs = 1000;

ClusterEvent event(ClusterEvent::Type type)
{
    ClusterEvent e;
    e.setType(type);
    return e;
}

ClusterEvent processEvent(ClusterEvent::Type type, qint64 pid, const QString &group)
{
    ClusterEvent e = event(type);
    e.setPid(pid);
    e.setGroup(group);
    return e;
}

ClusterEvent reloadStepEvent(ClusterEvent::ReloadPhase phase, int step, int steps, qint64 oldPid)
{
    ClusterEvent e = event(ClusterEvent::Type::ReloadStep);
    e.setReloadPhase(phase);
    e.setStep(step);
    e.setSteps(steps);
    e.setOldPid(oldPid);
    return e;
}

} // namespace

void MasterPrivate::setUpAnnouncements()
{
    Q_Q(Master);
    statusWriteTimer.setSingleShot(true);
    QObject::connect(&statusWriteTimer, &QTimer::timeout, q, [this] { announce(); });
    QObject::connect(&ttlTimer, &QTimer::timeout, q, [this] { keepAnnouncementAlive(); });
    ttlTimer.start(TtlRefreshMs);
    QObject::connect(publisher, &RedisClient::connected, q, [this] { announce(); });

    publishProcessEvents();
    publishLifecycleEvents();
}

// What happens to single processes: registrations, children started, exited, respawned.
void MasterPrivate::publishProcessEvents()
{
    Q_Q(Master);
    using Type = ClusterEvent::Type;
    QObject::connect(q, &Master::workerRegistered, q, [this](qint64 p, const QString &g) {
        publishEvent(processEvent(Type::Registered, p, g));
    });
    QObject::connect(q, &Master::workerDeregistered, q, [this](qint64 p, const QString &g) {
        publishEvent(processEvent(Type::Deregistered, p, g));
    });
    QObject::connect(q, &Master::workerLost, q, [this](qint64 p, const QString &g, const QString &reason) {
        ClusterEvent e = processEvent(Type::Lost, p, g);
        e.setReason(reason);
        publishEvent(e);
    });
    QObject::connect(q, &Process::childStarted, q, [this](qint64 p, const QString &g) {
        publishEvent(processEvent(Type::Spawned, p, g));
    });
    QObject::connect(q, &Process::childExited, q, [this](qint64 p, const QString &g, int code, int signal) {
        ClusterEvent e = processEvent(Type::Exited, p, g);
        e.setExitCode(code);
        e.setSignal(signal);
        publishEvent(e);
    });
    QObject::connect(q, &Process::childRespawned, q, [this](qint64 oldPid, qint64 newPid, const QString &g) {
        ClusterEvent e = processEvent(Type::Respawned, newPid, g);
        e.setOldPid(oldPid);
        publishEvent(e);
    });
    QObject::connect(q, &Process::childGaveUp, q, [this](const QString &g, const QString &reason) {
        ClusterEvent e = event(Type::GaveUp);
        e.setGroup(g);
        e.setReason(reason);
        publishEvent(e);
    });
    QObject::connect(q, &Process::spawnFailed, q, [this](const QString &file, const QString &error) {
        ClusterEvent e = event(Type::SpawnFailed);
        e.setFile(file);
        e.setError(error);
        publishEvent(e);
    });
}

// What happens to the cluster as a whole: started, reloaded step by step, stopping.
void MasterPrivate::publishLifecycleEvents()
{
    Q_Q(Master);
    using Type = ClusterEvent::Type;
    using Phase = ClusterEvent::ReloadPhase;
    QObject::connect(q, &Master::clusterStarted, q, [this](int workers) {
        ClusterEvent e = event(Type::ClusterStarted);
        e.setWorkerCount(workers);
        publishEvent(e);
        announce();
    });
    QObject::connect(q, &Master::reloadStarted, q, [this](int steps) {
        reloadClock.start();
        ClusterEvent e = event(Type::ReloadStarted);
        e.setSteps(steps);
        // A restart's says whose it is, so that the tool that asked follows its own.
        if (reloadMachine.currentRequest().revive) {
            e.setRequestId(reloadMachine.currentRequest().id);
            e.setCommand(Protocol::ControlCommand::typeName(isUpdateRoll(reloadMachine.currentRequest())
                                                                ? Protocol::ControlCommand::Type::Update
                                                                : Protocol::ControlCommand::Type::Restart));
        }
        publishEvent(e);
    });
    QObject::connect(q, &Master::reloadExcluded, q, [this](qint64 workerPid, const QString &g, const QString &reason) {
        ClusterEvent e = event(Type::ReloadExcluded);
        e.setPid(workerPid);
        e.setGroup(g);
        e.setReason(reason);
        publishEvent(e);
    });
    QObject::connect(q, &Master::reloadStepStarted, q, [this](int step, int steps, qint64 oldPid, const QString &g) {
        ClusterEvent e = reloadStepEvent(Phase::Started, step, steps, oldPid);
        e.setGroup(g);
        publishEvent(e);
    });
    QObject::connect(q, &Master::reloadStepFinished, q, [this](int step, int steps, qint64 oldPid, qint64 newPid) {
        ClusterEvent e = reloadStepEvent(newPid ? Phase::Finished : Phase::Skipped, step, steps, oldPid);
        e.setNewPid(newPid);
        publishEvent(e);
    });
    QObject::connect(q, &Master::reloadStepTimedOut, q, [this](int step, int steps, qint64 oldPid, const QString &g) {
        ClusterEvent e = reloadStepEvent(Phase::TimedOut, step, steps, oldPid);
        e.setGroup(g);
        publishEvent(e);
    });
    QObject::connect(q, &Master::clusterReloaded, q, [this](int workers) {
        ++reloadCount;
        lastReloadMs = reloadClock.isValid() ? reloadClock.elapsed() : 0;
        ClusterEvent e = event(Type::ClusterReloaded);
        e.setWorkerCount(workers);
        e.setDurationMs(lastReloadMs);
        publishEvent(e);
        announce();
    });
    QObject::connect(q, &Master::stopping, q, [this](int code) {
        ClusterEvent e = event(Type::Stopping);
        e.setExitCode(code);
        publishEvent(e);
        ttlTimer.stop();
        statusWriteTimer.stop();
        // Gone from the tools' view right away, not when the keys expire; a
        // host that stops leaves the cluster (one that dies stays listed, lost).
        publisher->command({QByteArrayLiteral("DEL"), channels.masterKey(), channels.statusKey()});
        if (!channels.host().isEmpty())
            publisher->command({QByteArrayLiteral("HDEL"), channels.hostsKey(), channels.host().toUtf8()});
    });
}

void MasterPrivate::publishEvent(ClusterEvent event)
{
    event.setTime(QDateTime::currentDateTimeUtc());
    publish(channels.eventsChannel(pid), Protocol::Records::toJson(event));
    // Every event is a change the status shows.
    statusChanged();
}

void MasterPrivate::statusChanged(StatusChange change)
{
    if (!options.announce() || closing || !valid)
        return;
    const int settle = change == StatusChange::Figures ? FiguresSettleMs : ChangeSettleMs;
    if (!statusWriteTimer.isActive() || statusWriteTimer.remainingTime() > settle)
        statusWriteTimer.start(settle);
}

void MasterPrivate::handleSamplingRequest(const Message &message)
{
    const auto request = samplingRequestOf(message);
    if (!request)
        return;
    ++stats.onMessage;
    // Our own figures are taken whenever the status is written; the tree's
    // come in heartbeats, each of which brings a write.
    if (!request->id.isEmpty())
        sampleId = request->id;
    // The tree answers at once, each with a heartbeat: written once they are in.
    statusChanged(StatusChange::Structure);
}

void MasterPrivate::requestSamples(std::chrono::milliseconds lease)
{
    Protocol::SamplingRequest request;
    request.leaseMs = lease.count();
    publish(channels.samplingChannel(pid), Protocol::Records::toJson(request));
}

void MasterPrivate::keepAnnouncementAlive()
{
    if (closing || !valid || !connected)
        return;
    Q_Q(Master);
    const QByteArray ttl = QByteArray::number(AnnounceTtlMs);
    const QPointer<Master> guard(q);
    const auto rewriteIfGone = [this, guard](const RedisReply &reply) {
        // 0: the key is gone (Redis restarted, someone deleted it): write it again.
        if (guard && reply.type == RedisReply::Type::Integer && reply.integer == 0)
            statusChanged(StatusChange::Structure);
    };
    publisher->command({QByteArrayLiteral("PEXPIRE"), channels.masterKey(), ttl}, rewriteIfGone);
    publisher->command({QByteArrayLiteral("PEXPIRE"), channels.statusKey(), ttl}, rewriteIfGone);
    writeHostEntry();
}

void MasterPrivate::writeHostEntry()
{
    // A cluster across hosts lists its hosts in one hash, so tools find every
    // host's keys and tell a host that died (listed, its announcement
    // expired) from one that stopped (gone from the list).
    if (channels.host().isEmpty())
        return;
    const QJsonObject entry = Protocol::Records::hostEntry(pid, startedAt, QDateTime::currentDateTimeUtc());
    publisher->command({QByteArrayLiteral("HSET"), channels.hostsKey(), channels.host().toUtf8(), Protocol::Records::toBytes(entry)});
    // The others' entries, read as ours is written: each master notices a
    // lost host itself (one HGETALL per 2 s, answered after our HSET).
    const QPointer<Master> guard(q_func());
    publisher->command({QByteArrayLiteral("HGETALL"), channels.hostsKey()}, [this, guard](const RedisReply &reply) {
        if (guard)
            watchHosts(reply);
    });
}

void MasterPrivate::watchHosts(const RedisReply &reply)
{
    Q_Q(Master);
    if (reply.type != RedisReply::Type::Array || reply.elements.size() % 2 != 0)
        return; // an error (reported by the connection) or no list: nothing to learn
    QHash<QString, QByteArray> entries;
    for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2)
        entries.insert(QString::fromUtf8(reply.elements.at(i).string), reply.elements.at(i + 1).string);
    if (!hostWatch)
        hostWatch.emplace(channels.host());
    const HostWatch::Changes changes = hostWatch->update(entries, clock.elapsed());
    const QPointer<Master> guard(q);
    for (const QString &host : changes.lost) {
        qCWarning(lcMaster).noquote() << QStringLiteral("host %1 is lost: its master has not rewritten its entry in the hosts list for %2 s")
                                             .arg(host).arg(HostWatch::LostAfterMs / 1000);
        Q_EMIT q->hostLost(host);
        if (!guard)
            return;
    }
    for (const QString &host : changes.rejoined) {
        qCInfo(lcMaster).noquote() << QStringLiteral("host %1 rejoined the cluster").arg(host);
        Q_EMIT q->hostRejoined(host);
        if (!guard)
            return;
    }
}

MasterInfo::State MasterPrivate::state() const
{
    if (closing)
        return MasterInfo::State::Stopping;
    if (reloadMachine.isRunning())
        return MasterInfo::State::Reloading;
    return started || !spawned ? MasterInfo::State::Running : MasterInfo::State::Starting;
}

MasterInfo MasterPrivate::masterInfo() const
{
    Q_Q(const Master);
    const auto url = RedisUrl::parse(redisUrl);
    MasterInfo info;
    info.setPid(pid);
    info.setHost(hostLabel());
    info.setName(options.clusterName().isEmpty() ? channels.clusterNamespace() : options.clusterName());
    info.setClusterNamespace(channels.clusterNamespace());
    info.setStartedAt(startedAt);
    info.setState(state());
    info.setVersion(QLatin1String(Clustr::version()));
    info.setRedisUrl(url ? url->toString() : QString());
    info.setWorkerCount(int(groupOf.size()));
    info.setReloadCount(reloadCount);
    info.setLastReloadMs(lastReloadMs);
    info.setRssBytes(lastSample.rssBytes);
    info.setCpuPercent(lastSample.cpuPercent);
    info.setCpus(lastSample.cpus);
    info.setStats(q->stats());
    info.setRedisConnected(connected);
    info.setSampleId(sampleId);
    if (reloadMachine.isRunning()) {
        info.setReloadStep(reloadMachine.step());
        info.setReloadSteps(reloadMachine.steps());
    }
    return info;
}

// Each process' slot, which outlives its pid (metrics label series by it):
// its spawn entry's instance index, after its parent's slot for a child of a
// worker, so the children of two workers do not share one.
void MasterPrivate::setInstances(QList<ProcessStatus> &processes, const QHash<qint64, ChildInfo> &reportedByParent) const
{
    QHash<qint64, int> ownIndex;
    if (supervisor) {
        const QList<ChildInfo> own = supervisor->infos();
        for (const ChildInfo &child : own)
            ownIndex.insert(child.pid(), child.instance());
    }
    QHash<qint64, qsizetype> at;
    for (qsizetype i = 0; i < processes.size(); ++i)
        at.insert(processes.at(i).pid(), i);
    // Parents before children: a slot is the parent's slot and an index.
    std::function<QString(qint64, int)> slotOf = [&](qint64 workerPid, int depth) -> QString {
        if (const auto own = ownIndex.constFind(workerPid); own != ownIndex.cend())
            return QString::number(*own);
        const auto reported = reportedByParent.constFind(workerPid);
        const auto index = at.constFind(workerPid);
        if (reported == reportedByParent.cend() || index == at.cend() || depth > 16)
            return QString();
        const QString parent = slotOf(processes.at(*index).ppid(), depth + 1);
        return parent.isEmpty() ? QString() : parent + QLatin1Char('.') + QString::number(reported->instance());
    };
    for (ProcessStatus &p : processes)
        p.setInstance(slotOf(p.pid(), 0));
}

ClusterStatus MasterPrivate::statusSnapshot() const
{
    const qint64 now = clock.elapsed();
    const QDateTime wallNow = QDateTime::currentDateTimeUtc();
    const QString host = hostLabel();

    // Restarts and states of children as their parents report them.
    QHash<qint64, ChildInfo> reportedByParent;
    for (auto it = heartbeats.cbegin(); it != heartbeats.cend(); ++it) {
        const QList<ChildInfo> children = it->data.children();
        for (const ChildInfo &child : children)
            reportedByParent.insert(child.pid(), child);
    }

    QList<qint64> pids = groupOf.keys();
    std::sort(pids.begin(), pids.end(), [this](qint64 a, qint64 b) {
        return groupOf.value(a) != groupOf.value(b) ? groupOf.value(a) < groupOf.value(b) : a < b;
    });
    QList<ProcessStatus> processes;
    processes.reserve(pids.size());
    for (qint64 workerPid : std::as_const(pids)) {
        ProcessStatus p;
        p.setPid(workerPid);
        p.setGroup(groupOf.value(workerPid));
        p.setPpid(parentOf(workerPid));
        p.setHost(host);
        const auto beat = heartbeats.constFind(workerPid);
        if (beat != heartbeats.cend()) {
            const Heartbeat &data = beat->data;
            p.setHeartbeat(true);
            if (!data.host().isEmpty())
                p.setHost(data.host());
            p.setRssBytes(data.rssBytes());
            p.setCpuPercent(data.cpuPercent());
            p.setCpus(data.cpus());
            p.setStats(data.stats());
            p.setLastSeenMs(now - beat->receivedAt);
            p.setStartedAt(data.startedAt());
            if (data.startedAt().isValid())
                p.setUptimeMs(data.startedAt().msecsTo(wallNow));
        }
        const Supervisor::Child *own = supervisor ? supervisor->findByPid(workerPid) : nullptr;
        if (own) {
            p.setRestarts(own->process->restartCount());
            p.setState(toChildState(own->process->state()));
        } else {
            const auto reported = reportedByParent.constFind(workerPid);
            if (reported != reportedByParent.cend()) {
                p.setRestarts(reported->restarts());
                p.setState(reported->state());
            }
        }
        processes.append(p);
    }
    setInstances(processes, reportedByParent);
    ClusterStatus status;
    status.setMaster(masterInfo());
    status.setProcesses(processes);
    if (supervisor) {
        status.setChildren(supervisor->infos());
        QMap<QString, int> instances;
        const QStringList groups = supervisor->groups();
        for (const QString &group : groups)
            instances.insert(group, int(supervisor->groupProcesses(group).size()));
        status.setGroupInstances(instances);
        QStringList stopped(stoppedGroups.cbegin(), stoppedGroups.cend());
        stopped.sort();
        status.setStoppedGroups(stopped);
    }
    status.setClusterInfo(clusterInfo);
    status.setUpdatedAt(wallNow);
    return status;
}

void MasterPrivate::announce()
{
    if (closing || !valid)
        return;
    statusWriteTimer.stop();
    lastSample = procStat.sample();
    using Protocol::Records;
    const QByteArray ttl = QByteArray::number(AnnounceTtlMs);
    // The announcement is the snapshot's master part: built once for both keys.
    const ClusterStatus status = statusSnapshot();
    publisher->command({QByteArrayLiteral("SET"), channels.masterKey(), Records::toBytes(Records::toJson(status.master())),
                        QByteArrayLiteral("PX"), ttl});
    publisher->command({QByteArrayLiteral("SET"), channels.statusKey(), Records::toBytes(Records::toJson(status)),
                        QByteArrayLiteral("PX"), ttl});
    writeHostEntry();
}

bool MasterPrivate::isRepeatedCommand(const QString &id)
{
    if (id.isEmpty())
        return false;
    if (recentCommandIds.contains(id))
        return true;
    recentCommandIds.append(id);
    if (recentCommandIds.size() > RememberedCommandIds)
        recentCommandIds.removeFirst();
    return false;
}

void MasterPrivate::handleControl(const Message &message)
{
    Q_Q(Master);
    QString error;
    const auto command = Protocol::Records::controlCommand(message.data(), &error);
    if (!command) {
        reject(channels.controlChannel(pid), error);
        return;
    }
    ++stats.onMessage;
    if (isRepeatedCommand(command->id)) {
        clustrInfo(lcMaster) << "ignored a second copy of control command" << command->id << "from" << message.pid();
        return;
    }
    if (command->type == Protocol::ControlCommand::Type::Reload) {
        clustrInfo(lcMaster) << "reload requested by" << message.pid();
        q->reload();
    } else if (command->type == Protocol::ControlCommand::Type::Stop) {
        clustrInfo(lcMaster) << "stop requested by" << message.pid();
        q->stop(command->exitCode);
    } else {
        clustrInfo(lcMaster) << Protocol::ControlCommand::typeName(command->type) << "requested by" << message.pid();
        runCommand(*command);
    }
}

} // namespace Clustr
