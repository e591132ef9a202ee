// SPDX-License-Identifier: MIT
#include <ClustrQt/clusterclient.h>

#include <ClustrQt/reloadjob.h>

#include "base/logging_p.h"
#include "control/controlrequest_p.h"
#include "control/runtimedirectory_p.h"
#include "protocol/channels_p.h"
#include "protocol/codec_p.h"
#include "protocol/jsonreader_p.h"
#include "protocol/records_p.h"
#include "redis/confirmeddelivery_p.h"
#include "redis/redisclient_p.h"
#include "redis/redisurl_p.h"

#include <ClustrQt/redisclient.h>

#include <QtCore/QRandomGenerator>
#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include <algorithm>
#include <csignal>
#include <memory>
#include <utility>
#include <unistd.h>

namespace Clustr {

namespace {

// A control tool reads little: its replies are bounded well below the
// library's defaults, so that a broken or hostile server cannot make it
// allocate without end (two records, a SCAN of the clusters).
constexpr qsizetype MaxReplySize = 2 * ClusterClient::MaxRecordSize;
constexpr qsizetype MaxReplyElements = 100000;
// How long a kill or a control command is published again while its
// receiver is not connected (a Redis failover takes a few seconds).
constexpr std::chrono::milliseconds DeliveryWindow{10000};
// A watcher's interest in figures: renewed well before it runs out, so a
// late read does not stop the figures, and gone soon after the watcher is.
constexpr std::chrono::milliseconds SamplingLease{10000};
constexpr qint64 SamplingRenewMs = 3000;

} // namespace

class ClusterClientPrivate
{
    Q_DECLARE_PUBLIC(ClusterClient)
public:
    explicit ClusterClientPrivate(ClusterClient *q) : q_ptr(q) {}

    void handleKeys(const RedisReply &masterReply, const RedisReply &statusReply);
    //! The JSON object of a record read with GETRANGE (\a what names it); nothing if absent or unusable.
    std::optional<QJsonObject> record(const RedisReply &reply, const QString &what);
    //! An error answer to a read of the cluster's state.
    void readFailed(const QByteArray &text);
    //! findClusters() on a Redis Cluster: every master scanned.
    void findClustersOnEveryNode();
    void createConnections();
    void updateConnected();
    //! Asks Redis whether this connection's user may publish here; see ClusterClient::isReadOnly().
    void checkPublishPermission();
    void setReadOnly(bool readOnly, const QString &reason);
    //! For the library's own helpers (sendControlCommand()); the friend Q_DECLARE_PRIVATE makes.
    static ClusterClientPrivate *get(ClusterClient *client) { return client->d_func(); }
    void sendTo(const QByteArray &channel, const QJsonValue &data);
    //! Sends an envelope already encoded.
    void sendPayload(const QByteArray &channel, const QByteArray &payload);
    //! sendTo() until the receiver got it (a kill, a control command: docs/PROTOCOL.md section 7).
    void sendConfirmedTo(const QByteArray &channel, const QJsonValue &data);
    //! Says why a message on \a channel was not taken: \a reply is Redis' error, or the client's own.
    void reportUnsent(const QByteArray &channel, const RedisReply &reply);
    //! Sends \a json as data unchanged; false if it is not JSON.
    bool sendJsonTo(const QByteArray &channel, const QByteArray &json);
    void followEvents(qint64 newMasterPid);
    //! While sampling: asks again when the lease is due for renewal.
    void renewSampling();
    //! The record was written a while ago: ages and "last seen" as of now.
    static void ageStatus(ClusterStatus &status);
    //! Once per problem, not at every poll (again after a read without one).
    void reportProblem(ClusterClient::Error code, const QString &text);
    void setError(ClusterClient::Error code, const QString &text);
    //! A named cluster read without a host: its hosts list, then refreshed().
    void readHosts();
    void handleHosts(const RedisReply &entries, const QList<RedisReply> &announcements);
    QString displayUrl() const { return RedisClient::displayUrl(url); }

    ClusterClient *q_ptr;
    QString url;
    QString name;
    QString host;
    QList<ClusterHost> hosts;
    std::chrono::milliseconds pollInterval{1000};
    Protocol::Channels channels;
    RedisClient *publisher = nullptr;
    ConfirmedDelivery *deliveries = nullptr;
    RedisClient *subscriber = nullptr;
    QTimer pollTimer;
    MasterInfo master;
    ClusterStatus status;
    qint64 masterPid = 0;
    bool running = false;
    bool connected = false;
    bool polling = false;
    bool readOnly = false;
    QString readOnlyReason;
    bool sampling = false;
    QElapsedTimer lastSamplingRequest; // invalid: none for this master yet
    QByteArray eventsChannel;
    // The master followed before: its last events may still be on their way
    // when a poll finds it gone (they were published before the UNSUBSCRIBE
    // was, and Redis sends nothing on it after).
    QByteArray leftEventsChannel;
    QByteArray watchPattern;
    RedisReply masterReply; // of the read under way, until the status' answer comes
    QString lastProblem;
    bool problemThisRead = false;
    ClusterClient::Error error = ClusterClient::Error::NoError;
    QString errorString;
    QSet<QByteArray> subscribed; // channels and patterns Redis confirmed
    const qint64 pid = QCoreApplication::applicationPid();
};

QString ClusterClient::runtimeDirectory()
{
    return RuntimeDirectory::path();
}

bool ClusterClient::prepareRuntimeDirectory(QString *error)
{
    return RuntimeDirectory::ensure(error);
}

QString ClusterClient::recordFile(const QString &clusterName)
{
    return runtimeDirectory() + QLatin1Char('/') + (clusterName.isEmpty() ? QStringLiteral("default") : clusterName)
        + QStringLiteral(".json");
}

bool ClusterClient::writeRecord(const QString &clusterName, const QString &redisUrl, qint64 redisPid, QString *error)
{
    return writeRecord(clusterName, redisUrl, redisPid, {}, error);
}

bool ClusterClient::writeRecord(const QString &clusterName, const QString &redisUrl, qint64 redisPid,
                                const AccessControl::Passwords &passwords, QString *error)
{
    return writeRecord(clusterName, clusterName, redisUrl, redisPid, passwords, error);
}

bool ClusterClient::writeRecord(const QString &name, const QString &clusterNamespace, const QString &redisUrl, qint64 redisPid,
                                const AccessControl::Passwords &passwords, QString *error)
{
    Protocol::RuntimeRecord record{QCoreApplication::applicationPid(), redisUrl, redisPid, clusterNamespace, {}};
    for (auto it = passwords.cbegin(); it != passwords.cend(); ++it)
        record.passwords.insert(AccessControl::roleName(it.key()), it.value());
    return writeRuntimeFile(recordFile(name), Protocol::Records::toBytes(Protocol::Records::toJson(record)), error);
}

bool ClusterClient::writeRuntimeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    return RuntimeDirectory::ensure(error) && RuntimeDirectory::writeFile(path, bytes, error);
}

