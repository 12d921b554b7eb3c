// dfm run [TASK...]: runs a flow's tasks through the project's daemon, or an
// ephemeral pool of its own when none runs.

#include "commands.h"
#include "daemonbackend.h"
#include "ephemeralbackend.h"
#include "flow/submit.h"
#include "poolsetup.h"
#include "runprinter.h"
#include "runsession.h"
#include "signalwatcher.h"
#include "statefile.h"
#include "tasklist.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <csignal>
#include <cstdio>
#include <memory>
#include <unistd.h>

namespace dfm::cli {

namespace {

const char kRunUsage[] =
    "usage: dfm run [TASK ...] [--root DIR] [--runner NAME] [--runner-opt K=V]... [--pool-size N]\n"
    "               [-j N] [--rundir DIR] [--json FILE] [--tasks-from FILE|-] [-D NAME=VALUE]...\n"
    "               [--task-timeout SECONDS] [-f|--force] [--clean] [-c CONFIG]\n";

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

void out(const QString &s) { std::fputs(qPrintable(s), stdout); std::fflush(stdout); }
void err(const QString &s) { std::fputs(qPrintable(s), stderr); }

struct RunArgs {
    QStringList names;
    QString root;
    ConfigOverrides overrides;
    int jobs = 0;        /* -j; 0 = not given */
    QString rundirRoot;  /* absolute */
    QString jsonFile;
    QString tasksFrom;   /* "" = the flow file; "-" = stdin */
    QStringList defines; /* -D NAME=VALUE */
    double taskTimeout = 0; /* --task-timeout; 0 = none */
    bool force = false;     /* -f: run even what is up-to-date */
    bool clean = false;     /* --clean: remove the rundir root first */
};

// Parses the command line; false after printing the error and usage.
bool parseArgs(const QStringList &args, RunArgs *a, bool *help)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("TASK"), QStringLiteral("Tasks to run (default: every leaf task)."),
                            QStringLiteral("[TASK ...]"));
    p.addOption({QStringLiteral("root"), QStringLiteral("Project directory."), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("runner"), QStringLiteral("Runner of an ephemeral pool: local, lsf, slurm."), QStringLiteral("NAME")});
    p.addOption({QStringLiteral("runner-opt"), QStringLiteral("Runner option KEY=VALUE (repeatable)."), QStringLiteral("K=V")});
    p.addOption({QStringLiteral("pool-size"), QStringLiteral("Maximum number of workers of an ephemeral pool."), QStringLiteral("N")});
    p.addOption({{QStringLiteral("j"), QStringLiteral("jobs")}, QStringLiteral("Tasks of this run in flight at once."), QStringLiteral("N")});
    p.addOption({QStringLiteral("rundir"), QStringLiteral("Root of the task run directories (default <project>/rundir)."), QStringLiteral("DIR")});
    p.addOption({QStringLiteral("json"), QStringLiteral("Write per-task results as JSON to FILE."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("tasks-from"), QStringLiteral("Run one shell task per line of FILE (- for stdin)."), QStringLiteral("FILE")});
    p.addOption({QStringLiteral("D"), QStringLiteral("Set parameter NAME (package, or TASK.PARAM) to VALUE (repeatable)."), QStringLiteral("NAME=VALUE")});
    p.addOption({QStringLiteral("task-timeout"), QStringLiteral("Time limit of each task without its own `timeout:`."), QStringLiteral("SECONDS")});
    p.addOption({{QStringLiteral("c"), QStringLiteral("config")}, QStringLiteral("Select a package configuration (not supported yet)."), QStringLiteral("CONFIG")});
    p.addOption({{QStringLiteral("f"), QStringLiteral("force")}, QStringLiteral("Run every task, even those up-to-date.")});
    p.addOption({QStringLiteral("clean"), QStringLiteral("Remove the run directories before running.")});
    p.addHelpOption();
    if (!p.parse(QStringList{QStringLiteral("dfm run")} + args)) {
        err(QStringLiteral("dfm run: %1\n%2").arg(p.errorText(), QLatin1String(kRunUsage)));
        return false;
    }
    *help = p.isSet(QStringLiteral("help"));
    if (*help) {
        out(p.helpText());
        return true;
    }
    QString e;
    if (!parseOverrides(p.value(QStringLiteral("runner")), p.value(QStringLiteral("pool-size")),
                        p.values(QStringLiteral("runner-opt")), &a->overrides, &e)) {
        err(QStringLiteral("dfm run: %1\n%2").arg(e, QLatin1String(kRunUsage)));
        return false;
    }
    if (p.isSet(QStringLiteral("j"))) {
        bool ok = false;
        a->jobs = p.value(QStringLiteral("j")).toInt(&ok);
        if (!ok || a->jobs < 1) {
            err(QStringLiteral("dfm run: -j: expected a positive integer, got '%1'\n%2")
                    .arg(p.value(QStringLiteral("j")), QLatin1String(kRunUsage)));
            return false;
        }
    }
    if (p.isSet(QStringLiteral("task-timeout"))) {
        bool ok = false;
        a->taskTimeout = p.value(QStringLiteral("task-timeout")).toDouble(&ok);
        if (!ok || a->taskTimeout <= 0) {
            err(QStringLiteral("dfm run: --task-timeout: expected a positive number of seconds, got '%1'\n%2")
                    .arg(p.value(QStringLiteral("task-timeout")), QLatin1String(kRunUsage)));
            return false;
        }
    }
    if (p.isSet(QStringLiteral("c"))) {
        err(QStringLiteral("dfm run: -c %1: package configurations (`configs:`) are not supported yet\n")
                .arg(p.value(QStringLiteral("c"))));
        return false;
    }
    a->defines = p.values(QStringLiteral("D"));
    a->force = p.isSet(QStringLiteral("f"));
    a->clean = p.isSet(QStringLiteral("clean"));
    a->names = p.positionalArguments();
    a->root = findProjectRoot(p.value(QStringLiteral("root")), QDir::currentPath());
    a->rundirRoot = p.isSet(QStringLiteral("rundir"))
                        ? QDir::cleanPath(QDir::current().absoluteFilePath(p.value(QStringLiteral("rundir"))))
                        : a->root + QStringLiteral("/rundir");
    a->jsonFile = p.value(QStringLiteral("json"));
    a->tasksFrom = p.value(QStringLiteral("tasks-from"));
    return true;
}

// The flow to run: the project's flow file, or the --tasks-from list.
bool loadTasks(const RunArgs &a, Flow *flow, QString *e)
{
    if (a.tasksFrom.isEmpty()) {
        FlowOptions options;
        options.defines = a.defines;
        options.rundirRoot = a.rundirRoot;
        return loadFlow(a.root, options, flow, e);
    }
    if (!a.defines.isEmpty()) {
        *e = QStringLiteral("-D sets flow parameters; a --tasks-from list has none");
        return false;
    }
    QFile f;
    QString name = a.tasksFrom, dir = QDir::currentPath();
    if (a.tasksFrom == QLatin1String("-")) {
        name = QStringLiteral("<stdin>");
        if (!f.open(stdin, QIODevice::ReadOnly)) {
            *e = QStringLiteral("cannot read the task list from stdin: %1").arg(f.errorString());
            return false;
        }
    } else {
        f.setFileName(a.tasksFrom);
        if (!f.open(QIODevice::ReadOnly)) {
            *e = QStringLiteral("cannot read %1: %2").arg(a.tasksFrom, f.errorString());
            return false;
        }
        dir = QFileInfo(a.tasksFrom).absolutePath();
    }
    return parseTaskList(name, QString::fromUtf8(f.readAll()), dir, flow, e);
}

// The task.submit params of one flow task, validated into a TaskSpec.
proto::TaskSpec specFor(const Flow &flow, const FlowTask &t, const RunArgs &a)
{
    proto::TaskSpec spec;
    QString e;
    proto::parseTaskSpec(flow::submitParams(flow, t, a.rundirRoot, a.taskTimeout), &spec, &e); // valid fields: cannot fail
    return spec;
}

// The backend for this run, started; nullptr after printing why (*code set).
std::unique_ptr<TaskBackend> makeBackend(const RunArgs &a, int *maxInFlight, int *code)
{
    const ProjectPaths paths = ProjectPaths::forRoot(a.root);
    DaemonState st;
    QString why, e;
    std::unique_ptr<TaskBackend> backend;
    switch (probeDaemonWaitingForStart(paths, &st, &why)) {
    case Liveness::Unsafe:
        err(QStringLiteral("dfm run: %1\n").arg(why));
        *code = kExitFailed;
        return nullptr;
    case Liveness::NotAnswering:
        err(QStringLiteral("dfm run: the daemon for %1 is not answering: %2\n"
                           "  not starting a second pool beside it; nothing was removed\n")
                .arg(a.root, why));
        *code = kExitFailed;
        return nullptr;
    case Liveness::Alive:
        if (!a.overrides.runner.isEmpty() || a.overrides.poolSize > 0 || !a.overrides.runnerOpts.isEmpty())
            err(QStringLiteral("dfm run: note: the daemon (pid %1) runs with its own runner settings; "
                               "--runner, --pool-size and --runner-opt apply only without a daemon\n")
                    .arg(st.pid));
        backend = std::make_unique<DaemonBackend>(st);
        *maxInFlight = a.jobs;
        break;
    case Liveness::Stale:
        if (!removeStaleState(paths, &e)) {
            err(QStringLiteral("dfm run: %1\n").arg(e));
            *code = kExitFailed;
            return nullptr;
        }
        err(QStringLiteral("dfm run: removed stale %1 (%2); using an ephemeral pool\n").arg(paths.stateFile, why));
        [[fallthrough]];
    case Liveness::NotRunning: {
        RunnerConfig config;
        EngineOptions options;
        WorkerLauncher *launcher = nullptr;
        if (!loadPoolSetup(a.root, a.overrides, &config, &options, &e) || !(launcher = makeLauncher(config, &e))) {
            err(QStringLiteral("dfm run: %1\n").arg(e));
            *code = kExitUsage;
            return nullptr;
        }
        *maxInFlight = a.jobs > 0 ? qMin(a.jobs, options.pool.maxWorkers) : options.pool.maxWorkers;
        backend = std::make_unique<EphemeralBackend>(options, launcher, a.jobs);
        break;
    }
    }
    if (!backend->start(&e)) {
        err(QStringLiteral("dfm run: %1\n").arg(e));
        *code = kExitFailed;
        return nullptr;
    }
    return backend;
}

bool writeJson(const QString &file, const QJsonObject &report, QString *e)
{
    QSaveFile f(file);
    if (!f.open(QIODevice::WriteOnly)) {
        *e = QStringLiteral("cannot write %1: %2").arg(file, f.errorString());
        return false;
    }
    f.write(QJsonDocument(report).toJson(QJsonDocument::Indented));
    if (!f.commit()) {
        *e = QStringLiteral("cannot write %1: %2").arg(file, f.errorString());
        return false;
    }
    return true;
}

// --clean: removes the rundir root, refusing one that holds the project
// (a --rundir of "." or "..") or is not a directory we may remove.
bool cleanRundir(const RunArgs &a, QString *e)
{
    const QString root = QDir::cleanPath(a.root);
    const QString rundir = QDir::cleanPath(a.rundirRoot);
    if (root == rundir || root.startsWith(rundir + QLatin1Char('/')) || rundir == QLatin1String("/")) {
        *e = QStringLiteral("--clean: refusing to remove %1, which holds the project %2; pass a --rundir of its own")
                 .arg(rundir, root);
        return false;
    }
    const QFileInfo fi(rundir);
    if (fi.isSymLink()) { // remove the link, never what it points to
        if (!QFile::remove(rundir)) {
            *e = QStringLiteral("--clean: cannot remove the link %1").arg(rundir);
            return false;
        }
        return true;
    }
    if (fi.exists() && !QDir(rundir).removeRecursively()) {
        *e = QStringLiteral("--clean: cannot remove all of %1").arg(rundir);
        return false;
    }
    return true;
}

QString nameList(const QStringList &names)
{
    constexpr int kShown = 10;
    QString s = names.mid(0, kShown).join(QStringLiteral(", "));
    if (names.size() > kShown)
        s += QStringLiteral(" and %1 more").arg(names.size() - kShown);
    return s;
}

} // namespace

