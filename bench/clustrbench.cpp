// SPDX-License-Identifier: MIT
// bench-clustr: the clustr-qt side of each figure, written with
// Clustr::Worker the way an application would use it. Every mode mirrors
// the mode of the same name of bench-hiredis and prints the same lines.
//
//   sub     --cluster-redis=URL [--group=sink] --count=N [--private]
//   pub     --cluster-redis=URL [--target=sink | --peer=PID] --count=N [--size=64] [--window=1000]
//           (--private / --peer: private messages to one process, the
//           channel sharded on a Redis Cluster, instead of group messages)
//   ping    --cluster-redis=URL --peer=PID [--count=20000] [--warmup=1000] [--no-publish-replies]
//   pong    --cluster-redis=URL [--no-publish-replies]
//   hotpath --cluster-redis=URL [--count=20000] [--size=64] [--window=1000]
//   tick    --cluster-redis=URL [--target=sink | --peers=PID,PID…] --count=N [--interval-ms=1]
//           (failover: numbered messages at a pace, to a group or privately to each peer)
//   tock    --cluster-redis=URL [--group=sink] --count=N [--private]        (failover: what arrives, and the gaps)
#include "benchcommon.h"

#include <ClustrQt/redisclient.h>
#include <ClustrQt/worker.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonValue>
#include <QtCore/QTimer>

#include <vector>

using Bench::nowNs;
using Bench::say;

