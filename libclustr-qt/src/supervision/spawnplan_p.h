// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <ClustrQt/spawnspec.h>

#include <QtCore/QList>
#include <QtCore/QStringList>

namespace Clustr {

/*!
  What an update of a running master's spawn entries changes (`clustr-qt
  reload --config`): the groups as they run against the groups of the
  re-read cluster file, one entry per group. Pure logic: the master carries
  the plan out (masterupdate.cpp).

  A group is added, removed, scaled (only its instance count differs),
  replaced (anything else differs) or kept. A replaced group whose
  processes register and respawn is rolled one by one like a restart; one
  whose processes do not is replaced all at once (nothing could tell when
  a replacement is ready), and the plan says so.
*/
class CLUSTR_AUTOTEST_EXPORT SpawnPlan
{
public:
    struct Group
    {
        enum class Action { Keep, Add, Remove, Scale, Roll, Replace };
        QString name;
        Action action = Action::Keep;
        int from = 0; //!< instances now (0 for an added group)
        int to = 0;   //!< instances after (0 for a removed group)
        //! Roll, Replace: the spawn entry's keys that differ, e.g. "args", "env".
        QStringList changed;
        //! The entry to run from now on (empty for Remove).
        SpawnSpec spec;
        //! Stopped by `clustr-qt stop GROUP`: changed, but nothing is started.
        bool stopped = false;
    };
    //! A group as it runs: the entry it is made from and its instance count now.
    struct Running
    {
        SpawnSpec spec;
        int instances = 0;
        bool stopped = false;
    };

    /*!
      The plan from \a running (in the order the groups were spawned) to
      \a wanted (the file's entries, in its order). Kept groups are listed
      too. Empty with \a error set if \a wanted names a group twice.
    */
    static SpawnPlan make(const QList<Running> &running, const QList<SpawnSpec> &wanted, QString *error = nullptr);

    //! The group a spawn entry's processes are shown under: its group, else its file's base name.
    static QString groupOf(const SpawnSpec &spec);

    const QList<Group> &groups() const { return m_groups; }
    bool hasChanges() const;
    //! One line per group, e.g. "web: roll 2 (args changed)", "cache: keep 1".
    QStringList lines() const;

private:
    QList<Group> m_groups;
};

} // namespace Clustr
