// SPDX-License-Identifier: MIT
#include "messagelogmodel.h"

#include "icons.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>
#include <QtGui/QBrush>

namespace {

QString timeText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm:ss.zzz"));
}

QString senderText(const LogEntry &e)
{
    if (!e.valid)
        return QStringLiteral("(not decodable)");
    // Across hosts, pids repeat: the sender as the CLI names it, HOST:PID.
    return e.host.isEmpty() ? QStringLiteral("%1 %2").arg(e.group).arg(e.pid) : QStringLiteral("%1 %2:%3").arg(e.group, e.host).arg(e.pid);
}

} // namespace

MessageLogModel::MessageLogModel(qsizetype capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_buffer(capacity)
{
}

void MessageLogModel::setCapacity(qsizetype capacity)
{
    beginResetModel();
    m_buffer.setCapacity(capacity);
    endResetModel();
}

void MessageLogModel::appendBatch(const LogBatch &batch)
{
    if (batch.isEmpty())
        return;
    if (m_paused) {
        m_held.append(batch);
        if (m_held.size() > m_buffer.capacity())
            m_held.remove(0, m_held.size() - m_buffer.capacity());
        Q_EMIT heldCountChanged(m_held.size());
        return;
    }
    insert(batch);
}

void MessageLogModel::insert(const LogBatch &batch)
{
    const qsizetype capacity = m_buffer.capacity();
    // A batch larger than the whole log: only its newest part can be shown.
    const qsizetype skip = std::max<qsizetype>(0, batch.size() - capacity);
    const qsizetype incoming = batch.size() - skip;
    const qsizetype overflow = m_buffer.size() + incoming - capacity;
    if (overflow > 0) {
        beginRemoveRows(QModelIndex(), 0, int(overflow - 1));
        m_buffer.dropFront(overflow);
        endRemoveRows();
    }
    const int first = int(m_buffer.size());
    beginInsertRows(QModelIndex(), first, int(first + incoming - 1));
    for (qsizetype i = skip; i < batch.size(); ++i)
        m_buffer.append(batch.at(i));
    endInsertRows();
    m_appended += quint64(batch.size());
    Q_EMIT batchAppended(int(incoming));
}

void MessageLogModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused && !m_held.isEmpty()) {
        LogBatch held;
        held.swap(m_held);
        insert(held);
        Q_EMIT heldCountChanged(0);
    }
    Q_EMIT pausedChanged(paused);
}

void MessageLogModel::clear()
{
    beginResetModel();
    m_buffer.clear();
    m_held.clear();
    endResetModel();
    Q_EMIT heldCountChanged(0);
}

QString MessageLogModel::toText(const LogEntry &e)
{
    return QStringList{QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODateWithMs), kindName(e.kind), e.channel,
                       senderText(e), e.data}
        .join(QLatin1Char('\t'));
}

// The log's own export format (one object per line), read by people and
// their scripts, not by the cluster: its keys are not the wire protocol's.
QJsonObject MessageLogModel::toJson(const LogEntry &e)
{
    QJsonObject object{{QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(Qt::ISODateWithMs)},
                       {QStringLiteral("kind"), kindName(e.kind)},
                       {QStringLiteral("channel"), e.channel},
                       {QStringLiteral("pid"), double(e.pid)}, // not-protocol: the export format's sender
                       {QStringLiteral("group"), e.group},     // not-protocol: the export format's sender
                       {QStringLiteral("data"), e.data},
                       {QStringLiteral("valid"), e.valid}};
    if (!e.host.isEmpty())
        object.insert(QStringLiteral("host"), e.host); // not-protocol: the sender's host, across hosts only
    return object;
}

int MessageLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_buffer.size());
}

int MessageLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MessageLogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_buffer.size())
        return QVariant();
    const LogEntry &e = m_buffer.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return timeText(e.timeMs);
        case KindColumn: return kindName(e.kind);
        case ChannelColumn: return e.channel;
        case SenderColumn: return senderText(e);
        case DataColumn: return e.data;
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == DataColumn)
            return e.data;
        break;
    case Qt::DecorationRole:
        if (index.column() == KindColumn)
            return dotIcon(kindColor(e.kind));
        break;
    case Qt::ForegroundRole:
        if (!e.valid)
            return QBrush(QColor(0xd0, 0x31, 0x2d));
        break;
    case KindRole: return int(e.kind);
    case PidRole: return e.pid;
    case GroupRole: return e.group;
    case ChannelRole: return e.channel;
    case TargetPidRole: return e.targetPid;
    case SequenceRole: return e.sequence;
    }
    return QVariant();
}

QVariant MessageLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case TimeColumn: return QStringLiteral("Time");
    case KindColumn: return QStringLiteral("Kind");
    case ChannelColumn: return QStringLiteral("Channel");
    case SenderColumn: return QStringLiteral("Sender");
    case DataColumn: return QStringLiteral("Data");
    }
    return QVariant();
}