namespace {

// What a `clustr-qt run` recorded for a cluster, if the record can be
// trusted (RuntimeDirectory says when) and its daemon still runs; else
// why not, for the caller's list of what it tried.
std::optional<Protocol::RuntimeRecord> liveRecord(const QString &record, QString *why)
{
    if (!RuntimeDirectory::verify(RuntimeDirectory::path(), why))
        return std::nullopt;
    QString readError;
    const auto bytes = RuntimeDirectory::readFile(record, 64 * 1024, &readError);
    if (!bytes) {
        *why = QFile::exists(record) ? readError : QStringLiteral("none");
        return std::nullopt;
    }
    const auto object = Protocol::Records::objectFromBytes(*bytes);
    const auto recorded = object ? Protocol::Records::runtimeRecord(*object) : std::nullopt;
    if (!recorded) {
        *why = QStringLiteral("unreadable");
        return std::nullopt;
    }
    if (recorded->pid <= 0 || ::kill(pid_t(recorded->pid), 0) != 0) {
        *why = QStringLiteral("stale: its daemon is gone");
        return std::nullopt;
    }
    const auto url = RedisUrl::parse(recorded->redisUrl);
    if (url && !url->socketPath.isEmpty() && !RuntimeDirectory::servedByUs(url->socketPath, why))
        return std::nullopt;
    return recorded;
}

// The Redis of a live record, logged in as \a role when it has ACL users.
QString recordedRedisUrl(const Protocol::RuntimeRecord &recorded, AccessControl::Role role)
{
    auto url = RedisUrl::parse(recorded.redisUrl);
    // An embedded Redis with ACL users: log in as the role asked for.
    const QString password = recorded.passwords.value(AccessControl::roleName(role));
    if (!url || password.isEmpty())
        return recorded.redisUrl;
    url->user = AccessControl::userName(recorded.cluster, role);
    url->password = password;
    return url->toString(true);
}

} // namespace

QList<ClusterClient::RecordedCluster> ClusterClient::recordedClusters()
{
    QList<RecordedCluster> found;
    const QDir directory(runtimeDirectory());
    const QStringList files = directory.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        QString why;
        const auto recorded = liveRecord(directory.filePath(file), &why);
        if (!recorded)
            continue;
        // The file is named for what tools call the cluster, the record holds its namespace.
        const QString name = file == QLatin1String("default.json") ? QString() : file.chopped(5);
        found.append({name, recorded->pid, recordedRedisUrl(*recorded, AccessControl::Role::Monitor), recorded->cluster});
    }
    return found;
}

std::optional<ClusterClient::RecordedCluster> ClusterClient::recordedCluster(const QString &name)
{
    const QList<RecordedCluster> recorded = recordedClusters();
    for (const RecordedCluster &cluster : recorded) {
        if (cluster.name == name)
            return cluster;
    }
    if (name.isEmpty() && recorded.size() == 1)
        return recorded.constFirst();
    return std::nullopt;
}

qint64 ClusterClient::recordedDaemonPid(const QString &clusterName)
{
    QString why;
    const auto recorded = liveRecord(recordFile(clusterName), &why);
    return recorded ? recorded->pid : 0;
}

QString ClusterClient::discoverRedisUrl(const QString &clusterName, QStringList *tried)
{
    return discoverRedisUrl(clusterName, AccessControl::Role::Operator, tried);
}

QString ClusterClient::discoverRedisUrl(const QString &clusterName, AccessControl::Role role, QStringList *tried)
{
    const QString fromEnvironment = qEnvironmentVariable("CLUSTR_REDIS");
    if (!fromEnvironment.isEmpty()) {
        if (tried) {
            const auto parsed = RedisUrl::parse(fromEnvironment);
            tried->append(QStringLiteral("CLUSTR_REDIS=") + (parsed ? parsed->toString() : QStringLiteral("(invalid URL)")));
        }
        return fromEnvironment;
    }
    if (tried)
        tried->append(QStringLiteral("CLUSTR_REDIS (not set)"));
    // A `clustr-qt run` with an embedded Redis records where it is. Asked
    // for no name, the only cluster recorded here is the one meant.
    QString record = recordFile(clusterName);
    if (clusterName.isEmpty() && !QFile::exists(record)) {
        if (const auto only = recordedCluster(QString()))
            record = recordFile(only->name);
    }
    QString why;
    if (const auto recorded = liveRecord(record, &why)) {
        const QString url = recordedRedisUrl(*recorded, role);
        if (tried) {
            const auto parsed = RedisUrl::parse(url);
            tried->append(record + QStringLiteral(" -> ") + (parsed ? parsed->toString() : RedisClient::displayUrl(url)));
        }
        return url;
    }
    if (tried)
        tried->append(record + QStringLiteral(" (") + why + QLatin1Char(')'));
    const QString fallback = QString::fromLatin1(RedisUrl::DefaultUrl);
    if (tried)
        tried->append(fallback);
    return fallback;
}

