// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace Clustr {
class ReloadJob;
}

namespace ControlCommands {

class Session;

/*
  What `clustr-qt reload` (and restart, stop GROUP, start, scale) shows
  while a Clustr::ReloadJob follows it: on a terminal one progress line
  redrawn in place, otherwise one plain line per step. It only formats; the
  job keeps score.
*/
class ReloadProgress
{
public:
    ReloadProgress(const Clustr::ReloadJob *job, bool terminal) : m_job(job), m_terminal(terminal) {}

    QString started(int steps);
    //! An update's plan (reload --config), one line per group.
    QString planned(const QStringList &plan);
    QString stepStarted(int step, int steps, qint64 oldPid, const QString &group);
    QString stepFinished(int step, int steps, qint64 oldPid, qint64 newPid);
    QString stepTimedOut(int step, int steps, qint64 oldPid, const QString &group);
    //! A group command's progress: \a completed of \a steps processes stopped or ready.
    QString progressed(int completed, int steps);
    //! The reload finished (with or without timed-out steps).
    QString finished();
    //! On a terminal, what ends the progress line before something else is printed.
    QString endLine() const;

private:
    QString bar(const QString &detail) const;
    QString line(int step, int steps, const QString &detail, bool lasting);

    const Clustr::ReloadJob *m_job;
    bool m_terminal;
    bool m_lineOpen = false;
};

//! `clustr-qt reload` on a connected session: requests it and, unless \a noWait, follows it for at most \a timeoutSeconds.
int reloadCommand(Session &session, bool noWait, int timeoutSeconds);
//! Starts \a job (made by the session's client) and shows its progress until its result, for at most \a timeoutSeconds.
int runJob(Session &session, Clustr::ReloadJob &job, int timeoutSeconds);

} // namespace ControlCommands
