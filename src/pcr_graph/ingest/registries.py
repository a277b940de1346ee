"""Importing public registry files (ONS, NHS ODS, CQC) as RDF, with an account of every row.

Seven kinds of file are recognised, by their header or (for the header-less ODS files) by
the shape of their rows, never by their names:

``ons-subicb-icb``
    ONS Sub-ICB location → ICB lookup (July 2022), under its ``SICBL22*`` or older
    ``LOC22*`` column names. Each row is a :data:`~pcr_graph.core.namespaces.PCR.SubArea`.
``ons-ccg21``
    ONS CCG names and codes (April 2021): the 2021 CCG name (``skos:altLabel``) and code
    (``pcr:onsCode2021``) of each Sub-ICB location, merged into the node above.
``ons-stp21``
    ONS STP → region lookup (April 2021): the 2021 name and code of each area, merged into
    the reference area (``graph/areas.ttl`` holds the same facts).
``ods-trusts``
    NHS ODS ``etr``/``ect``: NHS trusts and care trusts.
``ods-practices``
    NHS ODS ``epraccur``: GP practices and other prescribing settings.
``cqc-care-homes``
    CQC care-home lists (with or without CQC location ids).
``cqc-la-lookup``
    Local authority → ICB (and Sub-ICB) lookups derived from the CQC directory; they place
    care homes, whose lists name a local authority, in an area. They add no triples.

Every row ends in exactly one of *imported* (a new node), *merged* (its facts went onto a
node another row or file already defines) or *rejected* (with a reason), and rows that were
imported but look inconsistent are *reported*; :class:`Accounting` holds the figures.
Nothing is dropped silently and nothing is guessed.

Decisions worth knowing
-----------------------
- ODS does not say which kind of trust a trust is: names containing ``AMBULANCE`` get the
  ``ambulance`` sector, every other trust the ``nhs-trust`` grouping.
- A provider needs an area. A trust whose commissioning code is not one of the 42 areas
  (``Q99``: Wales and elsewhere) is rejected with that reason. A practice is placed in the
  area of its Sub-ICB commissioner, else in the area it states; only when neither is one of
  the 42 areas / 106 Sub-ICB locations is it rejected.
- Prescribing settings map to sectors where the sector scheme has one; setting 0 ("other")
  is rejected rather than guessed, as are optometry, the justice estate and sexual assault
  referral centres (see :data:`SETTING_SECTORS` and :data:`SETTING_NAMES`).
- Two releases of one ODS register: the newest is current (facts on the provider node);
  older ones become one ``pcr:RegistryRecord`` per row, kept apart from the current facts.
  The release month is that of the latest date in the file (ODS lists scheduled changes,
  so the December 2019 ``epraccur`` is labelled ``epraccur 2020-01``).
- CQC lists are extracts, not releases of one register: homes in several lists merge into
  one node (same CQC location id, or same name and postcode).
- Telephone numbers that lost their leading zero get it back (reported); numbers mangled
  into scientific notation or cut short are not kept (reported).
- A merged row adds only facts for properties the node does not have yet (plus notes and
  its source location), so a node never gets two names.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal as Outcome

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD
from rdflib.term import Node

from pcr_graph.core.csvsafe import SafeWriter
from pcr_graph.core.errors import DataError, RowProblem
from pcr_graph.core.files import sha256_of
from pcr_graph.core.ids import area_iri, mint, provider_iri
from pcr_graph.core.namespaces import PCR, SECTOR, bind_prefixes

Progress = Callable[[int, int], None]
"""``progress(rows_done, rows_total)`` for one file."""

FileProgress = Callable[[str, int, int], None]
"""``progress(file_name, rows_done, rows_total)`` across a folder."""

ONS_SUBICB = "ons-subicb-icb"
ONS_STP21 = "ons-stp21"
ONS_CCG21 = "ons-ccg21"
ODS_TRUSTS = "ods-trusts"
ODS_PRACTICES = "ods-practices"
CQC_HOMES = "cqc-care-homes"
CQC_LA_LOOKUP = "cqc-la-lookup"
UNRECOGNISED = "unrecognised"

KINDS: tuple[str, ...] = (
    ONS_SUBICB,
    ONS_CCG21,
    ONS_STP21,
    CQC_LA_LOOKUP,
    ODS_TRUSTS,
    ODS_PRACTICES,
    CQC_HOMES,
)
"""Every kind :func:`detect` can return, in the order :func:`import_registries` imports them."""

LOOKUP_KINDS = frozenset({ONS_SUBICB, ONS_CCG21, ONS_STP21, CQC_LA_LOOKUP})

PROGRESS_EVERY = 1000
"""Rows between two progress calls."""

ODS_COLUMNS = 27

STATUS = {"A": "active", "C": "closed", "D": "dormant", "P": "proposed"}
"""ODS status codes (column 13 of epraccur)."""

SETTING_NAMES: dict[str, str] = {
    "0": "other",
    "1": "walk-in centre",
    "2": "out-of-hours service",
    "3": "walk-in centre and out-of-hours service",
    "4": "GP practice",
    "8": "public health service",
    "9": "community health service",
    "10": "hospital service",
    "11": "optometry service",
    "12": "urgent and emergency care",
    "13": "hospice",
    "14": "care home or nursing home",
    "15": "Border Force",
    "16": "young offender institution",
    "17": "secure training centre",
    "18": "secure children's home",
    "19": "immigration removal centre",
    "20": "court",
    "21": "police custody",
    "22": "sexual assault referral centre",
    "24": "other justice estate",
    "25": "prison",
    "26": "primary care network",
}
"""ODS prescribing settings (column 26 of epraccur)."""

SETTING_SECTORS: dict[str, tuple[str, ...]] = {
    "1": ("urgent-treatment-centre",),
    "2": ("out-of-hours",),
    "3": ("out-of-hours", "urgent-treatment-centre"),
    "4": ("gp-practice",),
    "8": ("public-health",),
    "9": ("community-health",),
    "10": ("nhs-trust",),
    "12": ("urgent-treatment-centre",),
    "13": ("hospice",),
    "14": ("care-home",),
    "26": ("primary-care",),
}
"""Prescribing setting → sector notations. Settings not listed are rejected: 0 says nothing
about the kind of service, and optometry, the justice estate (15–25) and sexual assault
referral centres are not provider types pcr-graph models."""

_MULTI_VALUED = frozenset({SKOS.note, PCR.sourceLocation, PCR.sector, PCR.operatesIn})

_QCODE = re.compile(r"^Q[0-9A-Z]{2}$")
_ODS_CODE = re.compile(r"^[0-9A-Z]{3,6}$")
_DATE8 = re.compile(r"^\d{8}$")


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


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
    rejections: list[RowProblem] = field(default_factory=list)
    """One per rejected row: file, line, column and the reason."""
    reported: list[RowProblem] = field(default_factory=list)
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


@dataclass
class Lookup:
    """Codes that place providers in areas, read from the ONS and CQC lookup files."""

    areas: frozenset[str] = frozenset()
    """The ODS Q-codes of the 42 areas."""
    subarea_area: dict[str, str] = field(default_factory=dict)
    """Sub-ICB location ODS code → its area's Q-code."""
    subarea_by_ons: dict[str, str] = field(default_factory=dict)
    """Sub-ICB location ONS code (E38, 2022) → ODS code."""
    ccg_names: dict[str, str] = field(default_factory=dict)
    """Sub-ICB ODS code → the name of the 2021 CCG that had the same ODS code."""
    la_areas: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Local authority name (case-folded) → the Q-codes of the areas it lies in."""
    sources: tuple[str, ...] = ()
    """The files (or ``graph/areas.ttl``) the lookup was read from."""

    @classmethod
    def from_folder(cls, folder: Path) -> Lookup:
        """Read every lookup file in ``folder`` (found by header, not name).

        Without an ONS file the 42 areas come from the reference ``graph/areas.ttl``.
        """
        lookup = cls()
        for path in _files(folder):
            kind = detect(path)
            if kind in LOOKUP_KINDS:
                lookup.add(_read_table(path, kind))
        if not lookup.areas:
            lookup.areas = _reference_area_codes()
            if lookup.areas:
                lookup.sources += ("graph/areas.ttl",)
        return lookup

    def add(self, table: _Table) -> None:
        """Take the facts of one lookup file."""
        areas = set(self.areas)
        if table.kind == ONS_SUBICB:
            prefix = _subicb_prefix(table.header)
            cd, cdh, icb = table.columns(f"{prefix}CD", f"{prefix}CDH", "ICB22CDH")
            for _, cells in table.rows:
                code, ons, area = cells[cdh].strip(), cells[cd].strip(), cells[icb].strip()
                if code and _QCODE.match(area):
                    self.subarea_area[code] = area
                    self.subarea_by_ons[ons] = code
                    areas.add(area)
        elif table.kind == ONS_STP21:
            (cdh,) = table.columns("STP21CDH")
            areas.update(c[cdh].strip() for _, c in table.rows if _QCODE.match(c[cdh].strip()))
        elif table.kind == ONS_CCG21:
            cdh, nm = table.columns("CCG21CDH", "CCG21NM")
            for _, cells in table.rows:
                if cells[cdh].strip():
                    self.ccg_names[cells[cdh].strip()] = cells[nm].strip()
        elif table.kind == CQC_LA_LOOKUP:
            la, icb = table.columns("LOCATION.LOCAL.AUTHORITY", "ICB22CDH")
            for _, cells in table.rows:
                key, area = _name_key(cells[la]), cells[icb].strip()
                if key and _QCODE.match(area):
                    self.la_areas[key] = tuple(sorted({*self.la_areas.get(key, ()), area}))
        self.areas = frozenset(areas)
        self.sources += (table.path.name,)

    def place_local_authority(self, name: str) -> tuple[tuple[str, ...], str]:
        """The areas a local authority lies in, and a note if they were not looked up.

        The CQC-derived lookup lacks local authorities whose CCG code changed in 2022
        (Tameside, for one). For those, a 2021 CCG named after the authority (one part of
        its name, as in "NHS Tameside and Glossop CCG") places it, through the Sub-ICB
        location that kept the CCG's ODS code; the note says so.
        """
        key = _name_key(name)
        found = self.la_areas.get(key)
        if found:
            return found, ""
        matches = sorted(
            (code, ccg)
            for code, ccg in self.ccg_names.items()
            if key in _ccg_name_parts(ccg) and code in self.subarea_area
        )
        areas = sorted({self.subarea_area[code] for code, _ in matches})
        if len(areas) == 1:
            named = "; ".join(f"{ccg}, now Sub-ICB location {code}" for code, ccg in matches)
            return (areas[0],), (
                f"local authority {name} is not in the local authority lookup; placed in "
                f"{areas[0]} through the 2021 CCG named after it ({named})"
            )
        return (), ""


def _ccg_name_parts(name: str) -> set[str]:
    core = re.sub(r"^NHS\s+|\s+CCG$", "", name.strip())
    return {_name_key(part) for part in re.split(r",|\band\b|&", core) if part.strip()}


def _reference_area_codes() -> frozenset[str]:
    from pcr_graph.ingest.workbook import reference_codes

    areas, _ = reference_codes()
    return frozenset(code for code in areas if _QCODE.match(code))


# --------------------------------------------------------------------------------------
# Reading and detecting
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
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


def _decode(path: Path, limit: int | None = None) -> str:
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


def _records(text: str) -> list[tuple[int, list[str]]]:
    """CSV records with the line each starts on; blank lines are not records."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    start = 1
    for record in reader:
        if any(cell.strip() for cell in record):
            out.append((start, record))
        start = reader.line_num + 1
    return out


