// SPDX-License-Identifier: MIT
#pragma once

#include "waitunderload.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QStringList>

#include <functional>

/*
  Runs one master (an example's, or `clustr-qt run`) and keeps every line
  of its standard output -- which carries its children's lines too,
  prefixed "[group pid] " by the library -- so a test can wait for and pick
  apart what the cluster printed.
  Going away, it SIGKILLs the master and every process of its tree still
  running (they would die with it anyway: PR_SET_PDEATHSIG).
*/
class ClusterRun : public QObject
{
    Q_OBJECT
public:
    explicit ClusterRun(QObject *parent = nullptr);
    ~ClusterRun() override;

    //! Starts \a program (a build/bin name) with \a arguments; false if it could not be started.
    bool start(const QString &program, const QStringList &arguments);
    qint64 pid() const { return m_pid; }

    QStringList lines() const { return m_lines; }
    //! Every line matching \a pattern, as matches, in output order.
    QList<QRegularExpressionMatch> matches(const QRegularExpression &pattern) const;
    /*!
      The first line matching \a pattern, waiting up to \a timeoutMs for it;
      an invalid (non-matching) match if none came or the master exited first.
    */
    QRegularExpressionMatch waitForLine(const QRegularExpression &pattern, int timeoutMs = 30000);

    void signal(int signum);
    bool waitForExit(int timeoutMs);
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }

    //! Every pid the output names as a process of the tree (prefixes and the example's own lines).
    QSet<qint64> treePids() const;
    //! Processes still running whose command line has --cluster-master-pid=<our master>.
    QList<qint64> liveClusterProcesses() const;

    //! The last \a count lines of output and of stderr, for failure messages.
    QByteArray transcript(int count = 60) const;

private:
    void readStandardOutput();
    void killTree();

    QProcess m_process;
    qint64 m_pid = 0;
    QByteArray m_partial;
    QStringList m_lines;
    QByteArray m_stderr;
};
