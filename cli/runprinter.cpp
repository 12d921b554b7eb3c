#include "runprinter.h"

#include <QTimer>

#include <cstdio>

namespace dfm::cli {

namespace {

void put(FILE *f, const QString &s)
{
    std::fputs(qPrintable(s), f);
    std::fflush(f);
}

} // namespace

RunPrinter::RunPrinter(const RunSession *session, bool smart, QObject *parent)
    : QObject(parent), m_session(session), m_smart(smart)
{
    connect(session, &RunSession::taskDone, this, &RunPrinter::onTaskDone);
}

void RunPrinter::onTaskDone(int index)
{
    const fmt::TaskOutcome &t = m_session->outcomes()[size_t(index)];
    const QString line = fmt::taskLine(m_session->doneCount(), m_session->total(), t);
    if (!m_smart) {
        put(stdout, line + QLatin1Char('\n'));
        return;
    }
    m_last = t.name;
    if (t.status == TaskStatus::Failed) {
        if (m_statusShown)
            put(stdout, QStringLiteral("\r\x1b[K"));
        put(stdout, line + QLatin1Char('\n'));
        m_statusShown = false;
    }
    scheduleStatus();
}

void RunPrinter::scheduleStatus()
{
    // Drawn once the event loop is back: after the session has submitted the
    // tasks this result made ready, and once for a burst of results.
    if (!m_smart || m_drawPending)
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
    put(stdout, QStringLiteral("\r\x1b[K")
                    + fmt::statusLine(m_session->doneCount(), m_session->total(),
                                      m_session->runningCount(), m_session->failedCount(), m_last));
    m_statusShown = true;
}

void RunPrinter::note(const QString &line)
{
    if (m_smart && m_statusShown) {
        put(stdout, QStringLiteral("\r\x1b[K"));
        m_statusShown = false;
    }
    put(stderr, line + QLatin1Char('\n'));
    scheduleStatus();
}

void RunPrinter::close()
{
    m_closed = true;
    if (m_smart && m_statusShown) {
        put(stdout, QStringLiteral("\n"));
        m_statusShown = false;
    }
}

} // namespace dfm::cli
