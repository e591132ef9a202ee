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

class ChildInfoPrivate;

/*!
  A snapshot of one child a process spawned and supervises, as Process::children()
  returns it and as a parent reports it in its heartbeats.
*/
class CLUSTR_EXPORT ChildInfo
{
    Q_GADGET
    Q_PROPERTY(qint64 pid READ pid)
    Q_PROPERTY(QString group READ group)
    Q_PROPERTY(int instance READ instance)
    Q_PROPERTY(QString file READ file)
    Q_PROPERTY(QString cpu READ cpu)
    Q_PROPERTY(ChildInfo::State state READ state)
    Q_PROPERTY(int restarts READ restarts)
    Q_PROPERTY(QDateTime startedAt READ startedAt)
    Q_PROPERTY(bool registers READ registers)
    Q_PROPERTY(bool respawn READ respawn)
    Q_PROPERTY(QStringList commandLine READ commandLine)
    Q_PROPERTY(QString error READ error)
    Q_PROPERTY(qint64 droppedOutputLines READ droppedOutputLines)
public:
    //! What a supervised child is doing (ChildProcess' transition table).
    enum class State { NotStarted, Starting, Running, BackingOff, Stopping, Stopped, Failed };
    Q_ENUM(State)
    //! How the protocol and people write a state: "not started", "backing off", ...
    static QString stateName(State state);
    //! The inverse of stateName(); nothing for a name it does not know.
    static std::optional<State> stateFromName(QStringView name);
    //! Starting, running or backing off: it is (or will be again) a process of the cluster.
    static bool isAlive(State state);

    ChildInfo();
    ChildInfo(const ChildInfo &other);
    ChildInfo(ChildInfo &&other) noexcept;
    ChildInfo &operator=(const ChildInfo &other);
    ChildInfo &operator=(ChildInfo &&other) noexcept;
    ~ChildInfo();
    void swap(ChildInfo &other) noexcept { d.swap(other.d); }

    //! 0 while it is not running
    qint64 pid() const;
    void setPid(qint64 pid);
    //! the spec's group, else the file's name
    QString group() const;
    void setGroup(const QString &group);
    //! numbers the children of a group from 0; kept across respawns (`clustr-qt run` names its log file `<group>-<instance>.log`)
    int instance() const;
    void setInstance(int instance);
    QString file() const;
    void setFile(const QString &file);
    //! the CPU list it is pinned to (`taskset -c`), empty for none
    QString cpu() const;
    void setCpu(const QString &cpu);
    ChildInfo::State state() const;
    void setState(ChildInfo::State state);
    //! respawns since it was first started
    int restarts() const;
    void setRestarts(int restarts);
    //! when the running process started
    QDateTime startedAt() const;
    void setStartedAt(const QDateTime &startedAt);
    //! it registers with the master (a cluster process)
    bool registers() const;
    void setRegisters(bool registers);
    //! it is started again when it exits with a code other than 0
    bool respawn() const;
    void setRespawn(bool respawn);
    QStringList commandLine() const;
    void setCommandLine(const QStringList &commandLine);
    //! why it failed, if it did
    QString error() const;
    void setError(const QString &error);
    //! lines it printed that could not be written (a full disk, a file-size limit), counted for its
    //! group and instance, respawns included
    qint64 droppedOutputLines() const;
    void setDroppedOutputLines(qint64 droppedOutputLines);

    bool operator==(const ChildInfo &other) const;
    bool operator!=(const ChildInfo &other) const { return !(*this == other); }

private:
    QSharedDataPointer<ChildInfoPrivate> d;
};

} // namespace Clustr

Q_DECLARE_SHARED(Clustr::ChildInfo)
Q_DECLARE_METATYPE(Clustr::ChildInfo)
