// SPDX-License-Identifier: MIT
#include "format.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLocale>

#include <cmath>

namespace Format {

QString unknown()
{
    return QStringLiteral("—");
}

QString bytes(double bytes)
{
    if (!(bytes >= 0))
        return unknown();
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    return unit == 0 ? QStringLiteral("%1 B").arg(qint64(bytes))
                     : QStringLiteral("%1 %2").arg(bytes, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QString duration(qint64 ms)
{
    if (ms < 0)
        return unknown();
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1d %2h").arg(s / 86400).arg((s % 86400) / 3600, 2, 10, QLatin1Char('0'));
}

QString ago(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("never");
    if (ms < 60000)
        return QStringLiteral("%1 s ago").arg(double(ms) / 1000, 0, 'f', 1);
    return duration(ms) + QStringLiteral(" ago");
}

QString percent(double value)
{
    if (std::isnan(value) || value < 0)
        return unknown();
    return QStringLiteral("%1 %").arg(value, 0, 'f', 1);
}

QString jsonValue(const QJsonValue &value, int maxLength)
{
    QString text;
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        text = QStringLiteral("null");
        break;
    case QJsonValue::Bool:
        text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        break;
    case QJsonValue::Double: {
        const double d = value.toDouble();
        text = d == std::floor(d) && std::abs(d) < 9007199254740992.0 ? QString::number(qint64(d)) : QString::number(d, 'g', 17);
        break;
    }
    case QJsonValue::String:
        text = value.toString();
        break;
    case QJsonValue::Array:
        text = QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
        break;
    case QJsonValue::Object:
        text = QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        break;
    }
    if (text.size() > maxLength) {
        text.truncate(maxLength);
        text.append(QChar(0x2026));
    }
    return text;
}

QString count(qint64 n)
{
    static const QLocale locale(QLocale::English);
    return locale.toString(n);
}

} // namespace Format
