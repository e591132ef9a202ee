// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QDateTime>
#include <QtCore/QMetaType>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QStringList>
#include <QtCore/QStringView>

#include <optional>

namespace Clustr {

class ClusterEventPrivate;

/*!
  One lifecycle event a master publishes on `events:<pid>` (docs/PROTOCOL.md
  section 11). Which fields are set depends on type().
*/
class CLUSTR_EXPORT ClusterEvent
{
    Q_GADGET
    Q_PROPERTY(ClusterEvent::Type type READ type)
    Q_PROPERTY(QDateTime time READ time)
    Q_PROPERTY(qint64 pid READ pid)
    Q_PROPERTY(qint64 oldPid READ oldPid)
    Q_PROPERTY(qint64 newPid READ newPid)
    Q_PROPERTY(QString group READ group)
    Q_PROPERTY(QString reason READ reason)
    Q_PROPERTY(int exitCode READ exitCode)
    Q_PROPERTY(int signal READ signal)
    Q_PROPERTY(QString file READ file)
    Q_PROPERTY(QString error READ error)
    Q_PROPERTY(int workerCount READ workerCount)
    Q_PROPERTY(int step READ step)
    Q_PROPERTY(int steps READ steps)
    Q_PROPERTY(ClusterEvent::ReloadPhase reloadPhase READ reloadPhase)
    Q_PROPERTY(qint64 durationMs READ durationMs)
    Q_PROPERTY(QString requestId READ requestId)
    Q_PROPERTY(QString command READ command)
    Q_PROPERTY(QStringList plan READ plan)
public:
    /*!
      The Command* types answer a control command that carried a request id
      (ClusterClient's restart, stopGroup, startGroup, scale): it was
      rejected (error() names why: noSuchTarget, nothingToDo, invalid, busy,
      stopping; reason() says it in words), or accepted with steps(), then
      made progress (step() of steps()) and finished (error() empty, or
      failed with reason()).
    */
    enum class Type { Unknown, Registered, Deregistered, Lost, Spawned, Exited, Respawned, GaveUp, SpawnFailed,
                      ClusterStarted, ReloadStarted, ReloadStep, ClusterReloaded, Stopping, ReloadExcluded,
                      CommandRejected, CommandAccepted, CommandProgress, CommandFinished };
    Q_ENUM(Type)
    //! For ReloadStep events: what happened to the step.
    enum class ReloadPhase { None, Started, Finished, Skipped, TimedOut };
    Q_ENUM(ReloadPhase)
    //! The protocol's name of a type: "registered", "gaveUp", ...
    static QString typeName(Type type);
    static std::optional<Type> typeFromName(QStringView name);
    static QString phaseName(ReloadPhase phase);
    static std::optional<ReloadPhase> phaseFromName(QStringView name);

    ClusterEvent();
    ClusterEvent(const ClusterEvent &other);
    ClusterEvent(ClusterEvent &&other) noexcept;
    ClusterEvent &operator=(const ClusterEvent &other);
    ClusterEvent &operator=(ClusterEvent &&other) noexcept;
    ~ClusterEvent();
    void swap(ClusterEvent &other) noexcept { d.swap(other.d); }

    ClusterEvent::Type type() const;
    void setType(ClusterEvent::Type type);
    QDateTime time() const;
    void setTime(const QDateTime &time);
    //! the process (for Respawned: the new one)
    qint64 pid() const;
    void setPid(qint64 pid);
    //! Respawned, ReloadStep: the process replaced
    qint64 oldPid() const;
    void setOldPid(qint64 oldPid);
    //! ReloadStep Finished: its replacement
    qint64 newPid() const;
    void setNewPid(qint64 newPid);
    QString group() const;
    void setGroup(const QString &group);
    //! Lost, GaveUp, ReloadExcluded
    QString reason() const;
    void setReason(const QString &reason);
    //! Exited, Stopping
    int exitCode() const;
    void setExitCode(int exitCode);
    //! Exited: the signal that ended it, 0 for none
    int signal() const;
    void setSignal(int signal);
    //! SpawnFailed
    QString file() const;
    void setFile(const QString &file);
    //! SpawnFailed: the error text; CommandRejected, CommandFinished: the kind of failure (empty: none)
    QString error() const;
    void setError(const QString &error);
    //! ClusterStarted, ClusterReloaded
    int workerCount() const;
    void setWorkerCount(int workerCount);
    //! ReloadStep
    int step() const;
    void setStep(int step);
    //! ReloadStarted, ReloadStep
    int steps() const;
    void setSteps(int steps);
    //! ReloadStep
    ClusterEvent::ReloadPhase reloadPhase() const;
    void setReloadPhase(ClusterEvent::ReloadPhase reloadPhase);
    //! ClusterReloaded
    qint64 durationMs() const;
    void setDurationMs(qint64 durationMs);
    //! Command*, and ReloadStarted for a restart: the id the tool gave its command
    QString requestId() const;
    void setRequestId(const QString &requestId);
    //! Command*, and ReloadStarted for a restart: "restart", "stopGroup", "startGroup", "scale", "update"
    QString command() const;
    void setCommand(const QString &command);
    /*!
      CommandAccepted and CommandFinished of an update (ClusterClient::updateConfig()),
      CommandRejected of one with nothing to do: what it changes, one line per
      group, e.g. "web: roll 2 (args changed)" (docs/PROTOCOL.md section 11).
    */
    QStringList plan() const;
    void setPlan(const QStringList &plan);

    bool operator==(const ClusterEvent &other) const;
    bool operator!=(const ClusterEvent &other) const { return !(*this == other); }

private:
    QSharedDataPointer<ClusterEventPrivate> d;
};

} // namespace Clustr

Q_DECLARE_SHARED(Clustr::ClusterEvent)
Q_DECLARE_METATYPE(Clustr::ClusterEvent)
