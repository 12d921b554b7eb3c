// The client side of bench/run's daemon benchmarks: drives a running daemon
// over its socket and prints one JSON object of what it measured. bench/run
// starts the daemon, picks the counts and builds the table.
//
//   bench_client roundtrip SOCKET N DIR
//       N trivial tasks (`true`, rundir DIR/rt-I) one at a time on a warm
//       worker, each followed by a bare `/bin/bash -c true` spawned and
//       waited for here (the baseline), interleaved; p50/p99 of both, and
//       of each round trip minus the bare spawn right after it, in ms.
//   bench_client flood SOCKET N CLIENTS WINDOW DAEMONPID [WARMUP]
//       N tasks over CLIENTS connections, each keeping WINDOW outstanding,
//       after WARMUP untimed ones; tasks/s and the daemon's CPU per task.
//       Meant for workers in bench-echo mode (dispatch capacity).
//   bench_client paced SOCKET RATE SECONDS
//       RATE tasks a second for SECONDS on one connection (monitor load).
//   bench_client queue SOCKET N DAEMONPID
//       One `sleep 600` task to hold the pool's only worker, then N tasks
//       that queue behind it; the daemon's RSS once all N are queued, then
//       once the connection is closed and the queue has drained.

#include "daemonclient.h"
#include "protocol.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <memory>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace dfm;

namespace {

QJsonObject submitParams(const QString &rid, const QString &body, const QString &rundir)
{
    return {{QStringLiteral("request_id"), rid}, {QStringLiteral("name"), rid},
            {QStringLiteral("body"), body}, {QStringLiteral("rundir"), rundir}};
}

bool connectOrSay(DaemonClient &c, const QString &socket)
{
    QString err;
    if (c.connectTo(socket, 10000, &err))
        return true;
    std::fprintf(stderr, "bench_client: %s\n", qPrintable(err));
    return false;
}

void printJson(const QJsonObject &o)
{
    std::printf("%s\n", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
}

/// utime+stime of `pid` in clock ticks, -1 if unreadable.
long long cpuTicks(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray s = f.readAll();
    // Fields after the command, which ends at the last ')': state is field 3.
    const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 12 ? fields[11].toLongLong() + fields[12].toLongLong() : -1;
}

/// VmRSS of `pid` in KiB, -1 if unreadable.
long long rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(double(v.size()) * p))];
}

/// Spawns `/bin/bash -c true` (output to /dev/null) and waits; returns ms, -1 on failure.
double bareBash()
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char bash[] = "/bin/bash", dashC[] = "-c", body[] = "true";
    char *argv[] = {bash, dashC, body, nullptr};
    QElapsedTimer t;
    t.start();
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, bash, &fa, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    if (rc != 0 || waitpid(pid, &status, 0) != pid || status != 0)
        return -1;
    return double(t.nsecsElapsed()) / 1e6;
}

