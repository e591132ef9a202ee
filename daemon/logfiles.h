// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

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

  A line that cannot be written (a full disk, a file-size limit, a file that
  cannot be opened) is dropped: write() returns false (the library counts it
  for the worker, see ChildInfo::droppedOutputLines()), the first one of a
  file is warned about with the file and the system's reason, and once a
  line of that file is written again, that is said too with how many were lost.
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
    //! Appends one line; false if it could not be written whole.
    bool write(const QString &group, int instance, qint64 pid, const QByteArray &line, bool isStderr);
    void reopen();
    QString fileName(const QString &group, int instance) const;

private:
    struct File
    {
        File() = default;
        File(const File &) = delete;
        File &operator=(const File &) = delete;
        ~File() { close(); }
        void close();

        int fd = -1;                 // -1: opened by the next line
        qint64 size = 0;             // what is in it, as we wrote it
        bool failing = false;        // its last line was dropped
        qint64 dropped = 0;          // lines dropped since it failed
        bool cutLine = false;        // a line was cut short in it: the next one starts on a new line
    };

    bool open(const QString &name, File &entry, QString *error);
    bool append(File &entry, const QByteArray &text, QString *error);
    void rotate(const QString &name, File &entry);

    QString m_directory;
    qint64 m_maxBytes;
    int m_keep;
    std::unordered_map<std::string, File> m_files;
};
