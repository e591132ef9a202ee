// SPDX-License-Identifier: MIT
#include "httpserver.h"

#include "httpconnection.h"
#include "reuseport.h"

#include <QtNetwork/QTcpSocket>

#include <cerrno>

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
    const int fd = listenReusePort(address, port, error);
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

void HttpServer::drain(std::function<void()> done)
{
    m_drained = std::move(done);
    m_draining = true;
    if (m_server.isListening()) {
        takePendingConnections();
        // Connections the kernel has completed but nobody has accepted yet
        // would be reset when the socket closes: accept them all first, so
        // the window in which a connection can still land here shrinks to
        // the few microseconds between the last accept() and close().
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
