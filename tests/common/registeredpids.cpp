// SPDX-License-Identifier: MIT
#include "registeredpids.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/clusterstatus.h>

#include <QtTest/QTest>

#include <chrono>

QList<qint64> waitForRegisteredPids(const QString &redisUrl, const QString &name, int count,
                                    const QString &group, const QList<qint64> &excluding, int timeoutMs)
{
    Clustr::ClusterClient client;
    client.setRedisUrl(redisUrl);
    client.setClusterName(name);
    client.setPollInterval(std::chrono::milliseconds(100));
    client.open();
    QList<qint64> pids;
    (void)QTest::qWaitFor([&] {
        pids.clear();
        bool allBeating = true;
        const QList<Clustr::ProcessStatus> processes = client.status().processes();
        for (const Clustr::ProcessStatus &p : processes) {
            if (!group.isEmpty() && p.group() != group)
                continue;
            if (excluding.contains(p.pid()))
                return false; // the status is refreshed once a second: not yet
            pids.append(p.pid());
            allBeating = allBeating && p.heartbeat();
        }
        return client.isClusterRunning() && pids.size() == count && allBeating;
    }, timeoutMs);
    return pids;
}