def _header(cells: Sequence[str]) -> tuple[str, ...]:
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
        text = _decode(path, limit=limit)
        records = _records(text)
    except (DataError, csv.Error):
        return None
    if path.stat().st_size > limit and len(records) > 1:
        records = records[:-1]  # the last one may be cut off
    records = records[:50]
    if not records:
        return None
    return _kind_of_header(_header(records[0][1])) or _kind_of_rows([r for _, r in records])


def _kind_of_header(header: tuple[str, ...]) -> str | None:
    names = set(header)
    if {"LOCATION.LOCAL.AUTHORITY", "ICB22CDH"} <= names:
        return CQC_LA_LOOKUP
    if _subicb_prefix(header):
        return ONS_SUBICB
    if {"STP21CD", "STP21CDH", "STP21NM"} <= names:
        return ONS_STP21
    if {"CCG21CD", "CCG21CDH", "CCG21NM"} <= names:
        return ONS_CCG21
    if {"NAME", "POSTCODE", "ADDRESS", "AREA_NAME"} <= names:
        return CQC_HOMES
    return None


def _subicb_prefix(header: Sequence[str]) -> str:
    for prefix in ("SICBL22", "LOC22"):
        if {f"{prefix}CD", f"{prefix}CDH", f"{prefix}NM", "ICB22CDH"} <= set(header):
            return prefix
    return ""