ClusterClient::ClusterClient(QObject *parent)
    : QObject(parent)
    , d_ptr(new ClusterClientPrivate(this))
{
    Q_D(ClusterClient);
    connect(&d->pollTimer, &QTimer::timeout, this, &ClusterClient::refresh);
}

ClusterClient::~ClusterClient() = default;

QString ClusterClient::redisUrl() const
{
    return d_func()->url;
}

void ClusterClient::setRedisUrl(const QString &url)
{
    Q_D(ClusterClient);
    if (d->url == url)
        return;
    d->url = url;
    Q_EMIT redisUrlChanged(url);
}

QString ClusterClient::clusterName() const
{
    return d_func()->name;
}

void ClusterClient::setClusterName(const QString &name)
{
    Q_D(ClusterClient);
    if (d->name == name)
        return;
    d->name = name;
    Q_EMIT clusterNameChanged(name);
}

QString ClusterClient::host() const
{
    return d_func()->host;
}

void ClusterClient::setHost(const QString &host)
{
    Q_D(ClusterClient);
    if (d->host == host)
        return;
    d->host = host;
    Q_EMIT hostChanged(host);
}

QList<ClusterHost> ClusterClient::hosts() const
{
    return d_func()->hosts;
}

void ClusterClient::setPollInterval(std::chrono::milliseconds interval)
{
    Q_D(ClusterClient);
    d->pollInterval = std::max(interval, std::chrono::milliseconds(50));
    if (d->pollTimer.isActive())
        d->pollTimer.start(d->pollInterval);
}

// The publisher and the subscriber, bounded as a control tool's should be,
// their state and errors followed.
void ClusterClientPrivate::createConnections()
{
    Q_Q(ClusterClient);
    using Error = ClusterClient::Error;
    publisher = new RedisClient(q);
    subscriber = new RedisClient(q);
    deliveries = new ConfirmedDelivery(publisher, q);
    // A tool gives up sooner than a process: its user is waiting.
    deliveries->setWindow(DeliveryWindow);
    const QString clientName = QStringLiteral("clustr.cli.%1").arg(pid);
    publisher->setUrl(url);
    publisher->setClientName(clientName + QStringLiteral(".pub"));
    subscriber->setUrl(url);
    subscriber->setClientName(clientName + QStringLiteral(".sub"));
    // A control tool should not sit on a dead connection for long.
    publisher->setCommandTimeout(std::chrono::milliseconds(3000));
    // Events larger than a process would accept are skipped as they come.
    subscriber->setMaxMessageSize(Protocol::Codec::DefaultMaxPayloadSize);
    for (RedisClient *client : {publisher, subscriber}) {
        client->setMaxReplySize(MaxReplySize);
        client->setMaxReplyElements(MaxReplyElements);
        QObject::connect(client, &RedisClient::stateChanged, q, [this] { updateConnected(); });
        QObject::connect(client, &RedisClient::errorOccurred, q, [this](RedisClient::Error kind, const QString &text) {
            switch (kind) {
            case RedisClient::Error::ConnectionFailed: setError(Error::ConnectionFailed, text); break;
            case RedisClient::Error::ConnectionLost: setError(Error::ConnectionLost, text); break;
            case RedisClient::Error::AuthenticationFailed: setError(Error::AuthenticationFailed, text); break;
            case RedisClient::Error::PermissionDenied: setError(Error::PermissionDenied, text); break;
            case RedisClient::Error::CommandRefused: setError(Error::CommandRefused, text); break;
            default: setError(Error::RedisError, text); break;
            }
        });
    }
    QObject::connect(publisher, &RedisClient::connected, q, [this] { checkPublishPermission(); });
    QObject::connect(subscriber, &RedisClient::subscribed, q, [this](const QByteArray &channel) { subscribed.insert(channel); });
    QObject::connect(subscriber, &RedisClient::stateChanged, q, [this] {
        if (!subscriber->isConnected())
            subscribed.clear(); // confirmed again after the reconnect
    });
}

