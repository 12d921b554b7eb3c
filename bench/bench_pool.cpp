// Measures the Pool scheduler: 100,000 tasks through 1,000 workers, against a
// deliberately naive O(n) dispatcher as a same-run baseline, then 50,000
// cancels of queued tasks. Prints figures only; nothing here asserts.
#include "pool.h"

#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <string>
#include <vector>

using namespace dfm;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct RunFigures {
    double seconds = 0;
    long events = 0;
    long dispatched = 0;
};

// Submits `tasks` tasks, joins every launched worker, then finishes running
// tasks one at a time (oldest first), carrying out the actions each event
// returns, until every task has run.
RunFigures runPool(int tasks, int workers)
{
    PoolConfig cfg;
    cfg.maxWorkers = workers;
    cfg.launchBatchSize = 4;
    Pool pool(cfg);
    RunFigures f;
    std::deque<WorkerKey> toJoin;
    std::deque<WorkerKey> busy;
    auto apply = [&](const std::vector<PoolAction> &actions) {
        for (const PoolAction &a : actions) {
            if (a.kind == PoolAction::Launch)
                toJoin.push_back(a.worker);
            else if (a.kind == PoolAction::Dispatch) {
                busy.push_back(a.worker);
                ++f.dispatched;
            }
        }
    };
    const auto start = Clock::now();
    qint64 now = 0;
    for (int t = 1; t <= tasks; ++t) {
        pool.submit(TaskKey(t), QString(), now);
        ++f.events;
        apply(pool.takeActions());
    }
    while (!toJoin.empty()) {
        pool.workerJoined(toJoin.front(), ++now);
        toJoin.pop_front();
        ++f.events;
        apply(pool.takeActions());
    }
    while (!busy.empty()) {
        pool.taskFinished(busy.front(), ++now);
        busy.pop_front();
        ++f.events;
        apply(pool.takeActions());
    }
    f.seconds = secondsSince(start);
    return f;
}

// The baseline: what a first attempt looks like. Submit scans every worker
// for an idle one of the class; a finished worker scans the queue for the
// first task of its class and erases it from the middle of a vector.
class NaiveDispatcher {
public:
    explicit NaiveDispatcher(int workers)
        : m_workers(size_t(workers))
    {
    }

    // Returns the worker the task went to, or -1 when it was queued.
    int submit(TaskKey task, const QString &cls)
    {
        for (size_t i = 0; i < m_workers.size(); ++i) {
            if (!m_workers[i].busy && m_workers[i].cls == cls) {
                m_workers[i].busy = true;
                return int(i);
            }
        }
        m_queue.push_back({task, cls});
        return -1;
    }

    // Returns true when the worker took another task.
    bool finished(int worker)
    {
        Worker &w = m_workers[size_t(worker)];
        for (size_t i = 0; i < m_queue.size(); ++i) {
            if (m_queue[i].second == w.cls) {
                m_queue.erase(m_queue.begin() + long(i));
                return true;
            }
        }
        w.busy = false;
        return false;
    }

private:
    struct Worker {
        QString cls;
        bool busy = false;
    };
    std::vector<Worker> m_workers;
    std::vector<std::pair<TaskKey, QString>> m_queue;
};

RunFigures runNaive(int tasks, int workers)
{
    NaiveDispatcher naive(workers);
    RunFigures f;
    std::deque<int> busy;
    const auto start = Clock::now();
    for (int t = 1; t <= tasks; ++t) {
        const int w = naive.submit(TaskKey(t), QString());
        ++f.events;
        if (w >= 0) {
            busy.push_back(w);
            ++f.dispatched;
        }
    }
    while (!busy.empty()) {
        const int w = busy.front();
        busy.pop_front();
        ++f.events;
        if (naive.finished(w)) {
            busy.push_back(w);
            ++f.dispatched;
        }
    }
    f.seconds = secondsSince(start);
    return f;
}

std::string peakRss()
{
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0)
            return line.substr(line.find_first_not_of(" \t", 6));
    }
    return "(unknown)";
}

void print(const char *what, const RunFigures &f)
{
    std::printf("%-34s %8ld events %8ld dispatched %9.3f ms %12.0f events/s\n", what, f.events,
                f.dispatched, f.seconds * 1000.0, f.events / f.seconds);
}

} // namespace

int main()
{
    const RunFigures big = runPool(100000, 1000);
    print("pool: 100,000 tasks, 1,000 workers", big);

    const RunFigures small = runPool(20000, 1000);
    const RunFigures naive = runNaive(20000, 1000);
    print("pool: 20,000 tasks, 1,000 workers", small);
    print("naive: 20,000 tasks, 1,000 workers", naive);
    std::printf("pool is %.1fx faster per event than the naive O(n) dispatcher\n",
                (small.events / small.seconds) / (naive.events / naive.seconds));

    PoolConfig cfg;
    cfg.maxWorkers = 1000;
    Pool pool(cfg);
    for (int t = 1; t <= 100000; ++t)
        pool.submit(TaskKey(t), QString(), 0);
    pool.takeActions();
    const auto start = Clock::now();
    int dequeued = 0;
    for (int t = 2; t <= 100000; t += 2)
        dequeued += pool.cancel(TaskKey(t)) == CancelOutcome::Dequeued;
    const double cancelSeconds = secondsSince(start);
    std::printf("cancel %d of 100,000 queued tasks: %.3f ms (%.0f cancels/s), %d still queued\n",
                dequeued, cancelSeconds * 1000.0, dequeued / cancelSeconds, pool.queuedCount());

    std::printf("peak RSS (VmHWM): %s\n", peakRss().c_str());
    return 0;
}
