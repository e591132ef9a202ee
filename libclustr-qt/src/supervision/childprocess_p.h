// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include "childcommand_p.h"
#include "listensockets_p.h"

#include <ClustrQt/spawnspec.h>

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QStringList>
#include <QtCore/QTimer>

#include <chrono>

namespace Clustr {

/*!
  One supervised child process: starts it, forwards its output line by line,
  respawns it under a RestartPolicy and stops it within a deadline.

  It is an explicit state machine; every input (start(), stop(), the process
  starting, exiting or failing to start, a timer) is an event that
  handle() deals with according to the current state:

  \code
  NotStarted --start--> Starting --started--> Running
  Running --exit 0, or respawn off--> Stopped
  Running --crash, immediate restart--> Starting
  Starting/Running --expectExit()--> same state; SIGTERM if asked, SIGKILL at the kill timeout
  Running --commanded exit (expectExit()), code != 0--> Starting (not counted)
  Running --crash, backoff--> BackingOff --timer--> Starting
  Running --crash, over the limit--> Failed            (gaveUp())
  Starting --failed to start--> as a crash
  Starting/Running --stop()--> Stopping --exit--> Stopped   (stopped())
  Stopping --kill timeout--> SIGKILL, still Stopping
  NotStarted/BackingOff --stop()--> Stopped                 (stopped())
  Stopped/Failed --start()--> Starting (counters reset)
  \endcode

  Every run is a fresh QProcess with the same command line. The child is
  prepared before exec: it gets SIGKILL when this process dies
  (PR_SET_PDEATHSIG), gives up at once if that already happened, starts
  with default signal dispositions and an empty signal mask whatever this
  process blocked or ignored, and runs in the process group Config says.
  Its stdin is /dev/null. (The kernel sends the
  death signal when the *thread* that forked exits: start children from the
  main thread, as the library does, having no other.)

  Signals are emitted while a transition runs; a slot may call start() or
  stop() (they run once the current transition is complete) but must not
  delete the object: use deleteLater().
*/
class CLUSTR_AUTOTEST_EXPORT ChildProcess : public QObject
{
    Q_OBJECT

public:
    enum class State { NotStarted, Starting, Running, BackingOff, Stopping, Stopped, Failed };
    Q_ENUM(State)

    //! How stop() ends the child.
    enum class StopMode {
        //! SIGTERM now, SIGKILL after the timeout: for programs that do not speak the protocol.
        Terminate,
        //! Nothing now (the caller asked the child to exit, e.g. with a Redis kill), SIGKILL after the timeout.
        WaitForExit,
    };
    Q_ENUM(StopMode)

    struct Config
    {
        QString program;
        QStringList arguments;
        //! Added to (or replacing) the inherited environment.
        QMap<QString, QString> environment;
        //! Empty: this process' working directory.
        QString workingDirectory;
        bool respawn = true;
        RestartPolicy restartPolicy;
        //! Used by stop() when it is not given a timeout.
        std::chrono::milliseconds killTimeout{5000};
        //! Display name, used in error texts.
        QString group;
        /*!
          The process group the child runs in: OwnProcessGroup (the default)
          makes it lead a new one; SpawnerProcessGroup leaves it in this
          process' group; a group id makes it join that group (a TreeGuard's),
          or lead a new one if that group is gone.
        */
        qint64 processGroup = 0;
        //! Listening sockets the child inherits as descriptors 3, 4, ... in this order (ListenSockets).
        QList<ListenSockets::Socket> listenSockets;

        /*!
          The configuration for one child of \a spec started with \a command
          (see ChildCommand::build()): the spec's restart policy and kill
          timeout if it has them, else \a defaultPolicy and
          \a defaultKillTimeout; its group, or the file's name without suffix;
          \a baseEnvironment (the spawner's) with the spec's `env` over it.
          The one way a Supervisor configures its children.
        */
        static Config from(const SpawnSpec &spec, const ChildCommand &command,
                           const RestartPolicy &defaultPolicy, std::chrono::milliseconds defaultKillTimeout,
                           const QMap<QString, QString> &baseEnvironment = {});
    };

    //! Lines longer than this are cut into pieces of this size.
    static constexpr qsizetype MaxLineLength = 64 * 1024;
    //! Config::processGroup values besides a group id.
    static constexpr qint64 OwnProcessGroup = 0;
    static constexpr qint64 SpawnerProcessGroup = -1;

    explicit ChildProcess(const Config &config, QObject *parent = nullptr);
    //! A child still running is killed with SIGKILL and reaped; no signal is emitted.
    ~ChildProcess() override;

