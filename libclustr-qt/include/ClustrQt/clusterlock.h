// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QObject>
#include <QtCore/QString>

#include <memory>

namespace Clustr {

class ClusterLockPrivate;

/*!
  One master per cluster name on a Redis: a key taken atomically (SET NX
  with a time to live) and refreshed every 2 s while it is held, so it
  expires a few seconds after its holder is gone. `clustr-qt run` holds it
  while it runs. See docs/PROTOCOL.md section 11.

  A refresh that Redis refuses or does not answer is warned about once (in
  the category clustr.master), and again once a refresh succeeds: the name
  expires meanwhile, and another master could take it.

  A holder on this host that is gone (killed with SIGKILL, say) need not be
  waited out: its pid no longer runs here, or runs a later process (the
  lock records its holder's start time and which process table its pid
  belongs to), so the lock is taken over at once (takenOver()). A holder
  that runs, one on another host or in another pid namespace, which cannot
  be checked from here, and one that did not record those, is respected.
*/
class CLUSTR_EXPORT ClusterLock : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool held READ isHeld NOTIFY heldChanged)

public:
    explicit ClusterLock(QObject *parent = nullptr);
    //! Releases the lock if it is held (without waiting for Redis' answer).
    ~ClusterLock() override;

    void setRedisUrl(const QString &url);
    //! The cluster's name (its namespace); empty for the unnamed cluster.
    void setClusterName(const QString &name);
    /*!
      In a cluster across hosts, this host's name: the lock is then one per
      (cluster, host), so each host runs its own master of the cluster.
      Set after setClusterName(); ignored for the unnamed cluster.
    */
    void setHost(const QString &host);

    /*!
      Tries to take the lock, once: acquired() if it was free or its holder
      is a process of this host that is gone (takenOver() first), refused()
      with the holder's pid and host if another holds it, failed() if Redis
      did not answer or refused the command.
    */
    void acquire();
    //! Gives the lock up; released() once Redis confirmed it (or could not be reached).
    void release();
    bool isHeld() const;

Q_SIGNALS:
    void acquired();
    //! The lock was held by \a pid on this host (\a host), which is gone: it is
    //! ours now. acquired() follows.
    void takenOver(qint64 pid, const QString &host);
    //! Another master holds the name: \a pid on \a host (0 and empty if it could not be told).
    void refused(qint64 pid, const QString &host);
    void failed(const QString &error);
    void released();
    void heldChanged(bool held);

private:
    Q_DECLARE_PRIVATE(ClusterLock)
    std::unique_ptr<ClusterLockPrivate> const d_ptr;
};

} // namespace Clustr