def _kind_of_rows(rows: list[list[str]]) -> str | None:
    """ODS files have no header: 27 quoted cells, a code first and a date in column 11."""
    shaped = [r for r in rows if len(r) == ODS_COLUMNS and _ODS_CODE.match(r[0].strip())]
    if len(shaped) < max(1, (len(rows) * 9) // 10):
        return None
    if all(r[12] in STATUS and r[25].strip().isdigit() for r in shaped):
        return ODS_PRACTICES
    if all(not r[12].strip() and not r[25].strip() and _DATE8.match(r[10]) for r in shaped):
        return ODS_TRUSTS
    return None


def _read_table(path: Path, kind: str) -> _Table:
    started = time.perf_counter()
    try:
        records = _records(_decode(path))
    except csv.Error as exc:
        raise DataError(f"{path.name}: broken CSV: {exc}") from exc
    if kind in (ODS_TRUSTS, ODS_PRACTICES):
        return _Table(path, kind, (), records, time.perf_counter() - started)
    if not records:
        raise DataError(f"{path.name}: empty file, expected a {kind} header")
    header = _header(records[0][1])
    if _kind_of_header(header) != kind:
        raise DataError(f"{path.name}: the header is not that of a {kind} file")
    return _Table(path, kind, header, records[1:], time.perf_counter() - started)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.is_file() and not p.name.startswith("."))


# --------------------------------------------------------------------------------------
# Small value helpers
# --------------------------------------------------------------------------------------


def _name_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _postcode_key(text: str) -> str:
    return "".join(text.split()).upper()


def _missing(text: str) -> bool:
    return text.strip() in ("", "NA")


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not _DATE8.match(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@cache
def _date_literal(text: str) -> Literal | None:
    day = _date(text)
    return None if day is None else Literal(day.isoformat(), datatype=XSD.date)


def restore_telephone(text: str) -> tuple[str | None, str]:
    """A telephone number fit to keep, and a note when it had to be repaired or dropped.

    Spreadsheets turn telephone numbers into numbers: the leading zero goes, and long ones
    become scientific notation, losing digits for good.

    >>> restore_telephone("1617486414")
    ('01617486414', 'telephone 1617486414 lost its leading zero; kept as 01617486414')
    >>> restore_telephone("01642 672351")
    ('01642 672351', '')
    >>> restore_telephone("1617777e3")[0] is None
    True
    >>> restore_telephone("NA")
    (None, '')
    """
    text = text.strip()
    if _missing(text):
        return None, ""
    digits = text.replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)?[eE][+-]?\d+", digits):
        return None, (
            f"telephone {text} was turned into scientific notation; its last digits are "
            "lost, so it is not kept"
        )
    if not digits.isdigit():
        return None, f"telephone {text} is not a telephone number; not kept"
    if digits.startswith("0"):
        return text, ""
    if len(digits) == 10:
        fixed = "0" + text
        return fixed, f"telephone {text} lost its leading zero; kept as {fixed}"
    return None, (
        f"telephone {text} has {len(digits)} digits, too few for a UK number even with its "
        "leading zero; not kept"
    )


