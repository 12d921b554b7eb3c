#pragma once
// The terminal monitor's main loop: a MonitorSession feeds the model, the
// layout turns it into a Screen, the Terminal draws it. Redraws are
// coalesced (at most one per kMinRedrawMs, plus a tick a second for the
// clocks); keys and signals only change the view state and ask for a redraw.

#include "monitorsession.h"
#include "screenlayout.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

class QEventLoop;
class QSocketNotifier;

namespace dfm::tui {

class Terminal;

class MonitorApp : public QObject {
    Q_OBJECT
public:
    /// Why the monitor ended; the exit code of `dfm daemon --monitor`.
    enum Exit { Detached = 0, DaemonGone = 3, TerminalLost = 4 };

    inline static constexpr int kMinRedrawMs = 100;  /* at most ~10 redraws a second */
    inline static constexpr int kGoneLingerMs = 1500; /* how long "the daemon went away" stays up */
    inline static constexpr int kSnapshotTimeoutMs = 15000;

    /// `term` must be open; it stays owned by the caller.
    MonitorApp(const ProjectPaths &paths, Terminal *term, QObject *parent = nullptr);

    /// Runs until detached or the daemon goes away. Returns the Exit code;
    /// *farewell is the line to print once the terminal is given back.
    int exec(QString *farewell);

private:
    void scheduleDraw();
    void draw();
    void onKeys();
    void onSignal(int signo);
    void onState(MonitorSession::State s);
    void finish(Exit code, const QString &farewell);

    MonitorSession m_session;
    Terminal *m_term;
    View m_view;
    QTimer m_drawTimer;   /* single shot: the coalesced redraw */
    QTimer m_tick;        /* clocks */
    QTimer m_snapshotTimeout;
    QElapsedTimer m_sinceDraw;
    QSocketNotifier *m_stdin = nullptr;
    QEventLoop *m_loop = nullptr; /* exec()'s loop while it runs */
    int m_page = 1;        /* rows of the running table at the last draw */
    int m_emptyReads = 0;  /* stdin readable but no key: the terminal is gone when it repeats */
    bool m_finishing = false;
    int m_exit = Detached;
    QString m_farewell;
};

} // namespace dfm::tui
