#include "runprinter.h"

#include <QDateTime>
#include <QFile>

#include <cstdio>
#include <sys/ioctl.h>
#include <unistd.h>

namespace dfm::cli {

namespace {

constexpr int kExcerptLines = 5;          /* error lines shown under a failure */
constexpr qint64 kTailBytes = 64 * 1024;  /* how much of a log is searched for them */

void put(FILE *f, const QString &s)
{
    std::fputs(qPrintable(s), f);
    std::fflush(f);
}

} // namespace

int terminalWidth()
{
    struct winsize ws {};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    bool ok = false;
    const int cols = qEnvironmentVariable("COLUMNS").toInt(&ok);
    return ok && cols > 0 ? cols : 80;
}

QStringList RunPrinter::logTail(const QString &path)
{
    QFile f(path);
    if (path.isEmpty() || !f.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = f.size();
    if (size > kTailBytes && !f.seek(size - kTailBytes))
        return {};
    QStringList lines = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    if (size > kTailBytes && !lines.isEmpty())
        lines.removeFirst(); // cut in the middle
    for (QString &l : lines)
        if (l.endsWith(QLatin1Char('\r')))
            l.chop(1);
    return lines;
}

RunPrinter::RunPrinter(const RunSession *session, PrintStyle style, QObject *parent)
    : QObject(parent), m_session(session), m_style(style)
{
    connect(session, &RunSession::taskDone, this, &RunPrinter::onTaskDone);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, &RunPrinter::scheduleStatus);
}

void RunPrinter::begin()
{
    if (!m_style.smart)
        return;
    m_tick.start();
    scheduleStatus();
}

void RunPrinter::clearStatus()
{
    if (m_statusShown)
        put(stdout, QStringLiteral("\r\x1b[K"));
    m_statusShown = false;
}

void RunPrinter::onTaskDone(int index)
{
    const fmt::TaskOutcome &t = m_session->outcomes()[size_t(index)];
    const int done = m_session->doneCount(), total = m_session->total();
    if (!m_style.smart) {
        put(stdout, fmt::taskLine(done, total, t, m_style.color) + QLatin1Char('\n'));
        return;
    }
    if (t.status == TaskStatus::Failed) {
        clearStatus();
        put(stdout, fmt::failureBlock(done, total, t, fmt::errorExcerpt(logTail(t.log), kExcerptLines), m_style.color));
    } else if (m_style.verbose) {
        clearStatus();
        put(stdout, fmt::taskLine(done, total, t, m_style.color) + QLatin1Char('\n'));
    }
    scheduleStatus();
}

void RunPrinter::scheduleStatus()
{
    // Drawn once the event loop is back: after the session has submitted the
    // tasks this result made ready, and once for a burst of results.
    if (!m_style.smart || m_drawPending)
        return;
    m_drawPending = true;
    QTimer::singleShot(0, this, [this] {
        m_drawPending = false;
        if (!m_closed)
            drawStatus();
    });
}

void RunPrinter::drawStatus()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    fmt::Progress p;
    p.done = m_session->doneCount();
    p.total = m_session->total();
    p.running = m_session->runningCount();
    p.queued = m_session->outstandingCount() - p.running;
    p.failed = m_session->failedCount();
    p.elapsedMs = m_session->elapsedMs();
    qint64 started = 0;
    if (m_session->longestRunning(&p.longestTask, &started))
        p.longestMs = now - started;
    put(stdout, QStringLiteral("\r\x1b[K") + fmt::statusLine(p, terminalWidth()));
    m_statusShown = true;
}

void RunPrinter::note(const QString &line)
{
    if (m_style.smart)
        clearStatus();
    put(stderr, line + QLatin1Char('\n'));
    scheduleStatus();
}

void RunPrinter::close()
{
    m_closed = true;
    m_tick.stop();
    if (m_style.smart && m_statusShown) {
        put(stdout, QStringLiteral("\n"));
        m_statusShown = false;
    }
}

} // namespace dfm::cli
