// SPDX-License-Identifier: MIT
// The blocking hiredis calls the raw baselines share (bench-hiredis, and
// bench-qtbare's ping-pong): what a hand-written client does, no more.
#pragma once

#include "benchcommon.h"

#include <hiredis/hiredis.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace Bench::Raw {

//! A blocking connection to \a url (unix:///path/to.sock or redis://host:port).
inline redisContext *connect(const std::string &url)
{
    redisContext *c = nullptr;
    if (url.rfind("unix://", 0) == 0) {
        c = redisConnectUnix(url.substr(7).c_str());
    } else if (url.rfind("redis://", 0) == 0) {
        const std::string rest = url.substr(8);
        const size_t colon = rest.rfind(':');
        const std::string host = colon == std::string::npos ? rest : rest.substr(0, colon);
        const int port = colon == std::string::npos ? 6379 : std::atoi(rest.c_str() + colon + 1);
        c = redisConnect(host.c_str(), port);
    } else {
        die("--redis must be unix:///path or redis://host:port");
    }
    if (!c || c->err)
        die(c ? c->errstr : "cannot allocate a redis context");
    return c;
}

//! The next reply, waiting for it; the end of the process if none can come.
inline redisReply *getReply(redisContext *c)
{
    void *reply = nullptr;
    if (redisGetReply(c, &reply) != REDIS_OK || !reply)
        die(c->errstr[0] ? c->errstr : "connection lost");
    return static_cast<redisReply *>(reply);
}

inline void appendPublish(redisContext *c, const std::string &channel, const std::string &message)
{
    const char *argv[] = {"PUBLISH", channel.c_str(), message.c_str()};
    const size_t lengths[] = {7, channel.size(), message.size()};
    redisAppendCommandArgv(c, 3, argv, lengths);
}

//! Writes everything appended, waiting for the socket as long as it takes.
inline void flush(redisContext *c)
{
    int done = 0;
    while (!done) {
        if (redisBufferWrite(c, &done) != REDIS_OK)
            die(c->errstr);
    }
}

inline bool isMessage(const redisReply *reply)
{
    return reply->type == REDIS_REPLY_ARRAY && reply->elements == 3;
}

inline void subscribe(redisContext *c, const std::vector<std::string> &channels)
{
    std::vector<const char *> argv{"SUBSCRIBE"};
    std::vector<size_t> lengths{9};
    for (const std::string &channel : channels) {
        argv.push_back(channel.c_str());
        lengths.push_back(channel.size());
    }
    redisAppendCommandArgv(c, int(argv.size()), argv.data(), lengths.data());
    // One confirmation per channel: only then can nobody message us unheard.
    for (size_t i = 0; i < channels.size(); ++i)
        freeReplyObject(getReply(c));
}

// Where to answer and what: the sender's pid and the raw `data` of a payload
// written like {"meta":{"pid":P,...},"data":D}. A raw client has to look at
// the payload too, if only this much.
inline bool parsePing(const char *text, size_t length, long *pid, std::string *data)
{
    const char *pidAt = std::strstr(text, "\"pid\":");
    const char *dataAt = std::strstr(text, "\"data\":");
    if (!pidAt || !dataAt || text[length - 1] != '}')
        return false;
    *pid = std::strtol(pidAt + 6, nullptr, 10);
    data->assign(dataAt + 7, size_t(text + length - 1 - (dataAt + 7)));
    return *pid > 0;
}

inline std::string privateChannel(long pid)
{
    return "private:" + std::to_string(pid);
}

} // namespace Bench::Raw
