#pragma once
// The terminal monitor's entry point, called by `dfm daemon --monitor` and
// `dfm daemon start --monitor` (cli/cmd_daemon.cpp).

#include "projectpaths.h"

namespace dfm::tui {

/// Attaches the terminal monitor to the daemon of `paths` and runs it until
/// the user detaches (q or Ctrl-C) or the daemon goes away. Prints its own
/// messages, prefixed with `command`. Returns the exit code: 0 detached (the
/// daemon keeps running), 1 no daemon runs for the project, 2 no usable
/// terminal, 3 the daemon went away while attached, 4 the terminal went away.
int attachMonitor(const ProjectPaths &paths, const QString &command);

} // namespace dfm::tui
