#include "procgroup.h"

#include "format.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <new>

namespace dfm {

namespace {

// The table of guarded groups, shared with the reaper: one process group id
// per entry, 0 for none. The owner writes it; the reaper reads it once, when
// the owner has ended.
constexpr int kMaxGroups = 1024;
using Entry = std::atomic<qint32>;
static_assert(Entry::is_always_lock_free, "the reaper reads the table without locks");

// The reaper's side, after fork(): only async-signal-safe calls. It waits
// for EOF on its end of the socket (the owner ended), then kills what the
// table holds.
[[noreturn]] void reaperMain(int fd, const Entry *table)
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
    char buf[64];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; // nothing is ever sent: EOF (or an error) means the owner is gone
    }
    for (int i = 0; i < kMaxGroups; ++i) {
        const pid_t g = pid_t(table[i].load());
        if (g > 1)
            ::kill(-g, SIGKILL);
    }
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

    // Starts the reaper unless one runs. A reaper that died (someone killed
    // it) shows as EOF on our end: one recv() per call, no wake-up for it.
    bool ensure(QString *err)
    {
        if (m_fd >= 0) {
            char c;
            const ssize_t n = ::recv(m_fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return true;
            forgetReaper(); // gone: the table stays, the next reaper reads it
        }
        if (!m_table) {
            void *mem = ::mmap(nullptr, sizeof(Entry) * kMaxGroups, PROT_READ | PROT_WRITE,
                               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
            if (mem == MAP_FAILED) {
                *err = QStringLiteral("cannot map the process-group reaper's table: %1")
                           .arg(fmt::errnoText(errno));
                return false;
            }
            m_table = new (mem) Entry[kMaxGroups]; // zero-filled by the kernel
        }
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
            *err = QStringLiteral("cannot create the process-group reaper's socket: %1")
                       .arg(fmt::errnoText(errno));
            return false;
        }
        const pid_t pid = ::fork();
        if (pid < 0) {
            *err = QStringLiteral("cannot start the process-group reaper: %1")
                       .arg(fmt::errnoText(errno));
            ::close(sv[0]);
            ::close(sv[1]);
            return false;
        }
        if (pid == 0)
            reaperMain(sv[1], m_table);
        ::close(sv[1]);
        m_fd = sv[0];
        m_pid = pid;
        m_owner = ::getpid();
        return true;
    }

    // On a clean exit the reaper goes first: it reads EOF, kills what is
    // left in the table and exits, so a process that has been waited for
    // leaves no reaper behind it. Bounded, should the reaper be stopped.
    ~Reaper()
    {
        if (m_fd < 0 || m_owner != ::getpid())
            return;
        ::close(m_fd);
        for (int ms = 0; ms < 2000; ++ms) {
            const pid_t r = ::waitpid(m_pid, nullptr, WNOHANG);
            if (r == m_pid || (r < 0 && errno != EINTR))
                return;
            const timespec pause{0, 1000000};
            ::nanosleep(&pause, nullptr);
        }
    }

    /// The process that started the reaper (this one), for PR_SET_PDEATHSIG's check.
    pid_t owner() const { return m_owner; }

    /// A free entry of the table, or -1 when all are taken.
    int claim()
    {
        if (!m_table)
            return -1;
        for (int i = 0; i < kMaxGroups; ++i) {
            if (!m_used[i]) {
                m_used[i] = true;
                return i;
            }
        }
        return -1;
    }

    void set(int slot, qint64 pgid) { m_table[slot].store(qint32(pgid)); }

    void clear(int slot)
    {
        m_table[slot].store(0);
        m_used[slot] = false;
    }

private:
    void forgetReaper()
    {
        ::close(m_fd);
        m_fd = -1;
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
        m_pid = 0;
    }

    int m_fd = -1;  /* ours; the reaper sees EOF when it closes with us */
    pid_t m_pid = 0;
    pid_t m_owner = 0;
    Entry *m_table = nullptr;     /* shared with the reaper */
    bool m_used[kMaxGroups] = {}; /* entries held by a GroupGuard (ours only) */
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
    if (m_slot < 0)
        m_slot = Reaper::instance().claim();
    if (m_slot < 0)
        return; // more than kMaxGroups guards at once: the death signal still holds the leader
    m_pgid = pgid;
    Reaper::instance().set(m_slot, pgid);
}

void GroupGuard::release()
{
    const qint64 group = m_pgid;
    forget();
    if (group > 1)
        ::kill(-pid_t(group), SIGKILL);
}

void GroupGuard::forget()
{
    if (m_slot >= 0)
        Reaper::instance().clear(m_slot);
    m_slot = -1;
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
