// SPDX-License-Identifier: MIT
#include "redisurl_p.h"

#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>

namespace Clustr {

namespace {

bool fail(QString *error, const QString &text)
{
    if (error)
        *error = text;
    return false;
}

bool parseDatabase(const QString &text, int *database, QString *error)
{
    if (text.isEmpty())
        return true;
    bool ok = false;
    const int db = text.toInt(&ok);
    if (!ok || db < 0)
        return fail(error, QStringLiteral("database must be a number >= 0, not \"%1\"").arg(text));
    *database = db;
    return true;
}

} // namespace

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    // Errors quote the URL, never its password.
    const QString shown = QUrl(trimmed).password().isEmpty()
        ? trimmed
        : QString(trimmed).replace(QLatin1Char(':') + QUrl(trimmed).password(QUrl::FullyEncoded) + QLatin1Char('@'), QStringLiteral(":***@"));
    if (trimmed.isEmpty()) {
        fail(error, QStringLiteral("empty Redis URL"));
        return std::nullopt;
    }
    if (!trimmed.contains(QLatin1String("://"))) {
        fail(error, QStringLiteral("invalid Redis URL \"%1\": the scheme must be redis:// or unix:// (e.g. redis://127.0.0.1:6379)").arg(trimmed));
        return std::nullopt;
    }
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid()) {
        fail(error, QStringLiteral("invalid Redis URL \"%1\"").arg(shown));
        return std::nullopt;
    }

    RedisUrl result;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("redis")) {
        result.transport = Transport::Tcp;
        if (url.host().isEmpty()) {
            fail(error, QStringLiteral("invalid Redis URL \"%1\": no host").arg(shown));
            return std::nullopt;
        }
        result.host = url.host();
        result.port = url.port(6379);
        if (result.port <= 0 || result.port > 65535) {
            fail(error, QStringLiteral("invalid Redis URL \"%1\": bad port").arg(shown));
            return std::nullopt;
        }
        result.user = url.userName(QUrl::FullyDecoded);
        result.password = url.password(QUrl::FullyDecoded);
        QString path = url.path();
        if (path.startsWith(QLatin1Char('/')))
            path.remove(0, 1);
        QString dbError;
        if (!parseDatabase(path, &result.database, &dbError)) {
            fail(error, QStringLiteral("invalid Redis URL \"%1\": %2").arg(shown, dbError));
            return std::nullopt;
        }
    } else if (scheme == QLatin1String("unix")) {
        result.transport = Transport::Unix;
        result.host.clear();
        // unix:///path has an empty host; unix://relative would put the first
        // segment in the host, which is never what anyone means.
        if (!url.host().isEmpty() || !url.path().startsWith(QLatin1Char('/'))) {
            fail(error, QStringLiteral("invalid Redis URL \"%1\": a unix socket URL needs an absolute path (unix:///path/to.sock)").arg(shown));
            return std::nullopt;
        }
        result.socketPath = url.path(QUrl::FullyDecoded);
        const QUrlQuery query(url);
        result.user = query.queryItemValue(QStringLiteral("user"), QUrl::FullyDecoded);
        result.password = query.queryItemValue(QStringLiteral("password"), QUrl::FullyDecoded);
        QString dbError;
        if (!parseDatabase(query.queryItemValue(QStringLiteral("db")), &result.database, &dbError)) {
            fail(error, QStringLiteral("invalid Redis URL \"%1\": %2").arg(shown, dbError));
            return std::nullopt;
        }
    } else {
        fail(error, QStringLiteral("invalid Redis URL \"%1\": the scheme must be redis:// or unix://").arg(shown));
        return std::nullopt;
    }
    if (!result.user.isEmpty() && result.password.isEmpty()) {
        fail(error, QStringLiteral("invalid Redis URL \"%1\": a user needs a password").arg(shown));
        return std::nullopt;
    }
    return result;
}

QString RedisUrl::endpoint() const
{
    if (transport == Transport::Unix)
        return socketPath;
    if (host.contains(QLatin1Char(':')))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

QString RedisUrl::toString(bool withPassword) const
{
    const QString secret = withPassword ? password : QStringLiteral("***");
    if (transport == Transport::Unix) {
        // QUrl would write "unix:/path"; the form we parse is "unix:///path".
        QUrlQuery query;
        if (!user.isEmpty())
            query.addQueryItem(QStringLiteral("user"), user);
        if (!password.isEmpty())
            query.addQueryItem(QStringLiteral("password"), secret);
        if (database != 0)
            query.addQueryItem(QStringLiteral("db"), QString::number(database));
        const QString encodedPath = QString::fromUtf8(QUrl::toPercentEncoding(socketPath, "/"));
        return QStringLiteral("unix://") + encodedPath + (query.isEmpty() ? QString() : QLatin1Char('?') + query.toString(QUrl::FullyEncoded));
    }
    QUrl url;
    url.setScheme(QStringLiteral("redis"));
    url.setHost(host);
    url.setPort(port);
    if (!password.isEmpty()) {
        url.setUserName(user);
        url.setPassword(secret);
    }
    if (database != 0)
        url.setPath(QLatin1Char('/') + QString::number(database));
    return url.toString();
}

} // namespace Clustr
