// SPDX-License-Identifier: MIT
// The JSON shape of every protocol record but the envelope. Keys are spelled
// once, here; docs/PROTOCOL.md sections 8 and 11 describe the same shapes.
#include "records_p.h"

#include "codec_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonParseError>

#include <cmath>
#include <limits>

namespace Clustr::Protocol {

namespace {

// Largest integer a JavaScript number holds exactly: pids and counters from any peer.
constexpr double MaxSafeInteger = 9007199254740992.0;

namespace Key {
constexpr QLatin1String pid("pid"), ppid("ppid"), group("group"), host("host"), file("file"), cpu("cpu"), cpus("cpus"),
    state("state"), restarts("restarts"), startedAt("startedAt"), sentAt("sentAt"), registers("registers"), respawn("respawn"),
    commandLine("commandLine"), error("error"), ready("ready"), rss("rss"), stats("stats"), children("children"),
    name("name"), clusterNamespace("namespace"), version("version"), redis("redis"), workers("workers"),
    reloads("reloads"), lastReloadMs("lastReloadMs"), redisConnected("redisConnected"), reload("reload"), step("step"),
    steps("steps"), heartbeat("heartbeat"), lastSeenMs("lastSeenMs"), uptimeMs("uptimeMs"), master("master"),
    processes("processes"), clusterInfo("clusterInfo"), updatedAt("updatedAt"), event("event"), time("time"),
    oldPid("oldPid"), newPid("newPid"), reason("reason"), code("code"), signal("signal"), phase("phase"),
    durationMs("durationMs"), command("command"), redisPid("redisPid"), cluster("cluster"), instance("instance"),
    droppedOutputLines("droppedOutputLines"), passwords("passwords"), id("id"), instances("instances"),
    groups("groups"), stopped("stopped"), supervised("supervised"), sampleId("sampleId"), leaseMs("leaseMs"),
    dryRun("dryRun"), plan("plan"), masterPid("masterPid"), status("status"), hosts("hosts");
} // namespace Key

// In ControlCommand::Type's order.
constexpr QLatin1String CommandNames[] = {
    QLatin1String("reload"), QLatin1String("stop"), QLatin1String("restart"),
    QLatin1String("stopGroup"), QLatin1String("startGroup"), QLatin1String("scale"), QLatin1String("update"),
};

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("missing");
}

QString timeText(const QDateTime &time)
{
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

/*
  Reads the fields of one record: every accessor checks the type of a field
  that is present and falls back when it is absent. The first problem is
  kept (as "<record>.<field> is <what>, not <expected>") and makes ok() false.
*/
class Reader
{
public:
    Reader(const QJsonValue &value, QLatin1String record, QString *error)
        : m_record(record)
        , m_error(error)
    {
        if (!value.isObject())
            fail(QStringLiteral("%1 is %2, not an object").arg(record, typeName(value)));
        m_object = value.toObject();
    }

    bool ok() const { return m_ok; }
    const QJsonObject &object() const { return m_object; }

    bool has(QLatin1String key) const { return m_object.contains(key); }

    qint64 integer(QLatin1String key, qint64 fallback, qint64 min = 0, qint64 max = qint64(MaxSafeInteger))
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
        if (!v.isDouble() || d != std::trunc(d) || d < double(min) || d > double(max)) {
            wrong(key, v, max < qint64(MaxSafeInteger) ? QStringLiteral("an integer from %1 to %2").arg(min).arg(max)
                                                       : QStringLiteral("an integer >= %1").arg(min));
            return fallback;
        }
        return qint64(d);
    }

    //! A field held in an int: a larger number would wrap around, and a
    //! record written back from it would be refused by its readers.
    int smallInteger(QLatin1String key, int fallback, int min = 0)
    {
        return int(integer(key, fallback, min, std::numeric_limits<int>::max()));
    }

    double number(QLatin1String key, double fallback)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return fallback;
        if (!v.isDouble()) {
            wrong(key, v, QStringLiteral("a number"));
            return fallback;
        }
        return v.toDouble();
    }

