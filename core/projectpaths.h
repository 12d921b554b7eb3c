#pragma once
// Where a project's daemon files live: <project>/.dfm/...

#include <QString>

namespace dfm {

/// The files of one project's daemon, all absolute.
struct ProjectPaths {
    QString root;       /* the project directory */
    QString dfmDir;     /* <root>/.dfm */
    QString stateFile;  /* daemon.json */
    QString socket;     /* daemon.sock */
    QString log;        /* daemon.log */
    QString lockFile;   /* daemon.lock: held by the running daemon */
    QString tokenFile;  /* worker.token: the workers' secret, mode 0600 */
    QString workersDir; /* workers/: one log per worker */

    static ProjectPaths forRoot(const QString &root);
};

/// The project root for a command: `explicitRoot` when given, else the
/// nearest directory from `startDir` upwards holding flow.dv, flow.yaml or
/// .dfm/, else `startDir` itself. Always absolute and clean.
QString findProjectRoot(const QString &explicitRoot, const QString &startDir);

/// Unix socket paths are limited to 107 bytes (sun_path). Returns false
/// with *err saying so when the project's socket path is longer.
bool socketPathFits(const ProjectPaths &paths, QString *err);

/// Creates <root>/.dfm, .dfm/workers and paths.workersDir (mode 0700), or
/// checks that those that exist are ours and private (checkPrivateDir).
/// Returns false with *err saying what is wrong and how to fix it.
bool ensureDfmDir(const ProjectPaths &paths, QString *err);

} // namespace dfm
