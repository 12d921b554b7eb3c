// Integration tests of `dfm run`: the real binary, real workers, through an
// ephemeral pool and through a live daemon, each in its own project.

#include "daemonclient.h"
#include "monitorsession.h"
#include "statefile.h"
#include "flowtestutil.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

const QByteArray kGraphFlow = R"(package:
  name: demo
  tasks:
  - name: build
    run: echo built > built.txt
  - name: test_a
    needs: [build]
    run: echo a
  - name: test_b
    needs: [build]
    run: echo b; exit 3
  - name: report
    needs: [test_a, test_b]
    run: echo report
)";

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// name -> status of a --json report.
QMap<QString, QString> statuses(const QJsonObject &report)
{
    QMap<QString, QString> m;
    for (const QJsonValue &v : report.value(QLatin1String("tasks")).toArray())
        m.insert(v.toObject().value(QLatin1String("name")).toString(), v.toObject().value(QLatin1String("status")).toString());
    return m;
}

} // namespace

class TestRun : public QObject {
    Q_OBJECT

    QTemporaryDir m_home; /* HOME of every dfm process the tests start */

    QProcessEnvironment env() const
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("DFM_REGISTER_TIMEOUT_MS"), QStringLiteral("1000"));
        e.insert(QStringLiteral("TERM"), QStringLiteral("dumb"));
        return e;
    }

    Run run(const TempProject &p, const QStringList &args) const
    {
        return runDfm(QStringList{QStringLiteral("run")} + args, p.root(), 60000, env());
    }

    void startDaemon(const TempProject &p)
    {
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--pool-size"), QStringLiteral("4")},
                             p.root(), 30000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    }

    qint64 daemonPid(const TempProject &p)
    {
        DaemonState st;
        QString err;
        readState(p.path(QStringLiteral(".dfm/daemon.json")), &st, &err);
        return st.pid;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    // Runs `dfm ARGS` in a real pseudo-terminal (script from util-linux) of
    // `columns` columns, as a user sees it; returns what the terminal got.
    QString inTerminal(const TempProject &p, const QString &args, int columns, const QProcessEnvironment &e, int *code)
    {
        QProcess term;
        term.setProcessEnvironment(e);
        term.setWorkingDirectory(p.root());
        term.start(QStringLiteral("script"), {QStringLiteral("-qec"),
                                              QStringLiteral("stty cols %1 rows 24; " DFM_BIN " %2").arg(columns).arg(args),
                                              QStringLiteral("/dev/null")});
        if (!term.waitForFinished(60000))
            return QStringLiteral("<timed out>");
        *code = term.exitCode(); // script -e passes dfm's exit code on
        return QString::fromUtf8(term.readAllStandardOutput());
    }

    QProcessEnvironment terminalEnv() const
    {
        auto e = env();
        e.insert(QStringLiteral("TERM"), QStringLiteral("xterm"));
        e.remove(QStringLiteral("NO_COLOR"));
        return e;
    }

    void terminalShowsOneUpdatingStatusLine()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), R"(package:
  name: p
  tasks:
  - name: a
    run: "true"
  - name: b
    run: exit 2
  - name: c
    needs: [a]
    run: "true"
)");
        int code = -1;
        const QString out = inTerminal(p, QStringLiteral("run --all"), 80, terminalEnv(), &code);
        QCOMPARE(code, 1);
        // Passing tasks only update the status line; a failure gets lines of its own.
        QVERIFY2(!out.contains(QStringLiteral("passed a")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("\r\x1b[K[")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("\x1b[1;31mFAILED\x1b[0m p.b (exit 2)\r\n  log: %1\r\n")
                                  .arg(p.path(QStringLiteral("rundir/p.b/p.b.log")))),
                 qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("\x1b[K[3/3] 0 running, 1 failed, ")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("dfm run: 2 passed, \x1b[1;31m1 failed\x1b[0m, 0 skipped, 0 cancelled in ")), qPrintable(out));

        // -v: a line for every task on a terminal too.
        const QString verbose = inTerminal(p, QStringLiteral("run --all -v --color=never"), 80, terminalEnv(), &code);
        QCOMPARE(code, 1);
        QVERIFY2(verbose.contains(QStringLiteral("] passed p.a (")), qPrintable(verbose));
        QVERIFY2(verbose.contains(QStringLiteral("] passed p.c (")), qPrintable(verbose));
        QVERIFY2(!verbose.contains(QStringLiteral("\x1b[1;31m")), qPrintable(verbose));
    }

    void narrowTerminalFramesFitAndFailuresShowTheirErrorLines()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), R"(package:
  name: p
  tasks:
  - name: a_simulation_with_a_name_much_too_long_for_the_terminal
    run: sleep 3
  - name: regress_scoreboard
    run: |
      echo "UVM_INFO @ 0: reset done"
      echo "UVM_ERROR @ 5: scoreboard mismatch: expected 0x1f got 0x00" >&2
      echo "simulation finished"
      exit 1
)");
        const int width = 50;
        int code = -1;
        const QString out = inTerminal(p, QStringLiteral("run --all"), width, terminalEnv(), &code);
        QCOMPARE(code, 1);
        // Every status-line frame fits: what follows each "\r\x1b[K" up to the next line break or redraw.
        int frames = 0;
        bool sawLongest = false;
        for (const QString &chunk : out.split(QStringLiteral("\r\x1b[K")).mid(1)) {
            const QString frame = chunk.left(chunk.indexOf(QLatin1Char('\r')));
            if (!frame.startsWith(QLatin1Char('[')) || !frame.contains(QStringLiteral(" running, ")))
                continue; // a failure's own lines, not a status frame
            ++frames;
            QVERIFY2(frame.size() <= width, qPrintable(QStringLiteral("%1 columns: '%2'").arg(frame.size()).arg(frame)));
            sawLongest = sawLongest || frame.contains(QStringLiteral("; longest: p."));
        }
        QVERIFY2(frames >= 2, qPrintable(out));
        QVERIFY2(sawLongest, qPrintable(out));
        // The failing task's own error line, without opening its log; coloured FAILED.
        QVERIFY2(out.contains(QStringLiteral("\x1b[1;31mFAILED\x1b[0m p.regress_scoreboard (exit 1)\r\n"
                                             "  | UVM_ERROR @ 5: scoreboard mismatch: expected 0x1f got 0x00\r\n"
                                             "  log: %1\r\n")
                                  .arg(p.path(QStringLiteral("rundir/p.regress_scoreboard/p.regress_scoreboard.log")))),
                 qPrintable(out));

        // NO_COLOR: the same, without a single colour.
        auto e = terminalEnv();
        e.insert(QStringLiteral("NO_COLOR"), QStringLiteral("1"));
        const QString plain = inTerminal(p, QStringLiteral("run regress_scoreboard"), width, e, &code);
        QCOMPARE(code, 1);
        QVERIFY2(plain.contains(QStringLiteral("] FAILED p.regress_scoreboard (exit 1)\r\n  | UVM_ERROR @ 5: ")), qPrintable(plain));
        QVERIFY2(!plain.contains(QStringLiteral("\x1b[1;")) && !plain.contains(QStringLiteral("\x1b[3")) && !plain.contains(QStringLiteral("m\x1b[0m")),
                 qPrintable(plain));
    }

    void failedNeedSkipsItsDependentsAndTheRunFails()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kGraphFlow);
        const Run r = run(p, {QStringLiteral("--all"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QCOMPARE(r.code, 1);
        const QStringList lines = r.out.split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 9); // 4 tasks, summary, "failed:", one failure, "skipped: report", ""
        QVERIFY2(lines[0].startsWith(QStringLiteral("[1/4] passed demo.build (")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("] FAILED demo.test_b (exit 3) log: %1\n").arg(p.path(QStringLiteral("rundir/demo.test_b/demo.test_b.log")))),
                 qPrintable(r.out));
        // A skip is reported as soon as its cause is final: before or after test_a ends.
        QVERIFY2(r.out.contains(QRegularExpression(QStringLiteral("\\[[34]/4\\] skipped demo\\.report \\(needs demo\\.test_b failed\\)\n"))),
                 qPrintable(r.out));
        QVERIFY2(lines[4].startsWith(QStringLiteral("dfm run: 2 passed, 1 failed, 1 skipped, 0 cancelled in ")), qPrintable(r.out));
        QVERIFY2(lines[4].endsWith(QStringLiteral("(ephemeral local pool of 16 workers)")), qPrintable(r.out));
        QCOMPARE(lines[5], QStringLiteral("failed:"));
        QCOMPARE(lines[6], QStringLiteral("  demo.test_b (exit 3) log: %1").arg(p.path(QStringLiteral("rundir/demo.test_b/demo.test_b.log"))));
        QCOMPARE(lines[7], QStringLiteral("skipped: demo.report"));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir/demo.report"))));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/demo.build/built.txt"))), QStringLiteral("built\n"));

        const QJsonObject rep = readJson(p.path(QStringLiteral("r.json")));
        QCOMPARE(statuses(rep), (QMap<QString, QString>{{QStringLiteral("demo.build"), QStringLiteral("passed")},
                                                        {QStringLiteral("demo.test_a"), QStringLiteral("passed")},
                                                        {QStringLiteral("demo.test_b"), QStringLiteral("failed")},
                                                        {QStringLiteral("demo.report"), QStringLiteral("skipped")}}));
        QCOMPARE(rep.value(QLatin1String("mode")).toString(), QStringLiteral("ephemeral"));
        QCOMPARE(rep.value(QLatin1String("passed")).toInt(), 2);
        QCOMPARE(rep.value(QLatin1String("failed")).toInt(), 1);
        QCOMPARE(rep.value(QLatin1String("skipped")).toInt(), 1);
        QVERIFY(rep.value(QLatin1String("wall_ms")).toInteger() > 0);
        const QJsonObject b = rep.value(QLatin1String("tasks")).toArray()[2].toObject();
        QCOMPARE(b.value(QLatin1String("exit_code")).toInt(), 3);
        QCOMPARE(b.value(QLatin1String("log")).toString(), p.path(QStringLiteral("rundir/demo.test_b/demo.test_b.log")));
        QVERIFY(b.value(QLatin1String("worker")).toString().startsWith(QLatin1Char('r')));
        QVERIFY(!b.value(QLatin1String("host")).toString().isEmpty());
    }

    void namedTaskRunsOnlyWhatItNeeds()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kGraphFlow);
        const Run r = run(p, {QStringLiteral("test_a"), QStringLiteral("-j"), QStringLiteral("1")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("[1/2] passed demo.build (")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("\n[2/2] passed demo.test_a (")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("(ephemeral local pool of 1 workers)")), qPrintable(r.out));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir/demo.test_b"))));
        // A clean run keeps no worker logs.
        QCOMPARE(QDir(p.path(QStringLiteral(".dfm/workers"))).entryList(QDir::Dirs | QDir::NoDotAndDotDot), QStringList{});
    }

    void parametersAndDirectoriesAreExpanded()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), R"F(package:
  name: demo
  tasks:
  - name: sim
    with:
      seed: 42
      mode: fast
    run: echo "seed=${{ seed }} mode=${{mode}} src=${{ srcdir }} run=${{ rundir }} pwd=$(pwd)"
)F");
        const Run r = run(p, {QStringLiteral("--all"), QStringLiteral("--rundir"), QStringLiteral("out")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const QString rundir = p.path(QStringLiteral("out/demo.sim"));
        QCOMPARE(readText(rundir + QStringLiteral("/demo.sim.log")),
                 QStringLiteral("seed=42 mode=fast src=%1 run=%2 pwd=%2\n").arg(p.root(), rundir));
    }

    void aSecondRunSkipsWhatIsUpToDate()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), R"F(package:
  name: inc
  with:
    greeting: {type: str, value: hello}
  tasks:
  - name: a
    run: echo ${{ greeting }} >> out.txt
  - name: all
    needs: [a]
)F");
        const QString out = p.path(QStringLiteral("rundir/inc.a/out.txt"));
        Run r = run(p, {QStringLiteral("all"), QStringLiteral("-D"), QStringLiteral("greeting=hi")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.startsWith(QStringLiteral("[1/2] passed inc.a (")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("[2/2] passed inc.all (")), qPrintable(r.out));
        QCOMPARE(readText(out), QStringLiteral("hi\n"));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/inc.a/inc.a.exec_data.json"))));
        QVERIFY(QFileInfo::exists(p.path(QStringLiteral("rundir/inc.a/inc.a.log"))));

        r = run(p, {QStringLiteral("all"), QStringLiteral("-D"), QStringLiteral("greeting=hi")});
        QVERIFY2(r.out.startsWith(QStringLiteral("[1/2] passed inc.a (up-to-date)\n")), qPrintable(r.out));
        QCOMPARE(readText(out), QStringLiteral("hi\n"));

        r = run(p, {QStringLiteral("all"), QStringLiteral("-D"), QStringLiteral("greeting=hi"), QStringLiteral("-f")});
        QCOMPARE(readText(out), QStringLiteral("hi\nhi\n"));
        r = run(p, {QStringLiteral("all")}); // a parameter changed: runs again
        QVERIFY2(!r.out.contains(QStringLiteral("up-to-date")), qPrintable(r.out));
        QCOMPARE(readText(out), QStringLiteral("hi\nhi\nhello\n"));
        r = run(p, {QStringLiteral("all"), QStringLiteral("--clean")});
        QCOMPARE(readText(out), QStringLiteral("hello\n"));
        r = run(p, {QStringLiteral("--all"), QStringLiteral("-c"), QStringLiteral("debug")});
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm run: -c debug: package 'inc' has no configuration 'debug' (it has none)\n"));
        r = run(p, {QStringLiteral("--all"), QStringLiteral("--clean"), QStringLiteral("--rundir"), QStringLiteral(".")});
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm run: --clean: refusing to remove %1, which holds the project %1; pass a --rundir of its own\n")
                            .arg(p.root()));
    }

    void aThirtyThousandDeepChainRuns()
    {
        // Each task needs the next; all but the last run nothing (null tasks).
        TempProject p;
        QByteArray flow = "package:\n  name: p\n  tasks:\n";
        const int n = 30000;
        for (int i = 0; i < n; ++i)
            flow += "  - name: t" + QByteArray::number(i) + "\n"
                    + (i + 1 < n ? "    needs: [t" + QByteArray::number(i + 1) + "]\n" : QByteArray("    run: \"true\"\n"));
        p.write(QStringLiteral("flow.dv"), flow);
        const Run r = run(p, {QStringLiteral("t0")});
        QVERIFY2(r.code == 0, qPrintable(r.err.left(2000)));
        QVERIFY2(r.out.contains(QStringLiteral("dfm run: 30000 passed, 0 failed, 0 skipped, 0 cancelled in ")), qPrintable(r.out.right(500)));
    }

    void flowErrorsStopTheRunBeforeAnythingStarts_data()
    {
        QTest::addColumn<QByteArray>("flow");
        QTest::addColumn<QString>("message");
        QTest::newRow("pytask") << QByteArray("package:\n  name: p\n  tasks:\n  - name: ok\n    run: touch started\n  - name: gen\n    shell: pytask\n    run: my.Gen\n")
                                << QStringLiteral(":8: task 'gen': `shell: pytask` runs the Python callable 'my.Gen'");
        QTest::newRow("cycle") << QByteArray("package:\n  name: p\n  tasks:\n  - name: ok\n    run: touch started\n  - name: a\n    needs: [b]\n    run: true\n  - name: b\n    needs: [a]\n    run: true\n")
                               << QStringLiteral(":10: task 'b' needs 'a', which closes a dependency cycle");
        QTest::newRow("unknown need") << QByteArray("package:\n  name: p\n  tasks:\n  - name: ok\n    run: touch started\n  - name: a\n    needs: [nope]\n    run: true\n")
                                      << QStringLiteral(":7: task 'a' needs 'nope', which is not a task");
        QTest::newRow("duplicate") << QByteArray("package:\n  name: p\n  tasks:\n  - name: ok\n    run: touch started\n  - name: ok\n    run: true\n")
                                   << QStringLiteral(":6: task 'ok' is defined twice (lines 4 and 6)");
    }

    void flowErrorsStopTheRunBeforeAnythingStarts()
    {
        QFETCH(QByteArray, flow);
        QFETCH(QString, message);
        TempProject p;
        p.write(QStringLiteral("flow.dv"), flow);
        const Run r = run(p, {QStringLiteral("--all")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm run: %1%2").arg(p.path(QStringLiteral("flow.dv")), message)), qPrintable(r.err));
        QCOMPARE(r.out, QString());
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir"))));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral(".dfm"))));
    }

    void badFlagsAndUnknownTasksExitTwo()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kGraphFlow);
        Run r = run(p, {QStringLiteral("-j"), QStringLiteral("0")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm run: -j: expected a positive integer, got '0'\nUsage: dfm run [options] [TASK...]\n")), qPrintable(r.err));
        r = run(p, {QStringLiteral("--frobnicate")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm run: unknown option '--frobnicate'\n")), qPrintable(r.err));
        r = run(p, {QStringLiteral("tets_a")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm run: ")) && r.err.contains(QStringLiteral("test_a")), qPrintable(r.err));
    }

    void ephemeralPoolLeavesNoWorkerBehind()
    {
        TempProject p;
        QByteArray list;
        for (int i = 0; i < 8; ++i)
            list += QStringLiteral("t%1: echo %1\n").arg(i).toUtf8();
        p.write(QStringLiteral("jobs.txt"), list);
        const Run r = run(p, {QStringLiteral("--tasks-from"), QStringLiteral("jobs.txt"), QStringLiteral("--pool-size"), QStringLiteral("3")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("dfm run: 8 passed, 0 failed, 0 skipped, 0 cancelled in ")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("(ephemeral local pool of 3 workers)")), qPrintable(r.out));
        QCOMPARE(processesMatching(p.root()), QList<qint64>{});
        QCOMPARE(QDir(p.path(QStringLiteral(".dfm"))).entryList(QDir::Files), QStringList{}); // token removed
    }

    void staleStateFileIsRemovedAndTheRunGoesEphemeral()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kGraphFlow);
        p.write(QStringLiteral(".dfm/daemon.json"), R"({"pid": 2147483000, "socket": "/nonexistent.sock"})");
        const Run r = run(p, {QStringLiteral("test_a")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(r.err, QStringLiteral("dfm run: removed stale %1 (pid 2147483000 is not running); using an ephemeral pool\n")
                            .arg(p.path(QStringLiteral(".dfm/daemon.json"))));
        QVERIFY(r.out.contains(QStringLiteral("(ephemeral local pool of")));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral(".dfm/daemon.json"))));
    }

    void runGoesThroughALiveDaemon()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kGraphFlow);
        startDaemon(p);
        const qint64 pid = daemonPid(p);
        const Run r = run(p, {QStringLiteral("--all"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("dfm run: 2 passed, 1 failed, 1 skipped, 0 cancelled in ")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("(through daemon pid %1)\n").arg(pid)), qPrintable(r.out));
        QCOMPARE(readJson(p.path(QStringLiteral("r.json"))).value(QLatin1String("mode")).toString(), QStringLiteral("daemon"));
        const Run s = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root());
        const QJsonObject counters = QJsonDocument::fromJson(s.out.toUtf8()).object().value(QLatin1String("counters")).toObject();
        QCOMPARE(counters.value(QLatin1String("passed")).toInt(), 2);
        QCOMPARE(counters.value(QLatin1String("failed")).toInt(), 1);
    }

    void concurrentRunsShareADaemonAndGetOnlyTheirOwnResults()
    {
        TempProject p;
        startDaemon(p);
        QByteArray a, b;
        for (int i = 0; i < 10; ++i) {
            a += QStringLiteral("a%1: echo a%1 > %2/a%1.txt\n").arg(i).arg(p.root()).toUtf8();
            b += QStringLiteral("b%1: echo b%1 > %2/b%1.txt\n").arg(i).arg(p.root()).toUtf8();
        }
        p.write(QStringLiteral("a.txt"), a);
        p.write(QStringLiteral("b.txt"), b);
        QProcess pa, pb;
        for (auto [proc, which] : {std::pair{&pa, QStringLiteral("a")}, std::pair{&pb, QStringLiteral("b")}}) {
            proc->setProcessEnvironment(env());
            proc->setWorkingDirectory(p.root());
            proc->start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--tasks-from"), which + QStringLiteral(".txt"),
                                                  QStringLiteral("--json"), p.path(which + QStringLiteral(".json"))});
        }
        QVERIFY(pa.waitForFinished(60000) && pb.waitForFinished(60000));
        QCOMPARE(pa.exitCode(), 0);
        QCOMPARE(pb.exitCode(), 0);
        for (const QString &which : {QStringLiteral("a"), QStringLiteral("b")}) {
            const QJsonObject rep = readJson(p.path(which + QStringLiteral(".json")));
            QCOMPARE(rep.value(QLatin1String("mode")).toString(), QStringLiteral("daemon"));
            const QMap<QString, QString> st = statuses(rep);
            QCOMPARE(st.size(), 10);
            for (auto it = st.cbegin(); it != st.cend(); ++it) {
                QVERIFY2(it.key().startsWith(which), qPrintable(it.key()));
                QCOMPARE(it.value(), QStringLiteral("passed"));
                QCOMPARE(readText(p.path(it.key() + QStringLiteral(".txt"))), it.key() + QLatin1Char('\n'));
            }
        }
    }

    // A monitor attached while two runs of the same flow share the daemon
    // sees every task queued and tells the two runs' tasks apart by client,
    // and the shared model adds up to what both runs did.
    void monitorTellsTwoRunsOfTheSameFlowApart()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), kGraphFlow);
        startDaemon(p);
        DaemonClient raw;
        QString err;
        QVERIFY2(raw.connectTo(p.path(QStringLiteral(".dfm/daemon.sock")), 5000, &err), qPrintable(err));
        QList<proto::MonitorEvent> events;
        connect(&raw, &DaemonClient::messageReceived, &raw, [&](const proto::Message &m) {
            if (m.isEvent())
                events.append(proto::MonitorEvent::fromMessage(m.method, m.params));
        });
        raw.send(proto::kMonitorSubscribe);
        MonitorSession session(ProjectPaths::forRoot(p.root()));
        session.start();
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), MonitorSession::State::Connected, 10000);

        // Each run has its own rundir: sharing one, the later run could find
        // `build` up-to-date from the earlier one's record and not submit it.
        QProcess a, b;
        for (QProcess *proc : {&a, &b}) {
            proc->setProcessEnvironment(env());
            proc->setWorkingDirectory(p.root());
            proc->start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--all"), QStringLiteral("--rundir"),
                                                  p.path(proc == &a ? QStringLiteral("rundir-a") : QStringLiteral("rundir-b"))});
        }
        QVERIFY(a.waitForFinished(60000) && b.waitForFinished(60000));
        QCOMPARE(a.exitCode(), 1); // test_b fails in both
        QCOMPARE(b.exitCode(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(session.model().totals().failed, 2, 10000);

        QMap<QString, QSet<qint64>> queuedBy, completedBy;
        for (const proto::MonitorEvent &e : events) {
            if (e.kind == proto::MonitorEvent::Queued)
                queuedBy[e.queued.requestId].insert(e.queued.client);
            if (e.kind == proto::MonitorEvent::Completed)
                completedBy[e.completed.requestId].insert(e.completed.client);
        }
        QCOMPARE(queuedBy.keys(), (QStringList{"demo.build", "demo.test_a", "demo.test_b"}));
        for (const QString &task : queuedBy.keys()) {
            QCOMPARE(queuedBy[task].size(), 2); // one per run
            QCOMPARE(completedBy[task], queuedBy[task]);
        }
        const MonitorModel &m = session.model();
        QCOMPARE(m.totals().passed, 4);
        QCOMPARE(m.totals().submitted, 6);
        QCOMPARE(m.runningCount(), 0);
        QCOMPARE(m.queuedTotal(), 0);
        QCOMPARE(int(m.recent().size()), 6);
    }

    // Each task of a chain is submitted when the one before finishes; the
    // pool must hand it the worker just freed rather than start another.
    void ephemeralChainStartsExactlyOneWorker()
    {
        TempProject p;
        QByteArray flow = "package:\n  name: chain\n  tasks:\n";
        for (int i = 1; i <= 5; ++i) {
            flow += QStringLiteral("  - name: t%1\n    run: echo %1\n").arg(i).toUtf8();
            if (i > 1)
                flow += QStringLiteral("    needs: [t%1]\n").arg(i - 1).toUtf8();
        }
        p.write(QStringLiteral("flow.dv"), flow);
        const Run r = run(p, {QStringLiteral("--all"), QStringLiteral("-j"), QStringLiteral("4"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QSet<QString> workers;
        for (const QJsonValue &t : readJson(p.path(QStringLiteral("r.json"))).value(QLatin1String("tasks")).toArray())
            workers.insert(t.toObject().value(QLatin1String("worker")).toString());
        QCOMPARE(workers.size(), 1);
        QCOMPARE(readJson(p.path(QStringLiteral("r.json"))).value(QLatin1String("workers_launched")).toInt(), 1);
    }

    // Standard-library tasks run natively in the worker (through a daemon
    // here), their data items reach the shell task that needs them, and a
    // second run finds everything up to date.
    void stdTasksRunInTheWorkerAndFeedTheirConsumers()
    {
        TempProject p;
        p.write(QStringLiteral("src/a.sv"), "module a; endmodule\n");
        p.write(QStringLiteral("src/b.sv"), "module b; endmodule\n");
        p.write(QStringLiteral("flow.dv"), R"(package:
  name: proj
  tasks:
  - name: rtl
    uses: std.FileSet
    with: { type: systemVerilogSource, base: src, include: "*.sv" }
  - name: hello
    uses: std.Message
    with: { msg: "hello from std.Message" }
  - name: build
    needs: [rtl, hello]
    run: grep -o '"[ab].sv"' $DFM_INPUTS | sort | tr '\n' ' ' > files.txt
)");
        startDaemon(p);
        Run r = run(p, {QStringLiteral("--all")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/proj.build/files.txt"))), QStringLiteral("\"a.sv\" \"b.sv\" "));
        QVERIFY2(readText(p.path(QStringLiteral("rundir/proj.hello/proj.hello.log"))).contains(QStringLiteral("hello from std.Message")),
                 qPrintable(readText(p.path(QStringLiteral("rundir/proj.hello/proj.hello.log")))));
        r = run(p, {QStringLiteral("--all")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("passed proj.build (up-to-date)")), qPrintable(r.out));
    }

    void tasksFromFileAndStdin()
    {
        TempProject p;
        p.write(QStringLiteral("list/jobs.txt"), "# comment\n\necho from-file > f.txt\nnamed: echo ${{ srcdir }}\n");
        Run r = run(p, {QStringLiteral("--tasks-from"), QStringLiteral("list/jobs.txt")});
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/line-3/f.txt"))), QStringLiteral("from-file\n"));
        QCOMPARE(readText(p.path(QStringLiteral("rundir/named/named.log"))), p.path(QStringLiteral("list")) + QLatin1Char('\n'));

        QProcess proc;
        proc.setProcessEnvironment(env());
        proc.setWorkingDirectory(p.root());
        proc.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--tasks-from"), QStringLiteral("-"),
                                             QStringLiteral("--rundir"), QStringLiteral("stdin-runs")});
        proc.write("echo one\nx: exit 4\n");
        proc.closeWriteChannel();
        QVERIFY(proc.waitForFinished(60000));
        const QString out = QString::fromUtf8(proc.readAllStandardOutput());
        QCOMPARE(proc.exitCode(), 1);
        QVERIFY2(out.contains(QStringLiteral("passed line-1 (")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("FAILED x (exit 4) log: %1\n").arg(p.path(QStringLiteral("stdin-runs/x/x.log")))), qPrintable(out));

        p.write(QStringLiteral("dup.txt"), "a: true\na: false\n");
        r = run(p, {QStringLiteral("--tasks-from"), QStringLiteral("dup.txt")});
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm run: dup.txt:2: duplicate task name 'a' (also on line 1)\n"));
    }

    void lostDaemonFailsOutstandingTasksAndCancelsTheRest()
    {
        TempProject p;
        const QString marker = QStringLiteral("lost-%1").arg(QCoreApplication::applicationPid());
        p.write(QStringLiteral("flow.dv"), QStringLiteral(R"(package:
  name: p
  tasks:
  - name: s1
    run: sleep 60; echo %1
  - name: after
    needs: [s1]
    run: echo never
)").arg(marker).toUtf8());
        startDaemon(p);
        const qint64 pid = daemonPid(p);
        QProcess proc;
        proc.setProcessEnvironment(env());
        proc.setWorkingDirectory(p.root());
        proc.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--all")});
        QTRY_VERIFY_WITH_TIMEOUT(processesMatching(marker).size() >= 1, 30000); // ">=": a forking bash briefly shows twice
        ::kill(pid_t(pid), SIGKILL);
        QVERIFY(proc.waitForFinished(30000));
        const QString out = QString::fromUtf8(proc.readAllStandardOutput());
        const QString err = QString::fromUtf8(proc.readAllStandardError());
        QCOMPARE(proc.exitCode(), 1);
        QCOMPARE(err, QStringLiteral("dfm run: daemon connection lost (through daemon pid %1); its running tasks are "
                                     "reported failed, the rest cancelled\n").arg(pid));
        QVERIFY2(out.startsWith(QStringLiteral("[1/2] FAILED p.s1 (daemon connection lost)\n[2/2] cancelled p.after\n"
                                               "dfm run: 0 passed, 1 failed, 0 skipped, 1 cancelled in ")),
                 qPrintable(out));
    }

    void secondInterruptStopsAtOnce()
    {
        TempProject p;
        const QString marker = QStringLiteral("twice-%1").arg(QCoreApplication::applicationPid());
        // The task ignores SIGTERM, so the first cancel alone would take the kill grace period.
        p.write(QStringLiteral("flow.dv"), QStringLiteral(R"(package:
  name: p
  tasks:
  - name: stubborn
    run: trap "" TERM; sleep 60; echo %1
)").arg(marker).toUtf8());
        QProcess proc;
        proc.setProcessEnvironment(env());
        proc.setWorkingDirectory(p.root());
        proc.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--all")});
        QTRY_VERIFY_WITH_TIMEOUT(processesMatching(marker).size() >= 1, 30000); // ">=": a forking bash briefly shows twice
        QString err;
        ::kill(pid_t(proc.processId()), SIGINT);
        QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(proc.readAllStandardError())).contains(QStringLiteral("interrupted")), 10000);
        ::kill(pid_t(proc.processId()), SIGINT);
        QVERIFY(proc.waitForFinished(30000));
        err += QString::fromUtf8(proc.readAllStandardError());
        const QString out = QString::fromUtf8(proc.readAllStandardOutput());
        QCOMPARE(proc.exitCode(), 130);
        QVERIFY2(err.contains(QStringLiteral("dfm run: second interrupt; stopping now\n")), qPrintable(err));
        QVERIFY2(out.contains(QStringLiteral("dfm run: 0 passed, 0 failed, 0 skipped, 1 cancelled in ")), qPrintable(out));
        QCOMPARE(processesMatching(marker), QList<qint64>{});
        QCOMPARE(processesMatching(p.root()), QList<qint64>{});
    }

    void interruptCountsOnlyTheTasksActuallyRunning()
    {
        // Six tasks through a daemon of four workers: all six are submitted,
        // four run, two wait in the daemon's queue.
        TempProject p;
        const QString marker = QStringLiteral("queued-%1").arg(QCoreApplication::applicationPid());
        QByteArray list;
        for (int i = 0; i < 6; ++i)
            list += QStringLiteral("s%1: sleep 60; echo %2\n").arg(i).arg(marker).toUtf8();
        p.write(QStringLiteral("jobs.txt"), list);
        startDaemon(p);
        QProcess proc;
        proc.setProcessEnvironment(env());
        proc.setWorkingDirectory(p.root());
        proc.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--tasks-from"), QStringLiteral("jobs.txt")});
        QTRY_VERIFY_WITH_TIMEOUT(processGroupsMatching(marker) >= 4, 30000); // groups: a forking bash briefly shows twice
        ::kill(pid_t(proc.processId()), SIGINT);
        QVERIFY(proc.waitForFinished(30000));
        const QString err = QString::fromUtf8(proc.readAllStandardError());
        QCOMPARE(proc.exitCode(), 130);
        QVERIFY2(err.contains(QStringLiteral("dfm run: interrupted; cancelling 4 running task(s) (")), qPrintable(err));
        QCOMPARE(processesMatching(marker), QList<qint64>{});
    }

    void interruptCancelsEveryTaskOfTheRun_data()
    {
        QTest::addColumn<bool>("withDaemon");
        QTest::newRow("ephemeral") << false;
        QTest::newRow("daemon") << true;
    }

    void interruptCancelsEveryTaskOfTheRun()
    {
        QFETCH(bool, withDaemon);
        TempProject p;
        const QString marker = QStringLiteral("ctrlc-%1-%2").arg(QCoreApplication::applicationPid()).arg(withDaemon);
        p.write(QStringLiteral("flow.dv"), QStringLiteral(R"(package:
  name: p
  tasks:
  - name: s1
    run: sleep 60; echo %1
  - name: s2
    run: sleep 60; echo %1
  - name: after
    needs: [s1]
    run: echo never
)").arg(marker).toUtf8());
        if (withDaemon)
            startDaemon(p);
        QProcess proc;
        proc.setProcessEnvironment(env());
        proc.setWorkingDirectory(p.root());
        proc.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--all"), QStringLiteral("--json"), p.path(QStringLiteral("r.json"))});
        QTRY_VERIFY_WITH_TIMEOUT(processGroupsMatching(marker) >= 2, 30000); // groups: a forking bash briefly shows twice
        ::kill(pid_t(proc.processId()), SIGINT);
        QVERIFY(proc.waitForFinished(30000));
        const QString out = QString::fromUtf8(proc.readAllStandardOutput());
        const QString err = QString::fromUtf8(proc.readAllStandardError());
        QCOMPARE(proc.exitStatus(), QProcess::NormalExit);
        QCOMPARE(proc.exitCode(), 130);
        QVERIFY2(err.contains(QStringLiteral("dfm run: interrupted; cancelling 2 running task(s)")), qPrintable(err));
        QVERIFY2(out.contains(QStringLiteral("dfm run: 0 passed, 0 failed, 0 skipped, 3 cancelled in ")), qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("cancelled: ")), qPrintable(out));
        QCOMPARE(processesMatching(marker), QList<qint64>{});
        QCOMPARE(statuses(readJson(p.path(QStringLiteral("r.json")))),
                 (QMap<QString, QString>{{QStringLiteral("p.s1"), QStringLiteral("cancelled")},
                                         {QStringLiteral("p.s2"), QStringLiteral("cancelled")},
                                         {QStringLiteral("p.after"), QStringLiteral("cancelled")}}));
        if (!withDaemon)
            QCOMPARE(processesMatching(p.root()), QList<qint64>{});
    }
};

QTEST_GUILESS_MAIN(TestRun)
#include "tst_run.moc"
