// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

namespace Example {

/*!
  A listening TCP socket on \a address:\a port with SO_REUSEPORT set, so that
  every worker of the pool binds the same port and the kernel spreads new
  connections over all of them. When one worker closes its socket, new
  connections go to the others. Returns the descriptor (non-blocking,
  close-on-exec), or -1 with \a error set.
*/
int listenReusePort(const QHostAddress &address, quint16 port, QString *error);

} // namespace Example
