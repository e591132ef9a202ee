// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QString>
#include <QtCore/QStringList>

/*
  What a master of a cluster across hosts makes of the hosts list
  (`NAME:clustr:hosts`, one entry per host, each rewritten by its master
  every 2 s): a host whose entry has not changed for LostAfterMs, by this
  master's own clock, is lost; one whose entry changes again has rejoined.
  Comparing entries with themselves, never another host's clock with ours,
  makes it immune to clock skew between hosts. A host whose entry is
  deleted stopped (it is not lost); the master's own host is never watched.
*/
namespace Clustr {

class CLUSTR_AUTOTEST_EXPORT HostWatch
{
public:
    static constexpr qint64 LostAfterMs = 6000;

    explicit HostWatch(const QString &ownHost = QString()) : m_ownHost(ownHost) {}

    struct Changes
    {
        QStringList lost;
        QStringList rejoined;
    };
    //! The list as read at \a nowMs (a monotonic clock of ours): host -> its entry's bytes.
    Changes update(const QHash<QString, QByteArray> &entries, qint64 nowMs);
    //! The hosts lost now, sorted.
    QStringList lostHosts() const;

private:
    struct Seen
    {
        QByteArray entry;
        qint64 changedAtMs = 0;
        bool lost = false;
    };
    QString m_ownHost;
    QHash<QString, Seen> m_seen;
};

} // namespace Clustr
