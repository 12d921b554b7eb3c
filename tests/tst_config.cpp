// Runner configuration: layering, overrides and exact error messages.

#include "config.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace dfm;

class TestConfig : public QObject {
    Q_OBJECT

private:
    /// Writes `text` to `path`, creating directories.
    static void write(const QString &path, const QByteArray &text)
    {
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    }

    /// Merges `yaml` into a fresh config; returns the error ("" on success).
    static QString mergeError(const QString &yaml, RunnerConfig *cfg = nullptr)
    {
        RunnerConfig local;
        QString err;
        if (!mergeRunnerConfigText(QStringLiteral("/p/.dfm/config.yaml"), yaml, cfg ? cfg : &local, &err))
            return err;
        return QString();
    }

    struct Sandbox {
        QTemporaryDir tmp;
        QString project() const { return tmp.filePath(QStringLiteral("proj")); }
        QString prefix() const { return tmp.filePath(QStringLiteral("prefix")); }
        QString home() const { return tmp.filePath(QStringLiteral("home")); }
        QString installFile() const { return prefix() + QStringLiteral("/etc/dfm/config.yaml"); }
        QString siteFile() const { return home() + QStringLiteral("/.config/dfm/site.yaml"); }
        QString projectFile() const { return project() + QStringLiteral("/.dfm/config.yaml"); }
        QProcessEnvironment env() const
        {
            QProcessEnvironment e;
            e.insert(QStringLiteral("HOME"), home());
            return e;
        }
        bool load(const ConfigOverrides &ov, RunnerConfig *cfg, QString *err, const QProcessEnvironment &e) const
        {
            return loadRunnerConfig(project(), ov, e, prefix(), cfg, err);
        }
    };

private slots:
    void defaultsApplyWhenNoLayerExists()
    {
        Sandbox sb;
        RunnerConfig cfg;
        QString err;
        QVERIFY2(sb.load({}, &cfg, &err, sb.env()), qPrintable(err));
        QCOMPARE(cfg.runner, QStringLiteral("local"));
        QCOMPARE(cfg.pool.maxWorkers, 16);
        QCOMPARE(cfg.pool.minWorkers, 0);
        QCOMPARE(cfg.pool.idleTimeoutMs, qint64(300000));
        QCOMPARE(cfg.lsf.submitCmd, QStringLiteral("bsub"));
        QCOMPARE(cfg.slurm.submitCmd, QStringLiteral("sbatch"));
        QCOMPARE(cfg.lsf.workerDfmPath, QStringLiteral("dfm"));
        QCOMPARE(cfg.defaults.memory, QStringLiteral("1G"));
        QCOMPARE(cfg.defaults.cores, 1);
        QCOMPARE(cfg.defaults.walltime, QStringLiteral("1:00"));
        QVERIFY(cfg.sources.isEmpty());
    }

    void referenceExampleParses()
    {
        const QString yaml = QStringLiteral(
            "runner:\n"
            "  default: local\n"
            "  pool:\n"
            "    min_workers: 0\n"
            "    max_workers: 16\n"
            "    idle_timeout: 300\n"
            "    launch_batch_size: 4\n"
            "  lsf:\n"
            "    bsub_cmd: bsub\n"
            "    queue: \"\"\n"
            "    project: \"\"\n"
            "    resource_select: []\n"
            "    bsub_extra: []\n"
            "    worker_dfm_path: dfm\n"
            "  defaults:\n"
            "    memory: \"1G\"\n"
            "    cores: 1\n"
            "    walltime: \"1:00\"\n"
            "  resource_classes:\n"
            "    small:  { cores: 1, memory: \"2G\" }\n"
            "    large:  { cores: 8, memory: \"32G\", queue: big, resource_select: [\"mem>64000\"] }\n");
        RunnerConfig cfg;
        QCOMPARE(mergeError(yaml, &cfg), QString());
        QCOMPARE(cfg.resourceClasses.keys(), (QStringList{QStringLiteral("large"), QStringLiteral("small")}));
        const ResourceSpec large = cfg.resourcesFor(QStringLiteral("large"));
        QCOMPARE(large.cores, 8);
        QCOMPARE(large.memory, QStringLiteral("32G"));
        QCOMPARE(large.queue, QStringLiteral("big"));
        QCOMPARE(large.walltime, QStringLiteral("1:00"));
        QCOMPARE(large.resourceSelect, QStringList{QStringLiteral("mem>64000")});
        QCOMPARE(cfg.resourcesFor(QStringLiteral("nosuch")).memory, QStringLiteral("1G"));
        QCOMPARE(cfg.sources, QStringList{QStringLiteral("/p/.dfm/config.yaml")});
    }

