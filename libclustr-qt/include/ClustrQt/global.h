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

/*!
  Switches the library's info and debug lines on for this process, as
  `--verbose` does. It adds to the application's logging rules instead of
  replacing them; QT_LOGGING_RULES and QT_LOGGING_CONF, when set, decide alone.
*/
CLUSTR_EXPORT void enableVerboseLogging();
}
