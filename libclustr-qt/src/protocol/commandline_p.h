// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Clustr {

/*!
  The clustr-node command-line convention: `--key=value` and `--flag`
  (value "true") are options, the last of a name wins; `--cluster-*` options
  are passed on to every child; anything else (the program name, positional
  arguments, `-x`, `--=x`) is kept but not interpreted, and neither is
  anything after a lone `--` (as with optimist, which clustr-node used).
*/
class CLUSTR_AUTOTEST_EXPORT CommandLine
{
public:
    CommandLine() = default;
    explicit CommandLine(const QStringList &arguments);

    /*!
      This process' command line, as QCoreApplication::arguments() gives it,
      read from /proc/self/cmdline where there is one (else from Qt).

      Why: every process needs its command line at start, and arguments()
      decodes argv through code that maps two more 64 KiB windows of Qt Core
      into every worker (see ARCHITECTURE.md, "What an idle worker costs").
      /proc holds the same bytes, UTF-8 as Qt 6 reads argv on Unix. It also
      holds what QGuiApplication takes out of argv (`-platform`, `-style`...),
      which are no `--key=value` options and change nothing here; a program
      that hands QCoreApplication an argv of its own passes
      ProcessOptions::arguments.
    */
    static QStringList processArguments();

    QStringList arguments() const { return m_arguments; }
    bool hasOption(const QString &name) const { return m_options.contains(name); }
    QString option(const QString &name, const QString &defaultValue = QString()) const;
    QMap<QString, QString> options() const { return m_options; }

    /*!
      The `--cluster-*` arguments as given, in order; of several with one
      name, the last one's text stands at the first one's position.
    */
    QStringList clusterArguments() const;

    //! `--cluster-master-pid` as a number; 0 if absent or not a positive integer.
    qint64 masterPid() const;

    /*!
      A spawn entry's `args` as command-line arguments: `--key=value`, `--key`
      for true, nothing for false or null; numbers without a trailing ".0";
      arrays and objects as compact JSON.
    */
    static QStringList argumentsFrom(const QJsonObject &args);

    /*!
      Merges cluster arguments: those of \a inherited, replaced in place by
      any of the same name in \a overrides, plus the rest of \a overrides
      appended in order. Names compare without the value (`--a` replaces
      `--a=1`); arguments that are no options are appended as they are.
    */
    static QStringList mergeClusterArguments(const QStringList &inherited, const QStringList &overrides);

private:
    QStringList m_arguments;
    QMap<QString, QString> m_options;
    QStringList m_clusterArguments;
};

} // namespace Clustr
