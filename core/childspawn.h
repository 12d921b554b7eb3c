#pragma once
// Starts a child process without copying this one. QProcess with a child
// modifier fork()s the whole Qt process: on a worker that runs thousands of
// tasks, copying its page tables and then taking copy-on-write faults on
// every page it touches cost more than the task's own process. spawnChild()
// uses clone(CLONE_VM | CLONE_VFORK), as posix_spawn does: the child borrows
// this process's memory until it calls execve(), and the caller waits for
// that. Unlike posix_spawn it can also put the child in a process group of
// its own and arm PR_SET_PDEATHSIG before the exec (see GroupGuard).
//
// Everything the child needs is prepared by the caller (argv, envp, file
// descriptors); the child makes only system calls.

#include <QString>

#include <sys/types.h>

namespace dfm {

/// What the child does between clone() and execve().
struct ChildSetup {
    const char *dir = nullptr; /* chdir() here, or stay */
    int stdinFd = -1;          /* dup2()ed onto 0, 1 and 2 when >= 0 */
    int stdoutFd = -1;
    int stderrFd = -1;
    bool newProcessGroup = false; /* setpgid(0, 0): the child leads a group of its own */
    /// > 0: PR_SET_PDEATHSIG(SIGKILL), and the child exits 127 at once if its
    /// parent is no longer this pid (it died before the signal was armed).
    pid_t dieWithParent = 0;
};

/// A started child.
struct Child {
    pid_t pid = -1;
    /// A pidfd (readable once the child has ended; close-on-exec), or -1 on a
    /// kernel without CLONE_PIDFD (before Linux 5.2): poll waitpid() then.
    int pidfd = -1;
};

/// Starts `path` with `argv` and `envp` (null-terminated; argv[0] included)
/// and `setup`. Returns once the child has called execve(). False with *err
/// when the process cannot be created or the child's setup or execve()
/// failed (the child is then reaped): "cannot start '/bin/sh': chdir to
/// '/x': No such file or directory".
bool spawnChild(const char *path, char *const argv[], char *const envp[], const ChildSetup &setup,
                Child *child, QString *err);

/// Waits for `child` (which must have been started by spawnChild()) without
/// blocking: true with the wait status in *status once it has ended and
/// been reaped (its pidfd is then closed and set to -1).
bool reapChild(Child *child, int *status);

/// As reapChild(), but waits up to `timeoutMs` for the child to end.
bool reapChildWithin(Child *child, int timeoutMs, int *status);

} // namespace dfm
