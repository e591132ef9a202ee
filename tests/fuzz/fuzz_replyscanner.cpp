// SPDX-License-Identifier: MIT
// libFuzzer target: the ReplyScanner, which reads every byte a Redis server
// (or anything that answers on its address) sends before hiredis does.
//
// Besides crashes and sanitizer reports it checks that the adapter's way of
// reading a subscribed connection (a whole `message` handed over past the
// scanner, everything else through feedReply(), reply by reply) passes
// hiredis and the message sink exactly what feed() alone passes, and fails
// where feed() fails: the fast way changes what is read, never what is
// accepted. The first byte of the input picks the limits and whether the
// connection is subscribed.
#include "fuzzcheck.h"

#include "redis/replyscanner_p.h"

#include <QtCore/QByteArray>

#include <cstddef>
#include <cstdint>

using Clustr::ReplyScanner;

namespace {

void append(void *context, const char *data, qsizetype size)
{
    static_cast<QByteArray *>(context)->append(data, size);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const unsigned choice = data[0];
    const char *input = reinterpret_cast<const char *>(data + 1);
    const auto length = qsizetype(size - 1);
    const bool subscribed = choice & 1;
    ReplyScanner::Limits limits;
    if (choice & 2)
        limits.messageSize = 8;
    if (choice & 4)
        limits.replySize = 64;
    if (choice & 8)
        limits.replyElements = 4;

    ReplyScanner whole;
    whole.setLimits(limits);
    QByteArray passed;
    const bool ok = whole.feed(input, length, subscribed, &append, &passed);
    if (!ok)
        FUZZ_CHECK(!whole.error().isEmpty());

    ReplyScanner adapter;
    adapter.setLimits(limits);
    QByteArray seen; // what went to hiredis, and the messages handed over, in their order
    bool adapterOk = true;
    for (qsizetype at = 0; at < length && adapterOk;) {
        ReplyScanner::Message message;
        const qsizetype taken = subscribed && adapter.atReplyBoundary() ? adapter.wholeMessage(input + at, length - at, &message) : 0;
        if (taken > 0) {
            FUZZ_CHECK(taken <= length - at);
            FUZZ_CHECK(message.channel >= input + at && message.channel + message.channelSize <= input + at + taken);
            FUZZ_CHECK(message.payload > message.channel && message.payload + message.payloadSize <= input + at + taken);
            FUZZ_CHECK(message.payloadSize <= limits.messageSize);
            // What feed() makes of the same bytes: all of them, unchanged, one whole reply.
            ReplyScanner alone;
            alone.setLimits(limits);
            QByteArray once;
            FUZZ_CHECK(alone.feed(input + at, taken, true, &append, &once));
            FUZZ_CHECK(once == QByteArray(input + at, taken));
            FUZZ_CHECK(alone.atReplyBoundary());
            seen.append(input + at, taken);
            at += taken;
            continue;
        }
        qsizetype consumed = 0;
        adapterOk = adapter.feedReply(input + at, length - at, subscribed, &append, &seen, &consumed);
        if (adapterOk) {
            FUZZ_CHECK(consumed > 0 && consumed <= length - at);
            FUZZ_CHECK(consumed == length - at || adapter.atReplyBoundary());
            at += consumed;
        }
    }
    FUZZ_CHECK(adapterOk == ok);
    if (ok)
        FUZZ_CHECK(seen == passed);
    else
        FUZZ_CHECK(adapter.error() == whole.error());
    return 0;
}
