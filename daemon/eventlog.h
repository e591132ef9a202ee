// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace Clustr {
class Master;
}

/*!
  The daemon's own output: one timestamped line per event of the cluster
  (spawned, registered, exited, respawned, backing off, given up, reload
  steps, stopped), on stdout.
*/
namespace EventLog {

void attach(Clustr::Master *master);
void line(const QString &text);

} // namespace EventLog
