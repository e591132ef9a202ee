// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/global.h>

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace Clustr {

/*!
  Who may do what on a cluster's Redis, as Redis ACL users (Redis 6.2 and
  later: key and channel patterns, %R for read-only keys). Three roles,
  each one user per cluster, named `<cluster>-<role>` (`clustr-<role>` for
  the unnamed cluster):

  - Worker: what a cluster process needs: publish and subscribe on its
    namespace's message channels (public, private, group, kill,
    confirmation, cluster info, registration, heartbeats); no keys, and
    not the master's control or events channels.
  - Operator: what the CLI's control commands and the master need: every
    channel of the namespace, and the namespace's `clustr:*` keys
    (announcement, status, lock).
  - Monitor: read-only: subscribe to every channel of the namespace and read
    its `clustr:*` keys; no PUBLISH, so it can watch but not command.

  docs/SECURITY.md explains the model and what it does not cover.
*/
class CLUSTR_EXPORT AccessControl
{
public:
    enum class Role { Worker, Operator, Monitor };

    static QList<Role> roles() { return {Role::Worker, Role::Operator, Role::Monitor}; }
    //! "worker", "operator", "monitor".
    static QString roleName(Role role);
    static std::optional<Role> roleFromName(const QString &name);

    //! The ACL user of \a role for the cluster \a clusterName (empty: the unnamed cluster).
    static QString userName(const QString &clusterName, Role role);

    //! A password of 32 random bytes, hex-encoded, from the system's random source.
    static QString generatePassword();
    //! Redis ACL passwords are one word: 1 to 512 printable ASCII characters without spaces.
    static bool isValidPassword(const QString &password, QString *error = nullptr);

    /*!
      One line of a Redis ACL file (`user NAME on >PASSWORD ...`) giving
      \a role on the cluster \a clusterName, as `redis-server --aclfile`
      and `ACL LOAD` read it.
    */
    static QByteArray aclRule(const QString &clusterName, Role role, const QString &password);

    //! A password for each role.
    using Passwords = QHash<Role, QString>;
    //! \a given, with a generatePassword() for each role it has none for.
    static Passwords completePasswords(const Passwords &given = {});
    //! A whole ACL file: one aclRule() per role, each with its password from \a passwords.
    static QByteArray aclFile(const QString &clusterName, const Passwords &passwords);
    /*!
      The line for Redis' `default` user, the one a connection without AUTH
      is: switched off when \a role is empty; else on without a password and
      with only \a role's permissions, for programs that cannot log in
      (unchanged clustr-node workers, which always connect as `default`).
    */
    static QByteArray defaultUserRule(const QString &clusterName, std::optional<Role> role = std::nullopt);
};

} // namespace Clustr
