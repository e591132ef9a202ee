// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

// `clustr-qt run CLUSTER.json` (the master in the foreground) and
// `clustr-qt check CLUSTER.json` (validate only).
namespace RunCommand {

int run(QStringList args);
int check(QStringList args);
QString runHelp();
QString checkHelp();

} // namespace RunCommand
