// The standard library's tasks, called directly as the worker calls them:
// outputs, mementos, changed and markers as the Python implementations give.

#include "flow/std/stdtasks.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace dfm;
using namespace dfm::flow;

namespace {

void touch(const QString &path, const QByteArray &text = "x\n")
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

proto::TaskResult call(const char *spec, const StdTaskInput &in, QString *log = nullptr)
{
    QString local;
    const StdTaskFn fn = findStdTask(QLatin1String(spec));
    if (!fn)
        qFatal("no std task %s", spec);
    return fn(in, log ? log : &local);
}

QStringList strings(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &x : v.toArray())
        out << x.toString();
    return out;
}

} // namespace

class TestStdTasks : public QObject {
    Q_OBJECT

private slots:
    void unknownCallablesHaveNoNativeTask()
    {
        QVERIFY(!findStdTask(QStringLiteral("my.own.Task")));
        QVERIFY(findStdTask(QStringLiteral("dv_flow.mgr.std.fileset.FileSet")));
    }

    void messagePrintsNameAndMessage()
    {
        StdTaskInput in;
        in.name = QStringLiteral("p.hello");
        in.params.insert(QStringLiteral("msg"), QStringLiteral("Hello World"));
        QString log;
        const proto::TaskResult r = call("dv_flow.mgr.std.message.Message", in, &log);
        QCOMPARE(log, QStringLiteral("p.hello: Hello World\n"));
        QCOMPARE(r.status, 0);
        QVERIFY(r.changed);
        QVERIFY(r.output.isEmpty());
    }

    void fileSetGlobsRelativeToSrcdirAndExcludes()
    {
        QTemporaryDir dir;
        touch(dir.filePath(QStringLiteral("rtl/a.sv")));
        touch(dir.filePath(QStringLiteral("rtl/b.sv")));
        touch(dir.filePath(QStringLiteral("rtl/skip_c.sv")));
        touch(dir.filePath(QStringLiteral("rtl/.hidden.sv")));
        touch(dir.filePath(QStringLiteral("rtl/pkg.svh")));
        StdTaskInput in;
        in.name = QStringLiteral("p.rtl");
        in.srcdir = dir.path();
        in.params = QJsonObject{{QStringLiteral("base"), QStringLiteral("rtl")},
                                {QStringLiteral("type"), QStringLiteral("systemVerilogSource")},
                                {QStringLiteral("include"), QJsonArray{QStringLiteral("*.sv")}},
                                {QStringLiteral("exclude"), QJsonArray{QStringLiteral("skip_*")}},
                                {QStringLiteral("incdirs"), QStringLiteral("inc1 inc2")}};
        const proto::TaskResult r = call("dv_flow.mgr.std.fileset.FileSet", in);
        QCOMPARE(r.status, 0);
        QCOMPARE(r.output.size(), 1);
        const QJsonObject fs = r.output.at(0).toObject();
        QCOMPARE(fs.value(QLatin1String("type")).toString(), QStringLiteral("std.FileSet"));
        QCOMPARE(fs.value(QLatin1String("filetype")).toString(), QStringLiteral("systemVerilogSource"));
        QCOMPARE(fs.value(QLatin1String("basedir")).toString(), dir.filePath(QStringLiteral("rtl")));
        QCOMPARE(fs.value(QLatin1String("src")).toString(), QStringLiteral("p.rtl"));
        QCOMPARE(fs.value(QLatin1String("seq")).toInt(), -1);
        QCOMPARE(strings(fs.value(QLatin1String("files"))), (QStringList{QStringLiteral("a.sv"), QStringLiteral("b.sv")}));
        QCOMPARE(strings(fs.value(QLatin1String("incdirs"))), (QStringList{QStringLiteral("inc1"), QStringLiteral("inc2")}));
        QCOMPARE(fs.keys(), (QStringList{QStringLiteral("attributes"), QStringLiteral("basedir"), QStringLiteral("defines"),
                                         QStringLiteral("files"), QStringLiteral("filetype"), QStringLiteral("incdirs"),
                                         QStringLiteral("name"), QStringLiteral("params"), QStringLiteral("seq"),
                                         QStringLiteral("src"), QStringLiteral("type")}));
        const QJsonArray files = r.memento.toObject().value(QLatin1String("files")).toArray();
        QCOMPARE(files.size(), 2);
        QCOMPARE(files.at(0).toArray().at(0).toString(), dir.filePath(QStringLiteral("rtl/a.sv")));
        QVERIFY(files.at(0).toArray().at(1).toDouble() > 0);
        QVERIFY(r.changed);

        // The same files again, nothing upstream changed: unchanged.
        in.memento = r.memento;
        in.changed = false;
        QVERIFY(!call("dv_flow.mgr.std.fileset.FileSet", in).changed);
        touch(dir.filePath(QStringLiteral("rtl/d.sv")));
        QVERIFY(call("dv_flow.mgr.std.fileset.FileSet", in).changed);
    }

