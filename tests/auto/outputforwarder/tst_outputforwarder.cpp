// SPDX-License-Identifier: MIT
#include "supervision/outputforwarder_p.h"

#include <QtCore/QTemporaryFile>
#include <QtTest/QTest>

#include <algorithm>
#include <csignal>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Clustr;

namespace {

// A pipe closed when it goes out of scope.
struct Pipe
{
    int fds[2] = {-1, -1};
    explicit Pipe(int flags = 0) { valid = ::pipe2(fds, flags | O_CLOEXEC) == 0; }
    bool valid = false;
    ~Pipe()
    {
        closeWrite();
        if (fds[0] >= 0)
            ::close(fds[0]);
    }
    void closeWrite()
    {
        if (fds[1] >= 0)
            ::close(fds[1]);
        fds[1] = -1;
    }
    int readEnd() const { return fds[0]; }
    int writeEnd() const { return fds[1]; }
    // Everything until EOF (the write end must be closed everywhere).
    QByteArray readAll() const
    {
        QByteArray data;
        char buffer[65536];
        ssize_t n;
        while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
            if (n > 0)
                data.append(buffer, n);
        }
        return data;
    }
};

// Waits for a forked child to end, within a bound; its wait status, or -1.
int waitForExit(pid_t pid)
{
    int status = -1;
    bool done = false;
    const auto reaped = [&] {
        done = done || ::waitpid(pid, &status, WNOHANG) == pid;
        return done;
    };
    if (!QTest::qWaitFor(reaped, 20000)) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return -1;
    }
    return status;
}

/*
  Forks a reader that copies everything from \a pipe into \a sink until EOF,
  at most \a chunk bytes per read() (small reads leave a writer with
  partial writes); it exits 1 if a write to the sink fails. The pipe's read end is
  made blocking in the child.
*/
pid_t forkDrain(const Pipe &pipe, int sink, size_t chunk)
{
    const pid_t reader = ::fork();
    if (reader != 0)
        return reader;
    ::close(pipe.writeEnd());
    ::fcntl(pipe.readEnd(), F_SETFL, 0);
    char buffer[65536]; // on the stack: no allocation in a forked child
    const size_t size = std::min(chunk, sizeof buffer);
    ssize_t n;
    while ((n = ::read(pipe.readEnd(), buffer, size)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0 && !OutputForwarder::writeAll(sink, QByteArray::fromRawData(buffer, n)))
            ::_exit(1);
    }
    ::_exit(0);
}

} // namespace

class tst_OutputForwarder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void prefix();
    void writesLinesToTheirChannel();
    void saysWhenALineCouldNotBeWritten();
    void logger();
    void concurrentWritersNeverSplitALine();
    void writeAllCompletesPartialWrites();
    void writeAllGivesUpOnAFullPipe();
};

void tst_OutputForwarder::prefix()
{
    OutputForwarder forwarder;
    QCOMPARE(forwarder.pattern(), QStringLiteral("[%group% %pid%] "));
    QCOMPARE(forwarder.prefix(QStringLiteral("web"), 42), QByteArray("[web 42] "));
    forwarder.setPattern(QStringLiteral("%pid%@%group%: %group%| "));
    QCOMPARE(forwarder.prefix(QStringLiteral("café"), 7), QByteArray("7@café: café| "));
    forwarder.setPattern(QString());
    QCOMPARE(forwarder.prefix(QStringLiteral("web"), 42), QByteArray());
}

void tst_OutputForwarder::writesLinesToTheirChannel()
{
    Pipe out;
    Pipe err;
    OutputForwarder forwarder;
    forwarder.setFileDescriptors(out.writeEnd(), err.writeEnd());
    forwarder.forward(QStringLiteral("web"), 42, "listening", false);
    forwarder.forward(QStringLiteral("web"), 42, "oops", true);
    forwarder.forward(QStringLiteral("cache"), 7, "", false);
    forwarder.setPattern(QString());
    forwarder.forward(QStringLiteral("cache"), 7, "raw", false);
    out.closeWrite();
    err.closeWrite();
    QCOMPARE(out.readAll(), QByteArray("[web 42] listening\n[cache 7] \nraw\n"));
    QCOMPARE(err.readAll(), QByteArray("[web 42] oops\n"));
}

void tst_OutputForwarder::saysWhenALineCouldNotBeWritten()
{
    // Our output on a full disk (/dev/full: every write fails with ENOSPC):
    // the supervisor counts such lines for the child.
    const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
    QVERIFY(full >= 0);
    Pipe out;
    OutputForwarder forwarder;
    forwarder.setFileDescriptors(out.writeEnd(), full);
    QVERIFY(forwarder.forward(QStringLiteral("web"), 42, "written", false));
    QVERIFY(!forwarder.forward(QStringLiteral("web"), 42, "lost", true));
    ::close(full);
    out.closeWrite();
    QCOMPARE(out.readAll(), QByteArray("[web 42] written\n"));
}

