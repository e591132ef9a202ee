// SPDX-License-Identifier: MIT
#include "treeguard_p.h"

#include "base/logging_p.h"

#include <QtCore/QProcess>

#include <unistd.h>

namespace Clustr {

namespace {

// Signals that may reach the guard with the root's terminal or group are
// ignored; the loop ends only at end of input, that is when the root is
// gone (nothing is ever written); then the whole group gets SIGKILL.
constexpr char Script[] = "trap '' HUP INT QUIT TERM; while read -r _; do :; done; kill -9 0";

} // namespace

TreeGuard::TreeGuard(QObject *parent)
    : QObject(parent)
{
}

TreeGuard::~TreeGuard()
{
    if (!m_process)
        return;
    // The root ends the guard, not the tree: closing the pipe would kill
    // the group, so the guard is killed before QProcess closes it.
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000); // SIGKILL cannot be caught: this is a reap
    }
    delete m_process;
}

qint64 TreeGuard::pid() const
{
    return m_process ? m_process->processId() : 0;
}

bool TreeGuard::start()
{
    if (m_process)
        return m_group > 0;
    m_process = new QProcess;
    m_process->setProgram(QStringLiteral("/bin/sh"));
    m_process->setArguments({QStringLiteral("-c"), QLatin1String(Script)});
    m_process->setStandardOutputFile(QProcess::nullDevice());
    m_process->setStandardErrorFile(QProcess::nullDevice());
    // A group of its own, out of the root's: a Ctrl-C in the terminal
    // reaches the root, which stops the tree in order.
    m_process->setChildProcessModifier([] { ::setpgid(0, 0); });
    m_process->start(QIODevice::WriteOnly);
    const qint64 guardPid = m_process->processId();
    if (guardPid <= 0) {
        qCWarning(lcSpawn).noquote() << "cannot start the process tree's guard (/bin/sh):" << m_process->errorString()
                                     << "- a SIGKILL of this process would leave its workers' children running";
        return false;
    }
    // Both sides set the group, as shells do: children started right after
    // this must find it, whether or not the guard has run its modifier yet.
    ::setpgid(pid_t(guardPid), pid_t(guardPid));
    m_group = guardPid;
    connect(m_process, &QProcess::finished, this, [this] {
        qCWarning(lcSpawn) << "the process tree's guard ended: a SIGKILL of this process would leave its workers' children running";
        m_group = 0;
    });
    return true;
}

} // namespace Clustr

// Here rather than in the library's mocs_compilation, which comes first in
// the layout: see the source order in CMakeLists.txt.
#include "moc_treeguard_p.cpp"
