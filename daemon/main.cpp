// SPDX-License-Identifier: MIT
// clustr-qt: the headless master for any programs and the CLI that controls
// a running cluster. See `clustr-qt --help` and docs/CLI.md.
#include "aclcommand.h"
#include "cli.h"
#include "controlcommands.h"
#include "lscommand.h"
#include "runcommand.h"
#include "versionreport.h"

#include <ClustrQt/global.h>

#include <QtCore/QCoreApplication>

#include <algorithm>

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
        "  restart GROUP|PID|all   replace those processes one at a time (given-up ones too)\n"
        "  stop [GROUP]            stop the cluster gracefully (or one group, kept stopped)\n"
        "  start GROUP             start a stopped group again\n"
        "  scale GROUP N           give a group N processes\n"
        "  watch [--channel PAT]   a live line per message of the cluster\n"
        "\n"
        "clustr-qt COMMAND --help shows a command's options; clustr-qt --version its version\n"
        "and what it runs on (libclustr-qt, Qt, hiredis, the redis-server on PATH).\n"
        "Exit codes: 0 ok, 1 failed, 2 usage or bad cluster file, 3 Redis unreachable,\n"
        "4 no cluster running, 5 a cluster of that name already runs, 6 no such group\n"
        "or pid, 7 nothing to do, 8 timed out.");
}

} // namespace

namespace {

// Edits (insert, delete, replace, swap two neighbours) from \a a to \a b.
int editDistance(const QString &a, const QString &b)
{
    QList<QList<int>> d(a.size() + 1, QList<int>(b.size() + 1, 0));
    for (int i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (int j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (int i = 1; i <= a.size(); ++i) {
        for (int j = 1; j <= b.size(); ++j) {
            const int cost = a.at(i - 1) == b.at(j - 1) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a.at(i - 1) == b.at(j - 2) && a.at(i - 2) == b.at(j - 1))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.size()][b.size()];
}

// The command \a typed was probably meant to be (`stauts` -> `status`); empty if none is close.
QString nearestCommand(const QString &typed)
{
    static const QStringList commands{
        QStringLiteral("run"), QStringLiteral("check"), QStringLiteral("acl"), QStringLiteral("ls"), QStringLiteral("status"),
        QStringLiteral("publish"), QStringLiteral("send"), QStringLiteral("group"), QStringLiteral("kill"), QStringLiteral("reload"),
        QStringLiteral("stop"), QStringLiteral("watch"), QStringLiteral("help"), QStringLiteral("version"),
        QStringLiteral("restart"), QStringLiteral("start"), QStringLiteral("scale"),
    };
    QString best;
    int bestDistance = 3; // more edits than 2 is another word
    for (const QString &command : commands) {
        const int distance = editDistance(typed.toLower(), command);
        if (distance < bestDistance && distance < std::max<int>(2, int(command.size()) / 2 + 1)) {
            best = command;
            bestDistance = distance;
        }
    }
    return best;
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
    const QString nearest = nearestCommand(command);
    Cli::err(nearest.isEmpty() ? QStringLiteral("unknown command \"%1\" (clustr-qt --help lists them)").arg(command)
                               : QStringLiteral("unknown command \"%1\": did you mean %2?").arg(command, nearest));
    return Cli::Usage;
}
