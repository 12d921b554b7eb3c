// The LSF runner against stand-in bsub, bjobs and bkill scripts put first on
// PATH (tests/cluster/fake-lsf): they record their arguments and start the
// worker locally the way LSF would (LSB_JOBID set, its own session), or fail,
// print nonsense, leave the job pending or let it die. Checks the exact
// command line, every failure path, reuse across runs, and that stopping
// leaves no job.

#include "statefile.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

const char *kFlow = R"(package:
  name: lf
  tasks:
  - name: one
    run: echo "job=$LSB_JOBID" > one.txt
    tags:
    - std.ResourceTag:
        resource_class: large
  - name: two
    needs: [one]
    run: echo "job=$LSB_JOBID" > two.txt
    tags:
    - std.ResourceTag:
        resource_class: large
)";

const char *kConfig = R"(runner:
  default: lsf
  worker_host: 127.0.0.1
  pool:
    max_workers: 2
    launch_timeout: 1
  lsf:
    queue: normal
    project: chipA
    resource_select: ["type==X86_64"]
    bsub_extra: ["-app", "dv"]
  defaults:
    memory: 1G
    walltime: "1:00"
  resource_classes:
    large: { cores: 4, memory: 8G, queue: big, resource_select: ["mem>64000"] }
)";

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

QStringList lines(const QString &path)
{
    return readAll(path).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

} // namespace

