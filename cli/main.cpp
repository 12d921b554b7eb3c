// dfm: the DV Flow Manager command line. Dispatches to one subcommand.

#include "commands.h"
#include "daemonprefork.h"

#include <QCoreApplication>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>

namespace dfm::cli {

bool parseOrReport(const CommandSpec &spec, const QStringList &args, ParsedArgs *parsed, int *code)
{
    QString text;
    switch (parseCommandLine(spec, args, parsed, &text)) {
    case ParseResult::Ok:
        return true;
    case ParseResult::Help:
        std::fputs(qPrintable(text), stdout);
        *code = 0;
        return false;
    case ParseResult::Error:
        std::fputs(qPrintable(text), stderr);
        *code = kExitUsage;
        return false;
    }
    return false;
}

} // namespace dfm::cli

namespace {

using namespace dfm::cli;

/// A top-level command: its name, the line `dfm --help` shows, its entry point.
struct Command {
    const char *name;
    const char *summary;
    int (*run)(const QStringList &args);
};

int versionCommand(const QStringList &args);
int helpCommand(const QStringList &args);

const Command kCommands[] = {
    {"run", "Run tasks of the project's flow, through its daemon or an ephemeral pool.", runCommand},
    {"show", "List the flow's tasks with their descriptions, or show one task.", showCommand},
    {"graph", "Print the flow's task graph as Graphviz DOT.", graphCommand},
    {"daemon", "Start, stop or query the project's warm worker-pool daemon.", daemonCommand},
    {"worker", "A worker process; the daemon starts these, not people.", workerCommand},
    {"help", "Show the help of a command: dfm help COMMAND [SUBCOMMAND].", helpCommand},
    {"version", "Print the version.", versionCommand},
};

CommandSpec topSpec()
{
    CommandSpec s;
    s.path = QStringLiteral("dfm");
    s.synopsis = QStringLiteral("[options] COMMAND [ARGS...]");
    s.description = QStringLiteral(
        "dfm (DV Flow Manager) runs the task graphs of design-verification regressions: "
        "builds, simulations, checks. A per-project daemon keeps a pool of warm worker "
        "processes across many `dfm run` invocations; without one, `dfm run` brings up a "
        "pool of its own for the run.\n\n"
        "The project is --root DIR, or the nearest directory upwards holding flow.dv, "
        "flow.yaml or .dfm/.");
    for (const Command &c : kCommands)
        s.subcommands.push_back({QString::fromLatin1(c.name), QString::fromLatin1(c.summary)});
    s.options = {{QStringLiteral("V"), QStringLiteral("version"), QString(), QStringLiteral("Print the version and exit.")}};
    s.footer = QStringLiteral(
        "Run 'dfm help COMMAND' (or 'dfm COMMAND --help') for a command's options.\n"
        "\n"
        "Files:\n"
        "  flow.dv, flow.yaml     the project's flow (its tasks)\n"
        "  .dfm/daemon.json       the running daemon's pid and socket\n"
        "  .dfm/config.yaml       project runner settings (also ~/.config/dfm/site.yaml)\n"
        "  rundir/TASK/TASK.log   each task's output\n"
        "\n"
        "Exit status: 0 success, 1 failure, 2 a command-line or flow mistake.\n");
    return s;
}

int versionCommand(const QStringList &args)
{
    CommandSpec s;
    s.path = QStringLiteral("dfm version");
    s.description = QStringLiteral("Print the version of dfm.");
    ParsedArgs p;
    int code = 0;
    if (!parseOrReport(s, args, &p, &code))
        return code;
    std::printf("dfm %s\n", DFM_VERSION);
    return 0;
}

int helpCommand(const QStringList &args)
{
    if (args == QStringList{QStringLiteral("--man")}) { // hidden: the build makes dfm.1 with it
        std::vector<CommandSpec> all;
        for (auto specs : {runSpecs, showSpecs, graphSpecs, daemonSpecs, workerSpecs})
            for (CommandSpec &s : specs())
                all.push_back(std::move(s));
        std::fputs(qPrintable(manPage(topSpec(), all,
                                      QStringLiteral("DV Flow Manager: task graphs of design-verification "
                                                     "regressions on a warm worker pool"),
                                      QStringLiteral("dfm " DFM_VERSION))),
                   stdout);
        return 0;
    }
    // `dfm help X Y` is `dfm X Y --help`: help never acts, so this is safe.
    if (args.isEmpty() || (args.size() == 1 && (args.first() == QLatin1String("help")))) {
        std::fputs(qPrintable(helpText(topSpec())), stdout);
        return 0;
    }
    for (const Command &c : kCommands)
        if (args.first() == QLatin1String(c.name))
            return c.run(args.mid(1) + QStringList{QStringLiteral("--help")});
    ParsedArgs p;
    int code = 0;
    parseOrReport(topSpec(), args.mid(0, 1), &p, &code); // the unknown-command error
    return code == 0 ? kExitUsage : code;
}

// Whether `dfm daemon start`'s words may ask for the monitor: then the
// starter goes on to parse them once its daemon runs.
bool mayAskForMonitor(int argc, char **argv)
{
    for (int i = 3; i < argc; ++i)
        if (std::strncmp(argv[i], "--mon", 5) == 0)
            return true;
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    // A closed stdin, stdout or stderr would be taken by the next file or
    // socket opened, which our output (or a task's) would then corrupt: a
    // `daemon start <&- >&- 2>&-` left no daemon and garbage on its socket.
    // Hold /dev/null there instead (open() returns the lowest free
    // descriptor).
    for (int fd = 0; fd <= 2; ++fd)
        if (::fcntl(fd, F_GETFD) < 0 && errno == EBADF && ::open("/dev/null", fd ? O_WRONLY : O_RDONLY) < 0)
            return 1;
    // A peer that goes away mid-write is an error to handle, not a reason to die.
    std::signal(SIGPIPE, SIG_IGN);
    // `dfm daemon start` forks its daemon now, while that is cheapest
    // (cli/daemonprefork.h); the child goes on only to be the daemon, and
    // says how that went on our stdout and stderr. Qt is set up here only
    // for what is left to do: attach the monitor, or explain a child that
    // died or never answered.
    dfm::cli::preforkDaemonIfStarting(argc, argv);
    switch (const dfm::cli::PreforkResult r = dfm::cli::awaitPreforkedStart(20000); r.outcome) {
    case dfm::cli::PreforkOutcome::Exited:
        return r.exitCode;
    case dfm::cli::PreforkOutcome::Started:
        if (!mayAskForMonitor(argc, argv))
            return 0;
        break;
    default:
        break;
    }
    // Qt's plain Unix event dispatcher instead of GLib's: the daemon and
    // each worker turn the loop for every task, and GLib's costs more system
    // calls per turn (docs/performance.md). QCoreApplication reads
    // QT_NO_GLIB when it is constructed; the variable is then put back as it
    // was, so tasks and workers inherit the user's environment unchanged.
    const bool hadNoGlib = qEnvironmentVariableIsSet("QT_NO_GLIB");
    const QByteArray oldNoGlib = qgetenv("QT_NO_GLIB");
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    if (hadNoGlib)
        qputenv("QT_NO_GLIB", oldNoGlib);
    else
        qunsetenv("QT_NO_GLIB");
    QCoreApplication::setApplicationName(QStringLiteral("dfm"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DFM_VERSION));
    const QStringList args = app.arguments().mid(1);
    const CommandSpec top = topSpec();
    ParsedArgs p;
    int code = 0;
    if (!parseOrReport(top, args, &p, &code))
        return code;
    if (p.isSet(QStringLiteral("version")))
        return versionCommand({});
    if (p.positionals.isEmpty()) {
        std::fputs(qPrintable(helpText(top)), stderr);
        return kExitUsage;
    }
    const QString cmd = p.positionals.first();
    for (const Command &c : kCommands)
        if (cmd == QLatin1String(c.name))
            return c.run(p.positionals.mid(1));
    return kExitUsage; // parseCommandLine() refused unknown commands already
}
