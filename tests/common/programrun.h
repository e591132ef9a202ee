// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QProcess>
#include <QtCore/QStringList>

/*
  One run of a program to its end, as the CLI tests run clustr-qt: its exit,
  its output, how long it took. The program dies with the test
  (PR_SET_PDEATHSIG) and is killed when it outlives \a timeoutMs.
*/
struct ProgramRun
{
    bool finished = false;
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;

    QByteArray describe() const
    {
        return "exit " + QByteArray::number(exitCode) + (finished ? "" : " (did not finish)") + " after "
            + QByteArray::number(elapsedMs) + " ms\n--- stdout:\n" + out + "--- stderr:\n" + err;
    }
    QStringList outLines() const { return QString::fromUtf8(out).split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
};

//! Runs \a program with \a arguments in \a environment, the event loop running meanwhile.
ProgramRun runProgram(const QString &program, const QStringList &arguments, const QProcessEnvironment &environment,
                      int timeoutMs);
