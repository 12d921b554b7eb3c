#include "paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

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
    const auto mode = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
    for (const QString &d : {paths.dfmDir, paths.workersDir}) {
        if (!QDir().mkpath(d)) {
            *err = QStringLiteral("cannot create %1").arg(d);
            return false;
        }
        QFile::setPermissions(d, mode);
    }
    return true;
}

} // namespace dfm
