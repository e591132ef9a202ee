// SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"

#include <QtCore/QSet>
#include <QtCore/QSortFilterProxyModel>

class MessageLogModel;

/*
  What the log shows: messages of the chosen kinds, of a group (sent by it
  or to it), of a pid (sent by it or to it privately) and containing a
  text (in the channel or the data, case-insensitive). Every condition
  left empty lets everything through. Rows stay in arrival order.
*/
class MessageLogFilter : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit MessageLogFilter(QObject *parent = nullptr);

    void setSourceLog(MessageLogModel *model);

    QSet<LogKind> hiddenKinds() const { return m_hiddenKinds; }
    void setHiddenKinds(const QSet<LogKind> &kinds);
    void setKindVisible(LogKind kind, bool visible);
    bool isKindVisible(LogKind kind) const { return !m_hiddenKinds.contains(kind); }

    QString group() const { return m_group; }
    void setGroup(const QString &group);
    qint64 pid() const { return m_pid; }
    void setPid(qint64 pid);
    QString text() const { return m_text; }
    void setText(const QString &text);
    //! No condition at all: every message shows.
    bool isEmpty() const;

Q_SIGNALS:
    void filterChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    void changed();

    MessageLogModel *m_log = nullptr;
    QSet<LogKind> m_hiddenKinds;
    QString m_group;
    QString m_groupChannel;
    qint64 m_pid = 0;
    QString m_text;
};
