// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QString>

namespace Clustr {

/*!
  What /proc says about this process: resident memory, CPU use since the
  previous sample, and the CPUs it may run on. Cheap enough to sample once
  per heartbeat.
*/
class CLUSTR_AUTOTEST_EXPORT ProcStat
{
public:
    struct Sample
    {
        qint64 rssBytes = 0;
        double cpuPercent = 0; //!< of one CPU, since the previous sample
        QString cpus;          //!< e.g. "0-1"
    };

    //! Samples process \a pid (0: this process).
    Sample sample(qint64 pid = 0);

    static qint64 rssBytes(qint64 pid = 0);
    //! utime + stime in clock ticks; -1 if unreadable.
    static qint64 cpuTicks(qint64 pid = 0);
    static QString allowedCpus(qint64 pid = 0);

private:
    qint64 m_lastTicks = -1;
    QElapsedTimer m_lastTime;
};

} // namespace Clustr
