"""Test stand-in for dv_flow.mgr: the public Python task API only."""
from .task_data import (SeverityE, TaskDataInput, TaskDataItem, TaskDataResult, TaskMarker,
                        TaskMarkerLoc)
from .task_run_ctxt import TaskRunCtxt
from .fileset import FileSet
