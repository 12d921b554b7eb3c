// dfm daemon start|stop|status: manage the project's warm worker pool.

#include "commands.h"
#include "daemon.h"
#include "daemonclient.h"
#include "format.h"
#include "monitor.h"
#include "monitormodel.h"
#include "poolsetup.h"
#include "signalwatcher.h"
#include "statefile.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace dfm::cli {

namespace {

const char kDaemonUsage[] =
    "usage: dfm daemon start [--runner NAME] [--pool-size N] [--runner-opt K=V]... [--root DIR] [--foreground|--monitor]\n"
    "       dfm daemon stop [--root DIR]\n"
    "       dfm daemon status [--json] [--root DIR]\n"
    "       dfm daemon --monitor [--root DIR]\n";

void out(const QString &s) { std::fputs(qPrintable(s), stdout); std::fflush(stdout); }
void err(const QString &s) { std::fputs(qPrintable(s), stderr); }

struct Common {
    QString root;
    ProjectPaths paths;
};

// Parses `args` for subcommand `sub`; returns false (after printing why) on
// a bad flag. --root is common to all.
bool parseArgs(QCommandLineParser &p, const QString &sub, const QStringList &args, Common *c)
{
    p.addOption({QStringLiteral("root"), QStringLiteral("Project directory."), QStringLiteral("DIR")});
    p.addHelpOption();
    if (!p.parse(QStringList{QStringLiteral("dfm daemon ") + sub} + args)) {
        err(QStringLiteral("dfm daemon %1: %2\n%3").arg(sub, p.errorText(), QLatin1String(kDaemonUsage)));
        return false;
    }
    if (!p.positionalArguments().isEmpty()) {
        err(QStringLiteral("dfm daemon %1: unexpected argument '%2'\n%3")
                .arg(sub, p.positionalArguments().first(), QLatin1String(kDaemonUsage)));
        return false;
    }
    c->root = findProjectRoot(p.value(QStringLiteral("root")), QDir::currentPath());
    c->paths = ProjectPaths::forRoot(c->root);
    if (!QFileInfo(c->root).isDir()) {
        err(QStringLiteral("dfm daemon %1: project directory %2 does not exist\n").arg(sub, c->root));
        return false;
    }
    return true;
}

// One request to the daemon of `st` on a fresh connection.
bool callDaemon(const DaemonState &st, QLatin1String method, QJsonValue *result, QString *e)
{
    DaemonClient client;
    return client.connectTo(st.socket, 5000, e) && client.call(method, {}, result, e);
}

QString logTail(const QString &path, int lines)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QList<QByteArray> all = f.readAll().split('\n');
    QString tail;
    for (qsizetype i = qMax<qsizetype>(0, all.size() - lines - 1); i < all.size(); ++i)
        if (!all[i].isEmpty())
            tail += QStringLiteral("  | %1\n").arg(QString::fromUtf8(all[i]));
    return tail;
}

int runForeground(const Common &c, const ConfigOverrides &ov, bool detached)
{
    if (detached)
        ::setsid(); // no controlling terminal: a closed terminal does not stop the pool
    RunnerConfig config;
    EngineOptions options;
    QString e;
    if (!loadPoolSetup(c.root, ov, &config, &options, &e)) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        return 2;
    }
    WorkerLauncher *launcher = makeLauncher(config, &e);
    if (!launcher) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        return 2;
    }
    Daemon daemon(options, launcher);
    if (const int ms = qEnvironmentVariableIntValue("DFM_CLIENT_IDLE_TIMEOUT_MS"); ms > 0)
        daemon.setClientIdleTimeout(ms);
    SignalWatcher signals_({SIGTERM, SIGINT, SIGHUP});
    QObject::connect(&signals_, &SignalWatcher::received, &daemon,
                     [&daemon](int s) { daemon.shutdown(QStringLiteral("signal %1").arg(s)); });
    QObject::connect(&daemon, &Daemon::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    switch (daemon.start(&e)) {
    case Daemon::StartResult::Ok:
        break;
    case Daemon::StartResult::AlreadyRunning:
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        return 3;
    case Daemon::StartResult::Failed:
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        return 1;
    }
    if (!detached)
        out(QStringLiteral("dfm daemon: running in the foreground for %1 (pid %2); Ctrl-C stops it\n")
                .arg(c.root)
                .arg(QCoreApplication::applicationPid()));
    return QCoreApplication::exec();
}

