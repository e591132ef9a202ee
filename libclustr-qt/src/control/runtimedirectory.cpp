// SPDX-License-Identifier: MIT
#include "runtimedirectory_p.h"

#include <QtCore/QFile>
#include <QtCore/QFileInfo>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace Clustr::RuntimeDirectory {

namespace {

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

void setError(QString *error, const QString &text)
{
    if (error)
        *error = text;
}

// Closes a descriptor on every way out.
struct Descriptor
{
    int fd = -1;
    ~Descriptor()
    {
        if (fd >= 0)
            ::close(fd);
    }
};

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

} // namespace

QString path()
{
    const QString xdg = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!xdg.isEmpty())
        return xdg + QStringLiteral("/clustr-qt");
    // Root's services have no XDG_RUNTIME_DIR; /run is root's own, where
    // the shipped systemd unit's RuntimeDirectory= puts it too.
    if (::geteuid() == 0 && QFileInfo(QStringLiteral("/run")).isDir())
        return QStringLiteral("/run/clustr-qt");
    return QStringLiteral("/tmp/clustr-qt-%1").arg(::geteuid());
}

bool verify(const QString &directory, QString *error)
{
    struct stat info{};
    if (::lstat(QFile::encodeName(directory).constData(), &info) != 0) {
        setError(error, QStringLiteral("%1: %2").arg(directory, errnoText(errno)));
        return false;
    }
    QString problem;
    if (S_ISLNK(info.st_mode))
        problem = QStringLiteral("it is a symbolic link");
    else if (!S_ISDIR(info.st_mode))
        problem = QStringLiteral("it is not a directory");
    else if (info.st_uid != ::geteuid())
        problem = QStringLiteral("it belongs to uid %1, not to this user (uid %2)").arg(info.st_uid).arg(::geteuid());
    else if ((info.st_mode & 07777) != 0700)
        problem = QStringLiteral("its mode is %1, not 0700").arg(info.st_mode & 07777, 4, 8, QLatin1Char('0'));
    if (problem.isEmpty())
        return true;
    setError(error, QStringLiteral("refusing the runtime directory %1: %2 (someone else may have made it; remove it, or "
                                   "set XDG_RUNTIME_DIR to a directory of your own)")
                        .arg(directory, problem));
    return false;
}

bool ensure(QString *error)
{
    const QString directory = path();
    const QByteArray native = QFile::encodeName(directory);
    // Only the last component is ours to make: the parent is the user's runtime directory, /run or /tmp.
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST) {
        setError(error, QStringLiteral("cannot create %1: %2").arg(directory, errnoText(errno)));
        return false;
    }
    return verify(directory, error);
}

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QByteArray temporary = QFile::encodeName(path) + ".XXXXXX";
    Descriptor file{::mkostemp(temporary.data(), O_CLOEXEC)}; // O_EXCL, mode 0600
    if (file.fd < 0) {
        setError(error, QStringLiteral("cannot write %1: %2").arg(path, errnoText(errno)));
        return false;
    }
    if (!writeAll(file.fd, bytes) || ::fsync(file.fd) != 0
        || ::rename(temporary.constData(), QFile::encodeName(path).constData()) != 0) {
        const int saved = errno;
        ::unlink(temporary.constData());
        setError(error, QStringLiteral("cannot write %1: %2").arg(path, errnoText(saved)));
        return false;
    }
    return true;
}

std::optional<QByteArray> readFile(const QString &path, qint64 maxBytes, QString *error)
{
    Descriptor file{::open(QFile::encodeName(path).constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)};
    if (file.fd < 0) {
        setError(error, errno == ELOOP ? QStringLiteral("%1 is a symbolic link").arg(path)
                                       : QStringLiteral("%1: %2").arg(path, errnoText(errno)));
        return std::nullopt;
    }
    struct stat info{};
    if (::fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
        setError(error, QStringLiteral("%1 is not a file of this user").arg(path));
        return std::nullopt;
    }
    QByteArray bytes(qsizetype(std::min<qint64>(maxBytes, info.st_size)), Qt::Uninitialized);
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::read(file.fd, bytes.data() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += n;
    }
    bytes.truncate(done);
    return bytes;
}

bool servedByUs(const QString &socketPath, QString *error)
{
    const QByteArray native = QFile::encodeName(socketPath);
    sockaddr_un address{};
    if (native.size() >= qsizetype(sizeof(address.sun_path))) {
        setError(error, QStringLiteral("%1: the socket path is too long").arg(socketPath));
        return false;
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, native.constData(), size_t(native.size()));
    Descriptor socket{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (socket.fd < 0 || ::connect(socket.fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) != 0) {
        setError(error, QStringLiteral("%1: %2").arg(socketPath, errnoText(errno)));
        return false;
    }
    ucred peer{};
    socklen_t length = sizeof(peer);
    if (::getsockopt(socket.fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0) {
        setError(error, QStringLiteral("%1: cannot tell who serves it: %2").arg(socketPath, errnoText(errno)));
        return false;
    }
    if (peer.uid != ::geteuid()) {
        setError(error, QStringLiteral("%1 is served by uid %2 (pid %3), not by this user (uid %4): not trusted")
                            .arg(socketPath).arg(peer.uid).arg(peer.pid).arg(::geteuid()));
        return false;
    }
    return true;
}

} // namespace Clustr::RuntimeDirectory
