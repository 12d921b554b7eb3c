// Drives the I/O-free Pool with events and checks the exact actions it
// returns, formatted as short strings ("launch w1 ''", "dispatch t5 w1").
#include "pool.h"

#include <QStringList>
#include <QtTest>

#include <map>
#include <random>
#include <set>

using namespace dfm;

namespace {

QString format(const PoolAction &a)
{
    switch (a.kind) {
    case PoolAction::Launch:
        return QStringLiteral("launch w%1 '%2'").arg(a.worker).arg(a.resourceClass);
    case PoolAction::Dispatch:
        return QStringLiteral("dispatch t%1 w%2").arg(a.task).arg(a.worker);
    case PoolAction::Stop:
        return QStringLiteral("stop w%1").arg(a.worker);
    case PoolAction::CancelRunning:
        return QStringLiteral("cancel t%1 w%2").arg(a.task).arg(a.worker);
    case PoolAction::Probe:
        return QStringLiteral("probe w%1").arg(a.worker);
    case PoolAction::FailTask:
        if (a.cancelled)
            return QStringLiteral("fail t%1 (cancelled): %2").arg(a.task).arg(a.reason);
        if (a.attempt > 0)
            return QStringLiteral("fail t%1 after %2 attempt(s): %3").arg(a.task).arg(a.attempt).arg(a.reason);
        return QStringLiteral("fail t%1: %2").arg(a.task).arg(a.reason);
    case PoolAction::Lose:
        return QStringLiteral("lose w%1: %2").arg(a.worker).arg(a.reason);
    case PoolAction::Requeued:
        return QStringLiteral("requeue t%1 (attempt %2)").arg(a.task).arg(a.attempt);
    }
    return QStringLiteral("?");
}

QStringList take(Pool &pool)
{
    QStringList out;
    for (const PoolAction &a : pool.takeActions())
        out << format(a);
    return out;
}

PoolConfig config(int maxWorkers, int launchBatchSize = 4)
{
    PoolConfig c;
    c.maxWorkers = maxWorkers;
    c.launchBatchSize = launchBatchSize;
    c.idleTimeoutMs = 1000;
    c.launchTimeoutMs = 1000;
    c.maxLaunchFailures = 3;
    return c;
}

// Submits `task` and joins the worker launched for it, leaving it busy.
void runOnNewWorker(Pool &pool, TaskKey task, WorkerKey expectedWorker, const QString &cls = {})
{
    pool.submit(task, cls, 0);
    pool.workerJoined(expectedWorker, 0);
    pool.takeActions();
}

} // namespace

class TestPool : public QObject {
    Q_OBJECT
private slots:
    void immediateDispatchToIdleWorker();
    void mostRecentlyIdleWorkerGetsTheTask();
    void queuedTaskStartsWhenWorkerJoins();
    void batchSizeBoundsEachDecisionNotTheTotal();
    void launchesAreBoundedByMaxWorkers();
    void launchesNeverExceedQueuedMinusPending();
    void idleWorkerStopsAfterTimeout();
    void idleTeardownKeepsMinWorkers();
    void minWorkersAreLaunchedWarmAndReplaced();
    void warmLaunchesStopAfterRepeatedFailures();
    void resourceClassesDoNotShareWorkers();
    void fullPoolOfOtherClassMakesRoom();
    void workerGoingIdleMakesRoomForStarvedClass();
    void lostWorkerFreesCapacityForAnyClass();
    void cancelQueuedTaskRemovesIt();
    void cancelManyQueuedTasksKeepsFifoOfTheRest();
    void resubmittedTaskAfterCancelRunsOnce();
    void cancelRunningTaskAsksWorker();
    void cancelUnknownTaskIsNotFound();
    void lostBusyWorkerReturnsItsTask();
    void cancelledTaskOnALostWorkerIsNotRetried();
    void requeuedTaskGoesStraightToAnIdleWorker();
    void silentWorkerGetsOneLoseAction();
    void heartbeatsOnlyCountForJoinedWorkers();
    void repeatedLaunchFailuresFailQueuedTasks();
    void joinResetsLaunchFailureCount();
    void liveWorkerKeepsQueueDespiteLaunchFailures();
    void pendingWorkerIsProbedAfterLaunchTimeout();
    void unknownOrJoinedWorkerCannotJoin();
    void shutdownReturnsQueuedAndStopsAll();
    void submitAfterShutdownFails();
    void lateEventsForStoppedWorkerAreIgnored();
    void fifoOrderWithinClass();
    void randomEventsKeepCountersConsistent();
};

