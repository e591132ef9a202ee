// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

// status, publish, send, group, kill, reload, stop, watch (and restart, start, scale, in operationcommands.h; logs, in logscommand.h): commands that
// find a running cluster and talk to it through Clustr::ClusterClient.
namespace ControlCommands {

bool isControlCommand(const QString &command);
//! Runs \a command with \a args (without the program and command names); returns the exit code.
int run(const QString &command, QStringList args);
//! The --help text of \a command.
QString help(const QString &command);

} // namespace ControlCommands
