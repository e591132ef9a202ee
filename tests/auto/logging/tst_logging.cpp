// SPDX-License-Identifier: MIT
// What switches the library's debug and info lines on, in real worker
// processes: --verbose, --cluster-verbose, QT_LOGGING_RULES, QT_LOGGING_CONF,
// qtlogging.ini files where Qt looks for them, and rules set in code with
// Clustr::followLoggingRules(). The library checks these
// itself before it touches Qt's logging registry (logging_p.h), so each one
// must keep working, and Qt's rules must still have the last word.
#include "redisserver.h"
#include "testprocess.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

namespace {

// The line a worker logs (clustr.redis, info) once its connection is up.
const QByteArray ConnectedLine = QByteArrayLiteral("connected to Redis at");

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
}

const QByteArray RedisInfoOn = QByteArrayLiteral("[Rules]\nclustr.redis.info=true\n");

} // namespace

class tst_Logging : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void switches_data();
    void switches();

private:
    RedisServer m_server;
};

void tst_Logging::initTestCase()
{
    QString error;
    QVERIFY2(m_server.start(&error), qPrintable(error));
}

void tst_Logging::switches_data()
{
    QTest::addColumn<QStringList>("arguments");
    // NAME=VALUE; in values, %DIR% is a fresh empty directory.
    QTest::addColumn<QStringList>("environment");
    // File to write under %DIR% (relative path), empty for none; it holds RedisInfoOn.
    QTest::addColumn<QString>("rulesFile");
    QTest::addColumn<bool>("expectLine");

    QTest::newRow("quiet by default") << QStringList() << QStringList() << QString() << false;
    QTest::newRow("--verbose") << QStringList{QStringLiteral("--verbose")} << QStringList() << QString() << true;
    QTest::newRow("--cluster-verbose") << QStringList{QStringLiteral("--cluster-verbose")} << QStringList() << QString()
                                       << true;
    QTest::newRow("QT_LOGGING_RULES on")
        << QStringList() << QStringList{QStringLiteral("QT_LOGGING_RULES=clustr.redis.info=true")} << QString() << true;
    QTest::newRow("QT_LOGGING_RULES off")
        << QStringList() << QStringList{QStringLiteral("QT_LOGGING_RULES=clustr.redis.info=false")} << QString() << false;
    QTest::newRow("QT_LOGGING_RULES beats --verbose")
        << QStringList{QStringLiteral("--verbose")} << QStringList{QStringLiteral("QT_LOGGING_RULES=clustr.*=false")}
        << QString() << false;
    // Rules set in code reach the library once the application says it follows them.
    QTest::newRow("setFilterRules + followLoggingRules")
        << QStringList{QStringLiteral("--filter-rules=clustr.redis.info=true"), QStringLiteral("--follow-logging-rules")}
        << QStringList() << QString() << true;
    QTest::newRow("followLoggingRules, rules off")
        << QStringList{QStringLiteral("--filter-rules=clustr.redis.info=false"), QStringLiteral("--follow-logging-rules")}
        << QStringList() << QString() << false;
    QTest::newRow("QT_LOGGING_CONF")
        << QStringList() << QStringList{QStringLiteral("QT_LOGGING_CONF=%DIR%/rules.ini")} << QStringLiteral("rules.ini")
        << true;
    QTest::newRow("XDG_CONFIG_HOME ini")
        << QStringList() << QStringList{QStringLiteral("XDG_CONFIG_HOME=%DIR%")}
        << QStringLiteral("QtProject/qtlogging.ini") << true;
    QTest::newRow("HOME/.config ini")
        << QStringList() << QStringList{QStringLiteral("HOME=%DIR%")} << QStringLiteral(".config/QtProject/qtlogging.ini")
        << true;
    QTest::newRow("XDG_CONFIG_DIRS ini")
        << QStringList() << QStringList{QStringLiteral("XDG_CONFIG_DIRS=/nonexistent:%DIR%")}
        << QStringLiteral("QtProject/qtlogging.ini") << true;
}

void tst_Logging::switches()
{
    QFETCH(QStringList, arguments);
    QFETCH(QStringList, environment);
    QFETCH(QString, rulesFile);
    QFETCH(bool, expectLine);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (!rulesFile.isEmpty()) {
        const QString path = dir.filePath(rulesFile);
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QVERIFY(writeFile(path, RedisInfoOn));
    }

    // Nothing of this machine's own logging set-up may leak in: empty config
    // places unless the row sets its own.
    QTemporaryDir emptyHome;
    QVERIFY(emptyHome.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"QT_LOGGING_RULES", "QT_LOGGING_CONF", "XDG_CONFIG_DIRS"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), emptyHome.path());
    env.insert(QStringLiteral("HOME"), emptyHome.path());
    env.insert(QStringLiteral("XDG_CONFIG_DIRS"), emptyHome.path());
    for (const QString &setting : environment) {
        const qsizetype eq = setting.indexOf(QLatin1Char('='));
        QString value = setting.mid(eq + 1);
        env.insert(setting.left(eq), value.replace(QStringLiteral("%DIR%"), dir.path()));
    }
    if (!environment.join(QLatin1Char(' ')).contains(QLatin1String("XDG_CONFIG_HOME"))
        && environment.join(QLatin1Char(' ')).contains(QLatin1String("HOME=")))
        env.remove(QStringLiteral("XDG_CONFIG_HOME")); // HOME/.config is used only without XDG_CONFIG_HOME

    TestProcess worker;
    QVERIFY(worker.start(QStringLiteral("clustr-test-worker"),
                         arguments + QStringList{QStringLiteral("--group=logging"), QStringLiteral("--cluster-redis=") + m_server.url()},
                         env));
    QVERIFY(worker.waitForEvent(QStringLiteral("connected")).has_value());
    worker.process()->closeWriteChannel(); // the worker exits when its stdin closes
    QVERIFY(worker.waitForFinished());
    const QByteArray text = worker.standardError();
    QVERIFY2(text.contains(ConnectedLine) == expectLine, text.constData());
}

QTEST_GUILESS_MAIN(tst_Logging)
#include "tst_logging.moc"
