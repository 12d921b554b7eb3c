// The desktop monitor's item models, fed by a MonitorModel driven by
// hand-made events: rows appear, move from running to completed, results are
// coloured and sort by value, the filter matches task names, a worker lost
// mid-task leaves both tables, a burst is applied in ranges without a reset,
// and a selection survives updates. Also the chart's bins and the words of
// the status bar and the no-daemon page.

#include "completedtablemodel.h"
#include "guiformat.h"
#include "palette.h"
#include "runningtablemodel.h"
#include "tableview.h"
#include "throughput.h"
#include "workertablemodel.h"

#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QtTest>

using namespace dfm;
using namespace dfm::gui;
using namespace dfm::proto;

namespace {

MonitorEvent queued(qint64 client, const QString &rid, int attempt = 1)
{
    MonitorEvent e;
    e.kind = MonitorEvent::Queued;
    e.queued = TaskQueued{rid, rid, client, QString(), 1000, attempt};
    return e;
}

MonitorEvent dispatched(qint64 client, const QString &rid, const QString &worker, qint64 startedMs)
{
    MonitorEvent e;
    e.kind = MonitorEvent::Dispatched;
    e.dispatched = RunningTask{rid, rid, client, worker, QStringLiteral("host1"), QString(), startedMs, 1};
    return e;
}

MonitorEvent completed(qint64 client, const QString &rid, int status, qint64 durationMs, bool cancelled = false)
{
    MonitorEvent e;
    e.kind = MonitorEvent::Completed;
    e.completed.requestId = rid;
    e.completed.name = rid;
    e.completed.client = client;
    e.completed.workerId = QStringLiteral("w1");
    e.completed.status = status;
    e.completed.cancelled = cancelled;
    e.completed.durationMs = durationMs;
    e.completed.timeMs = 1700000000000 + durationMs;
    e.completed.log = QStringLiteral("/p/rundir/%1/%1.log").arg(rid);
    return e;
}

MonitorEvent worker(const QString &id, const QString &state, const QString &task = QString())
{
    MonitorEvent e;
    e.kind = MonitorEvent::WorkerState;
    e.worker.workerId = id;
    e.worker.hostname = QStringLiteral("host1");
    e.worker.state = state;
    e.worker.currentTask = task;
    return e;
}

MonitorEvent snapshot(const DaemonStatus &s)
{
    MonitorEvent e;
    e.kind = MonitorEvent::Snapshot;
    e.snapshot = s;
    return e;
}

MonitorEvent emptySnapshot()
{
    DaemonStatus s;
    s.pid = 7;
    s.runner = QStringLiteral("local");
    return snapshot(s);
}

QStringList column(const QAbstractItemModel &m, int col, int role = Qt::DisplayRole)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << m.index(r, col).data(role).toString();
    return out;
}

} // namespace

