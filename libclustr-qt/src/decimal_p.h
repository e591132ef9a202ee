// SPDX-License-Identifier: MIT
#pragma once

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

} // namespace Clustr