int startBackground(const Common &c, const ConfigOverrides &ov, const QStringList &forward)
{
    DaemonState st;
    QString why, e;
    switch (probeDaemon(c.paths, &st, &why)) {
    case Liveness::Alive:
        out(QStringLiteral("dfm daemon: already running for %1 (pid %2)\n").arg(c.root).arg(st.pid));
        return 0;
    case Liveness::Stale:
        if (!removeStaleState(c.paths, &e)) {
            err(QStringLiteral("dfm daemon: %1\n").arg(e));
            return 1;
        }
        out(QStringLiteral("dfm daemon: removed stale %1 (%2)\n").arg(c.paths.stateFile, why));
        break;
    case Liveness::NotRunning:
        break;
    }
    // Check the configuration here, where the user sees the error.
    RunnerConfig config;
    EngineOptions options;
    if (!loadPoolSetup(c.root, ov, &config, &options, &e)) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        return 2;
    }
    delete makeLauncher(config, &e);
    if (!e.isEmpty()) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        return 2;
    }
    if (!socketPathFits(c.paths, &e) || !ensureDfmDir(c.paths, &e)) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        return 1;
    }

    QProcess p;
    p.setProgram(QCoreApplication::applicationFilePath());
    p.setArguments(QStringList{QStringLiteral("daemon"), QStringLiteral("start"),
                               QStringLiteral("--foreground"), QStringLiteral("--detached"),
                               QStringLiteral("--root"), c.root}
                   + forward);
    p.setWorkingDirectory(c.root);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setStandardOutputFile(c.paths.log, QIODevice::Append);
    p.setStandardErrorFile(c.paths.log, QIODevice::Append);
    qint64 pid = 0;
    if (!p.startDetached(&pid)) {
        err(QStringLiteral("dfm daemon: cannot start %1: %2\n").arg(p.program(), p.errorString()));
        return 1;
    }
    // Ready when it answers on its socket. If our child gave way to another
    // daemon starting at the same moment, that one is waited for instead.
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (probeDaemon(c.paths, &st, &why, 1000) == Liveness::Alive) {
            if (st.pid == pid)
                out(QStringLiteral("dfm daemon: started for %1 (pid %2, runner %3, up to %4 workers)\n"
                                   "  socket: %5\n  log:    %6\n")
                        .arg(c.root)
                        .arg(pid)
                        .arg(config.runner)
                        .arg(config.pool.maxWorkers)
                        .arg(c.paths.socket, c.paths.log));
            else {
                // Another start won the lock; ours exits on it. Wait for that,
                // so exactly one daemon exists once this command returns.
                while (pidAlive(pid) && !deadline.hasExpired())
                    QThread::msleep(20);
                out(QStringLiteral("dfm daemon: already running for %1 (pid %2)\n").arg(c.root).arg(st.pid));
            }
            return 0;
        }
        if (!pidAlive(pid) && !daemonLockHeld(c.paths)) {
            err(QStringLiteral("dfm daemon: the daemon exited while starting; from %1:\n%2")
                    .arg(c.paths.log, logTail(c.paths.log, 15)));
            return 1;
        }
        QThread::msleep(50);
    }
    err(QStringLiteral("dfm daemon: no answer on %1 after 20 s; see %2\n").arg(c.paths.socket, c.paths.log));
    return 1;
}

int start(const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({QStringLiteral("runner"), QStringLiteral("Runner backend: local, lsf, slurm."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("pool-size"), QStringLiteral("Maximum number of workers."), QStringLiteral("N")});
    p.addOption({QStringLiteral("runner-opt"), QStringLiteral("Runner option KEY=VALUE (repeatable)."), QStringLiteral("K=V")});
    p.addOption({QStringLiteral("foreground"), QStringLiteral("Run in this process; Ctrl-C stops it.")});
    p.addOption({QStringLiteral("monitor"), QStringLiteral("Attach the terminal monitor after starting.")});
    QCommandLineOption detached(QStringLiteral("detached"));
    detached.setFlags(QCommandLineOption::HiddenFromHelp);
    p.addOption(detached);
    Common c;
    if (!parseArgs(p, QStringLiteral("start"), args, &c))
        return 2;
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return 0;
    }
    const bool monitor = p.isSet(QStringLiteral("monitor"));
    if (monitor && p.isSet(QStringLiteral("foreground"))) {
        err(QStringLiteral("dfm daemon start: --monitor and --foreground cannot be combined; run the "
                           "monitor from another terminal with `dfm daemon --monitor`\n"));
        return 2;
    }
    ConfigOverrides ov;
    QString e;
    if (!parseOverrides(p.value(QStringLiteral("runner")), p.value(QStringLiteral("pool-size")),
                        p.values(QStringLiteral("runner-opt")), &ov, &e)) {
        err(QStringLiteral("dfm daemon start: %1\n").arg(e));
        return 2;
    }
    if (p.isSet(QStringLiteral("foreground")))
        return runForeground(c, ov, p.isSet(detached));
    QStringList forward;
    if (!ov.runner.isEmpty())
        forward << QStringLiteral("--runner") << ov.runner;
    if (ov.poolSize > 0)
        forward << QStringLiteral("--pool-size") << QString::number(ov.poolSize);
    for (const QString &o : ov.runnerOpts)
        forward << QStringLiteral("--runner-opt") << o;
    const int code = startBackground(c, ov, forward);
    if (code != 0 || !monitor)
        return code;
    return tui::attachMonitor(c.paths, QStringLiteral("dfm daemon start --monitor"));
}

