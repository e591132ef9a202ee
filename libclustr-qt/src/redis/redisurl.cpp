// SPDX-License-Identifier: MIT
#include "redisurl_p.h"

#include "base/decimal_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QStringList>
#include <QtCore/QStringView>

#include <initializer_list>
#include <limits>

// A hand-written parser rather than QUrl: every worker parses its Redis URL,
// and QUrl's host, IPv4 and IDN code and tables would add about 200 KiB to
// each idle process's resident memory. The success path therefore sticks to
// plain QString/QByteArray operations and checks ASCII ranges by hand (no
// QLocale, no QChar::category()); only the rare error paths format messages
// with arg().

namespace Clustr {

namespace {

constexpr int DefaultPort = 6379;

bool fail(QString *error, const QString &text)
{
    if (error)
        *error = text;
    return false;
}

bool isDigit(char16_t c)
{
    return c >= u'0' && c <= u'9';
}

bool isHexDigit(char16_t c)
{
    return isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

bool isLetter(char16_t c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z');
}

char16_t toLower(char16_t c)
{
    return c >= u'A' && c <= u'Z' ? char16_t(c + (u'a' - u'A')) : c;
}

// The characters QUrl's StrictMode refused anywhere in a URL: a raw space is
// usually a copy-paste accident and a control character never belongs there;
// the others are RFC 3986's "unwise" ones, which must be percent-encoded.
bool isForbidden(char16_t c)
{
    if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
        return true;
    switch (c) {
    case u'"': case u'<': case u'>': case u'\\': case u'^': case u'`': case u'{': case u'|': case u'}':
        return true;
    default:
        return false;
    }
}

// Also makes sure every '%' starts an escape: QByteArray::fromPercentEncoding()
// would pass "%zz" through unchanged instead of refusing it.
bool hasOnlyAllowedCharacters(QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (isForbidden(c))
            return false;
        if (c == u'%' && (i + 2 >= text.size() || !isHexDigit(text[i + 1].unicode()) || !isHexDigit(text[i + 2].unicode())))
            return false;
    }
    return true;
}

bool equalsAsciiLower(QStringView text, QLatin1String lower)
{
    if (text.size() != lower.size())
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (toLower(text[i].unicode()) != char16_t(uchar(lower.data()[i])))
            return false;
    }
    return true;
}

// Percent-escapes stand for UTF-8 bytes, as QUrl::FullyDecoded read them.
QString decoded(QStringView text)
{
    if (!text.contains(u'%'))
        return text.toString();
    return QString::fromUtf8(QByteArray::fromPercentEncoding(text.toUtf8()));
}

// Only ASCII digits, and no overflow: QString::toInt() would also take a sign,
// surrounding spaces and locale-dependent forms.
bool parseNumber(QStringView text, int max, int *value)
{
    if (!isDecimal(text))
        return false;
    int result = 0;
    for (const QChar c : text) {
        const int digit = c.unicode() - u'0';
        if (result > (max - digit) / 10)
            return false;
        result = result * 10 + digit;
    }
    *value = result;
    return true;
}

bool parseDatabase(QStringView text, int *database, QString *error)
{
    if (text.isEmpty())
        return true;
    if (!parseNumber(text, std::numeric_limits<int>::max(), database))
        return fail(error, QStringLiteral("database must be a number >= 0, not \"%1\"").arg(text));
    return true;
}

QString decimal(int value)
{
    char digits[24];
    char *const end = digits + sizeof(digits);
    const char *const first = writeDecimal(value, end);
    return QString::fromLatin1(first, end - first);
}

// A registered name as QUrl accepted it, ASCII only: dot-separated labels of
// letters, digits, '-' and '_', none empty (a single trailing dot aside) and
// none starting or ending with '-'.
bool isValidHostName(QStringView host)
{
    if (host.endsWith(u'.'))
        host.chop(1);
    if (host.isEmpty())
        return false;
    qsizetype labelStart = 0;
    for (qsizetype i = 0; i <= host.size(); ++i) {
        const char16_t c = i < host.size() ? host[i].unicode() : u'.';
        if (c == u'.') {
            if (i == labelStart || host[labelStart] == u'-' || host[i - 1] == u'-')
                return false;
            labelStart = i + 1;
        } else if (!isLetter(c) && !isDigit(c) && c != u'-' && c != u'_') {
            return false;
        }
    }
    return true;
}

bool isValidIpv4(QStringView address)
{
    int parts = 0;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= address.size(); ++i) {
        if (i < address.size() && address[i] != u'.')
            continue;
        int value = 0;
        const QStringView part = address.mid(start, i - start);
        if (part.size() > 3 || !parseNumber(part, 255, &value))
            return false;
        ++parts;
        start = i + 1;
    }
    return parts == 4;
}

