// The launchers without a cluster: the LSF and SLURM command lines and the
// reading of their answers (pure), and the ClusterLauncher driven through a
// fake command runner: job ids, a failing submit, a batched probe, the
// in-flight limit and an asynchronous stop. Also the local launcher's
// non-blocking failures.

#include "clusterlauncher.h"
#include "locallauncher.h"
#include "scheduler.h"

#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

using namespace dfm;

namespace {

// Answers commands the way the test says, recording each; nothing runs.
class FakeRunner : public CommandRunner {
public:
    struct Call {
        QStringList argv;
        Done done;
    };
    QList<Call> calls; /* in the order they were run; answered by answer() */

    QList<QStringList> *detached = nullptr; /* outlives the runner, for the destructor's cancel */

    void run(const QStringList &argv, int, Done done) override { calls.append({argv, std::move(done)}); }
    void runDetached(const QStringList &argv) override
    {
        if (detached)
            detached->append(argv);
    }

    /// Answers call `i` from the event loop, as a real process would.
    void answer(int i, int exitCode, const QString &out, const QString &err = QString())
    {
        CommandResult r;
        r.started = true;
        r.exitCode = exitCode;
        r.out = out;
        r.err = err;
        Done d = calls[i].done;
        QTimer::singleShot(0, this, [d, r] { d(r); });
    }
};

LaunchRequest request(const QString &id, const ResourceSpec &res = {})
{
    LaunchRequest r;
    r.workerId = id;
    r.resourceClass = QStringLiteral("large");
    r.resources = res;
    r.connectHost = QStringLiteral("head1");
    r.port = 4711;
    r.tokenFile = QStringLiteral("/p/.dfm/worker.token");
    r.logFile = QStringLiteral("/p/.dfm/workers/%1.log").arg(id);
    return r;
}

ResourceSpec large()
{
    ResourceSpec r;
    r.cores = 8;
    r.memory = QStringLiteral("32G");
    r.walltime = QStringLiteral("4:00");
    r.queue = QStringLiteral("big");
    r.resourceSelect = {QStringLiteral("mem>64000")};
    return r;
}

SchedulerConfig lsfConfig()
{
    SchedulerConfig c;
    c.submitCmd = QStringLiteral("lsf_bsub -G grp");
    c.queue = QStringLiteral("normal");
    c.project = QStringLiteral("chipA");
    c.resourceSelect = {QStringLiteral("type==X86_64")};
    c.extra = {QStringLiteral("-app"), QStringLiteral("dv")};
    return c;
}

const QStringList kWorker{QStringLiteral("/opt/dfm/bin/dfm"), QStringLiteral("worker"), QStringLiteral("--connect"),
                          QStringLiteral("head1:4711"), QStringLiteral("--worker-id"), QStringLiteral("w1"),
                          QStringLiteral("--token-file"), QStringLiteral("/p/.dfm/worker.token"),
                          QStringLiteral("--resource-class"), QStringLiteral("large")};

CommandResult said(int code, const QString &out, const QString &err = QString())
{
    CommandResult r;
    r.started = true;
    r.exitCode = code;
    r.out = out;
    r.err = err;
    return r;
}

} // namespace

