// The wire protocol and its framing, without sockets.

#include "framing.h"
#include "protocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;

class TestProtocol : public QObject {
    Q_OBJECT

    static proto::Message parsed(const QByteArray &line)
    {
        proto::Message m;
        QString err;
        [&] { QVERIFY2(proto::parse(line, &m, &err), qPrintable(err)); }();
        return m;
    }
    static QString parseError(const QByteArray &line, proto::Message *m = nullptr)
    {
        proto::Message local;
        QString err;
        if (proto::parse(line, m ? m : &local, &err))
            return QStringLiteral("(parsed)");
        return err;
    }

private Q_SLOTS:
    void readerSplitsLinesAcrossPartialReads()
    {
        LineReader r;
        QByteArray line;
        QVERIFY(r.append("{\"a\":"));
        QVERIFY(!r.next(&line));
        QVERIFY(r.append("1}\n{\"b\""));
        QVERIFY(r.next(&line));
        QCOMPARE(line, QByteArray("{\"a\":1}"));
        QVERIFY(!r.next(&line));
        QVERIFY(r.append(":2}\r\n\n  \n{\"c\":3}\n"));
        QVERIFY(r.next(&line));
        QCOMPARE(line, QByteArray("{\"b\":2}"));
        QVERIFY(r.next(&line)); // blank lines skipped
        QCOMPARE(line, QByteArray("{\"c\":3}"));
        QVERIFY(!r.next(&line));
        QCOMPARE(r.buffered(), 0);
    }

    void readerRefusesALineOverTheCap()
    {
        LineReader r(16);
        QByteArray line;
        QVERIFY(r.append("0123456789\n"));
        QVERIFY(r.next(&line));
        QVERIFY(r.append("0123456789abcdef")); // exactly the cap, unterminated
        QVERIFY(!r.append("X"));
        QVERIFY(r.overflowed());
        QVERIFY(!r.append("\n"));
    }

    void readerRefusesAnOverlongLineArrivingWhole()
    {
        LineReader r(8);
        QByteArray line;
        QVERIFY(!r.append("0123456789abcdef\n") || !r.next(&line));
        QVERIFY(r.overflowed());
    }

    void requestsResponsesAndEventsAreTold()
    {
        proto::Message m = parsed(R"({"method":"ping","id":1})");
        QVERIFY(m.isRequest());
        QCOMPARE(m.method, QStringLiteral("ping"));
        QCOMPARE(m.params, QJsonObject());
        m = parsed(R"({"method":"worker.state","params":{"state":"idle"}})");
        QVERIFY(m.isEvent());
        QCOMPARE(m.params.value(QLatin1String("state")).toString(), QStringLiteral("idle"));
        m = parsed(R"({"id":"x7","result":"pong"})");
        QVERIFY(m.isResponse());
        QCOMPARE(m.id.toString(), QStringLiteral("x7"));
        QCOMPARE(m.result.toString(), QStringLiteral("pong"));
        m = parsed(R"({"id":3,"error":"Unknown method: x"})");
        QVERIFY(m.hasError);
        QCOMPARE(m.error, QStringLiteral("Unknown method: x"));
        m = parsed(R"({"method":"ping","id":2,"params":null})");
        QCOMPARE(m.params, QJsonObject());
    }

    void badLinesGiveTheReferenceErrors()
    {
        QVERIFY(parseError("not json").startsWith(QStringLiteral("Invalid JSON: ")));
        QVERIFY(parseError(QByteArray("\xff\xfe\x00garbage", 10)).startsWith(QStringLiteral("Invalid JSON: ")));
        QCOMPARE(parseError("[1,2]"), QStringLiteral("Invalid JSON: expected an object"));
        QVERIFY(parseError("\"str\"").startsWith(QStringLiteral("Invalid JSON: ")));
        proto::Message m;
        QCOMPARE(parseError(R"({"method":"ping","id":5,"params":[1]})", &m),
                 QStringLiteral("Invalid message: 'params' must be an object"));
        QCOMPARE(m.id.toInt(), 5); // the error reply can carry the id
        QCOMPARE(parseError(R"({"method":7,"id":1})"), QStringLiteral("Invalid message: 'method' must be a non-empty string"));
        QCOMPARE(parseError(R"({"method":"ping","id":[1]})"), QStringLiteral("Invalid message: 'id' must be a string or a number"));
        QCOMPARE(parseError(R"({"hello":1})"), QStringLiteral("Invalid message: expected 'method', or 'id' with 'result' or 'error'"));
    }

