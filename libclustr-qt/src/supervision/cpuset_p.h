// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QList>
#include <QtCore/QString>

#include <optional>

namespace Clustr {

/*!
  CPU lists in the notation of `taskset -c` and `/proc/<pid>/status`
  (Cpus_allowed_list): ids and ranges separated by commas, "2", "0,2",
  "0-3", "0-1,3". A list is held as sorted, distinct CPU ids.
*/
class CLUSTR_AUTOTEST_EXPORT CpuSet
{
public:
    //! Larger ids are typos, not CPUs (the kernel's default NR_CPUS limit is 4096 on x86-64).
    static constexpr int MaxCpuId = 4095;

    /*!
      Parses \a text (surrounding and inner blanks allowed) into sorted,
      distinct ids. On failure returns nothing and sets \a error (without a
      field name, e.g. `reversed range "3-1"`).
    */
    static std::optional<QList<int>> parse(const QString &text, QString *error = nullptr);

    //! The canonical, compact form: "0-1,3". An empty list gives "".
    static QString toString(const QList<int> &cpus);

    //! The CPUs this process may run on (sched_getaffinity), sorted; empty if that failed.
    static QList<int> allowedCpus();

    /*!
      Whether every CPU of \a cpus is in \a allowed. If not, sets \a error to
      e.g. `CPU 7 is not available here (allowed: 0-1)`.
    */
    static bool validate(const QList<int> &cpus, const QList<int> &allowed, QString *error = nullptr);
    //! validate() against allowedCpus().
    static bool validate(const QList<int> &cpus, QString *error = nullptr);
};

} // namespace Clustr
