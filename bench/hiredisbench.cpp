// SPDX-License-Identifier: MIT
// bench-hiredis: the raw baseline of every figure. Plain C++ and hiredis'
// blocking API, no Qt, no event loop: what a hand-written client would do to
// move the same bytes through the same Redis. Each mode mirrors one mode of
// bench-clustr (see bench/run for how they are paired).
//
//   sub            --redis=URL --channel=C --count=N
//   pub            --redis=URL --channel=C --count=N [--size=64] [--window=1000]
//   ping           --redis=URL --peer=PID [--count=20000] [--warmup=1000] [--wake-by-poll [--poll-timeout=MS]]
//   pong           --redis=URL [--wake-by-poll [--poll-timeout=MS]]
//   hotpath        --redis=URL [--count=20000] [--size=64] [--window=1000]
//   startup-master --redis=URL --count=N
//   startup-worker --redis=URL --master=PID     (started by startup-master)
//
// URL: unix:///path/to.sock or redis://host:port.
#include "rawredis.h"

#include <cerrno>
#include <csignal>
#include <string>
#include <vector>

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using Bench::die;
using Bench::nowNs;
using Bench::say;

namespace {

using Bench::opt;
using Bench::optInt;
using Bench::Raw::appendPublish;
using Bench::Raw::flush;
using Bench::Raw::getReply;
using Bench::Raw::isMessage;
using Bench::Raw::parsePing;
using Bench::Raw::privateChannel;
using Bench::Raw::subscribe;

redisContext *connectRedis()
{
    return Bench::Raw::connect(opt("redis", "redis://127.0.0.1:6379"));
}

// --wake-by-poll (a diagnostic, ping and pong): wait for a message as an
// event loop does, in poll() and then read(), instead of in read() itself:
// what one more system call on each hop's way costs (docs/BENCHMARKS.md,
// latency). --poll-timeout=MS gives poll() a timeout as an event loop with a
// timer running does (the kernel then arms a timer for every wait).
bool wakeByPoll = false;

redisReply *awaitMessage(redisContext *c)
{
    if (wakeByPoll) {
        void *reply = nullptr;
        if (redisReaderGetReply(c->reader, &reply) == REDIS_OK && reply)
            return static_cast<redisReply *>(reply);
        pollfd watched{c->fd, POLLIN, 0};
        // On a timeout (0 ready), the read below waits as without the flag.
        static const int timeout = int(optInt("poll-timeout", -1));
        while (::poll(&watched, 1, timeout) < 0) {
            if (errno != EINTR)
                die("poll failed");
        }
    }
    return getReply(c);
}

// Publishes count messages in windows of `window`: append, then read the
// replies, like the pipelining of RedisClient (which writes everything
// queued at once when the socket is writable).
void publishWindows(redisContext *c, const std::string &channel, const std::string &message, long count,
                    long window)
{
    for (long sent = 0; sent < count;) {
        const long batch = std::min(window, count - sent);
        for (long i = 0; i < batch; ++i)
            appendPublish(c, channel, message);
        for (long i = 0; i < batch; ++i) {
            redisReply *reply = getReply(c);
            if (reply->type != REDIS_REPLY_INTEGER)
                die("PUBLISH failed");
            freeReplyObject(reply);
        }
        sent += batch;
    }
}

int sub()
{
    const std::string channel = opt("channel", "group:sink");
    const long count = long(optInt("count", 200000));
    redisContext *c = connectRedis();
    subscribe(c, {channel});
    say("ready %d", int(getpid()));
    long long first = 0;
    for (long received = 0; received < count;) {
        redisReply *reply = getReply(c);
        if (isMessage(reply)) {
            if (received == 0)
                first = nowNs();
            ++received;
        }
        freeReplyObject(reply);
    }
    say("done first=%lld last=%lld count=%ld", first, nowNs(), count);
    redisFree(c);
    return 0;
}

int pub()
{
    const std::string channel = opt("channel", "group:sink");
    const long count = long(optInt("count", 200000));
    const long window = long(optInt("window", 1000));
    const std::string message =
        Bench::payload(long(getpid()), "source", Bench::filler(int(optInt("size", 64))));
    redisContext *c = connectRedis();
    say("start %lld", nowNs());
    publishWindows(c, channel, message, count, window);
    say("sent %lld", nowNs());
    redisFree(c);
    return 0;
}

int pong()
{
    redisContext *pub = connectRedis();
    redisContext *sub = connectRedis();
    const long self = long(getpid());
    subscribe(sub, {privateChannel(self)});
    say("ready %ld", self);
    std::string data;
    bool replyOwed = false;
    for (;;) {
        redisReply *reply = awaitMessage(sub);
        long pid = 0;
        if (isMessage(reply) && parsePing(reply->element[2]->str, reply->element[2]->len, &pid, &data)) {
            appendPublish(pub, privateChannel(pid),
                          "{\"meta\":{\"pid\":" + std::to_string(self) + ",\"group\":\"pong\"},\"data\":" + data + "}");
            flush(pub);
            // The previous answer's PUBLISH reply came long ago: taken now,
            // after this answer is on its way, it costs no wait, where
            // waiting for this one's would be a second wake-up per message.
            if (replyOwed)
                freeReplyObject(getReply(pub));
            replyOwed = true;
        }
        freeReplyObject(reply);
    }
}

int ping()
{
    const long peer = long(optInt("peer", 0));
    const long count = long(optInt("count", 20000));
    const long warmup = long(optInt("warmup", 1000));
    if (peer <= 0)
        die("ping needs --peer=PID");
    redisContext *pub = connectRedis();
    redisContext *sub = connectRedis();
    const long self = long(getpid());
    subscribe(sub, {privateChannel(self)});
    const std::string target = privateChannel(peer);
    const std::string head = "{\"meta\":{\"pid\":" + std::to_string(self) + ",\"group\":\"ping\"},\"data\":";
    std::vector<long long> samples;
    samples.reserve(size_t(count));
    for (long i = 0; i < warmup + count; ++i) {
        const long long start = nowNs();
        appendPublish(pub, target, head + std::to_string(i) + "}");
        flush(pub);
        redisReply *reply = awaitMessage(sub);
        const long long end = nowNs();
        if (!isMessage(reply))
            die("unexpected reply on the subscriber");
        freeReplyObject(reply);
        freeReplyObject(getReply(pub));
        if (i >= warmup)
            samples.push_back(end - start);
    }
    Bench::printLatency(samples);
    return 0;
}

// One process publishes to itself through Redis; under callgrind the loop
// between the two client requests is the per-message cost of hiredis alone.
int hotpath()
{
    const long count = long(optInt("count", 20000));
    const long window = long(optInt("window", 1000));
    const std::string channel = "group:sink";
    const std::string message =
        Bench::payload(long(getpid()), "source", Bench::filler(int(optInt("size", 64))));
    redisContext *pub = connectRedis();
    redisContext *sub = connectRedis();
    subscribe(sub, {channel});
    auto run = [&](long messages) {
        for (long done = 0; done < messages;) {
            const long batch = std::min(window, messages - done);
            publishWindows(pub, channel, message, batch, batch);
            for (long i = 0; i < batch; ++i)
                freeReplyObject(getReply(sub));
            done += batch;
        }
    };
    run(2000); // warm: lazily grown buffers reach their steady size
    BENCH_CALLGRIND_ZERO();
    const long long start = nowNs();
    run(count);
    const long long end = nowNs();
    BENCH_CALLGRIND_DUMP("steady");
    say("hotpath count=%ld ns=%lld", count, end - start);
    redisFree(pub);
    redisFree(sub);
    return 0;
}

// What a Worker does to join, without Qt: two connections, the same six
// subscriptions, then one registration message.
int startupWorker()
{
    const long master = long(optInt("master", 0));
    const long self = long(getpid());
    redisContext *pub = connectRedis();
    redisContext *sub = connectRedis();
    subscribe(sub, {"public", privateChannel(self), "group:minimal", "kill:" + std::to_string(self), "confirmation",
                    "clusterInfo:" + std::to_string(self)});
    appendPublish(pub, "registration:" + std::to_string(master),
                  "{\"meta\":{\"pid\":" + std::to_string(self) + ",\"group\":\"minimal\"},\"data\":\"registration\"}");
    flush(pub);
    freeReplyObject(getReply(pub));
    for (;;)
        freeReplyObject(getReply(sub)); // idle until killed
}

// Spawns N startup-workers and prints "cluster started: N workers" once all
// have registered, like `clustr-qt run`; SIGTERM stops them and exits.
int startupMaster()
{
    const long count = long(optInt("count", 1));
    const long self = long(getpid());
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);

