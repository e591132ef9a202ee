// SPDX-License-Identifier: MIT
#include "unixsignals_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Clustr {

namespace {

// Touched by the handler, so plain ints and lock-free atomics only.
int g_writeFd = -1;
int g_readFd = -1;
std::atomic<pid_t> g_ownerPid{0};
static_assert(std::atomic<pid_t>::is_always_lock_free);

void signalHandler(int signum)
{
    const int savedErrno = errno;
    // A forked child that has not exec'd yet still runs this handler; its
    // byte would read as our signal.
    if (::getpid() == g_ownerPid.load(std::memory_order_relaxed)) {
        const unsigned char byte = static_cast<unsigned char>(signum);
        // Non-blocking: with the buffer full the signal is already pending in it many times over.
        [[maybe_unused]] const ssize_t written = ::write(g_writeFd, &byte, 1);
    }
    errno = savedErrno;
}

struct Installed
{
    int watchers = 0;
    struct sigaction previous = {};
};

// Kept apart from the dispatcher, which goes away with QCoreApplication:
// dispositions must still be restored when watchers outlive it.
QHash<int, Installed> &installedSignals()
{
    static QHash<int, Installed> installed;
    return installed;
}

QList<UnixSignalWatcher *> &allWatchers()
{
    static QList<UnixSignalWatcher *> watchers;
    return watchers;
}

} // namespace

/*
  The process-wide reading end. It belongs to QCoreApplication (destroyed
  with it) and is never deleted otherwise, so a slot that deletes the last
  watcher cannot delete the object that is emitting.
*/
class SignalDispatcher : public QObject
{
public:
    static SignalDispatcher *instance(QString *error)
    {
        static QPointer<SignalDispatcher> dispatcher;
        if (dispatcher)
            return dispatcher;
        if (g_readFd < 0) {
            int fds[2];
            if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
                *error = QStringLiteral("socketpair: %1").arg(QString::fromLocal8Bit(std::strerror(errno)));
                return nullptr;
            }
            g_readFd = fds[0];
            g_writeFd = fds[1];
        }
        g_ownerPid.store(::getpid());
        dispatcher = new SignalDispatcher(QCoreApplication::instance());
        return dispatcher;
    }

private:
    explicit SignalDispatcher(QObject *parent)
        : QObject(parent)
        , m_notifier(g_readFd, QSocketNotifier::Read, this)
    {
        connect(&m_notifier, &QSocketNotifier::activated, this, &SignalDispatcher::readSignals);
    }

    void readSignals()
    {
        unsigned char bytes[256];
        ssize_t count;
        do {
            count = ::read(g_readFd, bytes, sizeof bytes);
        } while (count < 0 && errno == EINTR);
        if (count <= 0)
            return; // EAGAIN: nothing after all; the notifier fires again when there is.
        for (ssize_t i = 0; i < count; ++i) {
            const int signum = bytes[i];
            // A slot may delete watchers (or create some): deliver to those
            // that watched the signal when it was read and still exist.
            QList<QPointer<UnixSignalWatcher>> receivers;
            for (UnixSignalWatcher *watcher : std::as_const(allWatchers())) {
                if (watcher->d->watchedSignals.contains(signum))
                    receivers.append(watcher);
            }
            for (const auto &receiver : std::as_const(receivers)) {
                if (receiver && receiver->d->watchedSignals.contains(signum))
                    Q_EMIT receiver->signalReceived(signum);
            }
        }
    }

    QSocketNotifier m_notifier;
};

UnixSignalWatcher::UnixSignalWatcher(QObject *parent)
    : QObject(parent)
    , d(new UnixSignalWatcherPrivate)
{
}

QList<int> UnixSignalWatcher::watchedSignals() const
{
    return d->watchedSignals;
}

QString UnixSignalWatcher::errorString() const
{
    return d->errorString;
}

UnixSignalWatcher::~UnixSignalWatcher()
{
    const QList<int> watched = d->watchedSignals;
    for (int signum : watched)
        unwatch(signum);
}

bool UnixSignalWatcher::watch(int signum)
{
    if (d->watchedSignals.contains(signum))
        return true;
    if (signum <= 0 || signum >= NSIG || signum > 255 || signum == SIGKILL || signum == SIGSTOP
        || signum == SIGSEGV || signum == SIGBUS || signum == SIGFPE || signum == SIGILL) {
        d->errorString = QStringLiteral("signal %1 cannot be watched").arg(signum);
        return false;
    }
    if (!SignalDispatcher::instance(&d->errorString))
        return false;

    Installed &installed = installedSignals()[signum];
    if (installed.watchers == 0) {
        struct sigaction action = {};
        action.sa_handler = signalHandler;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESTART;
        if (::sigaction(signum, &action, &installed.previous) != 0) {
            d->errorString = QStringLiteral("sigaction(%1): %2").arg(signum).arg(QString::fromLocal8Bit(std::strerror(errno)));
            installedSignals().remove(signum);
            return false;
        }
    }
    ++installed.watchers;
    d->watchedSignals.append(signum);
    if (!allWatchers().contains(this))
        allWatchers().append(this);
    return true;
}

void UnixSignalWatcher::unwatch(int signum)
{
    if (!d->watchedSignals.removeOne(signum))
        return;
    if (d->watchedSignals.isEmpty())
        allWatchers().removeOne(this);
    auto it = installedSignals().find(signum);
    if (it == installedSignals().end())
        return;
    if (--it->watchers == 0) {
        ::sigaction(signum, &it->previous, nullptr);
        installedSignals().erase(it);
    }
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "ClustrQt/moc_unixsignalwatcher.cpp"
