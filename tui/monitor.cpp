#include "monitor.h"

#include "monitorapp.h"
#include "statefile.h"
#include "terminal.h"

#include <cstdio>

namespace dfm::tui {

namespace {
void err(const QString &s) { std::fputs(qPrintable(s), stderr); }
void out(const QString &s) { std::fputs(qPrintable(s), stdout); std::fflush(stdout); }
} // namespace

int attachMonitor(const ProjectPaths &paths, const QString &command)
{
    DaemonState st;
    QString why;
    switch (probeDaemon(paths, &st, &why)) {
    case Liveness::NotRunning:
        err(QStringLiteral("%1: no daemon running for %2 (no %3); start one with `dfm daemon start`, "
                           "or start one and attach with `dfm daemon start --monitor`\n")
                .arg(command, paths.root, paths.stateFile));
        return 1;
    case Liveness::Stale:
        err(QStringLiteral("%1: no daemon running for %2: stale %3 (%4); start one with `dfm daemon start`, "
                           "or start one and attach with `dfm daemon start --monitor`\n")
                .arg(command, paths.root, paths.stateFile, why));
        return 1;
    case Liveness::NotAnswering:
        err(QStringLiteral("%1: the daemon for %2 is not answering: %3\n").arg(command, paths.root, why));
        return 1;
    case Liveness::Unsafe:
        err(QStringLiteral("%1: %2\n").arg(command, why));
        return 1;
    case Liveness::Alive:
        break;
    }
    Terminal term;
    QString e;
    if (!term.open(&e)) {
        err(QStringLiteral("%1: %2; `dfm daemon status` prints the same figures once\n").arg(command, e));
        return 2;
    }
    QString farewell;
    int code = 0;
    {
        MonitorApp app(paths, &term);
        code = app.exec(&farewell);
    }
    term.close();
    if (code == MonitorApp::Detached)
        out(QStringLiteral("%1: detached; the daemon (pid %2) keeps running; `dfm daemon stop` stops it\n")
                .arg(command)
                .arg(st.pid));
    else
        err(QStringLiteral("%1: %2\n").arg(command, farewell));
    return code;
}

} // namespace dfm::tui
