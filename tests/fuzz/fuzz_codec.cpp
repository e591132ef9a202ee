// SPDX-License-Identifier: MIT
// libFuzzer target: the message envelope, as every subscriber decodes every
// payload it hears (Protocol::Codec::decode), and the checks a decoded
// message's data goes through next (kill exit codes, cluster-info answers).
//
// Besides crashes and sanitizer reports it checks what codec.cpp promises:
// - the hand-written fast path accepts and decodes exactly what the general
//   path (QJsonDocument) does: a leading space, which JSON allows, always
//   takes the general path, so both must agree;
// - what decode() accepts, encode() writes back into a payload that decodes
//   to the same message, and encoding that again gives the same bytes.
#include "fuzzcheck.h"

#include "protocol/codec_p.h"

#include <cstddef>
#include <cstdint>

using Clustr::Protocol::Codec;

namespace {

bool sameMessage(const Codec::Decoded &a, const Codec::Decoded &b)
{
    return a.pid == b.pid && a.group == b.group && Codec::toJsonBytes(a.value()) == Codec::toJsonBytes(b.value());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray payload(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const auto decoded = Codec::decode(payload, Codec::DefaultMaxPayloadSize, &error);
    const auto general = Codec::decode(' ' + payload, Codec::DefaultMaxPayloadSize + 1);
    FUZZ_CHECK(decoded.has_value() == general.has_value());
    if (!decoded) {
        FUZZ_CHECK(!error.isEmpty()); // every rejection says why
        return 0;
    }
    FUZZ_CHECK(decoded->pid >= 1);
    FUZZ_CHECK(sameMessage(*decoded, *general));

    // What a kill or a cluster-info answer does with the data: no crash, a
    // reason for every refusal.
    QString dataError;
    if (const auto code = Codec::exitCode(decoded->value(), &dataError))
        FUZZ_CHECK(*code >= 0 && *code <= 255);
    else
        FUZZ_CHECK(!dataError.isEmpty());
    dataError.clear();
    if (!Codec::clusterInfo(decoded->value(), &dataError))
        FUZZ_CHECK(!dataError.isEmpty());

    const QByteArray encoded = Codec::encode(decoded->pid, decoded->group, decoded->value());
    // A number like 1e300 is written longer than it was read: room for that.
    const auto again = Codec::decode(encoded, 2 * encoded.size() + 64);
    FUZZ_CHECK(again.has_value());
    FUZZ_CHECK(sameMessage(*decoded, *again));
    FUZZ_CHECK(Codec::encode(again->pid, again->group, again->value()) == encoded);
    return 0;
}
