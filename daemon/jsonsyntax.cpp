// SPDX-License-Identifier: MIT
#include "jsonsyntax.h"

#include <QtCore/QString>

#include <algorithm>

namespace {

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The last character before \a end that is not white space; -1 if none.
qsizetype lastVisibleBefore(const QByteArray &json, qsizetype end)
{
    qsizetype i = std::min(end, json.size()) - 1;
    while (i >= 0 && isBlank(json.at(i)))
        --i;
    return i;
}

// The unexpected character as the message shows it.
QString quoted(const QByteArray &json, qsizetype at)
{
    if (at < 0 || at >= json.size())
        return QStringLiteral("the end of the file");
    if (json.at(at) == '\n' || json.at(at) == '\r')
        return QStringLiteral("the end of the line");
    return QStringLiteral("'%1'").arg(QString::fromUtf8(json.mid(at, 1)));
}

// Inside an object or array: what was wrong at \a at, the first character
// the parser did not expect (Qt reports the offset just after it).
QString unexpectedInContainer(const QByteArray &json, qsizetype at, char close, const char *members)
{
    const qsizetype before = lastVisibleBefore(json, at);
    const char previous = before >= 0 ? json.at(before) : '\0';
    if (at >= json.size())
        return QStringLiteral("missing '%1' at the end of the file").arg(QLatin1Char(close));
    if (close == '}' && (previous == '{' || previous == ','))
        return QStringLiteral("expected a \"quoted\" member name, not %1").arg(quoted(json, at));
    return QStringLiteral("missing ',' between %1 (or a '%2' to close it), before %3")
        .arg(QLatin1String(members), QString(QLatin1Char(close)), quoted(json, at));
}

} // namespace

JsonSyntaxError JsonSyntaxError::describe(const QByteArray &json, const QJsonParseError &error)
{
    // Qt's offset lies just past the token it could not take: step back to it.
    qsizetype at = std::min<qsizetype>(error.offset, json.size());
    const qsizetype unexpected = at < json.size() ? std::max<qsizetype>(at - 1, 0) : json.size();
    QString text;
    switch (error.error) {
    case QJsonParseError::UnterminatedObject:
        at = unexpected;
        text = unexpectedInContainer(json, at, '}', "object members");
        if (at < json.size() && json.at(at) == '"')
            text = QStringLiteral("missing ',' between object members");
        break;
    case QJsonParseError::UnterminatedArray:
    case QJsonParseError::MissingValueSeparator:
        at = unexpected;
        text = unexpectedInContainer(json, at, ']', "array elements");
        if (at < json.size() && error.error == QJsonParseError::MissingValueSeparator)
            text = QStringLiteral("missing ',' between array elements");
        break;
    case QJsonParseError::MissingNameSeparator:
        at = unexpected;
        text = QStringLiteral("missing ':' after the member name, before %1").arg(quoted(json, at));
        break;
    case QJsonParseError::MissingObject: {
        // Qt has read the '}' or ']' that came where a value should be.
        qsizetype last = lastVisibleBefore(json, at);
        if (last >= 0 && (json.at(last) == '}' || json.at(last) == ']')) {
            const qsizetype previous = lastVisibleBefore(json, last);
            if (previous < 0 || json.at(previous) != ',') {
                at = last;
                text = QStringLiteral("expected a value, not %1").arg(quoted(json, at));
                break;
            }
            last = previous;
        }
        if (last >= 0 && json.at(last) == ',') {
            at = last;
            text = QStringLiteral("a ',' with nothing after it (JSON allows no trailing comma)");
        } else {
            text = QStringLiteral("expected a value, not %1").arg(quoted(json, at));
        }
        break;
    }
    case QJsonParseError::IllegalValue: {
        if (lastVisibleBefore(json, json.size()) < 0) {
            at = 0;
            text = QStringLiteral("the file is empty: expected a JSON object");
            break;
        }
        // The start of the word Qt could not read (e.g. `tru`, `'shop'`, `yes`).
        at = lastVisibleBefore(json, at);
        while (at > 0 && !isBlank(json.at(at - 1)) && json.at(at - 1) != ':' && json.at(at - 1) != '[' && json.at(at - 1) != ',')
            --at;
        text = QStringLiteral("not a JSON value: expected a \"string\", a number, an object, an array, true, false or null");
        break;
    }
    case QJsonParseError::TerminationByNumber:
        text = QStringLiteral("the file ends after a number: a missing '}' or ']'");
        break;
    case QJsonParseError::UnterminatedString:
        text = QStringLiteral("the file ends inside a string: a missing '\"'");
        break;
    case QJsonParseError::GarbageAtEnd:
        text = QStringLiteral("more after the end of the JSON object, from %1 on").arg(quoted(json, at));
        break;
    default:
        text = error.errorString();
        break;
    }
    // Line and column of byte \a at; the column counts characters, as editors do.
    const QByteArray before = json.left(at);
    const qsizetype lineStart = before.lastIndexOf('\n') + 1;
    JsonSyntaxError result;
    result.line = int(before.count('\n')) + 1;
    result.column = int(QString::fromUtf8(before.mid(lineStart)).size()) + 1;
    result.text = text;
    return result;
}
