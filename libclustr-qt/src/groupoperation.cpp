// SPDX-License-Identifier: MIT
#include "groupoperation_p.h"

#include <algorithm>

namespace Clustr {

GroupOperation::GroupOperation(const Goal &goal, const View &start)
    : m_goal(goal)
    , m_steps(distance(start))
{
    m_finished = m_steps == 0;
}

int GroupOperation::distance(const View &view) const
{
    if (!m_goal.running)
        return std::max(0, view.children - view.down);
    return std::max(0, view.children - m_goal.instances) + std::max(0, m_goal.instances - view.ready);
}

bool GroupOperation::update(const View &now)
{
    if (m_finished)
        return false;
    if (m_goal.running && !now.failure.isEmpty()) {
        m_failure = now.failure;
        m_finished = true;
        return true;
    }
    // A child that was ready and crashed moves the distance back up: done never goes back.
    const int done = std::max(m_done, m_steps - std::min(distance(now), m_steps));
    const bool changed = done != m_done;
    m_done = done;
    if (distance(now) == 0) {
        m_done = m_steps;
        m_finished = true;
        return true;
    }
    return changed;
}

} // namespace Clustr
