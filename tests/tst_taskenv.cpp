// The dv-flow task environment of shell tasks (core/taskenv): what is staged
// before a run and how what the task wrote is read back, without a process.

#include "taskenv.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace dfm;
using namespace dfm::taskenv;

namespace {

QByteArray compact(const QJsonValue &v)
{
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
}

} // namespace

class TstTaskEnv : public QObject {
    Q_OBJECT
private slots:
    void variablesNameEveryFileInTheRundir()
    {
        proto::TaskSpec s;
        s.name = QStringLiteral("pkg.t");
        s.srcdir = QStringLiteral("/src");
        s.params = QJsonObject{{"top", "soc"}, {"seeds", QJsonArray{1, 2}}, {"on", true}, {"n", 4}};
        const auto v = taskVariables(s, QStringLiteral("/run/t"));
        QCOMPARE(v.value("DFM_TASK_NAME"), QStringLiteral("pkg.t"));
        QCOMPARE(v.value("DFM_RUNDIR"), QStringLiteral("/run/t"));
        QCOMPARE(v.value("DFM_SRCDIR"), QStringLiteral("/src"));
        QCOMPARE(v.value("TASK_RUNDIR"), QStringLiteral("/run/t"));
        QCOMPARE(v.value("TASK_SRCDIR"), QStringLiteral("/src"));
        QCOMPARE(v.value("DFM_PARAMS"), QStringLiteral("/run/t/dfm.params.json"));
        QCOMPARE(v.value("DFM_INPUTS"), QStringLiteral("/run/t/dfm.inputs.json"));
        QCOMPARE(v.value("DFM_OUTPUT"), QStringLiteral("/run/t/dfm.output.jsonl"));
        QCOMPARE(v.value("DFM_ENV"), QStringLiteral("/run/t/dfm.env"));
        QCOMPARE(v.value("DFM_PATH"), QStringLiteral("/run/t/dfm.path"));
        QCOMPARE(v.value("DFM_MARKERS"), QStringLiteral("/run/t/dfm.markers.jsonl"));
        QCOMPARE(v.value("DFM_MEMENTO_OUT"), QStringLiteral("/run/t/dfm.memento.out.json"));
        QVERIFY(!v.contains("DFM_MEMENTO")); // no memento sent
        QCOMPARE(v.value("DFM_PARAM_TOP"), QStringLiteral("soc"));
        QCOMPARE(v.value("DFM_PARAM_SEEDS"), QStringLiteral("[1,2]"));
        QCOMPARE(v.value("DFM_PARAM_ON"), QStringLiteral("true"));
        QCOMPARE(v.value("DFM_PARAM_N"), QStringLiteral("4"));
        QCOMPARE(v.size(), 16);
        s.memento = QJsonObject{{"h", "x"}};
        QCOMPARE(taskVariables(s, "/r").value("DFM_MEMENTO"), QStringLiteral("/r/dfm.memento.json"));
    }

    void stdEnvInputsMergeOldestFirst()
    {
        QHash<QString, QString> env{{"PATH", "/usr/bin"}, {"KEEP", "k"}};
        const QJsonArray inputs{
            QJsonObject{{"type", "std.Env"}, {"vals", QJsonObject{{"A", "1"}, {"B", "x"}}}},
            QJsonObject{{"type", "std.FileSet"}, {"vals", QJsonObject{{"A", "ignored"}}}},
            QJsonObject{{"type", "std.Env"}, {"vals", QJsonObject{{"A", "2"}}},
                        {"prepend_path", QJsonObject{{"PATH", "/pre"}}},
                        {"append_path", QJsonObject{{"LD", "/lib"}}}}};
        mergeInputEnv(inputs, &env);
        QCOMPARE(env.value("A"), QStringLiteral("2"));
        QCOMPARE(env.value("B"), QStringLiteral("x"));
        QCOMPARE(env.value("PATH"), QStringLiteral("/pre:/usr/bin"));
        QCOMPARE(env.value("LD"), QStringLiteral("/lib"));
        QCOMPARE(env.value("KEEP"), QStringLiteral("k"));
    }

