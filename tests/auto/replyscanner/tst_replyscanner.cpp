// SPDX-License-Identifier: MIT
// The check in front of hiredis' reader: what it passes, what it refuses,
// and the message payloads it skips, whatever pieces the bytes come in.
#include "redis/replyscanner_p.h"

#include <QtTest/QtTest>

using Clustr::ReplyScanner;

namespace {

struct Result
{
    bool ok = true;
    QByteArray passed; // what hiredis would see
    QString error;
    quint64 skipped = 0;
};

void append(void *context, const char *data, qsizetype size)
{
    static_cast<QByteArray *>(context)->append(data, size);
}

// Feeds \a input in pieces of \a piece bytes (0: whole).
Result scan(const QByteArray &input, bool subscribed, qsizetype piece = 0, const ReplyScanner::Limits &limits = {})
{
    ReplyScanner scanner;
    scanner.setLimits(limits);
    Result result;
    const qsizetype step = piece > 0 ? piece : std::max<qsizetype>(input.size(), 1);
    for (qsizetype at = 0; at < input.size() && result.ok; at += step)
        result.ok = scanner.feed(input.constData() + at, std::min(step, input.size() - at), subscribed, &append, &result.passed);
    result.error = scanner.error();
    result.skipped = scanner.skippedMessages();
    return result;
}

// Fed in two pieces split at every position, and byte by byte: the same.
void checkEverySplit(const QByteArray &input, bool subscribed, const QByteArray &expected, const ReplyScanner::Limits &limits = {})
{
    for (qsizetype split = 1; split < input.size(); ++split) {
        ReplyScanner scanner;
        scanner.setLimits(limits);
        QByteArray passed;
        QVERIFY(scanner.feed(input.constData(), split, subscribed, &append, &passed));
        QVERIFY(scanner.feed(input.constData() + split, input.size() - split, subscribed, &append, &passed));
        QVERIFY2(passed == expected, qPrintable(QStringLiteral("split at %1: %2").arg(split).arg(QString::fromLatin1(passed.toPercentEncoding()))));
    }
    const Result bytes = scan(input, subscribed, 1, limits);
    QVERIFY2(bytes.ok, qPrintable(bytes.error));
    QCOMPARE(bytes.passed, expected);
}

const QByteArray Subscribed = "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n";

QByteArray message(const QByteArray &channel, const QByteArray &payload)
{
    return "*3\r\n$7\r\nmessage\r\n$" + QByteArray::number(channel.size()) + "\r\n" + channel + "\r\n$"
        + QByteArray::number(payload.size()) + "\r\n" + payload + "\r\n";
}

} // namespace

class tst_ReplyScanner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void passesValidReplies_data();
    void passesValidReplies();
    void refusesWhatIsTooLarge_data();
    void refusesWhatIsTooLarge();
    void refusesMalformedReplies_data();
    void refusesMalformedReplies();
    void limitsApplyPerReply();
    void skipsOversizedMessagePayloads();
    void skipsOversizedPatternMessagePayloads();
    void messagesOnlyOnSubscribedConnections();
    void refusesWhatHiredisAbortsOnWhenSubscribed_data();
    void refusesWhatHiredisAbortsOnWhenSubscribed();
    void nothingAfterAViolation();
    void wholeMessageFindsWhatRedisWrites();
    void shardedMessagesAreMessages();
    void wholeMessageLeavesTheRestToFeed_data();
    void wholeMessageLeavesTheRestToFeed();
    void feedReplyStopsWhereEachReplyEnds();
};

