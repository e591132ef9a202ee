// SPDX-License-Identifier: MIT
#include "sslcontext_p.h"

#include <QtCore/QFile>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace Clustr::Tls {

namespace {

// OpenSSL's reason for a missing file is "system lib"; open() says it better.
bool readable(const QByteArray &file, QString *why)
{
    const int fd = ::open(file.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = QString::fromLocal8Bit(std::strerror(errno));
        return false;
    }
    ::close(fd);
    return true;
}

bool fail(QString *error, const QString &what, const QString &file, const QString &why)
{
    *error = QStringLiteral("cannot read %1%2: %3").arg(what, file.isEmpty() ? QString() : QLatin1Char(' ') + file, why);
    return false;
}

// Each of the URL's files: readable, then accepted by OpenSSL.
bool loadFiles(SSL_CTX *context, const TlsSettings &settings, QString *error)
{
    QString why;
    if (settings.caCertFile.isEmpty()) {
        if (SSL_CTX_set_default_verify_paths(context) != 1)
            return fail(error, QStringLiteral("the system's trusted CAs"), QString(), takeError());
    } else {
        const QByteArray file = QFile::encodeName(settings.caCertFile);
        if (!readable(file, &why) || SSL_CTX_load_verify_locations(context, file.constData(), nullptr) != 1)
            return fail(error, QStringLiteral("the CA certificates (cacert)"), settings.caCertFile, why.isEmpty() ? takeError() : why);
    }
    if (settings.certFile.isEmpty())
        return true;
    const QByteArray cert = QFile::encodeName(settings.certFile);
    if (!readable(cert, &why) || SSL_CTX_use_certificate_chain_file(context, cert.constData()) != 1)
        return fail(error, QStringLiteral("the client certificate (cert)"), settings.certFile, why.isEmpty() ? takeError() : why);
    const auto mismatch = [&] {
        ERR_clear_error();
        *error = QStringLiteral("the client key %1 does not belong to the certificate %2").arg(settings.keyFile, settings.certFile);
        return false;
    };
    const QByteArray key = QFile::encodeName(settings.keyFile);
    if (!readable(key, &why))
        return fail(error, QStringLiteral("the client key (key)"), settings.keyFile, why);
    if (SSL_CTX_use_PrivateKey_file(context, key.constData(), SSL_FILETYPE_PEM) != 1) {
        // Loading the key checks it against the certificate already.
        const unsigned long code = ERR_peek_last_error();
        if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH)
            return mismatch();
        return fail(error, QStringLiteral("the client key (key)"), settings.keyFile, takeError());
    }
    if (SSL_CTX_check_private_key(context) != 1)
        return mismatch();
    return true;
}

} // namespace

QString takeError()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    const char *reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    return reason ? QString::fromLatin1(reason) : QStringLiteral("unknown TLS error");
}

SslContext createContext(const TlsSettings &settings, QString *error)
{
    ERR_clear_error();
    SslContext context(SSL_CTX_new(TLS_client_method()));
    if (!context) {
        *error = QStringLiteral("cannot set up TLS: %1").arg(takeError());
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION);
    // The tunnel writes what it has and keeps the rest: partial writes, and
    // a retry may come from a buffer that has moved.
    SSL_CTX_set_mode(context.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    // A server that closes without a close_notify (Redis shutting down) has
    // closed, as it would have over plain TCP; hiredis notices a reply cut short.
    SSL_CTX_set_options(context.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
    // An encrypted key would make OpenSSL ask for its passphrase on the
    // terminal, blocking the event loop: refuse it instead.
    SSL_CTX_set_default_passwd_cb(context.get(), [](char *, int, int, void *) { return 0; });
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    if (!loadFiles(context.get(), settings, error))
        return nullptr;
    return context;
}

} // namespace Clustr::Tls
