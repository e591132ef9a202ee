// SPDX-License-Identifier: MIT
#include "supervision/childcommand_p.h"
#include "supervision/childprocess_p.h"
#include "supervision/cpuset_p.h"
#include "supervision/listensockets_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QScopeGuard>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <csignal>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Clustr;
using namespace std::chrono_literals;
using State = ChildProcess::State;
using StopMode = ChildProcess::StopMode;

namespace {

constexpr int Timeout = 10000;

// Alive and not a zombie.
bool isRunning(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (pid <= 0 || !stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    const qsizetype close = text.lastIndexOf(')');
    return close > 0 && text.size() > close + 2 && text.at(close + 2) != 'Z' && text.at(close + 2) != 'X';
}

// Crash loops without waiting long.
RestartPolicy fastPolicy()
{
    RestartPolicy policy;
    policy.maxRestarts = 4;
    policy.window = 60s;
    policy.initialBackoff = 20ms;
    policy.maxBackoff = 80ms;
    policy.resetAfter = 60s;
    return policy;
}

QList<qint64> delaysOf(const QSignalSpy &respawning)
{
    QList<qint64> delays;
    for (const QList<QVariant> &arguments : respawning)
        delays.append(arguments.at(1).value<std::chrono::milliseconds>().count());
    return delays;
}

} // namespace

class tst_ChildProcess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void listenVariablesAreChecked_data();
    void listenVariablesAreChecked();

    void exitZeroIsNotRespawned();
    void exitOneIsRespawned();
    void killedFromOutsideIsRespawned();
    void respawnOffStops();
    void crashLoopBacksOffAndGivesUp();
    void longRunsResetTheBackoffAndLeaveTheWindow();
    void expectedExitsDoNotCount();
    void expectedExitComesByTheKillTimeout_data();
    void expectedExitComesByTheKillTimeout();
    void stopWaitForExitKillsAfterTimeout();
    void stopTerminate();
    void stopTerminateEscalates();
    void stopWhileStarting();
    void stopWhenNothingRuns();
    void stopWhileBackingOff();
    void restartAfterStopped();
    void failedToStart();
    void failedToStartWithoutRespawn();
    void outputLines();
    void longLinesAreCut();
    void environmentAndWorkingDirectory();
    void cpuPinning();
    void signalDispositionsAndMaskAreReset();
    void childDiesWithItsParent();
    void configFromSpec();

private:
    ChildProcess *create(const QStringList &arguments, bool respawn = true,
                         const RestartPolicy &policy = fastPolicy(), std::chrono::milliseconds killTimeout = 5s);
    ChildProcess *createFrom(const ChildProcess::Config &config);

    QString m_child;
    QTemporaryDir m_dir;
    QList<ChildProcess *> m_children;
    QList<QProcess *> m_processes;
    QList<qint64> m_strayPids;
};

void tst_ChildProcess::initTestCase()
{
    m_child = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("clustr-test-child"));
    QVERIFY2(QFileInfo(m_child).isExecutable(), qPrintable(m_child));
    QVERIFY(m_dir.isValid());
}

void tst_ChildProcess::cleanup()
{
    // Deleting a ChildProcess SIGKILLs and reaps its child.
    qDeleteAll(m_children);
    m_children.clear();
    for (QProcess *process : std::as_const(m_processes)) {
        process->kill();
        process->waitForFinished(5000);
        delete process;
    }
    m_processes.clear();
    for (qint64 pid : std::as_const(m_strayPids)) {
        ::kill(pid_t(pid), SIGKILL);
        ::waitpid(pid_t(pid), nullptr, WNOHANG);
    }
    m_strayPids.clear();
}

ChildProcess *tst_ChildProcess::create(const QStringList &arguments, bool respawn, const RestartPolicy &policy,
                                       std::chrono::milliseconds killTimeout)
{
    ChildProcess::Config config;
    config.program = m_child;
    config.arguments = arguments;
    config.respawn = respawn;
    config.restartPolicy = policy;
    config.killTimeout = killTimeout;
    config.group = QStringLiteral("test");
    return createFrom(config);
}

ChildProcess *tst_ChildProcess::createFrom(const ChildProcess::Config &config)
{
    auto *child = new ChildProcess(config);
    m_children.append(child);
    return child;
}

