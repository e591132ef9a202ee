// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/unixsignalwatcher.h>

namespace Clustr {

class UnixSignalWatcherPrivate
{
public:
    QList<int> watchedSignals;
    QString errorString;
};

} // namespace Clustr
