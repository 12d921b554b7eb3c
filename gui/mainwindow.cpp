#include "mainwindow.h"

#include "completedtablemodel.h"
#include "guiformat.h"
#include "runningtablemodel.h"
#include "tableview.h"
#include "throughputchart.h"
#include "workertablemodel.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDesktopServices>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

namespace dfm::gui {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// A titled box around a table.
QWidget *titled(QLabel *title, QWidget *content, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(2);
    QFont f = title->font();
    f.setBold(true);
    title->setFont(f);
    layout->addWidget(title);
    layout->addWidget(content);
    return box;
}

/// Fits the columns to their contents the first time a table has rows.
void fitColumnsOnce(QTableView *view, bool *fitted)
{
    if (*fitted || view->model()->rowCount() == 0)
        return;
    view->resizeColumnsToContents();
    *fitted = true;
}

} // namespace

MainWindow::MainWindow(const ProjectPaths &paths, QWidget *parent)
    : QMainWindow(parent),
      m_session(new MonitorSession(paths, this)),
      m_running(new RunningTableModel(this)),
      m_completed(new CompletedTableModel(this)),
      m_workers(new WorkerTableModel(this))
{
    m_openUrl = [](const QUrl &url) { return QDesktopServices::openUrl(url); };
    buildUi();
    connect(m_session, &MonitorSession::changed, this, &MainWindow::onChanged);
    connect(m_session, &MonitorSession::stateChanged, this, &MainWindow::onStateChanged);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &MainWindow::flush);
    m_tickTimer.setInterval(kTickMs);
    connect(&m_tickTimer, &QTimer::timeout, this, &MainWindow::tick);
    onStateChanged(m_session->state());
}

MainWindow::~MainWindow() = default;

void MainWindow::start()
{
    m_session->start();
    m_tickTimer.start();
}

void MainWindow::buildUi()
{
    setWindowTitle(tr("dfm monitor - %1").arg(m_session->paths().root));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(8, 8, 8, 4);

    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Filter tasks:"), central));
    m_filter = new QLineEdit(central);
    m_filter->setPlaceholderText(tr("part of a task name"));
    m_filter->setClearButtonEnabled(true);
    top->addWidget(m_filter, 1);
    auto *project = new QLabel(tr("project %1").arg(m_session->paths().root), central);
    project->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(project);
    layout->addLayout(top);

    m_pages = new QStackedWidget(central);
    m_waiting = new QLabel(m_pages);
    m_waiting->setAlignment(Qt::AlignCenter);
    m_waiting->setWordWrap(true);
    m_waiting->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_waiting->setTextFormat(Qt::PlainText);
    QFont big = m_waiting->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    m_waiting->setFont(big);
    m_pages->addWidget(m_waiting);

    m_runningProxy = makeProxy(m_running, RunningTableModel::Task, this);
    m_completedProxy = makeProxy(m_completed, CompletedTableModel::Task, this);
    m_workerProxy = makeProxy(m_workers, WorkerTableModel::CurrentTask, this);
    m_runningView = makeTableView(m_runningProxy, RunningTableModel::Elapsed, Qt::DescendingOrder, central);
    m_completedView = makeTableView(m_completedProxy, CompletedTableModel::Finished, Qt::DescendingOrder, central);
    m_workerView = makeTableView(m_workerProxy, WorkerTableModel::Id, Qt::AscendingOrder, central);
    m_completedView->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_completedView, &QTableView::doubleClicked, this, &MainWindow::openLog);
    connect(m_completedView, &QWidget::customContextMenuRequested, this, &MainWindow::showCompletedMenu);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        for (QSortFilterProxyModel *p : {m_runningProxy, m_completedProxy, m_workerProxy})
            p->setFilterFixedString(text);
    });

    m_runningTitle = new QLabel(central);
    m_completedTitle = new QLabel(central);
    m_workerTitle = new QLabel(central);
    m_chart = new ThroughputChart(central);

    // Running tasks over recent completions on the left, workers on the right.
    auto *tasks = new QSplitter(Qt::Vertical, central);
    tasks->addWidget(titled(m_runningTitle, m_runningView, tasks));
    tasks->addWidget(titled(m_completedTitle, m_completedView, tasks));
    tasks->setStretchFactor(0, 2);
    tasks->setStretchFactor(1, 3);
    tasks->setChildrenCollapsible(false);
    auto *bottom = new QSplitter(Qt::Horizontal, central);
    bottom->addWidget(tasks);
    bottom->addWidget(titled(m_workerTitle, m_workerView, bottom));
    bottom->setSizes({680, 580}); // about what each side's columns need
    bottom->setChildrenCollapsible(false);
    auto *dashboard = new QSplitter(Qt::Vertical, m_pages);
    dashboard->addWidget(m_chart);
    dashboard->addWidget(bottom);
    dashboard->setStretchFactor(0, 0);
    dashboard->setStretchFactor(1, 1);
    dashboard->setChildrenCollapsible(false);
    m_pages->addWidget(dashboard);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    m_stateLabel = new QLabel(this);
    QFont bold = m_stateLabel->font();
    bold.setBold(true);
    // Wide enough for the longest state, so the label never clips.
    m_stateLabel->setMinimumWidth(QFontMetrics(bold).horizontalAdvance(
                                      QStringLiteral("\u25cf ") + stateText(MonitorSession::State::Gone)) + 8);
    m_summary = new QLabel(this);
    statusBar()->addWidget(m_stateLabel);
    statusBar()->addWidget(m_summary, 1);
    updateTitles();
    resize(1280, 800);
}

