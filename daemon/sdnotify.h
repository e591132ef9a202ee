// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>

/*!
  systemd's readiness protocol without libsystemd: one datagram per state
  to the socket in $NOTIFY_SOCKET ('@' for the abstract namespace). Does
  nothing when the variable is not set (not run by systemd).
*/
namespace SdNotify {

/*!
  Takes $NOTIFY_SOCKET out of the environment (and keeps it for notify()),
  so the workers, who inherit the environment, cannot speak for the daemon.
  Called before the first child starts.
*/
void takeSocket();

//! Sends e.g. "READY=1" or "STATUS=...\nRELOADING=1"; false if it could not be sent.
bool notify(const QByteArray &state);

} // namespace SdNotify
