// SPDX-License-Identifier: MIT
#include <ClustrQt/spawnspec.h>

#include "childcommand_p.h"
#include "cpuset_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonValue>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Clustr {

class SpawnSpecPrivate : public QSharedData
{
public:
    QString file;
    QString command;
    QString cpu;
    bool respawn = true;
    QJsonObject args;
    int instances = 1;
    QMap<QString, QString> env;
    QString workingDirectory;
    bool registers = true;
    QString group;
    QStringList sockets;
    std::optional<RestartPolicy> restartPolicy;
    std::optional<std::chrono::milliseconds> killTimeout;
    std::optional<InstanceCount> maxUnavailable;
    std::optional<InstanceCount> maxSurge;
};

namespace {

// Collects the first error of a parse; every check after a failure is a no-op,
// so fromJson() reads as a list of fields instead of a ladder of early returns.
class Reader
{
public:
    explicit Reader(const QJsonObject &json) : m_json(json) { }

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    void fail(const QString &field, const QString &problem)
    {
        if (ok())
            m_error = QStringLiteral("%1: %2").arg(field, problem);
    }

    // A key that is absent or null keeps the default.
    bool has(const QString &key) const
    {
        const auto it = m_json.constFind(key);
        return it != m_json.constEnd() && !it->isNull();
    }
    QJsonValue value(const QString &key) const { return m_json.value(key); }

    void readString(const QString &key, QString *out)
    {
        if (!ok() || !has(key))
            return;
        const QJsonValue v = value(key);
        if (!v.isString())
            return fail(key, QStringLiteral("expected a string"));
        *out = v.toString();
    }

    void readBool(const QString &key, bool *out)
    {
        if (!ok() || !has(key))
            return;
        const QJsonValue v = value(key);
        if (!v.isBool())
            return fail(key, QStringLiteral("expected true or false"));
        *out = v.toBool();
    }

