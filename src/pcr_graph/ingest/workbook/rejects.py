"""Writing the rejected rows as a workbook to correct and import again.

The folder holds, per template file, every row that was left out: rows with problems of
their own, rows held back because they refer to one of those, and links kept without a
rejected evidence row (so that importing the fixed evidence attaches it). ``problems.csv``
says why, row by row, with each record's key and name, and ``REJECTS.txt`` names the
import the folder merges into.
"""

from __future__ import annotations

import io
from pathlib import Path

from pcr_graph.core.csvsafe import SafeWriter
from pcr_graph.core.errors import DataError, RowProblem
from pcr_graph.ingest.workbook.importer import Reject
from pcr_graph.ingest.workbook.template import TEMPLATE, Row

MARKER = "REJECTS.txt"
"""The file in a rejects folder naming the import it belongs to (``import: NAME``)."""

MARKER_TEXT = """import: {name}

These are the rows of the workbook import '{name}' that were not imported
(problems.csv says why, row by row). Correct them here, then run

    pcr-graph import csv {folder}

to merge them into '{name}' without duplicates (or add --into NAME for another
import). Rows you delete from these files stay out.
"""

PROBLEM_COLUMNS = (
    "file",
    "line",
    "original_line",
    "key",
    "name",
    "severity",
    "column",
    "problem",
    "expected",
)


def import_of_rejects(folder: Path) -> str | None:
    """The import a rejects folder belongs to, from its ``REJECTS.txt`` (None if none)."""
    marker = Path(folder) / MARKER
    if not marker.is_file():
        return None
    for line in marker.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "import" and value.strip():
            return value.strip()
    return None


def write_rejects(
    folder: Path,
    rejects: list[Reject],
    *,
    kept: list[Reject] | None = None,
    warnings: list[RowProblem] | None = None,
    import_name: str = "",
) -> list[Path]:
    """Write rejected rows as a workbook the user can fix and import again.

    ``folder`` gets one CSV per template file (template columns, then any extra columns the
    rows had), ``problems.csv`` (one line per reason, with the line in the new file and in
    the original), and, when ``import_name`` is given, ``REJECTS.txt`` naming that import
    so that ``pcr-graph import csv FOLDER`` merges into it.
    """
    from pcr_graph.core.files import atomic_write_text

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: --rejects needs a folder (rejected rows are a workbook)")
    rows = sorted([*rejects, *(kept or [])], key=lambda r: (r.row.file, r.row.line))
    by_file: dict[str, list[Reject]] = {}
    for reject in rows:
        by_file.setdefault(reject.row.file, []).append(reject)
    new_line: dict[tuple[str, int], int] = {}
    for name, items in by_file.items():
        for number, reject in enumerate(items, start=2):
            new_line[(name, reject.row.line)] = number
    originals: dict[tuple[str, int], Row] = {(r.row.file, r.row.line): r.row for r in rows}
    listing = io.StringIO()
    problems_out = SafeWriter(listing)
    problems_out.writerow(PROBLEM_COLUMNS)
    written = []
    for name in TEMPLATE:
        for number, reject in enumerate(by_file.get(name, []), start=2):
            row = reject.row
            base = [name, number, row.line, row.key, row.label]
            for problem in reject.problems:
                problems_out.writerow(
                    [*base, "error", problem.column, problem.problem, problem.expected]
                )
            for cause in reject.causes:
                cause_row = originals.get(cause)
                record = f" ({cause_row.record})" if cause_row else ""
                here = new_line.get(cause)
                place = f"{cause[0]} line {here} of this folder" if here else "that row"
                if reject.kept:
                    problems_out.writerow(
                        [
                            *base,
                            "kept",
                            "evidence",
                            f"imported without evidence {cause[0]}:{cause[1]}{record}, which "
                            "was rejected; fix that row and import this folder again to "
                            "attach it",
                            f"{place}, corrected",
                        ]
                    )
                else:
                    problems_out.writerow(
                        [
                            *base,
                            "held back",
                            "",
                            f"refers to {cause[0]}:{cause[1]}{record}, which was rejected; "
                            "nothing is wrong with this row itself",
                            f"{place}, corrected",
                        ]
                    )
    for name, items in by_file.items():
        spec = TEMPLATE[name]
        extras = sorted({column for r in items for column, _ in r.row.extras})
        out = io.StringIO()
        writer = SafeWriter(out)
        writer.writerow([*spec.columns, *extras])
        for reject in items:
            row = reject.row
            extra = dict(row.extras)
            writer.writerow(
                [*(row.cells[c] for c in spec.columns), *(extra.get(c, "") for c in extras)]
            )
        atomic_write_text(folder / name, out.getvalue())
        written.append(folder / name)
    for warning in warnings or []:
        key, _, label = warning.record.partition(" ")
        problems_out.writerow(
            [
                warning.file,
                "",
                warning.line,
                key,
                label.strip("'\""),
                "warning",
                warning.column,
                warning.problem,
                warning.expected,
            ]
        )
    atomic_write_text(folder / "problems.csv", listing.getvalue())
    written.append(folder / "problems.csv")
    if import_name:
        atomic_write_text(folder / MARKER, MARKER_TEXT.format(name=import_name, folder=folder))
        written.append(folder / MARKER)
    return sorted(written)
