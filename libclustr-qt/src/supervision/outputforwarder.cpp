// SPDX-License-Identifier: MIT
#include "outputforwarder_p.h"

#include <cerrno>

#include <poll.h>
#include <unistd.h>

namespace Clustr {

void OutputForwarder::setFileDescriptors(int stdoutFd, int stderrFd)
{
    m_stdoutFd = stdoutFd;
    m_stderrFd = stderrFd;
}

QByteArray OutputForwarder::prefix(const QString &group, qint64 pid) const
{
    if (m_pattern.isEmpty())
        return {};
    QString text = m_pattern;
    text.replace(QStringLiteral("%group%"), group);
    text.replace(QStringLiteral("%pid%"), QString::number(pid));
    return text.toUtf8();
}

bool OutputForwarder::forward(const QString &group, qint64 pid, const QByteArray &line, bool isStderr) const
{
    if (m_logger) {
        m_logger(isStderr ? QtWarningMsg : QtInfoMsg, QStringLiteral("clustr.child"),
                 QString::fromUtf8(prefix(group, pid) + line));
        return true;
    }
    QByteArray data = prefix(group, pid);
    data.reserve(data.size() + line.size() + 1);
    data.append(line);
    data.append('\n');
    return writeAll(isStderr ? m_stderrFd : m_stdoutFd, data);
}

bool OutputForwarder::writeAll(int fd, const QByteArray &data)
{
    const char *next = data.constData();
    qsizetype left = data.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, next, size_t(left));
        if (written > 0) {
            next += written;
            left -= written;
            continue;
        }
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // Someone made the descriptor non-blocking and its reader is slow:
            // wait for room, but give up once it has stayed full for a second
            // rather than hold the event loop for good.
            pollfd pfd{fd, POLLOUT, 0};
            int ready;
            do {
                ready = ::poll(&pfd, 1, 1000);
            } while (ready < 0 && errno == EINTR);
            if (ready > 0)
                continue;
        }
        return false;
    }
    return true;
}

} // namespace Clustr
