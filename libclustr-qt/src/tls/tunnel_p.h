// SPDX-License-Identifier: MIT
#pragma once

#include "bytequeue_p.h"
#include "localend_p.h"
#include "sslcontext_p.h"

#include "redis/tlstunnel_p.h"

#include <QtCore/QSocketNotifier>

#include <memory>

namespace Clustr::Tls {

/*!
  One TLS connection to a Redis server, carried to and from hiredis' unix
  socket. It connects over TCP (non-blocking), does the TLS handshake, then
  moves bytes both ways whenever either side can take them, all driven by
  QSocketNotifiers on the thread that created it.

  States: connecting (TCP) -> handshaking -> open -> closed. Any failure, or
  either side closing, closes both sides: hiredis then sees its connection
  end, and the RedisClient reconnects (through a new tunnel) as it does
  after any lost connection, reading errorString() for why.
*/
class Tunnel final : public TlsTunnel
{
public:
    //! A tunnel listening and connecting; null with \a error when it cannot start.
    static Tunnel *create(const TlsSettings &settings, QString *error);
    ~Tunnel() override;

    QByteArray socketPath() const override { return m_localEnd.path(); }
    QString errorString() const override { return m_error; }
    QString waitingFor() const override;

private:
    enum class State { Connecting, Handshaking, Open, Closed };
    //! What one step of pump() did; Failed: the tunnel closed.
    enum class Step { Idle, Moved, Failed };
    //! What a pass of pump() could not do without blocking, so waits for.
    struct Blocked
    {
        bool localRead = false;
        bool localWrite = false;
        bool serverRead = false;
        bool serverWrite = false;
    };

    Tunnel(const TlsSettings &settings, SslContext context);
    bool startConnecting(QString *error);
    void acceptLocal();
    void serverEvent();
    void connectFinished();
    bool setUpTls();
    void handshake();
    void pump();
    // The four moves of pump(), in the order one pass makes them.
    Step readLocal(Blocked &blocked);
    Step writeServer(Blocked &blocked);
    Step readServer(Blocked &blocked);
    Step writeLocal(Blocked &blocked);
    //! After an SSL call failed with \a code: blocked on the server, or the tunnel failed.
    Step serverWants(int code, Blocked &blocked);
    QString handshakeFailure(int code);
    QString failure(int code);
    //! The server ended the connection (\a detail says how): fails, saying why when it can tell.
    void endedByServer(const QString &detail);
    static int noClientCertificate(SSL *ssl, X509 **certificate, EVP_PKEY **key);
    //! Waits for what the last step could not do without blocking.
    void waitFor(bool localRead, bool localWrite, bool serverRead, bool serverWrite);
    void fail(const QString &why);
    void close();

    TlsSettings m_settings;
    SslContext m_context;
    SSL *m_ssl = nullptr;
    State m_state = State::Connecting;
    QString m_error;

    LocalEnd m_localEnd;
    int m_localFd = -1;
    int m_serverFd = -1;
    std::unique_ptr<QSocketNotifier> m_listenerNotifier;
    std::unique_ptr<QSocketNotifier> m_localRead;
    std::unique_ptr<QSocketNotifier> m_localWrite;
    std::unique_ptr<QSocketNotifier> m_serverRead;
    std::unique_ptr<QSocketNotifier> m_serverWrite;

    ByteQueue m_toServer; //!< from hiredis, not yet taken by SSL_write
    ByteQueue m_toLocal;  //!< from the server, not yet written to hiredis
    bool m_localClosed = false;
    bool m_serverClosed = false;
    bool m_receivedData = false;         //!< the server sent something after the handshake
    bool m_certificateRequested = false; //!< the server asked for a client certificate we did not have
};

} // namespace Clustr::Tls
