import dataclasses as dc
from typing import List

from .task_data import TaskDataItem


@dc.dataclass
class FileSet(TaskDataItem):
    type: str = "std.FileSet"
    filetype: str = ""
    basedir: str = ""
    files: List[str] = dc.field(default_factory=list)
    incdirs: List[str] = dc.field(default_factory=list)
    defines: List[str] = dc.field(default_factory=list)
