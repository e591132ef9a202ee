// SPDX-License-Identifier: MIT
// The control commands of `clustr-qt` end to end: the real binary, run as a
// subprocess for every command, against a real Redis and a real cluster (a
// master started with clustr-test-worker --master, or `clustr-qt run`).
#include "fakeredis.h"
#include "programrun.h"
#include "redisserver.h"
#include "testredis.h"
#include "registeredpids.h"
#include "testprocess.h"
#include "versionlines.h"

#include <ClustrQt/accesscontrol.h>
#include <ClustrQt/clusterclient.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtCore/QStandardPaths>
#include <QtCore/QSysInfo>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

#include <csignal>
#include <memory>
#include <sys/prctl.h>

using Clustr::ClusterClient;

namespace {

// Every run of the CLI: tests/common/programrun.h.
using CliRun = ProgramRun;

QJsonObject workerSpec(const QString &group, int instances = 1, const QJsonObject &extraArgs = {})
{
    QJsonObject args{{QStringLiteral("group"), group}, {QStringLiteral("no-stdin"), true}, {QStringLiteral("ready"), true}};
    for (auto it = extraArgs.begin(); it != extraArgs.end(); ++it)
        args.insert(it.key(), it.value());
    return {{QStringLiteral("file"), QStringLiteral("clustr-test-worker")},
            {QStringLiteral("instances"), instances},
            {QStringLiteral("args"), args}};
}

qint64 pidOf(const QJsonValue &value)
{
    return qint64(value.toObject().value(QStringLiteral("pid")).toDouble());
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void versionAndHelp();
    void completionScripts_data();
    void completionScripts();
    void everyOptionOfTheHelpIsCompleted();
    void bashCompletesCommandsOptionsAndFiles_data();
    void bashCompletesCommandsOptionsAndFiles();
    void badArguments_data();
    void badArguments();
    void redisUnreachable_data();
    void redisUnreachable();
    void redisDoesNotAnswer();
    void redisWantsAPassword();
    void discoveryNamesWhatItTried();
    void noClusterRunning_data();
    void noClusterRunning();
    void status();
    void messagesReachTheRightProcesses();
    void aMessageRedisDoesNotTakeFailsAfterItsBudget();
    void kill();
    void reload();
    void reloadWithATimedOutStep();
    void reloadWhenTheMasterGoesAway_data();
    void reloadWhenTheMasterGoesAway();
    void aMasterThatDoesNotAnswer();
    void stop();
    void watch();
    void watchHidesHeartbeatsUnlessAsked();
    void logs();
    void throughClustrQtRun();
    void findsTheEmbeddedRedis();
    void commandsRefusedByRedis();
    void keyReadsRefusedByRedis();
    void monitorRoleReadsButCannotCommand();
    void hostileRedisReplies_data();
    void hostileRedisReplies();
    void oversizedRecordsAreNotRead();

private:
    //! A Redis ACL user of m_redis with password "pw" and \a rules; its URL.
    QString aclUser(const QString &user, const QStringList &rules);
    /*!
      What `source <(clustr-qt completion bash)` offers in a real bash for
      \a line<TAB> (in \a directory): its completion function called with
      the words, the word count and the line as bash sets them; with
      \a wordsOnly without COMP_LINE, as older callers do.
    */
    QStringList bashCompletions(const QString &line, const QString &directory = QString(), bool wordsOnly = false);
    QProcessEnvironment environment() const;
    CliRun runCli(const QStringList &arguments, int timeoutMs = 30000,
                  const QProcessEnvironment &environment = QProcessEnvironment());
    //! A master with \a specs in namespace \a name, once all \a workers are registered and heartbeating.
    std::unique_ptr<TestProcess> startMaster(const QString &name, const QJsonArray &specs, int workers,
                                             const QStringList &extra = {});
    //! A master in namespace \a name with one ready worker of group web, whose pid \a worker gets.
    std::unique_ptr<TestProcess> startOneWorker(const QString &name, qint64 *worker);
    //! The pids of the registered processes, as the master's status lists them (waits for \a count).
    QList<qint64> registeredPids(const QString &name, int count, const QString &group = QString(),
                                 const QList<qint64> &excluding = {});
    //! Every worker of the master has received a public message with \a data (a barrier: what was sent before has arrived).
    bool publishBarrier(TestProcess &master, const QString &name, const QList<qint64> &workers, const QString &data);
    /*!
      Starts `clustr-qt run` in \a daemon on a cluster file in \a dir: \a cluster
      plus \a instances ready clustr-test-workers of group web, which
      `clustr-qt check` must accept first. The daemon dies with the test, and
      with \a daemon (QProcess kills it when destroyed).
    */
    void startRun(QProcess &daemon, const QTemporaryDir &dir, QJsonObject cluster, int instances, const QJsonArray &moreWorkers = {});
    //! `send PID` of a print command: \a pid prints \a text (\a count times, numbered), on stderr if asked.
    void printThrough(const QString &name, qint64 pid, const QString &text, int count = 0, bool onStderr = false);
    //! `logs ARGS` of cluster \a name until its output contains \a expected (bounded); that run.
    CliRun logsShowing(const QString &name, const QStringList &arguments, const QByteArray &expected);
    QStringList target(const QString &name) const
    {
        return {QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--cluster"), name};
    }

    TestRedis m_redis;          // one redis-server, or a Redis Cluster (tst_cli_rediscluster)
    RedisServer m_emptyRedis;   // never has a cluster
    QTemporaryDir m_runtimeDir; // XDG_RUNTIME_DIR of the CLI: no recorded Redis but ours
    int m_closedPort = 0;
    QString m_binary;
};

void tst_Cli::initTestCase()
{
    QString error;
    QVERIFY2(m_redis.start(&error), qPrintable(error));
    QVERIFY2(m_emptyRedis.start(&error), qPrintable(error));
    QVERIFY(m_runtimeDir.isValid());
    m_binary = buildBinary(QStringLiteral("clustr-qt"));
    QVERIFY2(QFile::exists(m_binary), qPrintable(m_binary + QStringLiteral(" is not built")));
    // A port nobody listens on: a server bound to it and closed again.
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        m_closedPort = server.serverPort();
    }
}

QProcessEnvironment tst_Cli::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("CLUSTR_REDIS"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtimeDir.path());
    // The 1.5 s a command gives Redis by default is a promise to a user at a
    // terminal; beside other sanitized tests on two cores, reading a large
    // record can take longer. redisDoesNotAnswer() checks the default.
    env.insert(QStringLiteral("CLUSTR_CONNECT_TIMEOUT"), QStringLiteral("30"));
    return env;
}

CliRun tst_Cli::runCli(const QStringList &arguments, int timeoutMs, const QProcessEnvironment &env)
{
    return runProgram(m_binary, arguments, env.isEmpty() ? environment() : env, timeoutMs);
}

std::unique_ptr<TestProcess> tst_Cli::startMaster(const QString &name, const QJsonArray &specs, int workers,
                                                  const QStringList &extra)
{
    auto master = std::make_unique<TestProcess>();
    QStringList args{QStringLiteral("--master"), QStringLiteral("--cluster-redis=") + m_redis.url(),
                     QStringLiteral("--reload-delay=0"),
                     QStringLiteral("--spawn=") + QString::fromUtf8(QJsonDocument(specs).toJson(QJsonDocument::Compact))};
    if (!name.isEmpty())
        args.append(QStringLiteral("--cluster-namespace=") + name);
    if (!master->startWorker(args + extra) || !master->waitForEvent(QStringLiteral("clusterStarted"), {}, 20000))
        return nullptr;
    if (registeredPids(name, workers).size() != workers)
        return nullptr;
    return master;
}

std::unique_ptr<TestProcess> tst_Cli::startOneWorker(const QString &name, qint64 *worker)
{
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 1)}, 1);
    *worker = master ? registeredPids(name, 1).value(0) : 0;
    return *worker > 0 ? std::move(master) : nullptr;
}

QList<qint64> tst_Cli::registeredPids(const QString &name, int count, const QString &group, const QList<qint64> &excluding)
{
    return waitForRegisteredPids(m_redis.url(), name, count, group, excluding, 15000);
}

bool tst_Cli::publishBarrier(TestProcess &master, const QString &name, const QList<qint64> &workers, const QString &data)
{
    const CliRun run = runCli(QStringList{QStringLiteral("publish"), data} + target(name));
    if (run.exitCode != 0)
        return false;
    return QTest::qWaitFor([&] {
        for (qint64 pid : workers) {
            if (master.count(QStringLiteral("message"), [&](const QJsonObject &e) {
                    return qint64(e.value(QStringLiteral("_from")).toDouble()) == pid
                        && e.value(QStringLiteral("data")).toString() == data;
                }) == 0)
                return false;
        }
        return true;
    }, 10000);
}

void tst_Cli::versionAndHelp()
{
    const CliRun version = runCli({QStringLiteral("--version")});
    QVERIFY2(version.finished && version.exitCode == 0, version.describe());
    // The first line is what scripts read; then what the program runs on.
    const QStringList lines = version.outLines();
    QVERIFY2(lines.size() == 5, version.describe());
    QCOMPARE(lines.mid(0, 4), expectedVersionLines(QStringLiteral("clustr-qt")));
    const QString redisServer = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    QVERIFY(!redisServer.isEmpty()); // the suite runs its own
    QVERIFY2(QRegularExpression(QStringLiteral("^redis-server [0-9][^ ]* \\(%1\\)$").arg(QRegularExpression::escape(redisServer)))
                 .match(lines.at(4)).hasMatch(), version.describe());
    QVERIFY(version.err.isEmpty());

    // The redis-server on PATH is asked, whichever it is; none is no failure.
    QTemporaryDir bin;
    QVERIFY(bin.isValid());
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("PATH"), bin.path());
    CliRun without = runCli({QStringLiteral("--version")}, 30000, env);
    QVERIFY2(without.finished && without.exitCode == 0, without.describe());
    QCOMPARE(without.outLines().value(4), QStringLiteral("redis-server: not found"));
    QFile fake(bin.filePath(QStringLiteral("redis-server")));
    QVERIFY(fake.open(QIODevice::WriteOnly));
    fake.write("#!/bin/sh\necho 'Redis server v=9.8.7 sha=00000000:0 malloc=libc bits=64 build=0'\n");
    fake.close();
    QVERIFY(fake.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    const CliRun other = runCli({QStringLiteral("version")}, 30000, env);
    QVERIFY2(other.finished && other.exitCode == 0, other.describe());
    QCOMPARE(other.outLines().value(4), QStringLiteral("redis-server 9.8.7 (%1)").arg(fake.fileName()));

    const CliRun overview = runCli({QStringLiteral("--help")});
    QVERIFY2(overview.exitCode == 0, overview.describe());
    const QStringList commands{QStringLiteral("status"), QStringLiteral("publish"), QStringLiteral("send"), QStringLiteral("group"),
                               QStringLiteral("kill"), QStringLiteral("reload"), QStringLiteral("stop"), QStringLiteral("watch")};
    for (const QString &command : commands) {
        QVERIFY2(overview.out.contains("  " + command.toUtf8() + ' '), overview.describe());
        const CliRun help = runCli({command, QStringLiteral("--help")});
        QVERIFY2(help.finished && help.exitCode == 0, help.describe());
        QVERIFY2(help.out.startsWith("usage: clustr-qt " + command.toUtf8()), help.describe());
        QVERIFY2(help.out.contains("--redis URL") && help.out.contains("--cluster NAME") && help.out.contains("Exit codes"),
                 help.describe());
        QVERIFY(help.err.isEmpty());
        // -h too, wherever it is.
        const CliRun shortHelp = runCli({command, QStringLiteral("x"), QStringLiteral("-h")});
        QCOMPARE(shortHelp.out, help.out);
    }
    QVERIFY(runCli({QStringLiteral("status"), QStringLiteral("--help")}).out.contains("--json"));
    QVERIFY(runCli({QStringLiteral("reload"), QStringLiteral("--help")}).out.contains("--no-wait"));
    QVERIFY(runCli({QStringLiteral("watch"), QStringLiteral("--help")}).out.contains("--channel PATTERN"));
    QVERIFY(runCli({QStringLiteral("stop"), QStringLiteral("--help")}).out.contains("--timeout SECONDS"));
}

