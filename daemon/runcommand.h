// SPDX-License-Identifier: MIT
#pragma once

#include "clusterfile.h"

#include <QtCore/QStringList>

#include <optional>

// `clustr-qt run CLUSTER.json` (the master in the foreground) and
// `clustr-qt check CLUSTER.json` (validate only).
namespace RunCommand {

int run(QStringList args);
int check(QStringList args);
QString runHelp();
QString checkHelp();

//! Takes the first argument that is not an option: the cluster file.
QString takeFile(QStringList &args);
//! Loads \a path, printing its warnings and errors; nothing if it is invalid (\a strict: unknown keys are errors).
std::optional<ClusterFile> loadOrReport(const QString &path, bool strict = false);

} // namespace RunCommand
