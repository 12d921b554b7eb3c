#pragma once
// daemon.json: the running daemon's address book. Written atomically once the
// daemon is ready, removed on clean shutdown. Liveness is checked twice: the
// PID must be alive and the socket must answer `ping`, so a PID reused after
// a crash is not mistaken for a daemon.

#include "paths.h"

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

/// Writes the state atomically (temporary file + rename): a reader sees the
/// old file, the new file, or none, never half of one.
bool writeState(const QString &path, const DaemonState &state, QString *err);

enum class StateRead { Ok, Missing, Corrupt };

/// Reads daemon.json. Corrupt: not JSON, or `pid`/`socket` missing (*err says which).
StateRead readState(const QString &path, DaemonState *state, QString *err);

/// True when a process with this PID exists (signal 0 succeeds or is
/// refused) and is not a zombie.
bool pidAlive(qint64 pid);

enum class Liveness {
    NotRunning, /* no daemon.json */
    Stale,      /* daemon.json present, but its daemon is gone (see *why) */
    Alive,      /* PID alive and the socket answered ping */
};

/// Checks the project's daemon. Fills *state when the file parses and *why
/// with the reason for Stale ("pid 123 is not running", "pid 123 is alive
/// but /p/.dfm/daemon.sock does not answer ping (PID reused?)", ...).
Liveness probeDaemon(const ProjectPaths &paths, DaemonState *state, QString *why,
                     int pingTimeoutMs = 3000);

/// True while some process holds the project's daemon lock (a daemon runs
/// or is starting), without taking it.
bool daemonLockHeld(const ProjectPaths &paths);

/// Removes a stale state file and socket. Returns false with *err.
bool removeStaleState(const ProjectPaths &paths, QString *err);

} // namespace dfm