void tst_ChildProcess::exitZeroIsNotRespawned()
{
    ChildProcess *child = create({QStringLiteral("--print=hello"), QStringLiteral("--exit=0")});
    QSignalSpy started(child, &ChildProcess::started);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    QSignalSpy output(child, &ChildProcess::outputLine);
    QSignalSpy states(child, &ChildProcess::stateChanged);

    QCOMPARE(child->state(), State::NotStarted);
    child->start();
    QCOMPARE(child->state(), State::Starting);
    QVERIFY(stopped.wait(Timeout));

    QCOMPARE(started.size(), 1);
    const qint64 pid = started.at(0).at(0).toLongLong();
    QVERIFY(pid > 0);
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.at(0), QList<QVariant>({pid, 0, false, 0}));
    QCOMPARE(respawning.size(), 0);
    QCOMPARE(child->state(), State::Stopped);
    QCOMPARE(child->pid(), 0);
    QCOMPARE(child->restartCount(), 0);
    QCOMPARE(output.size(), 1);
    QCOMPARE(output.at(0), QList<QVariant>({QByteArray("hello"), false}));
    QCOMPARE(states.size(), 3);
    QCOMPARE(states.at(0).at(0).value<State>(), State::Starting);
    QCOMPARE(states.at(1).at(0).value<State>(), State::Running);
    QCOMPARE(states.at(2).at(0).value<State>(), State::Stopped);
}

void tst_ChildProcess::exitOneIsRespawned()
{
    // Only the first run fails; the replacement keeps running.
    const QString marker = m_dir.filePath(QStringLiteral("exitOne"));
    ChildProcess *child = create({QStringLiteral("--exit-if-absent=") + marker, QStringLiteral("--pause=60000")});
    QSignalSpy started(child, &ChildProcess::started);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    QSignalSpy respawned(child, &ChildProcess::respawned);

    const QDateTime before = QDateTime::currentDateTime();
    child->start();
    QVERIFY(respawned.wait(Timeout));

    QCOMPARE(started.size(), 2);
    const qint64 first = started.at(0).at(0).toLongLong();
    const qint64 second = started.at(1).at(0).toLongLong();
    QVERIFY(first != second);
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.at(0), QList<QVariant>({first, 1, false, 0}));
    QCOMPARE(delaysOf(respawning), QList<qint64>{0}); // the first restart is immediate
    QCOMPARE(respawning.at(0).at(0).toLongLong(), first);
    QCOMPARE(respawned.at(0), QList<QVariant>({first, second}));
    QCOMPARE(child->state(), State::Running);
    QCOMPARE(child->pid(), second);
    QCOMPARE(child->restartCount(), 1);
    QVERIFY(child->startedAt() >= before);
    QVERIFY(isRunning(second));
}

void tst_ChildProcess::killedFromOutsideIsRespawned()
{
    ChildProcess *child = create({QStringLiteral("--pause=60000")});
    QSignalSpy started(child, &ChildProcess::started);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy respawned(child, &ChildProcess::respawned);
    child->start();
    QVERIFY(started.wait(Timeout));
    const qint64 first = child->pid();

    QCOMPARE(::kill(pid_t(first), SIGKILL), 0);
    QVERIFY(respawned.wait(Timeout));
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.at(0), QList<QVariant>({first, -1, true, SIGKILL}));
    const qint64 second = child->pid();
    QVERIFY(second != first);
    QCOMPARE(respawned.at(0), QList<QVariant>({first, second}));
    QCOMPARE(child->state(), State::Running);
    QVERIFY(isRunning(second));
}

void tst_ChildProcess::respawnOffStops()
{
    ChildProcess *child = create({QStringLiteral("--exit=3")}, false);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    child->start();
    QVERIFY(stopped.wait(Timeout));
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.at(0).at(1).toInt(), 3);
    QCOMPARE(respawning.size(), 0);
    QCOMPARE(child->state(), State::Stopped);

    // A signal does not respawn it either.
    ChildProcess *other = create({QStringLiteral("--signal=11")}, false);
    QSignalSpy otherExited(other, &ChildProcess::exited);
    QSignalSpy otherStopped(other, &ChildProcess::stopped);
    other->start();
    QVERIFY(otherStopped.wait(Timeout));
    QCOMPARE(otherExited.at(0).mid(1), QList<QVariant>({-1, true, SIGSEGV}));
    QCOMPARE(other->state(), State::Stopped);
}

