// SPDX-License-Identifier: MIT
#include <ClustrQt/heartbeat.h>

#include "protocol/recordfields_p.h"

namespace Clustr {

class HeartbeatPrivate : public QSharedData
{
public:
    qint64 ppid = 0;
    QString host;
    bool ready = false;
    bool supervised = false;
    QDateTime startedAt;
    QDateTime sentAt;
    qint64 rssBytes = -1;
    double cpuPercent = std::numeric_limits<double>::quiet_NaN();
    QString cpus;
    Stats stats;
    QList<ChildInfo> children;
};

Heartbeat::Heartbeat() : d(new HeartbeatPrivate) {}
Heartbeat::Heartbeat(const Heartbeat &other) = default;
Heartbeat::Heartbeat(Heartbeat &&other) noexcept = default;
Heartbeat &Heartbeat::operator=(const Heartbeat &other) = default;
Heartbeat &Heartbeat::operator=(Heartbeat &&other) noexcept = default;
Heartbeat::~Heartbeat() = default;

qint64 Heartbeat::ppid() const { return d->ppid; }
void Heartbeat::setPpid(qint64 ppid) { d->ppid = ppid; }
QString Heartbeat::host() const { return d->host; }
void Heartbeat::setHost(const QString &host) { d->host = host; }
bool Heartbeat::ready() const { return d->ready; }
void Heartbeat::setReady(bool ready) { d->ready = ready; }
bool Heartbeat::supervised() const { return d->supervised; }
void Heartbeat::setSupervised(bool supervised) { d->supervised = supervised; }
QDateTime Heartbeat::startedAt() const { return d->startedAt; }
void Heartbeat::setStartedAt(const QDateTime &startedAt) { d->startedAt = startedAt; }
QDateTime Heartbeat::sentAt() const { return d->sentAt; }
void Heartbeat::setSentAt(const QDateTime &sentAt) { d->sentAt = sentAt; }
qint64 Heartbeat::rssBytes() const { return d->rssBytes; }
void Heartbeat::setRssBytes(qint64 rssBytes) { d->rssBytes = rssBytes; }
double Heartbeat::cpuPercent() const { return d->cpuPercent; }
void Heartbeat::setCpuPercent(double cpuPercent) { d->cpuPercent = cpuPercent; }
QString Heartbeat::cpus() const { return d->cpus; }
void Heartbeat::setCpus(const QString &cpus) { d->cpus = cpus; }
Stats Heartbeat::stats() const { return d->stats; }
void Heartbeat::setStats(const Stats &stats) { d->stats = stats; }
QList<ChildInfo> Heartbeat::children() const { return d->children; }
void Heartbeat::setChildren(const QList<ChildInfo> &children) { d->children = children; }

bool Heartbeat::operator==(const Heartbeat &other) const
{
    return d == other.d || (d->ppid == other.d->ppid
        && d->host == other.d->host
        && d->ready == other.d->ready
        && d->supervised == other.d->supervised
        && d->startedAt == other.d->startedAt
        && d->sentAt == other.d->sentAt
        && d->rssBytes == other.d->rssBytes
        && sameNumber(d->cpuPercent, other.d->cpuPercent)
        && d->cpus == other.d->cpus
        && d->stats == other.d->stats
        && d->children == other.d->children);
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_heartbeat.cpp"
