#pragma once
// The project's daemon lock (.dfm/daemon.lock): a daemon holds an exclusive
// flock on it for its whole life; anyone may ask whether one does.
//
// Asking takes a shared flock for an instant and never reads /proc/locks:
// reading that file makes the kernel wait for an RCU grace period
// (percpu_down_write of the file-lock semaphore, which also stalls every
// flock() on the machine meanwhile), 10 to 30 ms that every `dfm daemon
// start` and every `dfm run` without a daemon paid. A daemon taking the
// lock tells such an instant's shared hold from another daemon's
// exclusive one and waits the former out.

#include "projectpaths.h"

namespace dfm {

/// True while some process holds the project's daemon lock exclusively (a
/// daemon runs or is starting).
bool daemonLockHeld(const ProjectPaths &paths);

/// Takes the daemon lock on `fd` (paths.lockFile, open), exclusive and for
/// good. False (errno EWOULDBLOCK) when another process holds it
/// exclusively; the instant shared holds of daemonLockHeld() are waited
/// out, up to `waitMs`.
bool takeDaemonLock(const ProjectPaths &paths, int fd, int waitMs = 2000);

} // namespace dfm
