// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>
#include <ClustrQt/spawnspec.h>

#include <QtCore/QLoggingCategory>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <chrono>
#include <functional>

namespace Clustr {

class RedisClient;

//! The default of ProcessOptions::maxPayloadSize: larger payloads are rejected (1 MiB).
inline constexpr qsizetype DefaultMaxPayloadSize = 1024 * 1024;

/*!
  A custom log sink, the home of the original's `logger` option: every line
  the library logs (and, for a spawner, every line its children print) goes
  here instead of Qt's message handler.
*/
using Logger = std::function<void(QtMsgType type, const QString &category, const QString &text)>;

/*!
  Receives a line a child printed (see ProcessOptions::childOutput()):
  \a instance numbers the children of a group from 0 and stays with a child
  across respawns; \a isStderr tells which stream. Returns whether the line
  was written: one that was not (a full disk) is counted in the child's
  ChildInfo::droppedOutputLines().
*/
using ChildOutputHandler = std::function<bool(const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr)>;

/*!
  Sees every line a child printed (see ProcessOptions::childOutputObserver()),
  after it went where it goes (the forwarded output or the ChildOutputHandler):
  for a copy elsewhere, e.g. the recent lines `clustr-qt run` keeps in Redis.
*/
using ChildOutputObserver = std::function<void(const QString &group, qint64 pid, const QByteArray &line, bool isStderr)>;

class ProcessOptionsPrivate;

/*!
  Everything a Worker or a Master can be configured with. Each field left at
  its default falls back to the process' command line and environment.
*/
class CLUSTR_EXPORT ProcessOptions
{
public:
    //! Master: how a rolling reload replaces the master's own children.
    enum class ReloadStrategy {
        //! Kill with exit code 1, the child is respawned, wait until it is ready.
        Restart,
        //! Start the replacement first, wait until it is ready, then stop the old one with exit code 0.
        Surge,
    };

    ProcessOptions();
    ProcessOptions(const ProcessOptions &other);
    ProcessOptions(ProcessOptions &&other) noexcept;
    ProcessOptions &operator=(const ProcessOptions &other);
    ProcessOptions &operator=(ProcessOptions &&other) noexcept;
    ~ProcessOptions();
    void swap(ProcessOptions &other) noexcept { d.swap(other.d); }

