// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QByteArrayView>

namespace Clustr {

//! A Redis Cluster has 16384 hash slots.
constexpr int HashSlotCount = 16384;

/*!
  What Redis Cluster hashes of \a name (a key or a sharded channel): the
  text between the first `{` and the first `}` after it when that is not
  empty (the hash tag), else the whole name.
*/
CLUSTR_AUTOTEST_EXPORT QByteArrayView hashTag(QByteArrayView name);
//! Whether \a name has a hash tag: on a sharded Redis Cluster it is a sharded channel.
CLUSTR_AUTOTEST_EXPORT bool hasHashTag(QByteArrayView name);
//! The slot of \a name: CRC16 (XMODEM) of its hash tag, modulo 16384, as `CLUSTER KEYSLOT` says.
CLUSTR_AUTOTEST_EXPORT int hashSlot(QByteArrayView name);

} // namespace Clustr
