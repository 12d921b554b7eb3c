#pragma once
// One entry point per subcommand, each in its own cli/cmd_*.cpp. `args` are
// the words after the subcommand name. Each returns the process exit code;
// only main() exits. Each parses its words with core/cmdline, so help, usage
// and errors look the same everywhere.

#include "cmdline.h"

#include <QStringList>

namespace dfm::cli {

int daemonCommand(const QStringList &args);  /* dfm daemon start|stop|status|--monitor */
int workerCommand(const QStringList &args);  /* dfm worker --connect HOST:PORT */
int runCommand(const QStringList &args);     /* dfm run [TASK...] */
int showCommand(const QStringList &args);    /* dfm show [tasks|task NAME] */
int graphCommand(const QStringList &args);   /* dfm graph [TASK...] */

/// The specs of each command (a group's first, then its subcommands'), for
/// the manual page (`dfm help --man`).
std::vector<CommandSpec> daemonSpecs();
std::vector<CommandSpec> workerSpecs();
std::vector<CommandSpec> runSpecs();
std::vector<CommandSpec> showSpecs();
std::vector<CommandSpec> graphSpecs();

/// Exit status of a command-line mistake; help exits 0.
constexpr int kExitUsage = 2;

/// Parses `args` against `spec`. True: act on *parsed. False: the help (on
/// stdout) or the usage error (on stderr) is printed and *code is the exit
/// status (0 or kExitUsage).
bool parseOrReport(const CommandSpec &spec, const QStringList &args, ParsedArgs *parsed, int *code);

} // namespace dfm::cli
