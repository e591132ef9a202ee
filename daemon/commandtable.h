// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

/*
  Every command of clustr-qt with its options and what its first argument
  is: the one list the did-you-mean of unknown commands and the shell
  completion scripts are made from (tests compare it with each command's
  --help), so that neither can drift from the commands.
*/
namespace CommandTable {

//! What a word after an option or in the place of an argument is.
enum class Value {
    None,        // a flag (option) or no argument
    Text,        // anything: nothing to complete
    ClusterFile, // a *.json file
    File,
    Directory,
    ClusterName, // of a running cluster (clustr-qt complete-words clusters)
    Group,       // of the running cluster (complete-words groups)
    Pid,         // of the running cluster (complete-words pids)
    GroupOrPid,  // restart's TARGET: a group, a pid or `all`
    Shell,       // bash, zsh or fish
};

struct Option
{
    QString name;  // with its dashes: "--timeout"
    Value value;   // None for a flag
};

struct Command
{
    QString name;
    Value argument;        // the first argument
    QList<Option> options; // --help (every command has it) left out
    bool hidden = false;   // not offered for completion or did-you-mean (complete-words)
};

//! Every command, in the order `clustr-qt --help` lists them.
const QList<Command> &commands();
//! The command called \a name, or nullptr.
const Command *find(const QString &name);
//! The names of the commands that are not hidden.
QStringList names();
//! The shells `clustr-qt completion` writes scripts for.
QStringList shells();

} // namespace CommandTable
