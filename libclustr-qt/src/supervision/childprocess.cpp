// SPDX-License-Identifier: MIT
#include "childprocess_p.h"

#include "base/logging_p.h"

#include <QtCore/QFileInfo>
#include <QtCore/QProcessEnvironment>

#include <algorithm>
#include <utility>

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace Clustr {

namespace {

/*
  Runs in the forked child, between fork and exec: async-signal-safe calls only.

  Dispositions first, then the mask: unblocking while this process' own
  handlers are still installed could run one of them in the child. A handler
  that survives until exec is harmless (exec resets it), but SIG_IGN and the
  blocked mask are inherited through exec: a Qt parent that ignores SIGPIPE or
  blocks SIGTERM would otherwise hand that to every child.

  PR_SET_PDEATHSIG makes the kernel SIGKILL the child when its parent dies.
  If the parent died before the prctl() call, the child has already been
  reparented and the death signal will never come: getppid() tells, as it no
  longer returns the pid captured before the fork.
*/
void prepareChild(pid_t parentPid, pid_t processGroup)
{
    struct sigaction defaultAction = {};
    defaultAction.sa_handler = SIG_DFL;
    sigemptyset(&defaultAction.sa_mask);
    for (int signum = 1; signum < 32; ++signum) {
        if (signum != SIGKILL && signum != SIGSTOP)
            sigaction(signum, &defaultAction, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);

    // Out of the spawner's process group: a Ctrl-C in the terminal (SIGINT
    // to the foreground group) or a signal to the spawner's group reaches
    // the spawner only, which then stops its children in order, kill
    // handlers included, instead of racing them. A master's children join
    // its TreeGuard's group instead (a group of their own if it is gone);
    // inside such a tree, children stay in their spawner's group, so the
    // guard reaches them too.
    if (processGroup > 0) {
        if (setpgid(0, processGroup) != 0)
            setpgid(0, 0);
    } else if (processGroup == 0) {
        setpgid(0, 0);
    }

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parentPid)
        _exit(1);
}

QString describeExit(int exitCode, bool bySignal, int signal)
{
    return bySignal ? QStringLiteral("killed by signal %1").arg(signal)
                    : QStringLiteral("exited with code %1").arg(exitCode);
}

} // namespace

ChildProcess::Config ChildProcess::Config::from(const SpawnSpec &spec, const ChildCommand &command,
                                               const RestartPolicy &defaultPolicy,
                                               std::chrono::milliseconds defaultKillTimeout,
                                               const QMap<QString, QString> &baseEnvironment)
{
    Config config;
    config.program = command.program;
    config.arguments = command.arguments;
    config.environment = baseEnvironment;
    for (auto it = spec.env().cbegin(); it != spec.env().cend(); ++it)
        config.environment.insert(it.key(), it.value());
    config.workingDirectory = spec.workingDirectory();
    config.respawn = spec.respawn();
    config.restartPolicy = spec.restartPolicy().value_or(defaultPolicy);
    config.killTimeout = spec.killTimeout().value_or(defaultKillTimeout);
    config.group = !spec.group().isEmpty() ? spec.group() : QFileInfo(command.file).completeBaseName();
    return config;
}

ChildProcess::ChildProcess(const Config &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
{
    m_clock.start();
    m_backoffTimer.setSingleShot(true);
    m_killTimer.setSingleShot(true);
    connect(&m_backoffTimer, &QTimer::timeout, this, [this] { post({EventType::BackoffElapsed}); });
    connect(&m_killTimer, &QTimer::timeout, this, [this] { post({EventType::KillTimeoutElapsed}); });
}

ChildProcess::~ChildProcess()
{
    // Every QProcess (the current one and those waiting for deleteLater) is
    // ended here, while this object is still whole: ~QObject would delete them
    // later, and a QProcess destructor reaping its child could still reach our slots.
    const auto processes = findChildren<QProcess *>(QString(), Qt::FindDirectChildrenOnly);
    for (QProcess *process : processes) {
        process->disconnect(this);
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000); // SIGKILL cannot be caught: this is a reap, not a wait on the child
        }
        delete process;
    }
}

qint64 ChildProcess::pid() const
{
    return m_process ? m_pid : 0;
}

void ChildProcess::start()
{
    post({EventType::Start});
}

void ChildProcess::expectExit(StopMode mode)
{
    Event event{EventType::ExitExpected};
    event.stopMode = mode;
    post(event);
}

