// SPDX-License-Identifier: MIT
// messaging-master: the master of clustr-node's messaging example, in Qt.
//
// It spawns two web workers (pinned to the first two CPUs; the second one
// gets a cluster option and a private option), two cache workers that are
// not respawned and that each spawn a child of their own, and a bash script
// that never joins the cluster. Once both web workers have confirmed
// "webWorker", it kills the second of them with exit code 1, which respawns
// it. kill -TERM <pid> ends the cluster (exit code 15), kill -HUP <pid>
// reloads it.
//
// Options: --stats-interval=MS (default 10000; 0: only at start and exit),
// plus every --cluster-* option (e.g. --cluster-redis=URL, --cluster-verbose),
// which reaches every process of the tree.
#include "output.h"

#include <ClustrQt/master.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

using Example::say;

namespace {

QString cpuAt(const QList<int> &cpus, int index)
{
    return index < cpus.size() ? QString::number(cpus.at(index)) : QString();
}

QList<Clustr::SpawnSpec> clusterSpecs()
{
    const QList<int> cpus = Example::allowedCpus();

    Clustr::SpawnSpec web;
    web.setFile(QStringLiteral("messaging-web-worker"));
    web.setCpu(cpuAt(cpus, 0));

    // Only `--cluster-*` options travel further down the tree: this web
    // worker sees both, a child it spawned would see cluster-option only.
    Clustr::SpawnSpec webWithOptions = web;
    webWithOptions.setCpu(cpuAt(cpus, 1));
    webWithOptions.setArgs({{QStringLiteral("cluster-option"), QStringLiteral("foo")},
                           {QStringLiteral("private"), QStringLiteral("option")}});

    // The cache workers get the same two options, so their children show
    // which of them arrive one generation further down.
    Clustr::SpawnSpec cache;
    cache.setFile(QStringLiteral("messaging-cache-worker"));
    cache.setRespawn(false);
    cache.setArgs(webWithOptions.args());
    Clustr::SpawnSpec cache2 = cache;
    cache.setCpu(cpuAt(cpus, 2));
    cache2.setCpu(cpuAt(cpus, 3));

    // A program that knows nothing of the cluster: it never registers, so
    // nobody waits for it, and its output still comes out prefixed.
    Clustr::SpawnSpec script;
    script.setFile(QStringLiteral("messaging-script.sh"));
    script.setCommand(QStringLiteral("bash"));
    script.setRegisters(false);
    script.setGroup(QStringLiteral("bashscript"));

    return {web, webWithOptions, cache, cache2, script};
}

void connectLogging(Clustr::Master &master)
{
    QObject::connect(&master, &Clustr::Master::workerRegistered, [](qint64 pid, const QString &group) {
        say(QStringLiteral("master: worker %1 registered in %2").arg(pid).arg(group));
    });
    QObject::connect(&master, &Clustr::Master::workerDeregistered, [](qint64 pid, const QString &group) {
        say(QStringLiteral("master: worker %1 of %2 deregistered").arg(pid).arg(group));
    });
    QObject::connect(&master, &Clustr::Master::workerLost,
                     [](qint64 pid, const QString &group, const QString &reason) {
                         say(QStringLiteral("master: worker %1 of %2 lost: %3").arg(pid).arg(group, reason));
                     });
    QObject::connect(&master, &Clustr::Process::childStarted, [](qint64 pid, const QString &group) {
        say(QStringLiteral("master: child %1 (%2) started").arg(pid).arg(group));
    });
    QObject::connect(&master, &Clustr::Process::childExited,
                     [](qint64 pid, const QString &group, int exitCode, int signal) {
                         say(exitCode < 0
                                 ? QStringLiteral("master: child %1 (%2) killed by signal %3").arg(pid).arg(group).arg(signal)
                                 : QStringLiteral("master: child %1 (%2) exited with code %3").arg(pid).arg(group).arg(exitCode));
                     });
    QObject::connect(&master, &Clustr::Process::childRespawned,
                     [](qint64 oldPid, qint64 newPid, const QString &group) {
                         say(QStringLiteral("master: child %1 (%2) respawned as %3").arg(oldPid).arg(group).arg(newPid));
                     });
    QObject::connect(&master, &Clustr::Process::childGaveUp, [](const QString &group, const QString &reason) {
        say(QStringLiteral("master: gave up on a child of %1: %2").arg(group, reason));
    });
    QObject::connect(&master, &Clustr::Process::spawnFailed, [](const QString &file, const QString &error) {
        say(QStringLiteral("master: could not spawn %1: %2").arg(file, error));
    });
    QObject::connect(&master, &Clustr::Master::clusterReloaded, [](int workers) {
        say(QStringLiteral("master: cluster reloaded, %1 workers").arg(workers));
    });
}

void sayStats(const Clustr::Master &master)
{
    say(QStringLiteral("master: stats %1").arg(Example::json(master.stats().toJson())));
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
    connectLogging(master);

    // The original's confirmation: once both web workers said "webWorker",
    // the second sender is killed with exit code 1 -- "respawn me" -- so the
    // cluster shows a kill and a respawn in one go. Counting then starts
    // again, so the replacement's own confirmation kills nobody.
    master.onConfirmation(2, QStringLiteral("webWorker"), [&master](const QList<Clustr::Message> &messages) {
        const qint64 first = messages.first().pid();
        const qint64 second = messages.last().pid();
        say(QStringLiteral("master: confirmation \"webWorker\" received from %1 and %2: killing %2 with exit code 1")
                .arg(first)
                .arg(second));
        master.emitKill(second, 1);
    });

    QObject::connect(&master, &Clustr::Master::clusterStarted, &master, [&master](int workers) {
        say(QStringLiteral("master: cluster started with %1 workers").arg(workers));
        say(QStringLiteral("master: cluster info %1").arg(Example::json(master.clusterInfo())));
        sayStats(master);
        // Every process hears this; the cache children ask for the cluster
        // info again, now that all of it is there.
        master.emitPublic(QJsonObject{{QStringLiteral("event"), QStringLiteral("clusterStarted")},
                                      {QStringLiteral("workers"), workers}});
    });
    QObject::connect(&master, &Clustr::Master::stopping, &master, [&master](int exitCode) {
        say(QStringLiteral("master: stopping the cluster, exit code %1").arg(exitCode));
        sayStats(master);
    });

    QTimer statsTimer;
    const int statsInterval = master.option(QStringLiteral("stats-interval"), QStringLiteral("10000")).toInt();
    if (statsInterval > 0) {
        QObject::connect(&statsTimer, &QTimer::timeout, &master, [&master] { sayStats(master); });
        statsTimer.start(statsInterval);
    }

    say(QStringLiteral("master %1: spawning 2 web workers, 2 cache workers and a bash script "
                       "(CPUs here: %2); kill -TERM %1 stops, kill -HUP %1 reloads")
            .arg(master.pid())
            .arg(Example::allowedCpuList()));
    master.spawn(clusterSpecs());
    return app.exec();
}
