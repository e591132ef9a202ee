// SPDX-License-Identifier: MIT
#include "childcommand_p.h"

#include "protocol/commandline_p.h"
#include "cpuset_p.h"

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QSet>
#include <QtCore/QStandardPaths>

namespace Clustr {

namespace {

constexpr QLatin1String masterPidOption("cluster-master-pid");

// "--name=value" and "--name" -> "name"; anything else has no name.
QString optionName(const QString &argument)
{
    if (!argument.startsWith(QLatin1String("--")))
        return {};
    const qsizetype equals = argument.indexOf(u'=');
    return argument.mid(2, equals < 0 ? -1 : equals - 2);
}

QString resolve(const QString &baseDirectory, const QString &path)
{
    return QDir::cleanPath(QDir(baseDirectory).absoluteFilePath(path));
}

ChildCommand failure(const QString &error)
{
    ChildCommand command;
    command.error = error;
    return command;
}

} // namespace

ChildCommand ChildCommand::build(const SpawnSpec &spec, const QString &baseDirectory, qint64 masterPid,
                                 const QStringList &inheritedArguments)
{
    if (spec.file().isEmpty())
        return failure(QStringLiteral("file: required"));

    const QString file = resolve(baseDirectory, spec.file());
    const QFileInfo fileInfo(file);
    if (!fileInfo.exists())
        return failure(QStringLiteral("file: %1 does not exist").arg(file));
    if (fileInfo.isDir())
        return failure(QStringLiteral("file: %1 is a directory").arg(file));
    // With a command the file is the interpreter's input: a script need not be executable.
    if (spec.command().isEmpty() && !fileInfo.isExecutable())
        return failure(QStringLiteral("file: %1 is not executable").arg(file));

    QString commandProgram;
    if (!spec.command().isEmpty()) {
        if (spec.command().contains(u'/')) {
            // A path, like the file: relative to the spawner's directory.
            commandProgram = resolve(baseDirectory, spec.command());
            const QFileInfo info(commandProgram);
            if (!info.exists())
                return failure(QStringLiteral("command: %1 does not exist").arg(commandProgram));
            if (info.isDir() || !info.isExecutable())
                return failure(QStringLiteral("command: %1 is not executable").arg(commandProgram));
        } else {
            commandProgram = QStandardPaths::findExecutable(spec.command());
            if (commandProgram.isEmpty())
                return failure(QStringLiteral("command: %1 not found in PATH").arg(spec.command()));
        }
    }

    QStringList argv;
    if (!spec.cpu().trimmed().isEmpty()) {
        QString error;
        const auto cpus = CpuSet::parse(spec.cpu(), &error);
        if (!cpus || !CpuSet::validate(*cpus, &error))
            return failure(QStringLiteral("cpu: %1").arg(error));
        const QString taskset = QStandardPaths::findExecutable(QStringLiteral("taskset"));
        if (taskset.isEmpty())
            return failure(QStringLiteral("cpu: taskset is not installed (Debian package util-linux)"));
        argv << taskset << QStringLiteral("-c") << CpuSet::toString(*cpus);
    }
    if (!commandProgram.isEmpty())
        argv << commandProgram;
    argv << file;

    // The spec's own options first; the master pid is the spawner's to set, not the spec's.
    QSet<QString> specOptionNames;
    const QStringList specArguments = CommandLine::argumentsFrom(spec.args());
    for (const QString &argument : specArguments) {
        const QString name = optionName(argument);
        if (name == masterPidOption)
            continue;
        specOptionNames.insert(name);
        argv << argument;
    }
    if (masterPid > 0)
        argv << QStringLiteral("--cluster-master-pid=%1").arg(masterPid);
    for (const QString &argument : inheritedArguments) {
        const QString name = optionName(argument);
        if (!name.startsWith(QLatin1String("cluster-")) || name == masterPidOption
            || specOptionNames.contains(name))
            continue;
        argv << argument;
    }

    ChildCommand command;
    command.program = argv.takeFirst();
    command.arguments = argv;
    command.file = file;
    return command;
}

} // namespace Clustr
