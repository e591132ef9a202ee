// SPDX-License-Identifier: MIT
#include "protocol/codec_p.h"
#include "protocol/records_p.h"

#include <ClustrQt/json.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>
#include <QtTest/QTest>

#include <cmath>
#include <limits>

using Clustr::ClusterInfo;
using Clustr::Protocol::Codec;

namespace {

constexpr qint64 TwoPow53 = Q_INT64_C(9007199254740992);

QByteArray payload(const char *meta, const char *data = nullptr)
{
    QByteArray bytes = QByteArrayLiteral("{\"meta\":") + meta;
    if (data)
        bytes += QByteArrayLiteral(",\"data\":") + data;
    return bytes + '}';
}

QJsonValue parsed(const char *json)
{
    return QJsonDocument::fromJson(QByteArray("[") + json + ']').array().first();
}

// What Qt's own writer makes of a value, for comparing escapes.
QByteArray qtWritten(const QJsonValue &value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QString fromUtf16(std::initializer_list<char16_t> units)
{
    return QString(reinterpret_cast<const QChar *>(units.begin()), qsizetype(units.size()));
}

} // namespace

class tst_Codec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encodeExactBytes();
    void encodeData_data();
    void encodeData();
    void encodeGroupEscapes();
    void senderHost();
    void javaScriptNumbers_data();
    void javaScriptNumbers();
    void decodeKeepsDataBytes_data();
    void decodeKeepsDataBytes();
    void clusterInfoAnswerOrder();
    void stringEscapesMatchQtWriter_data();
    void stringEscapesMatchQtWriter();
    void roundTrip_data();
    void roundTrip();
    void decodeAccepts_data();
    void decodeAccepts();
    void decodeRejects_data();
    void decodeRejects();
    void decodeSizeLimit();
    void decodeNeverCrashes();
    void exitCode_data();
    void exitCode();
    void clusterInfo();
    void clusterInfoRejects_data();
    void clusterInfoRejects();
    void clusterInfoToJson();
    void parseValue_data();
    void parseValue();
    void jsonOrString_data();
    void jsonOrString();
    void lockRecord();
};

void tst_Codec::encodeExactBytes()
{
    QCOMPARE(Codec::encode(4242, QStringLiteral("web"), QStringLiteral("hello")),
             QByteArrayLiteral(R"({"meta":{"pid":4242,"group":"web"},"data":"hello"})"));
    QCOMPARE(Codec::encode(1, QString(), QJsonValue()),
             QByteArrayLiteral(R"({"meta":{"pid":1,"group":""},"data":null})"));
    QCOMPARE(Codec::encode(TwoPow53, QStringLiteral("master"), QJsonObject{{QStringLiteral("b"), 1}, {QStringLiteral("a"), true}}),
             QByteArrayLiteral(R"({"meta":{"pid":9007199254740992,"group":"master"},"data":{"a":true,"b":1}})"));
}

void tst_Codec::encodeData_data()
{
    QTest::addColumn<QJsonValue>("data");
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("null") << QJsonValue() << QByteArray("null");
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << QByteArray("null");
    QTest::newRow("true") << QJsonValue(true) << QByteArray("true");
    QTest::newRow("false") << QJsonValue(false) << QByteArray("false");
    QTest::newRow("zero") << QJsonValue(0) << QByteArray("0");
    QTest::newRow("negative zero") << QJsonValue(-0.0) << QByteArray("0");
    QTest::newRow("integral double") << QJsonValue(5.0) << QByteArray("5");
    QTest::newRow("negative") << QJsonValue(-42) << QByteArray("-42");
    QTest::newRow("fraction") << QJsonValue(0.1) << QByteArray("0.1");
    QTest::newRow("negative fraction") << QJsonValue(-2.5) << QByteArray("-2.5");
    QTest::newRow("2^53") << QJsonValue(double(TwoPow53)) << QByteArray("9007199254740992");
    QTest::newRow("-2^53") << QJsonValue(-double(TwoPow53)) << QByteArray("-9007199254740992");
    QTest::newRow("2^53+1 as integer") << QJsonValue(TwoPow53 + 1) << QByteArray("9007199254740993");
    QTest::newRow("1e18") << QJsonValue(1e18) << QByteArray("1000000000000000000");
    QTest::newRow("1e20") << QJsonValue(1e20) << QByteArray("100000000000000000000");
    QTest::newRow("NaN") << QJsonValue(std::nan("")) << QByteArray("null");
    QTest::newRow("infinity") << QJsonValue(std::numeric_limits<double>::infinity()) << QByteArray("null");
    QTest::newRow("empty string") << QJsonValue(QString()) << QByteArray(R"("")");
    QTest::newRow("quote and backslash") << QJsonValue(QStringLiteral("a\"b\\c")) << QByteArray(R"("a\"b\\c")");
    QTest::newRow("short escapes") << QJsonValue(QStringLiteral("\b\f\n\r\t")) << QByteArray(R"("\b\f\n\r\t")");
    QTest::newRow("other controls")
        << QJsonValue(fromUtf16({0x00, 0x01, 0x1f})) << QByteArray(R"("\u0000\u0001\u001f")");
    QTest::newRow("slash and DEL kept") << QJsonValue(QStringLiteral("/\x7f")) << QByteArray("\"/\x7f\"");
    QTest::newRow("non-ASCII as UTF-8")
        << QJsonValue(QString::fromUtf8("é€😀")) << QByteArray("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    QTest::newRow("lone high surrogate") << QJsonValue(fromUtf16({u'a', 0xd800, u'b'})) << QByteArray(R"("a\ud800b")");
    QTest::newRow("lone low surrogate at end") << QJsonValue(fromUtf16({0xdc01})) << QByteArray(R"("\udc01")");
    QTest::newRow("empty array") << QJsonValue(QJsonArray()) << QByteArray("[]");
    QTest::newRow("empty object") << QJsonValue(QJsonObject()) << QByteArray("{}");
    QTest::newRow("nested")
        << parsed(R"({"z":[1,2.5,"x",null,{"q":"\"\n"}],"a":{"b":{"c":[]}}})")
        << QByteArray(R"({"a":{"b":{"c":[]}},"z":[1,2.5,"x",null,{"q":"\"\n"}]})");
}