    // JSON has only doubles; an integer is a double without a fraction.
    std::optional<qint64> readInteger(const QString &field, const QJsonValue &v, qint64 minimum,
                                      const QString &requirement)
    {
        const double d = v.isDouble() ? v.toDouble() : std::nan("");
        if (!std::isfinite(d) || std::trunc(d) != d || d < double(minimum)
            || d > double(std::numeric_limits<int>::max())) {
            fail(field, requirement);
            return std::nullopt;
        }
        return qint64(d);
    }

private:
    const QJsonObject &m_json;
    QString m_error;
};

const QStringList &knownKeys()
{
    static const QStringList keys = {
        QStringLiteral("file"), QStringLiteral("command"), QStringLiteral("cpu"),
        QStringLiteral("respawn"), QStringLiteral("args"), QStringLiteral("instances"),
        QStringLiteral("env"), QStringLiteral("workingDirectory"), QStringLiteral("register"),
        QStringLiteral("group"), QStringLiteral("restartPolicy"), QStringLiteral("killTimeoutMs"),
        QStringLiteral("maxUnavailable"), QStringLiteral("maxSurge"), QStringLiteral("sockets"),
    };
    return keys;
}

// "sockets": ["http", "admin"]: names of the spawner's listening sockets, each once.
void readSockets(Reader &reader, SpawnSpecPrivate &spec)
{
    if (!reader.ok() || !reader.has(QStringLiteral("sockets")))
        return;
    const QJsonValue value = reader.value(QStringLiteral("sockets"));
    const QString expected = QStringLiteral("expected an array of socket names");
    if (!value.isArray())
        return reader.fail(QStringLiteral("sockets"), expected);
    for (const QJsonValue &name : value.toArray()) {
        if (!name.isString() || !isValidSocketName(name.toString()))
            return reader.fail(QStringLiteral("sockets"), expected + QStringLiteral(" (letters, digits, '-', '_' and '.', up to 255)"));
        if (spec.sockets.contains(name.toString()))
            return reader.fail(QStringLiteral("sockets"), QStringLiteral("names %1 twice").arg(name.toString()));
        spec.sockets.append(name.toString());
    }
}

const QStringList &knownPolicyKeys()
{
    static const QStringList keys = {
        QStringLiteral("maxRestarts"), QStringLiteral("windowMs"), QStringLiteral("initialBackoffMs"),
        QStringLiteral("maxBackoffMs"), QStringLiteral("resetAfterMs"),
    };
    return keys;
}

void readCpu(Reader &reader, SpawnSpecPrivate &spec)
{
    const QString key = QStringLiteral("cpu");
    if (!reader.ok() || !reader.has(key))
        return;
    const QJsonValue v = reader.value(key);
    QString text;
    if (v.isDouble()) {
        // 0 and 2.0 are CPU ids; -1 and 1.5 are not. Let the parser phrase it.
        const double d = v.toDouble();
        text = (std::trunc(d) == d && std::abs(d) < 1e9) ? QString::number(qint64(d))
                                                         : QString::number(d);
    } else if (v.isString()) {
        text = v.toString();
        // "" means "no pinning", like an absent key.
        if (text.trimmed().isEmpty())
            return;
    } else {
        return reader.fail(key, QStringLiteral("expected a CPU id or list like \"0-3\""));
    }
    QString error;
    const auto cpus = CpuSet::parse(text, &error);
    if (!cpus)
        return reader.fail(key, error);
    spec.cpu = CpuSet::toString(*cpus);
}

void readEnv(Reader &reader, SpawnSpecPrivate &spec)
{
    const QString key = QStringLiteral("env");
    if (!reader.ok() || !reader.has(key))
        return;
    const QJsonValue v = reader.value(key);
    if (!v.isObject())
        return reader.fail(key, QStringLiteral("expected an object of name: \"value\""));
    const QJsonObject env = v.toObject();
    for (auto it = env.constBegin(); it != env.constEnd(); ++it) {
        if (it.key().isEmpty() || it.key().contains(u'='))
            return reader.fail(key, QStringLiteral("invalid variable name \"%1\"").arg(it.key()));
        if (!it->isString())
            return reader.fail(key, QStringLiteral("value of %1 must be a string").arg(it.key()));
        spec.env.insert(it.key(), it->toString());
    }
}

void readRestartPolicy(Reader &reader, SpawnSpecPrivate &spec)
{
    const QString key = QStringLiteral("restartPolicy");
    if (!reader.ok() || !reader.has(key))
        return;
    const QJsonValue v = reader.value(key);
    if (!v.isObject())
        return reader.fail(key, QStringLiteral("expected an object"));
    const QJsonObject json = v.toObject();
    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        if (!knownPolicyKeys().contains(it.key()))
            return reader.fail(key + u'.' + it.key(), QStringLiteral("unknown field"));
    }

    RestartPolicy policy;
    const auto readField = [&](const QString &name, qint64 minimum, auto setter) {
        if (!reader.ok() || !json.contains(name) || json.value(name).isNull())
            return;
        const QString requirement = QStringLiteral("must be an integer >= %1").arg(minimum);
        if (const auto n = reader.readInteger(key + u'.' + name, json.value(name), minimum, requirement))
            setter(*n);
    };
    using std::chrono::milliseconds;
    readField(QStringLiteral("maxRestarts"), 0, [&](qint64 n) { policy.maxRestarts = int(n); });
    readField(QStringLiteral("windowMs"), 1, [&](qint64 n) { policy.window = milliseconds(n); });
    readField(QStringLiteral("initialBackoffMs"), 0, [&](qint64 n) { policy.initialBackoff = milliseconds(n); });
    readField(QStringLiteral("maxBackoffMs"), 0, [&](qint64 n) { policy.maxBackoff = milliseconds(n); });
    readField(QStringLiteral("resetAfterMs"), 0, [&](qint64 n) { policy.resetAfter = milliseconds(n); });
    if (reader.ok() && policy.maxBackoff < policy.initialBackoff) {
        return reader.fail(key + QStringLiteral(".maxBackoffMs"),
                           QStringLiteral("must be >= initialBackoffMs (%1)").arg(policy.initialBackoff.count()));
    }
    spec.restartPolicy = policy;
}

