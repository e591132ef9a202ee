// SPDX-License-Identifier: MIT
#include <ClustrQt/clusterlock.h>

#include "base/logging_p.h"
#include "base/processtable_p.h"
#include "protocol/channels_p.h"
#include "protocol/records_p.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QPointer>
#include <QtCore/QSysInfo>
#include <QtCore/QTimer>

namespace Clustr {

namespace {

// Refreshed every two seconds: a holder killed with SIGKILL frees the name after
// this, or at once for a new holder on the same host (see checkHolder()).
constexpr int LockTtlMs = 5000;
constexpr int RefreshMs = 2000; // two refreshes may be lost before the lock expires
constexpr std::chrono::milliseconds AnswerTimeout{5000};
// Rounds of "taken - by whom? - gone, take it over" before giving up: a
// round is lost only to another process that changed the lock meanwhile.
constexpr int MaxRounds = 3;

// Replaces the lock only if it still holds the value that was checked, so
// two processes taking over the same dead holder cannot both succeed.
const QByteArray TakeOverScript = QByteArrayLiteral(
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0");

} // namespace

class ClusterLockPrivate
{
    Q_DECLARE_PUBLIC(ClusterLock)
public:
    explicit ClusterLockPrivate(ClusterLock *q) : q_ptr(q) {}

    void setHeld(bool now);
    void tryAcquire();
    void checkHolder();
    void takeOver(const QByteArray &current, const Protocol::LockOwner &owner);
    void win();
    void lose(qint64 pid, const QString &host);
    void refresh();
    QByteArray value() const;

