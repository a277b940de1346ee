"""Importing a spreadsheet workbook: a folder of CSV files in the template of DESIGN.md.

Strict by default: every bad cell is reported (file, line, column, what is wrong, what was
expected) and nothing is written. Lenient mode keeps the good rows and returns the rejects.

One cause, one message: a row that refers to a rejected row (a provider of a rejected area,
a link of a rejected provider) is held back with it, and counted on the rejected row's own
message instead of being reported one by one. A link citing a rejected evidence row is
kept in lenient mode, without that evidence, and is written to the rejects too so that
re-importing the fixed evidence attaches it. The result is an rdflib graph; the caller
writes it atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

from pcr_graph.core.errors import DataError, ImportProblems, RowProblem
from pcr_graph.core.hints import did_you_mean, valid_values
from pcr_graph.core.ids import area_iri, mint, provider_iri
from pcr_graph.core.namespaces import PCR, bind_prefixes
from pcr_graph.core.resources import graph_dir
from pcr_graph.core.vocab import Scheme, forum_kinds, link_types, sectors, themes
from pcr_graph.ingest.workbook.merge import merge_graphs
from pcr_graph.ingest.workbook.template import (
    KIND_OF_FILE,
    PENDING_NOTE,
    TEMPLATE,
    FileSpec,
    Row,
    parse_date,
    read_table,
    split_list,
)

Where = tuple[str, int]
"""A row's place: (file, line)."""


@dataclass(frozen=True)
class Reject:
    """A row left out of the graph (or, ``kept``, imported but incomplete), and why."""

    row: Row
    problems: tuple[RowProblem, ...]
    """The row's own problems (empty when it is only held back by ``causes``)."""
    causes: tuple[Where, ...] = ()
    """The rejected rows it refers to, directly or through other held-back rows."""
    kept: bool = False
    """True for a link imported without the evidence rows in ``causes``."""

    @property
    def held_back(self) -> bool:
        """True when nothing is wrong with the row itself: it waits for ``causes``."""
        return not self.problems and bool(self.causes)


@dataclass
class ImportResult:
    """What an import produced: the graph, row counts, rejects, warnings."""

    graph: Graph
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_imported: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)
    kept: list[Reject] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)
    summaries: list[RowProblem] = field(default_factory=list)
    """One per rejected row that others refer to: how many, of which kinds."""
    rejected_rows: int = 0
    """Rows of the import now missing from its data (after a merge: those still missing)."""
    merged_rows: int = 0
    """When merging into an earlier import: rows this folder added to it."""

    @property
    def problems(self) -> list[RowProblem]:
        """The messages to show: every rejected row's own problems, one summary per cause."""
        own = [p for reject in self.rejects for p in reject.problems]
        return sorted(own + self.summaries)


MAX_LINK_PARTICIPANTS = 200
"""Most providers one link may join. Each pair gets a ``pcr:collaboratesWith`` shortcut in
both directions, so a link of n providers writes n(n-1) of them: at most 39,800 here, where
one cell of 2,000 ids once wrote four million (a group that large is a forum, not a link)."""


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


@cache
def region_names() -> tuple[str, ...]:
    """The NHS England region names, as the reference data spells them."""
    graph = Graph()
    path = graph_dir() / "areas.ttl"
    if path.exists():
        graph.parse(path, format="turtle")
    return tuple(
        sorted(str(graph.value(r, SKOS.prefLabel)) for r in graph.subjects(RDF.type, PCR.Region))
    )


