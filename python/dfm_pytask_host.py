#!/usr/bin/env python3
"""dfm Python task host: runs `pytask` tasks for a C++ dfm worker.

Started by a worker on its first Python task and kept for the worker's life,
so the cost of importing the user's Python dfm and task libraries is paid
once. It speaks one JSON object per line:

  worker -> host   {"id": N, "task": {task.execute params}, "log": PATH}
  host -> worker   {"hello": {"pid", "python", "executable"}}   (once, first)
                   {"id": N, "result": {status, changed, output, markers, memento}}

A task is called the way the Python dfm worker (dv_flow/mgr/worker.py) calls
it: the callable named by `callable_spec` is imported with `pythonpath`
added to sys.path and awaited as fn(ctxt, input), where input is the user's
dv_flow.mgr TaskDataInput (params and input items as attribute objects) and
ctxt its TaskRunCtxt. Everything the task prints, and the output of the
processes it starts, goes to the task's log file. Markers the task added
through ctxt are returned with the result's own.

Stopping a task (cancel, timeout, worker shutdown) is done by the worker
killing this process; it is restarted for the next task.
"""

import asyncio
import importlib
import inspect
import json
import os
import platform
import signal
import sys
import time
import traceback
import types

_LEFTOVER_GRACE_S = 2.0  # SIGTERM -> SIGKILL for what a task left running

# The protocol goes to the original stdout; fd 1 is pointed elsewhere so
# that nothing a task (or an import) prints can corrupt it.
_proto_out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)


def _send(obj):
    _proto_out.write(json.dumps(obj, default=_json_default) + "\n")
    _proto_out.flush()


def _json_default(v):
    if hasattr(v, "model_dump"):
        return v.model_dump(mode="json")
    if hasattr(v, "value") and not callable(v.value):  # enums (SeverityE)
        return v.value
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    if hasattr(v, "__fspath__"):
        return os.fspath(v)
    return str(v)


def _become_subreaper():
    """Orphaned descendants of a task come back to us (PR_SET_CHILD_SUBREAPER),
    so what a task leaves running can be found and ended."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except Exception:
        pass


def _children():
    pids = []
    try:
        for tid in os.listdir("/proc/self/task"):
            with open("/proc/self/task/%s/children" % tid) as fp:
                pids += [int(p) for p in fp.read().split()]
    except OSError:
        pass
    return pids


def _reap():
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _end_leftovers():
    """Ends the processes a finished task left behind: SIGTERM, then SIGKILL
    after a grace, as a shell task's process group is treated."""
    kids = _children()
    if not kids:
        return 0
    for p in kids:
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + _LEFTOVER_GRACE_S
    while time.monotonic() < deadline:
        _reap()
        if not _children():
            return len(kids)
        time.sleep(0.02)
    while _children():
        for p in _children():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
        _reap()
    return len(kids)


def _dict_to_ns(d):
    """A dict as an attribute object, with model_dump() as the worker's."""
    ns = types.SimpleNamespace(**d)
    ns.model_dump = lambda mode="python": d
    return ns


class _Item(types.SimpleNamespace):
    """A data item made by mkDataItem when the Python dfm offers no builder."""

    def model_dump(self, mode="python"):
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}


class _RunnerShim:
    """What TaskRunCtxt needs of a runner: mkDataItem()."""

    def __init__(self):
        self._real = None
        try:  # the Python dfm's own worker shim builds registered types
            from dv_flow.mgr.worker import _WorkerRunnerShim
            self._real = _WorkerRunnerShim()
        except Exception:
            self._real = None

    def mkDataItem(self, type, **kwargs):
        if self._real is not None:
            return self._real.mkDataItem(type, **kwargs)
        return _Item(type=type, **kwargs)


def _dump(v):
    if v is None:
        return None
    if hasattr(v, "model_dump"):
        return v.model_dump(mode="json")
    if isinstance(v, dict):
        return v
    if hasattr(v, "__dataclass_fields__"):
        import dataclasses
        return dataclasses.asdict(v)
    if isinstance(v, types.SimpleNamespace):
        return {k: x for k, x in vars(v).items() if not callable(x)}
    return v


def _marker_dump(m):
    d = _dump(m)
    if isinstance(d, dict):
        d = dict(d)
        sev = d.get("severity", "info")
        d["severity"] = _json_default(sev) if not isinstance(sev, str) else sev
        if d.get("loc") is None:
            d.pop("loc", None)
    return d


def _fail(msg):
    return {"status": 1, "changed": False, "output": [], "markers": [
        {"msg": msg, "severity": "error"}], "memento": None}