QStringList tst_Cli::bashCompletions(const QString &line, const QString &directory, bool wordsOnly)
{
    const QString bash = QStandardPaths::findExecutable(QStringLiteral("bash"));
    if (bash.isEmpty())
        return {QStringLiteral("bash is not installed")};
    const QString script = QStringLiteral(
        "source <(\"$1\" completion bash) || exit 9\n"
        "complete -p clustr-qt >/dev/null || exit 8\n"
        "COMP_LINE=\"$1 $2\" COMP_POINT=$((${#1} + 1 + ${#2}))\n"
        "read -ra COMP_WORDS <<<\"$COMP_LINE\"\n"
        "[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')\n"
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
        "[[ $3 == words-only ]] && unset COMP_LINE COMP_POINT\n"
        "_clustr_qt || exit 7\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n");
    QProcess shell;
    shell.setProcessEnvironment(environment());
    if (!directory.isEmpty())
        shell.setWorkingDirectory(directory);
    shell.start(bash, {QStringLiteral("--norc"), QStringLiteral("--noprofile"), QStringLiteral("-c"), script, QStringLiteral("bash"), m_binary, line,
                       wordsOnly ? QStringLiteral("words-only") : QString()});
    if (!shell.waitForFinished(30000) || shell.exitCode() != 0)
        return {QStringLiteral("bash failed: exit %1: %2").arg(shell.exitCode()).arg(QString::fromUtf8(shell.readAllStandardError()))};
    QStringList words = QString::fromUtf8(shell.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    words.sort();
    return words;
}

void tst_Cli::completionScripts_data()
{
    QTest::addColumn<QString>("shell");
    QTest::addColumn<QStringList>("syntaxCheck");
    QTest::newRow("bash") << QStringLiteral("bash") << QStringList{QStringLiteral("bash"), QStringLiteral("-n")};
    QTest::newRow("zsh") << QStringLiteral("zsh") << QStringList{QStringLiteral("zsh"), QStringLiteral("-n")};
    QTest::newRow("fish") << QStringLiteral("fish") << QStringList{QStringLiteral("fish"), QStringLiteral("--no-execute")};
}

void tst_Cli::completionScripts()
{
    QFETCH(QString, shell);
    QFETCH(QStringList, syntaxCheck);
    const CliRun run = runCli({QStringLiteral("completion"), shell});
    QVERIFY2(run.finished && run.exitCode == 0 && run.err.isEmpty(), run.describe());
    // Every command, by its name as a word of the script.
    const QStringList commands{QStringLiteral("run"), QStringLiteral("check"), QStringLiteral("acl"), QStringLiteral("unit"),
                               QStringLiteral("completion"), QStringLiteral("ls"), QStringLiteral("status"), QStringLiteral("publish"),
                               QStringLiteral("send"), QStringLiteral("group"), QStringLiteral("kill"), QStringLiteral("reload"),
                               QStringLiteral("restart"), QStringLiteral("stop"), QStringLiteral("start"), QStringLiteral("scale"),
                               QStringLiteral("watch")};
    const QString text = QString::fromUtf8(run.out);
    for (const QString &command : commands)
        QVERIFY2(text.contains(QRegularExpression(QStringLiteral("(^|[^-\\w])%1([^-\\w]|$)").arg(command))), qPrintable(command));
    QVERIFY2(text.contains(QStringLiteral("complete-words")), "the running cluster's words come from clustr-qt");

    // The shell's own syntax check, where that shell is installed (it is not installed for this test).
    const QString program = QStandardPaths::findExecutable(syntaxCheck.first());
    if (program.isEmpty())
        QSKIP(qPrintable(syntaxCheck.first() + QStringLiteral(" is not installed")));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("completion"));
    QFile out(file);
    QVERIFY(out.open(QIODevice::WriteOnly) && out.write(run.out) == run.out.size());
    out.close();
    const ProgramRun check = runProgram(program, syntaxCheck.mid(1) << file, environment(), 30000);
    QVERIFY2(check.finished && check.exitCode == 0 && check.err.isEmpty(), check.describe());
}

// The completion knows the options each command's --help names, and no others: both come from the commands.
void tst_Cli::everyOptionOfTheHelpIsCompleted()
{
    const QStringList commands = bashCompletions(QString());
    QVERIFY2(commands.contains(QStringLiteral("status")) && commands.contains(QStringLiteral("unit")), qPrintable(commands.join(QLatin1Char(' '))));
    QVERIFY(!commands.contains(QStringLiteral("complete-words")));
    // Every command of the overview is completed.
    const CliRun overview = runCli({QStringLiteral("--help")});
    const QRegularExpression listed(QStringLiteral("^  ([a-z][a-z-]*) "));
    for (const QString &line : overview.outLines()) {
        if (const auto match = listed.match(line); match.hasMatch())
            QVERIFY2(commands.contains(match.captured(1)), qPrintable(line));
    }
    // Options in the usage line(s) and at the start of a line, not a mention in the text.
    const QRegularExpression optionLine(QStringLiteral("^(usage: |\\s+\\[|\\s*--)"));
    const QRegularExpression option(QStringLiteral("(?<![\\w-])--[a-z][a-z0-9-]*[a-z0-9](?![\\w-])"));
    for (const QString &command : commands) {
        if (command.startsWith(QLatin1String("--")) || command == QLatin1String("help") || command == QLatin1String("version"))
            continue;
        const CliRun help = runCli({command, QStringLiteral("--help")});
        QVERIFY2(help.exitCode == 0, help.describe());
        QSet<QString> documented{QStringLiteral("--help")};
        for (const QString &line : help.outLines()) {
            if (!optionLine.match(line).hasMatch())
                continue;
            for (auto it = option.globalMatch(line); it.hasNext();)
                documented.insert(it.next().captured());
        }
        const QStringList completed = bashCompletions(command + QStringLiteral(" --"));
        QCOMPARE(QSet<QString>(completed.cbegin(), completed.cend()), documented);
    }
}

void tst_Cli::bashCompletesCommandsOptionsAndFiles_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("wordsOnly");
    auto row = [](const char *name, const char *line, const QStringList &expected, bool wordsOnly = false) {
        QTest::newRow(name) << QString::fromUtf8(line) << expected << wordsOnly;
    };
    row("a command", "sta", {QStringLiteral("start"), QStringLiteral("status")});
    row("a command from COMP_WORDS alone", "sta", {QStringLiteral("start"), QStringLiteral("status")}, true);
    row("an option", "status --j", {QStringLiteral("--json")});
    row("an option after an argument", "check a.json --st", {QStringLiteral("--strict")});
    row("an unknown command", "frobnicate ", {});
    row("a shell", "completion ", {QStringLiteral("bash"), QStringLiteral("fish"), QStringLiteral("zsh")});
    row("only the first argument", "completion bash ", {});
    // In a directory with a.json, b.json, notes.txt and sub/.
    row("cluster files", "check ", {QStringLiteral("a.json"), QStringLiteral("b.json"), QStringLiteral("sub")});
    row("cluster files with a prefix", "unit a", {QStringLiteral("a.json")});
    row("after an option's value", "run --log-dir sub ", {QStringLiteral("a.json"), QStringLiteral("b.json"), QStringLiteral("sub")});
    row("a directory for --log-dir", "run a.json --log-dir ", {QStringLiteral("sub")});
    row("any file for --output", "acl a.json --output n", {QStringLiteral("notes.txt")});
    row("no file where DATA goes", "publish ", {});
}

void tst_Cli::bashCompletesCommandsOptionsAndFiles()
{
    QFETCH(QString, line);
    QFETCH(QStringList, expected);
    QFETCH(bool, wordsOnly);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const char *name : {"a.json", "b.json", "notes.txt"}) {
        QFile file(dir.filePath(QString::fromLatin1(name)));
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("sub")));
    QCOMPARE(bashCompletions(line, dir.path(), wordsOnly), expected);
}

