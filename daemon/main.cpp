// SPDX-License-Identifier: MIT
// clustr-qt: the headless master for any programs and the CLI that controls
// a running cluster. See `clustr-qt --help` and docs/CLI.md.
#include "aclcommand.h"
#include "cli.h"
#include "commandtable.h"
#include "completewords.h"
#include "completion.h"
#include "controlcommands.h"
#include "lscommand.h"
#include "nearestword.h"
#include "runcommand.h"
#include "unitcommand.h"
#include "versionreport.h"

#include <ClustrQt/global.h>

#include <QtCore/QCoreApplication>

namespace {

QString usage()
{
    return QStringLiteral(
        "usage: clustr-qt COMMAND [options]\n"
        "\n"
        "Run a cluster:\n"
        "  run CLUSTER.json        run the master in the foreground (SIGHUP reloads, SIGTERM stops)\n"
        "  check CLUSTER.json      validate a cluster file without running anything\n"
        "  acl CLUSTER.json        a Redis ACL file with the cluster's worker, operator and monitor users\n"
        "  unit CLUSTER.json       a systemd unit that runs the cluster (--user: for the user's manager)\n"
        "\n"
        "Control a running cluster (found through --redis, CLUSTR_REDIS, the recorded\n"
        "embedded Redis, then redis://127.0.0.1:6379; --cluster NAME picks one by name):\n"
        "  ls                      every cluster reachable from this host\n"
        "  status [--json]         every process by group, with its resources and counters\n"
        "  publish DATA            a public message (DATA is JSON when it parses, else a string)\n"
        "  send PID DATA           a private message to one process\n"
        "  group GROUP DATA        a message to every process of a group\n"
        "  kill PID [CODE]         kill one process with an exit code (default 0)\n"
        "  reload [--no-wait]      rolling reload, showing its progress until it is done\n"
        "  restart GROUP|PID|all   replace those processes as a reload does (given-up ones too)\n"
        "  stop [GROUP]            stop the cluster gracefully (or one group, kept stopped)\n"
        "  start GROUP             start a stopped group again\n"
        "  scale GROUP N           give a group N processes\n"
        "  watch [--channel PAT]   a live line per message of the cluster\n"
        "  logs [TARGET] [-f]      the workers' recent output lines (-f: and new ones, live)\n"
        "\n"
        "Shell:\n"
        "  completion SHELL        a completion script for bash, zsh or fish\n"
        "\n"
        "clustr-qt COMMAND --help shows a command's options; clustr-qt --version its version\n"
        "and what it runs on (libclustr-qt, Qt, hiredis, the redis-server on PATH).\n"
        "Exit codes: 0 ok, 1 failed, 2 usage or bad cluster file, 3 Redis unreachable,\n"
        "4 no cluster running, 5 a cluster of that name already runs, 6 no such group\n"
        "or pid, 7 nothing to do, 8 timed out.");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("clustr-qt"));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(Clustr::version()));
    QStringList args = app.arguments().mid(1);
    if (args.isEmpty()) {
        Cli::err(QStringLiteral("no command given"));
        Cli::out(usage());
        return Cli::Usage;
    }
    const QString command = args.takeFirst();
    if (command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("help")) {
        Cli::out(usage());
        return Cli::Ok;
    }
    if (command == QLatin1String("--version") || command == QLatin1String("version")) {
        Cli::out(VersionReport::text(QStringLiteral("clustr-qt")));
        return Cli::Ok;
    }
    // Hidden: for the completion scripts (CompleteWords), not in --help.
    if (command == QLatin1String("complete-words"))
        return CompleteWords::run(args);
    const bool wantsHelp = args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"));
    // The commands that stand alone (the control commands share a session, below).
    struct Standalone
    {
        const char *name;
        QString (*help)();
        int (*run)(QStringList);
    };
    static const Standalone standalone[] = {
        {"run", RunCommand::runHelp, RunCommand::run},
        {"check", RunCommand::checkHelp, RunCommand::check},
        {"ls", LsCommand::help, LsCommand::run},
        {"acl", AclCommand::help, AclCommand::run},
        {"unit", UnitCommand::help, UnitCommand::run},
        {"completion", Completion::help, Completion::run},
    };
    for (const Standalone &entry : standalone) {
        if (command != QLatin1String(entry.name))
            continue;
        if (wantsHelp) {
            Cli::out(entry.help());
            return Cli::Ok;
        }
        return entry.run(args);
    }
    if (ControlCommands::isControlCommand(command)) {
        if (wantsHelp) {
            Cli::out(ControlCommands::help(command));
            return Cli::Ok;
        }
        return ControlCommands::run(command, args);
    }
    const QString nearest = Cli::nearestWord(command, CommandTable::names());
    Cli::err(nearest.isEmpty() ? QStringLiteral("unknown command \"%1\" (clustr-qt --help lists them)").arg(command)
                               : QStringLiteral("unknown command \"%1\": did you mean %2?").arg(command, nearest));
    return Cli::Usage;
}
