// What `dfm run` prints: status line, per-task lines, summary, JSON report.

#include "runformat.h"

#include <QJsonArray>
#include <QtTest>

using namespace dfm;
using namespace dfm::fmt;

namespace {

TaskOutcome outcome(const QString &name, TaskStatus s, int exitCode = -1, qint64 ms = 0)
{
    TaskOutcome t;
    t.name = name;
    t.status = s;
    t.exitCode = exitCode;
    t.durationMs = ms;
    return t;
}

std::vector<TaskOutcome> sampleRun()
{
    TaskOutcome build = outcome(QStringLiteral("build"), TaskStatus::Passed, 0, 1200);
    build.worker = QStringLiteral("w1");
    build.host = QStringLiteral("h1");
    build.log = QStringLiteral("/p/rundir/build/build.log");
    TaskOutcome test = outcome(QStringLiteral("test_x"), TaskStatus::Failed, 1, 300);
    test.log = QStringLiteral("/p/rundir/test_x/test_x.log");
    TaskOutcome skipped = outcome(QStringLiteral("test_y"), TaskStatus::Skipped);
    skipped.reason = QStringLiteral("needs test_x failed");
    return {build, test, skipped, outcome(QStringLiteral("sim"), TaskStatus::Cancelled)};
}

} // namespace

