#pragma once
// daemon.json: the running daemon's address book. Written atomically once the
// daemon is ready, removed on clean shutdown. The flock on .dfm/daemon.lock
// says whether a daemon lives: while it is held, nothing is stale, whatever
// ping says (a stopped or overloaded daemon is "not answering", and its files
// are left alone). Without the lock, the PID must be alive and the socket must
// answer `ping`, so a PID reused after a crash is not mistaken for a daemon.

#include "projectpaths.h"

#include <QString>

namespace dfm {

/// Version of the state file this build writes. Older files keep loading.
inline constexpr int kStateVersion = 1;

struct DaemonState {
    qint64 pid = 0;
    QString socket;       /* absolute path of daemon.sock */
    int workerPort = 0;   /* TCP port workers connect to */
    QString started;      /* UTC, YYYY-MM-DDTHH:MM:SSZ */
    QString runner;       /* local | lsf | slurm */
    int version = 0;      /* extension; 0 = written by a version without it */
    QString host;         /* extension: host workers connect to */
    QString tokenFile;    /* extension: the workers' secret */
};

/// Writes the state atomically (temporary file + rename, every write
/// checked, a symlink replaced rather than followed): a reader sees the old
/// file, the new file, or none, never half or an empty one.
bool writeState(const QString &path, const DaemonState &state, QString *err);

enum class StateRead { Ok, Missing, Corrupt };

/// Reads daemon.json. Corrupt: not JSON, or `pid`/`socket` missing (*err says which).
StateRead readState(const QString &path, DaemonState *state, QString *err);

/// True when a process with this PID exists (signal 0 succeeds or is
/// refused) and is not a zombie.
bool pidAlive(qint64 pid);

/// Waits until `pid` is gone (as pidAlive() sees it) or `timeoutMs` pass;
/// true when it is gone. Woken by the process's exit itself (a pidfd)
/// where the kernel offers one, else it looks every 20 ms.
bool waitForPidExit(qint64 pid, int timeoutMs);

enum class Liveness {
    NotRunning,   /* no daemon.json and no lock held */
    Stale,        /* daemon.json present, no lock held: its daemon is gone (see *why) */
    NotAnswering, /* the lock is held, but no usable daemon.json or no ping answer (see *why) */
    Alive,        /* PID alive and the socket answered ping */
    Unsafe,       /* .dfm, daemon.json or its socket is not ours alone: never used (see *why) */
};

/// Checks the project's daemon. Fills *state when the file parses and *why
/// with the reason for Stale ("pid 123 is not running", "pid 123 is alive
/// but /p/.dfm/daemon.sock does not answer ping (PID reused?)", ...) or
/// NotAnswering ("pid 123 holds /p/.dfm/daemon.lock but ... does not answer
/// ping (...); it may be stopped or overloaded").
Liveness probeDaemon(const ProjectPaths &paths, DaemonState *state, QString *why,
                     int pingTimeoutMs = 3000);

/// probeDaemon(), but while a daemon holds the lock and has not written
/// daemon.json yet (it is starting), probes again until it has or `waitMs`
/// has passed. A daemon that wrote its file and does not answer is reported
/// at once.
Liveness probeDaemonWaitingForStart(const ProjectPaths &paths, DaemonState *state, QString *why,
                                    int waitMs = 20000);

/// Removes a stale state file and socket. Refuses (false with *err) while
/// the daemon lock is held: a live daemon's files are never removed.
bool removeStaleState(const ProjectPaths &paths, QString *err);

} // namespace dfm
