// dfm daemon start|stop|status: manage the project's warm worker pool.

#include "commands.h"
#include "daemon.h"
#include "daemonclient.h"
#include "daemonlock.h"
#include "daemonprefork.h"
#include "format.h"
#include "monitor.h"
#include "monitormodel.h"
#include "poolsetup.h"
#include "safefile.h"
#include "signalwatcher.h"
#include "statefile.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QScopeGuard>
#include <QThread>
#include <QTimer>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <unistd.h>

namespace dfm::cli {

namespace {

void out(const QString &s) { std::fputs(qPrintable(s), stdout); std::fflush(stdout); }
void err(const QString &s) { std::fputs(qPrintable(s), stderr); }

const OptionSpec kRootOption{QString(), QStringLiteral("root"), QStringLiteral("DIR"),
                             QStringLiteral("Project directory (default: the nearest directory upwards "
                                            "holding flow.dv, flow.yaml or .dfm/).")};

CommandSpec groupSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm daemon");
    s.synopsis = QStringLiteral("COMMAND [options]");
    s.description = QStringLiteral(
        "Manage the project's daemon: it keeps a pool of warm worker processes that every "
        "`dfm run` in the project shares, and is reached through <project>/.dfm/daemon.sock.");
    s.subcommands = {{QStringLiteral("start"), QStringLiteral("Start the daemon in the background (or --foreground).")},
                     {QStringLiteral("stop"), QStringLiteral("Stop the daemon and every worker it started.")},
                     {QStringLiteral("status"), QStringLiteral("Show the daemon's workers and tasks (--json for scripts).")}};
    s.options = {{QString(), QStringLiteral("monitor"), QString(),
                  QStringLiteral("Attach the terminal monitor to the running daemon (read-only; q detaches).")},
                 kRootOption};
    s.footer = QStringLiteral("Run 'dfm help daemon COMMAND' for a command's options.\n");
    return s;
}

CommandSpec startSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm daemon start");
    s.synopsis = QStringLiteral("[options]");
    s.description = QStringLiteral(
        "Start the project's daemon. It detaches (its output goes to .dfm/daemon.log), and this "
        "command returns once it answers on its socket, printing its pid. A daemon already "
        "running is reported (exit 0); a stale .dfm/daemon.json is removed first.");
    s.options = {
        {QString(), QStringLiteral("runner"), QStringLiteral("NAME"),
         QStringLiteral("Runner backend: local, lsf or slurm. "
                        "Default: the configuration's runner.default, or DFM_RUNNER.")},
        {QString(), QStringLiteral("pool-size"), QStringLiteral("N"), QStringLiteral("Maximum number of workers.")},
        {QString(), QStringLiteral("runner-opt"), QStringLiteral("K=V"),
         QStringLiteral("Runner setting, a dotted key under runner: (e.g. pool.max_workers=8); repeatable.")},
        kRootOption,
        {QString(), QStringLiteral("foreground"), QString(), QStringLiteral("Run in this process; Ctrl-C stops it.")},
        {QString(), QStringLiteral("monitor"), QString(),
         QStringLiteral("Attach the terminal monitor after starting (q detaches; the daemon keeps running).")},
        {QString(), QStringLiteral("detached"), QString(), QStringLiteral("Internal."), true},
        {QString(), QStringLiteral("status-fd"), QStringLiteral("FD"), QStringLiteral("Internal."), true},
    };
    s.footer = QStringLiteral("Exit status: 0 started or already running, 1 it could not start, "
                              "2 bad usage or configuration, 3 (--foreground) another daemon holds the project.\n");
    return s;
}

CommandSpec stopSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm daemon stop");
    s.synopsis = QStringLiteral("[options]");
    s.description = QStringLiteral(
        "Stop the project's daemon: it cancels what runs, stops every worker, removes "
        ".dfm/daemon.json and its socket. Returns once the daemon's process is gone.");
    s.options = {kRootOption};
    s.footer = QStringLiteral("Exit status: 0 stopped, 1 no daemon was running (a stale state file is removed) "
                              "or it did not stop.\n");
    return s;
}

