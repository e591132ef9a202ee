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
    //! The same with \a dataJson, JSON text, carried as it is (a relayed message keeps its bytes).
    static QByteArray encodeJson(qint64 pid, const QString &group, QByteArrayView dataJson);
    /*!
      Everything of a payload before its data, `{"meta":{"pid":N,"group":"G"},"data":`
      (with a \a host, a cluster across hosts: `{"meta":{"pid":N,"group":"G","host":"H"},"data":`).
      It is the same for every message a process sends: made once, it takes
      writing the pid and escaping the group off every emit.
    */
    static QByteArray envelopePrefix(qint64 pid, const QString &group, const QString &host = QString());
    //! encode() and encodeJson() after a \a prefix from envelopePrefix().
    static QByteArray encode(const QByteArray &prefix, const QJsonValue &data);
    static QByteArray encodeJson(const QByteArray &prefix, QByteArrayView dataJson);

    struct Decoded
    {
        qint64 pid = 0;
        QString group;
        //! `meta.host` when it is a string, else empty.
        QString host;
        //! The JSON text of `data` as the sender wrote it (`null` if absent), checked, not parsed.
        QByteArray data;
        //! data, parsed (what Message::data() gives).
        QJsonValue value() const { return parseValue(data).value_or(QJsonValue(QJsonValue::Null)); }
    };

    /*!
      Parses and validates a payload: at most \a maxSize bytes, a JSON object
      with `meta.pid` an integer > 0 (a number or a decimal string, as some
      clients send it), `meta.group` a string, and `data` (absent = null),
      which is checked to be JSON but not parsed: its bytes are kept.
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
      A master's cluster-info answer as clustr-node's writes it: the groups
      of \a groups (every group that registered, in order of first
      registration) with their pids in \a info, a group without any as `[]`,
      in the order a JavaScript object keeps its keys (names that are array
      indices, such as "7", first and ascending, then the others as given).
    */
    static QByteArray clusterInfoJson(const QStringList &groups, const ClusterInfo &info);

    /*!
      Compact JSON of any value, scalars included (QJsonDocument cannot hold
      a bare scalar in Qt 6.4): what encode() writes as `data`.
    */
    static QByteArray toJsonBytes(const QJsonValue &value);
    //! The inverse of toJsonBytes(): parses any JSON text, scalars included (e.g. `42`, `"hi"`).
    static std::optional<QJsonValue> parseValue(QByteArrayView json, QString *error = nullptr);
};

} // namespace Clustr::Protocol
