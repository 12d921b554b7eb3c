// The lines daemon and worker write directly (core/wirelines.h, core/jsonwriter.h)
// against the QJsonObject route they replace: each must parse to the same
// JSON, whatever the fields hold (escapes, non-ASCII, numbers, nesting).

#include "jsonscan.h"
#include "jsonwriter.h"
#include "wirelines.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::proto;

Q_DECLARE_METATYPE(dfm::proto::TaskResult)

namespace {

// The object a line holds; fails the test when it is not one JSON object
// on one newline-terminated line.
QJsonObject objectOf(const QByteArray &line)
{
    if (!line.endsWith('\n') || line.count('\n') != 1)
        qWarning("not one line: %s", line.constData());
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(line, &pe);
    if (pe.error != QJsonParseError::NoError)
        qWarning("bad JSON (%s): %s", qPrintable(pe.errorString()), line.constData());
    return doc.object();
}

QJsonObject awkwardParams()
{
    return QJsonObject{
        {QStringLiteral("request_id"), QStringLiteral("old")},
        {QStringLiteral("notify_started"), true},
        {QStringLiteral("body"), QStringLiteral("echo \"a\\b\"\n\ttab\x01\x1f end")},
        {QStringLiteral("rundir"), QStringLiteral("/tmp/r\u00e9sum\u00e9/\U0001F600")},
        {QStringLiteral("env"), QJsonObject{{QStringLiteral("K\"EY"), QStringLiteral("v\\al")}}},
        {QStringLiteral("timeout"), 1.5},
        {QStringLiteral("big"), qint64(1) << 53},
        {QStringLiteral("neg"), -42},
        {QStringLiteral("tiny"), 1e-300},
        {QStringLiteral("memento"), QJsonValue::Null},
        {QStringLiteral("inputs"),
         QJsonArray{QJsonObject{{QStringLiteral("a"), QJsonArray{1, false, QJsonValue::Null, QString()}}},
                    QJsonArray{}, QJsonObject{}}},
    };
}

} // namespace

