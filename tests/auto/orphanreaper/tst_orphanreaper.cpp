// SPDX-License-Identifier: MIT
#include "supervision/orphanreaper_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QSet>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <csignal>

#include <sys/wait.h>
#include <unistd.h>

using namespace Clustr;
using namespace std::chrono_literals;

namespace {

constexpr int Timeout = 10000;

bool exists(qint64 pid)
{
    return QFile::exists(QStringLiteral("/proc/%1").arg(pid));
}

qint64 parentOf(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray text = stat.readAll();
    return text.mid(text.lastIndexOf(')') + 2).split(' ').value(1).toLongLong();
}

} // namespace

/*
  This test process is the subreaper: clustr-test-child --spawn-grandchild
  starts a grandchild and exits, and the grandchild is reparented to us.
*/
class tst_OrphanReaper : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void orphanIsAdoptedAndReaped();
    void reapNowWithoutTimer();
    void qprocessChildrenAreNotStolen();
    void ownedChildrenAreNotListed();

private:
    qint64 makeOrphan();

    QString m_child;
    QSet<qint64> m_owned;
    QList<qint64> m_orphans;
    QList<QProcess *> m_processes;
};

void tst_OrphanReaper::initTestCase()
{
    m_child = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("clustr-test-child"));
    QVERIFY(QFileInfo(m_child).isExecutable());
    QVERIFY(OrphanReaper::becomeSubreaper());
    QVERIFY(OrphanReaper::isSubreaper());
}

void tst_OrphanReaper::cleanup()
{
    for (QProcess *process : std::as_const(m_processes)) {
        process->kill();
        process->waitForFinished(5000);
        delete process;
    }
    m_processes.clear();
    // Orphans still around are ours to kill and reap.
    for (qint64 pid : std::as_const(m_orphans)) {
        if (::kill(pid_t(pid), SIGKILL) == 0)
            ::waitpid(pid_t(pid), nullptr, 0); // SIGKILL: returns at once
    }
    m_orphans.clear();
    m_owned.clear();
}

// A grandchild whose parent has exited: reparented to this process.
qint64 tst_OrphanReaper::makeOrphan()
{
    auto *process = new QProcess;
    m_processes.append(process);
    QSignalSpy finished(process, &QProcess::finished);
    process->start(m_child, {QStringLiteral("--spawn-grandchild"), QStringLiteral("--exit=0")});
    if (!process->waitForStarted(Timeout))
        return 0;
    m_owned.insert(process->processId());
    if (!finished.wait(Timeout))
        return 0;
    const QByteArray line = process->readAllStandardOutput().trimmed();
    if (!line.startsWith("grandchild:"))
        return 0;
    const qint64 pid = line.mid(11).toLongLong();
    m_orphans.append(pid);
    return pid;
}

void tst_OrphanReaper::orphanIsAdoptedAndReaped()
{
    OrphanReaper reaper;
    reaper.setOwnedPredicate([this](qint64 pid) { return m_owned.contains(pid); });
    reaper.setInterval(50ms);
    QSignalSpy orphanExited(&reaper, &OrphanReaper::orphanExited);

    const qint64 orphan = makeOrphan();
    QVERIFY(orphan > 0);
    QTRY_COMPARE_WITH_TIMEOUT(parentOf(orphan), qint64(::getpid()), Timeout);
    QCOMPARE(reaper.adoptedChildren(), QList<qint64>{orphan});

    reaper.start();
    QVERIFY(reaper.isActive());
    QCOMPARE(::kill(pid_t(orphan), SIGKILL), 0);
    QVERIFY(orphanExited.wait(Timeout));
    QCOMPARE(orphanExited.size(), 1);
    QCOMPARE(orphanExited.at(0).at(0).toLongLong(), orphan);
    const int status = orphanExited.at(0).at(1).toInt();
    QVERIFY(WIFSIGNALED(status));
    QCOMPARE(WTERMSIG(status), SIGKILL);
    // Reaped: no zombie left.
    QVERIFY(!exists(orphan));
    QVERIFY(reaper.adoptedChildren().isEmpty());
    m_orphans.clear();
}

void tst_OrphanReaper::reapNowWithoutTimer()
{
    OrphanReaper reaper;
    reaper.setOwnedPredicate([this](qint64 pid) { return m_owned.contains(pid); });
    QVERIFY(!reaper.isActive());
    QSignalSpy orphanExited(&reaper, &OrphanReaper::orphanExited);

    const qint64 orphan = makeOrphan();
    QVERIFY(orphan > 0);
    QTRY_VERIFY_WITH_TIMEOUT(reaper.adoptedChildren().contains(orphan), Timeout);
    QCOMPARE(::kill(pid_t(orphan), SIGTERM), 0);
    // Once it is a zombie, reapNow() schedules the reap after the grace period by itself.
    QTRY_VERIFY_WITH_TIMEOUT(!reaper.adoptedChildren().contains(orphan), Timeout);
    reaper.reapNow();
    QVERIFY(orphanExited.wait(Timeout));
    QCOMPARE(orphanExited.at(0).at(0).toLongLong(), orphan);
    const int status = orphanExited.at(0).at(1).toInt();
    QVERIFY(WIFSIGNALED(status));
    QCOMPARE(WTERMSIG(status), SIGTERM);
    QVERIFY(!exists(orphan));
    m_orphans.clear();
}

void tst_OrphanReaper::qprocessChildrenAreNotStolen()
{
    // No predicate and a scan every millisecond: only the grace period keeps
    // the reaper off QProcess' own children. Each must still report its real exit.
    OrphanReaper reaper;
    reaper.setInterval(1ms);
    reaper.start();
    QSignalSpy orphanExited(&reaper, &OrphanReaper::orphanExited);

    QList<QProcess *> processes;
    for (int i = 0; i < 20; ++i) {
        auto *process = new QProcess;
        m_processes.append(process);
        processes.append(process);
        process->start(m_child, {QStringLiteral("--exit=%1").arg(i + 1)});
    }
    for (int i = 0; i < processes.size(); ++i) {
        QProcess *process = processes.at(i);
        QTRY_COMPARE_WITH_TIMEOUT(process->state(), QProcess::NotRunning, Timeout);
        QCOMPARE(process->exitStatus(), QProcess::NormalExit);
        QCOMPARE(process->exitCode(), i + 1);
    }
    QCOMPARE(orphanExited.size(), 0);
}

void tst_OrphanReaper::ownedChildrenAreNotListed()
{
    auto *process = new QProcess;
    m_processes.append(process);
    process->start(m_child, {QStringLiteral("--pause=60000")});
    QVERIFY(process->waitForStarted(Timeout));
    const qint64 pid = process->processId();

    OrphanReaper reaper;
    QVERIFY(reaper.adoptedChildren().contains(pid)); // without a predicate it cannot tell
    reaper.setOwnedPredicate([pid](qint64 candidate) { return candidate == pid; });
    QVERIFY(!reaper.adoptedChildren().contains(pid));
}

QTEST_GUILESS_MAIN(tst_OrphanReaper)
#include "tst_orphanreaper.moc"
