// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/options.h>

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace Clustr {

/*!
  Passes children's output lines on to this process' stdout and stderr,
  each prefixed with who wrote it: `[web 4242] listening on 8080`.

  Each line goes out with one write() of prefix + line + "\n", so lines of
  several children never mix within a line (for a pipe, the kernel keeps a
  write of up to PIPE_BUF = 4096 bytes whole even against other writers).
  With a Logger set, lines go to it instead, with category "clustr.child",
  QtInfoMsg for stdout and QtWarningMsg for stderr lines.
*/
class CLUSTR_AUTOTEST_EXPORT OutputForwarder
{
public:
    static QString defaultPattern() { return QStringLiteral("[%group% %pid%] "); }

    OutputForwarder() = default;

    //! The prefix; %group% and %pid% are replaced. Empty: lines go out unprefixed.
    QString pattern() const { return m_pattern; }
    void setPattern(const QString &pattern) { m_pattern = pattern; }

    Logger logger() const { return m_logger; }
    void setLogger(const Logger &logger) { m_logger = logger; }

    //! Where lines go without a logger; STDOUT_FILENO and STDERR_FILENO by default (for tests).
    void setFileDescriptors(int stdoutFd, int stderrFd);

    //! The prefix for one child.
    QByteArray prefix(const QString &group, qint64 pid) const;

    //! Forwards one line (without its newline) of child \a pid of \a group;
    //! false if it could not be written (see writeAll()).
    bool forward(const QString &group, qint64 pid, const QByteArray &line, bool isStderr) const;

    /*!
      Writes all of \a data to \a fd: retries on EINTR and after partial
      writes. On a non-blocking descriptor it waits for room, and gives up
      once it has stayed full for a second rather than hold the event loop
      for good. Returns false if not everything was written.
    */
    static bool writeAll(int fd, const QByteArray &data);

private:
    QString m_pattern = defaultPattern();
    Logger m_logger;
    int m_stdoutFd = 1;
    int m_stderrFd = 2;
};

} // namespace Clustr