# --------------------------------------------------------------------------------------
# One import
# --------------------------------------------------------------------------------------

Result = Outcome["imported", "merged", "rejected"]


class _Session:
    """State shared by the files of one :func:`import_registries` call (or one file)."""

    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.predicates: dict[URIRef, set[URIRef]] = {}
        self.homes: dict[tuple[str, str], URIRef] = {}
        self.home_ids: dict[URIRef, str] = {}
        self.current_providers: set[URIRef] = set()


class _Run:
    """The import of one file: its graph and its accounting."""

    def __init__(
        self,
        table: _Table,
        session: _Session,
        release: str,
        current: bool,
        progress: Progress | None,
        graph: Graph,
    ) -> None:
        self.table = table
        self.file = table.path.name
        self.session = session
        self.lookup = session.lookup
        self.graph = graph
        self.accounting = Accounting(self.file, table.kind, release, current=current)
        self.progress = progress

    # -- writing
    def put(
        self, node: URIRef, facts: Iterable[tuple[URIRef, Node]], line: int, *, exists: bool = False
    ) -> Result:
        """Add a row's facts to ``node``: all of them to a new node, only the missing ones
        (and the multi-valued ones) to a node that exists already (a merge)."""
        predicates = self.session.predicates.get(node)
        merged = exists or predicates is not None
        if predicates is None:
            predicates = self.session.predicates[node] = set()
        before = frozenset(predicates) if merged else frozenset()
        add = self.graph.add
        for p, o in facts:
            if not merged or p in _MULTI_VALUED or p not in before:
                add((node, p, o))
                predicates.add(p)
        add((node, PCR.sourceLocation, Literal(f"{self.file} line {line}")))
        predicates.add(PCR.sourceLocation)
        return "merged" if merged else "imported"

    # -- accounting
    def reject(self, line: int, column: str, reason: str) -> Result:
        self.accounting.rejections.append(RowProblem(self.file, line, column, reason))
        return "rejected"

    def report(self, line: int, column: str, problem: str) -> None:
        self.accounting.reported.append(RowProblem(self.file, line, column, problem))

    def run(self, handle: Callable[[int, list[str]], Result]) -> tuple[Graph, Accounting]:
        total = len(self.table.rows)
        acc = self.accounting
        for index, (line, cells) in enumerate(self.table.rows, 1):
            outcome = handle(line, cells)
            acc.read += 1
            if outcome == "imported":
                acc.imported += 1
            elif outcome == "merged":
                acc.merged += 1
            else:
                acc.rejected += 1
            if self.progress is not None and (index % PROGRESS_EVERY == 0 or index == total):
                self.progress(index, total)
        self._provenance()
        acc.check()
        return self.graph, acc

    def _provenance(self) -> None:
        digest = sha256_of(self.table.path)
        run = mint("import", "registry", digest)
        source = mint("import", "file", digest)
        self.graph.add((run, RDF.type, PCR.ImportRun))
        self.graph.add((run, SKOS.prefLabel, Literal(f"Import of registry file {self.file}")))
        self.graph.add((run, PCR.release, Literal(self.accounting.release)))
        self.graph.add((run, PCR.sha256, Literal(digest)))
        self.graph.add((run, PCR.rowCount, Literal(self.accounting.read)))
        self.graph.add((run, PROV.used, source))
        self.graph.add((source, RDF.type, PROV.Entity))
        self.graph.add((source, DCTERMS.title, Literal(self.file)))
        self.graph.add((source, PCR.sha256, Literal(digest)))

    # -- ODS helpers
    def ods_cells(self, line: int, cells: list[str]) -> list[str] | Result:
        if len(cells) != ODS_COLUMNS:
            return self.reject(line, "", f"{len(cells)} cells, expected the {ODS_COLUMNS} of ODS")
        cells = [c.strip() for c in cells]
        if not _ODS_CODE.match(cells[0]):
            return self.reject(line, "1", f"organisation code {cells[0]!r} is not an ODS code")
        if not cells[1]:
            return self.reject(line, "2", "the organisation has no name")
        return cells

    def ods_common(self, line: int, cells: list[str]) -> list[tuple[URIRef, Node]]:
        """Name, code, address, postcode, dates and telephone of an ODS row."""
        facts: list[tuple[URIRef, Node]] = [
            (SKOS.prefLabel, Literal(cells[1])),
            (PCR.odsCode, Literal(cells[0])),
        ]
        address = ", ".join(c for c in cells[4:9] if c)
        if address:
            facts.append((PCR.address, Literal(address)))
        if cells[9]:
            facts.append((PCR.postcode, Literal(cells[9])))
        else:
            self.report(line, "10", f"{cells[0]} has no postcode")
        for column, prop in ((10, PCR.openDate), (11, PCR.closeDate)):
            if cells[column]:
                day = _date_literal(cells[column])
                if day is None:
                    self.report(line, str(column + 1), f"{cells[column]!r} is not a YYYYMMDD date")
                else:
                    facts.append((prop, day))
        return facts


