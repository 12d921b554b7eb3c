// The desktop monitor end to end: a real daemon (the dfm binary) running
// passing, failing and long tasks shown in the window, drawn offscreen and
// saved as a screenshot; a window started before its daemon that connects
// by itself, and sees the daemon go; dfm-monitor-gui --screenshot with and
// without a daemon.

#include "completedtablemodel.h"
#include "daemonclient.h"
#include "mainwindow.h"
#include "palette.h"
#include "runningtablemodel.h"
#include "testutil.h"
#include "workertablemodel.h"

#include <QImage>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QtTest>

using namespace dfm;
using namespace dfm::gui;
using namespace dfm::test;

namespace {

QJsonObject submitParams(const QString &name, const QString &body, const QString &rundir)
{
    return QJsonObject{{QStringLiteral("request_id"), name},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("shell"), QStringLiteral("bash")},
                       {QStringLiteral("body"), body},
                       {QStringLiteral("rundir"), rundir}};
}

/// The source row of `model` whose Task column reads `name`, or -1.
int rowOf(const QAbstractItemModel &model, int column, const QString &name)
{
    for (int r = 0; r < model.rowCount(); ++r) {
        if (model.index(r, column).data().toString() == name)
            return r;
    }
    return -1;
}

/// The lines of a process's stderr that dfm-monitor-gui wrote itself (Qt
/// adds warnings of its own, such as the offscreen plugin's).
QString ownLines(QProcess &p)
{
    QString out;
    for (const QString &line : QString::fromUtf8(p.readAllStandardError()).split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("dfm-monitor-gui: ")))
            out += line + QLatin1Char('\n');
    }
    return out;
}

} // namespace

class TestGuiWindow : public QObject {
    Q_OBJECT

    QTemporaryDir m_home; /* HOME of every dfm process the tests start */

