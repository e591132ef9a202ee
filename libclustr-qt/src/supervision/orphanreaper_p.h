// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>
#include <functional>

namespace Clustr {

/*!
  Reaps the orphans a child subreaper inherits.

  A master that called becomeSubreaper() becomes the parent of every
  process of its tree whose own parent died (a worker's child after the
  worker was killed). QProcess waits only for the children it started, so
  when such an adopted process exits it would stay a zombie: this class
  finds and reaps those, and lists the live ones so a shutdown can kill them.

  It must not reap a child that a QProcess started (QProcess would then
  never learn that its child ended). Two guards: the owned-pid predicate,
  which should know every child this process started, and a grace period:
  a zombie is only reaped once it has stayed a zombie for gracePeriod(),
  while QProcess reaps its own within one pass of the event loop. A zombie
  is recognised by pid and start time, so a reused pid is never mistaken
  for an old zombie.

  There is no SIGCHLD handler: QProcess (forkfd) may have one installed,
  and replacing it would break QProcess. Instead /proc is scanned every
  interval() and on reapNow().
*/
class CLUSTR_AUTOTEST_EXPORT OrphanReaper : public QObject
{
    Q_OBJECT

public:
    //! True for the pids of children this process started itself (never reaped here).
    using OwnedPredicate = std::function<bool(qint64 pid)>;

    explicit OrphanReaper(QObject *parent = nullptr);
    ~OrphanReaper() override;

    //! prctl(PR_SET_CHILD_SUBREAPER, 1): orphans of this process' tree are reparented to it.
    static bool becomeSubreaper();
    static bool isSubreaper();

    void setOwnedPredicate(const OwnedPredicate &isOwned) { m_isOwned = isOwned; }

    std::chrono::milliseconds interval() const;
    void setInterval(std::chrono::milliseconds interval);
    std::chrono::milliseconds gracePeriod() const { return m_gracePeriod; }
    void setGracePeriod(std::chrono::milliseconds grace) { m_gracePeriod = grace; }

    //! Scans every interval() while it has adopted children, five times as
    //! far apart while it has none; not active until started.
    void start();
    void stop();
    bool isActive() const { return m_timer.isActive(); }

    //! Scans now: reaps zombies past the grace period and checks again once
    //! the grace period of the others has passed.
    void reapNow();

    //! Live processes whose parent is this process and which it did not start itself.
    QList<qint64> adoptedChildren() const;

Q_SIGNALS:
    //! An adopted process ended; \a status as from waitpid() (WIFEXITED(), WTERMSIG(), ...).
    void orphanExited(qint64 pid, int status);

private:
    struct ChildInfo
    {
        qint64 pid = 0;
        char state = 0;
        quint64 startTime = 0;
    };

    //! Our children that we did not start ourselves.
    QList<ChildInfo> children() const;
    bool isOwned(qint64 pid) const { return m_isOwned && m_isOwned(pid); }

    OwnedPredicate m_isOwned;
    std::chrono::milliseconds m_gracePeriod{100};
    std::chrono::milliseconds m_interval{1000};
    static constexpr int IdleFactor = 5;
    QTimer m_timer;
    QTimer m_followUp;
    QElapsedTimer m_clock;
    // pid -> (start time, m_clock time it was first seen as a zombie)
    QHash<qint64, QPair<quint64, qint64>> m_zombiesSeen;
};

} // namespace Clustr
