# SPDX-License-Identifier: MIT
# The shared libraries libclustr-qt may load, as a test (CTest: library_needed):
#   cmake -DLIBRARY=<libclustr-qt.so> -DREADELF=<readelf> [-DSANITIZE=ON] -P libraryneeded.cmake
# Every process of a cluster is a Worker, so whatever the library links is
# mapped by every idle worker: Qt Network alone (GSSAPI, Kerberos, libproxy)
# cost 1.3 MiB per process (docs/BENCHMARKS.md, memory; docs/ARCHITECTURE.md,
# "What an idle worker costs"). A new NEEDED entry fails here; add it to the
# list below only once its memory cost was measured with `bench/run --only memory`.
cmake_minimum_required(VERSION 3.21)

set(allowed
    libQt6Core  # Qt Core, the only Qt module
    libhiredis  # the Redis protocol
    libstdc++ libm libgcc_s libc ld-linux-x86-64  # the C and C++ runtime, the dynamic loader
)
if(SANITIZE)
    list(APPEND allowed libasan libubsan)  # only in -DCLUSTR_SANITIZE=ON builds
endif()

if(NOT LIBRARY OR NOT EXISTS "${LIBRARY}")
    message(FATAL_ERROR "no library to check: LIBRARY='${LIBRARY}'")
endif()
if(NOT READELF)
    set(READELF readelf)
endif()
execute_process(COMMAND "${READELF}" -d "${LIBRARY}"
    OUTPUT_VARIABLE dynamic ERROR_VARIABLE errors RESULT_VARIABLE result)
if(NOT result EQUAL 0)
    message(FATAL_ERROR "${READELF} -d ${LIBRARY} failed (${result}): ${errors}")
endif()

# Lines such as: 0x0000000000000001 (NEEDED)  Shared library: [libQt6Core.so.6]
string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*\\[[^]\n]+\\]" lines "${dynamic}")
set(needed)
set(unexpected)
foreach(line IN LISTS lines)
    string(REGEX REPLACE ".*\\[([^]]+)\\]$" "\\1" soname "${line}")
    list(APPEND needed "${soname}")
    string(REGEX REPLACE "\\.so(\\..*)?$" "" name "${soname}")
    if(NOT name IN_LIST allowed)
        list(APPEND unexpected "${soname}")
    endif()
endforeach()

if(NOT needed)
    message(FATAL_ERROR "no NEEDED entries found in ${LIBRARY}:\n${dynamic}")
endif()
list(JOIN needed ", " needed_text)
if(unexpected)
    list(JOIN unexpected ", " unexpected_text)
    message(FATAL_ERROR "${LIBRARY} needs ${unexpected_text}: not on the list in "
        "${CMAKE_CURRENT_LIST_FILE} (it needs: ${needed_text}). Every idle worker would map it: "
        "measure its memory cost (bench/run --only memory, docs/BENCHMARKS.md) before adding it.")
endif()
message(STATUS "${LIBRARY} needs only ${needed_text}")
