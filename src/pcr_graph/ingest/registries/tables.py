"""Reading registry files and recognising their kind by content (never by name)."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pcr_graph.core.errors import DataError
from pcr_graph.ingest.registries.kinds import (
    CQC_HOMES,
    CQC_LA_LOOKUP,
    DATE8,
    ODS_CODE,
    ODS_COLUMNS,
    ODS_PRACTICES,
    ODS_TRUSTS,
    ONS_CCG21,
    ONS_STP21,
    ONS_SUBICB,
    STATUS,
)


@dataclass(frozen=True)
class Table:
    """One file's rows, each with the line it starts on."""

    path: Path
    kind: str
    header: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    seconds: float = 0.0
    """Time taken to read the file."""

    def columns(self, *names: str) -> tuple[int, ...]:
        missing = [n for n in names if n not in self.header]
        if missing:
            raise DataError(
                f"{self.path.name}: not a {self.kind} file: column(s) {', '.join(missing)} missing"
            )
        return tuple(self.header.index(n) for n in names)


def decode(path: Path, limit: int | None = None) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read() if limit is None else handle.read(limit)
    except OSError as exc:
        raise DataError(f"{path}: cannot read file: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if limit is not None and exc.start >= len(raw) - 4:
            return raw[: exc.start].decode("utf-8-sig")
        raise DataError(f"{path.name}: not UTF-8 text (byte {exc.start})") from exc


def csv_records(text: str) -> list[tuple[int, list[str]]]:
    """CSV records with the line each starts on; blank lines are not records."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    start = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            out.append((start, record))
        start = reader.line_num + 1
    return out


def header_of(cells: Sequence[str]) -> tuple[str, ...]:
    return tuple(cell.strip().upper() for cell in cells)


def detect(path: Path) -> str | None:
    """The kind of registry file ``path`` is, by its header or row shape, or None.

    The file name is never looked at, so a renamed copy is detected the same way.

    Returns
    -------
    str or None
        One of :data:`KINDS`, or None for anything else (including unreadable files).
    """
    path = Path(path)
    if not path.is_file():
        return None
    limit = 64 * 1024
    try:
        text = decode(path, limit=limit)
        records = csv_records(text)
    except (DataError, csv.Error):
        return None
    if path.stat().st_size > limit and len(records) > 1:
        records = records[:-1]  # the last one may be cut off
    records = records[:50]
    if not records:
        return None
    return kind_of_header(header_of(records[0][1])) or kind_of_rows([r for _, r in records])


def kind_of_header(header: tuple[str, ...]) -> str | None:
    names = set(header)
    if {"LOCATION.LOCAL.AUTHORITY", "ICB22CDH"} <= names:
        return CQC_LA_LOOKUP
    if subicb_prefix(header):
        return ONS_SUBICB
    if {"STP21CD", "STP21CDH", "STP21NM"} <= names:
        return ONS_STP21
    if {"CCG21CD", "CCG21CDH", "CCG21NM"} <= names:
        return ONS_CCG21
    if {"NAME", "POSTCODE", "ADDRESS", "AREA_NAME"} <= names:
        return CQC_HOMES
    return None


def subicb_prefix(header: Sequence[str]) -> str:
    for prefix in ("SICBL22", "LOC22"):
        if {f"{prefix}CD", f"{prefix}CDH", f"{prefix}NM", "ICB22CDH"} <= set(header):
            return prefix
    return ""


def kind_of_rows(rows: list[list[str]]) -> str | None:
    """ODS files have no header: 27 quoted cells, a code first and a date in column 11."""
    shaped = [r for r in rows if len(r) == ODS_COLUMNS and ODS_CODE.match(r[0].strip())]
    if len(shaped) < max(1, (len(rows) * 9) // 10):
        return None
    if all(r[12] in STATUS and r[25].strip().isdigit() for r in shaped):
        return ODS_PRACTICES
    if all(not r[12].strip() and not r[25].strip() and DATE8.match(r[10]) for r in shaped):
        return ODS_TRUSTS
    return None


def read_table(path: Path, kind: str) -> Table:
    started = time.perf_counter()
    try:
        records = csv_records(decode(path))
    except csv.Error as exc:
        raise DataError(f"{path.name}: broken CSV: {exc}") from exc
    if kind in (ODS_TRUSTS, ODS_PRACTICES):
        return Table(path, kind, (), records, time.perf_counter() - started)
    if not records:
        raise DataError(f"{path.name}: empty file, expected a {kind} header")
    header = header_of(records[0][1])
    if kind_of_header(header) != kind:
        raise DataError(f"{path.name}: the header is not that of a {kind} file")
    return Table(path, kind, header, records[1:], time.perf_counter() - started)


def files_in(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))
