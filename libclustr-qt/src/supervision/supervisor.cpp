// SPDX-License-Identifier: MIT
#include "supervisor_p.h"

#include "base/logging_p.h"
#include "listensockets_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QFileInfo>
#include <QtCore/QSet>

#include <algorithm>

namespace Clustr {

Supervisor::Supervisor(QObject *parent)
    : QObject(parent)
{
}

Supervisor::~Supervisor() = default; // ChildProcess' destructor SIGKILLs what still runs

void Supervisor::setSpawnerContext(qint64 masterPid, const QStringList &arguments)
{
    m_masterPid = masterPid;
    m_arguments = arguments;
}

void Supervisor::setDefaults(const RestartPolicy &policy, std::chrono::milliseconds killTimeout)
{
    m_policy = policy;
    m_killTimeout = killTimeout;
}

int Supervisor::spawn(const QList<SpawnSpec> &specs)
{
    int started = 0;
    for (const SpawnSpec &spec : specs) {
        if (m_stopping)
            break;
        QString error;
        const ChildCommand command = commandFor(spec, &error);
        if (!error.isEmpty()) {
            qCWarning(lcSpawn).noquote() << QStringLiteral("cannot spawn %1: %2").arg(spec.file(), error);
            Q_EMIT spawnFailed(spec.file(), error);
            continue;
        }
        clustrInfo(lcSpawn).noquote() << "spawning" << spec.instances() << "x" << command.commandLine().join(QLatin1Char(' '));
        for (int i = 0; i < spec.instances(); ++i) {
            ChildProcess *process = create(spec, command);
            if (!m_holding)
                process->start();
            ++started;
        }
    }
    if (started)
        Q_EMIT childrenChanged();
    return started;
}

ChildProcess *Supervisor::startLike(const ChildProcess *model)
{
    const Child *child = find(model);
    if (!child || m_stopping)
        return nullptr;
    ChildProcess *process = create(child->spec, child->command, child->instance);
    process->start();
    Q_EMIT childrenChanged();
    return process;
}

ChildCommand Supervisor::commandFor(const SpawnSpec &spec, QString *error) const
{
    if (spec.file().isEmpty())
        *error = QStringLiteral("file: required");
    else if (spec.instances() < 1)
        *error = QStringLiteral("instances: must be an integer >= 1");
    else if (spec.sockets().size() > ListenSockets::MaxSockets)
        *error = QStringLiteral("sockets: more than %1").arg(ListenSockets::MaxSockets);
    for (const QString &name : spec.sockets()) {
        if (error->isEmpty() && !m_listenSockets.contains(name))
            *error = QStringLiteral("sockets: no listening socket named %1 (there are: %2)")
                         .arg(name, m_listenSockets.isEmpty() ? QStringLiteral("none") : m_listenSockets.keys().join(QStringLiteral(", ")));
    }
    if (!error->isEmpty())
        return {};
    ChildCommand command = ChildCommand::build(spec, QCoreApplication::applicationDirPath(), m_masterPid, m_arguments);
    *error = command.error;
    return command;
}

QString Supervisor::checkSpec(const SpawnSpec &spec) const
{
    QString error;
    commandFor(spec, &error);
    return error;
}

ChildProcess::Config Supervisor::configFor(const SpawnSpec &spec, const ChildCommand &command) const
{
    ChildProcess::Config config = ChildProcess::Config::from(spec, command, m_policy, m_killTimeout, m_environment);
    config.processGroup = m_processGroup;
    // The group we show the child under is the group it should register
    // with: a worker whose code names none takes it from here. Always set,
    // so a grandchild never inherits its parent's group.
    config.environment.insert(QStringLiteral("CLUSTR_GROUP"), config.group);
    for (const QString &name : spec.sockets())
        config.listenSockets.append({name, m_listenSockets.value(name, -1)});
    return config;
}

bool Supervisor::setGroupSpec(const QString &group, const SpawnSpec &spec, QString *error)
{
    if (!m_groupModels.contains(group)) {
        *error = QStringLiteral("no group %1").arg(group);
        return false;
    }
    error->clear();
    const ChildCommand command = commandFor(spec, error);
    if (!error->isEmpty())
        return false;
    m_groupModels.insert(group, GroupModel{spec, command});
    const ChildProcess::Config config = configFor(spec, command);
    for (const auto &child : m_children) {
        if (child->group != group)
            continue;
        child->spec = spec;
        child->command = command;
        child->process->setConfig(config);
    }
    return true;
}

std::optional<SpawnSpec> Supervisor::groupSpec(const QString &group) const
{
    const auto model = m_groupModels.constFind(group);
    if (model == m_groupModels.cend())
        return std::nullopt;
    return model->spec;
}

void Supervisor::forgetGroup(const QString &group)
{
    if (!groupProcesses(group).isEmpty())
        return;
    m_groupModels.remove(group);
    m_groupOrder.removeAll(group);
    m_instances.remove(group);
}

ChildProcess *Supervisor::create(const SpawnSpec &spec, const ChildCommand &command, int instance)
{
    const ChildProcess::Config config = configFor(spec, command);
    auto child = std::make_unique<Child>();
    child->spec = spec;
    child->command = command;
    child->group = config.group;
    child->instance = instance >= 0 ? instance : m_instances[child->group]++;
    if (!m_groupModels.contains(child->group)) {
        m_groupModels.insert(child->group, GroupModel{spec, command});
        m_groupOrder.append(child->group);
    }
    auto *process = new ChildProcess(config, this);
    child->process = process;
    Child *entry = child.get();
    m_children.push_back(std::move(child));

    connect(process, &ChildProcess::started, this, [this, entry, process](qint64 pid) {
        // A respawn reports respawned() right after started(); a first start does not.
        const bool first = !entry->everStarted;
        entry->everStarted = true;
        if (first)
            Q_EMIT childStarted(process, pid, 0);
        Q_EMIT childrenChanged();
    });
    connect(process, &ChildProcess::respawned, this, [this, process](qint64 oldPid, qint64 newPid) {
        Q_EMIT childStarted(process, newPid, oldPid);
    });
    connect(process, &ChildProcess::exited, this, [this, process](qint64 pid, int code, bool bySignal, int signal) {
        Q_EMIT childExited(process, pid, code, bySignal, signal);
        Q_EMIT childrenChanged();
    });
    connect(process, &ChildProcess::gaveUp, this, [this, process, entry](const QString &reason) {
        qCWarning(lcSpawn).noquote() << QStringLiteral("giving up on %1: %2").arg(entry->group, reason);
        Q_EMIT childGaveUp(process, reason);
        Q_EMIT childrenChanged();
    });
    connect(process, &ChildProcess::errorOccurred, this, [entry](const QString &message) {
        qCWarning(lcSpawn).noquote() << QStringLiteral("%1: %2").arg(entry->group, message);
    });
    connect(process, &ChildProcess::outputLine, this, [this, entry, process](const QByteArray &line, bool isStderr) {
        const bool written = m_outputHandler ? m_outputHandler(entry->group, entry->instance, process->pid(), line, isStderr)
                                             : m_forwarder.forward(entry->group, process->pid(), line, isStderr);
        if (!written)
            ++m_droppedLines[{entry->group, entry->instance}];
        if (m_outputObserver)
            m_outputObserver(entry->group, process->pid(), line, isStderr);
    });
    connect(process, &ChildProcess::respawning, this, [this, process](qint64 oldPid, std::chrono::milliseconds delay) {
        if (delay.count() > 0)
            Q_EMIT childBackingOff(process, oldPid, delay);
    });
    connect(process, &ChildProcess::stopped, this, [this] {
        // exited() came before the child settled on stopped: say so again,
        // now that its state shows it (a group stop waits for this).
        Q_EMIT childrenChanged();
        checkAllStopped();
    });
    return process;
}

void Supervisor::setHolding(bool holding)
{
    m_holding = holding;
    if (holding)
        return;
    for (const auto &child : m_children) {
        if (child->process->state() == ChildProcess::State::NotStarted)
            child->process->start();
    }
}

void Supervisor::remove(ChildProcess *process)
{
    for (auto it = m_children.begin(); it != m_children.end(); ++it) {
        if ((*it)->process == process) {
            process->disconnect(this);
            process->deleteLater(); // we may be inside one of its signals
            m_children.erase(it);
            Q_EMIT childrenChanged();
            return;
        }
    }
}

QList<ChildProcess *> Supervisor::groupProcesses(const QString &group) const
{
    QList<const Child *> members;
    for (const auto &child : m_children) {
        if (child->group == group)
            members.append(child.get());
    }
    std::sort(members.begin(), members.end(), [](const Child *a, const Child *b) { return a->instance < b->instance; });
    QList<ChildProcess *> processes;
    for (const Child *member : std::as_const(members))
        processes.append(member->process);
    return processes;
}

ChildProcess *Supervisor::addInstance(const QString &group, bool start)
{
    const auto model = m_groupModels.constFind(group);
    if (model == m_groupModels.cend() || m_stopping)
        return nullptr;
    QSet<int> taken;
    for (const auto &child : m_children) {
        if (child->group == group)
            taken.insert(child->instance);
    }
    int instance = 0;
    while (taken.contains(instance))
        ++instance;
    ChildProcess *process = create(model->spec, model->command, instance);
    if (start && !m_holding)
        process->start();
    Q_EMIT childrenChanged();
    return process;
}

const Supervisor::Child *Supervisor::find(const ChildProcess *process) const
{
    for (const auto &child : m_children) {
        if (child->process == process)
            return child.get();
    }
    return nullptr;
}

const Supervisor::Child *Supervisor::findByPid(qint64 pid) const
{
    if (pid <= 0)
        return nullptr;
    for (const auto &child : m_children) {
        if (child->process->pid() == pid)
            return child.get();
    }
    return nullptr;
}

QList<ChildProcess *> Supervisor::processes() const
{
    QList<ChildProcess *> list;
    for (const auto &child : m_children)
        list.append(child->process);
    return list;
}

QList<ChildInfo> Supervisor::infos() const
{
    QList<ChildInfo> list;
    list.reserve(qsizetype(m_children.size()));
    for (const auto &child : m_children) {
        ChildInfo info;
        info.setPid(child->process->pid());
        info.setGroup(child->group);
        info.setInstance(child->instance);
        info.setDroppedOutputLines(m_droppedLines.value({child->group, child->instance}));
        info.setFile(child->command.file);
        info.setCpu(child->spec.cpu());
        info.setState(toChildState(child->process->state()));
        info.setRestarts(child->process->restartCount());
        info.setStartedAt(child->process->startedAt());
        info.setRegisters(child->spec.registers());
        info.setRespawn(child->spec.respawn());
        info.setCommandLine(child->command.commandLine());
        info.setError(child->process->errorString());
        list.append(info);
    }
    return list;
}

void Supervisor::stopAll(const std::function<void(ChildProcess *)> &beforeStop)
{
    m_stopping = true;
    for (const auto &child : m_children) {
        ChildProcess *process = child->process;
        if (beforeStop)
            beforeStop(process);
        // Cluster workers were asked to exit through Redis (their kill
        // handlers run); other programs get SIGTERM. SIGKILL after the timeout either way.
        process->stop(child->spec.registers() ? ChildProcess::StopMode::WaitForExit : ChildProcess::StopMode::Terminate);
    }
    checkAllStopped();
}

void Supervisor::checkAllStopped()
{
    if (!m_stopping)
        return;
    for (const auto &child : m_children) {
        const auto state = child->process->state();
        if (state != ChildProcess::State::Stopped && state != ChildProcess::State::Failed
            && state != ChildProcess::State::NotStarted)
            return;
    }
    m_stopping = false; // report once
    Q_EMIT allStopped();
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "moc_supervisor_p.cpp"
