// SPDX-License-Identifier: MIT
// What the master tells tools outside the cluster: an announcement and a
// status snapshot kept in Redis keys (refreshed every second, expiring
// when the master is gone), its lifecycle events on events:<pid>, and the
// commands it takes on control:<pid>. See docs/PROTOCOL.md section 11.
#include "master_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QSysInfo>

namespace Clustr {

namespace {

constexpr int AnnounceIntervalMs = 1000;
// Long enough to survive a late refresh, short enough that a master killed
// with SIGKILL is soon not "running" any more.
constexpr int AnnounceTtlMs = 5000;

QString isoNow()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace

void MasterPrivate::setUpAnnouncements()
{
    Q_Q(Master);
    QObject::connect(&announceTimer, &QTimer::timeout, q, [this] { announce(); });
    announceTimer.start(AnnounceIntervalMs);
    QObject::connect(publisher, &RedisClient::connected, q, [this] { announce(); });

    auto event = [this](const char *name, QJsonObject fields) {
        fields.insert(QStringLiteral("event"), QLatin1String(name));
        publishEvent(std::move(fields));
    };
    QObject::connect(q, &Master::workerRegistered, q, [event](qint64 p, const QString &g) {
        event("registered", {{QStringLiteral("pid"), double(p)}, {QStringLiteral("group"), g}});
    });
    QObject::connect(q, &Master::workerDeregistered, q, [event](qint64 p, const QString &g) {
        event("deregistered", {{QStringLiteral("pid"), double(p)}, {QStringLiteral("group"), g}});
    });
    QObject::connect(q, &Master::workerLost, q, [event](qint64 p, const QString &g, const QString &reason) {
        event("lost", {{QStringLiteral("pid"), double(p)}, {QStringLiteral("group"), g}, {QStringLiteral("reason"), reason}});
    });
    QObject::connect(q, &Process::childStarted, q, [event](qint64 p, const QString &g) {
        event("spawned", {{QStringLiteral("pid"), double(p)}, {QStringLiteral("group"), g}});
    });
    QObject::connect(q, &Process::childExited, q, [event](qint64 p, const QString &g, int code, int signal) {
        event("exited", {{QStringLiteral("pid"), double(p)}, {QStringLiteral("group"), g}, {QStringLiteral("code"), code},
                         {QStringLiteral("signal"), signal}});
    });
    QObject::connect(q, &Process::childRespawned, q, [event](qint64 oldPid, qint64 newPid, const QString &g) {
        event("respawned", {{QStringLiteral("oldPid"), double(oldPid)}, {QStringLiteral("pid"), double(newPid)}, {QStringLiteral("group"), g}});
    });
    QObject::connect(q, &Process::childGaveUp, q, [event](const QString &g, const QString &reason) {
        event("gaveUp", {{QStringLiteral("group"), g}, {QStringLiteral("reason"), reason}});
    });
    QObject::connect(q, &Process::spawnFailed, q, [event](const QString &file, const QString &error) {
        event("spawnFailed", {{QStringLiteral("file"), file}, {QStringLiteral("error"), error}});
    });
    QObject::connect(q, &Master::clusterStarted, q, [this, event](int workers) {
        event("clusterStarted", {{QStringLiteral("workers"), workers}});
        announce();
    });
    QObject::connect(q, &Master::reloadStarted, q, [this, event](int steps) {
        reloadClock.start();
        event("reloadStarted", {{QStringLiteral("steps"), steps}});
    });
    QObject::connect(q, &Master::reloadStepStarted, q, [event](int step, int steps, qint64 oldPid, const QString &g) {
        event("reloadStep", {{QStringLiteral("phase"), QStringLiteral("started")}, {QStringLiteral("step"), step},
                             {QStringLiteral("steps"), steps}, {QStringLiteral("oldPid"), double(oldPid)}, {QStringLiteral("group"), g}});
    });
    QObject::connect(q, &Master::reloadStepFinished, q, [event](int step, int steps, qint64 oldPid, qint64 newPid) {
        event("reloadStep", {{QStringLiteral("phase"), newPid ? QStringLiteral("finished") : QStringLiteral("skipped")},
                             {QStringLiteral("step"), step}, {QStringLiteral("steps"), steps},
                             {QStringLiteral("oldPid"), double(oldPid)}, {QStringLiteral("newPid"), double(newPid)}});
    });
    QObject::connect(q, &Master::reloadStepTimedOut, q, [event](int step, int steps, qint64 oldPid, const QString &g) {
        event("reloadStep", {{QStringLiteral("phase"), QStringLiteral("timedOut")}, {QStringLiteral("step"), step},
                             {QStringLiteral("steps"), steps}, {QStringLiteral("oldPid"), double(oldPid)}, {QStringLiteral("group"), g}});
    });
    QObject::connect(q, &Master::clusterReloaded, q, [this, event](int workers) {
        ++reloadCount;
        lastReloadMs = reloadClock.isValid() ? reloadClock.elapsed() : 0;
        event("clusterReloaded", {{QStringLiteral("workers"), workers}, {QStringLiteral("durationMs"), double(lastReloadMs)}});
        announce();
    });
    QObject::connect(q, &Master::stopping, q, [this, event](int code) {
        event("stopping", {{QStringLiteral("code"), code}});
        announceTimer.stop();
        // Gone from the tools' view right away, not when the keys expire.
        publisher->command({QByteArrayLiteral("DEL"), channels.masterKey(), channels.statusKey()});
    });
}

void MasterPrivate::publishEvent(QJsonObject event)
{
    event.insert(QStringLiteral("time"), isoNow());
    publish(channels.eventsChannel(pid), event);
}

QString MasterPrivate::stateName() const
{
    if (closing)
        return QStringLiteral("stopping");
    if (reloadMachine.isRunning())
        return QStringLiteral("reloading");
    return started || !spawned ? QStringLiteral("running") : QStringLiteral("starting");
}

QJsonObject MasterPrivate::masterInfo() const
{
    Q_Q(const Master);
    const auto url = RedisUrl::parse(redisUrl);
    QJsonObject info{
        {QStringLiteral("pid"), double(pid)},
        {QStringLiteral("host"), QSysInfo::machineHostName()},
        {QStringLiteral("name"), options.clusterName.isEmpty() ? channels.clusterNamespace() : options.clusterName},
        {QStringLiteral("namespace"), channels.clusterNamespace()},
        {QStringLiteral("startedAt"), startedAt.toString(Qt::ISODateWithMs)},
        {QStringLiteral("state"), stateName()},
        {QStringLiteral("version"), QLatin1String(Clustr::version())},
        {QStringLiteral("redis"), url ? url->toString() : QString()},
        {QStringLiteral("workers"), int(groupOf.size())},
        {QStringLiteral("reloads"), reloadCount},
        {QStringLiteral("lastReloadMs"), double(lastReloadMs)},
        {QStringLiteral("rss"), double(lastSample.rssBytes)},
        {QStringLiteral("cpu"), lastSample.cpuPercent},
        {QStringLiteral("cpus"), lastSample.cpus},
        {QStringLiteral("stats"), q->stats().toJson()},
        {QStringLiteral("redisConnected"), connected},
    };
    if (reloadMachine.isRunning()) {
        info.insert(QStringLiteral("reload"), QJsonObject{{QStringLiteral("step"), reloadMachine.step()},
                                                          {QStringLiteral("steps"), reloadMachine.steps()}});
    }
    return info;
}

QJsonObject MasterPrivate::statusSnapshot() const
{
    const qint64 now = clock.elapsed();
    const QDateTime wallNow = QDateTime::currentDateTimeUtc();
    const QString host = QSysInfo::machineHostName();

    // Restarts and states of children as their parents report them.
    QHash<qint64, QJsonObject> reportedByParent;
    for (auto it = heartbeats.cbegin(); it != heartbeats.cend(); ++it) {
        for (const QJsonValue &child : it->data.value(QStringLiteral("children")).toArray())
            reportedByParent.insert(qint64(child.toObject().value(QStringLiteral("pid")).toDouble()), child.toObject());
    }

    QList<qint64> pids = groupOf.keys();
    std::sort(pids.begin(), pids.end(), [this](qint64 a, qint64 b) {
        return groupOf.value(a) != groupOf.value(b) ? groupOf.value(a) < groupOf.value(b) : a < b;
    });
    QJsonArray processes;
    for (qint64 workerPid : std::as_const(pids)) {
        const auto beat = heartbeats.constFind(workerPid);
        const QJsonObject data = beat == heartbeats.cend() ? QJsonObject() : beat->data;
        QJsonObject p{
            {QStringLiteral("pid"), double(workerPid)},
            {QStringLiteral("group"), groupOf.value(workerPid)},
            {QStringLiteral("heartbeat"), beat != heartbeats.cend()},
            {QStringLiteral("host"), data.value(QStringLiteral("host")).toString(host)},
            {QStringLiteral("ppid"), double(parentOf(workerPid))},
            {QStringLiteral("rss"), data.value(QStringLiteral("rss"))},
            {QStringLiteral("cpu"), data.value(QStringLiteral("cpu"))},
            {QStringLiteral("cpus"), data.value(QStringLiteral("cpus"))},
            {QStringLiteral("stats"), data.value(QStringLiteral("stats"))},
            {QStringLiteral("lastSeenMs"), beat == heartbeats.cend() ? -1.0 : double(now - beat->receivedAt)},
        };
        const QDateTime processStart = QDateTime::fromString(data.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
        p.insert(QStringLiteral("startedAt"), data.value(QStringLiteral("startedAt")));
        p.insert(QStringLiteral("uptimeMs"), processStart.isValid() ? double(processStart.msecsTo(wallNow)) : -1.0);
        const Supervisor::Child *own = supervisor ? supervisor->findByPid(workerPid) : nullptr;
        if (own) {
            p.insert(QStringLiteral("restarts"), own->process->restartCount());
            p.insert(QStringLiteral("state"), Clustr::stateName(own->process->state()));
        } else {
            const QJsonObject reported = reportedByParent.value(workerPid);
            p.insert(QStringLiteral("restarts"), reported.value(QStringLiteral("restarts")).toInt(0));
            p.insert(QStringLiteral("state"), reported.value(QStringLiteral("state")).toString(QStringLiteral("running")));
        }
        processes.append(p);
    }
    QJsonArray children;
    if (supervisor) {
        for (const ChildInfo &child : supervisor->infos())
            children.append(child.toJson());
    }
    return {
        {QStringLiteral("master"), masterInfo()},
        {QStringLiteral("processes"), processes},
        {QStringLiteral("children"), children},
        {QStringLiteral("clusterInfo"), Protocol::Codec::toJson(clusterInfo)},
        {QStringLiteral("updatedAt"), isoNow()},
    };
}

void MasterPrivate::announce()
{
    if (closing || !valid)
        return;
    lastSample = procStat.sample();
    const QByteArray ttl = QByteArray::number(AnnounceTtlMs);
    const auto compact = [](const QJsonObject &o) { return Protocol::Codec::toJsonBytes(o); };
    publisher->command({QByteArrayLiteral("SET"), channels.masterKey(), compact(masterInfo()), QByteArrayLiteral("PX"), ttl});
    publisher->command({QByteArrayLiteral("SET"), channels.statusKey(), compact(statusSnapshot()), QByteArrayLiteral("PX"), ttl});
}

void MasterPrivate::handleControl(const Message &message)
{
    Q_Q(Master);
    const QJsonObject data = message.data.toObject();
    const QString command = data.value(QStringLiteral("command")).toString();
    if (command == QLatin1String("reload")) {
        ++stats.onMessage;
        clustrInfo(lcMaster) << "reload requested by" << message.pid;
        q->reload();
    } else if (command == QLatin1String("stop")) {
        QString error;
        const auto code = data.contains(QStringLiteral("code")) ? Protocol::Codec::exitCode(data.value(QStringLiteral("code")), &error)
                                                                : std::optional<int>(15);
        if (!code) {
            reject(channels.controlChannel(pid), error);
            return;
        }
        ++stats.onMessage;
        clustrInfo(lcMaster) << "stop requested by" << message.pid;
        q->stop(*code);
    } else {
        reject(channels.controlChannel(pid), QStringLiteral("unknown control command; expected {\"command\":\"reload\"} or {\"command\":\"stop\"}"));
    }
}

} // namespace Clustr
