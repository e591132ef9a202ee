// SPDX-License-Identifier: MIT
#include "spawnplan_p.h"

#include <QtCore/QFileInfo>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QSet>

#include <algorithm>

namespace Clustr {

namespace {

using Action = SpawnPlan::Group::Action;

// The keys of the two entries' JSON that differ, the instance count aside.
QStringList changedKeys(const SpawnSpec &now, const SpawnSpec &wanted)
{
    QJsonObject a = now.toJson();
    QJsonObject b = wanted.toJson();
    a.remove(QStringLiteral("instances"));
    b.remove(QStringLiteral("instances"));
    QStringList keys = a.keys();
    for (const QString &key : b.keys()) {
        if (!keys.contains(key))
            keys.append(key);
    }
    QStringList changed;
    for (const QString &key : std::as_const(keys)) {
        if (a.value(key) != b.value(key))
            changed.append(key);
    }
    std::sort(changed.begin(), changed.end());
    return changed;
}

QString instancesText(int n)
{
    return n == 1 ? QStringLiteral("1 instance") : QStringLiteral("%1 instances").arg(n);
}

QString line(const SpawnPlan::Group &g)
{
    const QString size = g.from == g.to ? instancesText(g.to) : QStringLiteral("%1 -> %2").arg(g.from).arg(g.to);
    const QString changed = QStringLiteral("%1 changed").arg(g.changed.join(QStringLiteral(", ")));
    const QString stopped = g.stopped ? QStringLiteral("; stopped: takes effect when started") : QString();
    switch (g.action) {
    case Action::Keep:
        return QStringLiteral("%1: keep (%2, unchanged%3)").arg(g.name, instancesText(g.to), g.stopped ? QStringLiteral(", stopped") : QString());
    case Action::Add:
        return QStringLiteral("%1: add (%2)").arg(g.name, instancesText(g.to));
    case Action::Remove:
        return QStringLiteral("%1: remove (%2 stopped)").arg(g.name, instancesText(g.from));
    case Action::Scale:
        return QStringLiteral("%1: scale %2%3").arg(g.name, size, stopped);
    case Action::Roll:
        return QStringLiteral("%1: roll, one by one (%2; %3)%4").arg(g.name, size, changed, stopped);
    case Action::Replace:
        return QStringLiteral("%1: replace all at once (%2; %3; its processes %4, so none can be waited for)%5")
            .arg(g.name, size, changed,
                 !g.spec.registers() ? QStringLiteral("do not register") : QStringLiteral("are not respawned"), stopped);
    }
    return g.name;
}

} // namespace

QString SpawnPlan::groupOf(const SpawnSpec &spec)
{
    return !spec.group().isEmpty() ? spec.group() : QFileInfo(spec.file()).completeBaseName();
}

SpawnPlan SpawnPlan::make(const QList<Running> &running, const QList<SpawnSpec> &wanted, QString *error)
{
    QHash<QString, SpawnSpec> wantedByGroup;
    QStringList wantedOrder;
    for (const SpawnSpec &spec : wanted) {
        const QString group = groupOf(spec);
        if (wantedByGroup.contains(group)) {
            if (error)
                *error = QStringLiteral("group %1 has more than one spawn entry: an update needs one entry per group "
                                        "(give each entry its own \"group\")").arg(group);
            return {};
        }
        wantedByGroup.insert(group, spec);
        wantedOrder.append(group);
    }
    SpawnPlan plan;
    QSet<QString> runningGroups;
    for (const Running &r : running) {
        Group g;
        g.name = groupOf(r.spec);
        g.from = r.instances;
        g.stopped = r.stopped;
        runningGroups.insert(g.name);
        const auto found = wantedByGroup.constFind(g.name);
        if (found == wantedByGroup.cend()) {
            g.action = Action::Remove;
            plan.m_groups.append(g);
            continue;
        }
        g.spec = *found;
        g.to = found->instances();
        g.changed = changedKeys(r.spec, *found);
        if (!g.changed.isEmpty())
            g.action = found->registers() && found->respawn() ? Action::Roll : Action::Replace;
        else if (g.from != g.to)
            g.action = Action::Scale;
        plan.m_groups.append(g);
    }
    for (const QString &name : std::as_const(wantedOrder)) {
        if (runningGroups.contains(name))
            continue;
        Group g;
        g.name = name;
        g.action = Action::Add;
        g.spec = wantedByGroup.value(name);
        g.to = g.spec.instances();
        plan.m_groups.append(g);
    }
    return plan;
}

bool SpawnPlan::hasChanges() const
{
    return std::any_of(m_groups.cbegin(), m_groups.cend(), [](const Group &g) { return g.action != Action::Keep; });
}

QStringList SpawnPlan::lines() const
{
    QStringList lines;
    for (const Group &g : m_groups)
        lines.append(line(g));
    return lines;
}

} // namespace Clustr
