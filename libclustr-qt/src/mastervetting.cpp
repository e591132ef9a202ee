// SPDX-License-Identifier: MIT
// What the master is told is checked before it counts: anyone who can
// publish on the cluster's Redis can send a registration or a heartbeat, so
// a registration names a process that must exist, the master's own tree is
// told apart from everything else, and nothing it cannot check stays for
// good (docs/PROTOCOL.md, section 8.3).
#include "master_p.h"

#include "base/processtable_p.h"
#include "supervision/exitwatch_p.h"

namespace Clustr {

namespace {

// Registrations that wait to be vouched for, at most: a flood of them
// costs bounded memory and is refused beyond this.
constexpr qsizetype MaxHeld = 1024;
// How long a registration nobody can check waits for a heartbeat (its
// own, or its parent's) when heartbeats never expire.
constexpr qint64 DefaultHoldMs = 3500;
// A process of this host found gone is removed at the next check, not at
// once: its parent's deregistration on its behalf (a plain departure, not a
// loss) usually comes first.
constexpr int ChecksBeforeRemoval = 2;

} // namespace

MasterPrivate::Vetting MasterPrivate::vet(qint64 workerPid) const
{
    if (isOwnChild(workerPid) || workerPid == pid)
        return Vetting::Running;
    const auto beat = heartbeats.constFind(workerPid);
    const bool elsewhere = beat != heartbeats.cend() && !beat->data.host().isEmpty() && beat->data.host() != hostLabel();
    if (elsewhere) {
        // Another host's process table cannot be read from here: its heartbeats say it lives.
        const qint64 timeout = options.heartbeatTimeout().count();
        return timeout <= 0 || clock.elapsed() - beat->receivedAt <= timeout ? Vetting::Running : Vetting::Unverified;
    }
    if (ProcessTable::isRunning(workerPid))
        return Vetting::Running;
    // It says it runs here (its heartbeat names this host), and it does not.
    return beat != heartbeats.cend() ? Vetting::Gone : Vetting::Unverified;
}

MasterPrivate::Vetted MasterPrivate::vettingOf(qint64 workerPid) const
{
    Vetted how;
    const auto beat = heartbeats.constFind(workerPid);
    const bool elsewhere = beat != heartbeats.cend() && !beat->data.host().isEmpty() && beat->data.host() != hostLabel();
    if (isOwnChild(workerPid) || workerPid == pid || (!elsewhere && ProcessTable::isRunning(workerPid))) {
        how.local = true;
        how.startTime = ProcessTable::startTime(workerPid);
        how.ownTree = isOwnChild(workerPid) || ProcessTable::descendsFrom(workerPid, pid);
    }
    return how;
}

void MasterPrivate::admit(const Message &message, const QByteArray &channel)
{
    Q_Q(Master);
    const qint64 workerPid = message.pid();
    switch (vet(workerPid)) {
    case Vetting::Running:
        held.remove(workerPid);
        ++stats.onMessage;
        Q_EMIT q->messageReceived(message);
        addWorker(workerPid, message.group());
        return;
    case Vetting::Gone:
        reject(channel, QStringLiteral("registration of %1 refused: no such process on this host").arg(workerPid));
        return;
    case Vetting::Unverified:
        if (held.size() >= MaxHeld && !held.contains(workerPid)) {
            reject(channel, QStringLiteral("registration of %1 refused: no such process on this host, and %2 more wait to be vouched for")
                                .arg(workerPid).arg(held.size()));
            return;
        }
        held.insert(workerPid, Held{message, channel, clock.elapsed()});
        ensureChecks();
        return;
    }
}

void MasterPrivate::admitHeld(qint64 workerPid)
{
    Q_Q(Master);
    const Held entry = held.take(workerPid);
    ++stats.onMessage;
    Q_EMIT q->messageReceived(entry.registration);
    addWorker(workerPid, entry.registration.group());
}

void MasterPrivate::dropHeld(qint64 workerPid, const QString &reason)
{
    const Held entry = held.take(workerPid);
    reject(entry.channel, reason);
}

void MasterPrivate::resolveHeld(const Message &message, const Heartbeat &beat)
{
    if (held.isEmpty())
        return;
    if (held.contains(message.pid())) {
        const Vetting vetting = vet(message.pid());
        if (vetting == Vetting::Running)
            admitHeld(message.pid());
        else if (vetting == Vetting::Gone)
            dropHeld(message.pid(), QStringLiteral("registration of %1 refused: no such process on this host").arg(message.pid()));
    }
    // A parent on another host vouches for the children it lists, which
    // cannot be checked from here (processes that speak only the original
    // protocol send no heartbeat of their own); one of this host names
    // children whose pids can be checked.
    const bool elsewhere = !beat.host().isEmpty() && beat.host() != hostLabel();
    const QList<ChildInfo> children = beat.children();
    for (const ChildInfo &child : children) {
        if (held.contains(child.pid()) && ChildInfo::isAlive(child.state()) && (elsewhere || vet(child.pid()) == Vetting::Running))
            admitHeld(child.pid());
    }
}

void MasterPrivate::checkMembers()
{
    const qint64 now = clock.elapsed();
    const qint64 timeout = options.heartbeatTimeout().count();
    const qint64 holdMs = timeout > 0 ? timeout : DefaultHoldMs;
    QList<qint64> expired;
    for (auto it = held.cbegin(); it != held.cend(); ++it) {
        if (now - it->since > holdMs)
            expired.append(it.key());
    }
    for (qint64 workerPid : std::as_const(expired))
        dropHeld(workerPid, QStringLiteral("registration of %1 refused: no such process on this host, and no heartbeat "
                                           "(its own or its parent's) vouched for it within %2 ms").arg(workerPid).arg(holdMs));

    const QSet<qint64> vouched = vouchedFor();
    QList<QPair<qint64, QString>> gone;
    for (auto it = vetted.begin(); it != vetted.end(); ++it) {
        const qint64 workerPid = it.key();
        if (isOwnChild(workerPid) || workerPid == pid || exitWatch->isWatching(workerPid))
            continue; // the supervisor sees our children end, a pidfd the others
        if (it->local) {
            if (ProcessTable::isRunning(workerPid, it->startTime))
                it->missedChecks = 0;
            else if (++it->missedChecks >= ChecksBeforeRemoval)
                gone.append({workerPid, QStringLiteral("its process is gone")});
        } else if (!heartbeats.contains(workerPid) && !vouched.contains(workerPid)) {
            // On another host: alive while it heartbeats (expireSilentWorkers)
            // or its parent lists it.
            gone.append({workerPid, QStringLiteral("no heartbeat, and no parent reports it")});
        }
    }
    for (const auto &[workerPid, reason] : std::as_const(gone))
        removeWorker(workerPid, reason);
}

} // namespace Clustr
