// Soak: many clients, mixed task bodies, workers SIGKILLed at random. Every
// task gets exactly one result, and the daemon's memory at the end is
// within a margin of its memory after warm-up.
//
// The CTest run is short (20 clients x 25 tasks, 3 kills). For the long run
// of issue 10 (20 x 500, a kill every second):
//   DFM_SOAK_LONG=1 build/tests/tst_soak
// It prints its figures: tasks, kills, lost, duplicated, memory.
// DFM_SOAK_TASKS (per client) and DFM_SOAK_KILL_MS scale either run. A run
// that gets no result for two minutes while some are missing fails, naming
// them and what the daemon says it still has.

#include "daemonclient.h"
#include "protocol.h"
#include "statefile.h"
#include "testutil.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTimer>
#include <QtTest>

#include <csignal>
#include <map>

using namespace dfm;
using namespace dfm::test;

namespace {

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

// The bodies cycle through pass, fail, sleep and a large output.
QString bodyOf(int i)
{
    switch (i % 4) {
    case 0:
        return QStringLiteral("true");
    case 1:
        return QStringLiteral("exit 3");
    case 2:
        return QStringLiteral("sleep 0.%1").arg(i % 3);
    default:
        return QStringLiteral("head -c 300000 /dev/zero | tr '\\0' x; echo");
    }
}

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

// No result for this long while some are missing is a hang, not slowness.
constexpr qint64 kStallMs = 120000;

// The daemon's counters and what it still runs or queues, for a failure message.
QString daemonSays(const QString &sock)
{
    DaemonClient c;
    QString err;
    QJsonValue st;
    if (!c.connectTo(sock, 5000, &err) || !c.call(proto::kStatusGet, {}, &st, &err))
        return err;
    const QJsonObject o = st.toObject();
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("pending_tasks"), o.value(QLatin1String("pending_tasks"))},
                                                       {QStringLiteral("counters"), o.value(QLatin1String("counters"))},
                                                       {QStringLiteral("running"), o.value(QLatin1String("running"))},
                                                       {QStringLiteral("workers"), o.value(QLatin1String("workers"))}})
                                 .toJson(QJsonDocument::Compact));
}

} // namespace

class TestSoak : public QObject {
    Q_OBJECT

    QTemporaryDir m_home;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void everyTaskGetsExactlyOneResultWhileWorkersDie()
    {
        const bool longRun = qEnvironmentVariableIntValue("DFM_SOAK_LONG") > 0;
        const int clients = 20;
        const int perClient = envInt("DFM_SOAK_TASKS", longRun ? 500 : 25);
        const int maxKills = longRun ? 1000000 : 3;
        const int killEveryMs = envInt("DFM_SOAK_KILL_MS", longRun ? 1000 : 1500);

        TempProject p;
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--pool-size"),
                              QStringLiteral("4")},
                             p.root(), 30000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        DaemonState st;
        QString err;
        QCOMPARE(readState(p.path(QStringLiteral(".dfm/daemon.json")), &st, &err), StateRead::Ok);
        const QString sock = p.path(QStringLiteral(".dfm/daemon.sock"));

        // Warm-up: the pool full, every kind of body run once or more.
        {
            DaemonClient c;
            QVERIFY(c.connectTo(sock, 5000, &err));
            int done = 0;
            connect(&c, &DaemonClient::messageReceived, this, [&](const proto::Message &m) {
                done += m.isResponse() ? 1 : 0;
            });
            for (int i = 0; i < 40; ++i)
                c.send(proto::kTaskSubmit, {{QStringLiteral("request_id"), QStringLiteral("warm%1").arg(i)},
                                            {QStringLiteral("body"), bodyOf(i)},
                                            {QStringLiteral("rundir"), p.path(QStringLiteral("warm/%1").arg(i))}});
            QTRY_COMPARE_WITH_TIMEOUT(done, 40, 120000);
        }
        const qint64 rssWarm = rssKiB(st.pid);
        QVERIFY(rssWarm > 0);

