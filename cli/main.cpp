// dfm: the DV Flow Manager command line. Dispatches to one subcommand.

#include "commands.h"

#include <QCoreApplication>

#include <csignal>
#include <cstdio>

namespace {

const char kUsage[] =
    "usage: dfm <command> [options]\n"
    "\n"
    "commands:\n"
    "  run [TASK...]              run tasks of flow.dv through the daemon, or an ephemeral pool\n"
    "  daemon start|stop|status   manage the project's warm worker pool daemon\n"
    "  worker --connect HOST:PORT a worker process (started by the daemon)\n"
    "  version                    print the version\n"
    "\n"
    "'dfm <command> --help' describes a command's options.\n";

} // namespace

int main(int argc, char **argv)
{
    // A peer that goes away mid-write is an error to handle, not a reason to die.
    std::signal(SIGPIPE, SIG_IGN);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("dfm"));
    QCoreApplication::setApplicationVersion(QStringLiteral(DFM_VERSION));
    QStringList args = app.arguments().mid(1);
    if (args.isEmpty() || args.first() == QLatin1String("--help")
        || args.first() == QLatin1String("-h") || args.first() == QLatin1String("help")) {
        std::fputs(kUsage, args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    const QString cmd = args.takeFirst();
    if (cmd == QLatin1String("run"))
        return dfm::cli::runCommand(args);
    if (cmd == QLatin1String("daemon"))
        return dfm::cli::daemonCommand(args);
    if (cmd == QLatin1String("worker"))
        return dfm::cli::workerCommand(args);
    if (cmd == QLatin1String("version") || cmd == QLatin1String("--version")) {
        std::printf("dfm %s\n", DFM_VERSION);
        return 0;
    }
    std::fprintf(stderr, "dfm: unknown command '%s'\n\n%s", qPrintable(cmd), kUsage);
    return 2;
}