// The text between the brackets: hex groups of up to four digits, at most one
// "::", optionally ending in a dotted IPv4 address that counts as two groups.
bool isValidIpv6(QStringView address)
{
    const qsizetype compressed = address.indexOf(QLatin1String("::"));
    if (compressed >= 0 && address.indexOf(QLatin1String("::"), compressed + 1) >= 0)
        return false;
    // Split off "::" so that the groups on either side can be counted alike.
    const QStringView sides[2] = {
        compressed >= 0 ? address.left(compressed) : address,
        compressed >= 0 ? address.mid(compressed + 2) : QStringView(),
    };
    int groups = 0;
    for (int side = 0; side < 2; ++side) {
        const QStringView text = sides[side];
        if (text.isEmpty())
            continue;
        qsizetype start = 0;
        for (qsizetype i = 0; i <= text.size(); ++i) {
            if (i < text.size() && text[i] != u':')
                continue;
            const QStringView group = text.mid(start, i - start);
            const bool last = (side == 1 || compressed < 0) && i == text.size();
            if (last && group.contains(u'.')) {
                if (!isValidIpv4(group))
                    return false;
                groups += 2;
            } else {
                if (group.isEmpty() || group.size() > 4)
                    return false;
                for (const QChar c : group) {
                    if (!isHexDigit(c.unicode()))
                        return false;
                }
                ++groups;
            }
            start = i + 1;
        }
    }
    return compressed >= 0 ? groups <= 7 : groups == 8;
}

QString asciiLower(QStringView text)
{
    QString result = text.toString();
    for (QChar &c : result)
        c = QChar(toLower(c.unicode()));
    return result;
}

// Where the parts of "scheme://authority/path?query#fragment" are, after
// RFC 3986's appendix B: the authority ends at the first '/', '?' or '#'.
struct Parts
{
    QStringView scheme;
    QStringView authority;
    QStringView path;
    QStringView query;
    QStringView fragment;
    bool hasQuery = false;
    bool hasFragment = false;
};

Parts split(QStringView url, qsizetype schemeEnd)
{
    Parts parts;
    parts.scheme = url.left(schemeEnd);
    QStringView rest = url.mid(schemeEnd + 3);
    const qsizetype hash = rest.indexOf(u'#');
    if (hash >= 0) {
        parts.hasFragment = true;
        parts.fragment = rest.mid(hash + 1);
        rest = rest.left(hash);
    }
    const qsizetype question = rest.indexOf(u'?');
    if (question >= 0) {
        parts.hasQuery = true;
        parts.query = rest.mid(question + 1);
        rest = rest.left(question);
    }
    const qsizetype slash = rest.indexOf(u'/');
    parts.authority = slash >= 0 ? rest.left(slash) : rest;
    parts.path = slash >= 0 ? rest.mid(slash) : QStringView();
    return parts;
}

// The value of the first "key=value" item named \a key (compared decoded), as
// QUrlQuery::queryItemValue() found it; '+' stays a '+'.
QStringView queryItem(QStringView query, QLatin1String key)
{
    while (!query.isEmpty()) {
        const qsizetype ampersand = query.indexOf(u'&');
        const QStringView item = ampersand >= 0 ? query.left(ampersand) : query;
        query = ampersand >= 0 ? query.mid(ampersand + 1) : QStringView();
        const qsizetype equals = item.indexOf(u'=');
        const QStringView name = equals >= 0 ? item.left(equals) : item;
        if (name == key || (name.contains(u'%') && decoded(name) == key))
            return equals >= 0 ? item.mid(equals + 1) : QStringView();
    }
    return {};
}

