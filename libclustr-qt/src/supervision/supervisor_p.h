// SPDX-License-Identifier: MIT
#pragma once

#include "childcommand_p.h"
#include "childprocess_p.h"
#include "outputforwarder_p.h"

#include <ClustrQt/childinfo.h>
#include <ClustrQt/spawnspec.h>

#include <QtCore/QHash>
#include <QtCore/QObject>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Clustr {

/*!
  The children of one process: builds their command lines, starts them as
  ChildProcesses, forwards their output, and reports what happens to them.
  It knows nothing of Redis; the process wires its signals to messages.
*/
class Supervisor : public QObject
{
    Q_OBJECT
public:
    struct Child
    {
        ChildProcess *process = nullptr;
        SpawnSpec spec;
        ChildCommand command;
        QString group;
        int instance = 0; //!< among the children of its group; kept by a surge replacement
        bool everStarted = false;
    };

    explicit Supervisor(QObject *parent = nullptr);
    ~Supervisor() override;

    //! Passed to every child: the master pid and the spawner's own command line.
    void setSpawnerContext(qint64 masterPid, const QStringList &arguments);
    void setDefaults(const RestartPolicy &policy, std::chrono::milliseconds killTimeout);
    //! Variables every child gets (a spec's own env wins). CLUSTR_GROUP is always the child's group.
    void setExtraEnvironment(const QMap<QString, QString> &environment) { m_environment = environment; }
    //! The listening sockets spawn entries may name (SpawnSpec::sockets()), by name.
    void setListenSockets(const QMap<QString, int> &sockets) { m_listenSockets = sockets; }
    //! The process group children start in (ChildProcess::Config::processGroup).
    void setProcessGroup(qint64 group) { m_processGroup = group; }
    OutputForwarder &forwarder() { return m_forwarder; }
    //! Returns whether the line was written (see ChildOutputHandler).
    using OutputHandler = std::function<bool(const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr)>;
    //! Takes the children's lines instead of the forwarder.
    void setOutputHandler(const OutputHandler &handler) { m_outputHandler = handler; }
    //! Sees every line after the handler or the forwarder had it.
    void setOutputObserver(const ChildOutputObserver &observer) { m_outputObserver = observer; }

    /*!
      While holding, spawn() prepares children (and reports bad specs) but
      does not start them; releasing starts them. A process holds until it
      can hear its children: anything they send before is lost.
    */
    void setHolding(bool holding);
    //! Starts every instance of every spec; returns how many children were started (or will be, when released).
    int spawn(const QList<SpawnSpec> &specs);
    //! Starts one more child exactly like \a model (a surge replacement).
    ChildProcess *startLike(const ChildProcess *model);
    //! Forgets a child for good (once it stopped); it is deleted later.
    void remove(ChildProcess *process);

    // Groups at run time (clustr-qt stop/start/scale GROUP).
    //! The groups of the spawn entries, in the order they were first spawned (emptied ones included).
    QStringList groups() const { return m_groupOrder; }
    //! The children of \a group, by instance.
    QList<ChildProcess *> groupProcesses(const QString &group) const;
    /*!
      One more child of \a group, made like the group's first spawn entry,
      with the lowest instance number no child of the group has; started
      unless \a start is false. Nullptr for a group never spawned, or while stopping.
    */
    ChildProcess *addInstance(const QString &group, bool start);

    /*!
      Makes \a group's processes from \a spec from now on (an update of the
      spawn entries): new instances, and each child when it is next started
      or respawned. False, with \a error set and nothing changed, if the
      entry cannot be run (see checkSpec()).
    */
    bool setGroupSpec(const QString &group, const SpawnSpec &spec, QString *error);
    //! The entry \a group's processes are made from; empty for a group never spawned.
    std::optional<SpawnSpec> groupSpec(const QString &group) const;
    //! Forgets a group that has no children left (an update removed it).
    void forgetGroup(const QString &group);
    //! Whether spawn() could run \a spec: the error it would report, empty if none.
    QString checkSpec(const SpawnSpec &spec) const;
    const Child *find(const ChildProcess *process) const;
    const Child *findByPid(qint64 pid) const;
    bool owns(qint64 pid) const { return findByPid(pid) != nullptr; }
    QList<ChildProcess *> processes() const;
    QList<ChildInfo> infos() const;
    bool isEmpty() const { return m_children.empty(); }

    /*!
      Stops every child: \a beforeStop(child) first (the process kills
      cluster workers through Redis there), then ChildProcess::stop();
      allStopped() once none is left running.
    */
    void stopAll(const std::function<void(ChildProcess *)> &beforeStop);
    bool isStopping() const { return m_stopping; }

Q_SIGNALS:
    //! A child started; \a oldPid is the pid it replaces (0 for a first start).
    void childStarted(Clustr::ChildProcess *process, qint64 pid, qint64 oldPid);
    void childExited(Clustr::ChildProcess *process, qint64 pid, int exitCode, bool bySignal, int signal);
    void childGaveUp(Clustr::ChildProcess *process, const QString &reason);
    //! A crashed child will be started again after \a delay.
    void childBackingOff(Clustr::ChildProcess *process, qint64 oldPid, std::chrono::milliseconds delay);
    void spawnFailed(const QString &file, const QString &error);
    //! Children were added, removed, started or ended.
    void childrenChanged();
    void allStopped();

private:
    ChildProcess *create(const SpawnSpec &spec, const ChildCommand &command, int instance = -1);
    ChildProcess::Config configFor(const SpawnSpec &spec, const ChildCommand &command) const;
    //! The command line \a spec runs, or \a error (left empty if none).
    ChildCommand commandFor(const SpawnSpec &spec, QString *error) const;
    void checkAllStopped();

    std::vector<std::unique_ptr<Child>> m_children;
    qint64 m_masterPid = 0;
    QStringList m_arguments;
    QMap<QString, QString> m_environment;
    QMap<QString, int> m_listenSockets;
    RestartPolicy m_policy;
    std::chrono::milliseconds m_killTimeout{5000};
    qint64 m_processGroup = ChildProcess::OwnProcessGroup;
    OutputForwarder m_forwarder;
    OutputHandler m_outputHandler;
    ChildOutputObserver m_outputObserver;
    bool m_stopping = false;
    bool m_holding = false;
    QHash<QString, int> m_instances; // group -> children created so far
    // The spawn entry each group was first made from, for addInstance().
    struct GroupModel
    {
        SpawnSpec spec;
        ChildCommand command;
    };
    QHash<QString, GroupModel> m_groupModels;
    QStringList m_groupOrder;
    // (group, instance) -> output lines that could not be written: one count
    // per log file, kept across respawns and by a surge replacement.
    QHash<std::pair<QString, int>, qint64> m_droppedLines;
};

//! A child's state as the protocol and the public API name it (the same states, in the same order).
constexpr ChildInfo::State toChildState(ChildProcess::State state)
{
    static_assert(int(ChildProcess::State::NotStarted) == int(ChildInfo::State::NotStarted)
                  && int(ChildProcess::State::Failed) == int(ChildInfo::State::Failed));
    return ChildInfo::State(int(state));
}

} // namespace Clustr
