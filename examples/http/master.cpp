// SPDX-License-Identifier: MIT
// http-master: runs a pool of http-worker processes that share one
// listening socket: the master makes it and every worker inherits it
// (--listen-fd), so its accept queue outlives any single worker.
// kill -HUP <pid> replaces them one at a time without losing a request:
// each old worker stops accepting and finishes its requests while the
// others serve. kill -TERM <pid> stops the pool.
//
// Options: --workers=N (default 4), --port=N (default 8080),
// --host=ADDRESS, --delay=MS (passed to the workers), --surge (reload by
// starting each replacement before stopping the old worker),
// --max-unavailable=N and --max-surge=N (N or N%: how many workers a
// reload replaces at once, the spawn entry's maxUnavailable and maxSurge),
// plus every --cluster-* option.
#include "listensocket.h"
#include "output.h"

#include <ClustrQt/master.h>
#include <ClustrQt/spawnspec.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonValue>

using Example::say;

namespace {

void connectLogging(Clustr::Master &master)
{
    QObject::connect(&master, &Clustr::Master::workerRegistered, [](qint64 pid, const QString &group) {
        say(QStringLiteral("master: worker %1 registered in %2").arg(pid).arg(group));
    });
    QObject::connect(&master, &Clustr::Process::spawnFailed, [](const QString &file, const QString &error) {
        say(QStringLiteral("master: could not spawn %1: %2").arg(file, error));
    });
    QObject::connect(&master, &Clustr::Process::childGaveUp, [](const QString &group, const QString &reason) {
        say(QStringLiteral("master: gave up on a child of %1: %2").arg(group, reason));
    });
    QObject::connect(&master, &Clustr::Master::reloadStarted, [](int steps) {
        say(QStringLiteral("master: reload started, %1 workers to replace").arg(steps));
    });
    QObject::connect(&master, &Clustr::Master::reloadStepStarted,
                     [](int step, int steps, qint64 oldPid, const QString &group) {
                         say(QStringLiteral("master: reload step %1/%2: replacing %3 (%4)")
                                 .arg(step).arg(steps).arg(oldPid).arg(group));
                     });
    QObject::connect(&master, &Clustr::Master::reloadStepFinished,
                     [](int step, int steps, qint64 oldPid, qint64 newPid) {
                         say(QStringLiteral("master: reload step %1/%2: %3 -> %4").arg(step).arg(steps).arg(oldPid).arg(newPid));
                     });
    QObject::connect(&master, &Clustr::Master::reloadStepTimedOut,
                     [](int step, int steps, qint64 oldPid, const QString &group) {
                         say(QStringLiteral("master: reload step %1/%2: no replacement of %3 (%4) became ready in time, going on")
                                 .arg(step).arg(steps).arg(oldPid).arg(group));
                     });
    QObject::connect(&master, &Clustr::Master::clusterReloaded, [](int workers) {
        say(QStringLiteral("master: cluster reloaded, %1 workers").arg(workers));
    });
    QObject::connect(&master, &Clustr::Master::stopping, [](int exitCode) {
        say(QStringLiteral("master: stopping the pool, exit code %1").arg(exitCode));
    });
}

// --max-unavailable=2, --max-surge=25%: a limit of the reload, if given.
bool readLimit(const Clustr::Master &master, const QString &name, std::optional<Clustr::InstanceCount> *limit)
{
    if (!master.hasOption(name))
        return true;
    const QString text = master.option(name);
    bool isNumber = false;
    const int number = text.toInt(&isNumber);
    QString error;
    *limit = Clustr::InstanceCount::fromJson(isNumber ? QJsonValue(number) : QJsonValue(text), &error);
    if (!*limit)
        say(QStringLiteral("master: --%1: %2").arg(name, error));
    return limit->has_value();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The strategy is fixed when the master is made, so this one option is
    // read before the master can read the others.
    Clustr::ProcessOptions options;
    if (QCoreApplication::arguments().contains(QStringLiteral("--surge")))
        options.setReloadStrategy(Clustr::ProcessOptions::ReloadStrategy::Surge);
    Clustr::Master master(options);
    if (!master.isValid()) {
        say(QStringLiteral("master: cannot start: %1").arg(master.errorString()));
        return 1;
    }
    connectLogging(master);

    bool ok = false;
    const int workers = master.option(QStringLiteral("workers"), QStringLiteral("4")).toInt(&ok);
    if (!ok || workers < 1) {
        say(QStringLiteral("master: --workers must be a number >= 1"));
        return 2;
    }
    bool portOk = false;
    const uint portNumber = master.option(QStringLiteral("port"), QStringLiteral("8080")).toUInt(&portOk);
    const QString host = master.option(QStringLiteral("host"), QStringLiteral("127.0.0.1"));
    const QHostAddress address(host);
    if (!portOk || portNumber > 65535 || address.isNull()) {
        say(QStringLiteral("master: invalid --port or --host"));
        return 2;
    }
    // The pool's one listening socket. It stays open here for as long as the
    // pool runs, so connections queued on it survive every worker's exit.
    QString error;
    const int listenFd = Example::listenSocket(address, quint16(portNumber), Example::ListenMode::Inherited, &error);
    if (listenFd < 0) {
        say(QStringLiteral("master: cannot listen on %1 port %2: %3").arg(host).arg(portNumber).arg(error));
        return 1;
    }
    const QString port = QString::number(Example::localPort(listenFd)); // --port=0: the kernel's choice

    std::optional<Clustr::InstanceCount> maxUnavailable;
    std::optional<Clustr::InstanceCount> maxSurge;
    if (!readLimit(master, QStringLiteral("max-unavailable"), &maxUnavailable) || !readLimit(master, QStringLiteral("max-surge"), &maxSurge))
        return 2;
    if (maxUnavailable && maxSurge && maxUnavailable->value == 0 && maxSurge->value == 0) {
        say(QStringLiteral("master: --max-unavailable and --max-surge cannot both be 0: no worker could be replaced"));
        return 2;
    }

    Clustr::SpawnSpec worker;
    worker.setFile(QStringLiteral("http-worker"));
    worker.setInstances(workers);
    worker.setMaxUnavailable(maxUnavailable);
    worker.setMaxSurge(maxSurge);
    QJsonObject args{{QStringLiteral("listen-fd"), listenFd}, {QStringLiteral("port"), port}, {QStringLiteral("host"), host}};
    if (master.hasOption(QStringLiteral("delay")))
        args.insert(QStringLiteral("delay"), master.option(QStringLiteral("delay")));
    worker.setArgs(args);

    // An IPv6 address goes in brackets in a URL.
    const QString urlHost = host.contains(u':') ? u'[' + host + u']' : host;
    QObject::connect(&master, &Clustr::Master::clusterStarted, &master, [&master, urlHost, port](int count) {
        say(QStringLiteral("master: cluster started with %1 workers, serving http://%2:%3/").arg(count).arg(urlHost, port));
        say(QStringLiteral("ready: kill -HUP %1 to reload, kill -TERM %1 to stop").arg(master.pid()));
    });

    say(QStringLiteral("master %1: spawning %2 http workers on port %3%4")
            .arg(master.pid())
            .arg(workers)
            .arg(port)
            .arg(options.reloadStrategy() == Clustr::ProcessOptions::ReloadStrategy::Surge
                     ? QStringLiteral(" (surge reloads)") : QString()));
    master.spawn({worker});
    return app.exec();
}