// The URL as error messages quote it: a password, in the user info
// (redis://user:secret@host) or a query item (unix://…?password=secret),
// becomes "***". Works on URLs that fail to parse too, which is the point.
QString withoutPassword(const QString &url)
{
    QString shown = url;
    const qsizetype schemeEnd = shown.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return shown;
    const qsizetype authorityStart = schemeEnd + 3;
    qsizetype authorityEnd = authorityStart;
    while (authorityEnd < shown.size() && shown[authorityEnd] != u'/' && shown[authorityEnd] != u'?' && shown[authorityEnd] != u'#')
        ++authorityEnd;

    // The query first, so that replacing in it leaves the user info's indexes alone.
    const qsizetype question = shown.indexOf(u'?', authorityEnd);
    if (question >= 0) {
        const qsizetype hash = shown.indexOf(u'#', question);
        const qsizetype queryEnd = hash >= 0 ? hash : shown.size();
        QStringList items = shown.mid(question + 1, queryEnd - question - 1).split(u'&');
        for (QString &item : items) {
            const qsizetype equals = item.indexOf(u'=');
            const QString name = equals > 0 ? decoded(QStringView(item).left(equals)) : QString();
            if (equals + 1 < item.size() && (name == QLatin1String("password") || name == QLatin1String("sentinelPassword")))
                item = item.left(equals + 1) + QStringLiteral("***");
        }
        shown.replace(question + 1, queryEnd - question - 1, items.join(u'&'));
    }

    const qsizetype at = shown.lastIndexOf(u'@', authorityEnd - 1);
    if (at >= authorityStart) {
        const qsizetype colon = shown.indexOf(u':', authorityStart);
        if (colon >= 0 && colon + 1 < at)
            shown.replace(colon + 1, at - colon - 1, QStringLiteral("***"));
    }
    return shown;
}

} // namespace