void tst_ChildProcess::crashLoopBacksOffAndGivesUp()
{
    ChildProcess *child = create({QStringLiteral("--exit=1")});
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    QSignalSpy gaveUp(child, &ChildProcess::gaveUp);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy states(child, &ChildProcess::stateChanged);
    child->start();
    QVERIFY(gaveUp.wait(Timeout));

    // Immediate, then 20 ms doubling, capped at 80 ms; the fifth crash is one too many.
    QCOMPARE(delaysOf(respawning), QList<qint64>({0, 20, 40, 80}));
    QCOMPARE(exited.size(), 5);
    QCOMPARE(child->restartCount(), 4);
    QCOMPARE(child->state(), State::Failed);
    QCOMPARE(stopped.size(), 0);
    const QString reason = gaveUp.at(0).at(0).toString();
    QVERIFY2(reason.contains(QStringLiteral("gave up after 4 restarts within 60000 ms")), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("exited with code 1")), qPrintable(reason));
    QCOMPARE(child->errorString(), reason);
    QVERIFY(states.contains(QList<QVariant>{QVariant::fromValue(State::BackingOff)}));

    // A failed child has nothing left to stop.
    child->stop(StopMode::Terminate);
    QCOMPARE(stopped.size(), 1);
    QCOMPARE(child->state(), State::Failed);
}

void tst_ChildProcess::longRunsResetTheBackoffAndLeaveTheWindow()
{
    // Each run lasts 300 ms: longer than resetAfter (so no backoff builds up)
    // and than the window (so one restart is never "too many").
    RestartPolicy policy;
    policy.maxRestarts = 1;
    policy.window = 250ms;
    policy.initialBackoff = 5s;
    policy.maxBackoff = 5s;
    policy.resetAfter = 150ms;
    ChildProcess *child = create({QStringLiteral("--pause=300"), QStringLiteral("--exit=1")}, true, policy);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    QSignalSpy gaveUp(child, &ChildProcess::gaveUp);
    child->start();
    QTRY_VERIFY_WITH_TIMEOUT(respawning.size() >= 3, Timeout);
    QCOMPARE(delaysOf(respawning).mid(0, 3), QList<qint64>({0, 0, 0}));
    QCOMPARE(gaveUp.size(), 0);
    QVERIFY(child->state() != State::Failed);
}

