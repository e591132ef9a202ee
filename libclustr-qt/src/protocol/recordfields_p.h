// SPDX-License-Identifier: MIT
#pragma once

#include <cmath>

namespace Clustr {

// Records compare numbers that may be NaN ("unknown"): two unknowns are equal.
inline bool sameNumber(double a, double b)
{
    return a == b || (std::isnan(a) && std::isnan(b));
}

} // namespace Clustr
