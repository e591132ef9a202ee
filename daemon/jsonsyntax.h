// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonParseError>
#include <QtCore/QString>

/*!
  A JSON syntax error as a person editing the file wants it: where (1-based
  line and column, the column in characters) and what is wrong in the
  words of the text (`missing ',' between object members`), rather than
  QJsonParseError's offset, which lies somewhere after the mistake.
*/
struct JsonSyntaxError
{
    int line = 1;
    int column = 1;
    QString text;

    static JsonSyntaxError describe(const QByteArray &json, const QJsonParseError &error);
};
