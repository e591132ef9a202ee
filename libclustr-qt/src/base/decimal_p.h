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
