// The exact JSON of every typed payload (status.get, snapshot, events), and
// that reading it back gives the same struct: the contract the Python client,
// scripts and both monitors rely on.

#include "payloads.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace dfm;
using namespace dfm::proto;

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

constexpr qint64 kT = 1700000000123; // 2023-11-14T22:13:20Z

} // namespace

class TestPayloads : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void runningTaskHasTheSameFieldsEverywhere()
    {
        RunningTask t{QStringLiteral("r1"), QStringLiteral("build"), 3, QStringLiteral("w2"),
                      QStringLiteral("node7"), QStringLiteral("big"), kT, 2};
        QCOMPARE(compact(t.toJson()),
                 QByteArray(R"({"attempt":2,"client":3,"hostname":"node7","name":"build","request_id":"r1",)"
                            R"("resource_class":"big","started":"2023-11-14T22:13:20Z","started_ms":1700000000123,)"
                            R"("worker_id":"w2"})"));
        const RunningTask back = RunningTask::fromJson(t.toJson());
        QCOMPARE(back.toJson(), t.toJson());
    }

    void dispatchedEventKeepsItsOldTimeField()
    {
        MonitorEvent e;
        e.kind = MonitorEvent::Dispatched;
        e.dispatched = RunningTask{QStringLiteral("r1"), QStringLiteral("t"), 1, QStringLiteral("w1"),
                                   QStringLiteral("h"), QString(), kT, 1};
        const QJsonObject msg = e.toMessage();
        QCOMPARE(msg.value(QLatin1String("method")).toString(), QStringLiteral("task.dispatched"));
        QCOMPARE(msg.value(QLatin1String("params")).toObject().value(QLatin1String("time")).toString(),
                 QStringLiteral("2023-11-14T22:13:20Z"));
        QVERIFY(!msg.contains(QLatin1String("id"))); // an event
    }

    void anOlderDaemonsDispatchedEventStillReads()
    {
        // What the daemon sent before the typed payloads: `time`, no `started_ms`.
        const RunningTask t = RunningTask::fromJson(QJsonObject{{QStringLiteral("request_id"), QStringLiteral("a")},
                                                                {QStringLiteral("name"), QStringLiteral("a")},
                                                                {QStringLiteral("time"), QStringLiteral("2023-11-14T22:13:20Z")}});
        QCOMPARE(t.startedMs, kT - 123);
        QCOMPARE(t.attempt, 1);
        QCOMPARE(t.client, 0);
    }

    void queuedEventJson()
    {
        TaskQueued q{QStringLiteral("r9"), QStringLiteral("sim"), 4, QString(), kT, 1};
        QCOMPARE(compact(q.toJson()),
                 QByteArray(R"({"attempt":1,"client":4,"name":"sim","request_id":"r9","resource_class":"",)"
                            R"("time":"2023-11-14T22:13:20Z","time_ms":1700000000123})"));
        QCOMPARE(TaskQueued::fromJson(q.toJson()).toJson(), q.toJson());
    }

    void completedEventKeepsTheReferenceFields()
    {
        TaskCompleted c;
        c.requestId = QStringLiteral("r1");
        c.name = QStringLiteral("t");
        c.client = 2;
        c.workerId = QStringLiteral("w1");
        c.hostname = QStringLiteral("h");
        c.status = 1;
        c.durationMs = 1500;
        c.timeMs = kT;
        c.log = QStringLiteral("/p/rundir/t/t.log");
        QCOMPARE(compact(c.toJson()),
                 QByteArray(R"({"cancelled":false,"client":2,"duration_ms":1500,"hostname":"h",)"
                            R"("log":"/p/rundir/t/t.log","name":"t","request_id":"r1","resource_class":"",)"
                            R"("status":1,"time":"2023-11-14T22:13:20Z","time_ms":1700000000123,"worker_id":"w1"})"));
        QCOMPARE(TaskCompleted::fromJson(c.toJson()).toJson(), c.toJson());
        QVERIFY(!c.passed());
    }

    void clientEvents()
    {
        MonitorEvent e;
        e.kind = MonitorEvent::ClientDisconnected;
        e.client = ClientInfo{5, 1234, QStringLiteral("dfm run")};
        QCOMPARE(compact(e.toMessage()),
                 QByteArray(R"({"method":"client.disconnected","params":{"client":5,"command":"dfm run","pid":1234}})"));
        const MonitorEvent back = MonitorEvent::fromMessage(QStringLiteral("client.disconnected"),
                                                            e.toMessage().value(QLatin1String("params")).toObject());
        QCOMPARE(back.kind, MonitorEvent::ClientDisconnected);
        QCOMPARE(back.client.pid, 1234);
        // The original's client.connected carries {} only: it still reads.
        QCOMPARE(MonitorEvent::fromMessage(QStringLiteral("client.connected"), {}).kind, MonitorEvent::ClientConnected);
    }

    void workerStateKeepsTheReferenceFields()
    {
        WorkerInfo w;
        w.workerId = QStringLiteral("w1");
        w.hostname = QStringLiteral("h");
        w.state = QStringLiteral("busy");
        w.currentTask = QStringLiteral("t");
        w.currentRequestId = QStringLiteral("r");
        w.currentClient = 3;
        w.jobId = QStringLiteral("4242");
        w.pid = 77;
        w.tasksDone = 5;
        w.sinceMs = kT;
        w.since = utcStamp(kT);
        QCOMPARE(compact(w.toJson()),
                 QByteArray(R"({"current_client":3,"current_request_id":"r","current_task":"t","hostname":"h",)"
                            R"("job_id":"4242","job_state":"","lsf_job_id":"4242","pid":77,"resource_class":"",)"
                            R"("since":"2023-11-14T22:13:20Z","since_ms":1700000000123,"state":"busy","tasks_done":5,)"
                            R"("worker_id":"w1"})"));
        QCOMPARE(WorkerInfo::fromJson(w.toJson()).toJson(), w.toJson());
    }

    void statusCarriesTheReferenceFieldsAndRoundTrips()
    {
        DaemonStatus s;
        s.pid = 10;
        s.runner = QStringLiteral("local");
        s.pendingTasks = 3;
        s.queuedByClass.insert(QString(), 2);
        s.queuedByClass.insert(QStringLiteral("big"), 1);
        s.queuedByClient.insert(7, 3);
        s.clients = 1;
        s.clientList.append(ClientInfo{7, 99, QStringLiteral("dfm run")});
        s.counters.passed = 4;
        s.pool.maxWorkers = 8;
        s.pool.idleTimeoutS = 300;
        s.recent.append(TaskCompleted{});
        const QJsonObject o = s.toJson();
        // The reference's status.get fields, with their types.
        QCOMPARE(o.value(QLatin1String("pid")).toInt(), 10);
        QVERIFY(o.value(QLatin1String("workers")).isArray());
        QCOMPARE(o.value(QLatin1String("pending_tasks")).toInt(), 3);
        QCOMPARE(o.value(QLatin1String("runner")).toString(), QStringLiteral("local"));
        QCOMPARE(o.value(QLatin1String("clients")).toInt(), 1); // a count, as before
        QCOMPARE(compact(o.value(QLatin1String("queued_by_class")).toObject()), QByteArray(R"({"":2,"big":1})"));
        QCOMPARE(compact(o.value(QLatin1String("queued_by_client")).toObject()), QByteArray(R"({"7":3})"));
        QCOMPARE(DaemonStatus::fromJson(o).toJson(), o);
    }

    void unknownEventsDecodeAsUnknown()
    {
        QCOMPARE(MonitorEvent::fromMessage(QStringLiteral("pool.scaled"), {}).kind, MonitorEvent::Unknown);
        QCOMPARE(MonitorEvent().toMessage(), QJsonObject());
    }

    void mistypedFieldsReadAsDefaults()
    {
        const TaskCompleted c = TaskCompleted::fromJson(QJsonObject{{QStringLiteral("status"), QStringLiteral("x")},
                                                                    {QStringLiteral("client"), QJsonArray()}});
        QCOMPARE(c.status, 0);
        QCOMPARE(c.client, 0);
    }
};

QTEST_APPLESS_MAIN(TestPayloads)
#include "tst_payloads.moc"