bool ClusterClient::open()
{
    Q_D(ClusterClient);
    if (d->publisher)
        return true;
    if (d->url.isEmpty())
        d->url = discoverRedisUrl(d->name);
    QString error;
    if (!RedisUrl::parse(d->url, &error)) {
        d->setError(Error::InvalidUrl, error);
        return false;
    }
    if (!d->name.isEmpty() && !Protocol::Channels::isValidName(d->name)) {
        d->setError(Error::InvalidName, QStringLiteral("invalid cluster name \"%1\": use printable characters without spaces").arg(d->name));
        return false;
    }
    if (!d->host.isEmpty() && d->name.isEmpty()) {
        d->setError(Error::InvalidName, QStringLiteral("host \"%1\" given without a cluster name: only a named cluster runs across hosts").arg(d->host));
        return false;
    }
    if (!d->host.isEmpty() && !Protocol::Channels::isValidHostName(d->host)) {
        d->setError(Error::InvalidName, QStringLiteral("invalid host name \"%1\": use letters, digits, '.', '-' and '_'").arg(d->host));
        return false;
    }
    d->channels = Protocol::Channels(d->name, d->host)
                      .withHashTaggedKeys(RedisClient::isClusterUrl(d->url))
                      .withShardedInboxes(RedisClient::usesShardedChannels(d->url));
    d->createConnections();
    connect(d->subscriber, &RedisClient::messageReceived, this, [this, d](const QByteArray &channel, const QByteArray &payload) {
        if (channel != d->eventsChannel && channel != d->leftEventsChannel)
            return;
        QString error;
        auto decoded = Protocol::Codec::decode(payload, Protocol::Codec::DefaultMaxPayloadSize, &error);
        const auto data = decoded ? Protocol::Codec::parseValue(decoded->data, &error) : std::nullopt;
        const auto event = data ? Protocol::Records::clusterEvent(*data, &error) : std::nullopt;
        if (event)
            Q_EMIT eventReceived(*event);
        else
            qCWarning(lcProtocol).noquote() << "ignored a malformed event of the master:" << error;
    });
    connect(d->subscriber, &RedisClient::patternMessageReceived, this,
            [this, d](const QByteArray &pattern, const QByteArray &channel, const QByteArray &payload) {
        if (pattern != d->watchPattern)
            return;
        // clustr:* names the tools' own records (`clustr-qt run` publishes
        // the workers' output lines on clustr:logs), never messages of the cluster.
        if (d->channels.withoutPrefix(channel).startsWith(QLatin1String("clustr:")))
            return;
        Message message;
        message.setKind(Protocol::publicKind(d->channels.kindOf(channel)));
        message.setChannel(d->channels.withoutPrefix(channel));
        if (auto decoded = Protocol::Codec::decode(payload, Protocol::Codec::DefaultMaxPayloadSize)) {
            message.setPid(decoded->pid);
            message.setGroup(decoded->group);
            message.setHost(decoded->host); // across hosts, pids repeat: the host tells them apart
            message.setDataJson(decoded->data);
        } else {
            message.setData(QString::fromUtf8(payload)); // shown as it came
        }
        Q_EMIT messageObserved(message, payload);
    });
    d->publisher->open();
    d->subscriber->open();
    d->pollTimer.start(d->pollInterval);
    refresh();
    return true;
}

void ClusterClient::close()
{
    Q_D(ClusterClient);
    d->pollTimer.stop();
    delete d->deliveries;
    d->deliveries = nullptr;
    delete d->publisher;
    delete d->subscriber;
    d->publisher = nullptr;
    d->subscriber = nullptr;
    d->eventsChannel.clear();
    d->leftEventsChannel.clear();
    d->watchPattern.clear();
    d->subscribed.clear();
    d->polling = false;
    d->updateConnected();
    // Forget the cluster too: an open() later must find it (and follow its events) anew.
    d->masterPid = 0;
    if (d->master.pid() != 0) {
        d->master = MasterInfo();
        Q_EMIT masterChanged(d->master);
    }
    if (d->running) {
        d->running = false;
        Q_EMIT clusterRunningChanged(false);
    }
    if (d->status.master().pid() != 0) {
        d->status = ClusterStatus();
        Q_EMIT statusUpdated(d->status);
    }
}

void ClusterClientPrivate::checkPublishPermission()
{
    // Redis checks a command against the ACL as it queues it in a MULTI,
    // answering NOPERM there, and DISCARD drops what was queued: the
    // answer costs no message. (A user refused MULTI itself would publish
    // one empty message on the control channel of pid 0, which no master has.)
    QPointer<ClusterClient> guard(q_func());
    publisher->command({QByteArrayLiteral("MULTI")}, [](const RedisReply &) {});
    publisher->command({QByteArrayLiteral("PUBLISH"), channels.controlChannel(0), QByteArray()}, [this, guard](const RedisReply &reply) {
        if (!guard)
            return;
        if (!reply.isError())
            setReadOnly(false, QString());
        else if (reply.string.startsWith("NOPERM"))
            setReadOnly(true, QStringLiteral("Redis lets this user watch the cluster but not command it (%1)")
                                  .arg(QString::fromUtf8(reply.string)));
    });
    publisher->command({QByteArrayLiteral("DISCARD")}, [](const RedisReply &) {});
}

void ClusterClientPrivate::setReadOnly(bool value, const QString &reason)
{
    Q_Q(ClusterClient);
    readOnlyReason = reason;
    if (readOnly == value)
        return;
    readOnly = value;
    Q_EMIT q->readOnlyChanged(value);
}

void ClusterClientPrivate::updateConnected()
{
    Q_Q(ClusterClient);
    const bool now = publisher && subscriber && publisher->isConnected() && subscriber->isConnected();
    if (now == connected)
        return;
    connected = now;
    Q_EMIT q->connectedChanged(connected);
    if (connected)
        q->refresh();
}

bool ClusterClient::isConnected() const
{
    return d_func()->connected;
}

bool ClusterClient::isReadOnly() const
{
    return d_func()->readOnly;
}

QString ClusterClient::readOnlyReason() const
{
    return d_func()->readOnlyReason;
}

ClusterClient::Error ClusterClient::error() const
{
    return d_func()->error;
}

QString ClusterClient::errorString() const
{
    return d_func()->errorString;
}

bool ClusterClient::isClusterRunning() const
{
    return d_func()->running;
}

bool ClusterClient::isFollowingEvents() const
{
    Q_D(const ClusterClient);
    return !d->eventsChannel.isEmpty() && d->subscribed.contains(d->eventsChannel);
}

bool ClusterClient::isWatching() const
{
    Q_D(const ClusterClient);
    return !d->watchPattern.isEmpty() && d->subscribed.contains(d->watchPattern);
}

qint64 ClusterClient::masterPid() const
{
    return d_func()->masterPid;
}

MasterInfo ClusterClient::master() const
{
    return d_func()->master;
}

ClusterStatus ClusterClient::status() const
{
    return d_func()->status;
}

