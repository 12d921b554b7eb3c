// RunPlan: which tasks may start, and what failures and cancels do to the
// rest, driven without starting a process.

#include "runplan.h"
#include "runplantestutil.h"

#include <QtTest>

using namespace dfm;
using dfm::test::drainReady;
using dfm::test::statuses;

class TestRunPlan : public QObject {
    Q_OBJECT

private slots:
    void tasksWithoutNeedsStartReadyInIndexOrder()
    {
        RunPlan plan({{}, {0}, {}, {}});
        QCOMPARE(plan.size(), 4);
        QCOMPARE(plan.count(TaskStatus::Ready), 3);
        QCOMPARE(plan.count(TaskStatus::Waiting), 1);
        QCOMPARE(drainReady(&plan), (std::vector<int>{0, 2, 3}));
        QCOMPARE(plan.count(TaskStatus::Running), 3);
        QCOMPARE(statuses(plan), QStringLiteral("running waiting running running"));
    }

    void taskBecomesReadyOnlyWhenAllNeedsPassed()
    {
        RunPlan plan({{}, {}, {0, 1}});
        QCOMPARE(drainReady(&plan), (std::vector<int>{0, 1}));
        plan.finished(1, true);
        QCOMPARE(plan.status(2), TaskStatus::Waiting);
        int t = -1;
        QVERIFY(!plan.nextReady(&t));
        plan.finished(0, true);
        QCOMPARE(plan.status(2), TaskStatus::Ready);
        QVERIFY(plan.nextReady(&t));
        QCOMPARE(t, 2);
        plan.finished(2, true);
        QVERIFY(!plan.moreToDo());
        QCOMPARE(plan.count(TaskStatus::Passed), 3);
    }

    void aNeedNamedTwiceCountsOnce()
    {
        RunPlan plan({{}, {0, 0}, {1, 0, 1}});
        QCOMPARE(drainReady(&plan), (std::vector<int>{0}));
        plan.finished(0, true);
        QCOMPARE(drainReady(&plan), (std::vector<int>{1}));
        plan.finished(1, true);
        QCOMPARE(drainReady(&plan), (std::vector<int>{2}));
        plan.finished(2, true);
        QVERIFY(!plan.moreToDo());
    }

    void readyTasksComeOutInTheOrderTheyBecameReady()
    {
        // 0 -> {3}, 1 -> {2}; 1 finishes first, so 2 is ready before 3.
        RunPlan plan({{}, {}, {1}, {0}, {}});
        QCOMPARE(drainReady(&plan), (std::vector<int>{0, 1, 4}));
        plan.finished(1, true);
        plan.finished(0, true);
        QCOMPARE(drainReady(&plan), (std::vector<int>{2, 3}));
    }

    void failureSkipsDependentsWhileIndependentBranchesContinue()
    {
        // 0 build, 1 test(0), 2 report(1), 3 lint, 4 docs(3), 5 all(2, 4)
        RunPlan plan({{}, {0}, {1}, {}, {3}, {2, 4}});
        QCOMPARE(drainReady(&plan), (std::vector<int>{0, 3}));
        plan.finished(0, false);
        QCOMPARE(statuses(plan), QStringLiteral("failed skipped skipped running waiting skipped"));
        QVERIFY(plan.moreToDo());
        plan.finished(3, true);
        QCOMPARE(drainReady(&plan), (std::vector<int>{4}));
        plan.finished(4, true);
        QVERIFY(!plan.moreToDo());
        QCOMPARE(statuses(plan), QStringLiteral("failed skipped skipped passed passed skipped"));
        QCOMPARE(plan.count(TaskStatus::Skipped), 3);
        QCOMPARE(plan.count(TaskStatus::Passed), 2);
        QCOMPARE(plan.count(TaskStatus::Failed), 1);
    }

    void skippedTaskStaysSkippedWhenItsOtherNeedPasses()
    {
        RunPlan plan({{}, {}, {0, 1}});
        drainReady(&plan);
        plan.finished(0, false);
        QCOMPARE(plan.status(2), TaskStatus::Skipped);
        plan.finished(1, true);
        QCOMPARE(plan.status(2), TaskStatus::Skipped);
        int t = -1;
        QVERIFY(!plan.nextReady(&t));
        QVERIFY(!plan.moreToDo());
    }

    void markFailedTurnsOnlyASkippedTaskIntoAFailure()
    {
        // 0 body task, 1 compound(0), 2 after(1): a compound whose body failed fails.
        RunPlan plan({{}, {0}, {1}});
        drainReady(&plan);
        plan.finished(0, false);
        QCOMPARE(statuses(plan), QStringLiteral("failed skipped skipped"));
        plan.markFailed(1);
        plan.markFailed(0); // failed already: unchanged
        QCOMPARE(statuses(plan), QStringLiteral("failed failed skipped"));
        QCOMPARE(plan.count(TaskStatus::Failed), 2);
        QCOMPARE(plan.count(TaskStatus::Skipped), 1);
        QVERIFY(!plan.moreToDo());
        RunPlan waiting({{}, {0}});
        waiting.markFailed(1); // waiting: unchanged
        QCOMPARE(waiting.status(1), TaskStatus::Waiting);
    }