void TestPool::minWorkersAreLaunchedWarmAndReplaced()
{
    PoolConfig c = config(4, 2);
    c.minWorkers = 3;
    Pool pool(c);
    pool.tick(0);
    QCOMPARE(take(pool), (QStringList{QStringLiteral("launch w1 ''"), QStringLiteral("launch w2 ''")}));
    pool.tick(10); // batch size bounds each tick
    QCOMPARE(take(pool), QStringList{QStringLiteral("launch w3 ''")});
    pool.tick(20);
    QCOMPARE(take(pool), QStringList{});
    for (WorkerKey w : {1, 2, 3})
        QVERIFY(pool.workerJoined(w, 30));
    pool.tick(5000); // idle far beyond the timeout, but only min_workers live
    QCOMPARE(take(pool), QStringList{});
    QCOMPARE(pool.idleCount(), 3);
    pool.workerLost(2, QStringLiteral("killed"), 5001);
    QCOMPARE(take(pool), QStringList{});
    pool.tick(5002);
    QCOMPARE(take(pool), QStringList{QStringLiteral("launch w4 ''")});
    // A submitted task goes straight to a warm worker.
    pool.submit(1, QString(), 5003);
    QCOMPARE(take(pool), QStringList{QStringLiteral("dispatch t1 w3")});
}

void TestPool::warmLaunchesStopAfterRepeatedFailures()
{
    PoolConfig c = config(4, 1);
    c.minWorkers = 1;
    Pool pool(c);
    for (WorkerKey w : {1, 2, 3}) {
        pool.tick(qint64(w));
        QCOMPARE(take(pool), QStringList{QStringLiteral("launch w%1 ''").arg(w)});
        pool.workerLost(w, QStringLiteral("dfm: not found"), qint64(w));
        take(pool);
    }
    pool.tick(100); // given up: no launch loop at the tick rate
    QCOMPARE(take(pool), QStringList{});
    // Real demand still launches, and a join re-arms keeping warm.
    pool.submit(1, QString(), 101);
    QCOMPARE(take(pool), QStringList{QStringLiteral("launch w4 ''")});
    QVERIFY(pool.workerJoined(4, 102));
    QCOMPARE(take(pool), QStringList{QStringLiteral("dispatch t1 w4")});
    pool.taskFinished(4, 103);
    pool.workerLost(4, QStringLiteral("killed"), 103);
    take(pool);
    pool.tick(104);
    QCOMPARE(take(pool), QStringList{QStringLiteral("launch w5 ''")});
}

void TestPool::immediateDispatchToIdleWorker()
{
    Pool pool(config(4));
    pool.submit(1, {}, 0);
    QCOMPARE(take(pool), QStringList{"launch w1 ''"});
    QVERIFY(pool.workerJoined(1, 0));
    QCOMPARE(take(pool), QStringList{"dispatch t1 w1"});
    pool.taskFinished(1, 10);
    QCOMPARE(take(pool), QStringList{});
    QCOMPARE(pool.workerState(1), WorkerState::Idle);
    pool.submit(2, {}, 20);
    QCOMPARE(take(pool), QStringList{"dispatch t2 w1"});
    QCOMPARE(pool.workerTask(1), TaskKey(2));
    QCOMPARE(pool.runningCount(), 1);
}

void TestPool::mostRecentlyIdleWorkerGetsTheTask()
{
    Pool pool(config(4));
    runOnNewWorker(pool, 1, 1);
    runOnNewWorker(pool, 2, 2);
    pool.taskFinished(1, 10);
    pool.taskFinished(2, 20);
    pool.submit(3, {}, 30);
    QCOMPARE(take(pool), QStringList{"dispatch t3 w2"});
}