void ClusterClient::refresh()
{
    Q_D(ClusterClient);
    if (!d->publisher || d->polling)
        return; // one read at a time: a slow Redis must not pile them up
    d->renewSampling();
    d->polling = true;
    QPointer<ClusterClient> guard(this);
    // At most one byte more than a record may have: enough to tell one that
    // is too large, never a whole one (GETRANGE's end is inclusive). The two
    // are answered in order.
    const QByteArray last = QByteArray::number(MaxRecordSize);
    d->publisher->command({QByteArrayLiteral("GETRANGE"), d->channels.masterKey(), QByteArrayLiteral("0"), last},
                          [guard, d](const RedisReply &reply) {
                              if (guard)
                                  d->masterReply = reply;
                          });
    d->publisher->command({QByteArrayLiteral("GETRANGE"), d->channels.statusKey(), QByteArrayLiteral("0"), last},
                          [guard, d](const RedisReply &reply) {
                              if (!guard)
                                  return;
                              d->handleKeys(std::exchange(d->masterReply, RedisReply()), reply);
                              if (!guard)
                                  return;
                              // A cluster across hosts has no master of its own: its hosts
                              // are read when none runs (a cluster of one host has none),
                              // and by a client of one of its hosts (a monitor's tree of hosts).
                              if (!d->name.isEmpty() && (!d->host.isEmpty() || !d->running)) {
                                  d->readHosts();
                                  return;
                              }
                              if (!d->hosts.isEmpty()) {
                                  d->hosts.clear();
                                  Q_EMIT guard->hostsChanged(d->hosts);
                              }
                              d->polling = false;
                              Q_EMIT guard->refreshed();
                          });
}

void ClusterClientPrivate::readHosts()
{
    Q_Q(ClusterClient);
    QPointer<ClusterClient> guard(q);
    publisher->command({QByteArrayLiteral("HGETALL"), channels.hostsKey()}, [guard, this](const RedisReply &entries) {
        if (!guard)
            return;
        if (entries.type != RedisReply::Type::Array || entries.elements.isEmpty()) {
            if (entries.isError() && !RedisClientPrivate::isLocalAnswer())
                readFailed(entries.string);
            handleHosts(entries, {});
            return;
        }
        // Whether each host's announcement is still there tells a live host
        // from one that died: answered in order, the last one completes.
        const qsizetype count = entries.elements.size() / 2;
        auto answers = std::make_shared<QList<RedisReply>>();
        for (qsizetype i = 0; i < count; ++i) {
            const QString hostName = QString::fromUtf8(entries.elements.at(2 * i).string);
            const QByteArray key = Protocol::Channels::isValidHostName(hostName) ? channels.forHost(hostName).masterKey()
                                                                                  : QByteArray();
            publisher->command({QByteArrayLiteral("EXISTS"), key.isEmpty() ? QByteArrayLiteral("-") : key},
                               [guard, this, answers, count, entries](const RedisReply &reply) {
                                   if (!guard)
                                       return;
                                   answers->append(reply);
                                   if (answers->size() == count)
                                       handleHosts(entries, *answers);
                               });
        }
    });
}

void ClusterClientPrivate::handleHosts(const RedisReply &entries, const QList<RedisReply> &announcements)
{
    Q_Q(ClusterClient);
    QList<ClusterHost> found;
    for (qsizetype i = 0; i < announcements.size(); ++i) {
        const QString hostName = QString::fromUtf8(entries.elements.at(2 * i).string);
        if (!Protocol::Channels::isValidHostName(hostName)) {
            reportProblem(ClusterClient::Error::MalformedRecord,
                          QStringLiteral("the cluster's hosts list names an invalid host \"%1\": ignored").arg(hostName));
            continue;
        }
        QString error;
        const auto object = Protocol::Records::objectFromBytes(entries.elements.at(2 * i + 1).string, &error);
        if (!object)
            reportProblem(ClusterClient::Error::MalformedRecord,
                          QStringLiteral("the cluster's entry of host %1 is malformed: %2").arg(hostName, error));
        ClusterHost entry = Protocol::Records::clusterHost(hostName, object.value_or(QJsonObject()));
        const RedisReply &exists = announcements.at(i);
        entry.lost = exists.type == RedisReply::Type::Integer && exists.integer == 0;
        found.append(entry);
    }
    std::sort(found.begin(), found.end(), [](const ClusterHost &a, const ClusterHost &b) { return a.name < b.name; });
    polling = false;
    if (found != hosts) {
        hosts = found;
        Q_EMIT q->hostsChanged(hosts);
    }
    Q_EMIT q->refreshed();
}

namespace {

// The cluster names in one SCAN reply: every running master keeps
// "<name>:" + its announcement key (or that key alone, unnamed), a cluster
// across hosts "<name>:clustr:hosts"; on a Redis Cluster hash-tagged,
// "{<name>:clustr}:master".
void collectClusterNames(const RedisReply &reply, QStringList *names)
{
    if (reply.type != RedisReply::Type::Array || reply.elements.size() != 2)
        return;
    const Protocol::Channels plain;
    const Protocol::Channels tagged = plain.withHashTaggedKeys(true);
    const QByteArray suffixes[] = {plain.masterKeySuffix(), plain.hostsKeySuffix(), tagged.masterKeySuffix(),
                                   tagged.hostsKeySuffix()};
    for (const RedisReply &key : reply.elements.at(1).elements) {
        QByteArray name = key.string;
        const auto suffix = std::find_if(std::cbegin(suffixes), std::cend(suffixes),
                                         [&name](const QByteArray &s) { return name.endsWith(s); });
        if (suffix == std::cend(suffixes))
            continue;
        name.chop(suffix->size());
        if (suffix->contains('}')) { // hash-tagged: "{" in front
            if (!name.startsWith('{'))
                continue;
            name.remove(0, 1);
        }
        if (name.endsWith(':'))
            name.chop(1);
        if (!names->contains(QString::fromUtf8(name)))
            names->append(QString::fromUtf8(name));
    }
}

const QByteArrayList ScanForClusters{QByteArrayLiteral("SCAN"), QByteArrayLiteral("0"), QByteArrayLiteral("MATCH"),
                                     QByteArrayLiteral("*clustr*"), QByteArrayLiteral("COUNT"), QByteArrayLiteral("1000")};

} // namespace

