// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

/*!
  `clustr-qt run --detach`: the same run in the background, as `pm2 start`
  leaves its daemon behind. The foreground process starts `clustr-qt run`
  again without --detach, in a session of its own (no terminal, so no
  SIGHUP or Ctrl-C from it), with its output appended to a log file, and
  waits for it to say the cluster started: the daemon's systemd readiness
  message (READY=1) on a socket of our own in $NOTIFY_SOCKET. It returns
  0 then, or the background process' exit code and the end of its log if
  it ended first.
*/
namespace Detach {

//! $XDG_STATE_HOME/clustr-qt/NAME.log (~/.local/state/clustr-qt/NAME.log without it).
QString defaultLogFile(const QString &clusterName);

//! Runs `clustr-qt run` with \a runArguments in the background; waits at most \a timeoutMs for it to start.
int runInBackground(const QStringList &runArguments, const QString &logFile, const QString &displayName, int timeoutMs);

} // namespace Detach
