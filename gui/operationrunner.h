// SPDX-License-Identifier: MIT
#pragma once

#include "activitylog.h"

#include <ClustrQt/reloadjob.h>

#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <chrono>

class ClusterMonitor;

/*
  Runs the commands that change a cluster's shape — restart (of the
  cluster, a group or a process), stop and start of a group, scale — as
  the library's Clustr::ReloadJob, one at a time, and tells how each went.

  The job does the bookkeeping (the master's answers, steps, the end);
  this class turns it into the window's language: a percentage and a
  sentence for the progress bar, and one outcome line for the activity
  log, the way ActionTracker reports the other actions.
*/
class OperationRunner : public QObject
{
    Q_OBJECT
public:
    explicit OperationRunner(ClusterMonitor *monitor, QObject *parent = nullptr);
    ~OperationRunner() override;

    bool restartCluster();
    bool restartGroup(const QString &group);
    //! \a group only names the process in messages.
    bool restartProcess(qint64 pid, const QString &group);
    bool stopGroup(const QString &group);
    bool startGroup(const QString &group);
    bool scale(const QString &group, int instances);
    //! Asks the master what an update from its cluster file would change (a dry run): planned() once it answered.
    bool planUpdate();
    //! Has the master apply its cluster file as it is now.
    bool applyUpdate();

    //! A command runs (from its start until finished()); a second one waits for it to end.
    bool isActive() const { return !m_job.isNull(); }
    //! The command under way has begun its steps (not waiting behind a reload any more).
    bool isRunning() const;
    //! What runs: "restart of group web"; empty when idle.
    QString description() const;
    Clustr::ReloadJob::Operation operation() const;

    //! How long a restart, and a group command, may take (the CLI's defaults: 600 s and 120 s).
    void setTimeouts(std::chrono::milliseconds restart, std::chrono::milliseconds group);

public Q_SLOTS:
    //! The client went away: the command under way is reported as interrupted.
    void abandon();

Q_SIGNALS:
    void started(const QString &description);
    void progressChanged(int percent, const QString &text);
    void finished(bool ok, const QString &text);
    //! planUpdate() was answered with a plan that changes something.
    void planned(const QStringList &plan);
    //! For the activity log and the status bar, as ActionTracker::outcome.
    void outcome(ActivityLog::Severity severity, const QString &text);

private:
    bool run(Clustr::ReloadJob *job, const QString &what);
    void watch(Clustr::ReloadJob *job);
    void handleResult();
    QString progressText() const;
    QString successText(const Clustr::ReloadJob *job) const;

    ClusterMonitor *m_monitor;
    QPointer<Clustr::ReloadJob> m_job; // owned by the client: gone with it
    std::chrono::milliseconds m_restartTimeout{600000};
    std::chrono::milliseconds m_groupTimeout{120000};
};
