// SPDX-License-Identifier: MIT
#include "tunnel_p.h"

#include "redis/sigpipeguard_p.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Clustr::Tls {

namespace {

// At most one TLS record per read.
constexpr int ChunkSize = 16 * 1024;
// Reading from a side stops while this much waits for the other side to take it.
constexpr qsizetype MaxBuffered = 1024 * 1024;

bool isAddress(const QByteArray &text)
{
    in6_addr address;
    return ::inet_pton(AF_INET, text.constData(), &address) == 1 || ::inet_pton(AF_INET6, text.constData(), &address) == 1;
}

// As hiredis' redisEnableKeepAlive() does for a plain TCP connection: a
// server that vanished without a word is noticed.
void enableKeepAlive(int fd)
{
    const int on = 1;
    const int idle = 15;
    const int interval = 5;
    const int count = 3;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof(on));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)); // hiredis' commands are small and pipelined already
}

bool wouldBlock(int code)
{
    return code == EAGAIN || code == EWOULDBLOCK;
}

template<typename Handler>
std::unique_ptr<QSocketNotifier> watch(int fd, QSocketNotifier::Type type, Handler handler)
{
    auto notifier = std::make_unique<QSocketNotifier>(fd, type);
    notifier->setEnabled(false);
    QObject::connect(notifier.get(), &QSocketNotifier::activated, notifier.get(), handler);
    return notifier;
}

} // namespace

Tunnel *Tunnel::create(const TlsSettings &settings, QString *error)
{
    SslContext context = createContext(settings, error);
    if (!context)
        return nullptr;
    std::unique_ptr<Tunnel> tunnel(new Tunnel(settings, std::move(context)));
    if (!tunnel->m_localEnd.listen(error) || !tunnel->startConnecting(error))
        return nullptr;
    Tunnel *self = tunnel.get();
    tunnel->m_listenerNotifier = watch(tunnel->m_localEnd.listener(), QSocketNotifier::Read, [self] { self->acceptLocal(); });
    tunnel->m_listenerNotifier->setEnabled(true);
    return tunnel.release();
}

Tunnel::Tunnel(const TlsSettings &settings, SslContext context)
    : m_settings(settings)
    , m_context(std::move(context))
{
}

Tunnel::~Tunnel()
{
    close();
}

