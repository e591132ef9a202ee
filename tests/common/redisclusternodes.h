// SPDX-License-Identifier: MIT
#pragma once

#include "redisserver.h"

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <array>
#include <memory>

/*
  A real Redis Cluster on loopback: three masters and three replicas, each a
  private RedisServer (`--cluster-enabled yes`, its own directory and bus
  port), joined by `redis-cli --cluster create … --cluster-replicas 1`. A
  master killed is failed over by its replica after about NodeTimeoutMs.
  Every server dies with the fixture or with the test process.
*/
class RedisClusterNodes
{
public:
    static constexpr int NodeCount = 6;
    static constexpr int NodeTimeoutMs = 1000;

    RedisClusterNodes();
    ~RedisClusterNodes();

    //! Starts the six nodes, creates the cluster and waits until every node
    //! says `cluster_state:ok`; false with \a error if not.
    bool start(QString *error);

    //! redis-cluster://127.0.0.1:A,127.0.0.1:B,127.0.0.1:C (the first three nodes as seeds).
    QString url() const;
    //! redis-cluster://127.0.0.1:PORT: node \a index as the only seed.
    QString urlOf(int index) const;
    RedisServer &node(int index) { return *m_nodes.at(size_t(index)); }

    //! The slot of \a key (CLUSTER KEYSLOT).
    int slotOf(const QByteArray &key);
    //! The index of the node that serves \a slot as master now, as node \a askedIndex sees it (-1: none).
    int masterOf(int slot, int askedIndex = -1);
    //! Node \a index's id (CLUSTER MYID).
    QByteArray idOf(int index);
    //! True when every running node says cluster_state:ok and names a master for every slot, and every replica is in sync.
    bool isHealthy();
    //! Runs redis-cli with \a arguments on every running node; their answers concatenated.
    QByteArray cliOnEveryNode(const QStringList &arguments);

private:
    std::array<std::unique_ptr<RedisServer>, NodeCount> m_nodes;
};
