// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/spawnspec.h>

#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Clustr {

/*!
  The command line that starts one child of a SpawnSpec, built the way
  clustr-node builds it:

  \code
  [taskset -c CPU] [command] file --key=value... --cluster-master-pid=N --cluster-...
  \endcode

  `args` of the spec become options for this child only; every `--cluster-*`
  option the spawner was started with follows, except a previous
  `--cluster-master-pid` and those the spec's `args` override. The result is
  an argv for QProcess: no shell is involved, so an argument with spaces or
  quotes reaches the child as one argument, unchanged.
*/
struct CLUSTR_AUTOTEST_EXPORT ChildCommand
{
    //! Absolute path of the program to exec (taskset, the command or the file).
    QString program;
    QStringList arguments;
    //! The spec's file, resolved against the base directory.
    QString file;
    //! Why no command line could be built, e.g. `file: /x/y does not exist`. Empty on success.
    QString error;

    bool isValid() const { return error.isEmpty(); }
    //! program + arguments, for logs.
    QStringList commandLine() const { return QStringList{program} + arguments; }

    /*!
      Builds the command line of \a spec. A relative `file` resolves against
      \a baseDirectory (normally QCoreApplication::applicationDirPath()).
      \a masterPid (if > 0) is passed as `--cluster-master-pid`;
      \a inheritedArguments are the spawner's own arguments, of which only
      the `--cluster-*` ones are passed on.

      Checks what can be checked before starting: the file exists (and is
      executable when there is no command), the command and taskset are
      installed, the CPUs exist for this process. A failure is returned in
      \a error, never thrown, so one bad spec does not stop the others.
    */
    static ChildCommand build(const SpawnSpec &spec, const QString &baseDirectory, qint64 masterPid,
                              const QStringList &inheritedArguments);
};

} // namespace Clustr
