// The `dfm` command line as a user meets it: help that never acts, usage
// lines naming the command, and mistakes answered with "did you mean" and
// the valid choices, exit 2. The real binary, exact text.

#include "statefile.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

const QString kTopCommands = QStringLiteral("  valid commands: run, show, graph, daemon, worker, help, version\n");
const QString kTopTail = QStringLiteral("Usage: dfm [options] COMMAND [ARGS...]\nRun 'dfm --help' for details.\n");

} // namespace

class TestCli : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

    static QStringList words(const char *line) { return QString::fromLatin1(line).split(QLatin1Char(' ')); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void unknownCommandGetsASuggestionAndTheChoices()
    {
        TempProject p;
        const Run r = runDfm(words("deamon start"), p.root());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.out, QString());
        QCOMPARE(r.err, QStringLiteral("dfm: unknown command 'deamon'; did you mean 'daemon'?\n") + kTopCommands + kTopTail);
        const Run h = runDfm(words("help rnu"), p.root());
        QCOMPARE(h.code, 2);
        QCOMPARE(h.err, QStringLiteral("dfm: unknown command 'rnu'; did you mean 'run'?\n") + kTopCommands + kTopTail);
        const Run d = runDfm(words("daemon stauts"), p.root());
        QCOMPARE(d.code, 2);
        QCOMPARE(d.err, QStringLiteral("dfm daemon: unknown command 'stauts'; did you mean 'status'?\n"
                                       "  valid commands: start, stop, status\n"
                                       "Usage: dfm daemon COMMAND [options]\n"
                                       "Run 'dfm daemon --help' for details.\n"));
    }

    void versionInEveryForm()
    {
        TempProject p;
        for (const char *line : {"--version", "-V", "version"}) {
            const Run r = runDfm(words(line), p.root());
            QCOMPARE(r.code, 0);
            QCOMPARE(r.out, QStringLiteral("dfm " DFM_VERSION "\n"));
            QCOMPARE(r.err, QString());
        }
    }

    void unknownOptionsSayWhatWasMeantInOurOwnStyle()
    {
        TempProject p;
        Run r = runDfm(words("run --jbos 3"), p.root());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm run: unknown option '--jbos'; did you mean '--jobs'?\n"
                                       "  valid options: -D, --all, --clean, --color, -c/--config, -f/--force, -j/--jobs, --json, "
                                       "--list-tasks, --pool-size, --root, --rundir, --runner, --runner-opt, --task-timeout, "
                                       "--tasks-from, -v/--verbose, -h/--help\n"
                                       "Usage: dfm run [options] [TASK...]\n"
                                       "Run 'dfm run --help' for details.\n"));
        r = runDfm(words("daemon start --pool 3"), p.root());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm daemon start: unknown option '--pool'; did you mean '--pool-size'?\n"
                                       "  valid options: --foreground, --monitor, --pool-size, --root, --runner, "
                                       "--runner-opt, -h/--help\n"
                                       "Usage: dfm daemon start [options]\n"
                                       "Run 'dfm daemon start --help' for details.\n"));
        r = runDfm(words("run -rundir x"), p.root());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm run: unknown option '-rundir'; did you mean '--rundir'?\n")), qPrintable(r.err));
        r = runDfm(words("run --color=sometimes"), p.root());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm run: --color: expected auto, always or never, got 'sometimes'\n"
                                       "Usage: dfm run [options] [TASK...]\n"
                                       "Run 'dfm run --help' for details.\n"));
        r = runDfm(words("daemon status extra"), p.root());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err, QStringLiteral("dfm daemon status: unexpected argument 'extra'\n"
                                       "Usage: dfm daemon status [options]\n"
                                       "Run 'dfm daemon status --help' for details.\n"));
        r = runDfm(words("worker --conect x:1"), p.root());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm worker: unknown option '--conect'; did you mean '--connect'?\n")), qPrintable(r.err));
    }

    void helpAtEveryLevelNamesTheCommand_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("usage");
        QTest::newRow("dfm --help") << "--help" << "Usage: dfm [options] COMMAND [ARGS...]\n";
        QTest::newRow("dfm -h") << "-h" << "Usage: dfm [options] COMMAND [ARGS...]\n";
        QTest::newRow("dfm help") << "help" << "Usage: dfm [options] COMMAND [ARGS...]\n";
        QTest::newRow("run --help") << "run --help" << "Usage: dfm run [options] [TASK...]\n";
        QTest::newRow("help run") << "help run" << "Usage: dfm run [options] [TASK...]\n";
        QTest::newRow("run -h") << "run -h" << "Usage: dfm run [options] [TASK...]\n";
        QTest::newRow("daemon -h") << "daemon -h" << "Usage: dfm daemon COMMAND [options]\n";
        QTest::newRow("help daemon") << "help daemon" << "Usage: dfm daemon COMMAND [options]\n";
        QTest::newRow("daemon start -h") << "daemon start -h" << "Usage: dfm daemon start [options]\n";
        QTest::newRow("help daemon stop") << "help daemon stop" << "Usage: dfm daemon stop [options]\n";
        QTest::newRow("daemon status --help") << "daemon status --help" << "Usage: dfm daemon status [options]\n";
        QTest::newRow("worker --help") << "worker --help" << "Usage: dfm worker --connect HOST:PORT [options]\n";
        QTest::newRow("help version") << "help version" << "Usage: dfm version\n";
    }

    void helpAtEveryLevelNamesTheCommand()
    {
        QFETCH(QString, line);
        QFETCH(QString, usage);
        TempProject p;
        const Run r = runDfm(line.split(QLatin1Char(' ')), p.root());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.err, QString());
        QVERIFY2(r.out.startsWith(usage), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("\nOptions:\n")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("  -h, --help")), qPrintable(r.out));
        QVERIFY2(!r.out.contains(QStringLiteral("help-all")), qPrintable(r.out)); // Qt's own options are not offered
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral(".dfm"))));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir"))));
    }

    void runHelpDescribesTheOptionsAndExitStatus()
    {
        TempProject p;
        const Run r = runDfm(words("run --help"), p.root());
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("  -j, --jobs N              Tasks of this run in flight at once (default: the\n"
                                               "                            pool's size).\n")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("      --color WHEN          Colour the output: auto (on a terminal, unless\n"
                                               "                            NO_COLOR is set), always, never. Default: auto.\n")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("\nExit status:\n  0    every task passed\n")), qPrintable(r.out));
    }

    void noCommandPrintsTheHelpAndExitsTwo()
    {
        TempProject p;
        Run r = runDfm({}, p.root());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("Usage: dfm [options] COMMAND [ARGS...]\n")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("\nCommands:\n  run      ")), qPrintable(r.err));
        r = runDfm(words("daemon"), p.root());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("Usage: dfm daemon COMMAND [options]\n")), qPrintable(r.err));
    }

    void helpFlagsNeverActOnARunningDaemon()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n  - name: t\n    run: touch ran\n");
        Run r = runDfm(words("daemon start --pool-size 1"), p.root(), 30000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        DaemonState st;
        QString err;
        QCOMPARE(readState(p.path(QStringLiteral(".dfm/daemon.json")), &st, &err), StateRead::Ok);
        const QList<const char *> lines{"daemon stop --help-all", "daemon stop --help", "daemon stop -h", "help daemon stop",
                                        "daemon stop --bogus", "daemon stop -x", "daemon --help stop", "daemon start --help-all",
                                        "run --help-all", "run --help", "run t -h", "help run t"};
        for (const char *line : lines) {
            r = runDfm(words(line), p.root());
            QVERIFY2(r.code == 0 || r.code == 2, line);
            QVERIFY2(r.code == 2 || r.err.isEmpty(), line);
            QVERIFY2(pidAlive(st.pid), line);
        }
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir"))));
        r = runDfm(words("daemon stop --help-all"), p.root());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("dfm daemon stop: unknown option '--help-all'; did you mean '--help'?\n")), qPrintable(r.err));
        QCOMPARE(r.out, QString());
        r = runDfm(words("daemon status"), p.root());
        QCOMPARE(r.code, 0);
    }

    void helpDoesNotStartADaemon()
    {
        TempProject p;
        for (const char *line : {"daemon start --help-all", "daemon start -h", "daemon start --foreground --help"}) {
            const Run r = runDfm(words(line), p.root());
            QVERIFY2(r.code == 0 || r.code == 2, line);
        }
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral(".dfm/daemon.json"))));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral(".dfm"))));
    }

    void daemonStatusShowsRunningTasksAndRecentFailures()
    {
        TempProject p;
        const QString marker = QStringLiteral("status-%1").arg(QCoreApplication::applicationPid());
        p.write(QStringLiteral("flow.dv"), QStringLiteral("package:\n  name: p\n  tasks:\n"
                                                          "  - name: broken\n    run: |\n      echo 'Error: no licence' >&2; exit 3\n"
                                                          "  - name: long_sim\n    needs: [broken]\n    run: 'true'\n"
                                                          "  - name: soak\n    run: sleep 60; echo %1\n")
                                               .arg(marker)
                                               .toUtf8());
        Run r = runDfm(words("daemon start --pool-size 2"), p.root(), 30000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QProcess run;
        run.setWorkingDirectory(p.root());
        run.start(QStringLiteral(DFM_BIN), {QStringLiteral("run"), QStringLiteral("--all")});
        QTRY_VERIFY_WITH_TIMEOUT(processesMatching(marker).size() >= 1, 30000);
        const QString log = p.path(QStringLiteral("rundir/p.broken/p.broken.log"));
        QTRY_VERIFY_WITH_TIMEOUT((r = runDfm(words("daemon status"), p.root())).out.contains(QStringLiteral("FAILED")), 30000);
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("\n  RUNNING                  FOR      HOST             WORKER   CLIENT\n  p.soak  ")),
                 qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral(" FAILED    p.broken                 ")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral(" status 3 log: %1\n").arg(log)), qPrintable(r.out));
        r = runDfm(words("daemon status --json"), p.root());
        QCOMPARE(r.code, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(s.value(QLatin1String("state")).toString(), QStringLiteral("running"));
        const QJsonArray running = s.value(QLatin1String("running")).toArray();
        QCOMPARE(running.size(), 1);
        QCOMPARE(running[0].toObject().value(QLatin1String("name")).toString(), QStringLiteral("p.soak"));
        QVERIFY(!running[0].toObject().value(QLatin1String("hostname")).toString().isEmpty());
        QVERIFY(running[0].toObject().value(QLatin1String("started_ms")).toInteger() > 0);
        const QJsonArray recent = s.value(QLatin1String("recent")).toArray();
        QVERIFY2(!recent.isEmpty(), qPrintable(r.out));
        QCOMPARE(recent.last().toObject().value(QLatin1String("log")).toString(), log);
        ::kill(pid_t(run.processId()), SIGINT);
        QVERIFY(run.waitForFinished(30000));
        QCOMPARE(processesMatching(marker), QList<qint64>{});
    }

    void listTasksPrintsTheFlowsTaskNames()
    {
        TempProject p;
        p.write(QStringLiteral("flow.dv"), "package:\n  name: p\n  tasks:\n  - name: build\n    run: 'true'\n"
                                           "  - name: test_a\n    needs: [build]\n    run: 'true'\n");
        Run r = runDfm(words("run --list-tasks"), p.root());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("build\ntest_a\n"));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral("rundir"))));
        QVERIFY(!QFileInfo::exists(p.path(QStringLiteral(".dfm"))));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
