// SPDX-License-Identifier: MIT
// bench-qtbare: the memory baseline of an idle worker. A bare
// QCoreApplication (Qt Core only) with one blocking hiredis connection,
// idling in its event loop: the least a Qt program that talks to Redis is.
//
//   bench-qtbare --redis=URL      URL: unix:///path/to.sock or redis://host:port
#include "benchcommon.h"

#include <QtCore/QCoreApplication>

#include <hiredis/hiredis.h>

#include <string>

#include <unistd.h>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const std::string url = Bench::option(argc, argv, "redis", "redis://127.0.0.1:6379");
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
    auto *reply = static_cast<redisReply *>(redisCommand(c, "PING"));
    if (!reply)
        Bench::die(c->errstr);
    freeReplyObject(reply);
    Bench::say("ready %d", int(getpid()));
    const int code = app.exec();
    redisFree(c);
    return code;
}
