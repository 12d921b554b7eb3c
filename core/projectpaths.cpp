#include "projectpaths.h"

#include "format.h"
#include "safefile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace dfm {

ProjectPaths ProjectPaths::forRoot(const QString &root)
{
    ProjectPaths p;
    p.root = QDir::cleanPath(QDir(root).absolutePath());
    p.dfmDir = p.root + QStringLiteral("/.dfm");
    p.stateFile = p.dfmDir + QStringLiteral("/daemon.json");
    p.socket = p.dfmDir + QStringLiteral("/daemon.sock");
    p.log = p.dfmDir + QStringLiteral("/daemon.log");
    p.lockFile = p.dfmDir + QStringLiteral("/daemon.lock");
    p.tokenFile = p.dfmDir + QStringLiteral("/worker.token");
    p.workersDir = p.dfmDir + QStringLiteral("/workers");
    return p;
}

QString findProjectRoot(const QString &explicitRoot, const QString &startDir)
{
    if (!explicitRoot.isEmpty())
        return QDir::cleanPath(QDir(startDir).absoluteFilePath(explicitRoot));
    QDir dir(QDir(startDir).absolutePath());
    while (true) {
        if (dir.exists(QStringLiteral("flow.dv")) || dir.exists(QStringLiteral("flow.yaml"))
            || dir.exists(QStringLiteral(".dfm")))
            return QDir::cleanPath(dir.absolutePath());
        if (!dir.cdUp())
            break;
    }
    return QDir::cleanPath(QDir(startDir).absolutePath());
}

bool socketPathFits(const ProjectPaths &paths, QString *err)
{
    constexpr qsizetype kMaxSocketPath = 107;
    const qsizetype len = QFile::encodeName(paths.socket).size();
    if (len <= kMaxSocketPath)
        return true;
    *err = QStringLiteral("the socket path %1 is %2 bytes, over the %3 a Unix socket allows; "
                          "use a project directory with a shorter path")
               .arg(paths.socket)
               .arg(len)
               .arg(kMaxSocketPath);
    return false;
}

bool ensureDfmDir(const ProjectPaths &paths, QString *err)
{
    // Each level is created private, or must already be private: a .dfm
    // another user can write is one where they could plant a daemon.json
    // naming their own socket, or a symlink we would write through.
    QStringList dirs{paths.dfmDir, paths.dfmDir + QStringLiteral("/workers")};
    if (!dirs.contains(paths.workersDir))
        dirs << paths.workersDir;
    for (const QString &d : dirs) {
        if (::mkdir(QFile::encodeName(d).constData(), 0700) != 0 && errno != EEXIST) {
            *err = QStringLiteral("cannot create %1: %2").arg(d, fmt::errnoText(errno));
            return false;
        }
        if (!checkPrivateDir(d, err))
            return false;
    }
    return true;
}

} // namespace dfm
