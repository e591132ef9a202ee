// SPDX-License-Identifier: MIT
#pragma once

#include "protocol/records_p.h"

namespace Clustr {

class ClusterClient;

/*!
  Sends \a command to the master \a client follows (ReloadJob's restarts
  and group commands); false if no master is known. Refusals are reported
  by the client, as for every message it sends.
*/
bool sendControlCommand(ClusterClient *client, const Protocol::ControlCommand &command);

//! A request id no other tool chooses: this process' pid, a random part and a counter.
QString newRequestId();

} // namespace Clustr
