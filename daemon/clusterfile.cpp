// SPDX-License-Identifier: MIT
#include "clusterfile.h"

#include "jsonsyntax.h"
#include "logfiles.h"
#include "nearestword.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSet>
#include <QtNetwork/QHostAddress>

#include <algorithm>
#include <cmath>

namespace {

const QSet<QString> TopLevelKeys{
    QStringLiteral("name"), QStringLiteral("host"), QStringLiteral("multiHost"), QStringLiteral("redis"), QStringLiteral("reloadDelay"), QStringLiteral("reloadTimeout"),
    QStringLiteral("reloadStrategy"), QStringLiteral("killTimeout"), QStringLiteral("heartbeatTimeout"),
    QStringLiteral("restartPolicy"), QStringLiteral("logs"), QStringLiteral("metrics"), QStringLiteral("workers"),
    QStringLiteral("embeddedRedis"), QStringLiteral("$schema"), QStringLiteral("description"), QStringLiteral("strict"),
    QStringLiteral("sockets"),
};
const QSet<QString> SocketKeys{QStringLiteral("listen"), QStringLiteral("path"), QStringLiteral("backlog")};
const QSet<QString> LogKeys{QStringLiteral("directory"), QStringLiteral("maxSize"), QStringLiteral("keep"),
                            QStringLiteral("prefix"), QStringLiteral("recentLines")};
const QSet<QString> EmbeddedRedisKeys{QStringLiteral("listen")};
const QSet<QString> WorkerKeys{
    QStringLiteral("file"), QStringLiteral("command"), QStringLiteral("cpu"), QStringLiteral("respawn"),
    QStringLiteral("args"), QStringLiteral("instances"), QStringLiteral("env"), QStringLiteral("workingDirectory"),
    QStringLiteral("register"), QStringLiteral("group"), QStringLiteral("restartPolicy"), QStringLiteral("killTimeoutMs"),
    QStringLiteral("maxUnavailable"), QStringLiteral("maxSurge"), QStringLiteral("sockets"),
};

// Reads errors and warnings with the file name and field in front.
class Checker
{
public:
    Checker(const QString &file, QStringList *errors, QStringList *warnings)
        : m_file(QFileInfo(file).fileName()), m_errors(errors), m_warnings(warnings) {}

    void error(const QString &field, const QString &text)
    {
        m_failed = true;
        if (m_errors)
            m_errors->append(QStringLiteral("%1: %2%3").arg(m_file, field.isEmpty() ? QString() : field + QStringLiteral(": "), text));
    }
    // Where a text editor finds it: FILE:LINE:COLUMN: TEXT.
    void syntaxError(const JsonSyntaxError &syntax)
    {
        m_failed = true;
        if (m_errors)
            m_errors->append(QStringLiteral("%1:%2:%3: %4").arg(m_file).arg(syntax.line).arg(syntax.column).arg(syntax.text));
    }
    void warning(const QString &field, const QString &text)
    {
        if (m_warnings)
            m_warnings->append(QStringLiteral("%1: %2: %3").arg(m_file, field, text));
    }
    //! Unknown keys are errors from now on ("strict": true, check --strict).
    void setStrict(bool strict) { m_strict = strict; }
    // A misspelt key would silently leave its setting at the default: say
    // which key was probably meant.
    void unknownKeys(const QJsonObject &object, const QSet<QString> &known, const QString &where)
    {
        QStringList candidates(known.cbegin(), known.cend());
        candidates.sort();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (known.contains(it.key()))
                continue;
            const QString field = where.isEmpty() ? it.key() : where + QLatin1Char('.') + it.key();
            const QString nearest = Cli::nearestWord(it.key(), candidates);
            const QString hint = nearest.isEmpty() ? QString() : QStringLiteral("; did you mean \"%1\"?").arg(nearest);
            if (m_strict)
                error(field, QStringLiteral("unknown key (strict)") + hint);
            else
                warning(field, QStringLiteral("unknown key, ignored") + hint);
        }
    }
    // A duration in milliseconds: a non-negative integer.
    void milliseconds(const QJsonObject &object, const QString &key, std::chrono::milliseconds *target, const QString &where = QString())
    {
        if (!object.contains(key))
            return;
        const QJsonValue value = object.value(key);
        const double number = value.toDouble(-1);
        if (!value.isDouble() || number < 0 || std::floor(number) != number || number > 86400000.0 * 365) {
            error(where + key, QStringLiteral("expected a duration in milliseconds (an integer >= 0), e.g. 500"));
            return;
        }
        *target = std::chrono::milliseconds(qint64(number));
    }
    bool failed() const { return m_failed; }

private:
    QString m_file;
    QStringList *m_errors;
    QStringList *m_warnings;
    bool m_failed = false;
    bool m_strict = false;
};

