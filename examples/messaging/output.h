// SPDX-License-Identifier: MIT
// What the programs of the messaging example share: one-line output and
// how they show options, CPUs and cluster info.
#pragma once

#include <ClustrQt/process.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <cstdio>

#include <sched.h>

namespace Example {

// One whole line per write: a child's stdout is a pipe to its parent, which
// forwards it line by line, so a line must neither wait in a buffer nor
// arrive in pieces.
inline void say(const QString &line)
{
    const QByteArray bytes = line.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

inline QString json(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    // A scalar: wrap it to let QJsonDocument quote and escape it, then unwrap.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

inline QString json(const Clustr::ClusterInfo &info)
{
    QJsonObject object;
    for (auto it = info.cbegin(); it != info.cend(); ++it) {
        QJsonArray pids;
        for (qint64 pid : it.value())
            pids.append(double(pid));
        object.insert(it.key(), pids);
    }
    return json(object);
}

// "cluster-option=foo private=(none)": the two options the example passes
// down, to show which of them reach which process.
inline QString receivedOptions(const Clustr::Process &process)
{
    QStringList parts;
    for (const QString &name : {QStringLiteral("cluster-option"), QStringLiteral("private")})
        parts << name + u'=' + process.option(name, QStringLiteral("(none)"));
    return parts.join(u' ');
}

// The CPUs this process may run on, in order. The master pins its children
// to the first ones, like the original pinned them to 0, 1, 2 and 3, without
// naming a CPU that a container or taskset has taken away.
inline QList<int> allowedCpus()
{
    QList<int> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
        if (CPU_ISSET(cpu, &set))
            cpus.append(cpu);
    }
    return cpus;
}

inline QString allowedCpuList()
{
    QStringList cpus;
    for (int cpu : allowedCpus())
        cpus << QString::number(cpu);
    return cpus.join(u',');
}

} // namespace Example