    QString string(QLatin1String key, const QString &fallback = QString())
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return fallback;
        if (!v.isString()) {
            wrong(key, v, QStringLiteral("a string"));
            return fallback;
        }
        return v.toString();
    }

    bool boolean(QLatin1String key, bool fallback)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return fallback;
        if (!v.isBool()) {
            wrong(key, v, QStringLiteral("a boolean"));
            return fallback;
        }
        return v.toBool();
    }

    QDateTime time(QLatin1String key)
    {
        const QString text = string(key);
        if (text.isEmpty())
            return QDateTime();
        const QDateTime parsed = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!parsed.isValid())
            wrong(key, m_object.value(key), QStringLiteral("an ISO 8601 time"));
        return parsed;
    }

    QJsonArray array(QLatin1String key)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return QJsonArray();
        if (!v.isArray())
            wrong(key, v, QStringLiteral("an array"));
        return v.toArray();
    }

    //! An array of strings (absent: empty).
    QStringList strings(QLatin1String key)
    {
        QStringList list;
        for (const QJsonValue &item : array(key)) {
            if (!item.isString()) {
                fail(QStringLiteral("%1.%2 holds %3, not only strings").arg(m_record, key, typeName(item)));
                return {};
            }
            list.append(item.toString());
        }
        return list;
    }

    QJsonObject subObject(QLatin1String key)
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined() || v.isNull())
            return QJsonObject();
        if (!v.isObject())
            wrong(key, v, QStringLiteral("an object"));
        return v.toObject();
    }

    //! A nested record read by \a read; its error is reported under this one's name.
    template<typename T, typename ReadFunction>
    std::optional<T> nested(const QJsonValue &value, ReadFunction read)
    {
        QString inner;
        auto result = read(value, &inner);
        if (!result)
            fail(QStringLiteral("%1: %2").arg(m_record, inner));
        return result;
    }

    template<typename Enum>
    Enum enumeration(QLatin1String key, Enum fallback, std::optional<Enum> (*fromName)(QStringView))
    {
        const QJsonValue v = m_object.value(key);
        if (v.isUndefined())
            return fallback;
        const auto parsed = v.isString() ? fromName(v.toString()) : std::nullopt;
        if (!parsed) {
            wrong(key, v, QStringLiteral("a known name"));
            return fallback;
        }
        return *parsed;
    }

    void fail(const QString &reason)
    {
        if (m_ok && m_error)
            *m_error = reason;
        m_ok = false;
    }

private:
    void wrong(QLatin1String key, const QJsonValue &value, const QString &expected)
    {
        const QString shown = value.isString() ? QLatin1Char('"') + value.toString().left(40) + QLatin1Char('"') : typeName(value);
        fail(QStringLiteral("%1.%2 is %3, not %4").arg(m_record, key, shown, expected));
    }

    QLatin1String m_record;
    QString *m_error;
    QJsonObject m_object;
    bool m_ok = true;
};

void insertIfKnown(QJsonObject &object, QLatin1String key, double value)
{
    if (!std::isnan(value))
        object.insert(key, value);
}

} // namespace

// Children

QJsonObject Records::toJson(const ChildInfo &child, ChildForm form)
{
    QJsonObject object{
        {Key::pid, double(child.pid())},
        {Key::group, child.group()},
        {Key::registers, child.registers()},
        {Key::respawn, child.respawn()},
        {Key::state, ChildInfo::stateName(child.state())},
        {Key::restarts, child.restarts()},
        {Key::instance, child.instance()},
    };
    // Rare, and heartbeats go out often while someone samples: there only when it happened.
    if (form == ChildForm::Full || child.droppedOutputLines() > 0)
        object.insert(Key::droppedOutputLines, double(child.droppedOutputLines()));
    if (form == ChildForm::Full) {
        object.insert(Key::file, child.file());
        object.insert(Key::cpu, child.cpu());
        object.insert(Key::startedAt, timeText(child.startedAt()));
        object.insert(Key::commandLine, QJsonArray::fromStringList(child.commandLine()));
        object.insert(Key::error, child.error());
    }
    return object;
}

std::optional<ChildInfo> Records::childInfo(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("child"), error);
    ChildInfo child;
    child.setPid(r.integer(Key::pid, 0));
    child.setGroup(r.string(Key::group));
    child.setInstance(r.smallInteger(Key::instance, 0));
    child.setFile(r.string(Key::file));
    child.setCpu(r.string(Key::cpu));
    child.setState(r.enumeration(Key::state, ChildInfo::State::Running, &ChildInfo::stateFromName));
    child.setRestarts(r.smallInteger(Key::restarts, 0));
    child.setStartedAt(r.time(Key::startedAt));
    child.setRegisters(r.boolean(Key::registers, true));
    child.setRespawn(r.boolean(Key::respawn, true));
    child.setCommandLine(r.strings(Key::commandLine));
    child.setError(r.string(Key::error));
    child.setDroppedOutputLines(r.integer(Key::droppedOutputLines, 0));
    if (!r.ok())
        return std::nullopt;
    return child;
}

