// SPDX-License-Identifier: MIT
// reload-master: a master and N workers (default 4, --workers=N) that shows
// a rolling reload. kill -HUP <pid> replaces the workers one at a time: each
// is killed with exit code 1, respawned, and the next one is only touched
// once the replacement has registered and the reload delay has passed.
// Every step is logged as "old pid -> new pid". kill -TERM <pid> stops.
//
// Options: --workers=N, --ready-delay=MS (passed to the workers: how long
// they take to become ready), plus every --cluster-* option.
#include "output.h"

#include <ClustrQt/master.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QStringList>

using Example::say;

namespace {

QString pidList(const Clustr::ClusterInfo &info)
{
    QStringList pids;
    for (const QList<qint64> &group : info) {
        for (qint64 pid : group)
            pids << QString::number(pid);
    }
    return pids.join(u' ');
}

void connectReloadLogging(Clustr::Master &master)
{
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
                         if (newPid == 0) {
                             say(QStringLiteral("master: reload step %1/%2: %3 had gone already, skipped")
                                     .arg(step).arg(steps).arg(oldPid));
                             return;
                         }
                         say(QStringLiteral("master: reload step %1/%2: %3 -> %4").arg(step).arg(steps).arg(oldPid).arg(newPid));
                     });
    QObject::connect(&master, &Clustr::Master::reloadStepTimedOut,
                     [](int step, int steps, qint64 oldPid, const QString &group) {
                         say(QStringLiteral("master: reload step %1/%2: no replacement of %3 (%4) became ready in time, going on")
                                 .arg(step).arg(steps).arg(oldPid).arg(group));
                     });
    QObject::connect(&master, &Clustr::Master::clusterReloaded, &master, [&master](int workers) {
        say(QStringLiteral("master: cluster reloaded, %1 workers: %2").arg(workers).arg(pidList(master.clusterInfo())));
    });
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Clustr::Master master;
    if (!master.isValid()) {
        say(QStringLiteral("master: cannot start: %1").arg(master.errorString()));
        return 1;
    }
    connectReloadLogging(master);

    QObject::connect(&master, &Clustr::Master::workerRegistered, [](qint64 pid, const QString &group) {
        say(QStringLiteral("master: worker %1 registered in %2").arg(pid).arg(group));
    });
    QObject::connect(&master, &Clustr::Process::spawnFailed, [](const QString &file, const QString &error) {
        say(QStringLiteral("master: could not spawn %1: %2").arg(file, error));
    });
    QObject::connect(&master, &Clustr::Master::clusterStarted, &master, [&master](int workers) {
        say(QStringLiteral("master: cluster started with %1 workers: %2").arg(workers).arg(pidList(master.clusterInfo())));
        say(QStringLiteral("ready: kill -HUP %1 to reload, kill -TERM %1 to stop").arg(master.pid()));
    });
    QObject::connect(&master, &Clustr::Master::stopping, [](int exitCode) {
        say(QStringLiteral("master: stopping the cluster, exit code %1").arg(exitCode));
    });

    bool ok = false;
    const int workers = master.option(QStringLiteral("workers"), QStringLiteral("4")).toInt(&ok);
    if (!ok || workers < 1) {
        say(QStringLiteral("master: --workers must be a number >= 1"));
        return 2;
    }
    Clustr::SpawnSpec worker;
    worker.setFile(QStringLiteral("reload-worker"));
    worker.setInstances(workers);
    if (master.hasOption(QStringLiteral("ready-delay")))
        worker.setArgs({{QStringLiteral("ready-delay"), master.option(QStringLiteral("ready-delay"))}});

    say(QStringLiteral("master %1: spawning %2 workers").arg(master.pid()).arg(workers));
    master.spawn({worker});
    return app.exec();
}
