// SPDX-License-Identifier: MIT
// ProcessTable against real processes: this test, a child that runs, one
// that is a zombie, one that was reaped.
#include "base/processtable_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QScopeGuard>
#include <QtTest/QTest>

#include <csignal>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Clustr;

class tst_ProcessTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsThisProcess();
    void runningZombieAndReaped();
    void startTimeTellsARecycledPid();
    void descendants();
    void identity();
};

void tst_ProcessTable::readsThisProcess()
{
    const auto self = ProcessTable::read(::getpid());
    QVERIFY(self);
    QCOMPARE(self->pid, qint64(::getpid()));
    QCOMPARE(self->ppid, qint64(::getppid()));
    QCOMPARE(self->processGroup, qint64(::getpgrp()));
    QVERIFY(self->state == 'R' || self->state == 'S');
    QVERIFY(self->startTime > 0);
    QCOMPARE(ProcessTable::read(0)->pid, self->pid); // 0: this process
    QCOMPARE(ProcessTable::startTime(::getpid()), self->startTime);
    QVERIFY(!ProcessTable::read(-5));
}

void tst_ProcessTable::runningZombieAndReaped()
{
    const pid_t child = ::fork();
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlives the test
        ::pause();                          // until killed
        ::_exit(0);
    }
    QVERIFY(child > 0);
    const auto cleanup = qScopeGuard([child] {
        ::kill(child, SIGKILL);
        ::waitpid(child, nullptr, WNOHANG);
    });
    QVERIFY(ProcessTable::isRunning(child));
    QCOMPARE(ProcessTable::read(child)->ppid, qint64(::getpid()));

    ::kill(child, SIGKILL);
    // Not reaped yet: a zombie, which does not run.
    QTRY_COMPARE(ProcessTable::read(child)->state, 'Z');
    QVERIFY(!ProcessTable::isRunning(child));
    QCOMPARE(::waitpid(child, nullptr, 0), child);
    QVERIFY(!ProcessTable::read(child));
    QVERIFY(!ProcessTable::isRunning(child));
    QVERIFY(!ProcessTable::isRunning(0));
    QVERIFY(!ProcessTable::isRunning(-1));
}

void tst_ProcessTable::startTimeTellsARecycledPid()
{
    const qint64 self = ::getpid();
    const quint64 start = ProcessTable::startTime(self);
    QVERIFY(ProcessTable::isRunning(self, start));
    QVERIFY(ProcessTable::isRunning(self, 0)); // unknown: any process of that pid
    QVERIFY(!ProcessTable::isRunning(self, start + 1));
}

void tst_ProcessTable::descendants()
{
    // sh -> sleep: the sleep descends from sh and from us, not the other way round.
    QProcess shell;
    shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("sleep 60 & echo $!; wait")});
    QVERIFY(shell.waitForReadyRead(10000));
    const qint64 sleeper = shell.readLine().trimmed().toLongLong();
    QVERIFY(sleeper > 0);
    const auto cleanup = qScopeGuard([sleeper] { ::kill(pid_t(sleeper), SIGKILL); });
    QVERIFY(ProcessTable::descendsFrom(sleeper, shell.processId()));
    QVERIFY(ProcessTable::descendsFrom(sleeper, ::getpid()));
    QVERIFY(ProcessTable::descendsFrom(shell.processId(), shell.processId()));
    QVERIFY(!ProcessTable::descendsFrom(shell.processId(), sleeper));
    QVERIFY(!ProcessTable::descendsFrom(::getpid(), shell.processId()));
    ::kill(pid_t(sleeper), SIGKILL);
    QVERIFY(shell.waitForFinished(10000)); // sh reaps its sleep
}

void tst_ProcessTable::identity()
{
    // The boot id and the pid namespace's inode: the same for every process here.
    const QByteArray id = ProcessTable::identity();
    const QList<QByteArray> parts = id.split(':');
    QCOMPARE(parts.size(), 2);
    QFile boot(QStringLiteral("/proc/sys/kernel/random/boot_id"));
    QVERIFY(boot.open(QIODevice::ReadOnly));
    QCOMPARE(parts.at(0), boot.readAll().trimmed());
    char link[64] = {};
    QVERIFY(::readlink("/proc/self/ns/pid", link, sizeof link - 1) > 0);
    QCOMPARE(QByteArray(link), QByteArray("pid:[" + parts.at(1) + ']'));
}

QTEST_GUILESS_MAIN(tst_ProcessTable)
#include "tst_processtable.moc"
