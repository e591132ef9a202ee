// SPDX-License-Identifier: MIT
#include "orphanreaper_p.h"

#include "base/processtable_p.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QPointer>
#include <QtCore/QSet>

#include <cerrno>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace Clustr {

OrphanReaper::OrphanReaper(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
    m_timer.setInterval(m_interval);
    m_followUp.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &OrphanReaper::reapNow);
    connect(&m_followUp, &QTimer::timeout, this, &OrphanReaper::reapNow);
}

OrphanReaper::~OrphanReaper() = default;

bool OrphanReaper::becomeSubreaper()
{
    return ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
}

bool OrphanReaper::isSubreaper()
{
    int value = 0;
    return ::prctl(PR_GET_CHILD_SUBREAPER, &value, 0, 0, 0) == 0 && value != 0;
}

std::chrono::milliseconds OrphanReaper::interval() const
{
    return m_interval;
}

void OrphanReaper::setInterval(std::chrono::milliseconds interval)
{
    m_interval = interval;
    m_timer.setInterval(interval);
}

void OrphanReaper::start()
{
    m_timer.start();
}

void OrphanReaper::stop()
{
    m_timer.stop();
    m_followUp.stop();
}

QList<OrphanReaper::ChildInfo> OrphanReaper::children() const
{
    const qint64 self = ::getpid();
    QList<ChildInfo> result;

    // The kernel's own list of a task's children is cheap, but only exists
    // with CONFIG_PROC_CHILDREN; otherwise every process in /proc is read.
    QList<qint64> candidates;
    bool haveChildLists = false;
    const QStringList tasks = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &task : tasks) {
        QFile file(QStringLiteral("/proc/self/task/%1/children").arg(task));
        if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
            continue;
        haveChildLists = true;
        const QList<QByteArray> pids = file.readAll().split(' ');
        for (const QByteArray &pid : pids) {
            if (const qint64 value = pid.trimmed().toLongLong(); value > 0)
                candidates.append(value);
        }
    }
    if (!haveChildLists) {
        const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        for (const QString &entry : entries) {
            bool isPid = false;
            const qint64 pid = entry.toLongLong(&isPid);
            if (isPid && pid != self)
                candidates.append(pid);
        }
    }

    for (qint64 pid : std::as_const(candidates)) {
        // Our own children are reaped where they were started: not read at
        // all, so that a scan of an idle master's 500 children costs nothing.
        if (isOwned(pid))
            continue;
        const auto entry = ProcessTable::read(pid);
        if (entry && entry->ppid == self)
            result.append({pid, entry->state, entry->startTime});
    }
    return result;
}

void OrphanReaper::reapNow()
{
    const qint64 now = m_clock.elapsed();
    QHash<qint64, QPair<quint64, qint64>> stillWaiting;
    qint64 nextCheck = -1;
    QList<QPair<qint64, int>> reaped;

    const QList<ChildInfo> current = children();
    // Orphans are rare: with none adopted, scans are further apart (a
    // spawner's exit, when they appear, asks for one at once: reapNow()).
    m_timer.setInterval(current.isEmpty() ? m_interval * IdleFactor : m_interval);
    for (const ChildInfo &child : current) {
        if (child.state != 'Z')
            continue;
        auto seen = m_zombiesSeen.value(child.pid, {child.startTime, now});
        if (seen.first != child.startTime)
            seen = {child.startTime, now}; // the pid was reused: a different process
        const qint64 due = seen.second + qint64(m_gracePeriod.count());
        if (now < due) {
            stillWaiting.insert(child.pid, seen);
            nextCheck = nextCheck < 0 ? due : qMin(nextCheck, due);
            continue;
        }
        int status = 0;
        pid_t result;
        do {
            result = ::waitpid(pid_t(child.pid), &status, WNOHANG);
        } while (result < 0 && errno == EINTR);
        if (result == pid_t(child.pid))
            reaped.append({child.pid, status});
    }
    m_zombiesSeen = stillWaiting;
    if (nextCheck >= 0)
        m_followUp.start(std::chrono::milliseconds(qMax<qint64>(nextCheck - now, 0)));

    // Signals last: a slot may call reapNow() again or delete this object.
    QPointer<OrphanReaper> self(this);
    for (const auto &[pid, status] : std::as_const(reaped)) {
        if (!self)
            return;
        Q_EMIT orphanExited(pid, status);
    }
}

QList<qint64> OrphanReaper::adoptedChildren() const
{
    QList<qint64> pids;
    const QList<ChildInfo> current = children();
    for (const ChildInfo &child : current) {
        if (child.state != 'Z' && child.state != 'X')
            pids.append(child.pid);
    }
    return pids;
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "moc_orphanreaper_p.cpp"
