// SPDX-License-Identifier: MIT
#include "procstat_p.h"

#include "base/processtable_p.h"

#include <QtCore/QFile>

#include <unistd.h>

namespace Clustr {

namespace {

QByteArray readProc(qint64 pid, const char *file)
{
    QFile f(pid > 0 ? QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(file))
                    : QStringLiteral("/proc/self/") + QLatin1String(file));
    if (!f.open(QIODevice::ReadOnly))
        return QByteArray();
    return f.readAll();
}

QByteArray statusField(const QByteArray &status, const char *name)
{
    const QByteArray key = QByteArray(name) + ':';
    for (const QByteArray &line : status.split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed();
    }
    return QByteArray();
}

} // namespace

qint64 ProcStat::rssBytes(qint64 pid)
{
    // "VmRSS:	  1234 kB"
    const QByteArray value = statusField(readProc(pid, "status"), "VmRSS");
    return value.split(' ').value(0).toLongLong() * 1024;
}

qint64 ProcStat::cpuTicks(qint64 pid)
{
    const auto entry = ProcessTable::read(pid);
    return entry ? entry->userTicks + entry->systemTicks : -1;
}

QString ProcStat::allowedCpus(qint64 pid)
{
    return QString::fromLatin1(statusField(readProc(pid, "status"), "Cpus_allowed_list"));
}

ProcStat::Sample ProcStat::sample(qint64 pid)
{
    Sample s;
    const QByteArray status = readProc(pid, "status");
    s.rssBytes = statusField(status, "VmRSS").split(' ').value(0).toLongLong() * 1024;
    s.cpus = QString::fromLatin1(statusField(status, "Cpus_allowed_list"));
    const qint64 ticks = cpuTicks(pid);
    if (ticks >= 0 && m_lastTicks >= 0 && m_lastTime.isValid()) {
        const double seconds = m_lastTime.nsecsElapsed() / 1e9;
        static const long ticksPerSecond = ::sysconf(_SC_CLK_TCK);
        if (seconds > 0 && ticksPerSecond > 0)
            s.cpuPercent = 100.0 * double(ticks - m_lastTicks) / double(ticksPerSecond) / seconds;
    }
    m_lastTicks = ticks;
    m_lastTime.start();
    return s;
}

} // namespace Clustr
