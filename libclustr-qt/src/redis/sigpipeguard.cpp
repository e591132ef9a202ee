// SPDX-License-Identifier: MIT
#include "sigpipeguard_p.h"

#include <cerrno>
#include <ctime>
#include <pthread.h>

namespace Clustr {

namespace {

sigset_t sigpipeOnly()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return set;
}

bool sigpipePending()
{
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

} // namespace

SigPipeGuard::SigPipeGuard()
{
    const sigset_t set = sigpipeOnly();
    pthread_sigmask(SIG_BLOCK, &set, &m_previousMask);
    // Only a thread that blocked SIGPIPE itself can have one pending: to one
    // that did not, it would have been delivered.
    m_wasPending = sigismember(&m_previousMask, SIGPIPE) == 1 && sigpipePending();
}

SigPipeGuard::~SigPipeGuard()
{
    if (m_look && !m_wasPending && sigpipePending()) {
        const sigset_t set = sigpipeOnly();
        const timespec now{0, 0};
        while (sigtimedwait(&set, nullptr, &now) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &m_previousMask, nullptr);
}

} // namespace Clustr
