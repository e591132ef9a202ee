// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>
#include <QtCore/QStringList>
#include <QtGui/QColor>

#include <limits>

/*
  One row of the cluster tree: a process as the master's status snapshot
  describes it (docs/PROTOCOL.md section 11), merged from up to three
  places — the announcement (the master itself), `processes` (registered
  processes) and `children` (the master's own children, with their command
  line, registering or not).
*/
struct ProcessInfo
{
    //! The pid, or a negative placeholder for a child of the master that is not running (pid 0).
    qint64 key = 0;
    qint64 pid = 0;
    QString group;
    QString host;
    qint64 ppid = 0;
    //! starting, running, backing off, stopping, stopped, failed (children); reloading (the master).
    QString state;
    QDateTime startedAt;
    qint64 uptimeMs = -1;
    int restarts = 0;
    QString cpus;
    double rss = -1;
    double cpu = std::numeric_limits<double>::quiet_NaN();
    qint64 lastSeenMs = -1;
    bool heartbeat = false;
    bool registered = false;
    bool isMaster = false;
    QJsonObject stats;
    QString file;
    QStringList commandLine;
    QString error;

    static ProcessInfo fromProcessEntry(const QJsonObject &entry);
    static ProcessInfo fromMaster(const QJsonObject &master, const QDateTime &now);
    static ProcessInfo fromChild(const QJsonObject &child, int index, const QString &host, qint64 masterPid, const QDateTime &now);
    //! Adds what only a `children` entry knows (file, command line, error) to a registered process.
    void addChildDetails(const QJsonObject &child);

    bool isRunning() const;
    //! The command line as a shell would take it back (arguments with spaces quoted).
    QString commandLineText() const;

    bool operator==(const ProcessInfo &other) const;
    bool operator!=(const ProcessInfo &other) const { return !(*this == other); }
};

//! The colour that says "fine", "on its way", "stopped" or "broken" at a glance.
QColor stateColor(const QString &state);
