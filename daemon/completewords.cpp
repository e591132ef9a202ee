// SPDX-License-Identifier: MIT
#include "completewords.h"

#include "cli.h"
#include "controlsession.h"
#include "lscommand.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QLoggingCategory>

namespace CompleteWords {

namespace {

// Groups and pids of the cluster the session finds, as its master's status lists them.
int fromStatus(const QString &kind, QStringList args)
{
    ControlCommands::Session session(args, Clustr::AccessControl::Role::Monitor);
    if (!args.isEmpty()) {
        Cli::err(QStringLiteral("complete-words: unexpected argument \"%1\"").arg(args.constFirst()));
        return Cli::Usage;
    }
    if (const int code = session.connect(); code != Cli::Ok)
        return code;
    Clustr::ClusterClient &client = session.client();
    session.waitUntil([&client] { return client.status().master().pid() != 0; }, 1500);
    const Clustr::ClusterStatus status = client.status();
    QStringList words;
    auto add = [&words](const QString &word) {
        if (!word.isEmpty() && !words.contains(word))
            words.append(word);
    };
    if (kind == QLatin1String("groups")) {
        // Configured groups too: a stopped one has no process but can be started.
        const QStringList configured = status.groupInstances().keys();
        for (const QString &group : configured)
            add(group);
        for (const QString &group : status.stoppedGroups())
            add(group);
        for (const Clustr::ProcessStatus &process : status.processes())
            add(process.group());
    } else {
        for (const Clustr::ProcessStatus &process : status.processes())
            add(QString::number(process.pid()));
    }
    for (const QString &word : std::as_const(words))
        Cli::out(word);
    return Cli::Ok;
}

} // namespace

int run(QStringList args)
{
    const QString kind = args.isEmpty() ? QString() : args.takeFirst();
    if (kind == QLatin1String("groups") || kind == QLatin1String("pids"))
        return fromStatus(kind, args);
    if (kind != QLatin1String("clusters")) {
        Cli::err(QStringLiteral("complete-words: expected clusters, groups or pids"));
        return Cli::Usage;
    }
    QLoggingCategory::setFilterRules(QStringLiteral("clustr.*.warning=false"));
    bool haveUrl = false;
    QString url = Cli::takeOption(args, QStringLiteral("redis"), &haveUrl);
    Cli::takeOption(args, QStringLiteral("cluster")); // the one being typed: list them all
    if (!args.isEmpty()) {
        Cli::err(QStringLiteral("complete-words: unexpected argument \"%1\"").arg(args.constFirst()));
        return Cli::Usage;
    }
    if (!haveUrl)
        url = qEnvironmentVariable("CLUSTR_REDIS", Clustr::RedisClient::defaultUrl());
    if (QString error; !Clustr::RedisClient::isValidUrl(url, &error)) {
        Cli::err(error);
        return Cli::Usage;
    }
    const QStringList names = LsCommand::clusterNames(url);
    for (const QString &name : names) {
        if (!name.isEmpty()) // the unnamed cluster is the one found without --cluster
            Cli::out(name);
    }
    return Cli::Ok;
}

} // namespace CompleteWords
