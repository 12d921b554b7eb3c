// Throughput of the daemon: N trivial tasks (`true`) submitted at once by one
// client, first on a cold pool (workers launched on demand), then warm.
// Baseline, measured in the same run: the same N `/bin/bash -c true` spawned
// directly with QProcess, P at a time, which is the floor any pool pays.
//
//   bench_daemon [--tasks N] [--pool P]

#include "daemonclient.h"
#include "paths.h"
#include "statefile.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>

using namespace dfm;

namespace {

int argValue(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args[i + 1].toInt() : fallback;
}

// Submits n tasks on one connection and waits for every result. Returns ms.
qint64 runBatch(DaemonClient &c, int n, const QString &rundir, int batch)
{
    int done = 0, failed = 0;
    QEventLoop loop;
    auto conn = QObject::connect(&c, &DaemonClient::messageReceived, &loop, [&](const proto::Message &m) {
        if (!m.isResponse())
            return;
        if (m.hasError || m.result.toObject().value(QLatin1String("status")).toInt() != 0)
            ++failed;
        if (++done == n)
            loop.quit();
    });
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < n; ++i) {
        const QString rid = QStringLiteral("b%1-%2").arg(batch).arg(i);
        c.send(proto::kTaskSubmit, {{QStringLiteral("request_id"), rid},
                                    {QStringLiteral("body"), QStringLiteral("true")},
                                    {QStringLiteral("rundir"), rundir + QLatin1Char('/') + rid}});
    }
    loop.exec();
    QObject::disconnect(conn);
    if (failed)
        std::printf("  (%d tasks failed!)\n", failed);
    return t.elapsed();
}

qint64 runDirect(int n, int parallel, const QString &dir)
{
    QElapsedTimer t;
    t.start();
    int started = 0, finished = 0;
    QEventLoop loop;
    std::function<void()> spawn = [&] {
        auto *p = new QProcess;
        p->setWorkingDirectory(dir);
        p->setStandardOutputFile(dir + QStringLiteral("/direct-%1.log").arg(started));
        QObject::connect(p, &QProcess::finished, &loop, [&, p] {
            p->deleteLater();
            if (++finished == n)
                loop.quit();
            else if (started < n)
                spawn();
        });
        ++started;
        p->start(QStringLiteral("/bin/bash"), {QStringLiteral("-c"), QStringLiteral("true")});
    };
    for (int i = 0; i < parallel && started < n; ++i)
        spawn();
    loop.exec();
    return t.elapsed();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int n = argValue(args, QStringLiteral("--tasks"), 1000);
    const int pool = argValue(args, QStringLiteral("--pool"), 4);
    const QString dfmBin = QStringLiteral(DFM_BIN);

    QTemporaryDir dir;
    const ProjectPaths paths = ProjectPaths::forRoot(dir.path());
    QProcess start;
    start.setWorkingDirectory(dir.path());
    start.start(dfmBin, {QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--pool-size"), QString::number(pool)});
    start.waitForFinished(30000);
    if (start.exitCode() != 0) {
        std::fprintf(stderr, "cannot start daemon: %s\n", start.readAllStandardError().constData());
        return 1;
    }
    DaemonClient c;
    QString err;
    if (!c.connectTo(paths.socket, 5000, &err)) {
        std::fprintf(stderr, "%s\n", qPrintable(err));
        return 1;
    }
    std::printf("bench_daemon: %d trivial tasks, pool of %d local workers\n", n, pool);
    const qint64 cold = runBatch(c, n, dir.path() + QStringLiteral("/cold"), 1);
    const qint64 warm = runBatch(c, n, dir.path() + QStringLiteral("/warm"), 2);
    c.close();
    QProcess::execute(dfmBin, {QStringLiteral("daemon"), QStringLiteral("stop"), QStringLiteral("--root"), dir.path()});
    const qint64 direct = runDirect(n, pool, dir.path());

    auto rate = [n](qint64 ms) { return ms > 0 ? n * 1000.0 / ms : 0.0; };
    std::printf("  daemon, cold pool : %6lld ms  %8.0f tasks/s\n", qint64(cold), rate(cold));
    std::printf("  daemon, warm pool : %6lld ms  %8.0f tasks/s\n", qint64(warm), rate(warm));
    std::printf("  baseline: QProcess spawning bash -c true, %d at a time: %6lld ms  %8.0f tasks/s\n",
                pool, qint64(direct), rate(direct));
    std::printf("  warm daemon / direct spawn time ratio: %.2f\n", direct > 0 ? double(warm) / direct : 0.0);
    return 0;
}
