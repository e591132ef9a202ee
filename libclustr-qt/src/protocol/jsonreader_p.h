// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QByteArrayView>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

#include <array>
#include <optional>

namespace Clustr::Protocol {

/*!
  A strict JSON reader (RFC 8259, UTF-8) over bytes it does not own: it
  accepts exactly what JavaScript's JSON.parse accepts (clustr-node's
  reader; checked against Node on 239,525 mutated texts), which is
  stricter than Qt's parser (that one lets through unknown escapes such as
  `\1`, raw control characters in strings and `.5`). Nesting is limited to
  1024 levels, as in Qt's parser. A number too large for a double (`1e400`)
  is read as null: JSON.parse turns it into Infinity and JSON.stringify
  sends that on as null. It checks without building anything when asked
  (skipValue()), so a message's data can be checked once and parsed only if
  someone reads it.
*/
class CLUSTR_AUTOTEST_EXPORT JsonReader
{
public:
    explicit JsonReader(QByteArrayView text) : m_begin(text.data()), m_p(text.data()), m_end(text.data() + text.size()) {}

    //! Skips spaces, tabs and line ends.
    void skipWhitespace();
    //! Consumes \a c (after whitespace) if it comes next.
    bool consume(char c);
    //! Reads one value into \a value; with nullptr only checks it.
    bool readValue(QJsonValue *value);
    bool skipValue() { return readValue(nullptr); }
    //! Reads a string (the next character must be its quote).
    bool readString(QString *text);
    //! Whether only whitespace is left.
    bool atEnd();

    //! Where the reader stands, as an offset into the text.
    qsizetype offset() const { return m_p - m_begin; }
    const char *position() const { return m_p; }
    //! Why reading failed (empty while it has not).
    QString errorString() const { return m_error; }
    //! Fails with \a reason at the current offset; returns false.
    bool fail(const char *reason);

    //! Parses a whole text that is one value; nullopt with \a error if it is not.
    static std::optional<QJsonValue> parse(QByteArrayView text, QString *error = nullptr);
    //! Checks a whole text that is one value.
    static bool isValid(QByteArrayView text, QString *error = nullptr);

    /*!
      The bytes a JSON string holds as they are: printable ASCII (DEL
      included) but '"' and '\\'. Shared by the writer and the reader.
    */
    static const std::array<bool, 256> PlainByte;
    //! The first byte of [p, end) that is not plain (see PlainByte), or end.
    static const char *skipPlain(const char *p, const char *end);

private:
    bool readNumber(QJsonValue *value);
    bool readArray(QJsonValue *value);
    bool readObject(QJsonValue *value);
    bool readLiteral(const char *word, qsizetype size);
    bool readUtf8(QString *text);

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    int m_depth = 0;
    QString m_error;
};

} // namespace Clustr::Protocol
