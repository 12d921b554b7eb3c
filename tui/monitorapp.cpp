#include "monitorapp.h"

#include "signalwatcher.h"
#include "terminal.h"

#include <QDateTime>
#include <QEventLoop>
#include <QSocketNotifier>

#include <csignal>
#include <unistd.h>

namespace dfm::tui {

namespace {
constexpr int kMaxEmptyReads = 50;
}

MonitorApp::MonitorApp(const ProjectPaths &paths, Terminal *term, QObject *parent)
    : QObject(parent), m_session(paths), m_term(term)
{
    m_view.root = paths.root;
    m_view.asciiOnly = term->asciiOnly();
    m_drawTimer.setSingleShot(true);
    connect(&m_drawTimer, &QTimer::timeout, this, &MonitorApp::draw);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &MonitorApp::scheduleDraw);
    m_snapshotTimeout.setSingleShot(true);
    m_snapshotTimeout.setInterval(kSnapshotTimeoutMs);
    connect(&m_snapshotTimeout, &QTimer::timeout, this, [this] {
        finish(DaemonGone, QStringLiteral("the daemon for %1 sent no snapshot within %2 s; see %3")
                               .arg(m_view.root)
                               .arg(kSnapshotTimeoutMs / 1000)
                               .arg(m_session.paths().log));
    });
    connect(&m_session, &MonitorSession::changed, this, &MonitorApp::scheduleDraw);
    connect(&m_session, &MonitorSession::stateChanged, this, &MonitorApp::onState);
}

int MonitorApp::exec(QString *farewell)
{
    // Installed after the terminal opened, so ours replaces ncurses' SIGWINCH
    // handler (which reports a resize only as a key read we would not be
    // waiting for).
    SignalWatcher signals_({SIGINT, SIGTERM, SIGHUP, SIGWINCH});
    connect(&signals_, &SignalWatcher::received, this, &MonitorApp::onSignal);
    QSocketNotifier in(STDIN_FILENO, QSocketNotifier::Read);
    connect(&in, &QSocketNotifier::activated, this, &MonitorApp::onKeys);
    QEventLoop loop;
    m_stdin = &in;
    m_loop = &loop;

    m_sinceDraw.start();
    draw();
    m_tick.start();
    m_snapshotTimeout.start();
    m_session.start();
    loop.exec();

    m_loop = nullptr;
    m_stdin = nullptr;
    m_tick.stop();
    m_drawTimer.stop();
    *farewell = m_farewell;
    return m_exit;
}

void MonitorApp::scheduleDraw()
{
    if (m_drawTimer.isActive())
        return; // already coming: every change until then is drawn at once
    m_drawTimer.start(qMax<qint64>(0, kMinRedrawMs - m_sinceDraw.elapsed()));
}

void MonitorApp::draw()
{
    m_drawTimer.stop();
    m_view.width = m_term->width();
    m_view.height = m_term->height();
    m_view.nowMs = QDateTime::currentMSecsSinceEpoch();
    const Screen screen = layoutScreen(m_session.model(), m_view);
    m_view.scroll = screen.scroll;
    m_page = qMax(1, screen.runningRows);
    m_term->draw(screen);
    m_sinceDraw.restart();
}

void MonitorApp::onKeys()
{
    const QList<Terminal::Key> keys = m_term->readKeys();
    if (keys.isEmpty()) {
        // Readable with nothing to read, over and over: the terminal closed.
        if (++m_emptyReads > kMaxEmptyReads)
            finish(TerminalLost, QStringLiteral("the terminal went away; the daemon keeps running"));
        return;
    }
    m_emptyReads = 0;
    const int before = m_view.scroll;
    for (Terminal::Key k : keys) {
        switch (k) {
        case Terminal::Key::Quit:
            if (m_view.link == View::Link::Gone)
                finish(DaemonGone, m_session.lastError());
            else
                finish(Detached, {});
            return;
        case Terminal::Key::Up: m_view.scroll -= 1; break;
        case Terminal::Key::Down: m_view.scroll += 1; break;
        case Terminal::Key::PageUp: m_view.scroll -= m_page; break;
        case Terminal::Key::PageDown: m_view.scroll += m_page; break;
        case Terminal::Key::Home: m_view.scroll = 0; break;
        case Terminal::Key::End: m_view.scroll = 1 << 30; break; // the layout clamps it
        case Terminal::Key::Resize:
            m_term->resized();
            draw();
            break;
        case Terminal::Key::Other: break;
        }
    }
    if (m_view.scroll != before)
        draw(); // a key deserves an answer now, not on the next tick
}

void MonitorApp::onSignal(int signo)
{
    if (signo == SIGWINCH) {
        m_term->resized();
        draw();
        return;
    }
    if (signo == SIGHUP)
        finish(TerminalLost, QStringLiteral("the terminal went away; the daemon keeps running"));
    else
        finish(Detached, {});
}

void MonitorApp::onState(MonitorSession::State s)
{
    switch (s) {
    case MonitorSession::State::Connecting:
        m_view.link = View::Link::Connecting;
        break;
    case MonitorSession::State::Connected:
        m_view.link = View::Link::Connected;
        m_snapshotTimeout.stop();
        break;
    case MonitorSession::State::Gone: {
        // The session would retry; the monitor says so and ends instead, so
        // a script (or a person) is not left watching a frozen screen.
        m_view.link = View::Link::Gone;
        const QString why = m_session.lastError();
        m_view.notice = QStringLiteral("%1; exiting").arg(why);
        draw();
        m_snapshotTimeout.stop();
        QTimer::singleShot(kGoneLingerMs, this, [this, why] { finish(DaemonGone, why); });
        return;
    }
    }
    scheduleDraw();
}

void MonitorApp::finish(Exit code, const QString &farewell)
{
    if (m_finishing)
        return;
    m_finishing = true;
    m_exit = code;
    m_farewell = farewell;
    if (m_loop)
        m_loop->quit();
}

} // namespace dfm::tui