void ChildProcess::stop(StopMode mode, std::chrono::milliseconds timeout)
{
    Event event{EventType::Stop};
    event.stopMode = mode;
    event.timeout = std::max(timeout, std::chrono::milliseconds(0));
    post(event);
}

void ChildProcess::stop(StopMode mode)
{
    stop(mode, m_config.killTimeout);
}

void ChildProcess::post(const Event &event)
{
    m_pendingEvents.append(event);
    if (m_dispatching)
        return;
    m_dispatching = true;
    while (!m_pendingEvents.isEmpty())
        handle(m_pendingEvents.takeFirst());
    m_dispatching = false;
}

// The transition function: the current state decides what an event means.
void ChildProcess::handle(const Event &event)
{
    switch (m_state) {
    case State::NotStarted:
    case State::Stopped:
    case State::Failed:
        switch (event.type) {
        case EventType::Start:
            m_restartCount = 0;
            m_consecutiveCrashes = 0;
            m_crashRestartTimes.clear();
            m_exitExpected = false;
            m_nextRunIsRespawn = false;
            m_errorString.clear();
            launch();
            return;
        case EventType::Stop:
            if (m_state == State::NotStarted)
                setState(State::Stopped);
            Q_EMIT stopped();
            return;
        default:
            break;
        }
        break;

    case State::Starting:
    case State::Running:
        switch (event.type) {
        case EventType::Started:
            if (m_state != State::Starting)
                break;
            setState(State::Running);
            Q_EMIT started(m_pid);
            if (std::exchange(m_nextRunIsRespawn, false))
                Q_EMIT respawned(m_respawnOf, m_pid);
            return;
        case EventType::Exited:
            m_killTimer.stop();
            finishRun(event.exit);
            decideAfterExit(event.exit);
            return;
        case EventType::FailedToStart:
            m_killTimer.stop();
            discardProcess();
            decideAfterFailedStart(event.error);
            return;
        case EventType::Stop:
            beginStopping(event);
            return;
        case EventType::ExitExpected:
            // Told to exit (a kill, a reload): it goes within its kill
            // timeout like a stopped child, whatever its kill handler does.
            m_exitExpected = true;
            if (event.stopMode == StopMode::Terminate && m_process)
                m_process->terminate();
            armKillTimer(m_config.killTimeout);
            return;
        case EventType::KillTimeoutElapsed:
            if (m_exitExpected && m_process) {
                qCWarning(lcSpawn).noquote() << QStringLiteral("%1 %2 did not exit within %3 ms of being told to: sending SIGKILL")
                                                    .arg(m_config.group).arg(m_pid).arg(m_config.killTimeout.count());
                m_process->kill();
            }
            return;
        default:
            break;
        }
        break;

    case State::BackingOff:
        switch (event.type) {
        case EventType::BackoffElapsed:
            launch();
            return;
        case EventType::Stop:
            m_backoffTimer.stop();
            enterStopped();
            return;
        default:
            break;
        }
        break;

    case State::Stopping:
        switch (event.type) {
        case EventType::Started:
            // Stopped while starting: it did start, and every exited() has its started().
            Q_EMIT started(m_pid);
            if (std::exchange(m_nextRunIsRespawn, false))
                Q_EMIT respawned(m_respawnOf, m_pid);
            return;
        case EventType::Exited:
            m_killTimer.stop();
            finishRun(event.exit);
            enterStopped();
            return;
        case EventType::FailedToStart:
            m_killTimer.stop();
            discardProcess();
            enterStopped();
            return;
        case EventType::KillTimeoutElapsed:
            if (m_process) {
                clustrDebug(lcSpawn) << m_config.group << m_pid << "did not exit in time, sending SIGKILL";
                m_process->kill();
            }
            return;
        case EventType::Stop:
            // A second stop may only make things faster: SIGTERM now, or an earlier deadline.
            if (event.stopMode == StopMode::Terminate && m_process)
                m_process->terminate();
            armKillTimer(event.timeout);
            return;
        default:
            break;
        }
        break;
    }
    clustrDebug(lcSpawn) << m_config.group << "ignored event" << int(event.type) << "in state" << m_state;
}

