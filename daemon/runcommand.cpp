// SPDX-License-Identifier: MIT
#include "runcommand.h"

#include "cli.h"
#include "clusterfile.h"
#include "embeddedredis.h"
#include "eventlog.h"
#include "logfiles.h"
#include "metrics.h"
#include "sdnotify.h"

#include "protocol/channels_p.h"
#include "redis/redisurl_p.h"
#include "supervision/unixsignals_p.h"

#include <ClustrQt/master.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QSysInfo>
#include <QtCore/QTimer>

#include <csignal>
#include <memory>

namespace RunCommand {

namespace {

constexpr int LockTtlMs = 5000;

QString takeFile(QStringList &args)
{
    for (int i = 0; i < args.size(); ++i) {
        if (!args.at(i).startsWith(QLatin1String("--")))
            return args.takeAt(i);
    }
    return QString();
}

std::optional<ClusterFile> loadOrReport(const QString &path)
{
    QStringList errors;
    QStringList warnings;
    auto config = ClusterFile::load(path, &errors, &warnings);
    for (const QString &warning : std::as_const(warnings))
        Cli::err(QStringLiteral("warning: ") + warning);
    for (const QString &error : std::as_const(errors))
        Cli::err(error);
    return config;
}

// Runs \a client's command and waits for the reply, bounded: only used
// before the cluster starts, when there is nothing else to serve.
Clustr::RedisReply commandAndWait(Clustr::RedisClient *client, const QByteArrayList &arguments, int timeoutMs)
{
    // The reply may come after we gave up waiting (or never, and the queued
    // command is failed when the client goes): it must not reach our stack.
    struct State
    {
        std::optional<Clustr::RedisReply> reply;
        QEventLoop loop;
    };
    auto state = std::make_shared<State>();
    std::weak_ptr<State> weak = state;
    client->command(arguments, [weak](const Clustr::RedisReply &r) {
        if (auto s = weak.lock()) {
            s->reply = r;
            s->loop.quit();
        }
    });
    if (!state->reply) {
        QTimer::singleShot(timeoutMs, &state->loop, &QEventLoop::quit);
        state->loop.exec();
    }
    return state->reply.value_or(Clustr::RedisReply::error("ERR no answer in time"));
}

} // namespace

QString runHelp()
{
    return QStringLiteral(
        "usage: clustr-qt run CLUSTER.json [--redis URL] [--metrics [HOST:]PORT] [--log-dir DIR]\n"
        "                     [--verbose] [--cluster-verbose] [--cluster-OPTION=VALUE...]\n"
        "\n"
        "Runs the master of the cluster described by CLUSTER.json in the foreground and logs\n"
        "one line per event. SIGHUP reloads the workers one by one, SIGTERM and SIGINT stop\n"
        "the cluster gracefully, SIGUSR1 reopens the log files.\n"
        "\n"
        "  --redis URL        Redis to use (else CLUSTR_REDIS, the file's \"redis\", a Redis at\n"
        "                     127.0.0.1:6379 if one answers, else a private embedded redis-server)\n"
        "  --metrics ADDRESS  serve Prometheus metrics at http://ADDRESS/metrics (loopback by default)\n"
        "  --log-dir DIR      one log file per worker in DIR (overrides the file's logs.directory)\n"
        "  --verbose          log this process' library events; --cluster-verbose: every process'\n"
        "\n"
        "Exit code: the cluster's (15 after SIGTERM, 130 after SIGINT, N after a kill or\n"
        "`clustr-qt stop --code N`); 2 for a bad cluster file, 3 if Redis is unreachable,\n"
        "5 if a cluster of the same name already runs on that Redis.");
}

QString checkHelp()
{
    return QStringLiteral(
        "usage: clustr-qt check CLUSTER.json\n"
        "\n"
        "Validates a cluster file without running anything: JSON syntax, every field, that\n"
        "each worker's file (and command) exists and that its CPUs are available here.\n"
        "Prints every problem as FILE: FIELD: PROBLEM and exits 2, or prints a summary and exits 0.");
}

int check(QStringList args)
{
    const QString path = takeFile(args);
    if (path.isEmpty()) {
        Cli::err(QStringLiteral("check: which cluster file? usage: clustr-qt check CLUSTER.json"));
        return Cli::Usage;
    }
    const auto config = loadOrReport(path);
    if (!config)
        return Cli::Usage;
    int instances = 0;
    for (const auto &spec : config->workers)
        instances += spec.instances;
    Cli::out(QStringLiteral("%1: OK: %2 workers (%3 cluster-aware) in %4")
                 .arg(path).arg(instances).arg(config->registeringWorkers()).arg(config->groups().join(QStringLiteral(", "))));
    return Cli::Ok;
}

int run(QStringList args)
{
    bool redisGiven = false;
    const QString redisOption = Cli::takeOption(args, QStringLiteral("redis"), &redisGiven);
    const QString metricsOption = Cli::takeOption(args, QStringLiteral("metrics"));
    const QString logDirOption = Cli::takeOption(args, QStringLiteral("log-dir"));
    const QString path = takeFile(args);
    if (path.isEmpty()) {
        Cli::err(QStringLiteral("run: which cluster file? usage: clustr-qt run CLUSTER.json"));
        return Cli::Usage;
    }
    auto config = loadOrReport(path);
    if (!config)
        return Cli::Usage;
    if (!logDirOption.isEmpty())
        config->logDirectory = QFileInfo(logDirOption).absoluteFilePath();
    const QString displayName = config->name.isEmpty() ? QFileInfo(path).completeBaseName() : config->name;

    // Which Redis: the first that is configured, else one that answers on
    // the default port, else our own.
    EmbeddedRedis embedded;
    QString redisUrl = redisGiven ? redisOption : qEnvironmentVariable("CLUSTR_REDIS");
    if (redisUrl.isEmpty())
        redisUrl = config->redis;
    if (redisUrl.isEmpty()) {
        if (EmbeddedRedis::defaultRedisAnswers()) {
            redisUrl = QString::fromLatin1(Clustr::RedisUrl::DefaultUrl);
        } else {
            QString error;
            if (!embedded.start(config->name, &error)) {
                Cli::err(error);
                return Cli::RedisUnreachable;
            }
            redisUrl = embedded.url();
            EventLog::line(QStringLiteral("started an embedded Redis at %1 (it stops with the cluster)").arg(redisUrl));
        }
    }
    QString urlError;
    const auto parsedUrl = Clustr::RedisUrl::parse(redisUrl, &urlError);
    if (!parsedUrl) {
        Cli::err(urlError);
        return Cli::Usage;
    }

    // One cluster of a name per Redis: the lock is taken atomically (NX),
    // held while we run and refreshed like the master's announcement.
    const Clustr::Protocol::Channels names(config->name);
    const QByteArray lockKey = names.prefix() + QByteArrayLiteral("clustr:lock");
    const QByteArray lockValue = QStringLiteral("%1@%2").arg(QCoreApplication::applicationPid()).arg(QSysInfo::machineHostName()).toUtf8();
    Clustr::RedisClient lock;
    lock.setUrl(redisUrl);
    lock.setClientName(QStringLiteral("clustr.daemon.%1").arg(QCoreApplication::applicationPid()));
    lock.setAutoReconnect(true);
    lock.open();
    const Clustr::RedisReply taken = commandAndWait(&lock, {QByteArrayLiteral("SET"), lockKey, lockValue, QByteArrayLiteral("NX"),
                                                            QByteArrayLiteral("PX"), QByteArray::number(LockTtlMs)}, 5000);
    if (taken.isError()) {
        Cli::err(QStringLiteral("cannot reach Redis at %1: %2").arg(parsedUrl->toString(),
                 lock.errorString().isEmpty() ? QString::fromUtf8(taken.string) : lock.errorString()));
        return Cli::RedisUnreachable;
    }
    if (taken.isNil()) {
        const Clustr::RedisReply running = commandAndWait(&lock, {QByteArrayLiteral("GET"), names.masterKey()}, 2000);
        const QJsonObject master = QJsonDocument::fromJson(running.string).object();
        const QString holder = master.isEmpty()
            ? QString::fromUtf8(commandAndWait(&lock, {QByteArrayLiteral("GET"), lockKey}, 2000).string)
            : QStringLiteral("%1@%2").arg(qint64(master.value(QStringLiteral("pid")).toDouble())).arg(master.value(QStringLiteral("host")).toString());
        const QString pid = holder.section(QLatin1Char('@'), 0, 0);
        const QString host = holder.section(QLatin1Char('@'), 1);
        Cli::err(QStringLiteral("cluster \"%1\" is already running on %2: master pid %3 on host %4 (stop it with: clustr-qt stop%5)")
                     .arg(displayName, parsedUrl->toString(), pid, host,
                          config->name.isEmpty() ? QString() : QStringLiteral(" --cluster ") + config->name));
        return Cli::AlreadyRunning;
    }
    QTimer lockRefresh;
    QObject::connect(&lockRefresh, &QTimer::timeout, &lock, [&] {
        lock.command({QByteArrayLiteral("SET"), lockKey, lockValue, QByteArrayLiteral("PX"), QByteArray::number(LockTtlMs)});
    });
    lockRefresh.start(1000);

    std::unique_ptr<LogFiles> logFiles;
    if (!config->logDirectory.isEmpty()) {
        logFiles = std::make_unique<LogFiles>(config->logDirectory, config->logMaxBytes, config->logKeep);
        QString error;
        if (!logFiles->prepare(&error)) {
            Cli::err(error);
            return Cli::Usage;
        }
    }

    Clustr::ProcessOptions options;
    options.redisUrl = redisUrl;
    options.clusterNamespace = config->name;
    options.clusterName = displayName;
    options.reloadDelay = config->reloadDelay;
    options.reloadTimeout = config->reloadTimeout;
    options.killTimeout = config->killTimeout;
    options.heartbeatTimeout = config->heartbeatTimeout;
    options.reloadStrategy = config->reloadStrategy;
    options.restartPolicy = config->restartPolicy;
    options.outputPrefix = config->outputPrefix;
    options.exitApplication = false; // we end the event loop once the lock is released
    if (logFiles) {
        LogFiles *files = logFiles.get();
        options.childOutput = [files](const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr) {
            files->write(group, instance, pid, line, isStderr);
        };
    }
    Clustr::Master master(options);
    if (!master.isValid()) {
        Cli::err(master.errorString());
        return Cli::Usage;
    }
    EventLog::attach(&master);
    EventLog::line(QStringLiteral("master pid %1 of cluster \"%2\" from %3, Redis at %4")
                       .arg(master.pid()).arg(displayName, QFileInfo(path).absoluteFilePath(), parsedUrl->toString()));

    std::unique_ptr<MetricsServer> metrics;
    const QString metricsAddress = metricsOption.isEmpty() ? config->metrics : metricsOption;
    if (!metricsAddress.isEmpty()) {
        metrics = std::make_unique<MetricsServer>(&master);
        QString error;
        if (!metrics->listenOn(metricsAddress, &error)) {
            Cli::err(error);
            return Cli::Usage;
        }
        EventLog::line(QStringLiteral("metrics at http://%1:%2/metrics").arg(metrics->serverAddress().toString()).arg(metrics->serverPort()));
    }

    QObject::connect(&master, &Clustr::Master::clusterStarted, &master, [](int workers) {
        SdNotify::notify(QStringLiteral("READY=1\nSTATUS=%1 workers").arg(workers).toUtf8());
    });
    QObject::connect(&master, &Clustr::Master::reloadStarted, &master, [](int) {
        SdNotify::notify("RELOADING=1\nSTATUS=reloading");
    });
    QObject::connect(&master, &Clustr::Master::clusterReloaded, &master, [](int workers) {
        SdNotify::notify(QStringLiteral("READY=1\nSTATUS=%1 workers (reloaded)").arg(workers).toUtf8());
    });
    QObject::connect(&master, &Clustr::Master::stopping, &master, [](int) { SdNotify::notify("STOPPING=1\nSTATUS=stopping"); });

    Clustr::UnixSignalWatcher usr1;
    if (logFiles && usr1.watch(SIGUSR1)) {
        QObject::connect(&usr1, &Clustr::UnixSignalWatcher::signalReceived, &master, [&logFiles] {
            logFiles->reopen();
            EventLog::line(QStringLiteral("log files reopened"));
        });
    }

    // Children register with us: spawn once we can hear them.
    bool spawned = false;
    auto spawnOnce = [&] {
        if (spawned || !master.isConnected())
            return;
        spawned = true;
        master.spawn(config->workers);
    };
    QObject::connect(&master, &Clustr::Process::connectedChanged, &master, spawnOnce);
    spawnOnce();

    int exitCode = 0;
    QObject::connect(&master, &Clustr::Process::closed, &master, [&](int code) {
        exitCode = code;
        lockRefresh.stop();
        lock.command({QByteArrayLiteral("DEL"), lockKey}, [](const Clustr::RedisReply &) { QCoreApplication::exit(0); });
        QTimer::singleShot(2000, QCoreApplication::instance(), [] { QCoreApplication::exit(0); }); // Redis gone: do not wait
    });
    QCoreApplication::exec();
    EventLog::line(QStringLiteral("stopped with exit code %1").arg(exitCode));
    embedded.stop();
    return exitCode;
}

} // namespace RunCommand
