// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

// Private classes are exported only in builds with tests, so the unit tests
// can reach them; an installed library keeps them hidden.
#if defined(CLUSTRQT_AUTOTEST_EXPORTS)
#  define CLUSTR_AUTOTEST_EXPORT CLUSTR_EXPORT
#else
#  define CLUSTR_AUTOTEST_EXPORT
#endif
