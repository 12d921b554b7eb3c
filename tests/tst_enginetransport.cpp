// The Engine driven through a fake worker transport and a fake launcher: no
// socket, no process. The test plays the workers (register, answer, go
// away) and checks what the Engine sent them and what its owner heard.

#include "engine.h"
#include "fakelauncher.h"
#include "fakeworkertransport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace dfm;
using namespace dfm::test;

namespace {

proto::TaskSpec spec(const QString &rid)
{
    proto::TaskSpec s;
    QString err;
    proto::parseTaskSpec({{QStringLiteral("request_id"), rid}, {QStringLiteral("body"), QStringLiteral("true")}}, &s,
                         &err);
    return s;
}

QJsonObject result(const QString &rid, int status = 0)
{
    return {{QStringLiteral("request_id"), rid}, {QStringLiteral("status"), status}};
}

// The request_id of the last task.execute sent to the worker; "" if none.
QString lastExecuted(const FakeWorkerTransport &t, const QString &worker)
{
    for (qsizetype i = t.sent.size() - 1; i >= 0; --i)
        if (t.sent[i].workerId == worker
            && t.sent[i].msg.value(QLatin1String("method")).toString() == proto::kTaskExecute)
            return t.sent[i].msg.value(QLatin1String("params")).toObject().value(QLatin1String("request_id")).toString();
    return {};
}

QString firstMarker(const proto::TaskResult &r)
{
    return r.markers.first().toObject().value(QLatin1String("msg")).toString();
}

} // namespace

class TestEngineTransport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    FakeLauncher *m_launcher = nullptr;
    FakeWorkerTransport *m_transport = nullptr;

    // A fresh engine with fresh fakes (owned by the engine).
    std::unique_ptr<Engine> engine(int maxWorkers = 2)
    {
        EngineOptions o;
        o.paths = ProjectPaths::forRoot(m_dir.path());
        QString err;
        ensureDfmDir(o.paths, &err);
        o.pool.maxWorkers = maxWorkers;
        o.tickMs = 20;
        o.heartbeatTimeoutMs = 300;
        m_launcher = new FakeLauncher;
        m_transport = new FakeWorkerTransport;
        auto e = std::make_unique<Engine>(o, m_launcher, m_transport);
        if (!e->start(&err))
            qFatal("engine did not start: %s", qPrintable(err));
        return e;
    }