void ChildProcess::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void ChildProcess::launch()
{
    m_killTimer.stop(); // a deadline belongs to the run it was set for
    discardProcess();
    m_stdoutBuffer.clear();
    m_stderrBuffer.clear();

    auto *process = new QProcess(this);
    m_process = process;
    QString program = m_config.program;
    QStringList arguments = m_config.arguments;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (auto it = m_config.environment.constBegin(); it != m_config.environment.constEnd(); ++it)
        environment.insert(it.key(), it.value());
    // Ours (a master under systemd) are not the child's; its own, if any, come below.
    for (const char *name : {"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"})
        environment.remove(QLatin1String(name));
    QList<int> listenFds; // what the child process gets: no allocation there
    QStringList listenNames;
    for (const ListenSockets::Socket &socket : m_config.listenSockets) {
        listenFds.append(socket.fd);
        listenNames.append(socket.name);
    }
    if (!listenFds.isEmpty()) {
        environment.insert(QStringLiteral("LISTEN_FDS"), QString::number(listenFds.size()));
        environment.insert(QStringLiteral("LISTEN_FDNAMES"), listenNames.join(QLatin1Char(':')));
        ListenSockets::wrap(&program, &arguments);
    }
    process->setProgram(program);
    process->setArguments(arguments);
    process->setProcessEnvironment(environment);
    if (!m_config.workingDirectory.isEmpty())
        process->setWorkingDirectory(m_config.workingDirectory);
    // A worker must not wait on a terminal or a pipe nobody writes to.
    process->setStandardInputFile(QProcess::nullDevice());
    process->setProcessChannelMode(QProcess::SeparateChannels);
    const pid_t parentPid = ::getpid();
    const pid_t processGroup = pid_t(m_config.processGroup);
    process->setChildProcessModifier([parentPid, processGroup, listenFds] {
        prepareChild(parentPid, processGroup);
        ListenSockets::placeInChild(listenFds.constData(), int(listenFds.size()));
    });

    // Signals of a process that was replaced or discarded never reach the state machine.
    connect(process, &QProcess::started, this, [this, process] {
        if (process != m_process)
            return;
        m_pid = process->processId();
        post({EventType::Started});
    });
    connect(process, &QProcess::finished, this, [this, process](int exitCode, QProcess::ExitStatus status) {
        if (process != m_process)
            return;
        Event event{EventType::Exited};
        // On Unix, QProcess reports the terminating signal as the exit code of a CrashExit.
        event.exit.bySignal = status == QProcess::CrashExit;
        event.exit.signal = event.exit.bySignal ? exitCode : 0;
        event.exit.exitCode = event.exit.bySignal ? -1 : exitCode;
        post(event);
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (process != m_process || error != QProcess::FailedToStart)
            return;
        Event event{EventType::FailedToStart};
        event.error = process->errorString();
        post(event);
    });
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] { readOutput(process); });
    connect(process, &QProcess::readyReadStandardError, this, [this, process] { readOutput(process); });

    m_runStartedMs = m_clock.elapsed();
    m_startedAt = QDateTime::currentDateTime();
    if (m_nextRunIsRespawn)
        ++m_restartCount;
    setState(State::Starting);
    process->start();
    // The fork has happened (unless start() failed at once): the pid is known
    // before started(), which a stop() in Starting needs.
    if (process->state() != QProcess::NotRunning)
        m_pid = process->processId();
}

void ChildProcess::discardProcess()
{
    if (!m_process)
        return;
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
}

// The end of a run that had a process: its last output, then exited().
void ChildProcess::finishRun(const ExitInfo &exit)
{
    if (m_process)
        readOutput(m_process);
    emitLines(m_stdoutBuffer, false, true);
    emitLines(m_stderrBuffer, true, true);
    discardProcess();
    Q_EMIT exited(m_pid, exit.exitCode, exit.bySignal, exit.signal);
}

void ChildProcess::decideAfterExit(const ExitInfo &exit)
{
    const bool expected = std::exchange(m_exitExpected, false);
    if ((!exit.bySignal && exit.exitCode == 0) || !m_config.respawn) {
        enterStopped();
        return;
    }
    if (expected) {
        respawnAfter(std::chrono::milliseconds(0));
        return;
    }
    afterCrash(describeExit(exit.exitCode, exit.bySignal, exit.signal));
}

void ChildProcess::decideAfterFailedStart(const QString &error)
{
    m_errorString = QStringLiteral("%1 failed to start: %2").arg(m_config.program, error);
    Q_EMIT errorOccurred(m_errorString);
    // Nothing ran, so nothing was commanded to exit either.
    m_exitExpected = false;
    if (!m_config.respawn) {
        enterStopped();
        return;
    }
    afterCrash(QStringLiteral("failed to start"));
}

