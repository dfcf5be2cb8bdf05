"""Problems found in records, located by file, line, column and field.

>>> print(Problem("forecasts/a.yaml", 3, 5, "error", "forecasts[0].probability",
...               "must be between 0 and 1, got 1.3"))
forecasts/a.yaml:3:5: error: forecasts[0].probability: must be between 0 and 1, got 1.3
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Loc = tuple[str | int | float, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    path: str
    line: int
    col: int
    severity: Severity
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.field}: {self.message}"

    def row(self) -> tuple[str, int, int, Severity, str, str]:
        """Its fields in order, as kept in the cache (``Problem(*p.row()) == p``)."""
        return (self.path, self.line, self.col, self.severity, self.field, self.message)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem in one record before it is placed in a file: a field path and a message."""

    loc: Loc
    message: str
    severity: Severity = "error"


def field_name(loc: Loc) -> str:
    """Render a pydantic-style location as a field path.

    >>> field_name(("forecasts", 2, "probability"))
    'forecasts[2].probability'
    >>> field_name(())
    '(record)'
    """
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(record)"


class StoreError(Exception):
    """A store that cannot be used: raised with every problem found, never a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def shorten(value: object, limit: int = 80) -> str:
    """``repr`` of a value from the input, cut to ``limit`` characters: a message never
    echoes unbounded input.

    >>> shorten("x" * 100, limit=12)
    "'xxxxxxxxxx…"
    """
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # an integer of thousands of digits, a value nested too deep
        text = f"<{type(value).__name__} too large to show>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command that shows the problem on the file's line in a
    pull request (``::error`` or ``::warning``), escaped as GitHub's workflow-command
    syntax requires.

    >>> print(github_annotation(Problem("forecasts/a.yaml", 3, 5, "error", "forecasts[0].probability",
    ...                                 "must be between 0 and 1, got 1.3")))
    ::error file=forecasts/a.yaml,line=3,col=5,title=forecasts[0].probability::must be between 0 and 1, got 1.3
    """
    return (f"::{problem.severity} file={_escape_property(problem.path)},line={problem.line},col={problem.col},"
            f"title={_escape_property(problem.field)}::{_escape_data(problem.message)}")
