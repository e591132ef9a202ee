// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QJsonValue>
#include <QtCore/QStringView>

namespace Clustr::Protocol {

/*!
  Appends JSON text exactly as JavaScript's JSON.stringify writes it:
  compact, strings escaped as it escapes them, numbers in its spelling
  (shortest digits that read back as the same double, exponent form below
  1e-6 and from 1e21 on, `-0` as `0`, NaN and infinities as null). An
  integer held as one (QJsonValue built from or parsed as an integer) is
  written with all its digits, also beyond 2^53 where a JavaScript number
  would round. Objects come out in QJsonObject's order (sorted keys): bytes
  received as text are passed on as text instead (Message::dataJson()).
*/
namespace JsonWriter {

CLUSTR_AUTOTEST_EXPORT void appendString(QByteArray &out, QStringView text);
CLUSTR_AUTOTEST_EXPORT void appendInteger(QByteArray &out, qint64 value);
CLUSTR_AUTOTEST_EXPORT void appendDouble(QByteArray &out, double value);
CLUSTR_AUTOTEST_EXPORT void appendValue(QByteArray &out, const QJsonValue &value);

} // namespace JsonWriter

} // namespace Clustr::Protocol