    redisContext *sub = connectRedis();
    subscribe(sub, {"registration:" + std::to_string(self)});
    const std::string masterOption = "--master=" + std::to_string(self);
    const std::string redisOption = std::string("--redis=") + opt("redis", "redis://127.0.0.1:6379");
    std::vector<pid_t> children;
    for (long i = 0; i < count; ++i) {
        const pid_t child = fork();
        if (child < 0)
            die("fork failed");
        if (child == 0) {
            sigprocmask(SIG_UNBLOCK, &stopSignals, nullptr);
            prctl(PR_SET_PDEATHSIG, SIGKILL); // like the library's children
            char *argv[] = {Bench::arguments().second[0], const_cast<char *>("startup-worker"), const_cast<char *>(redisOption.c_str()),
                            const_cast<char *>(masterOption.c_str()), nullptr};
            execv("/proc/self/exe", argv);
            _exit(127);
        }
        children.push_back(child);
    }
    for (long registered = 0; registered < count;) {
        redisReply *reply = getReply(sub);
        if (isMessage(reply))
            ++registered;
        freeReplyObject(reply);
    }
    say("cluster started: %ld workers", count);
    int signal = 0;
    sigwait(&stopSignals, &signal);
    for (pid_t child : children)
        kill(child, SIGTERM);
    for (pid_t child : children)
        waitpid(child, nullptr, 0);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Bench::setArguments(argc, argv);
    const std::string mode = argc > 1 ? argv[1] : "";
    wakeByPoll = Bench::flag(argc, argv, "wake-by-poll");
    if (mode == "sub")
        return sub();
    if (mode == "pub")
        return pub();
    if (mode == "ping")
        return ping();
    if (mode == "pong")
        return pong();
    if (mode == "hotpath")
        return hotpath();
    if (mode == "startup-master")
        return startupMaster();
    if (mode == "startup-worker")
        return startupWorker();
    std::fprintf(stderr, "usage: bench-hiredis sub|pub|ping|pong|hotpath|startup-master --redis=URL ...\n");
    return 2;
}
