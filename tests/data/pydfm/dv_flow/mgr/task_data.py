import dataclasses as dc
import enum
from typing import Any, List, Optional


class SeverityE(enum.Enum):
    Info = "info"
    Warning = "warning"
    Error = "error"


@dc.dataclass
class TaskMarkerLoc:
    path: str = ""
    line: int = -1
    pos: int = -1

    def model_dump(self, mode="python"):
        return dc.asdict(self)


@dc.dataclass
class TaskMarker:
    msg: str
    severity: SeverityE = SeverityE.Info
    loc: Optional[TaskMarkerLoc] = None

    def model_dump(self, mode="python"):
        d = {"msg": self.msg, "severity": self.severity.value if mode == "json" else self.severity}
        if self.loc is not None:
            d["loc"] = self.loc.model_dump(mode)
        return d


@dc.dataclass
class TaskDataItem:
    type: str = ""
    src: str = ""
    seq: int = -1

    def model_dump(self, mode="python"):
        return dc.asdict(self)


@dc.dataclass
class TaskDataInput:
    name: str
    changed: bool
    srcdir: str
    rundir: str
    params: Any
    inputs: List[Any]
    memento: Any = None


@dc.dataclass
class TaskDataResult:
    changed: bool = True
    output: List[Any] = dc.field(default_factory=list)
    memento: Any = None
    markers: List[TaskMarker] = dc.field(default_factory=list)
    status: int = 0
