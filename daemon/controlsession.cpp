// SPDX-License-Identifier: MIT
#include "controlsession.h"

#include "cli.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSysInfo>
#include <QtCore/QTimer>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace ControlCommands {

namespace {

// The error line names the URL already: of "cannot connect to Redis at
// HOST:PORT: Connection refused" only the reason is worth repeating.
QString reasonOf(Clustr::RedisClient::Error kind, const QString &libraryText)
{
    const int separator = int(libraryText.indexOf(QLatin1String(": ")));
    if (kind != Clustr::RedisClient::Error::ConnectionFailed || separator < 0)
        return libraryText;
    return libraryText.mid(separator + 2);
}

// A URL as messages show it: the password replaced by "***".
QString shownUrl(const QString &url)
{
    return Clustr::RedisClient::displayUrl(url);
}

// The "tried" list names URLs as they were found ("CLUSTR_REDIS=redis://:pw@…"):
// every URL in it is shown without its password.
QString shownTried(const QStringList &tried)
{
    QStringList entries;
    for (const QString &entry : tried) {
        QStringList words = entry.split(QLatin1Char(' '));
        for (QString &word : words) {
            qsizetype at = -1;
            for (const char *scheme : {"rediss://", "redis://", "redis-sentinel://", "redis-cluster://", "unix://"}) {
                if (at < 0)
                    at = word.indexOf(QLatin1String(scheme));
            }
            if (at >= 0)
                word = word.left(at) + shownUrl(word.mid(at));
        }
        entries.append(words.join(QLatin1Char(' ')));
    }
    return entries.join(QStringLiteral(", "));
}

} // namespace

Session::Session(QStringList &args, Clustr::AccessControl::Role role)
    : m_role(role)
{
    bool haveUrl = false;
    m_url = Cli::takeOption(args, QStringLiteral("redis"), &haveUrl);
    if (haveUrl)
        m_tried.append(QStringLiteral("--redis ") + m_url);
    m_name = Cli::takeOption(args, QStringLiteral("cluster"));
    m_namespace = m_name;
    m_host = Cli::takeOption(args, QStringLiteral("host"));
    if (Cli::takeFlag(args, QStringLiteral("verbose"))) {
        Clustr::enableVerboseLogging();
    } else {
        // The commands report connection problems themselves, in one line;
        // the library's own warnings would repeat them in another format.
        // QT_LOGGING_RULES still overrides this.
        QLoggingCategory::setFilterRules(QStringLiteral("clustr.*.warning=false"));
    }
}

Session::~Session() = default;

bool Session::setHost(const QString &host)
{
    if (!m_host.isEmpty() && m_host != host) {
        Cli::err(QStringLiteral("--host %1 and a process of host %2: name one host").arg(m_host, host));
        return false;
    }
    m_host = host;
    return true;
}

QString Session::displayUrl() const
{
    return shownUrl(m_url);
}

QString Session::clusterLabel() const
{
    // One name everywhere: the one the master announces (its file's "name",
    // else the file's base name), as `status` and the run log call it.
    if (!m_announcedName.isEmpty())
        return QStringLiteral("cluster \"%1\"").arg(m_announcedName);
    return m_name.isEmpty() ? QStringLiteral("the unnamed cluster") : QStringLiteral("cluster \"%1\"").arg(m_name);
}

