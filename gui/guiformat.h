#pragma once
// The desktop monitor's words, as pure functions tested without a window:
// the status bar, the connection state and the page shown while no daemon
// answers.

#include "monitorsession.h"

#include <QString>

namespace dfm::gui {

/// The status bar's summary of the model at `nowMs` (epoch ms):
/// "up 4m 05s · runner local · workers 4: 2 busy, 1 idle, 1 pending · tasks 2 running, 5 queued, 43 completed, 3 failed"
/// (", 1 cancelled" is added when any were).
QString statusSummary(const MonitorModel &model, qint64 nowMs);

/// One word or two for the connection: "connecting", "connected", "daemon gone".
QString stateText(MonitorSession::State state);

/// `root` as one word for a POSIX shell: as is when plain, else in single quotes.
QString shellQuote(const QString &word);

/// The command that starts a daemon for `root`: "dfm daemon start --root /p".
QString startCommand(const QString &root);

/// The text of the page shown while not connected (plain text, lines).
/// `retryMs` is how often the session retries; `lastError` why it failed.
QString waitingText(MonitorSession::State state, const QString &root, const QString &lastError, int retryMs);

} // namespace dfm::gui
