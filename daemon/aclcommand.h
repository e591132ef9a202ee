// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

// `clustr-qt acl CLUSTER.json`: the cluster's Redis ACL users, one per role.
namespace AclCommand {

int run(QStringList args);
QString help();

} // namespace AclCommand
