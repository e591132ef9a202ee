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
/*!
  What a person typed as message data, as the JSON text to send: the text
  itself when it is JSON (objects, arrays, numbers, true/false/null,
  "quoted"), so key order and number spelling reach the workers as typed;
  else the text as a JSON string. The CLI's DATA and the monitor's send
  dialog follow this one rule.
*/
CLUSTR_EXPORT QByteArray jsonOrString(const QString &text);

} // namespace Clustr
