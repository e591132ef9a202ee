// SPDX-License-Identifier: MIT
#include "looppauses_p.h"

#include "qtadapter_p.h"

#include <QtCore/QAbstractEventDispatcher>

#include <algorithm>

namespace Clustr {

LoopPauses *LoopPauses::ofCurrentThread()
{
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    if (!dispatcher)
        return nullptr;
    // Asked once per connection made, never per message.
    if (auto *pauses = dispatcher->findChild<LoopPauses *>(QString(), Qt::FindDirectChildrenOnly))
        return pauses;
    return new LoopPauses(dispatcher);
}

LoopPauses::LoopPauses(QAbstractEventDispatcher *dispatcher)
    : QObject(dispatcher)
{
    // Both: aboutToBlock() comes before a pass (what was queued outside the
    // loop, before it first ran), awake() right after the pass that queued
    // the writes, before the next poll().
    connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this, &LoopPauses::paused);
    connect(dispatcher, &QAbstractEventDispatcher::awake, this, &LoopPauses::paused);
}

void LoopPauses::addAdapter(QtRedisAdapter *adapter)
{
    m_adapters.push_back(adapter);
}

void LoopPauses::removeAdapter(QtRedisAdapter *adapter)
{
    const auto it = std::find(m_adapters.begin(), m_adapters.end(), adapter);
    if (it == m_adapters.end())
        return;
    if (m_calling > 0) {
        *it = nullptr; // callWaitingNow() goes on over the list
        m_adaptersWent = true;
    } else {
        m_adapters.erase(it);
    }
}

void LoopPauses::paused()
{
    m_pausesSeen = true;
    callWaitingNow();
}

void LoopPauses::callWaitingNow()
{
    if (!m_writesWaiting)
        return;
    m_writesWaiting = false;
    // By index: a write that fails runs hiredis' callbacks, which may make
    // or delete adapters, queue writes, or run a nested event loop that
    // pauses (and calls this) again.
    ++m_calling;
    for (size_t i = 0; i < m_adapters.size(); ++i) {
        QtRedisAdapter *adapter = m_adapters[i];
        if (adapter && adapter->m_writePending)
            adapter->loopPaused();
    }
    // This runs once per message answered: the list is swept only when
    // an adapter went meanwhile.
    if (--m_calling == 0 && m_adaptersWent) {
        m_adaptersWent = false;
        m_adapters.erase(std::remove(m_adapters.begin(), m_adapters.end(), nullptr), m_adapters.end());
    }
}

} // namespace Clustr
