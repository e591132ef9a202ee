// SPDX-License-Identifier: MIT
#include "hostwatch_p.h"

#include <algorithm>

namespace Clustr {

HostWatch::Changes HostWatch::update(const QHash<QString, QByteArray> &entries, qint64 nowMs)
{
    Changes changes;
    // Hosts that left the list stopped: forgotten, lost or not.
    for (auto it = m_seen.begin(); it != m_seen.end();) {
        if (entries.contains(it.key()))
            ++it;
        else
            it = m_seen.erase(it);
    }
    for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
        if (it.key() == m_ownHost)
            continue;
        auto seen = m_seen.find(it.key());
        if (seen == m_seen.end()) {
            // First seen now: given the whole wait before it can be lost.
            m_seen.insert(it.key(), Seen{it.value(), nowMs, false});
            continue;
        }
        if (seen->entry != it.value()) {
            seen->entry = it.value();
            seen->changedAtMs = nowMs;
            if (seen->lost) {
                seen->lost = false;
                changes.rejoined.append(it.key());
            }
        } else if (!seen->lost && nowMs - seen->changedAtMs >= LostAfterMs) {
            seen->lost = true;
            changes.lost.append(it.key());
        }
    }
    changes.lost.sort();
    changes.rejoined.sort();
    return changes;
}

QStringList HostWatch::lostHosts() const
{
    QStringList lost;
    for (auto it = m_seen.cbegin(); it != m_seen.cend(); ++it) {
        if (it->lost)
            lost.append(it.key());
    }
    lost.sort();
    return lost;
}

} // namespace Clustr
