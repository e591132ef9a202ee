// SPDX-License-Identifier: MIT
// messaging-web-worker: a worker of group "webWorker". It prints the options
// it received and the CPUs it may run on, registers, confirms "webWorker" to
// everybody, and prints what it hears.
#include "output.h"

#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>

using Example::say;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Clustr::Worker worker(QStringLiteral("webWorker"));
    const QString me = QStringLiteral("web worker %1").arg(worker.pid());
    if (!worker.isValid()) {
        say(me + QStringLiteral(": cannot start: ") + worker.errorString());
        return 1;
    }

    say(QStringLiteral("%1: received %2").arg(me, Example::receivedOptions(worker)));
    say(QStringLiteral("%1: runs on CPUs %2").arg(me, Example::allowedCpuList()));

    // Confirm only once registered: the master then knows this worker
    // before it counts the confirmation.
    QObject::connect(&worker, &Clustr::Worker::readyChanged, &worker, [&worker, me](bool ready) {
        if (!ready)
            return;
        say(me + QStringLiteral(": registered, confirming \"webWorker\""));
        worker.emitConfirmation(QStringLiteral("webWorker"));
    });
    QObject::connect(&worker, &Clustr::Process::publicMessageReceived, [me](const Clustr::Message &m) {
        say(QStringLiteral("%1: public message from %2 %3: %4").arg(me, m.group()).arg(m.pid()).arg(Example::json(m.data())));
    });
    QObject::connect(&worker, &Clustr::Process::groupMessageReceived, [me](const Clustr::Message &m) {
        say(QStringLiteral("%1: group message from %2 %3: %4").arg(me, m.group()).arg(m.pid()).arg(Example::json(m.data())));
    });
    QObject::connect(&worker, &Clustr::Process::killRequested, [me](int exitCode) {
        say(QStringLiteral("%1: kill requested, exit code %2").arg(me).arg(exitCode));
    });
    worker.onKill([me](std::function<void()> done) {
        say(me + QStringLiteral(": closing"));
        done();
    });

    worker.emitReady();
    return app.exec();
}
