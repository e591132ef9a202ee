// SPDX-License-Identifier: MIT
// A reload as a job: the master's events in, progress and one result out.
#include <ClustrQt/reloadjob.h>

#include <ClustrQt/clusterclient.h>

#include "control/controlrequest_p.h"

#include <QtCore/QSet>
#include <QtCore/QTimer>

namespace Clustr {

class ReloadJobPrivate
{
    Q_DECLARE_PUBLIC(ReloadJob)
public:
    explicit ReloadJobPrivate(ReloadJob *q) : q_ptr(q) {}

    void reset(bool requested);
    void setState(ReloadJob::State newState);
    void handleEvent(const ClusterEvent &event);
    //! Our command's answers: rejected, accepted, progress, finished; a restart's start.
    void handleAnswer(const ClusterEvent &event);
    //! A reload or restart starting is the one we wait for.
    bool isOurStart(const ClusterEvent &event) const;
    bool sendRequest();
    void handleMaster(const MasterInfo &master);
    void begin(int stepCount);
    void finish(ReloadJob::Error code, const QString &text);

    ReloadJob *q_ptr;
    ClusterClient *client = nullptr;
    ReloadJob::Operation operation = ReloadJob::Operation::Reload;
    QString group;
    qint64 pid = 0;
    int instances = 0;
    bool dryRun = false;
    QStringList plan;
    QString requestId; // of the command under way; empty for a reload
    bool accepted = false;
    ReloadJob::State state = ReloadJob::State::Idle;
    bool requested = false; // start(): only our own reload counts
    qint64 masterPid = 0;
    int steps = 0;
    int completed = 0;
    int current = 0;
    // Steps seen started and not ended, and ended: several may be under way
    // at once (maxUnavailable, maxSurge), and end in any order.
    QSet<int> underWay;
    QSet<int> ended;
    int workers = 0;
    qint64 duration = 0;
    bool sawEarlier = false;
    bool began = false;
    QStringList failures;
    QStringList excluded;
    ReloadJob::Error error = ReloadJob::Error::NoError;
    QString errorText;
    std::chrono::milliseconds startTimeout{5000};
    std::chrono::milliseconds timeout{0};
    std::chrono::milliseconds redisTimeout{5000};
    // The reload the last ClusterReloaded ended: the announcement read before
    // it still says "reloading" until the next poll, and must not start a
    // phantom reload for follow().
    qint64 finishedMasterPid = 0;
    int finishedReloadCount = -1;
    QTimer startTimer;
    QTimer overallTimer;
    QTimer redisTimer;
};

void ReloadJobPrivate::reset(bool byUs)
{
    requested = byUs;
    masterPid = client->masterPid();
    steps = completed = current = workers = 0;
    underWay.clear();
    ended.clear();
    duration = 0;
    sawEarlier = false;
    began = false;
    accepted = false;
    requestId.clear();
    plan.clear();
    failures.clear();
    excluded.clear();
    error = ReloadJob::Error::NoError;
    errorText.clear();
    startTimer.stop();
    overallTimer.stop();
    redisTimer.stop();
}

void ReloadJobPrivate::setState(ReloadJob::State newState)
{
    Q_Q(ReloadJob);
    if (state == newState)
        return;
    state = newState;
    Q_EMIT q->stateChanged(state);
}

void ReloadJobPrivate::begin(int stepCount)
{
    Q_Q(ReloadJob);
    startTimer.stop();
    began = true;
    steps = stepCount;
    setState(ReloadJob::State::Running);
    Q_EMIT q->started(steps);
    Q_EMIT q->progressChanged(completed, steps);
}

void ReloadJobPrivate::finish(ReloadJob::Error code, const QString &text)
{
    Q_Q(ReloadJob);
    if (state == ReloadJob::State::Finished || state == ReloadJob::State::Idle)
        return;
    error = code;
    errorText = text;
    startTimer.stop();
    overallTimer.stop();
    redisTimer.stop();
    setState(ReloadJob::State::Finished);
    Q_EMIT q->result(q);
}

void ReloadJobPrivate::handleEvent(const ClusterEvent &event)
{
    Q_Q(ReloadJob);
    using Type = ClusterEvent::Type;
    using Phase = ClusterEvent::ReloadPhase;
    if (requested && !requestId.isEmpty() && event.requestId() == requestId) {
        handleAnswer(event);
        return;
    }
    if (state == ReloadJob::State::Waiting) {
        if (event.type() == Type::ReloadStarted && isOurStart(event)) {
            begin(event.steps());
            return;
        }
        if (event.type() == Type::ReloadStarted || event.type() == Type::ReloadStep || event.type() == Type::ClusterReloaded) {
            if (requested) {
                // An earlier reload runs; ours is queued behind it and starts when
                // that one is done: as long as it makes progress, ours is not lost.
                sawEarlier = true;
                if (!accepted)
                    startTimer.start(startTimeout);
                return;
            }
            if (event.type() == Type::ClusterReloaded)
                return;
            begin(event.steps()); // follow(): we joined a reload under way
        } else if (event.type() == Type::Stopping && requested) {
            finish(ReloadJob::Error::ClusterStopping,
                   QStringLiteral("the cluster is stopping (exit code %1); the %2 is abandoned (%3)")
                       .arg(event.exitCode()).arg(q->description(), q->position()));
            return;
        } else {
            return;
        }
    }
    if (state != ReloadJob::State::Running)
        return;

    // An update counts its steps itself (CommandProgress): its roll's steps
    // are some of them. What happens to each is told all the same.
    const bool counted = operation != ReloadJob::Operation::Update;
    switch (event.type()) {
    case Type::ReloadStep: {
        const int step = event.step();
        if (!counted) {
            if (event.reloadPhase() == Phase::Started)
                Q_EMIT q->stepStarted(step, event.steps(), event.oldPid(), event.group());
            else if (event.reloadPhase() == Phase::Finished || event.reloadPhase() == Phase::Skipped)
                Q_EMIT q->stepFinished(step, event.steps(), event.oldPid(), event.newPid());
            if (event.reloadPhase() != Phase::TimedOut)
                return;
            failures.append(QStringLiteral("no replacement of %1 (%2) became ready in time").arg(event.oldPid()).arg(event.group()));
            Q_EMIT q->stepTimedOut(step, event.steps(), event.oldPid(), event.group());
            return;
        }
        steps = std::max(steps, event.steps());
        if (event.reloadPhase() == Phase::None)
            return;
        // Joined under way: the steps before the first one seen are taken for done.
        if (underWay.isEmpty() && ended.isEmpty())
            completed = std::max(completed, step - 1);
        current = std::max(current, step);
        if (event.reloadPhase() == Phase::Started) {
            underWay.insert(step);
        } else {
            underWay.remove(step);
            if (!ended.contains(step)) {
                ended.insert(step);
                completed = std::min(steps, completed + 1);
            }
        }
        switch (event.reloadPhase()) {
        case Phase::Started:
            Q_EMIT q->stepStarted(step, steps, event.oldPid(), event.group());
            break;
        case Phase::Finished:
        case Phase::Skipped:
            Q_EMIT q->stepFinished(step, steps, event.oldPid(), event.newPid());
            break;
        case Phase::TimedOut:
            failures.append(QStringLiteral("step %1/%2: no replacement of %3 (%4) became ready in time")
                                .arg(step).arg(steps).arg(event.oldPid()).arg(event.group()));
            Q_EMIT q->stepTimedOut(step, steps, event.oldPid(), event.group());
            break;
        case Phase::None:
            return;
        }
        Q_EMIT q->progressChanged(completed, steps);
        break;
    }
    case Type::ReloadExcluded:
        excluded.append(QStringLiteral("%1 (%2): %3").arg(event.pid()).arg(event.group(), event.reason()));
        break;
    case Type::ClusterReloaded:
        if (!counted)
            break; // the update's commandFinished follows
        finishedMasterPid = client->master().pid();
        finishedReloadCount = client->master().reloadCount();
        completed = current = steps;
        workers = event.workerCount();
        duration = event.durationMs();
        Q_EMIT q->progressChanged(completed, steps);
        if (!requestId.isEmpty())
            break; // a restart: its commandFinished follows and ends the job
        if (failures.isEmpty())
            finish(ReloadJob::Error::NoError, QString());
        else
            finish(ReloadJob::Error::StepsTimedOut, QStringLiteral("the reload finished, but %1 of its steps timed out: %2")
                                                         .arg(failures.size()).arg(failures.join(QStringLiteral("; "))));
        break;
    case Type::Stopping:
        finish(ReloadJob::Error::ClusterStopping, QStringLiteral("the cluster is stopping (exit code %1); the %2 is abandoned (%3)")
                                                      .arg(event.exitCode()).arg(q->description(), q->position()));
        break;
    default:
        break;
    }
}

bool ReloadJobPrivate::isOurStart(const ClusterEvent &event) const
{
    if (!requested)
        return true; // follow(): whichever comes
    // A reload's start names no command; a restart's names its request.
    return requestId.isEmpty() ? event.command().isEmpty() : event.requestId() == requestId;
}

void ReloadJobPrivate::handleAnswer(const ClusterEvent &event)
{
    Q_Q(ReloadJob);
    using Type = ClusterEvent::Type;
    using Failure = Protocol::ControlCommand::Failure;
    if (plan.isEmpty() && !event.plan().isEmpty()) {
        plan = event.plan();
        Q_EMIT q->planReceived(plan);
    }
    switch (event.type()) {
    case Type::CommandRejected: {
        const Failure failure = Protocol::ControlCommand::failureFromName(event.error());
        const ReloadJob::Error code = failure == Failure::NoSuchTarget ? ReloadJob::Error::NoSuchTarget
            : failure == Failure::NothingToDo                          ? ReloadJob::Error::NothingToDo
                                                                       : ReloadJob::Error::Rejected;
        finish(code, QStringLiteral("the master refused the %1: %2").arg(q->description(), event.reason()));
        return;
    }
    case Type::CommandAccepted:
        accepted = true;
        startTimer.stop(); // heard: a restart may wait behind a reload under way
        if (operation != ReloadJob::Operation::Restart && state == ReloadJob::State::Waiting)
            begin(event.steps());
        else if (state == ReloadJob::State::Running)
            steps = std::max(steps, event.steps());
        return;
    case Type::ReloadStarted: // a restart's (an update's roll: within its steps)
        if (state == ReloadJob::State::Waiting && operation == ReloadJob::Operation::Restart)
            begin(event.steps());
        return;
    case Type::CommandProgress:
        if (state != ReloadJob::State::Running)
            return;
        steps = std::max(steps, event.steps());
        completed = current = std::max(completed, std::min(event.step(), steps));
        Q_EMIT q->progressChanged(completed, steps);
        return;
    case Type::CommandFinished:
        completed = current = steps;
        Q_EMIT q->progressChanged(completed, steps);
        if (!event.error().isEmpty())
            finish(ReloadJob::Error::Failed, QStringLiteral("the %1 failed: %2").arg(q->description(), event.reason()));
        else if (!failures.isEmpty())
            finish(ReloadJob::Error::StepsTimedOut, QStringLiteral("the %1 finished, but %2 of its steps timed out: %3")
                                                         .arg(q->description()).arg(failures.size()).arg(failures.join(QStringLiteral("; "))));
        else
            finish(ReloadJob::Error::NoError, QString());
        return;
    default:
        return;
    }
}

void ReloadJobPrivate::handleMaster(const MasterInfo &master)
{
    Q_Q(ReloadJob);
    if (state == ReloadJob::State::Idle || state == ReloadJob::State::Finished)
        return;
    const bool gone = master.pid() != masterPid || master.state() == MasterInfo::State::Stopping || !client->isClusterRunning();
    if (gone && masterPid != 0 && (state == ReloadJob::State::Running || requested)) {
        finish(ReloadJob::Error::MasterGone,
               QStringLiteral("the master (pid %1) went away during the %2 (%3)").arg(masterPid).arg(q->description(), q->position()));
        return;
    }
    masterPid = master.pid(); // follow(): whichever master runs now
    // follow() started in the middle of a reload: the announcement says where it is.
    const bool alreadyOver = master.pid() == finishedMasterPid && master.reloadCount() == finishedReloadCount;
    if (!requested && state == ReloadJob::State::Waiting && master.state() == MasterInfo::State::Reloading
        && master.reloadSteps() > 0 && !alreadyOver) {
        current = master.reloadStep();
        completed = std::max(0, current - 1);
        begin(master.reloadSteps());
    }
}

bool ReloadJobPrivate::sendRequest()
{
    using Type = Protocol::ControlCommand::Type;
    if (operation == ReloadJob::Operation::Reload)
        return client->reload();
    Protocol::ControlCommand command;
    command.type = operation == ReloadJob::Operation::Restart ? Type::Restart
        : operation == ReloadJob::Operation::StopGroup        ? Type::StopGroup
        : operation == ReloadJob::Operation::StartGroup       ? Type::StartGroup
        : operation == ReloadJob::Operation::Update           ? Type::Update
                                                              : Type::Scale;
    command.dryRun = dryRun;
    command.group = group;
    command.pid = pid;
    command.instances = instances;
    command.id = requestId = newRequestId();
    return sendControlCommand(client, command);
}

ReloadJob::ReloadJob(ClusterClient *client, QObject *parent)
    : QObject(parent)
    , d_ptr(new ReloadJobPrivate(this))
{
    Q_D(ReloadJob);
    d->client = client;
    d->startTimer.setSingleShot(true);
    d->overallTimer.setSingleShot(true);
    d->redisTimer.setSingleShot(true);
    connect(&d->startTimer, &QTimer::timeout, this, [this, d] {
        d->finish(Error::NotStarted, d->operation == Operation::Reload
                  ? QStringLiteral("the master (pid %1) did not start a reload within %2 s")
                        .arg(d->masterPid).arg(double(d->startTimeout.count()) / 1000)
                  : QStringLiteral("the master (pid %1) did not answer the %2 within %3 s (a master of clustr-qt 0.1 does not know it)")
                        .arg(d->masterPid).arg(description()).arg(double(d->startTimeout.count()) / 1000));
    });
    connect(&d->overallTimer, &QTimer::timeout, this, [this, d] {
        d->finish(Error::Timeout, QStringLiteral("the %1 did not finish within %2 s (%3)")
                                      .arg(description()).arg(double(d->timeout.count()) / 1000).arg(position()));
    });
    connect(&d->redisTimer, &QTimer::timeout, this, [this, d] {
        d->finish(Error::RedisLost, QStringLiteral("lost Redis for %1 s during the %2 (%3)")
                                        .arg(double(d->redisTimeout.count()) / 1000).arg(description(), position()));
    });
    connect(client, &ClusterClient::errorOccurred, this, [d](ClusterClient::Error error, const QString &text) {
        // Redis' ACL refused the request (or the reads that follow the
        // reload): no reload will start. Anything else (a lost connection)
        // is left to the timers.
        if (error == ClusterClient::Error::PermissionDenied && d->requested && d->state == State::Waiting)
            d->finish(Error::Refused, text);
    });
    connect(client, &ClusterClient::eventReceived, this, [d](const ClusterEvent &event) { d->handleEvent(event); });
    connect(client, &ClusterClient::masterChanged, this, [d](const MasterInfo &master) { d->handleMaster(master); });
    connect(client, &ClusterClient::clusterRunningChanged, this, [d] { d->handleMaster(d->client->master()); });
    connect(client, &ClusterClient::connectedChanged, this, [d](bool connected) {
        if (d->state != State::Waiting && d->state != State::Running)
            return;
        if (connected)
            d->redisTimer.stop();
        else if (d->requested || d->state == State::Running)
            d->redisTimer.start(d->redisTimeout);
    });
}

ReloadJob::~ReloadJob() = default;

void ReloadJob::setOperation(Operation operation)
{
    d_func()->operation = operation;
}

ReloadJob::Operation ReloadJob::operation() const
{
    return d_func()->operation;
}

void ReloadJob::setGroup(const QString &group)
{
    d_func()->group = group;
}

QString ReloadJob::group() const
{
    return d_func()->group;
}

void ReloadJob::setPid(qint64 pid)
{
    d_func()->pid = pid;
}

qint64 ReloadJob::pid() const
{
    return d_func()->pid;
}

void ReloadJob::setInstances(int instances)
{
    d_func()->instances = instances;
}

int ReloadJob::instances() const
{
    return d_func()->instances;
}

void ReloadJob::setDryRun(bool dryRun)
{
    d_func()->dryRun = dryRun;
}

bool ReloadJob::isDryRun() const
{
    return d_func()->dryRun;
}

QStringList ReloadJob::plan() const
{
    return d_func()->plan;
}

QString ReloadJob::description() const
{
    Q_D(const ReloadJob);
    const QString target = d->pid > 0 ? QStringLiteral("process %1").arg(d->pid)
        : d->group.isEmpty()          ? QStringLiteral("the cluster")
                                      : QStringLiteral("group %1").arg(d->group);
    switch (d->operation) {
    case Operation::Reload:
        return QStringLiteral("reload");
    case Operation::Restart:
        return QStringLiteral("restart of %1").arg(target);
    case Operation::StopGroup:
        return QStringLiteral("stop of %1").arg(target);
    case Operation::StartGroup:
        return QStringLiteral("start of %1").arg(target);
    case Operation::Scale:
        return QStringLiteral("scale of %1 to %2").arg(target).arg(d->instances);
    case Operation::Update:
        return d->dryRun ? QStringLiteral("plan of the update of the spawn entries") : QStringLiteral("update of the spawn entries");
    }
    return QString();
}

void ReloadJob::setStartTimeout(std::chrono::milliseconds timeout)
{
    d_func()->startTimeout = timeout;
}

void ReloadJob::setTimeout(std::chrono::milliseconds timeout)
{
    d_func()->timeout = timeout;
}

void ReloadJob::setRedisTimeout(std::chrono::milliseconds timeout)
{
    d_func()->redisTimeout = timeout;
}

bool ReloadJob::start()
{
    Q_D(ReloadJob);
    d->reset(true);
    d->setState(State::Waiting);
    // Listening already (the constructor connected): the master answers
    // within milliseconds, and an event nobody listens to is lost.
    if (!d->sendRequest()) {
        d->finish(Error::NoMaster, QStringLiteral("no master to ask for a %1").arg(description()));
        return false;
    }
    d->startTimer.start(d->startTimeout);
    if (d->timeout.count() > 0)
        d->overallTimer.start(d->timeout);
    return true;
}

void ReloadJob::follow()
{
    Q_D(ReloadJob);
    d->reset(false);
    d->setState(State::Waiting);
    d->handleMaster(d->client->master());
}

ReloadJob::State ReloadJob::state() const
{
    return d_func()->state;
}

int ReloadJob::completedSteps() const
{
    return d_func()->completed;
}

int ReloadJob::currentStep() const
{
    return d_func()->current;
}

int ReloadJob::steps() const
{
    return d_func()->steps;
}

int ReloadJob::percent() const
{
    Q_D(const ReloadJob);
    if (d->state == State::Finished && d->error == Error::NoError)
        return 100;
    if (d->steps <= 0)
        return d->state == State::Running ? 0 : (d->state == State::Finished ? 100 : 0);
    return std::min(100, d->completed * 100 / d->steps);
}

QString ReloadJob::position() const
{
    Q_D(const ReloadJob);
    if (!d->began)
        return QStringLiteral("it had not started");
    if (d->current == 0)
        return QStringLiteral("before the first of %1 steps").arg(d->steps);
    return QStringLiteral("at step %1/%2").arg(d->current).arg(d->steps);
}

QStringList ReloadJob::failures() const
{
    return d_func()->failures;
}

QStringList ReloadJob::excluded() const
{
    return d_func()->excluded;
}

int ReloadJob::workerCount() const
{
    return d_func()->workers;
}

qint64 ReloadJob::durationMs() const
{
    return d_func()->duration;
}

bool ReloadJob::sawEarlierReload() const
{
    return d_func()->sawEarlier;
}

ReloadJob::Error ReloadJob::error() const
{
    return d_func()->error;
}

QString ReloadJob::errorText() const
{
    return d_func()->errorText;
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_reloadjob.cpp"