void ClusterClient::findClusters()
{
    Q_D(ClusterClient);
    if (!d->publisher)
        return;
    QPointer<ClusterClient> guard(this);
    if (RedisClient::isClusterUrl(d->url)) {
        d->findClustersOnEveryNode();
        return;
    }
    d->publisher->command(ScanForClusters, [guard, d](const RedisReply &reply) {
        if (!guard)
            return;
        if (reply.isError() && !RedisClientPrivate::isLocalAnswer())
            d->readFailed(reply.string);
        QStringList names;
        collectClusterNames(reply, &names);
        names.sort();
        Q_EMIT guard->clustersFound(names);
    });
}

void ClusterClientPrivate::findClustersOnEveryNode()
{
    Q_Q(ClusterClient);
    // A Redis Cluster's keys are spread over its masters, and SCAN sees one
    // node's: CLUSTER SLOTS names the masters, each is scanned, and the
    // names found anywhere are the answer.
    QPointer<ClusterClient> guard(q);
    publisher->command({QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("SLOTS")}, [guard, this](const RedisReply &slots) {
        if (!guard)
            return;
        if (slots.isError() && !RedisClientPrivate::isLocalAnswer())
            readFailed(slots.string);
        const auto url = RedisUrl::parse(this->url);
        QList<RedisUrl::Address> masters;
        for (const RedisReply &range : slots.elements) {
            // [first slot, last slot, [host, port, id…] of the master, replicas…]
            if (range.elements.size() < 3 || range.elements.at(2).elements.size() < 2)
                continue;
            const RedisReply &node = range.elements.at(2);
            RedisUrl::Address address{QString::fromUtf8(node.elements.at(0).string), int(node.elements.at(1).integer)};
            if (!masters.contains(address) && RedisUrl::isValidHost(address.host) && address.port > 0 && address.port < 65536)
                masters.append(address);
        }
        auto names = std::make_shared<QStringList>();
        auto remaining = std::make_shared<qsizetype>(masters.size());
        const auto finish = [guard, names] {
            names->sort();
            Q_EMIT guard->clustersFound(*names);
        };
        if (masters.isEmpty() || !url) {
            finish();
            return;
        }
        for (const RedisUrl::Address &master : masters) {
            RedisUrl nodeUrl = *url;
            nodeUrl.transport = RedisUrl::Transport::Tcp;
            nodeUrl.host = master.host;
            nodeUrl.port = master.port;
            auto *node = new RedisClient(guard);
            node->setUrl(nodeUrl.toString(true));
            node->setAutoReconnect(false);
            node->open();
            node->command(ScanForClusters, [guard, node, names, remaining, finish, this](const RedisReply &reply) {
                node->deleteLater();
                if (!guard)
                    return;
                if (reply.isError() && !RedisClientPrivate::isLocalAnswer())
                    readFailed(reply.string);
                collectClusterNames(reply, names.get());
                if (--*remaining == 0)
                    finish();
            });
        }
    });
}

std::optional<QJsonObject> ClusterClientPrivate::record(const RedisReply &reply, const QString &what)
{
    if (reply.string.isEmpty())
        return std::nullopt; // GETRANGE of a key that is not there
    if (reply.string.size() > ClusterClient::MaxRecordSize) {
        reportProblem(ClusterClient::Error::MalformedRecord,
                      QStringLiteral("the cluster's %1 is larger than %2 bytes: not read").arg(what).arg(ClusterClient::MaxRecordSize));
        return std::nullopt;
    }
    QString error;
    auto object = Protocol::Records::objectFromBytes(reply.string, &error);
    if (!object)
        reportProblem(ClusterClient::Error::MalformedRecord, QStringLiteral("the cluster's %1 is malformed: %2").arg(what, error));
    return object;
}

void ClusterClientPrivate::readFailed(const QByteArray &text)
{
    // NOPERM: an ACL user that may not read the cluster's keys. Not "no
    // cluster is running": nobody can tell from here.
    const bool denied = text.startsWith("NOPERM");
    reportProblem(denied ? ClusterClient::Error::PermissionDenied : ClusterClient::Error::CommandRefused,
                  QStringLiteral("Redis at %1 refused to read the cluster's state: %2").arg(displayUrl(), QString::fromUtf8(text)));
}

void ClusterClientPrivate::handleKeys(const RedisReply &masterReply, const RedisReply &statusReply)
{
    Q_Q(ClusterClient);
    problemThisRead = false;
    for (const RedisReply *reply : {&masterReply, &statusReply}) {
        if (reply->isError()) {
            // Not connected (yet), or lost: the connection says so itself.
            if (!RedisClientPrivate::isLocalAnswer())
                readFailed(reply->string);
            return; // the next poll tries again
        }
    }
    MasterInfo newMaster;
    if (const auto object = record(masterReply, QStringLiteral("announcement"))) {
        QString error;
        if (const auto parsed = Protocol::Records::masterInfo(*object, &error))
            newMaster = *parsed;
        else
            reportProblem(ClusterClient::Error::MalformedRecord, QStringLiteral("the cluster's announcement is malformed: %1").arg(error));
    }
    const bool nowRunning = newMaster.pid() != 0 && newMaster.state() != MasterInfo::State::Stopping;
    if (newMaster != master) {
        master = newMaster;
        followEvents(master.pid());
        Q_EMIT q->masterChanged(master);
    }
    if (nowRunning != running) {
        running = nowRunning;
        Q_EMIT q->clusterRunningChanged(running);
    }
    ClusterStatus newStatus;
    if (const auto object = record(statusReply, QStringLiteral("status"))) {
        QString error;
        if (const auto parsed = Protocol::Records::clusterStatus(*object, &error)) {
            newStatus = *parsed;
            ageStatus(newStatus);
        }
        else
            reportProblem(ClusterClient::Error::MalformedRecord, QStringLiteral("the cluster's status is malformed: %1").arg(error));
    }
    if (!problemThisRead)
        lastProblem.clear();
    if (newStatus.master().pid() != 0 || status.master().pid() != 0) {
        status = newStatus;
        Q_EMIT q->statusUpdated(status);
    }
}

