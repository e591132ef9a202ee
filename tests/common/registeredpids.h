// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>

/*!
  The pids of cluster \a name at \a redisUrl as its status lists them (in its
  order), once \a count processes (of \a group, when given) are there, none
  of \a excluding among them, every one heartbeating and the cluster
  running; what was there at the end of \a timeoutMs otherwise (the caller
  checks what it got).
*/
QList<qint64> waitForRegisteredPids(const QString &redisUrl, const QString &name, int count,
                                    const QString &group, const QList<qint64> &excluding, int timeoutMs);
