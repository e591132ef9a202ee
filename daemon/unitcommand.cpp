// SPDX-License-Identifier: MIT
#include "unitcommand.h"

#include "cli.h"
#include "commandargs.h"
#include "runcommand.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QFileInfo>
#include <QtCore/QSaveFile>

#include <algorithm>
#include <pwd.h>
#include <unistd.h>

namespace UnitCommand {

namespace {

struct Unit
{
    QString name;             // clustr-qt-NAME.service
    QString description;
    QString program;          // absolute
    QString clusterFile;      // absolute
    QString workingDirectory; // absolute
    QString user;             // User=; empty: none
    bool userUnit = false;
    qint64 stopTimeoutSeconds = 30;
};

// systemd expands %specifiers and $VARIABLES in these settings: written literally.
QString escapeSpecifiers(QString text)
{
    return text.replace(QLatin1Char('%'), QStringLiteral("%%"));
}

// One word of ExecStart=, quoted when systemd would split or unescape it.
QString execWord(const QString &word)
{
    QString escaped = escapeSpecifiers(word);
    escaped.replace(QLatin1Char('$'), QStringLiteral("$$"));
    const bool plain = !escaped.isEmpty() && std::none_of(escaped.cbegin(), escaped.cend(), [](QChar c) {
        return c.isSpace() || c == QLatin1Char('"') || c == QLatin1Char('\'') || c == QLatin1Char('\\') || c == QLatin1Char(';');
    });
    if (plain)
        return escaped;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

// A unit name may hold letters, digits and ":_.-" only.
QString unitName(const QString &cluster)
{
    QString name = cluster;
    for (QChar &c : name) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != QLatin1Char(':') && c != QLatin1Char('_') && c != QLatin1Char('.')
            && c != QLatin1Char('-'))
            c = QLatin1Char('_');
    }
    return QStringLiteral("clustr-qt-") + name + QStringLiteral(".service");
}

/*
  The unit. Its [Service] settings are those of daemon/clustr-qt.service
  (tst_daemon compares them); only ExecStart, WorkingDirectory, User and,
  for a user unit, what the user's manager provides itself differ.
*/
QString text(const Unit &unit)
{
    QStringList lines{
        QStringLiteral("# Runs the clustr-qt cluster in %1.").arg(unit.clusterFile),
        QStringLiteral("# Written by `clustr-qt unit`; see docs/CLI.md."),
        QStringLiteral("[Unit]"),
        QStringLiteral("Description=clustr-qt cluster %1").arg(escapeSpecifiers(unit.description)),
    };
    if (!unit.userUnit) // the user's manager has no network targets
        lines << QStringLiteral("After=network-online.target redis-server.service") << QStringLiteral("Wants=network-online.target");
    lines << QString()
          << QStringLiteral("[Service]")
          << QStringLiteral("# clustr-qt tells systemd when every worker has registered (READY=1), while")
          << QStringLiteral("# it reloads (RELOADING=1) and when it stops (STOPPING=1).")
          << QStringLiteral("Type=notify")
          << QStringLiteral("NotifyAccess=main")
          << QStringLiteral("ExecStart=%1 run %2").arg(execWord(unit.program), execWord(unit.clusterFile))
          << QStringLiteral("WorkingDirectory=%1").arg(escapeSpecifiers(unit.workingDirectory));
    if (!unit.user.isEmpty())
        lines << QStringLiteral("User=%1").arg(unit.user);
    lines << QStringLiteral("# A rolling reload: one worker at a time, no downtime.")
          << QStringLiteral("ExecReload=/bin/kill -HUP $MAINPID")
          << QStringLiteral("# SIGTERM to the master only: it stops the workers itself (their kill")
          << QStringLiteral("# handlers run) and SIGKILLs stragglers after their kill timeout; systemd")
          << QStringLiteral("# cleans up after TimeoutStopSec (the longest kill timeout + 25 s).")
          << QStringLiteral("KillMode=mixed")
          << QStringLiteral("TimeoutStopSec=%1").arg(unit.stopTimeoutSeconds)
          << QStringLiteral("# Exit code 15 is how a cluster ends after SIGTERM.")
          << QStringLiteral("SuccessExitStatus=15")
          << QStringLiteral("Restart=on-failure");
    if (!unit.userUnit) {
        // The user's manager sets XDG_RUNTIME_DIR to the user's own /run/user/UID.
        lines << QStringLiteral("# The embedded Redis' socket and the record the CLI reads go in /run/clustr-qt,")
              << QStringLiteral("# made by systemd for the service's user (mode 0700), not in /tmp.")
              << QStringLiteral("Environment=XDG_RUNTIME_DIR=/run")
              << QStringLiteral("RuntimeDirectory=clustr-qt")
              << QStringLiteral("RuntimeDirectoryMode=0700")
              << QStringLiteral("RuntimeDirectoryPreserve=yes");
    }
    lines << QString()
          << QStringLiteral("[Install]")
          << QStringLiteral("WantedBy=%1").arg(unit.userUnit ? QStringLiteral("default.target") : QStringLiteral("multi-user.target"));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

// Where the unit goes and how to start it, on stderr: stdout is the unit.
void printHint(const Unit &unit, const QString &written)
{
    const QString service = unit.name.chopped(int(qstrlen(".service")));
    const QString directory = unit.userUnit ? QStringLiteral("~/.config/systemd/user") : QStringLiteral("/etc/systemd/system");
    const QString systemctl = unit.userUnit ? QStringLiteral("systemctl --user") : QStringLiteral("sudo systemctl");
    if (written.isEmpty())
        Cli::err(QStringLiteral("save it as %1/%2, then run:").arg(directory, unit.name));
    else
        Cli::err(QStringLiteral("wrote %1 (systemd reads it as %2/%3), then run:").arg(written, directory, unit.name));
    Cli::err(QStringLiteral("  %1 daemon-reload && %1 enable --now %2").arg(systemctl, service));
    if (unit.userUnit)
        Cli::err(QStringLiteral("  loginctl enable-linger   (to run it without being logged in)"));
}

QString invokingUser()
{
    if (::geteuid() == 0)
        return QString();
    const passwd *entry = ::getpwuid(::geteuid());
    return entry ? QString::fromLocal8Bit(entry->pw_name) : QString();
}

} // namespace

QString help()
{
    return QStringLiteral(
        "usage: clustr-qt unit CLUSTER.json [--user] [--output FILE]\n"
        "\n"
        "Prints a systemd unit that runs the cluster with this clustr-qt (absolute paths):\n"
        "Type=notify, SIGHUP for `systemctl reload` (a rolling reload), a graceful stop\n"
        "with time for the longest kill timeout, Restart=on-failure. The cluster file is\n"
        "checked first, as `clustr-qt check` does. Where to put it and how to enable it\n"
        "goes to stderr.\n"
        "\n"
        "  --user         a unit for the user's own systemd (systemctl --user), started\n"
        "                 with the user's session (WantedBy=default.target); without it a\n"
        "                 system unit, run as the invoking user (User=) unless that is root\n"
        "  --output FILE  write the unit to FILE instead of printing it\n"
        "\n"
        "Exit code: 0, 1 if FILE cannot be written, 2 for bad arguments or a bad cluster file.");
}

int run(QStringList args)
{
    const bool userUnit = Cli::takeFlag(args, QStringLiteral("user"));
    bool haveOutput = false;
    const QString output = Cli::takeOption(args, QStringLiteral("output"), &haveOutput);
    const QString path = RunCommand::takeFile(args);
    QString problem;
    if (haveOutput && output.isEmpty())
        problem = QStringLiteral("--output needs a FILE");
    else if (!args.isEmpty() && args.constFirst() == QLatin1String("--output"))
        problem = QStringLiteral("--output needs a FILE");
    else if (!args.isEmpty() && args.constFirst().startsWith(QLatin1String("--")))
        problem = QStringLiteral("unknown option %1 for unit").arg(args.constFirst().section(QLatin1Char('='), 0, 0));
    else if (!args.isEmpty())
        problem = QStringLiteral("unexpected argument \"%1\" (one cluster file only)").arg(args.constFirst());
    if (!problem.isEmpty())
        return ControlCommands::usageError(QStringLiteral("unit"), QStringLiteral("unit: ") + problem);
    if (path.isEmpty()) {
        Cli::err(QStringLiteral("unit: which cluster file? usage: clustr-qt unit CLUSTER.json [--user] [--output FILE]"));
        return Cli::Usage;
    }
    const auto config = RunCommand::loadOrReport(path);
    if (!config)
        return Cli::Usage;

    std::chrono::milliseconds longestKill = config->killTimeout;
    for (const Clustr::SpawnSpec &spec : config->workers)
        longestKill = std::max(longestKill, spec.killTimeout().value_or(config->killTimeout));
    const QFileInfo file(path);
    Unit unit;
    unit.description = config->name.isEmpty() ? file.completeBaseName() : config->name;
    unit.name = unitName(unit.description);
    unit.program = QCoreApplication::applicationFilePath();
    unit.clusterFile = file.absoluteFilePath();
    unit.workingDirectory = file.absolutePath();
    unit.userUnit = userUnit;
    unit.user = userUnit ? QString() : invokingUser();
    unit.stopTimeoutSeconds = (longestKill.count() + 999) / 1000 + 25;

    const QString unitText = text(unit);
    if (!haveOutput) {
        Cli::out(unitText.chopped(1));
        printHint(unit, QString());
        return Cli::Ok;
    }
    QSaveFile out(output);
    if (!out.open(QIODevice::WriteOnly) || out.write(unitText.toUtf8()) < 0 || !out.commit()) {
        Cli::err(QStringLiteral("unit: cannot write %1: %2").arg(output, out.errorString()));
        return Cli::Failed;
    }
    printHint(unit, output);
    return Cli::Ok;
}

} // namespace UnitCommand
