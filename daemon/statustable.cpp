// SPDX-License-Identifier: MIT
#include "statustable.h"

#include "cli.h"

#include <QtCore/QSet>
#include <QtCore/QStringList>

#include <cmath>

namespace StatusTable {

namespace {

QString text(const QString &value)
{
    return value.isEmpty() ? QStringLiteral("-") : value;
}

QString pidText(qint64 pid)
{
    return pid > 0 ? QString::number(pid) : QStringLiteral("-");
}

QString percent(double value)
{
    return std::isnan(value) ? QStringLiteral("-") : QString::number(value, 'f', 1);
}

QString ago(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    if (ms < 60000)
        return QString::number(ms / 1000.0, 'f', 1) + QLatin1Char('s');
    return humanDuration(ms);
}

} // namespace

// Columns as wide as their widest cell, two spaces apart: readable in a
// terminal and easy to cut with awk.
QStringList table(const QStringList &header, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QString &cell : header)
        widths.append(int(cell.size()));
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths.at(i), int(row.at(i).size()));
    }
    QStringList lines;
    auto line = [&widths](const QStringList &cells) {
        QString out;
        for (int i = 0; i < cells.size(); ++i) {
            if (i > 0)
                out += QLatin1String("  ");
            out += i + 1 < cells.size() ? cells.at(i).leftJustified(widths.at(i)) : cells.at(i);
        }
        return out;
    };
    lines.append(line(header));
    for (const QStringList &row : rows)
        lines.append(line(row));
    return lines;
}

QString humanDuration(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1h%2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1d%2h").arg(s / 86400).arg((s % 86400) / 3600, 2, 10, QLatin1Char('0'));
}

QString humanBytes(double bytes)
{
    if (std::isnan(bytes) || bytes < 0)
        return QStringLiteral("-");
    static const char units[] = {'K', 'M', 'G', 'T'};
    if (bytes < 1024)
        return QStringLiteral("%1B").arg(qint64(bytes));
    double value = bytes / 1024;
    int unit = 0;
    while (value >= 1024 && unit + 1 < int(sizeof units)) {
        value /= 1024;
        ++unit;
    }
    return QString::number(value, 'f', value < 100 ? 1 : 0) + QLatin1Char(units[unit]);
}

