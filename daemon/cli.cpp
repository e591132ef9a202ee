// SPDX-License-Identifier: MIT
#include "cli.h"

#include <algorithm>
#include <cstdio>

namespace Cli {

void out(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    fflush(stdout);
}

void err(const QString &line)
{
    const QByteArray bytes = "clustr-qt: " + line.toUtf8() + '\n';
    fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    fflush(stderr);
}

QString takeOption(QStringList &args, const QString &name, bool *found)
{
    const QString flag = QStringLiteral("--") + name;
    const QString prefix = flag + QLatin1Char('=');
    for (int i = 0; i < args.size(); ++i) {
        if (args.at(i).startsWith(prefix)) {
            const QString value = args.takeAt(i).mid(prefix.size());
            if (found)
                *found = true;
            return value;
        }
        if (args.at(i) == flag && i + 1 < args.size()) {
            args.removeAt(i);
            if (found)
                *found = true;
            return args.takeAt(i);
        }
    }
    if (found)
        *found = false;
    return QString();
}

QString count(qint64 n, const char *one, const char *many)
{
    return QStringLiteral("%1 %2").arg(n).arg(QLatin1String(n == 1 ? one : many));
}

bool takeFlag(QStringList &args, const QString &name)
{
    return args.removeAll(QStringLiteral("--") + name) > 0;
}

int answerBudgetMs()
{
    constexpr int DefaultMs = 1500;
    static const int budget = [] {
        const QString value = qEnvironmentVariable("CLUSTR_CONNECT_TIMEOUT");
        if (value.isEmpty())
            return DefaultMs;
        bool ok = false;
        const double seconds = value.trimmed().toDouble(&ok);
        if (ok && seconds > 0 && seconds <= 3600)
            return std::max(1, int(seconds * 1000));
        err(QStringLiteral("ignoring CLUSTR_CONNECT_TIMEOUT=\"%1\": not a number of seconds above 0 and up to 3600 (waiting %2)")
                .arg(value, budgetText(DefaultMs)));
        return DefaultMs;
    }();
    return budget;
}

QString budgetText(int ms)
{
    return QStringLiteral("%1 s").arg(ms / 1000.0);
}

} // namespace Cli
