#pragma once
// `dfm daemon start` forks the future daemon at the top of main(), before
// Qt is set up, rather than exec'ing a new dfm once it has checked
// everything: the child is already linked and loaded, which saves the new
// process's exec, dynamic linking and relocations (about as long as a
// whole `dfm --version`; docs/performance.md, "Start-up"). The child sets
// Qt up at the same time as the starter, then waits, in a session of its
// own with its stdio on /dev/null, until the starter tells it to go (then it runs the daemon exactly as `daemon start
// --foreground --detached` does) or exits (then it exits too).

#include <sys/types.h>

namespace dfm::cli {

/// Called first thing in main(). For `dfm daemon start` without
/// --foreground or help it forks; both processes return at once, so the
/// child sets Qt up while the starter checks the configuration. A failed
/// fork is not an error: the start then spawns `dfm daemon start
/// --foreground --detached` as before. Other commands return at once.
void preforkDaemonIfStarting(int argc, char **argv);

/// Called once the QCoreApplication exists. In the forked child it waits
/// until the starter tells it to go (then isPreforkedDaemon() is true) or
/// exits (then the child exits too). Elsewhere it returns at once.
void awaitGoIfPreforked();

/// True in the forked child once the starter told it to become the daemon.
bool isPreforkedDaemon();

/// The child: the write end of its status pipe (see reportStart()).
int preforkedStatusFd();

/// The starter: the waiting child's pid, or -1 when there is none.
pid_t preforkedChild();

/// The starter: the read end of the child's status pipe, or -1.
int preforkedStatusReadFd();

/// The starter: tells the waiting child to become the daemon; false (with
/// errno set) when it cannot be told. The child's status pipe then says
/// how its start went.
bool releasePreforkedChild();

/// The starter: tells a waiting child it is not needed (it exits). Safe to
/// call when there is none or it was released.
void dismissPreforkedChild();

} // namespace dfm::cli