void tst_ChildProcess::expectedExitsDoNotCount()
{
    // One counted restart allowed, and a counted second one would wait 5 s.
    RestartPolicy policy;
    policy.maxRestarts = 1;
    policy.window = 60s;
    policy.initialBackoff = 5s;
    policy.maxBackoff = 5s;
    policy.resetAfter = 60s;
    ChildProcess *child = create({QStringLiteral("--pause=60000")}, true, policy);
    QSignalSpy started(child, &ChildProcess::started);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    QSignalSpy respawned(child, &ChildProcess::respawned);
    QSignalSpy gaveUp(child, &ChildProcess::gaveUp);
    child->start();
    QVERIFY(started.wait(Timeout));

    // Three commanded exits (a reload killing it with SIGTERM, or code 1): immediate, uncounted.
    for (int i = 1; i <= 3; ++i) {
        const qint64 old = child->pid();
        child->expectExit();
        QCOMPARE(::kill(pid_t(old), SIGTERM), 0);
        QTRY_COMPARE_WITH_TIMEOUT(respawned.size(), i, Timeout);
        QCOMPARE(respawned.last().at(0).toLongLong(), old);
    }
    QCOMPARE(delaysOf(respawning), QList<qint64>({0, 0, 0}));
    QCOMPARE(child->restartCount(), 3);
    QCOMPARE(child->state(), State::Running);

    // The first real crash is still a first one: immediate.
    QCOMPARE(::kill(pid_t(child->pid()), SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(respawned.size(), 4, Timeout);
    QCOMPARE(delaysOf(respawning).last(), 0);
    // The second is over the limit of one.
    QCOMPARE(::kill(pid_t(child->pid()), SIGKILL), 0);
    QVERIFY(gaveUp.wait(Timeout));
    QCOMPARE(child->state(), State::Failed);
}

void tst_ChildProcess::expectedExitComesByTheKillTimeout_data()
{
    QTest::addColumn<StopMode>("mode");
    QTest::newRow("wait for exit") << StopMode::WaitForExit;
    QTest::newRow("terminate") << StopMode::Terminate;
}

void tst_ChildProcess::expectedExitComesByTheKillTimeout()
{
    // Told to exit, a child that ignores SIGTERM (and any kill handler it
    // has) is ended with SIGKILL at its kill timeout, then respawned at once
    // like any commanded exit.
    QFETCH(StopMode, mode);
    ChildProcess *child = create({QStringLiteral("--ignore-term"), QStringLiteral("--print=ready"), QStringLiteral("--pause=60000")},
                                 true, fastPolicy(), 300ms);
    QSignalSpy output(child, &ChildProcess::outputLine);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    QSignalSpy respawned(child, &ChildProcess::respawned);
    child->start();
    QVERIFY(output.wait(Timeout)); // SIGTERM is ignored from here on
    const qint64 old = child->pid();

    child->expectExit(mode);
    child->expectExit(mode); // told twice: still one deadline
    QCOMPARE(child->state(), State::Running);
    QVERIFY(isRunning(old));
    QTRY_COMPARE_WITH_TIMEOUT(respawned.size(), 1, Timeout);
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.at(0), QList<QVariant>({old, -1, true, SIGKILL}));
    QCOMPARE(delaysOf(respawning), QList<qint64>({0}));
    QCOMPARE(child->state(), State::Running);
    QVERIFY(child->pid() != old);
    QVERIFY(!isRunning(old));
}

void tst_ChildProcess::stopWaitForExitKillsAfterTimeout()
{
    // No SIGTERM is sent: the child would die of it, but dies of SIGKILL.
    ChildProcess *child = create({QStringLiteral("--pause=60000")});
    QSignalSpy started(child, &ChildProcess::started);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    child->start();
    QVERIFY(started.wait(Timeout));
    const qint64 pid = child->pid();

    child->stop(StopMode::WaitForExit, 300ms);
    QCOMPARE(child->state(), State::Stopping);
    QCOMPARE(stopped.size(), 0);
    QVERIFY(isRunning(pid));
    QVERIFY(stopped.wait(Timeout));
    QCOMPARE(exited.size(), 1);
    QCOMPARE(exited.at(0), QList<QVariant>({pid, -1, true, SIGKILL}));
    QCOMPARE(respawning.size(), 0);
    QCOMPARE(child->state(), State::Stopped);
    QVERIFY(!isRunning(pid));
}

void tst_ChildProcess::stopTerminate()
{
    ChildProcess *child = create({QStringLiteral("--pause=60000")});
    QSignalSpy started(child, &ChildProcess::started);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    child->start();
    QVERIFY(started.wait(Timeout));
    const qint64 pid = child->pid();

    child->stop(StopMode::Terminate, 30s);
    QVERIFY(stopped.wait(Timeout));
    QCOMPARE(exited.at(0), QList<QVariant>({pid, -1, true, SIGTERM}));
    QCOMPARE(child->state(), State::Stopped);
    QCOMPARE(stopped.size(), 1);
}

void tst_ChildProcess::stopTerminateEscalates()
{
    // A child that ignores SIGTERM gets SIGKILL once the timeout has passed.
    ChildProcess *child = create({QStringLiteral("--ignore-term"), QStringLiteral("--print=ready"),
                                  QStringLiteral("--pause=60000")});
    QSignalSpy output(child, &ChildProcess::outputLine);
    QSignalSpy exited(child, &ChildProcess::exited);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    child->start();
    QVERIFY(output.wait(Timeout)); // SIGTERM is ignored from here on

    child->stop(StopMode::Terminate, 200ms);
    QVERIFY(stopped.wait(Timeout));
    QCOMPARE(exited.at(0).mid(1), QList<QVariant>({-1, true, SIGKILL}));
}

void tst_ChildProcess::stopWhileStarting()
{
    ChildProcess *child = create({QStringLiteral("--pause=60000")});
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    child->start();
    QCOMPARE(child->state(), State::Starting);
    QVERIFY(child->pid() > 0); // forked already
    child->stop(StopMode::Terminate, 500ms);
    QCOMPARE(child->state(), State::Stopping);
    QVERIFY(stopped.wait(Timeout));
    QCOMPARE(child->state(), State::Stopped);
    QCOMPARE(respawning.size(), 0);
}

void tst_ChildProcess::stopWhenNothingRuns()
{
    ChildProcess *child = create({QStringLiteral("--pause=60000")});
    QSignalSpy stopped(child, &ChildProcess::stopped);
    child->stop(StopMode::Terminate);
    QCOMPARE(stopped.size(), 1); // at once
    QCOMPARE(child->state(), State::Stopped);
    child->stop(StopMode::WaitForExit);
    QCOMPARE(stopped.size(), 2);
}

void tst_ChildProcess::stopWhileBackingOff()
{
    RestartPolicy policy = fastPolicy();
    policy.initialBackoff = 30s;
    policy.maxBackoff = 30s;
    ChildProcess *child = create({QStringLiteral("--exit=1")}, true, policy);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    child->start();
    QTRY_COMPARE_WITH_TIMEOUT(child->state(), State::BackingOff, Timeout);
    QCOMPARE(delaysOf(respawning), QList<qint64>({0, 30000}));

    child->stop(StopMode::Terminate);
    QCOMPARE(stopped.size(), 1);
    QCOMPARE(child->state(), State::Stopped);
    QCOMPARE(child->pid(), 0);
}

void tst_ChildProcess::restartAfterStopped()
{
    ChildProcess *child = create({QStringLiteral("--exit=0")});
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy started(child, &ChildProcess::started);
    child->start();
    QVERIFY(stopped.wait(Timeout));
    child->start();
    QCOMPARE(child->state(), State::Starting);
    QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 2, Timeout);
    QCOMPARE(started.size(), 2);
    QCOMPARE(child->restartCount(), 0);
}

