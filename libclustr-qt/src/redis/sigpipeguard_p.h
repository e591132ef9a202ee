// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <csignal>

namespace Clustr {

/*!
  Keeps a write to a Redis socket from raising SIGPIPE, without touching the
  application's disposition of it: hiredis 0.14 writes with write(2), not
  send(MSG_NOSIGNAL), and a peer that closed (a full server, a killed Redis)
  would otherwise end the process, whatever it was doing.

  While a guard lives, SIGPIPE is blocked in this thread; a SIGPIPE the write
  raised stays pending on the thread and is taken off before the old mask
  comes back. (Linux has no SO_NOSIGPIPE.) One SIGPIPE that was already
  pending when the guard started is left alone.

  Two system calls per guard where the writes under it are known to have
  succeeded (writesSucceeded()), three otherwise (four in a thread that
  blocks SIGPIPE itself): the guard is around every
  write of every message (docs/BENCHMARKS.md, latency), and a write that
  succeeded raised nothing to take off.
*/
class CLUSTR_AUTOTEST_EXPORT SigPipeGuard
{
public:
    SigPipeGuard();
    ~SigPipeGuard();

    SigPipeGuard(const SigPipeGuard &) = delete;
    SigPipeGuard &operator=(const SigPipeGuard &) = delete;

    //! Every write under the guard succeeded: no SIGPIPE can be pending from
    //! them, and the guard ends without looking.
    void writesSucceeded() { m_look = false; }

private:
    sigset_t m_previousMask;
    bool m_wasPending = false;
    bool m_look = true;
};

} // namespace Clustr
