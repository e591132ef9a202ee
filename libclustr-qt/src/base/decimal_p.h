// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArrayView>
#include <QtCore/QStringView>

namespace Clustr {

//! Non-empty and only the digits 0-9 (no sign, no spaces): how pids and exit codes may be written.
inline bool isDecimal(QStringView text)
{
    if (text.isEmpty())
        return false;
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

inline bool isDecimal(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

/*!
  \a text as a number when it is written as isDecimal() wants (digits only)
  in at most 18 digits, so that it fits; -1 otherwise. Without
  QString::toLongLong(), whose locale code (64 KiB of Qt Core) an idle
  worker would map for the few pids it reads at start (docs/BENCHMARKS.md,
  "Idle worker memory").
*/
inline qint64 parseDecimal(QStringView text)
{
    if (text.size() > 18 || !isDecimal(text))
        return -1;
    qint64 number = 0;
    for (QChar c : text)
        number = number * 10 + (c.unicode() - u'0');
    return number;
}
inline qint64 parseDecimal(QByteArrayView text)
{
    if (text.size() > 18 || !isDecimal(text))
        return -1;
    qint64 number = 0;
    for (char c : text)
        number = number * 10 + (c - '0');
    return number;
}

/*!
  Writes \a number in decimal so that it ends just before \a end and returns
  where it starts; \a end must have 20 chars before it. No allocation and no
  QLocale: channel names are built per message, and QString::number()'s
  locale code costs every process memory (docs/ARCHITECTURE.md).
*/
inline char *writeDecimal(qint64 number, char *end)
{
    char *first = end;
    quint64 magnitude = number < 0 ? 0 - quint64(number) : quint64(number);
    do {
        *--first = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (number < 0)
        *--first = '-';
    return first;
}

} // namespace Clustr
