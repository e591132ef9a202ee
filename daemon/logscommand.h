// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

// `clustr-qt logs [TARGET] [-f] [-n N] [--json]`: the workers' recent output
// lines, which `clustr-qt run` keeps in Redis (LogShipper), and with -f the
// new ones as they come. See docs/CLI.md.
namespace LogsCommand {

//! The --help text, without the options every control command shares.
const char *help();
//! Runs `logs` with \a args (without the program and command names); returns the exit code.
int run(QStringList args);

} // namespace LogsCommand
