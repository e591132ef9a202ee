// SPDX-License-Identifier: MIT
#include "supervision/childcommand_p.h"
#include "supervision/cpuset_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace Clustr;

class tst_ChildCommand : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void plainFile();
    void relativeAndAbsoluteFile();
    void specArguments();
    void clusterArgumentsInheritedAndOverridden();
    void masterPidOmittedWhenUnknown();
    void command();
    void commandAsPath();
    void taskset();
    void tasksetWithCommand();
    void argumentsReachTheChildIntact();
    void pinnedChildRunsOnItsCpu();
    void errors();
    void tasksetMissing();

private:
    QStringList run(const ChildCommand &command);

    QString m_binDir;
    QString m_child;
    QTemporaryDir m_dir;
    QList<QProcess *> m_processes;
};

static SpawnSpec spec(const QString &file)
{
    SpawnSpec s;
    s.setFile(file);
    return s;
}

void tst_ChildCommand::initTestCase()
{
    m_binDir = QCoreApplication::applicationDirPath();
    m_child = QDir(m_binDir).filePath(QStringLiteral("clustr-test-child"));
    QVERIFY2(QFileInfo(m_child).isExecutable(), qPrintable(m_child));
    QVERIFY(m_dir.isValid());
}

void tst_ChildCommand::cleanup()
{
    for (QProcess *process : std::as_const(m_processes)) {
        process->kill();
        process->waitForFinished(5000);
        delete process;
    }
    m_processes.clear();
}

