// SPDX-License-Identifier: MIT
// libFuzzer target: the Redis URL parser (RedisUrl::parse), which reads URLs
// from the command line, the environment (CLUSTR_REDIS), cluster files and
// the runtime record.
//
// Besides crashes and sanitizer reports it checks what redisurl_p.h
// promises: every refusal says why, and parse(toString(true)) gives back
// what a parsed URL holds.
#include "fuzzcheck.h"

#include "redis/redisurl_p.h"

#include <cstddef>
#include <cstdint>

using Clustr::RedisUrl;

namespace {

bool sameUrl(const RedisUrl &a, const RedisUrl &b)
{
    return a.transport == b.transport && a.host == b.host && a.port == b.port && a.socketPath == b.socketPath
        && a.user == b.user && a.password == b.password && a.database == b.database && a.sentinels == b.sentinels
        && a.masterName == b.masterName && a.sentinelUser == b.sentinelUser && a.sentinelPassword == b.sentinelPassword;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const auto url = RedisUrl::parse(text, &error);
    if (!url) {
        FUZZ_CHECK(!error.isEmpty());
        return 0;
    }
    FUZZ_CHECK(url->port > 0 && url->port <= 65535);
    FUZZ_CHECK(url->database >= 0);
    FUZZ_CHECK(!url->endpoint().isEmpty());

    const QString written = url->toString(true);
    QString againError;
    const auto again = RedisUrl::parse(written, &againError);
    if (!again)
        std::fprintf(stderr, "%s -> %s: %s\n", qPrintable(text), qPrintable(written), qPrintable(againError));
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(sameUrl(*url, *again));
    // Shown in messages and status: never the password.
    const QString shown = url->toString();
    FUZZ_CHECK(url->password.isEmpty() || shown.contains(QLatin1String("***")));
    FUZZ_CHECK(url->sentinelPassword.isEmpty() || shown.contains(QLatin1String("sentinelPassword=***")));
    FUZZ_CHECK(RedisUrl::parse(shown).has_value());
    return 0;
}