// The group a worker's output is filed under: the entry's, else the file's name.
QString groupOf(const Clustr::SpawnSpec &spec)
{
    return spec.group().isEmpty() ? QFileInfo(spec.file()).completeBaseName() : spec.group();
}

QString resolve(const QString &baseDirectory, const QString &path)
{
    if (path.isEmpty() || QDir::isAbsolutePath(path))
        return path;
    return QDir::cleanPath(QDir(baseDirectory).filePath(path));
}

} // namespace

std::optional<ClusterFile> ClusterFile::load(const QString &path, QStringList *errors, QStringList *warnings, bool strict)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (errors)
            errors->append(QStringLiteral("%1: cannot read the cluster file: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    return parse(file.readAll(), path, errors, warnings, strict);
}

namespace {

// The cluster-wide settings: name, Redis, timings, reload strategy, restart policy.
void readSettings(const QJsonObject &root, Checker &check, ClusterFile &config)
{
    if (root.contains(QStringLiteral("name"))) {
        config.name = root.value(QStringLiteral("name")).toString();
        if (!root.value(QStringLiteral("name")).isString() || !Clustr::isValidName(config.name) || config.name.contains(QLatin1Char(':')))
            check.error(QStringLiteral("name"), QStringLiteral("expected a name without spaces or ':', e.g. \"shop\" (it becomes the channel namespace)"));
    }
    if (root.contains(QStringLiteral("host"))) {
        config.host = root.value(QStringLiteral("host")).toString();
        if (!root.value(QStringLiteral("host")).isString() || !Clustr::isValidHostName(config.host))
            check.error(QStringLiteral("host"), QStringLiteral("expected a host name of letters, digits, '.', '-' and '_', e.g. \"web-01\""));
        config.multiHost = true;
    }
    if (root.contains(QStringLiteral("multiHost"))) {
        const QJsonValue value = root.value(QStringLiteral("multiHost"));
        if (!value.isBool())
            check.error(QStringLiteral("multiHost"), QStringLiteral("expected true or false"));
        config.multiHost = config.multiHost || value.toBool();
    }
    if (config.multiHost && config.name.isEmpty())
        check.error(root.contains(QStringLiteral("host")) ? QStringLiteral("host") : QStringLiteral("multiHost"),
                    QStringLiteral("a cluster across hosts needs a \"name\" (an unnamed cluster speaks clustr-node's protocol, which has no hosts)"));
    if (root.contains(QStringLiteral("redis"))) {
        config.redis = root.value(QStringLiteral("redis")).toString();
        QString error;
        if (!root.value(QStringLiteral("redis")).isString() || !Clustr::RedisClient::isValidUrl(config.redis, &error))
            check.error(QStringLiteral("redis"), error.isEmpty() ? QStringLiteral("expected a URL like \"redis://127.0.0.1:6379\"") : error);
    }
    check.milliseconds(root, QStringLiteral("reloadDelay"), &config.reloadDelay);
    check.milliseconds(root, QStringLiteral("reloadTimeout"), &config.reloadTimeout);
    check.milliseconds(root, QStringLiteral("killTimeout"), &config.killTimeout);
    check.milliseconds(root, QStringLiteral("heartbeatTimeout"), &config.heartbeatTimeout);
    if (root.contains(QStringLiteral("reloadStrategy"))) {
        const QString strategy = root.value(QStringLiteral("reloadStrategy")).toString();
        if (strategy == QLatin1String("restart"))
            config.reloadStrategy = Clustr::ProcessOptions::ReloadStrategy::Restart;
        else if (strategy == QLatin1String("surge"))
            config.reloadStrategy = Clustr::ProcessOptions::ReloadStrategy::Surge;
        else
            check.error(QStringLiteral("reloadStrategy"), QStringLiteral("expected \"restart\" or \"surge\""));
    }
    if (root.contains(QStringLiteral("restartPolicy"))) {
        // SpawnSpec knows how to read a policy; borrow it with a dummy entry.
        QString error;
        const auto probe = Clustr::SpawnSpec::fromJson({{QStringLiteral("file"), QStringLiteral("x")},
                                                        {QStringLiteral("restartPolicy"), root.value(QStringLiteral("restartPolicy"))}}, &error);
        if (!probe)
            check.error(QString(), error);
        else if (probe->restartPolicy())
            config.restartPolicy = *probe->restartPolicy();
    }
}

// "logs": per-worker log files, their rotation, and the output prefix.
void readLogs(const QJsonObject &root, const QString &base, Checker &check, ClusterFile &config)
{
    if (!root.contains(QStringLiteral("logs")))
        return;
    const QJsonValue logsValue = root.value(QStringLiteral("logs"));
    if (!logsValue.isObject()) {
        check.error(QStringLiteral("logs"), QStringLiteral("expected an object like {\"directory\": \"logs\"}"));
    } else {
        const QJsonObject logs = logsValue.toObject();
        check.unknownKeys(logs, LogKeys, QStringLiteral("logs"));
        if (logs.contains(QStringLiteral("directory"))) {
            if (!logs.value(QStringLiteral("directory")).isString() || logs.value(QStringLiteral("directory")).toString().isEmpty())
                check.error(QStringLiteral("logs.directory"), QStringLiteral("expected a directory path"));
            config.logDirectory = resolve(base, logs.value(QStringLiteral("directory")).toString());
        }
        if (logs.contains(QStringLiteral("maxSize"))) {
            const double size = logs.value(QStringLiteral("maxSize")).toDouble(-1);
            if (size < 1024 || std::floor(size) != size)
                check.error(QStringLiteral("logs.maxSize"), QStringLiteral("expected a size in bytes of at least 1024"));
            else
                config.logMaxBytes = qint64(size);
        }
        if (logs.contains(QStringLiteral("keep"))) {
            const double keep = logs.value(QStringLiteral("keep")).toDouble(-1);
            if (keep < 0 || keep > 1000 || std::floor(keep) != keep)
                check.error(QStringLiteral("logs.keep"), QStringLiteral("expected how many rotated files to keep, 0..1000"));
            else
                config.logKeep = int(keep);
        }
        if (logs.contains(QStringLiteral("recentLines"))) {
            const double lines = logs.value(QStringLiteral("recentLines")).toDouble(-1);
            if (lines < 0 || lines > 10000 || std::floor(lines) != lines)
                check.error(QStringLiteral("logs.recentLines"), QStringLiteral("expected how many recent output lines Redis keeps, 0..10000"));
            else
                config.logRecentLines = int(lines);
        }
        if (logs.contains(QStringLiteral("prefix"))) {
            if (!logs.value(QStringLiteral("prefix")).isString())
                check.error(QStringLiteral("logs.prefix"), QStringLiteral("expected a string such as \"[%group% %pid%] \""));
            config.outputPrefix = logs.value(QStringLiteral("prefix")).toString();
        }
    }
}

// "HOST:PORT" ("[::1]:8080" for IPv6, "localhost" for 127.0.0.1): the address
// and the port, or nothing if either is not one.
std::optional<std::pair<QHostAddress, int>> hostAndPort(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return std::nullopt;
    bool portOk = false;
    const int port = text.mid(colon + 1).toInt(&portOk);
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address(host == QLatin1String("localhost") ? QStringLiteral("127.0.0.1") : host);
    if (!portOk || port < 1 || port > 65535 || address.isNull())
        return std::nullopt;
    return std::pair{address, port};
}

// "embeddedRedis": where the private redis-server also listens on TCP, for
// workers that cannot be told its unix socket (unchanged clustr-node ones).
void readEmbeddedRedis(const QJsonObject &root, Checker &check, ClusterFile &config)
{
    if (!root.contains(QStringLiteral("embeddedRedis")))
        return;
    const QJsonValue value = root.value(QStringLiteral("embeddedRedis"));
    if (!value.isObject()) {
        check.error(QStringLiteral("embeddedRedis"), QStringLiteral("expected an object like {\"listen\": \"127.0.0.1:6379\"}"));
        return;
    }
    const QJsonObject object = value.toObject();
    check.unknownKeys(object, EmbeddedRedisKeys, QStringLiteral("embeddedRedis"));
    if (!object.contains(QStringLiteral("listen")))
        return;
    const auto listen = hostAndPort(object.value(QStringLiteral("listen")).toString());
    // The default user logs in without a password there: loopback only.
    if (!listen || !listen->first.isLoopback() || listen->first.protocol() != QAbstractSocket::IPv4Protocol) {
        check.error(QStringLiteral("embeddedRedis.listen"),
                    QStringLiteral("expected a loopback IPv4 address and port, e.g. \"127.0.0.1:6379\" (it is reachable without a password)"));
        return;
    }
    config.embeddedListenHost = listen->first.toString();
    config.embeddedListenPort = listen->second;
}

// "sockets": {"http": {"listen": "0.0.0.0:8080", "backlog": 1024}, "admin": {"path": "admin.sock"}}
void readSockets(const QJsonObject &root, const QString &base, Checker &check, ClusterFile &config)
{
    if (!root.contains(QStringLiteral("sockets")))
        return;
    const QJsonValue value = root.value(QStringLiteral("sockets"));
    if (!value.isObject()) {
        check.error(QStringLiteral("sockets"), QStringLiteral("expected an object of NAME: {\"listen\": \"HOST:PORT\"} or {\"path\": \"FILE\"}"));
        return;
    }
    const QJsonObject sockets = value.toObject();
    for (auto it = sockets.begin(); it != sockets.end(); ++it) {
        const QString where = QStringLiteral("sockets.") + it.key();
        if (!Clustr::isValidSocketName(it.key())) {
            check.error(where, QStringLiteral("a socket's name is 1 to 255 letters, digits, '-', '_' and '.'"));
            continue;
        }
        const QJsonObject entry = it.value().toObject();
        if (!it.value().isObject() || entry.contains(QStringLiteral("listen")) == entry.contains(QStringLiteral("path"))) {
            check.error(where, QStringLiteral("expected {\"listen\": \"HOST:PORT\"} or {\"path\": \"FILE\"}, one of the two"));
            continue;
        }
        check.unknownKeys(entry, SocketKeys, where);
        ClusterFile::Socket socket;
        socket.name = it.key();
        if (entry.contains(QStringLiteral("listen"))) {
            const auto listen = hostAndPort(entry.value(QStringLiteral("listen")).toString());
            if (!listen) {
                check.error(where + QStringLiteral(".listen"), QStringLiteral("expected an IP address and a port, e.g. \"0.0.0.0:8080\" or \"[::1]:8080\""));
                continue;
            }
            socket.host = listen->first.toString();
            socket.port = listen->second;
        } else {
            const QString path = entry.value(QStringLiteral("path")).toString();
            socket.path = path.isEmpty() ? QString() : resolve(base, path);
            // sockaddr_un's sun_path holds 108 bytes, the terminating zero included.
            if (socket.path.isEmpty() || socket.path.toLocal8Bit().size() > 107) {
                check.error(where + QStringLiteral(".path"), QStringLiteral("expected the path of a unix socket, up to 107 bytes"));
                continue;
            }
        }
        if (entry.contains(QStringLiteral("backlog"))) {
            const double backlog = entry.value(QStringLiteral("backlog")).toDouble(-1);
            if (backlog < 1 || backlog > 65535 || std::floor(backlog) != backlog) {
                check.error(where + QStringLiteral(".backlog"), QStringLiteral("expected an integer from 1 to 65535"));
                continue;
            }
            socket.backlog = int(backlog);
        }
        // Said here: the second bind would otherwise blame "another process".
        const auto same = std::find_if(config.sockets.cbegin(), config.sockets.cend(), [&socket](const ClusterFile::Socket &other) {
            return other.host == socket.host && other.port == socket.port && other.path == socket.path;
        });
        if (same != config.sockets.cend()) {
            check.error(where, QStringLiteral("the same address as sockets.%1").arg(same->name));
            continue;
        }
        config.sockets.append(socket);
    }
}

// A worker may only name a socket the file declares.
void checkSocketNames(Checker &check, const ClusterFile &config)
{
    QStringList declared;
    for (const ClusterFile::Socket &socket : config.sockets)
        declared.append(socket.name);
    for (int i = 0; i < config.workers.size(); ++i) {
        for (const QString &name : config.workers.at(i).sockets()) {
            if (!declared.contains(name))
                check.error(QStringLiteral("workers[%1].sockets").arg(i),
                            QStringLiteral("no socket named \"%1\" in \"sockets\" (%2)")
                                .arg(name, declared.isEmpty() ? QStringLiteral("it declares none") : QStringLiteral("it declares ") + declared.join(QStringLiteral(", "))));
        }
    }
}

// clustr-node workers connect to 127.0.0.1:6379 and use channels without a
// namespace, whatever the cluster file says: say so before they crash in a loop.
void warnAboutOriginalWorkers(Checker &check, const ClusterFile &config)
{
    for (int i = 0; i < config.workers.size(); ++i) {
        const Clustr::SpawnSpec &spec = config.workers.at(i);
        const QString program = QFileInfo(spec.command().isEmpty() ? spec.file() : spec.command()).fileName();
        if (program != QLatin1String("node") && program != QLatin1String("coffee") && program != QLatin1String("nodejs"))
            continue;
        const QString where = QStringLiteral("workers[%1]").arg(i);
        if (config.redis.isEmpty() && config.embeddedListenPort != 6379)
            check.warning(where, QStringLiteral("runs %1: an unchanged clustr-node worker connects to 127.0.0.1:6379 only; unless a Redis answers "
                                                "there, give the cluster file \"embeddedRedis\": {\"listen\": \"127.0.0.1:6379\"} "
                                                "(docs/CLUSTER-FILE.md, running clustr-node workers unchanged)").arg(program));
        if (!config.name.isEmpty())
            check.warning(where, QStringLiteral("runs %1: an unchanged clustr-node worker uses channels without a namespace and will not "
                                                "hear a cluster with a \"name\"").arg(program));
    }
}

// \a problem of an entry ("FIELD: TEXT", as SpawnSpec words it) under the entry's name.
void fieldError(Checker &check, const QString &where, const QString &problem)
{
    check.error(where + QLatin1Char('.') + problem.section(QStringLiteral(": "), 0, 0), problem.section(QStringLiteral(": "), 1));
}

// SpawnSpec::fromJson() stops at an entry's first problem; each field read
// on its own (beside a stand-in "file") finds them all.
void reportEveryField(const QJsonObject &entry, const QString &where, Checker &check)
{
    const QString fileKey = QStringLiteral("file");
    QJsonObject fileOnly;
    if (entry.contains(fileKey))
        fileOnly.insert(fileKey, entry.value(fileKey));
    QString problem;
    if (!Clustr::SpawnSpec::fromJson(fileOnly, &problem))
        fieldError(check, where, problem);
    for (auto it = entry.begin(); it != entry.end(); ++it) {
        if (it.key() == fileKey)
            continue;
        if (!Clustr::SpawnSpec::fromJson({{fileKey, QStringLiteral("x")}, {it.key(), it.value()}}, &problem))
            fieldError(check, where, problem);
    }
}

// A group that may neither kill one of its workers nor start one beside
// them during a reload could never be replaced. Each limit left out is the
// reload strategy's; a percentage counts as written ("0%" is 0).
void checkRollout(const Clustr::SpawnSpec &spec, Clustr::ProcessOptions::ReloadStrategy strategy, const QString &where, Checker &check)
{
    if (!spec.maxUnavailable() && !spec.maxSurge())
        return;
    const bool surge = strategy == Clustr::ProcessOptions::ReloadStrategy::Surge;
    const int unavailable = spec.maxUnavailable() ? spec.maxUnavailable()->value : (surge ? 0 : 1);
    const int extra = spec.maxSurge() ? spec.maxSurge()->value : (surge ? 1 : 0);
    if (unavailable != 0 || extra != 0)
        return;
    const QString strategyName = surge ? QStringLiteral("surge") : QStringLiteral("restart");
    const QString which = !spec.maxSurge()      ? QStringLiteral(" (maxSurge is 0 with reloadStrategy \"%1\")").arg(strategyName)
                          : !spec.maxUnavailable() ? QStringLiteral(" (maxUnavailable is 0 with reloadStrategy \"%1\")").arg(strategyName)
                                                   : QString();
    check.error(where + (spec.maxUnavailable() ? QStringLiteral(".maxUnavailable") : QStringLiteral(".maxSurge")),
                QStringLiteral("maxUnavailable and maxSurge are both 0%1: no worker of the group could be replaced; "
                               "set one of them to at least 1").arg(which));
}

// One entry of "workers": a spawn entry, with paths relative to the cluster
// file and everything that can be known before starting checked.
std::optional<Clustr::SpawnSpec> readWorker(const QJsonValue &value, const QString &where, const QString &base,
                                            Clustr::ProcessOptions::ReloadStrategy strategy, Checker &check)
{
    if (!value.isObject()) {
        check.error(where, QStringLiteral("expected an object with at least a \"file\""));
        return std::nullopt;
    }
    QJsonObject entry = value.toObject();
    check.unknownKeys(entry, WorkerKeys, where);
    for (auto it = entry.begin(); it != entry.end();) {
        it = WorkerKeys.contains(it.key()) ? it + 1 : entry.erase(it);
    }
    // Paths are relative to the cluster file, not to this program.
    if (entry.value(QStringLiteral("file")).isString())
        entry.insert(QStringLiteral("file"), resolve(base, entry.value(QStringLiteral("file")).toString()));
    if (entry.value(QStringLiteral("workingDirectory")).isString())
        entry.insert(QStringLiteral("workingDirectory"), resolve(base, entry.value(QStringLiteral("workingDirectory")).toString()));
    auto spec = Clustr::SpawnSpec::fromJson(entry);
    if (!spec) {
        reportEveryField(entry, where, check);
        return std::nullopt;
    }
    if (!spec->group().isEmpty() && !Clustr::isValidName(spec->group()))
        check.error(where + QStringLiteral(".group"), QStringLiteral("expected a name without spaces"));
    checkRollout(*spec, strategy, where, check);
    // The group names the worker's log file (<group>-<n>.log in logs.directory,
    // or --log-dir): it must not lead out of that directory or hide the file.
    if (const QString problem = LogFiles::groupProblem(groupOf(*spec)); !problem.isEmpty()) {
        if (!spec->group().isEmpty())
            check.error(where + QStringLiteral(".group"), QStringLiteral("\"%1\" %2 (it names the worker's log file)").arg(spec->group(), problem));
        else
            check.error(where + QStringLiteral(".file"), QStringLiteral("the group taken from the file's name, \"%1\", %2 (it names the worker's log file): give the entry a \"group\"")
                                                           .arg(groupOf(*spec), problem));
    }
    // Everything that can be known before starting: the file, the
    // command, taskset, the CPUs of this machine.
    if (QString problem; !spec->check(base, &problem)) {
        fieldError(check, where, problem);
        // check() stops at the file or command: the CPUs on their own, with a program that is there.
        Clustr::SpawnSpec cpusOnly = *spec;
        cpusOnly.setFile(QCoreApplication::applicationFilePath());
        cpusOnly.setCommand(QString());
        if (QString cpuProblem; !problem.startsWith(QLatin1String("cpu:")) && !cpusOnly.check(base, &cpuProblem))
            fieldError(check, where, cpuProblem);
        return std::nullopt;
    }
    return spec;
}

} // namespace

std::optional<ClusterFile> ClusterFile::parse(const QByteArray &json, const QString &path, QStringList *errors,
                                              QStringList *warnings, bool strict)
{
    Checker check(path, errors, warnings);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        check.syntaxError(JsonSyntaxError::describe(json, parseError));
        return std::nullopt;
    }
    if (!document.isObject()) {
        check.error(QString(), QStringLiteral("expected a JSON object with a \"workers\" array"));
        return std::nullopt;
    }
    const QJsonObject root = document.object();
    if (root.contains(QStringLiteral("strict")) && !root.value(QStringLiteral("strict")).isBool())
        check.error(QStringLiteral("strict"), QStringLiteral("expected true or false"));
    check.setStrict(strict || root.value(QStringLiteral("strict")).toBool());
    check.unknownKeys(root, TopLevelKeys, QString());

    ClusterFile config;
    config.path = path;
    const QString base = QFileInfo(path).absolutePath();

    readSettings(root, check, config);
    readLogs(root, base, check, config);
    readEmbeddedRedis(root, check, config);
    readSockets(root, base, check, config);
    if (root.contains(QStringLiteral("metrics"))) {
        config.metrics = root.value(QStringLiteral("metrics")).toString();
        if (!root.value(QStringLiteral("metrics")).isString() || config.metrics.isEmpty())
            check.error(QStringLiteral("metrics"), QStringLiteral("expected \"HOST:PORT\" or \"PORT\", e.g. \"127.0.0.1:9464\""));
    }

    const QJsonValue workersValue = root.value(QStringLiteral("workers"));
    if (!workersValue.isArray() || workersValue.toArray().isEmpty()) {
        check.error(QStringLiteral("workers"), QStringLiteral("expected a non-empty array of workers, e.g. [{\"file\": \"./worker\"}]"));
        return std::nullopt;
    }
    const QJsonArray workers = workersValue.toArray();
    for (int i = 0; i < workers.size(); ++i) {
        if (auto spec = readWorker(workers.at(i), QStringLiteral("workers[%1]").arg(i), base, config.reloadStrategy, check))
            config.workers.append(*spec);
    }
    warnAboutOriginalWorkers(check, config);
    checkSocketNames(check, config);
    if (check.failed())
        return std::nullopt;
    return config;
}

int ClusterFile::registeringWorkers() const
{
    int count = 0;
    for (const Clustr::SpawnSpec &spec : workers)
        count += spec.registers() ? spec.instances() : 0;
    return count;
}

QStringList ClusterFile::groups() const
{
    QStringList list;
    for (const Clustr::SpawnSpec &spec : workers) {
        const QString group = groupOf(spec);
        if (!list.contains(group))
            list.append(group);
    }
    return list;
}
