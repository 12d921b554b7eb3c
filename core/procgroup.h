#pragma once
// Ties a child's process group to the life of this process. The child (a
// task's shell, or the Python task host) gets its own process group and
// PR_SET_PDEATHSIG. One reaper per process (started on first use, in a group
// of its own) holds the far end of a socket that only this process holds,
// and shares a table of guarded groups with it (a shared anonymous mapping
// made before the reaper is forked): arm() writes the group into the table,
// release() clears it. When this process ends in any way (even SIGKILL) the
// reaper reads EOF and SIGKILLs every group in the table. Arming and
// releasing cost no system call and never wake the reaper. Needs nothing
// but the local kernel, so it holds on a cluster node too. One reaper per
// process, not per task: forking a reaper for every task from the worker's
// address space cost more than the task itself.

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

    /// Makes sure this process's reaper runs; call before starting the
    /// child. False with *err.
    bool prepare(QString *err);

    /// Runs in the child between fork and exec (a QProcess child modifier):
    /// setpgid(0, 0) and, once prepared, PR_SET_PDEATHSIG(SIGKILL). Only
    /// async-signal-safe calls.
    void childSetup() const;

    /// The pid the child must check its parent against after arming
    /// PR_SET_PDEATHSIG (ChildSetup::dieWithParent); 0 before prepare().
    qint64 parentPid() const { return m_prepared ? m_parentPid : 0; }

    /// The child started as leader of group `pgid`: the reaper guards it.
    void arm(qint64 pgid);

    /// SIGKILLs what is left of the armed group and forgets it. Idempotent.
    void release();

    /// Forgets the armed group without signalling it: for a group known to
    /// be empty (no system call).
    void forget();

    /// True while process group `pgid` has a member.
    static bool groupAlive(qint64 pgid);

    /// Sends `sig` to process group `pgid`; false if there was none.
    static bool signalGroup(qint64 pgid, int sig);

private:
    bool m_prepared = false;
    qint64 m_parentPid = 0;
    qint64 m_pgid = 0;  /* armed group, 0 when none */
    int m_slot = -1;    /* its entry in the table shared with the reaper */
};

} // namespace dfm
