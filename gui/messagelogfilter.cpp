// SPDX-License-Identifier: MIT
#include "messagelogfilter.h"

#include "messagelogmodel.h"

MessageLogFilter::MessageLogFilter(QObject *parent)
    : QSortFilterProxyModel(parent)
{
}

void MessageLogFilter::setSourceLog(MessageLogModel *model)
{
    m_log = model;
    setSourceModel(model);
}

void MessageLogFilter::setHiddenKinds(const QSet<LogKind> &kinds)
{
    if (kinds == m_hiddenKinds)
        return;
    m_hiddenKinds = kinds;
    changed();
}

void MessageLogFilter::setKindVisible(LogKind kind, bool visible)
{
    QSet<LogKind> kinds = m_hiddenKinds;
    if (visible)
        kinds.remove(kind);
    else
        kinds.insert(kind);
    setHiddenKinds(kinds);
}

void MessageLogFilter::setGroup(const QString &group)
{
    if (group == m_group)
        return;
    m_group = group;
    m_groupChannel = QStringLiteral("group:") + group;
    changed();
}

void MessageLogFilter::setPid(qint64 pid)
{
    if (pid == m_pid)
        return;
    m_pid = pid;
    changed();
}

void MessageLogFilter::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    changed();
}

bool MessageLogFilter::isEmpty() const
{
    return m_hiddenKinds.isEmpty() && m_group.isEmpty() && m_pid == 0 && m_text.isEmpty();
}

void MessageLogFilter::changed()
{
    invalidateFilter();
    Q_EMIT filterChanged();
}

bool MessageLogFilter::filterAcceptsRow(int sourceRow, const QModelIndex &) const
{
    if (!m_log)
        return true;
    // Straight to the entry: this runs for every row of every batch.
    const LogEntry &e = m_log->entry(sourceRow);
    if (!m_hiddenKinds.isEmpty() && m_hiddenKinds.contains(e.kind))
        return false;
    if (!m_group.isEmpty() && e.group != m_group && e.channel != m_groupChannel)
        return false;
    if (m_pid != 0 && e.pid != m_pid && e.targetPid != m_pid)
        return false;
    if (!m_text.isEmpty() && !e.data.contains(m_text, Qt::CaseInsensitive)
        && !e.channel.contains(m_text, Qt::CaseInsensitive) && !e.group.contains(m_text, Qt::CaseInsensitive))
        return false;
    return true;
}
