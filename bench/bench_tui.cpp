// What the terminal monitor spends per event and per redraw, measured in one
// process without a terminal or a daemon, against the floor any monitor
// pays (parsing the JSON line), and projected to a daemon completing 1,000
// tasks a second (each task: task.queued, task.dispatched, task.completed and
// two worker.state events; redraws coalesced to 10 a second).
//
//   build/bench/bench_tui [TASKS=20000]
//
// With --serve it is instead a stand-in daemon, for watching the monitor by hand:
// it answers ping and monitor.subscribe on DIR/.dfm/daemon.sock and sends
// the events of RATE tasks a second for SECONDS, so the real monitor can be
// measured at a rate this machine's real daemon cannot reach.
//
//   build/bench/bench_tui --serve DIR RATE SECONDS

#include "framing.h"
#include "monitormodel.h"
#include "payloads.h"
#include "projectpaths.h"
#include "protocol.h"
#include "screenlayout.h"
#include "statefile.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QTimer>

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>

#include <cstdio>

using namespace dfm;

namespace {

constexpr int kWorkers = 8;
constexpr qint64 kStart = 1'800'000'000'000;

/// The wire lines of `tasks` tasks flowing through kWorkers workers, as a
/// daemon sends them to a monitor.
QList<QByteArray> eventStream(int tasks, qint64 base = kStart)
{
    QList<QByteArray> lines;
    auto add = [&lines](const proto::MonitorEvent &e) { lines << proto::encode(e.toMessage()); };
    for (int i = 0; i < tasks; ++i) {
        const qint64 t = base + i;
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

/// The stand-in daemon: see the file comment. Returns the exit code.
int serve(const QString &dir, int rate, int seconds)
{
    const ProjectPaths paths = ProjectPaths::forRoot(dir);
    QString err;
    if (!ensureDfmDir(paths, &err)) {
        std::fprintf(stderr, "bench_tui: %s\n", qPrintable(err));
        return 1;
    }
    QLocalServer::removeServer(paths.socket);
    QLocalServer server;
    if (!server.listen(paths.socket)) {
        std::fprintf(stderr, "bench_tui: cannot listen on %s: %s\n", qPrintable(paths.socket),
                     qPrintable(server.errorString()));
        return 1;
    }
    DaemonState st;
    st.pid = QCoreApplication::applicationPid();
    st.socket = paths.socket;
    st.runner = QStringLiteral("local");
    st.started = proto::utcStamp(QDateTime::currentMSecsSinceEpoch());
    if (!writeState(paths.stateFile, st, &err)) {
        std::fprintf(stderr, "bench_tui: %s\n", qPrintable(err));
        return 1;
    }
    QList<QLocalSocket *> monitors;
    QObject::connect(&server, &QLocalServer::newConnection, [&] {
        while (QLocalSocket *s = server.nextPendingConnection()) {
            QObject::connect(s, &QLocalSocket::readyRead, s, [s, &monitors] {
                while (s->canReadLine()) {
                    proto::Message m;
                    QString e;
                    if (!proto::parse(s->readLine(), &m, &e))
                        continue;
                    if (m.method == proto::kPing) {
                        s->write(proto::encode(proto::response(m.id, QStringLiteral("pong"))));
                    } else if (m.method == proto::kMonitorSubscribe) {
                        s->write(proto::encode(proto::response(m.id, QStringLiteral("subscribed"))));
                        proto::MonitorEvent snap;
                        snap.kind = proto::MonitorEvent::Snapshot;
                        snap.snapshot.pid = QCoreApplication::applicationPid();
                        snap.snapshot.runner = QStringLiteral("local");
                        snap.snapshot.nowMs = QDateTime::currentMSecsSinceEpoch();
                        snap.snapshot.pool.maxWorkers = kWorkers;
                        s->write(proto::encode(snap.toMessage()));
                        monitors << s;
                    }
                }
            });
            // Queued: a write in the tick loop can report the disconnection
            // while that loop walks `monitors`.
            QObject::connect(
                s, &QLocalSocket::disconnected, s,
                [s, &monitors] {
                    monitors.removeAll(s);
                    s->deleteLater();
                },
                Qt::QueuedConnection);
        }
    });
    // The events of `rate` tasks a second, sent every 10 ms, their times made current.
    const QList<QByteArray> lines = eventStream(rate * seconds, QDateTime::currentMSecsSinceEpoch());
    const qint64 perTick = qMax<qint64>(1, qint64(lines.size()) / (seconds * 100));
    qint64 next = 0;
    QTimer tick;
    QObject::connect(&tick, &QTimer::timeout, [&] {
        if (monitors.isEmpty())
            return;
        const QList<QLocalSocket *> targets = monitors;
        for (qint64 i = 0; i < perTick && next < lines.size(); ++i, ++next)
            for (QLocalSocket *m : targets)
                m->write(lines[next]);
        if (next >= lines.size())
            QCoreApplication::quit();
    });
    tick.start(10);
    const int code = QCoreApplication::exec();
    QFile::remove(paths.stateFile);
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 5 && QByteArrayView(argv[1]) == "--serve")
        return serve(QString::fromLocal8Bit(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]));
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
