// SPDX-License-Identifier: MIT
#include "masterfixture.h"

#include <QtCore/QJsonDocument>
#include <QtTest/QTest>

bool MasterFixture::start(QString *error)
{
    if (!m_redis.start(error))
        return false;
    m_client = std::make_unique<Clustr::RedisClient>();
    m_client->setUrl(m_redis.url());
    if (m_client->open() && QTest::qWaitFor([this] { return m_client->isConnected(); }, 10000))
        return true;
    *error = QStringLiteral("cannot connect to %1").arg(m_redis.url());
    return false;
}

TestProcess *MasterFixture::startMaster(const QJsonArray &specs, const QStringList &extra, const QString &url)
{
    const QStringList args{QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + (url.isEmpty() ? m_redis.url() : url),
                           QStringLiteral("--spawn=") + QString::fromUtf8(QJsonDocument(specs).toJson(QJsonDocument::Compact))};
    return startWorker(args + extra);
}

TestProcess *MasterFixture::startWorker(const QStringList &arguments)
{
    auto process = std::make_unique<TestProcess>();
    if (!process->startWorker(arguments)) {
        qWarning("%s did not start: %s", qPrintable(arguments.join(QLatin1Char(' '))), process->standardError().constData());
        return nullptr;
    }
    m_processes.push_back(std::move(process));
    return m_processes.back().get();
}

std::unique_ptr<Clustr::RedisClient> connectedRedisClient(const QString &url)
{
    auto client = std::make_unique<Clustr::RedisClient>();
    client->setUrl(url);
    client->setConnectTimeout(std::chrono::milliseconds(1000));
    client->setReconnectDelays(std::chrono::milliseconds(50), std::chrono::milliseconds(500));
    if (!client->open() || !QTest::qWaitFor([&client] { return client->isConnected(); }, 20000))
        return nullptr;
    return client;
}