void TestPool::queuedTaskStartsWhenWorkerJoins()
{
    Pool pool(config(4));
    pool.submit(7, {}, 0);
    QCOMPARE(take(pool), QStringList{"launch w1 ''"});
    QCOMPARE(pool.queuedCount(), 1);
    QCOMPARE(pool.pendingCount(), 1);
    QCOMPARE(pool.workerState(1), WorkerState::Pending);
    QVERIFY(pool.workerJoined(1, 5));
    QCOMPARE(take(pool), QStringList{"dispatch t7 w1"});
    QCOMPARE(pool.queuedCount(), 0);
    QCOMPARE(pool.pendingCount(), 0);
    QCOMPARE(pool.workerState(1), WorkerState::Busy);
}

// Demand arrives one task per decision, so each submit needs one launch; the
// batch caps one decision, not the number of workers a burst ends up with.
void TestPool::batchSizeBoundsEachDecisionNotTheTotal()
{
    Pool pool(config(10, 1));
    pool.submit(1, {}, 0);
    pool.submit(2, {}, 0);
    pool.submit(3, {}, 0);
    QCOMPARE(take(pool), (QStringList{"launch w1 ''", "launch w2 ''", "launch w3 ''"}));
}

void TestPool::launchesAreBoundedByMaxWorkers()
{
    Pool pool(config(2));
    for (TaskKey t = 1; t <= 4; ++t)
        pool.submit(t, {}, 0);
    QCOMPARE(take(pool), (QStringList{"launch w1 ''", "launch w2 ''"}));
    QCOMPARE(pool.workerCount(), 2);
    QCOMPARE(pool.queuedCount(), 4);
    pool.workerJoined(1, 0);
    pool.workerJoined(2, 0);
    pool.taskFinished(1, 0);
    QCOMPARE(take(pool), (QStringList{"dispatch t1 w1", "dispatch t2 w2", "dispatch t3 w1"}));
    QCOMPARE(pool.workerCount(), 2);
}

void TestPool::launchesNeverExceedQueuedMinusPending()
{
    Pool pool(config(10));
    pool.submit(1, {}, 0);
    pool.submit(2, {}, 0);
    QCOMPARE(pool.cancel(2), CancelOutcome::Dequeued);
    pool.submit(3, {}, 0); // queued 2 (t1, t3), pending 2: nothing to launch
    QCOMPARE(take(pool), (QStringList{"launch w1 ''", "launch w2 ''"}));
    pool.workerJoined(1, 0);
    pool.workerJoined(2, 0);
    QCOMPARE(take(pool), (QStringList{"dispatch t1 w1", "dispatch t3 w2"}));
}

void TestPool::idleWorkerStopsAfterTimeout()
{
    Pool pool(config(4));
    runOnNewWorker(pool, 1, 1);
    pool.taskFinished(1, 100);
    pool.tick(1099);
    QCOMPARE(take(pool), QStringList{});
    pool.tick(1100);
    QCOMPARE(take(pool), QStringList{"stop w1"});
    QCOMPARE(pool.workerCount(), 0);
    QCOMPARE(pool.workerState(1), WorkerState::Unknown);
}

void TestPool::idleTeardownKeepsMinWorkers()
{
    PoolConfig c = config(8);
    c.minWorkers = 2;
    Pool pool(c);
    for (TaskKey t = 1; t <= 4; ++t)
        runOnNewWorker(pool, t, t);
    pool.taskFinished(3, 10); // idle order: w3, w1, w4 (w2 stays busy)
    pool.taskFinished(1, 20);
    pool.taskFinished(4, 30);
    pool.tick(5000);
    QCOMPARE(take(pool), (QStringList{"stop w3", "stop w1"}));
    QCOMPARE(pool.workerCount(), 2);
    QCOMPARE(pool.workerState(4), WorkerState::Idle);
}

