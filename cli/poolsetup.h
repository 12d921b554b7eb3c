#pragma once
// What both `dfm daemon start` and `dfm run`'s ephemeral pool need to build
// an Engine: the merged runner configuration, engine options and the launcher
// of the chosen runner.

#include "config.h"
#include "engine.h"

namespace dfm::cli {

/// Loads the runner configuration for `root` (layers plus overrides) and
/// fills engine options for it. False with *err naming the file or option.
bool loadPoolSetup(const QString &root, const ConfigOverrides &ov, RunnerConfig *config,
                   EngineOptions *options, QString *err);

/// The launcher of config.runner. False with *err for a runner this build
/// cannot launch workers with.
WorkerLauncher *makeLauncher(const RunnerConfig &config, QString *err);

/// Adds the runner options every command shares (--runner, --pool-size,
/// --runner-opt) from parsed values. False with *err for a bad number.
bool parseOverrides(const QString &runner, const QString &poolSize, const QStringList &opts,
                    ConfigOverrides *ov, QString *err);

} // namespace dfm::cli
