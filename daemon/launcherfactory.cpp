#include "launcherfactory.h"

#include "clusterlauncher.h"
#include "locallauncher.h"

#include <QProcess>
#include <QStandardPaths>
#include <QSysInfo>

namespace dfm {

WorkerLauncher *makeLauncher(const RunnerConfig &config, const QString &localBinary, QString *err)
{
    if (config.runner == QLatin1String("local"))
        return new LocalLauncher(localBinary);
    const bool lsf = config.runner == QLatin1String("lsf");
    if (!lsf && config.runner != QLatin1String("slurm")) {
        *err = QStringLiteral("unknown runner '%1' (known: %2)").arg(config.runner, runnerNames().join(QStringLiteral(", ")));
        return nullptr;
    }
    const SchedulerConfig &sc = lsf ? config.lsf : config.slurm;
    const QString key = lsf ? QStringLiteral("runner.lsf.bsub_cmd") : QStringLiteral("runner.slurm.sbatch_cmd");
    const QString submit = QProcess::splitCommand(sc.submitCmd).value(0);
    if (submit.isEmpty() || QStandardPaths::findExecutable(submit).isEmpty()) {
        *err = config.origins.contains(key)
                   ? QStringLiteral("runner '%1': submit command '%2' not found (%3, set at %4)")
                         .arg(config.runner, submit, key, config.origins.value(key))
                   : QStringLiteral("runner '%1': submit command '%2' not found on PATH; install the "
                                    "scheduler's client commands or set %3")
                         .arg(config.runner, submit, key);
        return nullptr;
    }
    // The default "dfm" means this very binary (on the shared filesystem).
    const QString worker = sc.workerDfmPath == QLatin1String("dfm") ? localBinary : sc.workerDfmPath;
    Scheduler *s = lsf ? static_cast<Scheduler *>(new LsfScheduler(sc)) : new SlurmScheduler(sc);
    return new ClusterLauncher(s, new ProcessCommandRunner, worker, config.pool.launchBatchSize);
}

bool setWorkerAddress(const RunnerConfig &config, EngineOptions *options, QString *err)
{
    if (config.runner == QLatin1String("local"))
        return true; // the loopback defaults of EngineOptions
    const QString host = config.workerHost.isEmpty() ? QSysInfo::machineHostName() : config.workerHost;
    NetAddress addr;
    QString why;
    if (!NetAddress::resolve(host, &addr, &why)) { // once, at start
        *err = QStringLiteral("runner.worker_host: cannot resolve '%1' (%2); set runner.worker_host to "
                              "a name or address compute nodes can reach")
                   .arg(host, why);
        return false;
    }
    options->listenAddress = addr;
    options->connectHost = host;
    return true;
}

} // namespace dfm