void tst_Codec::encodeData()
{
    QFETCH(QJsonValue, data);
    QFETCH(QByteArray, json);
    QCOMPARE(Codec::toJsonBytes(data), json);
    QCOMPARE(Codec::encode(7, QStringLiteral("g"), data),
             QByteArray(R"({"meta":{"pid":7,"group":"g"},"data":)" + json + '}'));
}

void tst_Codec::encodeGroupEscapes()
{
    const QString group = QString::fromUtf8("we\"b\\\n wörker");
    const QByteArray bytes = Codec::encode(3, group, 1);
    QCOMPARE(bytes, QByteArray("{\"meta\":{\"pid\":3,\"group\":\"we\\\"b\\\\\\n w\xc3\xb6rker\"},\"data\":1}"));
    const auto decoded = Codec::decode(bytes, Codec::DefaultMaxPayloadSize);
    QVERIFY(decoded);
    QCOMPARE(decoded->group, group);
}

void tst_Codec::senderHost()
{
    // A cluster across hosts: the sender's host follows its group, in both
    // decoders (the fast one for this form, the general one for any other).
    const QByteArray payload = Codec::encode(Codec::envelopePrefix(4242, QStringLiteral("web"), QStringLiteral("web-01")), QJsonValue(1));
    QCOMPARE(payload, QByteArrayLiteral(R"({"meta":{"pid":4242,"group":"web","host":"web-01"},"data":1})"));
    auto decoded = Codec::decode(payload, Codec::DefaultMaxPayloadSize);
    QVERIFY(decoded);
    QCOMPARE(decoded->pid, 4242);
    QCOMPARE(decoded->group, QStringLiteral("web"));
    QCOMPARE(decoded->host, QStringLiteral("web-01"));
    QCOMPARE(decoded->data, QByteArrayLiteral("1"));

    decoded = Codec::decode(R"({ "data": 1, "meta": {"host": "web-02", "pid": "7", "group": "web"} })", Codec::DefaultMaxPayloadSize);
    QVERIFY(decoded);
    QCOMPARE(decoded->host, QStringLiteral("web-02"));
    // No host (a cluster of one host, clustr-node), or one that is not a string: none.
    decoded = Codec::decode(R"({"meta":{"pid":7,"group":"web"},"data":1})", Codec::DefaultMaxPayloadSize);
    QVERIFY(decoded && decoded->host.isEmpty());
    decoded = Codec::decode(R"({"meta":{"pid":7,"group":"web","host":5},"data":1})", Codec::DefaultMaxPayloadSize);
    QVERIFY(decoded && decoded->host.isEmpty());
    // Without a host the envelope is byte for byte the original.
    QCOMPARE(Codec::envelopePrefix(7, QStringLiteral("web")), QByteArrayLiteral(R"({"meta":{"pid":7,"group":"web"},"data":)"));
}

void tst_Codec::stringEscapesMatchQtWriter_data()
{
    QTest::addColumn<QString>("text");
    QString allAscii;
    for (char16_t c = 0; c < 0x80; ++c)
        allAscii += QChar(c);
    QTest::newRow("every ASCII character") << allAscii;
    QTest::newRow("BMP and astral") << QString::fromUtf8("Grüße, 世界 𝄞 🎉");
    QTest::newRow("surrogate pair split by text") << fromUtf16({0xd83d, u'x', 0xde00});
    QTest::newRow("U+FFFF and U+2028") << fromUtf16({0xffff, 0x2028, 0x2029});
}

void tst_Codec::stringEscapesMatchQtWriter()
{
    // Payloads are half ours (scalars) and half Qt's (inside containers);
    // both halves must escape the same way.
    QFETCH(QString, text);
    QCOMPARE(Codec::toJsonBytes(text), qtWritten(text));
}

