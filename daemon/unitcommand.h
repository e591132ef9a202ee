// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

/*!
  `clustr-qt unit CLUSTER.json [--user] [--output FILE]`: a systemd unit that
  runs the cluster with this clustr-qt, for the system's manager or (--user)
  the user's. daemon/clustr-qt.service is the same unit as a template for
  /etc/clustr-qt/NAME.json; tst_daemon keeps the two in agreement.
*/
namespace UnitCommand {

QString help();
int run(QStringList args);

} // namespace UnitCommand
