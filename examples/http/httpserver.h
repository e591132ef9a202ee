// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>

#include <chrono>
#include <functional>

namespace Example {

class HttpConnection;

/*!
  The HTTP server of one worker of the pool: a QTcpServer on the pool's
  inherited listening socket (adoptListeningSocket()), or on a socket of its own with
  SO_REUSEPORT (listen()).

  drain() is what the worker's kill handler runs: stop accepting (with a
  socket of its own, first take every connection the kernel has queued for
  it), let each connection answer what it has received, and call back once
  the last one is closed.
*/
class HttpServer : public QObject
{
    Q_OBJECT
public:
    explicit HttpServer(std::chrono::milliseconds delay, QObject *parent = nullptr);

    //! A socket of this worker's own, with SO_REUSEPORT.
    bool listen(const QHostAddress &address, quint16 port, QString *error);
    //! The pool's listening socket \a fd, inherited from the master.
    bool adoptListeningSocket(int fd, QString *error);
    quint16 port() const { return m_server.serverPort(); }
    int connectionCount() const { return int(m_connections.size()); }

    void drain(std::function<void()> done);

private:
    void takePendingConnections();
    void acceptQueuedByKernel();
    void adopt(QTcpSocket *socket);
    void finishDrainIfIdle();

    QTcpServer m_server;
    std::chrono::milliseconds m_delay;
    QSet<HttpConnection *> m_connections;
    std::function<void()> m_drained;
    bool m_draining = false;
    bool m_sharedQueue = false;
};

} // namespace Example