namespace {

// Each step below returns false with the reason in *why (empty: the URL as
// a whole is malformed, nothing more specific to say).

// user:password@ of a redis:// URL.
bool parseUserInfo(QStringView userInfo, RedisUrl *url, QString *why)
{
    // '@', '[' and ']' would have to be percent-encoded here.
    for (const QChar c : userInfo) {
        if (c == u'@' || c == u'[' || c == u']') {
            why->clear();
            return false;
        }
    }
    const qsizetype colon = userInfo.indexOf(u':');
    url->user = decoded(colon >= 0 ? userInfo.left(colon) : userInfo);
    url->password = colon >= 0 ? decoded(userInfo.mid(colon + 1)) : QString();
    return true;
}

// The user info in front of \a authority, if any, parsed into \a url;
// \a authority is left with what follows it.
bool takeUserInfo(QStringView *authority, RedisUrl *url, QString *why)
{
    const qsizetype at = authority->lastIndexOf(u'@');
    if (at < 0)
        return true;
    if (!parseUserInfo(authority->left(at), url, why))
        return false;
    *authority = authority->mid(at + 1);
    return true;
}

// host[:port] or [ipv6][:port]; no port (or "host:") means \a defaultPort.
bool parseHostAndPort(QStringView hostAndPort, int defaultPort, QString *host, int *port, QString *why)
{
    QStringView portText;
    bool hasPort = false;
    if (hostAndPort.startsWith(u'[')) {
        const qsizetype close = hostAndPort.indexOf(u']');
        if (close < 0) {
            *why = QStringLiteral("'[' without ']'");
            return false;
        }
        const QStringView address = hostAndPort.mid(1, close - 1);
        const QStringView after = hostAndPort.mid(close + 1);
        if (!after.isEmpty() && !after.startsWith(u':')) {
            why->clear();
            return false;
        }
        if (!isValidIpv6(address)) {
            *why = QStringLiteral("bad IPv6 address");
            return false;
        }
        *host = asciiLower(address);
        hasPort = !after.isEmpty();
        portText = after.mid(1);
    } else {
        const qsizetype colon = hostAndPort.indexOf(u':');
        const QStringView name = colon >= 0 ? hostAndPort.left(colon) : hostAndPort;
        if (name.isEmpty() || !isValidHostName(name)) {
            *why = name.isEmpty() ? QStringLiteral("no host") : QStringLiteral("bad host name");
            return false;
        }
        // Host names are case-insensitive; QUrl lowercased them too.
        *host = asciiLower(name);
        hasPort = colon >= 0;
        portText = hostAndPort.mid(colon + 1);
    }
    // "host:" with nothing after the colon means the default port, as in QUrl.
    *port = defaultPort;
    if (hasPort && !portText.isEmpty() && (!parseNumber(portText, 65535, port) || *port <= 0)) {
        *why = QStringLiteral("bad port");
        return false;
    }
    return true;
}

struct QueryOption
{
    QLatin1String name;
    QString *value;
};

// The key=value items of a query, each one of \a options, given once and
// with a value. Anything else is refused rather than ignored, with \a usage
// as the hint: a misspelt option must not quietly do without.
bool parseQueryOptions(QStringView query, std::initializer_list<QueryOption> options, const char *usage, QString *why)
{
    while (!query.isEmpty()) {
        const qsizetype ampersand = query.indexOf(u'&');
        const QStringView item = ampersand >= 0 ? query.left(ampersand) : query;
        query = ampersand >= 0 ? query.mid(ampersand + 1) : QStringView();
        if (item.isEmpty())
            continue; // "?a=1&&b=2", a trailing '&'
        const qsizetype equals = item.indexOf(u'=');
        const QString name = decoded(equals >= 0 ? item.left(equals) : item);
        QString *value = nullptr;
        for (const QueryOption &option : options) {
            if (name == option.name)
                value = option.value;
        }
        if (!value) {
            *why = QStringLiteral("unknown option \"%1\" (%2)").arg(name, QLatin1String(usage));
            return false;
        }
        if (!value->isEmpty()) {
            *why = QStringLiteral("%1 is given twice").arg(name);
            return false;
        }
        *value = equals >= 0 ? decoded(item.mid(equals + 1)) : QString();
        if (value->isEmpty()) {
            *why = QStringLiteral("%1 needs a value (%1=…)").arg(name);
            return false;
        }
    }
    return true;
}

// ?cacert=FILE&cert=FILE&key=FILE&sni=NAME of a rediss:// URL, named after
// redis-cli's --cacert, --cert, --key and --sni: a misspelt "cacert" must
// not fall back to the system's CAs.
bool parseTlsOptions(QStringView query, RedisUrl *url, QString *why)
{
    if (!parseQueryOptions(query,
                           {{QLatin1String("cacert"), &url->caCertFile},
                            {QLatin1String("cert"), &url->certFile},
                            {QLatin1String("key"), &url->keyFile},
                            {QLatin1String("sni"), &url->serverName}},
                           "a rediss:// URL takes cacert, cert, key and sni", why))
        return false;
    if (url->certFile.isEmpty() != url->keyFile.isEmpty()) {
        *why = QStringLiteral("cert and key go together: give both or neither");
        return false;
    }
    if (!url->serverName.isEmpty()) {
        if (!isValidHostName(url->serverName)) {
            *why = QStringLiteral("sni must be a host name");
            return false;
        }
        url->serverName = asciiLower(url->serverName);
    }
    return true;
}

// redis:// and rediss://, which differ only in the query rediss:// takes.
bool parseTcp(const Parts &parts, RedisUrl *url, QString *why)
{
    url->transport = RedisUrl::Transport::Tcp;
    if (parts.hasFragment || (parts.hasQuery && !url->tls)) {
        *why = url->tls ? QStringLiteral("a rediss:// URL takes no #fragment")
                        : QStringLiteral("a redis:// URL takes no ?query or #fragment");
        return false;
    }
    QStringView hostAndPort = parts.authority;
    if (!takeUserInfo(&hostAndPort, url, why))
        return false;
    if (!parseHostAndPort(hostAndPort, DefaultPort, &url->host, &url->port, why))
        return false;
    QStringView path = parts.path;
    if (path.startsWith(u'/'))
        path = path.mid(1);
    if (!parseDatabase(path, &url->database, why))
        return false;
    return !url->tls || parseTlsOptions(parts.query, url, why);
}

// ?sentinelUser=…&sentinelPassword=… of a redis-sentinel:// URL: a misspelt
// sentinelPassword must not turn into sentinels asked without one.
bool parseSentinelOptions(QStringView query, RedisUrl *url, QString *why)
{
    if (!parseQueryOptions(query,
                           {{QLatin1String("sentinelUser"), &url->sentinelUser},
                            {QLatin1String("sentinelPassword"), &url->sentinelPassword}},
                           "a redis-sentinel:// URL takes sentinelUser and sentinelPassword", why))
        return false;
    if (!url->sentinelUser.isEmpty() && url->sentinelPassword.isEmpty()) {
        *why = QStringLiteral("sentinelUser needs a sentinelPassword");
        return false;
    }
    return true;
}

// [user:password@]host[:port],host[:port]…: the user info and the sentinels
// of a redis-sentinel:// URL, the seed nodes of a redis-cluster:// one (\a
// what names them in errors, \a example shows the form).
bool parseHostList(QStringView authority, int defaultPort, const char *what, const char *example, RedisUrl *url,
                   QList<RedisUrl::Address> *list, QString *why)
{
    QStringView hosts = authority;
    if (!takeUserInfo(&hosts, url, why))
        return false;
    if (hosts.isEmpty()) {
        *why = QStringLiteral("no %1: name at least one (%2)").arg(QLatin1String(what), QLatin1String(example));
        return false;
    }
    while (true) {
        const qsizetype comma = hosts.indexOf(u',');
        const QStringView item = comma >= 0 ? hosts.left(comma) : hosts;
        if (item.isEmpty()) {
            *why = QStringLiteral("an empty host in the list of %1s").arg(QLatin1String(what));
            return false;
        }
        RedisUrl::Address address;
        if (!parseHostAndPort(item, defaultPort, &address.host, &address.port, why)) {
            if (!why->isEmpty())
                *why = QStringLiteral("%1 \"%2\": %3").arg(QLatin1String(what), item, *why);
            return false;
        }
        list->append(address);
        if (comma < 0)
            return true;
        hosts = hosts.mid(comma + 1);
    }
}

// redis-sentinel://[user:password@]host[:port],host[:port]…/MASTER[/db][?…]
bool parseSentinel(const Parts &parts, RedisUrl *url, QString *why)
{
    url->transport = RedisUrl::Transport::Sentinel;
    url->host.clear(); // where the master is, only the sentinels know
    if (parts.hasFragment) {
        *why = QStringLiteral("a redis-sentinel:// URL takes no #fragment");
        return false;
    }
    if (!parseHostList(parts.authority, RedisUrl::DefaultSentinelPort, "sentinel",
                       "redis-sentinel://host:26379,host2:26379/MASTER", url, &url->sentinels, why))
        return false;
    QStringView path = parts.path.mid(1); // past the '/'
    const qsizetype slash = path.indexOf(u'/');
    url->masterName = decoded(slash >= 0 ? path.left(slash) : path);
    if (url->masterName.isEmpty()) {
        *why = QStringLiteral("no master name (redis-sentinel://host:26379/MASTER, the name of `sentinel monitor`)");
        return false;
    }
    if (slash >= 0 && !parseDatabase(path.mid(slash + 1), &url->database, why))
        return false;
    return parseSentinelOptions(parts.query, url, why);
}

// redis-cluster://[user:password@]host[:port],host[:port]…[/]: seed nodes of
// a Redis Cluster, any of which tells where the rest is (MOVED/ASK).
bool parseCluster(const Parts &parts, RedisUrl *url, QString *why)
{
    url->transport = RedisUrl::Transport::Cluster;
    url->host.clear(); // the node answering is whichever seed does
    if (parts.hasFragment) {
        *why = QStringLiteral("a redis-cluster:// URL takes no #fragment");
        return false;
    }
    // ?pubsub=plain: every channel through plain PUBLISH/SUBSCRIBE, as on
    // one Redis (what pattern readers such as `clustr-qt watch` need).
    QString pubsub;
    if (!parseQueryOptions(parts.query, {{QLatin1String("pubsub"), &pubsub}},
                           "a redis-cluster:// URL takes pubsub=sharded or pubsub=plain", why))
        return false;
    if (!pubsub.isEmpty() && pubsub != QLatin1String("sharded") && pubsub != QLatin1String("plain")) {
        *why = QStringLiteral("pubsub is \"%1\": sharded or plain").arg(pubsub);
        return false;
    }
    url->shardedPubSub = pubsub != QLatin1String("plain");
    if (!parseHostList(parts.authority, DefaultPort, "node", "redis-cluster://host:7000,host2:7001", url, &url->seeds, why))
        return false;
    if (!parts.path.isEmpty() && parts.path != QLatin1String("/")) {
        *why = QStringLiteral("a Redis Cluster has database 0 only: a redis-cluster:// URL takes no /db");
        return false;
    }
    return true;
}

bool parseUnix(const Parts &parts, RedisUrl *url, QString *why)
{
    url->transport = RedisUrl::Transport::Unix;
    url->host.clear();
    // unix:///path has an empty authority; unix://relative.sock would make
    // the first segment a host, which is never what anyone means.
    if (!parts.authority.isEmpty() || !parts.path.startsWith(u'/')) {
        *why = QStringLiteral("a unix socket URL needs an absolute path (unix:///path/to.sock)");
        return false;
    }
    if (parts.hasFragment) {
        why->clear();
        return false;
    }
    url->socketPath = decoded(parts.path);
    url->user = decoded(queryItem(parts.query, QLatin1String("user")));
    url->password = decoded(queryItem(parts.query, QLatin1String("password")));
    return parseDatabase(decoded(queryItem(parts.query, QLatin1String("db"))), &url->database, why);
}

} // namespace

