// Placeholder until this subcommand lands; says so honestly.
#include "commands.h"
#include <cstdio>
int dfm::cli::daemonCommand(const QStringList &) { std::fputs("dfm daemon: not implemented yet\n", stderr); return 2; }