    void layersOverrideValuesAndAccumulateLists()
    {
        Sandbox sb;
        write(sb.installFile(), "runner:\n  default: lsf\n  pool: {max_workers: 4, idle_timeout: 10}\n"
                                "  lsf: {bsub_cmd: lsf_bsub, queue: normal, resource_select: [os==rhel8], bsub_extra: [-x]}\n");
        write(sb.siteFile(), "runner:\n  pool: {max_workers: 8}\n  lsf: {resource_select: [\"mem>1000\"], project: chip}\n");
        write(sb.projectFile(), "runner:\n  lsf: {queue: big, bsub_extra: [-G, grp]}\n");
        RunnerConfig cfg;
        QString err;
        QVERIFY2(sb.load({}, &cfg, &err, sb.env()), qPrintable(err));
        QCOMPARE(cfg.sources, (QStringList{sb.installFile(), sb.siteFile(), sb.projectFile()}));
        QCOMPARE(cfg.runner, QStringLiteral("lsf"));
        QCOMPARE(cfg.pool.maxWorkers, 8);
        QCOMPARE(cfg.pool.idleTimeoutMs, qint64(10000));
        QCOMPARE(cfg.lsf.submitCmd, QStringLiteral("lsf_bsub"));
        QCOMPARE(cfg.lsf.queue, QStringLiteral("big"));
        QCOMPARE(cfg.lsf.project, QStringLiteral("chip"));
        QCOMPARE(cfg.lsf.resourceSelect, (QStringList{QStringLiteral("os==rhel8"), QStringLiteral("mem>1000")}));
        QCOMPARE(cfg.lsf.extra, (QStringList{QStringLiteral("-x"), QStringLiteral("-G"), QStringLiteral("grp")}));
        QCOMPARE(cfg.origins.value(QStringLiteral("runner.lsf.queue")), sb.projectFile() + QStringLiteral(":2"));
    }

    void installConfigEnvReplacesPrefixFile()
    {
        Sandbox sb;
        write(sb.installFile(), "runner: {default: lsf}\n");
        const QString named = sb.tmp.filePath(QStringLiteral("other.yaml"));
        write(named, "runner: {default: slurm}\n");
        QProcessEnvironment env = sb.env();
        env.insert(QStringLiteral("DFM_INSTALL_CONFIG"), named);
        RunnerConfig cfg;
        QString err;
        QVERIFY2(sb.load({}, &cfg, &err, env), qPrintable(err));
        QCOMPARE(cfg.runner, QStringLiteral("slurm"));
        QCOMPARE(cfg.sources, QStringList{named});
    }

