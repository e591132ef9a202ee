// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"
#include "redisurl_p.h"

#include <ClustrQt/redisreply.h>

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace Clustr {

/*!
  What a sentinel and a data node say during discovery (redis-sentinel://),
  read without trusting them: a sentinel is another process on the network,
  and whatever it answers must end in an address or a one-line reason, never
  in a connection to something that is not a Redis address.
*/
namespace SentinelReply {

/*!
  The master's address from the reply to `SENTINEL get-master-addr-by-name
  \a masterName`: two strings, a host (an address or a host name) and a
  port from 1 to 65535. Anything else gives nothing and sets \a why.
*/
CLUSTR_AUTOTEST_EXPORT std::optional<RedisUrl::Address> masterAddress(const RedisReply &reply, const QString &masterName,
                                                                     QString *why);

//! The role `ROLE` names ("master", "slave", "sentinel"), or an empty array if the reply is not one.
CLUSTR_AUTOTEST_EXPORT QByteArray role(const RedisReply &reply);

} // namespace SentinelReply

} // namespace Clustr
