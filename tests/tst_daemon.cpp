// Integration tests: a real daemon (the dfm binary), real workers, real sockets.

#include "daemonclient.h"
#include "projectpaths.h"
#include "protocol.h"
#include "statefile.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

// Task shells whose command line holds `needle`, not counting a shell's
// own child in the instant between its fork and its exec of `sleep` (the
// child still shows the parent's command line then).
int taskShells(const QString &needle)
{
    const QList<qint64> pids = processesMatching(needle);
    int n = 0;
    for (qint64 pid : pids) {
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        // pid (comm) state ppid ...: the ppid follows the last ')'.
        const QByteArray stat = f.readAll();
        const QList<QByteArray> rest = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (rest.size() > 1 && !pids.contains(rest.at(1).toLongLong()))
            ++n;
    }
    return n;
}


QJsonObject submitParams(const QString &rid, const QString &body, const QString &rundir)
{
    return QJsonObject{{QStringLiteral("request_id"), rid},
                       {QStringLiteral("name"), rid},
                       {QStringLiteral("shell"), QStringLiteral("bash")},
                       {QStringLiteral("body"), body},
                       {QStringLiteral("rundir"), rundir}};
}

// Connects a raw socket to the daemon of `p`, as a client that writes its
// own bytes would.
bool connectRaw(QLocalSocket &s, const TempProject &p)
{
    s.connectToServer(p.path(QStringLiteral(".dfm/daemon.sock")));
    return s.waitForConnected(5000);
}

} // namespace

class TestDaemon : public QObject {
    Q_OBJECT

    QTemporaryDir m_home; /* HOME of every dfm process the tests start */

    QProcessEnvironment env() const
    {
        auto e = QProcessEnvironment::systemEnvironment();
        e.insert(QStringLiteral("DFM_REGISTER_TIMEOUT_MS"), QStringLiteral("1000"));
        e.insert(QStringLiteral("DFM_CLIENT_IDLE_TIMEOUT_MS"), QStringLiteral("1000"));
        return e;
    }

