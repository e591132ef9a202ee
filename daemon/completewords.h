// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

/*!
  `clustr-qt complete-words clusters|groups|pids [--redis URL] [--cluster NAME]`:
  what the completion scripts offer from the running cluster, one word a
  line. Hidden: for the scripts, not for people (docs/CLI.md has it).
*/
namespace CompleteWords {

int run(QStringList args);

} // namespace CompleteWords