void TestPool::resourceClassesDoNotShareWorkers()
{
    Pool pool(config(4));
    runOnNewWorker(pool, 1, 1);
    pool.taskFinished(1, 0);
    pool.submit(2, QStringLiteral("gpu"), 0);
    QCOMPARE(take(pool), QStringList{"launch w2 'gpu'"});
    QCOMPARE(pool.workerState(1), WorkerState::Idle);
    QCOMPARE(pool.queuedCount(QStringLiteral("gpu")), 1);
    QCOMPARE(pool.queuedCount(QString()), 0);
    pool.workerJoined(2, 0);
    QCOMPARE(take(pool), QStringList{"dispatch t2 w2"});
    QCOMPARE(pool.workerClass(2), QStringLiteral("gpu"));
}

void TestPool::fullPoolOfOtherClassMakesRoom()
{
    Pool pool(config(2));
    runOnNewWorker(pool, 1, 1);
    runOnNewWorker(pool, 2, 2);
    pool.taskFinished(1, 10);
    pool.taskFinished(2, 20);
    pool.submit(3, QStringLiteral("gpu"), 30);
    QCOMPARE(take(pool), (QStringList{"stop w1", "launch w3 'gpu'"}));
    QCOMPARE(pool.workerCount(), 2);
}

void TestPool::workerGoingIdleMakesRoomForStarvedClass()
{
    Pool pool(config(2));
    runOnNewWorker(pool, 1, 1);
    runOnNewWorker(pool, 2, 2);
    pool.submit(3, QStringLiteral("gpu"), 0);
    QCOMPARE(take(pool), QStringList{});
    pool.taskFinished(2, 10);
    QCOMPARE(take(pool), (QStringList{"stop w2", "launch w3 'gpu'"}));
}

void TestPool::lostWorkerFreesCapacityForAnyClass()
{
    PoolConfig c = config(1);
    c.maxAttempts = 1; // its own task is not retried: the room goes to the other class
    Pool pool(c);
    runOnNewWorker(pool, 1, 1);
    pool.submit(2, QStringLiteral("gpu"), 0);
    QCOMPARE(take(pool), QStringList{});
    QCOMPARE(pool.workerLost(1, QStringLiteral("connection closed"), 0), TaskKey(1));
    QCOMPARE(take(pool), (QStringList{"fail t1 after 1 attempt(s): connection closed", "launch w2 'gpu'"}));
}

void TestPool::cancelQueuedTaskRemovesIt()
{
    Pool pool(config(1));
    runOnNewWorker(pool, 1, 1);
    pool.submit(2, {}, 0);
    pool.submit(3, {}, 0);
    QCOMPARE(pool.cancel(2), CancelOutcome::Dequeued);
    QCOMPARE(take(pool), QStringList{});
    QCOMPARE(pool.queuedCount(), 1);
    QCOMPARE(pool.cancel(2), CancelOutcome::NotFound);
    pool.taskFinished(1, 0);
    QCOMPARE(take(pool), QStringList{"dispatch t3 w1"});
}

void TestPool::cancelManyQueuedTasksKeepsFifoOfTheRest()
{
    Pool pool(config(1));
    runOnNewWorker(pool, 1, 1);
    for (TaskKey t = 2; t <= 301; ++t)
        pool.submit(t, {}, 0);
    for (TaskKey t = 2; t <= 301; ++t) {
        if (t % 3 != 0)
            QCOMPARE(pool.cancel(t), CancelOutcome::Dequeued);
    }
    QCOMPARE(pool.queuedCount(), 100);
    take(pool);
    QStringList expected;
    QStringList got;
    for (TaskKey t = 3; t <= 301; t += 3) {
        expected << QStringLiteral("dispatch t%1 w1").arg(t);
        pool.taskFinished(1, 0);
        got << take(pool);
    }
    QCOMPARE(got, expected);
    QCOMPARE(pool.queuedCount(), 0);
}

