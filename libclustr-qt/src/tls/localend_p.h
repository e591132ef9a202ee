// SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace Clustr::Tls {

//! strerror(\a code) as a QString, for the plugin's messages.
QString systemError(int code);

/*!
  The plaintext end of a tunnel: a unix socket in a directory of its own,
  created 0700, so that no other user can reach the unencrypted stream.
  It takes one connection, from this very process (SO_PEERCRED), and then
  removes the socket and its directory: nothing stays on disk while the
  connection lives.
*/
class LocalEnd
{
public:
    LocalEnd() = default;
    ~LocalEnd();
    LocalEnd(const LocalEnd &) = delete;
    LocalEnd &operator=(const LocalEnd &) = delete;

    //! Creates the directory and listens; false with \a error when it cannot.
    bool listen(QString *error);
    QByteArray path() const { return m_path; }
    //! The listening socket, to watch for readability; -1 once closed.
    int listener() const { return m_listener; }
    /*!
      The connection of this process, non-blocking and close-on-exec, once
      one is waiting (-1 before; connections of other processes are
      refused). The listener, socket and directory are gone afterwards.
    */
    int acceptOwn();
    //! Stops listening and removes the socket and the directory (also done when destroyed).
    void close();

private:
    QByteArray m_directory;
    QByteArray m_path;
    int m_listener = -1;
};

} // namespace Clustr::Tls
