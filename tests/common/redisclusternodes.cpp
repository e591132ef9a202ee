// SPDX-License-Identifier: MIT
#include "redisclusternodes.h"

#include <QtCore/QProcess>
#include <QtTest/QTest>

RedisClusterNodes::RedisClusterNodes()
{
    RedisServer::Options options;
    options.clusterNodeTimeoutMs = NodeTimeoutMs;
    // Redis 7 waits 5 s for more replicas before a diskless first sync.
    options.extraArguments = QStringList{QStringLiteral("--repl-diskless-sync-delay"), QStringLiteral("0")};
    for (auto &node : m_nodes)
        node = std::make_unique<RedisServer>(options);
}

RedisClusterNodes::~RedisClusterNodes() = default;

bool RedisClusterNodes::start(QString *error)
{
    QStringList endpoints;
    for (auto &node : m_nodes) {
        if (!node->start(error))
            return false;
        endpoints << QStringLiteral("127.0.0.1:%1").arg(node->port());
    }
    // The first three given become the masters, each of the others a replica.
    QProcess create;
    create.setProcessChannelMode(QProcess::MergedChannels);
    create.start(QStringLiteral("redis-cli"), QStringList{QStringLiteral("--cluster"), QStringLiteral("create")} + endpoints
                     + QStringList{QStringLiteral("--cluster-replicas"), QStringLiteral("1"), QStringLiteral("--cluster-yes")});
    if (!create.waitForFinished(60000) || create.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("redis-cli --cluster create failed: ") + QString::fromLocal8Bit(create.readAll().right(2000));
        create.kill();
        create.waitForFinished();
        return false;
    }
    // The nodes learn about each other over the bus: polled, nothing to wait on.
    if (!QTest::qWaitFor([this] { return isHealthy(); }, 30000)) {
        if (error)
            *error = QStringLiteral("the Redis Cluster did not become healthy: ") + QString::fromUtf8(m_nodes[0]->cli({QStringLiteral("CLUSTER"), QStringLiteral("NODES")}));
        return false;
    }
    return true;
}

QString RedisClusterNodes::url() const
{
    return QStringLiteral("redis-cluster://127.0.0.1:%1,127.0.0.1:%2,127.0.0.1:%3")
        .arg(m_nodes[0]->port()).arg(m_nodes[1]->port()).arg(m_nodes[2]->port());
}

QString RedisClusterNodes::urlOf(int index) const
{
    return QStringLiteral("redis-cluster://127.0.0.1:%1").arg(m_nodes.at(size_t(index))->port());
}

int RedisClusterNodes::slotOf(const QByteArray &key)
{
    for (auto &node : m_nodes) {
        if (node->isRunning())
            return node->cli({QStringLiteral("CLUSTER"), QStringLiteral("KEYSLOT"), QString::fromUtf8(key)}).trimmed().toInt();
    }
    return -1;
}

int RedisClusterNodes::masterOf(int slot, int askedIndex)
{
    // CLUSTER NODES: "<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <state> <slots…>"
    for (int asked = 0; asked < NodeCount; ++asked) {
        RedisServer &node = *m_nodes.at(size_t(asked));
        if ((askedIndex >= 0 && asked != askedIndex) || !node.isRunning())
            continue;
        const QByteArray nodes = node.cli({QStringLiteral("CLUSTER"), QStringLiteral("NODES")});
        for (const QByteArray &line : nodes.split('\n')) {
            const QList<QByteArray> fields = line.trimmed().split(' ');
            if (fields.size() < 9 || !fields.at(2).contains("master") || fields.at(2).contains("fail"))
                continue;
            for (qsizetype i = 8; i < fields.size(); ++i) {
                const QList<QByteArray> range = fields.at(i).split('-');
                if (range.first().startsWith('['))
                    continue; // a slot being migrated
                const int first = range.first().toInt();
                const int last = range.size() > 1 ? range.at(1).toInt() : first;
                if (slot < first || slot > last)
                    continue;
                const int port = fields.at(1).mid(fields.at(1).indexOf(':') + 1).split('@').first().toInt();
                for (int k = 0; k < NodeCount; ++k) {
                    if (m_nodes.at(size_t(k))->port() == port)
                        return k;
                }
            }
        }
        return -1;
    }
    return -1;
}

QByteArray RedisClusterNodes::idOf(int index)
{
    return m_nodes.at(size_t(index))->cli({QStringLiteral("CLUSTER"), QStringLiteral("MYID")}).trimmed();
}

bool RedisClusterNodes::isHealthy()
{
    for (auto &node : m_nodes) {
        if (!node->isRunning())
            continue;
        const QByteArray info = node->cli({QStringLiteral("CLUSTER"), QStringLiteral("INFO")});
        if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:16384"))
            return false;
        // A replica that never synced with its master refuses to fail over.
        const QByteArray replication = node->cli({QStringLiteral("INFO"), QStringLiteral("replication")});
        if (replication.contains("role:slave") && !replication.contains("master_link_status:up"))
            return false;
    }
    return true;
}

QByteArray RedisClusterNodes::cliOnEveryNode(const QStringList &arguments)
{
    QByteArray all;
    for (auto &node : m_nodes) {
        if (node->isRunning())
            all += node->cli(arguments);
    }
    return all;
}
