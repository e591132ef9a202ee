// SPDX-License-Identifier: MIT
#include "versionreport.h"

#include <ClustrQt/global.h>

#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QStandardPaths>
#include <QtCore/QStringList>

#include <hiredis/hiredis.h>

namespace VersionReport {

QString redisServerLine()
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty())
        return QStringLiteral("redis-server: not found");
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, {QStringLiteral("--version")});
    // A redis-server that hangs or fails is reported, never waited on for long:
    // --version is what one runs when something is wrong.
    if (!process.waitForStarted(3000))
        return QStringLiteral("redis-server: cannot run %1: %2").arg(program, process.errorString());
    if (!process.waitForFinished(3000)) {
        process.kill();
        process.waitForFinished(1000);
        return QStringLiteral("redis-server: %1 did not answer --version").arg(program);
    }
    const QString output = QString::fromLocal8Bit(process.readAll()).trimmed();
    // "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=..."
    const QRegularExpressionMatch match = QRegularExpression(QStringLiteral("\\bv=(\\S+)")).match(output);
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0 || !match.hasMatch())
        return QStringLiteral("redis-server: %1 --version said \"%2\"").arg(program, output.section(QLatin1Char('\n'), 0, 0));
    return QStringLiteral("redis-server %1 (%2)").arg(match.captured(1), program);
}

QString text(const QString &program)
{
    const QStringList lines{
        program + QLatin1Char(' ') + QLatin1String(CLUSTRQT_VERSION_STR),
        QStringLiteral("libclustr-qt %1").arg(QLatin1String(Clustr::version())),
        QStringLiteral("Qt %1 (built with %2)").arg(QLatin1String(qVersion()), QLatin1String(QT_VERSION_STR)),
        QStringLiteral("hiredis %1.%2.%3").arg(HIREDIS_MAJOR).arg(HIREDIS_MINOR).arg(HIREDIS_PATCH),
        redisServerLine(),
    };
    return lines.join(QLatin1Char('\n'));
}

} // namespace VersionReport
