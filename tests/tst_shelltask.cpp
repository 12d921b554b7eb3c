// ShellTask: runs one task as the original worker does, and cancels it with
// its whole process group.

#include "procgroup.h"
#include "shelltask.h"

#include "testutil.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using dfm::ShellTask;
using dfm::proto::TaskResult;
using dfm::proto::TaskSpec;

namespace {

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QStringLiteral("<missing>");
}

/// Starts `task` and records every finished() it emits.
struct Run {
    std::unique_ptr<ShellTask> task;
    QList<TaskResult> results;
    explicit Run(const TaskSpec &spec) : task(new ShellTask(spec))
    {
        QObject::connect(task.get(), &ShellTask::finished,
                         [this](const TaskResult &r) { results.append(r); });
        task->start();
    }
};

QString firstMarker(const TaskResult &r)
{
    return r.markers.isEmpty() ? QString() : r.markers.first().toObject().value("msg").toString();
}

} // namespace

class TstShellTask : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    TaskSpec spec(const QString &name, const QString &body)
    {
        TaskSpec s;
        s.requestId = name;
        s.name = name;
        s.body = body;
        s.srcdir = QStringLiteral("/src/dir");
        s.rundir = m_tmp.filePath(name);
        return s;
    }

private slots:
    // First, before this process starts a reaper of its own: a process that
    // exits cleanly takes its reaper with it, so once it has been waited
    // for nothing of it is left (a worker's reaper once outlived it and
    // tst_run's secondInterruptStopsAtOnce saw it).
    void cleanExitTakesTheReaperWithIt()
    {
        QCOMPARE(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0); // orphans come to us
        std::fflush(stdout);
        std::fflush(stderr);
        const pid_t pid = ::fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            dfm::GroupGuard guard;
            QString err;
            std::exit(guard.prepare(&err) ? 0 : 3); // exit(): static destructors run
        }
        int status = 0;
        QCOMPARE(::waitpid(pid, &status, 0), pid);
        QVERIFY(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        // The reaper was the child's child: had it been left, it would be ours now.
        errno = 0;
        QCOMPARE(::waitpid(-1, nullptr, WNOHANG), -1);
        QCOMPARE(errno, ECHILD);
        ::prctl(PR_SET_CHILD_SUBREAPER, 0);
    }

    void oneLineBodyRunsWithDashC()
    {
        Run run(spec("one", "echo hello; echo err >&2"));
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 0);
        QCOMPARE(r.extra.value("exit_code").toInt(), 0);
        QVERIFY(r.extra.value("signal").isNull());
        QVERIFY(r.extra.value("duration_ms").isDouble());
        QCOMPARE(r.extra.value("log").toString(), m_tmp.filePath("one/one.log"));
        QCOMPARE(readAll(m_tmp.filePath("one/one.log")), QStringLiteral("hello\nerr\n"));
        QVERIFY(!QFile::exists(m_tmp.filePath("one/one_cmd.sh")));
        QVERIFY(r.markers.isEmpty());
    }

    void multiLineBodyRunsAsScriptAndPropagatesExitCode()
    {
        const QString body = QStringLiteral("echo one\necho two >&2\nexit 3\n");
        Run run(spec("multi", body));
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 3);
        QCOMPARE(r.extra.value("exit_code").toInt(), 3);
        QCOMPARE(readAll(m_tmp.filePath("multi/multi_cmd.sh")), body);
        QCOMPARE(readAll(m_tmp.filePath("multi/multi.log")), QStringLiteral("one\ntwo\n"));
        QCOMPARE(firstMarker(r), QStringLiteral("task 'multi' failed with exit code 3 (log: %1)")
                                     .arg(m_tmp.filePath("multi/multi.log")));
    }

    void environmentHasEnvAndTaskDirs()
    {
        TaskSpec s = spec("env", "echo \"$FOO|$TASK_SRCDIR|$TASK_RUNDIR|$PWD\"");
        s.env = QJsonObject{{"FOO", "bar baz"}};
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const QString rd = m_tmp.filePath("env");
        QCOMPARE(readAll(rd + "/env.log"), QStringLiteral("bar baz|/src/dir|%1|%1\n").arg(rd));
    }

    void missingRundirIsCreated()
    {
        TaskSpec s = spec("deep", "pwd");
        s.rundir = m_tmp.filePath("a/b/c");
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(run.results.first().status, 0);
        QCOMPARE(readAll(s.rundir + "/deep.log"), s.rundir + "\n");
    }

    void bodyReferencesAreExpanded()
    {
        TaskSpec s = spec("exp", "echo '${{ rundir }} ${{n}} ${{ flag }} ${{ unknown }}'");
        s.params = QJsonObject{{"n", 2}, {"flag", true}};
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(readAll(s.rundir + "/exp.log"),
                 QStringLiteral("%1 2 true ${{ unknown }}\n").arg(s.rundir));
    }

    void slashInNameIsSanitisedInFileNames()
    {
        TaskSpec s = spec("slash", "echo a\necho b");
        s.name = QStringLiteral("pkg/t");
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(readAll(s.rundir + "/pkg_t.log"), QStringLiteral("a\nb\n"));
        QVERIFY(QFile::exists(s.rundir + "/pkg_t_cmd.sh"));
    }

    void pytaskFailsWithMarkerAndNoProcess()
    {
        TaskSpec s = spec("py", "ignored");
        s.shell = QStringLiteral("pytask");
        Run run(s);
        QCOMPARE(run.results.size(), 0); // never emitted from inside start()
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 1);
        QCOMPARE(firstMarker(r), QStringLiteral("task 'py' is a Python task (shell 'pytask'); "
                                                "it cannot run as a shell task"));
        QVERIFY(r.extra.value("exit_code").isNull());
        QVERIFY(!QFile::exists(s.rundir));
    }

    void everyDfmVariableIsSetAndNamesAStagedFile()
    {
        TaskSpec s = spec("vars", "for v in DFM_TASK_NAME DFM_RUNDIR DFM_SRCDIR DFM_PARAMS DFM_INPUTS "
                                  "DFM_OUTPUT DFM_ENV DFM_PATH DFM_MARKERS DFM_MEMENTO_OUT DFM_MEMENTO "
                                  "DFM_PARAM_TOP TASK_RUNDIR TASK_SRCDIR; do eval echo \"$v=\\$$v\"; done; "
                                  "cat \"$DFM_PARAMS\" | tr -d ' \\n'; echo; cat \"$DFM_INPUTS\" | tr -d ' \\n'; "
                                  "echo; cat \"$DFM_MEMENTO\" | tr -d ' \\n'; echo");
        s.params = QJsonObject{{"top", "soc"}};
        s.inputs = QJsonArray{QJsonObject{{"type", "std.FileSet"}, {"files", QJsonArray{"a.sv"}}}};
        s.memento = QJsonObject{{"h", 1}};
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(run.results.first().status, 0);
        const QString rd = s.rundir;
        QCOMPARE(readAll(rd + "/vars.log"),
                 QStringLiteral("DFM_TASK_NAME=vars\nDFM_RUNDIR=%1\nDFM_SRCDIR=/src/dir\n"
                                "DFM_PARAMS=%1/dfm.params.json\nDFM_INPUTS=%1/dfm.inputs.json\n"
                                "DFM_OUTPUT=%1/dfm.output.jsonl\nDFM_ENV=%1/dfm.env\nDFM_PATH=%1/dfm.path\n"
                                "DFM_MARKERS=%1/dfm.markers.jsonl\nDFM_MEMENTO_OUT=%1/dfm.memento.out.json\n"
                                "DFM_MEMENTO=%1/dfm.memento.json\nDFM_PARAM_TOP=soc\nTASK_RUNDIR=%1\n"
                                "TASK_SRCDIR=/src/dir\n{\"top\":\"soc\"}\n"
                                "[{\"files\":[\"a.sv\"],\"type\":\"std.FileSet\"}]\n{\"h\":1}\n").arg(rd));
    }

    void outputsEnvMarkersAndMementoComeBackInTheResult()
    {
        const QString body = QStringLiteral(
            "echo '{\"type\":\"std.FileSet\",\"basedir\":\".\",\"files\":[\"gen.sv\"]}' >> \"$DFM_OUTPUT\"\n"
            "echo 'SEED=42' >> \"$DFM_ENV\"\n"
            "echo /opt/tool/bin >> \"$DFM_PATH\"\n"
            "echo '{\"severity\":\"warning\",\"msg\":\"slow\"}' >> \"$DFM_MARKERS\"\n"
            "echo '{\"hash\":\"abc123\"}' > \"$DFM_MEMENTO_OUT\"\n");
        TaskSpec s = spec("outs", body);
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 0);
        QCOMPARE(r.changed, true);
        const QByteArray out = QJsonDocument(r.output).toJson(QJsonDocument::Compact);
        QCOMPARE(out, QStringLiteral("[{\"basedir\":\"%1\",\"files\":[\"gen.sv\"],\"seq\":0,\"src\":\"outs\","
                                     "\"type\":\"std.FileSet\"},{\"prepend_path\":{\"PATH\":\"/opt/tool/bin\"},"
                                     "\"src\":\"outs\",\"type\":\"std.Env\",\"vals\":{\"SEED\":\"42\"}}]")
                          .arg(s.rundir).toUtf8());
        QCOMPARE(r.markers.size(), 1);
        QCOMPARE(firstMarker(r), QStringLiteral("slow"));
        QCOMPARE(r.memento.toObject().value("hash").toString(), QStringLiteral("abc123"));
    }

    void errorMarkerFromTaskExitingZeroFailsIt()
    {
        Run run(spec("errmark", "echo '{\"severity\":\"error\",\"msg\":\"3 lint errors\"}' >> \"$DFM_MARKERS\""));
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 1);
        QCOMPARE(r.extra.value("exit_code").toInt(), 0);
        QCOMPARE(firstMarker(r), QStringLiteral("3 lint errors"));
    }

    void stdEnvInputsReachTheShell()
    {
        TaskSpec s = spec("envin", "echo \"$FROM_INPUT|$FOO\"");
        s.inputs = QJsonArray{QJsonObject{{"type", "std.Env"}, {"vals", QJsonObject{{"FROM_INPUT", "yes"}, {"FOO", "in"}}}}};
        s.env = QJsonObject{{"FOO", "env-wins"}};
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(readAll(s.rundir + "/envin.log"), QStringLiteral("yes|env-wins\n"));
    }

    void backgroundChildIsTerminatedWhenTheTaskEnds()
    {
        // Issue 10 item 4: `sleep 1000 &` must not outlive its task.
        Run run(spec("bg", "sleep 1000 & echo $! > bg.pid; echo started"));
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(run.results.first().status, 0);
        const qint64 bg = readAll(m_tmp.filePath("bg/bg.pid")).trimmed().toLongLong();
        QVERIFY(bg > 0);
        QTRY_VERIFY_WITH_TIMEOUT(!dfm::pidAlive(bg), 10000);
    }

    void backgroundChildIgnoringTermIsKilledAfterTheGrace()
    {
        TaskSpec s = spec("bgterm", "(trap '' TERM; sleep 1000) & echo $! > bg.pid");
        auto task = std::make_unique<ShellTask>(s);
        task->setGraceMs(300);
        QList<TaskResult> results;
        QObject::connect(task.get(), &ShellTask::finished, [&](const TaskResult &r) { results.append(r); });
        task->start();
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 1, 10000);
        const qint64 bg = readAll(m_tmp.filePath("bgterm/bg.pid")).trimmed().toLongLong();
        QVERIFY(bg > 0);
        QVERIFY(!dfm::pidAlive(bg)); // the result waits until the group is gone
    }

    void timeOutStopsTheGroupAndSaysSo()
    {
        TaskSpec s = spec("slow", "sleep 1000");
        s.timeoutSec = 1.5;
        Run run(s);
        QTRY_VERIFY_WITH_TIMEOUT(run.task->pid() > 0, 10000);
        run.task->timeOut(2000);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 128 + 15);
        QCOMPARE(r.extra.value("timed_out").toBool(), true);
        QCOMPARE(firstMarker(r), QStringLiteral("task timed out after 1.5 s"));
    }

    void missingShellGives127()
    {
        TaskSpec s = spec("noshell", "true");
        s.shell = QStringLiteral("nosuchshell");
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(run.results.first().status, 127);
        QCOMPARE(firstMarker(run.results.first()),
                 QStringLiteral("task 'noshell': shell '/bin/nosuchshell' not found or not "
                                "executable (field 'shell' is 'nosuchshell')"));
    }

    void uncreatableRundirFailsNamingPath()
    {
        QFile blocker(m_tmp.filePath("afile"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        TaskSpec s = spec("blocked", "true");
        s.rundir = m_tmp.filePath("afile/sub");
        Run run(s);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(run.results.first().status, 1);
        QCOMPARE(firstMarker(run.results.first()),
                 QStringLiteral("task 'blocked': cannot create rundir '%1'").arg(s.rundir));
    }

    void killedBySignalGives128PlusSignal()
    {
        Run run(spec("selfkill", "kill -9 $$"));
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 137);
        QCOMPARE(r.extra.value("signal").toInt(), 9);
        QVERIFY(r.extra.value("exit_code").isNull());
    }

    void cancelKillsWholeProcessGroup()
    {
        Run run(spec("cancel", "sleep 1000 & echo $! > bg.pid; sleep 1000; wait"));
        const QString pidFile = m_tmp.filePath("cancel/bg.pid");
        QTRY_VERIFY_WITH_TIMEOUT(readAll(pidFile).endsWith('\n'), 10000);
        const qint64 bg = readAll(pidFile).trimmed().toLongLong();
        QVERIFY(dfm::pidAlive(bg));
        QVERIFY(run.task->isRunning());
        run.task->cancel(5000);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        const TaskResult &r = run.results.first();
        QCOMPARE(r.status, 128 + 15);
        QCOMPARE(r.extra.value("signal").toInt(), 15);
        QCOMPARE(r.extra.value("cancelled").toBool(), true);
        QCOMPARE(firstMarker(r), QStringLiteral("cancelled"));
        QTRY_VERIFY_WITH_TIMEOUT(!dfm::pidAlive(bg), 10000);
        run.task->cancel(); // no second result
        QCOMPARE(run.results.size(), 1);
    }

    void cancelEscalatesToKillWhenTermIsIgnored()
    {
        Run run(spec("stubborn", "trap '' TERM; sleep 1000 & echo $! > bg.pid; wait; wait"));
        const QString pidFile = m_tmp.filePath("stubborn/bg.pid");
        QTRY_VERIFY_WITH_TIMEOUT(readAll(pidFile).endsWith('\n'), 10000);
        const qint64 bg = readAll(pidFile).trimmed().toLongLong();
        run.task->cancel(200);
        QTRY_COMPARE_WITH_TIMEOUT(run.results.size(), 1, 10000);
        QCOMPARE(run.results.first().status, 128 + 9);
        QCOMPARE(run.results.first().extra.value("cancelled").toBool(), true);
        QTRY_VERIFY_WITH_TIMEOUT(!dfm::pidAlive(bg), 10000);
    }

    void destroyingRunningTaskKillsItsGroup()
    {
        auto run = std::make_unique<Run>(spec("orphan", "sleep 1000 & echo $! > bg.pid; wait"));
        const QString pidFile = m_tmp.filePath("orphan/bg.pid");
        QTRY_VERIFY_WITH_TIMEOUT(readAll(pidFile).endsWith('\n'), 10000);
        const qint64 bg = readAll(pidFile).trimmed().toLongLong();
        run.reset();
        QTRY_VERIFY_WITH_TIMEOUT(!dfm::pidAlive(bg), 10000);
    }
};

QTEST_GUILESS_MAIN(TstShellTask)
#include "tst_shelltask.moc"