private Q_SLOTS:
    void registeredWorkerRunsTheQueuedTaskAndTheOwnerGetsTheResult()
    {
        auto e = engine();
        QVERIFY(m_transport->opened);
        QSignalSpy done(e.get(), &Engine::taskFinished);
        QCOMPARE(e->submit(1, spec(QStringLiteral("t1")), 42), SubmitError::None);
        QCOMPARE(m_launcher->requests.size(), 1);
        QCOMPARE(m_launcher->requests[0].port, quint16(4711)); // where the transport listens

        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")), QString());
        QCOMPARE(m_transport->methodsSentTo(QStringLiteral("w1")), QStringList{QStringLiteral("task.execute")});
        const QJsonObject params = m_transport->sent[0].msg.value(QLatin1String("params")).toObject();
        QCOMPARE(params.value(QLatin1String("request_id")).toString(), QStringLiteral("t1"));
        QCOMPARE(params.value(QLatin1String("name")).toString(), QStringLiteral("t1"));
        QCOMPARE(params.value(QLatin1String("body")).toString(), QStringLiteral("true"));
        QCOMPARE(e->workers().first().state, QStringLiteral("busy"));

        m_transport->receive(QStringLiteral("w1"), proto::kTaskResult, result(QStringLiteral("t1")));
        QCOMPARE(done.size(), 1); // at once: no event loop in between
        QCOMPARE(done[0][1].toString(), QStringLiteral("t1"));
        QCOMPARE(done[0][2].value<QJsonValue>().toInt(), 42);
        const auto r = proto::toTaskResult(done[0][3].value<proto::PassedResult>());
        QCOMPARE(r.status, 0);
        QCOMPARE(r.extra.value(QLatin1String("worker_id")).toString(), QStringLiteral("w1"));
        QCOMPARE(r.extra.value(QLatin1String("hostname")).toString(), QStringLiteral("fakehost"));
        QCOMPARE(r.extra.value(QLatin1String("attempts")).toInt(), 1);
        QCOMPARE(e->workers().first().state, QStringLiteral("idle"));
        QCOMPARE(e->workers().first().tasksDone, qint64(1));
    }

    void onlyAWorkerItLaunchedAndAwaitsMayRegister()
    {
        auto e = engine();
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w9")),
                 QStringLiteral("worker.register: 'w9' is not a worker this daemon is waiting for"));
        QCOMPARE(e->submit(1, spec(QStringLiteral("t1"))), SubmitError::None);
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")), QString());
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")),
                 QStringLiteral("worker.register: 'w1' is not a worker this daemon is waiting for"));
    }

    void workerDisconnectingMidTaskRequeuesTheTaskOnAnotherWorker()
    {
        auto e = engine();
        QSignalSpy done(e.get(), &Engine::taskFinished);
        e->submit(1, spec(QStringLiteral("t1")));
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")), QString());
        QCOMPARE(lastExecuted(*m_transport, QStringLiteral("w1")), QStringLiteral("t1"));

        m_transport->disconnectWorker(QStringLiteral("w1"));
        QCOMPARE(done.size(), 0);
        QVERIFY(m_launcher->stopped.contains(QStringLiteral("w1"))); // whatever is left of it goes
        QCOMPARE(e->status().counters.retried, qint64(1));
        QCOMPARE(e->status().pendingTasks, 1);
        QCOMPARE(m_launcher->requests.size(), 2);
        QCOMPARE(m_launcher->requests[1].workerId, QStringLiteral("w2"));

        QCOMPARE(m_transport->registerWorker(QStringLiteral("w2")), QString());
        QCOMPARE(lastExecuted(*m_transport, QStringLiteral("w2")), QStringLiteral("t1"));
        m_transport->receive(QStringLiteral("w2"), proto::kTaskResult, result(QStringLiteral("t1")));
        QCOMPARE(done.size(), 1);
        const auto r = proto::toTaskResult(done[0][3].value<proto::PassedResult>());
        QCOMPARE(r.status, 0);
        QCOMPARE(r.extra.value(QLatin1String("worker_id")).toString(), QStringLiteral("w2"));
        QCOMPARE(r.extra.value(QLatin1String("attempts")).toInt(), 2);
    }

    void taskWhoseWorkersDisconnectTwiceFailsSayingSo()
    {
        auto e = engine();
        QSignalSpy done(e.get(), &Engine::taskFinished);
        e->submit(1, spec(QStringLiteral("t1")));
        for (const char *w : {"w1", "w2"}) {
            QCOMPARE(m_transport->registerWorker(QLatin1String(w)), QString());
            QCOMPARE(lastExecuted(*m_transport, QLatin1String(w)), QStringLiteral("t1"));
            m_transport->disconnectWorker(QLatin1String(w));
        }
        QCOMPARE(done.size(), 1);
        const auto r = proto::toTaskResult(done[0][3].value<proto::PassedResult>());
        QCOMPARE(r.status, 1);
        QCOMPARE(firstMarker(r), QStringLiteral("worker w2 on fakehost was lost while running this task "
                                                "(connection closed); gave up after 2 attempt(s)"));
    }

    void dispatchToAWorkerWhoseConnectionIsGoneLosesItAndRequeues()
    {
        auto e = engine();
        QSignalSpy logs(e.get(), &Engine::logMessage);
        QSignalSpy done(e.get(), &Engine::taskFinished);
        e->submit(1, spec(QStringLiteral("t1")));
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")), QString());
        m_transport->receive(QStringLiteral("w1"), proto::kTaskResult, result(QStringLiteral("t1")));
        QCOMPARE(done.size(), 1);

        // Idle w1's connection breaks; the Engine learns it by failing to send.
        m_transport->breakQuietly(QStringLiteral("w1"));
        e->submit(1, spec(QStringLiteral("t2")));
        QVERIFY(m_launcher->stopped.contains(QStringLiteral("w1")));
        bool logged = false;
        for (const auto &args : logs)
            logged = logged || args[0].toString() == QStringLiteral("worker w1 lost: it had no connection to send a task on");
        QVERIFY(logged);
        for (const proto::WorkerInfo &w : e->workers())
            QVERIFY(w.workerId != QStringLiteral("w1"));
        QCOMPARE(e->status().pendingTasks, 1);

        QCOMPARE(m_transport->registerWorker(QStringLiteral("w2")), QString());
        QCOMPARE(lastExecuted(*m_transport, QStringLiteral("w2")), QStringLiteral("t2"));
        m_transport->receive(QStringLiteral("w2"), proto::kTaskResult, result(QStringLiteral("t2"), 3));
        QCOMPARE(done.size(), 2);
        QCOMPARE(proto::toTaskResult(done[1][3].value<proto::PassedResult>()).status, 3);
    }

    void anyMessageKeepsAWorkerAndSilenceLosesIt()
    {
        auto e = engine();
        e->submit(1, spec(QStringLiteral("t1")));
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")), QString());
        // Heartbeats for three times the timeout: still there.
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 900) {
            m_transport->receive(QStringLiteral("w1"), proto::kWorkerHeartbeat,
                                 {{QStringLiteral("worker_id"), QStringLiteral("w1")}});
            QTest::qWait(50);
        }
        QVERIFY(m_transport->isLive(QStringLiteral("w1")));
        QCOMPARE(e->workers().first().state, QStringLiteral("busy"));
        // Silence: lost, its connection dropped, its task retried elsewhere.
        QTRY_COMPARE_WITH_TIMEOUT(m_transport->dropped, QStringList{QStringLiteral("w1")}, 10000);
        QCOMPARE(e->status().counters.retried, qint64(1));
        QCOMPARE(m_launcher->requests.last().workerId, QStringLiteral("w2"));
    }

    void unknownRequestFromAWorkerIsAnsweredAndResultsForOtherTasksIgnored()
    {
        auto e = engine();
        QSignalSpy done(e.get(), &Engine::taskFinished);
        e->submit(1, spec(QStringLiteral("t1")));
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")), QString());
        proto::Message m;
        m.method = QStringLiteral("worker.bogus");
        m.id = 7;
        Q_EMIT m_transport->messageReceived(QStringLiteral("w1"), m);
        QCOMPARE(m_transport->sent.last().msg, proto::errorResponse(7, QStringLiteral("Unknown method: worker.bogus")));
        m_transport->receive(QStringLiteral("w1"), proto::kTaskResult, result(QStringLiteral("other")));
        QCOMPARE(done.size(), 0);
        QCOMPARE(e->workers().first().state, QStringLiteral("busy"));
    }

    void shutdownTellsWorkersToStopAndClosesTheTransport()
    {
        auto e = engine();
        QSignalSpy stopped(e.get(), &Engine::stopped);
        e->submit(1, spec(QStringLiteral("t1")));
        QCOMPARE(m_transport->registerWorker(QStringLiteral("w1")), QString());
        e->shutdown();
        QCOMPARE(m_transport->methodsSentTo(QStringLiteral("w1")),
                 (QStringList{QStringLiteral("task.execute"), QStringLiteral("worker.shutdown")}));
        QCOMPARE(m_transport->closed, QStringList{QStringLiteral("w1")});
        QVERIFY(!m_transport->accepting);
        QVERIFY(!m_transport->secretRemoved); // until the last worker is gone
        QVERIFY(stopped.wait(5000));
        QVERIFY(m_transport->secretRemoved);
    }
};

QTEST_GUILESS_MAIN(TestEngineTransport)
#include "tst_enginetransport.moc"
