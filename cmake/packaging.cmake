# Debian packages with CPack (`cmake --build build --target package`, or
# `cpack -G DEB` in the build tree), split as Debian splits Qt's libraries.
# Each install() rule of the project names one of these components, and each
# component is the package of the same name (docs/PACKAGING.md):
#   libclustr-qt0     the shared library and its TLS plugin
#   libclustr-qt-dev  headers, CMake package, pkg-config file, the .so link
#   clustr-qt         the daemon and CLI, its systemd unit, completions, man pages
#   clustr-qt-gui     the desktop monitor, its .desktop file, icon and man page
#   qml6-module-clustrqt  the QML module (import ClustrQt), named as Debian
#                     names Qt's own QML modules
# Included by the top-level CMakeLists.txt after every install() rule.

set(CLUSTR_PACKAGE_MAINTAINER "clustr-qt maintainers <maintainers@clustr-qt.invalid>"
    CACHE STRING "The Maintainer field of the Debian packages")
# The Debian revision: the changelog's newest entry must be VERSION-RELEASE.
set(CLUSTR_PACKAGE_RELEASE 1 CACHE STRING "The Debian revision of the packages")

set(clustr_packages libclustr-qt0 libclustr-qt-dev)
if(TARGET clustr-qt)
    list(APPEND clustr_packages clustr-qt)
endif()
if(TARGET clustr-qt-gui)
    list(APPEND clustr_packages clustr-qt-gui)
endif()
if(TARGET clustr-qt-qmlplugin)
    list(APPEND clustr_packages qml6-module-clustrqt)
endif()

# share/doc/PKG/copyright (machine-readable, from LICENSE) and changelog.gz
# in every package, as Debian policy wants them.
file(STRINGS ${PROJECT_SOURCE_DIR}/LICENSE clustr_license_lines)
# The license text follows "License: MIT", without its title and copyright
# line (the Copyright field has that); an empty line is " ." in a field.
set(CLUSTR_LICENSE_TEXT "")
foreach(line IN LISTS clustr_license_lines)
    if(line MATCHES "^Copyright \\(c\\) (.*)$")
        set(CLUSTR_COPYRIGHT "${CMAKE_MATCH_1}")
    elseif(line STREQUAL "")
        if(NOT CLUSTR_LICENSE_TEXT STREQUAL "")
            string(APPEND CLUSTR_LICENSE_TEXT " .\n")
        endif()
    elseif(NOT line STREQUAL "MIT License")
        string(APPEND CLUSTR_LICENSE_TEXT " ${line}\n")
    endif()
endforeach()
string(REGEX REPLACE "\n$" "" CLUSTR_LICENSE_TEXT "${CLUSTR_LICENSE_TEXT}")
configure_file(${PROJECT_SOURCE_DIR}/packaging/copyright.in ${PROJECT_BINARY_DIR}/packaging/copyright @ONLY)
# gzip -n: no name or time in the header, so the same changelog gives the same file.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog)
execute_process(COMMAND gzip -9 -n -c ${PROJECT_SOURCE_DIR}/packaging/changelog
    OUTPUT_FILE ${PROJECT_BINARY_DIR}/packaging/changelog.gz RESULT_VARIABLE clustr_gzip_result)
if(NOT clustr_gzip_result EQUAL 0)
    message(FATAL_ERROR "gzip failed on packaging/changelog: ${clustr_gzip_result}")
endif()
foreach(package IN LISTS clustr_packages)
    install(FILES ${PROJECT_BINARY_DIR}/packaging/copyright ${PROJECT_BINARY_DIR}/packaging/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package} COMPONENT ${package})
endforeach()

