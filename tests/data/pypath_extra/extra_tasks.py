"""Importable only when the task's pythonpath names this directory."""
from dv_flow.mgr import TaskDataResult


async def Hello(ctxt, input):
    print("hello from extra_tasks")
    return TaskDataResult(output=[{"type": "demo.Hello", "who": input.params.who}])
