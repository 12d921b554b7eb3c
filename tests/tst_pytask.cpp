// Python tasks (shell 'pytask') and the shell task environment, through a
// real daemon and its real workers. The Python dfm is the stand-in under
// tests/data/pydfm (the public task API only); the tasks are in
// tests/data/pytasks and tests/data/pypath_extra.

#include "daemonclient.h"
#include "protocol.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

constexpr int kWait = 30000;
const QString kStandIn = QStringLiteral(DFM_TESTDATA "/pydfm");
const QString kTasks = QStringLiteral(DFM_TESTDATA "/pytasks");
const QString kExtra = QStringLiteral(DFM_TESTDATA "/pypath_extra");

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QJsonObject pyTask(const QString &rid, const QString &callable, const QJsonObject &params,
                   const QString &rundir, const QStringList &pythonpath = {kStandIn, kTasks})
{
    return QJsonObject{{"request_id", rid},
                       {"name", rid},
                       {"shell", "pytask"},
                       {"callable_spec", callable},
                       {"params", params},
                       {"inputs", QJsonArray()},
                       {"pythonpath", QJsonArray::fromStringList(pythonpath)},
                       {"srcdir", kTasks},
                       {"rundir", rundir},
                       {"env", QJsonObject()},
                       {"memento", QJsonValue::Null}};
}

QString markerText(const QJsonObject &result, int i = 0)
{
    return result.value("markers").toArray().at(i).toObject().value("msg").toString();
}


} // namespace