        // The soak: all clients at once, a worker killed now and then.
        std::vector<std::unique_ptr<DaemonClient>> conns;
        std::map<std::pair<int, qint64>, int> results; /* (client, id) -> results received */
        int received = 0, unexpected = 0;
        for (int c = 0; c < clients; ++c) {
            conns.push_back(std::make_unique<DaemonClient>());
            QVERIFY(conns.back()->connectTo(sock, 5000, &err));
            connect(conns.back().get(), &DaemonClient::messageReceived, this, [&, c](const proto::Message &m) {
                if (!m.isResponse())
                    return;
                ++received;
                const qint64 id = m.id.toInteger();
                ++results[{c, id}];
                // Ids are 1-based in send order; the body is bodyOf(id - 1).
                const int want = (id - 1) % 4 == 1 ? 3 : 0;
                if (m.hasError || m.result.toObject().value(QLatin1String("status")).toInt() != want)
                    ++unexpected; // a task whose worker was lost twice fails, with a marker
            });
        }
        int kills = 0;
        QTimer killer;
        connect(&killer, &QTimer::timeout, this, [&] {
            const QList<qint64> workers = processesMatching(QStringLiteral("--token-file %1").arg(p.path(QStringLiteral(".dfm/worker.token"))));
            if (workers.isEmpty() || kills >= maxKills)
                return;
            ::kill(pid_t(workers.at(QRandomGenerator::global()->bounded(int(workers.size())))), SIGKILL);
            ++kills;
        });
        killer.start(killEveryMs);
        for (int i = 0; i < perClient; ++i)
            for (int c = 0; c < clients; ++c)
                conns[size_t(c)]->send(proto::kTaskSubmit,
                                       {{QStringLiteral("request_id"), QStringLiteral("t%1").arg(i)},
                                        {QStringLiteral("body"), bodyOf(i)},
                                        {QStringLiteral("rundir"), p.path(QStringLiteral("c%1/t%2").arg(c).arg(i))}});
        const int total = clients * perClient;
        // Waits while results keep coming; a stall fails with what is missing.
        // Not QTRY_VERIFY_WITH_TIMEOUT(..., longRun ? A : B): its step is
        // `timeout < 350 ? timeout / 7 + 1 : 50` with the argument unbracketed,
        // so the long run polled once an hour and looked hung after its last
        // result.
        QElapsedTimer sinceProgress;
        sinceProgress.start();
        for (int seen = received; received < total; QTest::qWait(100)) {
            if (received != seen) {
                if (received / 1000 != seen / 1000)
                    qInfo("soak: %d of %d results, %d worker kills, daemon RSS %lld KiB", received, total, kills,
                          rssKiB(st.pid));
                seen = received;
                sinceProgress.restart();
            } else if (sinceProgress.elapsed() > kStallMs) {
                break;
            }
        }
        killer.stop();
        if (received < total) {
            QStringList missing;
            for (int c = 0; c < clients; ++c)
                for (qint64 id = 1; id <= perClient; ++id)
                    if (!results.count({c, id}))
                        missing.append(QStringLiteral("client %1 t%2").arg(c).arg(id - 1));
            // The project goes with the test; its daemon log is kept for a look.
            const QString kept = QDir::temp().filePath(QStringLiteral("dfm-soak-daemon.log"));
            QFile::remove(kept);
            QFile::copy(p.path(QStringLiteral(".dfm/daemon.log")), kept);
            QFAIL(qPrintable(QStringLiteral("no result for %1 ms; %2 of %3 missing (%4); daemon: %5; its log: %6")
                                 .arg(kStallMs)
                                 .arg(missing.size())
                                 .arg(total)
                                 .arg(missing.mid(0, 10).join(QStringLiteral(", ")), daemonSays(sock), kept)));
        }
        QTest::qWait(500); // a duplicate would arrive now
        int duplicated = 0;
        for (const auto &[key, n] : results)
            duplicated += n > 1 ? n - 1 : 0;
        const qint64 rssEnd = rssKiB(st.pid);
        qInfo("soak: %d tasks, %d results, %d worker kills, %d missing, %d duplicated, %d not as expected "
              "(workers lost twice); daemon RSS %lld KiB after warm-up, %lld KiB at the end",
              total, received, kills, total - int(results.size()), duplicated, unexpected, rssWarm, rssEnd);
        QCOMPARE(int(results.size()), total);
        QCOMPARE(duplicated, 0);
        QVERIFY(kills > 0);
        // Memory: within 25% (at least 16 MiB) of the warm daemon.
        QVERIFY2(rssEnd <= rssWarm + qMax<qint64>(16 * 1024, rssWarm / 4),
                 qPrintable(QStringLiteral("RSS %1 KiB after warm-up, %2 KiB at the end").arg(rssWarm).arg(rssEnd)));
    }
};

int main(int argc, char **argv)
{
    // The long run outlasts QtTest's 5-minute watchdog.
    if (qEnvironmentVariableIntValue("DFM_SOAK_LONG") > 0 && !qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", "7200000");
    QCoreApplication app(argc, argv);
    TestSoak test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_soak.moc"
