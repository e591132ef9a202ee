// SPDX-License-Identifier: MIT
#include "jsvalues.h"

#include <QtCore/QMetaEnum>
#include <QtCore/QMetaProperty>
#include <QtCore/QVariantList>

#include <cmath>

namespace JsValues {

QVariantMap message(const Clustr::Message &message)
{
    const QMetaEnum kinds = QMetaEnum::fromType<Clustr::Message::Kind>();
    QString kind = QString::fromLatin1(kinds.valueToKey(int(message.kind())));
    if (!kind.isEmpty())
        kind[0] = kind[0].toLower(); // "public", "private", "group", ...
    return {
        {QStringLiteral("kind"), kind},
        {QStringLiteral("pid"), message.pid()},
        {QStringLiteral("group"), message.group()},
        {QStringLiteral("channel"), message.channel()},
        {QStringLiteral("data"), message.data().toVariant()},
        {QStringLiteral("dataJson"), QString::fromUtf8(message.dataJson())},
    };
}

QVariantMap stats(const Clustr::Stats &stats)
{
    // Every Q_PROPERTY of the gadget: a counter added to Stats appears here too.
    QVariantMap map;
    const QMetaObject &meta = Clustr::Stats::staticMetaObject;
    for (int i = meta.propertyOffset(); i < meta.propertyCount(); ++i) {
        const QMetaProperty property = meta.property(i);
        // JavaScript numbers are doubles: exact up to 2^53, which no counter reaches.
        map.insert(QString::fromLatin1(property.name()), double(property.readOnGadget(&stats).toULongLong()));
    }
    return map;
}

QVariantMap clusterInfo(const Clustr::ClusterInfo &info)
{
    QVariantMap map;
    for (auto it = info.cbegin(); it != info.cend(); ++it) {
        QVariantList pids;
        pids.reserve(it.value().size());
        for (qint64 pid : it.value())
            pids.append(pid);
        map.insert(it.key(), pids);
    }
    return map;
}

std::optional<QJsonValue> toJson(const QJSValue &value, QString *error)
{
    if (value.isUndefined()) {
        *error = QStringLiteral("the data is undefined");
        return std::nullopt;
    }
    if (value.isCallable()) {
        *error = QStringLiteral("the data is a function");
        return std::nullopt;
    }
    if (value.isNumber() && !std::isfinite(value.toNumber())) {
        *error = QStringLiteral("the data is %1, which JSON cannot hold").arg(value.toString());
        return std::nullopt;
    }
    // Objects and arrays become QVariantMap / QVariantList, nested values too.
    return QJsonValue::fromVariant(value.toVariant());
}

} // namespace JsValues
