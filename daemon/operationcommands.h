// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

// restart, stop GROUP, start and scale: commands the master carries out on
// a group or a process, followed to their end with a progress bar.
namespace ControlCommands {

class Session;

int restart(QStringList args);
int startGroup(QStringList args);
int scale(QStringList args);
//! `stop GROUP` on the session `stop` made, within \a timeoutSeconds.
int stopGroup(Session &session, const QString &group, int timeoutSeconds);

} // namespace ControlCommands