void tst_Codec::roundTrip_data()
{
    QTest::addColumn<qint64>("pid");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QJsonValue>("data");

    QTest::newRow("string") << qint64(1) << QStringLiteral("web") << QJsonValue(QStringLiteral("hello"));
    QTest::newRow("empty group") << qint64(99) << QString() << QJsonValue(1);
    QTest::newRow("max pid") << TwoPow53 << QStringLiteral("master") << QJsonValue(true);
    QTest::newRow("null") << qint64(5) << QStringLiteral("g") << QJsonValue();
    QTest::newRow("false") << qint64(5) << QStringLiteral("g") << QJsonValue(false);
    QTest::newRow("2^53") << qint64(5) << QStringLiteral("g") << QJsonValue(double(TwoPow53));
    QTest::newRow("-2^53") << qint64(5) << QStringLiteral("g") << QJsonValue(-double(TwoPow53));
    QTest::newRow("2^53+1 integer") << qint64(5) << QStringLiteral("g") << QJsonValue(TwoPow53 + 1);
    QTest::newRow("int64 min") << qint64(5) << QStringLiteral("g") << QJsonValue(std::numeric_limits<qint64>::min());
    QTest::newRow("negative") << qint64(5) << QStringLiteral("g") << QJsonValue(-17);
    QTest::newRow("pi") << qint64(5) << QStringLiteral("g") << QJsonValue(M_PI);
    QTest::newRow("tiny") << qint64(5) << QStringLiteral("g") << QJsonValue(5e-324);
    QTest::newRow("huge") << qint64(5) << QStringLiteral("g") << QJsonValue(1.7976931348623157e308);
    QTest::newRow("1/3") << qint64(5) << QStringLiteral("g") << QJsonValue(-1.0 / 3);
    QTest::newRow("1e21") << qint64(5) << QStringLiteral("g") << QJsonValue(1e21);
    QTest::newRow("controls") << qint64(5) << QStringLiteral("g")
                              << QJsonValue(fromUtf16({0, 1, 8, 9, 10, 12, 13, 0x1b, 0x1f, u'"', u'\\'}));
    QTest::newRow("unicode group and data") << qint64(123) << QString::fromUtf8("グループ 😀")
                                            << QJsonValue(QString::fromUtf8("ñ€𝄞\u2028"));
    QTest::newRow("quotes in group") << qint64(123) << QStringLiteral("\"}],{") << QJsonValue(QStringLiteral("{\"meta\":1}"));
    QTest::newRow("nested")
        << qint64(4242) << QStringLiteral("web")
        << parsed(R"({"users":[{"name":"ä\"b","tags":["x",null,true],"n":-1.5e-7}],"deep":[[[[{"k":{}}]]]]})");
    QTest::newRow("array of scalars") << qint64(4242) << QStringLiteral("web")
                                      << parsed(R"([0,-0.5,1e300,"",false,null,9007199254740992])");
}

