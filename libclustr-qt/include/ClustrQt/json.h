// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QByteArray>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

#include <optional>

namespace Clustr {

/*!
  Parses any JSON text, scalars included (`42`, `"hi"`, `null`), as message
  data is written. Returns nothing for invalid text, with the reason in \a error.
*/
CLUSTR_EXPORT std::optional<QJsonValue> parseJson(const QByteArray &text, QString *error = nullptr);
//! Compact JSON text of any value, scalars included, exactly as a message carries it in `data`.
CLUSTR_EXPORT QByteArray toJson(const QJsonValue &value);

} // namespace Clustr
