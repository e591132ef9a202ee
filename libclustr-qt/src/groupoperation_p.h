// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QString>

namespace Clustr {

/*!
  Where one group operation of the master stands (`clustr-qt stop GROUP`,
  `start GROUP`, `scale GROUP N`): the group as it should be (a Goal)
  against the group as it is (a View), counted in steps. Pure logic: the
  master hands it views of its children whenever they change.

  Steps are the distance from the goal when the operation began: for a
  running goal of N instances, the children beyond N plus the instances
  short of N that are ready; for a stopped goal, the children not down
  yet. Done steps are what that distance shrank by. It is finished when
  the distance is 0, or, for a running goal, as soon as a child of the
  group is given up (failure() says which and why): it would never come.
*/
class CLUSTR_AUTOTEST_EXPORT GroupOperation
{
public:
    struct Goal
    {
        bool running = true;
        int instances = 0; //!< running goals: how many
    };
    struct View
    {
        int children = 0; //!< children of the group, those still stopping included
        int ready = 0;    //!< running, and registered if they register
        int down = 0;     //!< not running (stopped, given up, not started)
        //! A child of the group was given up: which and why; empty if none.
        QString failure;
    };

    GroupOperation() = default;
    GroupOperation(const Goal &goal, const View &start);

    //! Takes the group as it is now; true if the done steps changed or it finished.
    bool update(const View &now);

    int steps() const { return m_steps; }
    int done() const { return m_done; }
    bool isFinished() const { return m_finished; }
    QString failure() const { return m_failure; }
    const Goal &goal() const { return m_goal; }

private:
    int distance(const View &view) const;

    Goal m_goal;
    int m_steps = 0;
    int m_done = 0;
    bool m_finished = false;
    QString m_failure;
};

} // namespace Clustr
