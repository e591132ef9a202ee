// SPDX-License-Identifier: MIT
// The daemon's per-worker log files (daemon/logfiles.cpp): where they are
// written, whatever the group is called, and what happens to lines that
// cannot be written. tst_daemon fills a real (tmpfs) disk under a running daemon.
#include "logfiles.h"
#include "loggedmessages.h"

#include <QtCore/QDir>
#include <QtCore/QDirIterator>
#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>

#include <sys/resource.h>

namespace {

// Every file under \a root, relative to it.
QStringList filesUnder(const QString &root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(QDir(root).relativeFilePath(it.next()));
    files.sort();
    return files;
}

} // namespace

class tst_LogFiles : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fileNamesStayInTheDirectory_data();
    void fileNamesStayInTheDirectory();
    void linesThatCannotBeWrittenAreWarnedAboutOnce();
    void aLineCutShortDoesNotRunIntoTheNext();
};

void tst_LogFiles::fileNamesStayInTheDirectory_data()
{
    QTest::addColumn<QString>("group");
    QTest::newRow("parent") << QStringLiteral("../escape");
    QTest::newRow("deeper") << QStringLiteral("../../escape");
    QTest::newRow("absolute") << QStringLiteral("/escape");
    QTest::newRow("subdirectory") << QStringLiteral("sub/dir");
    QTest::newRow("dot") << QStringLiteral(".");
    QTest::newRow("dot dot") << QStringLiteral("..");
    QTest::newRow("hidden") << QStringLiteral(".hidden");
    QTest::newRow("empty") << QString();
}

void tst_LogFiles::fileNamesStayInTheDirectory()
{
    // The cluster file refuses such groups; a LogFiles given one anyway
    // still writes a file of its own directory, never elsewhere.
    QFETCH(QString, group);
    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QString directory = root.filePath(QStringLiteral("a/logs"));
    LogFiles logs(directory, 1024 * 1024, 2);
    QString error;
    QVERIFY2(logs.prepare(&error), qPrintable(error));

    const QString name = logs.fileName(group, 3);
    QCOMPARE(QFileInfo(name).absolutePath(), QFileInfo(directory).absoluteFilePath());
    QVERIFY2(!QFileInfo(name).fileName().startsWith(QLatin1Char('.')), qPrintable(name));
    logs.write(group, 3, 42, "a line", false);
    const QStringList files = filesUnder(root.path());
    QCOMPARE(files.size(), 1);
    QCOMPARE(QStringLiteral("a/logs/") + QFileInfo(name).fileName(), files.first());
    // Two groups never share a file.
    QVERIFY(logs.fileName(group, 3) != logs.fileName(group + QLatin1Char('_'), 3));
}

void tst_LogFiles::linesThatCannotBeWrittenAreWarnedAboutOnce()
{
    // The log file is /dev/full: every write fails with ENOSPC, as on a full disk.
    QTemporaryDir root;
    QVERIFY(root.isValid());
    LogFiles logs(root.path(), 1024 * 1024, 2);
    const QString web0 = logs.fileName(QStringLiteral("web"), 0);
    const QString web1 = logs.fileName(QStringLiteral("web"), 1);
    QVERIFY(QFile::link(QStringLiteral("/dev/full"), web0));
    QVERIFY(QFile::link(QStringLiteral("/dev/full"), web1));

    LoggedMessages messages;
    for (int i = 0; i < 3; ++i)
        QVERIFY(!logs.write(QStringLiteral("web"), 0, 42, "lost", false));
    QVERIFY(!logs.write(QStringLiteral("web"), 1, 43, "lost", false)); // another file: another warning
    const QString rest = QStringLiteral(": No space left on device; its lines are dropped (and counted) until it can be written again");
    QCOMPARE(messages.take(), (QStringList{QStringLiteral("warning: cannot write log file ") + web0 + rest,
                                           QStringLiteral("warning: cannot write log file ") + web1 + rest}));

    // Room again (logrotate moved the file away and sent SIGUSR1): said once, with the count.
    QVERIFY(QFile::remove(web0));
    logs.reopen();
    QVERIFY(logs.write(QStringLiteral("web"), 0, 42, "written", false));
    QVERIFY(logs.write(QStringLiteral("web"), 0, 42, "written too", false));
    QCOMPARE(messages.take(), QStringList{QStringLiteral("info: log file %1 is writable again; 3 lines were dropped").arg(web0)});
    QFile file(web0);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).endsWith(" 42   written"));
    QVERIFY(lines.at(1).endsWith(" 42   written too"));
}

void tst_LogFiles::aLineCutShortDoesNotRunIntoTheNext()
{
    // A file-size limit on this process (as a nearly full disk would) lets a
    // write go out in part only: the next line that is written starts on a
    // line of its own. SIGXFSZ ignored makes such writes fail with EFBIG.
    QTemporaryDir root;
    QVERIFY(root.isValid());
    LogFiles logs(root.path(), 1024 * 1024, 2);
    const QString name = logs.fileName(QStringLiteral("web"), 0);
    const QByteArray body(40, 'x');

    LoggedMessages messages;
    rlimit saved{};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    const rlimit small{100, saved.rlim_max};
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const bool first = logs.write(QStringLiteral("web"), 0, 42, body, false); // 70 bytes
    const bool second = logs.write(QStringLiteral("web"), 0, 42, body, false); // cut at 100
    const bool third = logs.write(QStringLiteral("web"), 0, 42, body, false);
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, previous);
    QVERIFY(first);
    QVERIFY(!second);
    QVERIFY(!third);
    QCOMPARE(QFileInfo(name).size(), 100);

    QVERIFY(logs.write(QStringLiteral("web"), 0, 42, "whole", false));
    const QStringList said = messages.take();
    QCOMPARE(said.size(), 2);
    QVERIFY2(said.at(0).endsWith(QStringLiteral("web-0.log: File too large; its lines are dropped (and counted) until it can be written again")),
             qPrintable(said.at(0)));
    QVERIFY2(said.at(1).endsWith(QStringLiteral("web-0.log is writable again; 2 lines were dropped")), qPrintable(said.at(1)));
    QFile file(name);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = file.readAll().split('\n');
    QCOMPARE(lines.size(), 4); // whole, cut, whole, ""
    QVERIFY(lines.at(0).endsWith(body));
    QCOMPARE(lines.at(1).size(), 100 - (lines.at(0).size() + 1)); // what fit of the cut line
    QVERIFY(lines.at(2).endsWith(" 42   whole"));
}

QTEST_GUILESS_MAIN(tst_LogFiles)
#include "tst_logfiles.moc"