void tst_ChildProcess::failedToStart()
{
    ChildProcess::Config config;
    config.program = m_dir.filePath(QStringLiteral("no-such-program"));
    config.restartPolicy = fastPolicy();
    config.restartPolicy.maxRestarts = 2;
    config.group = QStringLiteral("ghost");
    ChildProcess *child = createFrom(config);
    QSignalSpy errors(child, &ChildProcess::errorOccurred);
    QSignalSpy respawning(child, &ChildProcess::respawning);
    QSignalSpy gaveUp(child, &ChildProcess::gaveUp);
    QSignalSpy started(child, &ChildProcess::started);
    child->start();
    QVERIFY(gaveUp.wait(Timeout));

    QCOMPARE(started.size(), 0);
    QCOMPARE(errors.size(), 3);
    const QString error = errors.at(0).at(0).toString();
    QVERIFY2(error.startsWith(config.program + QStringLiteral(" failed to start: ")), qPrintable(error));
    QCOMPARE(delaysOf(respawning), QList<qint64>({0, 20}));
    const QString reason = gaveUp.at(0).at(0).toString();
    QVERIFY2(reason.startsWith(QStringLiteral("ghost: gave up after 2 restarts")), qPrintable(reason));
    QVERIFY2(reason.contains(QStringLiteral("failed to start")), qPrintable(reason));
    QCOMPARE(child->state(), State::Failed);
}

void tst_ChildProcess::failedToStartWithoutRespawn()
{
    ChildProcess::Config config;
    config.program = m_dir.filePath(QStringLiteral("no-such-program"));
    config.respawn = false;
    ChildProcess *child = createFrom(config);
    QSignalSpy errors(child, &ChildProcess::errorOccurred);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    child->start();
    QVERIFY(stopped.wait(Timeout));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(child->state(), State::Stopped);
}

