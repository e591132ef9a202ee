// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonValue>
#include <QtCore/QString>
#include <QtCore/QStringList>

// What every clustr-qt command shares: exit codes, printing, common options.
namespace Cli {

// Documented in docs/CLI.md; scripts rely on them.
enum ExitCode {
    Ok = 0,
    Failed = 1,            // the command ran but did not succeed (e.g. a reload step timed out)
    Usage = 2,             // bad arguments or a bad cluster file
    RedisUnreachable = 3,
    NoCluster = 4,
    AlreadyRunning = 5,
    // restart, stop GROUP, start, scale: what the master answered.
    NoSuchTarget = 6,      // no such group or process in the cluster
    NothingToDo = 7,       // the target is as asked already (stopped, running, of that size)
    TimedOut = 8,          // the command did not finish within --timeout
    // Redis refused the command: its ACL does not allow the user it
    // (NOPERM). sysexits.h' EX_NOPERM, clear of the small codes above.
    PermissionDenied = 77,
};

void out(const QString &line);   // stdout, with a newline
void err(const QString &line);   // stderr, prefixed "clustr-qt: "

//! The value of `--name VALUE` or `--name=VALUE` in \a args (removed from it); \a found tells whether it was there.
QString takeOption(QStringList &args, const QString &name, bool *found = nullptr);
//! Whether `--name` is in \a args (removed from it).
//! "1 worker", "2 workers": \a n and the word that goes with it.
QString count(qint64 n, const char *one, const char *many);
bool takeFlag(QStringList &args, const QString &name);

//! How long a control command waits for Redis's first answers: 1.5 s, or
//! the seconds in CLUSTR_CONNECT_TIMEOUT (a slow link to a remote Redis).
//! A value that is no number of seconds in (0, 3600] is said once on
//! stderr and the default used.
int answerBudgetMs();
//! "1.5 s", "10 s": \a ms as the messages give a budget.
QString budgetText(int ms);

} // namespace Cli
