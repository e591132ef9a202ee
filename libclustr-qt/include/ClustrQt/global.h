// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

#if defined(CLUSTRQT_BUILDING_LIBRARY)
#  define CLUSTR_EXPORT Q_DECL_EXPORT
#else
#  define CLUSTR_EXPORT Q_DECL_IMPORT
#endif

#define CLUSTRQT_VERSION_STR "0.1.0"

namespace Clustr {
//! The library's version, e.g. "0.1.0".
CLUSTR_EXPORT const char *version();
}
