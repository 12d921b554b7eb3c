#!/usr/bin/env python3
"""Issue 11's benchmark suite: every figure of its table, each against a
baseline measured in the same invocation (interleaved, several repetitions,
medians), printed as a table and as one JSON line per figure.

    bench/run [--smoke]                  (configures and builds build-release first)
    python3 bench/run.py --build-dir DIR [--smoke] [--only WORD]

--smoke runs small counts and checks no target: it only proves that every
benchmark still runs (CTest's bench_smoke). docs/performance.md describes
each figure, its baseline and the machine."""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HZ = os.sysconf("SC_CLK_TCK")


class Suite:
    def __init__(self, build, smoke, work, reps=None, tasks=None):
        self.dfm = os.path.join(build, "cli", "dfm")
        self.bench = os.path.join(build, "bench")
        self.smoke = smoke
        self.reps = reps  # --reps: overrides every comparison's repetitions
        self.tasks = tasks  # --tasks: overrides the task count of the two longest figures
        self.work = work
        self.figures = []
        self.daemons = []  # project roots with a daemon we started

    # --- helpers -----------------------------------------------------------

    def n(self, full, smoke):
        return smoke if self.smoke else full

    def r(self, full):
        """Repetitions of a comparison: `full`, 1 in smoke mode, or --reps."""
        return self.reps or (1 if self.smoke else full)

    def tool(self, name):
        return os.path.join(self.bench, name)

    def figure(self, name, value, unit, baseline=None, ratio=None, target=None, note=""):
        """target: (on, op, limit, text): checks `value` or `ratio` against limit."""
        met = None
        if target and not self.smoke and value is not None:
            on, op, limit, _ = target
            x = ratio if on == "ratio" else value
            met = x is not None and (x >= limit if op == ">=" else x <= limit)
        self.figures.append({"name": name, "value": value, "unit": unit, "baseline": baseline,
                             "ratio": ratio, "target": target[3] if target else None, "met": met,
                             "note": note})
        f = self.figures[-1]
        print("bench: figure " + json.dumps({k: f[k] for k in ("name", "value", "unit", "baseline", "ratio")}),
              file=sys.stderr, flush=True)

    def project(self, tag):
        d = os.path.join(self.work, tag)
        os.makedirs(d, exist_ok=True)
        return d

    def start_daemon(self, root, pool, env=None):
        e = dict(os.environ, **(env or {}))
        subprocess.run([self.dfm, "daemon", "start", "--root", root, "--pool-size", str(pool)],
                       check=True, stdout=subprocess.DEVNULL, env=e)
        self.daemons.append(root)
        return daemon_pid(root)

    def stop_daemon(self, root):
        """Stops the daemon of `root`, if any, and waits until its process is gone."""
        try:
            pid = daemon_pid(root)
        except (OSError, ValueError, KeyError):
            return
        subprocess.run([self.dfm, "daemon", "stop", "--root", root],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: not alive(pid), 30)

    def client(self, *args):
        out = subprocess.run([self.tool("bench_client")] + [str(a) for a in args], check=True,
                             stdout=subprocess.PIPE, text=True).stdout
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]

    def dfm_run(self, root, *args, check_rc=(0,)):
        """Whole `dfm run` process; returns seconds."""
        t0 = time.perf_counter()
        rc = subprocess.run([self.dfm, "run", "--root", root] + list(args),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
        t = time.perf_counter() - t0
        if rc not in check_rc:
            raise RuntimeError(f"dfm run {' '.join(args)} exited {rc}")
        return t

    # --- the figures -------------------------------------------------------

    def warm_daemon(self):
        """Project `warm`: a daemon with pool 2, both workers started."""
        self.warm = self.project("warm")
        self.warm_pid = self.start_daemon(self.warm, 2)
        lst = write_lines(self.work, "warm.txt", ["true"] * 20)
        self.dfm_run(self.warm, "--tasks-from", lst, "--rundir", self.fresh("warmup"))
        workers = worker_pids(self.warm_pid)
        if len(workers) != 2:
            raise RuntimeError(f"expected 2 warm workers, found {len(workers)}")

    def fresh(self, tag):
        d = tempfile.mkdtemp(prefix=tag + ".", dir=self.work)
        return d

    def run_vs_direct(self):
        n, reps = self.tasks or self.n(1000, 20), self.r(5)
        lst = write_lines(self.work, "true.txt", ["true"] * n)

        def via_dfm():
            d = self.fresh("rd")
            t = self.dfm_run(self.warm, "--tasks-from", lst, "--rundir", d)
            shutil.rmtree(d)
            return t

        def direct():
            d = self.fresh("rdirect")
            t0 = time.perf_counter()
            subprocess.run([self.tool("bench_direct"), str(n), "2", d], check=True)
            t = time.perf_counter() - t0
            shutil.rmtree(d)
            return t

        a, b = interleave(reps, via_dfm, direct)
        ma, mb = statistics.median(a), statistics.median(b)
        self.figure(f"dfm run --tasks-from, {n} true tasks, warm daemon pool 2 (speed vs direct)",
                    ms(ma), "ms", ms(mb), round(mb / ma, 3), ("ratio", ">=", 0.95, "ratio >= 0.95"),
                    "ratio = direct time / dfm time")

    def roundtrip(self):
        n = self.n(1000, 20)
        d = self.fresh("rt")
        r = self.client("roundtrip", sock(self.warm), n, d)[0]
        shutil.rmtree(d)
        # Each round trip minus the bare spawn right after it (same moment's load), then percentiles.
        p50, p99 = r["diff_p50_ms"], r["diff_p99_ms"]
        self.figure("round trip of a trivial task on a warm worker, minus bare bash -c true, p50",
                    round(p50, 3), "ms", round(r["bare_p50_ms"], 3), round(r["rt_p50_ms"] / r["bare_p50_ms"], 3),
                    ("value", "<=", 0.5, "<= 0.5 ms"), f"{n} tasks, interleaved with the bare spawns")
        self.figure("round trip of a trivial task on a warm worker, minus bare bash -c true, p99",
                    round(p99, 3), "ms", round(r["bare_p99_ms"], 3), round(r["rt_p99_ms"] / r["bare_p99_ms"], 3),
                    ("value", "<=", 2.0, "<= 2 ms"))

    def cpu_per_task(self):
        n, reps = self.tasks or self.n(10000, 100), 1  # one run: its baseline is measured in that same run
        lst = write_lines(self.work, "cpu.txt", ["true"] * n)
        daemon, worker, task = [], [], []
        for _ in range(reps):
            d = self.fresh("cpu")
            workers = worker_pids(self.warm_pid)
            helpers = [c for w in workers for c in children(w)]  # each worker's reaper
            d0, w0 = ticks(self.warm_pid), sum(ticks(p) for p in workers + helpers)
            c0 = sum(child_ticks(p) for p in workers)
            self.dfm_run(self.warm, "--tasks-from", lst, "--rundir", d)
            d1, w1 = ticks(self.warm_pid), sum(ticks(p) for p in workers + helpers)
            c1 = sum(child_ticks(p) for p in workers)
            if worker_pids(self.warm_pid) != workers:
                raise RuntimeError("the warm workers changed during the run")
            shutil.rmtree(d)
            daemon.append((d1 - d0) / HZ / n * 1e6)
            worker.append((w1 - w0) / HZ / n * 1e6)
            task.append((c1 - c0) / HZ / n * 1e6)
        md, mw, mt = statistics.median(daemon), statistics.median(worker), statistics.median(task)
        self.figure(f"daemon CPU per task (utime+stime, {n} tasks)", round(md, 1), "us", round(mt, 1),
                    ratio_of(md, mt), ("value", "<=", 20, "<= 20 us"),
                    "baseline: CPU of the task's own process (bash -c true)")
        self.figure(f"worker CPU per task beyond the task's process ({n} tasks)", round(mw, 1), "us", round(mt, 1),
                    ratio_of(mw, mt), ("value", "<=", 60, "<= 60 us"),
                    "worker + its reaper; baseline: the task's own process")

    def dispatch_capacity(self):
        n, reps = self.n(50000, 500), self.r(3)
        root = self.project("echo")
        pid = self.start_daemon(root, 4, {"DFM_WORKER_BENCH_ECHO": "1"})
        rates, cpu = [], []
        for i in range(reps):
            r = self.client("flood", sock(root), n, 8, 64, pid, self.n(2000, 100) if i == 0 else 0)[0]
            rates.append(r["rate"])
            cpu.append(r["daemon_cpu_us_per_task"])
        self.figure("dispatch capacity: bench-echo workers (4), 8 clients x 64 in flight", round(statistics.median(rates)),
                    "tasks/s", None, None, ("value", ">=", 50000, ">= 50,000/s"), f"{n} tasks per repetition")
        self.figure("daemon CPU per task at dispatch capacity (bench-echo workers)", round(statistics.median(cpu), 1),
                    "us", None, None, None, "context for the row above")
        self.echo = (root, pid)

    def monitor_cpu(self):
        if not shutil.which("tmux"):
            self.figure("terminal monitor CPU at 1,000 tasks/s", None, "% core", note="skipped: no tmux")
            return
        root, dpid = self.echo
        rate, secs = self.n(1000, 200), self.n(10, 2)
        tsock = os.path.join(self.work, "tmux.sock")
        conf = write_lines(self.work, "tmux.conf", ["set -g status off"])
        tmux = ["tmux", "-u", "-S", tsock]
        subprocess.run(tmux + ["-f", conf, "new-session", "-d", "-s", "mon", "-x", "120", "-y", "40",
                               f"LC_ALL=C.UTF-8 exec '{self.dfm}' daemon --monitor --root '{root}'"], check=True)
        try:
            mpid = int(subprocess.run(tmux + ["display-message", "-p", "-t", "mon", "#{pane_pid}"],
                                      check=True, stdout=subprocess.PIPE, text=True).stdout)
            wait_for(lambda: "Running (" in subprocess.run(tmux + ["capture-pane", "-p", "-t", "mon"],
                                                            stdout=subprocess.PIPE, text=True).stdout, 30)
            m0, d0, t0 = ticks(mpid), ticks(dpid), time.perf_counter()
            r = self.client("paced", sock(root), rate, secs)[0]
            m1, d1, t1 = ticks(mpid), ticks(dpid), time.perf_counter()
        finally:
            subprocess.run(tmux + ["kill-server"], stderr=subprocess.DEVNULL)
        wall = t1 - t0
        mon, dae = (m1 - m0) / HZ / wall * 100, (d1 - d0) / HZ / wall * 100
        self.figure(f"terminal monitor CPU while the daemon completes {round(r['rate'])} tasks/s",
                    round(mon, 1), "% core", round(dae, 1), ratio_of(mon, dae), None,
                    "baseline: the daemon's own CPU over the same interval (bench-echo workers)")

    def daemon_start(self):
        reps = self.r(10)
        root = self.project("start")

        def start():
            t0 = time.perf_counter()
            subprocess.run([self.dfm, "daemon", "start", "--root", root], check=True, stdout=subprocess.DEVNULL)
            t = time.perf_counter() - t0
            self.stop_daemon(root)
            return t

        def version():
            t0 = time.perf_counter()
            subprocess.run([self.dfm, "--version"], check=True, stdout=subprocess.DEVNULL)
            return time.perf_counter() - t0

        self.daemons.append(root)
        self.stop_daemon(root)
        a, b = interleave(reps, start, version)
        ma, mb = statistics.median(a), statistics.median(b)
        self.figure("dfm daemon start, to its return", ms(ma), "ms", ms(mb), round(ma / mb, 2),
                    ("value", "<=", 20, "<= 20 ms"), "baseline: dfm --version (the binary's own start)")

    def failing_flow(self):
        n, reps = self.n(10000, 100), self.r(5)
        big = flow_text([("build", "exit 1", [])] + [(f"test{i}", "true", ["build"]) for i in range(n)]
                        + [("report", "true", [f"test{i}" for i in range(n)])])
        small = flow_text([("build", "exit 1", [])])
        flow = os.path.join(self.warm, "flow.dv")

        def run(text):
            def f():
                with open(flow, "w") as fh:
                    fh.write(text)
                d = self.fresh("ff")
                t = self.dfm_run(self.warm, "--all", "--rundir", d, check_rc=(1,))
                shutil.rmtree(d)
                return t
            return f

        a, b = interleave(reps, run(big), run(small))
        os.remove(flow)
        ma, mb = statistics.median(a), statistics.median(b)
        self.figure(f"{n}-test flow, build failing: whole dfm run", ms(ma), "ms", ms(mb), round(ma / mb, 2),
                    ("value", "<=", 300, "<= 300 ms"), "baseline: the same run of the build alone")

    def first_dispatch(self):
        n, reps = self.n(10000, 100), self.r(5)
        needs = n * 9 // 10
        roots = n - needs
        tasks = [(f"t{i}", "true", [f"t{i - roots}"] if i >= roots else []) for i in range(n)]
        big, small = flow_text(tasks), flow_text([("t0", "true", [])])
        flow = os.path.join(self.warm, "flow.dv")

        def run(text):
            def f():
                with open(flow, "w") as fh:
                    fh.write(text)
                d = self.fresh("fd")
                mon = Monitor(sock(self.warm))
                try:
                    t0 = time.perf_counter()
                    p = subprocess.Popen([self.dfm, "run", "--all", "--root", self.warm, "--rundir", d],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    if not mon.dispatched.wait(60):
                        p.kill()
                        raise RuntimeError("no task.dispatched within 60 s")
                    t = mon.when - t0
                    if p.poll() is None:
                        p.send_signal(signal.SIGINT)
                    p.wait(60)
                finally:
                    mon.close()
                shutil.rmtree(d)
                return t
            return f

        a, b = interleave(reps, run(big), run(small))
        os.remove(flow)
        ma, mb = statistics.median(a), statistics.median(b)
        self.figure(f"{n} tasks with {needs} needs: dfm run start to first dispatch", ms(ma), "ms", ms(mb),
                    round(ma / mb, 2), ("value", "<=", 150, "<= 150 ms"), "baseline: a one-task flow")

    def one_task_flow(self):
        reps = self.r(15)
        flow = os.path.join(self.warm, "flow.dv")
        with open(flow, "w") as fh:
            fh.write(flow_text([("t0", "true", [])]))

        def run():
            d = self.fresh("one")
            t = self.dfm_run(self.warm, "--all", "--rundir", d)
            shutil.rmtree(d)
            return t

        def bare():
            t0 = time.perf_counter()
            subprocess.run(["/bin/bash", "-c", "true"], check=True)
            return time.perf_counter() - t0

        a, b = interleave(reps, run, bare)
        os.remove(flow)
        ma, mb = statistics.median(a), statistics.median(b)
        self.figure("warm dfm run of a one-task flow, minus bash -c true", ms(ma - mb), "ms", ms(mb),
                    round(ma / mb, 2), ("value", "<=", 5, "<= +5 ms"), "baseline: bash -c true, whole process")

    def rss(self):
        n = self.n(100000, 1000)
        root = self.project("queue")
        pid = self.start_daemon(root, 1)
        d = self.fresh("q")
        r = self.client("queue", sock(root), n, pid, d)
        self.stop_daemon(root)
        shutil.rmtree(d, ignore_errors=True)
        idle, full, drained = r[0]["idle_kib"] / 1024, r[0]["queued_kib"] / 1024, r[1]["drained_kib"] / 1024
        self.figure("daemon RSS, idle", round(idle, 1), "MiB", None, None, ("value", "<=", 15, "<= 15 MiB"))
        self.figure(f"daemon RSS, {n} tasks queued", round(full, 1), "MiB", round(idle, 1), ratio_of(full, idle),
                    ("value", "<=", 40, "<= 40 MiB"), "baseline: the same daemon idle")
        self.figure("daemon RSS after that queue is cancelled", round(drained, 1), "MiB", round(idle, 1),
                    ratio_of(drained, idle), None, "is memory given back?")

    def floor(self):
        """What the machine itself charges for the steps every task needs (bench_floor, no dfm, no
        Qt), and the start of a bare Qt program: the floor under the per-task and start-up rows."""
        reps = self.r(3)

        def floor_run(*args):
            out = subprocess.run([self.tool("bench_floor")] + [str(a) for a in args], check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
            return json.loads(out.splitlines()[-1])

        def files_once():
            d = self.fresh("floor")
            r = floor_run("files", self.n(2000, 20), d)
            shutil.rmtree(d)
            return r["cpu_us_per_task"]

        wakes = [floor_run("wake", self.n(2000, 20)) for _ in range(reps)]
        files = statistics.median(files_once() for _ in range(reps))
        spawns = [floor_run("spawn", self.n(500, 5)) for _ in range(reps)]
        fault = statistics.median(floor_run("fault", self.n(20000, 100))["cpu_us_per_fault"] for _ in range(reps))
        sysc = statistics.median(floor_run("syscall", self.n(200000, 1000))["cpu_us_per_call"] for _ in range(reps))
        wake = statistics.median(w["cpu_us_per_wake"] for w in wakes)
        spawn = statistics.median(s["parent_cpu_us_per_task"] for s in spawns)
        child = statistics.median(s["child_cpu_us_per_task"] for s in spawns)
        note = "bench_floor: no dfm, no Qt"
        self.figure("machine floor: one system call (getppid), CPU", round(sysc, 2), "us", None, None, None, note)
        self.figure("machine floor: one page fault, CPU", round(fault, 2), "us", None, None, None, note)
        self.figure("machine floor: one wake-up of an idle process (ppoll, read, write), CPU", round(wake, 1), "us",
                    None, None, None, note + "; a daemon wakes at least once per task")
        self.figure("machine floor: one hop between idle processes over a Unix socket, p50",
                    round(statistics.median(w["hop_p50_us"] for w in wakes), 1), "us", None, None, None,
                    "a round trip through the daemon takes 4 hops more than a bare spawn")
        self.figure("machine floor: a task's files (mkdir, 2 JSON, 4 empty files, log, 5 lstat), CPU",
                    round(files, 1), "us", None, None, None, "what the Python dfm's task environment needs")
        self.figure("machine floor: posix_spawn and waitpid of bash -c true, the parent's CPU", round(spawn, 1), "us",
                    round(child, 1), None, None, "baseline: the child's own CPU")
        self.figure("machine floor: a worker's CPU per task (files + spawn + one wake-up)",
                    round(files + spawn + wake, 1), "us", None, None, None, "the sum of the three rows above")

        def qt():
            t0 = time.perf_counter()
            subprocess.run([self.tool("bench_qtfloor")], check=True)
            return time.perf_counter() - t0

        def bash():
            t0 = time.perf_counter()
            subprocess.run(["/bin/bash", "-c", "true"], check=True)
            return time.perf_counter() - t0

        a, b = interleave(self.r(20), qt, bash)
        ma, mb = statistics.median(a), statistics.median(b)
        self.figure("machine floor: a bare QCoreApplication program, whole process, minus bash -c true",
                    ms(ma - mb), "ms", ms(mb), round(ma / mb, 2), None,
                    "Qt Core only; any dfm command pays at least this")

    def scheduler(self):
        args = [self.tool("bench_scheduler"), "--benchmark_format=json",
                f"--benchmark_min_time={self.n(0.5, 0.01)}", f"--benchmark_repetitions={self.r(3)}"]
        out = json.loads(subprocess.run(args, check=True, stdout=subprocess.PIPE, text=True).stdout)
        per = {}
        for b in out["benchmarks"]:
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            if self.smoke or b.get("run_type") == "aggregate":
                per[int(b["queued"])] = b["real_time"] if b["time_unit"] == "ns" else b["real_time"] * 1e3
        base = per[1000]
        for q in sorted(per):
            ns = per[q]
            target = ("value", ">=", 1_000_000, ">= 1,000,000/s")
            self.figure(f"scheduler alone, 1,000 workers in 4 classes, {q} queued: decisions/s",
                        round(1e9 / ns), "/s", None, None, target)
            self.figure(f"scheduler alone, {q} queued: cost per decision", round(ns, 1), "ns", round(base, 1),
                        ratio_of(ns, base), ("ratio", "<=", 1.5, "<= 1.5x the 1,000-queued cost (flat)") if q != 1000 else None,
                        "baseline: cost at 1,000 queued")

    def cleanup(self):
        for root in self.daemons:
            try:
                self.stop_daemon(root)
            except (OSError, RuntimeError) as e:
                print(f"bench: cannot stop the daemon of {root}: {e}", file=sys.stderr)


# --- plumbing ---------------------------------------------------------------

class Monitor:
    """A monitor.subscribe connection that notes when the first task.dispatched arrives."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.s.sendall(b'{"id": 1, "method": "monitor.subscribe", "params": {}}\n')
        self.f = self.s.makefile("rb")
        while b"monitor.snapshot" not in self.f.readline():
            pass
        self.dispatched = threading.Event()
        self.when = None
        self.t = threading.Thread(target=self.read, daemon=True)
        self.t.start()

    def read(self):
        try:
            for line in self.f:
                if b'"task.dispatched"' in line and not self.dispatched.is_set():
                    self.when = time.perf_counter()
                    self.dispatched.set()
        except (OSError, ValueError):
            pass

    def close(self):
        try:
            self.s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.s.close()
        self.t.join(5)


def interleave(reps, fa, fb):
    """Runs fa and fb `reps` times each, alternating which goes first; returns both lists."""
    a, b = [], []
    for i in range(reps):
        if i % 2 == 0:
            a.append(fa())
            b.append(fb())
        else:
            b.append(fb())
            a.append(fa())
    return a, b


def ms(seconds):
    return round(seconds * 1000, 2)


def ratio_of(x, y):
    return round(x / y, 3) if y else None


def write_lines(work, name, lines):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def flow_text(tasks):
    out = ["package:", "  name: b", "  tasks:"]
    for name, body, needs in tasks:
        out.append(f"  - name: {name}")
        out.append(f"    run: '{body}'")
        if needs:
            out.append(f"    needs: [{', '.join(needs)}]")
    return "\n".join(out) + "\n"


def sock(root):
    return os.path.join(root, ".dfm", "daemon.sock")


def daemon_pid(root):
    with open(os.path.join(root, ".dfm", "daemon.json")) as f:
        return int(json.load(f)["pid"])


def stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()  # fields from 3 (state) on


def ticks(pid):
    f = stat_fields(pid)
    return int(f[11]) + int(f[12])  # utime + stime


def child_ticks(pid):
    f = stat_fields(pid)
    return int(f[13]) + int(f[14])  # cutime + cstime: reaped children (the tasks)


def alive(pid):
    try:
        return stat_fields(pid)[0] != "Z"
    except OSError:
        return False


def children(pid):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if int(stat_fields(p)[1]) == pid:
                    out.append(int(p))
            except (OSError, IndexError):
                pass
    return sorted(out)


def worker_pids(daemon):
    return [p for p in children(daemon) if "worker" in open(f"/proc/{p}/cmdline").read()]


def wait_for(cond, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.1)
    raise RuntimeError("timed out waiting")


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def print_table(figures, smoke):
    rows = [("figure", "value", "unit", "baseline", "ratio", "target", "met")]
    for f in figures:
        met = "-" if f["met"] is None else ("yes" if f["met"] else "NO")
        rows.append((f["name"], fmt(f["value"]), f["unit"], fmt(f["baseline"]), fmt(f["ratio"]),
                     f["target"] or "-", met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) if j in (0, 2, 5) else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    if smoke:
        print("(smoke mode: small counts, targets not checked)")


def print_markdown(figures):
    print("| figure | value | unit | same-run baseline | ratio | target | met |")
    print("|---|---|---|---|---|---|---|")
    for f in figures:
        met = "-" if f["met"] is None else ("yes" if f["met"] else "**no**")
        print(f"| {f['name']} | {fmt(f['value'])} | {f['unit']} | {fmt(f['baseline'])} | {fmt(f['ratio'])} "
              f"| {f['target'] or '-'} | {met} |")


STEPS = ["warm_daemon", "run_vs_direct", "roundtrip", "cpu_per_task", "failing_flow", "first_dispatch",
         "one_task_flow", "dispatch_capacity", "monitor_cpu", "daemon_start", "rss", "scheduler", "floor"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", required=True, help="a build of dfm with bench/ (bench/run: build-release)")
    ap.add_argument("--smoke", action="store_true", help="small counts, no targets checked")
    ap.add_argument("--only", action="append", default=[], help="run only steps whose name contains WORD")
    ap.add_argument("--reps", type=int, help="repetitions of every comparison (default: each one's own; "
                    "fewer only when the machine is too loaded to finish)")
    ap.add_argument("--tasks", type=int, help="task count of the run-vs-direct and CPU-per-task figures "
                    "(default 1,000 and 10,000; fewer only when the machine is too loaded to finish; "
                    "the figures' names carry the count)")
    ap.add_argument("--markdown", action="store_true", help="also print the table in Markdown (docs/performance.md)")
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop the daemons
    work = tempfile.mkdtemp(prefix="dfm-bench.")
    suite = Suite(os.path.abspath(a.build_dir), a.smoke, work, a.reps, a.tasks)
    steps = [s for s in STEPS if not a.only or s == "warm_daemon" or any(w in s for w in a.only)]
    if "monitor_cpu" in steps and "dispatch_capacity" not in steps:
        steps.insert(steps.index("monitor_cpu"), "dispatch_capacity")
    t0 = time.perf_counter()
    failed = []
    try:
        for step in steps:
            ts = time.perf_counter()
            try:
                getattr(suite, step)()
            except (OSError, RuntimeError, subprocess.SubprocessError, ValueError, KeyError) as e:
                failed.append(step)
                print(f"bench: {step} FAILED: {e}", file=sys.stderr, flush=True)
                if step == "warm_daemon":
                    break
                continue
            print(f"bench: {step} done in {time.perf_counter() - ts:.1f} s", file=sys.stderr, flush=True)
    finally:
        suite.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print_table(suite.figures, a.smoke)
    if a.markdown:
        print_markdown(suite.figures)
    for f in suite.figures:
        print(json.dumps({k: f[k] for k in ("name", "value", "unit", "baseline", "ratio", "target", "met")}))
    print(f"bench: {len(suite.figures)} figures in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if failed:
        print(f"bench: these steps could not run: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