    void outputLinesBecomeItemsAndBadLinesWarnings()
    {
        Harvest h;
        parseOutputLines("{\"type\":\"std.FileSet\",\"basedir\":\".\",\"files\":[\"gen.sv\"]}\n\n"
                         "{\"type\":\"std.FileSet\",\"basedir\":\"/abs\"}\nnot-json\n[1]\n{\"files\":[]}\n",
                         "/run", "p.t", &h);
        QCOMPARE(h.output.size(), 2);
        QCOMPARE(compact(h.output[0]), QByteArray("[{\"basedir\":\"/run\",\"files\":[\"gen.sv\"],"
                                                  "\"seq\":0,\"src\":\"p.t\",\"type\":\"std.FileSet\"}]"));
        QCOMPARE(h.output[1].toObject().value("basedir").toString(), QStringLiteral("/abs"));
        QCOMPARE(h.output[1].toObject().value("seq").toInt(), 1);
        QCOMPARE(h.markers.size(), 3);
        QVERIFY(h.markers[0].toObject().value("msg").toString().startsWith("Malformed DFM_OUTPUT line 4: "));
        QCOMPARE(h.markers[1].toObject().value("msg").toString(), QStringLiteral("DFM_OUTPUT line 5 is not a JSON object"));
        QCOMPARE(h.markers[2].toObject().value("msg").toString(), QStringLiteral("DFM_OUTPUT line 6 missing 'type'"));
        QCOMPARE(h.markers[2].toObject().value("severity").toString(), QStringLiteral("warning"));
    }

    void envFileReadsPlainAndHeredocLines()
    {
        const auto vals = parseEnvLines("SIM_SEED=42\nBANNER<<EOF\nline1\nline2\nEOF\nX=a=b\njunk\n");
        QCOMPARE(vals.size(), 3);
        QCOMPARE(vals[0], qMakePair(QStringLiteral("SIM_SEED"), QStringLiteral("42")));
        QCOMPARE(vals[1], qMakePair(QStringLiteral("BANNER"), QStringLiteral("line1\nline2")));
        QCOMPARE(vals[2], qMakePair(QStringLiteral("X"), QStringLiteral("a=b")));
        const QJsonValue item = envItem(vals, parsePathLines(" /opt/a/bin \n\n/opt/b\n"), "t");
        QCOMPARE(compact(item), QByteArray("[{\"prepend_path\":{\"PATH\":\"/opt/a/bin:/opt/b\"},"
                                           "\"src\":\"t\",\"type\":\"std.Env\",\"vals\":{\"BANNER\":"
                                           "\"line1\\nline2\",\"SIM_SEED\":\"42\",\"X\":\"a=b\"}}]"));
        QVERIFY(envItem({}, {}, "t").isUndefined());
    }

    void markersKeepSeverityAndLocation()
    {
        Harvest h;
        parseMarkerLines("{\"severity\":\"error\",\"msg\":\"synthesis failed\",\"loc\":{\"path\":\"top.sv\",\"line\":10}}\n"
                         "{\"severity\":\"fatal\",\"msg\":\"odd\"}\n{broken\n",
                         &h);
        QCOMPARE(h.markers.size(), 3);
        QCOMPARE(compact(h.markers[0]), QByteArray("[{\"loc\":{\"line\":10,\"path\":\"top.sv\"},"
                                                   "\"msg\":\"synthesis failed\",\"severity\":\"error\"}]"));
        QCOMPARE(h.markers[1].toObject().value("severity").toString(), QStringLiteral("info"));
        QVERIFY(h.markers[2].toObject().value("msg").toString().startsWith("Malformed DFM_MARKERS line 3: "));
    }

    void mementoIsAnyJsonAndEmptyMeansNone()
    {
        Harvest h;
        parseMemento("  \n", &h);
        QVERIFY(h.memento.isNull());
        parseMemento("{\"hash\":\"abc123\"}\n", &h);
        QCOMPARE(h.memento.toObject().value("hash").toString(), QStringLiteral("abc123"));
        Harvest bad;
        parseMemento("{nope", &bad);
        QVERIFY(bad.memento.isNull());
        QVERIFY(bad.markers[0].toObject().value("msg").toString().startsWith("Malformed dfm.memento.out.json: "));
    }

    void errorMarkerFailsASuccessfulResult()
    {
        proto::TaskResult r;
        r.markers.append(proto::marker("w", "warning"));
        failOnErrorMarkers(&r);
        QCOMPARE(r.status, 0);
        r.markers.append(proto::marker("e", "error"));
        failOnErrorMarkers(&r);
        QCOMPARE(r.status, 1);
        r.status = 3;
        failOnErrorMarkers(&r);
        QCOMPARE(r.status, 3);
    }

