// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

namespace Example {

enum class ListenMode {
    /*!
      One socket for the whole pool, made by the master and inherited by
      every worker it spawns (not close-on-exec): one accept queue that
      outlives any single worker, so a worker that stops accepting loses
      nothing; the others take what is queued.
    */
    Inherited,
    /*!
      A socket of this process with SO_REUSEPORT: every worker binds the
      same port and the kernel spreads new connections over their separate
      queues (a worker started on its own, e.g. by `clustr-qt run`).
    */
    ReusePort,
};

/*!
  A listening TCP socket on \a address:\a port, non-blocking. Returns the
  descriptor, or -1 with \a error set.
*/
int listenSocket(const QHostAddress &address, quint16 port, ListenMode mode, QString *error);

//! The port \a fd is bound to (0 if it cannot tell).
quint16 localPort(int fd);

} // namespace Example