void ClusterClientPrivate::setError(ClusterClient::Error code, const QString &text)
{
    Q_Q(ClusterClient);
    error = code;
    errorString = text;
    Q_EMIT q->errorOccurred(code, text);
}

void ClusterClientPrivate::reportProblem(ClusterClient::Error code, const QString &text)
{
    problemThisRead = true;
    if (text == lastProblem)
        return;
    lastProblem = text;
    setError(code, text);
}

void ClusterClientPrivate::ageStatus(ClusterStatus &status)
{
    // The master writes its status when something changes, not every
    // second: what it measured in time then has grown since.
    const QDateTime written = status.updatedAt();
    const qint64 age = written.isValid() ? written.msecsTo(QDateTime::currentDateTimeUtc()) : 0;
    if (age <= 0)
        return;
    QList<ProcessStatus> processes = status.processes();
    for (ProcessStatus &p : processes) {
        if (p.lastSeenMs() >= 0)
            p.setLastSeenMs(p.lastSeenMs() + age);
        if (p.uptimeMs() >= 0)
            p.setUptimeMs(p.uptimeMs() + age);
    }
    status.setProcesses(processes);
}

void ClusterClientPrivate::renewSampling()
{
    if (!sampling || masterPid <= 0 || !connected)
        return;
    if (lastSamplingRequest.isValid() && lastSamplingRequest.elapsed() < SamplingRenewMs)
        return;
    q_func()->requestSamples(SamplingLease);
}

void ClusterClientPrivate::followEvents(qint64 newMasterPid)
{
    if (newMasterPid == masterPid)
        return;
    lastSamplingRequest.invalidate(); // a new master has not been asked
    if (!eventsChannel.isEmpty()) {
        subscribed.remove(eventsChannel);
        subscriber->unsubscribe(eventsChannel);
        leftEventsChannel = eventsChannel;
    }
    masterPid = newMasterPid;
    eventsChannel = masterPid > 0 ? channels.eventsChannel(masterPid) : QByteArray();
    if (!eventsChannel.isEmpty())
        subscriber->subscribe(eventsChannel);
}

void ClusterClientPrivate::sendTo(const QByteArray &channel, const QJsonValue &data)
{
    sendPayload(channel, Protocol::Codec::encode(pid, QStringLiteral("cli"), data));
}

bool ClusterClientPrivate::sendJsonTo(const QByteArray &channel, const QByteArray &json)
{
    if (!Protocol::JsonReader::isValid(json))
        return false;
    sendPayload(channel, Protocol::Codec::encodeJson(pid, QStringLiteral("cli"), json));
    return true;
}

void ClusterClientPrivate::sendPayload(const QByteArray &channel, const QByteArray &payload)
{
    if (!publisher)
        return;
    // With a callback, unlike a process' publishes: whoever drives the
    // cluster from outside learns of each message Redis did not take (an
    // ACL user without +publish gets NOPERM), every time.
    QPointer<ClusterClient> guard(q_ptr);
    publisher->command({QByteArrayLiteral("PUBLISH"), channel, payload},
                       [guard, this, channel](const RedisReply &reply) {
                           if (guard && reply.isError())
                               reportUnsent(channel, reply);
                       });
}

void ClusterClientPrivate::sendConfirmedTo(const QByteArray &channel, const QJsonValue &data)
{
    if (!deliveries)
        return;
    QPointer<ClusterClient> guard(q_ptr);
    deliveries->publish(channel, Protocol::Codec::encode(pid, QStringLiteral("cli"), data),
                        [guard, this, channel](ConfirmedDelivery::Outcome outcome, const RedisReply &reply) {
                            if (!guard || outcome == ConfirmedDelivery::Outcome::Delivered)
                                return;
                            if (outcome == ConfirmedDelivery::Outcome::Refused) {
                                reportUnsent(channel, reply);
                                return;
                            }
                            setError(ClusterClient::Error::NotDelivered,
                                     QStringLiteral("nobody received the message on %1 at %2 within %3 s (%4): "
                                                    "its process is gone, or not connected to Redis")
                                         .arg(channels.withoutPrefix(channel), displayUrl())
                                         .arg(deliveries->window().count() / 1000)
                                         .arg(QString::fromUtf8(reply.string)));
                        });
}

void ClusterClientPrivate::reportUnsent(const QByteArray &channel, const RedisReply &reply)
{
    const QString text = QString::fromUtf8(reply.string);
    if (RedisClientPrivate::isLocalAnswer()) {
        setError(ClusterClient::Error::CommandRefused,
                 QStringLiteral("the message on %1 may not have reached Redis at %2: %3")
                     .arg(channels.withoutPrefix(channel), displayUrl(), text));
        return;
    }
    const bool denied = reply.string.startsWith("NOPERM");
    setError(denied ? ClusterClient::Error::PermissionDenied : ClusterClient::Error::CommandRefused,
             QStringLiteral("Redis at %1 refused the message on %2: %3").arg(displayUrl(), channels.withoutPrefix(channel), text));
}

void ClusterClient::publish(const QJsonValue &data)
{
    Q_D(ClusterClient);
    d->sendTo(d->channels.publicChannel(), data);
}

void ClusterClient::send(qint64 pid, const QJsonValue &data)
{
    Q_D(ClusterClient);
    d->sendTo(d->channels.privateChannel(pid), data);
}