std::optional<RedisUrl> RedisUrl::parse(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    // Errors quote the URL, never its password.
    const auto invalid = [&](const QString &why) {
        const QString shown = withoutPassword(trimmed);
        fail(error, why.isEmpty() ? QStringLiteral("invalid Redis URL \"%1\"").arg(shown)
                                  : QStringLiteral("invalid Redis URL \"%1\": %2").arg(shown, why));
        return std::nullopt;
    };
    if (trimmed.isEmpty()) {
        fail(error, QStringLiteral("empty Redis URL"));
        return std::nullopt;
    }
    const qsizetype schemeEnd = trimmed.indexOf(QLatin1String("://"));
    if (schemeEnd < 0)
        return invalid(QStringLiteral("the scheme must be redis://, rediss://, redis-sentinel://, redis-cluster:// or unix:// (e.g. redis://127.0.0.1:6379)"));
    if (!hasOnlyAllowedCharacters(trimmed))
        return invalid(QString());

    const Parts parts = split(trimmed, schemeEnd);
    RedisUrl result;
    QString why;
    result.tls = equalsAsciiLower(parts.scheme, QLatin1String("rediss"));
    if (result.tls || equalsAsciiLower(parts.scheme, QLatin1String("redis"))) {
        if (!parseTcp(parts, &result, &why))
            return invalid(why);
    } else if (equalsAsciiLower(parts.scheme, QLatin1String("unix"))) {
        if (!parseUnix(parts, &result, &why))
            return invalid(why);
    } else if (equalsAsciiLower(parts.scheme, QLatin1String("redis-sentinel"))) {
        if (!parseSentinel(parts, &result, &why))
            return invalid(why);
    } else if (equalsAsciiLower(parts.scheme, QLatin1String("redis-cluster"))) {
        if (!parseCluster(parts, &result, &why))
            return invalid(why);
    } else {
        return invalid(QStringLiteral("the scheme must be redis://, rediss://, redis-sentinel://, redis-cluster:// or unix://"));
    }
    if (!result.user.isEmpty() && result.password.isEmpty())
        return invalid(QStringLiteral("a user needs a password"));
    return result;
}

