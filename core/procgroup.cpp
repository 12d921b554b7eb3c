#include "procgroup.h"


#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dfm {

GroupGuard::~GroupGuard()
{
    release();
}

bool GroupGuard::prepare(QString *err)
{
    release();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        *err = QStringLiteral("cannot create the process-group guard pipe: %1")
                   .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    m_readFd = fds[0];
    m_writeFd = fds[1];
    m_parentPid = ::getpid();
    return true;
}

void GroupGuard::childSetup() const
{
    ::setpgid(0, 0);
    if (m_readFd < 0)
        return;
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != pid_t(m_parentPid))
        ::_exit(127); // the parent died before PDEATHSIG was armed
    const pid_t group = ::getpid(); // the group this child leads
    const pid_t mid = ::_Fork();
    if (mid == 0) {
        // Double fork: the reaper must not be a child of the task's shell,
        // or a script's bare `wait` would wait for it forever.
        if (::_Fork() != 0)
            ::_exit(0);
        // Outside the task's group, so that an empty group is cheap to
        // detect (kill(-pgid, 0) fails) and no group signal reaches us.
        ::setpgid(0, 0);
        struct sigaction ign;
        std::memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        for (int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE})
            ::sigaction(s, &ign, nullptr);
        // Hold nothing but the read end: an inherited pipe (QProcess's own
        // start-up pipe, a log) must not stay open because of us.
        const int rd = m_readFd;
        if (rd > 0 && ::close_range(0, unsigned(rd) - 1, 0) != 0) {
            for (int fd = 0; fd < rd; ++fd)
                ::close(fd);
        }
        if (::close_range(unsigned(rd) + 1, ~0U, 0) != 0) {
            for (int fd = rd + 1; fd < 65536; ++fd)
                ::close(fd);
        }
        char c;
        for (;;) {
            const ssize_t n = ::read(rd, &c, 1);
            if (n == 0 || (n < 0 && errno != EINTR))
                break;
        }
        ::kill(-group, SIGKILL);
        ::_exit(0);
    }
    if (mid > 0) {
        int st = 0;
        while (::waitpid(mid, &st, 0) < 0 && errno == EINTR) {
        }
    }
}

void GroupGuard::release()
{
    if (m_readFd >= 0)
        ::close(m_readFd);
    if (m_writeFd >= 0)
        ::close(m_writeFd);
    m_readFd = m_writeFd = -1;
}

bool GroupGuard::groupAlive(qint64 pgid)
{
    if (pgid <= 1)
        return false;
    return ::kill(-static_cast<pid_t>(pgid), 0) == 0 || errno == EPERM;
}

bool GroupGuard::signalGroup(qint64 pgid, int sig)
{
    if (pgid <= 1)
        return false;
    return ::kill(-static_cast<pid_t>(pgid), sig) == 0;
}

} // namespace dfm
