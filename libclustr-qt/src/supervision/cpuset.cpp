// SPDX-License-Identifier: MIT
#include "cpuset_p.h"

#include <QtCore/QStringList>

#include <algorithm>

#include <sched.h>

namespace Clustr {

namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

QString expectedListMessage(const QString &text)
{
    return QStringLiteral("expected a CPU id or list like \"0-3\", got \"%1\"").arg(text);
}

// Only plain ASCII digits: QString::toInt() would also take "+3" and " 3".
bool isDigits(QStringView text)
{
    return !text.isEmpty()
        && std::all_of(text.begin(), text.end(), [](QChar c) { return c >= u'0' && c <= u'9'; });
}

// One id; nothing (with \a error set) if it is not a number or absurdly large.
std::optional<int> parseId(QStringView token, const QString &wholeText, QString *error)
{
    if (!isDigits(token)) {
        setError(error, expectedListMessage(wholeText));
        return std::nullopt;
    }
    // Seven digits are already beyond any id; stopping here also keeps toInt() from overflowing.
    const int id = token.size() > 6 ? CpuSet::MaxCpuId + 1 : token.toInt();
    if (id > CpuSet::MaxCpuId) {
        setError(error, QStringLiteral("CPU %1 is out of range (0-%2)").arg(token).arg(CpuSet::MaxCpuId));
        return std::nullopt;
    }
    return id;
}

} // namespace

std::optional<QList<int>> CpuSet::parse(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        setError(error, QStringLiteral("expected a CPU id or list like \"0-3\""));
        return std::nullopt;
    }
    QList<int> cpus;
    const QStringList parts = trimmed.split(u',');
    for (const QString &rawPart : parts) {
        const QString part = rawPart.trimmed();
        if (part.startsWith(u'-')) {
            setError(error, QStringLiteral("CPU ids cannot be negative, got \"%1\"").arg(part));
            return std::nullopt;
        }
        const qsizetype dash = part.indexOf(u'-');
        if (dash < 0) {
            const auto id = parseId(part, trimmed, error);
            if (!id)
                return std::nullopt;
            cpus.append(*id);
            continue;
        }
        const auto first = parseId(QStringView(part).left(dash).trimmed(), trimmed, error);
        if (!first)
            return std::nullopt;
        const QStringView lastText = QStringView(part).mid(dash + 1).trimmed();
        if (lastText.startsWith(u'-')) {
            setError(error, QStringLiteral("CPU ids cannot be negative, got \"%1\"").arg(part));
            return std::nullopt;
        }
        const auto last = parseId(lastText, trimmed, error);
        if (!last)
            return std::nullopt;
        if (*last < *first) {
            setError(error, QStringLiteral("reversed range \"%1\" (did you mean \"%2-%3\"?)")
                                .arg(part).arg(*last).arg(*first));
            return std::nullopt;
        }
        for (int id = *first; id <= *last; ++id)
            cpus.append(id);
    }
    std::sort(cpus.begin(), cpus.end());
    cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
    return cpus;
}

QString CpuSet::toString(const QList<int> &cpus)
{
    QList<int> sorted = cpus;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());

    QStringList ranges;
    for (qsizetype i = 0; i < sorted.size();) {
        qsizetype end = i;
        while (end + 1 < sorted.size() && sorted.at(end + 1) == sorted.at(end) + 1)
            ++end;
        ranges.append(end == i ? QString::number(sorted.at(i))
                               : QStringLiteral("%1-%2").arg(sorted.at(i)).arg(sorted.at(end)));
        i = end + 1;
    }
    return ranges.join(u',');
}

QList<int> CpuSet::allowedCpus()
{
    // A dynamically sized set: the fixed cpu_set_t stops at 1024 CPUs.
    constexpr int setCpus = MaxCpuId + 1;
    cpu_set_t *set = CPU_ALLOC(setCpus);
    if (!set)
        return {};
    const size_t size = CPU_ALLOC_SIZE(setCpus);
    CPU_ZERO_S(size, set);
    QList<int> cpus;
    if (sched_getaffinity(0, size, set) == 0) {
        for (int id = 0; id < setCpus; ++id) {
            if (CPU_ISSET_S(id, size, set))
                cpus.append(id);
        }
    }
    CPU_FREE(set);
    return cpus;
}

bool CpuSet::validate(const QList<int> &cpus, const QList<int> &allowed, QString *error)
{
    QList<int> missing;
    for (int id : cpus) {
        if (!allowed.contains(id))
            missing.append(id);
    }
    if (missing.isEmpty())
        return true;
    const QString allowedText = allowed.isEmpty() ? QStringLiteral("none") : toString(allowed);
    if (missing.size() == 1) {
        setError(error, QStringLiteral("CPU %1 is not available here (allowed: %2)")
                            .arg(missing.first()).arg(allowedText));
    } else {
        setError(error, QStringLiteral("CPUs %1 are not available here (allowed: %2)")
                            .arg(toString(missing), allowedText));
    }
    return false;
}

bool CpuSet::validate(const QList<int> &cpus, QString *error)
{
    return validate(cpus, allowedCpus(), error);
}

} // namespace Clustr
