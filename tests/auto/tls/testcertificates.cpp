// SPDX-License-Identifier: MIT
#include "testcertificates.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>

namespace {

// Our own configuration rather than the system's openssl.cnf, whose
// defaults (extensions added to every certificate) differ between systems.
QByteArray requestConfig(const QByteArray &commonName, const QByteArray &extensions)
{
    return "[req]\n"
           "prompt = no\n"
           "distinguished_name = dn\n"
           "x509_extensions = extensions\n"
           "[dn]\n"
           "CN = " + commonName + "\n"
           "[extensions]\n" + extensions;
}

const QByteArray CaExtensions = "basicConstraints = critical, CA:TRUE\n"
                                "keyUsage = critical, keyCertSign, cRLSign\n"
                                "subjectKeyIdentifier = hash\n";

const QByteArray ServerExtensions = "basicConstraints = CA:FALSE\n"
                                    "keyUsage = critical, digitalSignature, keyAgreement\n"
                                    "extendedKeyUsage = serverAuth\n"
                                    "subjectAltName = IP:127.0.0.1, DNS:localhost\n";

const QByteArray ClientExtensions = "basicConstraints = CA:FALSE\n"
                                    "keyUsage = critical, digitalSignature, keyAgreement\n"
                                    "extendedKeyUsage = clientAuth\n";

} // namespace

bool TestCertificates::openssl(const QStringList &arguments, QString *error)
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (program.isEmpty()) {
        *error = QStringLiteral("the openssl command is not installed (run scripts/setup)");
        return false;
    }
    QProcess process;
    process.setWorkingDirectory(m_directory);
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *error = QStringLiteral("openssl %1 failed: %2").arg(arguments.join(QLatin1Char(' ')), QString::fromLocal8Bit(process.readAll()));
        return false;
    }
    return true;
}

bool TestCertificates::writeFile(const QString &name, const QByteArray &text, QString *error)
{
    QFile file(QDir(m_directory).filePath(name));
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size()) {
        *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    return true;
}

bool TestCertificates::makeCa(const QString &name, const QByteArray &commonName, QString *error)
{
    return writeFile(name + QStringLiteral(".cnf"), requestConfig(commonName, CaExtensions), error)
        && openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-config"), name + QStringLiteral(".cnf"),
                    QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                    QStringLiteral("-nodes"), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-keyout"), name + QStringLiteral(".key"), QStringLiteral("-out"), name + QStringLiteral(".crt")},
                   error);
}

bool TestCertificates::issue(const QString &name, const QByteArray &commonName, const QByteArray &extensions, QString *error)
{
    return writeFile(name + QStringLiteral(".cnf"), requestConfig(commonName, extensions), error)
        && writeFile(name + QStringLiteral(".ext"), extensions, error)
        && openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-config"), name + QStringLiteral(".cnf"),
                    QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                    QStringLiteral("-nodes"), QStringLiteral("-keyout"), name + QStringLiteral(".key"),
                    QStringLiteral("-out"), name + QStringLiteral(".csr")},
                   error)
        && openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), name + QStringLiteral(".csr"),
                    QStringLiteral("-CA"), QStringLiteral("ca.crt"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                    QStringLiteral("-set_serial"), QString::number(m_serial++), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-extfile"), name + QStringLiteral(".ext"), QStringLiteral("-out"), name + QStringLiteral(".crt")},
                   error);
}

bool TestCertificates::create(const QString &directory, QString *error)
{
    m_directory = directory;
    const QDir dir(directory);
    if (!makeCa(QStringLiteral("ca"), "clustr-qt test CA", error)
        || !makeCa(QStringLiteral("other-ca"), "clustr-qt unrelated CA", error)
        || !issue(QStringLiteral("server"), "localhost", ServerExtensions, error)
        || !issue(QStringLiteral("client"), "clustr-qt test client", ClientExtensions, error))
        return false;
    caCert = dir.filePath(QStringLiteral("ca.crt"));
    otherCaCert = dir.filePath(QStringLiteral("other-ca.crt"));
    serverCert = dir.filePath(QStringLiteral("server.crt"));
    serverKey = dir.filePath(QStringLiteral("server.key"));
    clientCert = dir.filePath(QStringLiteral("client.crt"));
    clientKey = dir.filePath(QStringLiteral("client.key"));
    return true;
}
