// SPDX-License-Identifier: MIT
#pragma once

#include "redisclusternodes.h"
#include "redisserver.h"

#include <QtCore/QString>
#include <QtCore/QStringList>

#include <memory>

/*
  The Redis a test suite runs against: one private redis-server, or, with
  CLUSTR_TEST_REDIS=cluster in the environment, a Redis Cluster of three
  masters and three replicas (RedisClusterNodes). CTest runs some suites a
  second time that way, so that the same cases pass on both.
*/
class TestRedis
{
public:
    TestRedis();

    bool start(QString *error);
    bool isCluster() const { return m_cluster != nullptr; }
    //! redis://127.0.0.1:PORT, or redis-cluster://… naming three nodes.
    QString url() const;
    //! The same, logging in as \a user with \a password.
    QString urlAs(const QString &user, const QString &password) const;
    //! redis-cli \a arguments on the server, or on every node of the cluster (their answers concatenated).
    QByteArray cli(const QStringList &arguments);
    //! redis-cli \a arguments on the server, or on the cluster node serving their key (redis-cli -c).
    QByteArray keyCli(const QStringList &arguments);
    /*!
      The key \a suffix (`master`, `logs`…) of the cluster named \a name:
      `NAME:clustr:SUFFIX`, or `{NAME:clustr}:SUFFIX` on a Redis Cluster.
    */
    QString clusterKey(const QString &name, const QString &suffix) const;

private:
    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<RedisClusterNodes> m_cluster;
};
