// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonValue>
#include <QtCore/QString>

// How the monitor writes numbers, sizes, durations and JSON for people.
namespace Format {

//! 9437184 -> "9.0 MiB"; negative or NaN -> "—".
QString bytes(double bytes);
//! 61000 -> "1m 01s", 90061000 -> "1d 01h"; negative -> "—".
QString duration(qint64 ms);
//! Seconds since, for "last seen": 420 -> "0.4 s ago"; negative -> "never".
QString ago(qint64 ms);
//! 1.456 -> "1.5 %"; NaN -> "—".
QString percent(double value);
//! A JSON value in one line: strings as they are (no quotes), the rest compact JSON.
QString jsonValue(const QJsonValue &value, int maxLength = 4096);
//! 12345 -> "12,345".
QString count(qint64 n);
//! A dash for "not known".
QString unknown();

} // namespace Format
