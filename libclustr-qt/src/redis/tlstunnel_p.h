// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

/*
  The interface between libclustr-qt and its TLS plugin, libclustr-qt-tls.so
  (src/tls/). Compiled into both, which are always built together; the
  plugin's entry point says which version of this header it was built with,
  and the library refuses any other (tlsplugin.cpp).

  hiredis 0.14 speaks no TLS. A TLS tunnel is the other end of a unix socket
  in a private directory: hiredis connects to it as to any unix-socket Redis,
  and the tunnel connects to the server over TCP, does the TLS handshake and
  carries the bytes both ways. Keeping OpenSSL in a separately loaded plugin
  means that a process that never uses a rediss:// URL never maps it.
*/

namespace Clustr {

//! Where a tunnel connects to, and how it checks whom it reached.
struct TlsSettings
{
    //! A numeric IPv4 or IPv6 address (the library resolved any name already).
    QByteArray address;
    int port = 0;
    //! The name the server's certificate must carry: the URL's sni, else its host (a name or an address).
    QString peerName;
    //! Sent as SNI; empty for none (an address is never sent as SNI).
    QString serverName;
    //! The CAs to trust, in PEM; empty: the system's trusted CAs.
    QString caCertFile;
    //! A client certificate and its key, in PEM (both or neither).
    QString certFile;
    QString keyFile;
};

/*!
  One connection through TLS, owned by the RedisClient that asked for it.
  It is created listening and connecting; it never calls back into the
  library: when it fails or the server closes, it closes the plaintext side,
  hiredis sees the connection end as usual, and the client asks
  errorString() why.
*/
class TlsTunnel
{
public:
    virtual ~TlsTunnel() = default;

    //! The plaintext end, a unix socket only this process may connect to (once).
    virtual QByteArray socketPath() const = 0;
    //! Why the tunnel failed (TCP, the TLS handshake, a TLS error later); empty while it works and after a clean close.
    virtual QString errorString() const = 0;
    //! While connecting, what it waits for ("waiting for the server's TLS handshake …"), for a timeout's message; else empty.
    virtual QString waitingFor() const = 0;
};

//! What the plugin's entry point returns.
struct TlsPluginInterface
{
    //! TlsInterfaceVersion of the header the plugin was built with: first, so that any version can read it.
    int interfaceVersion;
    //! CLUSTRQT_VERSION_STR of the build the plugin belongs to.
    const char *libraryVersion;
    //! A tunnel already listening and connecting; null with \a error when it cannot start (e.g. a file unreadable).
    TlsTunnel *(*createTunnel)(const TlsSettings &settings, QString *error);
};

//! Raised whenever anything above changes.
constexpr int TlsInterfaceVersion = 1;

//! The plugin's one exported symbol: `extern "C" const TlsPluginInterface *clustr_tls_plugin()`.
constexpr const char *TlsPluginEntryPoint = "clustr_tls_plugin";
using TlsPluginEntry = const TlsPluginInterface *(*)();

} // namespace Clustr
