// SPDX-License-Identifier: MIT
#include "logfiles.h"

#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

LogFiles::LogFiles(const QString &directory, qint64 maxBytes, int keep)
    : m_directory(directory)
    , m_maxBytes(maxBytes)
    , m_keep(keep)
{
}

bool LogFiles::prepare(QString *error)
{
    if (QDir().mkpath(m_directory))
        return true;
    *error = QStringLiteral("cannot create the log directory %1").arg(m_directory);
    return false;
}

namespace {

// A group as the start of a file name of the log directory: '/', NUL and a
// leading '.' percent-encoded, so that no group names a path elsewhere, a
// directory or a hidden file. The groups a cluster file accepts stay as they are.
QString fileStem(const QString &group)
{
    QString stem;
    stem.reserve(group.size());
    for (qsizetype i = 0; i < group.size(); ++i) {
        const QChar c = group.at(i);
        if (c == u'/' || c == QChar() || (i == 0 && c == u'.'))
            stem += u'%' + QString::number(c.unicode(), 16).toUpper().rightJustified(2, u'0');
        else
            stem += c;
    }
    return stem;
}

} // namespace

QString LogFiles::groupProblem(const QString &group)
{
    if (group.contains(u'/'))
        return QStringLiteral("must not contain '/'");
    if (group.startsWith(u'.'))
        return QStringLiteral("must not start with '.'");
    return QString();
}

QString LogFiles::fileName(const QString &group, int instance) const
{
    return QDir(m_directory).filePath(QStringLiteral("%1-%2.log").arg(fileStem(group)).arg(instance));
}

void LogFiles::File::close()
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

// open(2) and write(2) themselves, not QFile: after a short write QFile
// reports neither the bytes that did go out nor why the rest did not, and
// it warns about every log file that is a device (a symlink to /dev/null).
bool LogFiles::open(const QString &name, File &entry, QString *error)
{
    if (entry.fd >= 0)
        return true;
    entry.fd = ::open(QFile::encodeName(name).constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
    if (entry.fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    struct stat status{};
    entry.size = ::fstat(entry.fd, &status) == 0 ? qint64(status.st_size) : 0;
    return true;
}

bool LogFiles::append(File &entry, const QByteArray &text, QString *error)
{
    qsizetype done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(entry.fd, text.constData() + done, size_t(text.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *error = QString::fromLocal8Bit(std::strerror(n < 0 ? errno : EIO));
            break;
        }
        done += n;
    }
    entry.size += done;
    if (done == text.size())
        entry.cutLine = false;
    else if (done > 0)
        entry.cutLine = true; // its start is in the file
    return done == text.size();
}

bool LogFiles::write(const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr)
{
    const QString name = fileName(group, instance);
    File &entry = m_files[name.toStdString()];
    const QByteArray text = (entry.cutLine ? "\n" : "") + QDateTime::currentDateTime().toString(Qt::ISODateWithMs).toUtf8()
        + ' ' + QByteArray::number(pid) + (isStderr ? " ! " : "   ") + line + '\n';
    QString error;
    if (!open(name, entry, &error) || !append(entry, text, &error)) {
        ++entry.dropped;
        if (!entry.failing) {
            // Once per file and episode: a full disk fails every line of every file.
            entry.failing = true;
            qWarning("cannot write log file %s: %s; its lines are dropped (and counted) until it can be written again",
                     qPrintable(name), qPrintable(error));
        }
        return false;
    }
    if (entry.failing) {
        qInfo("log file %s is writable again; %lld lines were dropped", qPrintable(name), entry.dropped);
        entry.failing = false;
        entry.dropped = 0;
    }
    if (entry.size >= m_maxBytes)
        rotate(name, entry);
    return true;
}

void LogFiles::rotate(const QString &name, File &entry)
{
    entry.close();
    // name.log -> name.log.1 -> ... -> name.log.<keep>; the oldest goes.
    QFile::remove(name + QLatin1Char('.') + QString::number(m_keep));
    for (int i = m_keep - 1; i >= 1; --i)
        QFile::rename(name + QLatin1Char('.') + QString::number(i), name + QLatin1Char('.') + QString::number(i + 1));
    if (m_keep > 0)
        QFile::rename(name, name + QStringLiteral(".1"));
    else
        QFile::remove(name);
}

void LogFiles::reopen()
{
    for (auto &[name, entry] : m_files)
        entry.close(); // reopened, at its name, by the next line written
}
