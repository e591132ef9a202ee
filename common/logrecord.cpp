// SPDX-License-Identifier: MIT
#include "logrecord.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace LogRecord {

namespace {

// As Clustr's channels are named: `NAME:` in front for a named cluster.
QByteArray namespacePrefix(const QString &clusterNamespace)
{
    return clusterNamespace.isEmpty() ? QByteArray() : clusterNamespace.toUtf8() + ':';
}

} // namespace

QByteArray key(const QString &clusterNamespace, const QString &host, bool hashTagged)
{
    // A host of a cluster across hosts keeps its own lines (its master's run
    // numbers them), beside its other keys: NAME:clustr:@HOST:logs.
    const QByteArray qualifier = host.isEmpty() || clusterNamespace.isEmpty() ? QByteArray() : '@' + host.toUtf8() + ':';
    const QByteArray head = hashTagged ? '{' + namespacePrefix(clusterNamespace) + QByteArrayLiteral("clustr}:")
                                       : namespacePrefix(clusterNamespace) + QByteArrayLiteral("clustr:");
    return head + qualifier + QByteArrayLiteral("logs");
}

QByteArray channel(const QString &clusterNamespace, const QString &host)
{
    return key(clusterNamespace, host);
}

QString boundedText(const QByteArray &line)
{
    if (line.size() <= MaxTextBytes)
        return QString::fromUtf8(line);
    // Cut before a UTF-8 continuation byte, so no character is split.
    qsizetype cut = MaxTextBytes;
    while (cut > 0 && (uchar(line.at(cut)) & 0xC0) == 0x80)
        --cut;
    return QString::fromUtf8(line.first(cut)) + QStringLiteral(" [truncated from %1 bytes]").arg(line.size());
}

// The record is `clustr-qt run`'s own, for `clustr-qt logs` (the same
// program), not a message of the wire protocol: its keys are spelled here
// alone, which the protocol_keys test is told line by line.
QByteArray encode(const Entry &entry)
{
    const QJsonObject object{
        {QStringLiteral("seq"), double(entry.seq)},
        {QStringLiteral("time"), double(entry.timeMs)},
        {QStringLiteral("group"), entry.group}, // not-protocol: the log record, written and read only here
        {QStringLiteral("pid"), double(entry.pid)}, // not-protocol: the log record
        {QStringLiteral("stream"), entry.isStderr ? QStringLiteral("err") : QStringLiteral("out")},
        {QStringLiteral("text"), entry.text},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QString who(const Entry &entry)
{
    return QStringLiteral("%1[%2]").arg(entry.group).arg(entry.pid);
}

QString display(const Entry &entry, const QString &timeFormat, qsizetype whoWidth)
{
    return QStringLiteral("%1  %2  %3  %4")
        .arg(QDateTime::fromMSecsSinceEpoch(entry.timeMs).toString(timeFormat), who(entry).leftJustified(whoWidth),
             entry.isStderr ? QStringLiteral("err") : QStringLiteral("out"), entry.text);
}

std::optional<Entry> decode(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    Entry entry;
    entry.seq = qint64(object.value(QStringLiteral("seq")).toDouble());
    entry.pid = qint64(object.value(QStringLiteral("pid")).toDouble()); // not-protocol: the log record
    if (entry.seq <= 0 || entry.pid <= 0)
        return std::nullopt;
    entry.timeMs = qint64(object.value(QStringLiteral("time")).toDouble());
    entry.group = object.value(QStringLiteral("group")).toString(); // not-protocol: the log record
    entry.isStderr = object.value(QStringLiteral("stream")).toString() == QLatin1String("err");
    entry.text = object.value(QStringLiteral("text")).toString();
    return entry;
}

} // namespace LogRecord
