// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QJsonObject>
#include <QtCore/QMetaType>

namespace Clustr {

/*!
  Event counters of one process. The first thirteen carry the names of the
  original clustr-node `stats` object; toJson() uses exactly those names so
  tools written for it keep working.
*/
struct CLUSTR_EXPORT Stats
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
    //! Messages dropped because they were malformed, oversized or of a wrong type.
    quint64 rejectedMessages = 0;
    //! Publishes dropped because Redis was unreachable and the queue was full.
    quint64 droppedMessages = 0;

    //! All counters by their names, e.g. {"emitPublic": 3, ...}.
    QJsonObject toJson() const;
    //! The inverse of toJson(); unknown keys are ignored, missing ones are 0.
    static Stats fromJson(const QJsonObject &object);

    friend bool operator==(const Stats &a, const Stats &b) { return a.toJson() == b.toJson(); }
    friend bool operator!=(const Stats &a, const Stats &b) { return !(a == b); }
};

} // namespace Clustr

Q_DECLARE_METATYPE(Clustr::Stats)
