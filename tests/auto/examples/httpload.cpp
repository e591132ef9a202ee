// SPDX-License-Identifier: MIT
#include "httpload.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpSocket>

#include <functional>

namespace {

constexpr int RequestTimeoutMs = 10000;

// One request on its own connection; reports once, then deletes itself.
class HttpRequest : public QObject
{
public:
    using Done = std::function<void(bool ok, qint64 pid, const QString &error)>;

    HttpRequest(quint16 port, Done done, QObject *parent)
        : QObject(parent)
        , m_done(std::move(done))
    {
        connect(&m_socket, &QTcpSocket::connected, this, [this] {
            m_socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        });
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

private:
    // Complete once the body announced by Content-Length is there; at the
    // end of the connection (\a ended) anything less is a failure.
    void evaluate(bool ended)
    {
        if (m_reported)
            return;
        m_response += m_socket.readAll();
        const qsizetype headEnd = m_response.indexOf("\r\n\r\n");
        static const QRegularExpression length(QStringLiteral("(?i)\r\ncontent-length: *(\\d+)"));
        const QString head = QString::fromLatin1(m_response.left(qMax<qsizetype>(headEnd, 0)));
        const auto lengthMatch = length.match(head);
        if (headEnd >= 0 && lengthMatch.hasMatch()
            && m_response.size() >= headEnd + 4 + lengthMatch.captured(1).toLongLong()) {
            const QByteArray body = m_response.mid(headEnd + 4);
            static const QRegularExpression pidBody(QStringLiteral("^pid (\\d+)\n$"));
            const auto pidMatch = pidBody.match(QString::fromLatin1(body));
            if (head.startsWith(QLatin1String("HTTP/1.1 200 ")) && pidMatch.hasMatch())
                report(true, pidMatch.captured(1).toLongLong(), {});
            else
                report(false, 0, QStringLiteral("unexpected answer: ") + QString::fromLatin1(m_response.left(200)));
            return;
        }
        if (ended) {
            report(false, 0, QStringLiteral("%1 after %2 bytes")
                                 .arg(m_socket.error() == QAbstractSocket::UnknownSocketError
                                          ? QStringLiteral("connection ended") : m_socket.errorString())
                                 .arg(m_response.size()));
        }
    }

    void report(bool ok, qint64 pid, const QString &error)
    {
        if (m_reported)
            return;
        m_reported = true;
        m_timer.stop();
        m_socket.abort();
        m_done(ok, pid, error);
        deleteLater();
    }

    QTcpSocket m_socket;
    QTimer m_timer;
    QByteArray m_response;
    Done m_done;
    bool m_reported = false;
};

} // namespace

HttpLoad::HttpLoad(quint16 port, int concurrency, QObject *parent)
    : QObject(parent)
    , m_port(port)
    , m_concurrency(concurrency)
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
    new HttpRequest(m_port, [this](bool ok, qint64 pid, const QString &error) { finished(ok, pid, error); }, this);
}

void HttpLoad::finished(bool ok, qint64 pid, const QString &error)
{
    --m_inFlight;
    if (ok) {
        ++m_succeeded;
        ++m_byPid[pid];
    } else {
        m_failures.append(error);
    }
    if (m_running)
        launch();
}