void tst_Cli::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    auto row = [](const char *name, const QStringList &arguments, const char *message) {
        QTest::newRow(name) << arguments << QString::fromUtf8(message);
    };
    const QString s = QStringLiteral("send");
    const QString k = QStringLiteral("kill");
    row("send: PID not a number", {s, QStringLiteral("abc"), QStringLiteral("x")}, "PID must be a positive integer or HOST:PID, not \"abc\"");
    row("send: PID 0", {s, QStringLiteral("0"), QStringLiteral("x")}, "PID must be a positive integer or HOST:PID, not \"0\"");
    row("send: PID negative", {s, QStringLiteral("-5"), QStringLiteral("x")}, "PID must be a positive integer or HOST:PID, not \"-5\"");
    row("send: PID with sign", {s, QStringLiteral("+5"), QStringLiteral("x")}, "PID must be a positive integer");
    row("send: no DATA", {s, QStringLiteral("12")}, "send needs PID and DATA, got 1 argument");
    row("send: nothing", {s}, "send needs PID and DATA, got 0 arguments");
    row("kill: code too large", {k, QStringLiteral("12"), QStringLiteral("256")}, "CODE must be an integer from 0 to 255, not \"256\"");
    row("kill: code negative", {k, QStringLiteral("12"), QStringLiteral("-1")}, "CODE must be an integer from 0 to 255, not \"-1\"");
    row("kill: code not a number", {k, QStringLiteral("12"), QStringLiteral("x")}, "CODE must be an integer from 0 to 255");
    row("kill: PID not a number", {k, QStringLiteral("1.5")}, "PID must be a positive integer or HOST:PID, not \"1.5\"");
    row("kill: no PID", {k}, "kill needs PID and an optional CODE, got 0 arguments");
    row("kill: too many", {k, QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3")}, "kill needs PID and an optional CODE, got 3 arguments");
    row("publish: no DATA", {QStringLiteral("publish")}, "publish needs DATA");
    row("publish: two DATA", {QStringLiteral("publish"), QStringLiteral("a"), QStringLiteral("b")}, "publish takes one DATA argument, got 2");
    row("group: bad name", {QStringLiteral("group"), QStringLiteral("a b"), QStringLiteral("x")}, "invalid group \"a b\"");
    row("group: no DATA", {QStringLiteral("group"), QStringLiteral("web")}, "group needs GROUP and DATA, got 1 argument");
    row("status: unknown option", {QStringLiteral("status"), QStringLiteral("--bogus=1")}, "unknown option --bogus for status");
    row("status: an argument", {QStringLiteral("status"), QStringLiteral("extra")}, "status takes no arguments, got \"extra\"");
    row("status: --compact alone", {QStringLiteral("status"), QStringLiteral("--compact")}, "--compact goes with --json");
    row("reload: timeout 0", {QStringLiteral("reload"), QStringLiteral("--timeout"), QStringLiteral("0")}, "--timeout must be a number of seconds");
    row("reload: timeout text", {QStringLiteral("reload"), QStringLiteral("--timeout=soon")}, "--timeout must be a number of seconds (1 or more), not \"soon\"");
    row("stop: code too large", {QStringLiteral("stop"), QStringLiteral("--code"), QStringLiteral("300")}, "--code must be an integer from 0 to 255, not \"300\"");
    row("stop: two arguments", {QStringLiteral("stop"), QStringLiteral("now"), QStringLiteral("later")}, "stop takes at most one GROUP");
    row("watch: empty pattern", {QStringLiteral("watch"), QStringLiteral("--channel=")}, "--channel needs a PATTERN");
    row("watch: unknown option", {QStringLiteral("watch"), QStringLiteral("--pattern"), QStringLiteral("x")}, "unknown option --pattern for watch");
    row("logs: -n not a number", {QStringLiteral("logs"), QStringLiteral("-n"), QStringLiteral("many")}, "-n must be a number of lines from 0 to 10000, not \"many\"");
    row("logs: -n too large", {QStringLiteral("logs"), QStringLiteral("-n100001")}, "-n must be a number of lines from 0 to 10000, not \"100001\"");
    row("logs: two targets", {QStringLiteral("logs"), QStringLiteral("web"), QStringLiteral("api")}, "logs takes at most one TARGET (a group or a pid), got \"web api\"");
    row("logs: unknown short option", {QStringLiteral("logs"), QStringLiteral("-x")}, "unknown option -x for logs");
    row("logs: unknown option", {QStringLiteral("logs"), QStringLiteral("--tail")}, "unknown option --tail for logs");
    row("invalid Redis URL", {QStringLiteral("status"), QStringLiteral("--redis"), QStringLiteral("localhost:6379")}, "invalid Redis URL \"localhost:6379\": the scheme must be redis://, rediss://, redis-sentinel://, redis-cluster:// or unix:// (e.g. redis://127.0.0.1:6379) (from --redis)");
    row("invalid cluster name", {QStringLiteral("status"), QStringLiteral("--cluster"), QStringLiteral("a b")}, "invalid cluster name \"a b\"");
    row("unknown command", {QStringLiteral("frobnicate")}, "unknown command \"frobnicate\"");
    row("misspelt command", {QStringLiteral("stauts")}, "unknown command \"stauts\": did you mean status?");
    row("misspelt command, one letter", {QStringLiteral("relaod")}, "did you mean reload?");
    row("check: unknown option", {QStringLiteral("check"), QStringLiteral("cluster.json"), QStringLiteral("--strictly")},
        "unknown option --strictly for check");
    row("check: unknown option first", {QStringLiteral("check"), QStringLiteral("--bogus=1"), QStringLiteral("cluster.json")},
        "unknown option --bogus for check");
    row("check: two files", {QStringLiteral("check"), QStringLiteral("a.json"), QStringLiteral("b.json")},
        "check takes one cluster file, got 2: a.json b.json");
    row("check: no file", {QStringLiteral("check"), QStringLiteral("--strict")}, "check: which cluster file?");
    row("completion: no shell", {QStringLiteral("completion")}, "completion: which shell?");
    row("completion: unknown shell", {QStringLiteral("completion"), QStringLiteral("tcsh")},
        "no completion for the shell \"tcsh\" (supported: bash, zsh, fish)");
    row("completion: two shells", {QStringLiteral("completion"), QStringLiteral("bash"), QStringLiteral("zsh")}, "completion: which shell?");
    row("complete-words: unknown kind", {QStringLiteral("complete-words"), QStringLiteral("hosts")}, "expected clusters, groups or pids");
    row("misspelt new command", {QStringLiteral("completoin")}, "did you mean completion?");
    row("no command", {}, "no command given");
}

void tst_Cli::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    // Redis is unreachable: a command that got as far as connecting would exit 3, not 2.
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("CLUSTR_REDIS"), QStringLiteral("redis://127.0.0.1:%1").arg(m_closedPort));
    const CliRun run = runCli(arguments, 10000, env);
    QVERIFY2(run.finished && run.exitStatus == QProcess::NormalExit, run.describe());
    QVERIFY2(run.exitCode == 2, run.describe());
    QVERIFY2(run.err.startsWith("clustr-qt: "), run.describe());
    QVERIFY2(QString::fromUtf8(run.err).contains(message), run.describe());
}

void tst_Cli::redisUnreachable_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("status") << QStringList{QStringLiteral("status")};
    QTest::newRow("status --json") << QStringList{QStringLiteral("status"), QStringLiteral("--json")};
    QTest::newRow("publish") << QStringList{QStringLiteral("publish"), QStringLiteral("x")};
    QTest::newRow("send") << QStringList{QStringLiteral("send"), QStringLiteral("12"), QStringLiteral("x")};
    QTest::newRow("group") << QStringList{QStringLiteral("group"), QStringLiteral("web"), QStringLiteral("x")};
    QTest::newRow("kill") << QStringList{QStringLiteral("kill"), QStringLiteral("12")};
    QTest::newRow("reload") << QStringList{QStringLiteral("reload")};
    QTest::newRow("stop") << QStringList{QStringLiteral("stop")};
    QTest::newRow("watch") << QStringList{QStringLiteral("watch")};
    QTest::newRow("logs") << QStringList{QStringLiteral("logs")};
    QTest::newRow("logs -f web") << QStringList{QStringLiteral("logs"), QStringLiteral("-f"), QStringLiteral("web")};
}

void tst_Cli::redisUnreachable()
{
    QFETCH(QStringList, arguments);
    const QString url = QStringLiteral("redis://127.0.0.1:%1").arg(m_closedPort);

    // Given with --redis.
    CliRun run = runCli(arguments + QStringList{QStringLiteral("--redis"), url}, 10000);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QVERIFY2(run.out.isEmpty(), run.describe());
    QCOMPARE(run.err.count('\n'), 1);
    QCOMPARE(QString::fromUtf8(run.err).trimmed(),
             QStringLiteral("clustr-qt: cannot reach Redis at %1 (tried: --redis %1): Connection refused").arg(url));
    qInfo("%s, --redis: exit 3 after %lld ms", QTest::currentDataTag(), run.elapsedMs);

    // Found through CLUSTR_REDIS.
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("CLUSTR_REDIS"), url);
    run = runCli(arguments, 10000, env);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QCOMPARE(QString::fromUtf8(run.err).trimmed(),
             QStringLiteral("clustr-qt: cannot reach Redis at %1 (tried: CLUSTR_REDIS=%1): Connection refused").arg(url));

    // A unix socket that is not there.
    const QString socket = m_runtimeDir.filePath(QStringLiteral("no-such.sock"));
    run = runCli(arguments + QStringList{QStringLiteral("--redis"), QStringLiteral("unix://") + socket}, 10000);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QVERIFY2(run.err.contains("cannot reach Redis at unix://" + socket.toUtf8()) && run.err.contains("No such file or directory"),
             run.describe());

    // Whatever the scheme, the message never shows a password: neither where
    // it connects, nor among what it tried.
    for (const QString &secretUrl : {QStringLiteral("redis://:s3cret@127.0.0.1:%1").arg(m_closedPort),
                                     QStringLiteral("redis-cluster://:s3cret@127.0.0.1:%1").arg(m_closedPort),
                                     QStringLiteral("redis-sentinel://:s3cret@127.0.0.1:%1/m").arg(m_closedPort)}) {
        run = runCli(arguments + QStringList{QStringLiteral("--redis"), secretUrl}, 10000);
        QVERIFY2(run.finished && run.exitCode == 3, run.describe());
        QVERIFY2(!run.err.contains("s3cret") && run.err.contains(":***@"), run.describe());
    }
}

void tst_Cli::redisDoesNotAnswer()
{
    // Something listens but never speaks: the connection is accepted (by the
    // kernel's backlog), the handshake is never answered.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    const QString url = QStringLiteral("redis://127.0.0.1:%1").arg(silent.serverPort());
    const QStringList status{QStringLiteral("status"), QStringLiteral("--redis"), url};
    QProcessEnvironment env = environment();
    env.remove(QStringLiteral("CLUSTR_CONNECT_TIMEOUT"));
    CliRun run = runCli(status, 10000, env);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QCOMPARE(QString::fromUtf8(run.err),
             QStringLiteral("clustr-qt: cannot reach Redis at %1 (tried: --redis %1): no answer within 1.5 s\n").arg(url));
    qInfo("silent server: exit 3 after %lld ms", run.elapsedMs);

    // For a slow link: the budget from the environment.
    env.insert(QStringLiteral("CLUSTR_CONNECT_TIMEOUT"), QStringLiteral("0.3"));
    run = runCli(status, 10000, env);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QCOMPARE(QString::fromUtf8(run.err),
             QStringLiteral("clustr-qt: cannot reach Redis at %1 (tried: --redis %1): no answer within 0.3 s\n").arg(url));
    // A value that is no budget is said, and the default used.
    env.insert(QStringLiteral("CLUSTR_CONNECT_TIMEOUT"), QStringLiteral("soon"));
    run = runCli(status, 10000, env);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QCOMPARE(QString::fromUtf8(run.err),
             QStringLiteral("clustr-qt: ignoring CLUSTR_CONNECT_TIMEOUT=\"soon\": not a number of seconds above 0 and up to 3600 (waiting 1.5 s)\n"
                            "clustr-qt: cannot reach Redis at %1 (tried: --redis %1): no answer within 1.5 s\n").arg(url));
}

void tst_Cli::redisWantsAPassword()
{
    RedisServer::Options options;
    options.password = QStringLiteral("s3cret");
    RedisServer locked(options);
    QString error;
    QVERIFY2(locked.start(&error), qPrintable(error));

    // Without the password: said plainly, in one line.
    CliRun run = runCli({QStringLiteral("status"), QStringLiteral("--redis"), locked.url()}, 10000);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY2(run.err.startsWith("clustr-qt: cannot reach Redis at " + locked.url().toUtf8()) && run.err.contains("requires a password"), run.describe());

    // A wrong one: refused, and never shown.
    const QString wrong = QStringLiteral("redis://:wrong@127.0.0.1:%1").arg(locked.port());
    run = runCli({QStringLiteral("status"), QStringLiteral("--redis"), wrong}, 10000);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QVERIFY2(run.err.contains("refused the credentials") && !run.err.contains("wrong"), run.describe());
    QVERIFY2(run.err.contains(QStringLiteral("redis://:***@127.0.0.1:%1").arg(locked.port()).toUtf8()), run.describe());

    // The right one: it gets as far as looking for the cluster.
    run = runCli({QStringLiteral("status"), QStringLiteral("--redis"), QStringLiteral("redis://:s3cret@127.0.0.1:%1").arg(locked.port())}, 10000);
    QVERIFY2(run.finished && run.exitCode == 4 && !run.err.contains("s3cret"), run.describe());
}