namespace {

std::optional<QList<ChildInfo>> childList(Reader &r, const QJsonArray &array)
{
    QList<ChildInfo> children;
    children.reserve(array.size());
    for (const QJsonValue &value : array) {
        auto child = r.nested<ChildInfo>(value, [](const QJsonValue &v, QString *e) { return Records::childInfo(v, e); });
        if (!child)
            return std::nullopt;
        children.append(*child);
    }
    return children;
}

QJsonArray childArray(const QList<ChildInfo> &children, Records::ChildForm form)
{
    QJsonArray array;
    for (const ChildInfo &child : children)
        array.append(Records::toJson(child, form));
    return array;
}

} // namespace

// Heartbeats

QJsonObject Records::toJson(const Heartbeat &heartbeat)
{
    QJsonObject object{
        {Key::ppid, double(heartbeat.ppid())},
        {Key::ready, heartbeat.ready()},
        {Key::host, heartbeat.host()},
        {Key::startedAt, timeText(heartbeat.startedAt())},
        {Key::sentAt, timeText(heartbeat.sentAt())},
        {Key::cpus, heartbeat.cpus()},
        {Key::children, childArray(heartbeat.children(), ChildForm::Heartbeat)},
        {Key::stats, heartbeat.stats().toJson()},
    };
    if (heartbeat.rssBytes() >= 0)
        object.insert(Key::rss, double(heartbeat.rssBytes()));
    insertIfKnown(object, Key::cpu, heartbeat.cpuPercent());
    if (heartbeat.supervised()) // absent: a process that heartbeats all along, as every peer did before
        object.insert(Key::supervised, true);
    return object;
}

std::optional<Heartbeat> Records::heartbeat(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("heartbeat"), error);
    Heartbeat heartbeat;
    heartbeat.setPpid(r.integer(Key::ppid, 0));
    heartbeat.setReady(r.boolean(Key::ready, false));
    heartbeat.setSupervised(r.boolean(Key::supervised, false));
    heartbeat.setHost(r.string(Key::host));
    heartbeat.setStartedAt(r.time(Key::startedAt));
    heartbeat.setSentAt(r.time(Key::sentAt));
    heartbeat.setRssBytes(r.integer(Key::rss, -1));
    heartbeat.setCpuPercent(r.number(Key::cpu, std::numeric_limits<double>::quiet_NaN()));
    heartbeat.setCpus(r.string(Key::cpus));
    heartbeat.setStats(Stats::fromJson(r.subObject(Key::stats)));
    if (auto children = childList(r, r.array(Key::children)))
        heartbeat.setChildren(*children);
    if (!r.ok())
        return std::nullopt;
    return heartbeat;
}

// The announcement

QJsonObject Records::toJson(const MasterInfo &master)
{
    QJsonObject object{
        {Key::pid, double(master.pid())},
        {Key::host, master.host()},
        {Key::name, master.name()},
        {Key::clusterNamespace, master.clusterNamespace()},
        {Key::startedAt, timeText(master.startedAt())},
        {Key::state, MasterInfo::stateName(master.state())},
        {Key::version, master.version()},
        {Key::redis, master.redisUrl()},
        {Key::workers, master.workerCount()},
        {Key::reloads, master.reloadCount()},
        {Key::lastReloadMs, double(master.lastReloadMs())},
        {Key::cpus, master.cpus()},
        {Key::stats, master.stats().toJson()},
        {Key::redisConnected, master.redisConnected()},
    };
    if (!master.sampleId().isEmpty())
        object.insert(Key::sampleId, master.sampleId());
    if (master.rssBytes() >= 0)
        object.insert(Key::rss, double(master.rssBytes()));
    insertIfKnown(object, Key::cpu, master.cpuPercent());
    if (master.state() == MasterInfo::State::Reloading)
        object.insert(Key::reload, QJsonObject{{Key::step, master.reloadStep()}, {Key::steps, master.reloadSteps()}});
    return object;
}