class Check:
    """What is found out about one row while reading it."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.problems: list[RowProblem] = []
        self.causes: set[Where] = set()
        self.warnings: list[RowProblem] = []
        self.missing_evidence: set[Where] = set()

    def problem(self, column: str, text: str, expected: str = "") -> None:
        row = self.row
        self.problems.append(RowProblem(row.file, row.line, column, text, expected, row.record))

    def warn(self, column: str, text: str, expected: str = "") -> None:
        row = self.row
        self.warnings.append(RowProblem(row.file, row.line, column, text, expected, row.record))


class _Importer:
    """One import run; checks each row, then adds the good ones to the graph."""

    def __init__(self, folder: Path, workbook: str, fictional: bool, lenient: bool) -> None:
        self.folder = folder
        self.wb = workbook
        self.fictional = fictional
        self.lenient = lenient
        self.graph = bind_prefixes(Graph())
        self.rejects: list[Reject] = []
        self.kept: list[Reject] = []
        self.warnings: list[RowProblem] = []
        self.area_ids: dict[str, URIRef] = {}
        self.provider_ids: dict[str, URIRef] = {}
        self.provider_areas: dict[str, list[URIRef]] = {}
        self.forum_ids: dict[str, URIRef] = {}
        self.evidence_ids: dict[str, URIRef] = {}
        self.rejected: dict[str, dict[str, frozenset[Where]]] = {
            kind: {} for kind in ("area", "evidence", "provider", "forum")
        }
        self.rejected_rows: dict[Where, Row] = {}
        self.rows_read: dict[str, int] = {}
        self.rows_imported: dict[str, int] = {}

    def seed(self, base: Graph) -> None:
        """Resolve ids against an earlier import of the same workbook (merging into it)."""
        targets = {
            PCR.Area: self.area_ids,
            PCR.Provider: self.provider_ids,
            PCR.PlanningForum: self.forum_ids,
            PCR.Evidence: self.evidence_ids,
        }
        for node, identifier in base.subject_objects(DCTERMS.identifier):
            if not isinstance(node, URIRef):
                continue
            for kind, ids in targets.items():
                if (node, RDF.type, kind) in base:
                    ids.setdefault(str(identifier), node)
                    if kind == PCR.Provider:
                        self.provider_areas[str(identifier)] = sorted(
                            o for o in base.objects(node, PCR.operatesIn) if isinstance(o, URIRef)
                        )

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
        self, check: Check, column: str, scheme: Scheme, what: str, many: bool
    ) -> list[URIRef]:
        row = check.row
        values = split_list(row.get(column)) if many else [row.get(column)]
        found = []
        for value in values:
            concept = scheme.resolve(value)
            if concept is None:
                check.problem(
                    column,
                    f"unknown {what} {value!r}" + did_you_mean(value, _names(scheme)),
                    valid_values(scheme.notations(), f"a {what}"),
                )
            else:
                found.append(concept)
        return found

    def dates(self, check: Check) -> tuple[dt.date | None, dt.date | None]:
        parsed: dict[str, dt.date | None] = {}
        for column in ("start", "end"):
            text = check.row.get(column)
            parsed[column] = parse_date(text) if text else None
            if text and parsed[column] is None:
                check.problem(column, f"not a date: {text!r}", "YYYY-MM-DD")
        start, end = parsed["start"], parsed["end"]
        if start and end and start > end:
            check.problem("end", f"ends ({end}) before it starts ({start})")
        return start, end

    def reference(
        self, check: Check, column: str, kind: str, value: str, known: dict[str, URIRef]
    ) -> URIRef | None:
        """The node ``value`` names among ``known``; a rejected one becomes a cause."""
        node = known.get(value)
        if node is not None:
            return node
        causes = self.rejected[kind].get(value)
        if causes is not None:
            if kind == "evidence" and self.lenient and check.row.file == "links.csv":
                check.missing_evidence |= causes
            else:
                check.causes |= causes
            return None
        if kind == "area":
            node = reference_codes()[0].get(value.upper())
            if node is not None:
                return node
        file = {"area": "areas.csv", "provider": "providers.csv", "forum": "forums.csv"}.get(
            kind, "evidence.csv"
        )
        present = (self.folder / file).exists() or bool(known)
        what = f"a {kind}_id from {file}" if kind != "evidence" else "an evidence_id"
        if kind == "evidence":
            what += " from evidence.csv"
        if kind == "area":
            what += ", or an ODS (Q…) or ONS (E54…) area code"
        expected = valid_values(known, what) if present else f"{what} ({file} is absent)"
        if kind == "area" and known and len(known) <= 25:
            expected += ", or an ODS (Q…) or ONS (E54…) area code"
        check.problem(column, f"unknown {kind} {value!r}" + did_you_mean(value, known), expected)
        return None

    def area_refs(self, check: Check, column: str) -> list[URIRef]:
        found = []
        for value in split_list(check.row.get(column)):
            node = self.reference(check, column, "area", value, self.area_ids)
            if node is not None:
                found.append(node)
        return found

    def unique(self, check: Check, column: str, seen: dict[str, int]) -> str:
        value = check.row.get(column)
        if value in seen:
            check.problem(
                column,
                f"duplicate id {value!r}",
                f"a unique id (first used on line {seen[value]})",
            )
        else:
            seen[value] = check.row.line
        return value

    def required(self, check: Check, spec: FileSpec) -> None:
        for column in spec.required:
            if not check.row.get(column):
                check.problem(column, "required value is empty")

    # -- per file
    def run(self) -> list[RowProblem]:
        file_problems: list[RowProblem] = []
        present = False
        for name, spec in TEMPLATE.items():
            path = self.folder / name
            if not path.exists() and not path.is_symlink():
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
                check = Check(row)
                self.required(check, spec)
                if not check.problems:
                    handler(check, seen)
                self.warnings.extend(check.warnings)
                if check.problems or check.causes:
                    self._reject(check, spec, seen)
                else:
                    self.rows_imported[name] += 1
                    if check.missing_evidence:
                        self.kept.append(
                            Reject(row, (), tuple(sorted(check.missing_evidence)), kept=True)
                        )
        if not present:
            file_problems.append(RowProblem("providers.csv", 0, "", "no template CSV files found"))
        return file_problems

    def _reject(self, check: Check, spec: FileSpec, seen: dict[str, int]) -> None:
        row = check.row
        where = (row.file, row.line)
        causes = set(check.causes)
        if check.problems:
            causes.add(where)
            self.rejected_rows[where] = row
        self.rejects.append(Reject(row, tuple(check.problems), tuple(sorted(causes - {where}))))
        kind = KIND_OF_FILE[row.file][0].removesuffix(" item")
        key = row.get(spec.required[0])
        duplicate = any(p.problem.startswith("duplicate id") for p in check.problems)
        if kind in self.rejected and key and not duplicate:
            self.rejected[kind][key] = frozenset(causes)

    def _areas(self, check: Check, seen: dict[str, int]) -> None:
        row = check.row
        area_id = self.unique(check, "area_id", seen)
        _, ref_regions = reference_codes()
        ods, ons = row.get("ods_code").upper(), row.get("ons_code").upper()
        node = area_iri(ods) if ods else self.iri("area", area_id)
        region = row.get("region")
        region_iri = ref_regions.get(region.upper()) if region else None
        if region and region_iri is None:
            check.warn(
                "region",
                f"unknown region {region!r}"
                + did_you_mean(region, region_names())
                + "; kept as written",
                valid_values(region_names(), "an NHS England region name or code (Y56…)"),
            )
        if check.problems:
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
        elif region:
            self.add(node, SKOS.note, Literal(f"region: {region}"))
        self.common(node, row, area_id)

    def _evidence(self, check: Check, seen: dict[str, int]) -> None:
        row = check.row
        evidence_id = self.unique(check, "evidence_id", seen)
        date_text, url = row.get("date"), row.get("url")
        date = parse_date(date_text) if date_text else None
        if date_text and date is None:
            check.problem("date", f"not a date: {date_text!r}", "YYYY-MM-DD")
        if url and not (url.startswith(("http://", "https://")) and " " not in url):
            check.problem("url", f"not a web address: {url!r}", "an http:// or https:// URL")
        if check.problems:
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

    def _providers(self, check: Check, seen: dict[str, int]) -> None:
        row = check.row
        provider_id = self.unique(check, "provider_id", seen)
        sector_iris = self.concept(check, "sector", sectors(), "sector", many=True)
        area_list = self.area_refs(check, "area")
        if check.problems or check.causes:
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

    def _forums(self, check: Check, seen: dict[str, int]) -> None:
        row = check.row
        forum_id = self.unique(check, "forum_id", seen)
        areas = self.area_refs(check, "area")
        if len(areas) > 1:
            check.problem("area", "a forum belongs to one area", "one area")
        kinds = forum_kinds()
        kind_text = row.get("kind")
        kind = kinds.resolve(kind_text) if kind_text else None
        if kind_text and kind is None:
            check.warn(
                "kind",
                f"unknown forum kind {kind_text!r}"
                + did_you_mean(kind_text, _names(kinds))
                + "; kept as written",
                valid_values(kinds.notations(), "a forum kind"),
            )
        if check.problems or check.causes:
            return
        node = self.iri("forum", forum_id)
        self.forum_ids[forum_id] = node
        self.add(node, RDF.type, PCR.PlanningForum)
        self.add(node, SKOS.prefLabel, Literal(row.get("name")))
        self.add(node, PCR.area, areas[0])
        if kind is not None:
            self.add(node, PCR.forumKind, kind)
        elif kind_text:
            self.add(node, SKOS.note, Literal(f"kind: {kind_text}"))
        if row.get("notes"):
            self.add(node, SKOS.note, Literal(row.get("notes")))
        self.common(node, row, forum_id)

    def _memberships(self, check: Check, seen: dict[str, int]) -> None:
        row = check.row
        forum_id, provider_id = row.get("forum_id"), row.get("provider_id")
        key = f"{forum_id}\x1f{provider_id}"
        if key in seen:
            check.problem(
                "provider_id",
                f"{provider_id!r} is already a member of {forum_id!r}",
                f"one row per forum and provider (see line {seen[key]})",
            )
        seen.setdefault(key, row.line)
        forum = self.reference(check, "forum_id", "forum", forum_id, self.forum_ids)
        provider = self.reference(check, "provider_id", "provider", provider_id, self.provider_ids)
        start, end = self.dates(check)
        if check.problems or check.causes or forum is None or provider is None:
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

    def _links(self, check: Check, seen: dict[str, int]) -> None:
        row = check.row
        link_id = self.unique(check, "link_id", seen)
        link_type = self.concept(check, "type", link_types(), "link type", many=False)
        theme_iris = self.concept(check, "themes", themes(), "theme", many=True)
        participant_ids = split_list(row.get("participants"))
        if len(set(participant_ids)) > MAX_LINK_PARTICIPANTS:
            check.problem(
                "participants",
                f"a link joins {len(set(participant_ids)):,} providers, more than "
                f"{MAX_LINK_PARTICIPANTS}: record a larger group as a planning forum with "
                "members, or split it into several links",
                f"at most {MAX_LINK_PARTICIPANTS} provider_ids",
            )
            return
        for pid in participant_ids:
            self.reference(check, "participants", "provider", pid, self.provider_ids)
        distinct = sorted(set(participant_ids))
        if len(distinct) < 2:
            check.problem(
                "participants",
                "a link needs at least two different participants",
                "two or more provider_ids, separated by ;",
            )
        evidence = []
        for evidence_id in split_list(row.get("evidence")):
            node = self.reference(check, "evidence", "evidence", evidence_id, self.evidence_ids)
            if node is not None:
                evidence.append(node)
        areas = self.area_refs(check, "area") if row.get("area") else []
        start, end = self.dates(check)
        if check.problems or check.causes:
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
        for file, line in sorted(check.missing_evidence):
            cause = self.rejected_rows.get((file, line))
            self.add(
                node,
                SKOS.note,
                Literal(
                    f"{PENDING_NOTE}evidence {cause.record if cause else ''} ({file}:{line}) "
                    "was rejected at import; its citation is missing until it is fixed"
                ),
            )
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

    # -- one message per cause
    def summaries(self) -> list[RowProblem]:
        """One line per rejected row that others refer to: how many rows, of which kinds."""
        held: dict[Where, Counter[str]] = {}
        kept: dict[Where, Counter[str]] = {}
        for reject in self.rejects:
            for cause in reject.causes:
                held.setdefault(cause, Counter())[reject.row.file] += 1
        for reject in self.kept:
            for cause in reject.causes:
                kept.setdefault(cause, Counter())[reject.row.file] += 1
        out = []
        for where in sorted(set(held) | set(kept)):
            row = self.rejected_rows[where]
            parts = []
            if where in held:
                one = sum(held[where].values()) == 1
                parts.append(
                    f"{_count(held[where])} in this workbook "
                    + ("refers to it and is" if one else "refer to it and are")
                    + " held back until it is fixed"
                )
            if where in kept:
                one = sum(kept[where].values()) == 1
                parts.append(
                    f"{_count(kept[where])} "
                    + ("cites it and was" if one else "cite it and were")
                    + " kept without it (evidence reported missing)"
                )
            out.append(
                RowProblem(
                    row.file,
                    row.line,
                    "",
                    "was rejected (its problems follow); " + "; ".join(parts),
                    record=row.record,
                )
            )
        return out


def _names(scheme: Scheme) -> list[str]:
    return [*scheme.notations(), *scheme.label.values()]


def _count(counter: Counter[str]) -> str:
    """``24 providers, 2 forums and 15 links`` in template order."""
    parts = []
    for file in TEMPLATE:
        n = counter.get(file, 0)
        if n:
            one, many = KIND_OF_FILE[file]
            parts.append(f"{n} {one if n == 1 else many}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def import_workbook(
    folder: Path,
    *,
    name: str | None = None,
    lenient: bool = False,
    fictional: bool = False,
    recorded_at: dt.datetime | None = None,
    into: Graph | None = None,
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
    into
        An earlier import of the same workbook (``name``) to merge this folder into: its
        ids resolve references, and the result is that graph with these rows added (a
        rejects folder, corrected). No row is duplicated: the same record has the same IRI.

    Raises
    ------
    ImportProblems
        In strict mode, when any row is bad (nothing is returned, nothing written).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (a workbook is a folder of CSV files)")
    workbook = name or folder.resolve().name
    if into is not None and any(into.subjects(PCR.fictional, Literal(True))):
        fictional = True
    importer = _Importer(folder, workbook, fictional, lenient)
    if into is not None:
        importer.seed(into)
    file_problems = importer.run()
    if file_problems and (not lenient or any(p.line <= 1 for p in file_problems)):
        # A file that cannot be read makes every reference to it fail too; listing those
        # follow-on errors would bury the one problem to fix first.
        raise ImportProblems(file_problems)
    summaries = importer.summaries()
    own = [p for reject in importer.rejects for p in reject.problems]
    if importer.rejects and not lenient:
        bad = sum(1 for reject in importer.rejects if reject.problems)
        held = len(importer.rejects) - bad
        summary = f"{len(own)} problem{'s' if len(own) != 1 else ''} in {bad} row"
        summary += "s" if bad != 1 else ""
        if held:
            summary += f" ({held} more row{'s' if held != 1 else ''} refer to them)"
        raise ImportProblems(own + summaries, summary)
    result = ImportResult(
        importer.graph,
        importer.rows_read,
        importer.rows_imported,
        importer.rejects,
        importer.kept,
        sorted(importer.warnings),
        summaries,
        rejected_rows=len(importer.rejects),
    )
    if into is None:
        _record_provenance(importer, folder, recorded_at, len(importer.rejects))
        return result
    merged, missing_before, added = merge_graphs(
        into, importer.graph, importer.iri("import", "run")
    )
    importer.graph = merged
    # Rows still missing: those missing before less the records this folder added, but
    # never fewer than this folder's own rejects.
    still_missing = max(len(importer.rejects), missing_before - added)
    _record_provenance(importer, folder, recorded_at, still_missing, file_part="fix")
    result.graph = merged
    result.rejected_rows = still_missing
    result.merged_rows = added
    return result


def _record_provenance(
    importer: _Importer,
    folder: Path,
    recorded_at: dt.datetime | None,
    rejected: int,
    file_part: str = "",
) -> None:
    run = importer.iri("import", "run")
    importer.add(run, RDF.type, PCR.ImportRun)
    importer.add(run, SKOS.prefLabel, Literal(f"Import of workbook {importer.wb}"))
    importer.add(run, PCR.rejectedRowCount, Literal(rejected))
    if recorded_at is not None:
        importer.add(run, PROV.endedAtTime, Literal(recorded_at.isoformat(), datatype=XSD.dateTime))
    for name in TEMPLATE:
        path = folder / name
        if not path.exists():
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        file_node = (
            importer.iri("file", name)
            if not file_part
            else mint("wb", importer.wb, "file", file_part, digest[:16], name)
        )
        importer.add(run, PROV.used, file_node)
        importer.add(file_node, RDF.type, PROV.Entity)
        importer.add(file_node, DCTERMS.title, Literal(name))
        importer.add(file_node, PCR.sha256, Literal(digest))
        importer.add(file_node, PCR.rowCount, Literal(importer.rows_imported.get(name, 0)))
