// SPDX-License-Identifier: MIT
#pragma once

#include "base/global_p.h"

#include <QtCore/QString>

#include <optional>

namespace Clustr {

/*!
  Where and how to reach Redis, parsed from
  `redis://[[user]:password@]host[:port][/db]` or
  `unix:///path/to.sock[?password=…&user=…&db=…]`.
*/
struct CLUSTR_AUTOTEST_EXPORT RedisUrl
{
    enum class Transport { Tcp, Unix };

    Transport transport = Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    int port = 6379;
    QString socketPath;
    QString user;
    QString password;
    int database = 0;

    static constexpr const char *DefaultUrl = "redis://127.0.0.1:6379";

    //! Parses \a url; on failure returns nothing and sets \a error to why.
    static std::optional<RedisUrl> parse(const QString &url, QString *error = nullptr);

    //! "127.0.0.1:6379" or "/path/to.sock": for messages, never with credentials.
    QString endpoint() const;
    //! The URL again, with the password replaced by "***" unless \a withPassword.
    QString toString(bool withPassword = false) const;
};

} // namespace Clustr