std::optional<MasterInfo> Records::masterInfo(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("master"), error);
    MasterInfo master;
    master.setPid(r.integer(Key::pid, 0, 1));
    if (r.ok() && !r.has(Key::pid))
        r.fail(QStringLiteral("master.pid is missing"));
    master.setHost(r.string(Key::host));
    master.setName(r.string(Key::name));
    master.setClusterNamespace(r.string(Key::clusterNamespace));
    master.setStartedAt(r.time(Key::startedAt));
    master.setState(r.enumeration(Key::state, MasterInfo::State::Running, &MasterInfo::stateFromName));
    master.setVersion(r.string(Key::version));
    master.setRedisUrl(r.string(Key::redis));
    master.setWorkerCount(r.smallInteger(Key::workers, 0));
    master.setReloadCount(r.smallInteger(Key::reloads, 0));
    master.setLastReloadMs(r.integer(Key::lastReloadMs, 0));
    master.setRssBytes(r.integer(Key::rss, -1));
    master.setCpuPercent(r.number(Key::cpu, std::numeric_limits<double>::quiet_NaN()));
    master.setCpus(r.string(Key::cpus));
    master.setStats(Stats::fromJson(r.subObject(Key::stats)));
    master.setRedisConnected(r.boolean(Key::redisConnected, false));
    master.setSampleId(r.string(Key::sampleId));
    if (r.has(Key::reload)) {
        Reader reload(r.object().value(Key::reload), QLatin1String("master.reload"), error);
        master.setReloadStep(reload.smallInteger(Key::step, 0));
        master.setReloadSteps(reload.smallInteger(Key::steps, 0));
        if (!reload.ok())
            return std::nullopt;
    }
    if (!r.ok())
        return std::nullopt;
    return master;
}

// The status

QJsonObject Records::toJson(const ProcessStatus &process)
{
    QJsonObject object{
        {Key::pid, double(process.pid())},
        {Key::group, process.group()},
        {Key::heartbeat, process.heartbeat()},
        {Key::host, process.host()},
        {Key::ppid, double(process.ppid())},
        {Key::instance, process.instance()},
        {Key::lastSeenMs, double(process.lastSeenMs())},
        {Key::uptimeMs, double(process.uptimeMs())},
        {Key::restarts, process.restarts()},
        {Key::state, ChildInfo::stateName(process.state())},
    };
    // What only a heartbeat tells is absent for a process that does not send one.
    if (process.heartbeat()) {
        if (process.rssBytes() >= 0)
            object.insert(Key::rss, double(process.rssBytes()));
        insertIfKnown(object, Key::cpu, process.cpuPercent());
        object.insert(Key::cpus, process.cpus());
        object.insert(Key::stats, process.stats().toJson());
        object.insert(Key::startedAt, timeText(process.startedAt()));
    }
    return object;
}

std::optional<ProcessStatus> Records::processStatus(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("process"), error);
    ProcessStatus process;
    process.setPid(r.integer(Key::pid, 0));
    process.setGroup(r.string(Key::group));
    process.setHeartbeat(r.boolean(Key::heartbeat, false));
    process.setHost(r.string(Key::host));
    process.setPpid(r.integer(Key::ppid, 0));
    process.setInstance(r.string(Key::instance));
    process.setLastSeenMs(r.integer(Key::lastSeenMs, -1, -1));
    process.setUptimeMs(r.integer(Key::uptimeMs, -1, -1));
    process.setRestarts(r.smallInteger(Key::restarts, 0));
    process.setState(r.enumeration(Key::state, ChildInfo::State::Running, &ChildInfo::stateFromName));
    process.setRssBytes(r.integer(Key::rss, -1));
    process.setCpuPercent(r.number(Key::cpu, std::numeric_limits<double>::quiet_NaN()));
    process.setCpus(r.string(Key::cpus));
    process.setStats(Stats::fromJson(r.subObject(Key::stats)));
    process.setStartedAt(r.time(Key::startedAt));
    if (!r.ok())
        return std::nullopt;
    return process;
}

namespace {

// {"web": {"instances": 2, "stopped": false}}: the groups the master spawns.
QJsonObject groupsJson(const ClusterStatus &status)
{
    QJsonObject groups;
    const QMap<QString, int> instances = status.groupInstances();
    const QStringList stopped = status.stoppedGroups();
    for (auto it = instances.cbegin(); it != instances.cend(); ++it)
        groups.insert(it.key(), QJsonObject{{Key::instances, it.value()}, {Key::stopped, stopped.contains(it.key())}});
    return groups;
}

void readGroups(Reader &r, ClusterStatus &status)
{
    const QJsonObject groups = r.subObject(Key::groups);
    QMap<QString, int> instances;
    QStringList stopped;
    for (auto it = groups.constBegin(); it != groups.constEnd() && r.ok(); ++it) {
        Reader g(it.value(), QLatin1String("status.groups entry"), nullptr);
        const int count = int(g.integer(Key::instances, 0, 0, std::numeric_limits<int>::max()));
        const bool isStopped = g.boolean(Key::stopped, false);
        if (!g.ok() || !isValidName(it.key())) {
            r.fail(QStringLiteral("status.groups.%1 is not {\"instances\": N, \"stopped\": BOOL} of a group name").arg(it.key().left(200)));
            return;
        }
        instances.insert(it.key(), count);
        if (isStopped)
            stopped.append(it.key());
    }
    status.setGroupInstances(instances);
    status.setStoppedGroups(stopped);
}

} // namespace