QString RedisUrl::endpoint() const
{
    if (transport == Transport::Unix)
        return socketPath;
    if (transport == Transport::Sentinel)
        return QStringLiteral("master ") + masterName + QStringLiteral(" of sentinels ") + sentinelList();
    if (transport == Transport::Cluster)
        return QStringLiteral("Redis Cluster ") + addressList(seeds);
    return endpoint(host, port);
}

QString RedisUrl::endpoint(const QString &host, int port)
{
    if (host.contains(u':'))
        return u'[' + host + QLatin1String("]:") + decimal(port);
    return host + u':' + decimal(port);
}

QString RedisUrl::sentinelList() const
{
    return addressList(sentinels);
}

QString RedisUrl::addressList(const QList<Address> &addresses)
{
    QString list;
    for (const Address &address : addresses) {
        if (!list.isEmpty())
            list += u',';
        list += endpoint(address.host, address.port);
    }
    return list;
}

QString RedisUrl::sentinelUrl(const Address &sentinel) const
{
    RedisUrl url;
    url.host = sentinel.host;
    url.port = sentinel.port;
    url.user = sentinelUser;
    url.password = sentinelPassword;
    return url.toString(true);
}

bool RedisUrl::isValidHost(QStringView host)
{
    return host.contains(u':') ? isValidIpv6(host) : isValidHostName(host);
}

