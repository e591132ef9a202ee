// SPDX-License-Identifier: MIT
#pragma once

#include <ClustrQt/clusterclient.h>
#include <ClustrQt/clusterstatus.h>

#include <QtCore/QString>
#include <QtCore/QStringList>

#include <functional>
#include <optional>

namespace ControlCommands {

class Session;

/*
  The control commands on a cluster across hosts (docs/MULTI-HOST.md):
  each host has a master of its own, so what is cluster-wide is done host
  by host, through a session of each (`--host NAME`).
*/
namespace AcrossHosts {

//! `HOST:PID` split, or nothing when \a text is not of that form (a bare pid is not).
std::optional<std::pair<QString, qint64>> splitHostPid(const QString &text);

//! One host as read: its entry in the hosts list and, unless it is lost or could not be read, its status.
struct HostState
{
    Clustr::ClusterHost host;
    std::optional<Clustr::ClusterStatus> status;
};

//! Every host of \a session's cluster with its status, read through a session of each (fresh figures when \a fresh).
QList<HostState> read(const Session &session, bool fresh);

//! `status` across hosts: a summary of the hosts, then each host's table; with \a json one document.
int status(const Session &session, bool json, bool compact);

//! The hosts where \a pid is a registered process, with its group: "h1:42 (web)".
QStringList holdersOf(const QList<HostState> &hosts, qint64 pid, QStringList *hostNames);
//! Registered processes of \a group on every host.
int groupSize(const QList<HostState> &hosts, const QString &group);

/*!
  Runs \a command (a control command's function) for every host that is not
  lost, one after the other, with `--host NAME` in front of \a arguments;
  with \a stopOnFailure the first failure ends it. The worst exit code.
*/
int forEachHost(const Session &session, const QStringList &arguments, const std::function<int(QStringList)> &command,
                bool stopOnFailure);

} // namespace AcrossHosts
} // namespace ControlCommands