void tst_Codec::roundTrip()
{
    QFETCH(qint64, pid);
    QFETCH(QString, group);
    QFETCH(QJsonValue, data);

    const QByteArray bytes = Codec::encode(pid, group, data);
    // Whatever we write must be JSON any other client can parse.
    QJsonParseError parseError;
    QVERIFY(QJsonDocument::fromJson(bytes, &parseError).isObject());
    QCOMPARE(parseError.error, QJsonParseError::NoError);

    QString error;
    const auto decoded = Codec::decode(bytes, Codec::DefaultMaxPayloadSize, &error);
    QVERIFY2(decoded, qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(decoded->pid, pid);
    QCOMPARE(decoded->group, group);
    QCOMPARE(decoded->value(), data);
    // Encoding what was decoded gives the same bytes, from the value and from the text.
    QCOMPARE(Codec::encode(decoded->pid, decoded->group, decoded->value()), bytes);
    QCOMPARE(Codec::encodeJson(decoded->pid, decoded->group, decoded->data), bytes);
}

// What JSON.stringify writes (Node 20, `JSON.stringify(x)`), inside
// containers too: shortest round-trip digits, plain decimals from 1e-6 up to
// 1e21, the exponent form outside, -0 as 0.
void tst_Codec::javaScriptNumbers_data()
{
    QTest::addColumn<double>("number");
    QTest::addColumn<QByteArray>("javaScript");

    QTest::newRow("1e-7") << 1e-7 << QByteArray("1e-7");
    QTest::newRow("-1e-7") << -1e-7 << QByteArray("-1e-7");
    QTest::newRow("0.000001") << 0.000001 << QByteArray("0.000001");
    QTest::newRow("0.0000015") << 0.0000015 << QByteArray("0.0000015");
    QTest::newRow("2.5e-5") << 2.5e-5 << QByteArray("0.000025");
    QTest::newRow("-2.5e-5") << -2.5e-5 << QByteArray("-0.000025");
    QTest::newRow("1.5e-10") << 1.5e-10 << QByteArray("1.5e-10");
    QTest::newRow("1e19") << 1e19 << QByteArray("10000000000000000000");
    QTest::newRow("1e20") << 1e20 << QByteArray("100000000000000000000");
    QTest::newRow("1.2345678901234567e20") << 1.2345678901234567e20 << QByteArray("123456789012345670000");
    QTest::newRow("1e21") << 1e21 << QByteArray("1e+21");
    QTest::newRow("1e300") << 1e300 << QByteArray("1e+300");
    QTest::newRow("largest double") << 1.7976931348623157e308 << QByteArray("1.7976931348623157e+308");
    QTest::newRow("smallest double") << 5e-324 << QByteArray("5e-324");
    QTest::newRow("2^60 as a double") << 1152921504606846976.0 << QByteArray("1152921504606847000");
    QTest::newRow("2^53+1 as a double") << 9007199254740993.0 << QByteArray("9007199254740992");
    QTest::newRow("-0") << -0.0 << QByteArray("0");
    QTest::newRow("0.1+0.2") << 0.1 + 0.2 << QByteArray("0.30000000000000004");
    QTest::newRow("1/3") << 1.0 / 3 << QByteArray("0.3333333333333333");
    QTest::newRow("123.456") << 123.456 << QByteArray("123.456");
    QTest::newRow("4.35") << 4.35 << QByteArray("4.35");
}

void tst_Codec::javaScriptNumbers()
{
    QFETCH(double, number);
    QFETCH(QByteArray, javaScript);

    QCOMPARE(Codec::toJsonBytes(number), javaScript);
    QCOMPARE(Codec::toJsonBytes(QJsonArray{number}), '[' + javaScript + ']');
    QCOMPARE(Codec::toJsonBytes(QJsonObject{{QStringLiteral("n"), number}}), "{\"n\":" + javaScript + '}');
    QCOMPARE(Codec::encode(1, QStringLiteral("w"), number), payload(R"({"pid":1,"group":"w"})", javaScript.constData()));
}

// The data's bytes are kept as the sender wrote them, whatever path the
// payload takes; a number beyond a double is accepted and reads as null.
void tst_Codec::decodeKeepsDataBytes_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QJsonValue>("value");

    const QByteArray keys = R"({"b":1,"a":[2.50,1E2]})";
    const QJsonValue keysValue = QJsonObject{{QStringLiteral("a"), QJsonArray{2.5, 100}}, {QStringLiteral("b"), 1}};
    QTest::newRow("canonical envelope") << payload(R"({"pid":1,"group":"w"})", keys.constData()) << keys << keysValue;
    QTest::newRow("other envelope") << QByteArray(R"({"data" : )" + keys + R"( , "meta":{"group":"w","pid":"1"}})") << keys << keysValue;
    QTest::newRow("escapes") << payload(R"({"pid":1,"group":"w"})", R"("é\/")") << QByteArray(R"("é\/")")
                             << QJsonValue(QString::fromUtf8("é/"));
    QTest::newRow("1e400") << payload(R"({"pid":1,"group":"w"})", "1e400") << QByteArray("1e400") << QJsonValue();
    QTest::newRow("-1e400 nested") << payload(R"({"pid":1,"group":"w"})", R"({"x":[-1e400,1e-400]})")
                                   << QByteArray(R"({"x":[-1e400,1e-400]})")
                                   << QJsonValue(QJsonObject{{QStringLiteral("x"), QJsonArray{QJsonValue(), 0.0}}});
    QTest::newRow("repeated data: the last") << QByteArray(R"({"data":1,"meta":{"pid":1,"group":"w"},"data":[2]})")
                                             << QByteArray("[2]") << QJsonValue(QJsonArray{2});
}

void tst_Codec::decodeKeepsDataBytes()
{
    QFETCH(QByteArray, payload);
    QFETCH(QByteArray, data);
    QFETCH(QJsonValue, value);

    QString error;
    const auto decoded = Codec::decode(payload, Codec::DefaultMaxPayloadSize, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->data, data);
    QCOMPARE(decoded->value(), value);
    QCOMPARE(Codec::encodeJson(decoded->pid, decoded->group, decoded->data),
             "{\"meta\":{\"pid\":1,\"group\":\"w\"},\"data\":" + data + '}');
}

void tst_Codec::clusterInfoAnswerOrder()
{
    const ClusterInfo info{{QStringLiteral("web"), {5, 3}}, {QStringLiteral("cache"), {4}},
                           {QStringLiteral("10"), {6}}, {QStringLiteral("2"), {7}}};
    // "gone" registered once and is empty now; "01" is no array index.
    const QStringList order{QStringLiteral("web"), QStringLiteral("gone"), QStringLiteral("10"),
                            QStringLiteral("cache"), QStringLiteral("01"), QStringLiteral("2")};
    QCOMPARE(Codec::clusterInfoJson(order, info),
             QByteArray(R"({"2":[7],"10":[6],"web":[5,3],"gone":[],"cache":[4],"01":[]})"));
    QCOMPARE(Codec::clusterInfoJson({}, {}), QByteArray("{}"));
}

