// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Cli {

/*!
  The word of \a candidates that \a typed was probably meant to be
  (`stauts` -> `status`, `groop` -> `group`): the closest by edits (insert,
  delete, replace, swap two neighbours), ignoring case, if it is close
  enough to be the same word misspelt; else empty.
*/
QString nearestWord(const QString &typed, const QStringList &candidates);

} // namespace Cli
