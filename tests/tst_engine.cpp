// The Engine with a fake launcher and workers scripted inside the test: the
// pool's side effects (registration, dispatch, results, lost workers, launch
// failures) and the client request handlers, without spawning processes.

#include "clienthandlers.h"
#include "engine.h"
#include "fakelauncher.h"
#include "launcher.h"
#include "workerpeer.h"

#include <QFile>
#include <algorithm>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

using namespace dfm;
using dfm::test::FakeLauncher;

namespace {

using ScriptedWorker = dfm::test::WorkerPeer;

// The RESULT of one taskFinished() emission, parsed.
proto::TaskResult resultOf(const QList<QVariant> &finished)
{
    return proto::toTaskResult(finished[3].value<proto::PassedResult>());
}

proto::TaskSpec spec(const QString &rid, const QString &cls = QString())
{
    proto::TaskSpec s;
    QString err;
    proto::parseTaskSpec({{QStringLiteral("request_id"), rid},
                          {QStringLiteral("body"), QStringLiteral("true")},
                          {QStringLiteral("resource_class"), cls}},
                         &s, &err);
    return s;
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    EngineOptions options(int maxWorkers = 2)
    {
        EngineOptions o;
        o.paths = ProjectPaths::forRoot(m_dir.path());
        QString err;
        ensureDfmDir(o.paths, &err);
        o.pool.maxWorkers = maxWorkers;
        o.pool.launchTimeoutMs = 200;
        o.tickMs = 20;
        o.heartbeatTimeoutMs = 300;
        o.registerTimeoutMs = 300;
        return o;
    }

    static QString token(const Engine &e)
    {
        QFile f(e.options().paths.tokenFile);
        return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()) : QString();
    }

private Q_SLOTS:
    void handlersAnswerWithoutSockets()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(), launcher);
        DaemonFacts facts;
        facts.pid = 7;
        auto req = [](const char *method, QJsonObject params = {}) {
            proto::Message m;
            m.method = QLatin1String(method);
            m.id = 1;
            m.params = params;
            return m;
        };
        ClientReply r = handleClientRequest(e, facts, 1, req("ping"));
        QCOMPARE(r.action, ClientReply::Send);
        QCOMPARE(r.message, proto::response(1, QStringLiteral("pong")));
        r = handleClientRequest(e, facts, 1, req("nope"));
        QCOMPARE(r.message, proto::errorResponse(1, QStringLiteral("Unknown method: nope")));
        r = handleClientRequest(e, facts, 1, req("task.cancel"));
        QCOMPARE(r.message, proto::errorResponse(1, QStringLiteral("task.cancel: missing string field 'request_id'")));
        r = handleClientRequest(e, facts, 1, req("task.submit", {{QStringLiteral("request_id"), 5}}));
        QCOMPARE(r.message, proto::errorResponse(1, QStringLiteral("task.submit: task: missing string field 'request_id'")));
        r = handleClientRequest(e, facts, 1, req("status.get"));
        const QJsonObject st = r.message.value(QLatin1String("result")).toObject();
        QCOMPARE(st.value(QLatin1String("pid")).toInt(), 7);
        QCOMPARE(st.value(QLatin1String("runner")).toString(), QStringLiteral("fake"));
        QCOMPARE(st.value(QLatin1String("pending_tasks")).toInt(), 0);
        QCOMPARE(handleClientRequest(e, facts, 1, req("monitor.subscribe")).action, ClientReply::SendAndSubscribe);
        QCOMPARE(handleClientRequest(e, facts, 1, req("shutdown")).action, ClientReply::SendAndShutdown);

        r = handleClientRequest(e, facts, 1, req("task.submit", {{QStringLiteral("request_id"), QStringLiteral("a")}}));
        QCOMPARE(r.action, ClientReply::Deferred);
        r = handleClientRequest(e, facts, 1, req("task.submit", {{QStringLiteral("request_id"), QStringLiteral("a")}}));
        QCOMPARE(r.message.value(QLatin1String("error")).toString(),
                 QStringLiteral("task.submit: request_id 'a' is already outstanding on this connection; use a unique request_id per task"));
        // Another client may use the same id.
        QCOMPARE(handleClientRequest(e, facts, 2, req("task.submit", {{QStringLiteral("request_id"), QStringLiteral("a")}})).action,
                 ClientReply::Deferred);
    }

    void queuedTaskRunsWhenItsWorkerRegisters()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(), launcher);
        QString err;
        QVERIFY2(e.start(&err), qPrintable(err));
        QSignalSpy done(&e, &Engine::taskFinished);
        QCOMPARE(e.submit(1, spec(QStringLiteral("t1")), 42), SubmitError::None);
        QCOMPARE(launcher->requests.size(), 1);
        const LaunchRequest lr = launcher->requests.first();
        QCOMPARE(lr.port, e.workerPort());
        QCOMPARE(lr.tokenFile, e.options().paths.tokenFile);
        QCOMPARE(lr.workerId, QStringLiteral("w1"));

        ScriptedWorker w;
        QVERIFY(w.connectAndRegister(e.workerPort(), lr.workerId, token(e)));
        const QJsonObject exec = w.next();
        QCOMPARE(exec.value(QLatin1String("method")).toString(), QStringLiteral("task.execute"));
        QCOMPARE(exec.value(QLatin1String("params")).toObject().value(QLatin1String("request_id")).toString(), QStringLiteral("t1"));
        QCOMPARE(exec.value(QLatin1String("params")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("t1"));
        w.send(proto::event(proto::kTaskResult, {{QStringLiteral("request_id"), QStringLiteral("t1")}, {QStringLiteral("status"), 0}}));
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done[0][0].toULongLong(), 1u);
        QCOMPARE(done[0][1].toString(), QStringLiteral("t1"));
        QCOMPARE(done[0][2].value<QJsonValue>().toInt(), 42); // the tag routes the reply
        const auto res = resultOf(done[0]);
        QCOMPARE(res.status, 0);
        QCOMPARE(res.extra.value(QLatin1String("worker_id")).toString(), QStringLiteral("w1"));
        QCOMPARE(res.extra.value(QLatin1String("hostname")).toString(), QStringLiteral("testhost"));
        QCOMPARE(res.extra.value(QLatin1String("attempts")).toInt(), 1);
        QCOMPARE(e.workers().first().state, QStringLiteral("idle"));
    }

    void taskResourcesPickTheWorkerAndReachTheLauncher()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(), launcher);
        QString err;
        QVERIFY(e.start(&err));
        proto::TaskSpec big;
        QVERIFY(proto::parseTaskSpec({{QStringLiteral("request_id"), QStringLiteral("big")},
                                      {QStringLiteral("body"), QStringLiteral("true")},
                                      {QStringLiteral("resources"), QJsonObject{{QStringLiteral("cores"), 8}}}},
                                     &big, &err));
        QSignalSpy done(&e, &Engine::taskFinished);
        e.submit(1, big);
        QCOMPARE(launcher->requests.size(), 1);
        QCOMPARE(launcher->requests[0].resourceClass, QStringLiteral("{cores=8}"));
        QCOMPARE(launcher->requests[0].resources.cores, 8);
        QCOMPARE(launcher->requests[0].resources.memory, QStringLiteral("1G")); // from defaults
        ScriptedWorker w;
        QVERIFY(w.connectAndRegister(e.workerPort(), QStringLiteral("w1"), token(e)));
        QCOMPARE(w.next().value(QLatin1String("method")).toString(), QStringLiteral("task.execute"));
        w.send(proto::event(proto::kTaskResult, {{QStringLiteral("request_id"), QStringLiteral("big")}, {QStringLiteral("status"), 0}}));
        QTRY_COMPARE(done.size(), 1);
        // An idle 8-core worker does not take a default task: a worker of its own is launched.
        e.submit(1, spec(QStringLiteral("small")));
        QCOMPARE(launcher->requests.size(), 2);
        QCOMPARE(launcher->requests[1].resources.cores, 1);
    }

    void minWorkersAreLaunchedWhenTheEngineStarts()
    {
        auto *launcher = new FakeLauncher;
        EngineOptions o = options(4);
        o.pool.minWorkers = 2;
        Engine e(o, launcher);
        QString err;
        QVERIFY(e.start(&err));
        QCOMPARE(launcher->requests.size(), 2);
        QCOMPARE(e.workers().size(), 2);
        QCOMPARE(e.workers().first().state, QStringLiteral("pending"));
    }

    void registrationWithoutTheTokenOrForAnUnknownWorkerIsRefused()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(), launcher);
        QString err;
        QVERIFY(e.start(&err));
        e.submit(1, spec(QStringLiteral("t")));
        ScriptedWorker bad;
        QVERIFY(!bad.connectAndRegister(e.workerPort(), QStringLiteral("w1"), QStringLiteral("guess")));
        ScriptedWorker stranger;
        QVERIFY(!stranger.connectAndRegister(e.workerPort(), QStringLiteral("w9"), token(e)));
        QTRY_COMPARE(stranger.sock.state(), QAbstractSocket::UnconnectedState);
        ScriptedWorker good;
        QVERIFY(good.connectAndRegister(e.workerPort(), QStringLiteral("w1"), token(e)));
    }

    void silentWorkerIsLostAndItsTaskRetriedElsewhere()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(1), launcher);
        QString err;
        QVERIFY(e.start(&err));
        QSignalSpy done(&e, &Engine::taskFinished);
        e.submit(1, spec(QStringLiteral("t")));
        ScriptedWorker first;
        QVERIFY(first.connectAndRegister(e.workerPort(), QStringLiteral("w1"), token(e)));
        QCOMPARE(first.next().value(QLatin1String("method")).toString(), QStringLiteral("task.execute"));
        // No heartbeat, no result: after 300 ms it is lost and a new worker launched.
        QTRY_COMPARE(launcher->requests.size(), 2);
        QVERIFY(launcher->stopped.contains(QStringLiteral("w1")));
        ScriptedWorker second;
        QVERIFY(second.connectAndRegister(e.workerPort(), launcher->requests.last().workerId, token(e)));
        QCOMPARE(second.next().value(QLatin1String("method")).toString(), QStringLiteral("task.execute"));
        second.send(proto::event(proto::kTaskResult, {{QStringLiteral("request_id"), QStringLiteral("t")}, {QStringLiteral("status"), 0}}));
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(resultOf(done[0]).extra.value(QLatin1String("attempts")).toInt(), 2);
    }

    void tasksFailClearlyWhenNoWorkerCanBeLaunched()
    {
        auto *launcher = new FakeLauncher;
        launcher->failLaunches = true;
        Engine e(options(), launcher);
        QString err;
        QVERIFY(e.start(&err));
        QSignalSpy done(&e, &Engine::taskFinished);
        e.submit(1, spec(QStringLiteral("t")));
        QTRY_COMPARE(done.size(), 1);
        const auto res = resultOf(done[0]);
        QCOMPARE(res.status, 1);
        QCOMPARE(res.markers.first().toObject().value(QLatin1String("msg")).toString(),
                 QStringLiteral("no worker could be started for resource class 'default': bsub: command not found"));
    }

    void workerThatNeverConnectsIsProbedAndGivenUp()
    {
        auto *launcher = new FakeLauncher;
        launcher->probeAnswer = JobState::Gone;
        Engine e(options(1), launcher);
        QString err;
        QVERIFY(e.start(&err));
        QSignalSpy done(&e, &Engine::taskFinished);
        e.submit(1, spec(QStringLiteral("t")));
        // Each launch times out at 200 ms, is probed, found gone; three in a row fail the task.
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 10000);
        QCOMPARE(launcher->requests.size(), 3);
        QVERIFY(resultOf(done[0]).markers.first().toObject().value(QLatin1String("msg")).toString()
                    .endsWith(QStringLiteral("job vanished from the queue")));
    }

    void cancelAnswersQueuedAtOnceAndRunningWhenStopped()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(1), launcher);
        QString err;
        QVERIFY(e.start(&err));
        QSignalSpy done(&e, &Engine::taskFinished);
        e.submit(1, spec(QStringLiteral("run")));
        e.submit(1, spec(QStringLiteral("queued")));
        ScriptedWorker w;
        QVERIFY(w.connectAndRegister(e.workerPort(), QStringLiteral("w1"), token(e)));
        QCOMPARE(w.next().value(QLatin1String("method")).toString(), QStringLiteral("task.execute"));
        QVERIFY(e.cancel(1, QStringLiteral("queued")));
        QCOMPARE(done.size(), 1);
        QCOMPARE(done[0][1].toString(), QStringLiteral("queued"));
        QVERIFY(resultOf(done[0]).extra.value(QLatin1String("cancelled")).toBool());
        QVERIFY(e.cancel(1, QStringLiteral("run")));
        const QJsonObject c = w.next();
        QCOMPARE(c.value(QLatin1String("method")).toString(), QStringLiteral("task.cancel"));
        QCOMPARE(c.value(QLatin1String("params")).toObject().value(QLatin1String("request_id")).toString(), QStringLiteral("run"));
        w.send(proto::event(proto::kTaskResult, {{QStringLiteral("request_id"), QStringLiteral("run")}, {QStringLiteral("status"), 143}}));
        QTRY_COMPARE(done.size(), 2);
        QVERIFY(resultOf(done[1]).extra.value(QLatin1String("cancelled")).toBool());
        QVERIFY(!e.cancel(1, QStringLiteral("run")));
    }

    void shutdownAnswersEverythingAndStopsWorkers()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(1), launcher);
        QString err;
        QVERIFY(e.start(&err));
        QSignalSpy done(&e, &Engine::taskFinished);
        QSignalSpy stopped(&e, &Engine::stopped);
        e.submit(1, spec(QStringLiteral("a")));
        e.submit(1, spec(QStringLiteral("b")));
        ScriptedWorker w;
        QVERIFY(w.connectAndRegister(e.workerPort(), QStringLiteral("w1"), token(e)));
        QCOMPARE(w.next().value(QLatin1String("method")).toString(), QStringLiteral("task.execute"));
        e.shutdown();
        QVERIFY(launcher->stoppedAll);
        QCOMPARE(stopped.size(), 0); // only once the launcher says all are gone
        QCOMPARE(done.size(), 2);
        QCOMPARE(w.next().value(QLatin1String("method")).toString(), QStringLiteral("worker.shutdown"));
        QTRY_COMPARE(stopped.size(), 1);
        QVERIFY(!QFile::exists(e.options().paths.tokenFile));
        QCOMPARE(e.submit(1, spec(QStringLiteral("c"))), SubmitError::ShuttingDown);
    }

    // The pool hears of a finished task before the client does, so the next
    // task of a chain, submitted on hearing the result, reuses the worker.
    void aChainSubmittedResultByResultUsesOneWorker()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(4), launcher);
        QString err;
        QVERIFY(e.start(&err));
        int next = 1;
        connect(&e, &Engine::taskFinished, &e, [&](quint64, const QString &, const QJsonValue &, const proto::PassedResult &) {
            if (next < 5)
                e.submit(1, spec(QStringLiteral("t%1").arg(++next)));
        });
        e.submit(1, spec(QStringLiteral("t1")));
        ScriptedWorker w;
        QVERIFY(w.connectAndRegister(e.workerPort(), QStringLiteral("w1"), token(e)));
        for (int i = 1; i <= 5; ++i) {
            const QJsonObject exec = w.next();
            const QString rid = exec.value(QLatin1String("params")).toObject().value(QLatin1String("request_id")).toString();
            QCOMPARE(rid, QStringLiteral("t%1").arg(i));
            w.send(proto::event(proto::kTaskResult, {{QStringLiteral("request_id"), rid}, {QStringLiteral("status"), 0}}));
        }
        QTRY_COMPARE(next, 5);
        QCOMPARE(launcher->requests.size(), 1);
    }

    // A freed worker is sent the next queued task before the finished
    // task's result is handed on; taskStarted() is emitted only for a task
    // submitted with notifyStarted, and the flag never reaches the worker.
    void nextTaskGoesOutBeforeTheResultAndStartsAreNotifiedOnRequest()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(1), launcher);
        QString err;
        QVERIFY(e.start(&err));
        QStringList order;
        connect(&e, &Engine::taskFinished, &e, [&](quint64, const QString &rid, const QJsonValue &, const proto::PassedResult &) {
            order << QStringLiteral("result ") + rid;
        });
        connect(&e, &Engine::taskStarted, &e, [&](quint64 owner, const proto::RunningTask &t) {
            order << QStringLiteral("started %1 %2 w=%3 attempt=%4").arg(owner).arg(t.requestId, t.workerId).arg(t.attempt);
        });
        proto::TaskSpec first;
        QVERIFY(proto::parseTaskSpec({{QStringLiteral("request_id"), QStringLiteral("t1")},
                                      {QStringLiteral("notify_started"), true}},
                                     &first, &err));
        QCOMPARE(e.submit(3, first, 1, true), SubmitError::None);
        QCOMPARE(e.submit(3, spec(QStringLiteral("t2")), 2), SubmitError::None);
        ScriptedWorker w;
        QVERIFY(w.connectAndRegister(e.workerPort(), QStringLiteral("w1"), token(e)));
        const QJsonObject exec1 = w.next().value(QLatin1String("params")).toObject();
        QCOMPARE(exec1.value(QLatin1String("request_id")).toString(), QStringLiteral("t1"));
        QVERIFY(!exec1.contains(QLatin1String("notify_started")));
        QTRY_COMPARE(order, QStringList{QStringLiteral("started 3 t1 w=w1 attempt=1")});
        order.clear();
        // The result of t1 arrives: t2 is on its way to the worker by the
        // time the result is handed on.
        QString sentBefore;
        connect(&e, &Engine::taskFinished, &e, [&](quint64, const QString &, const QJsonValue &, const proto::PassedResult &) {
            sentBefore = w.next(2000).value(QLatin1String("params")).toObject().value(QLatin1String("request_id")).toString();
        });
        w.send(proto::event(proto::kTaskResult, {{QStringLiteral("request_id"), QStringLiteral("t1")}, {QStringLiteral("status"), 0}}));
        QTRY_COMPARE(order, QStringList{QStringLiteral("result t1")});
        QCOMPARE(sentBefore, QStringLiteral("t2"));
    }

    // Every task event names (client, request_id); two clients may use the
    // same ids. Events are built only when wanted.
    void monitorEventsTellClientsApart()
    {
        auto *launcher = new FakeLauncher;
        Engine e(options(1), launcher);
        QString err;
        QVERIFY(e.start(&err));
        QList<proto::MonitorEvent> events;
        connect(&e, &Engine::monitorEvent, &e, [&](const proto::MonitorEvent &ev) { events.append(ev); });
        e.submit(1, spec(QStringLiteral("quiet")));
        QVERIFY(events.isEmpty());
        QVERIFY(e.cancel(1, QStringLiteral("quiet")));
        QVERIFY(events.isEmpty());

        e.setEventsWanted(true);
        e.submit(1, spec(QStringLiteral("build")));
        e.submit(2, spec(QStringLiteral("build")));
        QStringList seen;
        for (const proto::MonitorEvent &ev : events)
            if (ev.kind == proto::MonitorEvent::Queued)
                seen << QStringLiteral("queued %1/%2").arg(ev.queued.client).arg(ev.queued.requestId);
        QCOMPARE(seen, (QStringList{"queued 1/build", "queued 2/build"}));
        const proto::DaemonStatus st = e.status();
        QCOMPARE(st.queuedByClient.value(1), 1);
        QCOMPARE(st.queuedByClient.value(2), 1);
        QCOMPARE(st.queuedByClass.value(QString()), 2);
        QCOMPARE(st.recent.size(), 1); // the cancelled one
        QVERIFY(st.recent.first().cancelled);

        events.clear();
        ScriptedWorker w;
        QVERIFY(w.connectAndRegister(e.workerPort(), launcher->requests.last().workerId, token(e)));
        QCOMPARE(w.next().value(QLatin1String("method")).toString(), QStringLiteral("task.execute"));
        w.send(proto::event(proto::kTaskResult, {{QStringLiteral("request_id"), QStringLiteral("build")}, {QStringLiteral("status"), 3}}));
        QTRY_VERIFY(std::any_of(events.begin(), events.end(), [](const proto::MonitorEvent &ev) {
            return ev.kind == proto::MonitorEvent::Completed;
        }));
        const auto dispatched = std::find_if(events.begin(), events.end(), [](const proto::MonitorEvent &ev) {
            return ev.kind == proto::MonitorEvent::Dispatched;
        });
        QVERIFY(dispatched != events.end());
        QCOMPARE(dispatched->dispatched.client, 1);
        QCOMPARE(dispatched->dispatched.hostname, QStringLiteral("testhost"));
        QVERIFY(dispatched->dispatched.startedMs > 0);
        const auto completed = std::find_if(events.begin(), events.end(), [](const proto::MonitorEvent &ev) {
            return ev.kind == proto::MonitorEvent::Completed;
        });
        QCOMPARE(completed->completed.client, 1);
        QCOMPARE(completed->completed.status, 3);
        QCOMPARE(completed->completed.workerId, QStringLiteral("w1"));
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
