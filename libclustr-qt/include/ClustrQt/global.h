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
