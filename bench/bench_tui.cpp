// What the terminal monitor spends per event and per redraw, measured in one
// process without a terminal or a daemon, against the floor any monitor
// pays (parsing the JSON line), and projected to a daemon completing 1,000
// tasks a second (each task: task.queued, task.dispatched, task.completed and
// two worker.state events; redraws coalesced to 10 a second).
//
//   build/bench/bench_tui [TASKS=20000]

#include "monitormodel.h"
#include "payloads.h"
#include "protocol.h"
#include "screenlayout.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>

#include <cstdio>

using namespace dfm;

namespace {

constexpr int kWorkers = 8;
constexpr qint64 kStart = 1'800'000'000'000;

/// The wire lines of `tasks` tasks flowing through kWorkers workers, as a
/// daemon sends them to a monitor.
QList<QByteArray> eventStream(int tasks)
{
    QList<QByteArray> lines;
    auto add = [&lines](const proto::MonitorEvent &e) { lines << proto::encode(e.toMessage()); };
    for (int i = 0; i < tasks; ++i) {
        const qint64 t = kStart + i;
        const QString rid = QStringLiteral("t%1").arg(i);
        const QString name = QStringLiteral("regress.sim_test_%1").arg(i % 500);
        const QString worker = QStringLiteral("w%1").arg(i % kWorkers + 1);
        proto::MonitorEvent q;
        q.kind = proto::MonitorEvent::Queued;
        q.queued = {rid, name, 1 + i % 2, QString(), t, 1};
        add(q);
        proto::MonitorEvent w;
        w.kind = proto::MonitorEvent::WorkerState;
        w.worker.workerId = worker;
        w.worker.hostname = QStringLiteral("build01");
        w.worker.state = proto::kStateBusy;
        w.worker.currentTask = name;
        add(w);
        proto::MonitorEvent d;
        d.kind = proto::MonitorEvent::Dispatched;
        d.dispatched.requestId = rid;
        d.dispatched.name = name;
        d.dispatched.client = 1 + i % 2;
        d.dispatched.workerId = worker;
        d.dispatched.hostname = QStringLiteral("build01");
        d.dispatched.startedMs = t;
        add(d);
        proto::MonitorEvent c;
        c.kind = proto::MonitorEvent::Completed;
        c.completed.requestId = rid;
        c.completed.name = name;
        c.completed.client = 1 + i % 2;
        c.completed.workerId = worker;
        c.completed.status = i % 17 == 0 ? 1 : 0;
        c.completed.durationMs = 5;
        c.completed.timeMs = t + 5;
        // Finish the task queued kWorkers ago, so kWorkers stay running.
        if (i >= kWorkers) {
            c.completed.requestId = QStringLiteral("t%1").arg(i - kWorkers);
            add(c);
            w.worker.state = proto::kStateIdle;
            add(w);
        }
    }
    return lines;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int tasks = argc > 1 ? std::atoi(argv[1]) : 20000;
    const QList<QByteArray> lines = eventStream(tasks);

    // The floor: parsing each line's JSON and nothing else.
    QElapsedTimer t;
    t.start();
    qint64 keep = 0;
    for (const QByteArray &l : lines)
        keep += QJsonDocument::fromJson(l).object().size();
    const double floorNs = double(t.nsecsElapsed()) / lines.size();

    // The monitor's path: framing's parse, decode, apply to the model.
    MonitorModel model;
    proto::MonitorEvent snap;
    snap.kind = proto::MonitorEvent::Snapshot;
    snap.snapshot.pid = 1;
    snap.snapshot.nowMs = kStart;
    model.apply(snap);
    t.restart();
    for (const QByteArray &l : lines) {
        proto::Message m;
        QString err;
        if (proto::parse(l, &m, &err))
            keep += model.apply(m.method, m.params);
    }
    const double eventNs = double(t.nsecsElapsed()) / lines.size();

    // One redraw's layout at 120x40 with the model the stream left.
    tui::View v;
    v.width = 120;
    v.height = 40;
    v.nowMs = kStart + tasks + 1000;
    v.link = tui::View::Link::Connected;
    v.root = QStringLiteral("/home/ann/chip");
    const int layouts = 2000;
    t.restart();
    for (int i = 0; i < layouts; ++i) {
        v.nowMs += 100;
        keep += tui::layoutScreen(model, v).lines.size();
    }
    const double layoutUs = double(t.nsecsElapsed()) / layouts / 1000.0;

    const double eventsPerTask = double(lines.size()) / tasks;
    const double cpu = (1000 * eventsPerTask * eventNs / 1e9 + 10 * layoutUs / 1e6) * 100;
    std::printf("bench_tui: %d tasks, %lld events (%.1f per task), %d running, %zu completions kept\n", tasks,
                qlonglong(lines.size()), eventsPerTask, model.runningCount(), model.recent().size());
    std::printf("  JSON parse alone (floor) : %7.2f us/event\n", floorNs / 1000);
    std::printf("  parse + decode + apply   : %7.2f us/event  (%.2fx the floor)\n", eventNs / 1000, eventNs / floorNs);
    std::printf("  layout 120x40            : %7.2f us/redraw\n", layoutUs);
    std::printf("  projected at 1,000 tasks/s and 10 redraws/s: %.1f%% of a core (ncurses output not included)\n", cpu);
    return keep == 0 ? 1 : 0;
}