    ClusterLock *q_ptr;
    RedisClient redis;
    QString url = RedisClient::defaultUrl();
    Protocol::Channels channels;
    QTimer refreshTimer;
    bool held = false;
    bool opened = false;
    bool refreshFailing = false; // reported once until a refresh succeeds again
    int attempt = 0; // answers of an attempt that was given up are ignored
    int rounds = 0;
    quint64 ownStartTime = ProcessTable::startTime(0);
    QByteArray ownProcessTable = ProcessTable::identity();
};

QByteArray ClusterLockPrivate::value() const
{
    return Protocol::Records::lockValue({QCoreApplication::applicationPid(), QSysInfo::machineHostName(), ownStartTime, ownProcessTable});
}

void ClusterLockPrivate::setHeld(bool now)
{
    Q_Q(ClusterLock);
    if (held == now)
        return;
    held = now;
    if (held)
        refreshTimer.start(RefreshMs);
    else
        refreshTimer.stop();
    Q_EMIT q->heldChanged(held);
}

void ClusterLockPrivate::tryAcquire()
{
    Q_Q(ClusterLock);
    ++rounds;
    QPointer<ClusterLock> guard(q);
    const int current = ++attempt;
    // A Redis that cannot be reached keeps the command queued: give up in time.
    QTimer::singleShot(AnswerTimeout, q, [this, current] {
        if (current != attempt)
            return;
        ++attempt;
        Q_EMIT q_func()->failed(redis.errorString().isEmpty() ? QStringLiteral("no answer within %1 s").arg(AnswerTimeout.count() / 1000)
                                                              : redis.errorString());
    });
    redis.command({QByteArrayLiteral("SET"), channels.lockKey(), value(), QByteArrayLiteral("NX"), QByteArrayLiteral("PX"),
                   QByteArray::number(LockTtlMs)},
                  [guard, this, current](const RedisReply &reply) {
                      if (!guard || current != attempt)
                          return;
                      ++attempt;
                      if (reply.isError()) {
                          const QString text = redis.errorString().isEmpty() ? QString::fromUtf8(reply.string) : redis.errorString();
                          Q_EMIT guard->failed(text);
                      } else if (reply.isNil()) {
                          checkHolder();
                      } else {
                          win();
                      }
                  });
}

// The lock is taken: by whom, and is it still there?
void ClusterLockPrivate::checkHolder()
{
    Q_Q(ClusterLock);
    // The lock's value names its holder; the running master's announcement
    // names it for holders that wrote no readable lock.
    QPointer<ClusterLock> guard(q);
    redis.command({QByteArrayLiteral("MGET"), channels.masterKey(), channels.lockKey()}, [guard, this](const RedisReply &reply) {
        if (!guard)
            return;
        if (reply.type != RedisReply::Type::Array || reply.elements.size() != 2) {
            lose(0, QString());
            return;
        }
        const RedisReply &lock = reply.elements.at(1);
        if (lock.isNil() && rounds < MaxRounds) {
            tryAcquire(); // it expired meanwhile
            return;
        }
        if (const auto owner = Protocol::Records::lockOwner(lock.string)) {
            // Only a holder whose pid is one of our process table's can be
            // checked (the same boot and pid namespace: a host name alone
            // does not tell, containers may share one); there, a pid that
            // does not run, or runs a later process, holds nothing any more.
            if (!ownProcessTable.isEmpty() && owner->processTable == ownProcessTable && owner->startTime > 0
                && owner->pid != QCoreApplication::applicationPid() && !ProcessTable::isRunning(owner->pid, owner->startTime)
                && rounds < MaxRounds) {
                takeOver(lock.string, *owner);
                return;
            }
            lose(owner->pid, owner->host);
            return;
        }
        const RedisReply &announcement = reply.elements.at(0);
        const auto object = announcement.isNil() ? std::nullopt : Protocol::Records::objectFromBytes(announcement.string);
        const auto master = object ? Protocol::Records::masterInfo(*object) : std::nullopt;
        lose(master ? master->pid() : 0, master ? master->host() : QString());
    });
}

void ClusterLockPrivate::takeOver(const QByteArray &current, const Protocol::LockOwner &owner)
{
    Q_Q(ClusterLock);
    QPointer<ClusterLock> guard(q);
    redis.command({QByteArrayLiteral("EVAL"), TakeOverScript, QByteArrayLiteral("1"), channels.lockKey(), current, value(),
                   QByteArray::number(LockTtlMs)},
                  [guard, this, owner](const RedisReply &reply) {
                      if (!guard)
                          return;
                      if (reply.isError()) {
                          // Redis would not run the script (an ACL without EVAL, say):
                          // the lock stands until it expires, as it did before takeovers.
                          qCWarning(lcMaster).noquote() << QStringLiteral("cannot take over the lock of pid %1, which is gone: %2")
                                                               .arg(owner.pid).arg(QString::fromUtf8(reply.string));
                          lose(owner.pid, owner.host);
                      } else if (reply.type == RedisReply::Type::Integer && reply.integer == 1) {
                          setHeld(true);
                          Q_EMIT guard->takenOver(owner.pid, owner.host);
                          if (guard)
                              Q_EMIT guard->acquired();
                      } else {
                          tryAcquire(); // someone changed it meanwhile: look again
                      }
                  });
}

void ClusterLockPrivate::refresh()
{
    Q_Q(ClusterLock);
    QPointer<ClusterLock> guard(q);
    // The answer is waited for, not only counted: a refresh that Redis
    // refuses (an ACL without SET, a replica after a failover) lets the name
    // expire under a running master, which its holder must hear of. Waiting
    // also reads the answer as it comes, in the wake-up that brings the
    // announcement's, where an answer nobody waits for is read by the
    // client's lazy-read timer, two more passes of an idle master's loop.
    redis.command({QByteArrayLiteral("SET"), channels.lockKey(), value(), QByteArrayLiteral("PX"), QByteArray::number(LockTtlMs)},
                  [guard, this](const RedisReply &reply) {
                      if (!guard || !held)
                          return;
                      if (reply.isError() && !refreshFailing) {
                          refreshFailing = true;
                          // A lost connection's error is the client's; Redis' own is in the reply.
                          const QString why = reply.string.isEmpty() ? redis.errorString() : QString::fromUtf8(reply.string);
                          qCWarning(lcMaster).noquote()
                              << QStringLiteral("the cluster lock %1 could not be refreshed: %2; it expires %3 s after the last refresh that succeeded")
                                     .arg(QString::fromUtf8(channels.lockKey()), why)
                                     .arg(LockTtlMs / 1000);
                      } else if (!reply.isError() && refreshFailing) {
                          refreshFailing = false;
                          // As loud as the failure it ends: whoever saw that must see this.
                          qCWarning(lcMaster).noquote() << QStringLiteral("the cluster lock %1 is refreshed again").arg(QString::fromUtf8(channels.lockKey()));
                      }
                  });
}

void ClusterLockPrivate::win()
{
    setHeld(true);
    Q_EMIT q_func()->acquired();
}

void ClusterLockPrivate::lose(qint64 pid, const QString &host)
{
    Q_EMIT q_func()->refused(pid, host);
}

ClusterLock::ClusterLock(QObject *parent)
    : QObject(parent)
    , d_ptr(new ClusterLockPrivate(this))
{
    Q_D(ClusterLock);
    d->redis.setClientName(QStringLiteral("clustr.daemon.%1").arg(QCoreApplication::applicationPid()));
    d->redis.setCommandTimeout(AnswerTimeout);
    connect(&d->refreshTimer, &QTimer::timeout, this, [d] { d->refresh(); });
}

ClusterLock::~ClusterLock()
{
    Q_D(ClusterLock);
    if (d->held)
        d->redis.command({QByteArrayLiteral("DEL"), d->channels.lockKey()});
}

void ClusterLock::setRedisUrl(const QString &url)
{
    d_func()->url = url;
}

void ClusterLock::setClusterName(const QString &name)
{
    Q_D(ClusterLock);
    d->channels = Protocol::Channels(name, d->channels.host());
}

void ClusterLock::setHost(const QString &host)
{
    Q_D(ClusterLock);
    d->channels = Protocol::Channels(d->channels.clusterNamespace(), host);
}

void ClusterLock::acquire()
{
    Q_D(ClusterLock);
    // On a Redis Cluster the lock is a hash-tagged key like the others.
    d->channels = d->channels.withHashTaggedKeys(RedisClient::isClusterUrl(d->url));
    if (!d->opened) {
        d->opened = true;
        d->redis.setUrl(d->url);
        d->redis.open();
    }
    d->rounds = 0;
    d->tryAcquire();
}

void ClusterLock::release()
{
    Q_D(ClusterLock);
    if (!d->held) {
        QMetaObject::invokeMethod(this, &ClusterLock::released, Qt::QueuedConnection);
        return;
    }
    d->setHeld(false);
    QPointer<ClusterLock> guard(this);
    // Answered, failed, or timed out (AnswerTimeout): released() comes once either way.
    d->redis.command({QByteArrayLiteral("DEL"), d->channels.lockKey()}, [guard](const RedisReply &) {
        if (guard)
            Q_EMIT guard->released();
    });
}

bool ClusterLock::isHeld() const
{
    return d_func()->held;
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_clusterlock.cpp"
