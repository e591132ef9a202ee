// SPDX-License-Identifier: MIT
#pragma once

#include "redisurl_p.h"
#include "tlstunnel_p.h"

#include <memory>

namespace Clustr {

/*!
  The library's side of TLS: loads libclustr-qt-tls.so on the first
  rediss:// connection (never before, so a process that uses none maps
  nothing of OpenSSL) and asks it for tunnels.
*/
namespace TlsPlugin {

/*!
  A tunnel to \a address (numeric, one of \a url's host's) for the rediss://
  \a url; null when the plugin cannot be loaded or the tunnel cannot start,
  with the reason in \a error (one line, without the endpoint).
*/
std::unique_ptr<TlsTunnel> createTunnel(const RedisUrl &url, const QByteArray &address, QString *error);

//! Where the plugin is looked for: `$CLUSTR_TLS_PLUGIN`, else `clustr-qt/libclustr-qt-tls.so` beside the library.
QByteArray path();

} // namespace TlsPlugin

} // namespace Clustr
