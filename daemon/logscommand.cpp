// SPDX-License-Identifier: MIT
// `clustr-qt logs`: reads the list of recent output lines `clustr-qt run`
// keeps (LogShipper, docs/PROTOCOL.md section 11) and, with -f, follows the
// channel it publishes them on. To miss nothing between the two, it
// subscribes first, then reads the list, and prints the lines that came in
// meanwhile only if their seq is newer than the list's last.
#include "logscommand.h"

#include "cli.h"
#include "commandargs.h"
#include "controlsession.h"
#include "logrecord.h"

#include <ClustrQt/unixsignalwatcher.h>

#include <QtCore/QEventLoop>
#include <QtCore/QSet>

#include <csignal>
#include <deque>
#include <optional>
#include <variant>

namespace LogsCommand {

namespace {

using ControlCommands::Session;
using ControlCommands::usageError;
using LogRecord::Entry;

const QString Command = QStringLiteral("logs");
constexpr int DefaultLines = 20;
// As many as a cluster file may have Redis keep (logs.recentLines).
constexpr int MaxLines = 10000;

struct Request
{
    bool follow = false;
    bool json = false;
    int lines = DefaultLines;
    QString target; // a group or a pid; empty: every worker
};

// -f, -n N and -nN are --follow, --lines N and --lines=N: rewritten before the options are read.
QStringList expandShortOptions(const QStringList &args)
{
    QStringList out;
    for (const QString &arg : args) {
        if (arg == QLatin1String("-f"))
            out.append(QStringLiteral("--follow"));
        else if (arg == QLatin1String("-n"))
            out.append(QStringLiteral("--lines"));
        else if (arg.startsWith(QLatin1String("-n")) && !arg.startsWith(QLatin1String("--")))
            out.append(QStringLiteral("--lines=") + arg.mid(2));
        else
            out.append(arg);
    }
    return out;
}

// The request, or the usage error's exit code (printed).
std::variant<Request, int> parse(QStringList &args, const QStringList &tail)
{
    Request request;
    request.follow = Cli::takeFlag(args, QStringLiteral("follow"));
    request.json = Cli::takeFlag(args, QStringLiteral("json"));
    bool haveLines = false;
    const QString linesText = Cli::takeOption(args, QStringLiteral("lines"), &haveLines);
    const auto rest = ControlCommands::positionals(Command, args, tail);
    if (!rest)
        return int(Cli::Usage);
    for (const QString &arg : *rest) {
        if (arg.startsWith(QLatin1Char('-')) && !tail.contains(arg))
            return usageError(Command, QStringLiteral("unknown option %1 for logs").arg(arg));
    }
    if (rest->size() > 1)
        return usageError(Command, QStringLiteral("logs takes at most one TARGET (a group or a pid), got \"%1\"").arg(rest->join(QLatin1Char(' '))));
    if (haveLines) {
        const auto parsed = ControlCommands::parseInteger(linesText, 0, MaxLines);
        if (!parsed)
            return usageError(Command, QStringLiteral("-n must be a number of lines from 0 to %1, not \"%2\"").arg(MaxLines).arg(linesText));
        request.lines = *parsed;
    }
    request.target = rest->value(0);
    return request;
}

// Which lines TARGET selects: a group's or a process'.
struct Filter
{
    QString group;
    qint64 pid = 0;
    bool matches(const Entry &entry) const
    {
        return pid > 0 ? entry.pid == pid : (group.isEmpty() || entry.group == group);
    }
};

/*
  TARGET as the running cluster knows it (its groups, its processes and the
  master's children) or as the kept lines name it (a process that exited);
  nothing if neither does.
*/
std::optional<Filter> resolve(const QString &target, const Clustr::ClusterStatus &status, const std::deque<Entry> &kept)
{
    if (target.isEmpty() || target == QLatin1String("all"))
        return Filter{};
    QSet<QString> groups;
    QSet<qint64> pids;
    const QMap<QString, int> instances = status.groupInstances(); // every spawn entry, stopped ones too
    for (auto it = instances.cbegin(); it != instances.cend(); ++it)
        groups.insert(it.key());
    for (const Clustr::ProcessStatus &process : status.processes()) {
        groups.insert(process.group());
        pids.insert(process.pid());
    }
    for (const Clustr::ChildInfo &child : status.children()) {
        groups.insert(child.group());
        pids.insert(child.pid());
    }
    for (const Entry &entry : kept) {
        groups.insert(entry.group);
        pids.insert(entry.pid);
    }
    if (groups.contains(target))
        return Filter{target, 0};
    if (const auto pid = ControlCommands::parsePid(target); pid && pids.contains(*pid))
        return Filter{QString(), *pid};
    return std::nullopt;
}

// Prints records as `TIME  GROUP[PID]  STREAM  TEXT`, the GROUP[PID] column as wide as the widest seen.
class Printer
{
public:
    explicit Printer(bool json) : m_json(json) {}

