"""Importing a spreadsheet workbook: a folder of CSV files in the template of DESIGN.md.

Strict by default: every bad cell is reported (file, line, column, what is wrong, what was
expected) and nothing is written. Lenient mode keeps the good rows and returns the rejects.
The result is an rdflib graph; the caller writes it atomically.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

from pcr_graph.core.errors import DataError, ImportProblems, RowProblem
from pcr_graph.core.ids import area_iri, mint, provider_iri
from pcr_graph.core.namespaces import PCR, bind_prefixes
from pcr_graph.core.resources import graph_dir
from pcr_graph.core.vocab import Scheme, forum_kinds, link_types, sectors, themes


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


@dataclass(frozen=True)
class Row:
    """One data row: its file, the line it starts on, its template cells and extra cells."""

    file: str
    line: int
    cells: dict[str, str]
    extras: tuple[tuple[str, str], ...] = ()

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


@dataclass
class ImportResult:
    """What an import produced: the graph, row counts, and (lenient mode) the rejects."""

    graph: Graph
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_imported: dict[str, int] = field(default_factory=dict)
    rejects: list[tuple[Row, list[RowProblem]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[RowProblem]:
        return sorted(p for _, problems in self.rejects for p in problems)


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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [RowProblem(name, 0, "", f"cannot read file: {exc.strerror}")]
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
        cells = dict(zip(columns, record, strict=False))
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


@cache
def reference_codes() -> tuple[dict[str, URIRef], dict[str, URIRef]]:
    """Reference areas by ODS and ONS code, and regions by code or name (upper-cased keys)."""
    graph = Graph()
    path = graph_dir() / "areas.ttl"
    if path.exists():
        graph.parse(path, format="turtle")
    areas: dict[str, URIRef] = {}
    regions: dict[str, URIRef] = {}
    for prop in (PCR.odsCode, PCR.onsCode2021, PCR.onsCode2022, SKOS.prefLabel):
        for subject, value in graph.subject_objects(prop):
            assert isinstance(subject, URIRef)
            key = str(value).strip().upper()
            if (subject, RDF.type, PCR.Area) in graph and prop != SKOS.prefLabel:
                areas.setdefault(key, subject)
            elif (subject, RDF.type, PCR.Region) in graph:
                regions.setdefault(key, subject)
    return areas, regions


class _Importer:
    """One import run; collects problems per row, then builds the graph from good rows."""

    def __init__(self, folder: Path, workbook: str, fictional: bool) -> None:
        self.folder = folder
        self.wb = workbook
        self.fictional = fictional
        self.graph = bind_prefixes(Graph())
        self.rejects: list[tuple[Row, list[RowProblem]]] = []
        self.area_ids: dict[str, URIRef] = {}
        self.provider_ids: dict[str, URIRef] = {}
        self.provider_areas: dict[str, list[URIRef]] = {}
        self.forum_ids: dict[str, URIRef] = {}
        self.evidence_ids: dict[str, URIRef] = {}
        self.rows_read: dict[str, int] = {}
        self.rows_imported: dict[str, int] = {}

    # -- helpers
    def iri(self, kind: str, local: str) -> URIRef:
        return mint("wb", self.wb, kind, local)

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def common(self, node: URIRef, row: Row, local_id: str) -> None:
        self.add(node, DCTERMS.identifier, Literal(local_id))
        self.add(node, PCR.sourceLocation, Literal(f"{self.wb}/{row.file} line {row.line}"))
        if self.fictional:
            self.add(node, PCR.fictional, Literal(True))
        for column, value in row.extras:
            self.add(node, SKOS.note, Literal(f"{column}: {value}"))

    def concept(
        self, row: Row, column: str, scheme: Scheme, problems: list[RowProblem], many: bool
    ) -> list[URIRef]:
        values = split_list(row.get(column)) if many else [row.get(column)]
        found = []
        for value in values:
            concept = scheme.resolve(value)
            if concept is None:
                problems.append(
                    RowProblem(
                        row.file,
                        row.line,
                        column,
                        f"unknown value {value!r}",
                        "one of " + ", ".join(scheme.notations()),
                    )
                )
            else:
                found.append(concept)
        return found

    def dates(self, row: Row, problems: list[RowProblem]) -> tuple[dt.date | None, dt.date | None]:
        parsed: dict[str, dt.date | None] = {}
        for column in ("start", "end"):
            text = row.get(column)
            parsed[column] = parse_date(text) if text else None
            if text and parsed[column] is None:
                problems.append(
                    RowProblem(row.file, row.line, column, f"not a date: {text!r}", "YYYY-MM-DD")
                )
        start, end = parsed["start"], parsed["end"]
        if start and end and start > end:
            problems.append(
                RowProblem(row.file, row.line, "end", f"ends ({end}) before it starts ({start})")
            )
        return start, end

    def area_refs(self, row: Row, column: str, problems: list[RowProblem]) -> list[URIRef]:
        ref_areas, _ = reference_codes()
        found = []
        for value in split_list(row.get(column)):
            area = self.area_ids.get(value) or ref_areas.get(value.upper())
            if area is None:
                problems.append(
                    RowProblem(
                        row.file,
                        row.line,
                        column,
                        f"unknown area {value!r}",
                        "an area_id from areas.csv, or an ODS (Q…) or ONS (E54…) area code",
                    )
                )
            else:
                found.append(area)
        return found

    def unique(
        self, row: Row, column: str, seen: dict[str, int], problems: list[RowProblem]
    ) -> str:
        value = row.get(column)
        if value in seen:
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    column,
                    f"duplicate id {value!r}",
                    f"a unique id (first used on line {seen[value]})",
                )
            )
        else:
            seen[value] = row.line
        return value

    def required(self, row: Row, spec: FileSpec, problems: list[RowProblem]) -> None:
        for column in spec.required:
            if not row.get(column):
                problems.append(RowProblem(row.file, row.line, column, "required value is empty"))

    # -- per file
    def run(self, lenient: bool) -> list[RowProblem]:
        file_problems: list[RowProblem] = []
        present = False
        for name, spec in TEMPLATE.items():
            path = self.folder / name
            if not path.exists():
                if spec.must_exist:
                    file_problems.append(RowProblem(name, 0, "", "file is missing", "a CSV file"))
                continue
            present = True
            rows, problems = read_table(path, spec)
            file_problems.extend(problems)
            self.rows_read[name] = len(rows)
            self.rows_imported[name] = 0
            handler = getattr(self, "_" + name.removesuffix(".csv"))
            seen: dict[str, int] = {}
            for row in rows:
                row_problems: list[RowProblem] = []
                self.required(row, spec, row_problems)
                if not row_problems:
                    handler(row, seen, row_problems)
                if row_problems:
                    self.rejects.append((row, row_problems))
                else:
                    self.rows_imported[name] += 1
        if not present:
            file_problems.append(RowProblem("providers.csv", 0, "", "no template CSV files found"))
        return file_problems

    def _areas(self, row: Row, seen: dict[str, int], problems: list[RowProblem]) -> None:
        area_id = self.unique(row, "area_id", seen, problems)
        _, ref_regions = reference_codes()
        ods, ons = row.get("ods_code").upper(), row.get("ons_code").upper()
        node = area_iri(ods) if ods else self.iri("area", area_id)
        region = row.get("region")
        region_iri = ref_regions.get(region.upper()) if region else None
        if region and region_iri is None:
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    "region",
                    f"unknown region {region!r}",
                    "an NHS England region code (Y56…) or name",
                )
            )
        if problems:
            return
        self.area_ids[area_id] = node
        self.add(node, RDF.type, PCR.Area)
        self.add(node, SKOS.prefLabel, Literal(row.get("name")))
        if ods:
            self.add(node, PCR.odsCode, Literal(ods))
        if ons:
            self.add(node, PCR.onsCode2022, Literal(ons))
        if region_iri is not None:
            self.add(node, PCR.region, region_iri)
        self.common(node, row, area_id)

    def _evidence(self, row: Row, seen: dict[str, int], problems: list[RowProblem]) -> None:
        evidence_id = self.unique(row, "evidence_id", seen, problems)
        date_text, url = row.get("date"), row.get("url")
        date = parse_date(date_text) if date_text else None
        if date_text and date is None:
            problems.append(
                RowProblem(row.file, row.line, "date", f"not a date: {date_text!r}", "YYYY-MM-DD")
            )
        if url and not (url.startswith(("http://", "https://")) and " " not in url):
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    "url",
                    f"not a web address: {url!r}",
                    "an http:// or https:// URL",
                )
            )
        if problems:
            return
        node = self.iri("evidence", evidence_id)
        self.evidence_ids[evidence_id] = node
        self.add(node, RDF.type, PCR.Evidence)
        self.add(node, DCTERMS.title, Literal(row.get("title")))
        if row.get("publisher"):
            self.add(node, DCTERMS.publisher, Literal(row.get("publisher")))
        if date is not None:
            self.add(node, DCTERMS.date, Literal(date.isoformat(), datatype=XSD.date))
        if url:
            self.add(node, PCR.url, Literal(url, datatype=XSD.anyURI))
        if row.get("quote"):
            self.add(node, PCR.quote, Literal(row.get("quote")))
        self.common(node, row, evidence_id)

    def _providers(self, row: Row, seen: dict[str, int], problems: list[RowProblem]) -> None:
        provider_id = self.unique(row, "provider_id", seen, problems)
        sector_iris = self.concept(row, "sector", sectors(), problems, many=True)
        area_list = self.area_refs(row, "area", problems)
        if problems:
            return
        node = provider_iri(
            ods_code=row.get("ods_code"),
            cqc_location_id=row.get("cqc_location_id"),
            workbook=self.wb,
            local_id=provider_id,
        )
        self.provider_ids[provider_id] = node
        self.provider_areas[provider_id] = area_list
        self.add(node, RDF.type, PCR.Provider)
        self.add(node, SKOS.prefLabel, Literal(row.get("name")))
        for sector in sector_iris:
            self.add(node, PCR.sector, sector)
        for area in area_list:
            self.add(node, PCR.operatesIn, area)
        for column, prop in (
            ("ods_code", PCR.odsCode),
            ("cqc_location_id", PCR.cqcLocationId),
            ("cqc_provider_id", PCR.cqcProviderId),
        ):
            value = row.get(column)
            if value:
                self.add(node, prop, Literal(value.upper() if column == "ods_code" else value))
        if row.get("notes"):
            self.add(node, SKOS.note, Literal(row.get("notes")))
        self.common(node, row, provider_id)

    def _forums(self, row: Row, seen: dict[str, int], problems: list[RowProblem]) -> None:
        forum_id = self.unique(row, "forum_id", seen, problems)
        areas = self.area_refs(row, "area", problems)
        if len(areas) > 1:
            problems.append(RowProblem(row.file, row.line, "area", "a forum belongs to one area"))
        kind = (
            self.concept(row, "kind", forum_kinds(), problems, many=False)
            if row.get("kind")
            else []
        )
        if problems:
            return
        node = self.iri("forum", forum_id)
        self.forum_ids[forum_id] = node
        self.add(node, RDF.type, PCR.PlanningForum)
        self.add(node, SKOS.prefLabel, Literal(row.get("name")))
        self.add(node, PCR.area, areas[0])
        for concept in kind:
            self.add(node, PCR.forumKind, concept)
        if row.get("notes"):
            self.add(node, SKOS.note, Literal(row.get("notes")))
        self.common(node, row, forum_id)

    def _memberships(self, row: Row, seen: dict[str, int], problems: list[RowProblem]) -> None:
        forum_id, provider_id = row.get("forum_id"), row.get("provider_id")
        key = f"{forum_id}\x1f{provider_id}"
        if key in seen:
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    "provider_id",
                    f"{provider_id!r} is already a member of {forum_id!r}",
                    f"one row per forum and provider (see line {seen[key]})",
                )
            )
        seen.setdefault(key, row.line)
        forum = self.forum_ids.get(forum_id)
        provider = self.provider_ids.get(provider_id)
        if forum is None:
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    "forum_id",
                    f"unknown forum {forum_id!r}",
                    "a forum_id from forums.csv",
                )
            )
        if provider is None:
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    "provider_id",
                    f"unknown provider {provider_id!r}",
                    "a provider_id from providers.csv",
                )
            )
        start, end = self.dates(row, problems)
        if problems or forum is None or provider is None:
            return
        node = mint("wb", self.wb, "membership", forum_id, provider_id)
        self.add(node, RDF.type, ORG.Membership)
        self.add(node, ORG.member, provider)
        self.add(node, ORG.organization, forum)
        self.add(forum, ORG.hasMember, provider)
        role = row.get("role")
        if role:
            role_node = mint("wb", self.wb, "role", role.casefold())
            self.add(role_node, RDF.type, ORG.Role)
            self.add(role_node, SKOS.prefLabel, Literal(role))
            self.add(node, ORG.role, role_node)
        if start:
            self.add(node, PCR.startDate, Literal(start.isoformat(), datatype=XSD.date))
        if end:
            self.add(node, PCR.endDate, Literal(end.isoformat(), datatype=XSD.date))
        self.add(node, PCR.sourceLocation, Literal(f"{self.wb}/{row.file} line {row.line}"))

    def _links(self, row: Row, seen: dict[str, int], problems: list[RowProblem]) -> None:
        link_id = self.unique(row, "link_id", seen, problems)
        link_type = self.concept(row, "type", link_types(), problems, many=False)
        theme_iris = self.concept(row, "themes", themes(), problems, many=True)
        participant_ids = split_list(row.get("participants"))
        unknown = [p for p in participant_ids if p not in self.provider_ids]
        for pid in unknown:
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    "participants",
                    f"unknown provider {pid!r}",
                    "provider_ids from providers.csv, separated by ;",
                )
            )
        distinct = sorted(set(participant_ids))
        if len(distinct) < 2:
            problems.append(
                RowProblem(
                    row.file,
                    row.line,
                    "participants",
                    "a link needs at least two different participants",
                )
            )
        evidence = []
        for evidence_id in split_list(row.get("evidence")):
            node = self.evidence_ids.get(evidence_id)
            if node is None:
                problems.append(
                    RowProblem(
                        row.file,
                        row.line,
                        "evidence",
                        f"unknown evidence {evidence_id!r}",
                        "evidence_ids from evidence.csv, separated by ;",
                    )
                )
            else:
                evidence.append(node)
        areas = self.area_refs(row, "area", problems) if row.get("area") else []
        start, end = self.dates(row, problems)
        if problems:
            return
        participants = [self.provider_ids[p] for p in distinct]
        if not areas:
            areas = self._shared_areas(distinct)
        node = self.iri("link", link_id)
        self.add(node, RDF.type, PCR.CollaborationLink)
        self.add(node, PCR.linkType, link_type[0])
        for participant in participants:
            self.add(node, PCR.participant, participant)
        for a, b in itertools.permutations(participants, 2):
            self.add(a, PCR.collaboratesWith, b)
        for area in areas:
            self.add(node, PCR.area, area)
        for theme in theme_iris:
            self.add(node, PCR.theme, theme)
        for item in evidence:
            self.add(node, PROV.wasDerivedFrom, item)
        if start:
            self.add(node, PCR.startDate, Literal(start.isoformat(), datatype=XSD.date))
        if end:
            self.add(node, PCR.endDate, Literal(end.isoformat(), datatype=XSD.date))
        if row.get("notes"):
            self.add(node, SKOS.note, Literal(row.get("notes")))
        self.common(node, row, link_id)

    def _shared_areas(self, provider_ids: list[str]) -> list[URIRef]:
        # An empty area cell means: the areas all participants share; failing that, all of
        # theirs (a cross-area link).
        sets = [set(self.provider_areas[p]) for p in provider_ids]
        shared = set.intersection(*sets) if sets else set()
        return sorted(shared or set.union(*sets))


def import_workbook(
    folder: Path,
    *,
    name: str | None = None,
    lenient: bool = False,
    fictional: bool = False,
    recorded_at: dt.datetime | None = None,
) -> ImportResult:
    """Import the workbook in ``folder``.

    Parameters
    ----------
    folder
        A folder of template CSV files (``providers.csv`` required).
    name
        The workbook's name, used in IRIs (default: the folder's name).
    lenient
        Keep the good rows and return the rejects instead of failing.
    fictional
        Mark every area, provider, forum, link and evidence ``pcr:fictional true``.
    recorded_at
        Time to record on the import run; None records none (for byte-stable output).

    Raises
    ------
    ImportProblems
        In strict mode, when any row is bad (nothing is returned, nothing written).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (a workbook is a folder of CSV files)")
    workbook = name or folder.resolve().name
    importer = _Importer(folder, workbook, fictional)
    file_problems = importer.run(lenient)
    row_problems = [p for _, problems in importer.rejects for p in problems]
    if file_problems and (not lenient or any(p.line <= 1 for p in file_problems)):
        # A file that cannot be read makes every reference to it fail too; listing those
        # follow-on errors would bury the one problem to fix first.
        raise ImportProblems(file_problems)
    if row_problems and not lenient:
        raise ImportProblems(row_problems)
    _record_provenance(importer, folder, recorded_at)
    return ImportResult(
        importer.graph, importer.rows_read, importer.rows_imported, importer.rejects
    )


