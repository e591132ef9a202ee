// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/childinfo.h>
#include <ClustrQt/clusterstatus.h>
#include <ClustrQt/stats.h>

#include <QtCore/QDateTime>
#include <QtCore/QStringList>
#include <QtGui/QColor>

#include <limits>
#include <optional>
#include <variant>

/*
  What the tree says a process is doing. Children and registered processes
  have a child state (as their parent reports it), the master its own
  (starting, running, reloading, stopping): two enums of the library, kept
  apart so that "stopping" of a child and of the master stay different
  things. Compared as enums; the text is the library's stateName().
*/
class ProcessState
{
public:
    //! Unknown: nothing to say (a row greyed out because the cluster is gone).
    ProcessState() = default;
    ProcessState(Clustr::ChildInfo::State state) : m_state(state) {}
    ProcessState(Clustr::MasterInfo::State state) : m_state(state) {}

    bool isKnown() const { return !std::holds_alternative<std::monostate>(m_state); }
    //! A child or registered process in this state (never true for the master's state).
    bool is(Clustr::ChildInfo::State state) const;
    bool is(Clustr::MasterInfo::State state) const;
    //! Doing its job: a running process, or a master that runs or reloads (a reload is its job too; not one that stops).
    bool isRunning() const;
    //! "running", "backing off", "reloading"…; empty when unknown.
    QString text() const;
    //! The colour that says "fine", "on its way", "stopped" or "broken" at a glance.
    QColor color() const;

    bool operator==(const ProcessState &other) const { return m_state == other.m_state; }
    bool operator!=(const ProcessState &other) const { return !(*this == other); }

private:
    std::variant<std::monostate, Clustr::ChildInfo::State, Clustr::MasterInfo::State> m_state;
};

/*
  One row of the cluster tree: a process as the master's status snapshot
  describes it (docs/PROTOCOL.md section 11), merged from up to three
  places — the announcement (the master itself), the registered processes
  and the master's own children (with their command line, registering or
  not).
*/
struct ProcessInfo
{
    //! The pid, or a negative placeholder for a child of the master that is not running (pid 0).
    qint64 key = 0;
    qint64 pid = 0;
    //! A child of the master that is not running (given up, backing off): the pid it last had, if it was seen (0: not known).
    qint64 lastPid = 0;
    QString group;
    QString host;
    qint64 ppid = 0;
    ProcessState state;
    QDateTime startedAt;
    qint64 uptimeMs = -1;
    int restarts = 0;
    QString cpus;
    double rss = -1;
    double cpu = std::numeric_limits<double>::quiet_NaN();
    qint64 lastSeenMs = -1;
    bool heartbeat = false;
    bool registered = false;
    bool isMaster = false;
    //! Only processes that heartbeat (and the master) report counters.
    std::optional<Clustr::Stats> stats;
    QString file;
    QStringList commandLine;
    QString error;

    static ProcessInfo fromProcess(const Clustr::ProcessStatus &process);
    static ProcessInfo fromMaster(const Clustr::MasterInfo &master, const QDateTime &now);
    static ProcessInfo fromChild(const Clustr::ChildInfo &child, int index, const QString &host, qint64 masterPid, const QDateTime &now);
    //! A process the master's event says registered, before a snapshot describes it.
    static ProcessInfo registeredProcess(qint64 pid, const QString &group);
    //! Adds what only the master's children list knows (file, command line, error) to a registered process.
    void addChildDetails(const Clustr::ChildInfo &child);

    bool isRunning() const { return state.isRunning(); }
    //! The command line as a shell would take it back (arguments with spaces quoted).
    QString commandLineText() const;

    bool operator==(const ProcessInfo &other) const;
    bool operator!=(const ProcessInfo &other) const { return !(*this == other); }
};
