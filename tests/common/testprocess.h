// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QPair>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QProcess>
#include <QtCore/QSet>

#include <functional>
#include <optional>

/*
  Drives one clustr-test-worker (or any program printing JSON lines): starts
  it, records every JSON object it prints, sends it commands, and waits for
  events with a bound. It dies with the test (PR_SET_PDEATHSIG) and is killed
  when this object goes away.
*/
class TestProcess : public QObject
{
    Q_OBJECT
public:
    using Predicate = std::function<bool(const QJsonObject &)>;

    explicit TestProcess(QObject *parent = nullptr);
    ~TestProcess() override;

    //! Starts \a program (a build/bin name or a path) and waits until it printed "started".
    bool start(const QString &program, const QStringList &arguments,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    //! Starts clustr-test-worker and waits until it is connected to Redis.
    bool startWorker(const QStringList &arguments);

    qint64 pid() const { return m_pid; }
    QProcess *process() { return &m_process; }

    void send(const QJsonObject &command);

    //! The first recorded event named \a event that satisfies \a predicate, waiting up to \a timeoutMs.
    std::optional<QJsonObject> waitForEvent(const QString &event, const Predicate &predicate = {},
                                            int timeoutMs = 10000);
    //! Recorded events named \a event (that satisfy \a predicate).
    QList<QJsonObject> events(const QString &event, const Predicate &predicate = {}) const;
    //! Every recorded event, in the order they were printed.
    const QList<QJsonObject> &allEvents() const { return m_events; }
    int count(const QString &event, const Predicate &predicate = {}) const
    {
        return int(events(event, predicate).size());
    }
    //! A round trip through the process: everything it received before is recorded after this.
    bool sync(int timeoutMs = 10000);
    //! The process' stats counters.
    QJsonObject stats();

    bool waitForFinished(int timeoutMs = 10000);
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    void signal(int signum);
    QByteArray standardError() const { return m_stderr; }
    QByteArray standardOutput() const { return m_stdoutAll; }

Q_SIGNALS:
    void eventRecorded(const QJsonObject &event);

private:
    void readOutput();

    QProcess m_process;
    qint64 m_pid = 0;
    QByteArray m_buffer;
    QByteArray m_stdoutAll;
    QByteArray m_stderr;
    QList<QJsonObject> m_events;
    int m_syncCounter = 0;
};

//! A command for clustr-test-worker: {"cmd": name, field: value, ...}.
inline QJsonObject cmd(const QString &name, std::initializer_list<QPair<QString, QJsonValue>> fields = {})
{
    QJsonObject object{{QStringLiteral("cmd"), name}};
    for (const auto &field : fields)
        object.insert(field.first, field.second);
    return object;
}

/*!
  A spawn entry of \a instances clustr-test-workers of \a group that print
  "ready" and read no commands: {"file", "instances", "args"}, plus "group"
  when \a file is a path (a cluster file's entry) rather than a spawn spec's
  program name.
*/
QJsonObject testWorkerEntry(const QString &file, const QString &group, int instances);

//! Events a master printed itself, not forwarded from a child (that also satisfy \a also).
TestProcess::Predicate ownEvents(const TestProcess::Predicate &also = {});
//! Events forwarded from the child \a pid (that also satisfy \a also).
TestProcess::Predicate fromWorker(qint64 pid, const TestProcess::Predicate &also = {});
//! Events whose "data" is the string \a data.
TestProcess::Predicate withData(const QString &data);
//! The pids a clustr-test-worker --master registered and has not deregistered, from its events.
QSet<qint64> registeredPids(const TestProcess &master);

//! True once the process \a pid no longer exists (zombies count as gone).
bool processGone(qint64 pid);
//! True once the process \a pid has ended and been reaped (no zombie left either).
bool processReaped(qint64 pid);
