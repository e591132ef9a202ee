// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace Clustr::RuntimeDirectory {

/*
  The directory where `clustr-qt run` keeps its embedded Redis' socket and
  the record that tells the CLI and the GUI where it is.

  Everyone who can write there can make our tools talk to a Redis of their
  choosing, or make `run` write through a planted symlink; /tmp/clustr-qt-UID
  is a name anyone can create first. So nothing is trusted by its name:
  the directory must be a real directory (not a symlink), owned by our
  effective uid, with mode 0700, or it is refused with the reason; files
  go in through a fresh temporary and rename() (which replaces a symlink
  instead of following it), are read with O_NOFOLLOW, and a unix socket is
  trusted only when the process serving it runs as us (SO_PEERCRED).
*/

//! $XDG_RUNTIME_DIR/clustr-qt; without XDG_RUNTIME_DIR, /run/clustr-qt for root and /tmp/clustr-qt-UID for others.
QString path();

//! Creates path() (mode 0700) if it does not exist, then verify()s it.
bool ensure(QString *error);

//! True if \a directory is a directory (not a symlink), owned by us, mode 0700; else the reason in \a error.
bool verify(const QString &directory, QString *error);

//! Writes \a bytes to \a path (mode 0600) through a temporary in the same directory and rename().
bool writeFile(const QString &path, const QByteArray &bytes, QString *error);

//! Reads at most \a maxBytes of the regular file \a path, owned by us, without following a symlink.
std::optional<QByteArray> readFile(const QString &path, qint64 maxBytes, QString *error);

//! True if the process listening on the unix socket \a socketPath runs as our effective uid.
bool servedByUs(const QString &socketPath, QString *error);

} // namespace Clustr::RuntimeDirectory
