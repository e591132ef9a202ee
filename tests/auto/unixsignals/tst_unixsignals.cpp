// SPDX-License-Identifier: MIT
#include <ClustrQt/unixsignalwatcher.h>

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <csignal>

#include <unistd.h>

using namespace Clustr;

namespace {

constexpr int Timeout = 5000;

volatile sig_atomic_t g_customHandled = 0;
void customHandler(int)
{
    g_customHandled = 1;
}

QList<int> received(const QSignalSpy &spy)
{
    QList<int> signums;
    for (const QList<QVariant> &arguments : spy)
        signums.append(arguments.at(0).toInt());
    return signums;
}

struct sigaction currentAction(int signum)
{
    struct sigaction action = {};
    sigaction(signum, nullptr, &action);
    return action;
}

} // namespace

class tst_UnixSignals : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void raiseSighup();
    void killSigusr1();
    void terminationSignals();
    void severalInARowAreNotLost();
    void installsWithRestart();
    void watchersShareTheHandler();
    void unwatchRestoresPreviousDisposition();
    void destructorUnwatches();
    void deletingAWatcherFromItsSlot();
    void refusesUnwatchableSignals();
};

void tst_UnixSignals::raiseSighup()
{
    UnixSignalWatcher watcher;
    QVERIFY(watcher.watch(SIGHUP));
    QCOMPARE(watcher.watchedSignals(), QList<int>{SIGHUP});
    QSignalSpy spy(&watcher, &UnixSignalWatcher::signalReceived);
    QCOMPARE(raise(SIGHUP), 0);
    QVERIFY(spy.wait(Timeout));
    QCOMPARE(received(spy), QList<int>{SIGHUP});
}

void tst_UnixSignals::killSigusr1()
{
    UnixSignalWatcher watcher;
    QVERIFY(watcher.watch(SIGUSR1));
    QSignalSpy spy(&watcher, &UnixSignalWatcher::signalReceived);
    QCOMPARE(::kill(::getpid(), SIGUSR1), 0);
    QVERIFY(spy.wait(Timeout));
    QCOMPARE(received(spy), QList<int>{SIGUSR1});
}

void tst_UnixSignals::terminationSignals()
{
    // Watched, SIGTERM and SIGINT no longer end the process.
    UnixSignalWatcher watcher;
    QVERIFY(watcher.watch(SIGTERM));
    QVERIFY(watcher.watch(SIGINT));
    QSignalSpy spy(&watcher, &UnixSignalWatcher::signalReceived);
    raise(SIGTERM);
    raise(SIGINT);
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), 2, Timeout);
    QCOMPARE(received(spy), QList<int>({SIGTERM, SIGINT}));
}

