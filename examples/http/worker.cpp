// SPDX-License-Identifier: MIT
// http-worker: one worker of a pool of HTTP servers that share a port:
// through the listening socket `clustr-qt run` made for the cluster file's
// "sockets" (the one named "http", inherited as systemd hands sockets over),
// or the one http-master made (--listen-fd=N, inherited), else through a
// socket of its own with SO_REUSEPORT. `GET /` answers `pid <pid>`, so you can see which
// worker served you. It registers only once it is listening, so a rolling
// reload moves on only when the replacement can take connections; when it
// is killed it stops accepting, finishes its requests, then exits.
//
// Options: --listen-fd=N, --port=N (default 8080), --host=ADDRESS (default
// 127.0.0.1), --delay=MS (each `/` response waits that long: a slow request).
#include "httpserver.h"
#include "output.h"

#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>

using Example::say;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Clustr::Worker worker(QStringLiteral("httpWorker"));
    const QString me = QStringLiteral("http worker %1").arg(worker.pid());
    if (!worker.isValid()) {
        say(me + QStringLiteral(": cannot start: ") + worker.errorString());
        return 1;
    }

    bool portOk = false;
    const uint port = worker.option(QStringLiteral("port"), QStringLiteral("8080")).toUInt(&portOk);
    const QHostAddress host(worker.option(QStringLiteral("host"), QStringLiteral("127.0.0.1")));
    const int delay = worker.option(QStringLiteral("delay"), QStringLiteral("0")).toInt();
    if (!portOk || port > 65535 || host.isNull()) {
        say(me + QStringLiteral(": invalid --port or --host"));
        return 2;
    }

    Example::HttpServer server(std::chrono::milliseconds(qMax(0, delay)));
    QString error;
    if (const int inherited = Clustr::Process::inheritedSocket(QStringLiteral("http")); inherited >= 0) {
        if (!server.adoptListeningSocket(inherited, &error)) {
            say(QStringLiteral("%1: cannot use the inherited socket \"http\": %2").arg(me, error));
            return 1;
        }
    } else if (worker.hasOption(QStringLiteral("listen-fd"))) {
        bool fdOk = false;
        const int fd = worker.option(QStringLiteral("listen-fd")).toInt(&fdOk);
        if (!fdOk || fd < 0)
            error = QStringLiteral("not a descriptor number");
        if (!error.isEmpty() || !server.adoptListeningSocket(fd, &error)) {
            say(QStringLiteral("%1: cannot use --listen-fd=%2: %3").arg(me, worker.option(QStringLiteral("listen-fd")), error));
            return 1;
        }
    } else if (!server.listen(host, quint16(port), &error)) {
        say(QStringLiteral("%1: cannot listen on %2 port %3: %4").arg(me, host.toString()).arg(port).arg(error));
        return 1;
    }
    say(QStringLiteral("%1: listening on %2 port %3").arg(me, host.toString()).arg(server.port()));

    worker.onKill([&server, me](std::function<void()> done) {
        say(QStringLiteral("%1: draining, %2 open connections").arg(me).arg(server.connectionCount()));
        server.drain([me, done = std::move(done)] {
            say(me + QStringLiteral(": drained, exiting"));
            done();
        });
    });

    worker.emitReady();
    return app.exec();
}
