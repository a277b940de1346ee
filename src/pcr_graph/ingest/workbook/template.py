"""The workbook template: its files and columns, which columns the model depends on, reading.

Columns are of two kinds. *Model* columns (ids, sectors, link types, themes, dates, areas
and other references, URLs) decide what the graph says: a value the product cannot read
rejects the row. *Descriptive* columns (names aside, the optional free-text ones listed in
:data:`DESCRIPTIVE`) are kept as written; a value the product cannot match there (a region
it does not know, a forum kind outside the list) is a warning, never a rejection.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pcr_graph.core.csvsafe import read_cell
from pcr_graph.core.errors import RowProblem
from pcr_graph.core.files import UnreadableInput, read_input

PENDING_NOTE = "pending: "
"""Prefix of the note on a kept link whose evidence row was rejected (removed on merge)."""


@dataclass(frozen=True)
class FileSpec:
    """The columns of one template file."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    must_exist: bool = False

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


TEMPLATE: dict[str, FileSpec] = {
    "areas.csv": FileSpec(("area_id", "name"), ("ons_code", "ods_code", "region")),
    "evidence.csv": FileSpec(("evidence_id", "title"), ("publisher", "date", "url", "quote")),
    "providers.csv": FileSpec(
        ("provider_id", "name", "sector", "area"),
        ("ods_code", "cqc_location_id", "cqc_provider_id", "notes"),
        must_exist=True,
    ),
    "forums.csv": FileSpec(("forum_id", "name", "area"), ("kind", "notes")),
    "memberships.csv": FileSpec(("forum_id", "provider_id"), ("role", "start", "end")),
    "links.csv": FileSpec(
        ("link_id", "type", "participants"),
        ("area", "start", "end", "themes", "evidence", "notes"),
    ),
}
"""File name → columns, in the order files are read (later files refer to earlier ones)."""

DESCRIPTIVE: dict[str, tuple[str, ...]] = {
    "areas.csv": ("name", "region"),
    "evidence.csv": ("title", "publisher", "quote"),
    "providers.csv": ("name", "cqc_provider_id", "notes"),
    "forums.csv": ("name", "kind", "notes"),
    "memberships.csv": ("role",),
    "links.csv": ("notes",),
}
"""Columns kept as written: an unmatched value here is a warning, never a rejection."""

KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "areas.csv": ("area_id",),
    "evidence.csv": ("evidence_id",),
    "providers.csv": ("provider_id",),
    "forums.csv": ("forum_id",),
    "memberships.csv": ("forum_id", "provider_id"),
    "links.csv": ("link_id",),
}
"""The column(s) that identify a row's record (its key in messages and rejects)."""

KIND_OF_FILE = {
    "areas.csv": ("area", "areas"),
    "evidence.csv": ("evidence item", "evidence items"),
    "providers.csv": ("provider", "providers"),
    "forums.csv": ("forum", "forums"),
    "memberships.csv": ("membership", "memberships"),
    "links.csv": ("link", "links"),
}
"""What one row of each file is, singular and plural, for messages."""


@dataclass(frozen=True)
class Row:
    """One data row: its file, the line it starts on, its template cells and extra cells."""

    file: str
    line: int
    cells: dict[str, str]
    extras: tuple[tuple[str, str], ...] = ()

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    @property
    def key(self) -> str:
        """The record's own key: its id (``forum/provider`` for a membership)."""
        return "/".join(self.get(c) for c in KEY_COLUMNS.get(self.file, ()))

    @property
    def label(self) -> str:
        """The record's name as a reader would recognise it (empty when it has none)."""
        if self.file == "evidence.csv":
            return self.get("title")
        if self.file == "links.csv":
            return f"{self.get('type')}: {self.get('participants')}".strip(": ")
        if self.file == "memberships.csv":
            return f"{self.get('provider_id')} on {self.get('forum_id')}"
        return self.get("name")

    @property
    def record(self) -> str:
        """Key and name together, as messages show them: ``x1 'Broken Home'``."""
        return f"{self.key} {self.label!r}" if self.label else self.key


def split_list(cell: str) -> list[str]:
    """Split a ``;``-separated cell, dropping empty parts.

    >>> split_list(" a; b ;;c ")
    ['a', 'b', 'c']
    """
    return [part.strip() for part in cell.split(";") if part.strip()]


def parse_date(text: str) -> dt.date | None:
    """An ISO 8601 calendar date (``2020-10-01``), or None if it is not one.

    >>> parse_date("2020-10-01")
    datetime.date(2020, 10, 1)
    >>> parse_date("01/10/2020") is None
    True
    """
    if len(text) != 10:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def read_table(path: Path, spec: FileSpec) -> tuple[list[Row], list[RowProblem]]:
    """Read one CSV file of the template: BOM and CRLF accepted; headers checked."""
    name = path.name
    if path.is_symlink() and not path.exists():
        return [], [
            RowProblem(name, 0, "", "is a broken symbolic link (its target does not exist)")
        ]
    try:
        raw = read_input(path)
    except UnreadableInput as exc:
        return [], [RowProblem(name, 0, "", exc.reason)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [RowProblem(name, line, "", "file is not UTF-8 text", "UTF-8 encoding")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return [], [RowProblem(name, line, "", "file contains a NUL byte", "a text CSV file")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[RowProblem] = []
    rows: list[Row] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [RowProblem(name, 1, "", f"broken CSV quoting in header: {exc}")]
    if header is None:
        return [], [RowProblem(name, 1, "", "file is empty", "a header row")]
    columns = [h.strip().lower() for h in header]
    for column, count in sorted(_counts(columns).items()):
        if count > 1 and column:
            problems.append(RowProblem(name, 1, column, "column appears more than once"))
    if any(not c for c in columns):
        problems.append(RowProblem(name, 1, "", "a header cell is empty", "a column name"))
    missing = [c for c in spec.required if c not in columns]
    for column in missing:
        problems.append(
            RowProblem(name, 1, column, "required column is missing", ", ".join(spec.required))
        )
    if problems:
        return [], problems
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(RowProblem(name, start, "", f"broken CSV quoting: {exc}"))
            break
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(columns):
            problems.append(
                RowProblem(
                    name,
                    line,
                    "",
                    f"{len(record)} cells but {len(columns)} columns",
                    "one cell per header column",
                )
            )
            continue
        # read_cell: a rejects file we wrote quoted formula-like cells ('=...); unquote them.
        cells = dict(zip(columns, map(read_cell, record), strict=False))
        extras = tuple(
            (c, v.strip()) for c, v in cells.items() if c not in spec.columns and v.strip()
        )
        rows.append(Row(name, line, {c: cells.get(c, "") for c in spec.columns}, extras))
    return rows, problems


def _counts(items: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts
