// SPDX-License-Identifier: MIT
#include "httpserver.h"

#include "httpconnection.h"
#include "listensocket.h"

#include <QtNetwork/QTcpSocket>

#include <cerrno>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Example {

namespace {

// How long an accepted connection may take to send its request once the
// drain has begun. Clients send it right after connecting, so this only
// bounds a client that never does.
constexpr std::chrono::milliseconds RequestGrace{1000};

} // namespace

HttpServer::HttpServer(std::chrono::milliseconds delay, QObject *parent)
    : QObject(parent)
    , m_delay(delay)
{
    connect(&m_server, &QTcpServer::newConnection, this, &HttpServer::takePendingConnections);
}

bool HttpServer::listen(const QHostAddress &address, quint16 port, QString *error)
{
    // QTcpServer::listen() cannot set SO_REUSEPORT; it adopts a socket made here instead.
    const int fd = listenSocket(address, port, ListenMode::ReusePort, error);
    if (fd < 0)
        return false;
    if (!m_server.setSocketDescriptor(fd)) {
        if (error)
            *error = m_server.errorString();
        ::close(fd);
        return false;
    }
    return true;
}

bool HttpServer::adoptListeningSocket(int fd, QString *error)
{
    int type = 0;
    int listening = 0;
    socklen_t length = sizeof(type);
    socklen_t listeningLength = sizeof(listening);
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM
        || ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &listeningLength) != 0 || !listening) {
        if (error)
            *error = QStringLiteral("descriptor %1 is not a listening TCP socket").arg(fd);
        return false;
    }
    // Ours now: not handed on to anything this worker might start.
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (!m_server.setSocketDescriptor(fd)) {
        if (error)
            *error = m_server.errorString();
        return false;
    }
    m_sharedQueue = true;
    return true;
}

void HttpServer::drain(std::function<void()> done)
{
    m_drained = std::move(done);
    m_draining = true;
    if (m_server.isListening()) {
        takePendingConnections();
        // With a socket of its own, connections the kernel has completed but
        // nobody has accepted yet would be reset when it closes: accept them
        // all first, so the window in which a connection can still land here
        // shrinks to the microseconds between the last accept() and close().
        // The pool's shared socket stays open in the master and the other
        // workers, and they take what is queued: nothing to do.
        if (!m_sharedQueue)
            acceptQueuedByKernel();
        m_server.close();
    }
    for (HttpConnection *connection : std::as_const(m_connections))
        connection->drain(RequestGrace);
    finishDrainIfIdle();
}

void HttpServer::takePendingConnections()
{
    while (m_server.hasPendingConnections())
        adopt(m_server.nextPendingConnection());
}

void HttpServer::acceptQueuedByKernel()
{
    for (;;) {
        const int fd = ::accept4(int(m_server.socketDescriptor()), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; // EAGAIN: the queue is empty
        }
        auto *socket = new QTcpSocket;
        if (!socket->setSocketDescriptor(fd)) {
            ::close(fd);
            delete socket;
            continue;
        }
        adopt(socket);
    }
}

void HttpServer::adopt(QTcpSocket *socket)
{
    auto *connection = new HttpConnection(socket, m_delay, this);
    m_connections.insert(connection);
    connect(connection, &HttpConnection::finished, this, [this, connection] {
        m_connections.remove(connection);
        finishDrainIfIdle();
    });
    if (m_draining)
        connection->drain(RequestGrace);
}

void HttpServer::finishDrainIfIdle()
{
    if (!m_draining || !m_connections.isEmpty() || !m_drained)
        return;
    // Called once: whatever the handler does next (the process exits) must not run twice.
    const auto drained = std::exchange(m_drained, {});
    drained();
}

} // namespace Example
