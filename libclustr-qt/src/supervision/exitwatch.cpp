// SPDX-License-Identifier: MIT
#include "exitwatch_p.h"

#include "base/processtable_p.h"

#include <QtCore/QSocketNotifier>

#include <sys/syscall.h>
#include <unistd.h>

namespace Clustr {

namespace {

int openPidfd(qint64 pid)
{
#ifdef SYS_pidfd_open
    return int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
#else
    Q_UNUSED(pid);
    return -1;
#endif
}

} // namespace

ExitWatch::ExitWatch(QObject *parent)
    : QObject(parent)
{
}

ExitWatch::~ExitWatch()
{
    for (QSocketNotifier *notifier : std::as_const(m_watches)) {
        const int fd = int(notifier->socket());
        delete notifier;
        ::close(fd);
    }
}

bool ExitWatch::watch(qint64 pid, quint64 startTime)
{
    if (pid <= 0)
        return false;
    if (m_watches.contains(pid))
        return true;
    const int fd = openPidfd(pid);
    if (fd < 0)
        return false;
    // Opened first, checked second: the pidfd holds on to the process it
    // found, so if that one is the process we mean, it stays the one watched.
    if (startTime != 0 && !ProcessTable::isRunning(pid, startTime)) {
        ::close(fd);
        return false;
    }
    auto *notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(notifier, &QSocketNotifier::activated, this, [this, pid] {
        unwatch(pid);
        Q_EMIT exited(pid);
    });
    m_watches.insert(pid, notifier);
    return true;
}

void ExitWatch::unwatch(qint64 pid)
{
    QSocketNotifier *notifier = m_watches.take(pid);
    if (!notifier)
        return;
    const int fd = int(notifier->socket());
    notifier->setEnabled(false);
    notifier->deleteLater(); // it may be the one whose signal runs now
    ::close(fd);
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "moc_exitwatch_p.cpp"