    const Config &config() const { return m_config; }
    /*!
      What the child runs from its next start or respawn on (an update of
      its spawn entry); a process running now keeps its command line. Its
      kill timeout and restart policy are the new ones at once.
    */
    void setConfig(const Config &config) { m_config = config; }
    QString group() const { return m_config.group; }
    State state() const { return m_state; }
    //! The running process' pid; 0 when none runs.
    qint64 pid() const;
    //! The pid of the current or the last run (a given-up child's last pid); 0 before the first.
    qint64 lastPid() const { return m_pid; }
    //! Respawns since start() (commanded ones included).
    int restartCount() const { return m_restartCount; }
    //! When the current (or last) run started; invalid before the first start.
    QDateTime startedAt() const { return m_startedAt; }
    //! The last error (failed start, given up), for display.
    QString errorString() const { return m_errorString; }

    //! Starts the child; from NotStarted, Stopped or Failed (restart counters start over).
    void start();

    /*!
      The child's next exit was commanded (a kill or a reload): unless its
      code is 0 it is respawned at once, and it counts neither against the
      restart limit nor toward the backoff. With respawn off it still stops.

      The exit must come within the kill timeout, as a stop's must: with
      StopMode::Terminate the child gets SIGTERM now; either way it gets
      SIGKILL once the configured kill timeout has passed (and is then
      respawned as usual). Ignored while no process runs.
    */
    void expectExit(StopMode mode = StopMode::WaitForExit);

    /*!
      Stops the child for good (no more respawns). With StopMode::Terminate it
      gets SIGTERM now; either way SIGKILL once \a timeout has passed.
      stopped() follows once the process is gone, or right away (before this
      returns) when none was running.
    */
    void stop(StopMode mode, std::chrono::milliseconds timeout);
    //! stop() with the configured kill timeout.
    void stop(StopMode mode);

Q_SIGNALS:
    void stateChanged(Clustr::ChildProcess::State state);
    void started(qint64 pid);
    //! The process ended. \a exitCode is -1 when it was killed by \a signal.
    void exited(qint64 pid, int exitCode, bool bySignal, int signal);
    //! A respawn was decided; it happens after \a delay (0: right now).
    void respawning(qint64 oldPid, std::chrono::milliseconds delay);
    //! The replacement of \a oldPid has started.
    void respawned(qint64 oldPid, qint64 newPid);
    //! Too many crashes: the child stays down (state Failed).
    void gaveUp(const QString &reason);
    //! The child is down and will not come back: it reached Stopped, or stop() found nothing to stop.
    void stopped();
    //! One line the child wrote, without its newline.
    void outputLine(const QByteArray &line, bool isStderr);
    void errorOccurred(const QString &message);

private:
    enum class EventType { Start, Started, Exited, FailedToStart, BackoffElapsed, Stop, ExitExpected, KillTimeoutElapsed };

    struct ExitInfo
    {
        int exitCode = 0;
        bool bySignal = false;
        int signal = 0;
    };

    struct Event
    {
        EventType type;
        ExitInfo exit = {};                                // Exited
        QString error = {};                                // FailedToStart
        StopMode stopMode = StopMode::Terminate;           // Stop, ExitExpected
        std::chrono::milliseconds timeout{0};              // Stop
    };

    void post(const Event &event);
    void handle(const Event &event);
    void setState(State state);
    void launch();
    void discardProcess();
    void finishRun(const ExitInfo &exit);
    void decideAfterExit(const ExitInfo &exit);
    void decideAfterFailedStart(const QString &error);
    void afterCrash(const QString &what);
    void respawnAfter(std::chrono::milliseconds delay);
    void beginStopping(const Event &event);
    void armKillTimer(std::chrono::milliseconds timeout);
    void enterStopped();
    void readOutput(QProcess *process);
    void emitLines(QByteArray &buffer, bool isStderr, bool flushPartial);

    Config m_config;
    State m_state = State::NotStarted;
    QProcess *m_process = nullptr;
    qint64 m_pid = 0;               // of the current run, kept after it ended until the next one
    bool m_nextRunIsRespawn = false;
    qint64 m_respawnOf = 0;         // pid the run being started replaces
    QString m_errorString;
    bool m_exitExpected = false;

    // Events that arrive while one is being handled (a slot calling stop(),
    // QProcess failing synchronously inside start()) wait here, so each
    // transition completes before the next begins.
    QList<Event> m_pendingEvents;
    bool m_dispatching = false;

    int m_restartCount = 0;
    int m_consecutiveCrashes = 0;          // drives the backoff; reset by a long enough run
    QList<qint64> m_crashRestartTimes;     // m_clock times of counted restarts within the window
    QElapsedTimer m_clock;                 // monotonic time base of this object
    qint64 m_runStartedMs = 0;
    QDateTime m_startedAt;

    QTimer m_backoffTimer;
    QTimer m_killTimer;
    QByteArray m_stdoutBuffer;
    QByteArray m_stderrBuffer;
};

} // namespace Clustr
