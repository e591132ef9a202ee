// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QStringList>

#include <hiredis/hiredis.h>

/*
  The lines a program's --version starts with (common/versionreport.cpp):
  "PROGRAM X.Y.Z", the library loaded, Qt at run time and at build time,
  hiredis. Then comes the redis-server line, which depends on PATH.
*/
inline QStringList expectedVersionLines(const QString &program)
{
    return {program + QStringLiteral(" " CLUSTRQT_VERSION_STR),
            QStringLiteral("libclustr-qt ") + QLatin1String(Clustr::version()),
            QStringLiteral("Qt %1 (built with %2)").arg(QLatin1String(qVersion()), QLatin1String(QT_VERSION_STR)),
            QStringLiteral("hiredis %1.%2.%3").arg(HIREDIS_MAJOR).arg(HIREDIS_MINOR).arg(HIREDIS_PATCH)};
}