void readInstanceCount(Reader &reader, const QString &key, std::optional<InstanceCount> *out)
{
    if (!reader.ok() || !reader.has(key))
        return;
    QString error;
    *out = InstanceCount::fromJson(reader.value(key), &error);
    if (!*out)
        reader.fail(key, error);
}

} // namespace

int InstanceCount::resolve(int instances, bool roundUp) const
{
    if (!percent)
        return value;
    const qint64 scaled = qint64(value) * std::max(instances, 0);
    return int(roundUp ? (scaled + 99) / 100 : scaled / 100);
}

QJsonValue InstanceCount::toJson() const
{
    return percent ? QJsonValue(QStringLiteral("%1%").arg(value)) : QJsonValue(value);
}

std::optional<InstanceCount> InstanceCount::fromJson(const QJsonValue &json, QString *error)
{
    InstanceCount count;
    bool ok = false;
    if (json.isDouble()) {
        const double d = json.toDouble();
        ok = std::isfinite(d) && std::trunc(d) == d && d >= 0 && d <= double(std::numeric_limits<int>::max());
        count.value = ok ? int(d) : 0;
    } else if (json.isString() && json.toString().endsWith(u'%')) {
        const QString digits = json.toString().chopped(1);
        // Digits only: toInt() would take " 25" and "+25" as well.
        ok = !digits.isEmpty() && digits.size() <= 3 && std::all_of(digits.begin(), digits.end(), [](QChar c) { return c.isDigit(); });
        count.value = ok ? digits.toInt() : 0;
        count.percent = true;
        ok = ok && count.value <= 100;
    }
    if (!ok) {
        if (error)
            *error = QStringLiteral("expected an integer >= 0 or a percentage of the group's instances such as \"25%\"");
        return std::nullopt;
    }
    return count;
}

std::optional<SpawnSpec> SpawnSpec::fromJson(const QJsonObject &json, QString *error)
{
    Reader reader(json);
    SpawnSpec result;
    SpawnSpecPrivate &spec = *result.d;

    for (auto it = json.constBegin(); it != json.constEnd(); ++it) {
        if (!knownKeys().contains(it.key()))
            reader.fail(it.key(), QStringLiteral("unknown field"));
    }

    if (reader.ok()) {
        const QJsonValue file = json.value(QStringLiteral("file"));
        if (file.isUndefined() || file.isNull() || (file.isString() && file.toString().isEmpty()))
            reader.fail(QStringLiteral("file"), QStringLiteral("required"));
        else
            reader.readString(QStringLiteral("file"), &spec.file);
    }

    reader.readString(QStringLiteral("command"), &spec.command);
    // The command is exec'd as one program; "node --inspect" would be looked
    // up as a file of that name, so say so instead of failing obscurely later.
    if (reader.ok() && std::any_of(spec.command.begin(), spec.command.end(), [](QChar c) { return c.isSpace(); })) {
        reader.fail(QStringLiteral("command"),
                    QStringLiteral("must be a single program without spaces; pass its options in args"));
    }

    readCpu(reader, spec);
    reader.readBool(QStringLiteral("respawn"), &spec.respawn);

    if (reader.ok() && reader.has(QStringLiteral("args"))) {
        const QJsonValue args = json.value(QStringLiteral("args"));
        if (!args.isObject())
            reader.fail(QStringLiteral("args"), QStringLiteral("expected an object of option: value"));
        else
            spec.args = args.toObject();
    }

    if (reader.ok() && reader.has(QStringLiteral("instances"))) {
        if (const auto n = reader.readInteger(QStringLiteral("instances"), json.value(QStringLiteral("instances")),
                                              1, QStringLiteral("must be an integer >= 1")))
            spec.instances = int(*n);
    }

    readEnv(reader, spec);
    reader.readString(QStringLiteral("workingDirectory"), &spec.workingDirectory);
    reader.readBool(QStringLiteral("register"), &spec.registers);
    reader.readString(QStringLiteral("group"), &spec.group);
    readRestartPolicy(reader, spec);

    if (reader.ok() && reader.has(QStringLiteral("killTimeoutMs"))) {
        if (const auto n = reader.readInteger(QStringLiteral("killTimeoutMs"), json.value(QStringLiteral("killTimeoutMs")),
                                              0, QStringLiteral("must be an integer >= 0")))
            spec.killTimeout = std::chrono::milliseconds(*n);
    }
    readInstanceCount(reader, QStringLiteral("maxUnavailable"), &spec.maxUnavailable);
    readInstanceCount(reader, QStringLiteral("maxSurge"), &spec.maxSurge);
    readSockets(reader, spec);

    if (!reader.ok()) {
        if (error)
            *error = reader.error();
        return std::nullopt;
    }
    if (error)
        error->clear();
    return result;
}

