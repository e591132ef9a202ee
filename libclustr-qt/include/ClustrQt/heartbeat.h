// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/childinfo.h>
#include <ClustrQt/stats.h>

#include <QtCore/QList>

#include <limits>

namespace Clustr {

class HeartbeatPrivate;

/*!
  What a clustr-qt process tells its master every heartbeat interval
  (docs/PROTOCOL.md section 8): who its parent is, whether it has
  registered, what it costs and which children it supervises.
*/
class CLUSTR_EXPORT Heartbeat
{
    Q_GADGET
    Q_PROPERTY(qint64 ppid READ ppid)
    Q_PROPERTY(QString host READ host)
    Q_PROPERTY(bool ready READ ready)
    Q_PROPERTY(bool supervised READ supervised)
    Q_PROPERTY(QDateTime startedAt READ startedAt)
    Q_PROPERTY(QDateTime sentAt READ sentAt)
    Q_PROPERTY(qint64 rssBytes READ rssBytes)
    Q_PROPERTY(double cpuPercent READ cpuPercent)
    Q_PROPERTY(QString cpus READ cpus)
    Q_PROPERTY(Stats stats READ stats)
    Q_PROPERTY(QList<ChildInfo> children READ children)
public:
    Heartbeat();
    Heartbeat(const Heartbeat &other);
    Heartbeat(Heartbeat &&other) noexcept;
    Heartbeat &operator=(const Heartbeat &other);
    Heartbeat &operator=(Heartbeat &&other) noexcept;
    ~Heartbeat();
    void swap(Heartbeat &other) noexcept { d.swap(other.d); }

    qint64 ppid() const;
    void setPpid(qint64 ppid);
    QString host() const;
    void setHost(const QString &host);
    //! it has registered (emitReady() was called)
    bool ready() const;
    void setReady(bool ready);
    /*!
      Its parent is a clustr-qt process that reports its end (a
      deregistration on its behalf): it heartbeats only when something
      changed or figures were asked for, and it is not expired for being
      silent (docs/PROTOCOL.md section 8.2).
    */
    bool supervised() const;
    void setSupervised(bool supervised);
    //! when the process started (not when it registered)
    QDateTime startedAt() const;
    void setStartedAt(const QDateTime &startedAt);
    /*!
      When the sender built this heartbeat, by its own clock; invalid when
      it did not say. A master compares it with when it removed the pid:
      only a heartbeat sent after the removal brings the pid back at once.
    */
    QDateTime sentAt() const;
    void setSentAt(const QDateTime &sentAt);
    //! resident memory; -1 when unknown
    qint64 rssBytes() const;
    void setRssBytes(qint64 rssBytes);
    //! CPU use since the last heartbeat; NaN when unknown
    double cpuPercent() const;
    void setCpuPercent(double cpuPercent);
    //! the CPUs it may run on (Linux list syntax, e.g. 0-3)
    QString cpus() const;
    void setCpus(const QString &cpus);
    Stats stats() const;
    void setStats(const Stats &stats);
    //! as its parent sees them: pid, group, registers, respawn, state, restarts
    QList<ChildInfo> children() const;
    void setChildren(const QList<ChildInfo> &children);

    bool operator==(const Heartbeat &other) const;
    bool operator!=(const Heartbeat &other) const { return !(*this == other); }

private:
    QSharedDataPointer<HeartbeatPrivate> d;
};

} // namespace Clustr

Q_DECLARE_SHARED(Clustr::Heartbeat)
Q_DECLARE_METATYPE(Clustr::Heartbeat)
