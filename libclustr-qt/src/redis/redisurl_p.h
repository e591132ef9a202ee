// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace Clustr {

/*!
  Where and how to reach Redis, parsed from
  `redis://[[user]:password@]host[:port][/db]`,
  `rediss://[[user]:password@]host[:port][/db][?cacert=FILE][&cert=FILE&key=FILE][&sni=NAME]`
  (TLS; the query items are named after redis-cli's TLS options),
  `unix:///path/to.sock[?password=…&user=…&db=…]` or
  `redis-sentinel://[[user]:password@]host[:port][,host[:port]…]/MASTER[/db][?sentinelUser=…&sentinelPassword=…]`
  (a Sentinel set: the sentinels are asked where the master named MASTER is;
  the user info is for the data nodes, the query items for the sentinels) or
  `redis-cluster://[[user]:password@]host[:port][,host[:port]…][?pubsub=plain]`
  (seed nodes of a Redis Cluster: any one that answers, and the redirects
  it gives; channels with a hash tag are sharded unless pubsub=plain).
*/
struct CLUSTR_AUTOTEST_EXPORT RedisUrl
{
    enum class Transport { Tcp, Unix, Sentinel, Cluster };

    //! One host and port, as in the list of sentinels.
    struct Address
    {
        QString host;
        int port = 0;
        friend bool operator==(const Address &a, const Address &b) { return a.host == b.host && a.port == b.port; }
        friend bool operator!=(const Address &a, const Address &b) { return !(a == b); }
    };

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

    //! redis-sentinel://: the sentinels in the URL's order (host and port above are unused).
    QList<Address> sentinels;
    //! redis-cluster://: the seed nodes in the URL's order (host and port above are unused).
    QList<Address> seeds;
    /*!
      redis-cluster://: channels whose name holds a hash tag go through
      sharded pub/sub (SPUBLISH/SSUBSCRIBE); false with `?pubsub=plain`.
    */
    bool shardedPubSub = true;
    //! The name the sentinels monitor the master under (`sentinel monitor NAME …`).
    QString masterName;
    //! sentinelUser= and sentinelPassword=: what the sentinels ask for, apart from the data nodes' credentials.
    QString sentinelUser;
    QString sentinelPassword;

    static constexpr const char *DefaultUrl = "redis://127.0.0.1:6379";
    static constexpr int DefaultSentinelPort = 26379;

    //! Parses \a url; on failure returns nothing and sets \a error to why.
    static std::optional<RedisUrl> parse(const QString &url, QString *error = nullptr);

    //! "127.0.0.1:6379", "/path/to.sock", "master NAME of sentinels HOST:PORT,…" or "Redis Cluster HOST:PORT,…": for messages, never with credentials.
    QString endpoint() const;
    //! "host:port", an IPv6 address in brackets.
    static QString endpoint(const QString &host, int port);
    //! Whether \a host is an IPv4 address, an IPv6 address (no brackets) or a host name.
    static bool isValidHost(QStringView host);
    //! The sentinels as "host:port,host:port" (redis-sentinel://).
    QString sentinelList() const;
    //! \a addresses as "host:port,host:port".
    static QString addressList(const QList<Address> &addresses);
    bool isCluster() const { return transport == Transport::Cluster; }
    //! redis://[sentinelUser:sentinelPassword@]host:port for \a sentinel, with its password: to connect to it.
    QString sentinelUrl(const Address &sentinel) const;
    //! The URL again, with the passwords replaced by "***" unless \a withPassword.
    QString toString(bool withPassword = false) const;
};

} // namespace Clustr
