// The scheduler alone (core/pool), with Google Benchmark: 1,000 workers in
// 4 resource classes, all busy, and 1,000, 10,000 or 100,000 tasks queued.
// One iteration is one scheduling decision in steady state: a worker's task
// finishes and the pool dispatches the next queued task of its class to it,
// plus the submit of a new task that keeps the queue at its depth (so the
// submit's cost is counted in the decision's). Issue 11's target:
// >= 1,000,000 decisions/s, cost per decision flat from 1,000 to 100,000.
//
//   bench_scheduler [--benchmark_format=json] [--benchmark_min_time=0.5] ...

#include "pool.h"

#include <benchmark/benchmark.h>

#include <vector>

using namespace dfm;

namespace {

constexpr int kWorkers = 1000;
constexpr int kClasses = 4;

void BM_Decision(benchmark::State &state)
{
    const int queued = int(state.range(0));
    PoolConfig cfg;
    cfg.maxWorkers = kWorkers;
    Pool pool(cfg);
    const QString classes[kClasses] = {QStringLiteral("c0"), QStringLiteral("c1{cores=8}"),
                                       QStringLiteral("c2{memory=32G}"), QStringLiteral("c3{queue=big}")};
    TaskKey next = 1;
    qint64 now = 0;
    // Fill: enough tasks for every worker plus the queue, round-robin over the classes.
    std::vector<WorkerKey> launched;
    for (int i = 0; i < kWorkers + queued; ++i) {
        pool.submit(next++, classes[i % kClasses], now);
        for (const PoolAction &a : pool.takeActions())
            if (a.kind == PoolAction::Launch)
                launched.push_back(a.worker);
    }
    std::vector<WorkerKey> busy;
    std::vector<int> busyClass;
    for (size_t i = 0; i < launched.size(); ++i) {
        pool.workerJoined(launched[i], ++now);
        for (const PoolAction &a : pool.takeActions()) {
            if (a.kind == PoolAction::Launch)
                launched.push_back(a.worker);
        }
    }
    for (WorkerKey w : launched) {
        if (pool.workerState(w) == WorkerState::Busy) {
            busy.push_back(w);
            const QString cls = pool.workerClass(w);
            int c = 0;
            while (c < kClasses && classes[c] != cls)
                ++c;
            busyClass.push_back(c);
        }
    }
    if (pool.runningCount() != kWorkers || pool.queuedCount() != queued) {
        state.SkipWithError("setup did not reach 1,000 busy workers and the queue depth");
        return;
    }
    size_t i = 0;
    long dispatched = 0;
    for (auto _ : state) {
        const WorkerKey w = busy[i];
        pool.taskFinished(w, ++now);
        for (const PoolAction &a : pool.takeActions())
            dispatched += a.kind == PoolAction::Dispatch;
        pool.submit(next++, classes[busyClass[i]], now);
        benchmark::DoNotOptimize(pool.takeActions());
        if (++i == busy.size())
            i = 0;
    }
    if (dispatched != long(state.iterations()) || pool.queuedCount() != queued)
        state.SkipWithError("a finished worker did not take the next queued task");
    state.SetItemsProcessed(state.iterations());
    state.counters["queued"] = queued;
    state.counters["workers"] = kWorkers;
}

} // namespace

BENCHMARK(BM_Decision)->Arg(1000)->Arg(10000)->Arg(100000);

BENCHMARK_MAIN();
