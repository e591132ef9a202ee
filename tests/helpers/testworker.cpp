// SPDX-License-Identifier: MIT
// clustr-test-worker: a Worker (or, with --master, a Master) driven by the
// tests. It prints every event as one JSON object per line on stdout and
// takes commands, one JSON object per line, on stdin. It exits when stdin
// closes, so it never outlives the test that started it.
//
// Options: --group=NAME, --master, --ready (emitReady at start),
// --kill-delay=MS (onKill finishes after MS; -1: never), --kill-timeout=MS,
// --cluster-info-timeout=MS, --max-payload=BYTES, --spawn=JSON (specs spawned
// at start), --no-stdin (for spawned children: commands come as private
// messages whose data is {"cmd": ...}), --exit-code=N (exit at once: a
// crashing program), --ready-delay=MS, --surge, --reload-delay=MS,
// --reload-timeout=MS, --heartbeat-timeout=MS, --heartbeat-interval=MS, --kill-timeout=MS,
// --ignore-sigterm (a program that only SIGKILL ends), plus every --cluster-* option.
// Besides the commands below, {"cmd":"print",...} prints plain lines of output.
#include <ClustrQt/master.h>
#include <ClustrQt/redisclient.h>
#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaEnum>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>

using namespace Clustr;

namespace {

void print(QJsonObject object)
{
    object.insert(QStringLiteral("t"), double(QDateTime::currentMSecsSinceEpoch()));
    const QByteArray line = QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n';
    fwrite(line.constData(), 1, size_t(line.size()), stdout);
    fflush(stdout);
}

QString kindName(Message::Kind kind)
{
    return QString::fromLatin1(QMetaEnum::fromType<Message::Kind>().valueToKey(int(kind))).toLower();
}

QJsonObject messageEvent(const Message &m)
{
    return {{QStringLiteral("event"), QStringLiteral("message")},
            {QStringLiteral("kind"), kindName(m.kind())},
            {QStringLiteral("pid"), double(m.pid())},
            {QStringLiteral("group"), m.group()},
            {QStringLiteral("host"), m.host()},
            {QStringLiteral("data"), m.data()},
            {QStringLiteral("channel"), m.channel()}};
}

QJsonObject infoJson(const ClusterInfo &info)
{
    QJsonObject object;
    for (auto it = info.cbegin(); it != info.cend(); ++it) {
        QJsonArray pids;
        for (qint64 pid : it.value())
            pids.append(double(pid));
        object.insert(it.key(), pids);
    }
    return object;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    auto value = [&](const QString &name, const QString &fallback = QString()) {
        const QString prefix = QStringLiteral("--") + name + QLatin1Char('=');
        for (const QString &arg : args) {
            if (arg.startsWith(prefix))
                return arg.mid(prefix.size());
        }
        return fallback;
    };

    if (args.contains(QStringLiteral("--ignore-sigterm")))
        std::signal(SIGTERM, SIG_IGN);

    if (!value(QStringLiteral("exit-code")).isEmpty()) {
        print({{QStringLiteral("event"), QStringLiteral("crashing")}});
        return value(QStringLiteral("exit-code")).toInt();
    }

    // An application setting its own rules in code, as the README shows.
    if (const QString rules = value(QStringLiteral("filter-rules")); !rules.isEmpty()) {
        QLoggingCategory::setFilterRules(rules);
        if (args.contains(QStringLiteral("--follow-logging-rules")))
            Clustr::followLoggingRules();
    }

    ProcessOptions options;
    options.setReloadDelay(std::chrono::milliseconds(value(QStringLiteral("reload-delay"), QStringLiteral("500")).toInt()));
    options.setReloadTimeout(std::chrono::milliseconds(value(QStringLiteral("reload-timeout"), QStringLiteral("30000")).toInt()));
    options.setHeartbeatTimeout(std::chrono::milliseconds(value(QStringLiteral("heartbeat-timeout"), QStringLiteral("3500")).toInt()));
    options.setHeartbeatInterval(std::chrono::milliseconds(value(QStringLiteral("heartbeat-interval"), QStringLiteral("1000")).toInt()));
    if (args.contains(QStringLiteral("--surge")))
        options.setReloadStrategy(ProcessOptions::ReloadStrategy::Surge);
    options.setKillTimeout(std::chrono::milliseconds(value(QStringLiteral("kill-timeout"), QStringLiteral("5000")).toInt()));
    options.setClusterInfoTimeout(std::chrono::milliseconds(value(QStringLiteral("cluster-info-timeout"), QStringLiteral("2000")).toInt()));
    options.setMaxPayloadSize(value(QStringLiteral("max-payload"), QString::number(Clustr::DefaultMaxPayloadSize)).toLongLong());

    std::unique_ptr<Process> process;
    Worker *worker = nullptr;
    Master *master = nullptr;
    if (args.contains(QStringLiteral("--master"))) {
        master = new Master(options);
        process.reset(master);
    } else {
        worker = new Worker(value(QStringLiteral("group")), options);
        process.reset(worker);
    }

    QObject::connect(process.get(), &Process::messageReceived, [](const Message &m) { print(messageEvent(m)); });
    QObject::connect(process.get(), &Process::connectedChanged, [](bool connected) {
        print({{QStringLiteral("event"), connected ? QStringLiteral("connected") : QStringLiteral("disconnected")}});
    });
    QObject::connect(process.get(), &Process::confirmationCompleted, [](const QString &id, const QList<Message> &messages) {
        QJsonArray pids;
        for (const Message &m : messages)
            pids.append(double(m.pid()));
        print({{QStringLiteral("event"), QStringLiteral("confirmed")}, {QStringLiteral("id"), id}, {QStringLiteral("pids"), pids}});
    });
    QObject::connect(process.get(), &Process::killRequested, [](int code) {
        print({{QStringLiteral("event"), QStringLiteral("killRequested")}, {QStringLiteral("code"), code}});
    });
    QObject::connect(process.get(), &Process::messageRejected, [](const QString &channel, const QString &reason) {
        print({{QStringLiteral("event"), QStringLiteral("rejected")}, {QStringLiteral("channel"), channel}, {QStringLiteral("reason"), reason}});
    });
    QObject::connect(process.get(), &Process::closed, [](int code) {
        print({{QStringLiteral("event"), QStringLiteral("closed")}, {QStringLiteral("code"), code}});
    });
    QObject::connect(process.get(), &Process::errorOccurred, [](Process::Error, const QString &text) {
        print({{QStringLiteral("event"), QStringLiteral("processError")}, {QStringLiteral("text"), text}});
    });
    if (process->publisher()) { // none when the process is invalid
        QObject::connect(process->publisher(), &RedisClient::errorOccurred, [](RedisClient::Error, const QString &text) {
            print({{QStringLiteral("event"), QStringLiteral("redisError")}, {QStringLiteral("text"), text}});
        });
    }

    const int killDelay = value(QStringLiteral("kill-delay"), QStringLiteral("0")).toInt();
    if (!value(QStringLiteral("kill-delay")).isEmpty()) {
        process->onKill([killDelay](std::function<void()> done) {
            print({{QStringLiteral("event"), QStringLiteral("killHandler")}});
            if (killDelay >= 0)
                QTimer::singleShot(killDelay, [done] { done(); });
        });
    }

    if (worker) {
        QObject::connect(worker, &Worker::readyChanged, [](bool) { print({{QStringLiteral("event"), QStringLiteral("ready")}}); });
        QObject::connect(worker, &Worker::clusterInfoReceived, [](const ClusterInfo &info) {
            print({{QStringLiteral("event"), QStringLiteral("clusterInfo")}, {QStringLiteral("info"), infoJson(info)}});
        });
        QObject::connect(worker, &Worker::clusterInfoRequestFailed, [](const QString &reason) {
            print({{QStringLiteral("event"), QStringLiteral("clusterInfoFailed")}, {QStringLiteral("reason"), reason}});
        });
    }
    QObject::connect(process.get(), &Process::childStarted, [](qint64 pid, const QString &group) {
        print({{QStringLiteral("event"), QStringLiteral("childStarted")}, {QStringLiteral("pid"), double(pid)}, {QStringLiteral("group"), group}});
    });
    QObject::connect(process.get(), &Process::childExited, [](qint64 pid, const QString &group, int code, int signal) {
        print({{QStringLiteral("event"), QStringLiteral("childExited")}, {QStringLiteral("pid"), double(pid)}, {QStringLiteral("group"), group},
               {QStringLiteral("code"), code}, {QStringLiteral("signal"), signal}});
    });
    QObject::connect(process.get(), &Process::childRespawned, [](qint64 oldPid, qint64 newPid, const QString &group) {
        print({{QStringLiteral("event"), QStringLiteral("childRespawned")}, {QStringLiteral("oldPid"), double(oldPid)},
               {QStringLiteral("newPid"), double(newPid)}, {QStringLiteral("group"), group}});
    });
    QObject::connect(process.get(), &Process::childGaveUp, [](const QString &group, const QString &reason) {
        print({{QStringLiteral("event"), QStringLiteral("childGaveUp")}, {QStringLiteral("group"), group}, {QStringLiteral("reason"), reason}});
    });
    QObject::connect(process.get(), &Process::spawnFailed, [](const QString &file, const QString &error) {
        print({{QStringLiteral("event"), QStringLiteral("spawnFailed")}, {QStringLiteral("file"), file}, {QStringLiteral("error"), error}});
    });
    if (master) {
        QObject::connect(master, &Master::clusterStarted, [](int count) {
            print({{QStringLiteral("event"), QStringLiteral("clusterStarted")}, {QStringLiteral("count"), count}});
        });
        QObject::connect(master, &Master::clusterReloaded, [](int count) {
            print({{QStringLiteral("event"), QStringLiteral("clusterReloaded")}, {QStringLiteral("count"), count}});
        });
        QObject::connect(master, &Master::reloadStarted, [](int steps) {
            print({{QStringLiteral("event"), QStringLiteral("reloadStarted")}, {QStringLiteral("steps"), steps}});
        });
        QObject::connect(master, &Master::reloadExcluded, [](qint64 pid, const QString &group, const QString &reason) {
            print({{QStringLiteral("event"), QStringLiteral("reloadExcluded")}, {QStringLiteral("pid"), double(pid)},
                   {QStringLiteral("group"), group}, {QStringLiteral("reason"), reason}});
        });
        QObject::connect(master, &Master::reloadStepStarted, [](int step, int steps, qint64 oldPid, const QString &group) {
            print({{QStringLiteral("event"), QStringLiteral("reloadStepStarted")}, {QStringLiteral("step"), step}, {QStringLiteral("steps"), steps},
                   {QStringLiteral("oldPid"), double(oldPid)}, {QStringLiteral("group"), group}});
        });
        QObject::connect(master, &Master::reloadStepFinished, [](int step, int steps, qint64 oldPid, qint64 newPid) {
            print({{QStringLiteral("event"), QStringLiteral("reloadStepFinished")}, {QStringLiteral("step"), step}, {QStringLiteral("steps"), steps},
                   {QStringLiteral("oldPid"), double(oldPid)}, {QStringLiteral("newPid"), double(newPid)}});
        });
        QObject::connect(master, &Master::reloadStepTimedOut, [](int step, int steps, qint64 oldPid, const QString &group) {
            print({{QStringLiteral("event"), QStringLiteral("reloadStepTimedOut")}, {QStringLiteral("step"), step}, {QStringLiteral("steps"), steps},
                   {QStringLiteral("oldPid"), double(oldPid)}, {QStringLiteral("group"), group}});
        });
        QObject::connect(master, &Master::workerLost, [](qint64 pid, const QString &group, const QString &reason) {
            print({{QStringLiteral("event"), QStringLiteral("workerLost")}, {QStringLiteral("pid"), double(pid)}, {QStringLiteral("group"), group},
                   {QStringLiteral("reason"), reason}});
        });
        QObject::connect(master, &Master::stopping, [](int code) {
            print({{QStringLiteral("event"), QStringLiteral("stopping")}, {QStringLiteral("code"), code}});
        });
    }
    if (master) {
        QObject::connect(master, &Master::workerRegistered, [](qint64 pid, const QString &group) {
            print({{QStringLiteral("event"), QStringLiteral("registered")}, {QStringLiteral("pid"), double(pid)}, {QStringLiteral("group"), group}});
        });
        QObject::connect(master, &Master::workerDeregistered, [](qint64 pid, const QString &group) {
            print({{QStringLiteral("event"), QStringLiteral("deregistered")}, {QStringLiteral("pid"), double(pid)}, {QStringLiteral("group"), group}});
        });
    }

    QJsonObject options_;
    for (const QString &arg : args.mid(1))
        options_.insert(arg, process->option(arg.section(QLatin1Char('='), 0, 0).mid(2)));
    print({{QStringLiteral("event"), QStringLiteral("started")},
           {QStringLiteral("pid"), double(process->pid())},
           {QStringLiteral("group"), process->group()},
           {QStringLiteral("masterPid"), double(process->masterPid())},
           {QStringLiteral("namespace"), process->clusterNamespace()},
           {QStringLiteral("valid"), process->isValid()},
           {QStringLiteral("error"), process->errorString()},
           {QStringLiteral("clusterArguments"), QJsonArray::fromStringList(process->clusterArguments())},
           {QStringLiteral("options"), options_},
           {QStringLiteral("arguments"), QJsonArray::fromStringList(args.mid(1))}});
    if (!process->isValid())
        return 3;

    const QString spawnJson = value(QStringLiteral("spawn"));
    if (!spawnJson.isEmpty()) {
        QList<SpawnSpec> specs;
        for (const QJsonValue &entry : QJsonDocument::fromJson(spawnJson.toUtf8()).array()) {
            QString error;
            if (auto spec = SpawnSpec::fromJson(entry.toObject(), &error))
                specs.append(*spec);
            else
                print({{QStringLiteral("event"), QStringLiteral("badSpec")}, {QStringLiteral("error"), error}});
        }
        process->spawn(specs);
    }

    const int readyDelay = value(QStringLiteral("ready-delay"), QStringLiteral("-1")).toInt();
    if (worker && args.contains(QStringLiteral("--ready")))
        worker->emitReady();
    else if (worker && readyDelay >= 0)
        QTimer::singleShot(readyDelay, worker, [worker] { worker->emitReady(); });

    auto execute = [&](const QJsonObject &c) {
            const QString cmd = c.value(QStringLiteral("cmd")).toString();
            const QJsonValue data = c.value(QStringLiteral("data"));
            if (cmd == QLatin1String("public"))
                process->emitPublic(data);
            else if (cmd == QLatin1String("private"))
                process->emitPrivate(c.value(QStringLiteral("host")).toString(), qint64(c.value(QStringLiteral("pid")).toDouble()), data);
            else if (cmd == QLatin1String("group"))
                process->emitGroup(c.value(QStringLiteral("group")).toString(), data);
            else if (cmd == QLatin1String("kill"))
                process->emitKill(c.value(QStringLiteral("host")).toString(), qint64(c.value(QStringLiteral("pid")).toDouble()),
                                  c.value(QStringLiteral("code")).toInt());
            else if (cmd == QLatin1String("confirmation"))
                process->emitConfirmation(c.value(QStringLiteral("id")).toString());
            else if (cmd == QLatin1String("onConfirmation"))
                process->onConfirmation(c.value(QStringLiteral("count")).toInt(), c.value(QStringLiteral("id")).toString());
            else if (cmd == QLatin1String("ready") && worker)
                worker->emitReady();
            else if (cmd == QLatin1String("clusterInfo") && worker)
                worker->requestClusterInfo();
            else if (cmd == QLatin1String("close"))
                process->close(c.value(QStringLiteral("code")).toInt(1));
            else if (cmd == QLatin1String("stats"))
                print({{QStringLiteral("event"), QStringLiteral("stats")}, {QStringLiteral("stats"), process->stats().toJson()}});
            else if (cmd == QLatin1String("masterInfo") && master)
                print({{QStringLiteral("event"), QStringLiteral("masterInfo")}, {QStringLiteral("info"), infoJson(master->clusterInfo())}});
            else if (cmd == QLatin1String("print")) {
                // Plain lines, not events: {"cmd":"print","text":"T","count":N,"stderr":true} prints
                // T (or, for a count, "T 1" .. "T N") on stdout or stderr.
                const QByteArray text = c.value(QStringLiteral("text")).toString().toUtf8();
                const int count = c.value(QStringLiteral("count")).toInt(0);
                FILE *stream = c.value(QStringLiteral("stderr")).toBool() ? stderr : stdout;
                for (int i = 1; i <= std::max(count, 1); ++i) {
                    const QByteArray line = (count > 0 ? text + ' ' + QByteArray::number(i) : text) + '\n';
                    fwrite(line.constData(), 1, size_t(line.size()), stream);
                }
                fflush(stream);
            } else if (cmd == QLatin1String("ping"))
                print({{QStringLiteral("event"), QStringLiteral("pong")}, {QStringLiteral("id"), c.value(QStringLiteral("id"))}});
            else if (cmd == QLatin1String("reload") && master)
                master->reload();
            else if (cmd == QLatin1String("spawn")) {
                QList<SpawnSpec> specs;
                for (const QJsonValue &entry : c.value(QStringLiteral("specs")).toArray()) {
                    if (auto spec = SpawnSpec::fromJson(entry.toObject()))
                        specs.append(*spec);
                }
                process->spawn(specs);
            } else if (cmd == QLatin1String("children")) {
                QJsonArray list;
                for (const ChildInfo &child : process->children()) {
                    list.append(QJsonObject{
                        {QStringLiteral("pid"), double(child.pid())},
                        {QStringLiteral("group"), child.group()},
                        {QStringLiteral("file"), child.file()},
                        {QStringLiteral("cpu"), child.cpu()},
                        {QStringLiteral("state"), ChildInfo::stateName(child.state())},
                        {QStringLiteral("restarts"), child.restarts()},
                        {QStringLiteral("registers"), child.registers()},
                        {QStringLiteral("respawn"), child.respawn()},
                        {QStringLiteral("commandLine"), QJsonArray::fromStringList(child.commandLine())},
                        {QStringLiteral("error"), child.error()},
                    });
                }
                print({{QStringLiteral("event"), QStringLiteral("children")}, {QStringLiteral("children"), list}});
            } else
                print({{QStringLiteral("event"), QStringLiteral("unknownCommand")}, {QStringLiteral("command"), c}});
    };
    // Spawned children have no stdin: they take commands as private messages.
    QObject::connect(process.get(), &Process::privateMessageReceived, [&](const Message &m) {
        if (m.data().isObject() && m.data().toObject().contains(QStringLiteral("cmd")))
            execute(m.data().toObject());
    });

    // Commands from the test, one JSON object per line.
    QByteArray input;
    QSocketNotifier stdinNotifier(STDIN_FILENO, QSocketNotifier::Read);
    stdinNotifier.setEnabled(!args.contains(QStringLiteral("--no-stdin")));
    QObject::connect(&stdinNotifier, &QSocketNotifier::activated, [&] {
        char buffer[4096];
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n <= 0) {
            stdinNotifier.setEnabled(false);
            QCoreApplication::exit(2); // the test is gone
            return;
        }
        input.append(buffer, int(n));
        int newline;
        while ((newline = input.indexOf('\n')) >= 0) {
            const QJsonObject c = QJsonDocument::fromJson(input.left(newline)).object();
            input.remove(0, newline + 1);
            execute(c);
        }
    });

    return app.exec();
}
