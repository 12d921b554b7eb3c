// dfm run [TASK...]: runs a flow's tasks through the project's daemon, or an
// ephemeral pool of its own when none runs.

#include "commands.h"
#include "daemonbackend.h"
#include "ephemeralbackend.h"
#include "flow/hugeheap.h"
#include "flow/runlisting.h"
#include "flow/submit.h"
#include "poolsetup.h"
#include "runprinter.h"
#include "runsession.h"
#include "runtasksexpander.h"
#include "signalwatcher.h"
#include "statefile.h"
#include "tasklist.h"

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

constexpr int kExitFailed = 1;
constexpr int kExitInterrupted = 130;

void out(const QString &s) { std::fputs(qPrintable(s), stdout); std::fflush(stdout); }
void err(const QString &s) { std::fputs(qPrintable(s), stderr); }

CommandSpec runSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm run");
    s.synopsis = QStringLiteral("[options] [TASK...]");
    s.maxPositionals = -1;
    s.description = QStringLiteral(
        "Run tasks of the project's flow (flow.dv or flow.yaml) through the project's daemon, "
        "or, when none runs, through an ephemeral pool of local workers that ends with the run. "
        "Each TASK runs with what it needs. Without TASK, as the Python dfm, it lists the package's "
        "tasks marked `root` (all of them when none is) and runs nothing; --all runs every task no "
        "other task needs, as does a --tasks-from list without TASK. Each "
        "task runs in RUNDIR/TASK/ with its output in RUNDIR/TASK/TASK.log.\n\n"
        "On a terminal, one status line is redrawn in place: [done/total], tasks running, queued "
        "and failed, the time elapsed, and the longest-running task. A failure gets lines of its "
        "own: the task, its last error lines from its log, and the log's path. Otherwise (a pipe, "
        "a file, TERM=dumb) one line per finished task. The summary names the failed, skipped "
        "and cancelled tasks.\n\n"
        "Ctrl-C cancels this run's running and queued tasks (on the daemon too), waits for them "
        "to stop and exits 130; a second Ctrl-C exits at once.");
    s.options = {
        {QString(), QStringLiteral("all"), QString(),
         QStringLiteral("Without TASK, run every task no other task needs (and what it needs).")},
        {QStringLiteral("j"), QStringLiteral("jobs"), QStringLiteral("N"),
         QStringLiteral("Tasks of this run in flight at once (default: the pool's size).")},
        {QStringLiteral("v"), QStringLiteral("verbose"), QString(),
         QStringLiteral("On a terminal too, print a line for every finished task.")},
        {QString(), QStringLiteral("color"), QStringLiteral("WHEN"),
         QStringLiteral("Colour the output: auto (on a terminal, unless NO_COLOR is set), always, "
                        "never. Default: auto.")},
        {QString(), QStringLiteral("root"), QStringLiteral("DIR"),
         QStringLiteral("Project directory (default: the nearest directory upwards holding flow.dv, "
                        "flow.yaml or .dfm/).")},
        {QString(), QStringLiteral("rundir"), QStringLiteral("DIR"),
         QStringLiteral("Root of the task run directories (default: <project>/rundir).")},
        {QString(), QStringLiteral("json"), QStringLiteral("FILE"),
         QStringLiteral("Write each task's status, exit code, duration, worker, host and log path "
                        "as JSON to FILE.")},
        {QString(), QStringLiteral("tasks-from"), QStringLiteral("FILE"),
         QStringLiteral("Run one shell task per line of FILE (- for stdin) instead of the flow: "
                        "'COMMAND' (named line-N) or 'NAME: COMMAND'.")},
        {QString(), QStringLiteral("runner"), QStringLiteral("NAME"),
         QStringLiteral("Runner of an ephemeral pool: local, lsf or slurm. Ignored, with a note, "
                        "when a daemon runs.")},
        {QString(), QStringLiteral("pool-size"), QStringLiteral("N"),
         QStringLiteral("Maximum number of workers of an ephemeral pool.")},
        {QString(), QStringLiteral("runner-opt"), QStringLiteral("K=V"),
         QStringLiteral("Runner setting of an ephemeral pool, a dotted key under runner: "
                        "(e.g. pool.max_workers=8); repeatable.")},
        {QStringLiteral("D"), QString(), QStringLiteral("NAME=VALUE"),
         QStringLiteral("Set a parameter: NAME (a package parameter), PKG.NAME or TASK.PARAM; repeatable.")},
        {QString(), QStringLiteral("task-timeout"), QStringLiteral("SECONDS"),
         QStringLiteral("Time limit of each task that has no `timeout:` of its own.")},
        {QStringLiteral("f"), QStringLiteral("force"), QString(),
         QStringLiteral("Run every selected task, even those up-to-date.")},
        {QString(), QStringLiteral("clean"), QString(),
         QStringLiteral("Remove the run directories before running.")},
        {QStringLiteral("c"), QStringLiteral("config"), QStringLiteral("CONFIG"),
         QStringLiteral("Select the package configuration CONFIG (`configs:`); without it, the one named default.")},
        {QString(), QStringLiteral("list-tasks"), QString(),
         QStringLiteral("Print the names of the flow's tasks (or of --tasks-from's), one a line, "
                        "and exit; shell completion uses it.")},
    };
    s.footer = QStringLiteral(
        "Environment:\n"
        "  NO_COLOR      set (to anything), no colour unless --color=always\n"
        "  DFM_RUNNER    the runner of an ephemeral pool, unless --runner is given\n"
        "\n"
        "Exit status:\n"
        "  0    every task passed\n"
        "  1    a task failed, was skipped or cancelled, or the run could not start\n"
        "  2    a command-line or flow mistake; nothing ran\n"
        "  130  interrupted\n");
    return s;
}

