// The SLURM runner on a real single-node SLURM cluster that this test starts
// (tests/cluster/slurm-cluster.sh: its own munge key, slurmctld, slurmd) and
// stops at the end. Needs root and Debian's slurm-wlm and munge
// (.ci/install-deps); skipped with a message where it cannot run as root.

#include "testutil.h"

#include <QRegularExpression>
#include <QSet>
#include <QtTest>

#include <unistd.h>

using namespace dfm::test;

namespace {

const QString kScript = QStringLiteral(DFM_TESTDATA "/../cluster/slurm-cluster.sh");

QString run(const QStringList &argv, int *code = nullptr)
{
    QProcess p;
    p.start(argv.first(), argv.mid(1));
    p.waitForFinished(60000);
    if (code)
        *code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError());
}

/// Jobs SLURM knows, finished ones included: job id -> "STATE name".
QMap<QString, QString> jobs(const QString &states = QStringLiteral("all"))
{
    QMap<QString, QString> m;
    const QString out = run({QStringLiteral("squeue"), QStringLiteral("-h"), QStringLiteral("-t"), states,
                             QStringLiteral("-o"), QStringLiteral("%i %T %j")});
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.split(QLatin1Char(' '));
        if (f.size() == 3)
            m.insert(f[0], f[1] + QLatin1Char(' ') + f[2]);
    }
    return m;
}

int liveJobs()
{
    return int(jobs(QStringLiteral("PENDING,RUNNING,CONFIGURING,COMPLETING")).size());
}

const char *kFlow = R"(package:
  name: sl
  tasks:
  - name: one
    run: echo "job=$SLURM_JOB_ID" > one.txt
    tags:
    - std.ResourceTag:
        resource_class: small
  - name: two
    needs: [one]
    run: echo "job=$SLURM_JOB_ID" > two.txt
    tags:
    - std.ResourceTag:
        resource_class: small
  - name: huge
    run: echo never
    tags:
    - std.ResourceTag:
        resource_class: huge
)";

const char *kConfig = R"(runner:
  default: slurm
  pool:
    max_workers: 2
    launch_timeout: 2
  slurm:
    partition: dfm
  defaults:
    memory: 100M
  resource_classes:
    small: { cores: 1, memory: 200M }
    huge: { cores: 512 }
)";

} // namespace

class TestSlurm : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;
    QString m_cluster; /* the cluster's directory; empty when none was started */

    QProcessEnvironment env() const
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("DFM_REGISTER_TIMEOUT_MS"), QStringLiteral("3000"));
        return e;
    }

    void project(TempProject &p)
    {
        p.write(QStringLiteral("flow.yaml"), kFlow);
        p.write(QStringLiteral(".dfm/config.yaml"), kConfig);
    }

    QString jobOf(const TempProject &p, const QString &file)
    {
        QFile f(p.path(QStringLiteral("rundir/") + file));
        if (!f.open(QIODevice::ReadOnly))
            return QString();
        return QString::fromUtf8(f.readAll()).trimmed().mid(4);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (::geteuid() != 0)
            QSKIP("the SLURM tests start a cluster (munged, slurmctld, slurmd) and need root; run ctest as root");
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
        m_cluster = QStringLiteral("/tmp/dfm-slurm-%1").arg(QCoreApplication::applicationPid());
        int code = -1;
        const QString out = run({QStringLiteral("bash"), kScript, QStringLiteral("start"), m_cluster}, &code);
        QVERIFY2(code == 0, qPrintable(out));
        qputenv("SLURM_CONF", QFile::encodeName(m_cluster + QStringLiteral("/slurm.conf")));
    }

    void cleanupTestCase()
    {
        if (m_cluster.isEmpty())
            return;
        int code = -1;
        const QString out = run({QStringLiteral("bash"), kScript, QStringLiteral("stop"), m_cluster}, &code);
        QVERIFY2(code == 0, qPrintable(out));
        QDir(m_cluster).removeRecursively();
    }

    void daemonWorkersAreWarmJobsReusedAcrossRunsAndStopLeavesNone()
    {
        TempProject p;
        project(p);
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--runner"), QStringLiteral("slurm")},
                       p.root(), 30000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        r = runDfm({QStringLiteral("run"), QStringLiteral("two")}, p.root(), 120000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const QString job1 = jobOf(p, QStringLiteral("sl.one/one.txt")), job2 = jobOf(p, QStringLiteral("sl.two/two.txt"));
        QVERIFY2(!job1.isEmpty(), qPrintable(r.out + r.err));
        // The worker is a running job, still warm after the run.
        const QMap<QString, QString> after1 = jobs();
        QCOMPARE(after1.value(job1), QStringLiteral("RUNNING dfm-w1"));
        QCOMPARE(job2, job1); // a chain needs one worker

        r = runDfm({QStringLiteral("run"), QStringLiteral("two")}, p.root(), 120000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(jobOf(p, QStringLiteral("sl.two/two.txt")), job1);
        QCOMPARE(jobs(), after1); // no new sbatch

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root(), 30000, env());
        QVERIFY2(r.out.contains(QStringLiteral("\"runner\": \"slurm\"")) || r.out.contains(QStringLiteral("\"runner\":\"slurm\"")),
                 qPrintable(r.out));

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 60000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QTRY_COMPARE_WITH_TIMEOUT(liveJobs(), 0, 30000);
    }

    void idleTimeoutCancelsTheJob()
    {
        TempProject p;
        project(p);
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--runner-opt"),
                        QStringLiteral("pool.idle_timeout=2")},
                       p.root(), 30000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        r = runDfm({QStringLiteral("run"), QStringLiteral("one")}, p.root(), 120000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY(!jobOf(p, QStringLiteral("sl.one/one.txt")).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(liveJobs(), 0, 30000);
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 60000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    }

    void impossibleRequestFailsTheTaskWithTheSchedulersWords()
    {
        TempProject p;
        project(p);
        // Ephemeral: no daemon; every job it submitted is cancelled at the end.
        const Run r = runDfm({QStringLiteral("run"), QStringLiteral("huge")}, p.root(), 120000, env());
        QVERIFY2(r.code != 0, qPrintable(r.out + r.err));
        QVERIFY2((r.out + r.err).contains(QStringLiteral("it cannot start with the resources asked for")),
                 qPrintable(r.out + r.err));
        QCOMPARE(liveJobs(), 0);
    }

    void ephemeralRunCancelsItsJobsOnSigterm()
    {
        TempProject p;
        project(p);
        p.write(QStringLiteral("flow.yaml"), "package:\n  name: sl\n  tasks:\n  - name: one\n    run: sleep 600\n");
        QProcess run;
        run.setProgram(QStringLiteral(DFM_BIN));
        run.setArguments({QStringLiteral("run"), QStringLiteral("one")});
        run.setWorkingDirectory(p.root());
        run.setProcessEnvironment(env());
        run.start();
        QTRY_COMPARE_WITH_TIMEOUT(jobs(QStringLiteral("RUNNING")).size(), 1, 60000);
        // Until the task runs on it: then SIGTERM.
        QTRY_VERIFY_WITH_TIMEOUT(!processesMatching(QStringLiteral("sleep 600")).isEmpty(), 60000);
        run.terminate();
        QVERIFY(run.waitForFinished(60000));
        QTRY_COMPARE_WITH_TIMEOUT(liveJobs(), 0, 30000);
    }
};

QTEST_GUILESS_MAIN(TestSlurm)
#include "tst_slurm.moc"
