#pragma once
// Ties a child's process group to the life of this process. The child (a
// task's shell, or the Python task host) gets its own process group and
// PR_SET_PDEATHSIG, and before it execs it starts a tiny reaper (in a group
// of its own) that blocks reading a pipe whose other end only this process
// holds. When this process ends in any way (even SIGKILL) or calls
// release(), the pipe reads EOF and the reaper SIGKILLs the child's group.
// Needs nothing but the local kernel, so it holds on a cluster node too.

#include <QString>
#include <QtGlobal>

namespace dfm {

class GroupGuard {
public:
    GroupGuard() = default;
    /// Releases (the reaper kills what is left of the group).
    ~GroupGuard();
    GroupGuard(const GroupGuard &) = delete;
    GroupGuard &operator=(const GroupGuard &) = delete;

    /// Creates the pipe; call before starting the child. False with *err.
    bool prepare(QString *err);

    /// Runs in the child between fork and exec (a QProcess child modifier):
    /// setpgid(0, 0), PR_SET_PDEATHSIG(SIGKILL), and the reaper. Only
    /// async-signal-safe calls. Without prepare() it only sets the group.
    void childSetup() const;

    /// Closes our end of the pipe: the reaper SIGKILLs the group and exits.
    /// Idempotent.
    void release();

    /// True while process group `pgid` has a member.
    static bool groupAlive(qint64 pgid);

    /// Sends `sig` to process group `pgid`; false if there was none.
    static bool signalGroup(qint64 pgid, int sig);

private:
    int m_readFd = -1;   /* the reaper's end; closed here once the child runs */
    int m_writeFd = -1;  /* ours: its closing is the reaper's signal */
    qint64 m_parentPid = 0;
};

} // namespace dfm
