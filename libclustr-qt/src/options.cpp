// SPDX-License-Identifier: MIT
#include <ClustrQt/options.h>

namespace Clustr {

class ProcessOptionsPrivate : public QSharedData
{
public:
    QString redisUrl;
    QString childRedisUrl;
    QMap<QString, int> listenSockets;
    QString clusterNamespace;
    QString clusterHost;
    QStringList arguments;
    std::chrono::milliseconds reloadDelay{500};
    std::chrono::milliseconds killTimeout{5000};
    std::chrono::milliseconds clusterInfoTimeout{2000};
    qsizetype maxPayloadSize = 1024 * 1024;
    Logger logger;
    RedisClient *publisher = nullptr;
    RedisClient *subscriber = nullptr;
    RestartPolicy restartPolicy;
    QString outputPrefix = QStringLiteral("[%group% %pid%] ");
    ChildOutputHandler childOutput;
    ChildOutputObserver childOutputObserver;
    std::chrono::milliseconds heartbeatInterval{1000};
    std::chrono::milliseconds heartbeatTimeout{3500};
    std::chrono::milliseconds reloadTimeout{30000};
    ProcessOptions::ReloadStrategy reloadStrategy = ProcessOptions::ReloadStrategy::Restart;
    bool announce = true;
    QString clusterName;
    bool handleUnixSignals = true;
    bool adoptOrphans = true;
    bool exitApplication = true;
};

ProcessOptions::ProcessOptions() : d(new ProcessOptionsPrivate) {}
ProcessOptions::ProcessOptions(const ProcessOptions &other) = default;
ProcessOptions::ProcessOptions(ProcessOptions &&other) noexcept = default;
ProcessOptions &ProcessOptions::operator=(const ProcessOptions &other) = default;
ProcessOptions &ProcessOptions::operator=(ProcessOptions &&other) noexcept = default;
ProcessOptions::~ProcessOptions() = default;

QString ProcessOptions::redisUrl() const { return d->redisUrl; }
void ProcessOptions::setRedisUrl(const QString &redisUrl) { d->redisUrl = redisUrl; }
QString ProcessOptions::childRedisUrl() const { return d->childRedisUrl; }
void ProcessOptions::setChildRedisUrl(const QString &url) { d->childRedisUrl = url; }
QMap<QString, int> ProcessOptions::listenSockets() const { return d->listenSockets; }
void ProcessOptions::setListenSockets(const QMap<QString, int> &sockets) { d->listenSockets = sockets; }
QString ProcessOptions::clusterNamespace() const { return d->clusterNamespace; }
void ProcessOptions::setClusterNamespace(const QString &clusterNamespace) { d->clusterNamespace = clusterNamespace; }
QString ProcessOptions::clusterHost() const { return d->clusterHost; }
void ProcessOptions::setClusterHost(const QString &host) { d->clusterHost = host; }
QStringList ProcessOptions::arguments() const { return d->arguments; }
void ProcessOptions::setArguments(const QStringList &arguments) { d->arguments = arguments; }
std::chrono::milliseconds ProcessOptions::reloadDelay() const { return d->reloadDelay; }
void ProcessOptions::setReloadDelay(std::chrono::milliseconds reloadDelay) { d->reloadDelay = reloadDelay; }
std::chrono::milliseconds ProcessOptions::killTimeout() const { return d->killTimeout; }
void ProcessOptions::setKillTimeout(std::chrono::milliseconds killTimeout) { d->killTimeout = killTimeout; }
std::chrono::milliseconds ProcessOptions::clusterInfoTimeout() const { return d->clusterInfoTimeout; }
void ProcessOptions::setClusterInfoTimeout(std::chrono::milliseconds clusterInfoTimeout) { d->clusterInfoTimeout = clusterInfoTimeout; }
qsizetype ProcessOptions::maxPayloadSize() const { return d->maxPayloadSize; }
void ProcessOptions::setMaxPayloadSize(qsizetype maxPayloadSize) { d->maxPayloadSize = maxPayloadSize; }
Logger ProcessOptions::logger() const { return d->logger; }
void ProcessOptions::setLogger(const Logger &logger) { d->logger = logger; }
RedisClient *ProcessOptions::publisher() const { return d->publisher; }
void ProcessOptions::setPublisher(RedisClient * publisher) { d->publisher = publisher; }
RedisClient *ProcessOptions::subscriber() const { return d->subscriber; }
void ProcessOptions::setSubscriber(RedisClient * subscriber) { d->subscriber = subscriber; }
RestartPolicy ProcessOptions::restartPolicy() const { return d->restartPolicy; }
void ProcessOptions::setRestartPolicy(const RestartPolicy &restartPolicy) { d->restartPolicy = restartPolicy; }
QString ProcessOptions::outputPrefix() const { return d->outputPrefix; }
void ProcessOptions::setOutputPrefix(const QString &outputPrefix) { d->outputPrefix = outputPrefix; }
ChildOutputHandler ProcessOptions::childOutput() const { return d->childOutput; }
void ProcessOptions::setChildOutput(const ChildOutputHandler &childOutput) { d->childOutput = childOutput; }
ChildOutputObserver ProcessOptions::childOutputObserver() const { return d->childOutputObserver; }
void ProcessOptions::setChildOutputObserver(const ChildOutputObserver &observer) { d->childOutputObserver = observer; }
std::chrono::milliseconds ProcessOptions::heartbeatInterval() const { return d->heartbeatInterval; }
void ProcessOptions::setHeartbeatInterval(std::chrono::milliseconds heartbeatInterval) { d->heartbeatInterval = heartbeatInterval; }
std::chrono::milliseconds ProcessOptions::heartbeatTimeout() const { return d->heartbeatTimeout; }
void ProcessOptions::setHeartbeatTimeout(std::chrono::milliseconds heartbeatTimeout) { d->heartbeatTimeout = heartbeatTimeout; }
std::chrono::milliseconds ProcessOptions::reloadTimeout() const { return d->reloadTimeout; }
void ProcessOptions::setReloadTimeout(std::chrono::milliseconds reloadTimeout) { d->reloadTimeout = reloadTimeout; }
ProcessOptions::ReloadStrategy ProcessOptions::reloadStrategy() const { return d->reloadStrategy; }
void ProcessOptions::setReloadStrategy(ProcessOptions::ReloadStrategy reloadStrategy) { d->reloadStrategy = reloadStrategy; }
bool ProcessOptions::announce() const { return d->announce; }
void ProcessOptions::setAnnounce(bool announce) { d->announce = announce; }
QString ProcessOptions::clusterName() const { return d->clusterName; }
void ProcessOptions::setClusterName(const QString &clusterName) { d->clusterName = clusterName; }
bool ProcessOptions::handleUnixSignals() const { return d->handleUnixSignals; }
void ProcessOptions::setHandleUnixSignals(bool handleUnixSignals) { d->handleUnixSignals = handleUnixSignals; }
bool ProcessOptions::adoptOrphans() const { return d->adoptOrphans; }
void ProcessOptions::setAdoptOrphans(bool adoptOrphans) { d->adoptOrphans = adoptOrphans; }
bool ProcessOptions::exitApplication() const { return d->exitApplication; }
void ProcessOptions::setExitApplication(bool exitApplication) { d->exitApplication = exitApplication; }

} // namespace Clustr