void tst_ReplyScanner::passesValidReplies_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("subscribed");
    QTest::newRow("status") << QByteArray("+OK\r\n") << false;
    QTest::newRow("empty status") << QByteArray("+\r\n") << false;
    QTest::newRow("error") << QByteArray("-NOPERM this user has no permissions to run the 'publish' command\r\n") << false;
    QTest::newRow("integer") << QByteArray(":-42\r\n") << false;
    QTest::newRow("string") << QByteArray("$5\r\nhe\r\no\r\n") << false;
    QTest::newRow("empty string") << QByteArray("$0\r\n\r\n") << false;
    QTest::newRow("nil string") << QByteArray("$-1\r\n") << false;
    QTest::newRow("nil array") << QByteArray("*-1\r\n") << false;
    QTest::newRow("empty array") << QByteArray("*0\r\n") << false;
    QTest::newRow("nested arrays") << QByteArray("*3\r\n*2\r\n:1\r\n*0\r\n$1\r\nx\r\n*1\r\n*1\r\n+deep\r\n") << false;
    QTest::newRow("several replies") << QByteArray("+OK\r\n$-1\r\n*2\r\n$1\r\na\r\n$-1\r\n:7\r\n") << false;
    QTest::newRow("subscription and messages") << Subscribed + message("news", "hello") + message("news", QByteArray(100, 'x')) << true;
    QTest::newRow("pmessage") << QByteArray("*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n") << true;
    QTest::newRow("seven deep") << QByteArray("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n") << false;
}

void tst_ReplyScanner::passesValidReplies()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, subscribed);
    const Result whole = scan(input, subscribed);
    QVERIFY2(whole.ok, qPrintable(whole.error));
    QCOMPARE(whole.passed, input);
    QCOMPARE(whole.skipped, quint64(0));
    checkEverySplit(input, subscribed, input);
}

void tst_ReplyScanner::refusesWhatIsTooLarge_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("an array of 2^31-1 elements") << QByteArray("*2147483647\r\n")
                                                << QStringLiteral("an array of 2147483647 elements, more than the limit of 1048576 in one reply");
    QTest::newRow("nested arrays adding up") << QByteArray("*2\r\n*600000\r\n") + QByteArray(":1\r\n").repeated(600000) + "*600000\r\n"
                                            << QStringLiteral("a reply of more than 1048576 elements, the limit");
    QTest::newRow("a string of 2 GiB") << QByteArray("$2147483647\r\n")
                                      << QStringLiteral("a string of 2147483647 bytes, more than the limit of 536870912 bytes in one reply");
    QTest::newRow("a line without an end") << QByteArray("+") + QByteArray(70000, 'x') << QStringLiteral("a line longer than the limit of 65536 bytes");
    QTest::newRow("an error line too long") << QByteArray("-") + QByteArray(70000, 'x') + "\r\n" << QStringLiteral("a line longer than the limit of 65536 bytes");
    QTest::newRow("eight deep") << QByteArray("*1\r\n").repeated(8) << QStringLiteral("arrays nested more than 7 deep");
}

void tst_ReplyScanner::refusesWhatIsTooLarge()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    for (qsizetype piece : {qsizetype(0), qsizetype(1000), qsizetype(7)}) {
        const Result result = scan(input, false, piece);
        QVERIFY(!result.ok);
        QCOMPARE(result.error, error);
    }
}

void tst_ReplyScanner::refusesMalformedReplies_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown type") << QByteArray("HTTP/1.1 400 Bad Request\r\n") << QStringLiteral("a reply that starts with the byte 0x48");
    QTest::newRow("no CR") << QByteArray("+OK\n") << QStringLiteral("a line that does not end in CRLF");
    QTest::newRow("length not a number") << QByteArray("$abc\r\n") << QStringLiteral("a malformed length \"abc\"");
    QTest::newRow("negative length") << QByteArray("*-2\r\n") << QStringLiteral("a malformed length \"-2\"");
    QTest::newRow("length overflows") << QByteArray("$99999999999999999999\r\n") << QStringLiteral("a malformed length \"99999999999999999999\"");
    QTest::newRow("empty length") << QByteArray("*\r\n") << QStringLiteral("a malformed length \"\"");
}

