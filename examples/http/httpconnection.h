// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace Example {

/*!
  One HTTP/1.1 connection: `GET /` (and `HEAD /`) answer `200` with the body
  `pid <pid>\n`, anything else 404, 405 or 400. Keep-alive is supported
  (HTTP/1.1's default; `Connection: close` from the client closes after the
  response); pipelined requests are answered in order. Each `/` response
  waits \a delay first, to simulate work.

  drain() is the graceful end: a request already received is still
  answered (with `Connection: close`), an idle keep-alive connection is
  closed at once, and a connection that has not sent a complete request yet
  gets a short grace period to do so -- it was accepted, so its client
  expects an answer.
*/
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(QTcpSocket *socket, std::chrono::milliseconds delay, QObject *parent = nullptr);

    void drain(std::chrono::milliseconds grace);

Q_SIGNALS:
    //! The connection is closed; the object deletes itself afterwards.
    void finished();

private:
    struct Response
    {
        int status = 200;
        QByteArray body;
        QByteArray extraHeaders;
        bool keepAlive = true;
        bool headOnly = false;
    };

    void readRequests();
    //! Takes one complete request off the buffer and starts answering it; false if none is complete.
    bool takeRequest();
    void startResponse(const Response &response, bool delayed);
    void writeResponse();
    void fail(int status);
    void closeConnection();
    void onDisconnected();

    QTcpSocket *m_socket;
    std::chrono::milliseconds m_delay;
    QByteArray m_buffer;
    Response m_pending;
    QTimer m_delayTimer;
    QTimer m_graceTimer;
    int m_served = 0;
    bool m_responding = false;
    bool m_draining = false;
    bool m_closing = false;
    bool m_finished = false;
};

} // namespace Example