@cache
def _area(code: str) -> URIRef:
    return area_iri(code)


@cache
def _subarea(code: str) -> URIRef:
    return mint("subarea", code)


def _release_month(rows: Iterable[list[str]], columns: Sequence[int]) -> str:
    latest = ""
    for cells in rows:
        for column in columns:
            value = cells[column].strip() if column < len(cells) else ""
            if value > latest and _date(value) is not None:
                latest = value
    return f"{latest[:4]}-{latest[4:6]}" if latest else "undated"


def _release(table: _Table) -> str:
    """A label for the release of a file, from its contents only."""
    rows = [cells for _, cells in table.rows]
    if table.kind == ONS_SUBICB:
        year = re.sub(r"\D", "", _subicb_prefix(table.header))
        return f"ons-subicb-icb 20{year}"
    if table.kind == ONS_STP21:
        return "ons-stp 2021"
    if table.kind == ONS_CCG21:
        return "ons-ccg 2021"
    if table.kind == CQC_LA_LOOKUP:
        return "cqc-la-lookup 2022"
    if table.kind == ODS_TRUSTS:
        return f"ods-trusts {_release_month(rows, (10, 11))}"
    if table.kind == ODS_PRACTICES:
        return f"epraccur {_release_month(rows, (10, 11, 15, 16))}"
    if "INSPECTION_DATE" in table.header:
        (column,) = table.columns("INSPECTION_DATE")
        dates = [c[column].replace("-", "") for c in rows if column < len(c)]
        return f"cqc-care-homes {_release_month([[d] for d in dates], (0,))}"
    return "cqc-care-homes undated"


def _release_key(release: str) -> str:
    """The date part of a release label (``undated`` sorts before any date)."""
    tail = release.rsplit(" ", 1)[-1]
    return tail if tail[:1].isdigit() else ""


# -- the importers, one per kind ---------------------------------------------------------


def _import_subicb(run: _Run) -> tuple[Graph, Accounting]:
    prefix = _subicb_prefix(run.table.header)
    cd, cdh, nm, icb = run.table.columns(f"{prefix}CD", f"{prefix}CDH", f"{prefix}NM", "ICB22CDH")

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        code, ons, name, area = cells[cdh], cells[cd], cells[nm], cells[icb]
        if not code:
            return run.reject(line, f"{prefix}CDH", "the Sub-ICB location has no ODS code")
        if not _QCODE.match(area):
            return run.reject(line, "ICB22CDH", f"{area!r} is not an ICB ODS code (Q..)")
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.SubArea),
            (SKOS.prefLabel, Literal(name)),
            (PCR.odsCode, Literal(code)),
            (PCR.onsCode2022, Literal(ons)),
            (PCR.partOfArea, _area(area)),
        ]
        return run.put(_subarea(code), facts, line)

    return run.run(handle)


def _import_ccg21(run: _Run) -> tuple[Graph, Accounting]:
    cd, cdh, nm = run.table.columns("CCG21CD", "CCG21CDH", "CCG21NM")
    lookup = run.lookup

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        ons, code, name = cells[cd], cells[cdh], cells[nm]
        subarea = lookup.subarea_by_ons.get(ons)
        if subarea is None:
            if code not in lookup.subarea_area:
                return run.reject(
                    line,
                    "CCG21CD",
                    f"neither {ons} nor {code} is a 2022 Sub-ICB location of the ONS lookup",
                )
            subarea = code
            new = next((e for e, c in lookup.subarea_by_ons.items() if c == code), "?")
            run.report(
                line,
                "CCG21CD",
                f"{name} ({ons}) has no 2022 Sub-ICB location with that ONS code: its boundary "
                f"changed in 2022 and Sub-ICB location {code} now has ONS code {new}; "
                f"joined on the ODS code {code}",
            )
        facts: list[tuple[URIRef, Node]] = [
            (SKOS.altLabel, Literal(name)),
            (PCR.onsCode2021, Literal(ons)),
        ]
        return run.put(_subarea(subarea), facts, line, exists=True)

    return run.run(handle)


def _import_stp21(run: _Run) -> tuple[Graph, Accounting]:
    cd, cdh, nm = run.table.columns("STP21CD", "STP21CDH", "STP21NM")
    areas = run.lookup.areas

    def handle(line: int, cells: list[str]) -> Result:
        cells = [c.strip() for c in cells]
        if cells[cdh] not in areas:
            return run.reject(line, "STP21CDH", f"{cells[cdh]!r} is not one of the 42 areas")
        facts: list[tuple[URIRef, Node]] = [
            (PCR.odsCode, Literal(cells[cdh])),
            (PCR.onsCode2021, Literal(cells[cd])),
            (SKOS.altLabel, Literal(cells[nm])),
        ]
        return run.put(_area(cells[cdh]), facts, line, exists=True)

    return run.run(handle)


