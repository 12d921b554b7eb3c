#include "poolsetup.h"

#include "locallauncher.h"

#include <QCoreApplication>
#include <QDir>

namespace dfm::cli {

bool loadPoolSetup(const QString &root, const ConfigOverrides &ov, RunnerConfig *config,
                   EngineOptions *options, QString *err)
{
    // The install prefix is the directory above bin/ holding this binary.
    const QString prefix = QDir::cleanPath(QCoreApplication::applicationDirPath() + QStringLiteral("/.."));
    if (!loadRunnerConfig(root, ov, QProcessEnvironment::systemEnvironment(), prefix, config, err))
        return false;
    EngineOptions o;
    o.paths = ProjectPaths::forRoot(root);
    o.pool = config->pool;
    o.applyEnvironment();
    *options = o;
    return true;
}

WorkerLauncher *makeLauncher(const RunnerConfig &config, QString *err)
{
    if (config.runner == QLatin1String("local")) {
        auto *l = new LocalLauncher(QCoreApplication::applicationFilePath());
        l->setPython(config.python);
        return l;
    }
    *err = QStringLiteral("runner '%1' is not supported by this build yet; use --runner local")
               .arg(config.runner);
    return nullptr;
}

bool parseOverrides(const QString &runner, const QString &poolSize, const QStringList &opts,
                    ConfigOverrides *ov, QString *err)
{
    ov->runner = runner;
    ov->runnerOpts = opts;
    if (!poolSize.isEmpty()) {
        bool ok = false;
        ov->poolSize = poolSize.toInt(&ok);
        if (!ok || ov->poolSize < 1) {
            *err = QStringLiteral("--pool-size: expected a positive integer, got '%1'").arg(poolSize);
            return false;
        }
    }
    return true;
}

} // namespace dfm::cli
