// SPDX-License-Identifier: MIT
#include "activitylog.h"

#include "icons.h"

#include <QtGui/QColor>

namespace {

//! "web 1234", or just the pid when the event names no group.
QString who(const Clustr::ClusterEvent &event, qint64 pid)
{
    return event.group().isEmpty() ? QString::number(pid) : QStringLiteral("%1 %2").arg(event.group()).arg(pid);
}

// The answers to restart, stop/start GROUP and scale: "restart of web: refused: ...".
QString describeCommandEvent(const Clustr::ClusterEvent &e, ActivityLog::Severity *severity)
{
    using Type = Clustr::ClusterEvent::Type;
    const QString target = e.pid() > 0 ? QString::number(e.pid()) : e.group().isEmpty() ? QStringLiteral("the cluster") : e.group();
    const QString what = QStringLiteral("%1 of %2").arg(e.command(), target);
    switch (e.type()) {
    case Type::CommandRejected:
        *severity = ActivityLog::Severity::Warning;
        return QStringLiteral("%1 refused: %2").arg(what, e.reason());
    case Type::CommandAccepted:
        return QStringLiteral("%1 accepted").arg(what);
    case Type::CommandProgress:
        return QStringLiteral("%1: %2/%3 done").arg(what).arg(e.step()).arg(e.steps());
    default:
        break;
    }
    if (!e.error().isEmpty()) {
        *severity = ActivityLog::Severity::Error;
        return QStringLiteral("%1 failed: %2").arg(what, e.reason());
    }
    *severity = ActivityLog::Severity::Success;
    return QStringLiteral("%1 done").arg(what);
}

QString describeReloadStep(const Clustr::ClusterEvent &e, ActivityLog::Severity *severity)
{
    using Phase = Clustr::ClusterEvent::ReloadPhase;
    const QString where = QStringLiteral("reload step %1/%2").arg(e.step()).arg(e.steps());
    switch (e.reloadPhase()) {
    case Phase::Started:
        return QStringLiteral("%1: replacing %2").arg(where, who(e, e.oldPid()));
    case Phase::Finished:
        return QStringLiteral("%1: %2 replaced by %3").arg(where).arg(e.oldPid()).arg(e.newPid());
    case Phase::Skipped:
        return QStringLiteral("%1: %2 skipped (gone already)").arg(where).arg(e.oldPid());
    case Phase::TimedOut:
    case Phase::None:
        break;
    }
    *severity = ActivityLog::Severity::Warning;
    return QStringLiteral("%1: %2 not replaced in time, going on").arg(where).arg(e.oldPid());
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

void ActivityLog::addEvent(const Clustr::ClusterEvent &event)
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

QString ActivityLog::describeEvent(const Clustr::ClusterEvent &e, Severity *severity)
{
    using Type = Clustr::ClusterEvent::Type;
    Severity s = Severity::Info;
    QString text;
    switch (e.type()) {
    case Type::Registered:
        text = QStringLiteral("%1 registered").arg(who(e, e.pid()));
        break;
    case Type::Deregistered:
        text = QStringLiteral("%1 deregistered").arg(who(e, e.pid()));
        break;
    case Type::Lost:
        s = Severity::Warning;
        text = QStringLiteral("%1 lost: %2").arg(who(e, e.pid()), e.reason());
        break;
    case Type::Spawned:
        text = QStringLiteral("child %1 started").arg(who(e, e.pid()));
        break;
    case Type::Exited:
        // A negative code: no exit code, a signal ended it.
        if (e.exitCode() < 0)
            s = Severity::Warning;
        text = e.exitCode() < 0 ? QStringLiteral("%1 was killed by signal %2").arg(who(e, e.pid())).arg(e.signal())
                                : QStringLiteral("%1 exited with code %2").arg(who(e, e.pid())).arg(e.exitCode());
        break;
    case Type::Respawned:
        text = QStringLiteral("%1 respawned as %2").arg(who(e, e.oldPid())).arg(e.pid());
        break;
    case Type::GaveUp:
        s = Severity::Error;
        text = QStringLiteral("gave up on %1: %2").arg(e.group(), e.reason());
        break;
    case Type::SpawnFailed:
        s = Severity::Error;
        text = QStringLiteral("could not start %1: %2").arg(e.file(), e.error());
        break;
    case Type::ClusterStarted:
        s = Severity::Success;
        text = QStringLiteral("cluster started with %1 workers").arg(e.workerCount());
        break;
    case Type::ReloadStarted:
        text = QStringLiteral("reload started: %1 steps").arg(e.steps());
        break;
    case Type::ReloadStep:
        text = describeReloadStep(e, &s);
        break;
    case Type::ReloadExcluded:
        text = QStringLiteral("reload: %1 is no step of its own: %2").arg(who(e, e.pid()), e.reason());
        break;
    case Type::ClusterReloaded:
        s = Severity::Success;
        text = QStringLiteral("cluster reloaded: %1 workers in %2 s").arg(e.workerCount()).arg(double(e.durationMs()) / 1000, 0, 'f', 1);
        break;
    case Type::Stopping:
        s = Severity::Warning;
        text = QStringLiteral("cluster stopping (exit code %1)").arg(e.exitCode());
        break;
    case Type::CommandRejected:
    case Type::CommandAccepted:
    case Type::CommandProgress:
    case Type::CommandFinished:
        text = describeCommandEvent(e, &s);
        break;
    case Type::Unknown:
        text = QStringLiteral("event %1").arg(Clustr::ClusterEvent::typeName(e.type()));
        break;
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