def _record_provenance(importer: _Importer, folder: Path, recorded_at: dt.datetime | None) -> None:
    run = importer.iri("import", "run")
    importer.add(run, RDF.type, PCR.ImportRun)
    importer.add(run, SKOS.prefLabel, Literal(f"Import of workbook {importer.wb}"))
    if recorded_at is not None:
        importer.add(run, PROV.endedAtTime, Literal(recorded_at.isoformat(), datatype=XSD.dateTime))
    for name in TEMPLATE:
        path = folder / name
        if not path.exists():
            continue
        file_node = importer.iri("file", name)
        importer.add(run, PROV.used, file_node)
        importer.add(file_node, RDF.type, PROV.Entity)
        importer.add(file_node, DCTERMS.title, Literal(name))
        importer.add(file_node, PCR.sha256, Literal(hashlib.sha256(path.read_bytes()).hexdigest()))
        importer.add(file_node, PCR.rowCount, Literal(importer.rows_imported.get(name, 0)))


def write_rejects(folder: Path, rejects: list[tuple[Row, list[RowProblem]]]) -> list[Path]:
    """Write rejected rows as a workbook the user can fix and re-import.

    ``folder`` gets one CSV per template file holding exactly the rejected rows (template
    columns, then any extra columns they had), and ``problems.csv`` listing every problem
    with its line in those new files and the line it had in the original.
    """
    from pcr_graph.core.files import atomic_write_text

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DataError(f"{folder}: --rejects needs a folder (rejected rows are a workbook)")
    by_file: dict[str, list[tuple[Row, list[RowProblem]]]] = {}
    for row, problems in sorted(rejects, key=lambda r: (r[0].file, r[0].line)):
        by_file.setdefault(row.file, []).append((row, problems))
    listing = io.StringIO()
    problems_out = csv.writer(listing, lineterminator="\n")
    problems_out.writerow(["file", "line", "column", "problem", "expected", "original_line"])
    written = []
    for name, rows in by_file.items():
        spec = TEMPLATE[name]
        extras = sorted({column for row, _ in rows for column, _ in row.extras})
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*spec.columns, *extras])
        for number, (row, problems) in enumerate(rows, start=2):
            extra = dict(row.extras)
            writer.writerow(
                [*(row.cells[c] for c in spec.columns), *(extra.get(c, "") for c in extras)]
            )
            for problem in problems:
                problems_out.writerow(
                    [name, number, problem.column, problem.problem, problem.expected, row.line]
                )
        atomic_write_text(folder / name, out.getvalue())
        written.append(folder / name)
    atomic_write_text(folder / "problems.csv", listing.getvalue())
    return [*written, folder / "problems.csv"]