QJsonObject Records::toJson(const ClusterStatus &status)
{
    QJsonArray processes;
    for (const ProcessStatus &process : status.processes())
        processes.append(toJson(process));
    return {
        {Key::master, toJson(status.master())},
        {Key::processes, processes},
        {Key::children, childArray(status.children(), ChildForm::Full)},
        {Key::clusterInfo, Codec::toJson(status.clusterInfo())},
        {Key::groups, groupsJson(status)},
        {Key::updatedAt, timeText(status.updatedAt())},
    };
}

std::optional<ClusterStatus> Records::clusterStatus(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("status"), error);
    ClusterStatus status;
    if (auto master = r.nested<MasterInfo>(r.object().value(Key::master), [](const QJsonValue &v, QString *e) { return masterInfo(v, e); }))
        status.setMaster(*master);
    QList<ProcessStatus> processes;
    for (const QJsonValue &entry : r.array(Key::processes)) {
        auto process = r.nested<ProcessStatus>(entry, [](const QJsonValue &v, QString *e) { return processStatus(v, e); });
        if (!process)
            break;
        processes.append(*process);
    }
    status.setProcesses(processes);
    if (auto children = childList(r, r.array(Key::children)))
        status.setChildren(*children);
    QString infoError;
    if (auto info = Codec::clusterInfo(r.subObject(Key::clusterInfo), &infoError))
        status.setClusterInfo(*info);
    else
        r.fail(QStringLiteral("status.clusterInfo: %1").arg(infoError));
    readGroups(r, status);
    status.setUpdatedAt(r.time(Key::updatedAt));
    if (!r.ok())
        return std::nullopt;
    return status;
}

// Events

namespace {

void insertRequest(QJsonObject &object, const ClusterEvent &event)
{
    if (!event.requestId().isEmpty())
        object.insert(Key::id, event.requestId());
    if (!event.command().isEmpty())
        object.insert(Key::command, event.command());
}

// The answer to a control command: which one, its target, and per type its steps or its failure.
void insertCommandAnswer(QJsonObject &object, const ClusterEvent &event)
{
    using Type = ClusterEvent::Type;
    insertRequest(object, event);
    if (!event.group().isEmpty())
        object.insert(Key::group, event.group());
    if (event.pid() > 0)
        object.insert(Key::pid, double(event.pid()));
    if (event.type() == Type::CommandAccepted || event.type() == Type::CommandProgress)
        object.insert(Key::steps, event.steps());
    if (event.type() == Type::CommandProgress)
        object.insert(Key::step, event.step());
    if (!event.plan().isEmpty())
        object.insert(Key::plan, QJsonArray::fromStringList(event.plan()));
    if (event.type() == Type::CommandRejected || !event.error().isEmpty()) {
        object.insert(Key::error, event.error());
        object.insert(Key::reason, event.reason());
    }
}

} // namespace

