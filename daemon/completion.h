// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

/*!
  `clustr-qt completion bash|zsh|fish`: a completion script for the shell,
  made from CommandTable. Cluster names, groups and pids come from the
  running cluster through the hidden `clustr-qt complete-words`.
*/
namespace Completion {

QString help();
int run(QStringList args);
//! The script for \a shell (one of CommandTable::shells()); empty for another.
QString script(const QString &shell);

} // namespace Completion
