// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

/*
  A small PKI for the TLS tests, made with the `openssl` command in a
  directory the test owns: a CA; a server certificate it signed for
  IP:127.0.0.1 and DNS:localhost; a client certificate it signed; and a
  second, unrelated CA that signed nothing the servers use. EC keys
  (P-256): quick to generate.
*/
class TestCertificates
{
public:
    //! Writes every file into \a directory; false with \a error (openssl's own output) when it cannot.
    bool create(const QString &directory, QString *error);

    QString caCert;
    QString otherCaCert;
    QString serverCert;
    QString serverKey;
    QString clientCert;
    QString clientKey;

private:
    bool openssl(const QStringList &arguments, QString *error);
    bool writeFile(const QString &name, const QByteArray &text, QString *error);
    //! A key and a certificate signed by the CA in caCert, with the extensions in \a extensions.
    bool issue(const QString &name, const QByteArray &commonName, const QByteArray &extensions, QString *error);
    //! A self-signed CA named \a name.
    bool makeCa(const QString &name, const QByteArray &commonName, QString *error);

    QString m_directory;
    int m_serial = 1;
};