class TestLsf : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    QTemporaryDir m_lsf; /* FAKE_LSF_DIR of the stand-ins */

    QString lsf(const QString &name) const { return m_lsf.path() + QLatin1Char('/') + name; }
    void setMode(const QString &mode) const
    {
        QFile f(lsf(QStringLiteral("mode")));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(mode.toUtf8());
    }
    void project(TempProject &p) const
    {
        p.write(QStringLiteral("flow.yaml"), kFlow);
        p.write(QStringLiteral(".dfm/config.yaml"), kConfig);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid() && m_lsf.isValid());
        isolateFromUserConfig(m_home.path());
        const QString bin = QStringLiteral(DFM_TESTDATA "/../cluster/fake-lsf");
        qputenv("PATH", QFile::encodeName(bin) + ':' + qgetenv("PATH"));
        qputenv("FAKE_LSF_DIR", QFile::encodeName(m_lsf.path()));
        qputenv("DFM_REGISTER_TIMEOUT_MS", "3000");
    }

    void init()
    {
        for (const QString &f : {QStringLiteral("mode"), QStringLiteral("delay"), QStringLiteral("bsub.log"),
                                 QStringLiteral("bjobs.log"), QStringLiteral("bkill.log"), QStringLiteral("bjobs.mode")})
            QFile::remove(lsf(f));
    }

    void exactCommandLineReuseAcrossRunsAndStopLeavesNoJob()
    {
        TempProject p;
        project(p);
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        r = runDfm({QStringLiteral("run"), QStringLiteral("two")}, p.root(), 60000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(readAll(p.path(QStringLiteral("rundir/lf.one/one.txt"))), QStringLiteral("job=101\n"));
        QCOMPARE(readAll(p.path(QStringLiteral("rundir/lf.two/two.txt"))), QStringLiteral("job=101\n"));

        DaemonState st;
        QString err;
        QVERIFY2(readState(p.path(QStringLiteral(".dfm/daemon.json")), &st, &err) == StateRead::Ok, qPrintable(err));
        const QString workers = p.path(QStringLiteral(".dfm/workers/"));
        const QStringList expected{
            QStringLiteral("-J"), QStringLiteral("dfm-w1"), QStringLiteral("-n"), QStringLiteral("4"),
            QStringLiteral("-M"), QStringLiteral("8192"), QStringLiteral("-q"), QStringLiteral("big"),
            QStringLiteral("-P"), QStringLiteral("chipA"), QStringLiteral("-R"), QStringLiteral("rusage[mem=8192]"),
            QStringLiteral("-R"), QStringLiteral("select[type==X86_64 && mem>64000]"), QStringLiteral("-W"),
            QStringLiteral("1:00"), QStringLiteral("-oo"), workers + QStringLiteral("w1.log"), QStringLiteral("-eo"),
            workers + QStringLiteral("w1.err"), QStringLiteral("-app"), QStringLiteral("dv"), QStringLiteral("--"),
            QStringLiteral(DFM_BIN), QStringLiteral("worker"), QStringLiteral("--connect"),
            QStringLiteral("127.0.0.1:%1").arg(st.workerPort), QStringLiteral("--worker-id"), QStringLiteral("w1"),
            QStringLiteral("--token-file"), p.path(QStringLiteral(".dfm/worker.token")),
            QStringLiteral("--resource-class"), QStringLiteral("large")};
        QCOMPARE(lines(lsf(QStringLiteral("bsub.log"))).size(), 1);
        QCOMPARE(lines(lsf(QStringLiteral("bsub.log"))).first().split(QLatin1Char('\t')), expected);
        const QString token = readAll(p.path(QStringLiteral(".dfm/worker.token")));
        QVERIFY(!token.isEmpty() && !readAll(lsf(QStringLiteral("bsub.log"))).contains(token));

        // A second run reuses the warm worker: no new bsub.
        r = runDfm({QStringLiteral("run"), QStringLiteral("two")}, p.root(), 60000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(lines(lsf(QStringLiteral("bsub.log"))).size(), 1);

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 60000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(lines(lsf(QStringLiteral("bkill.log"))), QStringList{QStringLiteral("101")});
        QTRY_COMPARE_WITH_TIMEOUT(processesMatching(p.path(QStringLiteral(".dfm/worker.token"))), QList<qint64>{}, 20000);
    }

    void failingBsubFailsTheTaskWithItsWords()
    {
        TempProject p;
        project(p);
        setMode(QStringLiteral("fail"));
        const Run r = runDfm({QStringLiteral("run"), QStringLiteral("one")}, p.root(), 60000);
        QVERIFY2(r.code != 0, qPrintable(r.out + r.err));
        QVERIFY2((r.out + r.err).contains(QStringLiteral(
                     "bsub failed (exit code 255): big: No such queue. Job not submitted.")),
                 qPrintable(r.out + r.err));
        QCOMPARE(lines(lsf(QStringLiteral("bsub.log"))).size(), 3); // max_launch_failures, then given up
    }

    void unparsableBsubIsAnErrorQuotingIt()
    {
        TempProject p;
        project(p);
        setMode(QStringLiteral("garbage"));
        const Run r = runDfm({QStringLiteral("run"), QStringLiteral("one")}, p.root(), 60000);
        QVERIFY2(r.code != 0, qPrintable(r.out + r.err));
        QVERIFY2((r.out + r.err).contains(QStringLiteral(
                     "bsub printed no job id (expected 'Job <N> is submitted ...'): Request accepted, maybe")),
                 qPrintable(r.out + r.err));
    }

    void jobThatDiesBeforeConnectingIsALaunchFailureInLsfsWords()
    {
        TempProject p;
        project(p);
        setMode(QStringLiteral("die"));
        const Run r = runDfm({QStringLiteral("run"), QStringLiteral("one")}, p.root(), 90000);
        QVERIFY2(r.code != 0, qPrintable(r.out + r.err));
        QVERIFY2((r.out + r.err).contains(QStringLiteral("ended (EXIT) before its worker connected; "
                                                          "the worker said: worker: cannot reach the daemon")),
                 qPrintable(r.out + r.err));
        QVERIFY(!lines(lsf(QStringLiteral("bjobs.log"))).isEmpty());
    }

    void pendingJobIsShownPendingWithItsReasonAndKilledOnStop()
    {
        TempProject p;
        project(p);
        setMode(QStringLiteral("pending"));
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QProcess run;
        run.setProgram(QStringLiteral(DFM_BIN));
        run.setArguments({QStringLiteral("run"), QStringLiteral("one")});
        run.setWorkingDirectory(p.root());
        run.start();
        // Probed after launch_timeout (1 s): still pending, never mistaken for dead.
        QTRY_VERIFY_WITH_TIMEOUT(lines(lsf(QStringLiteral("bjobs.log"))).size() >= 2, 30000);
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root());
        const QJsonArray ws = QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("workers")).toArray();
        QCOMPARE(ws.size(), 1);
        const QJsonObject w = ws.first().toObject();
        QCOMPARE(w.value(QLatin1String("state")).toString(), QStringLiteral("pending"));
        QCOMPARE(w.value(QLatin1String("job_id")).toString(), QStringLiteral("%1").arg(readAll(lsf(QStringLiteral("next"))).trimmed()));
        QCOMPARE(w.value(QLatin1String("scheduler_state")).toString(),
                 QStringLiteral("LSF job %1 PEND: New job is waiting for scheduling;").arg(w.value(QLatin1String("job_id")).toString()));
        QCOMPARE(lines(lsf(QStringLiteral("bsub.log"))).size(), 1);
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 60000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(run.waitForFinished(30000));
        QCOMPARE(lines(lsf(QStringLiteral("bkill.log"))), QStringList{w.value(QLatin1String("job_id")).toString()});
        QCOMPARE(QDir(lsf(QStringLiteral("jobs"))).entryList({QStringLiteral("*.pend")}), QStringList{});
    }

    void ephemeralRunKillsItsJobWhenDone_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("done") << QStringLiteral("done");
        QTest::newRow("Ctrl-C") << QStringLiteral("int");
        QTest::newRow("SIGTERM") << QStringLiteral("term");
    }

    void ephemeralRunKillsItsJobWhenDone()
    {
        QFETCH(QString, how);
        TempProject p;
        project(p);
        const QString marker = QStringLiteral("lsfsleep-%1-%2").arg(QCoreApplication::applicationPid()).arg(how);
        if (how != QLatin1String("done"))
            p.write(QStringLiteral("flow.yaml"),
                    QStringLiteral("package:\n  name: lf\n  tasks:\n  - name: one\n    run: sleep 300; echo %1\n")
                        .arg(marker).toUtf8());
        QProcess run;
        run.setProgram(QStringLiteral(DFM_BIN));
        run.setArguments({QStringLiteral("run"), QStringLiteral("one")});
        run.setWorkingDirectory(p.root());
        run.start();
        if (how != QLatin1String("done")) {
            QTRY_VERIFY_WITH_TIMEOUT(!processesMatching(marker).isEmpty(), 30000);
            ::kill(pid_t(run.processId()), how == QLatin1String("int") ? SIGINT : SIGTERM);
        }
        QVERIFY(run.waitForFinished(60000));
        const QString job = readAll(lsf(QStringLiteral("next"))).trimmed();
        QCOMPARE(lines(lsf(QStringLiteral("bkill.log"))), QStringList{job});
        const qint64 pid = readAll(lsf(QStringLiteral("jobs/%1.pid").arg(job))).trimmed().toLongLong();
        QVERIFY(pid > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(QStringLiteral("/proc/%1/cmdline").arg(pid))
                                     || readAll(QStringLiteral("/proc/%1/cmdline").arg(pid)).isEmpty(),
                                 20000);
        QTRY_COMPARE_WITH_TIMEOUT(processesMatching(marker), QList<qint64>{}, 20000);
    }

    void slowBsubDoesNotBlockTheDaemon()
    {
        TempProject p;
        project(p);
        {
            QFile f(lsf(QStringLiteral("delay")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("8");
        }
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QProcess run;
        run.setProgram(QStringLiteral(DFM_BIN));
        run.setArguments({QStringLiteral("run"), QStringLiteral("one")});
        run.setWorkingDirectory(p.root());
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(lsf(QStringLiteral("bsub.sleeping"))), 20000);
        // While bsub sleeps, the daemon answers.
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root(), 60000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(QFile::exists(lsf(QStringLiteral("bsub.sleeping"))));
        QVERIFY(run.waitForFinished(60000));
        QCOMPARE(run.exitCode(), 0);
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 60000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    }
};

QTEST_GUILESS_MAIN(TestLsf)
#include "tst_lsf.moc"