void TestPool::resubmittedTaskAfterCancelRunsOnce()
{
    Pool pool(config(1));
    runOnNewWorker(pool, 1, 1);
    pool.submit(2, {}, 0);
    pool.submit(3, {}, 0);
    pool.cancel(2);
    pool.submit(2, {}, 0);
    pool.taskFinished(1, 0);
    pool.taskFinished(1, 0);
    pool.taskFinished(1, 0);
    QCOMPARE(take(pool), (QStringList{"dispatch t3 w1", "dispatch t2 w1"}));
    QCOMPARE(pool.queuedCount(), 0);
}

void TestPool::cancelRunningTaskAsksWorker()
{
    Pool pool(config(1));
    runOnNewWorker(pool, 1, 1);
    QCOMPARE(pool.cancel(1), CancelOutcome::Running);
    QCOMPARE(take(pool), QStringList{"cancel t1 w1"});
    QCOMPARE(pool.workerState(1), WorkerState::Busy);
    pool.taskFinished(1, 0);
    QCOMPARE(pool.workerState(1), WorkerState::Idle);
    QCOMPARE(pool.cancel(1), CancelOutcome::NotFound);
}

void TestPool::cancelUnknownTaskIsNotFound()
{
    Pool pool(config(1));
    QCOMPARE(pool.cancel(42), CancelOutcome::NotFound);
    QCOMPARE(take(pool), QStringList{});
}

void TestPool::lostBusyWorkerReturnsItsTask()
{
    Pool pool(config(1));
    runOnNewWorker(pool, 1, 1);
    pool.submit(2, {}, 0);
    QCOMPARE(pool.workerLost(1, QStringLiteral("heartbeat missed"), 0), TaskKey(1));
    // Retried first: it has waited longest.
    QCOMPARE(take(pool), (QStringList{"requeue t1 (attempt 2)", "launch w2 ''"}));
    QCOMPARE(pool.runningCount(), 0);
    QCOMPARE(pool.queuedCount(), 2);
    pool.workerJoined(2, 0);
    QCOMPARE(take(pool), QStringList{"dispatch t1 w2"});
    // Its second worker lost too: maxAttempts (2) reached, it fails.
    QCOMPARE(pool.workerLost(2, QStringLiteral("exit 1"), 0), TaskKey(1));
    QCOMPARE(take(pool), (QStringList{"fail t1 after 2 attempt(s): exit 1", "launch w3 ''"}));
    QCOMPARE(pool.cancel(1), CancelOutcome::NotFound);
}

void TestPool::cancelledTaskOnALostWorkerIsNotRetried()
{
    Pool pool(config(1));
    runOnNewWorker(pool, 1, 1);
    QCOMPARE(pool.cancel(1), CancelOutcome::Running);
    take(pool);
    QCOMPARE(pool.workerLost(1, QStringLiteral("connection closed"), 0), TaskKey(1));
    QCOMPARE(take(pool), QStringList{"fail t1 (cancelled): connection closed"});
    QCOMPARE(pool.queuedCount(), 0);
}

void TestPool::requeuedTaskGoesStraightToAnIdleWorker()
{
    Pool pool(config(2));
    runOnNewWorker(pool, 1, 1);
    pool.submit(2, {}, 0);
    pool.workerJoined(2, 0);
    pool.taskFinished(2, 0); // w2 idle
    take(pool);
    pool.workerLost(1, QStringLiteral("closed"), 0);
    QCOMPARE(take(pool), (QStringList{"requeue t1 (attempt 2)", "dispatch t1 w2"}));
}

void TestPool::silentWorkerGetsOneLoseAction()
{
    PoolConfig c = config(2);
    c.heartbeatTimeoutMs = 100;
    Pool pool(c);
    runOnNewWorker(pool, 1, 1); // joined at 0
    pool.tick(100);
    QCOMPARE(take(pool), QStringList{});
    pool.heard(1, 80);
    pool.tick(180);
    QCOMPARE(take(pool), QStringList{});
    pool.tick(181);
    QCOMPARE(take(pool), QStringList{"lose w1: no heartbeat for 0.101 s"});
    pool.tick(500);
    QCOMPARE(take(pool), QStringList{}); // once: the caller reports workerLost
    QCOMPARE(pool.workerLost(1, QStringLiteral("no heartbeat"), 500), TaskKey(1));
    QCOMPARE(take(pool), (QStringList{"requeue t1 (attempt 2)", "launch w2 ''"}));
}