/// Waits for the reply to request `id` on `c`; returns false on error, failure or timeout.
bool waitReply(DaemonClient &c, qint64 id, int timeoutMs)
{
    bool ok = false, done = false;
    QEventLoop loop;
    auto conn = QObject::connect(&c, &DaemonClient::messageReceived, &loop, [&](const proto::Message &m) {
        if (!m.isResponse() || m.id != QJsonValue(id))
            return;
        ok = !m.hasError && m.result.toObject().value(QLatin1String("status")).toInt() == 0;
        done = true;
        loop.quit();
    });
    auto gone = QObject::connect(&c, &DaemonClient::disconnected, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (!done)
        loop.exec();
    QObject::disconnect(conn);
    QObject::disconnect(gone);
    return ok;
}

int roundtrip(const QString &socket, int n, const QString &dir)
{
    DaemonClient c;
    if (!connectOrSay(c, socket))
        return 1;
    auto one = [&](const QString &rid) {
        QElapsedTimer t;
        t.start();
        const qint64 id = c.send(proto::kTaskSubmit, submitParams(rid, QStringLiteral("true"), dir + QLatin1Char('/') + rid));
        return waitReply(c, id, 60000) ? double(t.nsecsElapsed()) / 1e6 : -1.0;
    };
    for (int i = 0; i < 10; ++i) { // warms the worker (launched on the first)
        if (one(QStringLiteral("warm-%1").arg(i)) < 0) {
            std::fprintf(stderr, "bench_client: warm-up task %d failed\n", i);
            return 1;
        }
    }
    std::vector<double> rt, bare, diff;
    for (int i = 0; i < n; ++i) {
        const double a = one(QStringLiteral("rt-%1").arg(i));
        const double b = bareBash();
        if (a < 0 || b < 0) {
            std::fprintf(stderr, "bench_client: round trip %d failed\n", i);
            return 1;
        }
        rt.push_back(a);
        bare.push_back(b);
        diff.push_back(a - b); // neighbours see the same load
    }
    printJson({{QStringLiteral("tasks"), n},
               {QStringLiteral("rt_p50_ms"), percentile(rt, 0.50)},
               {QStringLiteral("rt_p99_ms"), percentile(rt, 0.99)},
               {QStringLiteral("bare_p50_ms"), percentile(bare, 0.50)},
               {QStringLiteral("bare_p99_ms"), percentile(bare, 0.99)},
               {QStringLiteral("diff_p50_ms"), percentile(diff, 0.50)},
               {QStringLiteral("diff_p99_ms"), percentile(diff, 0.99)}});
    return 0;
}

/// Runs `total` tasks over `clients` connections with `window` outstanding
/// each; returns the seconds taken, -1 on a failure.
double floodOnce(std::vector<std::unique_ptr<DaemonClient>> &conns, int total, int window, const QString &tag)
{
    const int clients = int(conns.size());
    std::vector<int> sent(size_t(clients), 0), quota(size_t(clients), total / clients);
    quota[0] += total % clients;
    int done = 0, failed = 0;
    QEventLoop loop;
    std::vector<QMetaObject::Connection> links;
    auto submit = [&](int ci) {
        const QString rid = QStringLiteral("%1-%2-%3").arg(tag).arg(ci).arg(sent[size_t(ci)]++);
        conns[size_t(ci)]->send(proto::kTaskSubmit, submitParams(rid, QStringLiteral("true"), QStringLiteral("/tmp/dfm-bench-echo/") + rid));
    };
    for (int ci = 0; ci < clients; ++ci) {
        DaemonClient *c = conns[size_t(ci)].get();
        links.push_back(QObject::connect(c, &DaemonClient::messageReceived, &loop, [&, ci](const proto::Message &m) {
            if (!m.isResponse())
                return;
            if (m.hasError || m.result.toObject().value(QLatin1String("status")).toInt() != 0)
                ++failed;
            if (sent[size_t(ci)] < quota[size_t(ci)])
                submit(ci);
            if (++done == total)
                loop.quit();
        }));
        links.push_back(QObject::connect(c, &DaemonClient::disconnected, &loop, [&] {
            ++failed;
            loop.quit();
        }));
    }
    QElapsedTimer t;
    t.start();
    for (int ci = 0; ci < clients; ++ci)
        for (int w = 0; w < window && sent[size_t(ci)] < quota[size_t(ci)]; ++w)
            submit(ci);
    loop.exec();
    const double secs = double(t.nsecsElapsed()) / 1e9;
    for (const auto &l : links)
        QObject::disconnect(l);
    if (failed) {
        std::fprintf(stderr, "bench_client: %d of %d tasks failed or lost\n", failed, total);
        return -1;
    }
    return secs;
}

int flood(const QString &socket, int n, int clients, int window, qint64 daemonPid, int warmup)
{
    std::vector<std::unique_ptr<DaemonClient>> conns;
    for (int i = 0; i < clients; ++i) {
        conns.push_back(std::make_unique<DaemonClient>());
        if (!connectOrSay(*conns.back(), socket))
            return 1;
    }
    if (warmup > 0 && floodOnce(conns, warmup, window, QStringLiteral("warm")) < 0)
        return 1;
    const long long t0 = cpuTicks(daemonPid);
    const double secs = floodOnce(conns, n, window, QStringLiteral("t"));
    const long long t1 = cpuTicks(daemonPid);
    if (secs < 0)
        return 1;
    const double cpuUs = t0 >= 0 && t1 >= 0 ? double(t1 - t0) / double(sysconf(_SC_CLK_TCK)) * 1e6 / n : -1;
    printJson({{QStringLiteral("tasks"), n}, {QStringLiteral("seconds"), secs},
               {QStringLiteral("rate"), n / secs}, {QStringLiteral("daemon_cpu_us_per_task"), cpuUs}});
    return 0;
}

int paced(const QString &socket, int rate, int seconds)
{
    DaemonClient c;
    if (!connectOrSay(c, socket))
        return 1;
    const int total = rate * seconds;
    const int perTick = std::max(1, rate / 100);
    int sent = 0, done = 0, failed = 0;
    QEventLoop loop;
    QObject::connect(&c, &DaemonClient::messageReceived, &loop, [&](const proto::Message &m) {
        if (!m.isResponse())
            return;
        failed += m.hasError || m.result.toObject().value(QLatin1String("status")).toInt() != 0;
        if (++done == total)
            loop.quit();
    });
    QObject::connect(&c, &DaemonClient::disconnected, &loop, &QEventLoop::quit);
    QElapsedTimer t;
    t.start();
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        // Catch up to where the clock says we should be.
        const int due = std::min(total, int(t.elapsed() * rate / 1000) + perTick);
        while (sent < due) {
            const QString rid = QStringLiteral("p-%1").arg(sent++);
            c.send(proto::kTaskSubmit, submitParams(rid, QStringLiteral("true"), QStringLiteral("/tmp/dfm-bench-echo/") + rid));
        }
    });
    tick.start(10);
    loop.exec();
    const double secs = double(t.nsecsElapsed()) / 1e9;
    printJson({{QStringLiteral("tasks"), done}, {QStringLiteral("seconds"), secs},
               {QStringLiteral("rate"), done / secs}, {QStringLiteral("failed"), failed}});
    return done == total && failed == 0 ? 0 : 1;
}