int Session::connect()
{
    QElapsedTimer clock;
    clock.start();
    if (const int opened = openClient(); opened != Cli::Ok)
        return opened;
    watchForFailures();
    // The whole of finding Redis, connecting and reading the first status: by
    // default, the "within two seconds" promise leaves room for starting up
    // and printing.
    const int budgetMs = Cli::answerBudgetMs();
    if (!firstContact(std::max(0, budgetMs - int(clock.elapsed())))) {
        const QString reason = m_redisFailed || !m_redisError.isEmpty()
            ? m_redisError
            : QStringLiteral("no answer within %1").arg(Cli::budgetText(budgetMs));
        Cli::err(QStringLiteral("cannot reach Redis at %1 (tried: %2): %3%4").arg(displayUrl(), shownTried(m_tried), reason, recordedElsewhere()));
        return Cli::RedisUnreachable;
    }
    // Redis answered, but refused to let us read the cluster's state: that
    // says nothing about whether a cluster runs.
    if (refusal() != Cli::Ok)
        return reportRefusal();
    if (!m_client.isClusterRunning() && m_host.isEmpty() && !m_namespace.isEmpty()) {
        // A cluster across hosts has no master of its own: its hosts list
        // comes with the first complete read.
        waitUntil([this] { return m_refreshes > 0; }, std::max(100, budgetMs - int(clock.elapsed())));
        if (const QList<Clustr::ClusterHost> found = m_client.hosts(); !found.isEmpty()) {
            QStringList names;
            for (const Clustr::ClusterHost &host : found)
                names.append(host.lost ? host.name + QStringLiteral(" (lost)") : host.name);
            if (!m_acrossHostsAllowed) {
                Cli::err(QStringLiteral("%1 runs across %2 (%3): choose one with --host NAME")
                             .arg(clusterLabel(), Cli::count(int(found.size()), "host", "hosts"), names.join(QStringLiteral(", "))));
                return Cli::Usage;
            }
            m_acrossHosts = true;
            return Cli::Ok;
        }
    }
    if (!m_client.isClusterRunning()) {
        findOtherClusters(std::max(100, budgetMs + 200 - int(clock.elapsed())));
        if (!adoptUnnamedCalledAsAsked(std::max(500, budgetMs + 500 - int(clock.elapsed())))) {
            noClusterMessage();
            return Cli::NoCluster;
        }
    }
    m_announcedName = m_client.master().name();
    return Cli::Ok;
}

bool Session::firstContact(int timeoutMs)
{
    // open() asked for the announcement and the status first; the answer to
    // this comes after theirs, so by then the client knows what runs.
    m_firstAnswer = false;
    m_client.publisher()->command({QByteArrayLiteral("PING")}, [this](const Clustr::RedisReply &reply) {
        if (!reply.isError()) {
            m_firstAnswer = true;
        } else if (!m_redisFailed) {
            // Connected, but refused: e.g. NOAUTH from a server that wants a password.
            m_redisFailed = true;
            m_redisError = QString::fromUtf8(reply.string);
        }
    });
    // On a Redis Cluster that order does not hold: the cluster's keys may
    // live on another node than the one that answers PING, or their reads
    // be redirected. The end of the first read is waited for as well (on
    // one Redis it has come by then).
    waitUntil([this] { return m_redisFailed || (m_firstAnswer && m_client.isConnected() && m_refreshes > m_refreshesAtOpen); },
              timeoutMs);
    return m_firstAnswer && m_client.isConnected();
}

// One name everywhere: a file without a "name" runs the unnamed cluster
// (no namespace) and every tool calls it by the file's base name, which its
// master announces. Asked for that name on a Redis where it runs, use it.
bool Session::adoptUnnamedCalledAsAsked(int timeoutMs)
{
    if (m_name.isEmpty() || m_namespace.isEmpty() || !m_unnamedRuns)
        return false;
    {
        Clustr::ClusterClient probe;
        probe.setRedisUrl(m_url);
        if (!probe.open() || !waitUntil([&probe] { return probe.masterPid() > 0; }, timeoutMs)
            || probe.master().name() != m_name)
            return false;
    }
    m_client.close();
    m_namespace.clear();
    m_client.setClusterName(m_namespace);
    m_refreshesAtOpen = m_refreshes;
    return m_client.open() && firstContact(timeoutMs) && refusal() == Cli::Ok && m_client.isClusterRunning();
}

