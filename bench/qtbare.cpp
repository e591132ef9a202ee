// SPDX-License-Identifier: MIT
// bench-qtbare: a bare QCoreApplication (Qt Core only) with one blocking
// hiredis connection, idling in its event loop: the least a Qt program that
// talks to Redis is. The memory baseline of an idle worker; with
// --subscribe, the startup figure's bare-Qt baseline and the worker the
// peers' managers (PM2, supervisord) run.
//
//   bench-qtbare --redis=URL [--subscribe=CHANNEL [--announce=CHANNEL]]
//   bench-qtbare --redis=URL --pong
//   bench-qtbare --redis=URL --ping=PID [--count=20000] [--warmup=1000]
//
// URL: unix:///path/to.sock or redis://host:port.
// --subscribe: SUBSCRIBE to CHANNEL and print "subscribed <pid>" once Redis confirmed it.
// --announce: then also PUBLISH "<pid>" on CHANNEL (over a second connection,
//   as a subscribed one may not publish), so a listener on Redis sees every
//   worker become ready whoever started it.
// --pong, --ping (a diagnostic, bench/run --latency-baseline=qt): bench-hiredis'
//   ping-pong woken by Qt's event loop, a QSocketNotifier on the subscribing
//   connection, blocking hiredis for the rest: what Qt's loop costs each hop
//   before any clustr-qt code runs.
#include "rawredis.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QSocketNotifier>

#include <string>
#include <vector>

#include <unistd.h>

namespace {

using Bench::Raw::connect;

//! Runs one command and checks that Redis answered it without an error.
void command(redisContext *c, const std::vector<std::string> &words)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    for (const std::string &word : words) {
        argv.push_back(word.c_str());
        lengths.push_back(word.size());
    }
    auto *reply = static_cast<redisReply *>(redisCommandArgv(c, int(argv.size()), argv.data(), lengths.data()));
    if (!reply)
        Bench::die(c->errstr);
    if (reply->type == REDIS_REPLY_ERROR)
        Bench::die(reply->str);
    freeReplyObject(reply);
}

//! --ping=PID times round trips to a --pong; a --pong answers each message.
int pingPong(QCoreApplication &app, const std::string &url, long peer)
{
    namespace Raw = Bench::Raw;
    redisContext *pub = connect(url);
    redisContext *sub = connect(url);
    const long self = long(getpid());
    Raw::subscribe(sub, {Raw::privateChannel(self)});
    const long count = long(Bench::optInt("count", 20000));
    const long warmup = long(Bench::optInt("warmup", 1000));
    const std::string head = "{\"meta\":{\"pid\":" + std::to_string(self) + ",\"group\":\""
        + (peer > 0 ? "ping" : "pong") + "\"},\"data\":";
    std::vector<long long> samples;
    samples.reserve(size_t(count));
    long sent = 0;
    long long start = 0;
    bool replyOwed = false;
    std::string data;
    const std::string target = Raw::privateChannel(peer);
    auto ping = [&] {
        start = Bench::nowNs();
        Raw::appendPublish(pub, target, head + std::to_string(sent) + "}");
        Raw::flush(pub);
    };
    // As bench-hiredis' ping and pong, but woken by the event loop: one
    // read, then every whole reply it brought.
    auto handle = [&](redisReply *reply) {
        long pid = 0;
        if (peer <= 0) {
            if (Raw::isMessage(reply) && Raw::parsePing(reply->element[2]->str, reply->element[2]->len, &pid, &data)) {
                Raw::appendPublish(pub, Raw::privateChannel(pid), head + data + "}");
                Raw::flush(pub);
                if (replyOwed)
                    freeReplyObject(Raw::getReply(pub));
                replyOwed = true;
            }
            return;
        }
        const long long end = Bench::nowNs();
        if (!Raw::isMessage(reply))
            Bench::die("unexpected reply on the subscriber");
        freeReplyObject(Raw::getReply(pub));
        if (sent >= warmup)
            samples.push_back(end - start);
        if (++sent < warmup + count)
            ping();
        else
            app.quit();
    };
    QSocketNotifier notifier(sub->fd, QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &notifier, [&] {
        if (redisBufferRead(sub) != REDIS_OK)
            Bench::die(sub->errstr[0] ? sub->errstr : "connection lost");
        void *reply = nullptr;
        while (redisReaderGetReply(sub->reader, &reply) == REDIS_OK && reply) {
            handle(static_cast<redisReply *>(reply));
            freeReplyObject(reply);
            reply = nullptr;
        }
    });
    if (peer > 0)
        ping();
    else
        Bench::say("ready %ld", self);
    const int code = app.exec();
    if (peer > 0)
        Bench::printLatency(samples);
    redisFree(sub);
    redisFree(pub);
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Bench::setArguments(argc, argv);
    const std::string url = Bench::option(argc, argv, "redis", "redis://127.0.0.1:6379");
    if (Bench::flag(argc, argv, "pong") || Bench::option(argc, argv, "ping"))
        return pingPong(app, url, long(Bench::optInt("ping", 0)));
    const char *subscribe = Bench::option(argc, argv, "subscribe");
    const char *announce = Bench::option(argc, argv, "announce");
    redisContext *c = connect(url);
    if (subscribe) {
        command(c, {"SUBSCRIBE", subscribe}); // the reply is Redis' confirmation
        Bench::say("subscribed %d", int(getpid()));
        if (announce) {
            redisContext *publisher = connect(url);
            command(publisher, {"PUBLISH", announce, std::to_string(getpid())});
            redisFree(publisher);
        }
    } else {
        command(c, {"PING"});
        Bench::say("ready %d", int(getpid()));
    }
    const int code = app.exec();
    redisFree(c);
    return code;
}
