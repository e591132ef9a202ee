// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QMetaType>

namespace Clustr {

/*!
  A Redis reply, copied out of hiredis so it can outlive the callback.
  A reply of type Error is also what a command gets when it could not be
  sent or its connection was lost before the answer came (its string then
  says why, e.g. "ERR connection lost").
*/
struct CLUSTR_EXPORT RedisReply
{
    enum class Type { Nil, Status, Error, Integer, String, Array };

    Type type = Type::Nil;
    QByteArray string;   //!< Status, Error and String replies
    qint64 integer = 0;  //!< Integer replies
    QList<RedisReply> elements; //!< Array replies

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }

    static RedisReply error(const QByteArray &text)
    {
        RedisReply r;
        r.type = Type::Error;
        r.string = text;
        return r;
    }
};

} // namespace Clustr

Q_DECLARE_METATYPE(Clustr::RedisReply)