/// When to colour: --color's value.
enum class ColorMode { Auto, Always, Never };

struct RunArgs {
    QStringList names;
    QString root;
    ConfigOverrides overrides;
    int jobs = 0;        /* -j; 0 = not given */
    QString rundirRoot;  /* absolute */
    QString jsonFile;
    QString tasksFrom;   /* "" = the flow file; "-" = stdin */
    QStringList defines; /* -D NAME=VALUE */
    QString config;      /* -c: the package configuration */
    double taskTimeout = 0; /* --task-timeout; 0 = none */
    bool force = false;     /* -f: run even what is up-to-date */
    bool clean = false;     /* --clean: remove the rundir root first */
    bool verbose = false;
    bool listTasks = false;
    bool all = false;       /* --all: no TASK runs every leaf task instead of listing */
    ColorMode color = ColorMode::Auto;
};

// Parses the command line; false (after printing the help or the error)
// with *code when there is nothing more to do.
bool parseArgs(const QStringList &args, RunArgs *a, int *code)
{
    const CommandSpec spec = runSpec();
    ParsedArgs p;
    if (!parseOrReport(spec, args, &p, code))
        return false;
    auto fail = [&](const QString &msg) {
        err(usageError(spec, msg));
        *code = kExitUsage;
        return false;
    };
    QString e;
    if (!parseOverrides(p.value(QStringLiteral("runner")), p.value(QStringLiteral("pool-size")),
                        p.values(QStringLiteral("runner-opt")), &a->overrides, &e))
        return fail(e);
    if (p.isSet(QStringLiteral("jobs"))) {
        bool ok = false;
        a->jobs = p.value(QStringLiteral("jobs")).toInt(&ok);
        if (!ok || a->jobs < 1)
            return fail(QStringLiteral("-j: expected a positive integer, got '%1'").arg(p.value(QStringLiteral("jobs"))));
    }
    if (p.isSet(QStringLiteral("task-timeout"))) {
        bool ok = false;
        a->taskTimeout = p.value(QStringLiteral("task-timeout")).toDouble(&ok);
        if (!ok || a->taskTimeout <= 0)
            return fail(QStringLiteral("--task-timeout: expected a positive number of seconds, got '%1'")
                            .arg(p.value(QStringLiteral("task-timeout"))));
    }
    a->config = p.value(QStringLiteral("config"));
    a->defines = p.values(QStringLiteral("D"));
    a->force = p.isSet(QStringLiteral("force"));
    a->clean = p.isSet(QStringLiteral("clean"));
    if (p.isSet(QStringLiteral("color"))) {
        const QString c = p.value(QStringLiteral("color"));
        if (c == QLatin1String("auto"))
            a->color = ColorMode::Auto;
        else if (c == QLatin1String("always"))
            a->color = ColorMode::Always;
        else if (c == QLatin1String("never"))
            a->color = ColorMode::Never;
        else
            return fail(QStringLiteral("--color: expected auto, always or never, got '%1'").arg(c));
    }
    a->verbose = p.isSet(QStringLiteral("verbose"));
    a->listTasks = p.isSet(QStringLiteral("list-tasks"));
    a->names = p.positionals;
    a->all = p.isSet(QStringLiteral("all"));
    if (a->all && !a->names.isEmpty())
        return fail(QStringLiteral("--all runs every task; name no TASK with it"));
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
        options.config = a.config;
        return loadFlow(a.root, options, flow, e);
    }
    if (!a.config.isEmpty()) {
        *e = QStringLiteral("-c selects a package configuration; a --tasks-from list has none");
        return false;
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
    int code = 0;
    if (!parseArgs(args, &a, &code))
        return code;

    // Everything that can be wrong with the tasks is found before anything starts.
    Flow flow;
    std::vector<int> order;
    QString e;
    if (a.listTasks) {
        if (!loadTasks(a, &flow, &e)) {
            err(QStringLiteral("dfm run: %1\n").arg(e));
            return kExitUsage;
        }
        QString names;
        for (const FlowTask &t : flow.tasks)
            names += t.name + QLatin1Char('\n');
        out(names);
        return 0;
    }
    const bool loaded = loadTasks(a, &flow, &e);
    for (const QString &w : flow.warnings)
        err(w + QLatin1Char('\n'));
    if (loaded && a.names.isEmpty() && !a.all && a.tasksFrom.isEmpty()) {
        out(flow::runListing(flow)); // as the Python dfm: no task named lists the entry points, runs none
        return 0;
    }
    if (!loaded || !selectTasks(flow, a.names, &order, &e)) {
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
    std::vector<int> parent, maxFailures;
    std::vector<int> position(flow.tasks.size(), -1); // flow index -> position in the run
    for (size_t k = 0; k < order.size(); ++k)
        position[size_t(order[k])] = int(k);
    specs.reserve(order.size());
    consumes.reserve(order.size());
    passthrough.reserve(order.size());
    local.reserve(order.size());
    alwaysRun.reserve(order.size());
    parent.reserve(order.size());
    maxFailures.reserve(order.size());
    for (int i : order) {
        const FlowTask &t = flow.tasks[size_t(i)];
        proto::TaskSpec named; // the rest when it is submitted (setSpecMaker)
        named.name = named.requestId = flow.qualified(t);
        specs.push_back(std::move(named));
        consumes.push_back(t.consumes);
        passthrough.push_back(t.passthrough);
        local.push_back(t.isNull() ? 1 : 0);
        alwaysRun.push_back(t.neverUpToDate ? 1 : 0);
        const int outer = t.compound().isEmpty() ? -1 : flow.indexOf(t.compound());
        parent.push_back(outer < 0 ? -1 : position[size_t(outer)]);
        maxFailures.push_back(t.maxFailures);
    }
    if (a.clean && !cleanRundir(a, &e)) {
        err(QStringLiteral("dfm run: %1\n").arg(e));
        return kExitUsage;
    }

    // Signals are watched before any worker starts, so none is left behind.
    SignalWatcher signals_({SIGINT, SIGTERM});
    int maxInFlight = 0;
    std::unique_ptr<TaskBackend> backend = makeBackend(a, &maxInFlight, &code);
    if (!backend)
        return code;

    RunSession session(std::move(specs), planNeeds(flow, order), backend.get(), maxInFlight);
    session.setSpecMaker([&flow, &order, &a](int k) { return specFor(flow, flow.tasks[size_t(order[size_t(k)])], a); });
    flow::FileExecStore store;
    if (!flow.packageName.isEmpty()) {
        session.setDataflow(std::move(consumes), std::move(passthrough), std::move(local));
        session.setIncremental(&store, a.force, std::move(alwaysRun));
        session.setCompounds(std::move(parent), std::move(maxFailures));
    }
    RunTasksExpander expander(&flow, &order); // std.RunTasks: the run grows with the tasks it asks for
    session.setRunTasks([&expander](int k, const QJsonArray &items, RunGrowth *g, QString *why) {
        return expander.expand(k, items, g, why);
    });
    const char *term = std::getenv("TERM");
    PrintStyle style;
    style.smart = ::isatty(STDOUT_FILENO) && !(term && qstrcmp(term, "dumb") == 0);
    style.color = a.color == ColorMode::Always
                  || (a.color == ColorMode::Auto && style.smart && qEnvironmentVariableIsEmpty("NO_COLOR"));
    style.verbose = a.verbose;
    RunPrinter printer(&session, style);
    int interrupts = 0;
    QObject::connect(&signals_, &SignalWatcher::received, &session, [&](int signo) {
        if (++interrupts > 1) {
            printer.note(QStringLiteral("dfm run: second interrupt; stopping now"));
            session.abandon(QStringLiteral("stopped by a second interrupt")); // done() finishes the backend
            backend->finish();
            return;
        }
        // The note counts the tasks running on workers, not those queued:
        // asked of the backend before the cancels go out.
        const QString how = signo == SIGINT ? QStringLiteral("interrupted") : QStringLiteral("terminated");
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = QObject::connect(backend.get(), &TaskBackend::runningRefreshed, &session, [&, how, once] {
            QObject::disconnect(*once);
            const QStringList running = session.runningNames();
            printer.note(QStringLiteral("dfm run: %1; cancelling %2 running task(s)%3 and every task not started")
                             .arg(how)
                             .arg(running.size())
                             .arg(running.isEmpty() ? QString() : QStringLiteral(" (") + nameList(running) + QLatin1Char(')')));
        });
        backend->refreshRunning();
        session.interrupt();
    });
    QObject::connect(backend.get(), &TaskBackend::lost, &session, [&](const QString &why) {
        printer.note(QStringLiteral("dfm run: %1 (%2); its running tasks are reported failed, the rest cancelled")
                         .arg(why, backend->describe()));
    });
    QObject::connect(&session, &RunSession::done, backend.get(), &TaskBackend::finish);
    QObject::connect(backend.get(), &TaskBackend::finished, qApp, &QCoreApplication::quit, Qt::QueuedConnection);
    session.start();
    printer.begin();
    flow::releaseLoadHeap(); // the first tasks are on their way; a large load's freed pages go back now
    QCoreApplication::exec();
    printer.close();

    const qint64 wallMs = session.elapsedMs();
    const auto &outcomes = session.outcomes();
    out(fmt::summary(outcomes, wallMs, backend->describe(), style.color));
    if (!a.jsonFile.isEmpty()) { // built only when asked for: a large run's report costs
        QJsonObject report = fmt::jsonReport(outcomes, wallMs, backend->mode());
        if (backend->workersLaunched() >= 0)
            report.insert(QStringLiteral("workers_launched"), backend->workersLaunched());
        if (!writeJson(a.jsonFile, report, &e)) {
            err(QStringLiteral("dfm run: %1\n").arg(e));
            code = kExitFailed;
        }
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

std::vector<CommandSpec> runSpecs()
{
    return {runSpec()};
}

} // namespace dfm::cli
