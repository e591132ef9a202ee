// SPDX-License-Identifier: MIT
// The source of clustr_testpch (tests/CMakeLists.txt): the target exists for
// its precompiled header, which needs a file to be compiled with.
