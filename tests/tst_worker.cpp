// `dfm worker` against a fake daemon: the real binary connects to a
// QTcpServer in the test, which plays the daemon's side of the protocol.

#include "framing.h"
#include "protocol.h"

#include "testutil.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace dfm;

namespace {

constexpr int kWait = 20000;

QString readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

/// The daemon's end of one worker connection.
class FakeDaemon : public QObject {
public:
    QTcpServer server;
    QTcpSocket *conn = nullptr;
    LineReader reader;
    QList<proto::Message> received;

    bool listen(quint16 port = 0)
    {
        connect(&server, &QTcpServer::newConnection, this, [this] {
            conn = server.nextPendingConnection();
            connect(conn, &QTcpSocket::readyRead, this, [this] {
                reader.append(conn->readAll());
                QByteArray line;
                while (reader.next(&line)) {
                    proto::Message m;
                    QString err;
                    if (proto::parse(line, &m, &err))
                        received.append(m);
                    else
                        qWarning("fake daemon: bad line from worker: %s", qPrintable(err));
                }
            });
        });
        return server.listen(QHostAddress::LocalHost, port);
    }
    void send(const QJsonObject &obj) { conn->write(proto::encode(obj)); }
    int count(QLatin1String method) const
    {
        int n = 0;
        for (const auto &m : received)
            n += m.method == method;
        return n;
    }
    /// The last message named `method`, or an empty one.
    proto::Message last(QLatin1String method) const
    {
        for (auto it = received.crbegin(); it != received.crend(); ++it)
            if (it->method == method)
                return *it;
        return {};
    }
    /// The task.result for `requestId`, or a result without params.
    QJsonObject resultFor(const QString &requestId) const
    {
        for (const auto &m : received)
            if (m.method == proto::kTaskResult
                && m.params.value(proto::kFieldRequestId).toString() == requestId)
                return m.params;
        return {};
    }
};

} // namespace

class TstWorker : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    std::unique_ptr<FakeDaemon> m_daemon;
    std::unique_ptr<QProcess> m_worker;
    QByteArray m_stderr;

    void startWorker(quint16 port, const QStringList &extra = {})
    {
        QFile token(m_tmp.filePath("token"));
        QVERIFY(token.open(QIODevice::WriteOnly));
        token.write("s3cret\n");
        token.close();
        m_worker.reset(new QProcess);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("DFM_HEARTBEAT_MS", "100");
        env.insert("DFM_CANCEL_GRACE_MS", "2000");
        m_worker->setProcessEnvironment(env);
        connect(m_worker.get(), &QProcess::readyReadStandardError, this,
                [this] { m_stderr += m_worker->readAllStandardError(); });
        m_worker->start(DFM_BIN, QStringList{"worker", "--connect",
                                             QStringLiteral("127.0.0.1:%1").arg(port),
                                             "--worker-id", "w1", "--token-file",
                                             m_tmp.filePath("token")} + extra);
        QVERIFY(m_worker->waitForStarted());
    }

    /// Starts daemon and worker and completes registration.
    void startRegistered()
    {
        QVERIFY(m_daemon->listen());
        startWorker(m_daemon->server.serverPort());
        QTRY_COMPARE_WITH_TIMEOUT(m_daemon->count(proto::kWorkerRegister), 1, kWait);
        m_daemon->send(proto::response(m_daemon->last(proto::kWorkerRegister).id,
                                       QString(proto::kResultRegistered)));
    }

    void execute(const QString &requestId, const QString &body)
    {
        m_daemon->send(proto::event(proto::kTaskExecute,
                                    QJsonObject{{"request_id", requestId},
                                                {"name", "t-" + requestId},
                                                {"shell", "bash"},
                                                {"body", body},
                                                {"srcdir", m_tmp.path()},
                                                {"rundir", m_tmp.filePath(requestId)},
                                                {"env", QJsonObject{{"X", "1"}}}}));
    }

    /// Runs a task that records its PID and sleeps; returns the PID, 0 if
    /// it never wrote it.
    qint64 startSleeper(const QString &requestId)
    {
        execute(requestId, "echo $$ > pid; sleep 1000");
        const QString pidFile = m_tmp.filePath(requestId + "/pid");
        if (!QTest::qWaitFor([&] { return readAll(pidFile).endsWith('\n'); }, kWait))
            return 0;
        return readAll(pidFile).trimmed().toLongLong();
    }

    bool workerExited() const { return m_worker->state() == QProcess::NotRunning; }

