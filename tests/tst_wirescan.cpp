// The per-task messages read without a document (core/wirescan.h) against
// the parsed route they stand in for: what the scanner takes, the parsed
// route takes too and gives the same; what the parsed route refuses (and
// answers with an error), the scanner declines.

#include "jsonscan.h"
#include "wirescan.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::proto;

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject submitLine(const QJsonObject &params, const QJsonValue &id = 7)
{
    return QJsonObject{{QStringLiteral("method"), QStringLiteral("task.submit")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("params"), params}};
}

// What the worker would parse from a task.execute made of these params.
QJsonObject executedParams(const QByteArray &params)
{
    QJsonObject p = QJsonDocument::fromJson(composeTaskExecute(params, "r", "n")).object()
                        .value(QLatin1String("params")).toObject();
    p.remove(QLatin1String("request_id"));
    p.remove(QLatin1String("name"));
    return p;
}

QJsonValue jsonValue(const QByteArray &text)
{
    return QJsonDocument::fromJson("[" + text + "]").array().first();
}

// The RESULT text of a PassedResult, parsed.
QJsonObject objectOf(const PassedResult &r)
{
    QByteArray text;
    r.appendObject(&text);
    return QJsonDocument::fromJson(text).object();
}

} // namespace

class TestWireScan : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void submitScanGivesWhatTheParsedRouteGives_data()
    {
        QTest::addColumn<QByteArray>("line");
        const QJsonObject dfmRun{
            {QStringLiteral("request_id"), QStringLiteral("demo.build")},
            {QStringLiteral("name"), QStringLiteral("demo.build")},
            {QStringLiteral("shell"), QStringLiteral("bash")},
            {QStringLiteral("body"), QStringLiteral("echo \"hi\"\n\tmake -j2 \\\n all")},
            {QStringLiteral("srcdir"), QStringLiteral("/p/src")},
            {QStringLiteral("rundir"), QStringLiteral("/p/rundir/demo.build")},
            {QStringLiteral("env"), QJsonObject()},
            {QStringLiteral("resource_class"), QString()},
            {QStringLiteral("params"), QJsonObject{{QStringLiteral("n"), 3}, {QStringLiteral("l"), QJsonArray{1, 2.5}}}},
            {QStringLiteral("inputs"), QJsonArray()},
            {QStringLiteral("memento"), QJsonValue()},
            {QStringLiteral("notify_started"), true},
        };
        QTest::newRow("dfm run's submit") << compact(submitLine(dfmRun));
        QJsonObject python = dfmRun;
        python.insert(QStringLiteral("env"), QJsonObject{{QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin")},
                                                         {QStringLiteral("LANG"), QStringLiteral("C.UTF-8")}});
        python.insert(QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")}}});
        python.insert(QStringLiteral("memento"), QJsonObject{{QStringLiteral("k"), 1}});
        python.insert(QStringLiteral("callable_spec"), QStringLiteral("pkg.mod.task"));
        python.insert(QStringLiteral("pythonpath"), QJsonArray{QStringLiteral("/a"), QStringLiteral("/b")});
        python.remove(QStringLiteral("notify_started"));
        QTest::newRow("Python client's pytask, string id") << compact(submitLine(python, QStringLiteral("req-9")));
        QJsonObject cluster = dfmRun;
        cluster.insert(QStringLiteral("resource_class"), QStringLiteral("big"));
        cluster.insert(QStringLiteral("resources"), QJsonObject{{QStringLiteral("cores"), 4}, {QStringLiteral("memory"), QStringLiteral("8G")}});
        cluster.insert(QStringLiteral("timeout"), 1.5);
        cluster.insert(QStringLiteral("notify_started"), QStringLiteral("yes")); // not true: toBool() is false
        QTest::newRow("resources, timeout") << compact(submitLine(cluster, -3));
        QTest::newRow("least, name null, unknown keys, spaces")
            << QByteArray(" { \"jsonrpc\" : \"2.0\", \"params\" : {\"request_id\":\"r\u00e9\", \"name\":null, \"x\":[{}],"
                          "\"r\u00e9sum\u00e9\":\"\\u00e9\"} , \"method\":\"task.submit\",\"id\":123456789012345 }\n");
        QTest::newRow("empty name") << QByteArray("{\"method\":\"task.submit\",\"id\":1,\"params\":{\"request_id\":\"a\",\"name\":\"\"}}");
    }

    void submitScanGivesWhatTheParsedRouteGives()
    {
        QFETCH(QByteArray, line);
        ScannedSubmit scanned;
        QVERIFY(scanTaskSubmit(line, &scanned));
        Message msg;
        QString err;
        QVERIFY(parse(line.trimmed(), &msg, &err));
        TaskSpec spec;
        QVERIFY2(parseTaskSpec(msg.params, &spec, &err), qPrintable(err));
        QCOMPARE(scanned.id, msg.id);
        QCOMPARE(scanned.spec.requestId, spec.requestId);
        QCOMPARE(scanned.spec.name, spec.name);
        QCOMPARE(scanned.spec.resourceClass, spec.resourceClass);
        QCOMPARE(scanned.spec.poolClass, spec.poolClass);
        QCOMPARE(scanned.notifyStarted, msg.params.value(QLatin1String("notify_started")).toBool());
        QByteArray spliced;
        QVERIFY(spliceTaskExecuteParams(line.trimmed(), &spliced));
        QCOMPARE(scanned.spec.executeParams, spliced);
        QJsonObject seen = msg.params;
        for (const char *k : {"request_id", "name", "notify_started"})
            seen.remove(QLatin1String(k));
        QCOMPARE(executedParams(scanned.spec.executeParams), seen);
    }

    void submitScanDeclinesWhatTheParsedRouteRefuses_data()
    {
        QTest::addColumn<QByteArray>("line");
        const QByteArray head = "{\"method\":\"task.submit\",\"id\":1,\"params\":";
        const auto params = [&](const char *p) { return head + p + "}"; };
        QTest::newRow("not JSON") << QByteArray("{\"method\":\"task.submit\",");
        QTest::newRow("trailing text") << params("{\"request_id\":\"a\"}") + "x";
        QTest::newRow("no id") << QByteArray("{\"method\":\"task.submit\",\"params\":{\"request_id\":\"a\"}}");
        QTest::newRow("id true") << QByteArray("{\"method\":\"task.submit\",\"id\":true,\"params\":{\"request_id\":\"a\"}}");
        QTest::newRow("params an array") << params("[]");
        QTest::newRow("no params") << QByteArray("{\"method\":\"task.submit\",\"id\":1}");
        QTest::newRow("no request_id") << params("{\"name\":\"a\"}");
        QTest::newRow("empty request_id") << params("{\"request_id\":\"\"}");
        QTest::newRow("request_id a number") << params("{\"request_id\":5}");
        QTest::newRow("name a number") << params("{\"request_id\":\"a\",\"name\":5}");
        QTest::newRow("body a list") << params("{\"request_id\":\"a\",\"body\":[]}");
        QTest::newRow("env value a number") << params("{\"request_id\":\"a\",\"env\":{\"A\":\"1\",\"B\":2}}");
        QTest::newRow("env a list") << params("{\"request_id\":\"a\",\"env\":[]}");
        QTest::newRow("inputs an object") << params("{\"request_id\":\"a\",\"inputs\":{}}");
        QTest::newRow("pythonpath of numbers") << params("{\"request_id\":\"a\",\"pythonpath\":[\"/a\",1]}");
        QTest::newRow("timeout zero") << params("{\"request_id\":\"a\",\"timeout\":0}");
        QTest::newRow("timeout negative") << params("{\"request_id\":\"a\",\"timeout\":-1}");
        QTest::newRow("timeout a string") << params("{\"request_id\":\"a\",\"timeout\":\"5\"}");
        QTest::newRow("timeout too long") << params("{\"request_id\":\"a\",\"timeout\":1e8}");
        QTest::newRow("resources bad") << params("{\"request_id\":\"a\",\"resources\":{\"cores\":-2}}");
        QTest::newRow("resources a string") << params("{\"request_id\":\"a\",\"resources\":\"big\"}");
        QTest::newRow("number out of range") << params("{\"request_id\":\"a\",\"x\":1e999}");
        QTest::newRow("number read as zero") << params("{\"request_id\":\"a\",\"x\":1e-999}");
        QTest::newRow("bad UTF-8") << params("{\"request_id\":\"a\",\"body\":\"\xff\"}");
        QTest::newRow("overlong UTF-8") << params("{\"request_id\":\"a\",\"body\":\"\xc0\x80\"}");
        QTest::newRow("UTF-8 surrogate") << params("{\"request_id\":\"a\",\"body\":\"\xed\xa0\x80\"}");
    }

    void submitScanDeclinesWhatTheParsedRouteRefuses()
    {
        QFETCH(QByteArray, line);
        ScannedSubmit scanned;
        QVERIFY(!scanTaskSubmit(line, &scanned));
        // The parsed route refuses it too, and its reply says why.
        Message msg;
        QString err;
        TaskSpec spec;
        QVERIFY(!parse(line, &msg, &err) || !msg.isRequest() || !parseTaskSpec(msg.params, &spec, &err));
    }

    // Lines the parsed route takes but the scanner leaves to it: text Qt
    // reads otherwise than strict JSON would, or names it must decode.
    void submitScanLeavesTheUnusualToTheParsedRoute_data()
    {
        QTest::addColumn<QByteArray>("line");
        const QByteArray head = "{\"method\":\"task.submit\",\"id\":1,\"params\":";
        const auto params = [&](const char *p) { return head + p + "}"; };
        QTest::newRow("escaped request_id") << params("{\"request_id\":\"a\\\"b\"}");
        QTest::newRow("escaped key") << params("{\"request_\\u0069d\":\"a\"}");
        QTest::newRow("second request_id") << params("{\"request_id\":\"a\",\"request_id\":\"b\"}");
        QTest::newRow("raw tab in body") << params("{\"request_id\":\"a\",\"body\":\"a\tb\"}");
        QTest::newRow("1. in params") << params("{\"request_id\":\"a\",\"x\":1.}");
        QTest::newRow("fractional id") << QByteArray("{\"method\":\"task.submit\",\"id\":1.5,\"params\":{\"request_id\":\"a\"}}");
        QTest::newRow("another method") << QByteArray("{\"method\":\"task.cancel\",\"id\":1,\"params\":{\"request_id\":\"a\"}}");
        QTest::newRow("second params") << QByteArray("{\"method\":\"task.submit\",\"id\":1,\"params\":{\"request_id\":\"a\"},"
                                                     "\"params\":{\"request_id\":\"b\"}}");
    }

    void submitScanLeavesTheUnusualToTheParsedRoute()
    {
        QFETCH(QByteArray, line);
        ScannedSubmit scanned;
        QVERIFY(!scanTaskSubmit(line, &scanned));
        Message msg;
        QString err;
        QVERIFY2(parse(line, &msg, &err), qPrintable(err));
    }

    void resultScanGivesWhatTheParsedRouteGives_data()
    {
        QTest::addColumn<QByteArray>("line");
        TaskResult passed; // as ShellTask reports one
        passed.changed = true;
        passed.extra = QJsonObject{{QStringLiteral("exit_code"), 0},
                                   {QStringLiteral("duration_ms"), 12},
                                   {QStringLiteral("log"), QStringLiteral("/p/rundir/t/t.log")}};
        QTest::newRow("passed") << encodeTaskResultEvent(QStringLiteral("t"), QStringLiteral("w1"), QStringLiteral("host"), passed);
        TaskResult failed = failedResult(QStringLiteral("exit \"2\"\n"), 2);
        failed.output = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")},
                                               {QStringLiteral("files"), QJsonArray{QStringLiteral("a.sv")}}}};
        failed.memento = QJsonObject{{QStringLiteral("m"), -1.25}};
        failed.extra = QJsonObject{{QStringLiteral("signal"), 9}, {QStringLiteral("cancelled"), false},
                                   {QStringLiteral("attempts"), 4}};
        QTest::newRow("failed, output, memento") << encodeTaskResultEvent(QStringLiteral("r\u00e9"), QStringLiteral("w2"), QString(), failed);
        QTest::newRow("hand-written, id, no hostname")
            << QByteArray("{ \"id\": 5, \"params\": {\"memento\":null,\"markers\":[],\"output\":[],\"changed\":false,"
                          "\"status\":-3,\"request_id\":\"x\",\"extra\":{\"a\":[1,{}]}}, \"method\": \"task.result\" }");
    }

    void resultScanGivesWhatTheParsedRouteGives()
    {
        QFETCH(QByteArray, line);
        QByteArray rid;
        PassedResult scanned;
        QVERIFY(scanTaskResult(line, &rid, &scanned));
        Message msg;
        QString err;
        QVERIFY(parse(line.trimmed(), &msg, &err));
        QCOMPARE(msg.method, QStringLiteral("task.result"));
        TaskResult parsed;
        QVERIFY(parseTaskResult(msg.params, &parsed, &err));
        const PassedResult want = passedResult(parsed);
        QCOMPARE(rid, msg.params.value(QLatin1String("request_id")).toString().toUtf8());
        QCOMPARE(scanned.status, want.status);
        QCOMPARE(scanned.cancelled, want.cancelled);
        QCOMPARE(scanned.hasCancelled, want.hasCancelled);
        QCOMPARE(scanned.hasDuration, want.hasDuration);
        QCOMPARE(scanned.durationMs, want.durationMs);
        QCOMPARE(scanned.log, want.log);
        QCOMPARE(scanned.hostname, want.hostname);
        QCOMPARE(jsonValue(scanned.hostnameJson), jsonValue(want.hostnameJson));
        QCOMPARE(objectOf(scanned), objectOf(want));
    }

    void resultScanLeavesTheRestToTheParsedRoute_data()
    {
        QTest::addColumn<QByteArray>("line");
        const QByteArray head = "{\"method\":\"task.result\",\"params\":{\"request_id\":\"t\",";
        const QByteArray full = "\"status\":0,\"changed\":false,\"output\":[],\"markers\":[],\"memento\":null";
        QTest::newRow("no status") << head + "\"changed\":false,\"output\":[],\"markers\":[],\"memento\":null}}";
        QTest::newRow("status fractional") << head + "\"status\":1.5,\"changed\":false,\"output\":[],\"markers\":[],\"memento\":null}}";
        QTest::newRow("status a string") << head + "\"status\":\"0\",\"changed\":false,\"output\":[],\"markers\":[],\"memento\":null}}";
        QTest::newRow("no changed") << head + "\"status\":0,\"output\":[],\"markers\":[],\"memento\":null}}";
        QTest::newRow("output an object") << head + "\"status\":0,\"changed\":false,\"output\":{},\"markers\":[],\"memento\":null}}";
        QTest::newRow("cancelled a string") << head + full + ",\"cancelled\":\"yes\"}}";
        QTest::newRow("duration fractional") << head + full + ",\"duration_ms\":1.5}}";
        QTest::newRow("escaped log") << head + full + ",\"log\":\"a\\\\b\"}}";
        QTest::newRow("second status") << head + full + ",\"status\":1}}";
        QTest::newRow("no request_id") << QByteArray("{\"method\":\"task.result\",\"params\":{") + full + "}}";
        QTest::newRow("a heartbeat") << QByteArray("{\"method\":\"worker.heartbeat\",\"params\":{\"request_id\":\"t\",") + full + "}}";
    }

    void resultScanLeavesTheRestToTheParsedRoute()
    {
        QFETCH(QByteArray, line);
        QByteArray rid;
        PassedResult scanned;
        QVERIFY(!scanTaskResult(line, &rid, &scanned));
        Message msg;
        QString err;
        QVERIFY2(parse(line, &msg, &err), qPrintable(err)); // the parsed route has it then
    }

    void scannerTakesOnlyWhatQtTakes()
    {
        // Strict JSON Qt's parser refuses, and what it takes that strict
        // JSON does not: the scanner declines both.
        for (const QByteArray &v : {QByteArray("1e999"), QByteArray("-1.8e308"), QByteArray("1e-400"),
                                   QByteArray("1") + QByteArray(309, '0'), QByteArray("0.") + QByteArray(330, '0') + "1",
                                   QByteArray("\"\xf4\x90\x80\x80\""), QByteArray("\"\xe0\x80\x80\""), QByteArray("\"\x80\""),
                                   QByteArray("\"a\x01\""), QByteArray("\"\\x\""), QByteArray("1."), QByteArray("01")}) {
            QByteArrayView found;
            QVERIFY2(!findMember("{\"k\":" + v + "}", QLatin1String("k"), &found), v.constData());
        }
        // What both take.
        for (const QByteArray &v : {QByteArray("1e308"), QByteArray("1e-300"), QByteArray("0e999"),
                                   QByteArray("1") + QByteArray(299, '0'), QByteArray("\"\xf4\x8f\xbf\xbf\""),
                                   QByteArray("\"\xef\xbf\xbf\xe6\x81\x9d\xf0\x9f\x98\x80\""), QByteArray("\"\\ud800\"")}) {
            QByteArrayView found;
            QVERIFY2(findMember("{\"k\":" + v + "}", QLatin1String("k"), &found), v.constData());
            QCOMPARE(found, QByteArrayView(v));
            QJsonParseError pe;
            QJsonDocument::fromJson("{\"k\":" + v + "}", &pe);
            QCOMPARE(pe.error, QJsonParseError::NoError);
        }
    }
};

QTEST_APPLESS_MAIN(TestWireScan)
#include "tst_wirescan.moc"
