// Placeholder until this subcommand lands; says so honestly.
#include "commands.h"
#include <cstdio>
int dfm::cli::workerCommand(const QStringList &) { std::fputs("dfm worker: not implemented yet\n", stderr); return 2; }