class TestGuiModels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runningRowsAppearWithTheirRunAndTick()
    {
        DaemonStatus s;
        ClientInfo c;
        c.client = 3;
        c.pid = 4242;
        s.clientList = {c};
        MonitorModel m;
        m.apply(snapshot(s));
        m.apply(dispatched(3, QStringLiteral("sim_a"), QStringLiteral("w1"), 10000));
        m.apply(dispatched(4, QStringLiteral("sim_b"), QStringLiteral("w2"), 5000));
        RunningTableModel t;
        QSignalSpy inserted(&t, &QAbstractItemModel::rowsInserted);
        t.sync(m);
        QCOMPARE(t.rowCount(), 2);
        QCOMPARE(t.columnCount(), int(RunningTableModel::ColumnCount));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(column(t, RunningTableModel::Task), (QStringList{QStringLiteral("sim_b"), QStringLiteral("sim_a")}));
        QCOMPARE(column(t, RunningTableModel::Run),
                 (QStringList{QStringLiteral("run 4"), QStringLiteral("run 3 (pid 4242)")}));
        QCOMPARE(column(t, RunningTableModel::Worker), (QStringList{QStringLiteral("w2"), QStringLiteral("w1")}));
        QCOMPARE(column(t, RunningTableModel::Host), (QStringList{QStringLiteral("host1"), QStringLiteral("host1")}));

        QSignalSpy changed(&t, &QAbstractItemModel::dataChanged);
        t.setNow(22300);
        QCOMPARE(changed.count(), 1); // one range: the Elapsed column of every row
        QCOMPARE(changed.at(0).at(0).toModelIndex(), t.index(0, RunningTableModel::Elapsed));
        QCOMPARE(changed.at(0).at(1).toModelIndex(), t.index(1, RunningTableModel::Elapsed));
        QCOMPARE(column(t, RunningTableModel::Elapsed), (QStringList{QStringLiteral("17.3s"), QStringLiteral("12.3s")}));
        QCOMPARE(t.index(0, RunningTableModel::Elapsed).data(SortRole).toLongLong(), 17300);
    }

    void taskMovesFromRunningToCompleted()
    {
        MonitorModel m;
        m.apply(emptySnapshot());
        m.apply(queued(1, QStringLiteral("build")));
        m.apply(dispatched(1, QStringLiteral("build"), QStringLiteral("w1"), 1000));
        RunningTableModel running;
        CompletedTableModel done;
        running.sync(m);
        done.sync(m);
        QCOMPARE(running.rowCount(), 1);
        QCOMPARE(done.rowCount(), 0);

        QSignalSpy removed(&running, &QAbstractItemModel::rowsRemoved);
        m.apply(completed(1, QStringLiteral("build"), 0, 2500));
        running.sync(m);
        done.sync(m);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(running.rowCount(), 0);
        QCOMPARE(done.rowCount(), 1);
        QCOMPARE(done.index(0, CompletedTableModel::Task).data().toString(), QStringLiteral("build"));
        QCOMPARE(done.index(0, CompletedTableModel::Result).data().toString(), QStringLiteral("passed"));
        QCOMPARE(done.index(0, CompletedTableModel::Exit).data().toInt(), 0);
        QCOMPARE(done.index(0, CompletedTableModel::Duration).data().toString(), QStringLiteral("2.5s"));
        QCOMPARE(done.index(0, CompletedTableModel::Run).data().toString(), QStringLiteral("run 1"));
        QCOMPARE(done.index(0, 0).data(LogRole).toString(), QStringLiteral("/p/rundir/build/build.log"));
    }

    void resultsAreColouredAndSortByValue()
    {
        MonitorModel m;
        m.apply(emptySnapshot());
        m.apply(completed(1, QStringLiteral("ok"), 0, 900));
        m.apply(completed(1, QStringLiteral("bad"), 10, 61000));
        m.apply(completed(1, QStringLiteral("bad9"), 9, 5000));
        m.apply(completed(1, QStringLiteral("stopped"), 143, 100, true));
        CompletedTableModel done;
        done.sync(m);
        auto fg = [&](int row) { return done.index(row, CompletedTableModel::Result).data(Qt::ForegroundRole).value<QColor>(); };
        auto bg = [&](int row) { return done.index(row, CompletedTableModel::Result).data(Qt::BackgroundRole).value<QColor>(); };
        QCOMPARE(column(done, CompletedTableModel::Result),
                 (QStringList{QStringLiteral("passed"), QStringLiteral("FAILED"), QStringLiteral("FAILED"),
                              QStringLiteral("cancelled")}));
        QCOMPARE(fg(0), palette::passed());
        QCOMPARE(bg(0), palette::passedBack());
        QCOMPARE(fg(1), palette::failed());
        QCOMPARE(bg(1), palette::failedBack());
        QCOMPARE(fg(3), palette::cancelled());
        QCOMPARE(done.index(0, CompletedTableModel::Task).data(Qt::ForegroundRole), QVariant()); // only the result

        QSortFilterProxyModel *proxy = makeProxy(&done, CompletedTableModel::Task, this);
        proxy->sort(CompletedTableModel::Duration, Qt::AscendingOrder); // by milliseconds, not by text
        QCOMPARE(column(*proxy, CompletedTableModel::Task),
                 (QStringList{QStringLiteral("stopped"), QStringLiteral("ok"), QStringLiteral("bad9"), QStringLiteral("bad")}));
        proxy->sort(CompletedTableModel::Exit, Qt::DescendingOrder); // 143 > 10 > 9 as numbers
        QCOMPARE(column(*proxy, CompletedTableModel::Exit),
                 (QStringList{QStringLiteral("143"), QStringLiteral("10"), QStringLiteral("9"), QStringLiteral("0")}));
    }

    void filterKeepsTaskNamesThatMatch()
    {
        MonitorModel m;
        m.apply(emptySnapshot());
        for (const char *name : {"test_smoke", "test_random", "lint", "SMOKE_big"})
            m.apply(dispatched(1, QLatin1String(name), QStringLiteral("w1"), 1000));
        RunningTableModel t;
        t.sync(m);
        QSortFilterProxyModel *proxy = makeProxy(&t, RunningTableModel::Task, this);
        proxy->sort(RunningTableModel::Task, Qt::AscendingOrder);
        proxy->setFilterFixedString(QStringLiteral("smoke"));
        QCOMPARE(column(*proxy, RunningTableModel::Task), (QStringList{QStringLiteral("SMOKE_big"), QStringLiteral("test_smoke")}));
        // Rows arriving later are filtered too.
        m.apply(dispatched(2, QStringLiteral("smoke_late"), QStringLiteral("w2"), 2000));
        m.apply(dispatched(2, QStringLiteral("other"), QStringLiteral("w3"), 2000));
        t.sync(m);
        QCOMPARE(column(*proxy, RunningTableModel::Task),
                 (QStringList{QStringLiteral("SMOKE_big"), QStringLiteral("smoke_late"), QStringLiteral("test_smoke")}));
        proxy->setFilterFixedString(QString());
        QCOMPARE(proxy->rowCount(), 6);
    }

    void workerLostMidTaskLeavesBothTablesAndTheRetryShows()
    {
        DaemonStatus s;
        WorkerInfo w1;
        w1.workerId = QStringLiteral("w1");
        w1.hostname = QStringLiteral("host1");
        w1.state = QStringLiteral("busy");
        w1.currentTask = QStringLiteral("sim");
        w1.tasksDone = 3;
        s.workers = {w1};
        s.running = {RunningTask{QStringLiteral("sim"), QStringLiteral("sim"), 1, QStringLiteral("w1"),
                                 QStringLiteral("host1"), QString(), 1000, 1}};
        MonitorModel m;
        m.apply(snapshot(s));
        m.apply(worker(QStringLiteral("w2"), QStringLiteral("idle")));
        RunningTableModel running;
        WorkerTableModel workers;
        running.sync(m);
        workers.sync(m);
        QCOMPARE(column(workers, WorkerTableModel::Id), (QStringList{QStringLiteral("w1"), QStringLiteral("w2")}));
        QCOMPARE(column(workers, WorkerTableModel::CurrentTask), (QStringList{QStringLiteral("sim"), QString()}));
        QCOMPARE(workers.index(0, WorkerTableModel::TasksDone).data().toInt(), 3);
        QCOMPARE(workers.index(0, WorkerTableModel::State).data(Qt::ForegroundRole).value<QColor>(), palette::busy());
        QCOMPARE(workers.index(1, WorkerTableModel::State).data(Qt::ForegroundRole).value<QColor>(), palette::idle());
        QCOMPARE(running.rowCount(), 1);

        m.apply(worker(QStringLiteral("w1"), QStringLiteral("lost")));
        running.sync(m);
        workers.sync(m);
        QCOMPARE(running.rowCount(), 0);
        QCOMPARE(column(workers, WorkerTableModel::Id), (QStringList{QStringLiteral("w2")}));

        // Requeued and dispatched again on the other worker.
        m.apply(queued(1, QStringLiteral("sim"), 2));
        m.apply(dispatched(1, QStringLiteral("sim"), QStringLiteral("w2"), 3000));
        m.apply(worker(QStringLiteral("w2"), QStringLiteral("busy"), QStringLiteral("sim")));
        QSignalSpy workerChanged(&workers, &QAbstractItemModel::dataChanged);
        running.sync(m);
        workers.sync(m);
        QCOMPARE(column(running, RunningTableModel::Worker), (QStringList{QStringLiteral("w2")}));
        QCOMPARE(workerChanged.count(), 1);
        QCOMPARE(column(workers, WorkerTableModel::State), (QStringList{QStringLiteral("busy")}));
        QCOMPARE(column(workers, WorkerTableModel::CurrentTask), (QStringList{QStringLiteral("sim")}));
    }

    void workersSortByIdAsNumbers()
    {
        MonitorModel m;
        m.apply(emptySnapshot());
        for (const char *id : {"w10", "w2", "w1"})
            m.apply(worker(QLatin1String(id), QStringLiteral("idle")));
        WorkerTableModel t;
        t.sync(m);
        QSortFilterProxyModel *proxy = makeProxy(&t, WorkerTableModel::CurrentTask, this);
        proxy->sort(WorkerTableModel::Id, Qt::AscendingOrder);
        QCOMPARE(column(*proxy, WorkerTableModel::Id),
                 (QStringList{QStringLiteral("w1"), QStringLiteral("w2"), QStringLiteral("w10")}));
        QCOMPARE(t.index(0, WorkerTableModel::Job).data().toString(), QStringLiteral("-")); // local: no job
        QCOMPARE(t.index(0, WorkerTableModel::Class).data().toString(), QStringLiteral("default"));
        WorkerInfo lsf;
        lsf.jobId = QStringLiteral("4242");
        lsf.schedulerState = QStringLiteral("PEND: queue full");
        QCOMPARE(WorkerTableModel::jobText(lsf), QStringLiteral("4242 PEND: queue full"));
        lsf.schedulerState.clear();
        QCOMPARE(WorkerTableModel::jobText(lsf), QStringLiteral("4242"));
    }

    void burstIsAppliedInRangesWithoutAReset()
    {
        MonitorModel m(200);
        m.apply(emptySnapshot());
        RunningTableModel running;
        CompletedTableModel done;
        QSignalSpy resets(&done, &QAbstractItemModel::modelReset);
        QSignalSpy runningResets(&running, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&done, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&done, &QAbstractItemModel::rowsRemoved);
        // Five flushes of 1,000 tasks each: queued, dispatched, completed.
        for (int batch = 0; batch < 5; ++batch) {
            for (int i = 0; i < 1000; ++i) {
                const QString rid = QStringLiteral("t%1").arg(batch * 1000 + i);
                m.apply(queued(1, rid));
                m.apply(dispatched(1, rid, QStringLiteral("w%1").arg(i % 16), 1000));
                m.apply(completed(1, rid, i % 7 == 0 ? 1 : 0, i));
            }
            running.sync(m);
            done.sync(m);
        }
        QCOMPARE(resets.count(), 0);
        QCOMPARE(runningResets.count(), 0);
        QCOMPARE(inserted.count(), 5); // one insert per flush
        QCOMPARE(removed.count(), 4);  // the rows trimmed off the front, one range per flush
        QCOMPARE(done.rowCount(), 200);
        QCOMPARE(done.index(0, CompletedTableModel::Task).data().toString(), QStringLiteral("t4800"));
        QCOMPARE(done.index(199, CompletedTableModel::Task).data().toString(), QStringLiteral("t4999"));
        QCOMPARE(running.rowCount(), 0);
    }

    void selectionSurvivesUpdates()
    {
        MonitorModel m;
        m.apply(emptySnapshot());
        m.apply(dispatched(1, QStringLiteral("b"), QStringLiteral("w1"), 1000));
        m.apply(dispatched(1, QStringLiteral("d"), QStringLiteral("w2"), 1000));
        RunningTableModel t;
        t.sync(m);
        QSortFilterProxyModel *proxy = makeProxy(&t, RunningTableModel::Task, this);
        QTableView *view = makeTableView(proxy, RunningTableModel::Task, Qt::AscendingOrder, nullptr);
        view->selectRow(1);
        QCOMPARE(view->selectionModel()->selectedRows(RunningTableModel::Task).value(0).data().toString(),
                 QStringLiteral("d"));

        m.apply(dispatched(1, QStringLiteral("a"), QStringLiteral("w3"), 2000));
        m.apply(dispatched(1, QStringLiteral("c"), QStringLiteral("w4"), 2000));
        m.apply(completed(1, QStringLiteral("b"), 0, 10));
        t.sync(m);
        t.setNow(50000);
        QCOMPARE(column(*proxy, RunningTableModel::Task),
                 (QStringList{QStringLiteral("a"), QStringLiteral("c"), QStringLiteral("d")}));
        const QModelIndexList sel = view->selectionModel()->selectedRows(RunningTableModel::Task);
        QCOMPARE(sel.size(), 1);
        QCOMPARE(sel.at(0).data().toString(), QStringLiteral("d"));
        QCOMPARE(view->currentIndex().siblingAtColumn(RunningTableModel::Task).data().toString(), QStringLiteral("d"));
        delete view;
    }

    void snapshotAfterReconnectKeepsRowsThatStayed()
    {
        MonitorModel m;
        m.apply(emptySnapshot());
        m.apply(completed(1, QStringLiteral("x"), 0, 10));
        CompletedTableModel done;
        done.sync(m);
        QSignalSpy removed(&done, &QAbstractItemModel::rowsRemoved);
        // A new snapshot listing the same completion: nothing moves.
        DaemonStatus s;
        s.recent = {completed(1, QStringLiteral("x"), 0, 10).completed};
        m.apply(snapshot(s));
        done.sync(m);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(done.rowCount(), 1);
        // The daemon gone: the rows go.
        m.clear();
        done.sync(m);
        QCOMPARE(done.rowCount(), 0);
    }

    void throughputCountsPerMinuteForAnHour()
    {
        Throughput t;
        const qint64 base = 1700000000000 / 60000 * 60000; // a minute's start
        t.add(base + 1000, 2, 0);
        t.add(base + 59000, 1, 1);
        t.add(base + 60000, 0, 3);
        t.add(base - 30 * 60000, 5, 0);
        QList<Throughput::Bin> bins = t.bins(base + 61000);
        QCOMPARE(bins.size(), Throughput::kMinutes);
        QCOMPARE(bins.at(59).failed, 3);
        QCOMPARE(bins.at(58).passed, 3);
        QCOMPARE(bins.at(58).failed, 1);
        QCOMPARE(bins.at(28).passed, 5);
        // An hour on, the old minutes have scrolled out.
        bins = t.bins(base + 61 * 60000);
        int total = 0;
        for (const Throughput::Bin &b : bins)
            total += b.total();
        QCOMPARE(total, 0);
        t.add(base + 200 * 60000, 1, 0); // and are dropped once something newer arrives
        QCOMPARE(t.bins(base + 60000).at(59).total(), 0);
    }

    void statusSummarySaysWorkersAndTasks()
    {
        DaemonStatus s;
        s.runner = QStringLiteral("local");
        s.nowMs = 1000000;
        s.uptimeS = 245;
        WorkerInfo busy, idle, pending;
        busy.workerId = QStringLiteral("w1");
        busy.state = QStringLiteral("busy");
        idle.workerId = QStringLiteral("w2");
        idle.state = QStringLiteral("idle");
        pending.workerId = QStringLiteral("w3");
        pending.state = QStringLiteral("pending");
        s.workers = {busy, idle, pending};
        s.running = {RunningTask{QStringLiteral("r"), QStringLiteral("r"), 1, QStringLiteral("w1"), QString(), QString(), 1, 1}};
        s.pendingTasks = 5;
        s.counters.passed = 40;
        s.counters.failed = 3;
        MonitorModel m;
        m.apply(snapshot(s));
        QCOMPARE(statusSummary(m, 1000000),
                 QStringLiteral("up 4m 05s \u00b7 runner local \u00b7 workers 3: 1 busy, 1 idle, 1 pending \u00b7 "
                                "tasks 1 running, 5 queued, 43 completed, 3 failed"));
        m.apply(completed(1, QStringLiteral("c"), 143, 1, true));
        QVERIFY(statusSummary(m, 1000000).endsWith(QStringLiteral("44 completed, 3 failed, 1 cancelled")));
    }

    void waitingPageNamesTheProjectAndTheCommand()
    {
        QCOMPARE(waitingText(MonitorSession::State::Gone, QStringLiteral("/p/my proj"), QStringLiteral("no socket"), 1000),
                 QStringLiteral("No daemon answers for /p/my proj.\n\nStart one with:\n\n"
                                "    dfm daemon start --root '/p/my proj'\n\n"
                                "This window connects by itself once it runs (trying every 1.0s).\n\n"
                                "Last attempt: no socket"));
        QCOMPARE(waitingText(MonitorSession::State::Connecting, QStringLiteral("/p"), QString(), 1000),
                 QStringLiteral("Connecting to the daemon of /p ..."));
        QCOMPARE(startCommand(QStringLiteral("/home/u/proj-1")), QStringLiteral("dfm daemon start --root /home/u/proj-1"));
        QCOMPARE(shellQuote(QStringLiteral("/it's")), QStringLiteral("'/it'\\''s'"));
        QCOMPARE(stateText(MonitorSession::State::Gone), QStringLiteral("daemon gone"));
    }
};

QTEST_MAIN(TestGuiModels)
#include "tst_guimodels.moc"