void tst_Codec::decodeAccepts_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<qint64>("pid");
    QTest::addColumn<QString>("group");
    QTest::addColumn<QJsonValue>("data");

    QTest::newRow("clustr-node") << payload(R"({"pid":4242,"group":"web"})", R"("registration")")
                                 << qint64(4242) << QStringLiteral("web") << QJsonValue(QStringLiteral("registration"));
    QTest::newRow("pid as string") << payload(R"({"pid":"4242","group":"web"})", "1")
                                   << qint64(4242) << QStringLiteral("web") << QJsonValue(1);
    QTest::newRow("pid string with leading zeros") << payload(R"({"pid":"007","group":"web"})", "1")
                                                   << qint64(7) << QStringLiteral("web") << QJsonValue(1);
    QTest::newRow("pid as 4242.0") << payload(R"({"pid":4242.0,"group":"web"})", "1")
                                   << qint64(4242) << QStringLiteral("web") << QJsonValue(1);
    QTest::newRow("pid as 1e3") << payload(R"({"pid":1e3,"group":"web"})", "1")
                                << qint64(1000) << QStringLiteral("web") << QJsonValue(1);
    QTest::newRow("pid 2^53") << payload(R"({"pid":9007199254740992,"group":"w"})", "1")
                              << TwoPow53 << QStringLiteral("w") << QJsonValue(1);
    QTest::newRow("pid string 2^53") << payload(R"({"pid":"9007199254740992","group":"w"})", "1")
                                     << TwoPow53 << QStringLiteral("w") << QJsonValue(1);
    QTest::newRow("data absent") << payload(R"({"pid":1,"group":"w"})")
                                 << qint64(1) << QStringLiteral("w") << QJsonValue();
    QTest::newRow("data null") << payload(R"({"pid":1,"group":"w"})", "null")
                               << qint64(1) << QStringLiteral("w") << QJsonValue();
    QTest::newRow("empty group") << payload(R"({"pid":1,"group":""})", "[]")
                                 << qint64(1) << QString() << QJsonValue(QJsonArray());
    QTest::newRow("extra keys and whitespace")
        << QByteArray(" \n{ \"x\": 1, \"data\" : {\"a\":1},\n\"meta\" : {\"host\":\"h\", \"group\":\"w\",\"pid\":2} } \n")
        << qint64(2) << QStringLiteral("w") << QJsonValue(QJsonObject{{QStringLiteral("a"), 1}});
    QTest::newRow("escaped group") << payload(R"({"pid":1,"group":"\u00e9\n\ud83d\ude00"})", "0")
                                   << qint64(1) << QString::fromUtf8("é\n😀") << QJsonValue(0);
}

void tst_Codec::decodeAccepts()
{
    QFETCH(QByteArray, payload);
    QFETCH(qint64, pid);
    QFETCH(QString, group);
    QFETCH(QJsonValue, data);

    QString error;
    const auto decoded = Codec::decode(payload, Codec::DefaultMaxPayloadSize, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(decoded->pid, pid);
    QCOMPARE(decoded->group, group);
    QCOMPARE(decoded->value(), data);
    QVERIFY(!decoded->value().isUndefined());
}

void tst_Codec::decodeRejects_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("reason");

    const QString notJson = QStringLiteral("payload is not valid JSON: ");
    QTest::newRow("empty") << QByteArray() << notJson;
    QTest::newRow("garbage") << QByteArray("hello") << notJson;
    QTest::newRow("truncated") << QByteArray(R"({"meta":{"pid":1,"gro)") << notJson;
    QTest::newRow("trailing garbage") << QByteArray(R"({"meta":{"pid":1,"group":"w"}} x)") << notJson;
    QTest::newRow("NUL byte") << QByteArray("{\"meta\":\0}", 10) << notJson;
    // What JSON.parse refuses (clustr-node's reader), although Qt's parser let it through.
    QTest::newRow("unknown escape") << payload(R"({"pid":1,"group":"w"})", R"("\1")") << notJson;
    QTest::newRow("raw control character") << payload(R"({"pid":1,"group":"w"})", "\"a\x01b\"") << notJson;
    QTest::newRow("fraction without integer part") << payload(R"({"pid":1,"group":"w"})", "[.5]") << notJson;
    QTest::newRow("array") << QByteArray("[1,2]") << QStringLiteral("payload is not a JSON object");
    QTest::newRow("scalar") << QByteArray("42") << QString();
    QTest::newRow("string") << QByteArray(R"("registration")") << QString();
    QTest::newRow("meta missing") << QByteArray(R"({"data":1})") << QStringLiteral("meta is missing");
    QTest::newRow("meta null") << payload("null") << QStringLiteral("meta is null, not an object");
    QTest::newRow("meta array") << payload("[]") << QStringLiteral("meta is an array, not an object");
    QTest::newRow("meta string") << payload(R"("x")") << QStringLiteral("meta is a string, not an object");
    QTest::newRow("pid missing") << payload(R"({"group":"w"})") << QStringLiteral("meta.pid is missing");

    const QString badPid = QStringLiteral("not an integer between 1 and 2^53");
    const char *const badPids[] = {
        "0", "-1", "1.5", "9007199254740993", "1e20", "-0", "null", "true", "[]", "{}",
        R"("")", R"("abc")", R"("-5")", R"("+5")", R"(" 5")", R"("5 ")", R"("4.0")", R"("0")",
        R"("9007199254740993")", R"("12345678901234567890")", R"("0x10")", R"("١٢")",
    };
    for (const char *pid : badPids) {
        QTest::addRow("pid %s", pid) << payload(QByteArray(R"({"group":"w","pid":)" + QByteArray(pid) + '}').constData())
                                     << badPid;
    }
    QTest::newRow("group missing") << payload(R"({"pid":1})") << QStringLiteral("meta.group is missing");
    QTest::newRow("group null") << payload(R"({"pid":1,"group":null})") << QStringLiteral("meta.group is null, not a string");
    QTest::newRow("group number") << payload(R"({"pid":1,"group":5})") << QStringLiteral("meta.group is the number 5, not a string");
    QTest::newRow("group array") << payload(R"({"pid":1,"group":["w"]})") << QStringLiteral("not a string");
}