bool Tunnel::startConnecting(QString *error)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    auto *v4 = reinterpret_cast<sockaddr_in *>(&storage);
    auto *v6 = reinterpret_cast<sockaddr_in6 *>(&storage);
    if (::inet_pton(AF_INET, m_settings.address.constData(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(quint16(m_settings.port));
        length = sizeof(*v4);
    } else if (::inet_pton(AF_INET6, m_settings.address.constData(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(quint16(m_settings.port));
        length = sizeof(*v6);
    } else {
        *error = QStringLiteral("\"%1\" is not an address").arg(QString::fromLatin1(m_settings.address));
        return false;
    }
    m_serverFd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_serverFd < 0) {
        *error = systemError(errno);
        return false;
    }
    enableKeepAlive(m_serverFd);
    if (::connect(m_serverFd, reinterpret_cast<sockaddr *>(&storage), length) != 0 && errno != EINPROGRESS) {
        *error = systemError(errno); // "Network is unreachable", as hiredis would say
        return false;
    }
    const auto activity = [this] {
        SigPipeGuard guard; // OpenSSL writes with write(2): a closed peer must not raise SIGPIPE
        serverEvent();
    };
    m_serverRead = watch(m_serverFd, QSocketNotifier::Read, activity);
    m_serverWrite = watch(m_serverFd, QSocketNotifier::Write, activity);
    waitFor(false, false, false, true); // writable: connected, or failed to
    return true;
}

void Tunnel::acceptLocal()
{
    m_listenerNotifier->setEnabled(false); // accepting closes the listener
    m_localFd = m_localEnd.acceptOwn();
    if (m_localFd < 0) {
        m_listenerNotifier->setEnabled(m_localEnd.listener() >= 0);
        return;
    }
    const auto activity = [this] {
        SigPipeGuard guard;
        pump();
    };
    m_localRead = watch(m_localFd, QSocketNotifier::Read, activity);
    m_localWrite = watch(m_localFd, QSocketNotifier::Write, activity);
    if (m_state == State::Open) {
        SigPipeGuard guard;
        pump();
    }
}

QString Tunnel::waitingFor() const
{
    switch (m_state) {
    case State::Connecting:
        return QStringLiteral("connecting over TCP");
    case State::Handshaking:
        // A port that speaks plain RESP takes the ClientHello for the start
        // of an inline command and waits for its end, saying nothing.
        return QStringLiteral("waiting for the server's TLS handshake (is this port a TLS port?)");
    case State::Open:
    case State::Closed:
        break;
    }
    return QString();
}

void Tunnel::serverEvent()
{
    switch (m_state) {
    case State::Connecting:
        connectFinished();
        break;
    case State::Handshaking:
        handshake();
        break;
    case State::Open:
        pump();
        break;
    case State::Closed:
        break;
    }
}

void Tunnel::connectFinished()
{
    int code = 0;
    socklen_t length = sizeof(code);
    if (::getsockopt(m_serverFd, SOL_SOCKET, SO_ERROR, &code, &length) != 0)
        code = errno;
    if (code != 0) {
        fail(systemError(code)); // "Connection refused"
        return;
    }
    if (!setUpTls())
        return;
    m_state = State::Handshaking;
    handshake();
}

bool Tunnel::setUpTls()
{
    ERR_clear_error();
    SSL_CTX_set_client_cert_cb(m_context.get(), &Tunnel::noClientCertificate);
    m_ssl = SSL_new(m_context.get());
    if (!m_ssl || SSL_set_fd(m_ssl, m_serverFd) != 1) {
        fail(QStringLiteral("cannot set up TLS: %1").arg(takeError()));
        return false;
    }
    QByteArray serverName = m_settings.serverName.toUtf8();
    if (!serverName.isEmpty() && SSL_set_tlsext_host_name(m_ssl, serverName.data()) != 1) {
        fail(QStringLiteral("cannot send \"%1\" as SNI: %2").arg(m_settings.serverName, takeError()));
        return false;
    }
    // The certificate must name what the URL asked for: its sni, else its host.
    const QByteArray peer = m_settings.peerName.toUtf8();
    X509_VERIFY_PARAM *parameters = SSL_get0_param(m_ssl);
    X509_VERIFY_PARAM_set_hostflags(parameters, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int checked = isAddress(peer) ? X509_VERIFY_PARAM_set1_ip_asc(parameters, peer.constData())
                                        : X509_VERIFY_PARAM_set1_host(parameters, peer.constData(), size_t(peer.size()));
    if (checked != 1) {
        fail(QStringLiteral("cannot check the server's certificate for \"%1\": %2").arg(m_settings.peerName, takeError()));
        return false;
    }
    SSL_set_app_data(m_ssl, this); // for noClientCertificate()
    SSL_set_connect_state(m_ssl);
    return true;
}

// Called when the server asks for a client certificate and the URL gave
// none: remembered, to explain the refusal that follows.
int Tunnel::noClientCertificate(SSL *ssl, X509 **, EVP_PKEY **)
{
    static_cast<Tunnel *>(SSL_get_app_data(ssl))->m_certificateRequested = true;
    return 0; // no certificate: the server decides
}

void Tunnel::handshake()
{
    ERR_clear_error();
    const int result = SSL_connect(m_ssl);
    if (result == 1) {
        m_state = State::Open;
        pump(); // hiredis' AUTH or PING may be waiting already
        return;
    }
    const int code = SSL_get_error(m_ssl, result);
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
        waitFor(false, false, code == SSL_ERROR_WANT_READ, code == SSL_ERROR_WANT_WRITE);
        return;
    }
    fail(handshakeFailure(code));
}

QString Tunnel::handshakeFailure(int code)
{
    const long verify = SSL_get_verify_result(m_ssl);
    if (verify == X509_V_OK) {
        const QString reason = failure(code);
        if (m_certificateRequested) // TLS 1.2 refuses a missing certificate within the handshake
            return QStringLiteral("the server refused the connection without a client certificate (%1): add cert=FILE&key=FILE to the URL").arg(reason);
        return QStringLiteral("TLS handshake failed: %1").arg(reason);
    }
    ERR_clear_error(); // "certificate verify failed", said below with the reason
    QString text = QStringLiteral("TLS handshake failed: certificate verify failed: %1")
                       .arg(QString::fromLatin1(X509_verify_cert_error_string(verify)));
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH)
        text += QStringLiteral(" (the server's certificate is not for \"%1\")").arg(m_settings.peerName);
    else if (!m_settings.caCertFile.isEmpty())
        text += QStringLiteral(" (checked against the CAs in %1)").arg(m_settings.caCertFile);
    return text;
}

QString Tunnel::failure(int code)
{
    const int systemCode = errno;
    const unsigned long queued = ERR_peek_error();
    if (code == SSL_ERROR_SYSCALL && queued == 0)
        return systemCode != 0 ? systemError(systemCode) : QStringLiteral("the server closed the connection");
    QString text = takeError();
    const int reason = ERR_GET_REASON(queued);
    if (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG)
        text += QStringLiteral(" (is this port a TLS port?)");
    return text;
}

void Tunnel::endedByServer(const QString &detail)
{
    // With TLS 1.3 a server refuses a missing client certificate only after
    // our side of the handshake is done: with an alert, or just a reset when
    // our first request crossed it. Either way, say what is missing.
    if (m_certificateRequested && !m_receivedData) {
        fail(QStringLiteral("the server refused the connection without a client certificate (%1): add cert=FILE&key=FILE to the URL")
                 .arg(detail.isEmpty() ? QStringLiteral("it closed the connection") : detail));
        return;
    }
    if (detail.isEmpty())
        close(); // a plain close: hiredis says "Server closed the connection"
    else
        fail(QStringLiteral("TLS error: %1").arg(detail));
}

void Tunnel::pump()
{
    // Moves bytes until nothing moves any more, then waits for what blocked.
    // What the last pass, where nothing moved, found blocked is what to wait
    // for: no notifier on for a side that is not wanted (it would spin).
    Blocked blocked;
    for (bool moved = true; moved && m_state == State::Open;) {
        blocked = Blocked();
        moved = false;
        for (const auto step : {&Tunnel::readLocal, &Tunnel::writeServer, &Tunnel::readServer, &Tunnel::writeLocal}) {
            const Step result = (this->*step)(blocked);
            if (result == Step::Failed)
                return;
            moved = moved || result == Step::Moved;
        }
    }
    if (m_state != State::Open)
        return;
    // Either side gone, and what it sent handed on: the other side closes
    // too. hiredis then sees its connection end and reconnects.
    if (m_localClosed && m_toServer.isEmpty()) {
        close();
        return;
    }
    if (m_serverClosed && m_toLocal.isEmpty()) {
        endedByServer(QString());
        return;
    }
    waitFor(blocked.localRead, blocked.localWrite, blocked.serverRead, blocked.serverWrite);
}

Tunnel::Step Tunnel::readLocal(Blocked &blocked)
{
    // hiredis -> queue
    if (m_localFd < 0 || m_localClosed || m_toServer.size() >= MaxBuffered)
        return Step::Idle;
    char chunk[ChunkSize];
    const ssize_t n = ::read(m_localFd, chunk, sizeof(chunk));
    if (n > 0) {
        m_toServer.append(chunk, n);
        return Step::Moved;
    }
    if (n < 0 && wouldBlock(errno)) {
        blocked.localRead = true;
        return Step::Idle;
    }
    if (!(n < 0 && errno == EINTR))
        m_localClosed = true; // hiredis let go of the connection
    return Step::Moved;
}

Tunnel::Step Tunnel::writeServer(Blocked &blocked)
{
    // queue -> server
    if (m_toServer.isEmpty() || m_serverClosed)
        return Step::Idle;
    ERR_clear_error();
    const int n = SSL_write(m_ssl, m_toServer.data(), int(std::min<qsizetype>(m_toServer.size(), INT_MAX)));
    if (n > 0) {
        m_toServer.consume(n);
        return Step::Moved;
    }
    return serverWants(SSL_get_error(m_ssl, n), blocked);
}

Tunnel::Step Tunnel::readServer(Blocked &blocked)
{
    // server -> queue
    if (m_serverClosed || m_toLocal.size() >= MaxBuffered)
        return Step::Idle;
    ERR_clear_error();
    char chunk[ChunkSize];
    const int n = SSL_read(m_ssl, chunk, sizeof(chunk));
    if (n > 0) {
        m_toLocal.append(chunk, n);
        m_receivedData = true;
        return Step::Moved;
    }
    const int code = SSL_get_error(m_ssl, n);
    if (code == SSL_ERROR_ZERO_RETURN) {
        m_serverClosed = true; // closed, with or without a close_notify
        return Step::Moved;
    }
    return serverWants(code, blocked);
}

Tunnel::Step Tunnel::writeLocal(Blocked &blocked)
{
    // queue -> hiredis
    if (m_localFd < 0 || m_localClosed || m_toLocal.isEmpty())
        return Step::Idle;
    const ssize_t n = ::send(m_localFd, m_toLocal.data(), size_t(m_toLocal.size()), MSG_NOSIGNAL);
    if (n > 0) {
        m_toLocal.consume(n);
        return Step::Moved;
    }
    if (n < 0 && wouldBlock(errno)) {
        blocked.localWrite = true;
        return Step::Idle;
    }
    m_localClosed = m_localClosed || errno != EINTR; // hiredis is gone
    return Step::Moved;
}

Tunnel::Step Tunnel::serverWants(int code, Blocked &blocked)
{
    // OpenSSL may need to read to write (and the other way round) at any time.
    if (code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
        blocked.serverRead = blocked.serverRead || code == SSL_ERROR_WANT_READ;
        blocked.serverWrite = blocked.serverWrite || code == SSL_ERROR_WANT_WRITE;
        return Step::Idle;
    }
    endedByServer(failure(code));
    return Step::Failed;
}

void Tunnel::waitFor(bool localRead, bool localWrite, bool serverRead, bool serverWrite)
{
    const auto enable = [](const std::unique_ptr<QSocketNotifier> &notifier, bool on) {
        if (notifier && notifier->isEnabled() != on)
            notifier->setEnabled(on);
    };
    enable(m_localRead, localRead);
    enable(m_localWrite, localWrite);
    enable(m_serverRead, serverRead);
    enable(m_serverWrite, serverWrite);
}

void Tunnel::fail(const QString &why)
{
    if (m_error.isEmpty())
        m_error = why;
    close();
}

void Tunnel::close()
{
    // Notifiers off before their descriptors close: a notifier watching a
    // closed descriptor would make the event loop spin or warn.
    waitFor(false, false, false, false);
    if (m_listenerNotifier)
        m_listenerNotifier->setEnabled(false);
    if (m_ssl) {
        if (m_state == State::Open && m_error.isEmpty() && !m_serverClosed) {
            SigPipeGuard guard;
            SSL_shutdown(m_ssl); // one close_notify, not waited for
        }
        SSL_free(m_ssl);
        m_ssl = nullptr;
        ERR_clear_error();
    }
    for (int *fd : {&m_serverFd, &m_localFd}) {
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
    }
    m_localEnd.close();
    m_toServer.clear();
    m_toLocal.clear();
    m_state = State::Closed;
}

} // namespace Clustr::Tls
