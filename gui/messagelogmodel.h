// SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"
#include "ringbuffer.h"

#include <QtCore/QAbstractTableModel>

/*
  The message log: the newest messages of the cluster in a ring buffer of
  fixed capacity, so memory stays bounded however long the window is open.

  Messages come in batches (MessageCollector): a batch is one
  beginInsertRows at the end, and the oldest rows that no longer fit go
  first in one beginRemoveRows. Paused, it holds batches back (bounded the
  same way) and shows them on resume.
*/
class MessageLogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { TimeColumn, KindColumn, ChannelColumn, SenderColumn, DataColumn, ColumnCount };
    enum Role {
        KindRole = Qt::UserRole + 1,
        PidRole,
        GroupRole,
        ChannelRole,
        TargetPidRole,
        SequenceRole,
    };

    explicit MessageLogModel(qsizetype capacity = 20000, QObject *parent = nullptr);

    qsizetype capacity() const { return m_buffer.capacity(); }
    void setCapacity(qsizetype capacity);

    void appendBatch(const LogBatch &batch);
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    //! Messages held back while paused.
    qsizetype heldCount() const { return m_held.size(); }
    void clear();

    const LogEntry &entry(int row) const { return m_buffer.at(row); }
    //! Messages that went through the log since the start (shown or since dropped).
    quint64 appendedCount() const { return m_appended; }
    //! Calls \a visit with the newest entries first, held ones included, until it returns false.
    template<typename Visit>
    void visitNewestFirst(Visit visit) const
    {
        for (qsizetype i = m_held.size() - 1; i >= 0; --i) {
            if (!visit(m_held.at(i)))
                return;
        }
        for (qsizetype i = m_buffer.size() - 1; i >= 0; --i) {
            if (!visit(m_buffer.at(i)))
                return;
        }
    }

    //! A row as one line of text (tab-separated), for copying.
    static QString toText(const LogEntry &entry);
    //! A row as a JSON object, for exporting.
    static QJsonObject toJson(const LogEntry &entry);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void pausedChanged(bool paused);
    void heldCountChanged(qsizetype count);
    //! A batch went in (after the rows were inserted).
    void batchAppended(int count);

private:
    void insert(const LogBatch &batch);

    RingBuffer<LogEntry> m_buffer;
    LogBatch m_held;
    bool m_paused = false;
    quint64 m_appended = 0;
};
