// SPDX-License-Identifier: MIT
#include "httpload.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpSocket>

#include <functional>

namespace {

constexpr int RequestTimeoutMs = 10000;

/*
  One loop of requests: each on its own connection (close), or as many on
  one connection as the server keeps it open (keep-alive). Reports every
  answer; deletes itself once its last request is answered and \a more
  says no further one is wanted.
*/
class HttpRequest : public QObject
{
public:
    using Done = std::function<void(bool ok, qint64 pid, const QString &error)>;
    using More = std::function<bool()>;

    HttpRequest(quint16 port, bool keepAlive, Done done, More more, QObject *parent)
        : QObject(parent)
        , m_port(port)
        , m_keepAlive(keepAlive)
        , m_done(std::move(done))
        , m_more(std::move(more))
    {
        connect(&m_socket, &QTcpSocket::connected, this, &HttpRequest::send);
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
            m_response += m_socket.readAll();
            evaluate(false);
        });
        connect(&m_socket, &QTcpSocket::errorOccurred, this, [this] { evaluate(true); });
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] { evaluate(true); });
        m_timer.setSingleShot(true);
        connect(&m_timer, &QTimer::timeout, this, [this] { report(false, 0, QStringLiteral("no answer in time")); });
        m_timer.start(RequestTimeoutMs);
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    // Deleted with its load while a request is under way (a test that
    // failed): the socket, closing as it goes, must not report to callbacks
    // already destroyed.
    ~HttpRequest() override { m_socket.disconnect(this); }

private:
    void send()
    {
        m_socket.write(m_keepAlive ? "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                   : "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    }

    // Complete once the body announced by Content-Length is there; at the
    // end of the connection (\a ended) anything less is a failure.
    void evaluate(bool ended)
    {
        if (m_reported || m_aborting)
            return;
        m_response += m_socket.readAll();
        const qsizetype headEnd = m_response.indexOf("\r\n\r\n");
        static const QRegularExpression length(QStringLiteral("(?i)\r\ncontent-length: *(\\d+)"));
        const QString head = QString::fromLatin1(m_response.left(qMax<qsizetype>(headEnd, 0)));
        const auto lengthMatch = length.match(head);
        if (headEnd >= 0 && lengthMatch.hasMatch()
            && m_response.size() >= headEnd + 4 + lengthMatch.captured(1).toLongLong()) {
            const qsizetype end = headEnd + 4 + lengthMatch.captured(1).toLongLong();
            const QByteArray body = m_response.mid(headEnd + 4, end - headEnd - 4);
            static const QRegularExpression pidBody(QStringLiteral("^pid (\\d+)\n$"));
            static const QRegularExpression closing(QStringLiteral("(?i)\r\nconnection: *close"));
            const auto pidMatch = pidBody.match(QString::fromLatin1(body));
            const bool kept = m_keepAlive && !closing.match(head).hasMatch();
            m_response.remove(0, end);
            if (head.startsWith(QLatin1String("HTTP/1.1 200 ")) && pidMatch.hasMatch())
                report(true, pidMatch.captured(1).toLongLong(), {}, kept);
            else
                report(false, 0, QStringLiteral("unexpected answer: ") + head.left(200));
            return;
        }
        if (ended) {
            report(false, 0, QStringLiteral("%1 after %2 bytes")
                                 .arg(m_socket.error() == QAbstractSocket::UnknownSocketError
                                          ? QStringLiteral("connection ended") : m_socket.errorString())
                                 .arg(m_response.size()));
        }
    }

    // After an answer: the next request on the same connection while the
    // server keeps it, else on a new one; or nothing more.
    void report(bool ok, qint64 pid, const QString &error, bool kept = false)
    {
        if (m_reported)
            return;
        m_timer.stop();
        m_done(ok, pid, error);
        if (!m_more()) {
            m_reported = true;
            m_socket.abort();
            deleteLater();
            return;
        }
        m_timer.start(RequestTimeoutMs);
        if (kept && ok) {
            send();
            return;
        }
        m_response.clear();
        m_aborting = true; // the end of this connection is no failure
        m_socket.abort();
        m_aborting = false;
        m_socket.connectToHost(QHostAddress::LocalHost, m_port);
    }

    quint16 m_port;
    bool m_keepAlive;
    QTcpSocket m_socket;
    QTimer m_timer;
    QByteArray m_response;
    Done m_done;
    More m_more;
    bool m_reported = false;
    bool m_aborting = false;
};

} // namespace

HttpLoad::HttpLoad(quint16 port, int concurrency, Mode mode, QObject *parent)
    : QObject(parent)
    , m_port(port)
    , m_concurrency(concurrency)
    , m_mode(mode)
{
}

void HttpLoad::start()
{
    m_running = true;
    for (int i = 0; i < m_concurrency; ++i)
        launch();
}

void HttpLoad::stop()
{
    m_running = false;
}

void HttpLoad::launch()
{
    ++m_inFlight;
    auto *loop = new HttpRequest(
        m_port, m_mode == Mode::KeepAlive, [this](bool ok, qint64 pid, const QString &error) { finished(ok, pid, error); },
        [this] { return m_running; }, this);
    connect(loop, &QObject::destroyed, this, [this] { --m_inFlight; });
}

void HttpLoad::finished(bool ok, qint64 pid, const QString &error)
{
    if (ok) {
        ++m_succeeded;
        ++m_byPid[pid];
    } else {
        m_failures.append(error);
    }
}