def _import_la_lookup(run: _Run) -> tuple[Graph, Accounting]:
    """Each row is a local authority → area entry of the lookup; no triples but provenance."""
    la, icb = run.table.columns("LOCATION.LOCAL.AUTHORITY", "ICB22CDH")
    seen: set[tuple[str, str]] = set()
    areas = run.lookup.areas

    def handle(line: int, cells: list[str]) -> Result:
        name, area = cells[la].strip(), cells[icb].strip()
        if not name:
            return run.reject(line, "Location.Local.Authority", "no local authority named")
        if area not in areas:
            return run.reject(line, "ICB22CDH", f"{area!r} is not one of the 42 areas")
        pair = (_name_key(name), area)
        if pair in seen:
            return "merged"
        seen.add(pair)
        return "imported"

    return run.run(handle)


def _ods_area(code: str, areas: frozenset[str]) -> str:
    return code if code in areas else ""


def _import_trusts(run: _Run) -> tuple[Graph, Accounting]:
    areas = run.lookup.areas
    history = not run.accounting.current

    def handle(line: int, raw: list[str]) -> Result:
        cells = run.ods_cells(line, raw)
        if isinstance(cells, str):
            return cells
        code, name, area = cells[0], cells[1], cells[3]
        if history:
            return _record(run, line, cells, status="closed" if cells[11] else "active")
        if area not in areas:
            why = " (Wales and elsewhere)" if area == "Q99" else ""
            return run.reject(
                line,
                "4",
                f"commissioning code {area or '(empty)'}{why} is outside the 42 areas, "
                "and a provider needs an area in England",
            )
        sector = SECTOR["ambulance"] if "AMBULANCE" in name.upper() else SECTOR["nhs-trust"]
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.Provider),
            (PCR.sector, sector),
            (PCR.operatesIn, _area(area)),
            (PCR.statedArea, _area(area)),
            (PCR.status, Literal("closed" if cells[11] else "active")),
            *run.ods_common(line, cells),
        ]
        node = provider_iri(ods_code=code)
        run.session.current_providers.add(node)
        return run.put(node, facts, line)

    return run.run(handle)


def _record(run: _Run, line: int, cells: list[str], status: str) -> Result:
    """An older release's row, kept as a ``pcr:RegistryRecord`` of the provider."""
    code = cells[0]
    provider = provider_iri(ods_code=code)
    release = run.accounting.release
    facts: list[tuple[URIRef, Node]] = [
        (RDF.type, PCR.RegistryRecord),
        (PCR.recordOf, provider),
        (PCR.release, Literal(release)),
        (SKOS.prefLabel, Literal(cells[1])),
        (PCR.odsCode, Literal(code)),
    ]
    if status:
        facts.append((PCR.status, Literal(status)))
    for column, prop in ((10, PCR.openDate), (11, PCR.closeDate)):
        day = _date_literal(cells[column])
        if day is not None:
            facts.append((prop, day))
    if cells[9]:
        facts.append((PCR.postcode, Literal(cells[9])))
    if cells[3]:
        facts.append((SKOS.note, Literal(f"commissioning area code: {cells[3]}")))
    if cells[14]:
        facts.append((SKOS.note, Literal(f"commissioner: {cells[14]}")))
    current = run.session.current_providers
    if current and provider not in current:
        run.report(
            line,
            "1",
            (
                f"{code} is in release {release} but is no current provider "
                "(its row in the current release was rejected or is missing)"
            ),
        )
    return run.put(mint("record", release, code), facts, line)


def _import_practices(run: _Run) -> tuple[Graph, Accounting]:
    lookup = run.lookup
    history = not run.accounting.current

    def handle(line: int, raw: list[str]) -> Result:
        cells = run.ods_cells(line, raw)
        if isinstance(cells, str):
            return cells
        code, stated, commissioner, setting = cells[0], cells[3], cells[14], cells[25]
        sectors = SETTING_SECTORS.get(setting)
        if sectors is None:
            label = SETTING_NAMES.get(setting)
            if label is None:
                reason = f"prescribing setting {setting!r} is not a known ODS setting"
            elif setting == "0":
                reason = (
                    "prescribing setting 0 (other) does not say what kind of provider this "
                    "is, and pcr-graph does not guess a sector"
                )
            else:
                reason = (
                    f"prescribing setting {setting} ({label}) is not a provider type "
                    "pcr-graph models"
                )
            return run.reject(line, "26", reason)
        status = STATUS.get(cells[12], "")
        if history:
            return _record(run, line, cells, status)
        via_subarea = lookup.subarea_area.get(commissioner, "")
        stated_area = _ods_area(stated, lookup.areas)
        area = via_subarea or stated_area
        if not area:
            return run.reject(
                line,
                "15",
                f"no area can be determined: commissioner {commissioner or '(empty)'} is not "
                f"one of the 106 Sub-ICB locations and {stated or '(empty)'} is not one of "
                "the 42 areas",
            )
        if not status:
            run.report(line, "13", f"status code {cells[12]!r} is not A, C, D or P")
        if not via_subarea:
            run.report(
                line,
                "15",
                f"commissioner {commissioner or '(empty)'} is not one of the 106 Sub-ICB "
                f"locations; placed in the area it states, {stated}",
            )
        elif not stated_area:
            run.report(
                line,
                "4",
                f"stated area {stated or '(empty)'} is not one of the 42 areas; placed in "
                f"{via_subarea}, the area of its Sub-ICB location {commissioner}",
            )
        elif via_subarea != stated_area:
            run.report(
                line,
                "15",
                f"Sub-ICB location {commissioner} belongs to area {via_subarea}, but the "
                f"practice states area {stated_area}; placed in {via_subarea}",
            )
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.Provider),
            *((PCR.sector, SECTOR[s]) for s in sectors),
            (PCR.operatesIn, _area(area)),
            *run.ods_common(line, cells),
        ]
        if status:
            facts.append((PCR.status, Literal(status)))
        if stated_area:
            facts.append((PCR.statedArea, _area(stated_area)))
        else:
            facts.append((SKOS.note, Literal(f"commissioning area code: {stated}")))
        if via_subarea:
            facts.append((PCR.subArea, _subarea(commissioner)))
        elif commissioner:
            facts.append((SKOS.note, Literal(f"commissioner: {commissioner}")))
        operator = cells[23]
        if (
            setting != "4"
            and operator != commissioner
            and re.fullmatch(r"[RT][0-9A-Z]{2}", operator)
        ):
            # Hospital and community services name the NHS trust that runs them here.
            facts.append((PCR.operatedBy, provider_iri(ods_code=operator)))
        phone, problem = restore_telephone(cells[17])
        if phone:
            facts.append((PCR.telephone, Literal(phone)))
        if problem:
            run.report(line, "18", problem)
        node = provider_iri(ods_code=code)
        run.session.current_providers.add(node)
        return run.put(node, facts, line)

    return run.run(handle)


