// SPDX-License-Identifier: MIT
#include "lscommand.h"

#include "cli.h"
#include "statustable.h"

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/redisclient.h>

#include <QtCore/QDateTime>
#include <QtCore/QEventLoop>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTimer>

#include <algorithm>

namespace LsCommand {

namespace {

struct Row
{
    QString name; // as tools call it; empty: the unnamed cluster of a record of old
    QString clusterNamespace;
    QString redisUrl;
};

// Runs the event loop until \a done or the budget is spent.
template<typename Done>
void waitFor(Done done)
{
    QEventLoop loop;
    // How long one Redis may take to answer: a dead one must not hold up the list.
    QTimer::singleShot(Cli::answerBudgetMs(), &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    poll.start(20);
    if (!done())
        loop.exec();
}

// The names of the clusters that announce themselves on \a url; nothing if it does not answer.
QStringList clustersOn(const QString &url)
{
    Clustr::ClusterClient client;
    client.setRedisUrl(url);
    client.setClusterName(QString());
    if (!client.open())
        return {};
    QStringList names;
    bool found = false;
    QObject::connect(&client, &Clustr::ClusterClient::clustersFound, &client, [&](const QStringList &list) {
        names = list;
        found = true;
    });
    client.findClusters();
    waitFor([&] { return found; });
    return names;
}

// The clusters recorded in the runtime directory, then those announced at \a configured.
QList<Row> reachable(const QString &configured)
{
    QList<Row> rows;
    const QList<Clustr::ClusterClient::RecordedCluster> recorded = Clustr::ClusterClient::recordedClusters();
    for (const auto &cluster : recorded)
        rows.append({cluster.name, cluster.clusterNamespace, cluster.redisUrl});
    const QStringList announced = clustersOn(configured);
    for (const QString &name : announced)
        rows.append({name, name, configured});
    return rows;
}

// One line of the table for the cluster \a row.
QStringList describe(const Row &row)
{
    Clustr::ClusterClient client;
    client.setRedisUrl(row.redisUrl);
    client.setClusterName(row.clusterNamespace);
    const QString name = row.name.isEmpty() ? QStringLiteral("(unnamed)") : row.name;
    const QString shownUrl = Clustr::RedisClient::displayUrl(row.redisUrl);
    if (!client.open())
        return {name, QStringLiteral("-"), QStringLiteral("-"), QStringLiteral("-"), QStringLiteral("-"), QStringLiteral("-"), shownUrl};
    bool refreshed = false;
    QObject::connect(&client, &Clustr::ClusterClient::statusUpdated, &client, [&] { refreshed = true; });
    waitFor([&] { return refreshed && client.isClusterRunning(); });
    if (!client.isClusterRunning())
        return {name, QStringLiteral("-"), QStringLiteral("-"), QStringLiteral("not running"), QStringLiteral("-"), QStringLiteral("-"), shownUrl};
    const Clustr::MasterInfo master = client.master();
    // One name everywhere: the one the master announces (the file's base name for an unnamed cluster).
    const QString shownName = master.name().isEmpty() ? name : master.name();
    const QList<Clustr::ChildInfo> children = client.status().children();
    const auto up = std::count_if(children.cbegin(), children.cend(),
                                  [](const Clustr::ChildInfo &c) { return c.state() == Clustr::ChildInfo::State::Running; });
    const QDateTime started = master.startedAt();
    return {shownName,
            QString::number(master.pid()),
            master.host(),
            QString::number(master.workerCount()),
            QStringLiteral("%1/%2").arg(up).arg(children.size()),
            StatusTable::humanDuration(started.isValid() ? started.msecsTo(QDateTime::currentDateTimeUtc()) : -1),
            shownUrl};
}

} // namespace

QString help()
{
    return QStringLiteral(
        "usage: clustr-qt ls [--redis URL] [--verbose]\n"
        "\n"
        "Lists every cluster reachable from this host: those whose `clustr-qt run`\n"
        "recorded an embedded Redis in the runtime directory, and those announcing\n"
        "themselves on the configured Redis (--redis, else CLUSTR_REDIS, else\n"
        "redis://127.0.0.1:6379): name, master pid, host, workers running/total,\n"
        "uptime and Redis. Exit 0, also when there is none (it says how to start one).");
}

int run(QStringList args)
{
    // A Redis that does not answer is a row of the table, not a warning of the library.
    if (!Cli::takeFlag(args, QStringLiteral("verbose")))
        QLoggingCategory::setFilterRules(QStringLiteral("clustr.*.warning=false"));
    bool haveUrl = false;
    QString configured = Cli::takeOption(args, QStringLiteral("redis"), &haveUrl);
    if (!args.isEmpty()) {
        Cli::err(QStringLiteral("ls: unexpected argument \"%1\"").arg(args.constFirst()));
        return Cli::Usage;
    }
    if (!haveUrl)
        configured = qEnvironmentVariable("CLUSTR_REDIS", Clustr::RedisClient::defaultUrl());
    QString urlError;
    if (!Clustr::RedisClient::isValidUrl(configured, &urlError)) {
        Cli::err(urlError);
        return Cli::Usage;
    }

    const QList<Row> rows = reachable(configured);

    if (rows.isEmpty()) {
        Cli::out(QStringLiteral("no cluster runs here (looked in %1 and at %2); start one with: clustr-qt run CLUSTER.json")
                     .arg(Clustr::ClusterClient::runtimeDirectory(), Clustr::RedisClient::displayUrl(configured)));
        return Cli::Ok;
    }
    QList<QStringList> table;
    for (const Row &row : std::as_const(rows))
        table.append(describe(row));
    Cli::out(StatusTable::table({QStringLiteral("NAME"), QStringLiteral("MASTER"), QStringLiteral("HOST"), QStringLiteral("WORKERS"), QStringLiteral("CHILDREN"),
                                 QStringLiteral("UPTIME"), QStringLiteral("REDIS")},
                                table).join(QLatin1Char('\n')));
    return Cli::Ok;
}

QStringList clusterNames(const QString &redisUrl)
{
    QStringList names;
    const QList<Row> rows = reachable(redisUrl);
    for (const Row &row : rows) {
        if (!names.contains(row.name))
            names.append(row.name);
    }
    return names;
}

} // namespace LsCommand