void tst_Codec::decodeRejects()
{
    QFETCH(QByteArray, payload);
    QFETCH(QString, reason);

    QString error;
    QVERIFY(!Codec::decode(payload, Codec::DefaultMaxPayloadSize, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY2(!error.contains(u'\n'), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    // The error pointer is optional.
    QVERIFY(!Codec::decode(payload, Codec::DefaultMaxPayloadSize));
}

void tst_Codec::decodeSizeLimit()
{
    const QByteArray bytes = Codec::encode(1, QStringLiteral("w"), QString(100, u'x'));
    QVERIFY(Codec::decode(bytes, bytes.size()));

    QString error;
    QVERIFY(!Codec::decode(bytes, bytes.size() - 1, &error));
    QCOMPARE(error, QStringLiteral("payload of %1 bytes exceeds the limit of %2 bytes")
                        .arg(bytes.size())
                        .arg(bytes.size() - 1));

    // The limit is checked before parsing: a huge payload is not parsed at all.
    const QByteArray huge = Codec::encode(1, QStringLiteral("w"), QString(Codec::DefaultMaxPayloadSize, u'x'));
    QVERIFY(!Codec::decode(huge, Codec::DefaultMaxPayloadSize, &error));
    QVERIFY(error.startsWith(QStringLiteral("payload of ")));
}

void tst_Codec::decodeNeverCrashes()
{
    const QByteArray valid = Codec::encode(
        4242, QString::fromUtf8("wörker"),
        parsed(R"({"list":[1,-2.5,"a\"b\\c\u0001",null,true,{"x":[[],{}]}],"s":"😀"})"));
    QVERIFY(Codec::decode(valid, Codec::DefaultMaxPayloadSize));

    // Every proper prefix of a payload is rejected.
    for (qsizetype size = 0; size < valid.size(); ++size)
        QVERIFY2(!Codec::decode(valid.left(size), Codec::DefaultMaxPayloadSize), valid.left(size).constData());

    // Random byte flips, insertions and deletions must not crash, and anything
    // accepted must carry a valid pid and encode again.
    QRandomGenerator random(20240611);
    const char alphabet[] = "{}[]\":,\\0123456789-+.eEtrufalsn \x01\xff\xc3";
    for (int round = 0; round < 20000; ++round) {
        QByteArray mutated = valid;
        const int edits = 1 + random.bounded(4);
        for (int edit = 0; edit < edits; ++edit) {
            const int position = random.bounded(int(mutated.size()) + 1);
            const char byte = alphabet[random.bounded(int(sizeof(alphabet) - 1))];
            switch (random.bounded(3)) {
            case 0:
                if (position < mutated.size())
                    mutated[position] = byte;
                break;
            case 1:
                mutated.insert(position, byte);
                break;
            default:
                mutated.remove(position, 1);
                break;
            }
        }
        QString error;
        const auto decoded = Codec::decode(mutated, Codec::DefaultMaxPayloadSize, &error);
        if (decoded) {
            QVERIFY(decoded->pid >= 1 && decoded->pid <= TwoPow53);
            QVERIFY(!Codec::encode(decoded->pid, decoded->group, decoded->value()).isEmpty());
        } else {
            QVERIFY(!error.isEmpty());
        }
    }

    // Deep nesting is refused by the parser instead of overflowing the stack.
    const int depth = 100000;
    const QByteArray deepArray = payload(R"({"pid":1,"group":"w"})",
                                         (QByteArray(depth, '[') + QByteArray(depth, ']')).constData());
    QString error;
    QVERIFY(!Codec::decode(deepArray, deepArray.size(), &error));
    QVERIFY(error.startsWith(QStringLiteral("payload is not valid JSON")));
    QByteArray deepObject;
    for (int i = 0; i < depth; ++i)
        deepObject += "{\"a\":";
    QVERIFY(!Codec::decode(deepObject, deepObject.size()));
    QVERIFY(!Codec::decode(QByteArray(depth, '{'), depth));

    // Moderate nesting within the parser's limit is fine.
    const QByteArray nested = payload(R"({"pid":1,"group":"w"})",
                                      (QByteArray(100, '[') + QByteArray(100, ']')).constData());
    QVERIFY(Codec::decode(nested, Codec::DefaultMaxPayloadSize));

    // Invalid UTF-8 inside a string.
    QVERIFY(!Codec::decode(payload(R"({"pid":1,"group":"w"})", "\"\xff\xfe\""), Codec::DefaultMaxPayloadSize));
}

void tst_Codec::exitCode_data()
{
    QTest::addColumn<QJsonValue>("data");
    QTest::addColumn<int>("expected"); // -1: rejected

    QTest::newRow("0") << QJsonValue(0) << 0;
    QTest::newRow("1") << QJsonValue(1) << 1;
    QTest::newRow("15.0") << QJsonValue(15.0) << 15;
    QTest::newRow("255") << QJsonValue(255) << 255;
    QTest::newRow("string 15") << QJsonValue(QStringLiteral("15")) << 15;
    QTest::newRow("string 0") << QJsonValue(QStringLiteral("0")) << 0;
    QTest::newRow("string 255") << QJsonValue(QStringLiteral("255")) << 255;
    QTest::newRow("-1") << QJsonValue(-1) << -1;
    QTest::newRow("256") << QJsonValue(256) << -1;
    QTest::newRow("1.5") << QJsonValue(1.5) << -1;
    QTest::newRow("huge") << QJsonValue(1e300) << -1;
    QTest::newRow("NaN") << QJsonValue(std::nan("")) << -1;
    QTest::newRow("string 256") << QJsonValue(QStringLiteral("256")) << -1;
    QTest::newRow("string -1") << QJsonValue(QStringLiteral("-1")) << -1;
    QTest::newRow("string 1.0") << QJsonValue(QStringLiteral("1.0")) << -1;
    QTest::newRow("string 0001") << QJsonValue(QStringLiteral("0001")) << -1;
    QTest::newRow("empty string") << QJsonValue(QString()) << -1;
    QTest::newRow("word") << QJsonValue(QStringLiteral("kill")) << -1;
    QTest::newRow("null") << QJsonValue() << -1;
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << -1;
    QTest::newRow("true") << QJsonValue(true) << -1;
    QTest::newRow("array") << QJsonValue(QJsonArray{1}) << -1;
    QTest::newRow("object") << QJsonValue(QJsonObject{{QStringLiteral("code"), 1}}) << -1;
}

void tst_Codec::exitCode()
{
    QFETCH(QJsonValue, data);
    QFETCH(int, expected);

    QString error;
    const std::optional<int> code = Codec::exitCode(data, &error);
    if (expected < 0) {
        QVERIFY(!code);
        QVERIFY(error.contains(QStringLiteral("not an integer between 0 and 255")));
    } else {
        QVERIFY2(code, qPrintable(error));
        QCOMPARE(*code, expected);
    }
}

void tst_Codec::clusterInfo()
{
    QString error;
    const auto info = Codec::clusterInfo(
        parsed(R"({"webWorker":[5184,5182,7],"cacheWorker":["5186",5188],"idle":[],"gr\u00fc\u00dfe":[1]})"), &error);
    QVERIFY2(info, qPrintable(error));
    QCOMPARE(info->size(), 4);
    QCOMPARE(info->value(QStringLiteral("webWorker")), (QList<qint64>{5184, 5182, 7}));
    QCOMPARE(info->value(QStringLiteral("cacheWorker")), (QList<qint64>{5186, 5188}));
    QVERIFY(info->contains(QStringLiteral("idle")));
    QVERIFY(info->value(QStringLiteral("idle")).isEmpty());
    QCOMPARE(info->value(QString::fromUtf8("grüße")), QList<qint64>{1});

    const auto empty = Codec::clusterInfo(QJsonObject());
    QVERIFY(empty);
    QVERIFY(empty->isEmpty());
}

void tst_Codec::clusterInfoRejects_data()
{
    QTest::addColumn<QJsonValue>("data");
    QTest::newRow("request string") << QJsonValue(QStringLiteral("clusterInfo"));
    QTest::newRow("null") << QJsonValue();
    QTest::newRow("array") << parsed("[[1]]");
    QTest::newRow("group not array") << parsed(R"({"web":1})");
    QTest::newRow("group object") << parsed(R"({"web":{"0":1}})");
    QTest::newRow("pid zero") << parsed(R"({"web":[1,0]})");
    QTest::newRow("pid negative") << parsed(R"({"web":[-3]})");
    QTest::newRow("pid fraction") << parsed(R"({"web":[1.5]})");
    QTest::newRow("pid too large") << parsed(R"({"web":[9007199254740993]})");
    QTest::newRow("pid null") << parsed(R"({"web":[null]})");
    QTest::newRow("pid word") << parsed(R"({"web":["x"]})");
    QTest::newRow("pid nested") << parsed(R"({"web":[[1]]})");
    QTest::newRow("second group bad") << parsed(R"({"a":[1],"b":[true]})");
}

void tst_Codec::clusterInfoRejects()
{
    QFETCH(QJsonValue, data);
    QString error;
    QVERIFY(!Codec::clusterInfo(data, &error));
    QVERIFY(error.startsWith(QStringLiteral("cluster info ")));
    QVERIFY(!Codec::clusterInfo(data));
}

void tst_Codec::clusterInfoToJson()
{
    ClusterInfo info;
    info.insert(QStringLiteral("webWorker"), {5184, 5182});
    info.insert(QStringLiteral("cacheWorker"), {5186});
    info.insert(QStringLiteral("idle"), {});
    info.insert(QStringLiteral("big"), {TwoPow53});

    const QJsonValue json = Codec::toJson(info);
    QCOMPARE(Codec::toJsonBytes(json),
             QByteArray(R"({"big":[9007199254740992],"cacheWorker":[5186],"idle":[],"webWorker":[5184,5182]})"));
    const auto back = Codec::clusterInfo(json);
    QVERIFY(back);
    QCOMPARE(*back, info);

    // Through the wire, as the master answers a request.
    const auto decoded = Codec::decode(Codec::encode(1, QStringLiteral("master"), json), Codec::DefaultMaxPayloadSize);
    QVERIFY(decoded);
    QCOMPARE(Codec::clusterInfo(decoded->value()).value_or(ClusterInfo()), info);
    QCOMPARE(Codec::toJson(ClusterInfo()), QJsonValue(QJsonObject()));
}

void tst_Codec::parseValue_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QJsonValue>("value");

    QTest::newRow("number") << QByteArray("42") << true << QJsonValue(42);
    QTest::newRow("string") << QByteArray(R"("hi \"x\"")") << true << QJsonValue(QStringLiteral("hi \"x\""));
    QTest::newRow("null") << QByteArray(" null ") << true << QJsonValue();
    QTest::newRow("object") << QByteArray(R"({"a":[1]})") << true << parsed(R"({"a":[1]})");
    QTest::newRow("empty") << QByteArray() << false << QJsonValue();
    QTest::newRow("two values") << QByteArray("1,2") << false << QJsonValue();
    QTest::newRow("bracket injection") << QByteArray("1],[2") << false << QJsonValue();
    QTest::newRow("bare word") << QByteArray("hello") << false << QJsonValue();
    QTest::newRow("truncated") << QByteArray("[1,") << false << QJsonValue();
}

