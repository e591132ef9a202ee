// SPDX-License-Identifier: MIT
#pragma once

#include "global_p.h"

#include <QtCore/QByteArray>

#include <optional>

namespace Clustr {

/*!
  What this host's process table says about one process: whether it exists,
  who its parent is, and when it started (which tells a process from a later
  one that was given the same pid). Read from /proc/<pid>/stat; without
  /proc only existence can be told (kill(pid, 0)).
*/
class CLUSTR_AUTOTEST_EXPORT ProcessTable
{
public:
    struct Entry
    {
        qint64 pid = 0;
        char state = 0;          //!< R, S, D, Z (zombie), X (dead), ...
        qint64 ppid = 0;
        qint64 processGroup = 0;
        qint64 userTicks = 0;    //!< CPU time in clock ticks
        qint64 systemTicks = 0;
        quint64 startTime = 0;   //!< clock ticks after boot
    };

    //! /proc/<pid>/stat (0: this process); nothing if there is no such process (or no /proc).
    static std::optional<Entry> read(qint64 pid);

    //! The process runs (a zombie has ended): kill(pid, 0) finds it, and /proc,
    //! where there is one, does not call it a zombie.
    static bool isRunning(qint64 pid);

    /*!
      The process runs and is the one that started at \a startTime (as
      read()'s Entry::startTime reports it); 0 accepts any start time, and so
      does a host without /proc.
    */
    static bool isRunning(qint64 pid, quint64 startTime);

    //! The start time of \a pid, 0 if it cannot be told.
    static quint64 startTime(qint64 pid);

    //! \a pid is \a ancestor or descends from it (following parents in /proc).
    static bool descendsFrom(qint64 pid, qint64 ancestor);

    /*!
      Which process table this process sees: the kernel's boot id and its
      pid namespace, `<boot id>:<namespace inode>`. Two processes with the
      same identity see the same pids (a host name alone does not tell:
      containers may share one). Empty where it cannot be told.
    */
    static QByteArray identity();
};

} // namespace Clustr
