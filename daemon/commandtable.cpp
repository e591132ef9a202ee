// SPDX-License-Identifier: MIT
#include "commandtable.h"

namespace CommandTable {

namespace {

Option flag(const char *name)
{
    return {QString::fromLatin1(name), Value::None};
}

Option option(const char *name, Value value)
{
    return {QString::fromLatin1(name), value};
}

// What every control command takes to find its cluster (ControlCommands::Session).
QList<Option> controlOptions(QList<Option> own)
{
    return own << option("--redis", Value::Text) << option("--cluster", Value::ClusterName) << option("--host", Value::Text)
               << flag("--verbose");
}

QList<Command> build()
{
    const Option timeout = option("--timeout", Value::Text);
    // run's options, which check accepts too so that one can replace the other in a command line.
    const QList<Option> runOptions{option("--redis", Value::Text), option("--metrics", Value::Text),
                                   option("--log-dir", Value::Directory), option("--host", Value::Text), flag("--strict"), flag("--detach"),
                                   option("--log-file", Value::File), timeout};
    return {
        {QStringLiteral("run"), Value::ClusterFile, runOptions + QList<Option>{flag("--verbose"), flag("--cluster-verbose")}},
        {QStringLiteral("check"), Value::ClusterFile, runOptions},
        {QStringLiteral("acl"), Value::ClusterFile, {option("--password", Value::Text), option("--output", Value::File)}},
        {QStringLiteral("unit"), Value::ClusterFile, {flag("--user"), option("--output", Value::File)}},
        {QStringLiteral("completion"), Value::Shell, {}},
        {QStringLiteral("ls"), Value::None, {option("--redis", Value::Text), flag("--verbose")}},
        {QStringLiteral("status"), Value::None, controlOptions({flag("--json"), flag("--compact")})},
        {QStringLiteral("publish"), Value::Text, controlOptions({})},
        {QStringLiteral("send"), Value::Pid, controlOptions({})},
        {QStringLiteral("group"), Value::Group, controlOptions({})}, // not-protocol: a command's name
        {QStringLiteral("kill"), Value::Pid, controlOptions({})},
        {QStringLiteral("reload"), Value::None, controlOptions({flag("--no-wait"), flag("--config"), flag("--dry-run"), timeout})}, // not-protocol: a command's name
        {QStringLiteral("restart"), Value::GroupOrPid, controlOptions({timeout})},
        {QStringLiteral("stop"), Value::Group, controlOptions({option("--code", Value::Text), timeout})},
        {QStringLiteral("start"), Value::Group, controlOptions({timeout})},
        {QStringLiteral("scale"), Value::Group, controlOptions({timeout})},
        {QStringLiteral("watch"), Value::None, controlOptions({option("--channel", Value::Text), flag("--all")})},
        {QStringLiteral("logs"), Value::GroupOrPid, controlOptions({flag("--follow"), option("--lines", Value::Text), flag("--json")})},
        {QStringLiteral("help"), Value::None, {}},
        {QStringLiteral("version"), Value::None, {}},
        {QStringLiteral("complete-words"), Value::Text, {option("--redis", Value::Text), option("--cluster", Value::ClusterName)}, true},
    };
}

} // namespace

const QList<Command> &commands()
{
    static const QList<Command> table = build();
    return table;
}

const Command *find(const QString &name)
{
    for (const Command &command : commands()) {
        if (command.name == name)
            return &command;
    }
    return nullptr;
}

QStringList names()
{
    QStringList list;
    for (const Command &command : commands()) {
        if (!command.hidden)
            list.append(command.name);
    }
    return list;
}

QStringList shells()
{
    return {QStringLiteral("bash"), QStringLiteral("zsh"), QStringLiteral("fish")};
}

} // namespace CommandTable
