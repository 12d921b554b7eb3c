"""Python tasks the tests run through the task host (with the stand-in dfm)."""
import asyncio
import os
import subprocess
import sys

from dv_flow.mgr import FileSet, SeverityE, TaskDataResult, TaskMarker


async def Collect(ctxt, input):
    """Lists the files matching params.suffix in params.dir; echoes inputs."""
    print("collecting in", input.params.dir)
    sys.stdout.flush()
    subprocess.run(["echo", "from a child process"], check=True)
    files = sorted(f for f in os.listdir(input.params.dir) if f.endswith(input.params.suffix))
    fs = FileSet(src=input.name, filetype="verilogSource", basedir=input.params.dir, files=files)
    seen = [getattr(i, "files", None) for i in input.inputs]
    env_item = ctxt.mkDataItem("std.Env", vals={"SEEN": repr(seen)})
    return TaskDataResult(output=[fs, env_item], memento={"count": len(files)},
                          changed=input.memento is None)


async def Fail(ctxt, input):
    ctxt.error("checked by ctxt", None)
    return TaskDataResult(status=2, markers=[
        TaskMarker(msg="lint found %d problems" % input.params.n, severity=SeverityE.Error)])


async def Raise(ctxt, input):
    raise ValueError("bad parameter 'x'")


async def Sleep(ctxt, input):
    with open(os.path.join(input.rundir, "host.pid"), "w") as fp:
        fp.write("%d\n" % os.getpid())
    await asyncio.sleep(input.params.secs)
    return TaskDataResult()


def Sync(ctxt, input):
    return TaskDataResult(output=[{"type": "std.Env", "vals": {"A": os.environ.get("A", "")}}])


async def Trivial(ctxt, input):
    return None


async def Leak(ctxt, input):
    """Leaves a background process running, as a careless task might."""
    p = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    with open(os.path.join(input.rundir, "bg.pid"), "w") as fp:
        fp.write("%d\n" % p.pid)
    return TaskDataResult()
