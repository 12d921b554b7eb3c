// What the desktop monitor's tables add to a burst of events: 60,000 monitor
// events (20,000 tasks queued, dispatched on 64 workers, completed) applied
// to a MonitorModel alone (the baseline every monitor pays), then again with
// the three table models and their sorting proxies synced every 1,000
// events, as the window's 100 ms flush does under a burst of 10,000 events
// a second. Prints both times, the ratio and the cost of one flush.

#include "completedtablemodel.h"
#include "runningtablemodel.h"
#include "tableview.h"
#include "workertablemodel.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSortFilterProxyModel>

#include <cstdio>

using namespace dfm;
using namespace dfm::proto;

namespace {

constexpr int kTasks = 20000;
constexpr int kWorkers = 64;
constexpr int kEventsPerFlush = 1000;

QList<MonitorEvent> makeEvents()
{
    QList<MonitorEvent> out;
    MonitorEvent snap;
    snap.kind = MonitorEvent::Snapshot;
    snap.snapshot.runner = QStringLiteral("local");
    out.append(snap);
    for (int w = 0; w < kWorkers; ++w) {
        MonitorEvent e;
        e.kind = MonitorEvent::WorkerState;
        e.worker.workerId = QStringLiteral("w%1").arg(w + 1);
        e.worker.state = QStringLiteral("idle");
        out.append(e);
    }
    // Tasks overlap: each completes kWorkers tasks after it was dispatched.
    for (int i = 0; i < kTasks + kWorkers; ++i) {
        if (i < kTasks) {
            const QString rid = QStringLiteral("sim_%1").arg(i);
            MonitorEvent q;
            q.kind = MonitorEvent::Queued;
            q.queued = TaskQueued{rid, rid, 1, QString(), i, 1};
            out.append(q);
            MonitorEvent d;
            d.kind = MonitorEvent::Dispatched;
            d.dispatched = RunningTask{rid, rid, 1, QStringLiteral("w%1").arg(i % kWorkers + 1), QStringLiteral("h"),
                                       QString(), qint64(i), 1};
            out.append(d);
        }
        if (i >= kWorkers) {
            const int j = i - kWorkers;
            MonitorEvent c;
            c.kind = MonitorEvent::Completed;
            c.completed.requestId = c.completed.name = QStringLiteral("sim_%1").arg(j);
            c.completed.client = 1;
            c.completed.workerId = QStringLiteral("w%1").arg(j % kWorkers + 1);
            c.completed.status = j % 13 == 0 ? 1 : 0;
            c.completed.durationMs = j % 5000;
            c.completed.timeMs = j;
            out.append(c);
        }
    }
    return out;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QList<MonitorEvent> events = makeEvents();

    QElapsedTimer t;
    t.start();
    {
        MonitorModel m;
        for (const MonitorEvent &e : events)
            m.apply(e);
    }
    const double baseMs = t.nsecsElapsed() / 1e6;

    MonitorModel m;
    gui::RunningTableModel running;
    gui::CompletedTableModel completed;
    gui::WorkerTableModel workers;
    QSortFilterProxyModel *p1 = gui::makeProxy(&running, gui::RunningTableModel::Task, &app);
    QSortFilterProxyModel *p2 = gui::makeProxy(&completed, gui::CompletedTableModel::Task, &app);
    QSortFilterProxyModel *p3 = gui::makeProxy(&workers, gui::WorkerTableModel::CurrentTask, &app);
    p1->sort(gui::RunningTableModel::Elapsed, Qt::DescendingOrder);
    p2->sort(gui::CompletedTableModel::Finished, Qt::DescendingOrder);
    p3->sort(gui::WorkerTableModel::Id, Qt::AscendingOrder);
    int flushes = 0;
    unsigned flags = 0;
    t.restart();
    auto flush = [&] {
        if (flags & (MonitorModel::RunningChanged | MonitorModel::ClientsChanged))
            running.sync(m);
        if (flags & (MonitorModel::CompletionsChanged | MonitorModel::ClientsChanged))
            completed.sync(m);
        if (flags & MonitorModel::WorkersChanged)
            workers.sync(m);
        flags = 0;
        ++flushes;
    };
    for (int i = 0; i < events.size(); ++i) {
        flags |= m.apply(events.at(i));
        if ((i + 1) % kEventsPerFlush == 0)
            flush();
    }
    flush();
    const double guiMs = t.nsecsElapsed() / 1e6;
    std::printf("bench_guiflush: %lld events, %d tasks, %d workers\n", qlonglong(events.size()), kTasks, kWorkers);
    std::printf("  MonitorModel alone (baseline):          %8.1f ms\n", baseMs);
    std::printf("  + table models and proxies, %3d flushes: %8.1f ms (%.1fx the baseline)\n", flushes, guiMs,
                guiMs / baseMs);
    std::printf("  per flush of %d events:                 %8.2f ms (the window flushes every 100 ms)\n",
                kEventsPerFlush, (guiMs - baseMs) / flushes);
    std::printf("  rows at the end: running %d, completed %d, workers %d\n", p1->rowCount(), p2->rowCount(),
                p3->rowCount());
    return 0;
}
