// SPDX-License-Identifier: MIT
#include "testredis.h"

TestRedis::TestRedis()
{
    if (qgetenv("CLUSTR_TEST_REDIS") == "cluster")
        m_cluster = std::make_unique<RedisClusterNodes>();
    else
        m_server = std::make_unique<RedisServer>();
}

bool TestRedis::start(QString *error)
{
    return m_cluster ? m_cluster->start(error) : m_server->start(error);
}

QString TestRedis::url() const
{
    return m_cluster ? m_cluster->url() : m_server->url();
}

QString TestRedis::urlAs(const QString &user, const QString &password) const
{
    const QString plain = url();
    const qsizetype hosts = plain.indexOf(QLatin1String("://")) + 3;
    return plain.left(hosts) + user + u':' + password + u'@' + plain.mid(hosts);
}

QByteArray TestRedis::cli(const QStringList &arguments)
{
    return m_cluster ? m_cluster->cliOnEveryNode(arguments) : m_server->cli(arguments);
}

QByteArray TestRedis::keyCli(const QStringList &arguments)
{
    return m_cluster ? m_cluster->node(0).cli(QStringList{QStringLiteral("-c")} + arguments) : m_server->cli(arguments);
}

QString TestRedis::clusterKey(const QString &name, const QString &suffix) const
{
    return m_cluster ? u'{' + name + QStringLiteral(":clustr}:") + suffix : name + QStringLiteral(":clustr:") + suffix;
}