QJsonObject Records::toJson(const ClusterEvent &event)
{
    using Type = ClusterEvent::Type;
    QJsonObject object{{Key::event, ClusterEvent::typeName(event.type())}, {Key::time, timeText(event.time())}};
    const auto pid = [&] { object.insert(Key::pid, double(event.pid())); };
    const auto group = [&] { object.insert(Key::group, event.group()); };
    switch (event.type()) {
    case Type::Registered:
    case Type::Deregistered:
    case Type::Spawned:
        pid(), group();
        break;
    case Type::Lost:
    case Type::ReloadExcluded:
        pid(), group();
        object.insert(Key::reason, event.reason());
        break;
    case Type::Exited:
        pid(), group();
        object.insert(Key::code, event.exitCode());
        object.insert(Key::signal, event.signal());
        break;
    case Type::Respawned:
        pid(), group();
        object.insert(Key::oldPid, double(event.oldPid()));
        break;
    case Type::GaveUp:
        group();
        object.insert(Key::reason, event.reason());
        break;
    case Type::SpawnFailed:
        object.insert(Key::file, event.file());
        object.insert(Key::error, event.error());
        break;
    case Type::ClusterStarted:
        object.insert(Key::workers, event.workerCount());
        break;
    case Type::ReloadStarted:
        object.insert(Key::steps, event.steps());
        insertRequest(object, event); // a restart's
        break;
    case Type::ReloadStep:
        // A step read without a phase is written without one: "" is no phase's name.
        if (event.reloadPhase() != ClusterEvent::ReloadPhase::None)
            object.insert(Key::phase, ClusterEvent::phaseName(event.reloadPhase()));
        object.insert(Key::step, event.step());
        object.insert(Key::steps, event.steps());
        object.insert(Key::oldPid, double(event.oldPid()));
        if (event.reloadPhase() == ClusterEvent::ReloadPhase::Finished || event.reloadPhase() == ClusterEvent::ReloadPhase::Skipped)
            object.insert(Key::newPid, double(event.newPid()));
        else
            group();
        break;
    case Type::ClusterReloaded:
        object.insert(Key::workers, event.workerCount());
        object.insert(Key::durationMs, double(event.durationMs()));
        break;
    case Type::Stopping:
        object.insert(Key::code, event.exitCode());
        break;
    case Type::CommandRejected:
    case Type::CommandAccepted:
    case Type::CommandProgress:
    case Type::CommandFinished:
        insertCommandAnswer(object, event);
        break;
    case Type::Unknown:
        break;
    }
    return object;
}

std::optional<ClusterEvent> Records::clusterEvent(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("event"), error);
    ClusterEvent event;
    event.setType(r.enumeration(Key::event, ClusterEvent::Type::Unknown, &ClusterEvent::typeFromName));
    if (r.ok() && event.type() == ClusterEvent::Type::Unknown)
        r.fail(QStringLiteral("event.event is missing"));
    event.setTime(r.time(Key::time));
    event.setPid(r.integer(Key::pid, 0));
    event.setOldPid(r.integer(Key::oldPid, 0));
    event.setNewPid(r.integer(Key::newPid, 0));
    event.setGroup(r.string(Key::group));
    event.setReason(r.string(Key::reason));
    event.setExitCode(r.smallInteger(Key::code, 0, -1));
    event.setSignal(r.smallInteger(Key::signal, 0));
    event.setFile(r.string(Key::file));
    event.setError(r.string(Key::error));
    event.setWorkerCount(r.smallInteger(Key::workers, 0));
    event.setStep(r.smallInteger(Key::step, 0));
    event.setSteps(r.smallInteger(Key::steps, 0));
    event.setReloadPhase(r.enumeration(Key::phase, ClusterEvent::ReloadPhase::None, &ClusterEvent::phaseFromName));
    event.setDurationMs(r.integer(Key::durationMs, 0));
    event.setRequestId(r.string(Key::id));
    event.setCommand(r.string(Key::command));
    event.setPlan(r.strings(Key::plan));
    if (!r.ok())
        return std::nullopt;
    return event;
}

// Control commands

QString ControlCommand::typeName(Type type)
{
    return CommandNames[int(type)];
}

namespace {
// In ControlCommand::Failure's order.
constexpr QLatin1String FailureNames[] = {
    QLatin1String(""), QLatin1String("noSuchTarget"), QLatin1String("nothingToDo"), QLatin1String("invalid"),
    QLatin1String("busy"), QLatin1String("stopping"), QLatin1String("failed"),
};
} // namespace

QString ControlCommand::failureName(Failure failure)
{
    return FailureNames[int(failure)];
}

ControlCommand::Failure ControlCommand::failureFromName(const QString &name)
{
    for (std::size_t i = 0; i < std::size(FailureNames); ++i) {
        if (name == FailureNames[i])
            return Failure(i);
    }
    return Failure::Failed;
}

QJsonObject Records::toJson(const ControlCommand &command)
{
    using Type = ControlCommand::Type;
    QJsonObject object{{Key::command, ControlCommand::typeName(command.type)}};
    if (!command.id.isEmpty())
        object.insert(Key::id, command.id);
    if (command.type == Type::Stop)
        object.insert(Key::code, command.exitCode);
    if (!command.group.isEmpty() && command.type != Type::Reload && command.type != Type::Stop)
        object.insert(Key::group, command.group);
    if (command.type == Type::Restart && command.pid > 0)
        object.insert(Key::pid, double(command.pid));
    if (command.type == Type::Scale)
        object.insert(Key::instances, command.instances);
    if (command.type == Type::Update && command.dryRun)
        object.insert(Key::dryRun, true);
    return object;
}

