// SPDX-License-Identifier: MIT
#include "aclcommand.h"

#include "cli.h"
#include "runcommand.h"

#include <ClustrQt/accesscontrol.h>

#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QSaveFile>

namespace AclCommand {

using Clustr::AccessControl;

QString help()
{
    return QStringLiteral(
        "usage: clustr-qt acl CLUSTER.json [--password ROLE=PASSWORD]... [--output FILE]\n"
        "\n"
        "Prints a Redis ACL file with one user per role of the cluster, named\n"
        "<cluster>-worker, <cluster>-operator and <cluster>-monitor (clustr-... for a\n"
        "cluster without a name), that `redis-server --aclfile FILE` or ACL LOAD reads as\n"
        "it is:\n"
        "  worker    what a cluster process needs: the namespace's message channels, no keys\n"
        "  operator  the CLI's control commands and the master: every channel and key of the namespace\n"
        "  monitor   read-only: status, watch and the GUI without actions\n"
        "Passwords are generated (32 random bytes, hex) unless given with --password.\n"
        "--output FILE writes the file with mode 0600 instead of printing it.\n"
        "See docs/SECURITY.md.");
}

namespace {

// --password ROLE=PASSWORD (also --password=ROLE=PASSWORD), any number of times.
bool takePasswords(QStringList &args, AccessControl::Passwords *passwords, QString *output)
{
    for (int i = 0; i < args.size();) {
        const QString arg = args.at(i);
        QString value;
        const bool isPassword = arg == QLatin1String("--password") || arg.startsWith(QLatin1String("--password="));
        const bool isOutput = arg == QLatin1String("--output") || arg.startsWith(QLatin1String("--output="));
        if (!isPassword && !isOutput) {
            ++i;
            continue;
        }
        if (arg.contains(QLatin1Char('='))) {
            value = arg.section(QLatin1Char('='), 1);
            args.removeAt(i);
        } else if (i + 1 < args.size()) {
            value = args.at(i + 1);
            args.remove(i, 2);
        } else {
            Cli::err(QStringLiteral("acl: %1 needs a value").arg(arg));
            return false;
        }
        if (isOutput) {
            *output = value;
            continue;
        }
        const auto role = AccessControl::roleFromName(value.section(QLatin1Char('='), 0, 0));
        const QString password = value.section(QLatin1Char('='), 1);
        QString error;
        if (!role || !value.contains(QLatin1Char('='))) {
            Cli::err(QStringLiteral("acl: --password takes ROLE=PASSWORD with ROLE worker, operator or monitor, not \"%1\"")
                         .arg(value.section(QLatin1Char('='), 0, 0)));
            return false;
        }
        if (!AccessControl::isValidPassword(password, &error)) {
            Cli::err(QStringLiteral("acl: the %1 password: %2").arg(AccessControl::roleName(*role), error));
            return false;
        }
        passwords->insert(*role, password);
    }
    return true;
}

bool writePrivately(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(QFile::ReadOwner | QFile::WriteOwner)
        || file.write(bytes) != bytes.size() || !file.commit()) {
        Cli::err(QStringLiteral("acl: cannot write %1: %2").arg(path, file.errorString()));
        return false;
    }
    return true;
}

} // namespace

int run(QStringList args)
{
    AccessControl::Passwords passwords;
    QString output;
    if (!takePasswords(args, &passwords, &output))
        return Cli::Usage;
    const QString path = RunCommand::takeFile(args);
    if (path.isEmpty()) {
        Cli::err(QStringLiteral("acl: which cluster file? usage: clustr-qt acl CLUSTER.json"));
        return Cli::Usage;
    }
    if (!args.isEmpty()) {
        Cli::err(QStringLiteral("acl: unexpected argument \"%1\"").arg(args.constFirst()));
        return Cli::Usage;
    }
    const auto config = RunCommand::loadOrReport(path);
    if (!config)
        return Cli::Usage;
    const QByteArray file = AccessControl::aclFile(config->name, AccessControl::completePasswords(passwords));
    if (output.isEmpty()) {
        Cli::out(QString::fromUtf8(file.chopped(1)));
        return Cli::Ok;
    }
    return writePrivately(output, file) ? Cli::Ok : Cli::Failed;
}

} // namespace AclCommand
