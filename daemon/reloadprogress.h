// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace Clustr {
class ReloadJob;
}

namespace ControlCommands {

class Session;

/*
  What `clustr-qt reload` shows while a Clustr::ReloadJob follows a rolling
  reload: on a terminal one progress line redrawn in place, otherwise one
  plain line per step. It only formats; the job keeps score.
*/
class ReloadProgress
{
public:
    ReloadProgress(const Clustr::ReloadJob *job, bool terminal) : m_job(job), m_terminal(terminal) {}

    QString started(int steps);
    QString stepStarted(int step, int steps, qint64 oldPid, const QString &group);
    QString stepFinished(int step, int steps, qint64 oldPid, qint64 newPid);
    QString stepTimedOut(int step, int steps, qint64 oldPid, const QString &group);
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

} // namespace ControlCommands