CommandSpec statusSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm daemon status");
    s.synopsis = QStringLiteral("[options]");
    s.description = QStringLiteral(
        "Show the project's daemon: pid, socket, runner, uptime, its workers with their state "
        "and task, and task counts.");
    s.options = {{QString(), QStringLiteral("json"), QString(),
                  QStringLiteral("Print the status.get result as JSON, with \"state\" (running, "
                                 "not_running, stale) and \"root\" added.")},
                 kRootOption};
    s.footer = QStringLiteral("Exit status: 0 a daemon runs, 1 none runs (\"not running\" and \"stale\" told apart).\n");
    return s;
}

struct Common {
    QString root;
    ProjectPaths paths;
};

// Parses `args` against `spec`; false with *code (help printed: 0; a bad
// word: 2) when there is nothing more to do.
bool parseArgs(const CommandSpec &spec, const QStringList &args, ParsedArgs *p, Common *c, int *code)
{
    if (!parseOrReport(spec, args, p, code))
        return false;
    c->root = findProjectRoot(p->value(QStringLiteral("root")), QDir::currentPath());
    c->paths = ProjectPaths::forRoot(c->root);
    if (!QFileInfo(c->root).isDir()) {
        err(QStringLiteral("%1: project directory %2 does not exist\n").arg(spec.path, c->root));
        *code = kExitUsage;
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

// The daemon's monitor snapshot: status.get's result plus the recent
// completions. Subscribes, takes the first event, and hangs up.
bool fetchSnapshot(const DaemonState &st, QJsonObject *snapshot, QString *e)
{
    constexpr int kTimeoutMs = 10000;
    DaemonClient client;
    if (!client.connectTo(st.socket, 5000, e))
        return false;
    bool got = false;
    QEventLoop loop;
    QObject::connect(&client, &DaemonClient::messageReceived, &loop, [&](const proto::Message &m) {
        if (got || m.method != proto::kEvSnapshot)
            return;
        *snapshot = m.params;
        got = true;
        loop.quit();
    });
    QObject::connect(&client, &DaemonClient::disconnected, &loop, &QEventLoop::quit);
    QJsonValue reply;
    if (!client.call(proto::kMonitorSubscribe, {}, &reply, e, kTimeoutMs))
        return false;
    if (!got) {
        QTimer::singleShot(kTimeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!got)
        *e = QStringLiteral("no monitor.snapshot from the daemon within %1 s").arg(kTimeoutMs / 1000);
    return got;
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

// Tells the `dfm daemon start` that spawned us how starting went, through
// the pipe it passed (--status-fd), and closes it. The log may be on a full
// disk; the pipe always gets through.
void reportStart(int statusFd, const char *kind, const QString &detail)
{
    if (statusFd < 0)
        return;
    const QByteArray line = QByteArray(kind) + ' ' + detail.toUtf8().replace('\n', ' ') + '\n';
    // Ignored on purpose: if `start` has gone, no one is left to tell.
    [[maybe_unused]] const ssize_t n = ::write(statusFd, line.constData(), size_t(line.size()));
    ::close(statusFd);
}

// The preforked daemon's copies of the user's stdout and stderr, kept after
// its own output moved to the log, for its last word on the start.
struct UserStreams {
    int out = -1;
    int err = -1;

    void say(int fd, const QString &text) const
    {
        const QByteArray b = text.toUtf8();
        for (qsizetype done = 0; fd >= 0 && done < b.size();) {
            const ssize_t n = ::write(fd, b.constData() + done, size_t(b.size() - done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return; // nobody reads them any more: the daemon runs all the same
            done += n;
        }
    }
    void close()
    {
        for (int *fd : {&out, &err})
            if (*fd >= 0) {
                ::close(*fd);
                *fd = -1;
            }
    }
};

QString alreadyRunningText(const Common &c, qint64 pid)
{
    return QStringLiteral("dfm daemon: already running for %1 (pid %2)\n").arg(c.root).arg(pid);
}

QString couldNotStartText(const QString &why)
{
    return QStringLiteral("dfm daemon: the daemon could not start: %1\n").arg(why);
}

// What a started daemon is, as `start` prints it.
QString startedText(const Common &c, qint64 pid, const RunnerConfig &config)
{
    return QStringLiteral("dfm daemon: started for %1 (pid %2, runner %3, up to %4 workers)\n"
                          "  socket: %5\n  log:    %6\n")
        .arg(c.root)
        .arg(pid)
        .arg(config.runner)
        .arg(config.pool.maxWorkers)
        .arg(c.paths.socket, c.paths.log);
}

// A daemon's configuration and launcher, checked before it starts.
struct PoolSetup {
    RunnerConfig config;
    EngineOptions options;
    std::unique_ptr<WorkerLauncher> launcher;
};

bool loadSetup(const Common &c, const ConfigOverrides &ov, PoolSetup *s, QString *e)
{
    if (!loadPoolSetup(c.root, ov, &s->config, &s->options, e))
        return false;
    s->launcher.reset(makeLauncher(s->config, e));
    return s->launcher != nullptr;
}

// Runs the daemon in this process until it is stopped. statusFd (or -1):
// where "ok" or the error is reported. `user`: the preforked daemon's
// copies of the user's streams, which hear how the start went.
int runDaemon(const Common &c, PoolSetup setup, bool detached, int statusFd, UserStreams user)
{
    if (detached)
        ::setsid(); // no controlling terminal: a closed terminal does not stop the pool
    auto closeUser = qScopeGuard([&user] { user.close(); });
    Daemon daemon(setup.options, setup.launcher.release());
    // Test and debug overrides of the connection limits.
    if (const int ms = qEnvironmentVariableIntValue("DFM_CLIENT_IDLE_TIMEOUT_MS"); ms > 0)
        daemon.setClientIdleTimeout(ms);
    if (const int n = qEnvironmentVariableIntValue("DFM_MAX_SILENT_CLIENTS"); n > 0)
        daemon.setMaxSilentClients(n);
    if (const qint64 b = qEnvironmentVariable("DFM_CLIENT_OUTPUT_CAP").toLongLong(); b > 0)
        daemon.setClientOutputCap(b);
    SignalWatcher signals_({SIGTERM, SIGINT, SIGHUP});
    QObject::connect(&signals_, &SignalWatcher::received, &daemon,
                     [&daemon](int s) { daemon.shutdown(QStringLiteral("signal %1").arg(s)); });
    QObject::connect(&daemon, &Daemon::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    QString e;
    switch (daemon.start(&e)) {
    case Daemon::StartResult::Ok:
        user.say(user.out, startedText(c, QCoreApplication::applicationPid(), setup.config));
        user.close(); // before "ok": whoever reads them sees them end when `start` returns
        reportStart(statusFd, "ok", QString());
        break;
    case Daemon::StartResult::AlreadyRunning: {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        reportStart(statusFd, "running", e);
        if (user.out < 0)
            return 3;
        // Another start won the lock: `start` reports that daemon.
        DaemonState st;
        QString why;
        if (probeDaemonWaitingForStart(c.paths, &st, &why) == Liveness::Alive) {
            user.say(user.out, alreadyRunningText(c, st.pid));
            return 0;
        }
        user.say(user.err, QStringLiteral("dfm daemon: %1\n").arg(e));
        return 1;
    }
    case Daemon::StartResult::Failed:
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        reportStart(statusFd, "error", e);
        user.say(user.err, couldNotStartText(e));
        return 1;
    }
    if (!detached)
        out(QStringLiteral("dfm daemon: running in the foreground for %1 (pid %2); Ctrl-C stops it\n")
                .arg(c.root)
                .arg(QCoreApplication::applicationPid()));
    return QCoreApplication::exec();
}

int runForeground(const Common &c, const ConfigOverrides &ov, bool detached, int statusFd)
{
    PoolSetup setup;
    QString e;
    if (!loadSetup(c, ov, &setup, &e)) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        reportStart(statusFd, "error", e);
        return 2;
    }
    return runDaemon(c, std::move(setup), detached, statusFd, {});
}

// What `start` checks before a daemon is started, where the user sees the
// answer: a daemon already running (true with *code 0 and nothing to
// start: setup->launcher stays null), a stale state file (removed), the
// configuration, the project directory and the log (created here, never
// through a symlink). False with *code when it cannot start.
bool prepareStart(const Common &c, const ConfigOverrides &ov, PoolSetup *setup, int *code)
{
    DaemonState st;
    QString why, e;
    *code = 1;
    switch (probeDaemonWaitingForStart(c.paths, &st, &why)) {
    case Liveness::Alive:
        out(alreadyRunningText(c, st.pid));
        *code = 0;
        return true;
    case Liveness::NotAnswering:
        err(QStringLiteral("dfm daemon: a daemon already runs for %1 but is not answering: %2\n")
                .arg(c.root, why));
        return false;
    case Liveness::Unsafe:
        err(QStringLiteral("dfm daemon: %1\n").arg(why));
        return false;
    case Liveness::Stale:
        if (!removeStaleState(c.paths, &e)) {
            err(QStringLiteral("dfm daemon: %1\n").arg(e));
            return false;
        }
        out(QStringLiteral("dfm daemon: removed stale %1 (%2)\n").arg(c.paths.stateFile, why));
        break;
    case Liveness::NotRunning:
        break;
    }
    if (!loadSetup(c, ov, setup, &e)) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        *code = 2;
        return false;
    }
    // The daemon appends to this log (nobody else can replace it in our
    // private .dfm).
    int logFd = -1;
    if (!socketPathFits(c.paths, &e) || !ensureDfmDir(c.paths, &e)
        || (logFd = openPrivateFile(c.paths.log, true, &e)) < 0) {
        err(QStringLiteral("dfm daemon: %1\n").arg(e));
        setup->launcher.reset();
        return false;
    }
    ::close(logFd);
    *code = 0;
    return true;
}

// The preforked child (cli/daemonprefork.h) checks what `start` checks,
// printing to the user's streams, then becomes the daemon as the spawned
// one would: in the project directory, its output appended to the log.
int runPreforked(const Common &c, const ConfigOverrides &ov)
{
    PoolSetup setup;
    int code = 0;
    if (!prepareStart(c, ov, &setup, &code) || !setup.launcher)
        return code;
    UserStreams user{::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3), ::fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)};
    const int log = ::open(QFile::encodeName(c.paths.log).constData(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    std::fflush(stdout);
    std::fflush(stderr);
    if (::chdir(QFile::encodeName(c.root).constData()) != 0 || log < 0 || ::dup2(log, STDOUT_FILENO) < 0
        || ::dup2(log, STDERR_FILENO) < 0) {
        const QString e = QStringLiteral("cannot set up the daemon in %1 with its log %2: %3")
                              .arg(c.root, c.paths.log, fmt::errnoText(errno));
        user.say(user.err, couldNotStartText(e));
        user.close();
        return 1;
    }
    ::close(log);
    return runDaemon(c, std::move(setup), true, preforkedStatusFd(), user);
}

// Spawns `dfm daemon start --foreground --detached` (when no child could be
// forked at the top of main()). *statusFd: the read end of the pipe it
// reports its start through.
bool spawnDaemon(const Common &c, const QStringList &forward, qint64 *pid, int *statusFd)
{
    int status[2];
    if (::pipe2(status, O_CLOEXEC) != 0 || ::fcntl(status[1], F_SETFD, 0) != 0) {
        err(QStringLiteral("dfm daemon: cannot create a pipe: %1\n").arg(fmt::errnoText(errno)));
        return false;
    }
    QProcess p;
    p.setProgram(QCoreApplication::applicationFilePath());
    p.setArguments(QStringList{QStringLiteral("daemon"), QStringLiteral("start"),
                               QStringLiteral("--foreground"), QStringLiteral("--detached"),
                               QStringLiteral("--root"), c.root,
                               QStringLiteral("--status-fd"), QString::number(status[1])}
                   + forward);
    p.setWorkingDirectory(c.root);
    p.setStandardInputFile(QProcess::nullDevice());
    p.setStandardOutputFile(c.paths.log, QIODevice::Append);
    p.setStandardErrorFile(c.paths.log, QIODevice::Append);
    const bool spawned = p.startDetached(pid);
    ::close(status[1]);
    if (!spawned) {
        ::close(status[0]);
        err(QStringLiteral("dfm daemon: cannot start %1: %2\n").arg(p.program(), p.errorString()));
        return false;
    }
    *statusFd = status[0];
    return true;
}

QString exitedWhileStarting(const Common &c)
{
    return QStringLiteral("dfm daemon: the daemon exited while starting; from %1:\n%2")
        .arg(c.paths.log, logTail(c.paths.log, 15));
}

QString noAnswer(const Common &c)
{
    return QStringLiteral("dfm daemon: no answer on %1 after 20 s; see %2\n").arg(c.paths.socket, c.paths.log);
}

// `start` when no child could be forked: checks, spawns a daemon and waits
// for its report.
int startBackground(const Common &c, const ConfigOverrides &ov, const QStringList &forward)
{
    PoolSetup setup;
    int code = 0;
    if (!prepareStart(c, ov, &setup, &code) || !setup.launcher)
        return code;
    setup.launcher.reset(); // the spawned daemon makes its own
    DaemonState st;
    QString why;
    qint64 pid = 0;
    int statusFd = -1; /* the read end of the pipe the daemon reports its start through */
    if (!spawnDaemon(c, forward, &pid, &statusFd))
        return 1;
    auto closeStatus = qScopeGuard([&] { ::close(statusFd); });
    QByteArray report; /* what the daemon said through the pipe */
    bool reportDone = false;
    // Reads what the daemon reported; true (after printing it) when it
    // could not start.
    auto readReport = [&] {
        while (!reportDone) {
            pollfd pfd{statusFd, POLLIN, 0};
            char buf[4096];
            if (::poll(&pfd, 1, 0) <= 0)
                break;
            const ssize_t n = ::read(statusFd, buf, sizeof(buf));
            if (n < 0)
                break;
            report.append(buf, n);
            reportDone = n == 0 || report.endsWith('\n');
        }
        if (!reportDone || !report.startsWith("error "))
            return false;
        err(couldNotStartText(QString::fromUtf8(report.mid(6).trimmed())));
        return true;
    };
    // Waits up to `ms` for the daemon's report: it writes "ok" the moment
    // it listens, so `start` returns then rather than at the next poll.
    auto awaitReport = [&](int ms) {
        if (reportDone) {
            QThread::msleep(ms);
            return;
        }
        pollfd pfd{statusFd, POLLIN, 0};
        ::poll(&pfd, 1, ms); // readable, closed or timed out: the loop looks again
    };
    // Ready when our child reports "ok", or else when a daemon answers on
    // the socket. If our child gave way to another daemon starting at the
    // same moment, that one is waited for instead.
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (readReport())
            return 1;
        // Our child says "ok" only once it holds the lock, listens and has
        // written its state file: there is nothing left to ask it.
        if (reportDone && report.startsWith("ok")) {
            out(startedText(c, pid, setup.config));
            return 0;
        }
        if (probeDaemon(c.paths, &st, &why, 1000) == Liveness::Alive) {
            if (st.pid == pid) {
                out(startedText(c, pid, setup.config));
                return 0;
            }
            // Another start won the lock; ours exits on it. Wait for that,
            // so exactly one daemon exists once this command returns.
            waitForPidExit(pid, int(qMax<qint64>(0, deadline.remainingTime())));
            out(alreadyRunningText(c, st.pid));
            return 0;
        }
        if (!pidAlive(pid) && !daemonLockHeld(c.paths)) {
            if (readReport())
                return 1;
            err(exitedWhileStarting(c));
            return 1;
        }
        awaitReport(50);
    }
    err(noAnswer(c));
    return 1;
}

int start(const QStringList &args)
{
    ParsedArgs p;
    Common c;
    int code = 0;
    if (!parseArgs(startSpec(), args, &p, &c, &code))
        return code;
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
    if (isPreforkedDaemon())
        return runPreforked(c, ov);
    switch (preforkResult().outcome) { // main() waited for our forked child
    case PreforkOutcome::Started:
        return monitor ? tui::attachMonitor(c.paths, QStringLiteral("dfm daemon start --monitor")) : 0;
    case PreforkOutcome::Exited:
        return preforkResult().exitCode;
    case PreforkOutcome::Died:
        err(exitedWhileStarting(c));
        return 1;
    case PreforkOutcome::NoAnswer:
        err(noAnswer(c));
        return 1;
    case PreforkOutcome::None:
        break;
    }
    if (p.isSet(QStringLiteral("foreground")))
        return runForeground(c, ov, p.isSet(QStringLiteral("detached")),
                             p.isSet(QStringLiteral("status-fd")) ? p.value(QStringLiteral("status-fd")).toInt() : -1);
    QStringList forward;
    if (!ov.runner.isEmpty())
        forward << QStringLiteral("--runner") << ov.runner;
    if (ov.poolSize > 0)
        forward << QStringLiteral("--pool-size") << QString::number(ov.poolSize);
    for (const QString &o : ov.runnerOpts)
        forward << QStringLiteral("--runner-opt") << o;
    const int started = startBackground(c, ov, forward);
    if (started != 0 || !monitor)
        return started;
    return tui::attachMonitor(c.paths, QStringLiteral("dfm daemon start --monitor"));
}

int stop(const QStringList &args)
{
    ParsedArgs p;
    Common c;
    int code = 0;
    if (!parseArgs(stopSpec(), args, &p, &c, &code))
        return code;
    DaemonState st;
    QString why, e;
    switch (probeDaemonWaitingForStart(c.paths, &st, &why)) {
    case Liveness::NotRunning:
        err(QStringLiteral("dfm daemon: no daemon running for %1 (no %2)\n").arg(c.root, c.paths.stateFile));
        return 1;
    case Liveness::NotAnswering:
        err(QStringLiteral("dfm daemon: cannot stop the daemon for %1: it is not answering: %2\n")
                .arg(c.root, why));
        return 1;
    case Liveness::Unsafe:
        err(QStringLiteral("dfm daemon: %1\n").arg(why));
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
    if (!waitForPidExit(st.pid, 60000)) {
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
    ParsedArgs p;
    Common c;
    int code = 0;
    if (!parseArgs(statusSpec(), args, &p, &c, &code))
        return code;
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
    case Liveness::Unsafe:
        if (json)
            printJson({{QStringLiteral("state"), QStringLiteral("unsafe")},
                       {QStringLiteral("root"), c.root},
                       {QStringLiteral("reason"), why}});
        else
            out(QStringLiteral("dfm daemon: %1\n").arg(why));
        return 1;
    case Liveness::NotAnswering:
        if (json)
            printJson({{QStringLiteral("state"), QStringLiteral("not_answering")},
                       {QStringLiteral("root"), c.root},
                       {QStringLiteral("pid"), st.pid},
                       {QStringLiteral("reason"), why}});
        else
            out(QStringLiteral("dfm daemon: running for %1 but not answering: %2\n").arg(c.root, why));
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
    QJsonObject s;
    if (!fetchSnapshot(st, &s, &e)) {
        err(QStringLiteral("dfm daemon: status of pid %1 failed: %2\n").arg(st.pid).arg(e));
        return 1;
    }
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
    const CommandSpec group = groupSpec();
    ParsedArgs p;
    int code = 0;
    if (!parseOrReport(group, args, &p, &code))
        return code;
    if (p.isSet(QStringLiteral("monitor"))) {
        const QString root = findProjectRoot(p.value(QStringLiteral("root")), QDir::currentPath());
        if (!QFileInfo(root).isDir()) {
            err(QStringLiteral("dfm daemon --monitor: project directory %1 does not exist\n").arg(root));
            return kExitUsage;
        }
        return tui::attachMonitor(ProjectPaths::forRoot(root), QStringLiteral("dfm daemon --monitor"));
    }
    if (p.positionals.isEmpty()) {
        err(helpText(group));
        return kExitUsage;
    }
    const QString sub = p.positionals.first();
    const QStringList rest = p.positionals.mid(1);
    if (sub == QLatin1String("start"))
        return start(rest);
    if (sub == QLatin1String("stop"))
        return stop(rest);
    return status(rest); // parseCommandLine() refused any other word
}

std::vector<CommandSpec> daemonSpecs()
{
    return {groupSpec(), startSpec(), stopSpec(), statusSpec()};
}

} // namespace dfm::cli
