#pragma once
// What `dfm run` prints when no task is named: the Python dfm's listing of
// the runnable tasks. A pure function of the loaded flow; tested in
// tests/tst_runlisting.cpp.

#include "flow.h"

#include <QString>

namespace dfm::flow {

/// The Python `dfm run` listing without a task: the root package's
/// top-level tasks marked `root` (`root:` or `scope: root`), or, when none
/// is, all of them after a warning line and an empty line; then "No task
/// specified. Available Tasks:" and one line per task, sorted by qualified
/// name: the name padded to the longest, " - ", and its description
/// ("<no description>" when it has none).
QString runListing(const Flow &flow);

} // namespace dfm::flow
