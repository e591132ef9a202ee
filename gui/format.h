// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
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
/*!
  JSON text as the sender wrote it, in one line: a string as it is (no
  quotes), anything else byte for byte (key order, number spelling) with its
  line breaks folded, so what was sent is what the log shows.
*/
QString jsonText(const QByteArray &json, int maxLength = 4096);
//! 12345 -> "12,345".
QString count(qint64 n);
//! A dash for "not known".
QString unknown();

} // namespace Format
