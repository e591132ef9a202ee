// SPDX-License-Identifier: MIT
// The arguments of the control commands: options, positionals, pids and numbers.
#include "commandargs.h"

#include "cli.h"

namespace ControlCommands {

int usageError(const QString &command, const QString &message)
{
    Cli::err(message);
    Cli::err(QStringLiteral("see: clustr-qt %1 --help").arg(command));
    return Cli::Usage;
}

// Options end at a lone "--": what follows is positional even if it starts with "--".
QStringList splitPositionals(QStringList &args)
{
    const int separator = int(args.indexOf(QStringLiteral("--")));
    if (separator < 0)
        return {};
    const QStringList tail = args.mid(separator + 1);
    args = args.mid(0, separator);
    return tail;
}

//! The arguments left once the options were taken; an unknown option is a usage error.
std::optional<QStringList> positionals(const QString &command, QStringList args, const QStringList &tail)
{
    for (const QString &arg : std::as_const(args)) {
        if (arg.startsWith(QLatin1String("--"))) {
            usageError(command, QStringLiteral("unknown option %1 for %2").arg(arg.section(QLatin1Char('='), 0, 0), command));
            return std::nullopt;
        }
    }
    return args + tail;
}

std::optional<qint64> parsePid(const QString &text)
{
    bool ok = false;
    const qint64 pid = text.toLongLong(&ok);
    // Digits only: "+5", " 5" and "0x5" are not pids.
    for (QChar c : text) {
        if (!c.isDigit())
            return std::nullopt;
    }
    if (!ok || pid <= 0)
        return std::nullopt;
    return pid;
}

std::optional<int> parseInteger(const QString &text, int min, int max)
{
    bool ok = false;
    const int value = text.toInt(&ok);
    for (QChar c : text) {
        if (!c.isDigit())
            return std::nullopt;
    }
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

} // namespace ControlCommands
