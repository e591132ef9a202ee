// SPDX-License-Identifier: MIT
#include <ClustrQt/stats.h>

#include "protocol/stats_p.h"

#include <QtCore/QJsonValue>

#include <limits>

namespace Clustr {

const char *version()
{
    return CLUSTRQT_VERSION_STR;
}

class StatsPrivate : public QSharedData, public Protocol::StatsCounters
{
public:
    static StatsPrivate *get(Stats &stats) { return stats.d.data(); }
};

namespace {

using Protocol::StatsCounters;

struct Counter
{
    QLatin1String name;
    quint64 StatsCounters::*member;
};

// One table for both directions, so toJson() and fromJson() cannot drift apart.
const Counter counters[] = {
    {QLatin1String("emitPublic"), &StatsCounters::emitPublic},
    {QLatin1String("emitPrivate"), &StatsCounters::emitPrivate},
    {QLatin1String("emitGroup"), &StatsCounters::emitGroup},
    {QLatin1String("emitKill"), &StatsCounters::emitKill},
    {QLatin1String("emitConfirmation"), &StatsCounters::emitConfirmation},
    {QLatin1String("onMessage"), &StatsCounters::onMessage},
    {QLatin1String("onPublic"), &StatsCounters::onPublic},
    {QLatin1String("onGroup"), &StatsCounters::onGroup},
    {QLatin1String("onPrivate"), &StatsCounters::onPrivate},
    {QLatin1String("spawnChildProcess"), &StatsCounters::spawnChildProcess},
    {QLatin1String("respawnChildProcess"), &StatsCounters::respawnChildProcess},
    {QLatin1String("receivedConfirmations"), &StatsCounters::receivedConfirmations},
    {QLatin1String("successfulConfirmations"), &StatsCounters::successfulConfirmations},
    {QLatin1String("rejectedMessages"), &StatsCounters::rejectedMessages},
    {QLatin1String("droppedMessages"), &StatsCounters::droppedMessages},
    {QLatin1String("refusedMessages"), &StatsCounters::refusedMessages},
};

} // namespace

Stats Protocol::toStats(const StatsCounters &counters)
{
    Stats stats;
    static_cast<StatsCounters &>(*StatsPrivate::get(stats)) = counters;
    return stats;
}

Stats::Stats() : d(new StatsPrivate) {}
Stats::Stats(const Stats &other) = default;
Stats::Stats(Stats &&other) noexcept = default;
Stats &Stats::operator=(const Stats &other) = default;
Stats &Stats::operator=(Stats &&other) noexcept = default;
Stats::~Stats() = default;

quint64 Stats::emitPublic() const { return d->emitPublic; }
void Stats::setEmitPublic(quint64 count) { d->emitPublic = count; }
quint64 Stats::emitPrivate() const { return d->emitPrivate; }
void Stats::setEmitPrivate(quint64 count) { d->emitPrivate = count; }
quint64 Stats::emitGroup() const { return d->emitGroup; }
void Stats::setEmitGroup(quint64 count) { d->emitGroup = count; }
quint64 Stats::emitKill() const { return d->emitKill; }
void Stats::setEmitKill(quint64 count) { d->emitKill = count; }
quint64 Stats::emitConfirmation() const { return d->emitConfirmation; }
void Stats::setEmitConfirmation(quint64 count) { d->emitConfirmation = count; }
quint64 Stats::onMessage() const { return d->onMessage; }
void Stats::setOnMessage(quint64 count) { d->onMessage = count; }
quint64 Stats::onPublic() const { return d->onPublic; }
void Stats::setOnPublic(quint64 count) { d->onPublic = count; }
quint64 Stats::onGroup() const { return d->onGroup; }
void Stats::setOnGroup(quint64 count) { d->onGroup = count; }
quint64 Stats::onPrivate() const { return d->onPrivate; }
void Stats::setOnPrivate(quint64 count) { d->onPrivate = count; }
quint64 Stats::spawnChildProcess() const { return d->spawnChildProcess; }
void Stats::setSpawnChildProcess(quint64 count) { d->spawnChildProcess = count; }
quint64 Stats::respawnChildProcess() const { return d->respawnChildProcess; }
void Stats::setRespawnChildProcess(quint64 count) { d->respawnChildProcess = count; }
quint64 Stats::receivedConfirmations() const { return d->receivedConfirmations; }
void Stats::setReceivedConfirmations(quint64 count) { d->receivedConfirmations = count; }
quint64 Stats::successfulConfirmations() const { return d->successfulConfirmations; }
void Stats::setSuccessfulConfirmations(quint64 count) { d->successfulConfirmations = count; }
quint64 Stats::rejectedMessages() const { return d->rejectedMessages; }
void Stats::setRejectedMessages(quint64 count) { d->rejectedMessages = count; }
quint64 Stats::droppedMessages() const { return d->droppedMessages; }
void Stats::setDroppedMessages(quint64 count) { d->droppedMessages = count; }
quint64 Stats::refusedMessages() const { return d->refusedMessages; }
void Stats::setRefusedMessages(quint64 count) { d->refusedMessages = count; }

QJsonObject Stats::toJson() const
{
    const StatsCounters &values = *d;
    QJsonObject object;
    for (const Counter &counter : counters) {
        // A JSON integer is signed; a counter never gets near the limit, but clamp anyway.
        const quint64 value = values.*counter.member;
        object.insert(counter.name,
                      qint64(qMin(value, quint64(std::numeric_limits<qint64>::max()))));
    }
    return object;
}

Stats Stats::fromJson(const QJsonObject &object)
{
    Stats stats;
    StatsCounters &values = *stats.d;
    for (const Counter &counter : counters) {
        const qint64 value = object.value(counter.name).toInteger(0);
        values.*counter.member = value > 0 ? quint64(value) : 0;
    }
    return stats;
}

bool Stats::operator==(const Stats &other) const
{
    if (d == other.d)
        return true;
    const StatsCounters &a = *d;
    const StatsCounters &b = *other.d;
    for (const Counter &counter : counters) {
        if (a.*counter.member != b.*counter.member)
            return false;
    }
    return true;
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_stats.cpp"