void TestPool::heartbeatsOnlyCountForJoinedWorkers()
{
    PoolConfig c = config(2);
    c.heartbeatTimeoutMs = 100;
    Pool pool(c);
    pool.submit(1, {}, 0);
    take(pool);
    pool.heard(1, 50); // pending: ignored, and never lost for silence
    pool.tick(10000);
    QCOMPARE(take(pool), QStringList{"probe w1"});
}

void TestPool::repeatedLaunchFailuresFailQueuedTasks()
{
    PoolConfig c = config(1);
    c.maxLaunchFailures = 2;
    Pool pool(c);
    pool.submit(1, {}, 0);
    pool.submit(2, {}, 0);
    QCOMPARE(take(pool), QStringList{"launch w1 ''"});
    QCOMPARE(pool.workerLost(1, QStringLiteral("exit status 127"), 0), TaskKey(0));
    QCOMPARE(take(pool), QStringList{"launch w2 ''"});
    pool.workerLost(2, QStringLiteral("exit status 127"), 0);
    QCOMPARE(take(pool),
             (QStringList{
                 "fail t1: no worker could be started for resource class 'default': exit status 127",
                 "fail t2: no worker could be started for resource class 'default': exit status 127"}));
    QCOMPARE(pool.queuedCount(), 0);
    pool.submit(3, {}, 0);
    QCOMPARE(take(pool), QStringList{"launch w3 ''"});
}

void TestPool::joinResetsLaunchFailureCount()
{
    PoolConfig c = config(2);
    c.maxLaunchFailures = 2;
    c.maxAttempts = 1;
    Pool pool(c);
    pool.submit(1, QStringLiteral("gpu"), 0);
    pool.workerLost(1, QStringLiteral("boom"), 0);  // failure 1, relaunch w2
    pool.workerJoined(2, 0);                        // reset
    pool.workerLost(2, QStringLiteral("crash"), 0); // busy worker: returns t1
    pool.submit(1, QStringLiteral("gpu"), 0);       // launch w3
    pool.workerLost(3, QStringLiteral("boom"), 0);  // failure 1 again, relaunch w4
    QCOMPARE(take(pool), (QStringList{"launch w1 'gpu'", "launch w2 'gpu'", "dispatch t1 w2",
                                      "fail t1 after 1 attempt(s): crash", "launch w3 'gpu'", "launch w4 'gpu'"}));
}

void TestPool::liveWorkerKeepsQueueDespiteLaunchFailures()
{
    PoolConfig c = config(2);
    c.maxLaunchFailures = 1;
    Pool pool(c);
    runOnNewWorker(pool, 1, 1);
    pool.submit(2, {}, 0);
    QCOMPARE(take(pool), QStringList{"launch w2 ''"});
    pool.workerLost(2, QStringLiteral("boom"), 0);
    QCOMPARE(take(pool), QStringList{"launch w3 ''"});
    QCOMPARE(pool.queuedCount(), 1);
}

void TestPool::pendingWorkerIsProbedAfterLaunchTimeout()
{
    Pool pool(config(4));
    pool.submit(1, {}, 0);
    pool.submit(2, {}, 500);
    take(pool);
    pool.tick(999);
    QCOMPARE(take(pool), QStringList{});
    pool.tick(1000);
    QCOMPARE(take(pool), QStringList{"probe w1"});
    pool.tick(1500);
    QCOMPARE(take(pool), QStringList{"probe w2"});
    pool.tick(1999);
    QCOMPARE(take(pool), QStringList{});
    pool.tick(2600);
    QCOMPARE(take(pool), (QStringList{"probe w1", "probe w2"}));
    QVERIFY(pool.workerJoined(1, 2700));
    pool.tick(9000);
    QCOMPARE(take(pool), (QStringList{"dispatch t1 w1", "probe w2"}));
}

