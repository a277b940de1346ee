"""What happened to each row of a registry file, and the problems file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pcr_graph.core.errors import RowProblem
from pcr_graph.ingest.registries.kinds import UNRECOGNISED


@dataclass(frozen=True, order=True)
class RegistryProblem(RowProblem):
    """A rejected or reported row, with the record's own key and name beside where it is,
    so the problems file can be read without the source file open."""

    key: str = ""
    """The record's code (an ODS code, a CQC location id, a PCN code), or empty."""
    name: str = ""
    """The record's name as the file prints it, or empty."""


@dataclass
class Accounting:
    """What happened to the rows of one file.

    ``read == imported + merged + rejected`` always holds (:meth:`check`).
    """

    file: str
    kind: str
    release: str
    read: int = 0
    imported: int = 0
    merged: int = 0
    rejected: int = 0
    rejections: list[RegistryProblem] = field(default_factory=list)
    """One per rejected row: file, line, column and the reason."""
    reported: list[RegistryProblem] = field(default_factory=list)
    """Imported or merged rows that look inconsistent (a row may have several)."""
    seconds: float = 0.0
    current: bool = True
    """False when the file was kept as history (``pcr:RegistryRecord`` nodes)."""

    def check(self) -> None:
        """Raise AssertionError unless every row read was imported, merged or rejected."""
        total = self.imported + self.merged + self.rejected
        if self.read != total:
            raise AssertionError(
                f"{self.file}: {self.read} rows read but {self.imported} imported + "
                f"{self.merged} merged + {self.rejected} rejected = {total}"
            )
        if self.rejected != len(self.rejections):
            raise AssertionError(
                f"{self.file}: {self.rejected} rejected rows but {len(self.rejections)} reasons"
            )

    def summary(self) -> str:
        """One line for a terminal."""
        if self.kind == UNRECOGNISED:
            return f"{self.file}: not a registry file pcr-graph recognises; not read"
        role = "" if self.current else ", history"
        return (
            f"{self.file} ({self.kind}, {self.release}{role}): {self.read} read, "
            f"{self.imported} imported, {self.merged} merged, {self.rejected} rejected, "
            f"{len(self.reported)} reported, {self.seconds:.2f} s"
        )


def write_problems(path: Path, accountings: Sequence[Accounting]) -> None:
    """Write every rejected and reported row to one CSV file: where it is (file, line,
    column), whose it is (the record's key and name), what happened and why. Cells that a
    spreadsheet would run as formulas are neutralised."""
    import io  # here, not at the top: write_problems is the only user

    from pcr_graph.core.csvsafe import SafeWriter
    from pcr_graph.core.files import atomic_write_text

    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["file", "line", "column", "key", "name", "outcome", "reason", "expected"])
    for accounting in accountings:
        for outcome, problems in (
            ("rejected", accounting.rejections),
            ("reported", accounting.reported),
        ):
            for p in sorted(problems):
                writer.writerow(
                    [p.file, p.line, p.column, p.key, p.name, outcome, p.problem, p.expected]
                )
    atomic_write_text(path, out.getvalue())
