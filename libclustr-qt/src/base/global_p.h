// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

// Private classes are not exported from the shared library: the daemon and
// the GUI use the public API only, and the tests of private classes link
// the static ClustrQtPrivate (libclustr-qt/CMakeLists.txt). The marker stays
// on the classes tests use, so that they are easy to find.
#define CLUSTR_AUTOTEST_EXPORT
