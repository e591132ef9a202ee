// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

// Private classes the project's own programs (the daemon, the GUI) and tests
// use are exported, like Qt's private API: their headers are never
// installed, so nothing outside the project can rely on them.
#define CLUSTR_AUTOTEST_EXPORT CLUSTR_EXPORT
