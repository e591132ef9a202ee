// SPDX-License-Identifier: MIT
#pragma once

#include "redis/tlstunnel_p.h"

#include <openssl/ssl.h>

#include <memory>

namespace Clustr::Tls {

struct SslContextDeleter
{
    void operator()(SSL_CTX *context) const { SSL_CTX_free(context); }
};
using SslContext = std::unique_ptr<SSL_CTX, SslContextDeleter>;

/*!
  The OpenSSL context of one connection, made from the URL's files each time
  (so a renewed certificate is used on the next reconnect): TLS 1.2 or
  newer, the server's certificate verified against \a settings' CAs, the
  client certificate if any. Null, with \a error naming the file and
  OpenSSL's reason, when a file cannot be used.
*/
SslContext createContext(const TlsSettings &settings, QString *error);

//! OpenSSL's reason for the first error queued on this thread (e.g. "wrong version number"); clears the queue.
QString takeError();

} // namespace Clustr::Tls