int stop(const QStringList &args)
{
    QCommandLineParser p;
    Common c;
    if (!parseArgs(p, QStringLiteral("stop"), args, &c))
        return 2;
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return 0;
    }
    DaemonState st;
    QString why, e;
    switch (probeDaemon(c.paths, &st, &why)) {
    case Liveness::NotRunning:
        err(QStringLiteral("dfm daemon: no daemon running for %1 (no %2)\n").arg(c.root, c.paths.stateFile));
        return 1;
    case Liveness::Stale:
        if (!removeStaleState(c.paths, &e)) {
            err(QStringLiteral("dfm daemon: %1\n").arg(e));
            return 1;
        }
        err(QStringLiteral("dfm daemon: no daemon was running for %1; removed stale %2 (%3)\n")
                .arg(c.root, c.paths.stateFile, why));
        return 1;
    case Liveness::Alive:
        break;
    }
    QJsonValue result;
    if (!callDaemon(st, proto::kShutdown, &result, &e)) {
        err(QStringLiteral("dfm daemon: cannot ask pid %1 to shut down: %2\n").arg(st.pid).arg(e));
        return 1;
    }
    QDeadlineTimer deadline(60000);
    while (pidAlive(st.pid) && !deadline.hasExpired())
        QThread::msleep(20);
    if (pidAlive(st.pid)) {
        err(QStringLiteral("dfm daemon: pid %1 is still running 60 s after shutdown; see %2, or `kill %1`\n")
                .arg(st.pid)
                .arg(c.paths.log));
        return 1;
    }
    out(QStringLiteral("dfm daemon: stopped (pid %1)\n").arg(st.pid));
    return 0;
}

int status(const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({QStringLiteral("json"), QStringLiteral("Machine-readable output.")});
    Common c;
    if (!parseArgs(p, QStringLiteral("status"), args, &c))
        return 2;
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        return 0;
    }
    const bool json = p.isSet(QStringLiteral("json"));
    auto printJson = [](const QJsonObject &o) {
        out(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)));
    };
    DaemonState st;
    QString why, e;
    switch (probeDaemon(c.paths, &st, &why)) {
    case Liveness::NotRunning:
        if (json)
            printJson({{QStringLiteral("state"), QStringLiteral("not_running")}, {QStringLiteral("root"), c.root}});
        else
            out(QStringLiteral("dfm daemon: not running for %1 (no %2); start one with `dfm daemon start`\n")
                    .arg(c.root, c.paths.stateFile));
        return 1;
    case Liveness::Stale:
        if (json)
            printJson({{QStringLiteral("state"), QStringLiteral("stale")},
                       {QStringLiteral("root"), c.root},
                       {QStringLiteral("pid"), st.pid},
                       {QStringLiteral("reason"), why}});
        else
            out(QStringLiteral("dfm daemon: stale state file %1: %2\n"
                               "  `dfm daemon start` replaces it; `dfm daemon stop` removes it\n")
                    .arg(c.paths.stateFile, why));
        return 1;
    case Liveness::Alive:
        break;
    }
    QJsonValue result;
    if (!callDaemon(st, proto::kStatusGet, &result, &e)) {
        err(QStringLiteral("dfm daemon: status of pid %1 failed: %2\n").arg(st.pid).arg(e));
        return 1;
    }
    QJsonObject s = result.toObject();
    if (json) {
        s.insert(QStringLiteral("state"), QStringLiteral("running"));
        s.insert(QStringLiteral("root"), c.root);
        printJson(s);
    } else {
        MonitorModel model;
        proto::MonitorEvent snapshot;
        snapshot.kind = proto::MonitorEvent::Snapshot;
        snapshot.snapshot = proto::DaemonStatus::fromJson(s);
        model.apply(snapshot);
        out(fmt::daemonStatus(model, QDateTime::currentMSecsSinceEpoch(), c.root));
    }
    return 0;
}

} // namespace

int daemonCommand(const QStringList &args)
{
    if (args.isEmpty()) {
        err(QLatin1String(kDaemonUsage));
        return 2;
    }
    const QString sub = args.first();
    const QStringList rest = args.mid(1);
    if (sub == QLatin1String("start"))
        return start(rest);
    if (sub == QLatin1String("stop"))
        return stop(rest);
    if (sub == QLatin1String("status"))
        return status(rest);
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        out(QLatin1String(kDaemonUsage));
        return 0;
    }
    if (sub == QLatin1String("--monitor")) {
        QCommandLineParser p;
        Common c;
        if (!parseArgs(p, sub, rest, &c))
            return 2;
        if (p.isSet(QStringLiteral("help"))) {
            out(p.helpText());
            return 0;
        }
        return tui::attachMonitor(c.paths, QStringLiteral("dfm daemon --monitor"));
    }
    err(QStringLiteral("dfm daemon: unknown subcommand '%1' (expected start, stop or status)\n%2")
            .arg(sub, QLatin1String(kDaemonUsage)));
    return 2;
}

} // namespace dfm::cli
