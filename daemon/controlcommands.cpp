// SPDX-License-Identifier: MIT
// The control commands: each finds a running cluster through a Session
// (Clustr::ClusterClient underneath) and reads or drives it. Their
// behaviour, output formats and exit codes are documented in docs/CLI.md.
#include "controlcommands.h"

#include "acrosshosts.h"
#include "cli.h"
#include "commandargs.h"
#include "controlsession.h"
#include "logscommand.h"
#include "operationcommands.h"
#include "reloadprogress.h"
#include "statustable.h"

#include <ClustrQt/json.h>
#include <ClustrQt/reloadjob.h>
#include <ClustrQt/unixsignalwatcher.h>

#include <QtCore/QDateTime>
#include <QtCore/QEventLoop>
#include <QtCore/QJsonDocument>
#include <QtCore/QTime>

#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <variant>

namespace ControlCommands {

namespace {

const QString CommonOptions = QStringLiteral(
    "\n"
    "Finding the cluster (every control command):\n"
    "  --redis URL       its Redis: redis://[[user]:password@]host[:port][/db] or\n"
    "                    unix:///path/to.sock. Default: $CLUSTR_REDIS, else the\n"
    "                    private Redis a `clustr-qt run` recorded, else\n"
    "                    redis://127.0.0.1:6379\n"
    "  --cluster NAME    the cluster's name, when several clusters share one Redis\n"
    "  --host NAME       one host of a cluster across hosts (status, send, kill,\n"
    "                    reload and stop act on every host without it)\n"
    "  --verbose         log the library's connection details to stderr\n"
    "  --help            this text\n"
    "\n"
    "Exit codes: 0 ok, 1 failed, 2 bad arguments, 3 Redis unreachable,\n"
    "4 no cluster running, 6 no such group or pid, 7 nothing to do, 8 timed out,\n"
    "77 refused by Redis' ACL. See docs/CLI.md.");

struct Command
{
    const char *name;
    const char *help;
};

const Command commands[] = {
    {"status",
     "usage: clustr-qt status [--json [--compact]] [options]\n"
     "\n"
     "Asks every process for fresh figures, waits (up to 2 s) for the master's\n"
     "status that has them, and shows it: the master, then every registered\n"
     "process by group with its pid, host,\n"
     "parent, uptime, restarts, state, CPUs, memory (RSS), CPU use, when its last\n"
     "heartbeat came, and how many messages it sent and received; then the\n"
     "master's children that are not registered (programs that never register).\n"
     "\n"
     "  --json            the master's status snapshot as JSON (a stable format,\n"
     "                    see docs/CLI.md), indented\n"
     "  --compact         with --json: on one line\n"},
    {"publish",
     "usage: clustr-qt publish DATA [options]\n"
     "\n"
     "Sends DATA to every process of the cluster (channel `public`). DATA is\n"
     "JSON when it parses ('{\"a\": 1}', 42, true, '\"text\"'), else the text as a\n"
     "string. A DATA that starts with -- goes after a lone --.\n"},
    {"send",
     "usage: clustr-qt send PID DATA [options]\n"
     "\n"
     "Sends DATA to the process PID (channel `private:PID`). DATA as for publish.\n"},
    {"group",
     "usage: clustr-qt group GROUP DATA [options]\n"
     "\n"
     "Sends DATA to every process of GROUP (channel `group:GROUP`). DATA as for\n"
     "publish.\n"},
    {"kill",
     "usage: clustr-qt kill PID [CODE] [options]\n"
     "\n"
     "Tells the process PID to exit with CODE (0..255, default 0): it runs its\n"
     "kill handler, deregisters and exits. Its parent respawns it when CODE is\n"
     "not 0 (and its respawn is on). Killing the master stops the whole cluster.\n"},
    {"reload",
     "usage: clustr-qt reload [--no-wait] [--timeout SECONDS] [options]\n"
     "       clustr-qt reload --config [--dry-run] [--timeout SECONDS] [options]\n"
     "\n"
     "Starts a rolling reload: the master replaces one worker at a time, or as\n"
     "many of a group at once as the cluster file's maxUnavailable and maxSurge\n"
     "allow. Shows its progress until it is done (a progress bar on a terminal,\n"
     "else a line per step event: `step 2/4: 4242 -> 4250`), then exits 0.\n"
     "Exits 1 with the reason when a step timed out, the master did not start\n"
     "the reload within 5 s, it went away, or the reload took longer than the\n"
     "timeout. Ctrl-C stops following; the reload goes on.\n"
     "\n"
     "With --config, the daemon reads its cluster file again and applies what\n"
     "changed, after printing the plan: new groups are started, removed ones\n"
     "stopped, a changed entry's processes replaced one by one (all at once if\n"
     "they do not register), a new instance count scaled to; unchanged groups\n"
     "are left alone. A file with errors changes nothing (exit 1, the errors\n"
     "said); an unchanged one exits 7. The daemon's own settings (redis, name,\n"
     "logs, metrics) are read at its start only.\n"
     "\n"
     "  --no-wait         request the reload and exit\n"
     "  --config          update the spawn entries from the cluster file\n"
     "  --dry-run         with --config: print the plan, change nothing\n"
     "  --timeout SECONDS how long the whole reload may take (default 600)\n"},
    {"stop",
     "usage: clustr-qt stop [--code N] [--timeout SECONDS] [options]\n"
     "       clustr-qt stop GROUP [--timeout SECONDS] [options]\n"
     "\n"
     "Without GROUP: stops the cluster gracefully: every worker gets a kill (its\n"
     "handler runs), then the master exits. Returns when the master is gone (for\n"
     "a master on another machine: when it has withdrawn its announcement).\n"
     "\n"
     "With GROUP (a spawn entry of the master): stops every process of the group\n"
     "the same way (SIGKILL after the kill timeout) and returns once none is\n"
     "left. The master keeps the group stopped, through reloads and other\n"
     "processes' respawns, until `clustr-qt start GROUP`.\n"
     "\n"
     "  --code N          the master's exit code, 0..255 (default 15; not with GROUP)\n"
     "  --timeout SECONDS how long to wait (default 60; 120 for a GROUP)\n"
     "\n"
     "With GROUP, exits 6 for a group the cluster does not have, 7 if it is\n"
     "stopped already, 8 if it was not stopped within the timeout.\n"},
    {"start",
     "usage: clustr-qt start GROUP [--timeout SECONDS] [options]\n"
     "\n"
     "Starts a group that `clustr-qt stop GROUP` stopped (or whose processes were\n"
     "given up after too many crashes) to its configured instance count, and\n"
     "returns once every process runs and has registered.\n"
     "\n"
     "  --timeout SECONDS how long to wait (default 120)\n"
     "\n"
     "Exits 6 for a group the cluster does not have, 7 if it runs already, 8 if\n"
     "it was not up within the timeout, 1 if one of its processes was given up.\n"},
    {"restart",
     "usage: clustr-qt restart TARGET [--timeout SECONDS] [options]\n"
     "\n"
     "Replaces the processes of TARGET as a reload does (one at a time, or as\n"
     "many at once as a group's maxUnavailable and maxSurge allow), showing\n"
     "the progress: TARGET is a GROUP, a PID, or `all` for the whole cluster.\n"
     "Processes given up after too many crashes are started again too (their\n"
     "crash counters reset); a PID may be the last pid of such a process.\n"
     "A restart asked during a reload runs after it.\n"
     "\n"
     "  --timeout SECONDS how long the whole restart may take (default 600)\n"
     "\n"
     "Exits 6 for a group or pid the cluster does not have, 7 when TARGET has\n"
     "nothing to restart (a stopped group), 8 if it did not finish within the\n"
     "timeout, 1 if a step timed out or the master refused the target.\n"},
    {"scale",
     "usage: clustr-qt scale GROUP N [--timeout SECONDS] [options]\n"
     "\n"
     "Gives GROUP (a spawn entry of the master) N processes, 0..1000: new ones\n"
     "are started, or the highest instances are stopped as a reload stops one\n"
     "(a kill, then SIGKILL after the kill timeout). Returns once the group has\n"
     "N processes, each running and registered. `status` shows the new count;\n"
     "a stopped group keeps it for `clustr-qt start GROUP`.\n"
     "\n"
     "  --timeout SECONDS how long to wait (default 120)\n"
     "\n"
     "Exits 6 for a group the cluster does not have, 7 if it has N already, 8 if\n"
     "it did not get there within the timeout, 1 if a new process was given up.\n"},
    {"watch",
     "usage: clustr-qt watch [--channel PATTERN] [--all] [options]\n"
     "\n"
     "Prints a line for every message of the cluster, as it happens, until\n"
     "Ctrl-C (or SIGTERM), then exits 0:\n"
     "  HH:MM:SS.mmm  CHANNEL  PID/GROUP  DATA (as the sender wrote it)\n"
     "\n"
     "  --channel PATTERN which channels, as a Redis glob without the cluster's\n"
     "                    name (default *): public, group:*, private:4242, ...\n"
     "  --all             the library's own traffic too: heartbeats and requests\n"
     "                    for figures (left out by default)\n"},
    {"logs", LogsCommand::help()},
};

const Command *findCommand(const QString &name)
{
    for (const Command &command : commands) {
        if (name == QLatin1String(command.name))
            return &command;
    }
    return nullptr;
}

int status(QStringList args)
{
    const QStringList tail = splitPositionals(args);
    Session session(args, Clustr::AccessControl::Role::Monitor); // reads only
    session.setAcrossHosts(true);
    const bool json = Cli::takeFlag(args, QStringLiteral("json"));
    const bool compactJson = Cli::takeFlag(args, QStringLiteral("compact"));
    const auto rest = positionals(QStringLiteral("status"), args, tail);
    if (!rest)
        return Cli::Usage;
    if (!rest->isEmpty())
        return usageError(QStringLiteral("status"), QStringLiteral("status takes no arguments, got \"%1\"").arg(rest->join(QLatin1Char(' '))));
    if (compactJson && !json)
        return usageError(QStringLiteral("status"), QStringLiteral("--compact goes with --json"));

    if (const int code = session.connect(); code != Cli::Ok)
        return code;
    if (session.isAcrossHosts())
        return AcrossHosts::status(session, json, compactJson);
    if (const int code = session.waitForStatus(); code != Cli::Ok)
        return code;
    session.waitForFreshFigures();
    Clustr::ClusterClient &client = session.client();
    if (json) {
        Cli::out(QString::fromUtf8(QJsonDocument(client.status().toJson()).toJson(compactJson ? QJsonDocument::Compact : QJsonDocument::Indented)).trimmed());
        return Cli::Ok;
    }
    Cli::out(StatusTable::render(client.status(), session.displayUrl(), QDateTime::currentDateTimeUtc()));
    return Cli::Ok;
}

// publish, send, group and kill: one message, then a confirmation once Redis has it.
// What publish, send, group and kill were asked to send, from their arguments.
struct MessageRequest
{
    QString host; //!< from HOST:PID
    qint64 pid = 0;
    QString group;
    int code = 0;
    QByteArray data; //!< JSON text, sent as it is
};

QString argumentCount(qsizetype n)
{
    return QStringLiteral("%1 argument%2").arg(n).arg(n == 1 ? QLatin1String() : QLatin1String("s"));
}

// PID or HOST:PID (a process of a cluster across hosts).
bool parseTarget(const QString &text, MessageRequest *request)
{
    if (const auto pid = parsePid(text)) {
        request->pid = *pid;
        return true;
    }
    const auto qualified = AcrossHosts::splitHostPid(text);
    if (!qualified)
        return false;
    request->host = qualified->first;
    request->pid = qualified->second;
    return true;
}

// The request, or the usage error's exit code (the error printed).
std::variant<MessageRequest, int> parseMessage(const QString &command, const QStringList &a)
{
    MessageRequest request;
    if (command == QLatin1String("publish")) {
        if (a.size() != 1)
            return usageError(command, a.isEmpty() ? QStringLiteral("publish needs DATA")
                                                   : QStringLiteral("publish takes one DATA argument, got %1 (quote it: clustr-qt publish '{\"a\": 1}')").arg(a.size()));
        request.data = Clustr::jsonOrString(a.at(0));
    } else if (command == QLatin1String("send")) {
        if (a.size() != 2)
            return usageError(command, QStringLiteral("send needs PID and DATA, got ") + argumentCount(a.size()));
        if (!parseTarget(a.at(0), &request))
            return usageError(command, QStringLiteral("PID must be a positive integer or HOST:PID, not \"%1\"").arg(a.at(0)));
        request.data = Clustr::jsonOrString(a.at(1));
    } else if (command == QLatin1String("group")) {
        if (a.size() != 2)
            return usageError(command, QStringLiteral("group needs GROUP and DATA, got ") + argumentCount(a.size()));
        request.group = a.at(0);
        if (!Clustr::isValidName(request.group))
            return usageError(command, QStringLiteral("invalid group \"%1\": 1 to 200 printable characters without spaces").arg(request.group));
        request.data = Clustr::jsonOrString(a.at(1));
    } else { // kill
        if (a.isEmpty() || a.size() > 2)
            return usageError(command, QStringLiteral("kill needs PID and an optional CODE, got ") + argumentCount(a.size()));
        if (!parseTarget(a.at(0), &request))
            return usageError(command, QStringLiteral("PID must be a positive integer or HOST:PID, not \"%1\"").arg(a.at(0)));
        if (a.size() == 2) {
            const auto parsedCode = parseInteger(a.at(1), 0, 255);
            if (!parsedCode)
                return usageError(command, QStringLiteral("CODE must be an integer from 0 to 255, not \"%1\"").arg(a.at(1)));
            request.code = *parsedCode;
        }
    }
    return request;
}

// Sends \a request; returns the line that confirms it, and in \a warning
// what makes it likely nobody hears it. \a groupMembers: counted on every
// host already (a cluster across hosts), else -1.
QString sendMessage(Session &session, const QString &command, const MessageRequest &request, QString *warning, int groupMembers)
{
    Clustr::ClusterClient &client = session.client();
    if (command == QLatin1String("publish")) {
        client.publishJson(request.data);
        return QStringLiteral("published to %1: %2").arg(session.clusterLabel(), QString::fromUtf8(request.data));
    }
    if (command == QLatin1String("group")) {
        const int members = groupMembers >= 0 ? groupMembers : session.groupSize(request.group);
        if (members == 0)
            *warning = QStringLiteral("%1 has no registered process in group \"%2\": nobody may hear it").arg(session.clusterLabel(), request.group);
        client.sendGroupJson(request.group, request.data);
        return QStringLiteral("sent to group %1 (%2 process%3): %4")
            .arg(request.group)
            .arg(members)
            .arg(members == 1 ? QLatin1String() : QLatin1String("es"))
            .arg(QString::fromUtf8(request.data));
    }
    const qint64 pid = request.pid;
    const QString pidGroup = session.groupOf(pid);
    const QString onHost = session.host().isEmpty() ? QString() : QStringLiteral(" on host ") + session.host();
    const QString who = (pidGroup.isEmpty() ? QString::number(pid) : QStringLiteral("%1 (%2)").arg(pid).arg(pidGroup)) + onHost;
    if (pidGroup.isEmpty())
        *warning = QStringLiteral("%1%2 is not a registered process of %3: nobody may hear it").arg(pid).arg(onHost, session.clusterLabel());
    if (command == QLatin1String("send")) {
        client.sendJson(pid, request.data);
        return QStringLiteral("sent to %1: %2").arg(who, QString::fromUtf8(request.data));
    }
    client.kill(pid, request.code);
    if (pid != client.masterPid())
        return QStringLiteral("asked %1 to exit with code %2").arg(who).arg(request.code);
    return onHost.isEmpty()
        ? QStringLiteral("asked the master %1 to exit with code %2: the whole cluster stops").arg(who).arg(request.code)
        : QStringLiteral("asked the master %1 to exit with code %2: its host's part of the cluster stops").arg(who).arg(request.code);
}

// A bare pid on a cluster across hosts: the one host where it is a
// registered process, or the reason there is none (printed, with the exit code).
std::variant<QString, int> hostOfPid(const Session &session, const QList<AcrossHosts::HostState> &hosts, qint64 pid)
{
    QStringList hostNames;
    const QStringList holders = AcrossHosts::holdersOf(hosts, pid, &hostNames);
    if (hostNames.size() == 1)
        return hostNames.constFirst();
    if (hostNames.size() > 1) {
        Cli::err(QStringLiteral("pid %1 is ambiguous: %2 runs across hosts and it is %3; name one as HOST:PID")
                     .arg(pid).arg(session.clusterLabel(), holders.join(QStringLiteral(", "))));
        return int(Cli::Usage);
    }
    QStringList names;
    for (const AcrossHosts::HostState &state : hosts)
        names.append(state.host.name);
    Cli::err(QStringLiteral("%1 is not a registered process on any host of %2 (%3): name it as HOST:PID")
                 .arg(pid).arg(session.clusterLabel(), names.join(QStringLiteral(", "))));
    return int(Cli::NoSuchTarget);
}

int message(const QString &command, QStringList args)
{
    const QStringList original = args;
    const QStringList tail = splitPositionals(args);
    Session session(args);
    session.setAcrossHosts(true);
    const auto rest = positionals(command, args, tail);
    if (!rest)
        return Cli::Usage;
    const auto parsed = parseMessage(command, *rest);
    if (const int *usage = std::get_if<int>(&parsed))
        return *usage;
    const MessageRequest &request = std::get<MessageRequest>(parsed);
    if (!request.host.isEmpty() && !session.setHost(request.host))
        return Cli::Usage;

    if (const int result = session.connect(); result != Cli::Ok)
        return result;
    int groupMembers = -1;
    if (session.isAcrossHosts()) {
        // public and group are the cluster's: sent once, they reach every
        // host. A pid names a process of one host, which the status tells.
        const bool toProcess = command == QLatin1String("send") || command == QLatin1String("kill");
        if (toProcess || command == QLatin1String("group")) {
            const QList<AcrossHosts::HostState> hosts = AcrossHosts::read(session, false);
            if (!toProcess) {
                groupMembers = AcrossHosts::groupSize(hosts, request.group);
            } else {
                const auto host = hostOfPid(session, hosts, request.pid);
                if (const int *code = std::get_if<int>(&host))
                    return *code;
                return message(command, QStringList{QStringLiteral("--host"), std::get<QString>(host)} + original);
            }
        }
    }
    QString warning;
    const QString confirmation = sendMessage(session, command, request, &warning, groupMembers);
    if (!session.waitUntilWritten()) {
        Cli::err(QStringLiteral("Redis at %1 did not take the message within %2").arg(session.displayUrl(), Cli::budgetText(Session::writeBudgetMs())));
        return Cli::Failed;
    }
    if (const int refused = session.reportRefusal(); refused != Cli::Ok)
        return refused;
    if (!warning.isEmpty())
        Cli::err(QStringLiteral("warning: ") + warning);
    Cli::out(confirmation);
    return Cli::Ok;
}

int reload(QStringList args)
{
    const QStringList original = args;
    const QStringList tail = splitPositionals(args);
    Session session(args);
    session.setAcrossHosts(true);
    session.setPollInterval(std::chrono::milliseconds(250));
    const bool noWait = Cli::takeFlag(args, QStringLiteral("no-wait"));
    const bool config = Cli::takeFlag(args, QStringLiteral("config"));
    const bool dryRun = Cli::takeFlag(args, QStringLiteral("dry-run"));
    bool haveTimeout = false;
    const QString timeoutText = Cli::takeOption(args, QStringLiteral("timeout"), &haveTimeout);
    if (dryRun && !config)
        return usageError(QStringLiteral("reload"), QStringLiteral("--dry-run goes with --config (reload --config --dry-run)"));
    if (noWait && config)
        return usageError(QStringLiteral("reload"), QStringLiteral("--no-wait is for a plain reload: an update answers with its plan"));
    const auto rest = positionals(QStringLiteral("reload"), args, tail);
    if (!rest)
        return Cli::Usage;
    if (!rest->isEmpty())
        return usageError(QStringLiteral("reload"), QStringLiteral("reload takes no arguments, got \"%1\"").arg(rest->join(QLatin1Char(' '))));
    int timeout = 600;
    if (haveTimeout) {
        const auto parsed = parseInteger(timeoutText, 1, 1000000);
        if (!parsed)
            return usageError(QStringLiteral("reload"), QStringLiteral("--timeout must be a number of seconds (1 or more), not \"%1\"").arg(timeoutText));
        timeout = *parsed;
    }
    if (const int code = session.connect(); code != Cli::Ok)
        return code;
    // Across hosts: host after host, each one worker at a time, so at most
    // one worker of a group is down in the whole cluster; a failure ends it.
    if (session.isAcrossHosts())
        return AcrossHosts::forEachHost(session, original, reload, true);
    if (config) {
        const std::unique_ptr<Clustr::ReloadJob> job(session.client().updateConfig(dryRun));
        return runJob(session, *job, timeout);
    }
    return reloadCommand(session, noWait, timeout);
}

int stop(QStringList args)
{
    const QStringList original = args;
    const QStringList tail = splitPositionals(args);
    Session session(args);
    // The master is gone a moment after it says so; notice it soon.
    session.setPollInterval(std::chrono::milliseconds(100));
    bool haveCode = false;
    const QString codeText = Cli::takeOption(args, QStringLiteral("code"), &haveCode);
    bool haveTimeout = false;
    const QString timeoutText = Cli::takeOption(args, QStringLiteral("timeout"), &haveTimeout);
    const auto rest = positionals(QStringLiteral("stop"), args, tail);
    if (!rest)
        return Cli::Usage;
    if (rest->size() > 1)
        return usageError(QStringLiteral("stop"), QStringLiteral("stop takes at most one GROUP, got \"%1\"").arg(rest->join(QLatin1Char(' '))));
    if (rest->size() == 1 && haveCode)
        return usageError(QStringLiteral("stop"), QStringLiteral("--code is the exit code of a cluster's stop; a GROUP is stopped without one"));
    int code = 15;
    if (haveCode) {
        const auto parsed = parseInteger(codeText, 0, 255);
        if (!parsed)
            return usageError(QStringLiteral("stop"), QStringLiteral("--code must be an integer from 0 to 255, not \"%1\"").arg(codeText));
        code = *parsed;
    }
    int timeout = 60;
    if (haveTimeout) {
        const auto parsed = parseInteger(timeoutText, 1, 1000000);
        if (!parsed)
            return usageError(QStringLiteral("stop"), QStringLiteral("--timeout must be a number of seconds (1 or more), not \"%1\"").arg(timeoutText));
        timeout = *parsed;
    }
    if (rest->size() == 1)
        return stopGroup(session, rest->at(0), haveTimeout ? timeout : 120);
    session.setAcrossHosts(true);
    if (const int result = session.connect(); result != Cli::Ok)
        return result;
    // Every host stops, each one's master with its workers; one that fails does not keep the others running.
    if (session.isAcrossHosts())
        return AcrossHosts::forEachHost(session, original, stop, false);

    Clustr::ClusterClient &client = session.client();
    const qint64 masterPid = client.masterPid();
    const QString host = client.master().host();
    // Only here can we see the process itself; elsewhere its announcement is all there is.
    const bool local = session.isMasterLocal();
    if (!session.waitForEvents())
        return Cli::Failed;
    bool stopping = false;
    QObject listening; // ends the connection below before `stopping` goes away
    QObject::connect(&client, &Clustr::ClusterClient::eventReceived, &listening, [&stopping](const Clustr::ClusterEvent &event) {
        if (event.type() == Clustr::ClusterEvent::Type::Stopping)
            stopping = true;
    });
    // Waiting for the stop to be received is part of the user's --timeout.
    if (!client.stop(code) || !session.waitUntilWritten(timeout * 1000)) {
        Cli::err(QStringLiteral("Redis at %1 did not take the stop request").arg(session.displayUrl()));
        return Cli::Failed;
    }
    if (const int refused = session.reportRefusal(); refused != Cli::Ok)
        return refused;
    const bool gone = session.waitUntil([&] {
        if (local)
            return Session::processGone(masterPid);
        // A Redis that goes away with the cluster (the embedded one) leaves
        // the last announcement standing in the client: "stopping" said enough.
        return !client.isClusterRunning() || (stopping && !client.isConnected());
    }, timeout * 1000);
    if (!gone) {
        Cli::err(QStringLiteral("the master (pid %1 on %2) of %3 is still running after %4 s")
                     .arg(masterPid).arg(host, session.clusterLabel()).arg(timeout));
        return Cli::Failed;
    }
    Cli::out(QStringLiteral("stopped %1: its master (pid %2 on %3) is gone").arg(session.clusterLabel()).arg(masterPid).arg(host));
    return Cli::Ok;
}

int watch(QStringList args)
{
    const QStringList tail = splitPositionals(args);
    Session session(args, Clustr::AccessControl::Role::Monitor); // reads only
    bool havePattern = false;
    QString pattern = Cli::takeOption(args, QStringLiteral("channel"), &havePattern);
    // The library's own traffic (heartbeats, requests for figures) drowns everything else: shown when asked.
    Cli::takeFlag(args, QStringLiteral("no-heartbeats")); // the default now; still accepted
    const bool noHeartbeats = !Cli::takeFlag(args, QStringLiteral("all"));
    const auto rest = positionals(QStringLiteral("watch"), args, tail);
    if (!rest)
        return Cli::Usage;
    if (!rest->isEmpty())
        return usageError(QStringLiteral("watch"), QStringLiteral("watch takes no arguments, got \"%1\"").arg(rest->join(QLatin1Char(' '))));
    if (!havePattern)
        pattern = QStringLiteral("*");
    if (pattern.isEmpty())
        return usageError(QStringLiteral("watch"), QStringLiteral("--channel needs a PATTERN, e.g. 'group:*'"));
    if (const int code = session.connect(); code != Cli::Ok)
        return code;

    Clustr::ClusterClient &client = session.client();
    QEventLoop loop;
    // Ctrl-C is how a watch ends: a success.
    Clustr::UnixSignalWatcher unixSignals;
    unixSignals.watch(SIGINT);
    unixSignals.watch(SIGTERM);
    QObject::connect(&unixSignals, &Clustr::UnixSignalWatcher::signalReceived, &loop, [&loop] { loop.exit(Cli::Ok); });

    // Columns widen to the longest channel and sender seen, and stay so.
    qsizetype channelWidth = 16;
    qsizetype senderWidth = 12;
    QObject::connect(&client, &Clustr::ClusterClient::messageObserved, &loop,
                     [noHeartbeats, &channelWidth, &senderWidth](const Clustr::Message &message, const QByteArray &raw) {
        // Without a name, "*" also matches the channels of named clusters on the same Redis: not ours.
        if (message.kind() == Clustr::Message::Kind::Unknown
            || (noHeartbeats && (message.isHeartbeat() || message.channel().startsWith(QLatin1String("sampling:")))))
            return;
        const qint64 pid = message.pid();
        // Across hosts, pids repeat: HOST:PID, as kill and send take it.
        const QString who = message.host().isEmpty() ? QString::number(pid) : message.host() + QLatin1Char(':') + QString::number(pid);
        const QString sender = pid > 0 ? QStringLiteral("%1/%2").arg(who, message.group()) : QStringLiteral("-");
        // The data as the sender wrote it; a payload that does not decode as it came.
        const QString data = QString::fromUtf8(pid > 0 ? message.dataJson() : raw);
        channelWidth = std::max(channelWidth, message.channel().size());
        senderWidth = std::max(senderWidth, sender.size());
        Cli::out(QStringLiteral("%1  %2  %3  %4")
                     .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")), message.channel().leftJustified(channelWidth),
                          sender.leftJustified(senderWidth), data));
    });
    const qint64 masterPid = client.masterPid();
    QObject::connect(&client, &Clustr::ClusterClient::clusterRunningChanged, &loop, [&](bool running) {
        if (running)
            Cli::err(QStringLiteral("%1 runs again (master pid %2)").arg(session.clusterLabel()).arg(client.masterPid()));
        else
            Cli::err(QStringLiteral("%1 is not running any more (master pid %2); still watching").arg(session.clusterLabel()).arg(masterPid));
    });
    QObject::connect(&client, &Clustr::ClusterClient::connectedChanged, &loop, [&](bool connected) {
        Cli::err(connected ? QStringLiteral("connected to Redis at %1 again").arg(session.displayUrl())
                           : QStringLiteral("lost Redis at %1; reconnecting").arg(session.displayUrl()));
    });

