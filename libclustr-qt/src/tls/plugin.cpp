// SPDX-License-Identifier: MIT
// libclustr-qt-tls.so: TLS for libclustr-qt, loaded by it on the first
// rediss:// connection (src/redis/tlsplugin.cpp). Its one export is the
// entry point below.
#include "tunnel_p.h"

#include <ClustrQt/version.h>

namespace {

Clustr::TlsTunnel *createTunnel(const Clustr::TlsSettings &settings, QString *error)
{
    return Clustr::Tls::Tunnel::create(settings, error);
}

const Clustr::TlsPluginInterface pluginInterface{Clustr::TlsInterfaceVersion, CLUSTRQT_VERSION_STR, &createTunnel};

} // namespace

// The name is Clustr::TlsPluginEntryPoint.
extern "C" Q_DECL_EXPORT const Clustr::TlsPluginInterface *clustr_tls_plugin()
{
    return &pluginInterface;
}
