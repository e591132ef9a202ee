// SPDX-License-Identifier: MIT
// reload-worker: a worker of group "reloadWorker" that logs its life. With
// --ready-delay=MS it takes that long to become ready (to register), like a
// service warming up; a rolling reload waits for it.
#include "output.h"

#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

using Example::say;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Clustr::Worker worker(QStringLiteral("reloadWorker"));
    const QString me = QStringLiteral("worker %1").arg(worker.pid());
    if (!worker.isValid()) {
        say(me + QStringLiteral(": cannot start: ") + worker.errorString());
        return 1;
    }
    say(me + QStringLiteral(": started"));

    QObject::connect(&worker, &Clustr::Worker::readyChanged, [me](bool ready) {
        if (ready)
            say(me + QStringLiteral(": ready"));
    });
    worker.onKill([me](std::function<void()> done) {
        say(me + QStringLiteral(": stopping"));
        done();
    });

    const int readyDelay = worker.option(QStringLiteral("ready-delay"), QStringLiteral("0")).toInt();
    QTimer::singleShot(qMax(0, readyDelay), &worker, [&worker] { worker.emitReady(); });
    return app.exec();
}