class TestWireLines : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void executeLineIsTheSubmittedParamsWithIdAndName()
    {
        const QJsonObject raw = awkwardParams();
        QJsonObject expected = raw;
        expected.remove(QLatin1String("notify_started"));
        expected.insert(QStringLiteral("request_id"), QStringLiteral("t1"));
        expected.insert(QStringLiteral("name"), QStringLiteral("n\u00e91"));
        const QByteArray line = encodeTaskExecute(raw, QStringLiteral("t1"), QStringLiteral("n\u00e91"));
        QCOMPARE(objectOf(line), proto::event(kTaskExecute, expected));
    }

    void executeLinePutTogetherFromKeptParamsIsTheSameBytes()
    {
        // The daemon keeps only the params and puts the line together at
        // dispatch: byte for byte what encodeTaskExecute writes.
        for (const QJsonObject &raw : {awkwardParams(), QJsonObject{}, QJsonObject{{QStringLiteral("name"), 1}}}) {
            const QByteArray params = encodeTaskExecuteParams(raw);
            QVERIFY(!params.startsWith('{') && !params.startsWith(','));
            const QString rid = QStringLiteral("r\"\u00e9");
            const QString name = QStringLiteral("n\n1");
            QCOMPARE(composeTaskExecute(params, rid.toUtf8(), name.toUtf8()), encodeTaskExecute(raw, rid, name));
            QJsonObject expected = raw;
            expected.remove(QLatin1String("notify_started"));
            expected.insert(QStringLiteral("request_id"), rid);
            expected.insert(QStringLiteral("name"), name);
            QCOMPARE(objectOf(composeTaskExecute(params, rid.toUtf8(), name.toUtf8())),
                     proto::event(kTaskExecute, expected));
        }
    }

    // The daemon passes a submit's params on as the client wrote them: the
    // worker must parse the same object the re-encoding route gives.
    void splicedExecuteParamsAreTheEncodedOnes_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("awkward, compact")
            << QJsonDocument(QJsonObject{{QStringLiteral("id"), 7}, {QStringLiteral("method"), QStringLiteral("task.submit")},
                                         {QStringLiteral("params"), awkwardParams()}})
                   .toJson(QJsonDocument::Compact);
        QTest::newRow("spaced, params first, nested braces in strings")
            << QByteArray(" { \"params\" : { \"request_id\" : \"a}\\\"{\" , \"body\" : \"x } ] \\\\\\\" {\" , \"inputs\" : [ {\"k\":[1,{\"}\":\"]\"}]} , [] ] ,"
                          " \"name\":\"n\", \"notify_started\" : false , \"n\" : -1.5e3 , \"t\":true,\"f\":false,\"z\":null } , \"method\" : \"task.submit\", \"id\":\"s\" } ");
        QTest::newRow("only the dropped keys")
            << QByteArray("{\"method\":\"task.submit\",\"id\":1,\"params\":{\"request_id\":\"r\",\"name\":\"n\",\"notify_started\":true}}");
        QTest::newRow("empty params") << QByteArray("{\"method\":\"task.submit\",\"id\":1,\"params\":{}}");
        QTest::newRow("non-ASCII and escapes in values")
            << QByteArray("{\"method\":\"task.submit\",\"id\":1,\"params\":{\"request_id\":\"r\",\"body\":\"caf\xc3\xa9 \\u00e9\\n\\\\\",\"rundir\":\"/t\"}}");
        QTest::newRow("a dropped key twice")
            << QByteArray("{\"method\":\"task.submit\",\"id\":1,\"params\":{\"name\":\"a\",\"body\":\"b\",\"name\":\"c\",\"request_id\":\"r\"}}");
    }

    void splicedExecuteParamsAreTheEncodedOnes()
    {
        QFETCH(QByteArray, line);
        Message msg;
        QString err;
        QVERIFY2(parse(line, &msg, &err), qPrintable(err));
        QByteArray spliced;
        QVERIFY(spliceTaskExecuteParams(msg.line, &spliced));
        QCOMPARE(spliced.capacity(), spliced.size()); // kept while queued: no slack
        const QByteArray encoded = encodeTaskExecuteParams(msg.params);
        QCOMPARE(objectOf(composeTaskExecute(spliced, "r", "n")), objectOf(composeTaskExecute(encoded, "r", "n")));
    }

    void spliceDeclinesWhatItCannotReadSafely()
    {
        QByteArray out;
        // A key with an escape might spell a dropped one: the parsed params are used.
        QVERIFY(!spliceTaskExecuteParams("{\"method\":\"task.submit\",\"params\":{\"request\\u005fid\":\"r\",\"body\":\"b\"}}", &out));
        QVERIFY(!spliceTaskExecuteParams("{\"method\":\"task.submit\",\"par\\u0061ms\":{\"body\":\"b\"}}", &out));
        for (const char *bad : {"", "[]", "{", "{\"params\"", "{\"params\":{\"a\":\"b", "{\"params\":{\"a\":[1,2}",
                                "{\"params\":{\"a\" 1}}", "{\"params\":{\"a\":}}", "{\"params\":{\"a\":1,}}",
                                "{\"params\":{\"a\":1 \"b\":2}}", "{\"params\":5}", "{\"params\":{a:1}}"}) {
            out.clear();
            QVERIFY2(!spliceTaskExecuteParams(bad, &out), bad);
        }
    }

    // Qt's parser lets through what is not JSON; the splice must not pass
    // it on to a worker as it came: the encoded params are used instead.
    void spliceDeclinesWhatQtTakesButJsonDoesNot_data()
    {
        QTest::addColumn<QByteArray>("params");
        QTest::newRow("raw tab in a string") << QByteArray("{\"request_id\":\"r\",\"body\":\"a\tb\"}");
        QTest::newRow("raw control in a nested string") << QByteArray("{\"request_id\":\"r\",\"env\":{\"K\":\"a\x01\"}}");
        QTest::newRow("unknown escape") << QByteArray("{\"request_id\":\"r\",\"body\":\"\\x\"}");
        QTest::newRow("number ending in a dot") << QByteArray("{\"request_id\":\"r\",\"inputs\":[1.]}");
        QByteArray deep;
        for (int i = 0; i < 300; ++i)
            deep += "[";
        for (int i = 0; i < 300; ++i)
            deep += "]";
        QTest::newRow("nested 300 deep") << QByteArray("{\"request_id\":\"r\",\"inputs\":" + deep + "}");
    }

    void spliceDeclinesWhatQtTakesButJsonDoesNot()
    {
        QFETCH(QByteArray, params);
        const QByteArray line = "{\"method\":\"task.submit\",\"id\":1,\"params\":" + params + "}";
        Message msg;
        QString err;
        QVERIFY2(parse(line, &msg, &err), qPrintable(err)); // Qt takes it
        QByteArray spliced;
        QVERIFY(!spliceTaskExecuteParams(msg.line, &spliced));
    }

    void findMemberTakesTheLastOfDuplicatesAsQtDoes()
    {
        const QByteArray text = "{\"a\":1,\"b\":{\"a\":9},\"a\":\"two\"}";
        QByteArrayView v;
        QVERIFY(findMember(text, QLatin1String("a"), &v));
        QCOMPARE(QJsonDocument::fromJson("[" + v.toByteArray() + "]").array().at(0),
                 QJsonDocument::fromJson(text).object().value(QLatin1String("a")));
        QVERIFY(findMember(text, QLatin1String("b"), &v));
        QCOMPARE(v.toByteArray(), QByteArray("{\"a\":9}"));
        QVERIFY(!findMember(text, QLatin1String("c"), &v));
    }

    void resultResponseIsTheResultWithItsId()
    {
        TaskResult r = failedResult(QStringLiteral("it \"failed\"\n"), 3);
        r.changed = true;
        r.output = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")}}};
        r.memento = QJsonObject{{QStringLiteral("k"), 2.25}};
        r.extra = QJsonObject{{QStringLiteral("worker_id"), QStringLiteral("w1")},
                              {QStringLiteral("duration_ms"), 17},
                              {QStringLiteral("log"), QStringLiteral("/tmp/x/log")},
                              {QStringLiteral("status"), 99}}; // the field wins, as in toJson()
        r.extra.insert(QStringLiteral("hostname"), QStringLiteral("h\u00f6st"));
        r.extra.insert(QStringLiteral("attempts"), 5);      // the daemon's to set:
        r.extra.insert(QStringLiteral("request_id"), 5);    // left out, with worker_id
        QJsonObject expected = r.toJson();
        for (const char *k : {"worker_id", "attempts", "request_id"})
            expected.remove(QLatin1String(k));
        for (const QJsonValue &id : {QJsonValue(7), QJsonValue(QStringLiteral("s-1")), QJsonValue(1e15)}) {
            const QByteArray line = encodeResultResponse(id, passedResult(r));
            QCOMPARE(objectOf(line), response(id, expected));
        }
        const TaskResult plain;
        QCOMPARE(objectOf(encodeResultResponse(1, passedResult(plain))), response(1, plain.toJson()));
    }

    void passedResultKeepsTheFactsAndTakesTheDaemonsFields()
    {
        TaskResult r;
        r.status = 2;
        r.extra = QJsonObject{{QStringLiteral("duration_ms"), 250}, {QStringLiteral("log"), QStringLiteral("/r/t.log")},
                              {QStringLiteral("cancelled"), true}, {QStringLiteral("hostname"), 7}};
        PassedResult p = passedResult(r);
        QCOMPARE(p.status, 2);
        QVERIFY(p.cancelled && p.hasCancelled && p.hasDuration);
        QCOMPARE(p.durationMs, 250);
        QCOMPARE(p.log, QStringLiteral("/r/t.log"));
        QCOMPARE(p.hostnameJson, QByteArray("7")); // passed on as it came until the daemon sets it
        p.add(QLatin1String("worker_id"), QStringLiteral("w9"));
        p.add(QLatin1String("attempts"), qint64(1));
        p.setHostname(QStringLiteral("n\"1"));
        const TaskResult back = toTaskResult(p);
        QCOMPARE(back.status, 2);
        QCOMPARE(back.extra.value(QLatin1String("hostname")).toString(), QStringLiteral("n\"1"));
        QCOMPARE(back.extra.value(QLatin1String("worker_id")).toString(), QStringLiteral("w9"));
        QCOMPARE(back.extra.value(QLatin1String("attempts")).toInt(), 1);
        QCOMPARE(back.extra.value(QLatin1String("duration_ms")).toInt(), 250);
        QVERIFY(back.extra.value(QLatin1String("cancelled")).toBool());

        const PassedResult none = passedResult(TaskResult{});
        QVERIFY(!none.hasCancelled && !none.hasDuration && none.hostnameJson.isEmpty());
        QByteArray text;
        none.appendObject(&text);
        QCOMPARE(QJsonDocument::fromJson(text).object(), TaskResult{}.toJson());
    }

    void taskResultEventIsWhatTheWorkerBuiltAsAnObject_data()
    {
        QTest::addColumn<TaskResult>("result");
        TaskResult passed; // a shell task that passed, as ShellTask reports it
        passed.changed = true;
        passed.extra = QJsonObject{{QStringLiteral("exit_code"), 0},
                                   {QStringLiteral("signal"), QJsonValue::Null},
                                   {QStringLiteral("duration_ms"), 3},
                                   {QStringLiteral("log"), QStringLiteral("/tmp/rd/t1/t1.log")}};
        QTest::newRow("passed") << passed;

        TaskResult rich = passed; // outputs, a std.Env item, markers, a memento, non-ASCII
        rich.output = QJsonArray{
            QJsonObject{{QStringLiteral("type"), QStringLiteral("std.FileSet")},
                        {QStringLiteral("basedir"), QStringLiteral("/tmp/r\u00e9sum\u00e9")},
                        {QStringLiteral("files"), QJsonArray{QStringLiteral("a.sv"), QStringLiteral("\U0001F600.v")}},
                        {QStringLiteral("src"), QStringLiteral("pkg.t")},
                        {QStringLiteral("seq"), 0}},
            QJsonObject{{QStringLiteral("type"), QStringLiteral("std.Env")},
                        {QStringLiteral("src"), QStringLiteral("pkg.t")},
                        {QStringLiteral("vals"), QJsonObject{{QStringLiteral("CC"), QStringLiteral("gcc -O2 \"x\"")}}},
                        {QStringLiteral("prepend_path"), QJsonObject{{QStringLiteral("PATH"), QStringLiteral("/a:/b")}}}}};
        rich.markers = QJsonArray{marker(QStringLiteral("line\nwith\ttabs \u00fc"), QStringLiteral("warning")),
                                  QJsonObject{{QStringLiteral("msg"), QStringLiteral("e")},
                                              {QStringLiteral("severity"), QStringLiteral("error")},
                                              {QStringLiteral("loc"), QJsonObject{{QStringLiteral("path"), QStringLiteral("f.sv")},
                                                                                  {QStringLiteral("line"), 12}}}}};
        rich.memento = QJsonObject{{QStringLiteral("hash"), QStringLiteral("ab\u0001")}, {QStringLiteral("n"), 1.5}};
        rich.status = 1;
        QTest::newRow("outputs, env, markers, memento") << rich;

        TaskResult failed = failedResult(QStringLiteral("task 'x': cannot open log file '/r/\u00e9.log': "
                                                        "Permission denied \"\\\""), 127);
        QTest::newRow("failed to start") << failed;

        TaskResult killed = passed; // killed by a signal, and stopped
        killed.status = 137;
        killed.extra.insert(QStringLiteral("exit_code"), QJsonValue::Null);
        killed.extra.insert(QStringLiteral("signal"), 9);
        killed.extra.insert(QStringLiteral("cancelled"), true);
        QTest::newRow("killed") << killed;

        TaskResult clash = rich; // the worker's fields win over extra's
        clash.extra.insert(QStringLiteral("worker_id"), QStringLiteral("someone else"));
        clash.extra.insert(QStringLiteral("hostname"), 3);
        clash.extra.insert(QStringLiteral("request_id"), QStringLiteral("old"));
        clash.extra.insert(QStringLiteral("status"), 99);
        clash.extra.insert(QStringLiteral("markers"), QStringLiteral("not these"));
        QTest::newRow("extra names the fixed fields") << clash;

        QTest::newRow("empty (bench-echo)") << TaskResult();
    }

    void taskResultEventIsWhatTheWorkerBuiltAsAnObject()
    {
        QFETCH(TaskResult, result);
        const QString requestId = QStringLiteral("r\u00e9q-1");
        const QString workerId = QStringLiteral("w\\1");
        const QString hostname = QStringLiteral("h\u00f6st");
        // The worker's former route (WorkerClient::sendResult).
        TaskResult r = result;
        r.extra.insert(kFieldWorkerId, workerId);
        r.extra.insert(kFieldHostname, hostname);
        QJsonObject params = r.toJson();
        params.insert(kFieldRequestId, requestId);
        const QByteArray line = encodeTaskResultEvent(requestId, workerId, hostname, result);
        QCOMPARE(objectOf(line), proto::event(kTaskResult, params));
        // And the daemon reads back what was sent.
        Message msg;
        QString err;
        QVERIFY2(parse(line, &msg, &err), qPrintable(err));
        TaskResult back;
        QVERIFY2(parseTaskResult(msg.params, &back, &err), qPrintable(err));
        QCOMPARE(back.status, result.status);
        QCOMPARE(back.output, result.output);
        QCOMPARE(back.markers, result.markers);
    }

    void runningEventIsTheRunningTask()
    {
        RunningTask t;
        t.requestId = QStringLiteral("a/b");
        t.name = QStringLiteral("x\ty");
        t.client = 12;
        t.workerId = QStringLiteral("w3");
        t.hostname = QStringLiteral("h\u00f6st");
        t.resourceClass = QStringLiteral("big");
        t.startedMs = 1700000000123;
        t.attempt = 2;
        QCOMPARE(objectOf(encodeRunningEvent(kEvTaskStarted, t)), proto::event(kEvTaskStarted, t.toJson()));
        t.startedMs = 0; // unknown: an empty stamp
        QCOMPARE(objectOf(encodeRunningEvent(kEvTaskStarted, t)), proto::event(kEvTaskStarted, t.toJson()));
    }

    void writerSeparatesNestedValues()
    {
        QByteArray out;
        JsonWriter w(&out);
        w.beginObject();
        w.key(QLatin1String("a"));
        w.beginArray();
        w.value(1);
        w.beginObject();
        w.endObject();
        w.beginArray();
        w.endArray();
        w.value(QStringLiteral("s"));
        w.null();
        w.endArray();
        w.field(QLatin1String("b"), false);
        w.endObject();
        QCOMPARE(out, QByteArray("{\"a\":[1,{},[],\"s\",null],\"b\":false}"));
    }

    // Each string written every way the writer takes one (QString, Latin-1,
    // UTF-8 bytes, a key) parses back to itself, and as QJsonDocument writes
    // it: the fast ASCII path and the escaping path meet mid-string.
    void writerStringsRoundTrip_data()
    {
        QTest::addColumn<QString>("s");
        QTest::newRow("empty") << QString();
        QTest::newRow("ascii") << QStringLiteral("/tmp/run dir/demo.t0-1_2.log");
        QTest::newRow("quote and backslash") << QStringLiteral("a\"b\\c\"");
        QTest::newRow("controls") << QStringLiteral("x\ty\nz\r\b\f") + QChar(0x01) + QChar(0x1f) + QChar(0x7f);
        QTest::newRow("latin-1 mid-string") << QStringLiteral("caf\u00e9 ok");
        QTest::newRow("latin-1 first") << QStringLiteral("\u00fcber");
        QTest::newRow("bmp then escape") << QStringLiteral("ab\u4e2d\u6587\n\"q\"");
        QTest::newRow("surrogate pair") << QStringLiteral("x\U0001F600y");
        QTest::newRow("long ascii") << QString(5000, QLatin1Char('a')) + QStringLiteral("\u00e9") + QString(3000, QLatin1Char('b'));
    }

    void writerStringsRoundTrip()
    {
        QFETCH(QString, s);
        const QByteArray expected = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
        QByteArray out;
        JsonWriter w(&out);
        w.beginArray();
        w.value(s);
        w.endArray();
        QCOMPARE(out, expected);
        out.clear();
        w.beginArray();
        w.utf8(s.toUtf8());
        w.endArray();
        QCOMPARE(out, expected);
        if (s == QString::fromLatin1(s.toLatin1())) {
            const QByteArray latin1 = s.toLatin1();
            out.clear();
            w.beginArray();
            w.value(QLatin1String(latin1));
            w.endArray();
            QCOMPARE(out, expected);
        }
        out = QByteArray("{");
        w.key(s);
        w.value(qint64(-1234567890123));
        w.key(QLatin1String("n"));
        w.value(0);
        w.endObject();
        const QJsonObject back = QJsonDocument::fromJson(out).object();
        QCOMPARE(back, (QJsonObject{{s, qint64(-1234567890123)}, {QStringLiteral("n"), 0}}));
    }

    void utcStampMatchesQDateTime()
    {
        for (const qint64 ms : {qint64(0), qint64(999), qint64(1700000000123), qint64(-1), qint64(-86400001),
                                qint64(4102444800000), qint64(253402300799999)}) {
            const QString expected =
                QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
            QCOMPARE(utcStamp(ms), expected);
        }
        // Every 97 days and some seconds from year 1 to 9999, leap days and
        // century years included, and the instants around each of them.
        const qint64 first = QDateTime(QDate(1, 1, 1), QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
        for (qint64 ms = first; ms < 253402300800000; ms += 97 * 86400000LL + 12345678) {
            for (const qint64 at : {ms, ms - 1, ms + 86399999}) {
                const QString expected =
                    QDateTime::fromMSecsSinceEpoch(at, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
                if (utcStamp(at) != expected)
                    QFAIL(qPrintable(QStringLiteral("%1: %2, not %3").arg(at).arg(utcStamp(at), expected)));
            }
        }
        for (const int year : {1600, 1700, 1900, 2000, 2024, 2100}) {
            for (const QDate d : {QDate(year, 2, 28), QDate(year, 3, 1), QDate(year, 12, 31)}) {
                const qint64 at = QDateTime(d, QTime(23, 59, 59), Qt::UTC).toMSecsSinceEpoch();
                QCOMPARE(utcStamp(at), QDateTime::fromMSecsSinceEpoch(at, Qt::UTC).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ")));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestWireLines)
#include "tst_wirelines.moc"
