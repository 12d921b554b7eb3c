// The monitors' model, fed events by hand: every event, snapshot then events,
// completions out of order, a worker lost mid-task, two clients with equal
// request ids, unknown events, and the change flags a renderer relies on.

#include "monitormodel.h"

#include <QtTest>

using namespace dfm;
using namespace dfm::proto;

namespace {

MonitorEvent queued(qint64 client, const QString &rid, const QString &cls = QString(), int attempt = 1)
{
    MonitorEvent e;
    e.kind = MonitorEvent::Queued;
    e.queued = TaskQueued{rid, rid, client, cls, 1000, attempt};
    return e;
}

MonitorEvent dispatched(qint64 client, const QString &rid, const QString &worker, qint64 startedMs,
                        const QString &cls = QString())
{
    MonitorEvent e;
    e.kind = MonitorEvent::Dispatched;
    e.dispatched = RunningTask{rid, rid, client, worker, QStringLiteral("host"), cls, startedMs, 1};
    return e;
}

MonitorEvent completed(qint64 client, const QString &rid, const QString &worker, int status, bool cancelled = false,
                       const QString &cls = QString())
{
    MonitorEvent e;
    e.kind = MonitorEvent::Completed;
    e.completed.requestId = rid;
    e.completed.name = rid;
    e.completed.client = client;
    e.completed.workerId = worker;
    e.completed.resourceClass = cls;
    e.completed.status = status;
    e.completed.cancelled = cancelled;
    return e;
}

MonitorEvent worker(const QString &id, const QString &state)
{
    MonitorEvent e;
    e.kind = MonitorEvent::WorkerState;
    e.worker.workerId = id;
    e.worker.state = state;
    return e;
}

MonitorEvent snapshot(const DaemonStatus &s)
{
    MonitorEvent e;
    e.kind = MonitorEvent::Snapshot;
    e.snapshot = s;
    return e;
}

} // namespace

class TestMonitorModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void snapshotFillsEverything()
    {
        DaemonStatus s;
        s.pid = 42;
        s.runner = QStringLiteral("lsf");
        s.nowMs = 100000;
        s.uptimeS = 60;
        s.pool.maxWorkers = 8;
        WorkerInfo w;
        w.workerId = QStringLiteral("w10");
        w.state = QStringLiteral("busy");
        WorkerInfo w2 = w;
        w2.workerId = QStringLiteral("w2");
        w2.state = QStringLiteral("pending");
        s.workers = {w, w2};
        s.running = {RunningTask{QStringLiteral("a"), QStringLiteral("a"), 1, QStringLiteral("w10"), {}, {}, 5000, 1}};
        s.pendingTasks = 2;
        s.queuedByClass.insert(QString(), 2);
        s.queuedByClient.insert(1, 2);
        s.counters.passed = 9;
        s.recent = {TaskCompleted{}};

        MonitorModel m;
        QVERIFY(!m.hasSnapshot());
        QCOMPARE(m.apply(snapshot(s)), unsigned(MonitorModel::Everything));
        QVERIFY(m.hasSnapshot());
        QCOMPARE(m.daemon().pid, 42);
        QCOMPARE(m.daemon().runner, QStringLiteral("lsf"));
        QCOMPARE(m.daemon().pool.maxWorkers, 8);
        QCOMPARE(m.uptimeMs(110000), 70000);
        QCOMPARE(m.workers().size(), 2);
        QCOMPARE(m.workers().first().workerId, QStringLiteral("w2")); // w2 before w10
        QCOMPARE(m.workerCounts().busy, 1);
        QCOMPARE(m.workerCounts().pending, 1);
        QCOMPARE(m.runningCount(), 1);
        QCOMPARE(m.queuedTotal(), 2);
        QCOMPARE(m.totals().passed, 9);
        QCOMPARE(int(m.recent().size()), 1);
    }

    void aTaskGoesFromQueuedToRunningToCompleted()
    {
        MonitorModel m;
        m.apply(snapshot({}));
        QCOMPARE(m.apply(queued(1, QStringLiteral("t"))), unsigned(MonitorModel::QueueChanged | MonitorModel::TotalsChanged));
        QCOMPARE(m.queuedTotal(), 1);
        QCOMPARE(m.queuedByClient().value(1), 1);
        QCOMPARE(m.totals().submitted, 1);
        QCOMPARE(m.apply(dispatched(1, QStringLiteral("t"), QStringLiteral("w1"), 10)),
                 unsigned(MonitorModel::RunningChanged | MonitorModel::QueueChanged));
        QCOMPARE(m.queuedTotal(), 0);
        QVERIFY(m.queuedByClient().isEmpty());
        QCOMPARE(m.runningCount(), 1);
        QCOMPARE(m.apply(completed(1, QStringLiteral("t"), QStringLiteral("w1"), 0)),
                 unsigned(MonitorModel::RunningChanged | MonitorModel::CompletionsChanged | MonitorModel::TotalsChanged));
        QCOMPARE(m.runningCount(), 0);
        QCOMPARE(m.totals().passed, 1);
        QCOMPARE(m.recent().back().requestId, QStringLiteral("t"));
    }

    void twoClientsWithEqualRequestIdsStayApart()
    {
        MonitorModel m;
        m.apply(snapshot({}));
        m.apply(queued(1, QStringLiteral("build")));
        m.apply(queued(2, QStringLiteral("build")));
        QCOMPARE(m.queuedTotal(), 2);
        m.apply(dispatched(1, QStringLiteral("build"), QStringLiteral("w1"), 10));
        m.apply(dispatched(2, QStringLiteral("build"), QStringLiteral("w2"), 20));
        QCOMPARE(m.runningCount(), 2);
        m.apply(completed(2, QStringLiteral("build"), QStringLiteral("w2"), 1));
        const QList<RunningTask> r = m.running();
        QCOMPARE(r.size(), 1);
        QCOMPARE(r.first().client, 1);
        QCOMPARE(m.totals().failed, 1);
    }

    void runningIsLongestFirst()
    {
        MonitorModel m;
        m.apply(dispatched(1, QStringLiteral("young"), QStringLiteral("w1"), 300));
        m.apply(dispatched(1, QStringLiteral("old"), QStringLiteral("w2"), 100));
        m.apply(dispatched(2, QStringLiteral("mid"), QStringLiteral("w3"), 200));
        const QList<RunningTask> r = m.running();
        QCOMPARE(r[0].requestId, QStringLiteral("old"));
        QCOMPARE(r[1].requestId, QStringLiteral("mid"));
        QCOMPARE(r[2].requestId, QStringLiteral("young"));
    }

    void tasksQueuedBeforeTheSnapshotLeaveTheCountsWhenTheyMove()
    {
        DaemonStatus s;
        s.pendingTasks = 2;
        s.queuedByClass.insert(QStringLiteral("big"), 2);
        s.queuedByClient.insert(4, 2);
        MonitorModel m;
        m.apply(snapshot(s));
        m.apply(dispatched(4, QStringLiteral("x"), QStringLiteral("w1"), 1, QStringLiteral("big")));
        QCOMPARE(m.queuedTotal(), 1);
        // Cancelled while still queued: never ran, so no worker.
        m.apply(completed(4, QStringLiteral("y"), QString(), 1, true, QStringLiteral("big")));
        QCOMPARE(m.queuedTotal(), 0);
        QVERIFY(m.queuedByClass().isEmpty());
        QCOMPARE(m.totals().cancelled, 1);
    }

    void completionsOutOfOrderAndForUnknownTasksStillCount()
    {
        MonitorModel m;
        m.apply(snapshot({}));
        // Completed before we saw it dispatched (or from before we attached).
        QCOMPARE(m.apply(completed(1, QStringLiteral("ghost"), QStringLiteral("w9"), 0)),
                 unsigned(MonitorModel::CompletionsChanged | MonitorModel::TotalsChanged));
        QCOMPARE(m.totals().passed, 1);
        QCOMPARE(m.queuedTotal(), 0); // nothing to take off
        m.apply(dispatched(1, QStringLiteral("late"), QStringLiteral("w1"), 5));
        QCOMPARE(m.runningCount(), 1); // a worker it never saw does not matter
    }

    void aWorkerLostMidTaskTakesItsTaskOffRunningUntilRequeued()
    {
        MonitorModel m;
        m.apply(snapshot({}));
        m.apply(worker(QStringLiteral("w1"), QStringLiteral("idle")));
        m.apply(queued(1, QStringLiteral("t")));
        m.apply(dispatched(1, QStringLiteral("t"), QStringLiteral("w1"), 5));
        m.apply(worker(QStringLiteral("w1"), QStringLiteral("busy")));
        QCOMPARE(m.apply(worker(QStringLiteral("w1"), QStringLiteral("lost"))),
                 unsigned(MonitorModel::WorkersChanged | MonitorModel::RunningChanged));
        QCOMPARE(m.workers().size(), 0);
        QCOMPARE(m.runningCount(), 0);
        m.apply(queued(1, QStringLiteral("t"), QString(), 2));
        QCOMPARE(m.queuedTotal(), 1);
        QCOMPARE(m.totals().retried, 1);
        QCOMPARE(m.totals().submitted, 1);
        m.apply(dispatched(1, QStringLiteral("t"), QStringLiteral("w2"), 9));
        m.apply(completed(1, QStringLiteral("t"), QStringLiteral("w2"), 0));
        QCOMPARE(m.queuedTotal(), 0);
        QCOMPARE(m.totals().passed, 1);
    }

    void clientsComeAndGo()
    {
        MonitorModel m;
        MonitorEvent c;
        c.kind = MonitorEvent::ClientConnected;
        c.client = ClientInfo{3, 555, QStringLiteral("dfm run")};
        QCOMPARE(m.apply(c), unsigned(MonitorModel::ClientsChanged));
        QCOMPARE(m.clientLabel(3), QStringLiteral("run 3 (pid 555)"));
        QCOMPARE(m.clientLabel(4), QStringLiteral("run 4"));
        c.kind = MonitorEvent::ClientDisconnected;
        QCOMPARE(m.apply(c), unsigned(MonitorModel::ClientsChanged));
        QCOMPARE(m.apply(c), unsigned(MonitorModel::NoChange));
        QVERIFY(m.clients().isEmpty());
    }

    void unknownEventsAndRepeatsChangeNothing()
    {
        MonitorModel m;
        QCOMPARE(m.apply(QStringLiteral("pool.scaled"), {}), unsigned(MonitorModel::NoChange));
        QCOMPARE(m.apply(QStringLiteral("log"), {{QStringLiteral("x"), 1}}), unsigned(MonitorModel::NoChange));
        m.apply(queued(1, QStringLiteral("t")));
        QCOMPARE(m.apply(queued(1, QStringLiteral("t"))), unsigned(MonitorModel::NoChange));
        QCOMPARE(m.queuedTotal(), 1);
    }

    void recentIsBounded()
    {
        MonitorModel m(3);
        for (int i = 0; i < 5; ++i)
            m.apply(completed(1, QString::number(i), QStringLiteral("w1"), 0));
        QCOMPARE(int(m.recent().size()), 3);
        QCOMPARE(m.recent().front().requestId, QStringLiteral("2"));
        QCOMPARE(m.totals().passed, 5);
    }

    void clearForgetsEverything()
    {
        MonitorModel m;
        m.apply(snapshot({}));
        m.apply(queued(1, QStringLiteral("t")));
        QCOMPARE(m.clear(), unsigned(MonitorModel::Everything));
        QVERIFY(!m.hasSnapshot());
        QCOMPARE(m.queuedTotal(), 0);
    }
};

QTEST_APPLESS_MAIN(TestMonitorModel)
#include "tst_monitormodel.moc"
