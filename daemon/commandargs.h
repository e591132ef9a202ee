// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

#include <optional>

// What the control commands share to read their arguments.
namespace ControlCommands {

//! Prints \a message and where to find help; returns Cli::Usage.
int usageError(const QString &command, const QString &message);
//! Options end at a lone "--": takes what follows out of \a args and returns it.
QStringList splitPositionals(QStringList &args);
//! The arguments left once the options were taken; an unknown option is a usage error (printed, nullopt).
std::optional<QStringList> positionals(const QString &command, QStringList args, const QStringList &tail);
//! A positive pid written with digits only.
std::optional<qint64> parsePid(const QString &text);
//! An integer from \a min to \a max written with digits only.
std::optional<int> parseInteger(const QString &text, int min, int max);

} // namespace ControlCommands
