// The terminal monitor end to end: the real `dfm` in a real terminal (a
// private tmux server, 120x40), attached to a real daemon in a temporary
// project, its screen read back with capture-pane.

#include "statefile.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

QString quoted(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

/// A private tmux server with one session, `mon`, running a command in a
/// 120x40 pane. The pane lives on after the command (a sleep follows it), so
/// what the command printed last stays readable: with remain-on-exit, tmux
/// 3.3 sometimes drops a dead pane's last output.
class Tmux {
public:
    explicit Tmux(const QString &dir) : m_dir(dir) {}
    ~Tmux() { tmux({QStringLiteral("kill-server")}); }

    /// Starts `command` (a shell command line) in the session.
    bool start(const QString &command)
    {
        QFile conf(m_dir + QStringLiteral("/tmux.conf"));
        if (!conf.open(QIODevice::WriteOnly))
            return false;
        conf.write("set -g status off\n");
        conf.close();
        return tmux({QStringLiteral("-f"), conf.fileName(), QStringLiteral("new-session"), QStringLiteral("-d"),
                     QStringLiteral("-s"), QStringLiteral("mon"), QStringLiteral("-x"), QStringLiteral("120"),
                     QStringLiteral("-y"), QStringLiteral("40"),
                     QStringLiteral("LC_ALL=C.UTF-8 %1; echo $? > %2.tmp && mv %2.tmp %2; exec sleep 300")
                         .arg(command, quoted(exitFile()))});
    }

    /// The pane's text now; with `escapes`, with its colours and attributes
    /// as escape sequences. `target` names another window of the session.
    QString screen(bool escapes = false, const QString &target = QStringLiteral("mon"))
    {
        QStringList args{QStringLiteral("capture-pane"), QStringLiteral("-p"), QStringLiteral("-t"), target};
        if (escapes)
            args << QStringLiteral("-e");
        QString out;
        tmux(args, &out);
        return out;
    }

    /// Runs `command` in a new window `name` of the session.
    bool window(const QString &name, const QString &command)
    {
        return tmux({QStringLiteral("new-window"), QStringLiteral("-d"), QStringLiteral("-t"), QStringLiteral("mon:"),
                     QStringLiteral("-n"), name, command});
    }

    /// Waits up to `ms` for the screen to contain `text`; returns the last screen.
    QString waitFor(const QString &text, int ms = 30000)
    {
        QElapsedTimer t;
        t.start();
        QString s;
        do {
            s = screen();
            if (s.contains(text))
                break;
            QTest::qWait(100);
        } while (t.elapsed() < ms);
        return s;
    }

    void keys(const QString &k) { tmux({QStringLiteral("send-keys"), QStringLiteral("-t"), QStringLiteral("mon"), k}); }
    void resize(int w, int h)
    {
        tmux({QStringLiteral("resize-window"), QStringLiteral("-t"), QStringLiteral("mon"), QStringLiteral("-x"),
              QString::number(w), QStringLiteral("-y"), QString::number(h)});
    }

    /// The command's exit status once it has exited within `ms`, else -1.
    /// (start() has the shell write it to a file.)
    int waitExit(int ms = 30000)
    {
        QElapsedTimer t;
        t.start();
        QFile f(exitFile());
        do {
            if (f.open(QIODevice::ReadOnly)) {
                const QByteArray code = f.readAll().trimmed();
                f.close();
                if (!code.isEmpty())
                    return code.toInt();
            }
            QTest::qWait(100);
        } while (t.elapsed() < ms);
        return -1;
    }

private:
    QString exitFile() const { return m_dir + QStringLiteral("/exit-status"); }

    bool tmux(const QStringList &args, QString *out = nullptr)
    {
        QProcess p;
        p.start(QStringLiteral("tmux"), QStringList{QStringLiteral("-u"), QStringLiteral("-S"), m_dir + QStringLiteral("/tmux.sock")} + args);
        if (!p.waitForFinished(30000))
            return false;
        if (out)
            *out = QString::fromUtf8(p.readAllStandardOutput());
        return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    QString m_dir;
};

/// The line of `screen` that starts (after blanks) with `start`, simplified.
QString lineStarting(const QString &screen, const QString &start)
{
    for (const QString &l : screen.split(QLatin1Char('\n')))
        if (l.trimmed().startsWith(start))
            return l.simplified();
    return {};
}

} // namespace

class TestTuiMonitor : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    static QString dfmCommand(const QStringList &args)
    {
        QStringList q{quoted(QStringLiteral(DFM_BIN))};
        for (const QString &a : args)
            q << quoted(a);
        return q.join(QLatin1Char(' '));
    }

    QJsonObject status(const TempProject &p)
    {
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root());
        return QJsonDocument::fromJson(r.out.toUtf8()).object();
    }

    qint64 daemonPid(const TempProject &p)
    {
        DaemonState st;
        QString err;
        return readState(p.path(QStringLiteral(".dfm/daemon.json")), &st, &err) == StateRead::Ok ? st.pid : 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void monitorWithoutADaemonSaysHowToStartOne()
    {
        TempProject p;
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("--monitor")}, p.root());
        QCOMPARE(r.code, 1);
        QCOMPARE(r.out, QString());
        QCOMPARE(r.err, QStringLiteral("dfm daemon --monitor: no daemon running for %1 (no %2); start one with "
                                       "`dfm daemon start`, or start one and attach with `dfm daemon start --monitor`\n")
                            .arg(p.root(), p.path(QStringLiteral(".dfm/daemon.json"))));
    }

    void monitorShowsRunningAndFinishedTasksAndDetaches()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("tmux")).isEmpty())
            QSKIP("tmux is not installed: the end-to-end monitor test needs a terminal to read back");
        TempProject p;
        QTemporaryDir tdir;
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--pool-size"), QStringLiteral("3")},
                       p.root());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        const qint64 pid = daemonPid(p);

        // One pass and one fail first, then two tasks that run until released.
        p.write(QStringLiteral("first.txt"), "quick_pass: true\nquick_fail: exit 3\n");
        r = runDfm({QStringLiteral("run"), QStringLiteral("--tasks-from"), p.path(QStringLiteral("first.txt"))}, p.root());
        QVERIFY2(r.code != 0 && r.out.contains(QStringLiteral("quick_fail")), qPrintable(r.out + r.err));
        const QString wait = QStringLiteral("while [ ! -e %1 ]; do sleep 0.1; done").arg(p.path(QStringLiteral("release")));
        p.write(QStringLiteral("second.txt"), QStringLiteral("sim_a: %1\nsim_b: %1\n").arg(wait).toUtf8());
        QProcess run;
        run.setWorkingDirectory(p.root());
        run.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--tasks-from"), p.path(QStringLiteral("second.txt"))});
        QJsonObject st;
        QTRY_VERIFY_WITH_TIMEOUT((st = status(p)).value(QLatin1String("running_tasks")).toInt() == 2, 30000);

        Tmux tmux(tdir.path());
        QVERIFY(tmux.start(dfmCommand({QStringLiteral("daemon"), QStringLiteral("--monitor"), QStringLiteral("--root"), p.root()})));
        QString screen = tmux.waitFor(QStringLiteral("FAIL    quick_fail"));
        QVERIFY2(screen.contains(QStringLiteral("Running (2)")), qPrintable(screen));

        // The running tasks with the worker and host the daemon reports.
        for (const QJsonValue &v : st.value(QLatin1String("running")).toArray()) {
            const QJsonObject t = v.toObject();
            const QString line = lineStarting(screen, t.value(QLatin1String("name")).toString() + QLatin1Char(' '));
            const QRegularExpression row(QStringLiteral("^%1 run %2 \\(pid \\d+\\) %3 %4 \\d+:\\d\\d$")
                                             .arg(t.value(QLatin1String("name")).toString())
                                             .arg(t.value(QLatin1String("client")).toInteger())
                                             .arg(t.value(QLatin1String("worker_id")).toString(),
                                                  QRegularExpression::escape(t.value(QLatin1String("hostname")).toString())));
            QVERIFY2(row.match(line).hasMatch(), qPrintable(line + QStringLiteral("\n") + screen));
        }
        // The finished ones, newest first, with exit status and duration.
        QVERIFY2(QRegularExpression(QStringLiteral("^FAIL quick_fail run \\d+ w\\d+ 3 \\d+(ms|\\.\\ds)$"))
                     .match(lineStarting(screen, QStringLiteral("FAIL")))
                     .hasMatch(),
                 qPrintable(screen));
        QVERIFY2(QRegularExpression(QStringLiteral("^PASS quick_pass run \\d+ w\\d+ 0 \\d+(ms|\\.\\ds)$"))
                     .match(lineStarting(screen, QStringLiteral("PASS")))
                     .hasMatch(),
                 qPrintable(screen));
        // The status bar.
        QCOMPARE(lineStarting(screen, QStringLiteral("Tasks ")),
                 QStringLiteral("Tasks 2 running 0 queued 2 completed: 1 passed, 1 failed"));
        const QJsonArray workers = st.value(QLatin1String("workers")).toArray();
        int busy = 0, idle = 0;
        for (const QJsonValue &w : workers) {
            busy += w.toObject().value(QLatin1String("state")).toString() == QLatin1String("busy");
            idle += w.toObject().value(QLatin1String("state")).toString() == QLatin1String("idle");
        }
        QCOMPARE(busy, 2);
        QCOMPARE(lineStarting(screen, QStringLiteral("Workers ")),
                 QStringLiteral("Workers %1 total 2 busy %2 idle 0 pending").arg(workers.size()).arg(idle));
        QVERIFY2(lineStarting(screen, QStringLiteral("up ")).contains(QStringLiteral("runner local pid %1 ").arg(pid)),
                 qPrintable(screen));

        // Pass and fail in green and red; with NO_COLOR, no colour at all
        // (FAIL then stands out in bold reverse video).
        const QString sgr = tmux.screen(true);
        QVERIFY2(sgr.contains(QStringLiteral("\x1b[32mPASS")) && sgr.contains(QStringLiteral("\x1b[31mFAIL")),
                 qPrintable(sgr));
        QVERIFY(tmux.window(QStringLiteral("plain"), QStringLiteral("NO_COLOR=1 LC_ALL=C.UTF-8 ")
                                                         + dfmCommand({QStringLiteral("daemon"), QStringLiteral("--monitor"),
                                                                       QStringLiteral("--root"), p.root()})));
        QString plain;
        QTRY_VERIFY_WITH_TIMEOUT((plain = tmux.screen(true, QStringLiteral("mon:plain"))).contains(QStringLiteral("FAIL")), 30000);
        QVERIFY2(!plain.contains(QStringLiteral("\x1b[31m")) && !plain.contains(QStringLiteral("\x1b[32m")), qPrintable(plain));
        QVERIFY2(plain.contains(QStringLiteral("\x1b[1;7mFAIL")), qPrintable(plain));

        // q detaches; the daemon and its tasks go on.
        tmux.keys(QStringLiteral("q"));
        QCOMPARE(tmux.waitExit(), 0);
        const QString detached = QStringLiteral("dfm daemon --monitor: detached; the daemon (pid %1) keeps running").arg(pid);
        screen = tmux.waitFor(detached);
        QVERIFY2(screen.contains(detached),
                 qPrintable(screen));
        QVERIFY(pidAlive(pid));
        QCOMPARE(status(p).value(QLatin1String("running_tasks")).toInt(), 2);

        p.write(QStringLiteral("release"), "");
        QVERIFY(run.waitForFinished(60000));
        QCOMPARE(run.exitCode(), 0);
    }

    void startMonitorStartsADaemonRedrawsOnResizeAndLeavesItRunning()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("tmux")).isEmpty())
            QSKIP("tmux is not installed: the end-to-end monitor test needs a terminal to read back");
        TempProject p;
        QTemporaryDir tdir;
        Tmux tmux(tdir.path());
        QVERIFY(tmux.start(dfmCommand({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--monitor"),
                                       QStringLiteral("--pool-size"), QStringLiteral("2"), QStringLiteral("--root"), p.root()})));
        QString screen = tmux.waitFor(QStringLiteral("Running (0)"));
        QVERIFY2(screen.contains(QStringLiteral("no tasks running")), qPrintable(screen));
        const qint64 pid = daemonPid(p);
        QVERIFY(pid > 0);
        QVERIFY2(QRegularExpression(QStringLiteral("^up \\d+:\\d\\d runner local pid %1 max 2 workers$").arg(pid))
                     .match(lineStarting(screen, QStringLiteral("up ")))
                     .hasMatch(),
                 qPrintable(screen));

        tmux.resize(50, 10);
        screen = tmux.waitFor(QStringLiteral("Terminal too small: 50x10"));
        QVERIFY2(screen.contains(QStringLiteral("Terminal too small: 50x10")), qPrintable(screen));
        QVERIFY(!screen.contains(QStringLiteral("Running (0)")));
        tmux.resize(90, 20);
        screen = tmux.waitFor(QStringLiteral("Running (0)"));
        QVERIFY2(!screen.contains(QStringLiteral("too small")), qPrintable(screen));
        const QStringList lines = screen.split(QLatin1Char('\n'));
        QVERIFY2(lines.size() >= 20 && lines[19].startsWith(QStringLiteral(" q detach")), qPrintable(screen));

        tmux.keys(QStringLiteral("q"));
        QCOMPARE(tmux.waitExit(), 0);
        QVERIFY(pidAlive(pid));
        QCOMPARE(runDfm({QStringLiteral("daemon"), QStringLiteral("status")}, p.root()).code, 0);
    }

    void monitorExitsNonZeroWhenTheDaemonGoesAway()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("tmux")).isEmpty())
            QSKIP("tmux is not installed: the end-to-end monitor test needs a terminal to read back");
        TempProject p;
        QTemporaryDir tdir;
        QCOMPARE(runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root()).code, 0);

        // Without a terminal it says so instead of drawing into a pipe.
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("--monitor")}, p.root());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm daemon --monitor: the monitor needs a terminal (stdin and stdout are "
                                       "not one); `dfm daemon status` prints the same figures once\n"));

        Tmux tmux(tdir.path());
        QVERIFY(tmux.start(dfmCommand({QStringLiteral("daemon"), QStringLiteral("--monitor"), QStringLiteral("--root"), p.root()})));
        QString screen = tmux.waitFor(QStringLiteral("Running (0)"));
        QVERIFY2(screen.contains(QStringLiteral("Running (0)")), qPrintable(screen));
        QCOMPARE(runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root()).code, 0);
        QCOMPARE(tmux.waitExit(), 3);
        const QString gone = QStringLiteral("dfm daemon --monitor: the daemon for %1 went away").arg(p.root());
        screen = tmux.waitFor(gone);
        QVERIFY2(screen.contains(gone),
                 qPrintable(screen));
    }
};

QTEST_GUILESS_MAIN(TestTuiMonitor)
#include "tst_tuimonitor.moc"