    void stagingWritesInputsAndEmptiesOutputsWithoutFollowingLinks()
    {
        QTemporaryDir dir;
        proto::TaskSpec s;
        s.params = QJsonObject{{"a", 1}};
        s.inputs = QJsonArray{QJsonObject{{"type", "std.FileSet"}}};
        s.memento = QJsonObject{{"m", 1}};
        QFile old(dir.filePath("dfm.output.jsonl"));
        QVERIFY(old.open(QIODevice::WriteOnly));
        old.write("stale\n");
        old.close();
        QFile::copy(dir.filePath("dfm.output.jsonl"), dir.filePath("dfm.memento.out.json"));
        QString err;
        QVERIFY2(stageTaskFiles(s, dir.path(), &err), qPrintable(err));
        auto read = [&](const char *f) {
            QFile x(dir.filePath(f));
            return x.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(x.readAll()) : QJsonDocument();
        };
        QCOMPARE(read("dfm.params.json").object().value("a").toInt(), 1);
        QCOMPARE(read("dfm.inputs.json").array().size(), 1);
        QCOMPARE(read("dfm.memento.json").object().value("m").toInt(), 1);
        QCOMPARE(QFileInfo(dir.filePath("dfm.output.jsonl")).size(), 0);
        QVERIFY(!QFile::exists(dir.filePath("dfm.memento.out.json")));

        QFile target(dir.filePath("target"));
        QVERIFY(target.open(QIODevice::WriteOnly));
        target.write("keep");
        target.close();
        QFile::remove(dir.filePath("dfm.env"));
        QVERIFY(QFile::link(dir.filePath("target"), dir.filePath("dfm.env")));
        QVERIFY(!stageTaskFiles(s, dir.path(), &err));
        QVERIFY2(err.startsWith(QStringLiteral("cannot write '%1': ").arg(dir.filePath("dfm.env"))), qPrintable(err));
        QFile t2(dir.filePath("target"));
        QVERIFY(t2.open(QIODevice::ReadOnly));
        QCOMPARE(t2.readAll(), QByteArray("keep"));
    }

    void stagingNoParametersOrInputsWritesEmptyJson()
    {
        QTemporaryDir dir;
        QString err;
        QVERIFY2(stageTaskFiles(proto::TaskSpec(), dir.path(), &err, true), qPrintable(err));
        auto bytes = [&](const char *f) {
            QFile x(dir.filePath(f));
            return x.open(QIODevice::ReadOnly) ? x.readAll() : QByteArray("missing");
        };
        QCOMPARE(bytes("dfm.params.json"), QJsonDocument(QJsonObject()).toJson(QJsonDocument::Indented));
        QCOMPARE(bytes("dfm.inputs.json"), QJsonDocument(QJsonArray()).toJson(QJsonDocument::Indented));
        QVERIFY(!QFile::exists(dir.filePath("dfm.memento.json")));
        QCOMPARE(bytes("dfm.markers.jsonl"), QByteArray());
    }

    void harvestReadsWhatTheTaskWrote()
    {
        QTemporaryDir dir;
        auto write = [&](const char *f, const QByteArray &d) {
            QFile x(dir.filePath(f));
            QVERIFY(x.open(QIODevice::WriteOnly));
            x.write(d);
        };
        write("dfm.output.jsonl", "{\"type\":\"std.FileSet\",\"files\":[\"a.sv\"]}\n");
        write("dfm.env", "A=1\n");
        write("dfm.markers.jsonl", "{\"severity\":\"warning\",\"msg\":\"w\"}\n");
        write("dfm.memento.out.json", "[1,2]");
        const Harvest h = harvestTaskFiles(dir.path(), "t");
        QCOMPARE(h.output.size(), 2);
        QCOMPARE(h.output[1].toObject().value("type").toString(), QStringLiteral("std.Env"));
        QCOMPARE(h.markers.size(), 1);
        QCOMPARE(compact(h.memento), QByteArray("[[1,2]]"));
    }
};

QTEST_APPLESS_MAIN(TstTaskEnv)
#include "tst_taskenv.moc"
