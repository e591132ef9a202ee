// SPDX-License-Identifier: MIT
#pragma once

#include "redisserver.h"

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <array>
#include <memory>

/*
  A Redis master, one replica (`replicaof`) and three sentinels watching
  them with a quorum of 2, each a private RedisServer on a free loopback
  port with its own temporary directory (a sentinel rewrites its
  configuration file there). The sentinels notice a dead master after
  DownAfterMs and promote the replica. Every server dies with the fixture or
  with the test process (RedisServer), whatever way the test ends.
*/
class SentinelSet
{
public:
    static constexpr const char *MasterName = "clustr";
    static constexpr int DownAfterMs = 500;

    SentinelSet();
    ~SentinelSet();

    //! Starts everything and waits until each sentinel knows the replica and the
    //! other two sentinels (only then can they fail over); false with \a error if not.
    bool start(QString *error);

    //! redis-sentinel://127.0.0.1:A,127.0.0.1:B,127.0.0.1:C/clustr
    QString url() const;
    //! The same sentinels, with \a first put in front of them.
    QString urlWithFirst(const QString &first) const;

    RedisServer &master() { return *m_master; }
    RedisServer &replica() { return *m_replica; }
    RedisServer &sentinel(int index) { return *m_sentinels.at(size_t(index)); }

    //! The master's port as sentinel \a index names it now (0 if it names none).
    int masterPortSeenBy(int index) const;
    //! True once every sentinel names \a port as the master's.
    bool allSentinelsName(int port) const;
    //! What ROLE's first line says on \a server ("master", "slave").
    static QByteArray role(const RedisServer &server);

private:
    std::unique_ptr<RedisServer> m_master;
    std::unique_ptr<RedisServer> m_replica;
    std::array<std::unique_ptr<RedisServer>, 3> m_sentinels;
};