/// The daemon's queued count from status.get, -1 on failure.
int queuedCount(DaemonClient &probe)
{
    QJsonValue result;
    QString err;
    if (!probe.call(proto::kStatusGet, {}, &result, &err, 60000))
        return -1;
    int n = 0;
    const QJsonObject byClass = result.toObject().value(QLatin1String("queued_by_class")).toObject();
    for (auto it = byClass.begin(); it != byClass.end(); ++it)
        n += it.value().toInt();
    return n;
}

int queue(const QString &socket, int n, qint64 daemonPid, const QString &dir)
{
    DaemonClient probe;
    if (!connectOrSay(probe, socket))
        return 1;
    const long long idle = rssKiB(daemonPid);
    QElapsedTimer wait;
    {
        DaemonClient c;
        if (!connectOrSay(c, socket))
            return 1;
        c.send(proto::kTaskSubmit, submitParams(QStringLiteral("hold"), QStringLiteral("sleep 600"), dir + QStringLiteral("/hold")));
        // Every queued task as `dfm run --tasks-from` would send it.
        for (int i = 1; i <= n; ++i) {
            const QString rid = QStringLiteral("line-%1").arg(i);
            c.send(proto::kTaskSubmit, submitParams(rid, QStringLiteral("true"), dir + QLatin1Char('/') + rid));
        }
        wait.start();
        int queued = 0;
        while ((queued = queuedCount(probe)) != n) {
            if (queued < 0 || wait.elapsed() > 120000) {
                std::fprintf(stderr, "bench_client: %d of %d tasks queued after %lld ms\n", queued, n, wait.elapsed());
                return 1;
            }
            QEventLoop l;
            QTimer::singleShot(50, &l, &QEventLoop::quit);
            l.exec();
        }
        const long long full = rssKiB(daemonPid);
        printJson({{QStringLiteral("tasks"), n}, {QStringLiteral("idle_kib"), idle}, {QStringLiteral("queued_kib"), full}});
        c.close(); // the daemon cancels all of this connection's tasks
    }
    wait.restart();
    while (queuedCount(probe) != 0 && wait.elapsed() < 60000)
        QThread::msleep(50);
    QThread::msleep(500);
    printJson({{QStringLiteral("drained_kib"), rssKiB(daemonPid)}});
    return 0;
}

int usage()
{
    std::fprintf(stderr, "usage: bench_client roundtrip SOCKET N DIR\n"
                         "       bench_client flood SOCKET N CLIENTS WINDOW DAEMONPID [WARMUP]\n"
                         "       bench_client paced SOCKET RATE SECONDS\n"
                         "       bench_client queue SOCKET N DAEMONPID DIR\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    const QString mode = a.value(1);
    if (mode == QLatin1String("roundtrip") && a.size() == 5)
        return roundtrip(a[2], a[3].toInt(), a[4]);
    if (mode == QLatin1String("flood") && (a.size() == 7 || a.size() == 8))
        return flood(a[2], a[3].toInt(), std::max(1, a[4].toInt()), std::max(1, a[5].toInt()), a[6].toLongLong(),
                     a.value(7).toInt());
    if (mode == QLatin1String("paced") && a.size() == 5)
        return paced(a[2], a[3].toInt(), a[4].toInt());
    if (mode == QLatin1String("queue") && a.size() == 6)
        return queue(a[2], a[3].toInt(), a[4].toLongLong(), a[5]);
    return usage();
}
