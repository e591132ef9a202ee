// SPDX-License-Identifier: MIT
#include "localend_p.h"

#include <QtCore/QDir>
#include <QtCore/QFile>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace Clustr::Tls {

QString systemError(int code)
{
    return QString::fromLocal8Bit(std::strerror(code));
}

namespace {

// A socket path must fit sockaddr_un::sun_path (108 bytes with its NUL) as
// hiredis copies it: a long $TMPDIR falls back to /tmp.
QByteArray directoryTemplate()
{
    QByteArray base = QFile::encodeName(QDir::tempPath());
    if (base.isEmpty() || base.size() > 64)
        base = QByteArrayLiteral("/tmp");
    return base + "/clustr-tls-XXXXXX";
}

} // namespace

LocalEnd::~LocalEnd()
{
    close();
}

bool LocalEnd::listen(QString *error)
{
    QByteArray directory = directoryTemplate();
    // mkdtemp() creates it 0700 and fails rather than reuse what exists.
    if (!::mkdtemp(directory.data())) {
        *error = QStringLiteral("cannot create a private directory for the TLS tunnel (%1): %2")
                     .arg(QString::fromLocal8Bit(directory), systemError(errno));
        return false;
    }
    m_directory = directory;
    m_path = directory + "/s";

    m_listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, m_path.constData(), size_t(m_path.size()) + 1);
    if (m_listener < 0 || ::bind(m_listener, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0
        || ::listen(m_listener, 1) != 0) {
        const int code = errno;
        close();
        *error = QStringLiteral("cannot listen for the TLS tunnel: %1").arg(systemError(code));
        return false;
    }
    return true;
}

int LocalEnd::acceptOwn()
{
    while (m_listener >= 0) {
        const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return -1; // EAGAIN: nobody yet
        }
        // The directory keeps other users out; this keeps out every other
        // process of ours too: only this process' hiredis may connect.
        ucred peer{};
        socklen_t length = sizeof(peer);
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) != 0 || peer.pid != ::getpid()) {
            ::close(fd);
            continue;
        }
        close();
        return fd;
    }
    return -1;
}

void LocalEnd::close()
{
    if (m_listener >= 0) {
        ::close(m_listener);
        m_listener = -1;
    }
    if (!m_directory.isEmpty()) {
        ::unlink(m_path.constData());
        ::rmdir(m_directory.constData());
        m_directory.clear();
    }
}

} // namespace Clustr::Tls
