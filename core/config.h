#pragma once
// The runner configuration of `dfm run` and the daemon, merged from layers
// (reference/flow-and-config.md): install, site, project, then environment
// and command line. Later layers override single values; lists accumulate.
// Pure apart from reading the layer files; tested in tests/tst_config.cpp.

#include "pool.h"

#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace dfm {

/// Resources of a worker; 0 or empty means "unset" (left to the merge or
/// to the scheduler's default).
struct ResourceSpec {
    QString memory;             /* "1G", "512M", ...; see parseMemoryMB() */
    int cores = 0;
    QString walltime;           /* as the scheduler takes it: "1:00" */
    QString queue;
    QStringList resourceSelect; /* LSF select[] terms, joined with " && " */
    QString partition;
};

/// One cluster scheduler's section (`lsf:` or `slurm:`).
struct SchedulerConfig {
    QString submitCmd;          /* bsub_cmd / sbatch_cmd */
    QString queue;              /* lsf queue / slurm partition */
    QString project;            /* lsf project / slurm account */
    QStringList resourceSelect; /* accumulated over layers */
    QStringList extra;          /* bsub_extra / sbatch_extra, accumulated */
    QString workerDfmPath = QStringLiteral("dfm"); /* the dfm the worker job runs */
};

struct RunnerConfig {
    RunnerConfig();

    QString runner = QStringLiteral("local"); /* runner.default (or runner.type): local | lsf | slurm */
    QString python = QStringLiteral("python3"); /* runner.python: interpreter of the workers' Python task host */
    PoolConfig pool;
    SchedulerConfig lsf;   /* submitCmd defaults to "bsub" */
    SchedulerConfig slurm; /* submitCmd defaults to "sbatch" */
    ResourceSpec defaults; /* memory "1G", cores 1, walltime "1:00" */
    QMap<QString, ResourceSpec> resourceClasses;
    QStringList sources;            /* layer files actually loaded, in order */
    QMap<QString, QString> origins; /* "runner.pool.max_workers" -> "file:line" or option that last set it */

    /// The resources of class `cls` merged over `defaults` (lists
    /// concatenated). An unknown or empty class gives `defaults`.
    ResourceSpec resourcesFor(const QString &cls) const;
};

/// Command-line and environment overrides, applied after the files.
struct ConfigOverrides {
    QString runner;         /* --runner; empty = not given */
    int poolSize = -1;      /* --pool-size (max_workers); -1 = not given */
    QStringList runnerOpts; /* --runner-opt "key=value", keys dotted under runner: */
};

/// The valid runner names, in the order error messages list them.
QStringList runnerNames();

/// `over` merged onto `base`: set fields of `over` win, lists concatenate.
ResourceSpec mergeResources(const ResourceSpec &base, const ResourceSpec &over);

/// Parses a memory size: digits with an optional unit K, M, G or T (an
/// optional trailing B, any case); a bare number is megabytes. Returns false
/// for anything else, or a size under 1 MB.
bool parseMemoryMB(const QString &text, qint64 *megabytes);

/// Loads the layers in order: install (DFM_INSTALL_CONFIG, else
/// <installPrefix>/etc/dfm/config.yaml), site ($HOME/.config/dfm/site.yaml),
/// project (<projectRoot>/.dfm/config.yaml), then DFM_RUNNER, --runner,
/// --pool-size and --runner-opt. A missing layer file is skipped; an
/// unreadable or malformed one, or an invalid value, gives false with *err
/// naming the file, line and field.
bool loadRunnerConfig(const QString &projectRoot, const ConfigOverrides &ov,
                      const QProcessEnvironment &env, const QString &installPrefix,
                      RunnerConfig *out, QString *err);

/// Merges one layer given as YAML text onto *cfg (`fileName` is for
/// messages and `sources`). Does not run the cross-field checks of
/// validateRunnerConfig(). Returns false with *err on a bad layer; *cfg may
/// then be partly merged.
bool mergeRunnerConfigText(const QString &fileName, const QString &yamlText, RunnerConfig *cfg,
                           QString *err);

/// Applies one --runner-opt "key=value" (key dotted under runner:, e.g.
/// pool.max_workers=8; list keys append the value). Returns false with *err.
bool applyRunnerOpt(const QString &opt, RunnerConfig *cfg, QString *err);

/// Checks the merged configuration as a whole (min_workers <= max_workers).
/// Returns false with *err naming where the offending values were set.
bool validateRunnerConfig(const RunnerConfig &cfg, QString *err);

} // namespace dfm