namespace {

std::optional<ControlCommand::Type> commandType(const QString &name)
{
    for (std::size_t i = 0; i < std::size(CommandNames); ++i) {
        if (name == CommandNames[i])
            return ControlCommand::Type(i);
    }
    return std::nullopt;
}

// The fields a command of \a command's type needs, checked; the first problem in \a problem.
void readCommandFields(Reader &r, ControlCommand &command, QString *problem)
{
    using Type = ControlCommand::Type;
    const bool needsGroup = command.type == Type::StopGroup || command.type == Type::StartGroup || command.type == Type::Scale;
    if (needsGroup || command.type == Type::Restart) {
        command.group = r.string(Key::group);
        if (r.ok() && (needsGroup || r.has(Key::group)) && !isValidName(command.group))
            *problem = QStringLiteral("control.group must be a group name (1 to 200 printable characters without spaces)");
    }
    if (command.type == Type::Restart && r.has(Key::pid)) {
        command.pid = r.integer(Key::pid, 0, 1);
        if (r.ok() && !command.group.isEmpty())
            *problem = QStringLiteral("control: a restart names a group or a pid, not both");
    }
    if (command.type == Type::Scale) {
        if (!r.has(Key::instances))
            *problem = QStringLiteral("control.instances is missing");
        command.instances = int(r.integer(Key::instances, 0, 0, ControlCommand::MaxInstances));
    }
    if (command.type == Type::Update)
        command.dryRun = r.boolean(Key::dryRun, false);
}

} // namespace

std::optional<ControlCommand> Records::controlCommand(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("control"), error);
    const QString name = r.string(Key::command);
    const QString id = r.string(Key::id);
    if (!r.ok())
        return std::nullopt;
    const auto type = commandType(name);
    if (!type) {
        if (error)
            *error = QStringLiteral("unknown control command; expected one of reload, stop, restart, stopGroup, startGroup, scale, update");
        return std::nullopt;
    }
    ControlCommand command;
    command.type = *type;
    command.id = id;
    QString problem;
    if (id.size() > ControlCommand::MaxIdLength || (!id.isEmpty() && !isValidName(id)))
        problem = QStringLiteral("control.id must be up to %1 printable characters without spaces").arg(ControlCommand::MaxIdLength);
    if (command.type == ControlCommand::Type::Stop && r.has(Key::code)) {
        QString codeError;
        const auto code = Codec::exitCode(r.object().value(Key::code), &codeError);
        if (!code)
            problem = QStringLiteral("control.code: %1").arg(codeError);
        else
            command.exitCode = *code;
    }
    if (problem.isEmpty())
        readCommandFields(r, command, &problem);
    if (!r.ok())
        return std::nullopt;
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        return std::nullopt;
    }
    return command;
}

// Requests for fresh figures

QJsonObject Records::toJson(const SamplingRequest &request)
{
    QJsonObject object{{Key::leaseMs, double(request.leaseMs)}};
    if (!request.id.isEmpty())
        object.insert(Key::id, request.id);
    return object;
}

std::optional<SamplingRequest> Records::samplingRequest(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("sampling"), error);
    SamplingRequest request;
    request.leaseMs = r.integer(Key::leaseMs, 0, 0, SamplingRequest::MaxLeaseMs);
    request.id = r.string(Key::id);
    if (r.ok() && (request.id.size() > ControlCommand::MaxIdLength || (!request.id.isEmpty() && !isValidName(request.id))))
        r.fail(QStringLiteral("sampling.id must be up to %1 printable characters without spaces").arg(ControlCommand::MaxIdLength));
    if (!r.ok())
        return std::nullopt;
    return request;
}

// Runtime record and lock

QJsonObject Records::toJson(const RuntimeRecord &record)
{
    QJsonObject object{{Key::redis, record.redisUrl}, {Key::pid, double(record.pid)}, {Key::redisPid, double(record.redisPid)},
                       {Key::cluster, record.cluster}};
    if (!record.passwords.isEmpty()) {
        QJsonObject passwords;
        for (auto it = record.passwords.cbegin(); it != record.passwords.cend(); ++it)
            passwords.insert(it.key(), it.value());
        object.insert(Key::passwords, passwords);
    }
    return object;
}

