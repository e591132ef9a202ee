// SPDX-License-Identifier: MIT
// bench-qtbare: a bare QCoreApplication (Qt Core only) with one blocking
// hiredis connection, idling in its event loop: the least a Qt program that
// talks to Redis is. The memory baseline of an idle worker; with
// --subscribe, the startup figure's bare-Qt baseline and the worker the
// peers' managers (PM2, supervisord) run.
//
//   bench-qtbare --redis=URL [--subscribe=CHANNEL [--announce=CHANNEL]]
//
// URL: unix:///path/to.sock or redis://host:port.
// --subscribe: SUBSCRIBE to CHANNEL and print "subscribed <pid>" once Redis confirmed it.
// --announce: then also PUBLISH "<pid>" on CHANNEL (over a second connection,
//   as a subscribed one may not publish), so a listener on Redis sees every
//   worker become ready whoever started it.
#include "benchcommon.h"

#include <QtCore/QCoreApplication>

#include <hiredis/hiredis.h>

#include <string>
#include <vector>

#include <unistd.h>

namespace {

redisContext *connectTo(const std::string &url)
{
    redisContext *c = nullptr;
    if (url.rfind("unix://", 0) == 0) {
        c = redisConnectUnix(url.substr(7).c_str());
    } else {
        const std::string rest = url.rfind("redis://", 0) == 0 ? url.substr(8) : url;
        const size_t colon = rest.rfind(':');
        c = redisConnect(rest.substr(0, colon).c_str(), colon == std::string::npos ? 6379 : std::atoi(rest.c_str() + colon + 1));
    }
    if (!c || c->err)
        Bench::die(c ? c->errstr : "cannot allocate a redis context");
    return c;
}

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

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const std::string url = Bench::option(argc, argv, "redis", "redis://127.0.0.1:6379");
    const char *subscribe = Bench::option(argc, argv, "subscribe");
    const char *announce = Bench::option(argc, argv, "announce");
    redisContext *c = connectTo(url);
    if (subscribe) {
        command(c, {"SUBSCRIBE", subscribe}); // the reply is Redis' confirmation
        Bench::say("subscribed %d", int(getpid()));
        if (announce) {
            redisContext *publisher = connectTo(url);
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
