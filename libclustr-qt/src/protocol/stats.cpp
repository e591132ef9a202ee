// SPDX-License-Identifier: MIT
#include <ClustrQt/stats.h>

#include <QtCore/QJsonValue>

#include <limits>

namespace Clustr {

const char *version()
{
    return CLUSTRQT_VERSION_STR;
}

namespace {

struct Counter
{
    QLatin1String name;
    quint64 Stats::*member;
};

// One table for both directions, so toJson() and fromJson() cannot drift apart.
const Counter counters[] = {
    {QLatin1String("emitPublic"), &Stats::emitPublic},
    {QLatin1String("emitPrivate"), &Stats::emitPrivate},
    {QLatin1String("emitGroup"), &Stats::emitGroup},
    {QLatin1String("emitKill"), &Stats::emitKill},
    {QLatin1String("emitConfirmation"), &Stats::emitConfirmation},
    {QLatin1String("onMessage"), &Stats::onMessage},
    {QLatin1String("onPublic"), &Stats::onPublic},
    {QLatin1String("onGroup"), &Stats::onGroup},
    {QLatin1String("onPrivate"), &Stats::onPrivate},
    {QLatin1String("spawnChildProcess"), &Stats::spawnChildProcess},
    {QLatin1String("respawnChildProcess"), &Stats::respawnChildProcess},
    {QLatin1String("receivedConfirmations"), &Stats::receivedConfirmations},
    {QLatin1String("successfulConfirmations"), &Stats::successfulConfirmations},
    {QLatin1String("rejectedMessages"), &Stats::rejectedMessages},
    {QLatin1String("droppedMessages"), &Stats::droppedMessages},
};

} // namespace

QJsonObject Stats::toJson() const
{
    QJsonObject object;
    for (const Counter &counter : counters) {
        // A JSON integer is signed; a counter never gets near the limit, but clamp anyway.
        const quint64 value = this->*counter.member;
        object.insert(counter.name,
                      qint64(qMin(value, quint64(std::numeric_limits<qint64>::max()))));
    }
    return object;
}

Stats Stats::fromJson(const QJsonObject &object)
{
    Stats stats;
    for (const Counter &counter : counters) {
        const qint64 value = object.value(counter.name).toInteger(0);
        stats.*counter.member = value > 0 ? quint64(value) : 0;
    }
    return stats;
}

} // namespace Clustr