    void startDaemon(const TempProject &p)
    {
        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("start")}, p.root(), 30000);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        isolateFromUserConfig(m_home.path());
    }

    void windowShowsPassingFailingAndLongTasks()
    {
        TempProject p;
        startDaemon(p);
        DaemonClient client;
        QString err;
        QVERIFY2(client.connectTo(p.path(QStringLiteral(".dfm/daemon.sock")), 5000, &err), qPrintable(err));
        client.send(proto::kTaskSubmit, submitParams(QStringLiteral("ok"), QStringLiteral("echo fine"), p.path(QStringLiteral("rundir/ok"))));
        client.send(proto::kTaskSubmit, submitParams(QStringLiteral("bad"), QStringLiteral("echo broken >&2; exit 3"),
                                                     p.path(QStringLiteral("rundir/bad"))));
        client.send(proto::kTaskSubmit, submitParams(QStringLiteral("long"), QStringLiteral("sleep 300"),
                                                     p.path(QStringLiteral("rundir/long"))));

        MainWindow w(ProjectPaths::forRoot(p.root()));
        QSignalSpy shown(&w, &MainWindow::snapshotShown);
        w.show();
        w.start();
        QTRY_VERIFY_WITH_TIMEOUT(w.showsDashboard(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 30000);
        QCOMPARE(w.stateLabelText(), QStringLiteral("connected"));

        const CompletedTableModel &done = w.completedModel();
        QTRY_COMPARE_WITH_TIMEOUT(done.rowCount(), 2, 60000);
        const int ok = rowOf(done, CompletedTableModel::Task, QStringLiteral("ok"));
        const int bad = rowOf(done, CompletedTableModel::Task, QStringLiteral("bad"));
        QVERIFY(ok >= 0 && bad >= 0);
        QCOMPARE(done.index(ok, CompletedTableModel::Result).data().toString(), QStringLiteral("passed"));
        QCOMPARE(done.index(ok, CompletedTableModel::Result).data(Qt::ForegroundRole).value<QColor>(), palette::passed());
        QCOMPARE(done.index(bad, CompletedTableModel::Result).data().toString(), QStringLiteral("FAILED"));
        QCOMPARE(done.index(bad, CompletedTableModel::Exit).data().toInt(), 3);
        QCOMPARE(done.index(bad, CompletedTableModel::Result).data(Qt::ForegroundRole).value<QColor>(), palette::failed());
        // The log the double-click opens is the task's own.
        const QString log = w.logPathAt(done.index(bad, CompletedTableModel::Task));
        QVERIFY2(log.startsWith(p.path(QStringLiteral("rundir/bad/"))), qPrintable(log));
        QFile logFile(log);
        QVERIFY(logFile.open(QIODevice::ReadOnly));
        QVERIFY(logFile.readAll().contains("broken"));

        const RunningTableModel &running = w.runningModel();
        QTRY_COMPARE_WITH_TIMEOUT(running.rowCount(), 1, 30000);
        QCOMPARE(running.index(0, RunningTableModel::Task).data().toString(), QStringLiteral("long"));
        QVERIFY(running.index(0, RunningTableModel::Worker).data().toString().startsWith(QLatin1Char('w')));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(w.workerModel(), WorkerTableModel::CurrentTask, QStringLiteral("long")) >= 0, 30000);
        const int busy = rowOf(w.workerModel(), WorkerTableModel::CurrentTask, QStringLiteral("long"));
        QCOMPARE(w.workerModel().index(busy, WorkerTableModel::State).data().toString(), QStringLiteral("busy"));
        QTRY_VERIFY_WITH_TIMEOUT(w.summaryText().contains(QStringLiteral("tasks 1 running, 0 queued, 2 completed, 1 failed")),
                                 10000);
        QVERIFY2(w.summaryText().startsWith(QStringLiteral("up ")), qPrintable(w.summaryText()));

        // A double-click on a completion opens its log.
        QList<QUrl> opened;
        w.setUrlOpener([&opened](const QUrl &url) {
            opened.append(url);
            return true;
        });
        QTableView &view = w.completedView();
        QModelIndex cell;
        for (int r = 0; r < view.model()->rowCount(); ++r) {
            if (view.model()->index(r, CompletedTableModel::Task).data().toString() == QLatin1String("bad"))
                cell = view.model()->index(r, CompletedTableModel::Result);
        }
        QVERIFY(cell.isValid());
        const QPoint at = view.visualRect(cell).center();
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(view.viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(opened, (QList<QUrl>{QUrl::fromLocalFile(log)}));

        // The filter narrows every table to matching task names.
        w.filterEdit().setText(QStringLiteral("BA"));
        QCOMPARE(w.completedView().model()->rowCount(), 1);
        QCOMPARE(w.runningView().model()->rowCount(), 0);
        w.filterEdit().clear();
        QCOMPARE(w.completedView().model()->rowCount(), 2);

        const QImage shot = w.grab().toImage();
        QCOMPARE(shot.size(), w.size() * w.devicePixelRatio());
        QVERIFY(shot.save(p.path(QStringLiteral("window.png")), "PNG"));
        QVERIFY(QImage(p.path(QStringLiteral("window.png"))).width() > 0);

        // The binary's --screenshot on the same daemon, while the long task runs.
        QProcess gui;
        gui.start(QStringLiteral(DFM_GUI_BIN), {QStringLiteral("--root"), p.root(), QStringLiteral("--screenshot"),
                                                p.path(QStringLiteral("cli.png")), QStringLiteral("--wait"),
                                                QStringLiteral("30")});
        QVERIFY(gui.waitForFinished(60000));
        QVERIFY2(gui.exitCode() == 0, gui.readAllStandardError().constData());
        const QImage cli(p.path(QStringLiteral("cli.png")));
        QVERIFY(cli.width() >= 800 && cli.height() >= 500);
    }

    void windowConnectsWhenTheDaemonStartsLater()
    {
        TempProject p;
        MainWindow w(ProjectPaths::forRoot(p.root()));
        w.show();
        w.start();
        QTRY_COMPARE_WITH_TIMEOUT(w.stateLabelText(), QStringLiteral("daemon gone"), 10000);
        QVERIFY(!w.showsDashboard());
        QVERIFY2(w.waitingPageText().startsWith(QStringLiteral("No daemon answers for %1.\n\nStart one with:\n\n"
                                                               "    dfm daemon start --root %1\n\n")
                                                    .arg(p.root())),
                 qPrintable(w.waitingPageText()));

        startDaemon(p);
        QTRY_VERIFY_WITH_TIMEOUT(w.showsDashboard(), 30000);
        QCOMPARE(w.stateLabelText(), QStringLiteral("connected"));
        QTRY_VERIFY_WITH_TIMEOUT(w.summaryText().contains(QStringLiteral("runner local")), 10000);

        const Run r = runDfm({QStringLiteral("daemon"), QStringLiteral("stop")}, p.root(), 30000);
        QCOMPARE(r.code, 0);
        QTRY_COMPARE_WITH_TIMEOUT(w.stateLabelText(), QStringLiteral("daemon gone"), 30000);
        QVERIFY(!w.showsDashboard());
        QCOMPARE(w.summaryText(), QString());
    }

    void screenshotWithoutADaemonExitsOne()
    {
        TempProject p;
        QProcess gui;
        gui.start(QStringLiteral(DFM_GUI_BIN), {QStringLiteral("--root"), p.root(), QStringLiteral("--screenshot"),
                                                p.path(QStringLiteral("x.png")), QStringLiteral("--wait"),
                                                QStringLiteral("1")});
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitCode(), 1);
        const QString err = ownLines(gui);
        QVERIFY2(err.startsWith(QStringLiteral("dfm-monitor-gui: no daemon answered for %1 within 1.0s (").arg(p.root())),
                 qPrintable(err));
        QVERIFY2(err.endsWith(QStringLiteral("start one with `dfm daemon start --root %1`\n").arg(p.root())),
                 qPrintable(err));
        QVERIFY(!QFile::exists(p.path(QStringLiteral("x.png"))));
    }

    void badArgumentsAreRefused()
    {
        QProcess gui;
        gui.start(QStringLiteral(DFM_GUI_BIN), {QStringLiteral("--root"), QStringLiteral("/nonexistent/dir"),
                                                QStringLiteral("--screenshot"), QStringLiteral("/tmp/never.png")});
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitCode(), 2);
        QCOMPARE(ownLines(gui), QStringLiteral("dfm-monitor-gui: --root: /nonexistent/dir is not a directory\n"));
    }

    void noDisplayIsSaidInsteadOfQtAborting()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"})
            env.remove(QLatin1String(name));
        QProcess gui;
        gui.setProcessEnvironment(env);
        gui.start(QStringLiteral(DFM_GUI_BIN), {QStringLiteral("--root"), QDir::tempPath()});
        QVERIFY(gui.waitForFinished(60000));
        QCOMPARE(gui.exitStatus(), QProcess::NormalExit);
        QCOMPARE(gui.exitCode(), 2);
        QCOMPARE(ownLines(gui), QStringLiteral("dfm-monitor-gui: no display (neither DISPLAY nor WAYLAND_DISPLAY is set); "
                                               "run it in a desktop session, with ssh -X, or use --screenshot FILE; "
                                               "`dfm daemon status` works without one\n"));
    }
};

QTEST_MAIN(TestGuiWindow)
#include "tst_guiwindow.moc"
