// SPDX-License-Identifier: MIT
#include "runcommand.h"

#include "cli.h"
#include "clusterfile.h"
#include "commandargs.h"
#include "detach.h"
#include "embeddedredis.h"
#include "eventlog.h"
#include "listeningsockets.h"
#include "logfiles.h"
#include "logshipper.h"
#include "metrics.h"
#include "sdnotify.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/clusterlock.h>
#include <ClustrQt/master.h>
#include <ClustrQt/redisclient.h>
#include <ClustrQt/unixsignalwatcher.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QFileInfo>
#include <QtCore/QSysInfo>
#include <QtCore/QTimer>

#include <csignal>
#include <memory>
#include <optional>

namespace RunCommand {

QString takeFile(QStringList &args)
{
    for (int i = 0; i < args.size(); ++i) {
        if (!args.at(i).startsWith(QLatin1String("--")))
            return args.takeAt(i);
    }
    return QString();
}

std::optional<ClusterFile> loadOrReport(const QString &path, bool strict)
{
    QStringList errors;
    QStringList warnings;
    auto config = ClusterFile::load(path, &errors, &warnings, strict);
    for (const QString &warning : std::as_const(warnings))
        Cli::err(QStringLiteral("warning: ") + warning);
    for (const QString &error : std::as_const(errors))
        Cli::err(error);
    return config;
}

namespace {

// Takes the cluster's name lock, or says who holds it. Runs the event loop
// until Redis answered (the lock's commands time out): nothing else runs yet.
int takeLock(Clustr::ClusterLock &lock, const QString &displayName, const QString &shownUrl, const QString &name,
             const QString &ownHost)
{
    QEventLoop loop;
    int result = Cli::Ok;
    QObject::connect(&lock, &Clustr::ClusterLock::acquired, &loop, [&loop] { loop.exit(); });
    // A master of this host that was killed (SIGKILL, a crash) left its lock
    // behind: no need to wait until it expires.
    QObject::connect(&lock, &Clustr::ClusterLock::takenOver, &loop, [&](qint64 pid, const QString &host) {
        EventLog::line(QStringLiteral("cluster \"%1\" was locked by master pid %2 on %3, which is gone: lock taken over")
                           .arg(displayName).arg(pid).arg(host));
    });
    QObject::connect(&lock, &Clustr::ClusterLock::failed, &loop, [&](const QString &error) {
        Cli::err(QStringLiteral("cannot reach Redis at %1: %2").arg(shownUrl, error));
        result = Cli::RedisUnreachable;
        loop.exit();
    });
    QObject::connect(&lock, &Clustr::ClusterLock::refused, &loop, [&](qint64 pid, const QString &host) {
        const QString stopArguments = (name.isEmpty() ? QString() : QStringLiteral(" --cluster ") + name)
            + (ownHost.isEmpty() ? QString() : QStringLiteral(" --host ") + ownHost);
        Cli::err(QStringLiteral("cluster \"%1\"%2 is already running on %3: master pid %4 on host %5 (stop it with: clustr-qt stop%6)")
                     .arg(displayName, ownHost.isEmpty() ? QString() : QStringLiteral(" (host %1)").arg(ownHost), shownUrl,
                          pid > 0 ? QString::number(pid) : QStringLiteral("?"), host.isEmpty() ? QStringLiteral("?") : host, stopArguments));
        result = Cli::AlreadyRunning;
        loop.exit();
    });
    lock.acquire();
    loop.exec();
    QObject::disconnect(&lock, nullptr, &loop, nullptr);
    return result;
}

} // namespace

QString runHelp()
{
    return QStringLiteral(
        "usage: clustr-qt run CLUSTER.json [--redis URL] [--metrics [HOST:]PORT] [--log-dir DIR] [--host NAME]\n"
        "                     [--strict] [--verbose] [--cluster-verbose] [--cluster-OPTION=VALUE...]\n"
        "                     [--detach [--log-file FILE] [--timeout SECONDS]]\n"
        "\n"
        "Runs the master of the cluster described by CLUSTER.json in the foreground and logs\n"
        "one line per event. SIGHUP reloads the workers one by one, SIGTERM and SIGINT stop\n"
        "the cluster gracefully, SIGUSR1 reopens the log files.\n"
        "\n"
        "  --redis URL        Redis to use (else CLUSTR_REDIS, the file's \"redis\", a Redis at\n"
        "                     127.0.0.1:6379 if one answers, else a private embedded redis-server)\n"
        "  --metrics ADDRESS  serve Prometheus metrics at http://ADDRESS/metrics (loopback by default)\n"
        "  --log-dir DIR      one log file per worker in DIR (overrides the file's logs.directory)\n"
        "  --host NAME        this host's name in a cluster across hosts (overrides the file's\n"
        "                     \"host\"; the file's \"multiHost\": true takes the machine's name)\n"
        "  --strict           unknown keys in the cluster file are errors, not warnings\n"
        "  --verbose          log this process' library events; --cluster-verbose: every process'\n"
        "  --detach           run in the background: return once the cluster has started (0), or\n"
        "                     with the error it stopped on; its output goes to --log-file FILE\n"
        "                     (default $XDG_STATE_HOME/clustr-qt/NAME.log, else ~/.local/state/...);\n"
        "                     --timeout: how long to wait for the start (default 60 s, then exit 8)\n"
        "\n"
        "Exit code: the cluster's (15 after SIGTERM, 130 after SIGINT, N after a kill or\n"
        "`clustr-qt stop --code N`); 2 for a bad cluster file, 3 if Redis is unreachable,\n"
        "5 if a cluster of the same name (and host) already runs on that Redis.");
}

QString checkHelp()
{
    return QStringLiteral(
        "usage: clustr-qt check CLUSTER.json [--strict] [--redis URL] [--metrics ADDRESS] [--log-dir DIR] [--host NAME]\n"
        "                       [--detach] [--log-file FILE] [--timeout SECONDS]\n"
        "\n"
        "Validates a cluster file without running anything: JSON syntax, every field, that\n"
        "each worker's file (and command) exists and that its CPUs are available here.\n"
        "Prints every problem of every entry as FILE: FIELD: PROBLEM (a JSON syntax error\n"
        "as FILE:LINE:COLUMN: PROBLEM) and exits 2, or prints a summary and exits 0.\n"
        "An unknown key is a warning that names the nearest known key.\n"
        "\n"
        "  --strict           unknown keys are errors (as with \"strict\": true in the file)\n"
        "  --redis, --metrics, --log-dir, --host, --detach, --log-file, --timeout\n"
        "                     run's options: accepted so that `run` can be swapped for\n"
        "                     `check` in a command line; a --redis URL is checked too");
}

int check(QStringList args)
{
    const QStringList tail = ControlCommands::splitPositionals(args);
    // `run`'s options are accepted, so that `run` can be swapped for `check`
    // in a command line; the Redis URL is checked too.
    bool redisGiven = false;
    const QString redisOption = Cli::takeOption(args, QStringLiteral("redis"), &redisGiven);
    Cli::takeOption(args, QStringLiteral("metrics"));
    Cli::takeOption(args, QStringLiteral("log-dir"));
    bool hostGiven = false;
    const QString hostOption = Cli::takeOption(args, QStringLiteral("host"), &hostGiven);
    Cli::takeFlag(args, QStringLiteral("detach"));
    Cli::takeOption(args, QStringLiteral("log-file"));
    Cli::takeOption(args, QStringLiteral("timeout"));
    const bool strict = Cli::takeFlag(args, QStringLiteral("strict"));
    const auto files = ControlCommands::positionals(QStringLiteral("check"), args, tail);
    if (!files)
        return Cli::Usage;
    if (QString urlError; redisGiven && !Clustr::RedisClient::isValidUrl(redisOption, &urlError)) {
        Cli::err(QStringLiteral("check: ") + urlError);
        return Cli::Usage;
    }
    if (hostGiven && !Clustr::isValidHostName(hostOption)) {
        Cli::err(QStringLiteral("check: --host must be a host name of letters, digits, '.', '-' and '_', not \"%1\"").arg(hostOption));
        return Cli::Usage;
    }
    if (files->isEmpty()) {
        Cli::err(QStringLiteral("check: which cluster file? usage: clustr-qt check CLUSTER.json"));
        return Cli::Usage;
    }
    if (files->size() > 1)
        return ControlCommands::usageError(QStringLiteral("check"), QStringLiteral("check takes one cluster file, got %1: %2")
                                                                     .arg(files->size()).arg(files->join(QLatin1Char(' '))));
    const QString path = files->constFirst();
    const auto config = loadOrReport(path, strict);
    if (!config)
        return Cli::Usage;
    int instances = 0;
    for (const auto &spec : config->workers)
        instances += spec.instances();
    Cli::out(QStringLiteral("%1: OK: %2 workers (%3 cluster-aware) in %4")
                 .arg(path).arg(instances).arg(config->registeringWorkers()).arg(config->groups().join(QStringLiteral(", "))));
    return Cli::Ok;
}

namespace {

// Which Redis: the first that is configured (--redis, CLUSTR_REDIS, the
// file), else one that answers on the default port, else our own, where the
// master logs in as the operator (and its workers as workers, see run()).
// Returns the master's URL, or nothing with the exit code in \a code.
std::optional<QString> chooseRedis(const ClusterFile &config, const QString &displayName, const std::optional<QString> &option,
                                   EmbeddedRedis &embedded, int *code)
{
    QString redisUrl = option ? *option : qEnvironmentVariable("CLUSTR_REDIS");
    if (redisUrl.isEmpty())
        redisUrl = config.redis;
    if (redisUrl.isEmpty()) {
        if (EmbeddedRedis::defaultRedisAnswers()) {
            redisUrl = Clustr::RedisClient::defaultUrl();
        } else {
            // Its embedded Redis is this cluster's only record: starting
            // another on the same socket would cut the running one off from
            // every tool.
            if (const qint64 running = Clustr::ClusterClient::recordedDaemonPid(displayName); running > 0) {
                Cli::err(QStringLiteral("cluster \"%1\" is already running: master pid %2 with its embedded Redis in %3 (stop it with: clustr-qt stop --cluster %1)")
                             .arg(displayName).arg(running).arg(Clustr::ClusterClient::runtimeDirectory()));
                *code = Cli::AlreadyRunning;
                return std::nullopt;
            }
            QString error;
            embedded.setListenAddress(config.embeddedListenHost, config.embeddedListenPort);
            if (!embedded.start(displayName, config.name, &error)) {
                Cli::err(error);
                *code = Cli::RedisUnreachable;
                return std::nullopt;
            }
            redisUrl = embedded.url(Clustr::AccessControl::Role::Operator);
            EventLog::line(QStringLiteral("started an embedded Redis at %1%2 with ACL users (it stops with the cluster)")
                               .arg(embedded.url(), config.embeddedListenPort > 0
                                        ? QStringLiteral(" and %1:%2").arg(config.embeddedListenHost).arg(config.embeddedListenPort)
                                        : QString()));
        }
    }
    QString urlError;
    if (!Clustr::RedisClient::isValidUrl(redisUrl, &urlError)) {
        Cli::err(urlError);
        *code = Cli::Usage;
        return std::nullopt;
    }
    return redisUrl;
}

Clustr::ProcessOptions masterOptions(const ClusterFile &config, const QString &redisUrl, const QString &displayName, LogFiles *logFiles)
{
    Clustr::ProcessOptions options;
    options.setRedisUrl(redisUrl);
    options.setClusterNamespace(config.name);
    options.setClusterHost(config.host);
    options.setClusterName(displayName);
    options.setReloadDelay(config.reloadDelay);
    options.setReloadTimeout(config.reloadTimeout);
    options.setKillTimeout(config.killTimeout);
    options.setHeartbeatTimeout(config.heartbeatTimeout);
    options.setReloadStrategy(config.reloadStrategy);
    options.setRestartPolicy(config.restartPolicy);
    options.setOutputPrefix(config.outputPrefix);
    options.setExitApplication(false); // the event loop ends once the lock is released
    if (logFiles) {
        options.setChildOutput([logFiles](const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr) {
            return logFiles->write(group, instance, pid, line, isStderr);
        });
    }
    return options;
}

// systemd learns of readiness, reloads and the stop (Type=notify).
void notifySystemd(Clustr::Master &master)
{
    QObject::connect(&master, &Clustr::Master::clusterStarted, &master, [](int workers) {
        SdNotify::notify(QStringLiteral("READY=1\nSTATUS=%1").arg(Cli::count(workers, "worker", "workers")).toUtf8());
    });
    QObject::connect(&master, &Clustr::Master::reloadStarted, &master, [](int) {
        SdNotify::notify("RELOADING=1\nSTATUS=reloading");
    });
    QObject::connect(&master, &Clustr::Master::clusterReloaded, &master, [](int workers) {
        SdNotify::notify(QStringLiteral("READY=1\nSTATUS=%1 (reloaded)").arg(Cli::count(workers, "worker", "workers")).toUtf8());
    });
    QObject::connect(&master, &Clustr::Master::stopping, &master, [](int) { SdNotify::notify("STOPPING=1\nSTATUS=stopping"); });
}

// One file per worker when the cluster file asks for it; nothing (and Ok) when not.
std::unique_ptr<LogFiles> openLogFiles(const ClusterFile &config, int *code)
{
    if (config.logDirectory.isEmpty())
        return nullptr;
    auto logFiles = std::make_unique<LogFiles>(config.logDirectory, config.logMaxBytes, config.logKeep);
    QString error;
    if (!logFiles->prepare(&error)) {
        Cli::err(error);
        *code = Cli::Usage;
        return nullptr;
    }
    return logFiles;
}

// `kill -USR1` reopens the log files (for logrotate).
void reopenOnSigusr1(Clustr::UnixSignalWatcher &usr1, LogFiles *logFiles, QObject *context)
{
    if (!logFiles || !usr1.watch(SIGUSR1))
        return;
    QObject::connect(&usr1, &Clustr::UnixSignalWatcher::signalReceived, context, [logFiles] {
        logFiles->reopen();
        EventLog::line(QStringLiteral("log files reopened"));
    });
}

std::unique_ptr<MetricsServer> startMetrics(Clustr::Master *master, const QString &address, int *code)
{
    if (address.isEmpty())
        return nullptr;
    auto metrics = std::make_unique<MetricsServer>(master);
    QString error;
    if (!metrics->listenOn(address, &error)) {
        Cli::err(error);
        *code = Cli::Usage;
        return nullptr;
    }
    EventLog::line(QStringLiteral("metrics at http://%1:%2/metrics").arg(metrics->serverAddress().toString()).arg(metrics->serverPort()));
    return metrics;
}

// The workers' recent lines in Redis for `clustr-qt logs`, besides their log files or our output; none for recentLines 0.
std::unique_ptr<LogShipper> shipLines(const ClusterFile &config, const QString &redisUrl, Clustr::ProcessOptions &options)
{
    if (config.logRecentLines == 0)
        return nullptr;
    auto shipper = std::make_unique<LogShipper>(redisUrl, config.name, config.host, config.logRecentLines);
    if (!shipper->start())
        return nullptr; // the master reports the invalid URL
    options.setChildOutputObserver([shipper = shipper.get()](const QString &group, qint64 pid, const QByteArray &line, bool isStderr) {
        shipper->add(group, pid, line, isStderr);
    });
    return shipper;
}

} // namespace

int run(QStringList args)
{
    // A write past a file-size limit (ulimit -f, systemd's LimitFSIZE=)
    // raises SIGXFSZ, whose default action would end the master and with it
    // every worker. Ignored, the write fails with EFBIG instead, and a log
    // line is dropped and counted as on a full disk. Children get the
    // default back (ChildProcess resets every signal for them).
    std::signal(SIGXFSZ, SIG_IGN);
    SdNotify::takeSocket();
    const bool detach = Cli::takeFlag(args, QStringLiteral("detach"));
    bool logFileGiven = false;
    const QString logFileOption = Cli::takeOption(args, QStringLiteral("log-file"), &logFileGiven);
    bool timeoutGiven = false;
    const QString timeoutOption = Cli::takeOption(args, QStringLiteral("timeout"), &timeoutGiven);
    if ((logFileGiven || timeoutGiven) && !detach) {
        Cli::err(QStringLiteral("run: --log-file and --timeout go with --detach"));
        return Cli::Usage;
    }
    const auto timeoutSeconds = timeoutGiven ? ControlCommands::parseInteger(timeoutOption, 1, 86400) : std::optional<int>(60);
    if (!timeoutSeconds) {
        Cli::err(QStringLiteral("run: --timeout must be a number of seconds from 1 to 86400, not \"%1\"").arg(timeoutOption));
        return Cli::Usage;
    }
    // What the background run gets: everything but --detach and its own options.
    const QStringList runArguments = args;
    bool redisGiven = false;
    const QString redisOption = Cli::takeOption(args, QStringLiteral("redis"), &redisGiven);
    const QString metricsOption = Cli::takeOption(args, QStringLiteral("metrics"));
    const QString logDirOption = Cli::takeOption(args, QStringLiteral("log-dir"));
    bool hostGiven = false;
    const QString hostOption = Cli::takeOption(args, QStringLiteral("host"), &hostGiven);
    const bool strict = Cli::takeFlag(args, QStringLiteral("strict"));
    const QString path = takeFile(args);
    if (path.isEmpty()) {
        Cli::err(QStringLiteral("run: which cluster file? usage: clustr-qt run CLUSTER.json"));
        return Cli::Usage;
    }
    auto config = loadOrReport(path, strict);
    if (!config)
        return Cli::Usage;
    if (!logDirOption.isEmpty())
        config->logDirectory = QFileInfo(logDirOption).absoluteFilePath();
    if (hostGiven) {
        if (!Clustr::isValidHostName(hostOption)) {
            Cli::err(QStringLiteral("run: --host must be a host name of letters, digits, '.', '-' and '_', not \"%1\"").arg(hostOption));
            return Cli::Usage;
        }
        if (config->name.isEmpty()) {
            Cli::err(QStringLiteral("run: --host %1: a cluster across hosts needs a \"name\" in %2 (an unnamed cluster speaks clustr-node's protocol, which has no hosts)")
                         .arg(hostOption, QFileInfo(path).fileName()));
            return Cli::Usage;
        }
        config->host = hostOption;
        config->multiHost = true;
    }
    // One cluster across hosts: this host's name, the machine's unless the
    // file or --host gives one (docs/MULTI-HOST.md).
    if (config->multiHost && config->host.isEmpty())
        config->host = QSysInfo::machineHostName();
    if (config->multiHost && !Clustr::isValidHostName(config->host)) {
        Cli::err(QStringLiteral("run: this machine's name \"%1\" cannot name a host of the cluster: give one with --host NAME").arg(config->host));
        return Cli::Usage;
    }
    const QString displayName = config->name.isEmpty() ? QFileInfo(path).completeBaseName() : config->name;
    if (detach) {
        const QString logFile = logFileGiven ? QFileInfo(logFileOption).absoluteFilePath() : Detach::defaultLogFile(displayName);
        return Detach::runInBackground(runArguments, logFile, displayName, *timeoutSeconds * 1000);
    }

    int code = Cli::Ok;
    EmbeddedRedis embedded;
    const auto redisUrl = chooseRedis(*config, displayName, redisGiven ? std::optional<QString>(redisOption) : std::nullopt, embedded, &code);
    if (!redisUrl)
        return code;
    const QString shownUrl = Clustr::RedisClient::displayUrl(*redisUrl);

    // One cluster of a name per Redis: the lock is taken atomically, held
    // while we run and refreshed like the master's announcement.
    Clustr::ClusterLock lock;
    lock.setRedisUrl(*redisUrl);
    lock.setClusterName(config->name);
    lock.setHost(config->host);
    if (code = takeLock(lock, displayName, shownUrl, config->name, config->host); code != Cli::Ok)
        return code;

    std::unique_ptr<LogFiles> logFiles = openLogFiles(*config, &code);
    if (code != Cli::Ok)
        return code;
    // After the lock: a second run of this cluster is told it runs, not that its port is taken.
    ListeningSockets sockets;
    if (QString error; !sockets.open(config->sockets, &error)) {
        Cli::err(error);
        return Cli::Failed;
    }

    Clustr::ProcessOptions options = masterOptions(*config, *redisUrl, displayName, logFiles.get());
    if (embedded.pid() > 0) // the workers log in as workers, not with the master's operator user
        options.setChildRedisUrl(embedded.url(Clustr::AccessControl::Role::Worker));
    options.setListenSockets(sockets.descriptors());
    const std::unique_ptr<LogShipper> shipper = shipLines(*config, *redisUrl, options);
    Clustr::Master master(options);
    if (!master.isValid()) {
        Cli::err(master.errorString());
        return Cli::Usage;
    }
    EventLog::attach(&master);
    EventLog::line(QStringLiteral("master pid %1 of cluster \"%2\"%3 from %4, Redis at %5")
                       .arg(master.pid())
                       .arg(displayName, config->host.isEmpty() ? QString() : QStringLiteral(" on host ") + config->host,
                            QFileInfo(path).absoluteFilePath(), shownUrl));
    if (!config->sockets.isEmpty())
        EventLog::line(QStringLiteral("listening for the workers: %1").arg(sockets.describe()));
    const auto metrics = startMetrics(&master, metricsOption.isEmpty() ? config->metrics : metricsOption, &code);
    if (code != Cli::Ok)
        return code;
    notifySystemd(master);

    Clustr::UnixSignalWatcher usr1;
    reopenOnSigusr1(usr1, logFiles.get(), &master);

    // The children start once the master can hear them (Process::spawn holds them until then).
    master.spawn(config->workers);
    // `clustr-qt reload --config`: the file as it is then.
    // The sockets stay those bound at start: workers given an address the file
    // no longer says would be a surprise, so such a file is refused.
    master.setSpawnSource([path, strict, bound = config->sockets](QString *error) -> std::optional<QList<Clustr::SpawnSpec>> {
        QStringList errors;
        QStringList warnings;
        const auto reread = ClusterFile::load(path, &errors, &warnings, strict);
        if (!reread) {
            *error = errors.join(QStringLiteral("; "));
            return std::nullopt;
        }
        if (reread->sockets != bound) {
            *error = QStringLiteral("%1: sockets: changed; the daemon binds its listening sockets once, when it starts: "
                                    "stop and run the cluster again to change them").arg(QFileInfo(path).fileName());
            return std::nullopt;
        }
        return reread->workers;
    });

    int exitCode = 0;
    QObject::connect(&master, &Clustr::Process::closed, &master, [&](int closedWith) {
        exitCode = closedWith;
        // Done once the lock is released and the recent lines deleted (as the master deletes its keys).
        const auto waitingFor = std::make_shared<int>(shipper ? 2 : 1);
        const auto done = [waitingFor] {
            if (--*waitingFor == 0)
                QCoreApplication::exit(0);
        };
        QObject::connect(&lock, &Clustr::ClusterLock::released, &lock, done);
        if (shipper) {
            QObject::connect(shipper.get(), &LogShipper::finished, shipper.get(), done);
            shipper->finish();
        }
        lock.release();
        QTimer::singleShot(2000, QCoreApplication::instance(), [] { QCoreApplication::exit(0); }); // Redis gone: do not wait
    });
    QCoreApplication::exec();
    EventLog::line(QStringLiteral("stopped with exit code %1").arg(exitCode));
    embedded.stop();
    return exitCode;
}

} // namespace RunCommand
