#include "poolsetup.h"

#include "launcherfactory.h"

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
    o.resources = *config;
    // Only a configured interpreter goes on the worker's command line; the
    // worker's own default is the same python3.
    o.python = config->origins.contains(QStringLiteral("runner.python")) ? config->python : QString();
    o.applyEnvironment();
    if (!setWorkerAddress(*config, &o, err))
        return false;
    *options = o;
    return true;
}

WorkerLauncher *makeLauncher(const RunnerConfig &config, QString *err)
{
    return dfm::makeLauncher(config, QCoreApplication::applicationFilePath(), err);
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