// Runs the command line as built (no shell) and returns what it printed.
QStringList tst_ChildCommand::run(const ChildCommand &command)
{
    auto *process = new QProcess;
    m_processes.append(process);
    QSignalSpy finished(process, &QProcess::finished);
    process->start(command.program, command.arguments);
    if (!finished.wait(10000))
        return {QStringLiteral("(timed out)")};
    return QString::fromUtf8(process->readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

void tst_ChildCommand::plainFile()
{
    const ChildCommand command = ChildCommand::build(spec(QStringLiteral("clustr-test-child")), m_binDir, 1234, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.program, m_child);
    QCOMPARE(command.file, m_child);
    QCOMPARE(command.arguments, QStringList{QStringLiteral("--cluster-master-pid=1234")});
    QCOMPARE(command.commandLine(), QStringList({m_child, QStringLiteral("--cluster-master-pid=1234")}));
}

void tst_ChildCommand::relativeAndAbsoluteFile()
{
    // Relative: against the base directory, cleaned; the process' working directory plays no part.
    const QString subdir = QFileInfo(m_binDir).fileName();
    ChildCommand command = ChildCommand::build(
        spec(QStringLiteral("./../%1/clustr-test-child").arg(subdir)), m_binDir, 1, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.program, m_child);

    // Absolute: kept, whatever the base directory.
    command = ChildCommand::build(spec(m_child), QStringLiteral("/nonexistent"), 1, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.program, m_child);
}

void tst_ChildCommand::specArguments()
{
    SpawnSpec s = spec(QStringLiteral("clustr-test-child"));
    s.setArgs(QJsonObject{
        {QStringLiteral("flag"), true},
        {QStringLiteral("off"), false},
        {QStringLiteral("none"), QJsonValue::Null},
        {QStringLiteral("name"), QStringLiteral("a b")},
        {QStringLiteral("port"), 8080},
        {QStringLiteral("list"), QJsonArray{1, QStringLiteral("two")}},
    });
    const ChildCommand command = ChildCommand::build(s, m_binDir, 7, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    // QJsonObject iterates its keys sorted.
    QCOMPARE(command.arguments, QStringList({
        QStringLiteral("--flag"),
        QStringLiteral("--list=[1,\"two\"]"),
        QStringLiteral("--name=a b"),
        QStringLiteral("--port=8080"),
        QStringLiteral("--cluster-master-pid=7"),
    }));
}

void tst_ChildCommand::clusterArgumentsInheritedAndOverridden()
{
    const QStringList inherited{
        QStringLiteral("/usr/bin/master"),          // the program itself
        QStringLiteral("--verbose"),                // not a cluster option: stays with the spawner
        QStringLiteral("--cluster-verbose"),
        QStringLiteral("--cluster-master-pid=99"),  // replaced by the one given
        QStringLiteral("--cluster-redis=redis://a"),
        QStringLiteral("--cluster-namespace=ns"),
        QStringLiteral("positional"),
    };
    SpawnSpec s = spec(QStringLiteral("clustr-test-child"));
    s.setArgs(QJsonObject{
        {QStringLiteral("cluster-redis"), QStringLiteral("redis://b")},
        {QStringLiteral("cluster-master-pid"), 5}, // not the spec's to set
        {QStringLiteral("private"), QStringLiteral("x")},
    });
    const ChildCommand command = ChildCommand::build(s, m_binDir, 1234, inherited);
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.arguments, QStringList({
        QStringLiteral("--cluster-redis=redis://b"),
        QStringLiteral("--private=x"),
        QStringLiteral("--cluster-master-pid=1234"),
        QStringLiteral("--cluster-verbose"),
        QStringLiteral("--cluster-namespace=ns"),
    }));
}

void tst_ChildCommand::masterPidOmittedWhenUnknown()
{
    const ChildCommand command = ChildCommand::build(spec(QStringLiteral("clustr-test-child")), m_binDir, 0,
                                                     {QStringLiteral("--cluster-master-pid=3")});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QVERIFY(command.arguments.isEmpty());
}

void tst_ChildCommand::command()
{
    // A script for an interpreter need not be executable.
    const QString script = m_dir.filePath(QStringLiteral("job.sh"));
    QFile file(script);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("for a in \"$@\"; do echo \"sh:$a\"; done\n");
    file.close();
    QVERIFY(file.setPermissions(QFile::ReadOwner | QFile::WriteOwner));

    SpawnSpec s = spec(QStringLiteral("job.sh"));
    s.setCommand(QStringLiteral("sh"));
    s.setArgs(QJsonObject{{QStringLiteral("x"), QStringLiteral("1 2")}});
    const ChildCommand command = ChildCommand::build(s, m_dir.path(), 42, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.program, QStandardPaths::findExecutable(QStringLiteral("sh")));
    QCOMPARE(command.arguments, QStringList({script, QStringLiteral("--x=1 2"), QStringLiteral("--cluster-master-pid=42")}));
    QCOMPARE(run(command), QStringList({QStringLiteral("sh:--x=1 2"), QStringLiteral("sh:--cluster-master-pid=42")}));
}

void tst_ChildCommand::commandAsPath()
{
    const QString sh = QStandardPaths::findExecutable(QStringLiteral("sh"));
    SpawnSpec s = spec(m_child);
    s.setCommand(sh);
    ChildCommand command = ChildCommand::build(s, m_binDir, 1, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.program, sh);

    s.setCommand(QStringLiteral("./no-such-interpreter"));
    command = ChildCommand::build(s, m_binDir, 1, {});
    QCOMPARE(command.error, QStringLiteral("command: %1/no-such-interpreter does not exist").arg(m_binDir));
}

void tst_ChildCommand::taskset()
{
    const QString taskset = QStandardPaths::findExecutable(QStringLiteral("taskset"));
    if (taskset.isEmpty())
        QSKIP("taskset is not installed");
    SpawnSpec s = spec(QStringLiteral("clustr-test-child"));
    s.setCpu(QStringLiteral("0"));
    const ChildCommand command = ChildCommand::build(s, m_binDir, 9, {QStringLiteral("--cluster-verbose")});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.program, taskset);
    QCOMPARE(command.arguments, QStringList({QStringLiteral("-c"), QStringLiteral("0"), m_child,
                                             QStringLiteral("--cluster-master-pid=9"),
                                             QStringLiteral("--cluster-verbose")}));
}

void tst_ChildCommand::tasksetWithCommand()
{
    const QString taskset = QStandardPaths::findExecutable(QStringLiteral("taskset"));
    if (taskset.isEmpty())
        QSKIP("taskset is not installed");
    SpawnSpec s = spec(m_child);
    s.setCommand(QStringLiteral("sh"));
    s.setCpu(CpuSet::toString(CpuSet::allowedCpus()));
    const ChildCommand command = ChildCommand::build(s, m_binDir, 9, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(command.program, taskset);
    QCOMPARE(command.arguments, QStringList({QStringLiteral("-c"), s.cpu(),
                                             QStandardPaths::findExecutable(QStringLiteral("sh")), m_child,
                                             QStringLiteral("--cluster-master-pid=9")}));
}

void tst_ChildCommand::argumentsReachTheChildIntact()
{
    const QString nasty = QStringLiteral("a b \"c\" 'd' $HOME `id` \\ ; | & * ~ é");
    SpawnSpec s = spec(QStringLiteral("clustr-test-child"));
    s.setArgs(QJsonObject{
        {QStringLiteral("args"), true}, // makes the child print its argv
        {QStringLiteral("text"), nasty},
        {QStringLiteral("json"), QJsonObject{{QStringLiteral("k"), QJsonArray{1, QStringLiteral("t w o")}}}},
        {QStringLiteral("empty"), QString()},
    });
    const ChildCommand command = ChildCommand::build(s, m_binDir, 77, {QStringLiteral("--cluster-x=with space")});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(run(command), QStringList({
        QStringLiteral("arg:") + m_child,
        QStringLiteral("arg:--args"),
        QStringLiteral("arg:--empty="),
        QStringLiteral("arg:--json={\"k\":[1,\"t w o\"]}"),
        QStringLiteral("arg:--text=") + nasty,
        QStringLiteral("arg:--cluster-master-pid=77"),
        QStringLiteral("arg:--cluster-x=with space"),
    }));
}

void tst_ChildCommand::pinnedChildRunsOnItsCpu()
{
    if (QStandardPaths::findExecutable(QStringLiteral("taskset")).isEmpty())
        QSKIP("taskset is not installed");
    const QList<int> allowed = CpuSet::allowedCpus();
    SpawnSpec s = spec(QStringLiteral("clustr-test-child"));
    s.setArgs(QJsonObject{{QStringLiteral("cpus"), true}});
    s.setCpu(QString::number(allowed.last()));
    const ChildCommand command = ChildCommand::build(s, m_binDir, 1, {});
    QVERIFY2(command.isValid(), qPrintable(command.error));
    QCOMPARE(run(command), QStringList{QStringLiteral("Cpus_allowed_list:\t%1").arg(allowed.last())});
}

void tst_ChildCommand::errors()
{
    ChildCommand command = ChildCommand::build(spec(QString()), m_binDir, 1, {});
    QVERIFY(!command.isValid());
    QCOMPARE(command.error, QStringLiteral("file: required"));
    QVERIFY(command.program.isEmpty());

    command = ChildCommand::build(spec(QStringLiteral("/x/y")), m_binDir, 1, {});
    QCOMPARE(command.error, QStringLiteral("file: /x/y does not exist"));

    command = ChildCommand::build(spec(QStringLiteral("missing")), m_dir.path(), 1, {});
    QCOMPARE(command.error, QStringLiteral("file: %1 does not exist").arg(m_dir.filePath(QStringLiteral("missing"))));

    const QString plain = m_dir.filePath(QStringLiteral("plain.txt"));
    QFile file(plain);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    command = ChildCommand::build(spec(plain), m_binDir, 1, {});
    QCOMPARE(command.error, QStringLiteral("file: %1 is not executable").arg(plain));

    command = ChildCommand::build(spec(m_dir.path()), m_binDir, 1, {});
    QCOMPARE(command.error, QStringLiteral("file: %1 is a directory").arg(m_dir.path()));

    SpawnSpec s = spec(QStringLiteral("clustr-test-child"));
    s.setCommand(QStringLiteral("no-such-interpreter-xyz"));
    command = ChildCommand::build(s, m_binDir, 1, {});
    QCOMPARE(command.error, QStringLiteral("command: no-such-interpreter-xyz not found in PATH"));

    const QList<int> allowed = CpuSet::allowedCpus();
    s = spec(QStringLiteral("clustr-test-child"));
    s.setCpu(QString::number(allowed.last() + 1));
    command = ChildCommand::build(s, m_binDir, 1, {});
    QCOMPARE(command.error, QStringLiteral("cpu: CPU %1 is not available here (allowed: %2)")
                                .arg(allowed.last() + 1).arg(CpuSet::toString(allowed)));

    s.setCpu(QStringLiteral("0-x"));
    command = ChildCommand::build(s, m_binDir, 1, {});
    QCOMPARE(command.error, QStringLiteral("cpu: expected a CPU id or list like \"0-3\", got \"0-x\""));
}

void tst_ChildCommand::tasksetMissing()
{
    // findExecutable() reads PATH at each call: an empty directory hides taskset.
    const QByteArray path = qgetenv("PATH");
    qputenv("PATH", QFile::encodeName(m_dir.path()));
    SpawnSpec s = spec(QStringLiteral("clustr-test-child"));
    s.setCpu(QString::number(CpuSet::allowedCpus().first()));
    const ChildCommand command = ChildCommand::build(s, m_binDir, 1, {});
    qputenv("PATH", path);
    QCOMPARE(command.error, QStringLiteral("cpu: taskset is not installed (Debian package util-linux)"));
}

QTEST_GUILESS_MAIN(tst_ChildCommand)
#include "tst_childcommand.moc"
