// Flow loading: a 10,000-task flow with package and task parameters and
// `${{ }}` expressions in values and bodies, against a same-run baseline of
// the plain 10,000-task flow (shell bodies and needs only), then a
// compound whose strategy.matrix makes 10,000 body tasks, a 100,000-task
// chain (each task needing the next; measured first, on the fresh heap a
// `dfm run` starts with), and the plain flow's tasks split over 10 packages
// in files of their own, imported by path (needs across packages). Prints
// figures only. DFM_HUGE_HEAP=0 turns the loader's huge-page heap off (the
// baseline of core/flow/hugeheap.h's figure).
//
//   build/bench/bench_flowload [N=10000]
#include "flow.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstdlib>

using namespace dfm;

namespace {

using Clock = std::chrono::steady_clock;

QByteArray plainFlow(int n)
{
    QByteArray y = "package:\n  name: p\n  tasks:\n";
    for (int i = 0; i < n; ++i) {
        y += "  - name: t" + QByteArray::number(i) + "\n    run: ./sim +seed=" + QByteArray::number(i) + "\n";
        if (i > 0)
            y += "    needs: [t" + QByteArray::number(i / 2) + "]\n";
    }
    return y;
}

QByteArray paramFlow(int n)
{
    QByteArray y = "package:\n  name: p\n  with:\n    top: {type: str, value: tb}\n    base: {type: int, value: 100}\n  tasks:\n";
    for (int i = 0; i < n; ++i) {
        y += "  - name: t" + QByteArray::number(i) + "\n    with:\n      seed: {type: int, value: \"${{ base + "
             + QByteArray::number(i) + " }}\"}\n      mode: fast\n"
             "    run: ./sim +top=${{ top }} +seed=${{ seed * 2 }} +mode=${{ mode if seed > 10 else 'slow' }}\n";
        if (i > 0)
            y += "    needs: [t" + QByteArray::number(i / 2) + "]\n";
    }
    return y;
}

/// One compound whose strategy.matrix makes about n body tasks (sqrt(n) tests x sqrt(n) seeds).
QByteArray matrixFlow(int n)
{
    int side = 1;
    while ((side + 1) * (side + 1) <= n)
        ++side;
    QByteArray tests, seeds;
    for (int i = 0; i < side; ++i) {
        tests += (i ? ", t" : "t") + QByteArray::number(i);
        seeds += (i ? ", " : "") + QByteArray::number(i);
    }
    return "package:\n  name: p\n  with:\n    top: {type: str, value: tb}\n  tasks:\n"
           "  - name: reg\n    strategy:\n      matrix:\n        test: [" + tests + "]\n        seed: [" + seeds + "]\n"
           "    body:\n    - name: sim\n      run: ./sim +top=${{ top }} +test=${{ matrix.test }} +seed=${{ matrix.seed }}\n";
}

QByteArray chainFlow(int n)
{
    QByteArray y = "package:\n  name: p\n  tasks:\n";
    for (int i = 0; i < n; ++i) {
        y += "  - name: t" + QByteArray::number(i) + "\n    run: 'true'\n";
        if (i + 1 < n)
            y += "    needs: [t" + QByteArray::number(i + 1) + "]\n";
    }
    return y;
}

long minorFaults()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

/// Wall seconds; *cpu gets the process CPU seconds (what counts on a shared machine).
double loadSeconds(const QByteArray &yaml, int *tasks, double *cpu)
{
    const QString text = QString::fromUtf8(yaml);
    Flow flow;
    QString err;
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    if (!parseFlowText(QStringLiteral("/bench/flow.dv"), text, &flow, &err)) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(err.left(500)));
        std::exit(1);
    }
    std::vector<int> order;
    selectTasks(flow, {}, &order, &err);
    *tasks = int(order.size());
    *cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// Writes the plain flow's n tasks as 10 packages p0..p9 imported by the
