// SPDX-License-Identifier: MIT
// What every bench program shares: the clock, options, the payload and the
// way results are printed. Plain C++ (the hiredis baseline has no Qt).
#pragma once

#include <time.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <string>
#include <vector>

#ifdef CLUSTR_BENCH_HAVE_CALLGRIND
#  include <valgrind/callgrind.h>
// The steady state of a hot-path loop, and nothing of start-up or teardown,
// lands in its own callgrind dump (callgrind.out.<pid>.1).
#  define BENCH_CALLGRIND_ZERO() CALLGRIND_ZERO_STATS
#  define BENCH_CALLGRIND_DUMP(name) CALLGRIND_DUMP_STATS_AT(name)
#else
#  define BENCH_CALLGRIND_ZERO() do { } while (false)
#  define BENCH_CALLGRIND_DUMP(name) do { } while (false)
#endif

namespace Bench {

// CLOCK_MONOTONIC is one clock for every process of the machine, so a start
// taken by a publisher and an end taken by a subscriber can be subtracted.
inline long long nowNs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

//! The value of `--key=value`, or \a fallback.
inline const char *option(int argc, char **argv, const char *key, const char *fallback = nullptr)
{
    const size_t length = std::strlen(key);
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--", 2) == 0 && std::strncmp(argv[i] + 2, key, length) == 0
            && argv[i][2 + length] == '=')
            return argv[i] + 3 + length;
    }
    return fallback;
}

//! Whether the flag `--key` is given.
inline bool flag(int argc, char **argv, const char *key)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--", 2) == 0 && std::strcmp(argv[i] + 2, key) == 0)
            return true;
    }
    return false;
}

inline long long optionInt(int argc, char **argv, const char *key, long long fallback)
{
    const char *value = option(argc, argv, key);
    return value ? std::atoll(value) : fallback;
}

//! The program's own arguments, for opt() and optInt(); set once in main().
inline std::pair<int, char **> &arguments()
{
    static std::pair<int, char **> args{0, nullptr};
    return args;
}

inline void setArguments(int argc, char **argv)
{
    arguments() = {argc, argv};
}

//! option() and optionInt() on the program's own arguments.
inline const char *opt(const char *key, const char *fallback = nullptr)
{
    return option(arguments().first, arguments().second, key, fallback);
}

inline long long optInt(const char *key, long long fallback)
{
    return optionInt(arguments().first, arguments().second, key, fallback);
}

//! The data of a throughput message: \a size printable bytes that JSON needs not escape.
inline std::string filler(int size)
{
    std::string text;
    text.reserve(size_t(size));
    for (int i = 0; i < size; ++i)
        text += char('a' + i % 26);
    return text;
}

//! The payload clustr-qt writes for a string \a data (docs/PROTOCOL.md, section 1),
//! so the baseline pushes exactly the same bytes through Redis.
inline std::string payload(long pid, const char *group, const std::string &data)
{
    return "{\"meta\":{\"pid\":" + std::to_string(pid) + ",\"group\":\"" + group + "\"},\"data\":\"" + data
        + "\"}";
}

//! One line on stdout, flushed at once: bench/run reads lines as they come.
inline void say(const char *format, ...) __attribute__((format(printf, 1, 2)));
inline void say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    std::vfprintf(stdout, format, args);
    va_end(args);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

[[noreturn]] inline void die(const char *what)
{
    std::fprintf(stderr, "bench: %s\n", what);
    std::exit(1);
}

//! Prints `latency n=… min=… p50=… p90=… p99=… max=… mean=…` (nanoseconds).
inline void printLatency(std::vector<long long> samples)
{
    if (samples.empty())
        die("no latency samples");
    std::sort(samples.begin(), samples.end());
    auto at = [&samples](double q) {
        const size_t index = std::min(samples.size() - 1, size_t(q * double(samples.size())));
        return samples[index];
    };
    long double sum = 0;
    for (long long s : samples)
        sum += s;
    say("latency n=%zu min=%lld p50=%lld p90=%lld p99=%lld max=%lld mean=%lld", samples.size(), samples.front(),
        at(0.50), at(0.90), at(0.99), samples.back(), (long long)(sum / samples.size()));
}

} // namespace Bench
