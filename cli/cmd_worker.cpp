// dfm worker --connect HOST:PORT: a worker process, normally started by the
// daemon. Parses its options, then hands over to WorkerClient.

#include "commands.h"
#include "signalwatcher.h"
#include "workerclient.h"

#include <QCoreApplication>
#include <QFile>
#include <QSysInfo>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace {

using dfm::cli::CommandSpec;

CommandSpec workerSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm worker");
    s.synopsis = QStringLiteral("--connect HOST:PORT [options]");
    s.description = QStringLiteral(
        "A worker process: connects back to a dfm daemon, registers, and runs the tasks the "
        "daemon sends it, one at a time: shell tasks directly, Python tasks (shell 'pytask') in "
        "a Python task host it keeps. The daemon (or `dfm run`'s ephemeral pool) starts "
        "these itself; there is no need to start one by hand.");
    s.options = {
        {QString(), QStringLiteral("connect"), QStringLiteral("HOST:PORT"), QStringLiteral("The daemon's worker port (required).")},
        {QString(), QStringLiteral("worker-id"), QStringLiteral("ID"),
         QStringLiteral("Id to register as (default: env DFM_WORKER_ID, else HOST-PID).")},
        {QString(), QStringLiteral("resource-class"), QStringLiteral("C"),
         QStringLiteral("Resource class this worker serves (default \"\").")},
        {QString(), QStringLiteral("token-file"), QStringLiteral("FILE"),
         QStringLiteral("File holding the daemon's worker token (default: env DFM_WORKER_TOKEN_FILE).")},
        {QString(), QStringLiteral("connect-timeout"), QStringLiteral("SECS"),
         QStringLiteral("Keep retrying the connection this long (default 300).")},
        {QString(), QStringLiteral("python"), QStringLiteral("INTERPRETER"),
         QStringLiteral("Python of the task host that runs `pytask` tasks (runner.python; default python3).")},
        // Benchmarks only (bench/, docs/performance.md): answer every task.execute
        // with status 0 at once, running nothing. Also set by env DFM_WORKER_BENCH_ECHO=1,
        // which a daemon's local workers inherit.
        {QString(), QStringLiteral("bench-echo"), QString(), QStringLiteral("Internal (benchmarks)."), true},
    };
    s.footer = QStringLiteral(
        "Environment:\n"
        "  DFM_HEARTBEAT_MS      heartbeat interval (default 10000)\n"
        "  DFM_CANCEL_GRACE_MS   SIGTERM to SIGKILL delay on cancel (default 5000)\n");
    return s;
}

int workerUsageError(const QString &msg)
{
    std::fputs(qPrintable(dfm::cli::usageError(workerSpec(), msg)), stderr);
    return dfm::cli::kExitUsage;
}

/// Splits "HOST:PORT" or "[V6]:PORT"; false with *err on a malformed value.
bool parseEndpoint(const QString &text, QString *host, quint16 *port, QString *err)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    QString h = colon > 0 ? text.left(colon) : QString();
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    bool ok = false;
    const uint p = colon > 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
    if (h.isEmpty() || !ok || p == 0 || p > 65535) {
        *err = QStringLiteral("--connect expects HOST:PORT (e.g. 127.0.0.1:4567), got '%1'")
                   .arg(text);
        return false;
    }
    *host = h;
    *port = quint16(p);
    return true;
}

/// A positive integer from environment variable `name`, or `fallback`.
int envMs(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariable(name).toInt(&ok);
    return ok && v > 0 ? v : fallback;
}

} // namespace

int dfm::cli::workerCommand(const QStringList &args)
{
    dfm::cli::ParsedArgs p;
    int code = 0;
    if (!dfm::cli::parseOrReport(workerSpec(), args, &p, &code))
        return code;
    WorkerOptions opts;
    const QString endpoint = p.value(QStringLiteral("connect"));
    const QString tokenFile = p.isSet(QStringLiteral("token-file")) ? p.value(QStringLiteral("token-file"))
                                                                    : qEnvironmentVariable("DFM_WORKER_TOKEN_FILE");
    opts.workerId = p.isSet(QStringLiteral("worker-id")) ? p.value(QStringLiteral("worker-id"))
                                                         : qEnvironmentVariable("DFM_WORKER_ID");
    opts.resourceClass = p.value(QStringLiteral("resource-class"));
    const QString timeoutText = p.value(QStringLiteral("connect-timeout"));
    if (p.isSet(QStringLiteral("python")))
        opts.python = p.value(QStringLiteral("python"));

    if (opts.python.isEmpty())
        return workerUsageError(QStringLiteral("--python needs an interpreter (e.g. python3)"));
    if (endpoint.isEmpty())
        return workerUsageError(QStringLiteral("missing --connect HOST:PORT"));
    QString err;
    if (!parseEndpoint(endpoint, &opts.host, &opts.port, &err))
        return workerUsageError(err);
    if (!timeoutText.isEmpty()) {
        bool ok = false;
        const double secs = timeoutText.toDouble(&ok);
        if (!ok || secs <= 0 || secs > 86400.0 * 7)
            return workerUsageError(QStringLiteral("--connect-timeout expects a positive number of "
                                             "seconds, got '%1'").arg(timeoutText));
        opts.connectTimeoutMs = int(secs * 1000);
    }
    if (opts.workerId.isEmpty())
        opts.workerId = QStringLiteral("%1-%2").arg(QSysInfo::machineHostName())
                            .arg(QCoreApplication::applicationPid());
    if (!tokenFile.isEmpty()) {
        QFile f(tokenFile);
        if (!f.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "dfm worker %s: cannot read token file '%s': %s\n",
                         qPrintable(opts.workerId), qPrintable(tokenFile),
                         qPrintable(f.errorString()));
            return 1;
        }
        opts.token = QString::fromUtf8(f.readAll()).trimmed();
    }
    opts.benchEcho = p.isSet(QStringLiteral("bench-echo"))
                     || qEnvironmentVariable("DFM_WORKER_BENCH_ECHO") == QLatin1String("1");
    opts.heartbeatMs = envMs("DFM_HEARTBEAT_MS", opts.heartbeatMs);
    opts.cancelGraceMs = envMs("DFM_CANCEL_GRACE_MS", opts.cancelGraceMs);

    WorkerClient client(opts);
    SignalWatcher signals_({SIGTERM, SIGINT});
    QObject::connect(&signals_, &SignalWatcher::received, &client, [&client](int s) {
        client.stop(0, QStringLiteral("received %1").arg(s == SIGINT ? "SIGINT" : "SIGTERM"));
    });
    QObject::connect(&client, &WorkerClient::done, qApp,
                     [](int code) { QCoreApplication::exit(code); }, Qt::QueuedConnection);
    QTimer::singleShot(0, &client, &WorkerClient::start);
    return QCoreApplication::exec();
}

std::vector<dfm::cli::CommandSpec> dfm::cli::workerSpecs()
{
    return {workerSpec()};
}
