// SPDX-License-Identifier: MIT
#include <ClustrQt/accesscontrol.h>

#include "protocol/channels_p.h"

#include <QtCore/QRandomGenerator>

namespace Clustr {

namespace {

// What every connection of ours sends besides its work: AUTH (always
// allowed), its name, the database of the URL, the keep-alive PING.
const QByteArray ConnectionCommands = QByteArrayLiteral("+ping +client|setname +select");
const QByteArray SubscribeCommands = QByteArrayLiteral("+subscribe +psubscribe +unsubscribe +punsubscribe");
// GETRANGE: how tools read the announcement and the status, bounded
// (docs/PROTOCOL.md section 11); MGET: how the name lock reads them.
const QByteArray ReadCommands = QByteArrayLiteral("+get +getrange +mget +scan");

QByteArray patterns(char kind, const QByteArrayList &globs)
{
    QByteArray out;
    for (const QByteArray &glob : globs)
        out += ' ' + QByteArray(1, kind) + glob;
    return out;
}

} // namespace

QString AccessControl::roleName(Role role)
{
    switch (role) {
    case Role::Worker:
        return QStringLiteral("worker");
    case Role::Operator:
        return QStringLiteral("operator");
    case Role::Monitor:
        return QStringLiteral("monitor");
    }
    return QString();
}

std::optional<AccessControl::Role> AccessControl::roleFromName(const QString &name)
{
    for (Role role : roles()) {
        if (roleName(role) == name)
            return role;
    }
    return std::nullopt;
}

QString AccessControl::userName(const QString &clusterName, Role role)
{
    return (clusterName.isEmpty() ? QStringLiteral("clustr") : clusterName) + QLatin1Char('-') + roleName(role);
}

QString AccessControl::generatePassword()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    return QString::fromLatin1(bytes.toHex());
}

bool AccessControl::isValidPassword(const QString &password, QString *error)
{
    bool ok = !password.isEmpty() && password.size() <= 512;
    for (const QChar c : password)
        ok = ok && c.unicode() > 0x20 && c.unicode() < 0x7f;
    if (!ok && error)
        *error = QStringLiteral("a password must be 1 to 512 printable ASCII characters without spaces");
    return ok;
}

QByteArray AccessControl::aclRule(const QString &clusterName, Role role, const QString &password)
{
    const Protocol::Channels channels(clusterName);
    QByteArray rule = "user " + userName(clusterName, role).toUtf8() + " reset on >" + password.toLatin1()
        + " -@all " + ConnectionCommands + ' ' + SubscribeCommands;
    switch (role) {
    case Role::Worker:
        rule += " +publish" + patterns('&', channels.messageChannelPatterns());
        break;
    case Role::Operator:
        // EVAL: the name lock's takeover of a dead master (a compare-and-set on the lock key).
        rule += " +publish " + ReadCommands + " +set +del +eval" + patterns('&', {channels.allChannelsPattern()})
            + patterns('~', {channels.keyPattern()});
        break;
    case Role::Monitor:
        // %R~: keys readable, not writable; no PUBLISH at all.
        rule += ' ' + ReadCommands + patterns('&', {channels.allChannelsPattern()})
            + " %R~" + channels.keyPattern();
        break;
    }
    return rule;
}

} // namespace Clustr
