// The terminal monitor's screen layout, without a terminal: exact screens at
// 80x24, the geometry at 200x60, too-small terminals, long and hostile task
// names, scrolling, and two runs with the same task name.

#include "monitormodel.h"
#include "screenlayout.h"
#include "screentext.h"

#include <QtTest>

using namespace dfm;
using namespace dfm::tui;

namespace {

constexpr qint64 kNow = 1'800'000'000'000; /* the daemon's clock at the snapshot */

proto::RunningTask running(const QString &name, qint64 client, const QString &worker, qint64 ageMs,
                           const QString &host = QStringLiteral("build01"))
{
    proto::RunningTask t;
    t.requestId = QStringLiteral("%1-%2").arg(name).arg(client);
    t.name = name;
    t.client = client;
    t.workerId = worker;
    t.hostname = host;
    t.startedMs = kNow - ageMs;
    return t;
}

proto::TaskCompleted completed(const QString &name, qint64 client, const QString &worker, int status,
                               qint64 durationMs, bool cancelled = false)
{
    proto::TaskCompleted c;
    c.requestId = name;
    c.name = name;
    c.client = client;
    c.workerId = worker;
    c.hostname = QStringLiteral("build01");
    c.status = status;
    c.cancelled = cancelled;
    c.durationMs = durationMs;
    c.timeMs = kNow - 1000;
    return c;
}

proto::WorkerInfo worker(const QString &id, const QString &state, const QString &task = {})
{
    proto::WorkerInfo w;
    w.workerId = id;
    w.hostname = QStringLiteral("build01");
    w.state = state;
    w.currentTask = task;
    return w;
}

/// A daemon up 1h 02m 03s with four workers, two runs, two tasks running,
/// two queued and three finished.
proto::DaemonStatus baseStatus()
{
    proto::DaemonStatus s;
    s.pid = 4242;
    s.runner = QStringLiteral("local");
    s.nowMs = kNow;
    s.uptimeS = 3723;
    s.pool.maxWorkers = 4;
    s.workers = {worker(QStringLiteral("w1"), QStringLiteral("busy"), QStringLiteral("sim_long")),
                 worker(QStringLiteral("w2"), QStringLiteral("busy"), QStringLiteral("lint")),
                 worker(QStringLiteral("w3"), QStringLiteral("idle")),
                 worker(QStringLiteral("w4"), QStringLiteral("pending"))};
    s.running = {running(QStringLiteral("lint"), 4, QStringLiteral("w2"), 7000),
                 running(QStringLiteral("sim_long"), 3, QStringLiteral("w1"), 754000)};
    s.runningTasks = 2;
    s.clientList = {{3, 1111, QStringLiteral("dfm run")}, {4, 2222, QStringLiteral("dfm run")}};
    s.clients = 2;
    s.pendingTasks = 2;
    s.queuedByClass = {{QString(), 2}};
    s.queuedByClient = {{3, 2}};
    s.recent = {completed(QStringLiteral("build"), 3, QStringLiteral("w1"), 0, 850),
                completed(QStringLiteral("sim_bad"), 3, QStringLiteral("w2"), 3, 12300),
                completed(QStringLiteral("sim_slow"), 4, QStringLiteral("w3"), 143, 61000, true)};
    s.counters.submitted = 7;
    s.counters.passed = 1;
    s.counters.failed = 1;
    s.counters.cancelled = 1;
    return s;
}

MonitorModel modelOf(const proto::DaemonStatus &s)
{
    MonitorModel m;
    proto::MonitorEvent e;
    e.kind = proto::MonitorEvent::Snapshot;
    e.snapshot = s;
    m.apply(e);
    return m;
}

View view(int w, int h, int scroll = 0)
{
    View v;
    v.width = w;
    v.height = h;
    v.nowMs = kNow + 400; // 0.4 s after the snapshot: clocks have not ticked yet
    v.scroll = scroll;
    v.root = QStringLiteral("/home/ann/chip");
    v.link = View::Link::Connected;
    return v;
}

/// Every line is exactly as wide as the terminal, and there are exactly as many as its height.
void checkGeometry(const Screen &s, int w, int h)
{
    QCOMPARE(int(s.lines.size()), h);
    for (int i = 0; i < s.lines.size(); ++i)
        QVERIFY2(displayWidth(s.lines[i].text()) == w,
                 qPrintable(QStringLiteral("line %1 is %2 columns, not %3: '%4'")
                                .arg(i)
                                .arg(displayWidth(s.lines[i].text()))
                                .arg(w)
                                .arg(s.lines[i].text())));
}

QString trimmedScreen(const Screen &s)
{
    QStringList out;
    for (const Line &l : s.lines) {
        QString t = l.text();
        while (t.endsWith(QLatin1Char(' ')))
            t.chop(1);
        out << t;
    }
    return out.join(QLatin1Char('\n'));
}

/// The attribute of the span holding `text` on the line that contains `lineText`.
Attr attrOf(const Screen &s, const QString &lineText, const QString &text)
{
    for (const Line &l : s.lines) {
        if (!l.text().contains(lineText))
            continue;
        for (const Span &sp : l.spans)
            if (sp.text.contains(text))
                return sp.attr;
    }
    return Attr::Normal;
}

} // namespace

class TestTuiLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void screenAt80x24()
    {
        const Screen s = layoutScreen(modelOf(baseStatus()), view(80, 24));
        checkGeometry(s, 80, 24);
        QVERIFY(!s.tooSmall);
        QCOMPARE(trimmedScreen(s), QStringLiteral(
                                 " dfm monitor  /home/ann/chip\n"
                                 "Running (2)\n"
                                 " TASK                               RUN               WORKER  HOST       ELAPSED\n"
                                 " sim_long                           run 3 (pid 1111)  w1      build01      12:34\n"
                                 " lint                               run 4 (pid 2222)  w2      build01       0:07\n"
                                 "\n"
                                 "Recent Completions\n"
                                 " RESULT  TASK                           RUN               WORKER  EXIT  DURATION\n"
                                 " CANCEL  sim_slow                       run 4 (pid 2222)  w3       143    1m 01s\n"
                                 " FAIL    sim_bad                        run 3 (pid 1111)  w2         3     12.3s\n"
                                 " PASS    build                          run 3 (pid 1111)  w1         0     850ms\n"
                                 "\n"
                                 "\n"
                                 "\n"
                                 "\n"
                                 "\n"
                                 "\n"
                                 "\n"
                                 "\n"
                                 "\n"
                                 " up 1:02:03   runner local   pid 4242   max 4 workers\n"
                                 " Workers  4 total   2 busy   1 idle   1 pending\n"
                                 " Tasks    2 running   2 queued   3 completed: 1 passed, 1 failed, 1 cancelled\n"
                                 " q detach   \u2191/\u2193 PgUp/PgDn scroll"));
    }

    void screenAt200x60()
    {
        proto::DaemonStatus st = baseStatus();
        const QString longName = QStringLiteral("regress.top.uvm_smoke_test_with_a_rather_long_name_seed_123456789");
        st.running.append(running(longName, 3, QStringLiteral("w3"), 1000, QStringLiteral("a-very-long-hostname.example.com")));
        const Screen s = layoutScreen(modelOf(st), view(200, 60));
        checkGeometry(s, 200, 60);
        // At 200 columns a 64-character name and the 24-column host cap fit.
        QVERIFY2(s.text().contains(longName + QLatin1Char(' ')), qPrintable(s.text()));
        QVERIFY(s.text().contains(QStringLiteral("a-very-long-hostname.ex\u2026")));
        QCOMPARE(s.lines[0].spans[0].attr, Attr::Title);
        // The status bar is the last four lines, whatever the height.
        QVERIFY(s.lines[56].text().startsWith(QStringLiteral(" up 1:02:03   runner local   pid 4242   max 4 workers")));
        QCOMPARE(s.lines[57].text().trimmed(), QStringLiteral("Workers  4 total   2 busy   1 idle   1 pending"));
        QCOMPARE(s.lines[58].text().trimmed(),
                 QStringLiteral("Tasks    3 running   2 queued   3 completed: 1 passed, 1 failed, 1 cancelled"));
        QCOMPARE(s.lines[59].text().trimmed(), QStringLiteral("q detach   \u2191/\u2193 PgUp/PgDn scroll"));
        // With few running tasks, Recent Completions takes the rest of the screen.
        QCOMPARE(s.runningRows, 3);
        QVERIFY(!s.text().contains(QStringLiteral("showing")));
    }

    void tooSmallTerminalSaysSo_data()
    {
        QTest::addColumn<int>("w");
        QTest::addColumn<int>("h");
        QTest::newRow("narrow") << 59 << 24;
        QTest::newRow("short") << 80 << 11;
        QTest::newRow("tiny") << 12 << 2;
    }

    void tooSmallTerminalSaysSo()
    {
        QFETCH(int, w);
        QFETCH(int, h);
        const Screen s = layoutScreen(modelOf(baseStatus()), view(w, h));
        QVERIFY(s.tooSmall);
        checkGeometry(s, w, h);
        QCOMPARE(s.lines[0].spans[0].attr, Attr::Alert);
        const QString first = QStringLiteral("Terminal too small: %1x%2").arg(w).arg(h);
        if (w >= first.size())
            QCOMPARE(s.lines[0].text().trimmed(), first);
        else
            QCOMPARE(s.lines[0].text(), first.left(w - 1) + QStringLiteral("\u2026"));
        if (h >= 2 && w >= 40)
            QCOMPARE(s.lines[1].text().trimmed(), QStringLiteral("the monitor needs at least 60x12"));
        // The smallest size that fits is not "too small".
        QVERIFY(!layoutScreen(modelOf(baseStatus()), view(kMinWidth, kMinHeight)).tooSmall);
        checkGeometry(layoutScreen(modelOf(baseStatus()), view(kMinWidth, kMinHeight)), kMinWidth, kMinHeight);
    }

    void longTaskNamesAreElidedToTheirColumn()
    {
        proto::DaemonStatus st = baseStatus();
        const QString name = QStringLiteral("x").repeated(300);
        st.running = {running(name, 3, QStringLiteral("w1"), 5000)};
        st.running[0].attempt = 2;
        st.recent.append(completed(name, 3, QStringLiteral("w1"), 1, 900));
        Screen s = layoutScreen(modelOf(st), view(80, 24));
        checkGeometry(s, 80, 24);
        const QString row = s.lines[3].text();
        // The attempt suffix stays visible; the name gives way.
        QVERIFY2(row.startsWith(QStringLiteral(" ") + QStringLiteral("x").repeated(20) + QStringLiteral("\u2026 (attempt 2)  run 3 (pid 1111)")),
                 qPrintable(row));
        QVERIFY(row.endsWith(QStringLiteral("0:05")));
        QVERIFY(s.text().contains(QStringLiteral("FAIL    ") + QStringLiteral("x").repeated(28) + QStringLiteral("\u2026")));

        View ascii = view(80, 24);
        ascii.asciiOnly = true;
        s = layoutScreen(modelOf(st), ascii);
        checkGeometry(s, 80, 24);
        QVERIFY(s.text().contains(QStringLiteral("x~ (attempt 2)")));
        QVERIFY(!s.text().contains(QStringLiteral("\u2026")));
        QVERIFY(s.lines.last().text().startsWith(QStringLiteral(" q detach   Up/Down PgUp/PgDn scroll")));
    }

    void namesCannotSendControlSequences()
    {
        proto::DaemonStatus st = baseStatus();
        st.running = {running(QStringLiteral("evil\x1b[2J\nname\t"), 3, QStringLiteral("w1"), 5000)};
        const Screen s = layoutScreen(modelOf(st), view(80, 24));
        checkGeometry(s, 80, 24);
        QVERIFY(s.lines[3].text().startsWith(QStringLiteral(" evil?[2J?name?  ")));
        for (const Line &l : s.lines)
            for (QChar c : l.text())
                QVERIFY(c.unicode() >= 0x20);
    }

    void wideCharactersTakeTwoColumns()
    {
        QCOMPARE(displayWidth(QStringLiteral("\u30c6\u30b9\u30c8")), 6); // テスト
        QCOMPARE(displayWidth(QStringLiteral("e\u0301")), 1);             // e + combining acute
        QCOMPARE(elide(QStringLiteral("\u30c6\u30b9\u30c8"), 4), QStringLiteral("\u30c6\u2026"));
        QCOMPARE(cell(QStringLiteral("\u30c6\u30b9\u30c8"), 5), QStringLiteral("\u30c6\u30b9\u2026"));
        proto::DaemonStatus st = baseStatus();
        st.running = {running(QStringLiteral("\u30c6\u30b9\u30c8").repeated(20), 3, QStringLiteral("w1"), 5000)};
        checkGeometry(layoutScreen(modelOf(st), view(80, 24)), 80, 24);
        View ascii = view(80, 24);
        ascii.asciiOnly = true;
        const Screen s = layoutScreen(modelOf(st), ascii);
        checkGeometry(s, 80, 24);
        QVERIFY(s.lines[3].text().startsWith(QStringLiteral(" ????")));
    }

    void manyRunningTasksScroll()
    {
        proto::DaemonStatus st = baseStatus();
        st.running.clear();
        for (int i = 0; i < 100; ++i) // task000 started first: the longest running
            st.running.append(running(QStringLiteral("task%1").arg(i, 3, 10, QLatin1Char('0')), 3,
                                      QStringLiteral("w%1").arg(i), 100000 - i * 10));
        const MonitorModel m = modelOf(st);
        Screen s = layoutScreen(m, view(80, 24));
        checkGeometry(s, 80, 24);
        // 24 lines: title, 4 status, 5 headings; 14 rows left, up to a third
        // of them for Recent Completions (its 3 rows), the rest scrolls.
        QCOMPARE(s.runningRows, 11);
        QCOMPARE(s.scroll, 0);
        QCOMPARE(s.lines[1].text().trimmed(), QStringLiteral("Running (100)  showing 1-11"));
        QVERIFY(s.lines[3].text().startsWith(QStringLiteral(" task000 ")));
        QVERIFY(s.lines[13].text().startsWith(QStringLiteral(" task010 ")));
        QVERIFY(s.lines[16].text().startsWith(QStringLiteral(" RESULT")));

        s = layoutScreen(m, view(80, 24, 25));
        QCOMPARE(s.scroll, 25);
        QCOMPARE(s.lines[1].text().trimmed(), QStringLiteral("Running (100)  showing 26-36"));
        QVERIFY(s.lines[3].text().startsWith(QStringLiteral(" task025 ")));

        s = layoutScreen(m, view(80, 24, 1000)); // past the end: the last page
        QCOMPARE(s.scroll, 89);
        QVERIFY(s.lines[13].text().startsWith(QStringLiteral(" task099 ")));
        s = layoutScreen(m, view(80, 24, -5));
        QCOMPARE(s.scroll, 0);

        // A taller terminal shows more of them.
        s = layoutScreen(m, view(80, 60));
        checkGeometry(s, 80, 60);
        QCOMPARE(s.runningRows, 50 - 3);
    }

    void twoRunsWithTheSameTaskNameAreToldApart()
    {
        proto::DaemonStatus st = baseStatus();
        st.running = {running(QStringLiteral("sim"), 3, QStringLiteral("w1"), 9000),
                      running(QStringLiteral("sim"), 4, QStringLiteral("w2"), 8000)};
        st.recent = {completed(QStringLiteral("sim"), 3, QStringLiteral("w1"), 0, 100),
                     completed(QStringLiteral("sim"), 4, QStringLiteral("w2"), 1, 100)};
        Screen s = layoutScreen(modelOf(st), view(80, 24));
        QCOMPARE(s.lines[3].text().simplified(), QStringLiteral("sim run 3 (pid 1111) w1 build01 0:09"));
        QCOMPARE(s.lines[4].text().simplified(), QStringLiteral("sim run 4 (pid 2222) w2 build01 0:08"));
        QCOMPARE(s.lines[8].text().simplified(), QStringLiteral("FAIL sim run 4 (pid 2222) w2 1 100ms"));
        QCOMPARE(s.lines[9].text().simplified(), QStringLiteral("PASS sim run 3 (pid 1111) w1 0 100ms"));
        // When the label does not fit, the run number alone still tells them apart.
        s = layoutScreen(modelOf(st), view(60, 24));
        checkGeometry(s, 60, 24);
        QVERIFY2(s.lines[3].text().contains(QStringLiteral(" run 3 ")), qPrintable(s.text()));
        QVERIFY(s.lines[4].text().contains(QStringLiteral(" run 4 ")));
    }

    void passAndFailCarryTheirAttributes()
    {
        const Screen s = layoutScreen(modelOf(baseStatus()), view(80, 24));
        QCOMPARE(attrOf(s, QStringLiteral("build"), QStringLiteral("PASS")), Attr::Pass);
        QCOMPARE(attrOf(s, QStringLiteral("sim_bad"), QStringLiteral("FAIL")), Attr::Fail);
        QCOMPARE(attrOf(s, QStringLiteral("sim_slow"), QStringLiteral("CANCEL")), Attr::Cancelled);
        QCOMPARE(attrOf(s, QStringLiteral("sim_bad"), QStringLiteral("sim_bad")), Attr::Normal);
        QCOMPARE(attrOf(s, QStringLiteral("Recent Completions"), QStringLiteral("Recent")), Attr::Heading);
        QCOMPARE(attrOf(s, QStringLiteral(" up 1:02:03"), QStringLiteral("up")), Attr::Bar);
    }

    void clocksTick()
    {
        const MonitorModel m = modelOf(baseStatus());
        View v = view(80, 24);
        v.nowMs = kNow + 61000;
        const Screen s = layoutScreen(m, v);
        QVERIFY(s.lines[3].text().endsWith(QStringLiteral("13:35")));
        QVERIFY(s.lines[4].text().endsWith(QStringLiteral("1:08")));
        QVERIFY(s.lines[20].text().startsWith(QStringLiteral(" up 1:03:04 ")));
    }

    void pendingWorkersShowTheSchedulersJobState()
    {
        proto::DaemonStatus st = baseStatus();
        st.workers[3].jobId = QStringLiteral("8812");
        st.workers[3].schedulerState = QStringLiteral("PEND: queue full");
        proto::WorkerInfo w5 = worker(QStringLiteral("w5"), QStringLiteral("pending"));
        w5.jobId = QStringLiteral("8813");
        st.workers.append(w5);
        const Screen s = layoutScreen(modelOf(st), view(120, 24));
        QCOMPARE(s.lines[21].text().trimmed(),
                 QStringLiteral("Workers  5 total   2 busy   1 idle   2 pending: w4 PEND: queue full, w5 job 8813"));
    }

    void connectingAndGoneScreens()
    {
        MonitorModel empty;
        View v = view(80, 24);
        v.link = View::Link::Connecting;
        Screen s = layoutScreen(empty, v);
        checkGeometry(s, 80, 24);
        QVERIFY(s.lines[0].text().startsWith(QStringLiteral(" dfm monitor  /home/ann/chip ")));
        QVERIFY(s.lines[0].text().endsWith(QStringLiteral("connecting ")));
        QCOMPARE(s.lines[2].text().trimmed(), QStringLiteral("Connecting to the daemon for /home/ann/chip ..."));
        QCOMPARE(s.lines[20].text().trimmed(), QStringLiteral("connecting to the daemon"));

        v.link = View::Link::Gone;
        v.notice = QStringLiteral("the daemon for /home/ann/chip went away; exiting");
        s = layoutScreen(empty, v);
        checkGeometry(s, 80, 24);
        QVERIFY(s.lines[0].text().endsWith(QStringLiteral("daemon gone ")));
        QCOMPARE(s.lines[2].text().trimmed(), QStringLiteral("The daemon for /home/ann/chip is not running."));
        QCOMPARE(s.lines[23].text().trimmed(), v.notice);
        QCOMPARE(s.lines[23].spans[0].attr, Attr::Alert);
    }

    void emptyTablesSaySo()
    {
        proto::DaemonStatus st = baseStatus();
        st.running.clear();
        st.recent.clear();
        const Screen s = layoutScreen(modelOf(st), view(80, 24));
        QCOMPARE(s.lines[3].text().trimmed(), QStringLiteral("no tasks running; 2 queued"));
        QCOMPARE(s.lines[7].text().trimmed(), QStringLiteral("none yet"));
    }

    void clockFormats()
    {
        QCOMPARE(clock(0), QStringLiteral("0:00"));
        QCOMPARE(clock(7999), QStringLiteral("0:07"));
        QCOMPARE(clock(754000), QStringLiteral("12:34"));
        QCOMPARE(clock(3723000), QStringLiteral("1:02:03"));
        QCOMPARE(clock(2 * 86400000LL + 3723000), QStringLiteral("2d 01:02:03"));
        QCOMPARE(clock(-5), QStringLiteral("0:00"));
    }
};

QTEST_APPLESS_MAIN(TestTuiLayout)
#include "tst_tuilayout.moc"
