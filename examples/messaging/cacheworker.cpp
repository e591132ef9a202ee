// SPDX-License-Identifier: MIT
// messaging-cache-worker: a worker of group "cacheWorker" that spawns a
// child of its own (messaging-cache-child) and greets the web workers.
#include "output.h"

#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>

using Example::say;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Clustr::Worker worker(QStringLiteral("cacheWorker"));
    const QString me = QStringLiteral("cache worker %1").arg(worker.pid());
    if (!worker.isValid()) {
        say(me + QStringLiteral(": cannot start: ") + worker.errorString());
        return 1;
    }

    say(QStringLiteral("%1: received %2").arg(me, Example::receivedOptions(worker)));

    QObject::connect(&worker, &Clustr::Process::childStarted, [me](qint64 pid, const QString &group) {
        say(QStringLiteral("%1: child %2 (%3) started").arg(me).arg(pid).arg(group));
    });
    QObject::connect(&worker, &Clustr::Process::spawnFailed, [me](const QString &file, const QString &error) {
        say(QStringLiteral("%1: could not spawn %2: %3").arg(me, file, error));
    });
    QObject::connect(&worker, &Clustr::Worker::readyChanged, &worker, [&worker, me](bool ready) {
        if (ready)
            worker.emitGroup(QStringLiteral("webWorker"), me + QStringLiteral(" is ready"));
    });
    QObject::connect(&worker, &Clustr::Process::publicMessageReceived, [me](const Clustr::Message &m) {
        say(QStringLiteral("%1: public message from %2 %3: %4").arg(me, m.group()).arg(m.pid()).arg(Example::json(m.data())));
    });
    worker.onKill([me](std::function<void()> done) {
        say(me + QStringLiteral(": closing, and its child with it"));
        done();
    });

    // The child gets this worker's --cluster-* options (cluster-option=foo,
    // the Redis URL, the master pid), not its private ones.
    Clustr::SpawnSpec child;
    child.setFile(QStringLiteral("messaging-cache-child"));
    worker.spawn({child});

    worker.emitReady();
    return app.exec();
}
