// SPDX-License-Identifier: MIT
#include "detach.h"

#include "cli.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QRandomGenerator>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace Detach {

namespace {

// A datagram socket in the abstract namespace: nothing to clean up in the
// file system, gone with the last descriptor.
int notifySocket(QByteArray *name)
{
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    *name = "@clustr-qt-detach-" + QByteArray::number(::getpid()) + '-' + QByteArray::number(QRandomGenerator::system()->generate(), 16);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    memcpy(address.sun_path + 1, name->constData() + 1, size_t(name->size() - 1));
    const socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(name->size()));
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&address), length) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// The last \a lines lines the background process wrote from \a offset on.
QString logTail(const QString &logFile, qint64 offset, int lines)
{
    QFile file(logFile);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(offset))
        return QString();
    QStringList all = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (all.size() > lines)
        all = all.mid(all.size() - lines);
    return all.join(QLatin1Char('\n'));
}

QString exitDescription(int status)
{
    if (WIFSIGNALED(status))
        return QStringLiteral("was killed by signal %1").arg(WTERMSIG(status));
    return QStringLiteral("exited with code %1").arg(WEXITSTATUS(status));
}

} // namespace

QString defaultLogFile(const QString &clusterName)
{
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty())
        state = QDir::homePath() + QStringLiteral("/.local/state");
    return state + QStringLiteral("/clustr-qt/") + clusterName + QStringLiteral(".log");
}

int runInBackground(const QStringList &runArguments, const QString &logFile, const QString &displayName, int timeoutMs)
{
    if (!QDir().mkpath(QFileInfo(logFile).absolutePath())) {
        Cli::err(QStringLiteral("run --detach: cannot create the directory of the log file %1").arg(logFile));
        return Cli::Failed;
    }
    const int logFd = ::open(QFile::encodeName(logFile).constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (logFd < 0) {
        Cli::err(QStringLiteral("run --detach: cannot open the log file %1: %2").arg(logFile, QString::fromLocal8Bit(strerror(errno))));
        return Cli::Failed;
    }
    const qint64 logStart = ::lseek(logFd, 0, SEEK_END);
    QByteArray socketName;
    const int notifyFd = notifySocket(&socketName);
    if (notifyFd < 0) {
        Cli::err(QStringLiteral("run --detach: cannot make the socket to hear the background process on: %1").arg(QString::fromLocal8Bit(strerror(errno))));
        ::close(logFd);
        return Cli::Failed;
    }

    // argv and environ for the background run: ours, with NOTIFY_SOCKET ours.
    QList<QByteArray> argvBytes{QFile::encodeName(QCoreApplication::applicationFilePath()), QByteArrayLiteral("run")};
    for (const QString &argument : runArguments)
        argvBytes.append(argument.toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &argument : argvBytes)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    QList<QByteArray> envBytes{"NOTIFY_SOCKET=" + socketName};
    for (char **e = environ; *e; ++e) {
        if (strncmp(*e, "NOTIFY_SOCKET=", 14) != 0)
            envBytes.append(QByteArray(*e));
    }
    std::vector<char *> envp;
    for (QByteArray &variable : envBytes)
        envp.push_back(variable.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, logFd, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, logFd, STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    // A session of its own: the terminal's hang-up and Ctrl-C are not its.
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv.front(), &actions, &attributes, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    ::close(logFd);
    if (spawned != 0) {
        Cli::err(QStringLiteral("run --detach: cannot start %1: %2").arg(QString::fromLocal8Bit(argv.front()), QString::fromLocal8Bit(strerror(spawned))));
        ::close(notifyFd);
        return Cli::Failed;
    }

    // Its readiness, or its end, whichever comes first. The socket is polled
    // in short steps because the end of a child is not a descriptor.
    const QDeadlineTimer deadline(timeoutMs);
    QByteArray status;
    while (true) {
        pollfd p{notifyFd, POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            char buffer[512];
            const ssize_t n = ::recv(notifyFd, buffer, sizeof buffer, 0);
            if (n > 0) {
                const QByteArray message(buffer, int(n));
                if (message.split('\n').contains("READY=1")) {
                    for (const QByteArray &line : message.split('\n')) {
                        if (line.startsWith("STATUS="))
                            status = line.mid(7);
                    }
                    break;
                }
            }
        }
        int waitStatus = 0;
        if (::waitpid(pid, &waitStatus, WNOHANG) == pid) {
            ::close(notifyFd);
            Cli::err(QStringLiteral("run --detach: the cluster \"%1\" did not start: clustr-qt run %2; the end of %3:")
                         .arg(displayName, exitDescription(waitStatus), logFile));
            Cli::err(logTail(logFile, logStart, 20));
            return WIFEXITED(waitStatus) && WEXITSTATUS(waitStatus) != 0 ? WEXITSTATUS(waitStatus) : int(Cli::Failed);
        }
        if (deadline.hasExpired()) {
            ::close(notifyFd);
            Cli::err(QStringLiteral("run --detach: the cluster \"%1\" has not said it started within %2 s; it goes on in the "
                                    "background (master pid %3), see %4")
                         .arg(displayName).arg(timeoutMs / 1000).arg(pid).arg(logFile));
            return Cli::TimedOut;
        }
    }
    ::close(notifyFd);
    Cli::out(QStringLiteral("cluster \"%1\" started in the background: master pid %2%3, log %4; stop it with: clustr-qt stop --cluster %1")
                 .arg(displayName).arg(pid).arg(status.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(QString::fromUtf8(status)), logFile));
    return Cli::Ok;
}

} // namespace Detach
