// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterstatus.h>

#include <QtCore/QDateTime>
#include <QtCore/QString>
#include <QtCore/QStringList>

// The readable form of `clustr-qt status`: the master's status snapshot
// (docs/PROTOCOL.md section 11) as a header and a table of processes.
namespace StatusTable {

//! The whole table, lines separated by '\n', without a final newline.
QString render(const Clustr::ClusterStatus &status, const QString &redisUrl, const QDateTime &now);

//! Columns as wide as their widest cell, two spaces apart, \a header first.
QStringList table(const QStringList &header, const QList<QStringList> &rows);
//! 850 ms -> "0s", 192000 -> "3m12s", 7500000 -> "2h05m", 3 days -> "3d00h"; negative -> "-".
QString humanDuration(qint64 ms);
//! 12897484 -> "12.3M", 980 -> "980B", 1536 -> "1.5K"; negative or NaN -> "-".
QString humanBytes(double bytes);

} // namespace StatusTable