void tst_Cli::discoveryNamesWhatItTried()
{
    // The embedded Redis a `clustr-qt run` recorded for the cluster, alive
    // (our pid owns the record) but unreachable.
    const QString url = QStringLiteral("redis://127.0.0.1:%1").arg(m_closedPort);
    // As `clustr-qt run` makes it: records elsewhere are not trusted (docs/SECURITY.md).
    QVERIFY(QDir(m_runtimeDir.path()).mkpath(QStringLiteral("clustr-qt")));
    QVERIFY(QFile::setPermissions(m_runtimeDir.filePath(QStringLiteral("clustr-qt")),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    const QString record = m_runtimeDir.filePath(QStringLiteral("clustr-qt/recorded.json"));
    {
        QFile file(record);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(QJsonObject{{QStringLiteral("pid"), double(QCoreApplication::applicationPid())},
                                             {QStringLiteral("redis"), url}}).toJson());
    }
    CliRun run = runCli({QStringLiteral("status"), QStringLiteral("--cluster"), QStringLiteral("recorded")}, 10000);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QCOMPARE(QString::fromUtf8(run.err).trimmed(),
             QStringLiteral("clustr-qt: cannot reach Redis at %1 (tried: CLUSTR_REDIS (not set), %2 -> %1): Connection refused").arg(url, record));
    qInfo("recorded Redis: exit 3 after %lld ms", run.elapsedMs);
    QFile::remove(record);

    // Nothing configured: the default 127.0.0.1:6379, which may or may not serve here.
    run = runCli({QStringLiteral("status"), QStringLiteral("--cluster"), QStringLiteral("nothing-recorded")}, 10000);
    QVERIFY2(run.finished && (run.exitCode == 3 || run.exitCode == 4), run.describe());
    QCOMPARE(run.err.count('\n'), 1);
    if (run.exitCode == 3) {
        QCOMPARE(QString::fromUtf8(run.err).trimmed(),
                 QStringLiteral("clustr-qt: cannot reach Redis at redis://127.0.0.1:6379 (tried: CLUSTR_REDIS (not set), "
                                "%1 (none), redis://127.0.0.1:6379): Connection refused; no cluster runs on this host's "
                                "embedded Redis: start one with: clustr-qt run CLUSTER.json")
                     .arg(m_runtimeDir.filePath(QStringLiteral("clustr-qt/nothing-recorded.json"))));
    } else {
        QVERIFY2(run.err.startsWith("clustr-qt: no cluster \"nothing-recorded\" is running at redis://127.0.0.1:6379"), run.describe());
    }
}

void tst_Cli::noClusterRunning_data()
{
    redisUnreachable_data();
}

void tst_Cli::noClusterRunning()
{
    QFETCH(QStringList, arguments);
    const QString url = m_emptyRedis.url();
    CliRun run = runCli(arguments + QStringList{QStringLiteral("--redis"), url, QStringLiteral("--cluster"), QStringLiteral("shop")}, 10000);
    QVERIFY2(run.finished && run.exitCode == 4, run.describe());
    QVERIFY2(run.out.isEmpty(), run.describe());
    QCOMPARE(QString::fromUtf8(run.err),
             QStringLiteral("clustr-qt: no cluster \"shop\" is running at %1 (start one with: clustr-qt run cluster.json)\n").arg(url));
    qInfo("%s, no cluster: exit 4 after %lld ms", QTest::currentDataTag(), run.elapsedMs);

    // Without a name, through CLUSTR_REDIS.
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("CLUSTR_REDIS"), url);
    run = runCli(arguments, 10000, env);
    QVERIFY2(run.finished && run.exitCode == 4, run.describe());
    QCOMPARE(QString::fromUtf8(run.err),
             QStringLiteral("clustr-qt: no unnamed cluster is running at %1 (start one with: clustr-qt run cluster.json)\n").arg(url));
}

void tst_Cli::status()
{
    const QString name = QStringLiteral("cli-status");
    const QJsonArray specs{
        workerSpec(QStringLiteral("web"), 2),
        // A program that never registers, shown apart.
        QJsonObject{{QStringLiteral("file"), QStringLiteral("clustr-test-child")}, {QStringLiteral("register"), false},
                    {QStringLiteral("group"), QStringLiteral("sleeper")},
                    {QStringLiteral("args"), QJsonObject{{QStringLiteral("pause"), QStringLiteral("600000")}}}},
    };
    auto master = startMaster(name, specs, 2);
    QVERIFY(master);
    const QList<qint64> workers = registeredPids(name, 2);
    QCOMPARE(workers.size(), 2);

    // The table.
    const CliRun table = runCli(QStringList{QStringLiteral("status")} + target(name));
    QVERIFY2(table.finished && table.exitCode == 0, table.describe());
    const QStringList lines = table.outLines();
    QVERIFY2(lines.value(0) == QStringLiteral("cluster \"cli-status\" at %1").arg(m_redis.url()), table.describe());
    QVERIFY2(lines.value(1).startsWith(QStringLiteral("master   pid %1 on ").arg(master->pid())), table.describe());
    QVERIFY2(lines.value(1).contains(QStringLiteral("running")) && lines.value(1).contains(QStringLiteral("2 workers")), table.describe());
    const int header = int(lines.indexOf(QRegularExpression(QStringLiteral("^GROUP +PID +HOST +PARENT +UPTIME +RESTARTS +STATE +CPUS +RSS +CPU% +LAST SEEN +SENT +RECV$"))));
    QVERIFY2(header > 0, table.describe());
    for (int i = 0; i < workers.size(); ++i) {
        const QStringList cells = lines.value(header + 1 + i).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        QVERIFY2(cells.size() >= 13, table.describe());
        QCOMPARE(cells.at(0), QStringLiteral("web"));
        QCOMPARE(cells.at(1).toLongLong(), workers.at(i));
        QCOMPARE(cells.at(3).toLongLong(), master->pid()); // PARENT
        QCOMPARE(cells.at(6), QStringLiteral("running"));
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9.]+[KMG]$")).match(cells.at(8)).hasMatch(), table.describe()); // RSS
    }
    QVERIFY2(table.out.contains("children of the master that are not registered:"), table.describe());
    QVERIFY2(QRegularExpression(QStringLiteral("\nsleeper +[0-9]+ +no +")).match(QString::fromUtf8(table.out)).hasMatch(), table.describe());

    // The JSON: the master's status snapshot.
    const CliRun json = runCli(QStringList{QStringLiteral("status"), QStringLiteral("--json")} + target(name));
    QVERIFY2(json.finished && json.exitCode == 0, json.describe());
    QJsonParseError error;
    const QJsonObject snapshot = QJsonDocument::fromJson(json.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonObject masterInfo = snapshot.value(QStringLiteral("master")).toObject();
    QCOMPARE(qint64(masterInfo.value(QStringLiteral("pid")).toDouble()), master->pid());
    QCOMPARE(masterInfo.value(QStringLiteral("name")).toString(), name);
    QCOMPARE(masterInfo.value(QStringLiteral("state")).toString(), QStringLiteral("running"));
    const QJsonArray processes = snapshot.value(QStringLiteral("processes")).toArray();
    QCOMPARE(processes.size(), 2);
    for (const QJsonValue &value : processes) {
        const QJsonObject p = value.toObject();
        QVERIFY(workers.contains(pidOf(p)));
        QCOMPARE(p.value(QStringLiteral("group")).toString(), QStringLiteral("web"));
        QCOMPARE(qint64(p.value(QStringLiteral("ppid")).toDouble()), master->pid());
        for (const char *key : {"host", "startedAt", "uptimeMs", "restarts", "state", "cpus", "rss", "cpu", "stats", "heartbeat", "lastSeenMs"})
            QVERIFY2(p.contains(QLatin1String(key)), key);
        QVERIFY(p.value(QStringLiteral("stats")).toObject().contains(QStringLiteral("onMessage")));
    }
    QCOMPARE(snapshot.value(QStringLiteral("clusterInfo")).toObject().value(QStringLiteral("web")).toArray().size(), 2);
    QCOMPARE(snapshot.value(QStringLiteral("children")).toArray().size(), 3);
    QVERIFY(!snapshot.value(QStringLiteral("updatedAt")).toString().isEmpty());

    // --compact: one line of the same document.
    const CliRun compact = runCli(QStringList{QStringLiteral("status"), QStringLiteral("--json"), QStringLiteral("--compact")} + target(name));
    QVERIFY2(compact.exitCode == 0 && compact.out.count('\n') == 1, compact.describe());
    QCOMPARE(QJsonDocument::fromJson(compact.out).object().value(QStringLiteral("processes")).toArray().size(), 2);

    // Found through CLUSTR_REDIS, with --cluster=NAME.
    QProcessEnvironment env = environment();
    env.insert(QStringLiteral("CLUSTR_REDIS"), m_redis.url());
    const CliRun viaEnvironment = runCli({QStringLiteral("status"), QStringLiteral("--cluster=") + name}, 30000, env);
    QVERIFY2(viaEnvironment.exitCode == 0 && viaEnvironment.out.contains(QByteArray::number(workers.at(0))), viaEnvironment.describe());

    // Completion asks the running cluster (with the --redis and --cluster typed) for its groups and pids.
    const QString cluster = QStringLiteral("--redis %1 --cluster %2 ").arg(m_redis.url(), name);
    // The groups of the spawn entries (named after the file here) and those the workers registered in.
    const QStringList groups{QStringLiteral("clustr-test-worker"), QStringLiteral("sleeper"), QStringLiteral("web")};
    QCOMPARE(bashCompletions(QStringLiteral("stop ") + cluster), groups);
    QCOMPARE(bashCompletions(QStringLiteral("scale ") + cluster + QStringLiteral("w")), QStringList{QStringLiteral("web")});
    QStringList pids{QString::number(workers.at(0)), QString::number(workers.at(1))};
    pids.sort();
    QCOMPARE(bashCompletions(QStringLiteral("send ") + cluster), pids);
    QStringList targets = pids + groups + QStringList{QStringLiteral("all")};
    targets.sort();
    QCOMPARE(bashCompletions(QStringLiteral("restart ") + cluster), targets);
    QVERIFY(bashCompletions(QStringLiteral("status --redis %1 --cluster cli-").arg(m_redis.url())).contains(name));
    QVERIFY(bashCompletions(QStringLiteral("status --redis %1 --cluster=cli-").arg(m_redis.url())).contains(name));
    // No cluster there: nothing to offer, and no error on the terminal.
    QCOMPARE(bashCompletions(QStringLiteral("stop --redis %1 ").arg(m_emptyRedis.url())), QStringList());

    // Another name on the same Redis: not found, but the running one is named.
    const CliRun other = runCli(QStringList{QStringLiteral("status")} + target(QStringLiteral("cli-other")));
    QVERIFY2(other.exitCode == 4, other.describe());
    QVERIFY2(other.err.contains("no cluster \"cli-other\" is running at " + m_redis.url().toUtf8()) && other.err.contains("\"cli-status\""),
             other.describe());
}

