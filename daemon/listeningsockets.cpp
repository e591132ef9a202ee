// SPDX-License-Identifier: MIT
#include "listeningsockets.h"

#include <QtCore/QFile>
#include <QtNetwork/QHostAddress>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

int listenTcp(const ClusterFile::Socket &socket, QString *error)
{
    const QHostAddress address(socket.host);
    sockaddr_storage storage = {};
    socklen_t length = 0;
    int family = AF_INET;
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        family = AF_INET6;
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(quint16(socket.port));
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof(in6->sin6_addr));
        length = sizeof(sockaddr_in6);
    } else {
        auto *in4 = reinterpret_cast<sockaddr_in *>(&storage);
        in4->sin_family = AF_INET;
        in4->sin_port = htons(quint16(socket.port));
        in4->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = systemError();
        return -1;
    }
    // A daemon restarted at once must not wait for the old connections' TIME_WAIT.
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 || ::listen(fd, socket.backlog) != 0) {
        *error = systemError();
        ::close(fd);
        return -1;
    }
    return fd;
}

int listenUnix(const ClusterFile::Socket &socket, QString *error)
{
    const QByteArray path = QFile::encodeName(socket.path);
    sockaddr_un address = {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = systemError();
        return -1;
    }
    // A socket file left by a daemon that died is taken over; one somebody
    // listens on, or a file that is no socket, is not.
    struct stat status = {};
    if (::lstat(path.constData(), &status) == 0) {
        if (!S_ISSOCK(status.st_mode)) {
            *error = QStringLiteral("the path exists and is not a socket");
            ::close(fd);
            return -1;
        }
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0 || errno != ECONNREFUSED) {
            *error = QStringLiteral("another process listens there");
            ::close(fd);
            return -1;
        }
        ::close(fd);
        if (::unlink(path.constData()) != 0) {
            *error = QStringLiteral("a stale socket file is there and cannot be removed: ") + systemError();
            return -1;
        }
        return listenUnix(socket, error);
    }
    if (::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0 || ::listen(fd, socket.backlog) != 0) {
        *error = systemError();
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace

ListeningSockets::~ListeningSockets()
{
    closeAll();
}

bool ListeningSockets::open(const QList<ClusterFile::Socket> &sockets, QString *error)
{
    for (const ClusterFile::Socket &socket : sockets) {
        const QString where = socket.path.isEmpty() ? QStringLiteral("%1:%2").arg(socket.host).arg(socket.port) : socket.path;
        QString problem;
        const int fd = socket.path.isEmpty() ? listenTcp(socket, &problem) : listenUnix(socket, &problem);
        if (fd < 0) {
            *error = QStringLiteral("cannot listen on %1 (socket \"%2\"): %3").arg(where, socket.name, problem);
            closeAll();
            return false;
        }
        m_fds.insert(socket.name, fd);
        m_where.insert(socket.name, where);
        if (!socket.path.isEmpty())
            m_paths.append(socket.path);
    }
    return true;
}

QString ListeningSockets::describe() const
{
    QStringList parts;
    for (auto it = m_where.cbegin(); it != m_where.cend(); ++it)
        parts.append(QStringLiteral("%1 at %2").arg(it.key(), it.value()));
    return parts.join(QStringLiteral(", "));
}

void ListeningSockets::closeAll()
{
    for (const int fd : std::as_const(m_fds))
        ::close(fd);
    for (const QString &path : std::as_const(m_paths))
        ::unlink(QFile::encodeName(path).constData());
    m_fds.clear();
    m_where.clear();
    m_paths.clear();
}
