// SPDX-License-Identifier: MIT
#include <ClustrQt/accesscontrol.h>

#include "protocol/channels_p.h"

#include <QtCore/QRandomGenerator>

namespace Clustr {

namespace {

// What every connection of ours sends besides its work: AUTH (always
// allowed), its name, the database of the URL, the keep-alive PING; and
// MULTI and DISCARD, with which ClusterClient asks whether its user may
// publish without publishing anything (see ClusterClient::isReadOnly());
// CLUSTER MYID, with which a redis-cluster:// connection makes sure it
// reached a cluster node; CLUSTER SLOTS, with which it finds the master
// of a sharded channel's slot.
const QByteArray ConnectionCommands = QByteArrayLiteral("+ping +client|setname +select +multi +discard +cluster|myid +cluster|slots");
// SSUBSCRIBE and SUNSUBSCRIBE: a process' inbox on a Redis Cluster (sharded channels).
const QByteArray SubscribeCommands = QByteArrayLiteral("+subscribe +psubscribe +unsubscribe +punsubscribe +ssubscribe +sunsubscribe");
// SPUBLISH: to a sharded channel, wherever PUBLISH is allowed.
const QByteArray PublishCommands = QByteArrayLiteral("+publish +spublish");
// GETRANGE: how tools read the announcement and the status, bounded
// (docs/PROTOCOL.md section 11); MGET: how the name lock reads them;
// LRANGE: how `clustr-qt logs` reads the workers' recent output lines;
// HGETALL and EXISTS: how tools find the hosts of a cluster across hosts
// and tell the lost ones (CLUSTER SLOTS, above, also finds every master
// node of a Redis Cluster to scan for cluster names).
const QByteArray ReadCommands = QByteArrayLiteral("+get +getrange +mget +scan +lrange +hgetall +exists");
// How `clustr-qt run` keeps those lines: appended, trimmed to the last N, expiring with the master.
const QByteArray LogWriteCommands = QByteArrayLiteral("+rpush +ltrim +pexpire");

QByteArray patterns(char kind, const QByteArrayList &globs)
{
    QByteArray out;
    for (const QByteArray &glob : globs)
        out += ' ' + QByteArray(1, kind) + glob;
    return out;
}

// What \a role may do on the cluster \a clusterName, as ACL rules after a "reset".
QByteArray permissions(const QString &clusterName, AccessControl::Role role)
{
    using Role = AccessControl::Role;
    const Protocol::Channels channels(clusterName);
    // The keys by both names: on a Redis Cluster they are hash-tagged
    // (`{NAME:clustr}:…`), and the same users serve either kind of Redis.
    const QByteArrayList keys{channels.keyPattern(), channels.withHashTaggedKeys(true).keyPattern()};
    QByteArray rule = "-@all " + ConnectionCommands + ' ' + SubscribeCommands;
    switch (role) {
    case Role::Worker:
        rule += ' ' + PublishCommands + patterns('&', channels.messageChannelPatterns());
        break;
    case Role::Operator:
        // EVAL: the name lock's takeover of a dead master (a compare-and-set on the lock key).
        // HSET, HDEL: a master's entry in the hosts list of a cluster across hosts.
        rule += ' ' + PublishCommands + ' ' + ReadCommands + ' ' + LogWriteCommands + " +set +del +eval +hset +hdel" + patterns('&', {channels.allChannelsPattern()})
            + patterns('~', keys);
        break;
    case Role::Monitor:
        // %R~: keys readable, not writable. PUBLISH only to ask for fresh
        // figures (docs/PROTOCOL.md section 8.4), in a selector of its own:
        // the root's channel patterns (every channel, to watch) would
        // otherwise let it publish anywhere.
        rule += ' ' + ReadCommands + patterns('&', {channels.allChannelsPattern()})
            + patterns('%', {"R~" + keys.at(0), "R~" + keys.at(1)}) + " (+publish &" + channels.samplingChannelPattern() + ')';
        break;
    }
    return rule;
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
    return "user " + userName(clusterName, role).toUtf8() + " reset on >" + password.toLatin1() + ' '
        + permissions(clusterName, role);
}

AccessControl::Passwords AccessControl::completePasswords(const Passwords &given)
{
    Passwords passwords = given;
    for (Role role : roles()) {
        if (passwords.value(role).isEmpty())
            passwords.insert(role, generatePassword());
    }
    return passwords;
}

QByteArray AccessControl::aclFile(const QString &clusterName, const Passwords &passwords)
{
    QByteArray file;
    for (Role role : roles())
        file += aclRule(clusterName, role, passwords.value(role)) + '\n';
    return file;
}

QByteArray AccessControl::defaultUserRule(const QString &clusterName, std::optional<Role> role)
{
    // "reset" leaves the user off, without passwords or permissions.
    if (!role)
        return QByteArrayLiteral("user default reset off");
    return "user default reset on nopass " + permissions(clusterName, *role);
}

} // namespace Clustr
