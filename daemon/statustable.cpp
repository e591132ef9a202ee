// SPDX-License-Identifier: MIT
#include "statustable.h"

#include <QtCore/QJsonArray>
#include <QtCore/QSet>
#include <QtCore/QStringList>

#include <cmath>

namespace StatusTable {

namespace {

QString text(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isString() && !v.toString().isEmpty())
        return v.toString();
    if (v.isDouble())
        return QString::number(qint64(v.toDouble()));
    return QStringLiteral("-");
}

qint64 integer(const QJsonObject &o, const char *key, qint64 fallback = -1)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? qint64(v.toDouble()) : fallback;
}

QString percent(const QJsonValue &v)
{
    return v.isDouble() ? QString::number(v.toDouble(), 'f', 1) : QStringLiteral("-");
}

QString ago(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    if (ms < 60000)
        return QString::number(ms / 1000.0, 'f', 1) + QLatin1Char('s');
    return humanDuration(ms);
}

QString plural(qint64 n, const char *word)
{
    return QStringLiteral("%1 %2%3").arg(n).arg(QLatin1String(word)).arg(n == 1 ? QString() : QStringLiteral("s"));
}

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

} // namespace

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

QString render(const QJsonObject &status, const QString &redisUrl, const QDateTime &now)
{
    const QJsonObject master = status.value(QStringLiteral("master")).toObject();
    QStringList lines;

    const QString name = master.value(QStringLiteral("name")).toString();
    lines.append(QStringLiteral("cluster %1 at %2")
                     .arg(name.isEmpty() ? QStringLiteral("(no name)") : QLatin1Char('"') + name + QLatin1Char('"'), redisUrl));

    const QDateTime masterStart = QDateTime::fromString(master.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
    QStringList facts{
        QStringLiteral("pid %1 on %2").arg(text(master, "pid"), text(master, "host")),
        text(master, "state"),
        QStringLiteral("up ") + humanDuration(masterStart.isValid() ? masterStart.msecsTo(now) : -1),
        plural(integer(master, "workers", 0), "worker"),
    };
    const QJsonObject reload = master.value(QStringLiteral("reload")).toObject();
    if (!reload.isEmpty())
        facts.append(QStringLiteral("reload step %1/%2").arg(text(reload, "step"), text(reload, "steps")));
    const qint64 reloads = integer(master, "reloads", 0);
    facts.append(plural(reloads, "reload")
                 + (reloads > 0 ? QStringLiteral(" (last %1s)").arg(integer(master, "lastReloadMs", 0) / 1000.0, 0, 'f', 1) : QString()));
    lines.append(QStringLiteral("master   ") + facts.join(QStringLiteral(", ")));
    lines.append(QStringLiteral("         version %1, rss %2, cpu %3%, cpus %4, Redis %5")
                     .arg(text(master, "version"), humanBytes(master.value(QStringLiteral("rss")).toDouble(-1)),
                          percent(master.value(QStringLiteral("cpu"))), text(master, "cpus"),
                          master.value(QStringLiteral("redisConnected")).toBool() ? QStringLiteral("connected")
                                                                                   : QStringLiteral("disconnected")));
    const QDateTime updated = QDateTime::fromString(status.value(QStringLiteral("updatedAt")).toString(), Qt::ISODateWithMs);
    if (updated.isValid())
        lines.append(QStringLiteral("         status of %1 (%2 ago)")
                         .arg(updated.toLocalTime().toString(QStringLiteral("HH:mm:ss")), ago(std::max<qint64>(0, updated.msecsTo(now)))));

    // Registered processes, in the snapshot's order: by group, then pid.
    const QJsonArray processes = status.value(QStringLiteral("processes")).toArray();
    QSet<qint64> registered;
    QList<QStringList> rows;
    for (const QJsonValue &value : processes) {
        const QJsonObject p = value.toObject();
        registered.insert(integer(p, "pid"));
        const QJsonObject stats = p.value(QStringLiteral("stats")).toObject();
        const bool haveStats = !stats.isEmpty();
        auto counter = [&stats](const char *key) { return integer(stats, key, 0); };
        rows.append({
            text(p, "group"),
            text(p, "pid"),
            text(p, "host"),
            text(p, "ppid"),
            humanDuration(integer(p, "uptimeMs")),
            text(p, "restarts"),
            text(p, "state"),
            text(p, "cpus"),
            humanBytes(p.value(QStringLiteral("rss")).toDouble(-1)),
            percent(p.value(QStringLiteral("cpu"))),
            ago(integer(p, "lastSeenMs")),
            haveStats ? QString::number(counter("emitPublic") + counter("emitPrivate") + counter("emitGroup")) : QStringLiteral("-"),
            haveStats ? QString::number(counter("onMessage")) : QStringLiteral("-"),
        });
    }
    lines.append(QString());
    if (rows.isEmpty()) {
        lines.append(QStringLiteral("no registered processes"));
    } else {
        lines += table({QStringLiteral("GROUP"), QStringLiteral("PID"), QStringLiteral("HOST"), QStringLiteral("PARENT"),
                        QStringLiteral("UPTIME"), QStringLiteral("RESTARTS"), QStringLiteral("STATE"), QStringLiteral("CPUS"),
                        QStringLiteral("RSS"), QStringLiteral("CPU%"), QStringLiteral("LAST SEEN"), QStringLiteral("SENT"),
                        QStringLiteral("RECV")},
                       rows);
    }

    // The master's own children that are not (or not now) registered: programs
    // that never register, and children that are starting, backing off or failed.
    QList<QStringList> others;
    for (const QJsonValue &value : status.value(QStringLiteral("children")).toArray()) {
        const QJsonObject c = value.toObject();
        const qint64 pid = integer(c, "pid", 0);
        if (pid > 0 && registered.contains(pid))
            continue;
        const QDateTime started = QDateTime::fromString(c.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
        QString file = text(c, "file");
        if (!c.value(QStringLiteral("error")).toString().isEmpty())
            file += QStringLiteral(" (%1)").arg(c.value(QStringLiteral("error")).toString());
        others.append({
            text(c, "group"),
            pid > 0 ? QString::number(pid) : QStringLiteral("-"),
            c.value(QStringLiteral("registers")).toBool(true) ? QStringLiteral("yes") : QStringLiteral("no"),
            pid > 0 && started.isValid() ? humanDuration(started.msecsTo(now)) : QStringLiteral("-"),
            text(c, "restarts"),
            text(c, "state"),
            text(c, "cpu"),
            file,
        });
    }
    if (!others.isEmpty()) {
        lines.append(QString());
        lines.append(QStringLiteral("children of the master that are not registered:"));
        lines += table({QStringLiteral("GROUP"), QStringLiteral("PID"), QStringLiteral("REGISTERS"), QStringLiteral("UPTIME"),
                        QStringLiteral("RESTARTS"), QStringLiteral("STATE"), QStringLiteral("CPU"), QStringLiteral("FILE")},
                       others);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace StatusTable
