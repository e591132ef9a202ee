// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>
#include <ClustrQt/spawnspec.h>

#include <QtCore/QLoggingCategory>
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
  Everything a Worker or a Master can be configured with. Each field left at
  its default falls back to the process' command line and environment.
*/
struct CLUSTR_EXPORT ProcessOptions
{
    //! Redis URL. Empty: `--cluster-redis=URL`, then `CLUSTR_REDIS`, then redis://127.0.0.1:6379.
    QString redisUrl;
    //! Prefix of every channel name. Empty: `--cluster-namespace=NAME`, else none.
    QString clusterNamespace;
    //! The command line to read options from. Empty: this process' own (as
    //! QCoreApplication::arguments(), read from /proc/self/cmdline on Linux).
    QStringList arguments;
    //! Time the master waits after a replacement registered before reloading the next worker.
    std::chrono::milliseconds reloadDelay{500};
    //! How long an onKill() handler may take before the process exits anyway.
    std::chrono::milliseconds killTimeout{5000};
    //! How long requestClusterInfo() waits for the master's answer.
    std::chrono::milliseconds clusterInfoTimeout{2000};
    //! Larger payloads are rejected (counted in Stats::rejectedMessages).
    qsizetype maxPayloadSize = DefaultMaxPayloadSize;
    //! Custom log sink; empty: Qt's message handler.
    Logger logger;
    //! Connections to use instead of creating two from redisUrl. Not owned; they
    //! must outlive the process object. The subscriber must not be used for anything else.
    RedisClient *publisher = nullptr;
    RedisClient *subscriber = nullptr;
    //! How spawned children are restarted when they crash (a spec may override it).
    RestartPolicy restartPolicy;
    //! Prefix of every line a child prints, forwarded to this process' output;
    //! %group% and %pid% are replaced. Empty: lines go out as they are.
    QString outputPrefix = QStringLiteral("[%group% %pid%] ");
    /*!
      Receives every line a child prints instead of this process' own output
      (e.g. to write one log file per worker). \a isStderr tells which stream.
    */
    //! \a instance numbers the children of a group from 0 and stays with a child across respawns.
    std::function<void(const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr)> childOutput;
    //! How often a process with a master tells it that it is alive (0: never).
    std::chrono::milliseconds heartbeatInterval{1000};
    //! A registered process that heartbeated and then stayed silent this long is
    //! taken for dead and removed from the master's cluster info.
    std::chrono::milliseconds heartbeatTimeout{3500};
    //! Master: how long a rolling reload waits for a replacement to register.
    std::chrono::milliseconds reloadTimeout{30000};
    //! Master: how a rolling reload replaces the master's own children.
    enum class ReloadStrategy {
        //! Kill with exit code 1, the child is respawned, wait until it is ready.
        Restart,
        //! Start the replacement first, wait until it is ready, then stop the old one with exit code 0.
        Surge,
    };
    ReloadStrategy reloadStrategy = ReloadStrategy::Restart;
    //! Master: announce itself and its status in Redis every second, publish its
    //! lifecycle events and take control commands, so `clustr-qt` and
    //! `clustr-qt-gui` can find and drive it (see docs/PROTOCOL.md section 11).
    bool announce = true;
    //! Master: a name shown by the tools (the daemon uses the cluster file's name).
    QString clusterName;
    //! Master: SIGHUP reloads, SIGTERM and SIGINT stop the cluster (exit code 15 / 130).
    bool handleUnixSignals = true;
    //! Whether close() ends the application (QCoreApplication::exit(code)). Switch off
    //! to embed several processes in one program, e.g. in tests; closed() is emitted either way.
    bool exitApplication = true;
};

} // namespace Clustr