void tst_ReplyScanner::refusesMalformedReplies()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);
    const Result result = scan(input, false);
    QVERIFY(!result.ok);
    QCOMPARE(result.error, error);
}

// The limits are per reply: many replies that together pass them are fine.
void tst_ReplyScanner::limitsApplyPerReply()
{
    ReplyScanner::Limits limits;
    limits.replySize = 64;
    limits.replyElements = 4;
    const QByteArray reply = "*4\r\n$10\r\n0123456789\r\n:1\r\n:2\r\n:3\r\n";
    const Result many = scan(reply.repeated(100), false, 0, limits);
    QVERIFY2(many.ok, qPrintable(many.error));
    QCOMPARE(many.passed, reply.repeated(100));
    const Result elements = scan("*5\r\n", false, 0, limits);
    QCOMPARE(elements.error, QStringLiteral("an array of 5 elements, more than the limit of 4 in one reply"));
    const Result size = scan("*2\r\n$40\r\n" + QByteArray(40, 'a') + "\r\n$40\r\n", false, 0, limits);
    QCOMPARE(size.error, QStringLiteral("a reply of more than 64 bytes, the limit"));
}

// A message whose payload is larger than the message limit: its bytes are
// skipped, hiredis sees the size as an integer in its place, and the
// replies after it pass unchanged.
void tst_ReplyScanner::skipsOversizedMessagePayloads()
{
    ReplyScanner::Limits limits;
    limits.messageSize = 16;
    limits.replySize = 1024; // skipping does not count: the payload may exceed it
    const QByteArray payload(4000, 'p');
    const QByteArray input = Subscribed + message("news", "small") + message("news", payload) + message("news", QByteArray(16, 's'));
    const QByteArray expected = Subscribed + message("news", "small") + "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n:4000\r\n"
        + message("news", QByteArray(16, 's'));
    const Result whole = scan(input, true, 0, limits);
    QVERIFY2(whole.ok, qPrintable(whole.error));
    QCOMPARE(whole.passed, expected);
    QCOMPARE(whole.skipped, quint64(1));
    checkEverySplit(input, true, expected, limits);
}

void tst_ReplyScanner::skipsOversizedPatternMessagePayloads()
{
    ReplyScanner::Limits limits;
    limits.messageSize = 2;
    const QByteArray input = "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n:1\r\n";
    const QByteArray expected = "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n:5\r\n:1\r\n";
    const Result whole = scan(input, true, 0, limits);
    QVERIFY2(whole.ok, qPrintable(whole.error));
    QCOMPARE(whole.passed, expected);
    checkEverySplit(input, true, expected, limits);
}

// The same bytes are an ordinary reply (LRANGE of a list) on a connection
// that is not subscribed, and arrays that only look like messages are left
// alone on one that is.
void tst_ReplyScanner::messagesOnlyOnSubscribedConnections()
{
    ReplyScanner::Limits limits;
    limits.messageSize = 2;
    const QByteArray list = message("news", "hello");
    const Result plain = scan(list, false, 0, limits);
    QVERIFY(plain.ok);
    QCOMPARE(plain.passed, list);
    const QByteArray lookalikes = "*3\r\n$7\r\nmassage\r\n$1\r\nx\r\n$5\r\nhello\r\n"
                                  "*2\r\n$7\r\nmessage\r\n$5\r\nhello\r\n"
                                  "*4\r\n$7\r\nmessage\r\n$1\r\nx\r\n$5\r\nhello\r\n$5\r\nhello\r\n";
    const Result subscribed = scan(lookalikes, true, 0, limits);
    QVERIFY(subscribed.ok);
    QCOMPARE(subscribed.passed, lookalikes);
    QCOMPARE(subscribed.skipped, quint64(0));
}

