// dfm-monitor-gui: the desktop monitor of a project's dfm daemon (read-only).

#include "format.h"
#include "guiformat.h"
#include "mainwindow.h"
#include "projectpaths.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QPixmap>
#include <QSaveFile>
#include <QTimer>

#include <cstdio>

namespace {

void fail(const QString &message)
{
    std::fprintf(stderr, "dfm-monitor-gui: %s\n", qPrintable(message));
}

/// Grabs `window` into a PNG at `file` (through a temporary file, so a
/// symlink at `file` is replaced, never followed). Returns false with *err.
bool saveScreenshot(QWidget &window, const QString &file, QString *err)
{
    const QPixmap shot = window.grab();
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) {
        *err = QStringLiteral("cannot write %1: %2").arg(file, out.errorString());
        return false;
    }
    if (!shot.save(&out, "PNG") || !out.commit()) {
        *err = QStringLiteral("cannot write %1: %2").arg(file, out.errorString());
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    // A screenshot needs no screen: draw offscreen unless told otherwise.
    bool wantsWindow = true;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--screenshot" && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        if (arg == "-h" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version")
            wantsWindow = false;
    }
    if (!wantsWindow && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // help and version need no screen either
    // Without a display Qt would abort with a message about xcb plugins;
    // say what is missing and what to do instead.
    if (wantsWindow && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY") &&
        qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        fail(QStringLiteral("no display (neither DISPLAY nor WAYLAND_DISPLAY is set); run it in a desktop session, "
                            "with ssh -X, or use --screenshot FILE; `dfm daemon status` works without one"));
        return 2;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("dfm-monitor-gui"));
    QApplication::setApplicationVersion(QStringLiteral(DFM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The desktop monitor of a project's dfm daemon: running tasks, recent completions, "
                       "workers and throughput. Read-only; it waits for a daemon and reconnects by itself."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption rootOpt(QStringLiteral("root"),
                                     QStringLiteral("The project (default: the nearest directory upwards with "
                                                    "flow.dv, flow.yaml or .dfm/)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                                     QStringLiteral("Once connected and the first snapshot is shown, save the window "
                                                    "as a PNG to FILE and exit 0; exit 1 if no daemon answers."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption waitOpt(QStringLiteral("wait"),
                                     QStringLiteral("With --screenshot: how long to wait for a daemon (default 5)."),
                                     QStringLiteral("SECONDS"), QStringLiteral("5"));
    parser.addOptions({rootOpt, shotOpt, waitOpt});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty()) {
        fail(QStringLiteral("unexpected argument '%1'; see --help").arg(parser.positionalArguments().first()));
        return 2;
    }
    bool ok = false;
    const double waitS = parser.value(waitOpt).toDouble(&ok);
    if (!ok || waitS <= 0 || waitS > 3600) {
        fail(QStringLiteral("--wait: expected seconds between 0 and 3600, got '%1'").arg(parser.value(waitOpt)));
        return 2;
    }
    if (parser.isSet(rootOpt) && !QFileInfo(parser.value(rootOpt)).isDir()) {
        fail(QStringLiteral("--root: %1 is not a directory").arg(parser.value(rootOpt)));
        return 2;
    }

    const dfm::ProjectPaths paths =
        dfm::ProjectPaths::forRoot(dfm::findProjectRoot(parser.value(rootOpt), QDir::currentPath()));
    QString err;
    if (!dfm::socketPathFits(paths, &err)) {
        fail(err);
        return 2;
    }

    dfm::gui::MainWindow window(paths);
    if (parser.isSet(shotOpt)) {
        const QString file = parser.value(shotOpt);
        QObject::connect(&window, &dfm::gui::MainWindow::snapshotShown, &app, [&window, file] {
            // One more turn of the event loop lets the layout settle first.
            QTimer::singleShot(200, &window, [&window, file] {
                QString why;
                if (!saveScreenshot(window, file, &why)) {
                    fail(why);
                    QApplication::exit(1);
                    return;
                }
                QApplication::exit(0);
            });
        });
        QTimer::singleShot(int(waitS * 1000), &app, [&window, &paths, waitS] {
            if (window.session().state() == dfm::MonitorSession::State::Connected)
                return; // the screenshot is on its way
            fail(QStringLiteral("no daemon answered for %1 within %2 (%3); start one with `%4`")
                     .arg(paths.root, dfm::fmt::duration(qint64(waitS * 1000)), window.session().lastError(),
                          dfm::gui::startCommand(paths.root)));
            QApplication::exit(1);
        });
    }
    window.show();
    window.start();
    return QApplication::exec();
}