class TestRunFormat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void statusLineShowsProgressElapsedAndTheLongestRunningTask()
    {
        Progress p;
        p.done = 3;
        p.total = 10;
        p.running = 2;
        p.queued = 4;
        p.failed = 1;
        p.elapsedMs = 12300;
        p.longestTask = QStringLiteral("sim_big");
        p.longestMs = 8900;
        QCOMPARE(statusLine(p, 0), QStringLiteral("[3/10] 2 running, 4 queued, 1 failed, 12s; longest: sim_big 8s"));
        Progress idle;
        idle.total = 10;
        idle.elapsedMs = 65000;
        QCOMPARE(statusLine(idle, 80), QStringLiteral("[0/10] 0 running, 0 failed, 1m05s"));
    }

    void statusLineFitsTheWidth()
    {
        Progress p;
        p.done = 3;
        p.total = 10;
        p.running = 2;
        p.failed = 1;
        p.elapsedMs = 12000;
        p.longestTask = QStringLiteral("a_rather_long_simulation_name");
        p.longestMs = 3000;
        const QString full = QStringLiteral("[3/10] 2 running, 1 failed, 12s; longest: a_rather_long_simulation_name 3s");
        QCOMPARE(statusLine(p, int(full.size())), full);
        // The name is shortened in the middle first...
        QCOMPARE(statusLine(p, 60), QStringLiteral("[3/10] 2 running, 1 failed, 12s; longest: a_rath...n_name 3s"));
        QCOMPARE(statusLine(p, 60).size(), 60);
        // ...then left out, then the line cut.
        QCOMPARE(statusLine(p, 50), QStringLiteral("[3/10] 2 running, 1 failed, 12s"));
        QCOMPARE(statusLine(p, 20), QStringLiteral("[3/10] 2 running, 1 "));
        for (int w = 1; w <= 100; ++w)
            QVERIFY2(statusLine(p, w).size() <= w, qPrintable(QString::number(w)));
    }

    void clockForTheStatusLine()
    {
        QCOMPARE(clock(999), QStringLiteral("0s"));
        QCOMPARE(clock(59999), QStringLiteral("59s"));
        QCOMPARE(clock(245000), QStringLiteral("4m05s"));
        QCOMPARE(clock(7380000), QStringLiteral("2h03m"));
    }

    void errorExcerptPrefersErrorLines()
    {
        const QStringList log{QStringLiteral("compiling"), QStringLiteral("UVM_INFO @ 0: start"),
                              QStringLiteral("UVM_ERROR @ 10: scoreboard mismatch"), QStringLiteral("more noise"),
                              QStringLiteral("Error: assertion a_req failed"), QStringLiteral("--- UVM Report Summary ---"),
                              QStringLiteral("UVM_ERROR :    1"), QStringLiteral("UVM_FATAL :    0"), QString(),
                              QStringLiteral("simulation ended")};
        QCOMPARE(errorExcerpt(log, 5), (QStringList{QStringLiteral("UVM_ERROR @ 10: scoreboard mismatch"),
                                                    QStringLiteral("Error: assertion a_req failed")}));
        QCOMPARE(errorExcerpt(log, 1), QStringList{QStringLiteral("Error: assertion a_req failed")});
        QCOMPARE(errorExcerpt({QStringLiteral("*E,NOTDIR: no such file"), QStringLiteral("%Error: t.sv:3: syntax"),
                               QStringLiteral("FATAL: out of licences"), QStringLiteral("ok")}, 5),
                 (QStringList{QStringLiteral("*E,NOTDIR: no such file"), QStringLiteral("%Error: t.sv:3: syntax"),
                              QStringLiteral("FATAL: out of licences")}));
        // No error-like line: the last non-empty lines.
        QCOMPARE(errorExcerpt({QStringLiteral("a"), QStringLiteral("b"), QString(), QStringLiteral("c")}, 2),
                 (QStringList{QStringLiteral("b"), QStringLiteral("c")}));
        QCOMPARE(errorExcerpt({QStringLiteral("terrorist"), QStringLiteral("ErrorCount=0")}, 5),
                 (QStringList{QStringLiteral("terrorist"), QStringLiteral("ErrorCount=0")}));
    }

    void failureBlockShowsTheErrorLinesThenTheLog()
    {
        const auto run = sampleRun();
        QCOMPARE(failureBlock(4, 10, run[1], {QStringLiteral("UVM_ERROR: bad")}, false),
                 QStringLiteral("[4/10] FAILED test_x (exit 1)\n"
                                "  | UVM_ERROR: bad\n"
                                "  log: /p/rundir/test_x/test_x.log\n"));
        QCOMPARE(failureBlock(4, 10, run[1], {}, true),
                 QStringLiteral("[4/10] \x1b[1;31mFAILED\x1b[0m test_x (exit 1)\n"
                                "  log: /p/rundir/test_x/test_x.log\n"));
        QCOMPARE(taskLine(4, 10, run[1], true),
                 QStringLiteral("[4/10] \x1b[1;31mFAILED\x1b[0m test_x (exit 1) log: /p/rundir/test_x/test_x.log"));
    }

    void taskLinePerOutcome()
    {
        const auto run = sampleRun();
        QCOMPARE(taskLine(3, 10, run[0]), QStringLiteral("[3/10] passed build (1.2s)"));
        QCOMPARE(taskLine(4, 10, run[1]), QStringLiteral("[4/10] FAILED test_x (exit 1) log: /p/rundir/test_x/test_x.log"));
        QCOMPARE(taskLine(5, 10, run[2]), QStringLiteral("[5/10] skipped test_y (needs test_x failed)"));
        QCOMPARE(taskLine(6, 10, run[3]), QStringLiteral("[6/10] cancelled sim"));
    }

    void failureWithoutExitCodeSaysWhy()
    {
        TaskOutcome killed = outcome(QStringLiteral("k"), TaskStatus::Failed);
        killed.signal = 9;
        QCOMPARE(taskLine(1, 2, killed), QStringLiteral("[1/2] FAILED k (signal 9)"));
        TaskOutcome lost = outcome(QStringLiteral("l"), TaskStatus::Failed);
        lost.reason = QStringLiteral("daemon connection lost");
        QCOMPARE(taskLine(2, 2, lost), QStringLiteral("[2/2] FAILED l (daemon connection lost)"));
    }

    void summaryCountsAndNamesFailedSkippedAndCancelled()
    {
        QCOMPARE(summary(sampleRun(), 3400, QStringLiteral("through daemon pid 123")),
                 QStringLiteral("dfm run: 1 passed, 1 failed, 1 skipped, 1 cancelled in 3.4s (through daemon pid 123)\n"
                                "failed:\n"
                                "  test_x (exit 1) log: /p/rundir/test_x/test_x.log\n"
                                "skipped: test_y\n"
                                "cancelled: sim\n"));
        QCOMPARE(summary({outcome(QStringLiteral("a"), TaskStatus::Passed, 0)}, 850,
                         QStringLiteral("ephemeral local pool of 4 workers")),
                 QStringLiteral("dfm run: 1 passed, 0 failed, 0 skipped, 0 cancelled in 850ms (ephemeral local pool of 4 workers)\n"));
        QCOMPARE(summary(sampleRun(), 3400, QStringLiteral("m"), true),
                 QStringLiteral("dfm run: 1 passed, \x1b[1;31m1 failed\x1b[0m, 1 skipped, 1 cancelled in 3.4s (m)\n"
                                "\x1b[31mfailed:\x1b[0m\n"
                                "  test_x (exit 1) log: /p/rundir/test_x/test_x.log\n"
                                "skipped: test_y\n"
                                "cancelled: sim\n"));
    }

    void summaryListsUpToALimitThenCounts()
    {
        std::vector<TaskOutcome> run;
        for (int i = 0; i < kListed + 2; ++i) {
            run.push_back(outcome(QStringLiteral("f%1").arg(i), TaskStatus::Failed, 1));
            run.push_back(outcome(QStringLiteral("s%1").arg(i), TaskStatus::Skipped));
        }
        const QString s = summary(run, 0, QStringLiteral("m"));
        QVERIFY2(s.contains(QStringLiteral("  f9 (exit 1)\n  and 2 more\n")), qPrintable(s));
        QVERIFY2(!s.contains(QStringLiteral("f10")), qPrintable(s));
        QVERIFY2(s.endsWith(QStringLiteral("skipped: s0, s1, s2, s3, s4, s5, s6, s7, s8, s9 and 2 more\n")), qPrintable(s));
    }

    void jsonReportHasEveryTask()
    {
        const QJsonObject r = jsonReport(sampleRun(), 3400, QStringLiteral("daemon"));
        QCOMPARE(r.value(QLatin1String("passed")).toInt(), 1);
        QCOMPARE(r.value(QLatin1String("failed")).toInt(), 1);
        QCOMPARE(r.value(QLatin1String("skipped")).toInt(), 1);
        QCOMPARE(r.value(QLatin1String("cancelled")).toInt(), 1);
        QCOMPARE(r.value(QLatin1String("wall_ms")).toInteger(), 3400);
        QCOMPARE(r.value(QLatin1String("mode")).toString(), QStringLiteral("daemon"));
        const QJsonArray tasks = r.value(QLatin1String("tasks")).toArray();
        QCOMPARE(tasks.size(), 4);
        QCOMPARE(tasks[0].toObject(),
                 (QJsonObject{{QStringLiteral("name"), QStringLiteral("build")},
                              {QStringLiteral("status"), QStringLiteral("passed")},
                              {QStringLiteral("exit_code"), 0},
                              {QStringLiteral("duration_ms"), 1200},
                              {QStringLiteral("worker"), QStringLiteral("w1")},
                              {QStringLiteral("host"), QStringLiteral("h1")},
                              {QStringLiteral("log"), QStringLiteral("/p/rundir/build/build.log")}}));
        QCOMPARE(tasks[2].toObject().value(QLatin1String("status")).toString(), QStringLiteral("skipped"));
        QVERIFY(tasks[2].toObject().value(QLatin1String("exit_code")).isNull());
        QCOMPARE(tasks[2].toObject().value(QLatin1String("reason")).toString(), QStringLiteral("needs test_x failed"));
        QCOMPARE(tasks[3].toObject().value(QLatin1String("status")).toString(), QStringLiteral("cancelled"));
    }
};

QTEST_APPLESS_MAIN(TestRunFormat)
#include "tst_runformat.moc"
