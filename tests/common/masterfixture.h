// SPDX-License-Identifier: MIT
#pragma once

#include "redisserver.h"
#include "testprocess.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QJsonArray>

#include <memory>
#include <vector>

/*
  What a test of whole process trees needs: a private redis-server, a
  connected client for raw Redis commands, and clustr-test-worker masters
  spawning from --spawn specs. The masters go with clear() or the fixture.
*/
//! A client of \a url, connected (quick timeouts and backoff, for failovers); nullptr if it does not connect.
std::unique_ptr<Clustr::RedisClient> connectedRedisClient(const QString &url);

class MasterFixture
{
public:
    //! Starts the server and connects the client; false with \a error when it cannot.
    bool start(QString *error);
    //! Ends every master started (and with it its tree).
    void clear() { m_processes.clear(); }
    //! A clustr-test-worker --master spawning \a specs, on \a url (the server's by default); nullptr if it does not start.
    TestProcess *startMaster(const QJsonArray &specs, const QStringList &extra = {}, const QString &url = QString());
    //! Any clustr-test-worker, kept until clear(); nullptr (and a warning) if it does not start.
    TestProcess *startWorker(const QStringList &arguments);

    RedisServer &redis() { return m_redis; }
    Clustr::RedisClient *client() const { return m_client.get(); }

private:
    RedisServer m_redis;
    std::unique_ptr<Clustr::RedisClient> m_client;
    std::vector<std::unique_ptr<TestProcess>> m_processes;
};