    void encodeWritesWhatQtWouldForAnyObject()
    {
        const QJsonObject o{
            {QStringLiteral("s"), QStringLiteral("q\"b\\s\n\t\x01\x1f r\u00e9 \U0001F600 /")},
            {QStringLiteral("k\"ey\u00e9"), QJsonArray{1, -0.5, 1e-300, 1e300, 3.0, qint64(1) << 53, -(qint64(1) << 62)}},
            {QStringLiteral("n"), QJsonValue::Null},
            {QStringLiteral("b"), QJsonArray{true, false}},
            {QStringLiteral("e"), QJsonObject{{QStringLiteral("o"), QJsonObject{}}, {QStringLiteral("a"), QJsonArray{}}}},
            {QStringLiteral(""), QString()},
        };
        const QByteArray ours = proto::encode(o);
        QVERIFY(ours.endsWith('\n') && ours.count('\n') == 1);
        QCOMPARE(QJsonDocument::fromJson(ours).object(), o);
        // Byte for byte where Qt's writer and ours spell alike: no escapes.
        const QJsonObject plain{{QStringLiteral("a"), 1.25}, {QStringLiteral("b"), QJsonArray{QStringLiteral("x"), 2}}};
        QCOMPARE(proto::encode(plain), QJsonDocument(plain).toJson(QJsonDocument::Compact) + '\n');
    }

    void buildersMatchTheReferenceShapes()
    {
        QCOMPARE(proto::encode(proto::response(1, QStringLiteral("pong"))), QByteArray("{\"id\":1,\"result\":\"pong\"}\n"));
        QCOMPARE(proto::encode(proto::errorResponse(QJsonValue::Undefined, QStringLiteral("Invalid JSON: x"))),
                 QByteArray("{\"error\":\"Invalid JSON: x\"}\n"));
        QCOMPARE(proto::encode(proto::errorResponse(QStringLiteral("a"), QStringLiteral("e"))),
                 QByteArray("{\"error\":\"e\",\"id\":\"a\"}\n"));
        QCOMPARE(proto::encode(proto::event(proto::kEvTaskCompleted, {{QStringLiteral("status"), 0}})),
                 QByteArray("{\"method\":\"task.completed\",\"params\":{\"status\":0}}\n"));
        QCOMPARE(proto::encode(proto::request(proto::kPing, 9)),
                 QByteArray("{\"id\":9,\"method\":\"ping\",\"params\":{}}\n"));
    }

    void taskSpecNeedsARequestIdAndStringFields()
    {
        proto::TaskSpec s;
        QString err;
        QVERIFY(!proto::parseTaskSpec({{QStringLiteral("name"), QStringLiteral("x")}}, &s, &err));
        QCOMPARE(err, QStringLiteral("task: missing string field 'request_id'"));
        QVERIFY(!proto::parseTaskSpec({{QStringLiteral("request_id"), QStringLiteral("r")}, {QStringLiteral("body"), 3}}, &s, &err));
        QCOMPARE(err, QStringLiteral("task: field 'body' must be a string"));
        QVERIFY(!proto::parseTaskSpec({{QStringLiteral("request_id"), QStringLiteral("r")},
                                       {QStringLiteral("env"), QJsonObject{{QStringLiteral("A"), 1}}}}, &s, &err));
        QCOMPARE(err, QStringLiteral("task: env value 'A' must be a string"));

        const QJsonObject full{{QStringLiteral("request_id"), QStringLiteral("r1")},
                               {QStringLiteral("body"), QStringLiteral("make")},
                               {QStringLiteral("callable_spec"), QStringLiteral("pkg.fn")},
                               {QStringLiteral("params"), QJsonObject{{QStringLiteral("seed"), 1}}}};
        QVERIFY(proto::parseTaskSpec(full, &s, &err));
        QCOMPARE(s.name, QStringLiteral("r1")); // defaults to the request id
        QCOMPARE(s.shell, QStringLiteral("bash"));
        QCOMPARE(s.params.value(QLatin1String("seed")).toInt(), 1);
        QCOMPARE(s.raw.value(QLatin1String("callable_spec")).toString(), QStringLiteral("pkg.fn")); // forwarded
    }