private slots:
    void init()
    {
        m_daemon.reset(new FakeDaemon);
        m_stderr.clear();
    }
    void cleanup()
    {
        // SIGTERM first: the worker then stops its task's process group, so
        // no test leaves a task behind.
        if (m_worker && m_worker->state() != QProcess::NotRunning) {
            m_worker->terminate();
            if (!m_worker->waitForFinished(kWait)) {
                m_worker->kill();
                m_worker->waitForFinished();
            }
        }
        if (QTest::currentTestFailed() || qEnvironmentVariableIsSet("DFM_TEST_VERBOSE"))
            qWarning("worker stderr:\n%s", m_stderr.constData());
        m_worker.reset();
        m_daemon.reset();
    }

    void registersWithTokenAsRequest()
    {
        QVERIFY(m_daemon->listen());
        startWorker(m_daemon->server.serverPort(), {"--resource-class", "big"});
        QTRY_COMPARE_WITH_TIMEOUT(m_daemon->count(proto::kWorkerRegister), 1, kWait);
        const proto::Message reg = m_daemon->last(proto::kWorkerRegister);
        QVERIFY(reg.isRequest());
        proto::WorkerRegistration r;
        QString err;
        QVERIFY2(proto::parseRegistration(reg.params, &r, &err), qPrintable(err));
        QCOMPARE(r.workerId, QStringLiteral("w1"));
        QCOMPARE(r.token, QStringLiteral("s3cret"));
        QCOMPARE(r.resourceClass, QStringLiteral("big"));
        QCOMPARE(r.pid, m_worker->processId());
        QVERIFY(!r.hostname.isEmpty());
        QCOMPARE(m_daemon->count(proto::kWorkerHeartbeat), 0); // not before "registered"
    }

    void runsTaskAndReportsResult()
    {
        startRegistered();
        execute("r1", "echo \"hi $X\"; exit 4");
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("r1").isEmpty(), kWait);
        const QJsonObject res = m_daemon->resultFor("r1");
        QCOMPARE(res.value("status").toInt(), 4);
        QCOMPARE(res.value("exit_code").toInt(), 4);
        QCOMPARE(res.value("worker_id").toString(), QStringLiteral("w1"));
        QVERIFY(!res.value("hostname").toString().isEmpty());
        QCOMPARE(res.value("log").toString(), m_tmp.filePath("r1/t-r1.log"));
        QCOMPARE(readAll(m_tmp.filePath("r1/t-r1.log")), QStringLiteral("hi 1\n"));
        QVERIFY(res.contains("markers") && res.contains("changed") && res.contains("output"));
    }

    // `--bench-echo` is for bench/ only (docs/performance.md): the daemon's
    // dispatch path measured with a worker that costs nothing.
    void benchEchoAnswersStatusZeroAndRunsNothing()
    {
        QVERIFY(m_daemon->listen());
        startWorker(m_daemon->server.serverPort(), {"--bench-echo"});
        QTRY_COMPARE_WITH_TIMEOUT(m_daemon->count(proto::kWorkerRegister), 1, kWait);
        m_daemon->send(proto::response(m_daemon->last(proto::kWorkerRegister).id,
                                       QString(proto::kResultRegistered)));
        execute("e1", "echo ran > ran; exit 7");
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("e1").isEmpty(), kWait);
        const QJsonObject res = m_daemon->resultFor("e1");
        QCOMPARE(res.value("status").toInt(), 0);
        QCOMPARE(res.value("worker_id").toString(), QStringLiteral("w1"));
        QVERIFY(!QFileInfo::exists(m_tmp.filePath("e1"))); // no rundir, no log, no process
    }

    void sendsHeartbeatsAfterRegistering()
    {
        startRegistered();
        QTRY_VERIFY_WITH_TIMEOUT(m_daemon->count(proto::kWorkerHeartbeat) >= 3, kWait);
        const proto::Message hb = m_daemon->last(proto::kWorkerHeartbeat);
        QVERIFY(hb.isEvent());
        QCOMPARE(hb.params.value("worker_id").toString(), QStringLiteral("w1"));
    }

    void cancelStopsRunningTask()
    {
        startRegistered();
        const qint64 pid = startSleeper("r2");
        QVERIFY(dfm::pidAlive(pid));
        m_daemon->send(proto::event(proto::kTaskCancel, QJsonObject{{"request_id", "other"}}));
        m_daemon->send(proto::event(proto::kTaskCancel, QJsonObject{{"request_id", "r2"}}));
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("r2").isEmpty(), kWait);
        const QJsonObject res = m_daemon->resultFor("r2");
        QCOMPARE(res.value("status").toInt(), 128 + 15);
        QCOMPARE(res.value("cancelled").toBool(), true);
        QTRY_VERIFY_WITH_TIMEOUT(!dfm::pidAlive(pid), kWait);
        // Still usable afterwards.
        execute("r3", "true");
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("r3").isEmpty(), kWait);
        QCOMPARE(m_daemon->resultFor("r3").value("status").toInt(), 0);
    }

    void busyWorkerRejectsSecondTask()
    {
        startRegistered();
        const qint64 pid = startSleeper("r4");
        QVERIFY(pid > 0);
        execute("r5", "true");
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("r5").isEmpty(), kWait);
        const QJsonObject res = m_daemon->resultFor("r5");
        QCOMPARE(res.value("status").toInt(), 1);
        QCOMPARE(res.value("markers").toArray().first().toObject().value("msg").toString(),
                 QStringLiteral("worker busy: 'w1' is already running task 't-r4' (request r4)"));
        QVERIFY(m_daemon->resultFor("r4").isEmpty());
        m_worker->terminate();
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QVERIFY(!dfm::pidAlive(pid));
    }

    void invalidTaskIsAnsweredWithError()
    {
        startRegistered();
        m_daemon->send(proto::event(proto::kTaskExecute,
                                    QJsonObject{{"request_id", "r6"}, {"env", "notanobject"}}));
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("r6").isEmpty(), kWait);
        const QJsonObject res = m_daemon->resultFor("r6");
        QCOMPARE(res.value("status").toInt(), 1);
        QCOMPARE(res.value("markers").toArray().first().toObject().value("msg").toString(),
                 QStringLiteral("task: field 'env' must be an object of strings"));
    }

    void shutdownKillsTaskAndExitsZero()
    {
        startRegistered();
        const qint64 pid = startSleeper("r7");
        QVERIFY(pid > 0);
        m_daemon->send(proto::event(proto::kWorkerShutdown, {}));
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QCOMPARE(m_worker->exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_worker->exitCode(), 0);
        QVERIFY(!dfm::pidAlive(pid));
    }

    void idleShutdownExitsZero()
    {
        startRegistered();
        m_daemon->send(proto::event(proto::kWorkerShutdown, {}));
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QCOMPARE(m_worker->exitCode(), 0);
    }

    void lostConnectionKillsTaskAndExitsOne()
    {
        startRegistered();
        const qint64 pid = startSleeper("r8");
        QVERIFY(pid > 0);
        m_daemon->conn->abort();
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QCOMPARE(m_worker->exitCode(), 1);
        QVERIFY(!dfm::pidAlive(pid));
        QVERIFY2(m_stderr.contains("dfm worker w1: connection to the daemon at 127.0.0.1:"),
                 m_stderr.constData());
    }

    void sigtermKillsTaskAndExits()
    {
        startRegistered();
        const qint64 pid = startSleeper("r9");
        QVERIFY(pid > 0);
        m_worker->terminate();
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QCOMPARE(m_worker->exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_worker->exitCode(), 0);
        QVERIFY(!dfm::pidAlive(pid));
    }

    void sigkilledWorkerTakesTaskGroupWithIt()
    {
        // Issue 10 item 3: the task's shell and its background children die
        // with their worker, even when the worker gets no chance to clean up.
        startRegistered();
        execute("k1", "sleep 1000 & echo $! > bg.pid; echo $$ > pid; sleep 1000; wait");
        const QString dir = m_tmp.filePath("k1");
        QTRY_VERIFY_WITH_TIMEOUT(readAll(dir + "/pid").endsWith('\n') && readAll(dir + "/bg.pid").endsWith('\n'), kWait);
        const qint64 shell = readAll(dir + "/pid").trimmed().toLongLong();
        const qint64 bg = readAll(dir + "/bg.pid").trimmed().toLongLong();
        QVERIFY(dfm::pidAlive(shell) && dfm::pidAlive(bg));
        m_worker->kill();
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!dfm::pidAlive(shell), kWait);
        QTRY_VERIFY_WITH_TIMEOUT(!dfm::pidAlive(bg), kWait);
    }

    void taskTimeoutKillsItAndAnswersTimedOut()
    {
        startRegistered();
        m_daemon->send(proto::event(proto::kTaskExecute,
                                    QJsonObject{{"request_id", "to1"}, {"name", "slow"},
                                                {"body", "echo $$ > pid; sleep 1000"},
                                                {"rundir", m_tmp.filePath("to1")},
                                                {"timeout", 1}}));
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("to1").isEmpty(), kWait);
        const QJsonObject res = m_daemon->resultFor("to1");
        QVERIFY(res.value("status").toInt() != 0);
        QCOMPARE(res.value("timed_out").toBool(), true);
        const QJsonArray markers = res.value("markers").toArray();
        QCOMPARE(markers.last().toObject().value("msg").toString(), QStringLiteral("task timed out after 1 s"));
        QCOMPARE(markers.last().toObject().value("severity").toString(), QStringLiteral("error"));
        QVERIFY(!dfm::pidAlive(readAll(m_tmp.filePath("to1/pid")).trimmed().toLongLong()));
    }

    void badTimeoutIsRejected()
    {
        startRegistered();
        m_daemon->send(proto::event(proto::kTaskExecute,
                                    QJsonObject{{"request_id", "to2"}, {"body", "true"}, {"timeout", "soon"}}));
        QTRY_VERIFY_WITH_TIMEOUT(!m_daemon->resultFor("to2").isEmpty(), kWait);
        QCOMPARE(m_daemon->resultFor("to2").value("markers").toArray().first().toObject().value("msg").toString(),
                 QStringLiteral("task: field 'timeout' must be a positive number of seconds"));
    }

    void retriesUntilDaemonListens()
    {
        // Find a free port, then listen on it only after the worker started.
        QVERIFY(m_daemon->server.listen(QHostAddress::LocalHost, 0));
        const quint16 port = m_daemon->server.serverPort();
        m_daemon->server.close();
        startWorker(port);
        bool listening = false;
        QTimer::singleShot(800, this, [&] { listening = m_daemon->listen(port); });
        QTRY_VERIFY_WITH_TIMEOUT(listening, kWait);
        QTRY_COMPARE_WITH_TIMEOUT(m_daemon->count(proto::kWorkerRegister), 1, kWait);
        QVERIFY(!workerExited());
    }

    void givesUpAfterConnectTimeout()
    {
        QVERIFY(m_daemon->server.listen(QHostAddress::LocalHost, 0));
        const quint16 port = m_daemon->server.serverPort();
        m_daemon->server.close();
        startWorker(port, {"--connect-timeout", "1"});
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QCOMPARE(m_worker->exitCode(), 1);
        QVERIFY2(m_stderr.contains(QStringLiteral("dfm worker w1: cannot connect to the daemon "
                                                  "at 127.0.0.1:%1 after ").arg(port).toUtf8()),
                 m_stderr.constData());
        QVERIFY2(m_stderr.contains("(last error: Connection refused); is the daemon still running?"),
                 m_stderr.constData());
    }

    void registrationErrorExitsOne()
    {
        QVERIFY(m_daemon->listen());
        startWorker(m_daemon->server.serverPort());
        QTRY_COMPARE_WITH_TIMEOUT(m_daemon->count(proto::kWorkerRegister), 1, kWait);
        m_daemon->send(proto::errorResponse(m_daemon->last(proto::kWorkerRegister).id,
                                            "worker.register: bad token"));
        QTRY_VERIFY_WITH_TIMEOUT(workerExited(), kWait);
        QCOMPARE(m_worker->exitCode(), 1);
        QVERIFY2(m_stderr.contains("dfm worker w1: the daemon refused registration: "
                                   "worker.register: bad token"),
                 m_stderr.constData());
    }
};

QTEST_GUILESS_MAIN(TstWorker)
#include "tst_worker.moc"
