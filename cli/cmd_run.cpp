// Placeholder until this subcommand lands; says so honestly.
#include "commands.h"
#include <cstdio>
int dfm::cli::runCommand(const QStringList &) { std::fputs("dfm run: not implemented yet\n", stderr); return 2; }
