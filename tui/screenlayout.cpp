#include "screenlayout.h"

#include "format.h"
#include "screentext.h"

#include <algorithm>

namespace dfm::tui {

namespace {

constexpr int kGap = 2;          /* spaces between table columns */
constexpr int kElapsedWidth = 9; /* "2d 01:02:03" is rarer than "12:34:56" */
constexpr int kMinTaskWidth = 10;

/// Builds one line of exactly `width` columns from spans.
class LineBuilder {
public:
    LineBuilder(int width, bool ascii) : m_width(width), m_ascii(ascii) {}

    LineBuilder &add(const QString &text, Attr attr = Attr::Normal)
    {
        const QString t = elide(text, m_width - m_used, m_ascii);
        if (t.isEmpty())
            return *this;
        m_used += displayWidth(t);
        if (!m_line.spans.isEmpty() && m_line.spans.last().attr == attr)
            m_line.spans.last().text += t;
        else
            m_line.spans.append({t, attr});
        return *this;
    }
    int used() const { return m_used; }
    int left() const { return m_width - m_used; }

    /// The line, padded to the width with `fill`'s attribute.
    Line finish(Attr fill = Attr::Normal)
    {
        if (m_used < m_width)
            add(QString(m_width - m_used, QLatin1Char(' ')), fill);
        return m_line;
    }

private:
    int m_width;
    bool m_ascii;
    int m_used = 0;
    Line m_line;
};

Line plain(const View &v, const QString &text, Attr attr = Attr::Normal, Attr fill = Attr::Normal)
{
    return LineBuilder(v.width, v.asciiOnly).add(text, attr).finish(fill);
}

/// `left` and `right` on one line, `right` flush with the right edge when both fit.
Line twoSided(const View &v, const QString &left, const QString &right, Attr attr)
{
    LineBuilder b(v.width, v.asciiOnly);
    const int rw = displayWidth(right);
    b.add(elide(left, qMax(0, v.width - rw - 1), v.asciiOnly), attr);
    if (b.left() > rw)
        b.add(QString(b.left() - rw, QLatin1Char(' ')), attr);
    b.add(right, attr);
    return b.finish(attr);
}

QString shortLabel(qint64 client) { return QStringLiteral("run %1").arg(client); }

/// The run column's text: the model's label, or "run N" when that does not fit.
QString runLabel(const MonitorModel &m, qint64 client, int width)
{
    const QString full = m.clientLabel(client);
    return displayWidth(full) <= width ? full : shortLabel(client);
}

int widest(const QStringList &texts, int floor, int ceiling)
{
    int w = floor;
    for (const QString &t : texts)
        w = qMax(w, displayWidth(t));
    return qMin(w, ceiling);
}

QString dash(const QString &s) { return s.isEmpty() ? QStringLiteral("-") : s; }

/// Takes up to `need` columns from `w`, leaving at least `floor`.
void shrink(int *w, int floor, int *need)
{
    if (*need <= 0)
        return;
    const int take = qMin(*need, qMax(0, *w - floor));
    *w -= take;
    *need -= take;
}

struct RunningCols {
    int task = 0, run = 0, worker = 0, host = 0;
};

RunningCols runningColumns(const MonitorModel &m, const QList<proto::RunningTask> &running, int width)
{
    QStringList runs, workers, hosts;
    for (const proto::RunningTask &t : running) {
        runs << m.clientLabel(t.client);
        workers << t.workerId;
        hosts << t.hostname;
    }
    RunningCols c;
    c.run = widest(runs, 3, 20);
    c.worker = widest(workers, 6, 10);
    c.host = widest(hosts, 4, 24);
    c.task = width - 1 - c.run - c.worker - c.host - kElapsedWidth - 4 * kGap;
    int need = kMinTaskWidth - c.task;
    shrink(&c.host, 4, &need);
    shrink(&c.run, 5, &need);
    c.task = width - 1 - c.run - c.worker - c.host - kElapsedWidth - 4 * kGap;
    return c;
}

struct RecentCols {
    int result = 6, task = 0, run = 0, worker = 0, exit = 4, duration = 8;
};

RecentCols recentColumns(const MonitorModel &m, const std::deque<proto::TaskCompleted> &recent, int width)
{
    QStringList runs, workers;
    for (const proto::TaskCompleted &c : recent) {
        runs << m.clientLabel(c.client);
        workers << c.workerId;
    }
    RecentCols c;
    c.run = widest(runs, 3, 20);
    c.worker = widest(workers, 6, 10);
    auto taskWidth = [&] { return width - 1 - c.result - c.run - c.worker - c.exit - c.duration - 5 * kGap; };
    int need = kMinTaskWidth - taskWidth();
    shrink(&c.run, 5, &need);
    c.task = taskWidth();
    return c;
}

QString gap() { return QString(kGap, QLatin1Char(' ')); }

QString taskText(const QString &name, int attempt)
{
    return attempt > 1 ? QStringLiteral("%1 (attempt %2)").arg(name).arg(attempt) : name;
}

/// The task column: the name elided so an attempt suffix stays visible.
QString taskCell(const QString &name, int attempt, int width, bool ascii)
{
    if (attempt <= 1)
        return cell(name, width, false, ascii);
    const QString suffix = QStringLiteral(" (attempt %1)").arg(attempt);
    const int sw = displayWidth(suffix);
    if (sw >= width)
        return cell(taskText(name, attempt), width, false, ascii);
    return cell(elide(name, width - sw, ascii) + suffix, width, false, ascii);
}

Line runningRow(const MonitorModel &m, const View &v, const RunningCols &c, const proto::RunningTask &t)
{
    const QString elapsed = t.startedMs > 0 ? clock(v.nowMs - t.startedMs) : QStringLiteral("-");
    return plain(v, QLatin1Char(' ') + taskCell(t.name, t.attempt, c.task, v.asciiOnly) + gap()
                        + cell(runLabel(m, t.client, c.run), c.run, false, v.asciiOnly) + gap()
                        + cell(dash(t.workerId), c.worker, false, v.asciiOnly) + gap()
                        + cell(dash(t.hostname), c.host, false, v.asciiOnly) + gap()
                        + cell(elapsed, kElapsedWidth, true, v.asciiOnly));
}

Line recentRow(const MonitorModel &m, const View &v, const RecentCols &c, const proto::TaskCompleted &t)
{
    LineBuilder b(v.width, v.asciiOnly);
    b.add(QStringLiteral(" "));
    if (t.cancelled)
        b.add(cell(QStringLiteral("CANCEL"), c.result), Attr::Cancelled);
    else if (t.status == 0)
        b.add(cell(QStringLiteral("PASS"), c.result), Attr::Pass);
    else
        b.add(cell(QStringLiteral("FAIL"), c.result), Attr::Fail);
    b.add(gap() + cell(t.name, c.task, false, v.asciiOnly) + gap()
          + cell(runLabel(m, t.client, c.run), c.run, false, v.asciiOnly) + gap()
          + cell(dash(t.workerId), c.worker, false, v.asciiOnly) + gap()
          + cell(QString::number(t.status), c.exit, true) + gap()
          + cell(fmt::duration(t.durationMs), c.duration, true));
    return b.finish();
}

QString pendingDetail(const MonitorModel &m)
{
    QStringList parts;
    for (const proto::WorkerInfo &w : m.workers()) {
        if (w.state != proto::kStatePending)
            continue;
        if (!w.schedulerState.isEmpty())
            parts << QStringLiteral("%1 %2").arg(w.workerId, w.schedulerState);
        else if (!w.jobId.isEmpty())
            parts << QStringLiteral("%1 job %2").arg(w.workerId, w.jobId);
    }
    return parts.join(QLatin1String(", "));
}

QList<Line> statusBar(const MonitorModel &m, const View &v)
{
    QList<Line> out;
    const MonitorModel::DaemonInfo &d = m.daemon();
    if (m.hasSnapshot()) {
        // No client count: every connection counts as one, this monitor too.
        const QString first = QStringLiteral(" up %1   runner %2   pid %3   max %4 workers")
                                  .arg(clock(m.uptimeMs(v.nowMs)), dash(d.runner))
                                  .arg(d.pid)
                                  .arg(d.pool.maxWorkers);
        out << plain(v, first, Attr::Bar, Attr::Bar);
    } else {
        out << plain(v, v.link == View::Link::Gone ? QStringLiteral(" no daemon")
                                                    : QStringLiteral(" connecting to the daemon"),
                     Attr::Bar, Attr::Bar);
    }

    const MonitorModel::WorkerCounts wc = m.workerCounts();
    QString workers = QStringLiteral(" Workers  %1 total   %2 busy   %3 idle   %4 pending")
                          .arg(wc.total)
                          .arg(wc.busy)
                          .arg(wc.idle)
                          .arg(wc.pending);
    if (const QString p = pendingDetail(m); !p.isEmpty())
        workers += QStringLiteral(": ") + p;
    out << plain(v, workers);

    const proto::TaskCounters &c = m.totals();
    QString tasks = QStringLiteral(" Tasks    %1 running   %2 queued   %3 completed: %4 passed, %5 failed")
                        .arg(m.runningCount())
                        .arg(m.queuedTotal())
                        .arg(c.passed + c.failed + c.cancelled)
                        .arg(c.passed)
                        .arg(c.failed);
    if (c.cancelled > 0)
        tasks += QStringLiteral(", %1 cancelled").arg(c.cancelled);
    if (c.retried > 0)
        tasks += QStringLiteral(", %1 retried").arg(c.retried);
    out << plain(v, tasks);

    if (!v.notice.isEmpty())
        out << plain(v, QLatin1Char(' ') + v.notice, Attr::Alert);
    else
        out << plain(v, v.asciiOnly ? QStringLiteral(" q detach   Up/Down PgUp/PgDn scroll")
                                    : QStringLiteral(" q detach   \u2191/\u2193 PgUp/PgDn scroll"),
                     Attr::Dim);
    return out;
}

Screen tooSmall(const View &v)
{
    Screen s;
    s.tooSmall = true;
    const QStringList msg{
        QStringLiteral("Terminal too small: %1x%2").arg(v.width).arg(v.height),
        QStringLiteral("the monitor needs at least %1x%2").arg(kMinWidth).arg(kMinHeight),
        QStringLiteral("q detaches"),
    };
    for (int y = 0; y < v.height; ++y)
        s.lines << plain(v, y < msg.size() ? msg[y] : QString(), y == 0 ? Attr::Alert : Attr::Normal);
    return s;
}

} // namespace

QString Line::text() const
{
    QString t;
    for (const Span &s : spans)
        t += s.text;
    return t;
}

QString Screen::text() const
{
    QStringList t;
    for (const Line &l : lines)
        t << l.text();
    return t.join(QLatin1Char('\n'));
}

Screen layoutScreen(const MonitorModel &m, const View &v)
{
    if (v.width < kMinWidth || v.height < kMinHeight)
        return tooSmall(v);
    Screen s;
    QString state;
    if (v.link == View::Link::Connecting)
        state = QStringLiteral("connecting ");
    else if (v.link == View::Link::Gone)
        state = QStringLiteral("daemon gone ");
    s.lines << twoSided(v, QStringLiteral(" dfm monitor  %1").arg(v.root), state, Attr::Title);

    const int body = v.height - 1 - kStatusLines;
    if (!m.hasSnapshot()) {
        const QString why = v.link == View::Link::Gone
                                ? QStringLiteral(" The daemon for %1 is not running.").arg(v.root)
                                : QStringLiteral(" Connecting to the daemon for %1 ...").arg(v.root);
        for (int y = 0; y < body; ++y)
            s.lines << plain(v, y == 1 ? why : QString(), v.link == View::Link::Gone ? Attr::Alert : Attr::Dim);
        s.lines << statusBar(m, v);
        return s;
    }

    const QList<proto::RunningTask> running = m.running();
    const std::deque<proto::TaskCompleted> &recent = m.recent();
    const int count = int(running.size());
    const int recentCount = int(recent.size());
    // Two heading lines per table and a blank line between them.
    const int avail = body - 5;
    const int recentShare = qMin(qMax(1, recentCount), qMax(1, avail / 3));
    s.runningRows = qMin(qMax(1, count), avail - recentShare);
    const int recentRows = avail - s.runningRows;
    s.scroll = qBound(0, v.scroll, qMax(0, count - s.runningRows));

    QString heading = QStringLiteral("Running (%1)").arg(count);
    if (count > s.runningRows)
        heading += QStringLiteral("  showing %1-%2").arg(s.scroll + 1).arg(s.scroll + s.runningRows);
    s.lines << plain(v, heading, Attr::Heading);
    const RunningCols rc = runningColumns(m, running, v.width);
    s.lines << plain(v, QLatin1Char(' ') + cell(QStringLiteral("TASK"), rc.task) + gap()
                            + cell(QStringLiteral("RUN"), rc.run) + gap() + cell(QStringLiteral("WORKER"), rc.worker)
                            + gap() + cell(QStringLiteral("HOST"), rc.host) + gap()
                            + cell(QStringLiteral("ELAPSED"), kElapsedWidth, true),
                     Attr::Columns, Attr::Columns);
    for (int i = 0; i < s.runningRows; ++i) {
        const int row = s.scroll + i;
        if (row < count)
            s.lines << runningRow(m, v, rc, running[row]);
        else if (i == 0)
            s.lines << plain(v, m.queuedTotal() > 0
                                    ? QStringLiteral(" no tasks running; %1 queued").arg(m.queuedTotal())
                                    : QStringLiteral(" no tasks running"),
                             Attr::Dim);
        else
            s.lines << plain(v, QString());
    }

    s.lines << plain(v, QString());
    s.lines << plain(v, QStringLiteral("Recent Completions"), Attr::Heading);
    // Columns sized by the rows shown, not by all the completions kept.
    const std::deque<proto::TaskCompleted> shown(recent.end() - qMin(recentCount, recentRows), recent.end());
    const RecentCols cc = recentColumns(m, shown, v.width);
    s.lines << plain(v, QLatin1Char(' ') + cell(QStringLiteral("RESULT"), cc.result) + gap()
                            + cell(QStringLiteral("TASK"), cc.task) + gap() + cell(QStringLiteral("RUN"), cc.run)
                            + gap() + cell(QStringLiteral("WORKER"), cc.worker) + gap()
                            + cell(QStringLiteral("EXIT"), cc.exit, true) + gap()
                            + cell(QStringLiteral("DURATION"), cc.duration, true),
                     Attr::Columns, Attr::Columns);
    for (int i = 0; i < recentRows; ++i) {
        if (i < recentCount)
            s.lines << recentRow(m, v, cc, recent[size_t(recentCount - 1 - i)]);
        else
            s.lines << plain(v, i == 0 ? QStringLiteral(" none yet") : QString(), Attr::Dim);
    }
    s.lines << statusBar(m, v);
    return s;
}

} // namespace dfm::tui
