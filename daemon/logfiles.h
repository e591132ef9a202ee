// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QString>

#include <memory>
#include <string>
#include <unordered_map>

/*!
  One log file per worker (`<group>-<instance>.log`: the instance stays
  with a worker across respawns, so respawns do not create files), stdout
  and stderr together, one timestamped line per line the worker printed.
  A file that grows past maxBytes is rotated (`.1` is the newest old one)
  and at most `keep` old files are kept, so the directory is bounded:
  workers x (keep + 1) x maxBytes. reopen() (on SIGUSR1) lets an external
  logrotate move the files away.
*/
class LogFiles
{
public:
    LogFiles(const QString &directory, qint64 maxBytes, int keep);

    /*!
      Why \a group cannot name a log file ("must not contain '/'", "must not
      start with '.'"), or nothing if it can. The cluster file refuses such
      groups; fileName() still keeps any group inside the directory.
    */
    static QString groupProblem(const QString &group);

    //! False with \a error if the directory cannot be created.
    bool prepare(QString *error);
    void write(const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr);
    void reopen();
    QString fileName(const QString &group, int instance) const;

private:
    QFile *open(const QString &name);
    void rotate(const QString &name);

    QString m_directory;
    qint64 m_maxBytes;
    int m_keep;
    std::unordered_map<std::string, std::unique_ptr<QFile>> m_files;
};
