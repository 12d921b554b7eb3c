#pragma once
// The desktop monitor's window: running tasks, recent completions, workers,
// the throughput chart and a status bar, all drawn from the MonitorSession's
// model. Read-only: it has no control that sends anything to the daemon.
//
// Updates are coalesced: the session's change flags accumulate and are
// applied at most every kFlushMs; the elapsed times and the uptime tick once
// a second.

#include "monitorsession.h"
#include "throughput.h"

#include <QMainWindow>
#include <QTimer>
#include <QUrl>

#include <functional>

class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QStackedWidget;
class QTableView;

namespace dfm::gui {

class CompletedTableModel;
class RunningTableModel;
class ThroughputChart;
class WorkerTableModel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    static constexpr int kFlushMs = 100; /* longest a change waits to be drawn */
    static constexpr int kTickMs = 1000; /* elapsed times and uptime */

    explicit MainWindow(const ProjectPaths &paths, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Starts connecting to the daemon (and retrying). Returns at once.
    void start();

    MonitorSession &session() { return *m_session; }
    RunningTableModel &runningModel() { return *m_running; }
    CompletedTableModel &completedModel() { return *m_completed; }
    WorkerTableModel &workerModel() { return *m_workers; }
    QTableView &runningView() { return *m_runningView; }
    QTableView &completedView() { return *m_completedView; }
    QTableView &workerView() { return *m_workerView; }
    QLineEdit &filterEdit() { return *m_filter; }
    ThroughputChart &chart() { return *m_chart; }

    /// True while the tables are shown (connected), false while the
    /// connecting / no-daemon page is.
    bool showsDashboard() const;
    /// The connecting / no-daemon page's text.
    QString waitingPageText() const;
    /// The status bar's connection state and summary.
    QString stateLabelText() const;
    QString summaryText() const;

    /// The log file of the completion at `index` of the completed view's
    /// model ("" when the worker reported none).
    QString logPathAt(const QModelIndex &index) const;

    /// What opens a log (QDesktopServices::openUrl unless replaced, as
    /// tests do); returns false when nothing could.
    using UrlOpener = std::function<bool(const QUrl &)>;
    void setUrlOpener(UrlOpener opener) { m_openUrl = std::move(opener); }

Q_SIGNALS:
    /// The first snapshot after a connection is drawn (emitted once per connection).
    void snapshotShown();

private:
    void buildUi();
    void onChanged(unsigned flags);
    void onStateChanged(MonitorSession::State state);
    /// Applies the accumulated change flags to the tables, chart and status bar.
    void flush();
    void tick();
    void updateThroughput(qint64 nowMs);
    void updateTitles();
    void openLog(const QModelIndex &index);
    void showCompletedMenu(const QPoint &pos);

    MonitorSession *m_session;
    RunningTableModel *m_running;
    CompletedTableModel *m_completed;
    WorkerTableModel *m_workers;
    QSortFilterProxyModel *m_runningProxy = nullptr;
    QSortFilterProxyModel *m_completedProxy = nullptr;
    QSortFilterProxyModel *m_workerProxy = nullptr;
    QTableView *m_runningView = nullptr;
    QTableView *m_completedView = nullptr;
    QTableView *m_workerView = nullptr;
    QLabel *m_runningTitle = nullptr;
    QLabel *m_completedTitle = nullptr;
    QLabel *m_workerTitle = nullptr;
    QLineEdit *m_filter = nullptr;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_waiting = nullptr;
    QLabel *m_stateLabel = nullptr;
    QLabel *m_summary = nullptr;
    ThroughputChart *m_chart = nullptr;

    UrlOpener m_openUrl;
    QTimer m_flushTimer;
    QTimer m_tickTimer;
    unsigned m_pendingFlags = 0;   /* MonitorModel::Change bits not drawn yet */
    bool m_snapshotShown = false;  /* snapshotShown() emitted for this connection */
    bool m_fitted[3] = {};         /* running, completed, workers: columns fitted to their first rows */
    Throughput m_throughput;
    bool m_throughputSeeded = false; /* the snapshot's recent list counted */
    qint64 m_seenPassed = 0;         /* totals already counted in m_throughput */
    qint64 m_seenFailed = 0;
};

} // namespace dfm::gui