void ClusterClient::sendGroup(const QString &group, const QJsonValue &data)
{
    Q_D(ClusterClient);
    d->sendTo(d->channels.groupChannel(group), data);
}

bool ClusterClient::publishJson(const QByteArray &json)
{
    Q_D(ClusterClient);
    return d->sendJsonTo(d->channels.publicChannel(), json);
}

bool ClusterClient::sendJson(qint64 pid, const QByteArray &json)
{
    Q_D(ClusterClient);
    return d->sendJsonTo(d->channels.privateChannel(pid), json);
}

bool ClusterClient::sendGroupJson(const QString &group, const QByteArray &json)
{
    Q_D(ClusterClient);
    return d->sendJsonTo(d->channels.groupChannel(group), json);
}

int ClusterClient::pendingDeliveries() const
{
    Q_D(const ClusterClient);
    return d->deliveries ? d->deliveries->outstanding() : 0;
}

bool ClusterClient::kill(qint64 pid, int exitCode)
{
    Q_D(ClusterClient);
    if (pid <= 0 || exitCode < 0 || exitCode > 255)
        return false;
    d->sendConfirmedTo(d->channels.killChannel(pid), exitCode);
    return true;
}

QString ClusterClient::requestSamples(std::chrono::milliseconds lease)
{
    Q_D(ClusterClient);
    if (d->masterPid <= 0)
        return QString();
    Protocol::SamplingRequest request;
    request.leaseMs = std::clamp<qint64>(lease.count(), 0, Protocol::SamplingRequest::MaxLeaseMs);
    request.id = newRequestId();
    d->sendTo(d->channels.samplingChannel(d->masterPid), Protocol::Records::toJson(request));
    d->lastSamplingRequest.start();
    return request.id;
}

bool ClusterClient::isSampling() const
{
    return d_func()->sampling;
}

void ClusterClient::setSampling(bool sampling)
{
    Q_D(ClusterClient);
    if (d->sampling == sampling)
        return;
    d->sampling = sampling;
    d->lastSamplingRequest.invalidate();
    d->renewSampling();
    Q_EMIT samplingChanged(sampling);
}

bool ClusterClient::reload()
{
    return sendControlCommand(this, Protocol::ControlCommand{});
}

bool ClusterClient::stop(int exitCode)
{
    if (exitCode < 0 || exitCode > 255)
        return false;
    Protocol::ControlCommand command;
    command.type = Protocol::ControlCommand::Type::Stop;
    command.exitCode = exitCode;
    return sendControlCommand(this, command);
}

bool sendControlCommand(ClusterClient *client, const Protocol::ControlCommand &command)
{
    ClusterClientPrivate *d = ClusterClientPrivate::get(client);
    if (d->masterPid <= 0)
        return false;
    // Published again until the master got it: the id lets it ignore a
    // second copy (one whose first answer a lost connection swallowed).
    Protocol::ControlCommand sent = command;
    if (sent.id.isEmpty())
        sent.id = newRequestId();
    d->sendConfirmedTo(d->channels.controlChannel(d->masterPid), Protocol::Records::toJson(sent));
    return true;
}

QString newRequestId()
{
    static int counter = 0;
    return QStringLiteral("%1-%2-%3")
        .arg(QCoreApplication::applicationPid())
        .arg(QRandomGenerator::global()->generate() & 0xffffff, 6, 16, QLatin1Char('0'))
        .arg(++counter);
}

namespace {

ReloadJob *operationJob(ClusterClient *client, ReloadJob::Operation operation, const QString &group, qint64 pid, int instances)
{
    auto *job = new ReloadJob(client, client);
    job->setOperation(operation);
    job->setGroup(group);
    job->setPid(pid);
    job->setInstances(instances);
    return job;
}

} // namespace

ReloadJob *ClusterClient::restartCluster()
{
    return operationJob(this, ReloadJob::Operation::Restart, QString(), 0, 0);
}

ReloadJob *ClusterClient::restartGroup(const QString &group)
{
    return operationJob(this, ReloadJob::Operation::Restart, group, 0, 0);
}

ReloadJob *ClusterClient::restartProcess(qint64 pid)
{
    return operationJob(this, ReloadJob::Operation::Restart, QString(), pid, 0);
}

ReloadJob *ClusterClient::stopGroup(const QString &group)
{
    return operationJob(this, ReloadJob::Operation::StopGroup, group, 0, 0);
}

ReloadJob *ClusterClient::startGroup(const QString &group)
{
    return operationJob(this, ReloadJob::Operation::StartGroup, group, 0, 0);
}

ReloadJob *ClusterClient::scale(const QString &group, int instances)
{
    return operationJob(this, ReloadJob::Operation::Scale, group, 0, instances);
}

ReloadJob *ClusterClient::updateConfig(bool dryRun)
{
    ReloadJob *job = operationJob(this, ReloadJob::Operation::Update, QString(), 0, 0);
    job->setDryRun(dryRun);
    return job;
}

void ClusterClient::watch(const QString &pattern)
{
    Q_D(ClusterClient);
    unwatch();
    if (!d->subscriber)
        return;
    d->watchPattern = d->channels.prefix() + pattern.toUtf8();
    d->subscriber->psubscribe(d->watchPattern);
}

void ClusterClient::unwatch()
{
    Q_D(ClusterClient);
    if (d->subscriber && !d->watchPattern.isEmpty())
        d->subscriber->punsubscribe(d->watchPattern);
    d->subscribed.remove(d->watchPattern);
    d->watchPattern.clear();
}

RedisClient *ClusterClient::publisher() const
{
    return d_func()->publisher;
}

RedisClient *ClusterClient::subscriber() const
{
    return d_func()->subscriber;
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_clusterclient.cpp"
