// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

namespace VersionReport {

/*
  What `PROGRAM --version` prints: "PROGRAM X.Y.Z" first (scripts and tests
  read that line), then what the program runs on: the library it loaded,
  Qt at run time and at build time, hiredis, and the redis-server on PATH
  (or "redis-server: not found"). Looking for redis-server never fails the
  report: a clustr-qt that uses a remote Redis needs none here.
*/
QString text(const QString &program);

/*!
  "redis-server 7.0.15 (/usr/bin/redis-server)" for the one on PATH, else
  "redis-server: not found", or "redis-server: " and why it could not tell.
*/
QString redisServerLine();

} // namespace VersionReport