    void start(const TempProject &p, QStringList extra = {})
    {
        const Run r = runDfm(QStringList{QStringLiteral("daemon"), QStringLiteral("start")} + extra,
                             p.root(), 30000, env());
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("started for")), qPrintable(r.out));
    }

    // Starts `/bin/sh -c SCRIPT` in the project with $0 set to dfm.
    void startShell(QProcess *sh, const TempProject &p, const QString &script)
    {
        sh->setProcessEnvironment(env());
        sh->setWorkingDirectory(p.root());
        sh->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), script, QStringLiteral(DFM_BIN)});
    }

    DaemonState state(const TempProject &p)
    {
        DaemonState st;
        QString err;
        readState(p.path(QStringLiteral(".dfm/daemon.json")), &st, &err);
        return st;
    }

    void connectClient(DaemonClient &c, const TempProject &p)
    {
        QString err;
        QVERIFY2(c.connectTo(p.path(QStringLiteral(".dfm/daemon.sock")), 5000, &err), qPrintable(err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void startStatusStopLifecycle()
    {
        TempProject p;
        start(p);
        const DaemonState st = state(p);
        QVERIFY(st.pid > 0);
        QCOMPARE(st.runner, QStringLiteral("local"));
        QCOMPARE(st.socket, p.path(QStringLiteral(".dfm/daemon.sock")));
        QCOMPARE(st.version, kStateVersion);
        QVERIFY(st.workerPort > 0);

        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("dfm daemon: already running for %1 (pid %2)\n").arg(p.root()).arg(st.pid));

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root());
        QCOMPARE(r.code, 0);
        const QJsonObject s = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(s.value(QLatin1String("state")).toString(), QStringLiteral("running"));
        QCOMPARE(s.value(QLatin1String("pid")).toInteger(), st.pid);
        QCOMPARE(s.value(QLatin1String("runner")).toString(), QStringLiteral("local"));
        QCOMPARE(s.value(QLatin1String("pending_tasks")).toInt(), 0);
        QVERIFY(s.value(QLatin1String("workers")).isArray());

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status")}, p.root());
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("dfm daemon: running (pid %1), runner local\n").arg(st.pid)));

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("dfm daemon: stopped (pid %1)\n").arg(st.pid));
        QVERIFY(!pidAlive(st.pid));
        QVERIFY(!QFile::exists(p.path(QStringLiteral(".dfm/daemon.json"))));
        QVERIFY(!QFile::exists(p.path(QStringLiteral(".dfm/daemon.sock"))));

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root());
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("no daemon running for %1").arg(p.root())));
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root());
        QCOMPARE(r.code, 1);
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("state")).toString(),
                 QStringLiteral("not_running"));
    }

    void staleStateFileIsReportedRemovedAndReplaced()
    {
        TempProject p;
        // A PID that cannot exist (above pid_max).
        p.write(QStringLiteral(".dfm/daemon.json"),
                R"({"pid": 2147483000, "socket": "/nonexistent.sock", "worker_port": 1, "started": "2026-01-01T00:00:00Z", "runner": "local"})");
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("status")}, p.root());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("stale state file")) && r.out.contains(QStringLiteral("pid 2147483000 is not running")),
                 qPrintable(r.out));
        QVERIFY(QFile::exists(p.path(QStringLiteral(".dfm/daemon.json")))); // status only reports

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root());
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("state")).toString(),
                 QStringLiteral("stale"));

        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root());
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("removed stale")));
        QVERIFY(!QFile::exists(p.path(QStringLiteral(".dfm/daemon.json"))));

        p.write(QStringLiteral(".dfm/daemon.json"), R"({"pid": 2147483000, "socket": "/x.sock"})");
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root(), 30000, env());
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("removed stale")));
        QVERIFY(r.out.contains(QStringLiteral("started for")));
        QVERIFY(state(p).pid != 2147483000);
    }

    void reusedPidIsNotMistakenForADaemon()
    {
        TempProject p;
        // Our own PID is alive, but nothing answers on the socket it names.
        p.write(QStringLiteral(".dfm/daemon.json"),
                QStringLiteral(R"({"pid": %1, "socket": "%2"})")
                    .arg(QCoreApplication::applicationPid())
                    .arg(p.path(QStringLiteral(".dfm/daemon.sock")))
                    .toUtf8());
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("status")}, p.root());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("is alive but")) && r.out.contains(QStringLiteral("does not answer ping")),
                 qPrintable(r.out));
    }

    void concurrentStartsLeaveExactlyOneDaemon()
    {
        TempProject p;
        QProcess a, b;
        for (QProcess *proc : {&a, &b}) {
            proc->setProcessEnvironment(env());
            proc->setWorkingDirectory(p.root());
            proc->start(QStringLiteral(DFM_BIN), {QStringLiteral("daemon"), QStringLiteral("start")});
        }
        QVERIFY(a.waitForFinished(30000) && b.waitForFinished(30000));
        QVERIFY2(a.exitCode() == 0, a.readAllStandardError().constData());
        QVERIFY2(b.exitCode() == 0, b.readAllStandardError().constData());
        const QList<qint64> daemons = daemonsOf(p.root());
        QCOMPARE(daemons.size(), 1);
        QCOMPARE(daemons.first(), state(p).pid);
    }

    // The forked daemon checks and reports the start itself, on the
    // caller's streams (cli/daemonprefork.h): each word once, and the
    // streams let go of when `start` returns, so a caller reading them to
    // their end (as $(...) does) returns too.
    void startSpeaksOnceAndLetsGoOfTheCallersStreams()
    {
        TempProject p;
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--runner"),
                        QStringLiteral("nope")},
                       p.root(), 30000, env());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.out, QString());
        QCOMPARE(r.err, QStringLiteral("dfm daemon: --runner: expected one of local, lsf, slurm, got 'nope'\n"));
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--pool-sise"), QStringLiteral("2")},
                   p.root(), 30000, env());
        QCOMPARE(r.code, 2);
        QCOMPARE(r.err.count(QStringLiteral("unknown option '--pool-sise'")), 1);
        QVERIFY(daemonsOf(p.root()).isEmpty());

        QProcess sh;
        startShell(&sh, p, QStringLiteral("out=$(\"$0\" daemon start 2>&1); echo \"[$out]\""));
        QVERIFY2(sh.waitForFinished(20000), "the daemon kept the caller's output open");
        QCOMPARE(sh.exitCode(), 0);
        const DaemonState st = state(p);
        QVERIFY(st.pid > 0);
        const QString out = QString::fromUtf8(sh.readAllStandardOutput());
        QVERIFY2(out.startsWith(QStringLiteral("[dfm daemon: started for %1 (pid %2, runner local, up to ")
                                    .arg(p.root())
                                    .arg(st.pid)),
                 qPrintable(out));
        QVERIFY2(out.endsWith(QStringLiteral("  log:    %1]\n").arg(p.path(QStringLiteral(".dfm/daemon.log")))),
                 qPrintable(out));
        QCOMPARE(daemonsOf(p.root()), QList<qint64>{st.pid});
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 30000, env());
        QCOMPARE(r.code, 0);
    }

    // A caller may close stdin, stdout and stderr: the start still works,
    // and nothing written to them lands in a socket or pipe that took
    // their descriptors (such a start once left no daemon behind).
    void startWithClosedStdioWorks()
    {
        TempProject p;
        QProcess sh;
        startShell(&sh, p, QStringLiteral("\"$0\" daemon start <&- >&- 2>&-; echo $? > rc"));
        QVERIFY(sh.waitForFinished(20000));
        QFile rc(p.path(QStringLiteral("rc")));
        QVERIFY(rc.open(QIODevice::ReadOnly));
        QCOMPARE(rc.readAll().trimmed(), QByteArray("0"));
        const DaemonState st = state(p);
        QVERIFY(st.pid > 0);
        Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("status")}, p.root(), 30000, env());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.err, QString());
        r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 30000, env());
        QCOMPARE(r.code, 0);
        QCOMPARE(r.err, QString());
        QCOMPARE(r.out, QStringLiteral("dfm daemon: stopped (pid %1)\n").arg(st.pid));
    }

    void tasksOfTwoClientsGetOnlyTheirOwnResults()
    {
        TempProject p;
        start(p, {QStringLiteral("--pool-size"), QStringLiteral("3")});
        DaemonClient a, b;
        connectClient(a, p);
        connectClient(b, p);
        Results ra(a), rb(b);
        QHash<qint64, QString> idsA, idsB;
        // Both clients use the same request ids: routing must not mix them up.
        for (int i = 0; i < 15; ++i) {
            const QString rid = QStringLiteral("t%1").arg(i);
            idsA.insert(a.send(proto::kTaskSubmit, submitParams(rid, QStringLiteral("echo A-%1").arg(i), p.path(QStringLiteral("ra/") + rid))), rid);
            idsB.insert(b.send(proto::kTaskSubmit, submitParams(rid, QStringLiteral("echo B-%1; exit %2").arg(i).arg(i % 2), p.path(QStringLiteral("rb/") + rid))), rid);
        }
        QTRY_COMPARE_WITH_TIMEOUT(ra.byId.size(), 15, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(rb.byId.size(), 15, 60000);
        for (auto it = idsA.cbegin(); it != idsA.cend(); ++it) {
            const QJsonObject res = ra.byId.value(it.key());
            QCOMPARE(res.value(QLatin1String("status")).toInt(), 0);
            QFile log(res.value(QLatin1String("log")).toString());
            QVERIFY(log.open(QIODevice::ReadOnly));
            QCOMPARE(log.readAll(), QStringLiteral("A-%1\n").arg(it.value().mid(1)).toUtf8());
        }
        for (auto it = idsB.cbegin(); it != idsB.cend(); ++it) {
            const QJsonObject res = rb.byId.value(it.key());
            const int i = it.value().mid(1).toInt();
            QCOMPARE(res.value(QLatin1String("status")).toInt(), i % 2);
            QVERIFY(res.value(QLatin1String("log")).toString().startsWith(p.path(QStringLiteral("rb/"))));
            QVERIFY(res.value(QLatin1String("worker_id")).toString().startsWith(QLatin1Char('w')));
        }
        // At most --pool-size workers were ever launched.
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("status"), QStringLiteral("--json")}, p.root());
        const QJsonObject s = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(s.value(QLatin1String("workers")).toArray().size() <= 3);
        QCOMPARE(s.value(QLatin1String("counters")).toObject().value(QLatin1String("passed")).toInt(), 15 + 8);
    }

    // The daemon reads most submits and results without a document
    // (core/wirescan.h) and leaves unusual ones to the parser: a client
    // must not be able to tell which way its task went.
    void aSubmitGetsTheSameResultWhicheverWayTheDaemonReadsIt()
    {
        TempProject p;
        start(p);
        QLocalSocket s;
        QVERIFY(connectRaw(s, p));
        const QByteArray dir = p.path(QStringLiteral("r")).toUtf8();
        // The first is read by the scanner; the second has a key written
        // with an escape, which the scanner leaves to the parser.
        s.write("{\"method\": \"task.submit\", \"id\": 1, \"params\": {\"request_id\": \"a\", \"body\": \"true\", "
                "\"rundir\": \"" + dir + "/a\"}}\n"
                "{\"id\": \"two\", \"method\": \"task.submit\", \"params\": {\"request_id\": \"b\", \"body\": \"true\", "
                "\"rundir\": \"" + dir + "/b\", \"x\\u0041\": 1}}\n");
        s.flush();
        QHash<QString, QJsonObject> byId;
        for (int i = 0; i < 2; ++i) {
            const QJsonObject r = readLine(s, 30000);
            byId.insert(r.value(QLatin1String("id")).toVariant().toString(), r.value(QLatin1String("result")).toObject());
        }
        const QJsonObject a = byId.value(QStringLiteral("1")), b = byId.value(QStringLiteral("two"));
        QCOMPARE(a.keys(), b.keys());
        for (const char *k : {"status", "changed", "output", "markers", "memento", "worker_id", "hostname",
                              "attempts", "duration_ms", "log", "exit_code"})
            QVERIFY2(a.contains(QLatin1String(k)), k);
        QVERIFY(!a.contains(QLatin1String("request_id")));
        for (const QJsonObject &r : {a, b}) {
            QCOMPARE(r.value(QLatin1String("status")).toInt(), 0);
            QVERIFY(r.value(QLatin1String("worker_id")).toString().startsWith(QLatin1Char('w')));
            QCOMPARE(r.value(QLatin1String("attempts")).toInt(), 1);
        }
        QVERIFY(a.value(QLatin1String("log")).toString().startsWith(QString::fromUtf8(dir + "/a")));
        QVERIFY(b.value(QLatin1String("log")).toString().startsWith(QString::fromUtf8(dir + "/b")));
    }

    void badInputGetsErrorsAndLeavesTheDaemonWorking()
    {
        TempProject p;
        start(p);
        QLocalSocket s;
        QVERIFY(connectRaw(s, p));
        auto send = [&](const QByteArray &line) { s.write(line); s.flush(); };

        send("this is not json\n");
        QVERIFY(readLine(s).value(QLatin1String("error")).toString().startsWith(QStringLiteral("Invalid JSON: ")));
        send("[1, 2, 3]\n");
        QCOMPARE(readLine(s).value(QLatin1String("error")).toString(), QStringLiteral("Invalid JSON: expected an object"));
        send(QByteArray("\xff\xfe\x00\x01garbage\n", 12));
        QVERIFY(readLine(s).value(QLatin1String("error")).toString().startsWith(QStringLiteral("Invalid JSON: ")));
        send("{\"method\": \"frobnicate\", \"id\": 7}\n");
        QJsonObject r = readLine(s);
        QCOMPARE(r.value(QLatin1String("id")).toInt(), 7);
        QCOMPARE(r.value(QLatin1String("error")).toString(), QStringLiteral("Unknown method: frobnicate"));
        send("{\"method\": \"task.submit\", \"id\": 8, \"params\": {\"name\": \"x\"}}\n");
        r = readLine(s);
        QCOMPARE(r.value(QLatin1String("id")).toInt(), 8);
        QCOMPARE(r.value(QLatin1String("error")).toString(), QStringLiteral("task.submit: task: missing string field 'request_id'"));
        send("{\"method\": \"ping\"}\n");
        QCOMPARE(readLine(s).value(QLatin1String("error")).toString(), QStringLiteral("Invalid message: request 'ping' has no 'id'"));
        send("\n\n{\"method\": \"ping\", \"id\": \"abc\"}\n");
        r = readLine(s);
        QCOMPARE(r.value(QLatin1String("id")).toString(), QStringLiteral("abc"));
        QCOMPARE(r.value(QLatin1String("result")).toString(), QStringLiteral("pong"));

        // A duplicate request_id while the first is still outstanding.
        const QByteArray slow = proto::encode(proto::request(proto::kTaskSubmit, 9, submitParams(QStringLiteral("dup"), QStringLiteral("sleep 5"), p.path(QStringLiteral("r")))));
        send(slow);
        QByteArray again = slow;
        again.replace("\"id\":9", "\"id\":10");
        send(again);
        r = readLine(s);
        QCOMPARE(r.value(QLatin1String("id")).toInt(), 10);
        QVERIFY(r.value(QLatin1String("error")).toString().contains(QStringLiteral("request_id 'dup' is already outstanding")));

        // A client that says nothing is dropped; one that floods is cut off.
        QLocalSocket quiet;
        QVERIFY(connectRaw(quiet, p));
        QTRY_COMPARE_WITH_TIMEOUT(quiet.state(), QLocalSocket::UnconnectedState, 10000);

        QLocalSocket flood;
        QVERIFY(connectRaw(flood, p));
        const QByteArray chunk(1024 * 1024, 'x');
        for (int i = 0; i < 10 && flood.state() == QLocalSocket::ConnectedState; ++i) {
            flood.write(chunk);
            flood.waitForBytesWritten(5000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(flood.state(), QLocalSocket::UnconnectedState, 10000);
        // The reply may be lost with the broken pipe; the daemon's log says why.
        QFile log(p.path(QStringLiteral(".dfm/daemon.log")));
        QVERIFY(log.open(QIODevice::ReadOnly));
        QVERIFY(log.readAll().contains("Line too long"));

        // Everything else still works.
        DaemonClient c;
        connectClient(c, p);
        QJsonValue pong;
        QString err;
        QVERIFY2(c.call(proto::kPing, {}, &pong, &err), qPrintable(err));
        QCOMPARE(pong.toString(), QStringLiteral("pong"));
    }

    void workerWithoutTheSecretIsRejected()
    {
        TempProject p;
        start(p);
        const DaemonState st = state(p);
        QTcpSocket w;
        w.connectToHost(QStringLiteral("127.0.0.1"), quint16(st.workerPort));
        QVERIFY(w.waitForConnected(5000));
        w.write(proto::encode(proto::request(proto::kWorkerRegister, 1,
                                             {{QStringLiteral("worker_id"), QStringLiteral("w1")},
                                              {QStringLiteral("token"), QStringLiteral("guess")}})));
        const QJsonObject r = readLine(w);
        QVERIFY(r.value(QLatin1String("error")).toString().contains(QStringLiteral("bad or missing token")));
        QTRY_COMPARE_WITH_TIMEOUT(w.state(), QAbstractSocket::UnconnectedState, 5000);

        // One that connects and never registers is dropped too.
        QTcpSocket silent;
        silent.connectToHost(QStringLiteral("127.0.0.1"), quint16(st.workerPort));
        QVERIFY(silent.waitForConnected(5000));
        QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 10000);
    }

    void cancelQueuedAndRunningTasks()
    {
        TempProject p;
        start(p, {QStringLiteral("--pool-size"), QStringLiteral("1")});
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        const QString marker = QStringLiteral("cancel-me-%1").arg(QCoreApplication::applicationPid());
        const qint64 running = c.send(proto::kTaskSubmit, submitParams(QStringLiteral("run"), QStringLiteral("sleep 60; echo %1").arg(marker), p.path(QStringLiteral("r1"))));
        const qint64 queued = c.send(proto::kTaskSubmit, submitParams(QStringLiteral("queued"), QStringLiteral("true"), p.path(QStringLiteral("r2"))));
        QTRY_VERIFY_WITH_TIMEOUT(!processesMatching(marker).isEmpty(), 20000);

        QJsonValue v;
        QString err;
        QVERIFY2(c.call(proto::kTaskCancel, {{QStringLiteral("request_id"), QStringLiteral("queued")}}, &v, &err), qPrintable(err));
        QCOMPARE(v.toString(), QStringLiteral("cancelled"));
        QTRY_VERIFY_WITH_TIMEOUT(res.byId.contains(queued), 5000);
        QCOMPARE(res.byId[queued].value(QLatin1String("cancelled")).toBool(), true);
        QVERIFY(res.byId[queued].value(QLatin1String("status")).toInt() != 0);

        QVERIFY(c.call(proto::kTaskCancel, {{QStringLiteral("request_id"), QStringLiteral("run")}}, &v, &err));
        QTRY_VERIFY_WITH_TIMEOUT(res.byId.contains(running), 20000);
        QCOMPARE(res.byId[running].value(QLatin1String("cancelled")).toBool(), true);
        QVERIFY(processesMatching(marker).isEmpty());

        QVERIFY(!c.call(proto::kTaskCancel, {{QStringLiteral("request_id"), QStringLiteral("nope")}}, &v, &err));
        QCOMPARE(err, QStringLiteral("daemon: task.cancel: no outstanding task with request_id 'nope' on this connection"));
    }

    void disconnectingClientCancelsItsTasks()
    {
        TempProject p;
        start(p);
        const QString marker = QStringLiteral("orphan-%1").arg(QCoreApplication::applicationPid());
        {
            DaemonClient c;
            connectClient(c, p);
            c.send(proto::kTaskSubmit, submitParams(QStringLiteral("t"), QStringLiteral("sleep 60; echo %1").arg(marker), p.path(QStringLiteral("r"))));
            QTRY_VERIFY_WITH_TIMEOUT(!processesMatching(marker).isEmpty(), 20000);
        }
        QTRY_VERIFY_WITH_TIMEOUT(processesMatching(marker).isEmpty(), 20000);
    }

    void lostWorkerTaskIsRetriedOnAnother()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        // The first attempt hangs; the retry finds the flag file and passes.
        const QString flag = p.path(QStringLiteral("flag"));
        const qint64 id = c.send(proto::kTaskSubmit, submitParams(QStringLiteral("t"),
            QStringLiteral("if [ ! -f %1 ]; then touch %1; sleep 60; fi").arg(flag), p.path(QStringLiteral("r"))));
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(flag), 20000);
        QJsonValue v;
        QString err;
        QVERIFY(c.call(proto::kStatusGet, {}, &v, &err));
        const QJsonArray workers = v.toObject().value(QLatin1String("workers")).toArray();
        QCOMPARE(workers.size(), 1);
        const qint64 workerPid = workers[0].toObject().value(QLatin1String("pid")).toInteger();
        QVERIFY(workerPid > 0);
        ::kill(pid_t(workerPid), SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(res.byId.contains(id), 30000);
        QCOMPARE(res.byId[id].value(QLatin1String("status")).toInt(), 0);
        QCOMPARE(res.byId[id].value(QLatin1String("attempts")).toInt(), 2);
    }

    void pythonTaskIsAnsweredWithAMarker()
    {
        TempProject p;
        start(p);
        DaemonClient c;
        connectClient(c, p);
        Results res(c);
        QJsonObject params = submitParams(QStringLiteral("py"), QString(), p.path(QStringLiteral("r")));
        params.insert(QStringLiteral("shell"), QStringLiteral("pytask"));
        const qint64 id = c.send(proto::kTaskSubmit, params);
        QTRY_VERIFY_WITH_TIMEOUT(res.byId.contains(id), 20000);
        QCOMPARE(res.byId[id].value(QLatin1String("status")).toInt(), 1);
        const QJsonArray markers = res.byId[id].value(QLatin1String("markers")).toArray();
        QCOMPARE(markers.size(), 1);
        QCOMPARE(markers[0].toObject().value(QLatin1String("msg")).toString(),
                 QStringLiteral("pytask requires callable_spec (task 'py')"));
    }

    void monitorGetsSnapshotThenEvents()
    {
        TempProject p;
        start(p);
        QLocalSocket m;
        QVERIFY(connectRaw(m, p));
        m.write(proto::encode(proto::request(proto::kMonitorSubscribe, 1)));
        QCOMPARE(readLine(m).value(QLatin1String("result")).toString(), QStringLiteral("subscribed"));
        const QJsonObject snap = readLine(m);
        QCOMPARE(snap.value(QLatin1String("method")).toString(), QStringLiteral("monitor.snapshot"));
        QVERIFY(snap.value(QLatin1String("params")).toObject().contains(QLatin1String("workers")));

        DaemonClient c;
        connectClient(c, p);
        c.send(proto::kTaskSubmit, submitParams(QStringLiteral("t"), QStringLiteral("true"), p.path(QStringLiteral("r"))));
        QStringList seen;
        QElapsedTimer t;
        t.start();
        while (!seen.contains(QStringLiteral("task.completed")) && t.elapsed() < 20000) {
            const QJsonObject e = readLine(m, 1000);
            if (!e.isEmpty())
                seen << e.value(QLatin1String("method")).toString();
        }
        QVERIFY2(seen.contains(QStringLiteral("client.connected")), qPrintable(seen.join(u',')));
        QVERIFY2(seen.contains(QStringLiteral("worker.state")), qPrintable(seen.join(u',')));
        QVERIFY2(seen.contains(QStringLiteral("task.dispatched")), qPrintable(seen.join(u',')));
        QVERIFY2(seen.contains(QStringLiteral("task.completed")), qPrintable(seen.join(u',')));
    }

    void startedNoticeGoesOnlyToTheClientThatAskedBeforeItsResult()
    {
        TempProject p;
        start(p);
        QLocalSocket asker, other;
        for (QLocalSocket *s : {&asker, &other}) {
            QVERIFY(connectRaw(*s, p));
        }
        QJsonObject params = submitParams(QStringLiteral("t"), QStringLiteral("true"), p.path(QStringLiteral("ra")));
        params.insert(QStringLiteral("notify_started"), true);
        asker.write(proto::encode(proto::request(proto::kTaskSubmit, 1, params)));
        // The same request_id from another connection, without the field.
        other.write(proto::encode(proto::request(proto::kTaskSubmit, 1, submitParams(QStringLiteral("t"), QStringLiteral("true"), p.path(QStringLiteral("rb"))))));
        QVERIFY(asker.waitForBytesWritten(5000) && other.waitForBytesWritten(5000));

        const QJsonObject started = readLine(asker, 20000);
        QCOMPARE(started.value(QLatin1String("method")).toString(), QStringLiteral("task.started"));
        const QJsonObject sp = started.value(QLatin1String("params")).toObject();
        QCOMPARE(sp.value(QLatin1String("request_id")).toString(), QStringLiteral("t"));
        QCOMPARE(sp.value(QLatin1String("name")).toString(), QStringLiteral("t"));
        QCOMPARE(sp.value(QLatin1String("attempt")).toInt(), 1);
        QVERIFY(sp.value(QLatin1String("worker_id")).toString().startsWith(QLatin1Char('w')));
        QVERIFY(sp.value(QLatin1String("started_ms")).toInteger() > 0);
        const QJsonObject result = readLine(asker, 20000);
        QCOMPARE(result.value(QLatin1String("id")).toInt(), 1);
        QCOMPARE(result.value(QLatin1String("result")).toObject().value(QLatin1String("status")).toInt(), 0);

        // The other client gets its RESULT and nothing before it.
        const QJsonObject first = readLine(other, 20000);
        QVERIFY2(!first.contains(QLatin1String("method")), qPrintable(QJsonDocument(first).toJson()));
        QCOMPARE(first.value(QLatin1String("id")).toInt(), 1);
        QCOMPARE(first.value(QLatin1String("result")).toObject().value(QLatin1String("status")).toInt(), 0);
    }

    void stopAndSigtermLeaveNoWorkerProcess_data()
    {
        QTest::addColumn<bool>("viaSignal");
        QTest::newRow("dfm daemon stop") << false;
        QTest::newRow("SIGTERM") << true;
    }

    void stopAndSigtermLeaveNoWorkerProcess()
    {
        QFETCH(bool, viaSignal);
        TempProject p;
        start(p, {QStringLiteral("--pool-size"), QStringLiteral("3")});
        const DaemonState st = state(p);
        DaemonClient c;
        connectClient(c, p);
        const QString marker = QStringLiteral("busy-%1-%2").arg(QCoreApplication::applicationPid()).arg(viaSignal);
        for (int i = 0; i < 5; ++i)
            c.send(proto::kTaskSubmit, submitParams(QStringLiteral("t%1").arg(i), QStringLiteral("sleep 60; echo %1").arg(marker), p.path(QStringLiteral("r%1").arg(i))));
        QTRY_COMPARE_WITH_TIMEOUT(taskShells(marker), 3, 20000);
        QCOMPARE(processesMatching(QStringLiteral("worker.token")).size() >= 3, true);
        if (viaSignal) {
            ::kill(pid_t(st.pid), SIGTERM);
            QTRY_VERIFY_WITH_TIMEOUT(!pidAlive(st.pid), 30000);
        } else {
            const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root());
            QCOMPARE(r.code, 0);
        }
        QVERIFY(!pidAlive(st.pid));
        QCOMPARE(processesMatching(p.path(QStringLiteral(".dfm/worker.token"))), QList<qint64>{});
        QCOMPARE(processesMatching(marker), QList<qint64>{});
        QVERIFY(!QFile::exists(p.path(QStringLiteral(".dfm/daemon.json"))));
        QVERIFY(!QFile::exists(p.path(QStringLiteral(".dfm/daemon.sock"))));
    }
};

QTEST_GUILESS_MAIN(TestDaemon)
#include "tst_daemon.moc"