int Session::openClient()
{
    if (m_tried.isEmpty()) {
        // A cluster recorded here is found by the name every tool calls it
        // (its file's "name", else the file's base name); the record says
        // which namespace its channels use.
        QString recordName = m_name;
        if (qEnvironmentVariableIsEmpty("CLUSTR_REDIS")) {
            if (const auto recorded = Clustr::ClusterClient::recordedCluster(m_name)) {
                recordName = recorded->name;
                m_namespace = recorded->clusterNamespace;
            }
        }
        m_url = Clustr::ClusterClient::discoverRedisUrl(recordName, m_role, &m_tried);
    }

    QString error;
    if (!Clustr::RedisClient::isValidUrl(m_url, &error)) {
        // The library's message names the URL; where it came from is ours to add.
        Cli::err(QStringLiteral("%1 (from %2)").arg(error, m_tried.constLast().section(QLatin1Char(' '), 0, 0).section(QLatin1Char('='), 0, 0)));
        return Cli::Usage;
    }
    if (!m_name.isEmpty() && !Clustr::isValidName(m_name)) {
        Cli::err(QStringLiteral("invalid cluster name \"%1\": 1 to 200 printable characters without spaces").arg(m_name));
        return Cli::Usage;
    }

    if (!m_host.isEmpty() && !Clustr::isValidHostName(m_host)) {
        Cli::err(QStringLiteral("invalid host \"%1\": letters, digits, '.', '-' and '_'").arg(m_host));
        return Cli::Usage;
    }
    if (!m_host.isEmpty() && m_namespace.isEmpty()) {
        Cli::err(QStringLiteral("--host %1 needs --cluster NAME: only a named cluster runs across hosts").arg(m_host));
        return Cli::Usage;
    }

    m_client.setRedisUrl(m_url);
    m_client.setClusterName(m_namespace);
    m_client.setHost(m_host);
    QObject::connect(&m_client, &Clustr::ClusterClient::refreshed, &m_client, [this] { ++m_refreshes; });
    m_client.setPollInterval(m_pollInterval);
    QString openError;
    QObject::connect(&m_client, &Clustr::ClusterClient::errorOccurred, &m_client, [&openError](Clustr::ClusterClient::Error, const QString &text) {
        if (openError.isEmpty())
            openError = text;
    });
    m_refreshesAtOpen = m_refreshes;
    const bool opened = m_client.open();
    QObject::disconnect(&m_client, &Clustr::ClusterClient::errorOccurred, &m_client, nullptr);
    if (!opened) {
        Cli::err(openError);
        return Cli::Usage;
    }
    // Redis has as long to answer what the command sends as waitUntilWritten() gives it.
    if (Clustr::RedisClient *publisher = m_client.publisher())
        publisher->setCommandTimeout(std::chrono::milliseconds(writeBudgetMs()));
    return Cli::Ok;
}

void Session::watchForFailures()
{
    // Refused reads and messages: the first one decides the exit code.
    QObject::connect(&m_client, &Clustr::ClusterClient::errorOccurred, &m_client, [this](Clustr::ClusterClient::Error kind, const QString &text) {
        using Error = Clustr::ClusterClient::Error;
        if (m_refusalCode != Cli::Ok || (kind != Error::PermissionDenied && kind != Error::CommandRefused && kind != Error::NotDelivered))
            return;
        m_refusalCode = kind == Error::PermissionDenied ? Cli::PermissionDenied : Cli::Failed;
        m_refusal = text;
    });

    using Clustr::RedisClient;
    for (RedisClient *connection : {m_client.publisher(), m_client.subscriber()}) {
        // The client retries for ever; a command line tool says what is wrong instead.
        QObject::connect(connection, &RedisClient::errorOccurred, &m_client, [this](RedisClient::Error kind, const QString &text) {
            if (m_firstAnswer && kind != RedisClient::Error::ConnectionLost)
                return;
            // ProtocolError: a reply the client refused to read (larger than
            // its limits, malformed), from something that is no usable Redis.
            if (kind == RedisClient::Error::ConnectionFailed || kind == RedisClient::Error::AuthenticationFailed
                || kind == RedisClient::Error::ConnectionLost || kind == RedisClient::Error::ProtocolError) {
                m_redisFailed = true;
                m_redisError = reasonOf(kind, text);
            }
        });
    }
}

