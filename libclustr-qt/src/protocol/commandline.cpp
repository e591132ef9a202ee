// SPDX-License-Identifier: MIT
#include "commandline_p.h"

#include "base/decimal_p.h"

#include "codec_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonValue>

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace Clustr {

namespace {

const QLatin1String ClusterPrefix("cluster-");
const QLatin1String EndOfOptions("--");

// The name of an option argument (`--name` or `--name=value`); empty for
// anything that is not one.
QStringView optionName(const QString &argument)
{
    if (argument.size() <= 2 || !argument.startsWith(EndOfOptions))
        return {};
    const qsizetype equals = argument.indexOf(u'=', 2);
    return QStringView(argument).sliced(2, (equals < 0 ? argument.size() : equals) - 2);
}

bool isClusterOption(QStringView name)
{
    return name.size() > ClusterPrefix.size() && name.startsWith(ClusterPrefix);
}

// Replaces the argument of the same option name in place, so an override
// keeps the position of what it overrides; appends otherwise.
void upsert(QStringList &arguments, const QString &argument)
{
    const QStringView name = optionName(argument);
    if (!name.isEmpty()) {
        for (QString &existing : arguments) {
            if (optionName(existing) == name) {
                existing = argument;
                return;
            }
        }
    }
    arguments.append(argument);
}

} // namespace

CommandLine::CommandLine(const QStringList &arguments)
    : m_arguments(arguments)
{
    for (const QString &argument : arguments) {
        if (argument == EndOfOptions)
            break;
        const QStringView name = optionName(argument);
        if (name.isEmpty())
            continue;
        const qsizetype valueStart = 2 + name.size() + 1;
        m_options.insert(name.toString(), valueStart > argument.size()
                                              ? QStringLiteral("true")
                                              : argument.mid(valueStart));
        if (isClusterOption(name))
            upsert(m_clusterArguments, argument);
    }
}

QStringList CommandLine::processArguments()
{
    const int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return QCoreApplication::arguments();
    QByteArray all;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
        if (n > 0)
            all.append(buffer, n);
    }
    ::close(fd);
    if (n < 0 || all.isEmpty())
        return QCoreApplication::arguments();
    // NUL-terminated arguments, one after the other.
    QStringList arguments;
    for (qsizetype start = 0; start < all.size();) {
        qsizetype end = all.indexOf('\0', start);
        if (end < 0)
            end = all.size();
        arguments.append(QString::fromUtf8(all.constData() + start, end - start));
        start = end + 1;
    }
    return arguments;
}

QString CommandLine::option(const QString &name, const QString &defaultValue) const
{
    return m_options.value(name, defaultValue);
}

QStringList CommandLine::clusterArguments() const
{
    return m_clusterArguments;
}

qint64 CommandLine::masterPid() const
{
    // Digits only: toLongLong() would also take signs and surrounding spaces.
    const qint64 pid = parseDecimal(option(QStringLiteral("cluster-master-pid")));
    return pid > 0 ? pid : 0;
}

QStringList CommandLine::argumentsFrom(const QJsonObject &args)
{
    QStringList arguments;
    for (auto it = args.constBegin(); it != args.constEnd(); ++it) {
        // An empty key would yield `--`, which ends the options of the child.
        if (it.key().isEmpty())
            continue;
        const QString option = EndOfOptions + it.key();
        const QJsonValue value = it.value();
        switch (value.type()) {
        case QJsonValue::Bool:
            if (value.toBool())
                arguments.append(option);
            break;
        case QJsonValue::Null:
        case QJsonValue::Undefined:
            break;
        case QJsonValue::String:
            // No shell lies between us and the child: the value goes verbatim.
            arguments.append(option + u'=' + value.toString());
            break;
        case QJsonValue::Double:
        case QJsonValue::Array:
        case QJsonValue::Object:
            arguments.append(option + u'=' + QString::fromUtf8(Protocol::Codec::toJsonBytes(value)));
            break;
        }
    }
    return arguments;
}

QStringList CommandLine::mergeClusterArguments(const QStringList &inherited,
                                               const QStringList &overrides)
{
    QStringList merged;
    merged.reserve(inherited.size() + overrides.size());
    for (const QString &argument : inherited)
        upsert(merged, argument);
    for (const QString &argument : overrides)
        upsert(merged, argument);
    return merged;
}

} // namespace Clustr