// Redis holds every PUBLISH (CLIENT PAUSE ... WRITE): the message is
// given 3 s to be answered, or the answer budget if that is longer, and
// then said to have failed; it is not given up on any sooner.
void tst_Cli::aMessageRedisDoesNotTakeFailsAfterItsBudget()
{
    if (m_redis.isCluster())
        QSKIP("CLIENT PAUSE WRITE holds a Redis Cluster's own writes too: the single server covers this");
    const QString name = QStringLiteral("cli-paused");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 1)}, 1);
    QVERIFY(master);
    const auto unpause = qScopeGuard([this] { m_redis.cli({QStringLiteral("CLIENT"), QStringLiteral("UNPAUSE")}); });
    for (const auto &[budget, givenMs] : {std::pair{"1.5", 3000}, std::pair{"4", 4000}}) {
        QProcessEnvironment env = environment();
        env.insert(QStringLiteral("CLUSTR_CONNECT_TIMEOUT"), QString::fromLatin1(budget));
        QCOMPARE(m_redis.cli({QStringLiteral("CLIENT"), QStringLiteral("PAUSE"), QStringLiteral("60000"), QStringLiteral("WRITE")}).trimmed(),
                 QByteArray("OK"));
        const CliRun run = runCli(QStringList{QStringLiteral("publish"), QStringLiteral("held")} + target(name), 60000, env);
        m_redis.cli({QStringLiteral("CLIENT"), QStringLiteral("UNPAUSE")});
        QVERIFY2(run.finished && run.exitCode == 1, run.describe());
        QVERIFY2(run.err.contains("the message on public may not have reached Redis at ") && run.err.contains(": ERR command timed out\n"),
                 run.describe());
        QVERIFY2(run.elapsedMs >= givenMs, run.describe());
    }
}

void tst_Cli::messagesReachTheRightProcesses()
{
    const QString name = QStringLiteral("cli-messages");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 2), workerSpec(QStringLiteral("cache"), 1)}, 3);
    QVERIFY(master);
    const QList<qint64> web = registeredPids(name, 2, QStringLiteral("web"));
    const QList<qint64> cache = registeredPids(name, 1, QStringLiteral("cache"));
    QCOMPARE(web.size(), 2);
    QCOMPARE(cache.size(), 1);
    const QList<qint64> all = web + cache;

    auto received = [&](qint64 pid, const QJsonValue &data, const QString &kind) {
        return master->count(QStringLiteral("message"), [&](const QJsonObject &e) {
            return qint64(e.value(QStringLiteral("_from")).toDouble()) == pid && e.value(QStringLiteral("data")) == data
                && e.value(QStringLiteral("kind")).toString() == kind && e.value(QStringLiteral("group")).toString() == QLatin1String("cli");
        });
    };

    // publish: every worker, JSON data.
    CliRun run = runCli(QStringList{QStringLiteral("publish"), QStringLiteral("{\"n\": 1, \"to\": \"all\"}")} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QCOMPARE(run.out, QByteArray("published to cluster \"cli-messages\": {\"n\": 1, \"to\": \"all\"}\n"));
    const QJsonObject toAll{{QStringLiteral("n"), 1}, {QStringLiteral("to"), QStringLiteral("all")}};
    QVERIFY(QTest::qWaitFor([&] { return std::all_of(all.cbegin(), all.cend(), [&](qint64 pid) { return received(pid, toAll, QStringLiteral("public")) == 1; }); }, 10000));

    // JSON data goes out as typed: key order and number spelling kept (no re-encoding).
    Clustr::RedisClient listener;
    listener.setUrl(m_redis.url());
    QVERIFY(listener.open());
    QByteArrayList heard;
    QObject::connect(&listener, &Clustr::RedisClient::patternMessageReceived,
                     [&heard](const QByteArray &, const QByteArray &, const QByteArray &payload) { heard << payload; });
    QSignalSpy listening(&listener, &Clustr::RedisClient::subscribed);
    listener.psubscribe(name.toUtf8() + ":*");
    QTRY_COMPARE_WITH_TIMEOUT(listening.size(), 1, 10000);
    const QByteArray typed = R"({"z": 1, "a": 2.50, "big": 12345678901234567890})";
    run = runCli(QStringList{QStringLiteral("publish"), QString::fromUtf8(typed)} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QCOMPARE(run.out, "published to cluster \"cli-messages\": " + typed + '\n');
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(heard.cbegin(), heard.cend(), [&](const QByteArray &p) { return p.endsWith(",\"data\":" + typed + '}'); }),
                             10000);

    // send: one worker only.
    run = runCli(QStringList{QStringLiteral("send"), QString::number(web.at(0)), QStringLiteral("\"only you\"")} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QCOMPARE(run.out, QStringLiteral("sent to %1 (web): \"only you\"\n").arg(web.at(0)).toUtf8());
    QVERIFY(run.err.isEmpty());

    // group: the cache group only, and the web group only. Plain text is a string.
    run = runCli(QStringList{QStringLiteral("group"), QStringLiteral("cache"), QStringLiteral("flush it")} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QCOMPARE(run.out, QByteArray("sent to group cache (1 process): \"flush it\"\n"));
    run = runCli(QStringList{QStringLiteral("group"), QStringLiteral("web"), QStringLiteral("42")} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QCOMPARE(run.out, QByteArray("sent to group web (2 processes): 42\n"));

    // What follows a lone "--" is DATA, even when it looks like an option.
    run = runCli(QStringList{QStringLiteral("publish")} + target(name) + QStringList{QStringLiteral("--"), QStringLiteral("--dashes")});
    QVERIFY2(run.exitCode == 0, run.describe());

    // Once every worker has the barrier, everything sent before has arrived where it was going to.
    QVERIFY(publishBarrier(*master, name, all, QStringLiteral("barrier")));
    QCOMPARE(received(web.at(0), QStringLiteral("only you"), QStringLiteral("private")), 1);
    QCOMPARE(received(web.at(1), QStringLiteral("only you"), QStringLiteral("private")), 0);
    QCOMPARE(received(cache.at(0), QStringLiteral("only you"), QStringLiteral("private")), 0);
    QCOMPARE(received(cache.at(0), QStringLiteral("flush it"), QStringLiteral("group")), 1);
    QCOMPARE(received(web.at(0), QStringLiteral("flush it"), QStringLiteral("group")), 0);
    QCOMPARE(received(web.at(1), QStringLiteral("flush it"), QStringLiteral("group")), 0);
    QCOMPARE(received(web.at(0), 42, QStringLiteral("group")), 1);
    QCOMPARE(received(web.at(1), 42, QStringLiteral("group")), 1);
    QCOMPARE(received(cache.at(0), 42, QStringLiteral("group")), 0);
    for (qint64 pid : all)
        QCOMPARE(received(pid, QStringLiteral("--dashes"), QStringLiteral("public")), 1);

    // To nobody: sent all the same, with a warning.
    run = runCli(QStringList{QStringLiteral("send"), QStringLiteral("999999999"), QStringLiteral("x")} + target(name));
    QVERIFY2(run.exitCode == 0 && run.out == "sent to 999999999: \"x\"\n", run.describe());
    QVERIFY2(run.err.contains("warning: 999999999 is not a registered process of cluster \"cli-messages\""), run.describe());
    run = runCli(QStringList{QStringLiteral("group"), QStringLiteral("nobody"), QStringLiteral("x")} + target(name));
    QVERIFY2(run.exitCode == 0 && run.err.contains("has no registered process in group \"nobody\""), run.describe());
}

void tst_Cli::kill()
{
    const QString name = QStringLiteral("cli-kill");
    qint64 victim = 0;
    auto master = startOneWorker(name, &victim);
    QVERIFY(master);

    const CliRun run = runCli(QStringList{QStringLiteral("kill"), QString::number(victim), QStringLiteral("3")} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QCOMPARE(run.out, QStringLiteral("asked %1 (web) to exit with code 3\n").arg(victim).toUtf8());

    // It exits with the code, and its parent starts it again (the code is not 0).
    QVERIFY(master->waitForEvent(QStringLiteral("childExited"), [victim](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("pid")).toDouble()) == victim && e.value(QStringLiteral("code")).toInt() == 3;
    }));
    QVERIFY(master->waitForEvent(QStringLiteral("childRespawned"), [victim](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("oldPid")).toDouble()) == victim;
    }));
    const QList<qint64> after = registeredPids(name, 1, QString(), {victim});
    QCOMPARE(after.size(), 1);
    QVERIFY(processGone(victim));

    // Without a CODE: 0, and a worker that exits with 0 stays down.
    const CliRun zero = runCli(QStringList{QStringLiteral("kill"), QString::number(after.at(0))} + target(name));
    QVERIFY2(zero.exitCode == 0 && zero.out.contains("with code 0"), zero.describe());
    QVERIFY(master->waitForEvent(QStringLiteral("childExited"), [&](const QJsonObject &e) {
        return qint64(e.value(QStringLiteral("pid")).toDouble()) == after.at(0) && e.value(QStringLiteral("code")).toInt() == 0;
    }));
}

void tst_Cli::reload()
{
    const QString name = QStringLiteral("cli-reload");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 2)}, 2);
    QVERIFY(master);
    const QList<qint64> before = registeredPids(name, 2);
    QCOMPARE(before.size(), 2);

    // stdout is a pipe here, not a terminal: plain lines.
    const CliRun run = runCli(QStringList{QStringLiteral("reload")} + target(name), 60000);
    QVERIFY2(run.finished && run.exitCode == 0, run.describe());
    QVERIFY2(!run.out.contains('\r') && !run.out.contains('\x1b'), run.describe());
    const QStringList lines = run.outLines();
    QVERIFY2(lines.value(0) == QStringLiteral("reload started: 2 steps"), run.describe());
    QVERIFY2(lines.constLast().startsWith(QStringLiteral("reloaded: 2 workers in ")), run.describe());
    const QRegularExpression finished(QStringLiteral("^step (\\d+)/(\\d+): (\\d+) -> (\\d+)$"));
    QList<qint64> replaced;
    QList<qint64> replacements;
    int lastStep = 0;
    for (const QString &line : lines) {
        const auto match = finished.match(line);
        if (!match.hasMatch())
            continue;
        QCOMPARE(match.captured(1).toInt(), lastStep + 1);
        QCOMPARE(match.captured(2).toInt(), 2);
        lastStep = match.captured(1).toInt();
        replaced.append(match.captured(3).toLongLong());
        replacements.append(match.captured(4).toLongLong());
    }
    QVERIFY2(lastStep == 2, run.describe());
    std::sort(replaced.begin(), replaced.end());
    QList<qint64> sortedBefore = before;
    std::sort(sortedBefore.begin(), sortedBefore.end());
    QCOMPARE(replaced, sortedBefore);
    QVERIFY(lines.contains(QStringLiteral("step 1/2: replacing %1 (web)").arg(before.at(0)))
            || lines.contains(QStringLiteral("step 1/2: replacing %1 (web)").arg(before.at(1))));
    QVERIFY(run.err.isEmpty());
    QVERIFY(QTest::qWaitFor([&] { return master->count(QStringLiteral("clusterReloaded")) == 1; }, 10000));

    // The status agrees: the replacements are what runs now.
    QList<qint64> now = registeredPids(name, 2, QString(), before);
    std::sort(now.begin(), now.end());
    std::sort(replacements.begin(), replacements.end());
    QCOMPARE(now, replacements);

    // --no-wait: asked, not followed; the master does it anyway.
    const CliRun noWait = runCli(QStringList{QStringLiteral("reload"), QStringLiteral("--no-wait")} + target(name));
    QVERIFY2(noWait.exitCode == 0, noWait.describe());
    QCOMPARE(noWait.out, QStringLiteral("reload requested from the master (pid %1) of cluster \"cli-reload\"\n").arg(master->pid()).toUtf8());
    QVERIFY(QTest::qWaitFor([&] { return master->count(QStringLiteral("clusterReloaded")) == 2; }, 30000));
}

