// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QObject>

class QProcess;

namespace Clustr {

/*!
  Ends a process tree when its root dies, even by SIGKILL.

  A root killed with SIGKILL can do nothing more, and PR_SET_PDEATHSIG
  reaches only its own children: their children (a shell worker's
  `sleep &`) would be re-parented to init and live on. So the tree lives in
  one process group, led by this guard: a /bin/sh that ignores the usual
  signals and reads a pipe only the root holds open. When the root dies,
  however it dies, the kernel closes the pipe; the guard then SIGKILLs its
  whole group (`kill -9 0`), itself included.

  The root's children join the group (ChildProcess::Config::processGroup);
  a spawner inside the tree keeps its own children in it (the group is
  handed down in the environment, see ProcessGroupVariable). Out of reach:
  a process that leaves the group itself (setsid(), setpgid(), a shell with
  job control), and any process once the guard itself was killed.

  Destroying the guard ends it without touching the group (the root is
  still alive and stops its tree itself).
*/
class CLUSTR_AUTOTEST_EXPORT TreeGuard : public QObject
{
    Q_OBJECT
public:
    //! The environment variable that tells a spawner inside the tree which group it is in.
    static constexpr const char *ProcessGroupVariable = "CLUSTR_PROCESS_GROUP";

    explicit TreeGuard(QObject *parent = nullptr);
    ~TreeGuard() override;

    //! Starts the guard; false (with a warning) if it cannot run.
    bool start();
    //! The guard's process group, which the tree joins; 0 while none runs.
    qint64 processGroup() const { return m_group; }
    //! The guard's pid; 0 while none runs.
    qint64 pid() const;

private:
    QProcess *m_process = nullptr;
    qint64 m_group = 0;
};

} // namespace Clustr