void TestPool::unknownOrJoinedWorkerCannotJoin()
{
    Pool pool(config(4));
    QVERIFY(!pool.workerJoined(99, 0));
    pool.submit(1, {}, 0);
    QVERIFY(pool.workerJoined(1, 0));
    QVERIFY(!pool.workerJoined(1, 0));
}

void TestPool::shutdownReturnsQueuedAndStopsAll()
{
    Pool pool(config(2));
    runOnNewWorker(pool, 1, 1);
    pool.submit(2, QStringLiteral("gpu"), 0); // launches w2
    pool.submit(3, {}, 0);                    // no room
    pool.submit(4, QStringLiteral("gpu"), 0); // no room
    QCOMPARE(take(pool), QStringList{"launch w2 'gpu'"});
    QCOMPARE(pool.shutdown(), (std::vector<TaskKey>{2, 3, 4}));
    QCOMPARE(take(pool), (QStringList{"stop w1", "stop w2"}));
    QCOMPARE(pool.workerCount(), 0);
    QCOMPARE(pool.queuedCount(), 0);
    QCOMPARE(pool.runningCount(), 0);
    QCOMPARE(pool.pendingCount(), 0);
    QVERIFY(pool.isShutDown());
}

void TestPool::submitAfterShutdownFails()
{
    Pool pool(config(2));
    pool.shutdown();
    pool.submit(9, {}, 0);
    QCOMPARE(take(pool), QStringList{"fail t9: daemon is shutting down"});
    QCOMPARE(pool.queuedCount(), 0);
}

void TestPool::lateEventsForStoppedWorkerAreIgnored()
{
    Pool pool(config(4));
    runOnNewWorker(pool, 1, 1);
    runOnNewWorker(pool, 2, 2);
    pool.taskFinished(1, 0);
    pool.tick(1000);
    QCOMPARE(take(pool), QStringList{"stop w1"});
    QCOMPARE(pool.workerLost(1, QStringLiteral("closed"), 0), TaskKey(0));
    pool.taskFinished(1, 0);
    QVERIFY(!pool.workerJoined(1, 0));
    pool.shutdown();
    QCOMPARE(take(pool), QStringList{"stop w2"});
    pool.taskFinished(2, 0);
    QCOMPARE(pool.workerLost(2, QStringLiteral("closed"), 0), TaskKey(0));
    QCOMPARE(take(pool), QStringList{});
}

void TestPool::fifoOrderWithinClass()
{
    Pool pool(config(1));
    for (TaskKey t = 1; t <= 5; ++t)
        pool.submit(t, {}, 0);
    pool.workerJoined(1, 0);
    for (int i = 0; i < 5; ++i)
        pool.taskFinished(1, 0);
    QCOMPARE(take(pool), (QStringList{"launch w1 ''", "dispatch t1 w1", "dispatch t2 w1",
                                      "dispatch t3 w1", "dispatch t4 w1", "dispatch t5 w1"}));
}

