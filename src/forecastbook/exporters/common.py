"""What exporters share: writing a file all or nothing, and counting what was left out.

>>> e = Exported("fatebook-csv")
>>> e.leave_out("not binary")
>>> e.wrote("rows", 3)
>>> print(e.summary())
wrote: 3 rows; left out: 1 not binary
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Exported", "write_atomic"]


@dataclass
class Exported:
    """Counts of what an export wrote and left out (with the reason per kind)."""

    format: str
    written: Counter = field(default_factory=Counter)
    left_out: Counter = field(default_factory=Counter)

    def wrote(self, kind: str, n: int = 1) -> None:
        self.written[kind] += n

    def leave_out(self, reason: str, n: int = 1) -> None:
        self.left_out[reason] += n

    def summary(self) -> str:
        wrote = ", ".join(f"{n} {k}" for k, n in sorted(self.written.items())) or "nothing"
        out = "; ".join(f"{n} {why}" for why, n in sorted(self.left_out.items())) or "nothing"
        return f"wrote: {wrote}; left out: {out}"


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file beside it: whole or not at all."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
