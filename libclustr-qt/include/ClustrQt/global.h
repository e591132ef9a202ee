// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/version.h> // generated: CLUSTRQT_VERSION_STR and the parts of the version

#include <QtCore/qglobal.h>

#if defined(CLUSTRQT_BUILDING_LIBRARY)
#  define CLUSTR_EXPORT Q_DECL_EXPORT
#else
#  define CLUSTR_EXPORT Q_DECL_IMPORT
#endif

namespace Clustr {
//! The library's version at run time (CLUSTRQT_VERSION_STR is the one compiled against).
CLUSTR_EXPORT const char *version();
}

class QString;

namespace Clustr {
/*!
  Whether \a name may be a group or a cluster name: 1 to 200 printable
  characters without whitespace (it becomes part of channel names).
*/
CLUSTR_EXPORT bool isValidName(const QString &name);
//! Whether \a host can name a host of a cluster across hosts: letters, digits, `.`, `-`, `_` (1 to 253, the first a letter or digit).
CLUSTR_EXPORT bool isValidHostName(const QString &host);

/*!
  Switches the library's info and debug lines on for this process, as
  `--verbose` does. It adds to the application's logging rules instead of
  replacing them; QT_LOGGING_RULES and QT_LOGGING_CONF, when set, decide alone.
*/
CLUSTR_EXPORT void enableVerboseLogging();

/*!
  Lets Qt's logging rules decide about the library's info and debug lines
  wherever the rules come from, including QLoggingCategory::setFilterRules()
  in the application's own code. Call it once, before or after setting them.

  Why it is needed: to spare every idle worker about 0.5 MiB, the library
  does not look at its logging categories (which makes Qt build its
  logging registry and read its rule files) unless something asks for
  detail: `--verbose`, a logger, QT_LOGGING_RULES, QT_LOGGING_CONF or a
  qtlogging.ini file, all of which it can see without Qt. Rules set in code
  leave no such trace, and Qt has no way to ask whether any were set
  without paying that cost; this call is the application saying so.
*/
CLUSTR_EXPORT void followLoggingRules();
}
