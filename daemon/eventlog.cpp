// SPDX-License-Identifier: MIT
#include "eventlog.h"

#include "cli.h"

#include <ClustrQt/master.h>

#include <QtCore/QDateTime>

namespace EventLog {

void line(const QString &text)
{
    Cli::out(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz ")) + text);
}

void attach(Clustr::Master *master)
{
    using Clustr::Master;
    using Clustr::Process;
    QObject::connect(master, &Process::childStarted, master, [](qint64 pid, const QString &group) {
        line(QStringLiteral("spawned %1 pid %2").arg(group).arg(pid));
    });
    QObject::connect(master, &Master::workerRegistered, master, [](qint64 pid, const QString &group) {
        line(QStringLiteral("registered %1 pid %2").arg(group).arg(pid));
    });
    QObject::connect(master, &Master::workerDeregistered, master, [](qint64 pid, const QString &group) {
        line(QStringLiteral("deregistered %1 pid %2").arg(group).arg(pid));
    });
    QObject::connect(master, &Master::workerLost, master, [](qint64 pid, const QString &group, const QString &reason) {
        line(QStringLiteral("lost %1 pid %2: %3").arg(group).arg(pid).arg(reason));
    });
    QObject::connect(master, &Master::hostLost, master, [](const QString &host) {
        line(QStringLiteral("host %1 lost: its master stopped writing its entry without stopping").arg(host));
    });
    QObject::connect(master, &Master::hostRejoined, master, [](const QString &host) {
        line(QStringLiteral("host %1 rejoined").arg(host));
    });
    QObject::connect(master, &Process::childExited, master, [](qint64 pid, const QString &group, int code, int signal) {
        line(code >= 0 ? QStringLiteral("exited %1 pid %2 with code %3").arg(group).arg(pid).arg(code)
                       : QStringLiteral("exited %1 pid %2, killed by signal %3").arg(group).arg(pid).arg(signal));
    });
    QObject::connect(master, &Process::childRespawned, master, [](qint64 oldPid, qint64 newPid, const QString &group) {
        line(QStringLiteral("respawned %1 pid %2 -> %3").arg(group).arg(oldPid).arg(newPid));
    });
    QObject::connect(master, &Process::childBackingOff, master, [](qint64 oldPid, const QString &group, std::chrono::milliseconds delay) {
        line(QStringLiteral("backing off %1 (pid %2 crashed): next start in %3 ms").arg(group).arg(oldPid).arg(delay.count()));
    });
    QObject::connect(master, &Process::childGaveUp, master, [](const QString &group, const QString &reason) {
        line(QStringLiteral("given up %1: %2").arg(group, reason));
    });
    QObject::connect(master, &Process::spawnFailed, master, [](const QString &file, const QString &error) {
        line(QStringLiteral("cannot spawn %1: %2").arg(file, error));
    });
    QObject::connect(master, &Master::clusterStarted, master, [](int workers) {
        line(QStringLiteral("cluster started: %1").arg(Cli::count(workers, "worker", "workers")));
    });
    QObject::connect(master, &Master::reloadStarted, master, [](int steps) {
        line(QStringLiteral("reload started: %1 steps").arg(steps));
    });
    QObject::connect(master, &Master::reloadExcluded, master, [](qint64 pid, const QString &group, const QString &reason) {
        line(QStringLiteral("reload: %1 of %2 is no step of its own: %3").arg(pid).arg(group, reason));
    });
    QObject::connect(master, &Master::reloadStepFinished, master, [](int step, int steps, qint64 oldPid, qint64 newPid) {
        line(newPid ? QStringLiteral("reload step %1/%2: %3 -> %4").arg(step).arg(steps).arg(oldPid).arg(newPid)
                    : QStringLiteral("reload step %1/%2: %3 is gone, skipped").arg(step).arg(steps).arg(oldPid));
    });
    QObject::connect(master, &Master::reloadStepTimedOut, master, [](int step, int steps, qint64 oldPid, const QString &group) {
        line(QStringLiteral("reload step %1/%2: no replacement of %3 (%4) became ready in time").arg(step).arg(steps).arg(oldPid).arg(group));
    });
    QObject::connect(master, &Master::clusterReloaded, master, [](int workers) {
        line(QStringLiteral("cluster reloaded: %1").arg(Cli::count(workers, "worker", "workers")));
    });
    QObject::connect(master, &Master::stopping, master, [](int code) {
        line(QStringLiteral("stopping the cluster (exit code %1)").arg(code));
    });
}

} // namespace EventLog
