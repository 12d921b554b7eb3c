#pragma once
// The only part of `dfm run` that writes progress, like Ninja's LinePrinter:
// on a terminal one status line rewritten in place plus a line per failure;
// otherwise one plain line per finished task.

#include "runsession.h"

#include <QObject>
#include <QString>

namespace dfm::cli {

class RunPrinter : public QObject {
    Q_OBJECT
public:
    /// Prints `session`'s progress to stdout; `smart` selects the terminal style.
    RunPrinter(const RunSession *session, bool smart, QObject *parent = nullptr);

    /// Shows the first status line (terminal style only).
    void begin() { scheduleStatus(); }
    /// Prints a message line (to stderr) without garbling the status line.
    void note(const QString &line);
    /// Ends the status line so what follows starts on a fresh line; draws
    /// nothing more afterwards.
    void close();

private:
    void onTaskDone(int index);
    void scheduleStatus();
    void drawStatus();

    const RunSession *m_session;
    bool m_smart;
    bool m_statusShown = false;
    bool m_drawPending = false;
    bool m_closed = false;
    QString m_last; /* name of the last finished task */
};

} // namespace dfm::cli
