// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

/*!
  `clustr-qt ls`: every cluster reachable from this host, whether it runs on
  an embedded Redis recorded in the runtime directory or on the configured
  Redis, with its master, workers, uptime and Redis.
*/
namespace LsCommand {

QString help();
int run(QStringList args);
//! The names of the clusters reachable from here: recorded ones and those announced at \a redisUrl ("" for an unnamed one).
QStringList clusterNames(const QString &redisUrl);

} // namespace LsCommand