_CQC_COLUMNS = (
    "NAME",
    "CQC_ID",
    "TYPE",
    "ADDRESS",
    "POSTCODE",
    "TELEPHONE",
    "WEBSITE",
    "PROVIDER",
    "AREA_NAME",
)


def _import_care_homes(run: _Run) -> tuple[Graph, Accounting]:
    header = run.table.header
    col = {name: header.index(name) for name in _CQC_COLUMNS if name in header}
    tag = _release_key(run.accounting.release) or "undated"
    session = run.session

    def cell(cells: list[str], name: str) -> str:
        index = col.get(name)
        value = cells[index].strip() if index is not None and index < len(cells) else ""
        return "" if _missing(value) else value

    def handle(line: int, cells: list[str]) -> Result:
        name, postcode, cqc_id = cell(cells, "NAME"), cell(cells, "POSTCODE"), cell(cells, "CQC_ID")
        if not name:
            return run.reject(line, "name", "the care home has no name")
        authority = cell(cells, "AREA_NAME")
        areas, note = run.lookup.place_local_authority(authority)
        if not areas:
            return run.reject(
                line,
                "area_name",
                f"local authority {authority or '(empty)'} is not in a local authority → "
                "ICB lookup and no 2021 CCG is named after it: no area can be determined",
            )
        key = (_name_key(name), _postcode_key(postcode))
        node = session.homes.get(key)
        if cqc_id and (node is None or session.home_ids.get(node, cqc_id) != cqc_id):
            # Same name and postcode but another CQC location: a different home.
            node = provider_iri(cqc_location_id=cqc_id)
        if node is None:
            node = mint("provider", "cqc-list", tag, name, postcode)
        session.homes.setdefault(key, node)
        if cqc_id:
            session.home_ids.setdefault(node, cqc_id)
        if note:
            run.report(line, "area_name", note)
        if len(areas) > 1:
            run.report(
                line,
                "area_name",
                f"local authority {authority} lies in {len(areas)} areas "
                f"({', '.join(areas)}); the home is placed in each",
            )
        facts: list[tuple[URIRef, Node]] = [
            (RDF.type, PCR.Provider),
            (SKOS.prefLabel, Literal(name)),
            (PCR.sector, SECTOR["care-home"]),
            *((PCR.operatesIn, _area(a)) for a in areas),
        ]
        if cqc_id:
            facts.append((PCR.cqcLocationId, Literal(cqc_id)))
        if postcode:
            facts.append((PCR.postcode, Literal(postcode)))
        else:
            run.report(line, "postcode", f"{name} has no postcode")
        for column, prop in (("ADDRESS", PCR.address), ("PROVIDER", PCR.operatorName)):
            if cell(cells, column):
                facts.append((prop, Literal(cell(cells, column))))
        if cell(cells, "WEBSITE"):
            facts.append((PCR.website, Literal(cell(cells, "WEBSITE"), datatype=XSD.anyURI)))
        if cell(cells, "TYPE"):
            facts.append((SKOS.note, Literal(f"CQC list type: {cell(cells, 'TYPE')}")))
        phone, problem = restore_telephone(cell(cells, "TELEPHONE"))
        if phone:
            facts.append((PCR.telephone, Literal(phone)))
        if problem:
            run.report(line, "telephone", problem)
        session.current_providers.add(node)
        return run.put(node, facts, line)

    return run.run(handle)


_IMPORTERS: dict[str, Callable[[_Run], tuple[Graph, Accounting]]] = {
    ONS_SUBICB: _import_subicb,
    ONS_CCG21: _import_ccg21,
    ONS_STP21: _import_stp21,
    CQC_LA_LOOKUP: _import_la_lookup,
    ODS_TRUSTS: _import_trusts,
    ODS_PRACTICES: _import_practices,
    CQC_HOMES: _import_care_homes,
}