// Which clusters do run there: the likely fix is a --cluster NAME.
void Session::findOtherClusters(int timeoutMs)
{
    QObject::connect(&m_client, &Clustr::ClusterClient::clustersFound, &m_client, [this](const QStringList &names) {
        m_otherClustersRead = true;
        for (const QString &name : names) {
            const QString label = name.isEmpty() ? QStringLiteral("an unnamed one (leave out --cluster)") : QLatin1Char('"') + name + QLatin1Char('"');
            m_unnamedRuns = m_unnamedRuns || name.isEmpty();
            if (name != m_namespace)
                m_otherClusters.append(label);
        }
    });
    m_client.findClusters();
    waitUntil([this] { return m_otherClustersRead; }, timeoutMs);
}

// The clusters this host runs on embedded Redis servers, when the one asked
// for is not among them: the likely fix is their --cluster NAME.
QString Session::recordedElsewhere() const
{
    // Only when discovery fell through to the default: a Redis the user named
    // (--redis, CLUSTR_REDIS) or the one recorded for this name is the one meant.
    if (m_tried.size() <= 1 || m_tried.constLast() != Clustr::RedisClient::defaultUrl())
        return QString();
    QStringList others;
    const auto recorded = Clustr::ClusterClient::recordedClusters();
    for (const auto &cluster : recorded) {
        if (cluster.name != m_name)
            others.append(cluster.name.isEmpty() ? QStringLiteral("the unnamed one (leave out --cluster)")
                                                 : QStringLiteral("\"%1\" (--cluster %1)").arg(cluster.name));
    }
    if (others.isEmpty())
        return QStringLiteral("; no cluster runs on this host's embedded Redis: start one with: clustr-qt run CLUSTER.json");
    return QStringLiteral("; running on this host: %1 (clustr-qt ls lists them)").arg(others.join(QStringLiteral(", ")));
}

void Session::noClusterMessage()
{
    const Clustr::MasterInfo master = m_client.master();
    QString hint;
    if (master.pid() != 0) {
        hint = QStringLiteral("its master, pid %1, is stopping").arg(master.pid());
    } else if (!m_otherClusters.isEmpty()) {
        std::sort(m_otherClusters.begin(), m_otherClusters.end());
        hint = QStringLiteral("running there: %1; choose one with --cluster NAME").arg(m_otherClusters.join(QStringLiteral(", ")));
    } else {
        hint = QStringLiteral("start one with: clustr-qt run cluster.json");
    }
    QString which = m_name.isEmpty() ? QStringLiteral("no unnamed cluster") : QStringLiteral("no cluster \"%1\"").arg(m_name);
    if (!m_host.isEmpty())
        which += QStringLiteral(" on host ") + m_host;
    Cli::err(QStringLiteral("%1 is running at %2 (%3)").arg(which, displayUrl(), hint));
}

bool Session::waitForEvents(int timeoutMs)
{
    if (waitUntil([this] { return m_client.masterPid() > 0 && m_client.isFollowingEvents(); }, timeoutMs))
        return true;
    Cli::err(QStringLiteral("Redis at %1 did not confirm the subscription to the master's events within %2 s")
                 .arg(displayUrl()).arg(timeoutMs / 1000.0));
    return false;
}

bool Session::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    auto check = [&loop, &done] {
        if (done())
            loop.quit();
    };
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    // Conditions outside the client (a process that is gone) have no signal.
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, &loop, check);
    tick.start(50);
    using Clustr::ClusterClient;
    using Clustr::RedisClient;
    QList<QMetaObject::Connection> connections{
        QObject::connect(&m_client, &ClusterClient::connectedChanged, &loop, check),
        QObject::connect(&m_client, &ClusterClient::clusterRunningChanged, &loop, check),
        QObject::connect(&m_client, &ClusterClient::masterChanged, &loop, check),
        QObject::connect(&m_client, &ClusterClient::statusUpdated, &loop, check),
        QObject::connect(&m_client, &ClusterClient::eventReceived, &loop, check),
        QObject::connect(&m_client, &ClusterClient::errorOccurred, &loop, check),
    };
    if (m_client.publisher()) {
        connections.append(QObject::connect(m_client.publisher(), &RedisClient::drained, &loop, check));
        connections.append(QObject::connect(m_client.subscriber(), &RedisClient::subscribed, &loop, check));
    }
    deadline.start(std::max(0, timeoutMs));
    loop.exec();
    for (const auto &connection : std::as_const(connections))
        QObject::disconnect(connection);
    return done();
}

