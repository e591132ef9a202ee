// SPDX-License-Identifier: MIT
#include "listensocket.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Example {

namespace {

int fail(int fd, const char *what, QString *error)
{
    const int savedErrno = errno;
    if (fd >= 0)
        ::close(fd);
    if (error)
        *error = QStringLiteral("%1: %2").arg(QLatin1String(what), QString::fromLocal8Bit(std::strerror(savedErrno)));
    return -1;
}

} // namespace

int listenSocket(const QHostAddress &address, quint16 port, ListenMode mode, QString *error)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&in6->sin6_addr, &bytes, sizeof(bytes));
        length = sizeof(sockaddr_in6);
    } else {
        if (error)
            *error = QStringLiteral("not an IPv4 or IPv6 address: %1").arg(address.toString());
        return -1;
    }

    // Inherited: no close-on-exec, so that the workers the master spawns
    // get it (their number is passed as --listen-fd).
    const int flags = SOCK_STREAM | SOCK_NONBLOCK | (mode == ListenMode::Inherited ? 0 : SOCK_CLOEXEC);
    const int fd = ::socket(storage.ss_family, flags, 0);
    if (fd < 0)
        return fail(fd, "socket", error);
    const int on = 1;
    // SO_REUSEADDR: a new pool binds at once even while connections of the
    // old one linger in TIME_WAIT. SO_REUSEPORT: every worker listens on the
    // port (every socket of the group must set it, under the same user).
    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0)
        return fail(fd, "setsockopt(SO_REUSEADDR)", error);
    if (mode == ListenMode::ReusePort && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
        return fail(fd, "setsockopt(SO_REUSEPORT)", error);
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&storage), length) != 0)
        return fail(fd, "bind", error);
    if (::listen(fd, SOMAXCONN) != 0)
        return fail(fd, "listen", error);
    return fd;
}

quint16 localPort(int fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
    return 0;
}

} // namespace Example