void tst_ChildProcess::outputLines()
{
    // Lines arrive in pieces (with pauses between the writes), stdout and
    // stderr separately, and the last line has no newline.
    ChildProcess *child = create({
        QStringLiteral("--write=one\\ntw"), QStringLiteral("--pause=50"),
        QStringLiteral("--write=o\\nthr"), QStringLiteral("--pause=50"),
        QStringLiteral("--ewrite=err"), QStringLiteral("--pause=50"),
        QStringLiteral("--write=ee\\n\\nfour\\n"), QStringLiteral("--ewrite=or 1\\nerror 2"),
        QStringLiteral("--pause=50"),
        QStringLiteral("--write=partial"),
        QStringLiteral("--exit=0"),
    });
    QSignalSpy output(child, &ChildProcess::outputLine);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    QSignalSpy exited(child, &ChildProcess::exited);
    // The partial lines come out before exited(), so a forwarder prints them before the exit message.
    int linesAtExit = -1;
    connect(child, &ChildProcess::exited, this, [&] { linesAtExit = int(output.size()); });
    child->start();
    QVERIFY(stopped.wait(Timeout));

    QList<QByteArray> out;
    QList<QByteArray> err;
    for (const QList<QVariant> &arguments : std::as_const(output))
        (arguments.at(1).toBool() ? err : out).append(arguments.at(0).toByteArray());
    QCOMPARE(out, QList<QByteArray>({"one", "two", "three", "", "four", "partial"}));
    QCOMPARE(err, QList<QByteArray>({"error 1", "error 2"}));
    QCOMPARE(linesAtExit, 8);
}

void tst_ChildProcess::longLinesAreCut()
{
    const int length = int(ChildProcess::MaxLineLength) + 1000;
    ChildProcess *child = create({QStringLiteral("--long=%1").arg(length), QStringLiteral("--print=next")});
    QSignalSpy output(child, &ChildProcess::outputLine);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    child->start();
    QVERIFY(stopped.wait(Timeout));
    QCOMPARE(output.size(), 3);
    QCOMPARE(output.at(0).at(0).toByteArray(), QByteArray(ChildProcess::MaxLineLength, 'x'));
    QCOMPARE(output.at(1).at(0).toByteArray(), QByteArray(1000, 'x'));
    QCOMPARE(output.at(2).at(0).toByteArray(), QByteArray("next"));
}

void tst_ChildProcess::environmentAndWorkingDirectory()
{
    qputenv("CLUSTR_TEST_INHERITED", "inherited");
    ChildProcess::Config config;
    config.program = m_child;
    config.arguments = {QStringLiteral("--env=CLUSTR_TEST_ADDED"), QStringLiteral("--env=CLUSTR_TEST_INHERITED"),
                        QStringLiteral("--env=CLUSTR_TEST_REPLACED"), QStringLiteral("--cwd")};
    config.environment = {{QStringLiteral("CLUSTR_TEST_ADDED"), QStringLiteral("a b")},
                          {QStringLiteral("CLUSTR_TEST_REPLACED"), QStringLiteral("new")}};
    config.workingDirectory = m_dir.path();
    qputenv("CLUSTR_TEST_REPLACED", "old");
    ChildProcess *child = createFrom(config);
    QSignalSpy output(child, &ChildProcess::outputLine);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    child->start();
    QVERIFY(stopped.wait(Timeout));
    qunsetenv("CLUSTR_TEST_INHERITED");
    qunsetenv("CLUSTR_TEST_REPLACED");

    QList<QByteArray> lines;
    for (const QList<QVariant> &arguments : std::as_const(output))
        lines.append(arguments.at(0).toByteArray());
    QCOMPARE(lines, QList<QByteArray>({"env:CLUSTR_TEST_ADDED=a b", "env:CLUSTR_TEST_INHERITED=inherited",
                                       "env:CLUSTR_TEST_REPLACED=new",
                                       "cwd:" + QFile::encodeName(QDir(m_dir.path()).canonicalPath())}));
}

