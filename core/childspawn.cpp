#include "childspawn.h"

#include "format.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

namespace dfm {

namespace {

// What the child reports when it cannot exec: written into the parent's
// memory (shared with CLONE_VM) and read once the parent resumes.
enum class Step { None, Signals, Group, DeathSignal, Fds, Dir, Exec };

struct CloneArgs {
    const char *path = nullptr;
    char *const *argv = nullptr;
    char *const *envp = nullptr;
    const ChildSetup *setup = nullptr;
    sigset_t parentMask;
    Step failedStep = Step::None;
    int failedErrno = 0;
};

[[noreturn]] void childFail(CloneArgs *a, Step step)
{
    a->failedErrno = errno;
    a->failedStep = step;
    ::_exit(127);
}

/// `fd` moved above the standard descriptors (a caller whose own 0, 1 or 2
/// was closed may hand us one of them); -1 stays -1.
int aboveStdio(int fd)
{
    return fd >= 0 && fd <= STDERR_FILENO ? ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1) : fd;
}

// The child: runs on a stack in the parent's frame, in the parent's memory,
// while the parent waits (CLONE_VFORK). System calls only: no allocation,
// no locks, no C++ objects.
int childMain(void *arg)
{
    auto *a = static_cast<CloneArgs *>(arg);
    const ChildSetup &s = *a->setup;
    // A handler of the parent's must not run here (it would run on the
    // parent's memory): back to the default for every caught signal, as
    // execve() would do. Ignored signals stay ignored, as with fork + exec.
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        struct sigaction sa;
        if (::sigaction(sig, nullptr, &sa) != 0)
            continue; // a signal glibc reserves
        if (sa.sa_handler == SIG_IGN || (sa.sa_handler == SIG_DFL && !(sa.sa_flags & SA_SIGINFO)))
            continue;
        std::memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_DFL;
        if (::sigaction(sig, &sa, nullptr) != 0)
            childFail(a, Step::Signals);
    }
    if (::sigprocmask(SIG_SETMASK, &a->parentMask, nullptr) != 0)
        childFail(a, Step::Signals);
    if (s.newProcessGroup && ::setpgid(0, 0) != 0)
        childFail(a, Step::Group);
    if (s.dieWithParent > 0) {
        if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            childFail(a, Step::DeathSignal);
        if (::getppid() != s.dieWithParent)
            ::_exit(127); // the parent died before the signal was armed
    }
    const int fds[3] = {aboveStdio(s.stdinFd), aboveStdio(s.stdoutFd), aboveStdio(s.stderrFd)};
    for (int target = 0; target < 3; ++target) {
        if (fds[target] >= 0 && ::dup2(fds[target], target) < 0)
            childFail(a, Step::Fds);
    }
    if (s.dir && ::chdir(s.dir) != 0)
        childFail(a, Step::Dir);
    ::execve(a->path, a->argv, a->envp);
    childFail(a, Step::Exec);
}

QString stepText(Step step, const ChildSetup &s)
{
    switch (step) {
    case Step::Signals:
        return QStringLiteral("resetting signal handlers");
    case Step::Group:
        return QStringLiteral("setpgid");
    case Step::DeathSignal:
        return QStringLiteral("prctl(PR_SET_PDEATHSIG)");
    case Step::Fds:
        return QStringLiteral("redirecting standard input and output");
    case Step::Dir:
        return QStringLiteral("chdir to '%1'").arg(QString::fromLocal8Bit(s.dir));
    case Step::Exec:
        return QStringLiteral("execve");
    case Step::None:
        break;
    }
    return QString();
}

} // namespace

bool spawnChild(const char *path, char *const argv[], char *const envp[], const ChildSetup &setup,
                Child *child, QString *err)
{
    CloneArgs a;
    a.path = path;
    a.argv = argv;
    a.envp = envp;
    a.setup = &setup;
    // The child's stack: part of this frame, unused while we wait for it.
    alignas(64) char stack[32 * 1024];
    sigset_t all;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &a.parentMask); // no handler runs in the child
    int pidfd = -1;
    pid_t pid = ::clone(childMain, stack + sizeof stack, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD,
                        &a, &pidfd);
    if (pid < 0 && errno == EINVAL) { // a kernel without CLONE_PIDFD may refuse it
        pidfd = -1;
        pid = ::clone(childMain, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
    }
    const int cloneErrno = errno;
    ::pthread_sigmask(SIG_SETMASK, &a.parentMask, nullptr);
    if (pid < 0) {
        *err = QStringLiteral("cannot start '%1': %2")
                   .arg(QString::fromLocal8Bit(path), fmt::errnoText(cloneErrno));
        return false;
    }
    child->pid = pid;
    child->pidfd = pidfd;
    if (a.failedStep != Step::None) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (pidfd >= 0)
            ::close(pidfd);
        child->pid = -1;
        child->pidfd = -1;
        *err = QStringLiteral("cannot start '%1': %2: %3")
                   .arg(QString::fromLocal8Bit(path), stepText(a.failedStep, setup),
                        fmt::errnoText(a.failedErrno));
        return false;
    }
    return true;
}

bool reapChild(Child *child, int *status)
{
    if (child->pid <= 0)
        return false;
    pid_t r;
    do {
        r = ::waitpid(child->pid, status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0)
        return false;
    // Ended (r == pid), or reaped by someone else (ECHILD): either way gone.
    if (r < 0)
        *status = 0;
    if (child->pidfd >= 0)
        ::close(child->pidfd);
    child->pidfd = -1;
    child->pid = -1;
    return true;
}

bool reapChildWithin(Child *child, int timeoutMs, int *status)
{
    if (reapChild(child, status))
        return true;
    if (child->pid <= 0)
        return false;
    if (child->pidfd >= 0) {
        struct pollfd p{child->pidfd, POLLIN, 0};
        while (::poll(&p, 1, timeoutMs) < 0 && errno == EINTR) {
        }
        return reapChild(child, status);
    }
    for (int waited = 0; waited < timeoutMs; waited += 5) {
        ::usleep(5000);
        if (reapChild(child, status))
            return true;
    }
    return false;
}

} // namespace dfm
