#pragma once
// `dfm daemon start` forks the future daemon at the top of main(), before
// Qt is set up, rather than exec'ing a new dfm once it has checked
// everything: the child is already linked and loaded, which saves the new
// process's exec, dynamic linking and relocations (about as long as a
// whole `dfm --version`; docs/performance.md, "Start-up").
//
// The child does the whole start itself, at once: it checks for a running
// daemon, the configuration and the project directory, printing what it
// finds on the user's stdout and stderr, which it keeps until it runs;
// then it moves its output to the log, becomes the daemon and says "ok"
// through its status pipe. The starter sets nothing up meanwhile: it
// waits for that "ok" (it then returns 0) or for the child's exit (it
// then returns the child's exit status), so the child's checks are not
// preceded by the starter's own.

#include <sys/types.h>

namespace dfm::cli {

/// Called first thing in main(). For `dfm daemon start` without
/// --foreground or help it forks; both processes return at once, the child
/// with isPreforkedDaemon() true. A failed fork is not an error: the start
/// then spawns `dfm daemon start --foreground --detached` as before. Other
/// commands return at once.
void preforkDaemonIfStarting(int argc, char **argv);

/// How the starter's wait for its child ended.
enum class PreforkOutcome {
    None,     // no child was forked (another command, or the fork failed)
    Started,  // the child runs as the daemon and printed so
    Exited,   // the child exited (its exit status is the command's); it printed why
    Died,     // the child died of a signal before it said "ok"
    NoAnswer, // no word from the child within the time allowed
};

struct PreforkResult {
    PreforkOutcome outcome = PreforkOutcome::None;
    int exitCode = 0; /* Exited: the child's exit status */
};

/// The starter: waits until the child says "ok", exits, or timeoutMs pass.
/// Elsewhere (the child, other commands) returns {None} at once. The result
/// is kept for preforkResult().
PreforkResult awaitPreforkedStart(int timeoutMs);

/// What awaitPreforkedStart() returned ({None} before it was called).
PreforkResult preforkResult();

/// True in the forked child: it is to become the daemon.
bool isPreforkedDaemon();

/// The child: the write end of its status pipe (see reportStart()).
int preforkedStatusFd();

} // namespace dfm::cli