    void cancelRemainingLeavesRunningTasksToFinish()
    {
        RunPlan plan({{}, {}, {0}, {}});
        int t = -1;
        QVERIFY(plan.nextReady(&t));
        QCOMPARE(t, 0);
        plan.cancelRemaining();
        QCOMPARE(statuses(plan), QStringLiteral("running cancelled cancelled cancelled"));
        QVERIFY(!plan.nextReady(&t));
        QVERIFY(plan.moreToDo());
        plan.finished(0, true);
        QCOMPARE(plan.status(0), TaskStatus::Passed);
        QCOMPARE(plan.status(2), TaskStatus::Cancelled);
        QVERIFY(!plan.moreToDo());
        QCOMPARE(plan.count(TaskStatus::Cancelled), 3);
    }

    void cancelledRunningTaskSkipsItsDependents()
    {
        RunPlan plan({{}, {0}, {1}, {}});
        QCOMPARE(drainReady(&plan), (std::vector<int>{0, 3}));
        plan.markCancelled(0);
        QCOMPARE(statuses(plan), QStringLiteral("cancelled skipped skipped running"));
        plan.cancelRemaining();
        plan.markCancelled(3);
        QCOMPARE(statuses(plan), QStringLiteral("cancelled skipped skipped cancelled"));
        QVERIFY(!plan.moreToDo());
    }

    void skipLeavesRunningAndFinishedTasksAlone()
    {
        // 0 and 1 ready, 2 needs 1, 3 ready; 0 runs and passes, 3 runs.
        RunPlan plan({{}, {}, {1}, {}});
        int t = -1;
        QVERIFY(plan.nextReady(&t));
        plan.finished(t, true);
        QVERIFY(plan.nextReady(&t));
        QCOMPARE(t, 1);
        plan.skip(0); // passed: stays
        plan.skip(1); // running: stays
        plan.skip(3); // ready: skipped, never handed out
        QCOMPARE(statuses(plan), QStringLiteral("passed running waiting skipped"));
        plan.finished(1, true);
        plan.skip(2); // ready now: skipped
        QCOMPARE(statuses(plan), QStringLiteral("passed passed skipped skipped"));
        QVERIFY(!plan.nextReady(&t));
        QVERIFY(!plan.moreToDo());
    }

    void eventsForTasksNotRunningAreIgnored()
    {
        RunPlan plan({{}, {0}});
        plan.finished(1, true);  // waiting
        plan.finished(0, true);  // ready, not started
        plan.markCancelled(0);
        plan.finished(7, false); // out of range
        QCOMPARE(statuses(plan), QStringLiteral("ready waiting"));
        QCOMPARE(plan.status(-1), TaskStatus::Cancelled);
    }

    void cyclesAreSkippedInsteadOfWaitingForever()
    {
        RunPlan plan({{}, {2}, {1}, {1}, {0, 0, 9}});
        QCOMPARE(statuses(plan), QStringLiteral("ready skipped skipped skipped waiting"));
        QCOMPARE(drainReady(&plan), (std::vector<int>{0}));
        plan.finished(0, true);
        QCOMPARE(drainReady(&plan), (std::vector<int>{4}));
    }

    void emptyPlanHasNothingToDo()
    {
        RunPlan plan({});
        QCOMPARE(plan.size(), 0);
        QVERIFY(!plan.moreToDo());
        int t = -1;
        QVERIFY(!plan.nextReady(&t));
    }

    void countsStayConsistentOverARun()
    {
        // A wide fan-in: 200 independent tasks then one that needs them all.
        std::vector<std::vector<int>> needs(201);
        for (int i = 0; i < 200; ++i)
            needs[200].push_back(i);
        RunPlan plan(needs);
        int t = -1;
        int started = 0;
        while (plan.nextReady(&t)) {
            ++started;
            plan.finished(t, t != 200);
        }
        QCOMPARE(started, 201);
        QCOMPARE(plan.count(TaskStatus::Passed), 200);
        QCOMPARE(plan.count(TaskStatus::Failed), 1);
        int total = 0;
        for (TaskStatus s : {TaskStatus::Waiting, TaskStatus::Ready, TaskStatus::Running, TaskStatus::Passed,
                             TaskStatus::Failed, TaskStatus::Skipped, TaskStatus::Cancelled})
            total += plan.count(s);
        QCOMPARE(total, 201);
    }
};

QTEST_APPLESS_MAIN(TestRunPlan)
#include "tst_runplan.moc"
