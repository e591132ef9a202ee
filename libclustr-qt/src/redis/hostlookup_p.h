// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QByteArrayList>
#include <QtCore/QString>

#include <functional>

class QObject;

namespace Clustr {

/*!
  Name resolution for Redis hosts without Qt Network.

  hiredis resolves names with a blocking getaddrinfo(); handing it an address
  keeps the event loop free. Qt's QHostInfo would do, but linking Qt Network
  (and the Kerberos and proxy libraries it loads) costs every process of a
  cluster about 1.3 MiB of resident memory for this one call.
*/
namespace HostLookup {

//! True if \a host is an IPv4 or IPv6 address literal (nothing to resolve).
CLUSTR_AUTOTEST_EXPORT bool isAddress(const QString &host);

//! Called with the host's addresses in getaddrinfo()'s order of preference, or none and why not.
using Callback = std::function<void(const QByteArrayList &addresses, const QString &error)>;

/*!
  Resolves \a host on a short-lived thread of its own and calls \a callback
  on \a context's thread. Nothing is called once \a context is destroyed, so
  a client going away mid-lookup is safe; the thread finishes on its own.
*/
CLUSTR_AUTOTEST_EXPORT void lookup(const QString &host, QObject *context, Callback callback);

} // namespace HostLookup

} // namespace Clustr
