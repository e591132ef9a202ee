// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace ControlCommands {

class Session;

/*
  What `clustr-qt reload` shows while it follows a rolling reload through
  the master's events (docs/PROTOCOL.md section 11): on a terminal one
  progress line redrawn in place, otherwise one plain line per step.
  It only formats and keeps score; reloadCommand() feeds it.
*/
class ReloadProgress
{
public:
    explicit ReloadProgress(bool terminal) : m_terminal(terminal) {}

    /*!
      Takes one master event. Events that come before reloadStarted belong
      to a reload that was already running (ours is queued after it) and
      are ignored. Returns what to write to stdout (may be empty; on a
      terminal it may lack a final newline).
    */
    QString handle(const QJsonObject &event);

    //! Our reloadStarted has come.
    bool hasStarted() const { return m_started; }
    //! clusterReloaded has come after it.
    bool isFinished() const { return m_finished; }
    //! Some reload event of an earlier reload arrived while ours was queued.
    bool sawEarlierReload() const { return m_sawEarlier; }
    //! Steps that timed out, each as a readable reason.
    QStringList failures() const { return m_failures; }
    //! "step 2/4" or "before the first step": where it was, for a timeout message.
    QString position() const;
    //! On a terminal, what ends the progress line before something else is printed.
    QString endLine() const;

private:
    QString bar(const QString &detail) const;

    bool m_terminal;
    bool m_started = false;
    bool m_finished = false;
    bool m_sawEarlier = false;
    bool m_lineOpen = false;
    int m_steps = 0;
    int m_done = 0;
    int m_current = 0;
    QStringList m_failures;
};

//! `clustr-qt reload` on a connected session: requests it and, unless \a noWait, follows it for at most \a timeoutSeconds.
int reloadCommand(Session &session, bool noWait, int timeoutSeconds);

} // namespace ControlCommands
