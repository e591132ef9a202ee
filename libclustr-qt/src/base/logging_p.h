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
  An empty logger restores the previous handler. Returns who installed it,
  for removeLogger().
*/
CLUSTR_AUTOTEST_EXPORT quint64 setLogger(const Logger &logger);
//! Removes the logger \a owner installed, if it is still the one installed.
CLUSTR_AUTOTEST_EXPORT void removeLogger(quint64 owner);

/*!
  True if this process may want the library's debug and info lines: verbose
  mode is on, a logger is installed, QT_LOGGING_RULES or QT_LOGGING_CONF is
  set, or a qtlogging.ini exists where Qt looks for one. Qt's rules then
  decide as usual.

  Why a gate in front of Qt's: the first look at a QLoggingCategory builds
  Qt's logging registry, which searches and parses the rule files (file
  engine, settings parser, locale code). That costs every worker about
  0.6 MiB of resident memory for lines that are off by default. Warnings
  are not gated: they are rare and must never be lost.
*/
CLUSTR_AUTOTEST_EXPORT bool detailRequested();

//! Opens the gate of detailRequested() for good: Qt's rules alone decide (Clustr::followLoggingRules()).
CLUSTR_AUTOTEST_EXPORT void followRules();

} // namespace Logging

// qCDebug/qCInfo behind detailRequested(). A statement like any other: the
// dangling else binds inside, so `if (x) clustrDebug(lc) << y; else ...` works.
#define clustrDebug(category) \
    if (!::Clustr::Logging::detailRequested()) {} else qCDebug(category)
#define clustrInfo(category) \
    if (!::Clustr::Logging::detailRequested()) {} else qCInfo(category)

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
