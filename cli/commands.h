#pragma once
// One entry point per subcommand, each in its own cli/cmd_*.cpp. `args` are
// the words after the subcommand name. Each returns the process exit code;
// only main() exits.

#include <QStringList>

namespace dfm::cli {

int daemonCommand(const QStringList &args);  /* dfm daemon start|stop|status|--monitor */
int workerCommand(const QStringList &args);  /* dfm worker --connect HOST:PORT */
int runCommand(const QStringList &args);     /* dfm run [TASK...] */

} // namespace dfm::cli