void tst_Cli::reloadWithATimedOutStep()
{
    // The replacement takes 2.5 s to be ready, the master waits 0.5 s per step.
    const QString name = QStringLiteral("cli-slow");
    auto master = startMaster(name, {workerSpec(QStringLiteral("slow"), 1, {{QStringLiteral("ready"), false}, {QStringLiteral("ready-delay"), 2500}})}, 1,
                              {QStringLiteral("--reload-timeout=500")});
    QVERIFY(master);
    const qint64 old = registeredPids(name, 1).value(0);
    QVERIFY(old > 0);

    const CliRun run = runCli(QStringList{QStringLiteral("reload")} + target(name), 60000);
    QVERIFY2(run.finished && run.exitCode == 1, run.describe());
    const QString timedOut = QStringLiteral("step 1/1: timed out: no replacement of %1 (slow) became ready in time").arg(old);
    QVERIFY2(run.outLines().contains(timedOut), run.describe());
    QVERIFY2(run.outLines().constLast().startsWith(QStringLiteral("reloaded: ")), run.describe());
    QCOMPARE(QString::fromUtf8(run.err), QStringLiteral("clustr-qt: the reload finished, but 1 of its steps timed out: step 1/1: no replacement of %1 (slow) became ready in time\n").arg(old));
}

void tst_Cli::reloadWhenTheMasterGoesAway_data()
{
    QTest::addColumn<int>("signal");
    QTest::addColumn<QString>("reason");
    // SIGTERM: the master stops gracefully and says so; SIGKILL: its announcement expires.
    QTest::newRow("stopped") << int(SIGTERM) << QStringLiteral("the cluster is stopping (exit code 15); the reload is abandoned (at step 1/1)");
    QTest::newRow("killed") << int(SIGKILL) << QStringLiteral("went away during the reload (at step 1/1)");
}

void tst_Cli::reloadWhenTheMasterGoesAway()
{
    QFETCH(int, signal);
    QFETCH(QString, reason);
    // A replacement that takes long to be ready keeps the reload at its step.
    const QString name = QStringLiteral("cli-away-%1").arg(signal);
    auto master = startMaster(name, {workerSpec(QStringLiteral("slow"), 1, {{QStringLiteral("ready"), false}, {QStringLiteral("ready-delay"), 1500}})}, 1,
                              {QStringLiteral("--reload-timeout=60000")});
    QVERIFY(master);

    QProcess reload;
    reload.setProcessEnvironment(environment());
    reload.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    reload.start(m_binary, QStringList{QStringLiteral("reload")} + target(name));
    QByteArray out;
    QVERIFY(QTest::qWaitFor([&] { out += reload.readAllStandardOutput(); return out.contains("step 1/1: replacing"); }, 10000));
    master->signal(signal);
    QVERIFY(QTest::qWaitFor([&] { return reload.state() == QProcess::NotRunning; }, 10000));
    QCOMPARE(reload.exitCode(), 1);
    const QByteArray err = reload.readAllStandardError();
    QVERIFY2(err.startsWith("clustr-qt: ") && err.contains(reason.toUtf8()) && err.count('\n') == 1, err.constData());
}

void tst_Cli::aMasterThatDoesNotAnswer()
{
    // An announcement without a master behind it (a master frozen with
    // SIGSTOP looks the same until its keys expire): this test process's pid.
    const QString name = QStringLiteral("cli-frozen");
    const QByteArray announcement = QJsonDocument(QJsonObject{
        {QStringLiteral("pid"), double(QCoreApplication::applicationPid())}, {QStringLiteral("host"), QSysInfo::machineHostName()},
        {QStringLiteral("name"), name}, {QStringLiteral("namespace"), name}, {QStringLiteral("state"), QStringLiteral("running")}}).toJson(QJsonDocument::Compact);
    const QString key = m_redis.clusterKey(name, QStringLiteral("master"));
    QCOMPARE(m_redis.keyCli({QStringLiteral("SET"), key, QString::fromUtf8(announcement), QStringLiteral("PX"), QStringLiteral("60000")}).trimmed(),
             QByteArray("OK"));
    auto cleanup = qScopeGuard([&] { m_redis.keyCli({QStringLiteral("DEL"), key}); });

    // Nobody starts the reload.
    CliRun run = runCli(QStringList{QStringLiteral("reload")} + target(name), 20000);
    QVERIFY2(run.finished && run.exitCode == 1, run.describe());
    QCOMPARE(QString::fromUtf8(run.err), QStringLiteral("clustr-qt: the master (pid %1) did not start a reload within 5 s\n").arg(QCoreApplication::applicationPid()));
    QVERIFY2(run.elapsedMs >= 4500, run.describe()); // it waited the 5 s (Qt's coarse timers may fire 5 % early)

    // Nobody stops.
    run = runCli(QStringList{QStringLiteral("stop"), QStringLiteral("--timeout"), QStringLiteral("1")} + target(name), 20000);
    QVERIFY2(run.finished && run.exitCode == 1, run.describe());
    QVERIFY2(run.err.contains("is still running after 1 s"), run.describe());
}

void tst_Cli::stop()
{
    const QString name = QStringLiteral("cli-stop");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 1)}, 1);
    QVERIFY(master);
    const qint64 worker = registeredPids(name, 1).value(0);

    const CliRun run = runCli(QStringList{QStringLiteral("stop"), QStringLiteral("--code"), QStringLiteral("7")} + target(name));
    QVERIFY2(run.finished && run.exitCode == 0, run.describe());
    // It returned once the master was gone, not before.
    QVERIFY(processGone(master->pid()));
    QCOMPARE(run.out, QStringLiteral("stopped cluster \"cli-stop\": its master (pid %1 on %2) is gone\n")
                          .arg(master->pid()).arg(QSysInfo::machineHostName()).toUtf8());
    QVERIFY(master->waitForFinished(10000));
    QCOMPARE(master->exitCode(), 7);
    QVERIFY(QTest::qWaitFor([worker] { return processGone(worker); }, 10000));

    // And it is gone for the CLI too.
    const CliRun after = runCli(QStringList{QStringLiteral("status")} + target(name));
    QVERIFY2(after.exitCode == 4, after.describe());
}

void tst_Cli::watch()
{
    const QString name = QStringLiteral("cli-watch");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 1)}, 1);
    QVERIFY(master);

    for (int signum : {SIGINT, SIGTERM}) {
        QProcess watcher;
        watcher.setProcessEnvironment(environment());
        watcher.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        watcher.start(m_binary, QStringList{QStringLiteral("watch"), QStringLiteral("--channel"), QStringLiteral("group:*")} + target(name));
        QVERIFY(watcher.waitForStarted(10000));
        QByteArray out;
        QByteArray err;
        auto read = [&] {
            out += watcher.readAllStandardOutput();
            err += watcher.readAllStandardError();
        };
        // It says when it listens, on stderr.
        QVERIFY2(QTest::qWaitFor([&] { read(); return err.contains("watching group:* of cluster \"cli-watch\""); }, 5000), err.constData());

        CliRun run = runCli(QStringList{QStringLiteral("publish"), QStringLiteral("not for the watch")} + target(name));
        QVERIFY2(run.exitCode == 0, run.describe());
        run = runCli(QStringList{QStringLiteral("group"), QStringLiteral("web"), QStringLiteral("{\"w\": [1, 2]}")} + target(name));
        QVERIFY2(run.exitCode == 0, run.describe());
        QVERIFY2(QTest::qWaitFor([&] { read(); return out.contains("{\"w\": [1, 2]}"); }, 5000), out.constData());

        const QStringList lines = QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1); // the public message is not on a group channel
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  group:web +\\d+/cli +\\{\"w\": \\[1, 2\\]\\}$")) // as it was sent
                     .match(lines.at(0)).hasMatch(),
                 qPrintable(lines.at(0)));
        // A sender on another host of a cluster across hosts (meta.host) is HOST:PID.
        m_redis.keyCli({QStringLiteral("PUBLISH"), name + QStringLiteral(":group:web"),
                     QStringLiteral(R"({"meta":{"pid":4244,"group":"far","host":"h2"},"data":"from h2"})")});
        QVERIFY2(QTest::qWaitFor([&] { read(); return out.contains("from h2"); }, 5000), out.constData());
        QVERIFY2(QRegularExpression(QStringLiteral("  group:web +h2:4244/far +\"from h2\"\n")).match(QString::fromUtf8(out)).hasMatch(), out.constData());

        ::kill(pid_t(watcher.processId()), signum);
        QVERIFY(QTest::qWaitFor([&] { return watcher.state() == QProcess::NotRunning; }, 5000));
        QCOMPARE(watcher.exitStatus(), QProcess::NormalExit);
        QCOMPARE(watcher.exitCode(), 0);
    }
}

// Heartbeats and requests for figures are left out unless asked for.
void tst_Cli::watchHidesHeartbeatsUnlessAsked()
{
    const QString name = QStringLiteral("cli-beats");
    auto master = startMaster(name, {workerSpec(QStringLiteral("web"), 1)}, 1);
    QVERIFY(master);
    struct Watcher
    {
        QProcess process;
        QByteArray out;
        QByteArray err;
        void read()
        {
            out += process.readAllStandardOutput();
            err += process.readAllStandardError();
        }
    };
    Watcher quiet;
    Watcher all;
    for (auto [watcher, extra] : {std::pair{&quiet, QStringList{}}, std::pair{&all, QStringList{QStringLiteral("--all")}}}) {
        watcher->process.setProcessEnvironment(environment());
        watcher->process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        watcher->process.start(m_binary, QStringList{QStringLiteral("watch")} + extra + target(name));
        QVERIFY(watcher->process.waitForStarted(10000));
        // Each listens before the next starts: what the second sees, the first saw too.
        QVERIFY2(QTest::qWaitFor([&] { watcher->read(); return watcher->err.contains("watching * of"); }, 5000), watcher->err.constData());
    }
    // An idle cluster heartbeats only when asked: status asks for figures.
    const CliRun asked = runCli(QStringList{QStringLiteral("status")} + target(name));
    QVERIFY2(asked.exitCode == 0, asked.describe());
    QVERIFY2(QTest::qWaitFor([&] { all.read(); return all.out.contains("  heartbeat:") && all.out.contains("  sampling:"); }, 10000), all.out.constData());
    const CliRun run = runCli(QStringList{QStringLiteral("publish"), QStringLiteral("after a heartbeat")} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QVERIFY2(QTest::qWaitFor([&] { quiet.read(); return quiet.out.contains("after a heartbeat"); }, 5000), quiet.out.constData());
    QVERIFY2(!quiet.out.contains("heartbeat:") && !quiet.out.contains("sampling:"), quiet.out.constData());
    for (Watcher *watcher : {&quiet, &all}) {
        watcher->process.terminate();
        QVERIFY(watcher->process.waitForFinished(5000));
    }
}

void tst_Cli::startRun(QProcess &daemon, const QTemporaryDir &dir, QJsonObject cluster, int instances, const QJsonArray &moreWorkers)
{
    QJsonArray workers;
    QJsonArray specs = moreWorkers;
    specs.prepend(workerSpec(QStringLiteral("web"), instances));
    for (const QJsonValue &entry : std::as_const(specs)) {
        QJsonObject spec = entry.toObject();
        spec.insert(QStringLiteral("file"), buildBinary(QStringLiteral("clustr-test-worker")));
        // The spawn entry's group (its output's and log's) is the one the worker registers under.
        spec.insert(QStringLiteral("group"), spec.value(QStringLiteral("args")).toObject().value(QStringLiteral("group")));
        workers.append(spec);
    }
    cluster.insert(QStringLiteral("workers"), workers);
    const QString file = dir.filePath(QStringLiteral("cluster.json"));
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QVERIFY(out.write(QJsonDocument(cluster).toJson()) > 0);
    }
    const CliRun check = runCli({QStringLiteral("check"), file});
    QVERIFY2(check.exitCode == 0, check.describe());

    daemon.setProcessEnvironment(environment());
    daemon.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    daemon.setProcessChannelMode(QProcess::MergedChannels);
    daemon.start(m_binary, {QStringLiteral("run"), file});
    QVERIFY(daemon.waitForStarted(10000));
}

