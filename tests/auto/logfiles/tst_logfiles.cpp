// SPDX-License-Identifier: MIT
// The daemon's per-worker log files (daemon/logfiles.cpp): where they are
// written, whatever the group is called.
#include "logfiles.h"

#include <QtCore/QDir>
#include <QtCore/QDirIterator>
#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

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

QTEST_GUILESS_MAIN(tst_LogFiles)
#include "tst_logfiles.moc"
