// SPDX-License-Identifier: MIT
#include "activitylog.h"

#include "icons.h"

#include <QtGui/QColor>

namespace {

qint64 pidOf(const QJsonObject &event, const QString &key = QStringLiteral("pid"))
{
    return qint64(event.value(key).toDouble());
}

QString who(const QJsonObject &event, const QString &key = QStringLiteral("pid"))
{
    const QString group = event.value(QStringLiteral("group")).toString();
    return group.isEmpty() ? QString::number(pidOf(event, key)) : QStringLiteral("%1 %2").arg(group).arg(pidOf(event, key));
}

} // namespace

ActivityLog::ActivityLog(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_entries(capacity)
{
}

void ActivityLog::add(Severity severity, const QString &text)
{
    if (m_entries.isFull()) {
        beginRemoveRows(QModelIndex(), 0, 0);
        m_entries.dropFront(1);
        endRemoveRows();
    }
    const int row = int(m_entries.size());
    beginInsertRows(QModelIndex(), row, row);
    m_entries.append({QDateTime::currentDateTime(), severity, text});
    endInsertRows();
    Q_EMIT added(severity, text);
}

void ActivityLog::addEvent(const QJsonObject &event)
{
    Severity severity = Severity::Info;
    const QString text = describeEvent(event, &severity);
    if (!text.isEmpty())
        add(severity, text);
}

QString ActivityLog::lastText() const
{
    return m_entries.isEmpty() ? QString() : m_entries.last().text;
}

bool ActivityLog::contains(const QString &text) const
{
    for (qsizetype i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).text.contains(text))
            return true;
    }
    return false;
}

QString ActivityLog::describeEvent(const QJsonObject &e, Severity *severity)
{
    Severity s = Severity::Info;
    QString text;
    const QString name = e.value(QStringLiteral("event")).toString();
    const int step = e.value(QStringLiteral("step")).toInt();
    const int steps = e.value(QStringLiteral("steps")).toInt();
    if (name == QLatin1String("registered")) {
        text = QStringLiteral("%1 registered").arg(who(e));
    } else if (name == QLatin1String("deregistered")) {
        text = QStringLiteral("%1 deregistered").arg(who(e));
    } else if (name == QLatin1String("lost")) {
        s = Severity::Warning;
        text = QStringLiteral("%1 lost: %2").arg(who(e), e.value(QStringLiteral("reason")).toString());
    } else if (name == QLatin1String("spawned")) {
        text = QStringLiteral("child %1 started").arg(who(e));
    } else if (name == QLatin1String("exited")) {
        const int code = e.value(QStringLiteral("code")).toInt();
        const int signal = e.value(QStringLiteral("signal")).toInt();
        if (code < 0)
            s = Severity::Warning;
        text = code < 0 ? QStringLiteral("%1 was killed by signal %2").arg(who(e)).arg(signal)
                        : QStringLiteral("%1 exited with code %2").arg(who(e)).arg(code);
    } else if (name == QLatin1String("respawned")) {
        text = QStringLiteral("%1 respawned as %2").arg(who(e, QStringLiteral("oldPid"))).arg(pidOf(e));
    } else if (name == QLatin1String("gaveUp")) {
        s = Severity::Error;
        text = QStringLiteral("gave up on %1: %2").arg(e.value(QStringLiteral("group")).toString(), e.value(QStringLiteral("reason")).toString());
    } else if (name == QLatin1String("spawnFailed")) {
        s = Severity::Error;
        text = QStringLiteral("could not start %1: %2").arg(e.value(QStringLiteral("file")).toString(), e.value(QStringLiteral("error")).toString());
    } else if (name == QLatin1String("clusterStarted")) {
        s = Severity::Success;
        text = QStringLiteral("cluster started with %1 workers").arg(e.value(QStringLiteral("workers")).toInt());
    } else if (name == QLatin1String("reloadStarted")) {
        text = QStringLiteral("reload started: %1 steps").arg(steps);
    } else if (name == QLatin1String("reloadStep")) {
        const QString phase = e.value(QStringLiteral("phase")).toString();
        const qint64 oldPid = pidOf(e, QStringLiteral("oldPid"));
        if (phase == QLatin1String("started")) {
            text = QStringLiteral("reload step %1/%2: replacing %3").arg(step).arg(steps).arg(who(e, QStringLiteral("oldPid")));
        } else if (phase == QLatin1String("finished")) {
            text = QStringLiteral("reload step %1/%2: %3 replaced by %4").arg(step).arg(steps).arg(oldPid).arg(pidOf(e, QStringLiteral("newPid")));
        } else if (phase == QLatin1String("skipped")) {
            text = QStringLiteral("reload step %1/%2: %3 skipped (gone already)").arg(step).arg(steps).arg(oldPid);
        } else {
            s = Severity::Warning;
            text = QStringLiteral("reload step %1/%2: %3 not replaced in time, going on").arg(step).arg(steps).arg(oldPid);
        }
    } else if (name == QLatin1String("clusterReloaded")) {
        s = Severity::Success;
        text = QStringLiteral("cluster reloaded: %1 workers in %2 s")
                   .arg(e.value(QStringLiteral("workers")).toInt())
                   .arg(e.value(QStringLiteral("durationMs")).toDouble() / 1000, 0, 'f', 1);
    } else if (name == QLatin1String("stopping")) {
        s = Severity::Warning;
        text = QStringLiteral("cluster stopping (exit code %1)").arg(e.value(QStringLiteral("code")).toInt());
    } else if (!name.isEmpty()) {
        text = QStringLiteral("event %1").arg(name);
    }
    if (severity)
        *severity = s;
    return text;
}

QColor ActivityLog::severityColor(Severity severity)
{
    switch (severity) {
    case Severity::Info: return QColor(0x2a, 0x7a, 0xd5);
    case Severity::Success: return QColor(0x2e, 0x9d, 0x4f);
    case Severity::Warning: return QColor(0xe0, 0x8e, 0x0b);
    case Severity::Error: return QColor(0xd0, 0x31, 0x2d);
    }
    return QColor();
}

int ActivityLog::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int ActivityLog::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ActivityLog::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return QVariant();
    const Entry &e = m_entries.at(index.row());
    if (role == Qt::DisplayRole)
        return index.column() == TimeColumn ? e.time.toString(QStringLiteral("HH:mm:ss")) : e.text;
    if (role == Qt::DecorationRole && index.column() == TimeColumn)
        return dotIcon(severityColor(e.severity));
    if (role == Qt::ToolTipRole)
        return e.text;
    return QVariant();
}

QVariant ActivityLog::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    return section == TimeColumn ? QStringLiteral("Time") : QStringLiteral("What happened");
}
