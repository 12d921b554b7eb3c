#include "daemonprefork.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dfm::cli {

namespace {

pid_t g_child = -1;      /* starter: the forked child */
int g_statusRead = -1;   /* starter: what the child reports */
int g_statusWrite = -1;  /* child: where it reports */
bool g_isDaemon = false; /* child */
PreforkResult g_result;  /* starter: how its wait ended */

// `dfm daemon start` that will spawn a daemon: not --foreground (that one
// is the daemon itself), not help. Anything unusual keeps the old way.
bool wantsPrefork(int argc, char **argv)
{
    if (argc < 3 || std::strcmp(argv[1], "daemon") != 0 || std::strcmp(argv[2], "start") != 0)
        return false;
    for (int i = 3; i < argc; ++i) {
        const char *a = argv[i];
        if (std::strcmp(a, "--foreground") == 0 || std::strcmp(a, "--detached") == 0
            || std::strncmp(a, "--status-fd", 11) == 0 || std::strcmp(a, "--help") == 0
            || std::strcmp(a, "-h") == 0)
            return false;
    }
    return true;
}

long long nowMs()
{
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// Reaps the child, which closed its status pipe without saying "ok": it
// is exiting. A child that lingers past the deadline is left alone.
PreforkResult reapChild(long long deadline)
{
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(g_child, &status, WNOHANG);
        if (r == g_child)
            return WIFEXITED(status) ? PreforkResult{PreforkOutcome::Exited, WEXITSTATUS(status)}
                                     : PreforkResult{PreforkOutcome::Died, 1};
        if (r < 0 && errno != EINTR)
            return {PreforkOutcome::Died, 1};
        if (nowMs() >= deadline)
            return {PreforkOutcome::NoAnswer, 1};
        const timespec pause{0, 1000000};
        ::nanosleep(&pause, nullptr);
    }
}

} // namespace

void preforkDaemonIfStarting(int argc, char **argv)
{
    if (!wantsPrefork(argc, argv))
        return;
    int status[2];
    if (::pipe2(status, O_CLOEXEC) != 0)
        return;
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(status[0]);
        ::close(status[1]);
        return;
    }
    if (pid > 0) {
        ::close(status[1]);
        g_child = pid;
        g_statusRead = status[0];
        return;
    }
    // The child: no terminal (a closed one must not stop the pool) and no
    // input. It keeps the user's stdout and stderr to say how the start
    // went, and moves them to the log before it runs as the daemon.
    ::close(status[0]);
    ::setsid();
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
        ::close(null);
    }
    g_statusWrite = status[1];
    g_isDaemon = true;
}

PreforkResult awaitPreforkedStart(int timeoutMs)
{
    if (g_statusRead < 0)
        return g_result;
    const long long deadline = nowMs() + timeoutMs;
    char buf[256];
    size_t have = 0;
    for (;;) {
        const long long left = deadline - nowMs();
        if (left <= 0) {
            g_result = {PreforkOutcome::NoAnswer, 1};
            break;
        }
        pollfd pfd{g_statusRead, POLLIN, 0};
        const int p = ::poll(&pfd, 1, int(left));
        if (p < 0 && errno != EINTR) {
            g_result = {PreforkOutcome::NoAnswer, 1};
            break;
        }
        if (p <= 0)
            continue;
        const ssize_t n = ::read(g_statusRead, buf + have, sizeof(buf) - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            have += size_t(n);
        // The child's report is one line: "ok" once it runs as the daemon,
        // else why it could not start, after which it exits.
        if (have >= 3 && std::memcmp(buf, "ok", 2) == 0 && (buf[2] == ' ' || buf[2] == '\n')) {
            g_result = {PreforkOutcome::Started, 0};
            break;
        }
        if (n <= 0 || have == sizeof(buf)) { // closed without "ok": the child is done
            g_result = reapChild(deadline);
            break;
        }
    }
    ::close(g_statusRead);
    g_statusRead = -1;
    return g_result;
}

PreforkResult preforkResult()
{
    return g_result;
}

bool isPreforkedDaemon()
{
    return g_isDaemon;
}

int preforkedStatusFd()
{
    return g_statusWrite;
}

} // namespace dfm::cli
