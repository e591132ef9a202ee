// SPDX-License-Identifier: MIT
// messaging-cache-child: spawned by a cache worker, so a grandchild of the
// master. It shows which options came down two generations and asks the
// master for the cluster info: once when it is ready (as the original did),
// and again when the master announces that the whole cluster has started.
#include "output.h"

#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>

using Example::say;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Clustr::Worker worker(QStringLiteral("cacheChild"));
    const QString me = QStringLiteral("cache child %1").arg(worker.pid());
    if (!worker.isValid()) {
        say(me + QStringLiteral(": cannot start: ") + worker.errorString());
        return 1;
    }

    say(QStringLiteral("%1: received %2 (master %3)").arg(me, Example::receivedOptions(worker)).arg(worker.masterPid()));

    const auto askForClusterInfo = [&worker, me] {
        worker.requestClusterInfo([me](const Clustr::ClusterInfo &info) {
            say(QStringLiteral("%1: cluster info %2").arg(me, Example::json(info)));
        });
    };
    QObject::connect(&worker, &Clustr::Worker::clusterInfoRequestFailed, [me](const QString &reason) {
        say(QStringLiteral("%1: no cluster info: %2").arg(me, reason));
    });
    QObject::connect(&worker, &Clustr::Worker::readyChanged, &worker, [askForClusterInfo](bool ready) {
        if (ready)
            askForClusterInfo();
    });
    QObject::connect(&worker, &Clustr::Process::publicMessageReceived, &worker,
                     [askForClusterInfo, &worker](const Clustr::Message &m) {
                         if (m.pid() == worker.masterPid())
                             askForClusterInfo();
                     });

    worker.emitReady();
    return app.exec();
}
