#include "daemonlock.h"

#include <QDeadlineTimer>
#include <QFile>

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

namespace dfm {

namespace {

int flockRetrying(int fd, int op)
{
    int r;
    do
        r = ::flock(fd, op);
    while (r != 0 && errno == EINTR);
    return r;
}

// Whether the file open on `fd` is held exclusively by someone: a shared
// lock is refused only then. The shared lock, when taken, is let go.
bool heldExclusively(int fd)
{
    if (flockRetrying(fd, LOCK_SH | LOCK_NB) != 0)
        return errno == EWOULDBLOCK;
    flockRetrying(fd, LOCK_UN);
    return false;
}

} // namespace

bool daemonLockHeld(const ProjectPaths &paths)
{
    const int fd = ::open(QFile::encodeName(paths.lockFile).constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    const bool held = heldExclusively(fd);
    ::close(fd);
    return held;
}

bool takeDaemonLock(const ProjectPaths &paths, int fd, int waitMs)
{
    const QDeadlineTimer deadline(waitMs);
    for (;;) {
        if (flockRetrying(fd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (errno != EWOULDBLOCK)
            return false;
        // Refused: another daemon's lock, or only someone asking?
        if (daemonLockHeld(paths)) {
            errno = EWOULDBLOCK;
            return false;
        }
        if (deadline.hasExpired()) {
            errno = EWOULDBLOCK;
            return false;
        }
        const timespec pause{0, 200000};
        ::nanosleep(&pause, nullptr);
    }
}

} // namespace dfm