// hiredis 0.14 assert()s on these when they come on a subscribed
// connection: the process would end. Redis never sends them there.
void tst_ReplyScanner::refusesWhatHiredisAbortsOnWhenSubscribed_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("refused");
    QTest::newRow("empty array") << QByteArray("*0\r\n") << true;
    QTest::newRow("one element") << QByteArray("*1\r\n$9\r\nsubscribe\r\n") << true;
    QTest::newRow("integers") << QByteArray("*3\r\n:1\r\n:2\r\n:3\r\n") << true;
    QTest::newRow("status as kind") << QByteArray("*3\r\n+message\r\n$1\r\nx\r\n$1\r\ny\r\n") << true;
    QTest::newRow("nil kind") << QByteArray("*3\r\n$-1\r\n$1\r\nx\r\n$1\r\ny\r\n") << true;
    QTest::newRow("array as channel") << QByteArray("*3\r\n$7\r\nmessage\r\n*1\r\n:1\r\n$1\r\ny\r\n") << true;
    QTest::newRow("nil channel") << QByteArray("*3\r\n$9\r\nsubscribe\r\n$-1\r\n:1\r\n") << true;
    QTest::newRow("unsubscribe without count") << QByteArray("*2\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n") << true;
    QTest::newRow("unsubscribe, count a string") << QByteArray("*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n$1\r\n0\r\n") << true;
    QTest::newRow("PUNSUBSCRIBE, count an array") << QByteArray("*3\r\n$12\r\nPUNSUBSCRIBE\r\n$2\r\nn*\r\n*0\r\n") << true;
    QTest::newRow("unsubscribe and a NUL") << QByteArray("*2\r\n$16\r\nunsubscribe\0tail\r\n$4\r\nnews\r\n", 37) << true;
    // What Redis does send there passes, split anywhere.
    QTest::newRow("subscribe") << QByteArray("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n") << false;
    QTest::newRow("unsubscribe") << QByteArray("*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:0\r\n") << false;
    QTest::newRow("punsubscribe") << QByteArray("*3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:0\r\n") << false;
    QTest::newRow("pong") << QByteArray("*2\r\n$4\r\npong\r\n$0\r\n\r\n") << false;
    QTest::newRow("an error") << QByteArray("-ERR Can't execute 'get'\r\n") << false;
    QTest::newRow("a long kind") << QByteArray("*2\r\n$20\r\nunsubscribeunsubscri\r\n$1\r\nx\r\n") << false;
}

void tst_ReplyScanner::refusesWhatHiredisAbortsOnWhenSubscribed()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, refused);
    for (qsizetype piece : {qsizetype(0), qsizetype(1), qsizetype(5)}) {
        const Result result = scan(input, true, piece);
        QCOMPARE(result.ok, !refused);
        if (refused)
            QCOMPARE(result.error, QStringLiteral("an array shaped like no pub/sub reply on a subscribed connection"));
        else
            QCOMPARE(result.passed, input);
    }
    // Not subscribed, any of them is an ordinary reply.
    QVERIFY(scan(input, false).ok);
}

void tst_ReplyScanner::nothingAfterAViolation()
{
    ReplyScanner scanner;
    QByteArray passed;
    QVERIFY(!scanner.feed("*2147483647\r\n", 13, false, &append, &passed));
    QVERIFY(!scanner.feed("+OK\r\n", 5, false, &append, &passed));
    QVERIFY(passed.isEmpty());
}

