// SPDX-License-Identifier: MIT
// The commands that change what runs: each is a Clustr::ReloadJob made by
// the session's client, run with reload's progress display (reloadprogress.h).
// Their exit codes are documented in docs/CLI.md.
#include "operationcommands.h"

#include "cli.h"
#include "commandargs.h"
#include "controlsession.h"
#include "reloadprogress.h"

#include <ClustrQt/reloadjob.h>

#include <functional>
#include <memory>
#include <variant>

namespace ControlCommands {

namespace {

constexpr int DefaultRestartTimeout = 600; // as reload's: one step at a time
constexpr int DefaultGroupTimeout = 120;

struct Request
{
    QStringList arguments;
    int timeout = 0;
};

// --timeout and exactly \a count arguments (\a what names them for the error); the usage error's code if not.
std::variant<Request, int> parseRequest(const QString &command, QStringList args, int count, const QString &what, int defaultTimeout)
{
    const QStringList tail = splitPositionals(args);
    bool haveTimeout = false;
    const QString timeoutText = Cli::takeOption(args, QStringLiteral("timeout"), &haveTimeout);
    const auto rest = positionals(command, args, tail);
    if (!rest)
        return int(Cli::Usage);
    if (rest->size() != count)
        return usageError(command, QStringLiteral("%1 needs %2, got \"%3\"").arg(command, what, rest->join(QLatin1Char(' '))));
    Request request{*rest, defaultTimeout};
    if (haveTimeout) {
        const auto parsed = parseInteger(timeoutText, 1, 1000000);
        if (!parsed)
            return usageError(command, QStringLiteral("--timeout must be a number of seconds (1 or more), not \"%1\"").arg(timeoutText));
        request.timeout = *parsed;
    }
    return request;
}

std::optional<int> checkGroup(const QString &command, const QString &group)
{
    if (Clustr::isValidName(group))
        return std::nullopt;
    return usageError(command, QStringLiteral("invalid group \"%1\": 1 to 200 printable characters without spaces").arg(group));
}

using MakeJob = std::function<Clustr::ReloadJob *(Clustr::ClusterClient &)>;

// Connects \a session and runs the job \a make makes.
int runOperation(Session &session, int timeoutSeconds, const MakeJob &make)
{
    session.setPollInterval(std::chrono::milliseconds(250));
    if (const int code = session.connect(); code != Cli::Ok)
        return code;
    std::unique_ptr<Clustr::ReloadJob> job(make(session.client()));
    return runJob(session, *job, timeoutSeconds);
}

} // namespace

int restart(QStringList args)
{
    Session session(args);
    const auto parsed = parseRequest(QStringLiteral("restart"), args, 1, QStringLiteral("one TARGET: a GROUP, a PID or all"),
                                     DefaultRestartTimeout);
    if (const int *usage = std::get_if<int>(&parsed))
        return *usage;
    const Request request = std::get<Request>(parsed);
    const QString target = request.arguments.at(0);
    if (target == QLatin1String("all"))
        return runOperation(session, request.timeout, [](Clustr::ClusterClient &c) { return c.restartCluster(); });
    if (!target.isEmpty() && target.at(0).isDigit()) {
        const auto pid = parsePid(target);
        if (!pid)
            return usageError(QStringLiteral("restart"), QStringLiteral("PID must be a positive integer, not \"%1\"").arg(target));
        return runOperation(session, request.timeout, [pid](Clustr::ClusterClient &c) { return c.restartProcess(*pid); });
    }
    if (const auto usage = checkGroup(QStringLiteral("restart"), target))
        return *usage;
    return runOperation(session, request.timeout, [target](Clustr::ClusterClient &c) { return c.restartGroup(target); });
}

int startGroup(QStringList args)
{
    Session session(args);
    const auto parsed = parseRequest(QStringLiteral("start"), args, 1, QStringLiteral("one GROUP"), DefaultGroupTimeout);
    if (const int *usage = std::get_if<int>(&parsed))
        return *usage;
    const Request request = std::get<Request>(parsed);
    const QString group = request.arguments.at(0);
    if (const auto usage = checkGroup(QStringLiteral("start"), group))
        return *usage;
    return runOperation(session, request.timeout, [group](Clustr::ClusterClient &c) { return c.startGroup(group); });
}

int scale(QStringList args)
{
    Session session(args);
    const auto parsed = parseRequest(QStringLiteral("scale"), args, 2, QStringLiteral("GROUP and N"), DefaultGroupTimeout);
    if (const int *usage = std::get_if<int>(&parsed))
        return *usage;
    const Request request = std::get<Request>(parsed);
    const QString group = request.arguments.at(0);
    if (const auto usage = checkGroup(QStringLiteral("scale"), group))
        return *usage;
    const auto instances = parseInteger(request.arguments.at(1), 0, 1000);
    if (!instances)
        return usageError(QStringLiteral("scale"), QStringLiteral("N must be an integer from 0 to 1000, not \"%1\"").arg(request.arguments.at(1)));
    return runOperation(session, request.timeout, [group, n = *instances](Clustr::ClusterClient &c) { return c.scale(group, n); });
}

int stopGroup(Session &session, const QString &group, int timeoutSeconds)
{
    if (const auto usage = checkGroup(QStringLiteral("stop"), group))
        return *usage;
    return runOperation(session, timeoutSeconds, [group](Clustr::ClusterClient &c) { return c.stopGroup(group); });
}

} // namespace ControlCommands
