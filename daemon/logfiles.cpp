// SPDX-License-Identifier: MIT
#include "logfiles.h"

#include <QtCore/QDateTime>
#include <QtCore/QDir>

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

QFile *LogFiles::open(const QString &name)
{
    auto &slot = m_files[name.toStdString()];
    if (!slot) {
        slot = std::make_unique<QFile>(name);
        if (!slot->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
            qWarning("cannot open log file %s: %s", qPrintable(name), qPrintable(slot->errorString()));
            slot.reset();
            return nullptr;
        }
    }
    return slot.get();
}

void LogFiles::write(const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr)
{
    const QString name = fileName(group, instance);
    QFile *file = open(name);
    if (!file)
        return;
    const QByteArray entry = QDateTime::currentDateTime().toString(Qt::ISODateWithMs).toUtf8() + ' '
        + QByteArray::number(pid) + (isStderr ? " ! " : "   ") + line + '\n';
    file->write(entry);
    if (file->size() >= m_maxBytes)
        rotate(name);
}

void LogFiles::rotate(const QString &name)
{
    m_files.erase(name.toStdString()); // closes it
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
    m_files.clear(); // reopened, at their names, by the next line written
}
