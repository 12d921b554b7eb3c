// `dfm daemon status` as people read it: the MonitorModel built from a
// snapshot, formatted as exact text.

#include "format.h"
#include "monitormodel.h"

#include <QtTest>

using namespace dfm;

namespace {

constexpr qint64 kNow = 1'700'000'000'000;

proto::DaemonStatus busyDaemon()
{
    proto::DaemonStatus s;
    s.pid = 4242;
    s.runner = QStringLiteral("local");
    s.socket = QStringLiteral("/p/.dfm/daemon.sock");
    s.started = QStringLiteral("2023-11-14T22:08:20Z");
    s.nowMs = kNow;
    s.uptimeS = 3600;
    s.pool.maxWorkers = 4;
    proto::WorkerInfo w;
    w.workerId = QStringLiteral("w1");
    w.state = QStringLiteral("busy");
    w.hostname = QStringLiteral("node7");
    w.jobId = QStringLiteral("1234");
    w.tasksDone = 3;
    w.currentTask = QStringLiteral("sim_big");
    s.workers = {w};
    proto::RunningTask t;
    t.requestId = QStringLiteral("sim_big");
    t.name = QStringLiteral("sim_big");
    t.client = 3;
    t.workerId = QStringLiteral("w1");
    t.hostname = QStringLiteral("node7");
    t.startedMs = kNow - 65'000;
    s.running = {t};
    s.runningTasks = 1;
    s.pendingTasks = 3;
    s.queuedByClass = {{QString(), 2}, {QStringLiteral("big"), 1}};
    s.queuedByClient = {{3, 3}};
    s.clientList = {proto::ClientInfo{3, 777, QStringLiteral("dfm run")}};
    s.counters.passed = 5;
    s.counters.failed = 1;
    proto::TaskCompleted ok;
    ok.name = QStringLiteral("build");
    ok.durationMs = 1200;
    ok.timeMs = kNow - 90'000;
    proto::TaskCompleted bad;
    bad.name = QStringLiteral("test_random");
    bad.status = 1;
    bad.durationMs = 300;
    bad.timeMs = kNow - 5'000;
    bad.log = QStringLiteral("/p/rundir/test_random/test_random.log");
    s.recent = {ok, bad};
    return s;
}

} // namespace

class TestFormat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void statusSaysWhatTheDaemonIsDoing()
    {
        MonitorModel model;
        proto::MonitorEvent e;
        e.kind = proto::MonitorEvent::Snapshot;
        e.snapshot = busyDaemon();
        model.apply(e);
        QCOMPARE(fmt::daemonStatus(model, kNow, QStringLiteral("/p")),
                 QStringLiteral("dfm daemon: running (pid 4242), runner local\n"
                                "  project:  /p\n"
                                "  socket:   /p/.dfm/daemon.sock\n"
                                "  started:  2023-11-14T22:08:20Z (up 1h 00m)\n"
                                "  workers:  1 (1 busy, 0 idle, 0 pending), max 4\n"
                                "  tasks:    1 running, 3 queued; 5 passed, 1 failed, 0 cancelled\n"
                                "  queued:   by class (default) 2, big 1; by client run 3 (pid 777): 3\n"
                                "\n"
                                "  WORKER   STATE    CLASS      HOST             JOB          DONE TASK\n"
                                "  w1       busy     -          node7            1234            3 sim_big\n"
                                "\n"
                                "  RUNNING                  FOR      HOST             WORKER   CLIENT\n"
                                "  sim_big                  1m 05s   node7            w1       run 3 (pid 777)\n"
                                "\n"
                                "  RECENT (the last 2 of 2, newest last)\n"
                                "  1m 30s ago   passed    build                    1.2s\n"
                                "  5.0s ago     FAILED    test_random              300ms    status 1 log: "
                                "/p/rundir/test_random/test_random.log\n"));
    }

    void idleDaemonHasNoTables()
    {
        proto::DaemonStatus s;
        s.pid = 1;
        s.runner = QStringLiteral("local");
        s.nowMs = kNow;
        s.started = QStringLiteral("2023-11-14T22:08:20Z");
        MonitorModel model;
        proto::MonitorEvent e;
        e.kind = proto::MonitorEvent::Snapshot;
        e.snapshot = s;
        model.apply(e);
        const QString out = fmt::daemonStatus(model, kNow, QStringLiteral("/p"));
        QVERIFY2(out.endsWith(QStringLiteral("  tasks:    0 running, 0 queued; 0 passed, 0 failed, 0 cancelled\n")), qPrintable(out));
    }
};

QTEST_APPLESS_MAIN(TestFormat)
#include "tst_format.moc"
