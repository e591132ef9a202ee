// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QString>

#include <optional>

namespace Clustr {

/*!
  Where and how to reach Redis, parsed from
  `redis://[[user]:password@]host[:port][/db]`,
  `rediss://[[user]:password@]host[:port][/db][?cacert=FILE][&cert=FILE&key=FILE][&sni=NAME]`
  (TLS; the query items are named after redis-cli's TLS options) or
  `unix:///path/to.sock[?password=…&user=…&db=…]`.
*/
struct CLUSTR_AUTOTEST_EXPORT RedisUrl
{
    enum class Transport { Tcp, Unix };

    Transport transport = Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    int port = 6379;
    QString socketPath;
    QString user;
    QString password;
    int database = 0;

    //! rediss://: TLS over TCP (through the TLS plugin's tunnel, tlsplugin_p.h).
    bool tls = false;
    //! cacert=: the CAs the server's certificate must chain to; empty: the system's trusted CAs.
    QString caCertFile;
    //! cert= and key=: a client certificate and its key, for servers that ask for one (both or neither).
    QString certFile;
    QString keyFile;
    //! sni=: the name sent as SNI and checked against the server's certificate; empty: the host.
    QString serverName;

    static constexpr const char *DefaultUrl = "redis://127.0.0.1:6379";

    //! Parses \a url; on failure returns nothing and sets \a error to why.
    static std::optional<RedisUrl> parse(const QString &url, QString *error = nullptr);

    //! "127.0.0.1:6379" or "/path/to.sock": for messages, never with credentials.
    QString endpoint() const;
    //! The URL again, with the password replaced by "***" unless \a withPassword.
    QString toString(bool withPassword = false) const;
};

} // namespace Clustr
