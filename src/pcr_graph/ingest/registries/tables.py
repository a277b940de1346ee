"""Reading registry files and recognising their kind by content (never by name)."""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pcr_graph.core.errors import DataError
from pcr_graph.ingest.registries.kinds import (
    CCG_CODE,
    CQC_HOMES,
    CQC_LA_LOOKUP,
    DATE8,
    GP_PCN_MAP,
    ODS_CODE,
    ODS_COLUMNS,
    ODS_COMMISSIONERS,
    ODS_PCN,
    ODS_PRACTICES,
    ODS_SUCCESSIONS,
    ODS_TRUSTS,
    ONS_CCG21,
    ONS_STP21,
    ONS_SUBICB,
    STATUS,
)
from pcr_graph.ingest.registries.xlsx import is_xlsx, read_sheets


@dataclass(frozen=True)
class Table:
    """One file's rows, each with the line it starts on."""

    path: Path
    kind: str
    header: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    seconds: float = 0.0
    """Time taken to read the file."""
    sheet: str = ""
    """For a sheet of a workbook: its name (as the file has it; never used to recognise it)."""
    parts: tuple[Table, ...] = ()
    """For a workbook: its recognised sheets, in the order they are imported."""

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


def xlsx_header(cells: Sequence[str]) -> tuple[str, ...]:
    """Workbook header cells with their line breaks and runs of spaces made single spaces."""
    return tuple(" ".join(cell.split()).upper() for cell in cells)


PCN_SHEET = "pcn-details"
MEMBER_SHEET = "pcn-members"

PCN_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("PCN CODE",),
    "name": ("PCN NAME",),
    "commissioner": ("CURRENT SUB ICB LOC CODE", "CURRENT CLINICAL COMMISSIONING GROUP CODE"),
    "open": ("OPEN DATE", "OPEN DATE (YYYYMMDD)"),
    "close": ("CLOSE DATE", "CLOSE DATE (YYYYMMDD)"),
    "postcode": ("POSTCODE",),
}
"""The columns of an ePCN PCN sheet, each under any of its known headers (2019 and 2023)."""

MEMBER_HEADERS: dict[str, tuple[str, ...]] = {
    "practice": ("PARTNER ORGANISATION CODE",),
    "practice_name": ("PARTNER NAME",),
    "practice_commissioner": ("PRACTICE PARENT SUB ICB LOC CODE", "PRACTICE PARENT CCG CODE"),
    "pcn": ("PCN CODE",),
    "pcn_commissioner": ("PCN PARENT SUB ICB LOC CODE", "PCN PARENT CCG CODE"),
    "start": ("PRACTICE TO PCN RELATIONSHIP START DATE",),
    "end": ("PRACTICE TO PCN RELATIONSHIP END DATE",),
}
"""The columns of an ePCN membership sheet. Its PCN name and "match" columns are left
alone: in the 2019 release they are Excel formulas (VLOOKUP), so the PCN is joined on its
code and the match is worked out again from the codes."""


