// SPDX-License-Identifier: MIT
#include "hashslot_p.h"

namespace Clustr {

namespace {

// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), bit by bit:
// computed once per channel name a process first publishes to, never per message.
quint16 crc16(QByteArrayView bytes)
{
    quint16 crc = 0;
    for (const char c : bytes) {
        crc ^= quint16(quint16(quint8(c)) << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? quint16((crc << 1) ^ 0x1021) : quint16(crc << 1);
    }
    return crc;
}

} // namespace

QByteArrayView hashTag(QByteArrayView name)
{
    const qsizetype open = name.indexOf('{');
    if (open < 0)
        return name;
    const qsizetype close = name.indexOf('}', open + 1);
    if (close < 0 || close == open + 1)
        return name;
    return name.sliced(open + 1, close - open - 1);
}

bool hasHashTag(QByteArrayView name)
{
    return hashTag(name).size() != name.size();
}

int hashSlot(QByteArrayView name)
{
    return crc16(hashTag(name)) & (HashSlotCount - 1);
}

} // namespace Clustr