// A crash that nobody asked for: counted against the limit and backed off.
void ChildProcess::afterCrash(const QString &what)
{
    const RestartPolicy &policy = m_config.restartPolicy;
    const qint64 now = m_clock.elapsed();
    if (now - m_runStartedMs >= qint64(policy.resetAfter.count()))
        m_consecutiveCrashes = 0;
    const qint64 windowStart = now - qint64(policy.window.count());
    m_crashRestartTimes.erase(std::remove_if(m_crashRestartTimes.begin(), m_crashRestartTimes.end(),
                                             [windowStart](qint64 t) { return t <= windowStart; }),
                              m_crashRestartTimes.end());

    if (m_crashRestartTimes.size() >= policy.maxRestarts) {
        m_errorString = QStringLiteral("%1: gave up after %2 restarts within %3 ms (last run %4)")
                            .arg(m_config.group.isEmpty() ? m_config.program : m_config.group)
                            .arg(m_crashRestartTimes.size())
                            .arg(policy.window.count())
                            .arg(what);
        setState(State::Failed);
        Q_EMIT gaveUp(m_errorString);
        return;
    }

    // First restart at once, then initialBackoff doubling up to maxBackoff.
    std::chrono::milliseconds delay(0);
    if (m_consecutiveCrashes > 0) {
        delay = policy.initialBackoff;
        for (int i = 1; i < m_consecutiveCrashes && delay < policy.maxBackoff; ++i)
            delay *= 2;
        delay = std::min(delay, policy.maxBackoff);
    }
    ++m_consecutiveCrashes;
    m_crashRestartTimes.append(now);
    respawnAfter(delay);
}

void ChildProcess::respawnAfter(std::chrono::milliseconds delay)
{
    m_nextRunIsRespawn = true;
    m_respawnOf = m_pid;
    Q_EMIT respawning(m_respawnOf, delay);
    if (delay.count() == 0) {
        launch();
        return;
    }
    setState(State::BackingOff);
    m_backoffTimer.start(delay);
}

void ChildProcess::beginStopping(const Event &event)
{
    setState(State::Stopping);
    if (event.stopMode == StopMode::Terminate && m_process)
        m_process->terminate();
    armKillTimer(event.timeout);
}

// SIGKILL after \a timeout, unless an earlier deadline is already set: a
// second order to go may only make it go sooner.
void ChildProcess::armKillTimer(std::chrono::milliseconds timeout)
{
    if (!m_killTimer.isActive() || std::chrono::milliseconds(m_killTimer.remainingTime()) > timeout)
        m_killTimer.start(timeout);
}

void ChildProcess::enterStopped()
{
    m_exitExpected = false;
    m_nextRunIsRespawn = false;
    setState(State::Stopped);
    Q_EMIT stopped();
}

void ChildProcess::readOutput(QProcess *process)
{
    if (process != m_process)
        return;
    m_stdoutBuffer.append(process->readAllStandardOutput());
    m_stderrBuffer.append(process->readAllStandardError());
    emitLines(m_stdoutBuffer, false, false);
    emitLines(m_stderrBuffer, true, false);
}

// Emits the complete lines of \a buffer and keeps the partial rest, unless
// \a flushPartial (the process has ended). A line longer than MaxLineLength
// comes out in pieces, so one child cannot make us buffer without bound.
void ChildProcess::emitLines(QByteArray &buffer, bool isStderr, bool flushPartial)
{
    qsizetype start = 0;
    while (start < buffer.size()) {
        const qsizetype newline = buffer.indexOf('\n', start);
        const qsizetype lineEnd = newline < 0 ? buffer.size() : newline;
        if (lineEnd - start > MaxLineLength) {
            Q_EMIT outputLine(buffer.mid(start, MaxLineLength), isStderr);
            start += MaxLineLength;
            continue;
        }
        if (newline < 0) {
            if (flushPartial || lineEnd - start == MaxLineLength) {
                Q_EMIT outputLine(buffer.mid(start), isStderr);
                start = buffer.size();
            }
            break;
        }
        Q_EMIT outputLine(buffer.mid(start, newline - start), isStderr);
        start = newline + 1;
    }
    buffer.remove(0, start);
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "moc_childprocess_p.cpp"
