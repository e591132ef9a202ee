// SPDX-License-Identifier: MIT
#pragma once

#include "global_p.h"

#include <ClustrQt/options.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QLoggingCategory>

namespace Clustr {

Q_DECLARE_LOGGING_CATEGORY(lcRedis)
Q_DECLARE_LOGGING_CATEGORY(lcProtocol)
Q_DECLARE_LOGGING_CATEGORY(lcProcess)
Q_DECLARE_LOGGING_CATEGORY(lcWorker)
Q_DECLARE_LOGGING_CATEGORY(lcMaster)
Q_DECLARE_LOGGING_CATEGORY(lcSpawn)

namespace Logging {

/*!
  Like clustr-node, the library is quiet by default: its categories log
  warnings only. `--verbose` (or enableVerbose()) switches info and debug on
  for the `clustr.*` categories of this process.
*/
CLUSTR_AUTOTEST_EXPORT void enableVerbose();

/*!
  Routes every message of a `clustr.*` category to \a logger (the original's
  `logger` option); other categories keep going to the previous handler.
  An empty logger restores the previous handler.
*/
CLUSTR_AUTOTEST_EXPORT void setLogger(const Logger &logger);

} // namespace Logging

/*!
  Lets one warning through per interval and counts the rest, so a flood of
  bad input cannot flood the log.
*/
class CLUSTR_AUTOTEST_EXPORT RateLimiter
{
public:
    explicit RateLimiter(qint64 intervalMs = 1000) : m_intervalMs(intervalMs) {}
    //! True if a message may be logged now; \a suppressed gets how many were held back since the last one.
    bool allow(quint64 *suppressed = nullptr);

private:
    qint64 m_intervalMs;
    QElapsedTimer m_last;
    quint64 m_suppressed = 0;
};

} // namespace Clustr
