// SPDX-License-Identifier: MIT
// bench-minimal-worker: the smallest useful cluster worker. It joins
// (emitReady) and idles. The startup figure runs N of them under
// `clustr-qt run`; the memory figure measures one on its own.
//
// --print-ready: print "ready <pid>" once connected (the memory figure waits for it).
// --quit-when-ready: print it and exit (to profile one worker's start-up).
#include "benchcommon.h"

#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Clustr::Worker worker(QStringLiteral("minimal"));
    if (!worker.isValid())
        Bench::die(worker.errorString().toUtf8().constData());
    // From argv, as bench-qtbare reads its options: the memory figure
    // compares the library, not two ways of reading a command line.
    const bool quit = Bench::flag(argc, argv, "quit-when-ready");
    if (quit || Bench::flag(argc, argv, "print-ready")) {
        QObject::connect(&worker, &Clustr::Process::connectedChanged, &worker, [&worker, quit](bool connected) {
            if (!connected)
                return;
            Bench::say("ready %lld", worker.pid());
            if (quit)
                worker.close(0);
        }, Qt::SingleShotConnection);
    }
    worker.emitReady();
    return app.exec();
}