set(CPACK_PACKAGE_NAME clustr-qt)
set(CPACK_PACKAGE_VENDOR "The clustr-qt authors")
set(CPACK_PACKAGE_CONTACT "${CLUSTR_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Each package's own description starts with its summary line. CPackDeb would
# put this summary in front of every one of them unless it is CPack's default
# text, which then appears nowhere.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
# Installed with DESTDIR and the package's own prefix, so that the install
# sees the prefix the files will have: the systemd unit's ExecStart names it
# (daemon/CMakeLists.txt).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
# Packages carry no debug info (it would triple the library's size).
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL ${clustr_packages})

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${CLUSTR_PACKAGE_RELEASE})
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Depends on Qt, hiredis, OpenSSL and the C++ runtime from the binaries
# (dpkg-shlibdeps, of dpkg-dev); libclustr-qt0's own shlibs file lets other
# packages depend on it the same way. The programs' libclustr-qt.so.0 is in
# another package of this build: dpkg-shlibdeps finds it in build/lib, and
# the packages' own Depends (below) name it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/lib)
# "libclustr-qt0 (= VERSION-RELEASE)" for the components that depend on it.
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_DEBIAN_LIBCLUSTR-QT0_PACKAGE_NAME libclustr-qt0)
set(CPACK_DEBIAN_LIBCLUSTR-QT0_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_LIBCLUSTR-QT0_DESCRIPTION "Process clusters for Qt: the library
 libclustr-qt supervises worker processes (respawns, rolling reloads,
 graceful stops) and lets every process of a cluster message every other
 over Redis pub/sub. This package holds the shared library and its TLS
 plugin (rediss://).")

set(CPACK_DEBIAN_LIBCLUSTR-QT-DEV_PACKAGE_NAME libclustr-qt-dev)
set(CPACK_DEBIAN_LIBCLUSTR-QT-DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_LIBCLUSTR-QT-DEV_DEPENDS libclustr-qt0)
set(CPACK_DEBIAN_LIBCLUSTR-QT-DEV_PACKAGE_DEPENDS "qt6-base-dev, libhiredis-dev")
set(CPACK_COMPONENT_LIBCLUSTR-QT-DEV_DESCRIPTION "Process clusters for Qt: development files
 The headers of libclustr-qt (Clustr::Worker, Clustr::Master,
 Clustr::ClusterClient, ...), its CMake package (find_package(ClustrQt))
 and its pkg-config file (clustr-qt).")

set(CPACK_DEBIAN_CLUSTR-QT_PACKAGE_NAME clustr-qt)
set(CPACK_DEBIAN_CLUSTR-QT_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_CLUSTR-QT_DEPENDS libclustr-qt0)
# Without a configured Redis, `clustr-qt run` starts its own redis-server.
set(CPACK_DEBIAN_CLUSTR-QT_PACKAGE_RECOMMENDS "redis-server")
set(CPACK_COMPONENT_CLUSTR-QT_DESCRIPTION "Process clusters for Qt: daemon and command line
 clustr-qt run CLUSTER.json is the master of a cluster of any programs:
 it spawns and supervises them, reloads them one by one on SIGHUP and
 stops them on SIGTERM; the other commands (status, reload, stop, watch,
 ...) control a running cluster through Redis. Includes a systemd unit
 (clustr-qt@.service).")

set(CPACK_DEBIAN_CLUSTR-QT-GUI_PACKAGE_NAME clustr-qt-gui)
set(CPACK_DEBIAN_CLUSTR-QT-GUI_PACKAGE_SECTION admin)
set(CPACK_COMPONENT_CLUSTR-QT-GUI_DEPENDS libclustr-qt0)
set(CPACK_DEBIAN_CLUSTR-QT-GUI_PACKAGE_SUGGESTS "clustr-qt")
set(CPACK_COMPONENT_CLUSTR-QT-GUI_DESCRIPTION "Process clusters for Qt: desktop monitor
 clustr-qt-gui follows a running cluster live (its processes, their
 resources and messages, charts) and sends messages, kills, reloads,
 restarts, stops and scales.")

set(CPACK_DEBIAN_QML6-MODULE-CLUSTRQT_PACKAGE_NAME qml6-module-clustrqt)
set(CPACK_DEBIAN_QML6-MODULE-CLUSTRQT_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_QML6-MODULE-CLUSTRQT_DEPENDS libclustr-qt0)
set(CPACK_COMPONENT_QML6-MODULE-CLUSTRQT_DESCRIPTION "Process clusters for Qt: QML module
 import ClustrQt gives Qt Quick applications a Worker element (join a
 cluster, send and receive its messages) and ClusterModel, a running
 cluster's hosts, groups and processes as a tree model a view binds to.")

include(CPack)
