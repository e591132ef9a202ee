// SPDX-License-Identifier: MIT
// clustr-test-worker: a Worker (or, with --master, a Master) driven by the
// tests. It prints every event as one JSON object per line on stdout and
// takes commands, one JSON object per line, on stdin. It exits when stdin
// closes, so it never outlives the test that started it.
//
// Options: --group=NAME, --master, --ready (emitReady at start),
// --kill-delay=MS (onKill finishes after MS; -1: never), --kill-timeout=MS,
// --cluster-info-timeout=MS, --max-payload=BYTES, plus every --cluster-* option.
#include <ClustrQt/master.h>
#include <ClustrQt/redisclient.h>
#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMetaEnum>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <cstdio>
#include <memory>
#include <unistd.h>

using namespace Clustr;

namespace {

void print(QJsonObject object)
{
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
            {QStringLiteral("kind"), kindName(m.kind)},
            {QStringLiteral("pid"), double(m.pid)},
            {QStringLiteral("group"), m.group},
            {QStringLiteral("data"), m.data},
            {QStringLiteral("channel"), m.channel}};
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

    ProcessOptions options;
    options.killTimeout = std::chrono::milliseconds(value(QStringLiteral("kill-timeout"), QStringLiteral("5000")).toInt());
    options.clusterInfoTimeout = std::chrono::milliseconds(value(QStringLiteral("cluster-info-timeout"), QStringLiteral("2000")).toInt());
    options.maxPayloadSize = value(QStringLiteral("max-payload"), QStringLiteral("1048576")).toLongLong();

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
            pids.append(double(m.pid));
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
    QObject::connect(process->publisher(), &RedisClient::errorOccurred, [](RedisClient::Error, const QString &text) {
        print({{QStringLiteral("event"), QStringLiteral("redisError")}, {QStringLiteral("text"), text}});
    });

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
           {QStringLiteral("clusterArguments"), QJsonArray::fromStringList(process->clusterArguments())}});
    if (!process->isValid())
        return 3;

    if (worker && args.contains(QStringLiteral("--ready")))
        worker->emitReady();

    // Commands from the test, one JSON object per line.
    QByteArray input;
    QSocketNotifier stdinNotifier(STDIN_FILENO, QSocketNotifier::Read);
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
            const QString cmd = c.value(QStringLiteral("cmd")).toString();
            const QJsonValue data = c.value(QStringLiteral("data"));
            if (cmd == QLatin1String("public"))
                process->emitPublic(data);
            else if (cmd == QLatin1String("private"))
                process->emitPrivate(qint64(c.value(QStringLiteral("pid")).toDouble()), data);
            else if (cmd == QLatin1String("group"))
                process->emitGroup(c.value(QStringLiteral("group")).toString(), data);
            else if (cmd == QLatin1String("kill"))
                process->emitKill(qint64(c.value(QStringLiteral("pid")).toDouble()), c.value(QStringLiteral("code")).toInt());
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
            else if (cmd == QLatin1String("ping"))
                print({{QStringLiteral("event"), QStringLiteral("pong")}, {QStringLiteral("id"), c.value(QStringLiteral("id"))}});
            else
                print({{QStringLiteral("event"), QStringLiteral("unknownCommand")}, {QStringLiteral("command"), c}});
        }
    });

    return app.exec();
}
