// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QJsonObject>
#include <QtCore/QMetaType>
#include <QtCore/QSharedDataPointer>

namespace Clustr {

class StatsPrivate;

/*!
  Event counters of one process, as Process::stats() returns them and as a
  process reports them in its heartbeats. The first thirteen carry the names
  of the original clustr-node `stats` object; toJson() uses exactly those
  names so tools written for it keep working.
*/
class CLUSTR_EXPORT Stats
{
    Q_GADGET
    Q_PROPERTY(quint64 emitPublic READ emitPublic)
    Q_PROPERTY(quint64 emitPrivate READ emitPrivate)
    Q_PROPERTY(quint64 emitGroup READ emitGroup)
    Q_PROPERTY(quint64 emitKill READ emitKill)
    Q_PROPERTY(quint64 emitConfirmation READ emitConfirmation)
    Q_PROPERTY(quint64 onMessage READ onMessage)
    Q_PROPERTY(quint64 onPublic READ onPublic)
    Q_PROPERTY(quint64 onGroup READ onGroup)
    Q_PROPERTY(quint64 onPrivate READ onPrivate)
    Q_PROPERTY(quint64 spawnChildProcess READ spawnChildProcess)
    Q_PROPERTY(quint64 respawnChildProcess READ respawnChildProcess)
    Q_PROPERTY(quint64 receivedConfirmations READ receivedConfirmations)
    Q_PROPERTY(quint64 successfulConfirmations READ successfulConfirmations)
    Q_PROPERTY(quint64 rejectedMessages READ rejectedMessages)
    Q_PROPERTY(quint64 droppedMessages READ droppedMessages)
    Q_PROPERTY(quint64 refusedMessages READ refusedMessages)
public:
    Stats();
    Stats(const Stats &other);
    Stats(Stats &&other) noexcept;
    Stats &operator=(const Stats &other);
    Stats &operator=(Stats &&other) noexcept;
    ~Stats();
    void swap(Stats &other) noexcept { d.swap(other.d); }

    //! Messages sent with Process::emitPublic().
    quint64 emitPublic() const;
    void setEmitPublic(quint64 count);
    //! Messages sent with Process::emitPrivate().
    quint64 emitPrivate() const;
    void setEmitPrivate(quint64 count);
    //! Messages sent with Process::emitGroup().
    quint64 emitGroup() const;
    void setEmitGroup(quint64 count);
    //! Kills sent with Process::emitKill().
    quint64 emitKill() const;
    void setEmitKill(quint64 count);
    //! Confirmations sent with Process::emitConfirmation().
    quint64 emitConfirmation() const;
    void setEmitConfirmation(quint64 count);
    //! Every message delivered to this process (Process::messageReceived()).
    quint64 onMessage() const;
    void setOnMessage(quint64 count);
    //! Public messages received.
    quint64 onPublic() const;
    void setOnPublic(quint64 count);
    //! Group messages received.
    quint64 onGroup() const;
    void setOnGroup(quint64 count);
    //! Private messages received.
    quint64 onPrivate() const;
    void setOnPrivate(quint64 count);
    //! Children started for the first time.
    quint64 spawnChildProcess() const;
    void setSpawnChildProcess(quint64 count);
    //! Children started again after they exited.
    quint64 respawnChildProcess() const;
    void setRespawnChildProcess(quint64 count);
    //! Confirmations received.
    quint64 receivedConfirmations() const;
    void setReceivedConfirmations(quint64 count);
    //! Confirmation counts completed (a Process::onConfirmation() callback ran).
    quint64 successfulConfirmations() const;
    void setSuccessfulConfirmations(quint64 count);
    //! Messages dropped because they were malformed, oversized or of a wrong type.
    quint64 rejectedMessages() const;
    void setRejectedMessages(quint64 count);
    //! Publishes dropped because Redis was unreachable and the queue was full.
    quint64 droppedMessages() const;
    void setDroppedMessages(quint64 count);
    //! Publishes Redis refused (e.g. NOPERM: the ACL user may not publish there); they reached nobody.
    quint64 refusedMessages() const;
    void setRefusedMessages(quint64 count);

    //! All counters by their names, e.g. {"emitPublic": 3, ...}.
    QJsonObject toJson() const;
    //! The inverse of toJson(); unknown keys are ignored, missing ones are 0.
    static Stats fromJson(const QJsonObject &object);

    bool operator==(const Stats &other) const;
    bool operator!=(const Stats &other) const { return !(*this == other); }

private:
    // The library counts in a plain struct of its own and hands out a Stats
    // built from it (Protocol::StatsCounters in stats_p.h).
    friend class StatsPrivate;
    QSharedDataPointer<StatsPrivate> d;
};

} // namespace Clustr

Q_DECLARE_SHARED(Clustr::Stats)
Q_DECLARE_METATYPE(Clustr::Stats)
