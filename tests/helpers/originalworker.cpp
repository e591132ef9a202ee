// SPDX-License-Identifier: MIT
// clustr-test-original-worker: a worker that behaves as clustr-node 0.16's
// (lib/worker.coffee, lib/process.coffee, lib/spawning.coffee), from raw
// Redis commands: it registers reloadDelay (500 ms) after it starts and
// never heartbeats; it spawns a child with its --cluster-* options and
// respawns it when it exits with a code other than 0; a kill makes it
// deregister and exit with the kill's code at once, leaving its child
// running. Like clustr-test-worker it prints {"event": "started"} first.
//
// Options: --group=NAME, --child-group=NAME (a clustr-test-worker child
// of that group), --cluster-master-pid=N, --cluster-redis=URL (else
// CLUSTR_REDIS), every other --cluster-* option is passed on.
#include <ClustrQt/redisclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTimer>

#include <cstdio>
#include <unistd.h>

using Clustr::RedisClient;

namespace {

QByteArray payload(qint64 pid, const QString &group, const QJsonValue &data)
{
    return QJsonDocument(QJsonObject{{QStringLiteral("meta"), QJsonObject{{QStringLiteral("pid"), double(pid)}, {QStringLiteral("group"), group}}},
                                     {QStringLiteral("data"), data}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString group;
    QString childGroup;
    QString redisUrl = qEnvironmentVariable("CLUSTR_REDIS", RedisClient::defaultUrl());
    QStringList clusterOptions;
    qint64 masterPid = 0;
    for (const QString &arg : app.arguments().mid(1)) {
        if (arg.startsWith(QLatin1String("--group=")))
            group = arg.mid(8);
        else if (arg.startsWith(QLatin1String("--child-group=")))
            childGroup = arg.mid(14);
        if (arg.startsWith(QLatin1String("--cluster-redis=")))
            redisUrl = arg.mid(16);
        if (arg.startsWith(QLatin1String("--cluster-master-pid=")))
            masterPid = arg.mid(21).toLongLong();
        if (arg.startsWith(QLatin1String("--cluster-")))
            clusterOptions.append(arg);
    }
    const qint64 pid = QCoreApplication::applicationPid();
    const QByteArray started = QJsonDocument(QJsonObject{{QStringLiteral("event"), QStringLiteral("started")}, {QStringLiteral("pid"), double(pid)}})
                                   .toJson(QJsonDocument::Compact);
    std::printf("%s\n", started.constData());
    std::fflush(stdout);

    RedisClient publisher;
    RedisClient subscriber;
    for (RedisClient *client : {&publisher, &subscriber})
        client->setUrl(redisUrl);
    const QByteArray killChannel = "kill:" + QByteArray::number(pid);
    for (const QByteArray &channel : {QByteArray("public"), "private:" + QByteArray::number(pid), "group:" + group.toUtf8(), killChannel,
                                      QByteArray("confirmation"), "clusterInfo:" + QByteArray::number(pid)})
        subscriber.subscribe(channel);

    // The child, without PR_SET_PDEATHSIG: Node's child_process does not set it.
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedChannels);
    const auto startChild = [&] {
        child.start(QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("clustr-test-worker")),
                    QStringList{QStringLiteral("--group=") + childGroup, QStringLiteral("--ready"), QStringLiteral("--no-stdin")} + clusterOptions);
    };
    QObject::connect(&child, &QProcess::finished, &app, [&](int code) {
        if (code != 0)
            startChild();
    });
    if (!childGroup.isEmpty())
        startChild();

    QObject::connect(&subscriber, &RedisClient::messageReceived, &app, [&](const QByteArray &channel, const QByteArray &message) {
        if (channel != killChannel)
            return;
        const int code = QJsonDocument::fromJson(message).object().value(QStringLiteral("data")).toInt();
        // close(): deregister and exit; nothing ends the child.
        publisher.command({QByteArrayLiteral("PUBLISH"), "deregistration:" + QByteArray::number(masterPid),
                           payload(pid, group, QStringLiteral("deregistration"))},
                          [code](const Clustr::RedisReply &) { ::_exit(code); });
    });
    publisher.open();
    subscriber.open();
    QTimer::singleShot(500, &app, [&] {
        publisher.publish("registration:" + QByteArray::number(masterPid), payload(pid, group, QStringLiteral("registration")));
    });
    return app.exec();
}
