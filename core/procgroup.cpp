#include "procgroup.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace dfm {

namespace {

// The reaper's side, after fork(): only async-signal-safe calls and static
// storage. Records are one qint64 each: +pgid guards a group, -pgid kills
// what is left of it and forgets it. EOF (this process ended) kills all.
constexpr int kMaxGroups = 4096;
pid_t g_groups[kMaxGroups];

[[noreturn]] void reaperMain(int fd)
{
    ::setpgid(0, 0); // outside every task group: no group signal reaches it
    struct sigaction ign;
    std::memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE})
        ::sigaction(s, &ign, nullptr);
    // Hold nothing but our end: an inherited pipe or log must not stay open
    // because of us.
    if (fd > 0 && ::close_range(0, unsigned(fd) - 1, 0) != 0)
        for (int i = 0; i < fd; ++i)
            ::close(i);
    if (::close_range(unsigned(fd) + 1, ~0U, 0) != 0)
        for (int i = fd + 1; i < 65536; ++i)
            ::close(i);
    char buf[sizeof(qint64) * 64];
    size_t have = 0;
    for (;;) {
        const ssize_t n = ::read(fd, buf + have, sizeof buf - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        have += size_t(n);
        size_t off = 0;
        for (; have - off >= sizeof(qint64); off += sizeof(qint64)) {
            qint64 rec;
            std::memcpy(&rec, buf + off, sizeof rec);
            const pid_t g = pid_t(rec > 0 ? rec : -rec);
            for (int i = 0; i < kMaxGroups; ++i) {
                if (rec > 0 && g_groups[i] == 0) {
                    g_groups[i] = g;
                    break;
                }
                if (rec < 0 && g_groups[i] == g) {
                    g_groups[i] = 0;
                    ::kill(-g, SIGKILL);
                    break;
                }
            }
        }
        std::memmove(buf, buf + off, have - off);
        have -= off;
    }
    for (pid_t g : g_groups)
        if (g > 1)
            ::kill(-g, SIGKILL);
    ::_exit(0);
}

// This process's one reaper: started on first use, restarted if it died.
class Reaper {
public:
    static Reaper &instance()
    {
        static Reaper r;
        return r;
    }

    // Starts the reaper unless one runs. A reaper that died is noticed when
    // a record cannot be sent to it (send()), not by asking the kernel before
    // every task.
    bool ensure(QString *err)
    {
        if (m_fd >= 0)
            return true;
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            *err = QStringLiteral("cannot create the process-group reaper's socket: %1")
                       .arg(QString::fromLocal8Bit(std::strerror(errno)));
            return false;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            *err = QStringLiteral("cannot start the process-group reaper: %1")
                       .arg(QString::fromLocal8Bit(std::strerror(errno)));
            ::close(sv[0]);
            ::close(sv[1]);
            return false;
        }
        if (pid == 0)
            reaperMain(sv[1]);
        ::close(sv[1]);
        m_fd = sv[0];
        m_pid = pid;
        m_owner = ::getpid();
        return true;
    }

    /// The process that started the reaper (this one), for PR_SET_PDEATHSIG's check.
    pid_t owner() const { return m_owner; }

    // Sends one record; false when the reaper is gone (it is then reaped
    // and forgotten, and the next ensure() starts another).
    bool send(qint64 rec)
    {
        if (m_fd < 0)
            return false;
        // 8 bytes on a stream socket; MSG_NOSIGNAL: a dead reaper is no
        // reason to die here.
        for (;;) {
            const ssize_t n = ::send(m_fd, &rec, sizeof rec, MSG_NOSIGNAL);
            if (n == ssize_t(sizeof rec))
                return true;
            if (n < 0 && errno == EINTR)
                continue;
            break;
        }
        ::close(m_fd);
        m_fd = -1;
        if (m_pid > 0) {
            // Gone or unusable: make sure it is gone, and reap it.
            ::kill(m_pid, SIGKILL);
            while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
        m_pid = 0;
        return false;
    }

private:
    int m_fd = -1;  /* ours; the reaper sees EOF when it closes with us */
    pid_t m_pid = 0;
    pid_t m_owner = 0;
};

} // namespace

GroupGuard::~GroupGuard()
{
    release();
}

bool GroupGuard::prepare(QString *err)
{
    release();
    if (!Reaper::instance().ensure(err))
        return false;
    m_prepared = true;
    m_parentPid = Reaper::instance().owner();
    return true;
}

void GroupGuard::childSetup() const
{
    ::setpgid(0, 0);
    if (!m_prepared)
        return;
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != pid_t(m_parentPid))
        ::_exit(127); // the parent died before PDEATHSIG was armed
}

void GroupGuard::arm(qint64 pgid)
{
    if (!m_prepared || pgid <= 1)
        return;
    release();
    m_prepared = true;
    m_pgid = pgid;
    // A reaper that died since prepare() is replaced, and told again.
    QString err;
    if (!Reaper::instance().send(pgid) && Reaper::instance().ensure(&err))
        Reaper::instance().send(pgid);
}

void GroupGuard::release()
{
    if (m_pgid > 1)
        Reaper::instance().send(-m_pgid);
    m_pgid = 0;
    m_prepared = false;
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
