// SPDX-License-Identifier: MIT
#include "format.h"

#include <ClustrQt/json.h>

#include <QtCore/QList>
#include <QtCore/QLocale>
#include <QtCore/QStringList>

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

QString jsonText(const QByteArray &json, int maxLength)
{
    const QByteArray trimmed = json.trimmed();
    QString text;
    if (trimmed.startsWith('"')) {
        const std::optional<QJsonValue> value = Clustr::parseJson(trimmed);
        text = value ? value->toString() : QString::fromUtf8(trimmed);
    } else {
        // A raw line break or tab cannot be inside a JSON string (they are
        // escaped there), so each one is whitespace between tokens.
        const QList<QByteArray> lines = trimmed.split('\n');
        QStringList parts;
        parts.reserve(lines.size());
        for (const QByteArray &line : lines)
            parts.append(QString::fromUtf8(line.trimmed()));
        text = parts.join(QLatin1Char(' '));
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
