// SPDX-License-Identifier: MIT
#include <ClustrQt/clusterlock.h>

#include "protocol/channels_p.h"
#include "protocol/records_p.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QPointer>
#include <QtCore/QSysInfo>
#include <QtCore/QTimer>

namespace Clustr {

namespace {

// Refreshed every second: a holder killed with SIGKILL frees the name after this.
constexpr int LockTtlMs = 5000;
constexpr int RefreshMs = 1000;
constexpr std::chrono::milliseconds AnswerTimeout{5000};

} // namespace

class ClusterLockPrivate
{
    Q_DECLARE_PUBLIC(ClusterLock)
public:
    explicit ClusterLockPrivate(ClusterLock *q) : q_ptr(q) {}

    void setHeld(bool now);
    void findHolder();
    QByteArray value() const;

    ClusterLock *q_ptr;
    RedisClient redis;
    QString url = RedisClient::defaultUrl();
    Protocol::Channels channels;
    QTimer refreshTimer;
    bool held = false;
    bool opened = false;
    int attempt = 0; // answers of an attempt that was given up are ignored
};

QByteArray ClusterLockPrivate::value() const
{
    return Protocol::Records::lockValue({QCoreApplication::applicationPid(), QSysInfo::machineHostName()});
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

void ClusterLockPrivate::findHolder()
{
    Q_Q(ClusterLock);
    // The running master's announcement names it best; the lock's value
    // names a master that has not announced itself (yet).
    QPointer<ClusterLock> guard(q);
    redis.command({QByteArrayLiteral("MGET"), channels.masterKey(), channels.lockKey()}, [guard](const RedisReply &reply) {
        if (!guard)
            return;
        qint64 pid = 0;
        QString host;
        if (reply.type == RedisReply::Type::Array && reply.elements.size() == 2) {
            const auto object = reply.elements.at(0).isNil() ? std::nullopt : Protocol::Records::objectFromBytes(reply.elements.at(0).string);
            const auto master = object ? Protocol::Records::masterInfo(*object) : std::nullopt;
            const auto owner = Protocol::Records::lockOwner(reply.elements.at(1).string);
            if (master) {
                pid = master->pid();
                host = master->host();
            } else if (owner) {
                pid = owner->pid;
                host = owner->host;
            }
        }
        Q_EMIT guard->refused(pid, host);
    });
}

ClusterLock::ClusterLock(QObject *parent)
    : QObject(parent)
    , d_ptr(new ClusterLockPrivate(this))
{
    Q_D(ClusterLock);
    d->redis.setClientName(QStringLiteral("clustr.daemon.%1").arg(QCoreApplication::applicationPid()));
    d->redis.setCommandTimeout(AnswerTimeout);
    connect(&d->refreshTimer, &QTimer::timeout, this, [d] {
        d->redis.command({QByteArrayLiteral("SET"), d->channels.lockKey(), d->value(), QByteArrayLiteral("PX"), QByteArray::number(LockTtlMs)});
    });
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
    d_func()->channels = Protocol::Channels(name);
}

void ClusterLock::acquire()
{
    Q_D(ClusterLock);
    if (!d->opened) {
        d->opened = true;
        d->redis.setUrl(d->url);
        d->redis.open();
    }
    QPointer<ClusterLock> guard(this);
    const int attempt = ++d->attempt;
    // A Redis that cannot be reached keeps the command queued: give up in time.
    QTimer::singleShot(AnswerTimeout, this, [this, d, attempt] {
        if (attempt != d->attempt)
            return;
        ++d->attempt;
        Q_EMIT failed(d->redis.errorString().isEmpty() ? QStringLiteral("no answer within %1 s").arg(AnswerTimeout.count() / 1000)
                                                       : d->redis.errorString());
    });
    d->redis.command({QByteArrayLiteral("SET"), d->channels.lockKey(), d->value(), QByteArrayLiteral("NX"), QByteArrayLiteral("PX"),
                      QByteArray::number(LockTtlMs)},
                     [guard, d, attempt](const RedisReply &reply) {
                         if (!guard || attempt != d->attempt)
                             return;
                         ++d->attempt;
                         if (reply.isError()) {
                             const QString text = d->redis.errorString().isEmpty() ? QString::fromUtf8(reply.string) : d->redis.errorString();
                             Q_EMIT guard->failed(text);
                         } else if (reply.isNil()) {
                             d->findHolder();
                         } else {
                             d->setHeld(true);
                             Q_EMIT guard->acquired();
                         }
                     });
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
