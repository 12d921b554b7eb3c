#pragma once
// The launcher of the configured runner (local, lsf, slurm), and where its
// workers reach the daemon. Used by `dfm daemon start` and dfm run's
// ephemeral pool alike.

#include "config.h"
#include "engine.h"
#include "launcher.h"

namespace dfm {

/// The launcher of config.runner. `localBinary` is this dfm (the local
/// runner's worker, and cluster workers' unless worker_dfm_path names
/// another). False-y (nullptr) with *err for an unknown runner or a
/// scheduler submit command not found on PATH.
WorkerLauncher *makeLauncher(const RunnerConfig &config, const QString &localBinary, QString *err);

/// Sets where the Engine listens for workers and what host they are told:
/// the loopback for the local runner; for cluster runners
/// runner.worker_host (default: this host's name) and the address it
/// resolves to. False with *err when the name does not resolve.
bool setWorkerAddress(const RunnerConfig &config, EngineOptions *options, QString *err);

} // namespace dfm