class TstPyTask : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    void start(const TempProject &p)
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.remove("PYTHONPATH");
        e.insert("DFM_CANCEL_GRACE_MS", "1000");
        const Run r = runDfm({"daemon", "start", "--pool-size", "1"}, p.root(), 30000, e);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    }

    void connectClient(DaemonClient &c, const TempProject &p)
    {
        QString err;
        QVERIFY2(c.connectTo(p.path(".dfm/daemon.sock"), 5000, &err), qPrintable(err));
    }

    /// Submits and waits for the result.
    QJsonObject runTask(DaemonClient &c, Results &res, const QJsonObject &params)
    {
        const qint64 id = c.send(proto::kTaskSubmit, params);
        if (!QTest::qWaitFor([&] { return res.byId.contains(id); }, kWait))
            return QJsonObject{{"status", "no result"}};
        return res.byId.value(id);
    }

    /// Waits for the pid a Sleep task writes; 0 if it never does.
    qint64 hostPid(const QString &rundir)
    {
        const QString f = rundir + "/host.pid";
        if (!QTest::qWaitFor([&] { return readAll(f).endsWith('\n'); }, kWait))
            return 0;
        return readAll(f).trimmed().toLongLong();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void pythonTaskSucceedsWithOutputsAndLog()
    {
        TempProject p;
        p.write("src/a.sv", "");
        p.write("src/b.sv", "");
        p.write("src/c.txt", "");
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        QJsonObject t = pyTask("collect", "demo_tasks.Collect",
                               {{"dir", p.path("src")}, {"suffix", ".sv"}}, p.path("r"));
        t.insert("inputs", QJsonArray{QJsonObject{{"type", "std.FileSet"}, {"files", QJsonArray{"x.sv"}}}});
        const QJsonObject r = runTask(c, res, t);
        QCOMPARE(r.value("status").toInt(-1), 0);
        QCOMPARE(r.value("changed").toBool(), true);
        const QJsonArray out = r.value("output").toArray();
        QCOMPARE(out.size(), 2);
        QCOMPARE(QJsonDocument(out[0].toObject()).toJson(QJsonDocument::Compact),
                 QStringLiteral("{\"basedir\":\"%1\",\"defines\":[],\"files\":[\"a.sv\",\"b.sv\"],"
                                "\"filetype\":\"verilogSource\",\"incdirs\":[],\"seq\":-1,\"src\":\"collect\","
                                "\"type\":\"std.FileSet\"}").arg(p.path("src")).toUtf8());
        QCOMPARE(out[1].toObject().value("type").toString(), QStringLiteral("std.Env"));
        QCOMPARE(out[1].toObject().value("vals").toObject().value("SEEN").toString(), QStringLiteral("[['x.sv']]"));
        QCOMPARE(r.value("memento").toObject().value("count").toInt(), 2);
        QVERIFY(r.value("markers").toArray().isEmpty());
        QCOMPARE(r.value("log").toString(), p.path("r/collect.log"));
        QCOMPARE(readAll(p.path("r/collect.log")),
                 QStringLiteral("collecting in %1\nfrom a child process\n").arg(p.path("src")));
    }

    void pythonTaskFailureCarriesItsMarkers()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QJsonObject r = runTask(c, res, pyTask("lint", "demo_tasks.Fail", {{"n", 3}}, p.path("r")));
        QCOMPARE(r.value("status").toInt(), 2);
        QCOMPARE(QJsonDocument(r.value("markers").toArray()).toJson(QJsonDocument::Compact),
                 QByteArray("[{\"msg\":\"lint found 3 problems\",\"severity\":\"error\"},"
                            "{\"msg\":\"checked by ctxt\",\"severity\":\"error\"}]"));
    }

    void exceptionInTaskFailsItWithTheExceptionAndTraceback()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QJsonObject r = runTask(c, res, pyTask("raise", "demo_tasks.Raise", {}, p.path("r")));
        QCOMPARE(r.value("status").toInt(), 1);
        QCOMPARE(markerText(r), QStringLiteral("task 'raise' (callable 'demo_tasks.Raise') raised "
                                               "ValueError: bad parameter 'x'"));
        QVERIFY(readAll(p.path("r/raise.log")).contains("Traceback"));
        // The host survives an exception: the next task runs.
        const QJsonObject r2 = runTask(c, res, pyTask("sync", "demo_tasks.Sync", {}, p.path("r2")));
        QCOMPARE(r2.value("status").toInt(-1), 0);
    }

    void pythonpathMakesTheCallableImportable()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QJsonObject missing = runTask(c, res, pyTask("h0", "extra_tasks.Hello", {{"who", "me"}}, p.path("r0")));
        QCOMPARE(missing.value("status").toInt(), 1);
        QCOMPARE(markerText(missing), QStringLiteral("cannot import callable 'extra_tasks.Hello' for task "
                                                     "'h0': ModuleNotFoundError: No module named 'extra_tasks'"));
        const QJsonObject r = runTask(c, res, pyTask("h1", "extra_tasks.Hello", {{"who", "me"}}, p.path("r1"),
                                                     {kStandIn, kExtra}));
        QCOMPARE(r.value("status").toInt(-1), 0);
        QCOMPARE(QJsonDocument(r.value("output").toArray()).toJson(QJsonDocument::Compact),
                 QByteArray("[{\"type\":\"demo.Hello\",\"who\":\"me\"}]"));
        QCOMPARE(readAll(p.path("r1/h1.log")), QStringLiteral("hello from extra_tasks\n"));
    }

    void cancelStopsALongPythonTaskAndTheHostRestarts()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const qint64 id = c.send(proto::kTaskSubmit, pyTask("long", "demo_tasks.Sleep", {{"secs", 600}}, p.path("r")));
        const qint64 host = hostPid(p.path("r"));
        QVERIFY(host > 0);
        QJsonValue v;
        QString err;
        QVERIFY2(c.call(proto::kTaskCancel, {{"request_id", "long"}}, &v, &err), qPrintable(err));
        QTRY_VERIFY_WITH_TIMEOUT(res.byId.contains(id), kWait);
        QCOMPARE(res.byId[id].value("cancelled").toBool(), true);
        QVERIFY(res.byId[id].value("status").toInt() != 0);
        QTRY_VERIFY_WITH_TIMEOUT(!pidAlive(host), kWait);
        const QJsonObject next = runTask(c, res, pyTask("after", "demo_tasks.Trivial", {}, p.path("r2")));
        QCOMPARE(next.value("status").toInt(-1), 0);
    }

    void timeoutStopsALongPythonTask()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        // Warm the host first: its start-up counts against a task's timeout.
        QCOMPARE(runTask(c, res, pyTask("warm", "demo_tasks.Trivial", {}, p.path("w"))).value("status").toInt(-1), 0);
        QJsonObject t = pyTask("long", "demo_tasks.Sleep", {{"secs", 600}}, p.path("r"));
        t.insert("timeout", 3);
        const qint64 id = c.send(proto::kTaskSubmit, t);
        const qint64 host = hostPid(p.path("r"));
        QVERIFY(host > 0);
        QTRY_VERIFY_WITH_TIMEOUT(res.byId.contains(id), kWait);
        const QJsonObject r = res.byId[id];
        QCOMPARE(r.value("status").toInt(), 1);
        QCOMPARE(r.value("timed_out").toBool(), true);
        QCOMPARE(markerText(r), QStringLiteral("task timed out after 3 s"));
        QTRY_VERIFY_WITH_TIMEOUT(!pidAlive(host), kWait);
    }

    void hostKilledMidTaskFailsItAndIsRestarted()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const qint64 id = c.send(proto::kTaskSubmit, pyTask("victim", "demo_tasks.Sleep", {{"secs", 600}}, p.path("r")));
        const qint64 host = hostPid(p.path("r"));
        QVERIFY(host > 0);
        ::kill(pid_t(host), SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(res.byId.contains(id), kWait);
        const QJsonObject r = res.byId[id];
        QCOMPARE(r.value("status").toInt(), 1);
        QCOMPARE(markerText(r), QStringLiteral("the Python task host (python3, pid %1) was killed by signal 9 "
                                               "while running task 'victim'; it is restarted for the next "
                                               "task (log: %2)").arg(host).arg(p.path("r/victim.log")));
        const QJsonObject next = runTask(c, res, pyTask("after", "demo_tasks.Trivial", {}, p.path("r2")));
        QCOMPARE(next.value("status").toInt(-1), 0);
    }

    void daemonStopEndsARunningPythonTaskAndItsHost()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        c.send(proto::kTaskSubmit, pyTask("long", "demo_tasks.Sleep", {{"secs", 600}}, p.path("r")));
        const qint64 host = hostPid(p.path("r"));
        QVERIFY(host > 0);
        const Run r = runDfm({"daemon", "stop"}, p.root());
        QCOMPARE(r.code, 0);
        QTRY_VERIFY_WITH_TIMEOUT(!pidAlive(host), kWait);
    }

    void processLeftByAPythonTaskIsEndedWhenItFinishes()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QJsonObject r = runTask(c, res, pyTask("leak", "demo_tasks.Leak", {}, p.path("r")));
        QCOMPARE(r.value("status").toInt(-1), 0);
        const qint64 bg = readAll(p.path("r/bg.pid")).trimmed().toLongLong();
        QVERIFY(bg > 0);
        QVERIFY(!pidAlive(bg)); // gone before the result was sent
    }

    void missingPythonDfmFailsNamingTheCallableAndTheFix()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QJsonObject r = runTask(c, res, pyTask("nodfm", "dv_flow.libhdlsim.vcs.SimImage", {}, p.path("r"), {kTasks}));
        QCOMPARE(r.value("status").toInt(), 1);
        const QString msg = markerText(r);
        QVERIFY2(msg.startsWith("cannot run Python task 'nodfm' (callable 'dv_flow.libhdlsim.vcs.SimImage'): "
                                "the Python task host's interpreter '"), qPrintable(msg));
        QVERIFY2(msg.endsWith("cannot import the Python dfm (dv_flow.mgr): ModuleNotFoundError: No module "
                              "named 'dv_flow'. Install dv-flow-mgr for that interpreter, add its location "
                              "to the task's pythonpath, or set runner.python to the interpreter your Python "
                              "`dfm run` uses"), qPrintable(msg));
    }

    void missingInterpreterFailsSayingWhatToSet()
    {
        TempProject p;
        p.write(".dfm/config.yaml", "runner:\n  python: /no/such/python3\n");
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QJsonObject r = runTask(c, res, pyTask("nopy", "demo_tasks.Trivial", {}, p.path("r")));
        QCOMPARE(r.value("status").toInt(), 1);
        QVERIFY2(markerText(r).startsWith("cannot start the Python task host for task 'nopy': "
                                          "'/no/such/python3' could not be run ("), qPrintable(markerText(r)));
        QVERIFY(markerText(r).endsWith("); set runner.python (dfm worker --python) to a Python 3 "
                                       "interpreter that can import your Python dfm"));
    }

    void shellTaskGetsTheTaskEnvironmentAndReturnsWhatItWrote()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QString body = QStringLiteral(
            "for v in DFM_TASK_NAME DFM_RUNDIR DFM_SRCDIR DFM_PARAMS DFM_INPUTS DFM_OUTPUT DFM_ENV "
            "DFM_PATH DFM_MARKERS DFM_MEMENTO_OUT TASK_RUNDIR TASK_SRCDIR; do\n"
            "  eval \"val=\\$$v\"; [ -n \"$val\" ] && echo \"$v ok\"\n"
            "done\n"
            "echo '{\"type\":\"std.FileSet\",\"basedir\":\".\",\"files\":[\"${{ top }}.sv\"]}' >> \"$DFM_OUTPUT\"\n"
            "echo 'SEED=42' >> \"$DFM_ENV\"\n"
            "echo '{\"severity\":\"warning\",\"msg\":\"slow\"}' >> \"$DFM_MARKERS\"\n"
            "echo '{\"hash\":\"abc\"}' > \"$DFM_MEMENTO_OUT\"\n");
        const QJsonObject t{{"request_id", "sh"}, {"name", "sh"}, {"shell", "bash"}, {"body", body},
                            {"srcdir", p.root()}, {"rundir", p.path("r")}, {"params", QJsonObject{{"top", "soc"}}},
                            {"inputs", QJsonArray()}, {"memento", QJsonValue::Null}};
        const QJsonObject r = runTask(c, res, t);
        QCOMPARE(r.value("status").toInt(-1), 0);
        QCOMPARE(readAll(p.path("r/sh.log")),
                 QStringLiteral("DFM_TASK_NAME ok\nDFM_RUNDIR ok\nDFM_SRCDIR ok\nDFM_PARAMS ok\nDFM_INPUTS ok\n"
                                "DFM_OUTPUT ok\nDFM_ENV ok\nDFM_PATH ok\nDFM_MARKERS ok\nDFM_MEMENTO_OUT ok\n"
                                "TASK_RUNDIR ok\nTASK_SRCDIR ok\n"));
        const QJsonArray out = r.value("output").toArray();
        QCOMPARE(out.size(), 2);
        QCOMPARE(out[0].toObject().value("files").toArray().first().toString(), QStringLiteral("soc.sv"));
        QCOMPARE(out[0].toObject().value("basedir").toString(), p.path("r"));
        QCOMPARE(out[1].toObject().value("vals").toObject().value("SEED").toString(), QStringLiteral("42"));
        QCOMPARE(markerText(r), QStringLiteral("slow"));
        QCOMPARE(r.value("memento").toObject().value("hash").toString(), QStringLiteral("abc"));
    }
};

QTEST_GUILESS_MAIN(TstPyTask)
#include "tst_pytask.moc"