    void resourceClassesMergePerFieldAcrossLayers()
    {
        RunnerConfig cfg;
        QCOMPARE(mergeError("runner:\n  resource_classes:\n    large: {cores: 8, memory: 32G, resource_select: [a]}\n", &cfg), QString());
        QCOMPARE(mergeError("runner:\n  defaults: {memory: 2G, queue: normal}\n"
                            "  resource_classes:\n    large: {memory: 64G, resource_select: [b]}\n", &cfg), QString());
        const ResourceSpec large = cfg.resourcesFor(QStringLiteral("large"));
        QCOMPARE(large.cores, 8);
        QCOMPARE(large.memory, QStringLiteral("64G"));
        QCOMPARE(large.queue, QStringLiteral("normal"));
        QCOMPARE(large.resourceSelect, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(cfg.resourcesFor(QString()).memory, QStringLiteral("2G"));
    }

    void slurmSectionMapsOntoSchedulerFields()
    {
        RunnerConfig cfg;
        QCOMPARE(mergeError("runner:\n  type: slurm\n  slurm:\n    sbatch_cmd: /opt/sbatch\n    partition: debug\n"
                            "    account: chip\n    sbatch_extra: [--qos=high]\n    worker_dfm_path: /opt/dfm\n", &cfg), QString());
        QCOMPARE(cfg.runner, QStringLiteral("slurm"));
        QCOMPARE(cfg.slurm.submitCmd, QStringLiteral("/opt/sbatch"));
        QCOMPARE(cfg.slurm.queue, QStringLiteral("debug"));
        QCOMPARE(cfg.slurm.project, QStringLiteral("chip"));
        QCOMPARE(cfg.slurm.extra, QStringList{QStringLiteral("--qos=high")});
        QCOMPARE(cfg.slurm.workerDfmPath, QStringLiteral("/opt/dfm"));
        QCOMPARE(cfg.lsf.submitCmd, QStringLiteral("bsub"));
    }

    void emptyFileAndEmptySectionsAreFine()
    {
        RunnerConfig cfg;
        QCOMPARE(mergeError("", &cfg), QString());
        QCOMPARE(mergeError("# nothing\nrunner:\n  pool:\n  lsf:\n", &cfg), QString());
        QCOMPARE(cfg.pool.maxWorkers, 16);
    }

    void envRunnerOverridesFilesAndOptionOverridesEnv()
    {
        Sandbox sb;
        write(sb.projectFile(), "runner: {default: lsf}\n");
        QProcessEnvironment env = sb.env();
        env.insert(QStringLiteral("DFM_RUNNER"), QStringLiteral("slurm"));
        RunnerConfig cfg;
        QString err;
        QVERIFY2(sb.load({}, &cfg, &err, env), qPrintable(err));
        QCOMPARE(cfg.runner, QStringLiteral("slurm"));
        ConfigOverrides ov;
        ov.runner = QStringLiteral("local");
        QVERIFY2(sb.load(ov, &cfg, &err, env), qPrintable(err));
        QCOMPARE(cfg.runner, QStringLiteral("local"));
        ov.runnerOpts << QStringLiteral("default=lsf");
        QVERIFY2(sb.load(ov, &cfg, &err, env), qPrintable(err));
        QCOMPARE(cfg.runner, QStringLiteral("lsf"));
    }

    void poolSizeOverridesMaxWorkersAndRunnerOptOverridesPoolSize()
    {
        Sandbox sb;
        write(sb.projectFile(), "runner:\n  pool: {max_workers: 3}\n");
        ConfigOverrides ov;
        ov.poolSize = 5;
        RunnerConfig cfg;
        QString err;
        QVERIFY2(sb.load(ov, &cfg, &err, sb.env()), qPrintable(err));
        QCOMPARE(cfg.pool.maxWorkers, 5);
        ov.runnerOpts << QStringLiteral("pool.max_workers=8");
        QVERIFY2(sb.load(ov, &cfg, &err, sb.env()), qPrintable(err));
        QCOMPARE(cfg.pool.maxWorkers, 8);
    }

    void runnerOptSetsDottedKeysAndAppendsLists()
    {
        RunnerConfig cfg;
        QString err;
        for (const char *opt : {"lsf.queue=big", "slurm.partition=debug", "resource_classes.large.cores=4",
                                "lsf.bsub_extra=-x", "lsf.bsub_extra=-G grp", "pool.idle_timeout=0",
                                "slurm.sbatch_extra=--exclusive", "defaults.memory=4G"})
            QVERIFY2(applyRunnerOpt(QString::fromLatin1(opt), &cfg, &err), qPrintable(err));
        QCOMPARE(cfg.lsf.queue, QStringLiteral("big"));
        QCOMPARE(cfg.slurm.queue, QStringLiteral("debug"));
        QCOMPARE(cfg.resourcesFor(QStringLiteral("large")).cores, 4);
        QCOMPARE(cfg.resourcesFor(QStringLiteral("large")).memory, QStringLiteral("4G"));
        QCOMPARE(cfg.lsf.extra, (QStringList{QStringLiteral("-x"), QStringLiteral("-G grp")}));
        QCOMPARE(cfg.slurm.extra, QStringList{QStringLiteral("--exclusive")});
        QCOMPARE(cfg.pool.idleTimeoutMs, qint64(0));
        QCOMPARE(cfg.origins.value(QStringLiteral("runner.lsf.queue")), QStringLiteral("--runner-opt"));
    }

    void pythonInterpreterIsARunnerSettingDefaultingToPython3()
    {
        RunnerConfig cfg;
        QCOMPARE(cfg.python, QStringLiteral("python3"));
        QString err;
        QVERIFY2(mergeRunnerConfigText(QStringLiteral("site.yaml"),
                                       QStringLiteral("runner:\n  python: /opt/py311/bin/python3\n"), &cfg, &err),
                 qPrintable(err));
        QCOMPARE(cfg.python, QStringLiteral("/opt/py311/bin/python3"));
        QVERIFY2(applyRunnerOpt(QStringLiteral("python=python3.12"), &cfg, &err), qPrintable(err));
        QCOMPARE(cfg.python, QStringLiteral("python3.12"));
    }

    void runnerOptErrorsListValidKeys()
    {
        RunnerConfig cfg;
        QString err;
        QVERIFY(!applyRunnerOpt(QStringLiteral("colour=red"), &cfg, &err));
        QCOMPARE(err, QStringLiteral("--runner-opt: runner: unknown key 'colour' (known keys: default, type, python, pool, lsf, slurm, defaults, resource_classes)"));
        QVERIFY(!applyRunnerOpt(QStringLiteral("pol.max_workers=3"), &cfg, &err));
        QCOMPARE(err, QStringLiteral("--runner-opt: runner: unknown key 'pol'; did you mean 'pool'? (known keys: default, type, python, pool, lsf, slurm, defaults, resource_classes)"));
        QVERIFY(!applyRunnerOpt(QStringLiteral("pool.max_worker=3"), &cfg, &err));
        QCOMPARE(err, QStringLiteral("--runner-opt: runner.pool: unknown key 'max_worker'; did you mean 'max_workers'? (known keys: min_workers, max_workers, idle_timeout, launch_batch_size, launch_timeout)"));
        QVERIFY(!applyRunnerOpt(QStringLiteral("pool.max_workers"), &cfg, &err));
        QCOMPARE(err, QStringLiteral("--runner-opt: expected key=value (e.g. pool.max_workers=8), got 'pool.max_workers'"));
        QVERIFY(!applyRunnerOpt(QStringLiteral("pool=3"), &cfg, &err));
        QCOMPARE(err, QStringLiteral("--runner-opt: runner.pool: is a section; set one of its keys, e.g. pool.KEY=VALUE"));
        QVERIFY(!applyRunnerOpt(QStringLiteral("pool.max_workers=many"), &cfg, &err));
        QCOMPARE(err, QStringLiteral("--runner-opt: runner.pool.max_workers: expected a positive integer, got 'many'"));
    }

    void badValueNamesFileLineAndField()
    {
        QCOMPARE(mergeError("runner:\n  default: local\n  pool:\n    max_workers: many\n"),
                 QStringLiteral("/p/.dfm/config.yaml:4: runner.pool.max_workers: expected a positive integer, got 'many'"));
        QCOMPARE(mergeError("runner:\n  pool:\n    max_workers: 0\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.pool.max_workers: expected a positive integer, got '0'"));
        QCOMPARE(mergeError("runner:\n  pool:\n    launch_batch_size: 0\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.pool.launch_batch_size: expected a positive integer, got '0'"));
        QCOMPARE(mergeError("runner:\n  pool:\n    idle_timeout: -1\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.pool.idle_timeout: expected a non-negative integer, got '-1'"));
        QCOMPARE(mergeError("runner:\n  pool:\n    min_workers: [1]\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.pool.min_workers: expected a non-negative integer, got a list"));
        QCOMPARE(mergeError("runner:\n  resource_classes:\n    big: {memory: lots}\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.resource_classes.big.memory: expected a memory size such as 512M or 4G, got 'lots'"));
        QCOMPARE(mergeError("runner:\n  lsf:\n    bsub_extra: {a: 1}\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.lsf.bsub_extra: expected a list of strings, got a mapping"));
        QCOMPARE(mergeError("runner:\n  lsf: big\n"),
                 QStringLiteral("/p/.dfm/config.yaml:2: runner.lsf: expected a mapping, got 'big'"));
    }

    void invalidRunnerListsValidValues()
    {
        QCOMPARE(mergeError("runner:\n  default: pbs\n"),
                 QStringLiteral("/p/.dfm/config.yaml:2: runner.default: expected one of local, lsf, slurm, got 'pbs'"));
        Sandbox sb;
        QProcessEnvironment env = sb.env();
        env.insert(QStringLiteral("DFM_RUNNER"), QStringLiteral("sge"));
        RunnerConfig cfg;
        QString err;
        QVERIFY(!sb.load({}, &cfg, &err, env));
        QCOMPARE(err, QStringLiteral("DFM_RUNNER: expected one of local, lsf, slurm, got 'sge'"));
        ConfigOverrides ov;
        ov.runner = QStringLiteral("LSF");
        QVERIFY(!sb.load(ov, &cfg, &err, sb.env()));
        QCOMPARE(err, QStringLiteral("--runner: expected one of local, lsf, slurm, got 'LSF'"));
        ov = ConfigOverrides();
        ov.poolSize = 0;
        QVERIFY(!sb.load(ov, &cfg, &err, sb.env()));
        QCOMPARE(err, QStringLiteral("--pool-size: expected a positive integer, got '0'"));
    }

    void unknownKeysSuggestOrListKnownKeys()
    {
        QCOMPARE(mergeError("runner:\n  pool:\n    max_worker: 4\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.pool: unknown key 'max_worker'; did you mean 'max_workers'? "
                                "(known keys: min_workers, max_workers, idle_timeout, launch_batch_size, launch_timeout)"));
        QCOMPARE(mergeError("runner:\n  lsf:\n    colour: red\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.lsf: unknown key 'colour' "
                                "(known keys: bsub_cmd, queue, project, resource_select, bsub_extra, worker_dfm_path)"));
        QCOMPARE(mergeError("runer:\n  default: lsf\n"),
                 QStringLiteral("/p/.dfm/config.yaml:1: unknown key 'runer'; did you mean 'runner'? (known keys: runner)"));
        QCOMPARE(mergeError("runner:\n  resource_classes:\n    big: {core: 4}\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: runner.resource_classes.big: unknown key 'core'; did you mean 'cores'? "
                                "(known keys: memory, cores, walltime, queue, resource_select, partition)"));
    }

    void malformedYamlGivesItsLine()
    {
        QCOMPARE(mergeError("runner:\n  pool: {max_workers: 4\n  lsf: x\n"),
                 QStringLiteral("/p/.dfm/config.yaml:3: invalid YAML: end of map flow not found"));
        QCOMPARE(mergeError("- a\n- b\n"),
                 QStringLiteral("/p/.dfm/config.yaml:1: expected a mapping with a 'runner:' section"));
    }

    void unreadableOrMalformedLayerFileIsAnError()
    {
        Sandbox sb;
        QVERIFY(QDir().mkpath(sb.siteFile())); // a directory where the file should be
        RunnerConfig cfg;
        QString err;
        QVERIFY(!sb.load({}, &cfg, &err, sb.env()));
        QCOMPARE(err, QStringLiteral("cannot read configuration file %1: it is a directory").arg(sb.siteFile()));
        QVERIFY(QDir(sb.siteFile()).removeRecursively());
        write(sb.projectFile(), "runner:\n  pool:\n    max_workers: many\n");
        QVERIFY(!sb.load({}, &cfg, &err, sb.env()));
        QCOMPARE(err, sb.projectFile() + QStringLiteral(":3: runner.pool.max_workers: expected a positive integer, got 'many'"));
    }

    void minWorkersAboveMaxWorkersNamesBothPlaces()
    {
        Sandbox sb;
        write(sb.projectFile(), "runner:\n  pool:\n    min_workers: 4\n");
        ConfigOverrides ov;
        ov.poolSize = 2;
        RunnerConfig cfg;
        QString err;
        QVERIFY(!sb.load(ov, &cfg, &err, sb.env()));
        QCOMPARE(err, sb.projectFile() + QStringLiteral(":3: runner.pool.min_workers: 4 is more than runner.pool.max_workers (2, set at --pool-size)"));
        write(sb.projectFile(), "runner:\n  pool:\n    min_workers: 20\n");
        QVERIFY(!sb.load({}, &cfg, &err, sb.env()));
        QCOMPARE(err, sb.projectFile() + QStringLiteral(":3: runner.pool.min_workers: 20 is more than runner.pool.max_workers (16, the default)"));
    }

    void launchTimeoutIsSecondsAndMemoryParses()
    {
        RunnerConfig cfg;
        QCOMPARE(mergeError("runner:\n  pool: {launch_timeout: 120}\n", &cfg), QString());
        QCOMPARE(cfg.pool.launchTimeoutMs, qint64(120000));
        qint64 mb = 0;
        QVERIFY(parseMemoryMB(QStringLiteral("1G"), &mb));
        QCOMPARE(mb, qint64(1024));
        QVERIFY(parseMemoryMB(QStringLiteral("512MB"), &mb));
        QCOMPARE(mb, qint64(512));
        QVERIFY(parseMemoryMB(QStringLiteral("1.5g"), &mb));
        QCOMPARE(mb, qint64(1536));
        QVERIFY(parseMemoryMB(QStringLiteral("2048"), &mb));
        QCOMPARE(mb, qint64(2048));
        QVERIFY(!parseMemoryMB(QStringLiteral("lots"), &mb));
        QVERIFY(!parseMemoryMB(QStringLiteral("0M"), &mb));
    }
};

QTEST_APPLESS_MAIN(TestConfig)
#include "tst_config.moc"