    void taskSpecReadsPythonTaskFieldsAndTimeout()
    {
        proto::TaskSpec s;
        QString err;
        const QJsonObject full{{"request_id", "r"}, {"shell", "pytask"},
                               {"callable_spec", "dv_flow.mgr.std.fileset.FileSet"},
                               {"pythonpath", QJsonArray{"/a", "/b"}},
                               {"inputs", QJsonArray{QJsonObject{{"type", "std.FileSet"}}}},
                               {"memento", QJsonObject{{"h", 1}}}, {"timeout", 2.5}};
        QVERIFY2(proto::parseTaskSpec(full, &s, &err), qPrintable(err));
        QCOMPARE(s.callableSpec, QStringLiteral("dv_flow.mgr.std.fileset.FileSet"));
        QCOMPARE(s.pythonpath, (QStringList{"/a", "/b"}));
        QCOMPARE(s.inputs.size(), 1);
        QCOMPARE(s.memento.toObject().value("h").toInt(), 1);
        QCOMPARE(s.timeoutSec, 2.5);
        QVERIFY(proto::parseTaskSpec({{"request_id", "r"}}, &s, &err));
        QVERIFY(s.memento.isNull());
        QCOMPARE(s.timeoutSec, 0.0);

        const QList<QPair<QJsonObject, QString>> bad{
            {{{"request_id", "r"}, {"inputs", "x"}}, "task: field 'inputs' must be a list of data items"},
            {{{"request_id", "r"}, {"pythonpath", QJsonArray{1}}}, "task: field 'pythonpath' must be a list of strings"},
            {{{"request_id", "r"}, {"timeout", 0}}, "task: field 'timeout' must be a positive number of seconds"},
            {{{"request_id", "r"}, {"timeout", -3}}, "task: field 'timeout' must be a positive number of seconds"},
            {{{"request_id", "r"}, {"callable_spec", 7}}, "task: field 'callable_spec' must be a string"}};
        for (const auto &b : bad) {
            QVERIFY(!proto::parseTaskSpec(b.first, &s, &err));
            QCOMPARE(err, b.second);
        }
    }

    void resultsRoundTripWithExtensions()
    {
        proto::TaskResult r;
        QString err;
        QVERIFY(!proto::parseTaskResult({{QStringLiteral("changed"), true}}, &r, &err));
        QCOMPARE(err, QStringLiteral("result: missing integer field 'status'"));
        QVERIFY(proto::parseTaskResult({{QStringLiteral("request_id"), QStringLiteral("x")},
                                        {QStringLiteral("status"), 3},
                                        {QStringLiteral("log"), QStringLiteral("/r/x.log")}}, &r, &err));
        QCOMPARE(r.status, 3);
        const QJsonObject j = r.toJson();
        QCOMPARE(j.value(QLatin1String("log")).toString(), QStringLiteral("/r/x.log"));
        QVERIFY(!j.contains(QLatin1String("request_id")));
        QVERIFY(j.value(QLatin1String("memento")).isNull());
        QVERIFY(j.value(QLatin1String("markers")).isArray());
        QCOMPARE(proto::failedResult(QStringLiteral("why")).toJson().value(QLatin1String("markers")).toArray().first().toObject(),
                 (QJsonObject{{QStringLiteral("msg"), QStringLiteral("why")}, {QStringLiteral("severity"), QStringLiteral("error")}}));
    }

    void registrationAcceptsNumericJobIds()
    {
        proto::WorkerRegistration reg;
        QString err;
        QVERIFY(!proto::parseRegistration({{QStringLiteral("pid"), 1}}, &reg, &err));
        QCOMPARE(err, QStringLiteral("worker.register: missing string field 'worker_id'"));
        QVERIFY(proto::parseRegistration({{QStringLiteral("worker_id"), QStringLiteral("w1")},
                                          {QStringLiteral("lsf_job_id"), 12345},
                                          {QStringLiteral("token"), QStringLiteral("s")}}, &reg, &err));
        QCOMPARE(reg.lsfJobId, QStringLiteral("12345"));
        QCOMPARE(reg.token, QStringLiteral("s"));
    }

    void workerInfoHasTheReferenceFields()
    {
        proto::WorkerInfo w;
        w.workerId = QStringLiteral("w1");
        w.state = QStringLiteral("idle");
        const QJsonObject j = w.toJson();
        for (const char *k : {"worker_id", "resource_class", "hostname", "state", "current_task", "lsf_job_id"})
            QVERIFY2(j.contains(QLatin1String(k)), k);
        QVERIFY(j.value(QLatin1String("current_task")).isNull());
        QCOMPARE(proto::WorkerInfo::fromJson(j).workerId, QStringLiteral("w1"));
    }

    void stampsAreUtcSeconds()
    {
        QCOMPARE(proto::utcStamp(0), QStringLiteral("1970-01-01T00:00:00Z"));
    }
};

QTEST_APPLESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