/// root `top`; a task of p<k> needs one of p<k-1> (export) besides its own.
void writeImportedFlow(const QString &dir, int n)
{
    const int per = n / 10;
    QByteArray root = "package:\n  name: top\n  imports:\n";
    for (int k = 0; k < 10; ++k)
        root += "  - p" + QByteArray::number(k) + "/flow.dv\n";
    root += "  tasks:\n  - name: all\n    needs: [p9.t0]\n    run: 'true'\n";
    QFile r(dir + QStringLiteral("/flow.dv"));
    r.open(QIODevice::WriteOnly);
    r.write(root);
    for (int k = 0; k < 10; ++k) {
        const QByteArray name = "p" + QByteArray::number(k);
        QByteArray y = "package:\n  name: " + name + "\n  tasks:\n";
        for (int i = 0; i < per; ++i) {
            y += "  - export: t" + QByteArray::number(i) + "\n    run: ./sim +seed=" + QByteArray::number(i) + "\n";
            if (i > 0)
                y += "    needs: [t" + QByteArray::number(i / 2) + "]\n";
            else if (k > 0)
                y += "    needs: [p" + QByteArray::number(k - 1) + ".t" + QByteArray::number(per - 1) + "]\n";
        }
        QDir(dir).mkpath(QString::fromLatin1(name));
        QFile f(dir + QLatin1Char('/') + QString::fromLatin1(name) + QStringLiteral("/flow.dv"));
        f.open(QIODevice::WriteOnly);
        f.write(y);
    }
}

double importedSeconds(int n, int *tasks, double *cpu)
{
    QTemporaryDir dir;
    writeImportedFlow(dir.path(), n);
    Flow flow;
    QString err;
    const auto t0 = Clock::now();
    const std::clock_t c0 = std::clock();
    if (!loadFlow(dir.path(), &flow, &err)) {
        std::fprintf(stderr, "load failed: %s\n", qPrintable(err.left(500)));
        std::exit(1);
    }
    std::vector<int> order;
    selectTasks(flow, {}, &order, &err);
    *tasks = int(order.size());
    *cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

} // namespace

int main(int argc, char **argv)
{
    const int n = argc > 1 ? std::atoi(argv[1]) : 10000;
    int tasks = 0;
    double cpuPlain = 0, cpuParams = 0, cpuChain = 0;
    // The chain first, on the fresh heap a `dfm run` starts with.
    const long faults0 = minorFaults();
    const double chain = loadSeconds(chainFlow(10 * n), &tasks, &cpuChain);
    std::printf("chain of %d tasks (each needs the next): %.3f s wall, %.3f s CPU, %ld page faults\n", tasks, chain,
                cpuChain, minorFaults() - faults0);
    const double plain = loadSeconds(plainFlow(n), &tasks, &cpuPlain);
    std::printf("plain flow, %d tasks:            %.3f s wall, %.3f s CPU (baseline)\n", tasks, plain, cpuPlain);
    const double params = loadSeconds(paramFlow(n), &tasks, &cpuParams);
    std::printf("params + expressions, %d tasks:  %.3f s wall, %.3f s CPU (%.2fx the baseline's CPU)\n", tasks, params,
                cpuParams, cpuParams / cpuPlain);
    double cpuMatrix = 0;
    const double matrix = loadSeconds(matrixFlow(n), &tasks, &cpuMatrix);
    std::printf("strategy.matrix body, %d tasks:  %.3f s wall, %.3f s CPU (%.2fx the baseline's CPU)\n", tasks, matrix,
                cpuMatrix, cpuMatrix / cpuPlain);
    double cpuImported = 0;
    const double imported = importedSeconds(n, &tasks, &cpuImported);
    std::printf("plain tasks in 10 imported packages, %d tasks: %.3f s wall, %.3f s CPU (%.2fx the baseline's CPU)\n",
                tasks, imported, cpuImported, cpuImported / cpuPlain);
    return 0;
}