void tst_ChildProcess::cpuPinning()
{
    if (QStandardPaths::findExecutable(QStringLiteral("taskset")).isEmpty())
        QSKIP("taskset is not installed");
    SpawnSpec spec;
    spec.setFile(QStringLiteral("clustr-test-child"));
    spec.setCpu(QStringLiteral("0"));
    spec.setArgs(QJsonObject{{QStringLiteral("cpus"), true}, {QStringLiteral("pause"), 60000}});
    const ChildCommand command = ChildCommand::build(spec, QCoreApplication::applicationDirPath(), 1, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));

    ChildProcess *child = createFrom(ChildProcess::Config::from(spec, command, fastPolicy(), 5s));
    QSignalSpy output(child, &ChildProcess::outputLine);
    child->start();
    QVERIFY(output.wait(Timeout));
    QCOMPARE(output.at(0).at(0).toByteArray(), QByteArray("Cpus_allowed_list:\t0"));

    // taskset exec'd the program in place: the supervised pid is the worker's own.
    QFile status(QStringLiteral("/proc/%1/status").arg(child->pid()));
    QVERIFY(status.open(QIODevice::ReadOnly));
    const QByteArray text = status.readAll();
    QVERIFY(text.contains("Name:\tclustr-test-chi"));
    QVERIFY(text.contains("Cpus_allowed_list:\t0\n"));
}

void tst_ChildProcess::signalDispositionsAndMaskAreReset()
{
    // This process ignores SIGHUP and SIGPIPE and blocks SIGTERM and SIGUSR1
    // while the child forks; the child must start clean anyway.
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction oldHup = {};
    struct sigaction oldPipe = {};
    sigaction(SIGHUP, &ignore, &oldHup);
    sigaction(SIGPIPE, &ignore, &oldPipe);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGUSR1);
    sigset_t oldMask;
    sigprocmask(SIG_BLOCK, &block, &oldMask);

    ChildProcess *child = create({QStringLiteral("--status")});
    QSignalSpy output(child, &ChildProcess::outputLine);
    QSignalSpy stopped(child, &ChildProcess::stopped);
    child->start(); // forks here

    sigprocmask(SIG_SETMASK, &oldMask, nullptr);
    sigaction(SIGHUP, &oldHup, nullptr);
    sigaction(SIGPIPE, &oldPipe, nullptr);

    QVERIFY(stopped.wait(Timeout));
    QList<QByteArray> lines;
    for (const QList<QVariant> &arguments : std::as_const(output))
        lines.append(arguments.at(0).toByteArray());
    QCOMPARE(lines, QList<QByteArray>({"SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"}));
}

void tst_ChildProcess::childDiesWithItsParent()
{
    // clustr-test-spawner supervises a sleeping clustr-test-child. Killing the
    // spawner with SIGKILL (no chance to clean up) must take the child along.
    // As a subreaper we inherit the orphaned child, so we can reap it
    // afterwards instead of leaving a zombie.
    QCOMPARE(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    const auto restoreSubreaper = qScopeGuard([] { ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0); });

    auto *spawner = new QProcess;
    m_processes.append(spawner);
    spawner->setProgram(QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("clustr-test-spawner")));
    spawner->start();
    QTRY_VERIFY_WITH_TIMEOUT(spawner->canReadLine(), Timeout);
    const QByteArray line = spawner->readLine().trimmed();
    QVERIFY2(line.startsWith("child:"), line.constData());
    const qint64 childPid = line.mid(6).toLongLong();
    m_strayPids.append(childPid);
    QVERIFY(isRunning(childPid));

    QSignalSpy spawnerFinished(spawner, &QProcess::finished);
    QCOMPARE(::kill(pid_t(spawner->processId()), SIGKILL), 0);
    QVERIFY(spawnerFinished.wait(Timeout));
    QTRY_VERIFY_WITH_TIMEOUT(!isRunning(childPid), Timeout);

    // (QTRY_* evaluates its expression once more at the end: keep the reap out of it.)
    int status = 0;
    bool reaped = false;
    const auto reap = [&] {
        reaped = reaped || ::waitpid(pid_t(childPid), &status, WNOHANG) == pid_t(childPid);
        return reaped;
    };
    QTRY_VERIFY_WITH_TIMEOUT(reap(), Timeout);
    QVERIFY(WIFSIGNALED(status));
    QCOMPARE(WTERMSIG(status), SIGKILL);
    m_strayPids.clear();
}

