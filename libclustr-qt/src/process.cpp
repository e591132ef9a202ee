// SPDX-License-Identifier: MIT
#include "process_p.h"

#include "base/environment_p.h"
#include "protocol/jsonreader_p.h"
#include "redis/redisclient_p.h"
#include "supervision/listensockets_p.h"
#include "supervision/treeguard_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QSysInfo>

#include <utility>

#include <unistd.h>

namespace Clustr {

namespace {

// How long close() waits for queued publishes (e.g. a deregistration) to be
// written before closing anyway.
constexpr std::chrono::milliseconds FlushTimeout{2000};

QString resolveRedisUrl(const ProcessOptions &options, const CommandLine &commandLine)
{
    if (!options.redisUrl().isEmpty())
        return options.redisUrl();
    if (commandLine.hasOption(QStringLiteral("cluster-redis")))
        return commandLine.option(QStringLiteral("cluster-redis"));
    const QString fromEnvironment = environmentVariable("CLUSTR_REDIS");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QString::fromLatin1(RedisUrl::DefaultUrl);
}

} // namespace

ProcessPrivate::ProcessPrivate(const QString &group, const ProcessOptions &options)
    : group(group)
    , options(options)
    , commandLine(options.arguments().isEmpty() ? CommandLine::processArguments() : options.arguments())
    , pid(QCoreApplication::applicationPid())
{
}

ProcessPrivate::~ProcessPrivate()
{
    // The sink may capture state that dies with us; one another process
    // object installed since stays.
    Logging::removeLogger(loggerOwner);
}

void ProcessPrivate::init()
{
    qRegisterMetaType<Clustr::Message>();
    qRegisterMetaType<Clustr::Stats>();
    // Clustr::ClusterInfo (a QMap) is registered where it is first made
    // (Worker::requestClusterInfo(), the Master): registering a container
    // registers its conversions too, 128 KiB of Qt Core that an idle worker
    // otherwise never maps (docs/BENCHMARKS.md, "Idle worker memory").
    if (commandLine.hasOption(QStringLiteral("verbose")) || commandLine.hasOption(QStringLiteral("cluster-verbose")))
        Logging::enableVerbose();
    if (options.logger())
        loggerOwner = Logging::setLogger(options.logger());

    if (!validate())
        return;
    createConnections();
    const QList<QByteArray> subscriptions = routeChannels();
    watchConnections();
    for (const QByteArray &channel : subscriptions)
        subscriber->subscribe(channel);
    publisher->open();
    subscriber->open();
}

bool ProcessPrivate::validate()
{
    if (masterPid == 0) // a Master knows itself already
        masterPid = commandLine.masterPid();
    redisUrl = resolveRedisUrl(options, commandLine);
    const QString ns = options.clusterNamespace().isEmpty()
        ? commandLine.option(QStringLiteral("cluster-namespace"))
        : options.clusterNamespace();
    const QString host = options.clusterHost().isEmpty()
        ? commandLine.option(QStringLiteral("cluster-host"))
        : options.clusterHost();

    if (group.isEmpty()) {
        valid = false;
        errorString = QStringLiteral("a process needs a group: the group name is empty (and no spawner set CLUSTR_GROUP)");
    } else if (!Protocol::Channels::isValidName(group)) {
        valid = false;
        errorString = QStringLiteral("invalid group name \"%1\": use printable characters without spaces").arg(group);
    } else if (!ns.isEmpty() && !Protocol::Channels::isValidName(ns)) {
        valid = false;
        errorString = QStringLiteral("invalid cluster namespace \"%1\": use printable characters without spaces").arg(ns);
    } else if (!host.isEmpty() && !Protocol::Channels::isValidHostName(host)) {
        valid = false;
        errorString = QStringLiteral("invalid host name \"%1\": use letters, digits, '.', '-' and '_', starting with a letter or digit").arg(host);
    } else if (!host.isEmpty() && ns.isEmpty()) {
        valid = false;
        errorString = QStringLiteral("host \"%1\" given without a cluster namespace: a cluster across hosts needs a name (an unnamed cluster speaks clustr-node's protocol, which has no hosts)").arg(host);
    } else if (auto parsed = RedisUrl::parse(redisUrl, &errorString); !parsed) {
        valid = false;
    }
    channels = Protocol::Channels(valid ? ns : QString(), valid ? host : QString())
                   .withHashTaggedKeys(valid && RedisClient::isClusterUrl(redisUrl))
                   .withShardedInboxes(valid && RedisClient::usesShardedChannels(redisUrl));
    lastGroupChannel.clear(); // the names built with the channels before
    lastPrivateChannel.clear();
    if (!valid) {
        error = Process::Error::InvalidSetup;
        qCCritical(lcProcess).noquote() << errorString;
        return false;
    }
    return true;
}

void ProcessPrivate::createConnections()
{
    Q_Q(Process);
    killTimer.setSingleShot(true);
    flushTimer.setSingleShot(true);

    publisher = options.publisher();
    subscriber = options.subscriber();
    const QString ns = channels.clusterNamespace();
    const QString name = (ns.isEmpty() ? QString() : ns + QLatin1Char('.')) + group + QLatin1Char('.')
        + QLatin1String(QByteArray::number(pid)); // QString::number would pull in locale code
    if (!publisher) {
        publisher = new RedisClient(q);
        publisher->setUrl(redisUrl);
        publisher->setClientName(QStringLiteral("clustr.") + name + QStringLiteral(".pub"));
    }
    if (!subscriber) {
        subscriber = new RedisClient(q);
        subscriber->setUrl(redisUrl);
        subscriber->setClientName(QStringLiteral("clustr.") + name + QStringLiteral(".sub"));
        // An oversized message is skipped as it is read rather than buffered
        // whole and rejected after (watchConnections() rejects it).
        subscriber->setMaxMessageSize(options.maxPayloadSize());
    }

    deliveries = new ConfirmedDelivery(publisher, q);

    for (RedisClient *client : {publisher, subscriber}) {
        QObject::connect(client, &RedisClient::errorOccurred, q, [this](RedisClient::Error kind, const QString &text) {
            switch (kind) {
            case RedisClient::Error::ConnectionFailed: setError(Process::Error::ConnectionFailed, text); break;
            case RedisClient::Error::ConnectionLost: setError(Process::Error::ConnectionLost, text); break;
            case RedisClient::Error::AuthenticationFailed: setError(Process::Error::AuthenticationFailed, text); break;
            case RedisClient::Error::PermissionDenied: setError(Process::Error::PermissionDenied, text); break;
            case RedisClient::Error::CommandRefused: setError(Process::Error::CommandRefused, text); break;
            default: setError(Process::Error::RedisError, text); break;
            }
        });
    }
}

// Every channel this process listens on, with the kind of its messages;
// returns the channels to subscribe to.
QList<QByteArray> ProcessPrivate::routeChannels()
{
    ownKillChannel = channels.killChannel(pid);
    QList<QPair<QByteArray, Protocol::ChannelKind>> subscriptions{
        {channels.publicChannel(), Protocol::ChannelKind::Public},
        {channels.privateChannel(pid), Protocol::ChannelKind::Private},
        {channels.groupChannel(group), Protocol::ChannelKind::Group},
        {channels.killChannel(pid), Protocol::ChannelKind::Kill},
        {channels.confirmationChannel(), Protocol::ChannelKind::Confirmation},
    };
    subscriptions += extraChannels();
    QList<QByteArray> names;
    for (const auto &entry : subscriptions) {
        dispatch.insert(entry.first, Route{entry.second, channels.withoutPrefix(entry.first)});
        unconfirmed.insert(entry.first);
        names.append(entry.first);
    }
    return names;

}

// Messages, subscription confirmations and the state of both connections.
void ProcessPrivate::watchConnections()
{
    Q_Q(Process);
    // Messages come through the subscriber's hook, not its signal: no copies
    // and no signal per message (see RedisClientPrivate::messageHook). The
    // guard stands in for a connection's context object: an injected
    // subscriber may outlive this process.
    RedisClientPrivate::get(subscriber)->messageHook =
        [this, guard = QPointer<Process>(q)](const QByteArray &channel, const QByteArray &payload) {
            if (guard)
                handleRawMessage(channel, payload);
        };
    QObject::connect(subscriber, &RedisClient::messageDiscarded, q, [this](const QByteArray &channel, qsizetype size) {
        if (dispatch.contains(channel) && !closing)
            reject(channel, Protocol::Codec::oversizedReason(size, options.maxPayloadSize()));
    });
    QObject::connect(subscriber, &RedisClient::subscribed, q, [this](const QByteArray &channel) {
        unconfirmed.remove(channel);
        if (unconfirmed.isEmpty() && !subscriptionsConfirmed) {
            subscriptionsConfirmed = true;
            updateConnected();
            if (supervisor)
                supervisor->setHolding(false);
            subscriptionsActive();
        }
    });
    QObject::connect(subscriber, &RedisClient::stateChanged, q, [this](RedisClient::State state) {
        if (state != RedisClient::State::Connected && subscriptionsConfirmed) {
            // The restored subscriptions are confirmed again after the reconnect.
            subscriptionsConfirmed = false;
            for (auto it = dispatch.cbegin(); it != dispatch.cend(); ++it)
                unconfirmed.insert(it.key());
        }
        updateConnected();
    });
    QObject::connect(publisher, &RedisClient::stateChanged, q, [this] { updateConnected(); });

}

void ProcessPrivate::setError(Process::Error code, const QString &text)
{
    Q_Q(Process);
    error = code;
    errorString = text;
    Q_EMIT q->errorOccurred(code, text);
}

void ProcessPrivate::updateConnected()
{
    Q_Q(Process);
    const bool now = publisher && publisher->isConnected() && subscriber && subscriber->isConnected()
        && subscriptionsConfirmed;
    if (now == connected)
        return;
    connected = now;
    Q_EMIT q->connectedChanged(connected);
}

bool ProcessPrivate::checkValid(const char *what) const
{
    if (valid && !closing)
        return true;
    qCWarning(lcProcess).noquote() << QStringLiteral("%1 ignored: %2")
                                          .arg(QLatin1String(what),
                                               valid ? QStringLiteral("the process is closing") : errorString);
    return false;
}

const QByteArray &ProcessPrivate::envelopePrefix()
{
    if (prefixPid != pid || prefixGroup != group || envelope.isEmpty()) {
        envelope = Protocol::Codec::envelopePrefix(pid, group, channels.host());
        prefixPid = pid;
        prefixGroup = group;
    }
    return envelope;
}

void ProcessPrivate::publish(const QByteArray &channel, const QJsonValue &data)
{
    publisher->publish(channel, Protocol::Codec::encode(envelopePrefix(), data));
}

void ProcessPrivate::publishJson(const QByteArray &channel, QByteArrayView json)
{
    publisher->publish(channel, Protocol::Codec::encodeJson(envelopePrefix(), json));
}

quint64 ProcessPrivate::publishConfirmed(const QByteArray &channel, const QJsonValue &data, const char *what,
                                         std::function<void()> delivered, int minimumReceivers)
{
    return publishPayloadConfirmed(channel, Protocol::Codec::encode(envelopePrefix(), data), what, std::move(delivered), minimumReceivers);
}

quint64 ProcessPrivate::publishPayloadConfirmed(const QByteArray &channel, const QByteArray &payload, const char *what,
                                                std::function<void()> delivered, int minimumReceivers)
{
    const std::chrono::milliseconds window = deliveries->window();
    const QPointer<RedisClient> client(publisher);
    return deliveries->publish(channel, payload, [client, channel, what, window, delivered = std::move(delivered)](
                                                     ConfirmedDelivery::Outcome outcome, const RedisReply &reply) {
        if (outcome == ConfirmedDelivery::Outcome::Delivered && delivered)
            delivered();
        // Counted and reported like the refusal of any other message (errorOccurred, once per kind).
        else if (outcome == ConfirmedDelivery::Outcome::Refused && client)
            RedisClientPrivate::get(client)->commandRefused(QByteArrayLiteral("PUBLISH"), reply.string);
        else if (outcome == ConfirmedDelivery::Outcome::GivenUp)
            qCWarning(lcProcess).noquote() << QStringLiteral("%1 on %2 reached no receiver within %3 ms: %4")
                                                  .arg(QLatin1String(what), QString::fromUtf8(channel))
                                                  .arg(window.count())
                                                  .arg(QString::fromUtf8(reply.string));
    }, minimumReceivers);
}

bool ProcessPrivate::checkJson(const QByteArray &json, const char *what) const
{
    QString error;
    if (Protocol::JsonReader::isValid(json, &error))
        return true;
    qCWarning(lcProcess).noquote() << QStringLiteral("%1 ignored: the data is not valid JSON: %2")
                                          .arg(QLatin1String(what), error);
    return false;
}

QString ProcessPrivate::hostLabel() const
{
    return channels.host().isEmpty() ? QSysInfo::machineHostName() : channels.host();
}

std::optional<Protocol::Channels> ProcessPrivate::channelsOfHost(const QString &host, const char *what) const
{
    if (host.isEmpty() || host == channels.host())
        return channels;
    if (channels.host().isEmpty()) {
        qCWarning(lcProcess).noquote() << what << "ignored: host" << host
                                       << "named, but this process is not in a cluster across hosts (no --cluster-host)";
        return std::nullopt;
    }
    if (!Protocol::Channels::isValidHostName(host)) {
        qCWarning(lcProcess).noquote() << what << "ignored: invalid host name" << host;
        return std::nullopt;
    }
    return channels.forHost(host);
}

QByteArray ProcessPrivate::privateChannelFor(const QString &host, qint64 target, const char *what)
{
    if (!checkValid(what))
        return {};
    if (target <= 0) {
        qCWarning(lcProcess) << what << "ignored: invalid pid" << target;
        return {};
    }
    if (host.isEmpty()) {
        // Built once per peer in a row, not for every message.
        if (target != lastPrivateTarget || lastPrivateChannel.isEmpty()) {
            lastPrivateTarget = target;
            lastPrivateChannel = channels.privateChannel(target);
        }
        return lastPrivateChannel;
    }
    const auto scoped = channelsOfHost(host, what);
    return scoped ? scoped->privateChannel(target) : QByteArray();
}

bool ProcessPrivate::groupChannelFor(const QString &target, const char *what)
{
    if (!checkValid(what))
        return false;
    // Senders usually address one group many times in a row: its name is
    // checked and its channel built once, not for every message.
    if (target != lastGroup || lastGroupChannel.isEmpty()) {
        if (!Protocol::Channels::isValidName(target)) {
            qCWarning(lcProcess) << what << "ignored: invalid group name" << target;
            return false;
        }
        lastGroup = target;
        lastGroupChannel = channels.groupChannel(target);
    }
    return true;
}

std::optional<Protocol::SamplingRequest> ProcessPrivate::samplingRequestOf(const Message &message)
{
    QString error;
    auto request = Protocol::Records::samplingRequest(message.data(), &error);
    if (!request)
        reject(channels.samplingChannel(masterPid), error);
    return request;
}

void ProcessPrivate::reject(const QByteArray &channel, const QString &reason)
{
    Q_Q(Process);
    ++stats.rejectedMessages;
    quint64 suppressed = 0;
    if (rejectWarnings.allow(&suppressed)) {
        qCWarning(lcProtocol).noquote() << QStringLiteral("rejected a message on %1: %2%3")
                                               .arg(QString::fromUtf8(channel), reason,
                                                    suppressed ? QStringLiteral(" (and %1 more since the last warning)").arg(suppressed)
                                                               : QString());
    }
    Q_EMIT q->messageRejected(QString::fromUtf8(channel), reason);
}

void ProcessPrivate::handleRawMessage(const QByteArray &channel, const QByteArray &payload)
{
    Q_Q(Process);
    // `channel` and `payload` may point into hiredis' reply: nothing here keeps them.
    const auto route = dispatch.constFind(channel);
    if (route == dispatch.cend() || closing)
        return; // a message that raced an unsubscribe, or arrived while closing

    QString error;
    auto decoded = Protocol::Codec::decode(payload, options.maxPayloadSize(), &error);
    if (!decoded) {
        reject(channel, error);
        return;
    }
    Message message;
    message.setKind(Protocol::publicKind(route->kind));
    message.setPid(decoded->pid);
    message.setGroup(decoded->group);
    message.setHost(decoded->host);
    message.setDataJson(decoded->data);
    message.setChannel(route->channel);

    using Kind = Protocol::ChannelKind;
    switch (route->kind) {
    case Kind::Public:
        ++stats.onMessage;
        ++stats.onPublic;
        Q_EMIT q->publicMessageReceived(message);
        Q_EMIT q->messageReceived(message);
        return;
    case Kind::Private:
        ++stats.onMessage;
        ++stats.onPrivate;
        Q_EMIT q->privateMessageReceived(message);
        Q_EMIT q->messageReceived(message);
        return;
    case Kind::Group:
        ++stats.onMessage;
        ++stats.onGroup;
        Q_EMIT q->groupMessageReceived(message);
        Q_EMIT q->messageReceived(message);
        return;
    case Kind::Kill:
        if (channel == ownKillChannel)
            handleKill(message);
        else
            handleChildKill(channel, message);
        return;
    case Kind::Confirmation:
        handleConfirmation(message);
        return;
    default:
        if (!handleMessage(route->kind, message))
            reject(channel, QStringLiteral("unexpected message"));
        return;
    }
}

void ProcessPrivate::handleKill(const Message &message)
{
    Q_Q(Process);
    QString error;
    const auto exitCode = Protocol::Codec::exitCode(message.data(), &error);
    if (!exitCode) {
        reject(channels.killChannel(pid), error);
        return;
    }
    ++stats.onMessage;
    Q_EMIT q->messageReceived(message);
    if (killing)
        return; // the first kill decides the exit code
    killing = true;
    clustrInfo(lcProcess) << "killed by" << message.pid() << "with exit code" << *exitCode;
    Q_EMIT q->killRequested(*exitCode);
    if (!killHandler) {
        q->close(*exitCode);
        return;
    }
    // The handler may finish later; the kill timeout keeps a handler that
    // never calls done() from making the process unkillable.
    const int code = *exitCode;
    QObject::connect(&killTimer, &QTimer::timeout, q, [this, code] {
        qCWarning(lcProcess) << "the kill handler did not finish within" << options.killTimeout().count()
                             << "ms: exiting anyway";
        q_func()->close(code);
    });
    killTimer.start(options.killTimeout());
    QPointer<Process> guard(q);
    killHandler([guard, code] {
        if (guard)
            guard->close(code);
    });
}

void ProcessPrivate::handleConfirmation(const Message &message)
{
    Q_Q(Process);
    if (!message.data().isString()) {
        reject(channels.confirmationChannel(), QStringLiteral("a confirmation's data must be an identifier string"));
        return;
    }
    ++stats.onMessage;
    ++stats.receivedConfirmations;
    Q_EMIT q->messageReceived(message);
    const QString identifier = message.data().toString();
    auto it = confirmations.find(identifier);
    if (it == confirmations.end())
        return;
    it->messages.append(message);
    if (it->messages.size() < it->count)
        return;
    // Counting starts again for the next round.
    const QList<Message> messages = std::exchange(it->messages, {});
    const Process::ConfirmationCallback callback = it->callback;
    ++stats.successfulConfirmations;
    if (callback)
        callback(messages);
    Q_EMIT q->confirmationCompleted(identifier, messages);
}

void ProcessPrivate::finishClose(int exitCode)
{
    Q_Q(Process);
    if (finished)
        return;
    finished = true;
    flushTimer.stop();
    killTimer.stop();
    if (publisher->parent() == q)
        publisher->close();
    if (subscriber->parent() == q)
        subscriber->close();
    clustrInfo(lcProcess) << "closed with exit code" << exitCode;
    Q_EMIT q->closed(exitCode);
    if (options.exitApplication()) {
        // Queued, so it also works before exec() runs.
        QMetaObject::invokeMethod(QCoreApplication::instance(), [exitCode] { QCoreApplication::exit(exitCode); },
                                  Qt::QueuedConnection);
    }
}

// Process

Process::Process(ProcessPrivate &dd, QObject *parent)
    : QObject(parent)
    , d_ptr(&dd)
{
    d_ptr->q_ptr = this;
    d_ptr->init();
}

Process::~Process() = default;

Process::Error Process::error() const
{
    return d_func()->error;
}

bool Process::isValid() const
{
    return d_func()->valid;
}

QString Process::errorString() const
{
    return d_func()->errorString;
}

qint64 Process::pid() const
{
    return d_func()->pid;
}

QString Process::group() const
{
    return d_func()->group;
}

qint64 Process::masterPid() const
{
    return d_func()->masterPid;
}

QString Process::clusterNamespace() const
{
    return d_func()->channels.clusterNamespace();
}

QString Process::clusterHost() const
{
    return d_func()->channels.host();
}

QString Process::redisUrl() const
{
    return d_func()->redisUrl;
}

bool Process::isConnected() const
{
    return d_func()->connected;
}

int Process::inheritedSocket(const QString &name)
{
    for (const ListenSockets::Socket &socket : ListenSockets::inherited()) {
        if (socket.name == name)
            return socket.fd;
    }
    return -1;
}

QStringList Process::inheritedSocketNames()
{
    QStringList names;
    for (const ListenSockets::Socket &socket : ListenSockets::inherited())
        names.append(socket.name);
    return names;
}

Stats Process::stats() const
{
    Q_D(const Process);
    Protocol::StatsCounters counters = d->stats;
    counters.droppedMessages = d->publisher ? d->publisher->droppedCommands() : 0;
    counters.refusedMessages = d->publisher ? RedisClientPrivate::get(d->publisher)->refusedPublishes : 0;
    return Protocol::toStats(counters);
}

QString Process::option(const QString &name, const QString &defaultValue) const
{
    return d_func()->commandLine.option(name, defaultValue);
}

bool Process::hasOption(const QString &name) const
{
    return d_func()->commandLine.hasOption(name);
}

QStringList Process::clusterArguments() const
{
    return d_func()->commandLine.clusterArguments();
}

RedisClient *Process::publisher() const
{
    return d_func()->publisher;
}

RedisClient *Process::subscriber() const
{
    return d_func()->subscriber;
}

void Process::emitPublic(const QJsonValue &data)
{
    Q_D(Process);
    if (!d->checkValid("emitPublic"))
        return;
    ++d->stats.emitPublic;
    d->publish(d->channels.publicChannel(), data);
}

void Process::emitPrivate(qint64 pid, const QJsonValue &data)
{
    emitPrivate(QString(), pid, data);
}

void Process::emitPrivate(const QString &host, qint64 pid, const QJsonValue &data)
{
    Q_D(Process);
    const QByteArray channel = d->privateChannelFor(host, pid, "emitPrivate");
    if (channel.isEmpty())
        return;
    ++d->stats.emitPrivate;
    d->publish(channel, data);
}

void Process::emitGroup(const QString &group, const QJsonValue &data)
{
    Q_D(Process);
    if (!d->groupChannelFor(group, "emitGroup"))
        return;
    ++d->stats.emitGroup;
    d->publish(d->lastGroupChannel, data);
}

bool Process::emitPublicJson(const QByteArray &json)
{
    Q_D(Process);
    if (!d->checkValid("emitPublicJson") || !d->checkJson(json, "emitPublicJson"))
        return false;
    ++d->stats.emitPublic;
    d->publishJson(d->channels.publicChannel(), json);
    return true;
}

bool Process::emitPrivateJson(qint64 pid, const QByteArray &json)
{
    return emitPrivateJson(QString(), pid, json);
}

bool Process::emitPrivateJson(const QString &host, qint64 pid, const QByteArray &json)
{
    Q_D(Process);
    const QByteArray channel = d->privateChannelFor(host, pid, "emitPrivateJson");
    if (channel.isEmpty() || !d->checkJson(json, "emitPrivateJson"))
        return false;
    ++d->stats.emitPrivate;
    d->publishJson(channel, json);
    return true;
}

bool Process::emitGroupJson(const QString &group, const QByteArray &json)
{
    Q_D(Process);
    if (!d->groupChannelFor(group, "emitGroupJson") || !d->checkJson(json, "emitGroupJson"))
        return false;
    ++d->stats.emitGroup;
    d->publishJson(d->lastGroupChannel, json);
    return true;
}

void Process::emitKill(qint64 pid, int exitCode)
{
    emitKill(QString(), pid, exitCode);
}

void Process::emitKill(const QString &host, qint64 pid, int exitCode)
{
    Q_D(Process);
    if (!d->checkValid("emitKill"))
        return;
    if (pid <= 0) {
        qCWarning(lcProcess) << "emitKill ignored: invalid pid" << pid;
        return;
    }
    if (exitCode < 0 || exitCode > 255) {
        qCWarning(lcProcess) << "emitKill ignored: exit code" << exitCode << "is not in 0..255";
        return;
    }
    const auto scoped = d->channelsOfHost(host, "emitKill");
    if (!scoped)
        return;
    ++d->stats.emitKill;
    const QByteArray channel = scoped->killChannel(pid);
    const int receivers = d->killReceivers(channel);
    const quint64 delivery = d->publishConfirmed(channel, exitCode, "a kill", {}, receivers);
    if (receivers > 1) // our child's: not published any more once it is gone
        d->deliveries->cancel(std::exchange(d->childKillDeliveries[channel], delivery));
}

void Process::emitConfirmation(const QString &identifier)
{
    Q_D(Process);
    if (!d->checkValid("emitConfirmation"))
        return;
    ++d->stats.emitConfirmation;
    d->publish(d->channels.confirmationChannel(), identifier);
}

void Process::onConfirmation(int count, const QString &identifier, ConfirmationCallback callback)
{
    Q_D(Process);
    if (count < 1) {
        qCWarning(lcProcess) << "onConfirmation ignored: the count must be at least 1, not" << count;
        return;
    }
    d->confirmations.insert(identifier, ProcessPrivate::Confirmation{count, std::move(callback), {}});
}

void Process::onConfirmation(int count, const QString &identifier, const QObject *context, ConfirmationCallback callback)
{
    QPointer<const QObject> guard(context);
    onConfirmation(count, identifier, [guard, callback = std::move(callback)](const QList<Message> &messages) {
        if (guard && callback)
            callback(messages);
    });
}

void Process::onKill(KillHandler handler)
{
    d_func()->killHandler = std::move(handler);
}

void Process::onKill(const QObject *context, KillHandler handler)
{
    QPointer<const QObject> guard(context);
    onKill([guard, handler = std::move(handler)](std::function<void()> done) {
        if (guard && handler)
            handler(std::move(done));
        else
            done(); // the receiver is gone: nothing to wait for
    });
}

void Process::close(int exitCode)
{
    Q_D(Process);
    if (d->closing)
        return;
    d->closing = true;
    if (!d->valid) {
        Q_EMIT closed(exitCode);
        if (d->options.exitApplication())
            QMetaObject::invokeMethod(QCoreApplication::instance(), [exitCode] { QCoreApplication::exit(exitCode); },
                                      Qt::QueuedConnection);
        return;
    }
    d->aboutToClose(exitCode);
    if (!d->supervisor || d->supervisor->isEmpty()) {
        d->flushAndFinish(exitCode);
        return;
    }
    // Children first: each gets a kill (its handler runs) or SIGTERM, and
    // SIGKILL after its kill timeout; only then does this process exit, so
    // none is cut short by PR_SET_PDEATHSIG.
    connect(d->supervisor, &Supervisor::allStopped, this, [d, exitCode] {
        d->childrenStopped();
        d->flushAndFinish(exitCode);
    }, Qt::SingleShotConnection);
    // They end with our exit code, as the original master's workers do
    // (15 after a SIGTERM): whatever supervises them sees why.
    d->supervisor->stopAll([d, exitCode](ChildProcess *child) {
        const Supervisor::Child *entry = d->supervisor->find(child);
        if (entry && entry->spec.registers() && child->pid() > 0)
            d->publish(d->channels.killChannel(child->pid()), exitCode);
    });
}

int Process::spawn(const QList<SpawnSpec> &specs)
{
    Q_D(Process);
    if (!d->checkValid("spawn"))
        return 0;
    d->aboutToSpawn();
    const int started = d->ensureSupervisor()->spawn(specs);
    d->spawnDone();
    return started;
}

QList<ChildInfo> Process::children() const
{
    Q_D(const Process);
    return d->supervisor ? d->supervisor->infos() : QList<ChildInfo>();
}

void ProcessPrivate::flushAndFinish(int exitCode)
{
    Q_Q(Process);
    // Whatever is queued (a deregistration above all) goes out, and what
    // must be delivered is, before the connection closes; an unreachable
    // Redis or an absent receiver only delays the exit by FlushTimeout.
    const auto flushed = [this] { return publisher->pendingCommands() == 0 && deliveries->outstanding() == 0; };
    if (flushed()) {
        finishClose(exitCode);
        return;
    }
    const auto check = [this, exitCode, flushed] {
        if (flushed())
            finishClose(exitCode); // once: it stops the timer, and a second call does nothing
    };
    QObject::connect(publisher, &RedisClient::drained, q, check);
    QObject::connect(deliveries, &ConfirmedDelivery::settled, q, check);
    QObject::connect(&flushTimer, &QTimer::timeout, q, [this, exitCode] {
        qCWarning(lcProcess) << "could not write" << publisher->pendingCommands() << "queued messages and deliver"
                             << deliveries->outstanding() << "others to Redis before closing";
        finishClose(exitCode);
    });
    flushTimer.start(FlushTimeout);
}

Supervisor *ProcessPrivate::ensureSupervisor()
{
    Q_Q(Process);
    if (supervisor)
        return supervisor;
    supervisor = new Supervisor(q);
    // Children report to us at once (registrations, confirmations): they
    // start once our subscriptions are confirmed, not before.
    supervisor->setHolding(!subscriptionsConfirmed);
    // Children join the same cluster: the same Redis and namespace, also
    // when ours came from the options rather than the command line. The
    // URL travels in the environment, where a password is not shown by ps.
    QStringList inherited = commandLine.arguments();
    if (!commandLine.hasOption(QStringLiteral("cluster-namespace")) && !channels.clusterNamespace().isEmpty())
        inherited.append(QStringLiteral("--cluster-namespace=") + channels.clusterNamespace());
    if (!commandLine.hasOption(QStringLiteral("cluster-host")) && !channels.host().isEmpty())
        inherited.append(QStringLiteral("--cluster-host=") + channels.host());
    const QString childRedisUrl = options.childRedisUrl();
    if (!childRedisUrl.isEmpty()) // theirs, not ours: our --cluster-redis stays with us
        inherited.removeIf([](const QString &argument) {
            return argument == QLatin1String("--cluster-redis") || argument.startsWith(QLatin1String("--cluster-redis="));
        });
    supervisor->setSpawnerContext(masterPid, inherited);
    QMap<QString, QString> environment;
    if (!childRedisUrl.isEmpty())
        environment.insert(QStringLiteral("CLUSTR_REDIS"), childRedisUrl);
    else if (!commandLine.hasOption(QStringLiteral("cluster-redis")))
        environment.insert(QStringLiteral("CLUSTR_REDIS"), redisUrl);
    // A master (which knows itself: masterPid == pid) tells its tree that it
    // is a clustr-qt one, listening before anyone starts: workers register
    // at once (WorkerPrivate::masterListensAlready()). Spawners below
    // pass it on untouched, as part of the environment.
    if (masterPid == pid)
        environment.insert(QLatin1String(ClustrQtMasterVariable), QString::number(pid));
    // We report our children's end to the master: they need not heartbeat
    // to prove they live (WorkerPrivate::supervised).
    environment.insert(QLatin1String(ClustrQtSupervisorVariable), QString::number(pid));
    const qint64 processGroup = childProcessGroup();
    supervisor->setProcessGroup(processGroup);
    if (processGroup > 0) // a guarded tree: spawners inside it keep their children in it
        environment.insert(QLatin1String(TreeGuard::ProcessGroupVariable), QString::number(processGroup));
    supervisor->setExtraEnvironment(environment);
    supervisor->setListenSockets(options.listenSockets());
    supervisor->setDefaults(options.restartPolicy(), options.killTimeout());
    supervisor->forwarder().setPattern(options.outputPrefix());
    supervisor->forwarder().setLogger(options.logger());
    supervisor->setOutputHandler(options.childOutput());
    supervisor->setOutputObserver(options.childOutputObserver());

    QObject::connect(supervisor, &Supervisor::childStarted, q, [this](ChildProcess *child, qint64 childPid, qint64 oldPid) {
        Q_Q(Process);
        const QString childGroup = supervisor->find(child)->group;
        watchChildKills(childPid, child);
        if (oldPid == 0) {
            ++stats.spawnChildProcess;
        } else {
            ++stats.respawnChildProcess;
            Q_EMIT q->childRespawned(oldPid, childPid, childGroup);
        }
        Q_EMIT q->childStarted(childPid, childGroup);
    });
    QObject::connect(supervisor, &Supervisor::childExited, q,
                     [this](ChildProcess *child, qint64 childPid, int exitCode, bool bySignal, int signal) {
        Q_Q(Process);
        const Supervisor::Child *entry = supervisor->find(child);
        watchChildKills(childPid, nullptr);
        Q_EMIT q->childExited(childPid, entry->group, bySignal ? -1 : exitCode, bySignal ? signal : 0);
        if (entry->spec.registers()) {
            childGone(childPid, entry->group,
                      bySignal ? QStringLiteral("killed by signal %1").arg(signal)
                               : QStringLiteral("exited with code %1").arg(exitCode));
        }
    });
    QObject::connect(supervisor, &Supervisor::childGaveUp, q, [this](ChildProcess *child, const QString &reason) {
        Q_EMIT q_func()->childGaveUp(supervisor->find(child)->group, reason);
    });
    QObject::connect(supervisor, &Supervisor::childBackingOff, q,
                     [this](ChildProcess *child, qint64 oldPid, std::chrono::milliseconds delay) {
        Q_EMIT q_func()->childBackingOff(oldPid, supervisor->find(child)->group, delay);
    });
    QObject::connect(supervisor, &Supervisor::spawnFailed, q, [this](const QString &file, const QString &text) {
        Q_EMIT q_func()->spawnFailed(file, text);
        setError(Process::Error::SpawnFailed, QStringLiteral("cannot spawn %1: %2").arg(file, text));
    });
    QObject::connect(supervisor, &Supervisor::childrenChanged, q, [this] { childrenChanged(); });
    return supervisor;
}

qint64 ProcessPrivate::childProcessGroup() const
{
    // Inside a tree a TreeGuard watches (our group is the one its root
    // handed down), children stay in our group, where the guard reaches
    // them; anywhere else each leads a group of its own.
    const qint64 tree = environmentPid(TreeGuard::ProcessGroupVariable);
    return tree > 0 && tree == qint64(::getpgrp()) ? ChildProcess::SpawnerProcessGroup : ChildProcess::OwnProcessGroup;
}

void ProcessPrivate::watchChildKills(qint64 childPid, ChildProcess *child)
{
    const QByteArray channel = channels.killChannel(childPid);
    if (child) {
        childKills.insert(channel, child);
        dispatch.insert(channel, Route{Protocol::ChannelKind::Kill, channels.withoutPrefix(channel)});
        subscriber->subscribe(channel);
    } else {
        childKills.remove(channel);
        deliveries->cancel(childKillDeliveries.take(channel));
        dispatch.remove(channel);
        unconfirmed.remove(channel);
        subscriber->unsubscribe(channel);
    }
}

void ProcessPrivate::handleChildKill(const QByteArray &channel, const Message &message)
{
    ChildProcess *child = childKills.value(channel);
    if (!child)
        return;
    QString error;
    const auto exitCode = Protocol::Codec::exitCode(message.data(), &error);
    if (!exitCode) {
        reject(channel, error);
        return;
    }
    const Supervisor::Child *entry = supervisor ? supervisor->find(child) : nullptr;
    // Redis counted us among the kill's receivers, so its sender cannot
    // tell whether the child itself got it (it may be reconnecting after an
    // outage): we publish it once more, again until two receivers (the
    // child and us) got it. The child acts on the first kill it hears; a
    // kill we sent ourselves was published that way already.
    if (entry && entry->spec.registers() && message.pid() != pid && !childKillDeliveries.contains(channel)) {
        const QByteArray owned(channel.constData(), channel.size()); // not a view of the message's buffer
        childKillDeliveries.insert(owned, publishPayloadConfirmed(owned, Protocol::Codec::encode(message.pid(), message.group(), *exitCode),
                                                                  "a kill", {}, 2));
    }
    // The child will exit because it was told to: not a crash. It must do
    // so within its kill timeout, as in a stop: a cluster worker heard the
    // kill itself, another program gets SIGTERM; SIGKILL after the timeout.
    child->expectExit(entry && !entry->spec.registers() ? ChildProcess::StopMode::Terminate
                                                        : ChildProcess::StopMode::WaitForExit);
}

void ProcessPrivate::childGone(qint64 childPid, const QString &childGroup, const QString &how)
{
    Q_UNUSED(how);
    // It may have died without deregistering (SIGKILL, a crash): we saw it
    // exit, so we deregister it on its behalf. Harmless when it did itself.
    if (masterPid > 0 && valid)
        publishPayloadConfirmed(channels.deregistrationChannel(masterPid),
                                Protocol::Codec::encode(childPid, childGroup, QStringLiteral("deregistration")),
                                "a deregistration");
}

} // namespace Clustr