def _resolve_callable(spec):
    last_dot = spec.rfind(".")
    if last_dot < 0:
        raise ImportError("Invalid callable spec: %s" % spec)
    mod = importlib.import_module(spec[:last_dot])
    return getattr(mod, spec[last_dot + 1:])


def _api(mgr, name, submodule):
    obj = getattr(mgr, name, None)
    if obj is None:
        obj = getattr(importlib.import_module("dv_flow.mgr." + submodule), name)
    return obj


def run_task(params, python_desc):
    name = params.get("name", "")
    spec = params.get("callable_spec") or ""
    for p in params.get("pythonpath") or []:
        if p and p not in sys.path:
            sys.path.insert(0, p)
    rundir = params.get("rundir") or os.getcwd()
    srcdir = params.get("srcdir") or ""
    os.makedirs(rundir, exist_ok=True)

    if not spec:
        return _fail("pytask requires callable_spec (task '%s')" % name)
    try:
        import dv_flow.mgr as mgr
        TaskDataInput = _api(mgr, "TaskDataInput", "task_data")
        TaskDataResult = _api(mgr, "TaskDataResult", "task_data")
        TaskRunCtxt = _api(mgr, "TaskRunCtxt", "task_run_ctxt")
    except Exception as e:
        return _fail(
            "cannot run Python task '%s' (callable '%s'): %s cannot import the Python dfm "
            "(dv_flow.mgr): %s: %s. Install dv-flow-mgr for that interpreter, add its "
            "location to the task's pythonpath, or set runner.python to the interpreter "
            "your Python `dfm run` uses" % (name, spec, python_desc, type(e).__name__, e))
    try:
        fn = _resolve_callable(spec)
    except Exception as e:
        return _fail("cannot import callable '%s' for task '%s': %s: %s"
                     % (spec, name, type(e).__name__, e))

    task_input = TaskDataInput(
        name=name,
        changed=True,
        srcdir=srcdir,
        rundir=rundir,
        params=_dict_to_ns(params.get("params") or {}),
        inputs=[_dict_to_ns(i) if isinstance(i, dict) else i for i in params.get("inputs") or []],
        memento=params.get("memento"),
    )
    ctxt = TaskRunCtxt(runner=_RunnerShim(), ctxt=None, rundir=rundir)

    saved_env = dict(os.environ)
    os.environ.update({k: str(v) for k, v in (params.get("env") or {}).items()})
    try:
        async def call():
            r = fn(ctxt, task_input)
            if inspect.isawaitable(r):
                r = await r
            return r
        result = asyncio.run(call())
    except Exception as e:
        traceback.print_exc()
        return _fail("task '%s' (callable '%s') raised %s: %s"
                     % (name, spec, type(e).__name__, e))
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    if result is None:
        result = TaskDataResult()

    markers = [_marker_dump(m) for m in getattr(result, "markers", None) or []]
    markers += [_marker_dump(m) for m in getattr(ctxt, "_markers", None) or []]
    output = [d for d in (_dump(i) for i in getattr(result, "output", None) or [])
              if isinstance(d, dict)]
    return {
        "status": int(getattr(result, "status", 0) or 0),
        "changed": bool(getattr(result, "changed", True)),
        "output": output,
        "markers": markers,
        "memento": _dump(getattr(result, "memento", None)),
    }


def _run_logged(params, log_path, python_desc):
    """run_task() with fds 1 and 2 (and sys.stdout/err) sent to the log."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = (os.dup(1), os.dup(2))
    log_fd = None
    try:
        if log_path:
            os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
            log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            os.dup2(log_fd, 1)
            os.dup2(log_fd, 2)
        return run_task(params, python_desc)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        os.close(saved[0])
        os.close(saved[1])
        if log_fd is not None:
            os.close(log_fd)


def main():
    _become_subreaper()
    python_desc = "the Python task host's interpreter '%s' (Python %s)" % (
        sys.executable, platform.python_version())
    _send({"hello": {"pid": os.getpid(), "python": platform.python_version(),
                     "executable": sys.executable}})
    for raw in sys.stdin.buffer:
        line = raw.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            rid = req["id"]
            task = req["task"]
        except Exception as e:
            _send({"error": "bad request: %s" % e})
            continue
        try:
            result = _run_logged(task, req.get("log"), python_desc)
        except Exception as e:  # the log could not be opened, or worse
            result = _fail("Python task host error for task '%s': %s: %s"
                           % (task.get("name", ""), type(e).__name__, e))
        _end_leftovers()
        try:
            _send({"id": rid, "result": result})
        except Exception as e:  # an unserializable result
            _send({"id": rid, "result": _fail("task '%s' returned a result that is not JSON: %s"
                                              % (task.get("name", ""), e))})


if __name__ == "__main__":
    main()