QJsonObject SpawnSpec::toJson() const
{
    const SpawnSpecPrivate defaults;
    const SpawnSpecPrivate &spec = *d;
    QJsonObject json;
    json.insert(QStringLiteral("file"), spec.file);
    if (!spec.command.isEmpty())
        json.insert(QStringLiteral("command"), spec.command);
    if (!spec.cpu.isEmpty()) {
        // A single id goes out as a number, the way clustr-node spawn lists write it.
        bool isNumber = false;
        const int id = spec.cpu.toInt(&isNumber);
        json.insert(QStringLiteral("cpu"), isNumber ? QJsonValue(id) : QJsonValue(spec.cpu));
    }
    if (spec.respawn != defaults.respawn)
        json.insert(QStringLiteral("respawn"), spec.respawn);
    if (!spec.args.isEmpty())
        json.insert(QStringLiteral("args"), spec.args);
    if (spec.instances != defaults.instances)
        json.insert(QStringLiteral("instances"), spec.instances);
    if (!spec.env.isEmpty()) {
        QJsonObject envJson;
        for (auto it = spec.env.constBegin(); it != spec.env.constEnd(); ++it)
            envJson.insert(it.key(), it.value());
        json.insert(QStringLiteral("env"), envJson);
    }
    if (!spec.workingDirectory.isEmpty())
        json.insert(QStringLiteral("workingDirectory"), spec.workingDirectory);
    if (spec.registers != defaults.registers)
        json.insert(QStringLiteral("register"), spec.registers);
    if (!spec.group.isEmpty())
        json.insert(QStringLiteral("group"), spec.group);
    if (!spec.sockets.isEmpty())
        json.insert(QStringLiteral("sockets"), QJsonArray::fromStringList(spec.sockets));
    if (spec.restartPolicy) {
        json.insert(QStringLiteral("restartPolicy"), QJsonObject{
            {QStringLiteral("maxRestarts"), spec.restartPolicy->maxRestarts},
            {QStringLiteral("windowMs"), qint64(spec.restartPolicy->window.count())},
            {QStringLiteral("initialBackoffMs"), qint64(spec.restartPolicy->initialBackoff.count())},
            {QStringLiteral("maxBackoffMs"), qint64(spec.restartPolicy->maxBackoff.count())},
            {QStringLiteral("resetAfterMs"), qint64(spec.restartPolicy->resetAfter.count())},
        });
    }
    if (spec.killTimeout)
        json.insert(QStringLiteral("killTimeoutMs"), qint64(spec.killTimeout->count()));
    if (spec.maxUnavailable)
        json.insert(QStringLiteral("maxUnavailable"), spec.maxUnavailable->toJson());
    if (spec.maxSurge)
        json.insert(QStringLiteral("maxSurge"), spec.maxSurge->toJson());
    return json;
}

bool SpawnSpec::check(const QString &baseDirectory, QString *error) const
{
    const ChildCommand command = ChildCommand::build(*this, baseDirectory, 1, {});
    if (error)
        *error = command.error;
    return command.isValid();
}