void MainWindow::onChanged(unsigned flags)
{
    m_pendingFlags |= flags;
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void MainWindow::onStateChanged(MonitorSession::State state)
{
    const bool connected = state == MonitorSession::State::Connected;
    static const char *const colours[] = {"#8d6e00", "#1b7f3b", "#c62828"};
    m_stateLabel->setText(QStringLiteral("<b><font color=\"%1\">&#9679; %2</font></b>")
                              .arg(QLatin1String(colours[int(state)]), stateText(state).toHtmlEscaped()));
    m_waiting->setText(waitingText(state, m_session->paths().root, m_session->lastError(), m_session->retryInterval()));
    m_pages->setCurrentIndex(connected ? 1 : 0);
    if (!connected) {
        m_snapshotShown = false;
        m_summary->clear();
    }
    // The tables follow through the session's changed() signal.
}

void MainWindow::flush()
{
    const MonitorModel &model = m_session->model();
    const unsigned flags = m_pendingFlags;
    m_pendingFlags = 0;
    const qint64 now = nowMs();
    if (flags & (MonitorModel::RunningChanged | MonitorModel::ClientsChanged)) {
        m_running->sync(model);
        m_running->setNow(now);
    }
    if (flags & (MonitorModel::CompletionsChanged | MonitorModel::ClientsChanged))
        m_completed->sync(model);
    if (flags & MonitorModel::WorkersChanged)
        m_workers->sync(model);
    updateThroughput(now);
    updateTitles();
    m_summary->setText(model.hasSnapshot() ? statusSummary(model, now) : QString());

    fitColumnsOnce(m_runningView, &m_fitted[0]);
    fitColumnsOnce(m_completedView, &m_fitted[1]);
    fitColumnsOnce(m_workerView, &m_fitted[2]);
    if (model.hasSnapshot() && !m_snapshotShown) {
        m_snapshotShown = true;
        Q_EMIT snapshotShown();
    }
}

void MainWindow::tick()
{
    const qint64 now = nowMs();
    m_running->setNow(now);
    const MonitorModel &model = m_session->model();
    if (model.hasSnapshot())
        m_summary->setText(statusSummary(model, now));
    m_chart->setBins(m_throughput.bins(now));
    if (m_session->state() != MonitorSession::State::Connected)
        m_waiting->setText(waitingText(m_session->state(), m_session->paths().root, m_session->lastError(),
                                       m_session->retryInterval()));
}

void MainWindow::updateThroughput(qint64 now)
{
    const MonitorModel &model = m_session->model();
    if (!model.hasSnapshot()) {
        m_throughput.clear();
        m_throughputSeeded = false;
        m_chart->setUnitemised(0);
    } else {
        const proto::TaskCounters &t = model.totals();
        const qint64 failed = t.failed + t.cancelled;
        if (!m_throughputSeeded) {
            // What the daemon still lists, at the times it finished; the
            // counters say how many there were, the list only the last ones.
            m_throughput.clear();
            for (const proto::TaskCompleted &c : model.recent())
                m_throughput.add(c.timeMs > 0 ? c.timeMs : now, c.passed() ? 1 : 0, c.passed() ? 0 : 1);
            m_throughputSeeded = true;
            m_chart->setUnitemised(qMax<qint64>(0, t.passed + failed - qint64(model.recent().size())));
        } else {
            m_throughput.add(now, int(t.passed - m_seenPassed), int(failed - m_seenFailed));
        }
        m_seenPassed = t.passed;
        m_seenFailed = failed;
    }
    m_chart->setBins(m_throughput.bins(now));
}

void MainWindow::updateTitles()
{
    m_runningTitle->setText(tr("Running: %1, %2 queued")
                                .arg(m_running->rowCount())
                                .arg(m_session->model().queuedTotal()));
    m_completedTitle->setText(tr("Recent completions: %1 (double-click opens the log)").arg(m_completed->rowCount()));
    m_workerTitle->setText(tr("Workers: %1").arg(m_workers->rowCount()));
}

bool MainWindow::showsDashboard() const
{
    return m_pages->currentIndex() == 1;
}

QString MainWindow::waitingPageText() const
{
    return m_waiting->text();
}

QString MainWindow::stateLabelText() const
{
    return stateText(m_session->state());
}

QString MainWindow::summaryText() const
{
    return m_summary->text();
}

QString MainWindow::logPathAt(const QModelIndex &index) const
{
    return index.isValid() ? index.data(LogRole).toString() : QString();
}

void MainWindow::openLog(const QModelIndex &index)
{
    const QString name = index.siblingAtColumn(CompletedTableModel::Task).data().toString();
    const QString log = logPathAt(index);
    if (log.isEmpty()) {
        statusBar()->showMessage(tr("no log reported for %1").arg(name), 5000);
        return;
    }
    if (!QFileInfo::exists(log)) {
        statusBar()->showMessage(tr("the log of %1 is gone: %2").arg(name, log), 5000);
        return;
    }
    if (!m_openUrl(QUrl::fromLocalFile(log)))
        statusBar()->showMessage(tr("no application opens %1").arg(log), 5000);
}

void MainWindow::showCompletedMenu(const QPoint &pos)
{
    const QModelIndex index = m_completedView->indexAt(pos);
    if (!index.isValid())
        return;
    const QString log = logPathAt(index);
    QMenu menu(this);
    QAction *open = menu.addAction(tr("Open log"), this, [this, index] { openLog(index); });
    QAction *copy = menu.addAction(tr("Copy log path"), this, [log] { QApplication::clipboard()->setText(log); });
    open->setEnabled(!log.isEmpty());
    copy->setEnabled(!log.isEmpty());
    menu.exec(m_completedView->viewport()->mapToGlobal(pos));
}

} // namespace dfm::gui
