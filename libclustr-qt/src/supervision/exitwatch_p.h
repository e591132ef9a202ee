// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QHash>
#include <QtCore/QObject>

class QSocketNotifier;

namespace Clustr {

/*!
  Tells when processes of this host that are not our children end, without
  looking: a pidfd (Linux 5.3 and later) becomes readable when its process
  exits, so a master watching hundreds of them wakes up only when one goes.
  Where the kernel has no pidfd, watch() says so and the caller polls the
  process table instead.
*/
class CLUSTR_AUTOTEST_EXPORT ExitWatch : public QObject
{
    Q_OBJECT
public:
    explicit ExitWatch(QObject *parent = nullptr);
    ~ExitWatch() override;

    /*!
      Watches \a pid, the process that started at \a startTime (clock ticks
      after boot, as ProcessTable reads it; 0: whichever has the pid now).
      False if it cannot be watched: no pidfd here, no such process (any
      more), or the pid belongs to a later process already.
    */
    bool watch(qint64 pid, quint64 startTime);
    void unwatch(qint64 pid);
    bool isWatching(qint64 pid) const { return m_watches.contains(pid); }
    qsizetype count() const { return m_watches.size(); }

Q_SIGNALS:
    //! \a pid has ended; it is no longer watched.
    void exited(qint64 pid);

private:
    QHash<qint64, QSocketNotifier *> m_watches;
};

} // namespace Clustr
