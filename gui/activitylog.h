// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QAbstractTableModel>
#include <QtCore/QDateTime>

#include "ringbuffer.h"

#include <ClustrQt/clusterevent.h>

/*
  What happened to the cluster and what the user did, in sentences: the
  master's lifecycle events (registered, exited, respawned, reload steps…)
  and the outcome of every action. Bounded like the message log.
*/
class ActivityLog : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Severity { Info, Success, Warning, Error };
    Q_ENUM(Severity)
    enum Column { TimeColumn, TextColumn, ColumnCount };

    struct Entry
    {
        QDateTime time;
        Severity severity = Severity::Info;
        QString text;
    };

    explicit ActivityLog(qsizetype capacity = 2000, QObject *parent = nullptr);

    void add(Severity severity, const QString &text);
    //! A lifecycle event of the master, told as a sentence.
    void addEvent(const Clustr::ClusterEvent &event);
    const Entry &entry(int row) const { return m_entries.at(row); }
    //! The newest entry's text, empty if none.
    QString lastText() const;
    //! Whether some entry contains \a text (for tests and people searching).
    bool contains(const QString &text) const;

    //! The sentence for a lifecycle event, and how serious it is.
    static QString describeEvent(const Clustr::ClusterEvent &event, Severity *severity = nullptr);
    static QColor severityColor(Severity severity);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void added(ActivityLog::Severity severity, const QString &text);

private:
    RingBuffer<Entry> m_entries;
};
