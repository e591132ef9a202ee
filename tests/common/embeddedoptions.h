// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/options.h>

#include <QtCore/QStringList>

/*
  Options for a Worker or Master living inside a test program, next to
  others: its Redis, its command line, and no quitting the application when
  it closes.
*/
inline Clustr::ProcessOptions embedded(const QString &redisUrl, QStringList arguments = {})
{
    Clustr::ProcessOptions options;
    options.setRedisUrl(redisUrl);
    options.setArguments(QStringList{QStringLiteral("program")} + arguments);
    options.setExitApplication(false); // several processes live in this test
    return options;
}