def find_columns(header: Sequence[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Column index of each wanted column, under any of its headers; {} if any is missing."""
    found: dict[str, int] = {}
    for key, names in wanted.items():
        index = next((header.index(n) for n in names if n in header), None)
        if index is None:
            return {}
        found[key] = index
    return found


def workbook_table(path: Path, started: float | None = None) -> Table | None:
    """An ePCN workbook as a table of two parts (PCN sheet, membership sheet), recognised
    by the headers of its sheets, or None when it is not one.

    Raises
    ------
    DataError
        When the file is not a workbook that can be read safely.
    """
    started = time.perf_counter() if started is None else started
    found: dict[str, Table] = {}
    for title, rows in read_sheets(path):
        if not rows:
            continue
        header = xlsx_header(rows[0][1])
        for kind, wanted in ((PCN_SHEET, PCN_HEADERS), (MEMBER_SHEET, MEMBER_HEADERS)):
            if kind not in found and find_columns(header, wanted):
                found[kind] = Table(path, kind, header, rows[1:], sheet=title)
    if set(found) != {PCN_SHEET, MEMBER_SHEET}:
        return None
    parts = (found[PCN_SHEET], found[MEMBER_SHEET])
    return Table(path, ODS_PCN, (), [], time.perf_counter() - started, parts=parts)


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
    if is_xlsx(path):
        try:
            return ODS_PCN if workbook_table(path) is not None else None
        except DataError:
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
    if {"PRACTICE_CODE", "PRACTICE_NAME", "PCN_CODE", "PCN_NAME", "EXTRACT_DATE"} <= names:
        return GP_PCN_MAP
    return None


def subicb_prefix(header: Sequence[str]) -> str:
    for prefix in ("SICBL22", "LOC22"):
        if {f"{prefix}CD", f"{prefix}CDH", f"{prefix}NM", "ICB22CDH"} <= set(header):
            return prefix
    return ""


def kind_of_rows(rows: list[list[str]]) -> str | None:
    """ODS files have no header: 27 quoted cells, a code first and a date in column 11;
    the successions file has 5: two codes, a reason, a date and a 0/1 indicator."""
    enough = max(1, (len(rows) * 9) // 10)
    successions = [
        r
        for r in rows
        if len(r) == 5
        and ODS_CODE.match(r[0].strip())
        and ODS_CODE.match(r[1].strip())
        and DATE8.match(r[3].strip())
        and r[4].strip() in ("0", "1")
    ]
    if len(successions) >= enough:
        return ODS_SUCCESSIONS
    shaped = [r for r in rows if len(r) == ODS_COLUMNS and ODS_CODE.match(r[0].strip())]
    if len(shaped) < enough:
        return None
    if all(r[12] in STATUS and r[25].strip().isdigit() for r in shaped):
        return ODS_PRACTICES
    if all(not r[12].strip() and not r[25].strip() and DATE8.match(r[10]) for r in shaped):
        # CCG and Sub-ICB location codes are two digits and a letter or digit (00C, 15N);
        # trust codes never start with a digit.
        commissioners = sum(1 for r in shaped if CCG_CODE.match(r[0].strip()))
        return ODS_COMMISSIONERS if commissioners * 2 > len(shaped) else ODS_TRUSTS
    return None


def read_table(path: Path, kind: str) -> Table:
    """Read ``path`` as a file of ``kind``: its rows (and header, or sheets).

    Raises
    ------
    DataError
        When the file cannot be read as that kind.
    """
    started = time.perf_counter()
    if kind == ODS_PCN:
        table = workbook_table(path, started)
        if table is None:
            raise DataError(
                f"{path.name}: not an ePCN workbook: it needs a sheet with the PCN columns "
                f"({', '.join(n[0] for n in PCN_HEADERS.values())}) and one with the "
                f"membership columns ({', '.join(n[0] for n in MEMBER_HEADERS.values())})"
            )
        return table
    try:
        records = csv_records(decode(path))
    except csv.Error as exc:
        raise DataError(f"{path.name}: broken CSV: {exc}") from exc
    if kind in (ODS_TRUSTS, ODS_PRACTICES, ODS_COMMISSIONERS, ODS_SUCCESSIONS):
        return Table(path, kind, (), records, time.perf_counter() - started)
    if not records:
        raise DataError(f"{path.name}: empty file, expected a {kind} header")
    header = header_of(records[0][1])
    if kind_of_header(header) != kind:
        raise DataError(f"{path.name}: the header is not that of a {kind} file")
    return Table(path, kind, header, records[1:], time.perf_counter() - started)


def files_in(folder: Path) -> list[Path]:
    """The files in ``folder`` and its subfolders, hidden ones left out, sorted by their path
    below ``folder``. Symbolic links to folders are not followed (no loops)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(
            Path(root) / n for n in names if not n.startswith(".") and (Path(root) / n).is_file()
        )
    return sorted(found, key=lambda p: p.relative_to(folder).parts)
