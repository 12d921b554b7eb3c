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
    void statusLineShowsProgressAndLastTask()
    {
        QCOMPARE(statusLine(3, 10, 2, 1, QStringLiteral("build")), QStringLiteral("[3/10] 2 running, 1 failed: build"));
        QCOMPARE(statusLine(0, 10, 0, 0, QString()), QStringLiteral("[0/10] 0 running, 0 failed"));
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

    void summaryCountsAndListsFailures()
    {
        QCOMPARE(summary(sampleRun(), 3400, QStringLiteral("through daemon pid 123")),
                 QStringLiteral("dfm run: 1 passed, 1 failed, 1 skipped, 1 cancelled in 3.4s (through daemon pid 123)\n"
                                "failed:\n"
                                "  test_x (exit 1) log: /p/rundir/test_x/test_x.log\n"));
        QCOMPARE(summary({outcome(QStringLiteral("a"), TaskStatus::Passed, 0)}, 850,
                         QStringLiteral("ephemeral local pool of 4 workers")),
                 QStringLiteral("dfm run: 1 passed, 0 failed, 0 skipped, 0 cancelled in 850ms (ephemeral local pool of 4 workers)\n"));
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