void tst_Codec::parseValue()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, valid);
    QFETCH(QJsonValue, value);

    QString error;
    const auto parsedValue = Codec::parseValue(json, &error);
    QCOMPARE(bool(parsedValue), valid);
    if (valid) {
        QCOMPARE(*parsedValue, value);
        QCOMPARE(Codec::parseValue(Codec::toJsonBytes(*parsedValue)), parsedValue);
    } else {
        QVERIFY(!error.isEmpty());
    }
}

void tst_Codec::jsonOrString_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QByteArray>("json");
    // JSON stays byte for byte (only the ends trimmed); anything else becomes a string.
    QTest::newRow("object as typed") << QStringLiteral(" {\"z\": 1, \"a\": 2.50}\n") << QByteArray(R"({"z": 1, "a": 2.50})");
    QTest::newRow("big number") << QStringLiteral("12345678901234567890") << QByteArray("12345678901234567890");
    QTest::newRow("quoted") << QStringLiteral("\"hi\"") << QByteArray(R"("hi")");
    QTest::newRow("null") << QStringLiteral("null") << QByteArray("null");
    QTest::newRow("plain text") << QStringLiteral("hello world") << QByteArray(R"("hello world")");
    QTest::newRow("broken JSON") << QStringLiteral("{\"a\": ") << QByteArray(R"("{\"a\": ")");
    QTest::newRow("empty") << QString() << QByteArray(R"("")");
    QTest::newRow("unicode") << QStringLiteral("gr\u00fc\u00df") << QByteArray("\"gr\xc3\xbc\xc3\x9f\"");
}

