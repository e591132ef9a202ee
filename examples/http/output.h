// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QString>

#include <cstdio>

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

} // namespace Example
