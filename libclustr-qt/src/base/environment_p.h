// SPDX-License-Identifier: MIT
#pragma once

#include "decimal_p.h"

#include <QtCore/QString>

#include <cstdlib>

namespace Clustr {

/*
  The few environment variables a worker reads as it starts (its Redis URL,
  group, spawner and master), read with getenv(): qEnvironmentVariable()
  lives in a 64 KiB window of Qt Core that nothing else of an idle worker
  touches (docs/BENCHMARKS.md, "Idle worker memory"). Read once at start,
  before any thread of ours could change the environment.
*/

//! The variable \a name (UTF-8), empty when it is not set.
inline QString environmentVariable(const char *name)
{
    const char *value = std::getenv(name);
    return value ? QString::fromUtf8(value) : QString();
}

//! The variable \a name as a pid: 0 when it is not set or not a positive decimal.
inline qint64 environmentPid(const char *name)
{
    const char *value = std::getenv(name);
    const qint64 pid = value ? parseDecimal(QByteArrayView(value)) : -1;
    return pid > 0 ? pid : 0;
}

} // namespace Clustr