int Session::waitForStatus()
{
    using Error = Clustr::ClusterClient::Error;
    Clustr::ClusterClient &client = m_client;
    if (!waitUntil([&client] { return client.status().master().pid() != 0 || client.error() == Error::MalformedRecord; }, Cli::answerBudgetMs())) {
        Cli::err(QStringLiteral("the master (pid %1) of %2 publishes no status").arg(client.masterPid()).arg(clusterLabel()));
        return Cli::Failed;
    }
    if (client.status().master().pid() == 0) { // there is one, but it cannot be read
        Cli::err(client.errorString());
        return Cli::Failed;
    }
    return Cli::Ok;
}

void Session::waitForFreshFigures()
{
    // Every process answers at once; the master writes the status a
    // moment later (docs/PROTOCOL.md section 8.4).
    constexpr int FreshFiguresTimeoutMs = 2000;
    Clustr::ClusterClient &client = m_client;
    const QString id = client.requestSamples();
    if (id.isEmpty())
        return;
    client.setPollInterval(std::chrono::milliseconds(50));
    waitUntil([&client, &id] { return client.status().master().sampleId() == id; }, FreshFiguresTimeoutMs);
    client.setPollInterval(m_pollInterval);
}

int Session::writeBudgetMs()
{
    // A user who gives Redis more time to answer (a slow link, a loaded
    // machine) gives it to every answer the command waits for.
    constexpr int DefaultMs = 3000;
    return std::max(DefaultMs, Cli::answerBudgetMs());
}

bool Session::waitUntilWritten(int deliveryMs)
{
    Clustr::RedisClient *publisher = m_client.publisher();
    if (!publisher)
        return false;
    // A second past the publisher's own timeout, which answers what is
    // still outstanding then with its error. A refusal or that error ends
    // the wait (reportRefusal() says it): a message's retry, queued at
    // once, would keep a command outstanding.
    constexpr int PastTheTimeoutMs = 1000;
    if (!waitUntil([this, publisher] { return publisher->pendingCommands() == 0 || m_refusalCode != Cli::Ok; },
                   writeBudgetMs() + PastTheTimeoutMs))
        return false;
    if (m_refusalCode != Cli::Ok)
        return true;
    // Kills and control commands: until their receiver got them (one that
    // reconnects after an outage), or the client gives up on them
    // (NotDelivered, a refusal: reportRefusal() says which).
    Clustr::ClusterClient &client = m_client;
    waitUntil([&client] { return client.pendingDeliveries() == 0; }, deliveryMs);
    return true;
}

int Session::reportRefusal() const
{
    if (m_refusalCode != Cli::Ok)
        Cli::err(m_refusal);
    return m_refusalCode;
}

bool Session::isMasterLocal() const
{
    return m_client.master().host() == QSysInfo::machineHostName();
}

bool Session::processGone(qint64 pid)
{
    if (pid <= 0)
        return true;
    if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
        return true;
    // A zombie is dead too, whoever has not reaped it yet.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) {
        // Reaped between the two looks (its parent waited for it just now),
        // or it exists and /proc hides it: ask once more.
        return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
    }
    const QByteArray line = stat.readAll();
    const int close = int(line.lastIndexOf(')'));
    return close >= 0 && line.mid(close + 2, 1) == "Z";
}

QString Session::groupOf(qint64 pid) const
{
    const QList<Clustr::ProcessStatus> processes = m_client.status().processes();
    for (const Clustr::ProcessStatus &process : processes) {
        if (process.pid() == pid)
            return process.group();
    }
    if (pid == m_client.masterPid())
        return QStringLiteral("master");
    return QString();
}

int Session::groupSize(const QString &group) const
{
    return int(m_client.status().clusterInfo().value(group).size());
}

} // namespace ControlCommands
