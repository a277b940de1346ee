"""The exceptions pcr-graph raises for problems a user can fix.

The CLI turns each into a one-line message and an exit code; a traceback means a bug.
"""

from __future__ import annotations

from dataclasses import dataclass


class PcrGraphError(Exception):
    """Base class: a problem with the user's input or environment (exit code 2)."""

    exit_code = 2


class UsageError(PcrGraphError):
    """A bad option, an unknown area, query or parameter."""


class DataError(PcrGraphError):
    """A file that cannot be read as what it claims to be."""


@dataclass(frozen=True, order=True)
class RowProblem:
    """One bad cell in a tabular input: where it is, and what is wrong with it."""

    file: str
    line: int
    column: str
    problem: str
    expected: str = ""
    record: str = ""
    """The record's own key and name (``x1 'Broken Home'``), so a message reads on its own."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f" ({self.record})" if self.record else "")
        where += f": column {self.column!r}" if self.column else ""
        tail = f" (expected {self.expected})" if self.expected else ""
        return f"{where}: {self.problem}{tail}"


class ImportProblems(PcrGraphError):
    """An import stopped: every bad row is listed, and nothing was written."""

    def __init__(self, problems: list[RowProblem], summary: str = "") -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        found = summary or f"{count} problem{'s' if count != 1 else ''} found"
        super().__init__(f"{found}; nothing was imported")


class ValidationFailed(PcrGraphError):
    """The data does not conform to the shapes (exit code 1)."""

    exit_code = 1