    //! Redis URL. Empty (the default): `--cluster-redis=URL`, then `CLUSTR_REDIS`, then redis://127.0.0.1:6379.
    QString redisUrl() const;
    void setRedisUrl(const QString &redisUrl);
    //! The Redis URL the children this process spawns get (in `CLUSTR_REDIS`), e.g. one with
    //! a worker's ACL user where this process logs in as an operator. Empty (the default): this
    //! process' own, as it got it (its `--cluster-redis` is passed on, else `CLUSTR_REDIS` is set).
    QString childRedisUrl() const;
    void setChildRedisUrl(const QString &url);
    /*!
      Listening sockets this process' children may inherit, by name (see
      SpawnSpec::sockets()): open file descriptors that stay this process'
      (it keeps them open across respawns and reloads, and closes them).
      A spawn entry naming a socket that is not here fails to spawn.
    */
    QMap<QString, int> listenSockets() const;
    void setListenSockets(const QMap<QString, int> &sockets);
    //! Prefix of every channel name. Empty (the default): `--cluster-namespace=NAME`, else none.
    QString clusterNamespace() const;
    void setClusterNamespace(const QString &clusterNamespace);
    /*!
      The host this process runs on, in a cluster across hosts (docs/MULTI-HOST.md).
      Empty (the default): `--cluster-host=NAME`, else none: a cluster of one
      host, whose channels name processes by pid alone. Set, every channel that
      names a process names it `@HOST:PID`; it needs a cluster namespace.
    */
    QString clusterHost() const;
    void setClusterHost(const QString &host);
    //! The command line to read options from. Empty (the default): this process' own
    //! (as QCoreApplication::arguments(), read from /proc/self/cmdline on Linux).
    QStringList arguments() const;
    void setArguments(const QStringList &arguments);
    //! Time the master waits after a replacement registered before reloading the next worker; a worker whose
    //! master is not known to be a clustr-qt one waits as long before it registers, as clustr-node's do. Default: 500 ms.
    std::chrono::milliseconds reloadDelay() const;
    void setReloadDelay(std::chrono::milliseconds reloadDelay);
    //! How long an onKill() handler may take before the process exits anyway. Default: 5 s.
    std::chrono::milliseconds killTimeout() const;
    void setKillTimeout(std::chrono::milliseconds killTimeout);
    //! How long requestClusterInfo() waits for the master's answer. Default: 2 s.
    std::chrono::milliseconds clusterInfoTimeout() const;
    void setClusterInfoTimeout(std::chrono::milliseconds clusterInfoTimeout);
    //! Larger payloads are rejected (counted in Stats::rejectedMessages()), skipped as they are
    //! read rather than buffered (the subscriber's RedisClient::maxMessageSize()). Default: 1 MiB.
    qsizetype maxPayloadSize() const;
    void setMaxPayloadSize(qsizetype maxPayloadSize);
    //! Custom log sink; empty (the default): Qt's message handler.
    Logger logger() const;
    void setLogger(const Logger &logger);
    //! Connections to use instead of creating two from redisUrl(). Not owned; they
    //! must outlive the process object. The subscriber must not be used for anything else; it keeps
    //! its own RedisClient::maxMessageSize() (set it to maxPayloadSize() to skip oversized messages
    //! unread). Default: none.
    RedisClient *publisher() const;
    void setPublisher(RedisClient * publisher);
    //! See publisher().
    RedisClient *subscriber() const;
    void setSubscriber(RedisClient * subscriber);
    //! How spawned children are restarted when they crash (a spec may override it).
    RestartPolicy restartPolicy() const;
    void setRestartPolicy(const RestartPolicy &restartPolicy);
    //! Prefix of every line a child prints, forwarded to this process' output;
    //! %group% and %pid% are replaced. Empty: lines go out as they are. Default: `[%group% %pid%] `.
    QString outputPrefix() const;
    void setOutputPrefix(const QString &outputPrefix);
    //! Receives every line a child prints instead of this process' own output
    //! (e.g. to write one log file per worker); see ChildOutputHandler. Empty (the default): forwarded.
    ChildOutputHandler childOutput() const;
    void setChildOutput(const ChildOutputHandler &childOutput);
    //! Also sees every line a child prints, wherever it goes; see ChildOutputObserver. Empty by default.
    ChildOutputObserver childOutputObserver() const;
    void setChildOutputObserver(const ChildOutputObserver &observer);
    /*!
      How often a process with a master tells it that it is alive (0: never).
      Default: 1 s. A child of a clustr-qt spawner does so only while
      someone asks for figures; otherwise it heartbeats when something
      changed (docs/PROTOCOL.md section 8.2).
    */
    std::chrono::milliseconds heartbeatInterval() const;
    void setHeartbeatInterval(std::chrono::milliseconds heartbeatInterval);
    //! A registered process that heartbeated and then stayed silent this long is
    //! taken for dead and removed from the master's cluster info. Default: 3.5 s.
    std::chrono::milliseconds heartbeatTimeout() const;
    void setHeartbeatTimeout(std::chrono::milliseconds heartbeatTimeout);
    //! Master: how long a rolling reload waits for a replacement to register. Default: 30 s.
    std::chrono::milliseconds reloadTimeout() const;
    void setReloadTimeout(std::chrono::milliseconds reloadTimeout);
    //! Master: how a rolling reload replaces the master's own children. Default: Restart.
    ReloadStrategy reloadStrategy() const;
    void setReloadStrategy(ReloadStrategy reloadStrategy);
    //! Master: announce itself and its status in Redis (kept up to date), publish its
    //! lifecycle events and take control commands, so `clustr-qt` and
    //! `clustr-qt-gui` can find and drive it (see docs/PROTOCOL.md section 11). Default: true.
    bool announce() const;
    void setAnnounce(bool announce);
    //! Master: a name shown by the tools (the daemon uses the cluster file's name).
    QString clusterName() const;
    void setClusterName(const QString &clusterName);
    //! Master: SIGHUP reloads, SIGTERM and SIGINT stop the cluster (exit code 15 / 130). Default: true.
    //! This installs process-wide signal handlers (see UnixSignalWatcher): switch it
    //! off in an application that handles these signals itself.
    bool handleUnixSignals() const;
    void setHandleUnixSignals(bool handleUnixSignals);
    /*!
      Master: when it first spawns, the process becomes a child subreaper
      (prctl PR_SET_CHILD_SUBREAPER), so the orphans of the tree come back to
      it and are reaped and stopped with the cluster; and it starts a small
      guard process (/bin/sh) whose process group the tree runs in, which
      SIGKILLs that group if this process dies without stopping the cluster
      (docs/ARCHITECTURE.md). This changes the whole process: switch it off
      in an application that must not adopt orphans (they then go to init,
      and may outlive a cluster that stops, or a master killed with SIGKILL). Default: true.
    */
    bool adoptOrphans() const;
    void setAdoptOrphans(bool adoptOrphans);
    //! Whether close() ends the application (QCoreApplication::exit(code)). Switch off
    //! to embed several processes in one program, e.g. in tests; closed() is emitted either way. Default: true.
    bool exitApplication() const;
    void setExitApplication(bool exitApplication);

private:
    QSharedDataPointer<ProcessOptionsPrivate> d;
};

} // namespace Clustr

Q_DECLARE_SHARED(Clustr::ProcessOptions)
