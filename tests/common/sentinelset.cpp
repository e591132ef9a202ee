// SPDX-License-Identifier: MIT
#include "sentinelset.h"

#include <QtCore/QHash>
#include <QtCore/QStringList>
#include <QtTest/QTest>

namespace {

// `SENTINEL master NAME` as redis-cli prints it: field and value on alternate lines.
QHash<QByteArray, QByteArray> fields(const QByteArray &output)
{
    const QList<QByteArray> lines = output.trimmed().split('\n');
    QHash<QByteArray, QByteArray> result;
    for (qsizetype i = 0; i + 1 < lines.size(); i += 2)
        result.insert(lines[i].trimmed(), lines[i + 1].trimmed());
    return result;
}

} // namespace

SentinelSet::SentinelSet() = default;

SentinelSet::~SentinelSet()
{
    // The sentinels first: they would fail over a master stopped before them.
    for (auto &sentinel : m_sentinels)
        sentinel.reset();
    m_replica.reset();
    m_master.reset();
}

bool SentinelSet::start(QString *error)
{
    m_master = std::make_unique<RedisServer>();
    if (!m_master->start(error))
        return false;
    RedisServer::Options replicaOptions;
    replicaOptions.extraArguments = {QStringLiteral("--replicaof"), QStringLiteral("127.0.0.1"), QString::number(m_master->port())};
    m_replica = std::make_unique<RedisServer>(replicaOptions);
    if (!m_replica->start(error))
        return false;

    const QString name = QString::fromLatin1(MasterName);
    RedisServer::Options sentinelOptions;
    sentinelOptions.sentinel = true;
    // A short failover-timeout lets another sentinel retry soon if the first
    // elected leader's attempt stalls.
    sentinelOptions.configText = QStringLiteral("sentinel monitor %1 127.0.0.1 %2 2\n"
                                                "sentinel down-after-milliseconds %1 %3\n"
                                                "sentinel failover-timeout %1 2000\n"
                                                "sentinel parallel-syncs %1 1\n")
                                     .arg(name).arg(m_master->port()).arg(DownAfterMs);
    for (auto &sentinel : m_sentinels) {
        sentinel = std::make_unique<RedisServer>(sentinelOptions);
        if (!sentinel->start(error))
            return false;
    }

    // The sentinels learn of the replica from the master's INFO and of each
    // other from hello messages on the master: a failover needs both.
    const bool ready = QTest::qWaitFor([this, &name] {
        if (!m_replica->cli({QStringLiteral("INFO"), QStringLiteral("replication")}).contains("master_link_status:up"))
            return false;
        for (const auto &sentinel : m_sentinels) {
            const auto master = fields(sentinel->cli({QStringLiteral("SENTINEL"), QStringLiteral("master"), name}));
            if (master.value("num-slaves") != "1" || master.value("num-other-sentinels") != "2")
                return false;
        }
        return true;
    }, 30000);
    if (!ready && error)
        *error = QStringLiteral("the sentinels did not find the replica and each other in time");
    return ready;
}

QString SentinelSet::url() const
{
    QStringList hosts;
    for (const auto &sentinel : m_sentinels)
        hosts << QStringLiteral("127.0.0.1:%1").arg(sentinel->port());
    return QStringLiteral("redis-sentinel://%1/%2").arg(hosts.join(u','), QString::fromLatin1(MasterName));
}

QString SentinelSet::urlWithFirst(const QString &first) const
{
    return url().replace(QStringLiteral("redis-sentinel://"), QStringLiteral("redis-sentinel://") + first + u',');
}

int SentinelSet::masterPortSeenBy(int index) const
{
    const QByteArray answer = m_sentinels.at(size_t(index))
                                  ->cli({QStringLiteral("SENTINEL"), QStringLiteral("get-master-addr-by-name"),
                                         QString::fromLatin1(MasterName)});
    const QList<QByteArray> lines = answer.trimmed().split('\n');
    return lines.size() == 2 ? lines[1].trimmed().toInt() : 0;
}

bool SentinelSet::allSentinelsName(int port) const
{
    for (int i = 0; i < int(m_sentinels.size()); ++i) {
        if (masterPortSeenBy(i) != port)
            return false;
    }
    return true;
}

QByteArray SentinelSet::role(const RedisServer &server)
{
    return server.cli({QStringLiteral("ROLE")}).split('\n').value(0).trimmed();
}