QString RedisUrl::toString(bool withPassword) const
{
    // Everything but the "***" placeholder is percent-encoded, so that
    // parse(toString(true)) gives back what this holds.
    const auto encoded = [](const QString &value) { return QString::fromLatin1(value.toUtf8().toPercentEncoding()); };
    const QString secret = withPassword ? encoded(password) : QStringLiteral("***");
    if (transport == Transport::Unix) {
        QString query;
        const auto addItem = [&query](QLatin1String key, const QString &value) {
            query += query.isEmpty() ? u'?' : u'&';
            query += key;
            query += u'=';
            query += value;
        };
        if (!user.isEmpty())
            addItem(QLatin1String("user"), encoded(user));
        if (!password.isEmpty())
            addItem(QLatin1String("password"), secret);
        if (database != 0)
            addItem(QLatin1String("db"), decimal(database));
        return QStringLiteral("unix://") + QString::fromLatin1(socketPath.toUtf8().toPercentEncoding("/")) + query;
    }
    const bool sentinel = transport == Transport::Sentinel;
    const bool cluster = transport == Transport::Cluster;
    QString url = tls ? QStringLiteral("rediss://") : sentinel ? QStringLiteral("redis-sentinel://")
        : cluster                                             ? QStringLiteral("redis-cluster://")
                                                              : QStringLiteral("redis://");
    if (!password.isEmpty())
        url += encoded(user) + u':' + secret + u'@';
    url += sentinel ? sentinelList() + u'/' + encoded(masterName) : cluster ? addressList(seeds) : endpoint();
    if (database != 0)
        url += u'/' + decimal(database);
    if (sentinel && !sentinelPassword.isEmpty()) {
        url += u'?';
        if (!sentinelUser.isEmpty())
            url += QStringLiteral("sentinelUser=") + encoded(sentinelUser) + u'&';
        url += QStringLiteral("sentinelPassword=") + (withPassword ? encoded(sentinelPassword) : QStringLiteral("***"));
    }
    if (cluster && !shardedPubSub)
        url += QStringLiteral("?pubsub=plain");
    if (tls) {
        // File names keep their slashes readable; '&', '=' and the like are escaped.
        const auto path = [](const QString &value) { return QString::fromLatin1(value.toUtf8().toPercentEncoding("/")); };
        QChar separator = u'?';
        const auto addItem = [&url, &separator](QLatin1String key, const QString &value) {
            if (value.isEmpty())
                return;
            url += separator;
            url += key;
            url += u'=';
            url += value;
            separator = u'&';
        };
        addItem(QLatin1String("cacert"), path(caCertFile));
        addItem(QLatin1String("cert"), path(certFile));
        addItem(QLatin1String("key"), path(keyFile));
        addItem(QLatin1String("sni"), serverName);
    }
    return url;
}

} // namespace Clustr