namespace {

using Bench::opt;
using Bench::optInt;

QString optString(const char *key, const char *fallback)
{
    return QString::fromUtf8(opt(key, fallback));
}

void checkValid(const Clustr::Worker &worker)
{
    if (!worker.isValid())
        Bench::die(worker.errorString().toUtf8().constData());
}

// Prints "ready <pid>" the first time the worker can send and hear.
void announceReady(Clustr::Worker *worker)
{
    QObject::connect(worker, &Clustr::Process::connectedChanged, worker, [worker](bool connected) {
        if (connected)
            say("ready %lld", worker->pid());
    }, Qt::SingleShotConnection);
}

int sub(QCoreApplication &app)
{
    const long count = long(optInt("count", 200000));
    Clustr::Worker worker(optString("group", "sink"));
    checkValid(worker);
    announceReady(&worker);
    long received = 0;
    long long first = 0;
    const auto counted = [&](const Clustr::Message &) {
        if (received == 0)
            first = nowNs();
        if (++received == count) {
            say("done first=%lld last=%lld count=%ld", first, nowNs(), count);
            worker.close(0);
        }
    };
    if (Bench::flag(Bench::arguments().first, Bench::arguments().second, "private"))
        QObject::connect(&worker, &Clustr::Process::privateMessageReceived, &worker, counted);
    else
        QObject::connect(&worker, &Clustr::Process::groupMessageReceived, &worker, counted);
    return app.exec();
}

int pub(QCoreApplication &app)
{
    const long count = long(optInt("count", 200000));
    const long window = long(optInt("window", 1000));
    const QString target = optString("target", "sink");
    const qint64 peer = optInt("peer", 0);
    const QJsonValue data(QString::fromStdString(Bench::filler(int(optInt("size", 64)))));
    Clustr::Worker worker(QStringLiteral("source"));
    checkValid(worker);

    // Windows of `window` messages, the next once Redis has answered the
    // last: the baseline's flow control, and what keeps a fast publisher
    // from piling up megabytes in its own output buffer.
    long sent = 0;
    auto pump = [&] {
        if (sent >= count) {
            say("sent %lld", nowNs());
            worker.close(0);
            return;
        }
        const long batch = std::min(window, count - sent);
        for (long i = 0; i < batch; ++i) {
            if (peer > 0)
                worker.emitPrivate(peer, data);
            else
                worker.emitGroup(target, data);
        }
        sent += batch;
    };
    bool started = false;
    QObject::connect(worker.publisher(), &Clustr::RedisClient::drained, &worker, [&] {
        if (started)
            pump();
    }, Qt::QueuedConnection);
    QObject::connect(&worker, &Clustr::Process::connectedChanged, &worker, [&](bool connected) {
        if (!connected || started)
            return;
        started = true;
        say("start %lld", nowNs());
        pump();
    });
    return app.exec();
}

// --no-publish-replies (a diagnostic, bench/run --no-publish-replies): Redis
// stops answering this worker's PUBLISHes, so it is not woken up for the
// answers. The commands sent with callbacks on that connection then wait
// for good: fine for the length of a ping-pong, nothing else.
void replyLess(Clustr::Worker *worker)
{
    if (!Bench::flag(Bench::arguments().first, Bench::arguments().second, "no-publish-replies"))
        return;
    QObject::connect(worker, &Clustr::Process::connectedChanged, worker, [worker](bool connected) {
        if (connected)
            worker->publisher()->command({"CLIENT", "REPLY", "OFF"});
    }, Qt::SingleShotConnection);
}

int pong(QCoreApplication &app)
{
    Clustr::Worker worker(QStringLiteral("pong"));
    checkValid(worker);
    replyLess(&worker);
    announceReady(&worker);
    QObject::connect(&worker, &Clustr::Process::privateMessageReceived, &worker,
                     [&worker](const Clustr::Message &message) { worker.emitPrivate(message.pid(), message.data()); });
    return app.exec();
}

int ping(QCoreApplication &app)
{
    const qint64 peer = optInt("peer", 0);
    const long count = long(optInt("count", 20000));
    const long warmup = long(optInt("warmup", 1000));
    if (peer <= 0)
        Bench::die("ping needs --peer=PID");
    Clustr::Worker worker(QStringLiteral("ping"));
    checkValid(worker);
    replyLess(&worker);
    std::vector<long long> samples;
    samples.reserve(size_t(count));
    long i = 0;
    long long start = 0;
    auto send = [&] {
        start = nowNs();
        worker.emitPrivate(peer, qint64(i));
    };
    QObject::connect(&worker, &Clustr::Process::privateMessageReceived, &worker, [&](const Clustr::Message &) {
        const long long end = nowNs();
        if (i >= warmup)
            samples.push_back(end - start);
        if (++i < warmup + count) {
            send();
            return;
        }
        Bench::printLatency(samples);
        worker.close(0);
    });
    QObject::connect(&worker, &Clustr::Process::connectedChanged, &worker, [&](bool connected) {
        if (connected)
            send();
    }, Qt::SingleShotConnection);
    return app.exec();
}

// Both ends in one process, through Redis: under callgrind the loop between
// the two client requests is the whole per-message cost of the library
// (encode, publish, hiredis, dispatch, decode, signals), send and receive.
int hotpath(QCoreApplication &app)
{
    const long count = long(optInt("count", 20000));
    const long window = long(optInt("window", 1000));
    constexpr long Warmup = 2000;
    Clustr::ProcessOptions options;
    options.setRedisUrl(optString("cluster-redis", "redis://127.0.0.1:6379"));
    options.setArguments({QCoreApplication::applicationFilePath()}); // not our bench options
    options.setExitApplication(false);
    Clustr::Worker sink(QStringLiteral("sink"), options);
    Clustr::Worker source(QStringLiteral("source"), options);
    checkValid(sink);
    checkValid(source);
    const QString target = QStringLiteral("sink");
    const QJsonValue data(QString::fromStdString(Bench::filler(int(optInt("size", 64)))));

    long sent = 0;
    long received = 0;
    long long start = 0;
    // Like the baseline: a window is published, then received, then the next.
    auto sendWindow = [&] {
        const long end = Warmup + count;
        const long batch = std::min(window, end - sent);
        for (long i = 0; i < batch; ++i)
            source.emitGroup(target, data);
        sent += batch;
    };
    QObject::connect(&sink, &Clustr::Process::groupMessageReceived, &sink, [&](const Clustr::Message &) {
        ++received;
        if (received == Warmup) {
            BENCH_CALLGRIND_ZERO();
            start = nowNs();
        }
        if (received == Warmup + count) {
            const long long end = nowNs();
            BENCH_CALLGRIND_DUMP("steady");
            say("hotpath count=%ld ns=%lld", count, end - start);
            QCoreApplication::quit();
            return;
        }
        if (received == sent)
            QMetaObject::invokeMethod(&source, sendWindow, Qt::QueuedConnection);
    });
    int connected = 0;
    auto onConnected = [&](bool isConnected) {
        if (isConnected && ++connected == 2)
            sendWindow();
    };
    QObject::connect(&sink, &Clustr::Process::connectedChanged, &sink, onConnected);
    QObject::connect(&source, &Clustr::Process::connectedChanged, &source, onConnected);
    return app.exec();
}

// The failover figure's publisher: message i carries i, one every
// --interval-ms, whatever happens to Redis meanwhile (while the connection
// is down they queue in the client, which sends them after the reconnect).
int tick(QCoreApplication &app)
{
    const long count = long(optInt("count", 10000));
    const QString target = optString("target", "sink");
    std::vector<qint64> peers;
    for (const QByteArray &pid : QByteArray(opt("peers", "")).split(','))
        if (pid.toLongLong() > 0)
            peers.push_back(pid.toLongLong());
    Clustr::Worker worker(QStringLiteral("tick"));
    checkValid(worker);
    long sent = 0;
    QTimer pace;
    pace.setInterval(int(optInt("interval-ms", 1)));
    QObject::connect(&pace, &QTimer::timeout, &worker, [&] {
        if (peers.empty())
            worker.emitGroup(target, qint64(sent));
        for (const qint64 peer : peers)
            worker.emitPrivate(peer, qint64(sent));
        if (++sent == count) {
            pace.stop();
            say("sent %lld", nowNs());
        }
    });
    QObject::connect(&worker, &Clustr::Process::connectedChanged, &worker, [&](bool connected) {
        if (connected && !pace.isActive() && sent == 0) {
            say("start %lld", nowNs());
            pace.start();
        }
    });
    return app.exec();
}

// The failover figure's subscriber: says when it (re)connects, the first
// message after each reconnect, and every gap in the numbers (messages
// lost); done once the last number arrived.
int tock(QCoreApplication &app)
{
    const long count = long(optInt("count", 10000));
    Clustr::Worker worker(optString("group", "sink"));
    checkValid(worker);
    long long last = -1;
    long received = 0;
    bool reconnected = false;
    QObject::connect(&worker, &Clustr::Process::connectedChanged, &worker, [&](bool connected) {
        say("%s %lld %lld", connected ? "connected" : "disconnected", worker.pid(), nowNs());
        reconnected = connected;
    });
    const auto counted = [&](const Clustr::Message &message) {
        const long long number = message.data().toInteger(-1);
        const long long at = nowNs();
        ++received;
        if (reconnected) {
            reconnected = false;
            say("first %lld %lld", number, at);
        }
        if (number != last + 1)
            say("gap %lld %lld %lld", last, number, at);
        last = std::max(last, number);
        if (number == count - 1) {
            say("done received=%ld", received);
            worker.close(0);
        }
    };
    if (Bench::flag(Bench::arguments().first, Bench::arguments().second, "private"))
        QObject::connect(&worker, &Clustr::Process::privateMessageReceived, &worker, counted);
    else
        QObject::connect(&worker, &Clustr::Process::groupMessageReceived, &worker, counted);
    return app.exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Bench::setArguments(argc, argv);
    const QByteArray mode = argc > 1 ? QByteArray(argv[1]) : QByteArray();
    if (mode == "sub")
        return sub(app);
    if (mode == "pub")
        return pub(app);
    if (mode == "ping")
        return ping(app);
    if (mode == "pong")
        return pong(app);
    if (mode == "hotpath")
        return hotpath(app);
    if (mode == "tick")
        return tick(app);
    if (mode == "tock")
        return tock(app);
    std::fprintf(stderr, "usage: bench-clustr sub|pub|ping|pong|hotpath|tick|tock --cluster-redis=URL ...\n");
    return 2;
}
