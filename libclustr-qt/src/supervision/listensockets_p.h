// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <optional>

namespace Clustr {

/*!
  Listening sockets handed to children in systemd's convention
  (sd_listen_fds(3)): the descriptors from 3 on, LISTEN_FDS their count,
  LISTEN_FDNAMES their names joined with ':', LISTEN_PID the pid of the
  process they are for. That last one cannot be known before the fork and
  QProcess builds the environment before it: the child is started through
  `/bin/sh -c`, which sets it to its own pid and execs the program, which
  keeps that pid.
*/
namespace ListenSockets {

//! systemd's SD_LISTEN_FDS_START.
inline constexpr int FirstFd = 3;
//! More would be a mistake: each is an open descriptor in every child.
inline constexpr int MaxSockets = 64;

struct Socket
{
    QString name;
    int fd = -1;
};

//! Has \a program run with \a arguments through the shell that sets LISTEN_PID.
void wrap(QString *program, QStringList *arguments);

/*!
  In the child, between fork and exec: \a fds become descriptors 3, 4, ...
  in order, inheritable. Async-signal-safe (no allocation); a descriptor
  that cannot be placed ends the child with exit code 126.
*/
void placeInChild(const int *fds, int count);

/*!
  What sd_listen_fds(1) reads, checked: \a pid must be \a ownPid, \a count
  a number from 1 to MaxSockets, \a names (optional) as many names as
  sockets. Empty (no error) when \a pid and \a count are both absent;
  nothing and \a error on a bad value.
*/
std::optional<QList<Socket>> parse(const QByteArray &pid, const QByteArray &count, const QByteArray &names, qint64 ownPid,
                                   QString *error);

/*!
  This process' inherited sockets, read once: the variables are removed
  (a child must not take them for its own) and each descriptor gets
  FD_CLOEXEC. A bad value or a descriptor that is not a socket: a warning
  and none.
*/
const QList<Socket> &inherited();

} // namespace ListenSockets

} // namespace Clustr
