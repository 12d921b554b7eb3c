// dfm worker --connect HOST:PORT: a worker process, normally started by the
// daemon. Parses its options, then hands over to WorkerClient.

#include "commands.h"
#include "signalwatcher.h"
#include "workerclient.h"

#include <QCoreApplication>
#include <QFile>
#include <QHostInfo>
#include <QTimer>

#include <csignal>
#include <cstdio>

namespace {

const char kWorkerUsage[] =
    "usage: dfm worker --connect HOST:PORT [options]\n"
    "\n"
    "A worker process: connects back to a dfm daemon, registers, and runs the\n"
    "tasks the daemon sends it, one at a time: shell tasks directly, Python\n"
    "tasks (shell 'pytask') in a Python task host it keeps. Normally started\n"
    "by the daemon itself.\n"
    "\n"
    "options:\n"
    "  --connect HOST:PORT      the daemon's worker port (required)\n"
    "  --worker-id ID           id to register as (env DFM_WORKER_ID; default HOST-PID)\n"
    "  --resource-class C       resource class this worker serves (default \"\")\n"
    "  --token-file FILE        file holding the daemon's worker token\n"
    "                           (env DFM_WORKER_TOKEN_FILE)\n"
    "  --connect-timeout SECS   keep retrying the connection this long (default 300)\n"
    "  --python INTERPRETER     Python of the task host that runs `pytask` tasks\n"
    "                           (runner.python; default python3)\n"
    "  -h, --help               show this help\n"
    "\n"
    "environment: DFM_HEARTBEAT_MS (heartbeat interval, default 10000),\n"
    "DFM_CANCEL_GRACE_MS (SIGTERM to SIGKILL delay on cancel, default 5000).\n";

int usageError(const QString &msg)
{
    std::fprintf(stderr, "dfm worker: %s\nTry 'dfm worker --help'.\n", qPrintable(msg));
    return 2;
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
    WorkerOptions opts;
    QString endpoint;
    QString tokenFile = qEnvironmentVariable("DFM_WORKER_TOKEN_FILE");
    opts.workerId = qEnvironmentVariable("DFM_WORKER_ID");
    QString timeoutText;

    for (qsizetype i = 0; i < args.size(); ++i) {
        QString flag = args.at(i);
        if (flag == QLatin1String("-h") || flag == QLatin1String("--help")) {
            std::fputs(kWorkerUsage, stdout);
            return 0;
        }
        QString value;
        bool inlineValue = false;
        const qsizetype eq = flag.indexOf(QLatin1Char('='));
        if (flag.startsWith(QLatin1String("--")) && eq > 0) {
            value = flag.mid(eq + 1);
            flag = flag.left(eq);
            inlineValue = true;
        }
        QString *target = nullptr;
        if (flag == QLatin1String("--connect"))
            target = &endpoint;
        else if (flag == QLatin1String("--worker-id"))
            target = &opts.workerId;
        else if (flag == QLatin1String("--resource-class"))
            target = &opts.resourceClass;
        else if (flag == QLatin1String("--token-file"))
            target = &tokenFile;
        else if (flag == QLatin1String("--connect-timeout"))
            target = &timeoutText;
        else if (flag == QLatin1String("--python"))
            target = &opts.python;
        else
            return usageError(QStringLiteral("unknown option '%1'").arg(args.at(i)));
        if (!inlineValue) {
            if (i + 1 >= args.size())
                return usageError(QStringLiteral("option '%1' needs a value").arg(flag));
            value = args.at(++i);
        }
        *target = value;
    }

    if (opts.python.isEmpty())
        return usageError(QStringLiteral("--python needs an interpreter (e.g. python3)"));
    if (endpoint.isEmpty())
        return usageError(QStringLiteral("missing --connect HOST:PORT"));
    QString err;
    if (!parseEndpoint(endpoint, &opts.host, &opts.port, &err))
        return usageError(err);
    if (!timeoutText.isEmpty()) {
        bool ok = false;
        const double secs = timeoutText.toDouble(&ok);
        if (!ok || secs <= 0 || secs > 86400.0 * 7)
            return usageError(QStringLiteral("--connect-timeout expects a positive number of "
                                             "seconds, got '%1'").arg(timeoutText));
        opts.connectTimeoutMs = int(secs * 1000);
    }
    if (opts.workerId.isEmpty())
        opts.workerId = QStringLiteral("%1-%2").arg(QHostInfo::localHostName())
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