void tst_OutputForwarder::logger()
{
    struct Entry
    {
        QtMsgType type;
        QString category;
        QString text;
    };
    QList<Entry> entries;
    Pipe out;
    OutputForwarder forwarder;
    forwarder.setFileDescriptors(out.writeEnd(), out.writeEnd());
    forwarder.setLogger([&](QtMsgType type, const QString &category, const QString &text) {
        entries.append({type, category, text});
    });
    forwarder.forward(QStringLiteral("web"), 42, "hello", false);
    forwarder.forward(QStringLiteral("web"), 42, "bad", true);
    QCOMPARE(entries.size(), 2);
    QCOMPARE(entries.at(0).type, QtInfoMsg);
    QCOMPARE(entries.at(0).category, QStringLiteral("clustr.child"));
    QCOMPARE(entries.at(0).text, QStringLiteral("[web 42] hello"));
    QCOMPARE(entries.at(1).type, QtWarningMsg);
    QCOMPARE(entries.at(1).text, QStringLiteral("[web 42] bad"));
    // Nothing went to the descriptors.
    out.closeWrite();
    QCOMPARE(out.readAll(), QByteArray());
}

void tst_OutputForwarder::concurrentWritersNeverSplitALine()
{
    // Several processes forward into one pipe at once, as a master and the
    // workers it shares its stdout with do. Each line goes out in one write(),
    // so none is cut by another's.
    constexpr int Writers = 4;
    constexpr int Lines = 300;
    Pipe pipe;
    QVERIFY(pipe.valid);
    QTemporaryFile sink;
    QVERIFY(sink.open());

    // The reader drains into a file while the writers write, so they contend on a live pipe.
    const pid_t reader = forkDrain(pipe, sink.handle(), 65536);
    QVERIFY(reader >= 0);
    QList<pid_t> writers;
    for (int w = 0; w < Writers; ++w) {
        const pid_t pid = ::fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            OutputForwarder forwarder;
            forwarder.setFileDescriptors(pipe.writeEnd(), pipe.writeEnd());
            const QByteArray body(1000 + w * 500, char('a' + w));
            for (int i = 0; i < Lines; ++i)
                forwarder.forward(QStringLiteral("w%1").arg(w), 100 + w, body, false);
            ::_exit(0);
        }
        writers.append(pid);
    }
    pipe.closeWrite();
    for (pid_t pid : std::as_const(writers)) {
        const int status = waitForExit(pid);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    const int status = waitForExit(reader);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    sink.seek(0);
    const QList<QByteArray> lines = sink.readAll().split('\n');
    QCOMPARE(lines.size(), Writers * Lines + 1);
    QVERIFY(lines.last().isEmpty());
    QList<int> counts(Writers, 0);
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const int w = line.mid(2, 1).toInt();
        const QByteArray expected = "[w" + QByteArray::number(w) + ' ' + QByteArray::number(100 + w) + "] "
            + QByteArray(1000 + w * 500, char('a' + w));
        QCOMPARE(line, expected);
        ++counts[w];
    }
    QCOMPARE(counts, QList<int>(Writers, Lines));
}

void tst_OutputForwarder::writeAllCompletesPartialWrites()
{
    // Non-blocking, 16x the pipe's capacity: writes come back partial and
    // with EAGAIN until the reader (a child) has made room.
    Pipe pipe(O_NONBLOCK);
    QVERIFY(pipe.valid);
    const QByteArray data = [] {
        QByteArray d;
        for (int i = 0; d.size() < 1024 * 1024; ++i)
            d += QByteArray::number(i) + ',';
        return d;
    }();
    QTemporaryFile sink;
    QVERIFY(sink.open());
    const pid_t reader = forkDrain(pipe, sink.handle(), 4096); // small reads: many partial writes on this side
    QVERIFY(reader >= 0);
    QVERIFY(OutputForwarder::writeAll(pipe.writeEnd(), data));
    pipe.closeWrite();
    const int status = waitForExit(reader);
    QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sink.seek(0);
    QCOMPARE(sink.readAll(), data);
}

void tst_OutputForwarder::writeAllGivesUpOnAFullPipe()
{
    // Nobody reads: after filling the pipe it waits a second, then reports failure instead of hanging.
    Pipe pipe(O_NONBLOCK);
    QVERIFY(!OutputForwarder::writeAll(pipe.writeEnd(), QByteArray(1024 * 1024, 'x')));
    // A closed reader is a plain failure (EPIPE, with SIGPIPE ignored as a daemon would).
    Pipe closed;
    ::close(closed.fds[0]);
    closed.fds[0] = -1;
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction old = {};
    sigaction(SIGPIPE, &ignore, &old);
    QVERIFY(!OutputForwarder::writeAll(closed.writeEnd(), "x"));
    sigaction(SIGPIPE, &old, nullptr);
}

QTEST_GUILESS_MAIN(tst_OutputForwarder)
#include "tst_outputforwarder.moc"
