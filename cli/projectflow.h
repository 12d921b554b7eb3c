#pragma once
// The project's flow for the commands that read it without running it
// (dfm show, dfm graph): --root and -D as `dfm run` takes them.

#include "cmdline.h"
#include "flow.h"

namespace dfm::cli {

/// --root DIR and -D NAME=VALUE, for a command spec's options.
std::vector<OptionSpec> projectFlowOptions();

/// Loads the flow of the project that --root (or the directory upwards of
/// the current one) names, with the -D overrides of `parsed`. False with
/// *err (every load error, one a line) when it cannot be loaded.
bool loadProjectFlow(const ParsedArgs &parsed, Flow *flow, QString *err);

} // namespace dfm::cli
