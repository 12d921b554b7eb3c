#include "daemonprefork.h"

#include <cerrno>
#include <initializer_list>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace dfm::cli {

namespace {

pid_t g_child = -1;      /* starter: the waiting child */
int g_goWrite = -1;      /* starter: one byte here says "go"; closing it says "exit" */
int g_statusRead = -1;   /* starter: what the child reports */
int g_statusWrite = -1;  /* child: where it reports */
int g_goRead = -1;       /* child, until told: where "go" arrives */
bool g_isDaemon = false; /* child, once told to go */

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

void closeFd(int *fd)
{
    if (*fd >= 0)
        ::close(*fd);
    *fd = -1;
}

} // namespace

void preforkDaemonIfStarting(int argc, char **argv)
{
    if (!wantsPrefork(argc, argv))
        return;
    int go[2], status[2];
    if (::pipe2(go, O_CLOEXEC) != 0)
        return;
    if (::pipe2(status, O_CLOEXEC) != 0) {
        ::close(go[0]);
        ::close(go[1]);
        return;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        for (int fd : {go[0], go[1], status[0], status[1]})
            ::close(fd);
        return;
    }
    if (pid > 0) {
        ::close(go[0]);
        ::close(status[1]);
        g_child = pid;
        g_goWrite = go[1];
        g_statusRead = status[0];
        return;
    }
    // The child: no terminal (a closed one must not stop the pool), and
    // none of the starter's output streams (whoever reads them must see
    // them end when the starter exits).
    ::close(go[1]);
    ::close(status[0]);
    ::setsid();
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        for (int fd = 0; fd <= 2; ++fd)
            ::dup2(null, fd);
        ::close(null);
    }
    g_goRead = go[0];
    g_statusWrite = status[1];
}

void awaitGoIfPreforked()
{
    if (g_goRead < 0)
        return;
    char c = 0;
    ssize_t n;
    do
        n = ::read(g_goRead, &c, 1);
    while (n < 0 && errno == EINTR);
    closeFd(&g_goRead);
    if (n != 1)
        ::_exit(0); // the starter exited without needing us
    g_isDaemon = true;
}

bool isPreforkedDaemon()
{
    return g_isDaemon;
}

int preforkedStatusFd()
{
    return g_statusWrite;
}

pid_t preforkedChild()
{
    return g_goWrite >= 0 ? g_child : -1;
}

int preforkedStatusReadFd()
{
    return g_statusRead;
}

bool releasePreforkedChild()
{
    if (g_goWrite < 0) {
        errno = ECHILD;
        return false;
    }
    ssize_t n;
    do
        n = ::write(g_goWrite, "g", 1);
    while (n < 0 && errno == EINTR);
    const int saved = errno;
    closeFd(&g_goWrite);
    errno = saved;
    return n == 1;
}

void dismissPreforkedChild()
{
    closeFd(&g_goWrite);
}

} // namespace dfm::cli