void tst_UnixSignals::severalInARowAreNotLost()
{
    // raise() runs the handler before it returns, so each one is a separate delivery.
    UnixSignalWatcher watcher;
    QVERIFY(watcher.watch(SIGUSR1));
    QVERIFY(watcher.watch(SIGUSR2));
    QVERIFY(watcher.watch(SIGHUP));
    QSignalSpy spy(&watcher, &UnixSignalWatcher::signalReceived);
    QList<int> sent;
    for (int i = 0; i < 50; ++i) {
        const int signum = i % 3 == 0 ? SIGUSR1 : (i % 3 == 1 ? SIGUSR2 : SIGHUP);
        sent.append(signum);
        QCOMPARE(raise(signum), 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(spy.size(), sent.size(), Timeout);
    QCOMPARE(received(spy), sent);
}

void tst_UnixSignals::installsWithRestart()
{
    const struct sigaction before = currentAction(SIGUSR2);
    {
        UnixSignalWatcher watcher;
        QVERIFY(watcher.watch(SIGUSR2));
        const struct sigaction installed = currentAction(SIGUSR2);
        QVERIFY(installed.sa_handler != SIG_DFL && installed.sa_handler != SIG_IGN);
        QVERIFY(installed.sa_flags & SA_RESTART);
    }
    QVERIFY(currentAction(SIGUSR2).sa_handler == before.sa_handler);
}

void tst_UnixSignals::watchersShareTheHandler()
{
    UnixSignalWatcher first;
    UnixSignalWatcher second;
    QSignalSpy firstSpy(&first, &UnixSignalWatcher::signalReceived);
    QSignalSpy secondSpy(&second, &UnixSignalWatcher::signalReceived);
    const struct sigaction before = currentAction(SIGUSR1);
    QVERIFY(first.watch(SIGUSR1));
    QVERIFY(second.watch(SIGUSR1));
    QVERIFY(second.watch(SIGUSR1)); // twice is once
    QCOMPARE(second.watchedSignals(), QList<int>{SIGUSR1});

    raise(SIGUSR1);
    QTRY_COMPARE_WITH_TIMEOUT(firstSpy.size(), 1, Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(secondSpy.size(), 1, Timeout);

    // One watcher leaving does not take the handler away from the other.
    first.unwatch(SIGUSR1);
    raise(SIGUSR1);
    QTRY_COMPARE_WITH_TIMEOUT(secondSpy.size(), 2, Timeout);
    QCOMPARE(firstSpy.size(), 1);

    second.unwatch(SIGUSR1);
    QVERIFY(currentAction(SIGUSR1).sa_handler == before.sa_handler);
}

void tst_UnixSignals::unwatchRestoresPreviousDisposition()
{
    struct sigaction custom = {};
    custom.sa_handler = customHandler;
    sigemptyset(&custom.sa_mask);
    struct sigaction original = {};
    QCOMPARE(sigaction(SIGUSR2, &custom, &original), 0);

    UnixSignalWatcher watcher;
    QSignalSpy spy(&watcher, &UnixSignalWatcher::signalReceived);
    QVERIFY(watcher.watch(SIGUSR2));
    g_customHandled = 0;
    raise(SIGUSR2);
    QVERIFY(spy.wait(Timeout));
    QCOMPARE(int(g_customHandled), 0); // replaced while watched

    watcher.unwatch(SIGUSR2);
    QVERIFY(watcher.watchedSignals().isEmpty());
    QVERIFY(currentAction(SIGUSR2).sa_handler == customHandler);
    raise(SIGUSR2);
    QCOMPARE(int(g_customHandled), 1);

    // An ignored signal is ignored again afterwards.
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &ignore, nullptr);
    QVERIFY(watcher.watch(SIGUSR2));
    watcher.unwatch(SIGUSR2);
    QVERIFY(currentAction(SIGUSR2).sa_handler == SIG_IGN);

    sigaction(SIGUSR2, &original, nullptr);
}

void tst_UnixSignals::destructorUnwatches()
{
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction original = {};
    sigaction(SIGUSR1, &ignore, &original);
    {
        UnixSignalWatcher watcher;
        QVERIFY(watcher.watch(SIGUSR1));
        QVERIFY(currentAction(SIGUSR1).sa_handler != SIG_IGN);
    }
    QVERIFY(currentAction(SIGUSR1).sa_handler == SIG_IGN);
    sigaction(SIGUSR1, &original, nullptr);
}

void tst_UnixSignals::deletingAWatcherFromItsSlot()
{
    auto *doomed = new UnixSignalWatcher;
    UnixSignalWatcher survivor;
    QVERIFY(doomed->watch(SIGUSR1));
    QVERIFY(survivor.watch(SIGUSR1));
    QSignalSpy survivorSpy(&survivor, &UnixSignalWatcher::signalReceived);
    bool deleted = false;
    connect(doomed, &UnixSignalWatcher::signalReceived, this, [&] {
        delete doomed;
        deleted = true;
    });
    // Two deliveries in one read: the second must skip the deleted watcher.
    raise(SIGUSR1);
    raise(SIGUSR1);
    QTRY_COMPARE_WITH_TIMEOUT(survivorSpy.size(), 2, Timeout);
    QVERIFY(deleted);
}

void tst_UnixSignals::refusesUnwatchableSignals()
{
    UnixSignalWatcher watcher;
    for (int signum : {SIGKILL, SIGSTOP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, 0, -1, 1000}) {
        QVERIFY(!watcher.watch(signum));
        QCOMPARE(watcher.errorString(), QStringLiteral("signal %1 cannot be watched").arg(signum));
    }
    QVERIFY(watcher.watchedSignals().isEmpty());
    watcher.unwatch(SIGKILL); // harmless
}

QTEST_GUILESS_MAIN(tst_UnixSignals)
#include "tst_unixsignals.moc"