    client.watch(pattern);
    if (!session.waitUntil([&] { return client.isWatching(); }, 2000)) {
        Cli::err(QStringLiteral("Redis at %1 did not confirm the subscription to %2 within 2 s").arg(session.displayUrl(), pattern));
        return Cli::Failed;
    }
    // On stderr, so that stdout holds only messages: tells a user (and a
    // test) from when on nothing is missed.
    Cli::err(QStringLiteral("watching %1 of %2 at %3 (Ctrl-C stops)").arg(pattern, session.clusterLabel(), session.displayUrl()));
    return loop.exec();
}

} // namespace

bool isControlCommand(const QString &command)
{
    return findCommand(command) != nullptr;
}

QString help(const QString &command)
{
    const Command *found = findCommand(command);
    if (!found)
        return QString();
    return QString::fromUtf8(found->help) + CommonOptions;
}

int run(const QString &command, QStringList args)
{
    if (command == QLatin1String("restart"))
        return restart(std::move(args));
    if (command == QLatin1String("start"))
        return startGroup(std::move(args));
    if (command == QLatin1String("scale"))
        return scale(std::move(args));
    if (command == QLatin1String("status"))
        return status(std::move(args));
    if (command == QLatin1String("reload"))
        return reload(std::move(args));
    if (command == QLatin1String("stop"))
        return stop(std::move(args));
    if (command == QLatin1String("watch"))
        return watch(std::move(args));
    if (command == QLatin1String("logs"))
        return LogsCommand::run(std::move(args));
    if (isControlCommand(command))
        return message(command, std::move(args));
    Cli::err(QStringLiteral("unknown command \"%1\"").arg(command));
    return Cli::Usage;
}

} // namespace ControlCommands
