// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/stats.h>

namespace Clustr::Protocol {

/*!
  The counters a process increments as it goes: plain members, so counting a
  message is one increment and no detach of a shared Stats. Process::stats()
  turns them into a Stats with toStats().
*/
struct StatsCounters
{
    quint64 emitPublic = 0;
    quint64 emitPrivate = 0;
    quint64 emitGroup = 0;
    quint64 emitKill = 0;
    quint64 emitConfirmation = 0;
    quint64 onMessage = 0;
    quint64 onPublic = 0;
    quint64 onGroup = 0;
    quint64 onPrivate = 0;
    quint64 spawnChildProcess = 0;
    quint64 respawnChildProcess = 0;
    quint64 receivedConfirmations = 0;
    quint64 successfulConfirmations = 0;
    quint64 rejectedMessages = 0;
    quint64 droppedMessages = 0;
    quint64 refusedMessages = 0;
};

Stats toStats(const StatsCounters &counters);

} // namespace Clustr::Protocol