// Feeds a seeded random mix of events and checks the pool's counters against
// a model rebuilt from its actions alone, plus the invariants the scheduler
// relies on (never above maxWorkers, no idle worker beside queued work).
void TestPool::randomEventsKeepCountersConsistent()
{
    PoolConfig c = config(6, 2);
    c.minWorkers = 1;
    Pool pool(c);
    const QStringList classes{QString(), QStringLiteral("gpu"), QStringLiteral("big")};
    struct ModelWorker {
        QString cls;
        WorkerState state;
        TaskKey task;
    };
    std::map<WorkerKey, ModelWorker> workers;
    std::set<TaskKey> queued;
    std::map<TaskKey, QString> taskClass;
    std::mt19937 rng(12345);
    TaskKey nextTask = 1;
    qint64 now = 0;
    auto pick = [&](auto &container) {
        auto it = container.begin();
        std::advance(it, long(rng() % container.size()));
        return it;
    };
    auto apply = [&]() {
        for (const PoolAction &a : pool.takeActions()) {
            switch (a.kind) {
            case PoolAction::Launch:
                workers[a.worker] = {a.resourceClass, WorkerState::Pending, 0};
                break;
            case PoolAction::Dispatch:
                QVERIFY(queued.erase(a.task) == 1);
                QCOMPARE(taskClass[a.task], workers.at(a.worker).cls);
                workers.at(a.worker).state = WorkerState::Busy;
                workers.at(a.worker).task = a.task;
                break;
            case PoolAction::Stop:
                QVERIFY(workers.at(a.worker).state != WorkerState::Busy);
                workers.erase(a.worker);
                break;
            case PoolAction::FailTask:
                if (a.attempt == 0) // else it ran on a lost worker: not queued
                    QVERIFY(queued.erase(a.task) == 1);
                break;
            case PoolAction::Requeued:
                QVERIFY(queued.insert(a.task).second);
                break;
            case PoolAction::CancelRunning:
            case PoolAction::Probe:
            case PoolAction::Lose:
                break;
            }
        }
    };
    for (int step = 0; step < 20000; ++step) {
        now += rng() % 50;
        const unsigned what = rng() % 7;
        if (what <= 1) {
            const QString cls = classes[int(rng() % 3)];
            taskClass[nextTask] = cls;
            queued.insert(nextTask);
            pool.submit(nextTask++, cls, now);
        } else if (what == 2 && !workers.empty()) {
            auto it = pick(workers);
            QCOMPARE(pool.workerJoined(it->first, now), it->second.state == WorkerState::Pending);
            if (it->second.state == WorkerState::Pending)
                it->second.state = WorkerState::Idle;
        } else if (what == 3 && !workers.empty()) {
            auto it = pick(workers);
            if (it->second.state == WorkerState::Busy) {
                it->second.state = WorkerState::Idle;
                it->second.task = 0;
                pool.taskFinished(it->first, now);
            }
        } else if (what == 4 && !workers.empty() && rng() % 4 == 0) {
            auto it = pick(workers);
            QCOMPARE(pool.workerLost(it->first, QStringLiteral("lost"), now), it->second.task);
            workers.erase(it);
        } else if (what == 5 && !queued.empty()) {
            const TaskKey t = *pick(queued);
            QCOMPARE(pool.cancel(t), CancelOutcome::Dequeued);
            queued.erase(t);
        } else {
            pool.tick(now);
        }
        apply();
        int pending = 0;
        int busy = 0;
        int idle = 0;
        for (const auto &[key, w] : workers) {
            QCOMPARE(pool.workerState(key), w.state);
            pending += w.state == WorkerState::Pending;
            busy += w.state == WorkerState::Busy;
            idle += w.state == WorkerState::Idle;
            if (w.state == WorkerState::Idle)
                QCOMPARE(pool.queuedCount(w.cls), 0);
        }
        QCOMPARE(pool.workerCount(), int(workers.size()));
        QVERIFY(pool.workerCount() <= c.maxWorkers);
        if (pool.workerCount() < c.maxWorkers || idle > 0) { // room to give: nobody starves
            for (const QString &cls : classes) {
                int pendingOfClass = 0;
                for (const auto &entry : workers)
                    pendingOfClass += entry.second.cls == cls && entry.second.state == WorkerState::Pending;
                QVERIFY(pool.queuedCount(cls) <= pendingOfClass);
            }
        }
        QCOMPARE(pool.pendingCount(), pending);
        QCOMPARE(pool.runningCount(), busy);
        QCOMPARE(pool.idleCount(), idle);
        QCOMPARE(pool.queuedCount(), int(queued.size()));
    }
    const std::vector<TaskKey> left = pool.shutdown();
    QCOMPARE(std::set<TaskKey>(left.begin(), left.end()), queued);
    QVERIFY(std::is_sorted(left.begin(), left.end()));
}

QTEST_APPLESS_MAIN(TestPool)
#include "tst_pool.moc"