class TestLaunchers : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void workerCommandCarriesHostPortAndTokenFileNeverTheSecret()
    {
        QCOMPARE(workerCommand(QStringLiteral("/opt/dfm/bin/dfm"), request(QStringLiteral("w1"))), kWorker);
    }

    void lsfSubmitHasEveryConfiguredFlag()
    {
        LsfScheduler s(lsfConfig());
        const QStringList expected{
            QStringLiteral("lsf_bsub"), QStringLiteral("-G"), QStringLiteral("grp"),
            QStringLiteral("-J"), QStringLiteral("dfm-w1"),
            QStringLiteral("-n"), QStringLiteral("8"), QStringLiteral("-M"), QStringLiteral("32768"),
            QStringLiteral("-q"), QStringLiteral("big"), QStringLiteral("-P"), QStringLiteral("chipA"),
            QStringLiteral("-R"), QStringLiteral("rusage[mem=32768]"),
            QStringLiteral("-R"), QStringLiteral("select[type==X86_64 && mem>64000]"),
            QStringLiteral("-W"), QStringLiteral("4:00"),
            QStringLiteral("-oo"), QStringLiteral("/p/.dfm/workers/w1.log"),
            QStringLiteral("-eo"), QStringLiteral("/p/.dfm/workers/w1.err"),
            QStringLiteral("-app"), QStringLiteral("dv"), QStringLiteral("--")};
        QCOMPARE(s.submitCommand(request(QStringLiteral("w1"), large()), kWorker), expected + kWorker);
        // Without a queue of its own the class uses the configured one.
        ResourceSpec plain;
        plain.cores = 1;
        const QStringList cmd = s.submitCommand(request(QStringLiteral("w1"), plain), kWorker);
        QCOMPARE(cmd.mid(cmd.indexOf(QStringLiteral("-q")), 2), (QStringList{QStringLiteral("-q"), QStringLiteral("normal")}));
        QVERIFY(!cmd.contains(QStringLiteral("-M")));
    }

    void lsfJobIdIsReadFromBsubAndFailuresQuoteIt()
    {
        LsfScheduler s(lsfConfig());
        QString id, err;
        QVERIFY(s.parseSubmit(said(0, QStringLiteral("Job <12345> is submitted to queue <big>.\n")), &id, &err));
        QCOMPARE(id, QStringLiteral("12345"));
        QVERIFY(!s.parseSubmit(said(0, QStringLiteral("Request accepted\n")), &id, &err));
        QCOMPARE(err, QStringLiteral("lsf_bsub printed no job id (expected 'Job <N> is submitted ...'): Request accepted"));
        QVERIFY(!s.parseSubmit(said(255, QString(), QStringLiteral("big: No such queue. Job not submitted.\n")), &id, &err));
        QCOMPARE(err, QStringLiteral("lsf_bsub failed (exit code 255): big: No such queue. Job not submitted."));
        CommandResult missing;
        missing.err = QStringLiteral("cannot run 'lsf_bsub': No such file or directory");
        QVERIFY(!s.parseSubmit(missing, &id, &err));
        QCOMPARE(err, QStringLiteral("lsf_bsub failed: cannot run 'lsf_bsub': No such file or directory"));
    }

    void bjobsTellsPendingFromRunningFromDead()
    {
        LsfScheduler s(lsfConfig());
        const QStringList ids{QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("4")};
        QCOMPARE(s.statusCommand(ids), (QStringList{QStringLiteral("bjobs"), QStringLiteral("-noheader"), QStringLiteral("-o"),
                                                    QStringLiteral("jobid stat pend_reason delimiter='|'")} + ids));
        QHash<QString, ProbeAnswer> out;
        QString err;
        QVERIFY(s.parseStatus(said(255, QStringLiteral("1|PEND|New job is waiting for scheduling;\n2|RUN|-\n3|EXIT|-\n"),
                                   QStringLiteral("Job <4> is not found\n")),
                              ids, &out, &err));
        QCOMPARE(out.value(QStringLiteral("1")).state, JobState::Queued);
        QCOMPARE(out.value(QStringLiteral("1")).detail, QStringLiteral("LSF job 1 PEND: New job is waiting for scheduling;"));
        QCOMPARE(out.value(QStringLiteral("2")).state, JobState::Running);
        QCOMPARE(out.value(QStringLiteral("3")).state, JobState::Gone);
        QCOMPARE(out.value(QStringLiteral("3")).detail, QStringLiteral("LSF job 3 ended (EXIT) before its worker connected"));
        QCOMPARE(out.value(QStringLiteral("4")).detail, QStringLiteral("LSF job 4 is not found"));
        QVERIFY(!s.parseStatus(said(0, QStringLiteral("garbage\n")), ids, &out, &err));
        QCOMPARE(err, QStringLiteral("cannot read bjobs' answer: exit code 0: garbage"));
    }

    void slurmSubmitHasEveryConfiguredFlag()
    {
        SchedulerConfig c;
        c.submitCmd = QStringLiteral("sbatch");
        c.queue = QStringLiteral("batch");
        c.project = QStringLiteral("acct1");
        c.extra = {QStringLiteral("--qos=dv")};
        SlurmScheduler s(c);
        ResourceSpec r = large();
        r.resourceSelect.clear();
        const QStringList cmd = s.submitCommand(request(QStringLiteral("w1"), r), kWorker);
        QCOMPARE(cmd, (QStringList{
                          QStringLiteral("sbatch"), QStringLiteral("--parsable"), QStringLiteral("--job-name=dfm-w1"),
                          QStringLiteral("--cpus-per-task=8"), QStringLiteral("--mem=32768M"),
                          QStringLiteral("--partition=big"), QStringLiteral("--time=4:00:00"),
                          QStringLiteral("--account=acct1"), QStringLiteral("--output=/p/.dfm/workers/w1.log"),
                          QStringLiteral("--error=/p/.dfm/workers/w1.err"), QStringLiteral("--qos=dv"),
                          QStringLiteral("--wrap"),
                          QStringLiteral("exec /opt/dfm/bin/dfm worker --connect head1:4711 --worker-id w1 "
                                         "--token-file /p/.dfm/worker.token --resource-class large")}));
        QCOMPARE(SlurmScheduler::slurmTime(QStringLiteral("1:00")), QStringLiteral("1:00:00"));
        QCOMPARE(SlurmScheduler::slurmTime(QStringLiteral("2-00:00:00")), QStringLiteral("2-00:00:00"));
    }

    void slurmJobIdAndSqueueStates()
    {
        SlurmScheduler s(SchedulerConfig{});
        QString id, err;
        QVERIFY(s.parseSubmit(said(0, QStringLiteral("77;cluster1\n")), &id, &err));
        QCOMPARE(id, QStringLiteral("77"));
        QVERIFY(!s.parseSubmit(said(1, QString(), QStringLiteral("sbatch: error: Batch job submission failed: "
                                                                 "Requested node configuration is not available\n")),
                               &id, &err));
        QCOMPARE(err, QStringLiteral("sbatch failed (exit code 1): sbatch: error: Batch job submission failed: "
                                     "Requested node configuration is not available"));
        const QStringList ids{QStringLiteral("5"), QStringLiteral("6"), QStringLiteral("7"), QStringLiteral("8")};
        QHash<QString, ProbeAnswer> out;
        QVERIFY(s.parseStatus(said(0, QStringLiteral("5|PENDING|Resources\n6|PENDING|PartitionConfig\n7|RUNNING|None\n")),
                              ids, &out, &err));
        QCOMPARE(out.value(QStringLiteral("5")).state, JobState::Queued);
        QCOMPARE(out.value(QStringLiteral("5")).detail, QStringLiteral("SLURM job 5 PENDING (Resources)"));
        QCOMPARE(out.value(QStringLiteral("6")).state, JobState::Gone);
        QCOMPARE(out.value(QStringLiteral("6")).detail,
                 QStringLiteral("SLURM job 6 PENDING (PartitionConfig): it cannot start with the resources asked for"));
        QCOMPARE(out.value(QStringLiteral("7")).state, JobState::Running);
        QCOMPARE(out.value(QStringLiteral("8")).detail, QStringLiteral("SLURM job 8 is no longer known to squeue"));
        out.clear();
        QVERIFY(s.parseStatus(said(1, QString(), QStringLiteral("slurm_load_jobs error: Invalid job id specified\n")),
                              ids, &out, &err));
        QCOMPARE(out.value(QStringLiteral("5")).state, JobState::Gone);
        QVERIFY(!s.parseStatus(said(1, QString(), QStringLiteral("squeue: error: Unable to contact slurm controller\n")),
                               ids, &out, &err));
        QCOMPARE(err, QStringLiteral("squeue failed (exit code 1): squeue: error: Unable to contact slurm controller"));
    }

    void submitAnswersLaterWithTheJobIdOrTheSchedulersWords()
    {
        auto *runner = new FakeRunner;
        ClusterLauncher l(new LsfScheduler(lsfConfig()), runner, QStringLiteral("/opt/dfm/bin/dfm"), 4);
        QSignalSpy ok(&l, &WorkerLauncher::launched), failed(&l, &WorkerLauncher::launchFailed);
        l.launch(request(QStringLiteral("w1")));
        l.launch(request(QStringLiteral("w2")));
        QCOMPARE(runner->calls.size(), 0); // never inside launch()
        QTRY_COMPARE(runner->calls.size(), 2);
        QCOMPARE(runner->calls[0].argv.first(), QStringLiteral("lsf_bsub"));
        runner->answer(0, 0, QStringLiteral("Job <101> is submitted to queue <normal>.\n"));
        runner->answer(1, 255, QString(), QStringLiteral("User permission denied. Job not submitted.\n"));
        QTRY_COMPARE(ok.size(), 1);
        QCOMPARE(ok[0][0].toString(), QStringLiteral("w1"));
        QCOMPARE(ok[0][1].toString(), QStringLiteral("101"));
        QTRY_COMPARE(failed.size(), 1);
        QCOMPARE(failed[0][0].toString(), QStringLiteral("w2"));
        QCOMPARE(failed[0][1].toString(),
                 QStringLiteral("lsf_bsub failed (exit code 255): User permission denied. Job not submitted."));
        QCOMPARE(l.jobIds(), QStringList{QStringLiteral("101")});
    }

    void atMostTheBatchSizeOfSubmissionsRunAtOnce()
    {
        auto *runner = new FakeRunner;
        ClusterLauncher l(new SlurmScheduler(SchedulerConfig{}), runner, QStringLiteral("dfm"), 2);
        for (int i = 1; i <= 5; ++i)
            l.launch(request(QStringLiteral("w%1").arg(i)));
        QTRY_COMPARE(runner->calls.size(), 2);
        QTest::qWait(20);
        QCOMPARE(runner->calls.size(), 2);
        runner->answer(0, 0, QStringLiteral("1\n"));
        QTRY_COMPARE(runner->calls.size(), 3);
    }

    void probeAsksAboutAllOverdueWorkersInOneCommand()
    {
        auto *runner = new FakeRunner;
        ClusterLauncher l(new LsfScheduler(lsfConfig()), runner, QStringLiteral("dfm"), 4);
        for (int i = 1; i <= 3; ++i)
            l.launch(request(QStringLiteral("w%1").arg(i)));
        QTRY_COMPARE(runner->calls.size(), 3);
        for (int i = 0; i < 3; ++i)
            runner->answer(i, 0, QStringLiteral("Job <%1> is submitted to queue <normal>.\n").arg(201 + i));
        QTRY_COMPARE(l.jobIds().size(), 3);
        QSignalSpy probed(&l, &WorkerLauncher::probed);
        l.probe({QStringLiteral("w1"), QStringLiteral("w2"), QStringLiteral("w3"), QStringLiteral("w9")});
        QCOMPARE(runner->calls.size(), 4);
        QCOMPARE(runner->calls[3].argv.mid(4), (QStringList{QStringLiteral("201"), QStringLiteral("202"), QStringLiteral("203")}));
        runner->answer(3, 255, QStringLiteral("201|PEND|Queue is inactive;\n202|RUN|-\n"), QStringLiteral("Job <203> is not found\n"));
        QTRY_COMPARE(probed.size(), 1);
        QHash<QString, ProbeAnswer> by;
        for (const ProbeAnswer &a : probed[0][0].value<QList<ProbeAnswer>>())
            by.insert(a.workerId, a);
        QCOMPARE(by.size(), 4);
        QCOMPARE(by[QStringLiteral("w1")].state, JobState::Queued);
        QCOMPARE(by[QStringLiteral("w1")].detail, QStringLiteral("LSF job 201 PEND: Queue is inactive;"));
        QCOMPARE(by[QStringLiteral("w2")].state, JobState::Running);
        QCOMPARE(by[QStringLiteral("w3")].state, JobState::Gone);
        QCOMPARE(by[QStringLiteral("w3")].detail, QStringLiteral("LSF job 203 is not found"));
        QCOMPARE(by[QStringLiteral("w9")].detail, QStringLiteral("no job was submitted for it"));
    }

    void slurmJobsSqueueForgotAreAskedOfSacctWhereAccountingExists()
    {
        auto *runner = new FakeRunner;
        ClusterLauncher l(new SlurmScheduler(SchedulerConfig{}), runner, QStringLiteral("dfm"), 4);
        l.launch(request(QStringLiteral("w1")));
        l.launch(request(QStringLiteral("w2")));
        QTRY_COMPARE(runner->calls.size(), 2);
        runner->answer(0, 0, QStringLiteral("41\n"));
        runner->answer(1, 0, QStringLiteral("42\n"));
        QTRY_COMPARE(l.jobIds().size(), 2);
        QSignalSpy probed(&l, &WorkerLauncher::probed);
        auto detailOf = [&](int i, const QString &id) {
            for (const ProbeAnswer &a : probed[i][0].value<QList<ProbeAnswer>>())
                if (a.workerId == id)
                    return a.detail;
            return QString();
        };
        l.probe({QStringLiteral("w1"), QStringLiteral("w2")});
        runner->answer(2, 0, QStringLiteral("42|PENDING|Priority\n"));
        QTRY_COMPARE(runner->calls.size(), 4);
        QCOMPARE(runner->calls[3].argv, (QStringList{QStringLiteral("sacct"), QStringLiteral("--noheader"),
                                                     QStringLiteral("--parsable2"), QStringLiteral("--allocations"),
                                                     QStringLiteral("--jobs=41"),
                                                     QStringLiteral("--format=JobID,State,ExitCode,Reason")}));
        runner->answer(3, 0, QStringLiteral("41|FAILED|127:0|None\n"));
        QTRY_COMPARE(probed.size(), 1);
        QCOMPARE(detailOf(0, QStringLiteral("w1")), QStringLiteral("SLURM job 41 FAILED (exit code 127:0) before its worker connected"));
        QCOMPARE(detailOf(0, QStringLiteral("w2")), QStringLiteral("SLURM job 42 PENDING (Priority)"));
        // Without accounting, squeue's words stand.
        l.probe({QStringLiteral("w1")});
        runner->answer(4, 1, QString(), QStringLiteral("slurm_load_jobs error: Invalid job id specified\n"));
        QTRY_COMPARE(runner->calls.size(), 6);
        runner->answer(5, 1, QString(), QStringLiteral("Slurm accounting storage is disabled\n"));
        QTRY_COMPARE(probed.size(), 2);
        QCOMPARE(detailOf(1, QStringLiteral("w1")), QStringLiteral("SLURM job 41 is no longer known to squeue"));
    }

    void stopAllCancelsEveryJobAndSignalsOnceTheCancelAnswered()
    {
        auto *runner = new FakeRunner;
        ClusterLauncher l(new SlurmScheduler(SchedulerConfig{}), runner, QStringLiteral("dfm"), 4);
        QSignalSpy done(&l, &WorkerLauncher::allStopped);
        l.launch(request(QStringLiteral("w1")));
        l.launch(request(QStringLiteral("w2")));
        l.launch(request(QStringLiteral("w3")));
        QTRY_COMPARE(runner->calls.size(), 3);
        runner->answer(0, 0, QStringLiteral("31\n"));
        runner->answer(1, 0, QStringLiteral("32\n"));
        QTRY_COMPARE(l.jobIds().size(), 2);
        l.stop(QStringLiteral("w1"));
        QCOMPARE(runner->calls.last().argv, (QStringList{QStringLiteral("scancel"), QStringLiteral("31")}));
        runner->answer(3, 0, QString());
        // w3's sbatch is still running when everything stops.
        l.stopAll(5000);
        QCOMPARE(runner->calls.last().argv, (QStringList{QStringLiteral("scancel"), QStringLiteral("32")}));
        runner->answer(4, 0, QString());
        QTest::qWait(20);
        QCOMPARE(done.size(), 0);
        runner->answer(2, 0, QStringLiteral("33\n"));
        QTRY_COMPARE(runner->calls.size(), 6);
        QCOMPARE(runner->calls.last().argv, (QStringList{QStringLiteral("scancel"), QStringLiteral("33")}));
        QCOMPARE(done.size(), 0);
        runner->answer(5, 0, QString());
        QTRY_COMPARE(done.size(), 1);
    }

    void jobsLeftWhenTheLauncherIsDestroyedAreCancelled()
    {
        QList<QStringList> detached;
        {
            auto *runner = new FakeRunner;
            runner->detached = &detached;
            ClusterLauncher l(new LsfScheduler(lsfConfig()), runner, QStringLiteral("dfm"), 4);
            l.launch(request(QStringLiteral("w1")));
            QTRY_COMPARE(runner->calls.size(), 1);
            runner->answer(0, 0, QStringLiteral("Job <7> is submitted to queue <normal>.\n"));
            QTRY_COMPARE(l.jobIds().size(), 1);
        }
        QCOMPARE(detached, (QList<QStringList>{{QStringLiteral("bkill"), QStringLiteral("7")}}));
    }

    void localLauncherReportsAMissingBinaryLater()
    {
        LocalLauncher l(QStringLiteral("/nonexistent/dfm"));
        QSignalSpy failed(&l, &WorkerLauncher::launchFailed), done(&l, &WorkerLauncher::allStopped);
        LaunchRequest r = request(QStringLiteral("w1"));
        r.logFile = QDir::temp().filePath(QStringLiteral("dfm-tst-launchers.log"));
        l.launch(r);
        QCOMPARE(failed.size(), 0);
        QTRY_COMPARE(failed.size(), 1);
        QVERIFY(failed[0][1].toString().startsWith(QStringLiteral("cannot start /nonexistent/dfm: ")));
        l.stopAll(0);
        QCOMPARE(done.size(), 0);
        QTRY_COMPARE(done.size(), 1);
        QFile::remove(r.logFile);
    }
};

QTEST_GUILESS_MAIN(TestLaunchers)
#include "tst_launchers.moc"
