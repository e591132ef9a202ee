// SPDX-License-Identifier: MIT
#include "processinfo.h"

#include <QtCore/QJsonArray>

#include <cmath>

namespace {

qint64 integer(const QJsonValue &value, qint64 fallback = 0)
{
    return value.isDouble() ? qint64(value.toDouble()) : fallback;
}

double number(const QJsonValue &value, double fallback)
{
    return value.isDouble() ? value.toDouble() : fallback;
}

QDateTime timestamp(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

bool sameNumber(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace

ProcessInfo ProcessInfo::fromProcessEntry(const QJsonObject &entry)
{
    ProcessInfo p;
    p.pid = p.key = integer(entry.value(QStringLiteral("pid")));
    p.group = entry.value(QStringLiteral("group")).toString();
    p.host = entry.value(QStringLiteral("host")).toString();
    p.ppid = integer(entry.value(QStringLiteral("ppid")));
    p.state = entry.value(QStringLiteral("state")).toString(QStringLiteral("running"));
    p.startedAt = timestamp(entry.value(QStringLiteral("startedAt")));
    p.uptimeMs = integer(entry.value(QStringLiteral("uptimeMs")), -1);
    p.restarts = entry.value(QStringLiteral("restarts")).toInt();
    p.cpus = entry.value(QStringLiteral("cpus")).toString();
    p.rss = number(entry.value(QStringLiteral("rss")), -1);
    p.cpu = number(entry.value(QStringLiteral("cpu")), std::numeric_limits<double>::quiet_NaN());
    p.heartbeat = entry.value(QStringLiteral("heartbeat")).toBool();
    p.lastSeenMs = integer(entry.value(QStringLiteral("lastSeenMs")), -1);
    p.stats = entry.value(QStringLiteral("stats")).toObject();
    p.registered = true;
    return p;
}

ProcessInfo ProcessInfo::fromMaster(const QJsonObject &master, const QDateTime &now)
{
    ProcessInfo p;
    p.pid = p.key = integer(master.value(QStringLiteral("pid")));
    p.group = QStringLiteral("master");
    p.host = master.value(QStringLiteral("host")).toString();
    p.state = master.value(QStringLiteral("state")).toString();
    p.startedAt = timestamp(master.value(QStringLiteral("startedAt")));
    p.uptimeMs = p.startedAt.isValid() && now.isValid() ? p.startedAt.msecsTo(now) : -1;
    p.cpus = master.value(QStringLiteral("cpus")).toString();
    p.rss = number(master.value(QStringLiteral("rss")), -1);
    p.cpu = number(master.value(QStringLiteral("cpu")), std::numeric_limits<double>::quiet_NaN());
    p.stats = master.value(QStringLiteral("stats")).toObject();
    p.lastSeenMs = 0; // the announcement is as fresh as the snapshot
    p.heartbeat = true;
    p.registered = true;
    p.isMaster = true;
    return p;
}

ProcessInfo ProcessInfo::fromChild(const QJsonObject &child, int index, const QString &host, qint64 masterPid, const QDateTime &now)
{
    ProcessInfo p;
    p.pid = integer(child.value(QStringLiteral("pid")));
    p.key = p.pid > 0 ? p.pid : -(index + 1);
    p.group = child.value(QStringLiteral("group")).toString();
    p.host = host;
    p.ppid = masterPid;
    p.state = child.value(QStringLiteral("state")).toString();
    p.startedAt = timestamp(child.value(QStringLiteral("startedAt")));
    p.uptimeMs = p.pid > 0 && p.startedAt.isValid() && now.isValid() ? p.startedAt.msecsTo(now) : -1;
    p.restarts = child.value(QStringLiteral("restarts")).toInt();
    p.cpus = child.value(QStringLiteral("cpu")).toString();
    p.addChildDetails(child);
    return p;
}

void ProcessInfo::addChildDetails(const QJsonObject &child)
{
    file = child.value(QStringLiteral("file")).toString();
    commandLine.clear();
    for (const QJsonValue &arg : child.value(QStringLiteral("commandLine")).toArray())
        commandLine.append(arg.toString());
    error = child.value(QStringLiteral("error")).toString();
}

bool ProcessInfo::isRunning() const
{
    return state == QLatin1String("running");
}

QString ProcessInfo::commandLineText() const
{
    QStringList quoted;
    for (const QString &arg : commandLine) {
        if (arg.isEmpty() || arg.contains(QLatin1Char(' ')) || arg.contains(QLatin1Char('"')) || arg.contains(QLatin1Char('\''))) {
            QString escaped = arg;
            escaped.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
            quoted.append(QLatin1Char('\'') + escaped + QLatin1Char('\''));
        } else {
            quoted.append(arg);
        }
    }
    return quoted.join(QLatin1Char(' '));
}

bool ProcessInfo::operator==(const ProcessInfo &o) const
{
    return key == o.key && pid == o.pid && group == o.group && host == o.host && ppid == o.ppid && state == o.state
        && startedAt == o.startedAt && uptimeMs == o.uptimeMs && restarts == o.restarts && cpus == o.cpus
        && sameNumber(rss, o.rss) && sameNumber(cpu, o.cpu) && lastSeenMs == o.lastSeenMs && heartbeat == o.heartbeat
        && registered == o.registered && isMaster == o.isMaster && stats == o.stats && file == o.file
        && commandLine == o.commandLine && error == o.error;
}

QColor stateColor(const QString &state)
{
    if (state == QLatin1String("running"))
        return QColor(0x2e, 0x9d, 0x4f);   // green: fine
    if (state == QLatin1String("starting") || state == QLatin1String("reloading"))
        return QColor(0x2a, 0x7a, 0xd5);   // blue: on its way
    if (state == QLatin1String("backing off") || state == QLatin1String("stopping"))
        return QColor(0xe0, 0x8e, 0x0b);   // amber: attention
    if (state == QLatin1String("failed"))
        return QColor(0xd0, 0x31, 0x2d);   // red: broken
    return QColor(0x8a, 0x8a, 0x8a);       // grey: stopped, gone, unknown
}
