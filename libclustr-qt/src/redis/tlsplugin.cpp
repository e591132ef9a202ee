// SPDX-License-Identifier: MIT
#include "tlsplugin_p.h"

#include "hostlookup_p.h"

#include <ClustrQt/version.h>

#include <QtCore/QMutex>

#include <dlfcn.h>
#include <unistd.h>

namespace Clustr {

namespace {

constexpr char PluginFile[] = "libclustr-qt-tls.so";

QBasicMutex loadMutex;
// Once loaded, the plugin stays loaded: OpenSSL does not support being
// unloaded, and it costs nothing to keep what was needed once.
const TlsPluginInterface *loadedPlugin = nullptr;

const TlsPluginInterface *load(QString *error)
{
    QMutexLocker locker(&loadMutex); // clients of several threads may connect at once
    if (loadedPlugin)
        return loadedPlugin;
    const QByteArray file = TlsPlugin::path();
    void *handle = ::dlopen(file.constData(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        // Not remembered: the next connection attempt looks again (the
        // plugin may have been installed meanwhile).
        *error = ::access(file.constData(), F_OK) != 0
            ? QStringLiteral("TLS needs %1, not found at %2 (it is built with clustr-qt when OpenSSL is found; "
                             "CLUSTR_TLS_PLUGIN names another place)")
                  .arg(QLatin1String(PluginFile), QString::fromLocal8Bit(file))
            : QStringLiteral("cannot load the TLS plugin %1: %2").arg(QString::fromLocal8Bit(file), QString::fromLocal8Bit(::dlerror()));
        return nullptr;
    }
    const auto entry = reinterpret_cast<TlsPluginEntry>(::dlsym(handle, TlsPluginEntryPoint));
    const TlsPluginInterface *plugin = entry ? entry() : nullptr;
    // The interface is a C++ class and a struct: only the very build that
    // compiled the library may implement it.
    if (!plugin || plugin->interfaceVersion != TlsInterfaceVersion
        || qstrcmp(plugin->libraryVersion, CLUSTRQT_VERSION_STR) != 0) {
        *error = QStringLiteral("the TLS plugin %1 belongs to another build of clustr-qt (%2; this library is %3, "
                                "interface %4): install the two together")
                     .arg(QString::fromLocal8Bit(file),
                          plugin ? QStringLiteral("version %1, interface %2").arg(QLatin1String(plugin->libraryVersion)).arg(plugin->interfaceVersion)
                                 : QStringLiteral("no entry point"),
                          QLatin1String(CLUSTRQT_VERSION_STR))
                     .arg(TlsInterfaceVersion);
        ::dlclose(handle);
        return nullptr;
    }
    loadedPlugin = plugin;
    return plugin;
}

// A name as certificates carry it: without the trailing dot of a fully
// qualified "host.example.".
QString certificateName(const QString &host)
{
    return host.endsWith(u'.') ? host.chopped(1) : host;
}

} // namespace

QByteArray TlsPlugin::path()
{
    const QByteArray fromEnvironment = qgetenv("CLUSTR_TLS_PLUGIN");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    // Beside the library, wherever it was installed or built: the file of
    // the object this very function is in.
    Dl_info info;
    QByteArray directory = QByteArrayLiteral(".");
    if (::dladdr(reinterpret_cast<void *>(&TlsPlugin::path), &info) != 0 && info.dli_fname) {
        const QByteArray library(info.dli_fname);
        const qsizetype slash = library.lastIndexOf('/');
        if (slash >= 0)
            directory = library.left(slash);
    }
    return directory + "/clustr-qt/" + PluginFile;
}

std::unique_ptr<TlsTunnel> TlsPlugin::createTunnel(const RedisUrl &url, const QByteArray &address, QString *error)
{
    const TlsPluginInterface *plugin = load(error);
    if (!plugin)
        return nullptr;
    TlsSettings settings;
    settings.address = address;
    settings.port = url.port;
    settings.peerName = certificateName(url.serverName.isEmpty() ? url.host : url.serverName);
    // RFC 6066: SNI carries host names, never addresses.
    if (!url.serverName.isEmpty() || !HostLookup::isAddress(url.host))
        settings.serverName = settings.peerName;
    settings.caCertFile = url.caCertFile;
    settings.certFile = url.certFile;
    settings.keyFile = url.keyFile;
    return std::unique_ptr<TlsTunnel>(plugin->createTunnel(settings, error));
}

} // namespace Clustr