void tst_Cli::printThrough(const QString &name, qint64 pid, const QString &text, int count, bool onStderr)
{
    const QJsonObject command{{QStringLiteral("cmd"), QStringLiteral("print")}, {QStringLiteral("text"), text},
                              {QStringLiteral("count"), count}, {QStringLiteral("stderr"), onStderr}};
    const CliRun run = runCli(QStringList{QStringLiteral("send"), QString::number(pid),
                                          QString::fromUtf8(QJsonDocument(command).toJson(QJsonDocument::Compact))} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
}

CliRun tst_Cli::logsShowing(const QString &name, const QStringList &arguments, const QByteArray &expected)
{
    CliRun run;
    // The run that showed it, or the last one (which the caller's checks then fail on).
    (void)QTest::qWaitFor([&] {
        run = runCli(QStringList{QStringLiteral("logs")} + arguments + target(name));
        return run.exitCode != 0 || run.out.contains(expected);
    }, 10000);
    return run;
}

// The workers' output as `clustr-qt run` keeps it in Redis: recent lines with
// who printed them, by group or pid, bounded in count and length, followed live.
void tst_Cli::logs()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString name = QStringLiteral("cli-logs");
    const int kept = 30;
    QProcess daemon;
    startRun(daemon, dir, {{QStringLiteral("name"), name}, {QStringLiteral("redis"), m_redis.url()},
                           {QStringLiteral("logs"), QJsonObject{{QStringLiteral("recentLines"), kept}}}},
             1, {workerSpec(QStringLiteral("api"), 1)});
    if (QTest::currentTestFailed())
        return;
    const qint64 web = registeredPids(name, 1, QStringLiteral("web")).value(0);
    const qint64 api = registeredPids(name, 1, QStringLiteral("api")).value(0);
    QVERIFY2(web > 0 && api > 0, daemon.readAll().constData());
    // The test worker also prints each command it gets as an event line: lines are looked for, not counted.
    const auto printed = [](const QByteArray &out, const QString &group, qint64 pid, const char *stream, const QString &text) {
        return QRegularExpression(QStringLiteral("(^|\\n)[-0-9 :.]{23}  %1\\[%2\\] *  %3  %4\\n")
                                      .arg(group).arg(pid).arg(QLatin1String(stream), QRegularExpression::escape(text)))
            .match(QString::fromUtf8(out)).hasMatch();
    };

    // What each worker printed, with when, who and which stream.
    printThrough(name, web, QStringLiteral("hello from web"));
    printThrough(name, api, QStringLiteral("trouble in api"), 0, true);
    CliRun run = logsShowing(name, {}, "trouble in api");
    QVERIFY2(run.exitCode == 0 && run.out.contains("hello from web"), run.describe());
    const QRegularExpression lineFormat(QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}  (web|api)\\[\\d+\\] *  (out|err)  .*$"));
    for (const QString &line : run.outLines())
        QVERIFY2(lineFormat.match(line).hasMatch(), qPrintable(line));
    QVERIFY2(printed(run.out, QStringLiteral("web"), web, "out", QStringLiteral("hello from web")), run.describe());
    QVERIFY2(printed(run.out, QStringLiteral("api"), api, "err", QStringLiteral("trouble in api")), run.describe());

    // A group, a pid, and what the cluster does not have.
    run = runCli(QStringList{QStringLiteral("logs"), QStringLiteral("web")} + target(name));
    QVERIFY2(run.exitCode == 0 && run.out.contains("hello from web") && !run.out.contains("api["), run.describe());
    run = runCli(QStringList{QStringLiteral("logs"), QString::number(api)} + target(name));
    QVERIFY2(run.exitCode == 0 && run.out.contains("trouble in api") && !run.out.contains("web["), run.describe());
    for (const QString &unknown : {QStringLiteral("nosuchgroup"), QStringLiteral("999999999")}) {
        run = runCli(QStringList{QStringLiteral("logs"), unknown} + target(name));
        QVERIFY2(run.exitCode == 6 && run.out.isEmpty(), run.describe());
        QVERIFY2(run.err.contains("cluster \"cli-logs\" has no group or pid \"" + unknown.toUtf8() + "\""), run.describe());
    }
    run = runCli(QStringList{QStringLiteral("logs"), QStringLiteral("-n"), QStringLiteral("1"), QStringLiteral("web")} + target(name));
    QVERIFY2(run.exitCode == 0 && run.outLines().size() == 1 && run.out.contains("hello from web"), run.describe());
    run = runCli(QStringList{QStringLiteral("logs"), QStringLiteral("--json"), QString::number(api)} + target(name));
    QVERIFY2(run.exitCode == 0, run.describe());
    QJsonObject record;
    for (const QString &line : run.outLines()) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        QVERIFY2(!object.isEmpty(), qPrintable(line));
        if (object.value(QStringLiteral("stream")).toString() == QLatin1String("err"))
            record = object;
    }
    QCOMPARE(record.value(QStringLiteral("text")).toString(), QStringLiteral("trouble in api"));
    QCOMPARE(record.value(QStringLiteral("stream")).toString(), QStringLiteral("err"));
    QCOMPARE(record.value(QStringLiteral("group")).toString(), QStringLiteral("api"));
    QCOMPARE(qint64(record.value(QStringLiteral("pid")).toDouble()), api);
    QVERIFY(record.value(QStringLiteral("seq")).toDouble() > 0 && record.value(QStringLiteral("time")).toDouble() > 0);

    // Redis keeps the last `recentLines`, each cut at 4 KiB.
    printThrough(name, web, QStringLiteral("bulk"), kept + 20);
    run = logsShowing(name, {QStringLiteral("-n"), QStringLiteral("10000")}, QByteArray("bulk ") + QByteArray::number(kept + 20) + '\n');
    QVERIFY2(run.exitCode == 0 && run.outLines().size() == kept && !run.out.contains("hello from web"), run.describe());
    const QString key = m_redis.clusterKey(name, QStringLiteral("logs"));
    QCOMPARE(m_redis.keyCli({QStringLiteral("LLEN"), key}).trimmed(), QByteArray::number(kept));
    printThrough(name, api, QString(10000, QLatin1Char('x')));
    run = logsShowing(name, {QStringLiteral("-n2"), QStringLiteral("api")}, "[truncated from 10000 bytes]");
    QVERIFY2(run.exitCode == 0 && run.out.contains(' ' + QByteArray(4096, 'x') + " [truncated from 10000 bytes]\n"), run.describe());

    // -f: the last lines, then a line printed after it started, each once.
    QProcess follower;
    follower.setProcessEnvironment(environment());
    follower.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    follower.start(m_binary, QStringList{QStringLiteral("logs"), QStringLiteral("-f"), QStringLiteral("-n"), QStringLiteral("2"),
                                         QStringLiteral("web")} + target(name));
    QVERIFY(follower.waitForStarted(10000));
    QByteArray out;
    QByteArray err;
    auto read = [&] {
        out += follower.readAllStandardOutput();
        err += follower.readAllStandardError();
    };
    QVERIFY2(QTest::qWaitFor([&] { read(); return err.contains("following the output of cluster \"cli-logs\"") && out.count('\n') >= 2; }, 5000),
             err + out);
    QCOMPARE(out.count('\n'), 2);
    QVERIFY2(out.contains("bulk " + QByteArray::number(kept + 20) + '\n'), out.constData());
    printThrough(name, api, QStringLiteral("not for the follower"));
    printThrough(name, web, QStringLiteral("live from web"));
    QVERIFY2(QTest::qWaitFor([&] { read(); return printed(out, QStringLiteral("web"), web, "out", QStringLiteral("live from web")); }, 5000),
             out.constData());
    const qsizetype liveLines = out.count("  out  live from web\n");
    ::kill(pid_t(follower.processId()), SIGINT);
    QVERIFY(QTest::qWaitFor([&] { return follower.state() == QProcess::NotRunning; }, 5000));
    read();
    QCOMPARE(follower.exitStatus(), QProcess::NormalExit);
    QCOMPARE(follower.exitCode(), 0);
    QVERIFY2(!out.contains("not for the follower"), out.constData());
    QCOMPARE(out.count("  out  live from web\n"), liveLines); // once, and nothing after
    QCOMPARE(liveLines, qsizetype(1));

    // The lines go with the cluster, as the master's keys do.
    run = runCli(QStringList{QStringLiteral("stop")} + target(name), 70000);
    QVERIFY2(run.exitCode == 0, run.describe());
    QVERIFY(QTest::qWaitFor([&daemon] { return daemon.state() == QProcess::NotRunning; }, 10000));
    QCOMPARE(m_redis.keyCli({QStringLiteral("EXISTS"), key}).trimmed(), QByteArray("0"));
}

void tst_Cli::throughClustrQtRun()
{
    // A cluster run by `clustr-qt run` itself, driven by the control commands.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess daemon;
    startRun(daemon, dir, {{QStringLiteral("name"), QStringLiteral("cli-run")},
                           {QStringLiteral("redis"), m_redis.url()},
                           {QStringLiteral("reloadDelay"), 0}}, 2);
    if (QTest::currentTestFailed())
        return;
    const QList<qint64> workers = registeredPids(QStringLiteral("cli-run"), 2);
    QVERIFY2(workers.size() == 2, daemon.readAll().constData());

    const CliRun json = runCli(QStringList{QStringLiteral("status"), QStringLiteral("--json")} + target(QStringLiteral("cli-run")));
    QVERIFY2(json.exitCode == 0, json.describe());
    const QJsonObject snapshot = QJsonDocument::fromJson(json.out).object();
    QCOMPARE(qint64(snapshot.value(QStringLiteral("master")).toObject().value(QStringLiteral("pid")).toDouble()), daemon.processId());
    QCOMPARE(snapshot.value(QStringLiteral("processes")).toArray().size(), 2);

    const CliRun reload = runCli(QStringList{QStringLiteral("reload")} + target(QStringLiteral("cli-run")), 60000);
    QVERIFY2(reload.exitCode == 0 && reload.out.contains("step 2/2: "), reload.describe());

    const CliRun stop = runCli(QStringList{QStringLiteral("stop")} + target(QStringLiteral("cli-run")), 70000);
    QVERIFY2(stop.exitCode == 0, stop.describe());
    QVERIFY(processGone(daemon.processId()));
    QVERIFY(QTest::qWaitFor([&daemon] { return daemon.state() == QProcess::NotRunning; }, 10000));
}