int runCommand(const QStringList &args)
{
    RunArgs a;
    bool help = false;
    if (!parseArgs(args, &a, &help))
        return kExitUsage;
    if (help)
        return 0;

    // Everything that can be wrong with the tasks is found before anything starts.
    Flow flow;
    std::vector<int> order;
    QString e;
    if (!loadTasks(a, &flow, &e) || !selectTasks(flow, a.names, &order, &e)) {
        err(QStringLiteral("dfm run: %1\n").arg(e));
        return kExitUsage;
    }
    if (order.empty()) {
        out(QStringLiteral("dfm run: no tasks to run\n"));
        return 0;
    }
    std::vector<proto::TaskSpec> specs;
    std::vector<QJsonValue> consumes, passthrough;
    std::vector<char> local, alwaysRun;
    for (int i : order) {
        const FlowTask &t = flow.tasks[size_t(i)];
        specs.push_back(specFor(flow, t, a));
        consumes.push_back(t.consumes);
        passthrough.push_back(t.passthrough);
        local.push_back(t.isNull() ? 1 : 0);
        alwaysRun.push_back(t.neverUpToDate ? 1 : 0);
    }
    if (a.clean && !cleanRundir(a, &e)) {
        err(QStringLiteral("dfm run: %1\n").arg(e));
        return kExitUsage;
    }

    // Signals are watched before any worker starts, so none is left behind.
    SignalWatcher signals_({SIGINT, SIGTERM});
    int code = 0, maxInFlight = 0;
    std::unique_ptr<TaskBackend> backend = makeBackend(a, &maxInFlight, &code);
    if (!backend)
        return code;

    RunSession session(std::move(specs), planNeeds(flow, order), backend.get(), maxInFlight);
    flow::FileExecStore store;
    if (!flow.packageName.isEmpty()) {
        session.setDataflow(std::move(consumes), std::move(passthrough), std::move(local));
        session.setIncremental(&store, a.force, std::move(alwaysRun));
    }
    const char *term = std::getenv("TERM");
    RunPrinter printer(&session, ::isatty(STDOUT_FILENO) && !(term && qstrcmp(term, "dumb") == 0));
    int interrupts = 0;
    QObject::connect(&signals_, &SignalWatcher::received, &session, [&](int signo) {
        if (++interrupts > 1) {
            printer.note(QStringLiteral("dfm run: second interrupt; stopping now"));
            session.abandon(QStringLiteral("stopped by a second interrupt")); // done() finishes the backend
            backend->finish();
            return;
        }
        const QStringList running = session.interrupt();
        printer.note(QStringLiteral("dfm run: %1; cancelling %2 running task(s)%3 and every task not started")
                         .arg(signo == SIGINT ? QStringLiteral("interrupted") : QStringLiteral("terminated"))
                         .arg(running.size())
                         .arg(running.isEmpty() ? QString() : QStringLiteral(" (") + nameList(running) + QLatin1Char(')')));
    });
    QObject::connect(backend.get(), &TaskBackend::lost, &session, [&](const QString &why) {
        printer.note(QStringLiteral("dfm run: %1 (%2); its running tasks are reported failed, the rest cancelled")
                         .arg(why, backend->describe()));
    });
    QObject::connect(&session, &RunSession::done, backend.get(), &TaskBackend::finish);
    QObject::connect(backend.get(), &TaskBackend::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    session.start();
    printer.begin();
    QCoreApplication::exec();
    printer.close();

    const qint64 wallMs = session.elapsedMs();
    const auto &outcomes = session.outcomes();
    out(fmt::summary(outcomes, wallMs, backend->describe()));
    QStringList cancelled;
    for (const fmt::TaskOutcome &t : outcomes)
        if (t.status == TaskStatus::Cancelled)
            cancelled << t.name;
    if (session.interrupted())
        out(QStringLiteral("cancelled: %1\n").arg(cancelled.isEmpty() ? QStringLiteral("(none)") : nameList(cancelled)));
    QJsonObject report = fmt::jsonReport(outcomes, wallMs, backend->mode());
    if (backend->workersLaunched() >= 0)
        report.insert(QStringLiteral("workers_launched"), backend->workersLaunched());
    if (!a.jsonFile.isEmpty() && !writeJson(a.jsonFile, report, &e)) {
        err(QStringLiteral("dfm run: %1\n").arg(e));
        code = kExitFailed;
    }
    const fmt::RunCounts c = fmt::countOutcomes(outcomes);
    if (session.interrupted() || interrupts > 0)
        return kExitInterrupted;
    if (code != 0 || !session.isDone() || c.passed != session.total())
        return kExitFailed;
    // A clean ephemeral run leaves no worker logs behind; a failed one keeps them.
    if (auto *eph = qobject_cast<EphemeralBackend *>(backend.get()))
        QDir(eph->workerLogDir()).removeRecursively();
    return 0;
}

} // namespace dfm::cli
