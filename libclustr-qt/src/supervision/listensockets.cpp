// SPDX-License-Identifier: MIT
#include "listensockets_p.h"

#include "base/logging_p.h"

#include <QtCore/QCoreApplication>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace Clustr::ListenSockets {

void wrap(QString *program, QStringList *arguments)
{
    // $0 is the program, "$@" its arguments: nothing of theirs is parsed by the shell.
    QStringList wrapped{QStringLiteral("-c"), QStringLiteral("LISTEN_PID=$$; export LISTEN_PID; exec \"$0\" \"$@\""), *program};
    wrapped += *arguments;
    *arguments = wrapped;
    *program = QStringLiteral("/bin/sh");
}

void placeInChild(const int *fds, int count)
{
    // First above every target, then down: a socket may sit where another goes.
    int moved[MaxSockets];
    for (int i = 0; i < count; ++i) {
        moved[i] = fcntl(fds[i], F_DUPFD, FirstFd + count);
        if (moved[i] < 0)
            _exit(126);
    }
    for (int i = 0; i < count; ++i) {
        if (dup2(moved[i], FirstFd + i) < 0) // the copy is inheritable: dup2 clears FD_CLOEXEC
            _exit(126);
        close(moved[i]);
    }
}

std::optional<QList<Socket>> parse(const QByteArray &pid, const QByteArray &count, const QByteArray &names, qint64 ownPid,
                                   QString *error)
{
    if (pid.isEmpty() && count.isEmpty())
        return QList<Socket>();
    bool pidOk = false;
    const qint64 forPid = pid.toLongLong(&pidOk);
    if (!pidOk || forPid != ownPid) {
        *error = QStringLiteral("LISTEN_PID is \"%1\", not this process (%2): the sockets are not for it")
                     .arg(QString::fromUtf8(pid.left(40))).arg(ownPid);
        return std::nullopt;
    }
    bool countOk = false;
    const int n = count.toInt(&countOk);
    if (!countOk || n < 1 || n > MaxSockets) {
        *error = QStringLiteral("LISTEN_FDS is \"%1\", not a number of sockets from 1 to %2")
                     .arg(QString::fromUtf8(count.left(40))).arg(MaxSockets);
        return std::nullopt;
    }
    const QList<QByteArray> given = names.isEmpty() ? QList<QByteArray>() : names.split(':');
    if (!given.isEmpty() && given.size() != n) {
        *error = QStringLiteral("LISTEN_FDNAMES names %1 sockets, LISTEN_FDS says %2").arg(given.size()).arg(n);
        return std::nullopt;
    }
    QList<Socket> sockets;
    for (int i = 0; i < n; ++i)
        sockets.append({given.isEmpty() ? QStringLiteral("unknown") : QString::fromUtf8(given.at(i)), FirstFd + i});
    return sockets;
}

const QList<Socket> &inherited()
{
    static const QList<Socket> sockets = [] {
        QString error;
        auto parsed = parse(qgetenv("LISTEN_PID"), qgetenv("LISTEN_FDS"), qgetenv("LISTEN_FDNAMES"), qint64(::getpid()), &error);
        qunsetenv("LISTEN_PID");
        qunsetenv("LISTEN_FDS");
        qunsetenv("LISTEN_FDNAMES");
        if (!parsed) {
            qCWarning(lcProcess).noquote() << "ignored the inherited sockets:" << error;
            return QList<Socket>();
        }
        for (const Socket &socket : std::as_const(*parsed)) {
            struct stat status = {};
            if (fstat(socket.fd, &status) != 0 || !S_ISSOCK(status.st_mode)) {
                qCWarning(lcProcess).noquote() << QStringLiteral("ignored the inherited sockets: descriptor %1 (%2) is not a socket")
                                                      .arg(socket.fd).arg(socket.name);
                return QList<Socket>();
            }
            fcntl(socket.fd, F_SETFD, FD_CLOEXEC);
        }
        return *parsed;
    }();
    return sockets;
}

} // namespace Clustr::ListenSockets
