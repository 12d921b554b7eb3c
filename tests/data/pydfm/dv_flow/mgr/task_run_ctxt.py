import dataclasses as dc
import os
from typing import Any, List

from .task_data import SeverityE, TaskMarker


@dc.dataclass
class TaskRunCtxt:
    runner: Any
    ctxt: Any
    rundir: str
    _markers: List[TaskMarker] = dc.field(default_factory=list)

    @property
    def env(self):
        return self.ctxt.env if self.ctxt is not None else os.environ

    def mkDataItem(self, type, **kwargs):
        return self.runner.mkDataItem(type=type, **kwargs)

    def marker(self, msg, severity, loc=None):
        self._markers.append(TaskMarker(msg=msg, severity=severity, loc=loc))

    def error(self, msg, loc=None):
        self.marker(msg, SeverityE.Error, loc)

    def warning(self, msg, loc=None):
        self.marker(msg, SeverityE.Warning, loc)

    def info(self, msg, loc=None):
        self.marker(msg, SeverityE.Info, loc)