std::optional<RuntimeRecord> Records::runtimeRecord(const QJsonValue &value, QString *error)
{
    Reader r(value, QLatin1String("record"), error);
    RuntimeRecord record;
    record.pid = r.integer(Key::pid, 0, 1);
    record.redisUrl = r.string(Key::redis);
    record.redisPid = r.integer(Key::redisPid, 0);
    record.cluster = r.string(Key::cluster);
    const QJsonObject passwords = r.subObject(Key::passwords);
    for (auto it = passwords.constBegin(); it != passwords.constEnd(); ++it) {
        if (!it.value().isString())
            r.fail(QStringLiteral("record: the password of %1 is not a string").arg(it.key()));
        record.passwords.insert(it.key(), it.value().toString());
    }
    if (r.ok() && (record.pid == 0 || record.redisUrl.isEmpty()))
        r.fail(QStringLiteral("record: pid and redis are required"));
    if (!r.ok())
        return std::nullopt;
    return record;
}

QByteArray Records::lockValue(const LockOwner &owner)
{
    QByteArray value = QByteArray::number(owner.pid) + '@' + owner.host.toUtf8();
    if (owner.startTime > 0 && !owner.processTable.isEmpty())
        value += '#' + QByteArray::number(owner.startTime) + '#' + owner.processTable;
    return value;
}

std::optional<LockOwner> Records::lockOwner(const QByteArray &value)
{
    const qsizetype at = value.indexOf('@');
    if (at <= 0)
        return std::nullopt;
    bool ok = false;
    LockOwner owner;
    owner.pid = value.left(at).toLongLong(&ok);
    if (!ok || owner.pid <= 0)
        return std::nullopt;
    // Older holders write only the host; a host name has no '#'.
    const QList<QByteArray> parts = value.mid(at + 1).split('#');
    owner.host = QString::fromUtf8(parts.constFirst());
    if (parts.size() == 3) {
        owner.startTime = parts.at(1).toULongLong(&ok);
        if (ok && !parts.at(2).isEmpty())
            owner.processTable = parts.at(2);
        else
            owner.startTime = 0;
    }
    return owner;
}

QByteArray Records::toBytes(const QJsonObject &record)
{
    return Codec::toJsonBytes(record);
}

std::optional<QJsonObject> Records::objectFromBytes(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        if (error)
            *error = parseError.error != QJsonParseError::NoError ? parseError.errorString()
                                                                 : QStringLiteral("not a JSON object");
        return std::nullopt;
    }
    return document.object();
}

QJsonObject Records::hostEntry(qint64 masterPid, const QDateTime &startedAt, const QDateTime &updatedAt)
{
    return {{Key::pid, double(masterPid)},
            {Key::startedAt, startedAt.toString(Qt::ISODateWithMs)},
            {Key::updatedAt, updatedAt.toString(Qt::ISODateWithMs)}};
}

ClusterHost Records::clusterHost(const QString &name, const QJsonObject &entry)
{
    ClusterHost host;
    host.name = name;
    host.masterPid = qint64(entry.value(Key::pid).toDouble());
    host.startedAt = QDateTime::fromString(entry.value(Key::startedAt).toString(), Qt::ISODateWithMs);
    host.updatedAt = QDateTime::fromString(entry.value(Key::updatedAt).toString(), Qt::ISODateWithMs);
    return host;
}

} // namespace Clustr::Protocol

QJsonObject Clustr::statusAcrossHostsToJson(const QString &clusterName, const QList<ClusterHost> &hosts,
                                            const QList<ClusterStatus> &statuses)
{
    using namespace Clustr::Protocol;
    QJsonArray hostList;
    QJsonArray processes;
    for (qsizetype i = 0; i < hosts.size(); ++i) {
        const ClusterHost &host = hosts.at(i);
        const ClusterStatus status = statuses.value(i);
        const bool running = !host.lost && status.master().pid() != 0;
        QJsonObject entry{{Key::host, host.name},
                          {Key::state, running ? QStringLiteral("running") : QStringLiteral("lost")},
                          {Key::masterPid, double(host.masterPid)},
                          {Key::updatedAt, host.updatedAt.toString(Qt::ISODateWithMs)}};
        if (running) {
            const QJsonObject document = Records::toJson(status);
            entry.insert(Key::status, document);
            // Every process names its host already (its heartbeat's); one that
            // does not heartbeat gets the host whose master lists it.
            for (const QJsonValue &value : document.value(Key::processes).toArray()) {
                QJsonObject process = value.toObject();
                if (process.value(Key::host).toString().isEmpty())
                    process.insert(Key::host, host.name);
                processes.append(process);
            }
        }
        hostList.append(entry);
    }
    return {{Key::cluster, clusterName}, {Key::hosts, hostList}, {Key::processes, processes}};
}
