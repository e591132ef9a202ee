// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/message.h>
#include <ClustrQt/options.h>

#include <QtCore/QByteArray>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

#include <optional>

namespace Clustr::Protocol {

/*!
  The payload of every message: `{"meta":{"pid":<int>,"group":"<str>"},"data":<any>}`.
  encode() is called once per emit, decode() once per received message.
*/
class CLUSTR_AUTOTEST_EXPORT Codec
{
public:
    //! The public default (ProcessOptions::maxPayloadSize), for decoders without options.
    static constexpr qsizetype DefaultMaxPayloadSize = Clustr::DefaultMaxPayloadSize;

    //! Compact JSON of the payload; \a data may be any JSON value, scalars included.
    static QByteArray encode(qint64 pid, const QString &group, const QJsonValue &data);

    struct Decoded
    {
        qint64 pid = 0;
        QString group;
        QJsonValue data;
    };

    /*!
      Parses and validates a payload: at most \a maxSize bytes, a JSON object
      with `meta.pid` an integer > 0 (a number or a decimal string, as some
      clients send it), `meta.group` a string, and `data` (absent = null).
      On failure returns nothing and sets \a error to a one-line reason.
    */
    static std::optional<Decoded> decode(const QByteArray &payload, qsizetype maxSize,
                                         QString *error = nullptr);
    //! Why a payload of \a size bytes is rejected when at most \a maxSize are (decode() says the same).
    static QString oversizedReason(qsizetype size, qsizetype maxSize);

    //! Validates the data of a kill message: an integer exit code 0..255.
    static std::optional<int> exitCode(const QJsonValue &data, QString *error = nullptr);

    //! Validates the data of a cluster-info answer: an object of group -> array of pids.
    static std::optional<ClusterInfo> clusterInfo(const QJsonValue &data, QString *error = nullptr);
    static QJsonValue toJson(const ClusterInfo &info);

    /*!
      Compact JSON of any value, scalars included (QJsonDocument cannot hold
      a bare scalar in Qt 6.4): what encode() writes as `data`.
    */
    static QByteArray toJsonBytes(const QJsonValue &value);
    //! The inverse of toJsonBytes(): parses any JSON text, scalars included (e.g. `42`, `"hi"`).
    static std::optional<QJsonValue> parseValue(const QByteArray &json, QString *error = nullptr);
};

} // namespace Clustr::Protocol