void tst_Cli::findsTheEmbeddedRedis()
{
    // No Redis configured anywhere: `run` uses 127.0.0.1:6379 if it answers,
    // else starts its own and records it; the CLI finds either without being told.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString name = QStringLiteral("cli-embedded");
    QProcess daemon;
    startRun(daemon, dir, {{QStringLiteral("name"), name}}, 1);
    if (QTest::currentTestFailed())
        return;
    // Asked through the CLI itself until the worker is listed (bounded).
    CliRun status;
    const bool listed = QTest::qWaitFor([&] {
        status = runCli({QStringLiteral("status"), QStringLiteral("--json"), QStringLiteral("--cluster"), name}, 10000);
        return status.exitCode == 0 && QJsonDocument::fromJson(status.out).object().value(QStringLiteral("processes")).toArray().size() == 1;
    }, 20000);
    QVERIFY2(listed, status.describe() + "--- daemon:\n" + daemon.readAll());
    QCOMPARE(qint64(QJsonDocument::fromJson(status.out).object().value(QStringLiteral("master")).toObject().value(QStringLiteral("pid")).toDouble()),
             daemon.processId());
    // `logs` logs in as the monitor, whose ACL user may read the recent lines the master's user keeps.
    CliRun logs;
    (void)QTest::qWaitFor([&] {
        logs = runCli({QStringLiteral("logs"), QStringLiteral("--cluster"), name}, 10000);
        return logs.exitCode != 0 || logs.out.contains("  web[");
    }, 10000);
    QVERIFY2(logs.exitCode == 0 && logs.out.contains("\"event\":\"started\""), logs.describe());

    const CliRun stop = runCli({QStringLiteral("stop"), QStringLiteral("--cluster"), name}, 70000);
    QVERIFY2(stop.exitCode == 0, stop.describe());
    QVERIFY(processGone(daemon.processId()));
    QVERIFY(QTest::qWaitFor([&daemon] { return daemon.state() == QProcess::NotRunning; }, 10000));
}

QString tst_Cli::aclUser(const QString &user, const QStringList &rules)
{
    const QByteArray answer = m_redis.cli(QStringList{QStringLiteral("ACL"), QStringLiteral("SETUSER"), user, QStringLiteral("reset"),
                                                      QStringLiteral("on"), QStringLiteral(">pw")} + rules);
    // On a Redis Cluster: an "OK" from every node.
    const QList<QByteArray> lines = answer.trimmed().split('\n');
    if (answer.trimmed().isEmpty()
        || !std::all_of(lines.cbegin(), lines.cend(), [](const QByteArray &line) { return line.trimmed() == "OK"; }))
        qWarning("ACL SETUSER %s: %s", qPrintable(user), answer.constData());
    return m_redis.urlAs(user, QStringLiteral("pw"));
}

// A user that may read and follow the cluster but not publish: Redis refuses
// every command (NOPERM). Each command says so with Redis' words and exits
// with the code for "permission refused by Redis" (77), instead of claiming
// it asked a process to exit; nothing happens to the cluster.
void tst_Cli::commandsRefusedByRedis()
{
    const QString name = QStringLiteral("cli-acl");
    qint64 worker = 0;
    auto master = startOneWorker(name, &worker);
    QVERIFY(master);
    const QString url = aclUser(QStringLiteral("nopublish"), {QStringLiteral("~*"), QStringLiteral("&*"), QStringLiteral("+@all"), QStringLiteral("-publish"),
                                                               QStringLiteral("-spublish")});
    const QString pid = QString::number(worker);
    const QList<QStringList> commands{
        {QStringLiteral("kill"), pid, QStringLiteral("1")},
        {QStringLiteral("publish"), QStringLiteral("x")},
        {QStringLiteral("send"), pid, QStringLiteral("x")},
        {QStringLiteral("group"), QStringLiteral("web"), QStringLiteral("x")},
        {QStringLiteral("reload"), QStringLiteral("--no-wait")},
        {QStringLiteral("reload")},
        {QStringLiteral("stop")},
    };
    for (const QStringList &command : commands) {
        const CliRun run = runCli(command + QStringList{QStringLiteral("--redis"), url, QStringLiteral("--cluster"), name});
        const QByteArray what = command.join(QLatin1Char(' ')).toUtf8() + ": " + run.describe();
        QVERIFY2(run.finished && run.exitCode == 77, what.constData());
        QVERIFY2(run.out.isEmpty(), what.constData());
        QVERIFY2(run.err.contains("NOPERM") && run.err.count('\n') == 1, what.constData());
        QVERIFY2(!run.err.contains("pw@"), what.constData());
    }
    QVERIFY(!processGone(worker));
    QVERIFY(master->isRunning());
    QCOMPARE(master->count(QStringLiteral("reloadStarted")), 0);
    // What the commands sent carries the group "cli": none of it arrived.
    QCOMPARE(master->count(QStringLiteral("message"), [](const QJsonObject &e) { return e.value(QStringLiteral("group")).toString() == QLatin1String("cli"); }), 0);
}

// A user that may not read the cluster's keys: Redis refuses the read, which
// is not "no cluster is running".
void tst_Cli::keyReadsRefusedByRedis()
{
    const QString url = aclUser(QStringLiteral("nokeys"), {QStringLiteral("~unrelated:*"), QStringLiteral("&*"), QStringLiteral("+@all")});
    for (const QString &command : {QStringLiteral("status"), QStringLiteral("kill")}) {
        QStringList arguments{command};
        if (command == QLatin1String("kill"))
            arguments.append(QStringLiteral("4242"));
        const CliRun run = runCli(arguments + QStringList{QStringLiteral("--redis"), url});
        QVERIFY2(run.finished && run.exitCode == 77, run.describe());
        QVERIFY2(run.err.contains("NOPERM") && !run.err.contains("no unnamed cluster"), run.describe());
        QCOMPARE(run.err.count('\n'), 1);
    }
}

// The monitor user `clustr-qt acl` makes (AccessControl): it reads the
// cluster (status reads the records with GETRANGE), and every command that
// would change something exits 77 with Redis' NOPERM.
void tst_Cli::monitorRoleReadsButCannotCommand()
{
    const QString name = QStringLiteral("cli-monitor");
    qint64 worker = 0;
    auto master = startOneWorker(name, &worker);
    QVERIFY(master);
    using Clustr::AccessControl;
    // "user NAME reset on >pw RULES...": the rules after the password.
    const QStringList rule = QString::fromUtf8(AccessControl::aclRule(name, AccessControl::Role::Monitor, QStringLiteral("pw"))).split(QLatin1Char(' '));
    const QString url = aclUser(AccessControl::userName(name, AccessControl::Role::Monitor), rule.mid(5));
    const QStringList where{QStringLiteral("--redis"), url, QStringLiteral("--cluster"), name};

    const CliRun status = runCli(QStringList{QStringLiteral("status")} + where);
    QVERIFY2(status.exitCode == 0 && status.out.contains(QByteArray::number(worker)), status.describe());
    for (const QStringList &command : {QStringList{QStringLiteral("kill"), QString::number(worker)}, QStringList{QStringLiteral("reload"), QStringLiteral("--no-wait")}}) {
        const CliRun run = runCli(command + where);
        QVERIFY2(run.exitCode == 77 && run.err.contains("NOPERM") && run.out.isEmpty(), run.describe());
    }
    QVERIFY(!processGone(worker));
}

void tst_Cli::hostileRedisReplies_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<QString>("says");
    QTest::newRow("an array of 2^31-1 elements") << QByteArray("*2147483647\r\n") << QStringLiteral("an array of 2147483647 elements");
    QTest::newRow("a string of 2 GiB") << QByteArray("$2147483647\r\n") << QStringLiteral("a string of 2147483647 bytes");
}

// A server that announces a reply no Redis sends: the command ends within its
// bounds, saying what the server sent, without allocating for it.
void tst_Cli::hostileRedisReplies()
{
    QFETCH(QByteArray, reply);
    QFETCH(QString, says);
    FakeRedis server({reply});
    QVERIFY(server.listen());
    const CliRun run = runCli({QStringLiteral("status"), QStringLiteral("--redis"), server.url()}, 60000);
    QVERIFY2(run.finished && run.exitCode == 3, run.describe());
    QVERIFY2(run.err.startsWith("clustr-qt: cannot reach Redis at " + server.url().toUtf8()), run.describe());
    QVERIFY2(run.err.contains(says.toUtf8()) && run.err.contains("limit"), run.describe());
    QCOMPARE(run.err.count('\n'), 1);
    qInfo("%s: exit 3 after %lld ms", QTest::currentDataTag(), run.elapsedMs);
}

// The status snapshot is read up to a bound (16 MiB): a larger key is an
// error said as such, not read whole (a 100 MB key took 17.7 s and 2.6 GB).
void tst_Cli::oversizedRecordsAreNotRead()
{
    const QString name = QStringLiteral("cli-big");
    Clustr::MasterInfo master;
    master.setPid(QCoreApplication::applicationPid());
    master.setHost(QSysInfo::machineHostName());
    master.setName(name);
    master.setClusterNamespace(name);
    master.setState(Clustr::MasterInfo::State::Running);
    master.setStartedAt(QDateTime::currentDateTimeUtc());
    Clustr::ClusterStatus status;
    status.setMaster(master);
    const QByteArray announcement = QJsonDocument(status.toJson().value(QStringLiteral("master")).toObject()).toJson(QJsonDocument::Compact);
    Clustr::RedisClient redis;
    redis.setUrl(m_redis.url());
    QVERIFY(redis.open());
    int answered = 0;
    const QByteArray masterKey = m_redis.clusterKey(name, QStringLiteral("master")).toUtf8();
    const QByteArray statusKey = m_redis.clusterKey(name, QStringLiteral("status")).toUtf8();
    redis.command({"SET", masterKey, announcement}, [&](const Clustr::RedisReply &) { ++answered; });
    redis.command({"SET", statusKey, QByteArray(20 * 1024 * 1024, 'x')}, [&](const Clustr::RedisReply &) { ++answered; });
    QTRY_COMPARE(answered, 2);

    const CliRun run = runCli(QStringList{QStringLiteral("status")} + target(name), 60000);
    QVERIFY2(run.finished && run.exitCode == 1, run.describe());
    QVERIFY2(run.err.contains("status") && run.err.contains("larger than 16777216 bytes"), run.describe());
    redis.command({"DEL", masterKey, statusKey}, [&](const Clustr::RedisReply &) { ++answered; });
    QTRY_COMPARE(answered, 3);
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