void tst_ChildProcess::configFromSpec()
{
    SpawnSpec spec;
    spec.setFile(QStringLiteral("clustr-test-child"));
    spec.setRespawn(false);
    spec.setEnv({{QStringLiteral("A"), QStringLiteral("1")}});
    spec.setWorkingDirectory(m_dir.path());
    const ChildCommand command = ChildCommand::build(spec, QCoreApplication::applicationDirPath(), 5, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    RestartPolicy defaultPolicy;
    defaultPolicy.maxRestarts = 9;

    ChildProcess::Config config = ChildProcess::Config::from(spec, command, defaultPolicy, 1234ms);
    QCOMPARE(config.program, command.program);
    QCOMPARE(config.arguments, command.arguments);
    QCOMPARE(config.environment, spec.env());
    QCOMPARE(config.workingDirectory, m_dir.path());
    QCOMPARE(config.respawn, false);
    QCOMPARE(config.restartPolicy, defaultPolicy);
    QCOMPARE(config.killTimeout, 1234ms);
    QCOMPARE(config.group, QStringLiteral("clustr-test-child"));

    spec.setRestartPolicy(fastPolicy());
    spec.setKillTimeout(10ms);
    spec.setGroup(QStringLiteral("sleepers"));
    config = ChildProcess::Config::from(spec, command, defaultPolicy, 1234ms);
    QCOMPARE(config.restartPolicy, fastPolicy());
    QCOMPARE(config.killTimeout, 10ms);
    QCOMPARE(config.group, QStringLiteral("sleepers"));
}

// What a process makes of LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES (sd_listen_fds(3)).
void tst_ChildProcess::listenVariablesAreChecked_data()
{
    QTest::addColumn<QByteArray>("pid");
    QTest::addColumn<QByteArray>("count");
    QTest::addColumn<QByteArray>("names");
    QTest::addColumn<QStringList>("expected"); // "name=fd" each
    QTest::addColumn<QString>("error");
    QTest::newRow("none") << QByteArray() << QByteArray() << QByteArray() << QStringList() << QString();
    QTest::newRow("two, named") << QByteArray("4242") << QByteArray("2") << QByteArray("http:admin")
                                << QStringList{QStringLiteral("http=3"), QStringLiteral("admin=4")} << QString();
    QTest::newRow("unnamed") << QByteArray("4242") << QByteArray("1") << QByteArray() << QStringList{QStringLiteral("unknown=3")} << QString();
    QTest::newRow("another process'") << QByteArray("1") << QByteArray("1") << QByteArray()
                                      << QStringList() << QStringLiteral("LISTEN_PID is \"1\", not this process (4242)");
    QTest::newRow("no pid") << QByteArray() << QByteArray("1") << QByteArray() << QStringList() << QStringLiteral("LISTEN_PID is \"\"");
    QTest::newRow("count not a number") << QByteArray("4242") << QByteArray("two") << QByteArray() << QStringList()
                                        << QStringLiteral("LISTEN_FDS is \"two\", not a number of sockets from 1 to 64");
    QTest::newRow("count 0") << QByteArray("4242") << QByteArray("0") << QByteArray() << QStringList() << QStringLiteral("LISTEN_FDS is \"0\"");
    QTest::newRow("too many") << QByteArray("4242") << QByteArray("100000") << QByteArray() << QStringList() << QStringLiteral("LISTEN_FDS is \"100000\"");
    QTest::newRow("names do not match") << QByteArray("4242") << QByteArray("2") << QByteArray("http") << QStringList()
                                        << QStringLiteral("LISTEN_FDNAMES names 1 sockets, LISTEN_FDS says 2");
}

void tst_ChildProcess::listenVariablesAreChecked()
{
    QFETCH(QByteArray, pid);
    QFETCH(QByteArray, count);
    QFETCH(QByteArray, names);
    QFETCH(QStringList, expected);
    QFETCH(QString, error);
    QString problem;
    const auto sockets = Clustr::ListenSockets::parse(pid, count, names, 4242, &problem);
    if (!error.isEmpty()) {
        QVERIFY(!sockets);
        QVERIFY2(problem.startsWith(error), qPrintable(problem));
        return;
    }
    QVERIFY2(sockets, qPrintable(problem));
    QStringList found;
    for (const auto &socket : *sockets)
        found.append(QStringLiteral("%1=%2").arg(socket.name).arg(socket.fd));
    QCOMPARE(found, expected);
}

QTEST_GUILESS_MAIN(tst_ChildProcess)
#include "tst_childprocess.moc"
