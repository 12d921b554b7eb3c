// Incremental runs: what makes a task up-to-date, and its record on disk.

#include "flow/execdata.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace dfm::flow;

namespace {

ExecRecord passedRecord()
{
    ExecRecord r;
    r.name = QStringLiteral("p.sim");
    r.status = 0;
    r.params = QJsonObject{{QStringLiteral("seed"), 1}};
    r.shell = QStringLiteral("bash");
    r.body = QStringLiteral("./sim");
    r.inputs = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.Env")}}};
    return r;
}

RunRequest sameRequest()
{
    RunRequest q;
    q.name = QStringLiteral("p.sim");
    q.shell = QStringLiteral("bash");
    q.body = QStringLiteral("./sim");
    q.params = QJsonObject{{QStringLiteral("seed"), 1}};
    q.inputs = QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("std.Env")}}};
    q.needsChanged = false;
    return q;
}

/// Why the task must run, or "up-to-date".
QString decide(const ExecRecord *prev, const RunRequest &q)
{
    QString why;
    return isUpToDate(prev, q, &why) ? QStringLiteral("up-to-date") : why;
}

} // namespace

class TestExecData : public QObject {
    Q_OBJECT

private slots:
    void aTaskIsUpToDateOnlyWhenNothingChanged()
    {
        const ExecRecord prev = passedRecord();
        QCOMPARE(decide(&prev, sameRequest()), QStringLiteral("up-to-date"));
        QCOMPARE(decide(nullptr, sameRequest()), QStringLiteral("no record of a previous run"));
        ExecRecord failed = prev;
        failed.status = 2;
        QCOMPARE(decide(&failed, sameRequest()), QStringLiteral("its last run failed"));
        RunRequest q = sameRequest();
        q.params.insert(QStringLiteral("seed"), 2);
        QCOMPARE(decide(&prev, q), QStringLiteral("its parameters changed"));
        q = sameRequest();
        q.body = QStringLiteral("./sim -v");
        QCOMPARE(decide(&prev, q), QStringLiteral("its body changed"));
        q = sameRequest();
        q.needsChanged = true;
        QCOMPARE(decide(&prev, q), QStringLiteral("a need's output changed"));
        q = sameRequest();
        q.inputs = QJsonArray();
        QCOMPARE(decide(&prev, q), QStringLiteral("its inputs changed"));
    }

    void aFileSetIsOutOfDateWhenItsFilesChange()
    {
        QTemporaryDir dir;
        QFile a(dir.filePath(QStringLiteral("a.sv")));
        QVERIFY(a.open(QIODevice::WriteOnly));
        a.close();
        RunRequest q;
        q.name = QStringLiteral("p.rtl");
        q.srcdir = dir.path();
        q.shell = QStringLiteral("pytask");
        q.callable = QStringLiteral("dv_flow.mgr.std.fileset.FileSet");
        q.params = QJsonObject{{QStringLiteral("base"), QString()}, {QStringLiteral("include"), QJsonArray{QStringLiteral("*.sv")}}};
        q.needsChanged = false;
        ExecRecord prev;
        prev.name = q.name;
        prev.status = 0;
        prev.params = q.params;
        prev.shell = q.shell;
        prev.memento = QJsonObject{{QStringLiteral("files"), QJsonArray()}};
        QCOMPARE(decide(&prev, q), QStringLiteral("its files changed"));
        const double mtime = double(QFileInfo(a.fileName()).lastModified().toMSecsSinceEpoch()) / 1000.0;
        prev.memento = QJsonObject{{QStringLiteral("files"), QJsonArray{QJsonArray{a.fileName(), mtime}}}};
        QCOMPARE(decide(&prev, q), QStringLiteral("up-to-date"));
    }

    void recordsRoundTripThroughTheRundir()
    {
        QTemporaryDir dir;
        FileExecStore store;
        ExecRecord r = passedRecord();
        r.memento = QJsonObject{{QStringLiteral("k"), 1}};
        QString err;
        QVERIFY(!store.save(dir.filePath(QStringLiteral("missing")), r, &err));
        QCOMPARE(err, QStringLiteral("no run directory %1").arg(dir.filePath(QStringLiteral("missing"))));
        QVERIFY2(store.save(dir.path(), r, &err), qPrintable(err));
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("p.sim.exec_data.json"))));
        ExecRecord back;
        QVERIFY(store.load(dir.path(), QStringLiteral("p.sim"), &back));
        QCOMPARE(back.toJson(), r.toJson());
        QVERIFY(!store.load(dir.path(), QStringLiteral("p.other"), &back));
    }

    void aRecordThatIsASymlinkIsNotRead()
    {
        QTemporaryDir dir, elsewhere;
        FileExecStore store;
        QString err;
        QVERIFY2(store.save(elsewhere.path(), passedRecord(), &err), qPrintable(err));
        QVERIFY(QFile::link(elsewhere.filePath(QStringLiteral("p.sim.exec_data.json")),
                            dir.filePath(QStringLiteral("p.sim.exec_data.json"))));
        ExecRecord back;
        QVERIFY(store.load(elsewhere.path(), QStringLiteral("p.sim"), &back));
        QVERIFY(!store.load(dir.path(), QStringLiteral("p.sim"), &back)); // so the task runs again
    }
};

QTEST_APPLESS_MAIN(TestExecData)
#include "tst_execdata.moc"