// A message whole in the buffer, as Redis writes it, is found where it
// lies, whatever follows it; every part of it alone is not one.
void tst_ReplyScanner::wholeMessageFindsWhatRedisWrites()
{
    const QByteArray payload("a\r\n$5\r\n\0b", 9); // what could pass for RESP, and a NUL
    const QByteArray one = message("news", payload);
    const QByteArray input = one + message("more", "x") + "*3\r\n$7\r\nmess";
    ReplyScanner scanner;
    QVERIFY(scanner.atReplyBoundary());
    ReplyScanner::Message found;
    QCOMPARE(scanner.wholeMessage(input.constData(), input.size(), &found), one.size());
    QCOMPARE(QByteArray(found.channel, found.channelSize), QByteArray("news"));
    QCOMPARE(QByteArray(found.payload, found.payloadSize), payload);
    QCOMPARE(found.payload, input.constData() + one.size() - 2 - payload.size()); // in place, not a copy
    const QByteArray empty = message("", "");
    QCOMPARE(scanner.wholeMessage(empty.constData(), empty.size(), &found), empty.size());
    QCOMPARE(found.channelSize, 0);
    QCOMPARE(found.payloadSize, 0);
    for (qsizetype size = 0; size < one.size(); ++size)
        QVERIFY2(scanner.wholeMessage(one.constData(), size, &found) == 0, qPrintable(QString::number(size)));
    // It reads and changes nothing: feed() still sees the stream from its start.
    QCOMPARE(scan(input, true).passed, input);
}

// SSUBSCRIBE's pushes (Redis Cluster's sharded channels): `smessage` is
// found whole and skipped when too large exactly as `message` is.
void tst_ReplyScanner::shardedMessagesAreMessages()
{
    auto smessage = [](const QByteArray &channel, const QByteArray &payload) {
        return "*3\r\n$8\r\nsmessage\r\n$" + QByteArray::number(channel.size()) + "\r\n" + channel + "\r\n$"
            + QByteArray::number(payload.size()) + "\r\n" + payload + "\r\n";
    };
    const QByteArray one = smessage("private:{42}", "hello");
    ReplyScanner scanner;
    ReplyScanner::Message found;
    QCOMPARE(scanner.wholeMessage(one.constData(), one.size(), &found), one.size());
    QCOMPARE(QByteArray(found.channel, found.channelSize), QByteArray("private:{42}"));
    QCOMPARE(QByteArray(found.payload, found.payloadSize), QByteArray("hello"));
    for (qsizetype size = 0; size < one.size(); ++size)
        QVERIFY2(scanner.wholeMessage(one.constData(), size, &found) == 0, qPrintable(QString::number(size)));
    // "smessages" (one letter more) is not Redis' word.
    const QByteArray other = "*3\r\n$9\r\nsmessages\r\n$1\r\nc\r\n$1\r\np\r\n";
    QCOMPARE(scanner.wholeMessage(other.constData(), other.size(), &found), 0);

    ReplyScanner::Limits limits;
    limits.messageSize = 16;
    const QByteArray confirmation = "*3\r\n$10\r\nssubscribe\r\n$4\r\nnews\r\n:1\r\n";
    const QByteArray input = confirmation + smessage("news", "small") + smessage("news", QByteArray(4000, 'p'));
    const QByteArray expected = confirmation + smessage("news", "small") + "*3\r\n$8\r\nsmessage\r\n$4\r\nnews\r\n:4000\r\n";
    const Result whole = scan(input, true, 0, limits);
    QVERIFY2(whole.ok, qPrintable(whole.error));
    QCOMPARE(whole.passed, expected);
    QCOMPARE(whole.skipped, quint64(1));
    checkEverySplit(input, true, expected, limits);
}

