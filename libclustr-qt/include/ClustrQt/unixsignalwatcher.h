// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QList>
#include <QtCore/QObject>

#include <memory>

namespace Clustr {

class UnixSignalWatcherPrivate;

/*!
  Turns Unix signals into a Qt signal, the way Qt's documentation shows
  ("Calling Qt Functions From Unix Signal Handlers"): the handler only
  write()s the signal number, one byte, into a socketpair; a QSocketNotifier
  on the other end reads it in the event loop and emits signalReceived().

  The socketpair and the handler are process-wide and shared by every
  watcher: the kernel has one disposition per signal, so there is one
  handler, installed while at least one watcher watches that signal and
  replaced by the disposition it found (e.g. QTest's, or SIG_IGN) once the
  last one stops. The socketpair is created once and never closed, so a
  handler that runs late can never write into a descriptor number that has
  been reused. Each byte is delivered to every watcher of that signal.

  Signals of one kind that arrive before the handler has run are merged by
  the kernel (standard signals are not queued); every delivery that reaches
  the handler is reported. A child between fork and exec still has the
  handler, but it writes only in the process that installed it.

  Synchronous fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL) cannot be
  watched (returning from their handler re-runs the faulting instruction),
  nor SIGKILL and SIGSTOP. Use from the main thread, after QCoreApplication
  was created.

  A Master watches SIGHUP, SIGTERM and SIGINT with one of these unless
  ProcessOptions::handleUnixSignals is false.
*/
class CLUSTR_EXPORT UnixSignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    //! Stops watching everything it watches.
    ~UnixSignalWatcher() override;

    /*!
      Starts reporting \a signum (with SA_RESTART, so interrupted system
      calls resume). Returns false for a signal that cannot be watched or if
      sigaction() failed; see errorString().
    */
    bool watch(int signum);
    //! Stops reporting \a signum; the last watcher of it restores the previous disposition.
    void unwatch(int signum);
    QList<int> watchedSignals() const;
    QString errorString() const;

Q_SIGNALS:
    void signalReceived(int signum);

private:
    friend class SignalDispatcher;
    std::unique_ptr<UnixSignalWatcherPrivate> const d;
};

} // namespace Clustr