namespace {

// The cluster's line and the master's: pid, state, uptime, reloads, resources.
QStringList masterSection(const Clustr::ClusterStatus &status, const QString &redisUrl, const QDateTime &now)
{
    using Clustr::MasterInfo;
    const MasterInfo master = status.master();
    QStringList lines;
    const QString name = master.name();
    lines.append(QStringLiteral("cluster %1 at %2")
                     .arg(name.isEmpty() ? QStringLiteral("(no name)") : QLatin1Char('"') + name + QLatin1Char('"'), redisUrl));

    const QDateTime masterStart = master.startedAt();
    QStringList facts{
        QStringLiteral("pid %1 on %2").arg(pidText(master.pid()), text(master.host())),
        MasterInfo::stateName(master.state()),
        QStringLiteral("up ") + humanDuration(masterStart.isValid() ? masterStart.msecsTo(now) : -1),
        Cli::count(master.workerCount(), "worker", "workers"),
    };
    if (master.state() == MasterInfo::State::Reloading)
        facts.append(QStringLiteral("reload step %1/%2").arg(master.reloadStep()).arg(master.reloadSteps()));
    const qint64 reloads = master.reloadCount();
    facts.append(Cli::count(reloads, "reload", "reloads")
                 + (reloads > 0 ? QStringLiteral(" (last %1s)").arg(master.lastReloadMs() / 1000.0, 0, 'f', 1) : QString()));
    lines.append(QStringLiteral("master   ") + facts.join(QStringLiteral(", ")));
    lines.append(QStringLiteral("         version %1, rss %2, cpu %3%, cpus %4, Redis %5")
                     .arg(text(master.version()), humanBytes(double(master.rssBytes())), percent(master.cpuPercent()),
                          text(master.cpus()),
                          master.redisConnected() ? QStringLiteral("connected") : QStringLiteral("disconnected")));
    const QDateTime updated = status.updatedAt();
    if (updated.isValid())
        lines.append(QStringLiteral("         status of %1 (%2 ago)")
                         .arg(updated.toLocalTime().toString(QStringLiteral("HH:mm:ss")), ago(std::max<qint64>(0, updated.msecsTo(now)))));
    return lines;
}

// Registered processes, in the snapshot's order: by group, then pid.
QStringList processSection(const QList<Clustr::ProcessStatus> &processes)
{
    QList<QStringList> rows;
    for (const Clustr::ProcessStatus &p : processes) {
        const Clustr::Stats stats = p.stats();
        rows.append({
            text(p.group()),
            pidText(p.pid()),
            text(p.host()),
            QString::number(p.ppid()),
            humanDuration(p.uptimeMs()),
            QString::number(p.restarts()),
            Clustr::ChildInfo::stateName(p.state()),
            text(p.cpus()),
            humanBytes(double(p.rssBytes())),
            percent(p.cpuPercent()),
            ago(p.lastSeenMs()),
            p.heartbeat() ? QString::number(stats.emitPublic() + stats.emitPrivate() + stats.emitGroup()) : QStringLiteral("-"),
            p.heartbeat() ? QString::number(stats.onMessage()) : QStringLiteral("-"),
        });
    }
    if (rows.isEmpty())
        return {QString(), QStringLiteral("no registered processes")};
    return QStringList{QString()}
        + table({QStringLiteral("GROUP"), QStringLiteral("PID"), QStringLiteral("HOST"), QStringLiteral("PARENT"),
                 QStringLiteral("UPTIME"), QStringLiteral("RESTARTS"), QStringLiteral("STATE"), QStringLiteral("CPUS"),
                 QStringLiteral("RSS"), QStringLiteral("CPU%"), QStringLiteral("LAST SEEN"), QStringLiteral("SENT"),
                 QStringLiteral("RECV")},
                rows);
}

// The master's own children that are not (or not now) registered: programs
// that never register, and children that are starting, backing off or failed.
QStringList unregisteredSection(const Clustr::ClusterStatus &status, const QDateTime &now)
{
    using Clustr::ChildInfo;
    QSet<qint64> registered;
    for (const Clustr::ProcessStatus &p : status.processes())
        registered.insert(p.pid());
    QList<QStringList> others;
    const QList<ChildInfo> children = status.children();
    for (const ChildInfo &c : children) {
        const qint64 pid = c.pid();
        if (pid > 0 && registered.contains(pid))
            continue;
        const QDateTime started = c.startedAt();
        QString file = text(c.file());
        if (!c.error().isEmpty())
            file += QStringLiteral(" (%1)").arg(c.error());
        others.append({
            text(c.group()),
            pidText(pid),
            c.registers() ? QStringLiteral("yes") : QStringLiteral("no"),
            pid > 0 && started.isValid() ? humanDuration(started.msecsTo(now)) : QStringLiteral("-"),
            QString::number(c.restarts()),
            ChildInfo::stateName(c.state()),
            text(c.cpu()),
            file,
        });
    }
    if (others.isEmpty())
        return {};
    return QStringList{QString(), QStringLiteral("children of the master that are not registered:")}
        + table({QStringLiteral("GROUP"), QStringLiteral("PID"), QStringLiteral("REGISTERS"), QStringLiteral("UPTIME"),
                 QStringLiteral("RESTARTS"), QStringLiteral("STATE"), QStringLiteral("CPU"), QStringLiteral("FILE")},
                others);
}

// Shown only when it happened: lost output is rare and worth seeing.
QStringList droppedOutputSection(const QList<Clustr::ChildInfo> &children)
{
    QList<QStringList> dropped;
    for (const Clustr::ChildInfo &c : children) {
        if (c.droppedOutputLines() > 0)
            dropped.append({text(c.group()), QString::number(c.instance()), pidText(c.pid()), QString::number(c.droppedOutputLines())});
    }
    if (dropped.isEmpty())
        return {};
    return QStringList{QString(), QStringLiteral("output lines that could not be written (a full disk? see the master's log):")}
        + table({QStringLiteral("GROUP"), QStringLiteral("INSTANCE"), QStringLiteral("PID"), QStringLiteral("DROPPED")}, dropped);
}

} // namespace

QString render(const Clustr::ClusterStatus &status, const QString &redisUrl, const QDateTime &now)
{
    const QStringList lines = masterSection(status, redisUrl, now) + processSection(status.processes())
        + unregisteredSection(status, now) + droppedOutputSection(status.children());
    return lines.join(QLatin1Char('\n'));
}

} // namespace StatusTable