def _import_table(
    table: _Table,
    session: _Session,
    current: bool,
    progress: Progress | None,
    graph: Graph | None = None,
) -> tuple[Graph, Accounting]:
    started = time.perf_counter()
    history = not current and table.kind in (ODS_TRUSTS, ODS_PRACTICES)
    graph = bind_prefixes(Graph()) if graph is None else graph
    run = _Run(table, session, _release(table), not history, progress, graph)
    graph, accounting = _IMPORTERS[table.kind](run)
    accounting.seconds = table.seconds + time.perf_counter() - started
    return graph, accounting


# --------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------


def import_file(
    path: Path,
    kind: str | None = None,
    *,
    current: bool = True,
    progress: Progress | None = None,
    lookup: Lookup | None = None,
) -> tuple[Graph, Accounting]:
    """Import one registry file.

    Parameters
    ----------
    path
        The file.
    kind
        One of :data:`KINDS`; None detects it from the header or row shape.
    current
        For ODS files: False keeps the rows as history (``pcr:RegistryRecord``) instead of
        putting them on the provider nodes. Other kinds ignore it.
    progress
        Called as ``progress(rows_done, rows_total)`` every :data:`PROGRESS_EVERY` rows.
    lookup
        Area codes and lookups; None reads them from the file's own folder.

    Returns
    -------
    (Graph, Accounting)
        The triples, and what happened to every row.

    Raises
    ------
    DataError
        When the file is not a registry file of ``kind`` (or of any known kind).
    """
    path = Path(path)
    kind = kind or detect(path)
    if kind is None:
        raise DataError(f"{path.name}: not a registry file pcr-graph recognises")
    if kind not in _IMPORTERS:
        raise DataError(f"unknown registry kind {kind!r} (one of {', '.join(KINDS)})")
    table = _read_table(path, kind)
    session = _Session(lookup if lookup is not None else Lookup.from_folder(path.parent))
    return _import_table(table, session, current, progress)


def import_registries(
    folder: Path, *, progress: FileProgress | None = None, lookup: Lookup | None = None
) -> tuple[Graph, list[Accounting]]:
    """Import every registry file in ``folder`` into one graph.

    Lookups come first, then trusts, practices and care homes. Of several releases of one
    ODS register (files of one kind sharing most of their codes), the newest is current and
    the older ones are kept as history. CQC lists are imported newest first, so homes with a
    CQC location id keep it as their IRI when an older list without ids names them too.
    Files that are not recognised are listed with kind ``unrecognised`` and nothing read.

    Parameters
    ----------
    folder
        A folder of registry files (other files are listed, not read).
    progress
        Called as ``progress(file_name, rows_done, rows_total)``.
    lookup
        Area codes and lookups; None reads them from ``folder``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    tables: list[_Table] = []
    accountings: list[Accounting] = []
    for path in _files(folder):
        kind = detect(path)
        if kind is None:
            accountings.append(Accounting(path.name, UNRECOGNISED, ""))
        else:
            tables.append(_read_table(path, kind))
    session = _Session(lookup if lookup is not None else _lookup_of(tables))
    graph = bind_prefixes(Graph())
    for table, current in _plan(tables):
        name = table.path.name

        def file_progress(done: int, total: int, name: str = name) -> None:
            if progress is not None:
                progress(name, done, total)

        # One graph for all files: adding each triple once halves the time of a big import.
        _, accounting = _import_table(table, session, current, file_progress, graph)
        accountings.append(accounting)
    return graph, accountings


def _lookup_of(tables: list[_Table]) -> Lookup:
    lookup = Lookup()
    for table in tables:
        if table.kind in LOOKUP_KINDS:
            lookup.add(table)
    if not lookup.areas:
        lookup.areas = _reference_area_codes()
    return lookup


def _codes(table: _Table) -> set[str]:
    return {cells[0].strip() for _, cells in table.rows if cells}


def _plan(tables: list[_Table]) -> list[tuple[_Table, bool]]:
    """The order of import, and whether each file is current."""
    plan: list[tuple[_Table, bool]] = []
    for kind in KINDS:
        group = sorted(
            (t for t in tables if t.kind == kind),
            key=lambda t: (_release_key(_release(t)), "CQC_ID" in t.header, t.path.name),
            reverse=True,
        )
        current_codes: set[str] = set()
        for table in group:
            current = True
            if kind in (ODS_TRUSTS, ODS_PRACTICES):
                codes = _codes(table)
                # An older file sharing most codes with a newer one is an earlier release of
                # the same register (etr and ect share none, so both stay current).
                current = len(codes & current_codes) * 2 <= len(codes)
                if current:
                    current_codes |= codes
            plan.append((table, current))
    return plan


def write_problems(path: Path, accountings: Sequence[Accounting]) -> None:
    """Write every rejected and reported row, with its reason, to one CSV file."""
    import io

    from pcr_graph.core.files import atomic_write_text

    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["file", "line", "column", "outcome", "reason", "expected"])
    for accounting in accountings:
        for outcome, problems in (
            ("rejected", accounting.rejections),
            ("reported", accounting.reported),
        ):
            for p in sorted(problems):
                writer.writerow([p.file, p.line, p.column, outcome, p.problem, p.expected])
    atomic_write_text(path, out.getvalue())