    void widen(const Entry &entry) { m_width = std::max(m_width, LogRecord::who(entry).size()); }
    void print(const Entry &entry)
    {
        if (m_json) {
            Cli::out(QString::fromUtf8(LogRecord::encode(entry)));
            return;
        }
        widen(entry);
        Cli::out(LogRecord::display(entry, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"), m_width));
    }

private:

    bool m_json;
    qsizetype m_width = 12;
};

// Appends \a entry to \a entries, keeping at most MaxLines (the oldest go).
void keepBounded(std::deque<Entry> &entries, Entry entry)
{
    entries.push_back(std::move(entry));
    if (entries.size() > size_t(MaxLines))
        entries.pop_front();
}

// What LRANGE answered: the records, or the exit code (the reason printed).
std::variant<std::deque<Entry>, int> readKept(Session &session, const QByteArray &key, int lines)
{
    Clustr::RedisClient *redis = session.client().publisher();
    std::optional<Clustr::RedisReply> answer;
    redis->command({QByteArrayLiteral("LRANGE"), key, QByteArray::number(-qint64(lines)), QByteArrayLiteral("-1")},
                   [&answer](const Clustr::RedisReply &reply) { answer = reply; });
    if (!session.waitUntil([&answer] { return answer.has_value(); }, 3000)) {
        Cli::err(QStringLiteral("Redis at %1 did not answer the read of the recent lines within 3 s").arg(session.displayUrl()));
        return int(Cli::Failed);
    }
    if (answer->isError()) {
        const QString text = QString::fromUtf8(answer->string);
        Cli::err(QStringLiteral("Redis at %1 refused to read the recent lines (%2): %3").arg(session.displayUrl(), QString::fromUtf8(key), text));
        return int(text.startsWith(QLatin1String("NOPERM")) ? Cli::PermissionDenied : Cli::Failed);
    }
    std::deque<Entry> entries;
    for (const Clustr::RedisReply &element : answer->elements) {
        if (auto entry = LogRecord::decode(element.string))
            keepBounded(entries, std::move(*entry));
    }
    return entries;
}

// Subscribes to the lines' channel; false (the reason printed) if Redis did not confirm it.
bool subscribe(Session &session, const QByteArray &channel)
{
    Clustr::RedisClient *subscriber = session.client().subscriber();
    bool confirmed = false;
    QObject context;
    QObject::connect(subscriber, &Clustr::RedisClient::subscribed, &context, [&](const QByteArray &name) {
        confirmed = confirmed || name == channel;
    });
    subscriber->subscribe(channel);
    if (session.waitUntil([&] { return confirmed || session.refusal() != Cli::Ok; }, 2000) && confirmed)
        return true;
    if (session.reportRefusal() == Cli::Ok)
        Cli::err(QStringLiteral("Redis at %1 did not confirm the subscription to %2 within 2 s").arg(session.displayUrl(), QString::fromUtf8(channel)));
    return false;
}

} // namespace

const char *help()
{
    return "usage: clustr-qt logs [TARGET] [-f|--follow] [-n|--lines N] [--json] [options]\n"
           "\n"
           "Prints the last output lines of the cluster's workers, oldest first, then\n"
           "with -f the new ones as they come, until Ctrl-C (or SIGTERM), then exits 0:\n"
           "  2026-12-02 08:01:02.345  web[4242]  out  listening on 8080\n"
           "TARGET (a GROUP or a PID) shows only that group's or process' lines (`all`,\n"
           "as for restart: every worker's); a process that exited counts while Redis\n"
           "still keeps lines of it.\n"
           "`clustr-qt run` keeps the last 1000 lines of the whole cluster in Redis\n"
           "(the cluster file's logs.recentLines), each cut at 4 KiB; per-worker log\n"
           "files (logs.directory) stay the complete record.\n"
           "\n"
           "  -f, --follow      keep printing new lines until Ctrl-C\n"
           "  -n, --lines N     how many recent lines, 0..10000 (default 20; -n 0 -f:\n"
           "                    only new ones)\n"
           "  --json            each line as the JSON record Redis keeps (docs/PROTOCOL.md)\n"
           "\n"
           "Exits 6 for a group or pid the cluster does not have.\n";
}

int run(QStringList args)
{
    args = expandShortOptions(args);
    const QStringList tail = ControlCommands::splitPositionals(args);
    Session session(args, Clustr::AccessControl::Role::Monitor); // reads only
    const auto parsed = parse(args, tail);
    if (const int *usage = std::get_if<int>(&parsed))
        return *usage;
    const Request request = std::get<Request>(parsed);

    if (const int code = session.connect(); code != Cli::Ok)
        return code;
    if (const int code = session.waitForStatus(); code != Cli::Ok)
        return code;
    const QString clusterNamespace = session.client().clusterName();
    const QByteArray key = LogRecord::key(clusterNamespace, QString(), Clustr::RedisClient::isClusterUrl(session.client().redisUrl()));
    const QByteArray channel = LogRecord::channel(clusterNamespace);

    // Subscribed first: what comes while the list is read waits here (bounded) until it is printed.
    std::deque<Entry> arrived;
    bool backlogPrinted = false;
    Printer printer(request.json);
    Filter filter;
    QObject listening; // ends the connection below before what it uses goes away
    if (request.follow) {
        QObject::connect(session.client().subscriber(), &Clustr::RedisClient::messageReceived, &listening,
                         [&](const QByteArray &from, const QByteArray &payload) {
            if (from != channel)
                return;
            auto entry = LogRecord::decode(payload);
            if (!entry)
                return;
            if (!backlogPrinted)
                keepBounded(arrived, std::move(*entry));
            else if (filter.matches(*entry))
                printer.print(*entry);
        });
        if (!subscribe(session, channel))
            return session.refusal() != Cli::Ok ? session.refusal() : int(Cli::Failed);
    }

    // With a TARGET, every kept line is read: the last N are counted among its own.
    const bool everyWorker = request.target.isEmpty() || request.target == QLatin1String("all");
    const int toRead = everyWorker ? request.lines : MaxLines;
    std::deque<Entry> kept;
    if (toRead > 0) {
        auto read = readKept(session, key, toRead);
        if (const int *failed = std::get_if<int>(&read))
            return *failed;
        kept = std::move(std::get<std::deque<Entry>>(read));
    }
    const auto resolved = resolve(request.target, session.client().status(), kept);
    if (!resolved) {
        Cli::err(QStringLiteral("%1 has no group or pid \"%2\" (clustr-qt status lists them)").arg(session.clusterLabel(), request.target));
        return Cli::NoSuchTarget;
    }
    filter = *resolved;

    std::deque<const Entry *> shown;
    for (const Entry &entry : kept) {
        if (!filter.matches(entry))
            continue;
        shown.push_back(&entry);
        if (shown.size() > size_t(request.lines))
            shown.pop_front();
    }
    for (const Entry *entry : shown)
        printer.widen(*entry);
    for (const Entry *entry : shown)
        printer.print(*entry);
    // Not silence: a master of an older clustr-qt, or `logs.recentLines: 0`, keeps none.
    if (kept.empty() && request.lines > 0)
        Cli::err(QStringLiteral("Redis keeps no output lines of %1 (none printed yet, or its cluster file's logs.recentLines is 0)")
                     .arg(session.clusterLabel()));
    if (!request.follow)
        return Cli::Ok;

    // The lines published while the list was read: those it did not have yet.
    const qint64 lastKept = kept.empty() ? 0 : kept.back().seq;
    for (const Entry &entry : arrived) {
        if (entry.seq > lastKept && filter.matches(entry))
            printer.print(entry);
    }
    arrived.clear();
    backlogPrinted = true;

    QEventLoop loop;
    // Ctrl-C is how following ends: a success.
    Clustr::UnixSignalWatcher unixSignals;
    unixSignals.watch(SIGINT);
    unixSignals.watch(SIGTERM);
    QObject::connect(&unixSignals, &Clustr::UnixSignalWatcher::signalReceived, &loop, [&loop] { loop.exit(Cli::Ok); });
    Clustr::ClusterClient &client = session.client();
    QObject::connect(&client, &Clustr::ClusterClient::clusterRunningChanged, &loop, [&](bool running) {
        Cli::err(running ? QStringLiteral("%1 runs again (master pid %2)").arg(session.clusterLabel()).arg(client.masterPid())
                         : QStringLiteral("%1 is not running any more; still following").arg(session.clusterLabel()));
    });
    QObject::connect(&client, &Clustr::ClusterClient::connectedChanged, &loop, [&](bool connected) {
        Cli::err(connected ? QStringLiteral("connected to Redis at %1 again").arg(session.displayUrl())
                           : QStringLiteral("lost Redis at %1; reconnecting (lines printed meanwhile are missed)").arg(session.displayUrl()));
    });
    // On stderr, so that stdout holds only lines: from now on nothing is missed.
    Cli::err(QStringLiteral("following the output of %1 at %2 (Ctrl-C stops)").arg(session.clusterLabel(), session.displayUrl()));
    return loop.exec();
}

} // namespace LogsCommand