    void fileSetReportsAPatternMatchingNothing()
    {
        QTemporaryDir dir;
        StdTaskInput in;
        in.name = QStringLiteral("p.rtl");
        in.srcdir = dir.path();
        in.params = QJsonObject{{QStringLiteral("base"), QString()},
                                {QStringLiteral("include"), QStringLiteral("*.v")}};
        const proto::TaskResult r = call("dv_flow.mgr.std.fileset.FileSet", in);
        QCOMPARE(r.status, 1);
        QCOMPARE(r.markers.at(0).toObject().value(QLatin1String("msg")).toString(),
                 QStringLiteral("Include pattern '*.v' did not match any files in '%1'").arg(dir.path()));
        QCOMPARE(r.markers.at(0).toObject().value(QLatin1String("severity")).toString(), QStringLiteral("error"));
    }

    void createFileWritesIntoTheRundir()
    {
        QTemporaryDir dir;
        StdTaskInput in;
        in.name = QStringLiteral("p.cfg");
        in.rundir = dir.filePath(QStringLiteral("rundir/p.cfg"));
        in.params = QJsonObject{{QStringLiteral("filename"), QStringLiteral("sub/top.f")},
                                {QStringLiteral("content"), QStringLiteral("a.sv\n")},
                                {QStringLiteral("type"), QStringLiteral("verilogFileList")}};
        const proto::TaskResult r = call("dv_flow.mgr.std.create_file.CreateFile", in);
        QCOMPARE(r.status, 0);
        QFile f(in.rundir + QStringLiteral("/sub/top.f"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("a.sv\n"));
        const QJsonObject fs = r.output.at(0).toObject();
        QCOMPARE(fs.value(QLatin1String("basedir")).toString(), in.rundir);
        QCOMPARE(strings(fs.value(QLatin1String("files"))), QStringList{QStringLiteral("sub/top.f")});
        QCOMPARE(r.memento.toObject(), (QJsonObject{{QStringLiteral("name"), QString()}, {QStringLiteral("hash"), QString()}}));
        in.params.insert(QStringLiteral("filename"), QStringLiteral("../escape"));
        QCOMPARE(call("dv_flow.mgr.std.create_file.CreateFile", in).status, 1);
    }

    void setEnvResolvesGlobsAgainstSrcdir()
    {
        QTemporaryDir dir;
        touch(dir.filePath(QStringLiteral("tools/a/bin/x")));
        touch(dir.filePath(QStringLiteral("tools/b/bin/x")));
        StdTaskInput in;
        in.name = QStringLiteral("p.env");
        in.srcdir = dir.path();
        in.params = QJsonObject{{QStringLiteral("setenv"), QJsonObject{{QStringLiteral("TOOLS"), QStringLiteral("tools/*/bin")},
                                                                        {QStringLiteral("MODE"), QStringLiteral("fast")},
                                                                        {QStringLiteral("NONE"), QStringLiteral("none/*")}}}};
        const proto::TaskResult r = call("dv_flow.mgr.std.setenv.SetEnv", in);
        const QJsonObject vals = r.output.at(0).toObject().value(QLatin1String("vals")).toObject();
        QCOMPARE(r.output.at(0).toObject().value(QLatin1String("type")).toString(), QStringLiteral("std.Env"));
        QCOMPARE(vals.value(QLatin1String("TOOLS")).toString(),
                 dir.filePath(QStringLiteral("tools/a/bin")) + QLatin1Char(':') + dir.filePath(QStringLiteral("tools/b/bin")));
        QCOMPARE(vals.value(QLatin1String("MODE")).toString(), QStringLiteral("fast"));
        QCOMPARE(vals.value(QLatin1String("NONE")).toString(), QStringLiteral("none/*"));
        QVERIFY(r.changed);
        in.memento = r.memento;
        in.changed = false;
        QVERIFY(!call("dv_flow.mgr.std.setenv.SetEnv", in).changed);
    }

    void setFileTypeAndIncDirsRewriteFileSets()
    {
        StdTaskInput in;
        in.name = QStringLiteral("p.t");
        in.changed = false;
        in.inputs = QJsonArray{fileSetItem(QStringLiteral("p.rtl"), QStringLiteral("verilogSource"), QStringLiteral("/src/rtl"),
                                           QJsonArray{QStringLiteral("a.v")}),
                               QJsonObject{{QStringLiteral("type"), QStringLiteral("std.Env")}}};
        in.params.insert(QStringLiteral("filetype"), QStringLiteral("systemVerilogSource"));
        proto::TaskResult r = call("dv_flow.mgr.std.set_file_type.SetFileType", in);
        QCOMPARE(r.output.size(), 1);
        QCOMPARE(r.output.at(0).toObject().value(QLatin1String("filetype")).toString(), QStringLiteral("systemVerilogSource"));
        QVERIFY(r.output.at(0).toObject().value(QLatin1String("src")).isNull());
        QVERIFY(!r.changed);

        r = call("dv_flow.mgr.std.incdirs.IncDirs", in);
        QCOMPARE(r.output.size(), 1);
        const QJsonObject inc = r.output.at(0).toObject();
        QCOMPARE(strings(inc.value(QLatin1String("incdirs"))), QStringList{QStringLiteral("/src/rtl")});
        QCOMPARE(inc.value(QLatin1String("basedir")).toString(), QStringLiteral("/src/rtl"));
        QVERIFY(strings(inc.value(QLatin1String("files"))).isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestStdTasks)
#include "tst_stdtasks.moc"