void tst_ReplyScanner::wholeMessageLeavesTheRestToFeed_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qint64>("messageSize");
    QTest::addColumn<qint64>("replySize");
    QTest::addColumn<qint64>("replyElements");
    const qint64 any = std::numeric_limits<qint64>::max();
    const QByteArray hello = message("news", "hello");
    QTest::newRow("subscribe reply") << Subscribed << any << any << qint64(1024);
    QTest::newRow("pmessage") << QByteArray("*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n") << any << any << qint64(1024);
    QTest::newRow("other spelling of a length") << QByteArray("*3\r\n$7\r\nmessage\r\n$04\r\nnews\r\n$5\r\nhello\r\n") << any << any << qint64(1024);
    QTest::newRow("nil channel") << QByteArray("*3\r\n$7\r\nmessage\r\n$-1\r\n$5\r\nhello\r\n") << any << any << qint64(1024);
    QTest::newRow("integer payload") << QByteArray("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n:5\r\n") << any << any << qint64(1024);
    QTest::newRow("no CRLF after the payload") << QByteArray("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhelloxx") << any << any << qint64(1024);
    QTest::newRow("no CRLF after a length") << QByteArray("*3\r\n$7\r\nmessage\r\n$4\rxnews\r\n$5\r\nhello\r\n") << any << any << qint64(1024);
    QTest::newRow("a length that is no number") << QByteArray("*3\r\n$7\r\nmessage\r\n$4x\r\nnews\r\n$5\r\nhello\r\n") << any << any << qint64(1024);
    QTest::newRow("over the message limit (feed() skips it)") << hello << qint64(4) << any << qint64(1024);
    // feed() counts the lines and the strings' bytes: 4 * 4 + 7 + 4 + 5 = 32.
    QTest::newRow("over the reply limit (feed() refuses it)") << hello << any << qint64(31) << qint64(1024);
    QTest::newRow("over the element limit (feed() refuses it)") << hello << any << any << qint64(2);
    QTest::newRow("at every limit") << QByteArray() << qint64(5) << qint64(32) << qint64(3);
}

// Anything but a whole message that feed() would pass unchanged is left to
// feed(), which refuses, skips or passes it as before.
void tst_ReplyScanner::wholeMessageLeavesTheRestToFeed()
{
    QFETCH(QByteArray, input);
    QFETCH(qint64, messageSize);
    QFETCH(qint64, replySize);
    QFETCH(qint64, replyElements);
    ReplyScanner scanner;
    scanner.setLimits({replySize, replyElements, messageSize});
    ReplyScanner::Message found;
    if (input.isEmpty()) { // the last row: the same message, exactly at the limits, is found
        const QByteArray hello = message("news", "hello");
        QCOMPARE(scanner.wholeMessage(hello.constData(), hello.size(), &found), hello.size());
        return;
    }
    QCOMPARE(scanner.wholeMessage(input.constData(), input.size(), &found), 0);
}

// feedReply() passes on what feed() does, but returns after each reply that
// ends, with the bytes it took; a reply cut in two is taken up where it was.
void tst_ReplyScanner::feedReplyStopsWhereEachReplyEnds()
{
    ReplyScanner::Limits limits;
    limits.messageSize = 3;
    const QList<QByteArray> replies = {Subscribed, message("news", "hello"), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n:5\r\n",
                                       message("news", "hi"), "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:0\r\n"};
    QByteArray input;
    for (const QByteArray &reply : replies)
        input += reply;
    const QByteArray expected = scan(input, true, 0, limits).passed;
    QCOMPARE(expected.size(), input.size() - 7); // "hello" is over the limit: ":5" in place of its 11 bytes
    for (qsizetype split = 0; split < input.size(); ++split) {
        ReplyScanner scanner;
        scanner.setLimits(limits);
        QByteArray passed;
        QList<qsizetype> ends; // where feedReply() stopped, in the input
        for (const auto &[from, to] : {std::pair<qsizetype, qsizetype>(0, split), {split, input.size()}}) {
            for (qsizetype at = from; at < to;) {
                qsizetype consumed = -1;
                QVERIFY(scanner.feedReply(input.constData() + at, to - at, true, &append, &passed, &consumed));
                QVERIFY(consumed > 0 && consumed <= to - at);
                at += consumed;
                if (scanner.atReplyBoundary())
                    ends.append(at);
                else
                    QCOMPARE(at, to); // stopped only where the input did
            }
        }
        QCOMPARE(passed, expected);
        QList<qsizetype> expectedEnds;
        qsizetype end = 0;
        for (const QByteArray &reply : replies)
            expectedEnds.append(end += reply.size());
        QCOMPARE(ends, expectedEnds);
    }
}

QTEST_GUILESS_MAIN(tst_ReplyScanner)
#include "tst_replyscanner.moc"