void tst_Codec::jsonOrString()
{
    QFETCH(QString, typed);
    QFETCH(QByteArray, json);
    QCOMPARE(Clustr::jsonOrString(typed), json);
}

void tst_Codec::lockRecord()
{
    using Clustr::Protocol::Records;
    QCOMPARE(Records::lockValue({42, QStringLiteral("web-01"), 0, {}}), QByteArray("42@web-01"));
    QCOMPARE(Records::lockValue({42, QStringLiteral("web-01"), 777, "b007:4026531836"}), QByteArray("42@web-01#777#b007:4026531836"));

    auto owner = Records::lockOwner("42@web-01#777#b007:4026531836");
    QVERIFY(owner);
    QCOMPARE(owner->pid, 42);
    QCOMPARE(owner->host, QStringLiteral("web-01"));
    QCOMPARE(owner->startTime, quint64(777));
    QCOMPARE(owner->processTable, QByteArray("b007:4026531836"));
    // Written by a holder that records neither.
    owner = Records::lockOwner("42@web-01");
    QVERIFY(owner);
    QCOMPARE(owner->host, QStringLiteral("web-01"));
    QCOMPARE(owner->startTime, quint64(0));
    QVERIFY(owner->processTable.isEmpty());
    // Whatever else follows the host tells nothing.
    for (const QByteArray &odd : {QByteArray("42@web-01#777"), QByteArray("42@web-01#x#b007:1"), QByteArray("42@web-01#777#")}) {
        owner = Records::lockOwner(odd);
        QVERIFY(owner);
        QCOMPARE(owner->host, QStringLiteral("web-01"));
        QCOMPARE(owner->startTime, quint64(0));
        QVERIFY(owner->processTable.isEmpty());
    }
    for (const QByteArray &bad : {QByteArray(), QByteArray("@h"), QByteArray("x@h"), QByteArray("0@h"), QByteArray("-4@h"), QByteArray("42")})
        QVERIFY2(!Records::lockOwner(bad), bad.constData());
}

QTEST_APPLESS_MAIN(tst_Codec)

#include "tst_codec.moc"
