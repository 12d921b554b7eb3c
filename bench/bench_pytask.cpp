// Cost of a trivial Python task through a worker's warm Python task host,
// against a trivial shell task (`true`) on the same warm worker, measured in
// the same run: one daemon, one worker, N tasks of each kind submitted one
// after another (each waits for the previous result), after one warm-up task
// of each kind (which starts the host). The Python dfm is the test stand-in
// (tests/data/pydfm); the task is demo_tasks.Trivial (returns None).
//
//   bench_pytask [--tasks N]

#include "daemonclient.h"
#include "projectpaths.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
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

QJsonObject taskParams(bool python, const QString &rid, const QString &rundir)
{
    QJsonObject p{{QStringLiteral("request_id"), rid}, {QStringLiteral("name"), rid},
                  {QStringLiteral("rundir"), rundir}};
    if (python) {
        p.insert(QStringLiteral("shell"), QStringLiteral("pytask"));
        p.insert(QStringLiteral("callable_spec"), QStringLiteral("demo_tasks.Trivial"));
        p.insert(QStringLiteral("pythonpath"),
                 QJsonArray{QStringLiteral(DFM_TESTDATA "/pydfm"), QStringLiteral(DFM_TESTDATA "/pytasks")});
        p.insert(QStringLiteral("params"), QJsonObject());
    } else {
        p.insert(QStringLiteral("body"), QStringLiteral("true"));
    }
    return p;
}

/// Runs n tasks one after another; returns the total ms, -1 if any failed.
qint64 runSequential(DaemonClient &c, bool python, int n, const QString &dir, const QString &tag)
{
    int done = 0;
    bool failed = false;
    QEventLoop loop;
    auto submitNext = [&] {
        const QString rid = QStringLiteral("%1-%2").arg(tag).arg(done);
        c.send(proto::kTaskSubmit, taskParams(python, rid, dir + QLatin1Char('/') + rid));
    };
    auto conn = QObject::connect(&c, &DaemonClient::messageReceived, &loop, [&](const proto::Message &m) {
        if (!m.isResponse())
            return;
        if (m.hasError || m.result.toObject().value(QLatin1String("status")).toInt() != 0) {
            failed = true;
            std::fprintf(stderr, "task failed: %s\n", qPrintable(QString::fromUtf8(proto::encode(m.result.toObject()))));
        }
        if (++done == n || failed)
            loop.quit();
        else
            submitNext();
    });
    QElapsedTimer t;
    t.start();
    submitNext();
    loop.exec();
    QObject::disconnect(conn);
    return failed ? -1 : t.elapsed();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int n = argValue(app.arguments(), QStringLiteral("--tasks"), 200);
    const QString dfmBin = QStringLiteral(DFM_BIN);

    QTemporaryDir dir;
    const ProjectPaths paths = ProjectPaths::forRoot(dir.path());
    QProcess start;
    start.setWorkingDirectory(dir.path());
    start.start(dfmBin, {QStringLiteral("daemon"), QStringLiteral("start"), QStringLiteral("--pool-size"), QStringLiteral("1")});
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
    std::printf("bench_pytask: %d trivial tasks of each kind, one at a time, one warm worker\n", n);
    QElapsedTimer firstPy;
    firstPy.start();
    const qint64 warmShell = runSequential(c, false, 1, dir.path(), QStringLiteral("ws"));
    const qint64 warmPy = runSequential(c, true, 1, dir.path(), QStringLiteral("wp"));
    const qint64 shell = runSequential(c, false, n, dir.path(), QStringLiteral("s"));
    const qint64 py = runSequential(c, true, n, dir.path(), QStringLiteral("p"));
    c.close();
    QProcess::execute(dfmBin, {QStringLiteral("daemon"), QStringLiteral("stop"), QStringLiteral("--root"), dir.path()});
    if (warmShell < 0 || warmPy < 0 || shell < 0 || py < 0)
        return 1;
    std::printf("  first Python task (starts the host): %6lld ms\n", qint64(warmPy));
    std::printf("  baseline: shell task `true`        : %8.2f ms/task\n", double(shell) / n);
    std::printf("  Python task, warm host             : %8.2f ms/task\n", double(py) / n);
    std::printf("  warm Python / shell time ratio     : %.2f\n", shell > 0 ? double(py) / shell : 0.0);
    return 0;
}
