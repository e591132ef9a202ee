// SPDX-License-Identifier: MIT
#include "sdnotify.h"

#include <QtCore/QtGlobal>

#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace SdNotify {

namespace {

const QByteArray &socketPath()
{
    static const QByteArray path = [] {
        const QByteArray fromEnvironment = qgetenv("NOTIFY_SOCKET");
        qunsetenv("NOTIFY_SOCKET");
        return fromEnvironment;
    }();
    return path;
}

} // namespace

void takeSocket()
{
    socketPath();
}

bool notify(const QByteArray &state)
{
    const QByteArray &path = socketPath();
    if (path.isEmpty())
        return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (size_t(path.size()) >= sizeof(address.sun_path))
        return false;
    memcpy(address.sun_path, path.constData(), size_t(path.size()));
    if (address.sun_path[0] == '@')
        address.sun_path[0] = '\0';
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const socklen_t length = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(path.size()));
    const ssize_t sent = ::sendto(fd, state.constData(), size_t(state.size()), MSG_NOSIGNAL,
                                  reinterpret_cast<const sockaddr *>(&address), length);
    ::close(fd);
    return sent == state.size();
}

} // namespace SdNotify
