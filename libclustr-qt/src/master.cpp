// SPDX-License-Identifier: MIT
#include "master_p.h"

#include "supervision/exitwatch_p.h"
#include "supervision/orphanreaper_p.h"
#include "supervision/treeguard_p.h"
#include "supervision/unixsignals_p.h"

#include "protocol/records_p.h"


#include <algorithm>
#include <csignal>

namespace Clustr {

namespace {

// How long a removed pid is remembered, so that a heartbeat it sent before
// it died (arriving late over another connection) cannot register it again.
// A heartbeat that says when it was sent (sentAt) needs no waiting: one sent
// after the removal comes from a live process.
constexpr qint64 RememberRemovedMs = 10000;
// How long a process of this host that ended stays listed, waiting for its
// parent's deregistration on its behalf before it counts as lost.
constexpr int GoneGraceMs = 500;

} // namespace

MasterPrivate::MasterPrivate(const ProcessOptions &options)
    : ProcessPrivate(QStringLiteral("master"), options)
{
    masterPid = pid;
    qRegisterMetaType<Clustr::ClusterInfo>(); // see ProcessPrivate::init()
    clock.start();
}

void MasterPrivate::setUp()
{
    Q_Q(Master);
    if (!valid)
        return;
    reloadStepTimer.setSingleShot(true);
    reloadDelayTimer.setSingleShot(true);
    reloadDelayTimer.setTimerType(Qt::PreciseTimer); // "at least reloadDelay": a coarse timer may fire 5 % early
    QObject::connect(&reloadStepTimer, &QTimer::timeout, q, [this] { reloadMachine.post(ReloadMachine::Event::StepTimedOut); });
    QObject::connect(&reloadDelayTimer, &QTimer::timeout, q, [this] { reloadMachine.post(ReloadMachine::Event::DelayElapsed); });
    // Members are checked while any needs it (needsChecks()): silent ones
    // expire (unless heartbeats never do), and those of this host that no
    // pidfd watches must still run. A cluster of this host's processes
    // needs no checks at all: the kernel tells when one ends.
    QObject::connect(&expiryTimer, &QTimer::timeout, q, [this] {
        if (options.heartbeatTimeout().count() > 0)
            expireSilentWorkers();
        checkMembers();
        if (!needsChecks())
            expiryTimer.stop();
    });
    expiryTimer.setInterval(options.heartbeatTimeout().count() > 0 ? std::max<qint64>(250, options.heartbeatTimeout().count() / 4) : 1000);
    exitWatch = new ExitWatch(q);
    QObject::connect(exitWatch, &ExitWatch::exited, q, [this](qint64 workerPid) { memberExited(workerPid); });
    if (options.announce())
        setUpAnnouncements();
    if (options.handleUnixSignals()) {
        signalWatcher = new UnixSignalWatcher(q);
        for (int signum : {SIGHUP, SIGTERM, SIGINT}) {
            if (!signalWatcher->watch(signum))
                qCWarning(lcMaster).noquote() << "cannot handle signal" << signum << ":" << signalWatcher->errorString();
        }
        QObject::connect(signalWatcher, &UnixSignalWatcher::signalReceived, q, [q](int signum) {
            if (signum == SIGHUP) {
                clustrInfo(lcMaster) << "SIGHUP: reloading the cluster";
                q->reload();
            } else {
                clustrInfo(lcMaster) << (signum == SIGTERM ? "SIGTERM" : "SIGINT") << ": stopping the cluster";
                q->stop(signum == SIGTERM ? 15 : 130);
            }
        });
    }
}

QList<QPair<QByteArray, Protocol::ChannelKind>> MasterPrivate::extraChannels() const
{
    return {
        {channels.registrationChannel(pid), Protocol::ChannelKind::Registration},
        {channels.deregistrationChannel(pid), Protocol::ChannelKind::Deregistration},
        // Workers ask for cluster info on the master's channel.
        {channels.clusterInfoChannel(pid), Protocol::ChannelKind::ClusterInfo},
        {channels.heartbeatChannel(pid), Protocol::ChannelKind::Heartbeat},
        {channels.samplingChannel(pid), Protocol::ChannelKind::Sampling},
        {channels.controlChannel(pid), Protocol::ChannelKind::Control},
    };
}

void MasterPrivate::subscriptionsActive()
{
    // Back after an outage (or just started): whatever we missed meanwhile
    // (registrations, changed children) every process of the tree tells us
    // again in one heartbeat.
    requestSamples(std::chrono::milliseconds(0));
}

bool MasterPrivate::handleMessage(Protocol::ChannelKind kind, const Message &message)
{
    Q_Q(Master);
    using Kind = Protocol::ChannelKind;
    switch (kind) {
    case Kind::Registration:
        admit(message, channels.registrationChannel(pid));
        return true;
    case Kind::Deregistration:
        ++stats.onMessage;
        Q_EMIT q->messageReceived(message);
        removeWorker(message.pid());
        return true;
    case Kind::ClusterInfo:
        if (message.data().isObject())
            return true; // our own answer, when a worker shares our pid (in-process use)
        if (message.data() != QJsonValue(QStringLiteral("clusterInfo"))) {
            reject(channels.clusterInfoChannel(pid), QStringLiteral("a cluster-info request's data must be \"clusterInfo\""));
            return true;
        }
        ++stats.onMessage;
        Q_EMIT q->messageReceived(message);
        publishJson(channels.clusterInfoChannel(message.pid()),
                    Protocol::Codec::clusterInfoJson(groupsInOrder, clusterInfo));
        return true;
    case Kind::Heartbeat:
        handleHeartbeat(message);
        return true;
    case Kind::Control:
        handleControl(message);
        return true;
    case Kind::Sampling:
        handleSamplingRequest(message);
        return true;
    default:
        return false;
    }
}

void MasterPrivate::addWorker(qint64 workerPid, const QString &workerGroup)
{
    Q_Q(Master);
    const auto known = groupOf.constFind(workerPid);
    if (known != groupOf.cend()) {
        if (known.value() == workerGroup)
            return; // registered twice: once is enough
        removeWorker(workerPid); // same pid, new group: a recycled pid
    }
    recentlyRemoved.remove(workerPid);
    const Vetted how = vettingOf(workerPid);
    vetted.insert(workerPid, how);
    // Our children the supervisor sees end; others of this host a pidfd
    // tells of; the rest (other hosts, no pidfd) are checked by time.
    const bool own = isOwnChild(workerPid) || workerPid == pid;
    if (!own && !(how.local && exitWatch->watch(workerPid, how.startTime)))
        ensureChecks();
    groupOf.insert(workerPid, workerGroup);
    if (!groupsInOrder.contains(workerGroup))
        groupsInOrder.append(workerGroup);
    clusterInfo[workerGroup].append(workerPid);
    clustrInfo(lcMaster) << "registered" << workerPid << "in" << workerGroup;
    Q_EMIT q->workerRegistered(workerPid, workerGroup);
    Q_EMIT q->clusterInfoChanged();
    checkLifecycle();
}

void MasterPrivate::removeWorker(qint64 workerPid, const QString &reason)
{
    Q_Q(Master);
    heartbeats.remove(workerPid);
    killedByUs.remove(workerPid);
    vetted.remove(workerPid);
    exitWatch->unwatch(workerPid);
    const QString workerGroup = groupOf.take(workerPid);
    if (workerGroup.isNull())
        return;
    forgetOldRemovals();
    recentlyRemoved.insert(workerPid, Removal{clock.elapsed(), QDateTime::currentMSecsSinceEpoch()});
    auto it = clusterInfo.find(workerGroup);
    if (it != clusterInfo.end()) {
        it->removeAll(workerPid);
        if (it->isEmpty())
            clusterInfo.erase(it);
    }
    if (reason.isEmpty()) {
        clustrInfo(lcMaster) << "deregistered" << workerPid << "of" << workerGroup;
    } else {
        qCWarning(lcMaster).noquote() << QStringLiteral("lost %1 of %2: %3").arg(workerPid).arg(workerGroup, reason);
        Q_EMIT q->workerLost(workerPid, workerGroup, reason);
    }
    Q_EMIT q->workerDeregistered(workerPid, workerGroup);
    Q_EMIT q->clusterInfoChanged();
    checkLifecycle();
}

void MasterPrivate::handleHeartbeat(const Message &message)
{
    QString error;
    const auto beat = Protocol::Records::heartbeat(message.data(), &error);
    if (!beat) {
        reject(channels.heartbeatChannel(pid), error);
        return;
    }
    // The protocol names processes by pid alone; two hosts sharing one Redis
    // can have the same pid. That cannot be told apart on the wire, but it
    // can be seen: say so loudly instead of mixing the two up silently.
    const auto previous = heartbeats.constFind(message.pid());
    if (previous != heartbeats.cend()) {
        const QString before = previous->data.host();
        const QString now = beat->host();
        if (!before.isEmpty() && !now.isEmpty() && before != now && clock.elapsed() - previous->receivedAt < options.heartbeatTimeout().count()) {
            quint64 suppressed = 0;
            if (collisionWarnings.allow(&suppressed))
                qCWarning(lcMaster).noquote() << QStringLiteral("pid %1 is alive on two hosts (%2 and %3): give each host's "
                                                                "cluster its own name (namespace) on a shared Redis")
                                                     .arg(message.pid()).arg(before, now);
        }
    }
    // New children, a registration: written soon; new figures alone: with the next batch.
    const bool news = previous == heartbeats.cend() || previous->data.ready() != beat->ready()
        || previous->data.children() != beat->children() || previous->data.supervised() != beat->supervised();
    heartbeats.insert(message.pid(), ReceivedHeartbeat{*beat, clock.elapsed()});
    if (!beat->supervised())
        ensureChecks(); // it proves it lives by heartbeating: watched for silence
    statusChanged(news ? StatusChange::Structure : StatusChange::Figures);
    resolveHeld(message, *beat);
    // A worker we dropped (silent too long, or its registration was lost)
    // that is alive and ready joins again.
    if (beat->ready() && !isRegistered(message.pid())) {
        const auto removed = recentlyRemoved.constFind(message.pid());
        const bool sentAfterRemoval = removed != recentlyRemoved.cend() && beat->sentAt().isValid()
            && beat->sentAt().toMSecsSinceEpoch() > removed->wallMs;
        if ((removed == recentlyRemoved.cend() || sentAfterRemoval || clock.elapsed() - removed->at > RememberRemovedMs)
            && vet(message.pid()) == Vetting::Running)
            addWorker(message.pid(), message.group());
    }
    checkLifecycle();
}

bool MasterPrivate::isWatchedHere(qint64 workerPid) const
{
    return isOwnChild(workerPid) || workerPid == pid || vetted.value(workerPid).local;
}

// Pids a live parent still reports as running children are alive even if
// they never heartbeat (processes that speak only the original protocol),
// or heartbeat only on change (supervised ones). A parent is live if its
// heartbeats are fresh, if it runs on this host (its end is seen here), or
// if a live parent of its own lists it: down the tree, as deep as it goes.
QSet<qint64> MasterPrivate::vouchedFor() const
{
    const qint64 now = clock.elapsed();
    const qint64 timeout = options.heartbeatTimeout().count();
    QList<qint64> live;
    for (auto it = heartbeats.cbegin(); it != heartbeats.cend(); ++it) {
        const bool fresh = it->data.supervised() ? isWatchedHere(it.key()) : (timeout <= 0 || now - it->receivedAt <= timeout);
        if (fresh)
            live.append(it.key());
    }
    QSet<qint64> pids;
    for (qsizetype i = 0; i < live.size(); ++i) { // live grows as children are found
        const auto beat = heartbeats.constFind(live.at(i));
        if (beat == heartbeats.cend())
            continue;
        const QList<ChildInfo> children = beat->data.children();
        for (const ChildInfo &child : children) {
            if (child.state() == ChildInfo::State::Running && !pids.contains(child.pid())) {
                pids.insert(child.pid());
                live.append(child.pid());
            }
        }
    }
    return pids;
}

void MasterPrivate::expireSilentWorkers()
{
    const qint64 now = clock.elapsed();
    const qint64 timeout = options.heartbeatTimeout().count();
    const QSet<qint64> vouched = vouchedFor();
    QList<qint64> silent;
    for (auto it = heartbeats.cbegin(); it != heartbeats.cend(); ++it) {
        // A supervised process of this host lives as long as its process
        // does (memberExited()); elsewhere, as long as a live parent lists it.
        if (it->data.supervised() && isWatchedHere(it.key()))
            continue;
        if (now - it->receivedAt > timeout && !vouched.contains(it.key()))
            silent.append(it.key());
    }
    for (qint64 workerPid : silent) {
        heartbeats.remove(workerPid);
        if (isRegistered(workerPid) && !(supervisor && supervisor->owns(workerPid)))
            removeWorker(workerPid, QStringLiteral("no heartbeat for %1 ms").arg(timeout));
    }
}

void MasterPrivate::forgetOldRemovals()
{
    const qint64 now = clock.elapsed();
    for (auto it = recentlyRemoved.begin(); it != recentlyRemoved.end();) {
        if (now - it->at > RememberRemovedMs)
            it = recentlyRemoved.erase(it);
        else
            ++it;
    }
}

void MasterPrivate::ensureChecks()
{
    if (!expiryTimer.isActive() && valid && !closing)
        expiryTimer.start();
}

bool MasterPrivate::needsChecks() const
{
    if (!held.isEmpty())
        return true;
    for (auto it = heartbeats.cbegin(); it != heartbeats.cend(); ++it) {
        if (!it->data.supervised() || !isWatchedHere(it.key()))
            return true; // watched for silence
    }
    for (auto it = vetted.cbegin(); it != vetted.cend(); ++it) {
        const bool own = isOwnChild(it.key()) || it.key() == pid;
        if (!own && !exitWatch->isWatching(it.key()))
            return true; // another host's, or no pidfd: looked at every check
    }
    return false;
}

void MasterPrivate::memberExited(qint64 workerPid)
{
    Q_Q(Master);
    // Its parent's deregistration on its behalf (a plain departure, not a
    // loss) is usually on its way: give it a moment.
    const quint64 startTime = vetted.value(workerPid).startTime;
    QTimer::singleShot(GoneGraceMs, q, [this, workerPid, startTime] {
        const auto how = vetted.constFind(workerPid);
        if (how != vetted.cend() && how->startTime == startTime && isRegistered(workerPid))
            removeWorker(workerPid, QStringLiteral("its process is gone"));
    });
}

void MasterPrivate::childGone(qint64 childPid, const QString &childGroup, const QString &how)
{
    Q_UNUSED(childGroup);
    // Our own child: no need to go through Redis to know it is gone. If we
    // told it to go, it is no loss (its deregistration may just be slower
    // than the kernel's word).
    const bool expected = killedByUs.remove(childPid) || closing;
    if (isRegistered(childPid))
        removeWorker(childPid, expected ? QString() : how);
}

void MasterPrivate::childrenChanged()
{
    statusChanged();
    // A child that ended may leave orphans, which come to us now.
    if (reaper && reaper->isActive())
        reaper->reapNow();
    checkLifecycle();
}

qint64 MasterPrivate::parentOf(qint64 workerPid) const
{
    if (supervisor && supervisor->owns(workerPid))
        return pid;
    return heartbeats.value(workerPid).data.ppid();
}

bool MasterPrivate::isEndedByParent(qint64 workerPid) const
{
    // A clustr-qt spawner lists the children it supervises in its heartbeat
    // and ends them when it ends; an original (clustr-node) parent sends no
    // heartbeat and just exits, leaving its children running.
    const qint64 parent = parentOf(workerPid);
    if (parent == pid || !isRegistered(parent))
        return false;
    const auto beat = heartbeats.constFind(parent);
    if (beat == heartbeats.cend())
        return false;
    const QList<ChildInfo> children = beat->data.children();
    return std::any_of(children.cbegin(), children.cend(), [workerPid](const ChildInfo &child) {
        return child.pid() == workerPid && child.registers();
    });
}

bool MasterPrivate::respawns(qint64 workerPid) const
{
    if (supervisor) {
        if (const Supervisor::Child *child = supervisor->findByPid(workerPid))
            return child->spec.respawn();
    }
    const auto parent = heartbeats.constFind(parentOf(workerPid));
    if (parent == heartbeats.cend())
        return true; // unknown: the original protocol always respawned
    const QList<ChildInfo> children = parent->data.children();
    for (const ChildInfo &child : children) {
        if (child.pid() == workerPid)
            return child.respawn();
    }
    return true;
}

bool MasterPrivate::clusterComplete(const QSet<const ChildProcess *> &ignored) const
{
    QSet<qint64> ignoredPids;
    if (supervisor) {
        const QList<ChildProcess *> processes = supervisor->processes();
        for (ChildProcess *child : processes) {
            const Supervisor::Child *entry = supervisor->find(child);
            const auto state = child->state();
            if (ignored.contains(child)) {
                ignoredPids.insert(child->pid());
                continue;
            }
            if (!entry->spec.registers() || state == ChildProcess::State::Failed || state == ChildProcess::State::Stopped
                || state == ChildProcess::State::Stopping)
                continue;
            if (state != ChildProcess::State::Running || !isRegistered(child->pid()))
                return false;
        }
    }
    // The children our own tree announces count; anyone else's heartbeat
    // (which anyone who can publish could send) cannot make us wait.
    for (auto it = heartbeats.cbegin(); it != heartbeats.cend(); ++it) {
        if (!isRegistered(it.key()) || !vetted.value(it.key()).ownTree || ignoredPids.contains(it.key()))
            continue;
        const QList<ChildInfo> children = it->data.children();
        for (const ChildInfo &child : children) {
            if (!child.registers() || !ChildInfo::isAlive(child.state()))
                continue;
            if (!isRegistered(child.pid()))
                return false;
        }
    }
    return true;
}

void MasterPrivate::checkLifecycle()
{
    Q_Q(Master);
    if (closing)
        return;
    if (spawned && !started && clusterComplete()) {
        started = true;
        clustrInfo(lcMaster) << "cluster started with" << groupOf.size() << "workers";
        Q_EMIT q->clusterStarted(int(groupOf.size()));
    }
    checkGroupOperations();
    reloadMachine.post(ReloadMachine::Event::Changed);
}

void MasterPrivate::aboutToClose(int exitCode)
{
    Q_Q(Master);
    clustrInfo(lcMaster) << "stopping the cluster with exit code" << exitCode;
    Q_EMIT q->stopping(exitCode);
    reloadMachine.post(ReloadMachine::Event::Cancelled);
    expiryTimer.stop();
    // Every registered process of the tree is told to end (its kill handler
    // runs) with our own exit code, as the original master does (15 after
    // SIGTERM). Our own children are stopped by the supervisor
    // (Process::close(), the same code), which SIGKILLs whatever is still
    // there after the kill timeout; a clustr-qt parent does the same for its
    // children. Killing those directly as well would let their parent,
    // not stopping yet, take the exit for a crash and start them again.
    for (auto it = groupOf.cbegin(); it != groupOf.cend(); ++it) {
        killedByUs.insert(it.key());
        if (!isOwnChild(it.key()) && !isEndedByParent(it.key()))
            publish(channels.killChannel(it.key()), exitCode);
    }
}

void MasterPrivate::aboutToSpawn()
{
    Q_Q(Master);
    if (reaper || !options.adoptOrphans())
        return;
    // Orphaned grandchildren come back to us, not to init, so the tree
    // stays ours to stop and to reap.
    if (!OrphanReaper::becomeSubreaper())
        qCWarning(lcMaster) << "cannot become a child subreaper: orphans of the tree will go to init";
    reaper = new OrphanReaper(q);
    // Whatever the program started before it spawned (an embedded Redis, say)
    // is its own business, not an orphan of the tree.
    const QList<qint64> existing = reaper->adoptedChildren();
    otherChildren = QSet<qint64>(existing.cbegin(), existing.cend());
    // And if we are killed with SIGKILL, when we can do nothing more, the
    // guard ends the tree: our children run in its process group.
    guard = new TreeGuard(q);
    guard->start();
    reaper->setOwnedPredicate([this](qint64 childPid) {
        return (supervisor && supervisor->owns(childPid)) || otherChildren.contains(childPid) || childPid == guard->pid();
    });
    reaper->start();
}

qint64 MasterPrivate::childProcessGroup() const
{
    if (guard && guard->processGroup() > 0)
        return guard->processGroup();
    return ProcessPrivate::childProcessGroup();
}

void MasterPrivate::spawnDone()
{
    Q_Q(Master);
    spawned = true;
    // With nothing to wait for (no cluster-aware child), the cluster has started now.
    QMetaObject::invokeMethod(q, [this] { checkLifecycle(); }, Qt::QueuedConnection);
}

void MasterPrivate::childrenStopped()
{
    if (!reaper)
        return;
    // Orphans of the tree that were re-parented to us: nothing else will end them.
    for (qint64 orphan : reaper->adoptedChildren()) {
        qCWarning(lcMaster) << "killing leftover process" << orphan;
        ::kill(pid_t(orphan), SIGKILL);
    }
    reaper->reapNow();
}

// Master

Master::Master(QObject *parent)
    : Master(ProcessOptions(), parent)
{
}

Master::Master(const ProcessOptions &options, QObject *parent)
    : Process(*new MasterPrivate(options), parent)
{
    Q_D(Master);
    d->setUp();
    connect(this, &Process::spawnFailed, this, [d] { d->checkLifecycle(); });
}

Master::~Master() = default;

ClusterInfo Master::clusterInfo() const
{
    return d_func()->clusterInfo;
}

int Master::workerCount() const
{
    return int(d_func()->groupOf.size());
}

std::chrono::milliseconds Master::reloadDelay() const
{
    return d_func()->options.reloadDelay();
}

bool Master::isReloading() const
{
    return d_func()->reloadMachine.isRunning();
}

QStringList Master::lostHosts() const
{
    Q_D(const Master);
    return d->hostWatch ? d->hostWatch->lostHosts() : QStringList();
}

ClusterStatus Master::status() const
{
    return d_func()->statusSnapshot();
}

void Master::requestSamples(std::chrono::milliseconds lease)
{
    Q_D(Master);
    if (d->valid)
        d->requestSamples(std::clamp<std::chrono::milliseconds>(lease, std::chrono::milliseconds(0),
                                                                 std::chrono::milliseconds(Protocol::SamplingRequest::MaxLeaseMs)));
}

Heartbeat Master::heartbeatOf(qint64 pid) const
{
    return d_func()->heartbeats.value(pid).data;
}

void Master::reload()
{
    d_func()->startReload();
}

void Master::stop(int exitCode)
{
    close(exitCode);
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_master.cpp"
