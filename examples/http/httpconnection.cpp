// SPDX-License-Identifier: MIT
#include "httpconnection.h"

#include <QtCore/QCoreApplication>
#include <QtNetwork/QTcpSocket>

namespace Example {

namespace {

// Requests are tiny; anything larger is a mistake or an attack.
constexpr qsizetype MaxHeaderSize = 16 * 1024;
constexpr qsizetype MaxBodySize = 64 * 1024;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

struct Request
{
    QByteArray method;
    QByteArray path;
    QByteArray version;
    QByteArray connection; // lower case
    qint64 contentLength = 0;
    bool chunked = false;
};

// Parses the request line and the headers we care about; 0 on success, else an error status.
int parseHead(const QByteArray &head, Request *request)
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3)
        return 400;
    request->method = requestLine.at(0);
    request->path = requestLine.at(1);
    request->version = requestLine.at(2);
    if (request->version != "HTTP/1.1" && request->version != "HTTP/1.0")
        return 505;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return 400;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "connection") {
            request->connection = value.toLower();
        } else if (name == "content-length") {
            bool ok = false;
            request->contentLength = value.toLongLong(&ok);
            if (!ok || request->contentLength < 0)
                return 400;
            if (request->contentLength > MaxBodySize)
                return 413;
        } else if (name == "transfer-encoding") {
            request->chunked = true;
        }
    }
    return request->chunked ? 501 : 0;
}

} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, std::chrono::milliseconds delay, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_delay(delay)
{
    m_socket->setParent(this);
    m_delayTimer.setSingleShot(true);
    m_graceTimer.setSingleShot(true);
    connect(&m_delayTimer, &QTimer::timeout, this, &HttpConnection::writeResponse);
    connect(&m_graceTimer, &QTimer::timeout, this, [this] {
        if (!m_responding)
            closeConnection(); // the client never finished its request
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readRequests);
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);
    // Bytes may have arrived before we were connected to readyRead.
    QMetaObject::invokeMethod(this, &HttpConnection::readRequests, Qt::QueuedConnection);
}

namespace {
// How long a closing connection may take to flush its last response.
constexpr std::chrono::milliseconds CloseTimeout{1000};
} // namespace

void HttpConnection::drain(std::chrono::milliseconds grace)
{
    m_draining = true;
    if (m_responding || m_closing)
        return; // the response under way says Connection: close
    // Closing an idle keep-alive connection now would race the client's next
    // request, already on its way: it would see the connection reset. Give
    // it the grace period instead; a request that comes is answered with
    // "Connection: close", and a connection that stays silent is closed.
    m_graceTimer.start(grace);
}

void HttpConnection::readRequests()
{
    if (m_closing)
        return;
    m_buffer += m_socket->readAll();
    while (!m_responding && !m_closing && takeRequest()) {
    }
}

bool HttpConnection::takeRequest()
{
    const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
    if (headEnd < 0) {
        if (m_buffer.size() > MaxHeaderSize)
            fail(431);
        return false;
    }
    Request request;
    if (const int error = parseHead(m_buffer.left(headEnd), &request)) {
        fail(error);
        return false;
    }
    const qsizetype total = headEnd + 4 + request.contentLength;
    if (m_buffer.size() < total)
        return false; // the body is still on its way
    m_buffer.remove(0, total); // a body is read and ignored

    Response response;
    response.keepAlive = request.version == "HTTP/1.1" ? !request.connection.contains("close")
                                                       : request.connection.contains("keep-alive");
    response.headOnly = request.method == "HEAD";
    const qsizetype query = request.path.indexOf('?');
    const QByteArray path = query < 0 ? request.path : request.path.left(query);
    if (path != "/") {
        response.status = 404;
        response.body = "not found\n";
    } else if (request.method != "GET" && request.method != "HEAD") {
        response.status = 405;
        response.body = "method not allowed\n";
        response.extraHeaders = "Allow: GET, HEAD\r\n";
    } else {
        response.body = "pid " + QByteArray::number(QCoreApplication::applicationPid()) + '\n';
    }
    startResponse(response, response.status == 200);
    return true;
}

void HttpConnection::startResponse(const Response &response, bool delayed)
{
    m_graceTimer.stop();
    m_pending = response;
    m_responding = true;
    if (delayed && m_delay.count() > 0)
        m_delayTimer.start(m_delay);
    else
        writeResponse();
}

void HttpConnection::writeResponse()
{
    // Decided now, not when the request came: a drain may have begun meanwhile.
    const bool keepAlive = m_pending.keepAlive && !m_draining;
    QByteArray out = "HTTP/1.1 " + QByteArray::number(m_pending.status) + ' ' + reasonPhrase(m_pending.status) + "\r\n";
    out += "Content-Type: text/plain\r\nContent-Length: " + QByteArray::number(m_pending.body.size()) + "\r\n";
    out += m_pending.extraHeaders;
    out += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    if (!m_pending.headOnly)
        out += m_pending.body;
    m_socket->write(out);
    ++m_served;
    m_responding = false;
    if (!keepAlive) {
        closeConnection();
        return;
    }
    if (m_draining && m_buffer.isEmpty()) {
        closeConnection();
        return;
    }
    readRequests(); // pipelined requests, already buffered
}

void HttpConnection::fail(int status)
{
    // After a malformed request the stream cannot be trusted: answer, then close.
    m_buffer.clear();
    Response response;
    response.status = status;
    response.body = reasonPhrase(status) + '\n';
    response.keepAlive = false;
    startResponse(response, false);
}

void HttpConnection::closeConnection()
{
    if (m_closing)
        return;
    m_closing = true;
    m_graceTimer.stop();
    m_delayTimer.stop();
    m_socket->disconnectFromHost(); // after what is still queued has been written
    if (m_socket->state() == QAbstractSocket::UnconnectedState) {
        onDisconnected();
        return;
    }
    // A client that stops reading must not hold the drain (and the reload) up.
    QTimer::singleShot(CloseTimeout, this, [this] {
        if (!m_finished)
            m_socket->abort();
    });
}

void HttpConnection::onDisconnected()
{
    if (m_finished)
        return;
    m_finished = true;
    m_closing = true;
    m_delayTimer.stop();
    m_graceTimer.stop();
    Q_EMIT finished();
    deleteLater();
}

} // namespace Example
