#pragma once
// The only part of `dfm run` that writes progress, like Ninja's LinePrinter:
// on a terminal one status line redrawn in place (cut to the terminal's
// width, refreshed every second) plus lines of their own for failures;
// otherwise one plain line per finished task. What it prints is formatted
// by core/runformat.

#include "runsession.h"

#include <QObject>
#include <QString>
#include <QTimer>

namespace dfm::cli {

/// How RunPrinter writes.
struct PrintStyle {
    bool smart = false;   /* a terminal: status line redrawn in place */
    bool color = false;   /* SGR colours */
    bool verbose = false; /* a line for every finished task on a terminal too */
};

class RunPrinter : public QObject {
    Q_OBJECT
public:
    /// Prints `session`'s progress to stdout in `style`.
    RunPrinter(const RunSession *session, PrintStyle style, QObject *parent = nullptr);

    /// Shows the first status line (terminal style only).
    void begin();
    /// Prints a message line (to stderr) without garbling the status line.
    void note(const QString &line);
    /// Ends the status line so what follows starts on a fresh line; draws
    /// nothing more afterwards.
    void close();

    /// The last lines of the log at `path` (at most its last 64 KiB), oldest
    /// first; empty when it cannot be read.
    static QStringList logTail(const QString &path);

private:
    void onTaskDone(int index);
    void scheduleStatus();
    void drawStatus();
    void clearStatus();

    const RunSession *m_session;
    PrintStyle m_style;
    bool m_statusShown = false;
    bool m_drawPending = false;
    bool m_closed = false;
    QTimer m_tick; /* redraws the status line so elapsed times move */
};

/// The width of the terminal on stdout: its window size, else $COLUMNS, else 80.
int terminalWidth();

} // namespace dfm::cli