SpawnSpec::SpawnSpec() : d(new SpawnSpecPrivate) {}
SpawnSpec::SpawnSpec(const SpawnSpec &other) = default;
SpawnSpec::SpawnSpec(SpawnSpec &&other) noexcept = default;
SpawnSpec &SpawnSpec::operator=(const SpawnSpec &other) = default;
SpawnSpec &SpawnSpec::operator=(SpawnSpec &&other) noexcept = default;
SpawnSpec::~SpawnSpec() = default;

QString SpawnSpec::file() const { return d->file; }
void SpawnSpec::setFile(const QString &file) { d->file = file; }
QString SpawnSpec::command() const { return d->command; }
void SpawnSpec::setCommand(const QString &command) { d->command = command; }
QString SpawnSpec::cpu() const { return d->cpu; }
void SpawnSpec::setCpu(const QString &cpu) { d->cpu = cpu; }
bool SpawnSpec::respawn() const { return d->respawn; }
void SpawnSpec::setRespawn(bool respawn) { d->respawn = respawn; }
QJsonObject SpawnSpec::args() const { return d->args; }
void SpawnSpec::setArgs(const QJsonObject &args) { d->args = args; }
int SpawnSpec::instances() const { return d->instances; }
void SpawnSpec::setInstances(int instances) { d->instances = instances; }
QMap<QString, QString> SpawnSpec::env() const { return d->env; }
void SpawnSpec::setEnv(const QMap<QString, QString> &env) { d->env = env; }
QString SpawnSpec::workingDirectory() const { return d->workingDirectory; }
void SpawnSpec::setWorkingDirectory(const QString &workingDirectory) { d->workingDirectory = workingDirectory; }
bool SpawnSpec::registers() const { return d->registers; }
void SpawnSpec::setRegisters(bool registers) { d->registers = registers; }
QString SpawnSpec::group() const { return d->group; }
void SpawnSpec::setGroup(const QString &group) { d->group = group; }
std::optional<RestartPolicy> SpawnSpec::restartPolicy() const { return d->restartPolicy; }
void SpawnSpec::setRestartPolicy(const std::optional<RestartPolicy> &restartPolicy) { d->restartPolicy = restartPolicy; }
std::optional<std::chrono::milliseconds> SpawnSpec::killTimeout() const { return d->killTimeout; }
void SpawnSpec::setKillTimeout(const std::optional<std::chrono::milliseconds> &killTimeout) { d->killTimeout = killTimeout; }
std::optional<InstanceCount> SpawnSpec::maxUnavailable() const { return d->maxUnavailable; }
void SpawnSpec::setMaxUnavailable(const std::optional<InstanceCount> &maxUnavailable) { d->maxUnavailable = maxUnavailable; }
std::optional<InstanceCount> SpawnSpec::maxSurge() const { return d->maxSurge; }
void SpawnSpec::setMaxSurge(const std::optional<InstanceCount> &maxSurge) { d->maxSurge = maxSurge; }
QStringList SpawnSpec::sockets() const { return d->sockets; }
void SpawnSpec::setSockets(const QStringList &sockets) { d->sockets = sockets; }

bool isValidSocketName(const QString &name)
{
    // What LISTEN_FDNAMES can carry: no ':' (its separator), nothing a shell or a log would mangle.
    return !name.isEmpty() && name.size() <= 255 && std::all_of(name.cbegin(), name.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-' || c == u'_' || c == u'.';
    });
}

bool SpawnSpec::operator==(const SpawnSpec &other) const
{
    return d == other.d || (d->file == other.d->file
        && d->command == other.d->command
        && d->cpu == other.d->cpu
        && d->respawn == other.d->respawn
        && d->args == other.d->args
        && d->instances == other.d->instances
        && d->env == other.d->env
        && d->workingDirectory == other.d->workingDirectory
        && d->registers == other.d->registers
        && d->group == other.d->group
        && d->restartPolicy == other.d->restartPolicy
        && d->killTimeout == other.d->killTimeout
        && d->maxUnavailable == other.d->maxUnavailable
        && d->maxSurge == other.d->maxSurge
        && d->sockets == other.d->sockets);
}

} // namespace Clustr
