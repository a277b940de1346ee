"""The gap engine: run every gap rule, attach evidence and the review finding it echoes.

A rule is a ``queries/*.rq`` file tagged ``gap``. Its rows name an area (``?area``,
``?areaLabel``) and what is concerned (``?provider``, ``?sector``, ``?forum``, ``?link``,
``?evidence``, ``?fromSector``/``?toSector``, each with a ``…Label``). Its header gives the
severity, theme, finding (an IRI under ``id/``), an explanation template, and what evidence
was considered.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cache, partial
from typing import cast

from rdflib import URIRef
from rdflib.term import Node

from pcr_graph.analysis.derived import ensure_derived, rule_text
from pcr_graph.analysis.evidence import EvidenceIndex
from pcr_graph.analysis.queries import (
    NamedQuery,
    bind_params,
    library,
    writable_iri,
)
from pcr_graph.analysis.sector_matrix import SectorMatrix
from pcr_graph.core.errors import UsageError
from pcr_graph.core.namespaces import ID
from pcr_graph.store.engines import Store, Table, run_concurrently

SEVERITIES = ("high", "medium", "low")
SEVERITY_WEIGHTS = {"high": 3, "medium": 2, "low": 1}
"""How much one hit of each severity adds to an area's gap score."""
RANKING_RULE = (
    "Areas are ranked by gap score = 3 × high + 2 × medium + 1 × low hits, highest first; "
    "areas with the same score are ranked by name."
)
"""The ranking, in words, as every report states it."""
PLANNING_STATUSES = ("present", "missing", "no forum")
"""The cells of the planning-table matrix (see ``queries/planning-table-matrix.rq``)."""
PLANNING_QUERY = "planning-table-matrix"
SUBJECT_COLUMNS = (
    "provider",
    "sector",
    "forum",
    "link",
    "evidence",
    "fromSector",
    "toSector",
    "pcn",
)


@dataclass(frozen=True)
class Subject:
    """Something a hit is about: a provider, sector, forum, link or evidence item."""

    role: str
    iri: str
    label: str


@dataclass(frozen=True)
class Finding:
    """The review finding a rule echoes."""

    iri: str
    label: str
    quote: str
    source: str
    date: str


@dataclass(frozen=True)
class Rule:
    """A gap rule's metadata."""

    name: str
    summary: str
    severity: str
    theme: str
    finding: Finding | None


@dataclass(frozen=True)
class Hit:
    """One gap: a rule that fired, where, about what, why, and on what evidence."""

    rule: str
    severity: str
    theme: str
    area: str
    area_label: str
    subjects: tuple[Subject, ...]
    explanation: str
    evidence: tuple[str, ...] = ()
    finding: Finding | None = None
    """The finding this hit echoes: the expectation's own where the rule names one."""

    def sort_key(self) -> tuple[str, int, str, tuple[str, ...]]:
        return (
            self.area_label + self.area,
            SEVERITIES.index(self.severity),
            self.rule,
            tuple(s.label + s.iri for s in self.subjects),
        )


@dataclass(frozen=True)
class RankedArea:
    """One area's place in the national ranking (see :data:`RANKING_RULE`)."""

    rank: int
    area: str
    label: str
    score: int
    high: int
    medium: int
    low: int
    collaboration_recorded: bool = True


@dataclass(frozen=True)
class PlanningCell:
    """One cell of the planning-table matrix: an expected sector in one area."""

    area: str
    area_label: str
    sector: str
    sector_label: str
    status: str
    """``present``, ``missing`` or ``no forum`` (:data:`PLANNING_STATUSES`)."""
    forums: int = 0
    members: int = 0


@dataclass
class GapReport:
    """Every hit, with the rules that ran and the areas they covered."""

    rules: list[Rule]
    hits: list[Hit]
    areas: list[tuple[str, str]]  # (iri, label) of areas with any data, in label order
    uncovered: int = 0  # reference areas with no collaboration data (not reported on)
    notes: list[str] = field(default_factory=list)
    data_only: frozenset[str] = frozenset()  # areas with providers but no links or forums
    planning: list[PlanningCell] = field(default_factory=list)
    """Who is at the planning table, per area and expected sector, in query order."""
    sector_links: dict[str, SectorMatrix] = field(default_factory=dict)
    """Each area's sector × sector link counts (the heatmap), keyed by area IRI."""

    def by_area(self) -> dict[str, list[Hit]]:
        grouped: dict[str, list[Hit]] = defaultdict(list)
        for hit in self.hits:
            grouped[hit.area].append(hit)
        return grouped

    def summary(self, area: str) -> dict[str, int]:
        counts = Counter(h.severity for h in self.hits if h.area == area)
        return {s: counts.get(s, 0) for s in SEVERITIES}

    def themes(self) -> list[str]:
        """The themes (notations) of the rules that ran, sorted."""
        return sorted({r.theme for r in self.rules if r.theme})

    def theme_summary(self, area: str) -> dict[str, dict[str, int]]:
        """Hits of ``area`` per theme (every theme of the rules that ran) and severity."""
        table = {theme: {s: 0 for s in SEVERITIES} for theme in self.themes()}
        for hit in self.hits:
            if hit.area == area:
                table.setdefault(hit.theme, {s: 0 for s in SEVERITIES})[hit.severity] += 1
        return table

    def score(self, area: str) -> int:
        """The area's gap score: :data:`SEVERITY_WEIGHTS` summed over its hits."""
        return sum(SEVERITY_WEIGHTS[s] * n for s, n in self.summary(area).items())

    def ranking(self) -> list[RankedArea]:
        """Every covered area, ranked as :data:`RANKING_RULE` says."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for hit in self.hits:
            counts[hit.area][hit.severity] += 1

        def score(area: str) -> int:
            return sum(SEVERITY_WEIGHTS[s] * n for s, n in counts[area].items())

        order = sorted(self.areas, key=lambda a: (-score(a[0]), a[1], a[0]))
        return [
            RankedArea(
                rank=rank,
                area=iri,
                label=label,
                score=score(iri),
                high=counts[iri]["high"],
                medium=counts[iri]["medium"],
                low=counts[iri]["low"],
                collaboration_recorded=iri not in self.data_only,
            )
            for rank, (iri, label) in enumerate(order, start=1)
        ]

    def planning_sectors(self) -> list[tuple[str, str]]:
        """The expected planning-table sectors (IRI, label), in matrix row order."""
        seen: dict[str, str] = {}
        for cell in sorted(self.planning, key=lambda c: (c.sector_label, c.sector)):
            seen.setdefault(cell.sector, cell.sector_label)
        return list(seen.items())

    def planning_status(self) -> dict[tuple[str, str], PlanningCell]:
        """The planning matrix keyed by (area IRI, sector IRI)."""
        return {(c.area, c.sector): c for c in self.planning}

    def count_at_least(self, severity: str) -> int:
        limit = SEVERITIES.index(severity)
        return sum(1 for h in self.hits if SEVERITIES.index(h.severity) <= limit)

    def to_json(self) -> str:
        """The report as JSON: keys sorted, two-space indent, UTF-8 text unescaped
        (:func:`dumps_json`)."""
        return dumps_json(self.json_data())

    def json_data(self) -> dict[str, object]:
        """What :meth:`to_json` writes, dataclasses left as they are (see :func:`dumps_json`)."""
        data: dict[str, object] = {
            "rules": list(self.rules),
            "areas": [
                {
                    "area": iri,
                    "label": label,
                    "summary": self.summary(iri),
                    "collaboration_recorded": iri not in self.data_only,
                }
                for iri, label in self.areas
            ],
            "uncovered_reference_areas": self.uncovered,
            "notes": self.notes,
            "hits": self.hits,
            "ranking": {
                "rule": RANKING_RULE,
                "weights": SEVERITY_WEIGHTS,
                "areas": self.ranking(),
            },
            "planning_matrix": {
                "statuses": list(PLANNING_STATUSES),
                "sectors": [{"sector": i, "label": lb} for i, lb in self.planning_sectors()],
                "cells": self.planning,
            },
            "sector_links": [
                {
                    "area": m.area,
                    "label": m.area_label,
                    "sectors": [
                        {"sector": n, "label": lb, "providers": p} for n, lb, p in m.sectors
                    ],
                    "links": [{"one": a, "other": b, "links": n} for a, b, n in m.counts],
                }
                for m in self.sector_links.values()
            ],
        }
        return data


def dumps_json(data: object) -> str:
    """``data`` as the JSON pcr-graph writes: keys sorted, two-space indent, UTF-8 text
    unescaped, a final newline; a dataclass is written as the dict of its fields.

    Written by orjson, which gives the bytes ``json.dumps(indent=2, sort_keys=True,
    ensure_ascii=False)`` gives (a test re-writes reports with the standard library and
    compares) without its deep copies and pure-Python indenting: 0.3 s instead of 1.2 s for
    the 21,000 hits of a 55,000-provider England.
    """
    import orjson  # only JSON output needs it

    # Dataclasses pass through to fields_dict so that their keys are sorted like a dict's.
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS
    return orjson.dumps(data, default=fields_dict, option=options).decode("utf-8") + "\n"


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def fields_dict(value: object) -> dict[str, object]:
    """A dataclass's fields as a dict, one level deep (what ``asdict`` gives, without its
    deep copy); orjson calls it for each dataclass it meets. The names are looked up once
    per class (``dataclasses.fields`` per object took 0.2 s for a national report)."""
    if not is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return {name: getattr(value, name) for name in _field_names(type(value))}


def gap_rules(names: Iterable[str] | None = None) -> list[NamedQuery]:
    """The gap rules of the library (all, or those named)."""
    rules = [q for q in library() if q.family == "gap"]
    if names is None:
        return rules
    wanted = list(names)
    known = {q.name: q for q in rules}
    missing = [n for n in wanted if n not in known]
    if missing:
        raise UsageError(f"unknown gap rule {missing[0]!r} (rules: {', '.join(sorted(known))})")
    return [known[n] for n in wanted]


_FINDING = """
SELECT ?finding ?label ?quote ?sourceTitle ?date WHERE {
  ?finding a pcr:Finding .
  OPTIONAL { ?finding rdfs:label ?label }
  OPTIONAL { ?finding pcr:quote ?quote }
  OPTIONAL { ?finding prov:wasDerivedFrom ?source .
             OPTIONAL { ?source dcterms:title ?sourceTitle }
             OPTIONAL { ?source dcterms:date ?date } }
}
ORDER BY ?label ?quote ?sourceTitle ?date
LIMIT 1
"""


def _finding(store: Store, reference: str) -> Finding | None:
    if not reference:
        return None
    iri = URIRef(
        reference if reference.startswith("http") else str(ID) + reference.removeprefix("id/")
    )
    table = store.select(_FINDING, {"finding": iri})
    if not table.rows:
        return Finding(str(iri), "(finding not in the graph)", "", "", "")
    row = table.strings()[0]
    return Finding(str(iri), row["label"], row["quote"], row["sourceTitle"], row["date"])


_AREAS_WITH_DATA = """
SELECT ?area ?areaLabel WHERE {
  { SELECT DISTINCT ?area WHERE { ?p a pcr:Provider ; pcr:operatesIn ?area } }
  ?area skos:prefLabel ?areaLabel .
}
ORDER BY ?areaLabel ?area
"""
_AREAS_WITH_LINKS = (
    "SELECT DISTINCT ?area WHERE { ?l a pcr:CollaborationLink ; pcr:area ?area } ORDER BY ?area"
)
_DERIVED_AREAS_WITH_LINKS = """
PREFIX pcrd: <https://w3id.org/pcr-graph/def/derived#>
SELECT DISTINCT ?area WHERE { ?counted a pcrd:AreaLinks ; pcrd:area ?area } ORDER BY ?area
"""
"""``_AREAS_WITH_LINKS`` from the derived graph (queries/derive-area-links.rq)."""
_AREAS_WITH_FORUMS = (
    "SELECT DISTINCT ?area WHERE { ?f a pcr:PlanningForum ; pcr:area ?area } ORDER BY ?area"
)
_ALL_AREAS = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pcr:Area }"


def _rule_rows(
    store: Store, query: NamedQuery, bindings: dict[str, Node] | None, derived: bool
) -> list[dict[str, str]]:
    """A gap rule's rows (its plain text where the store has no derived graph); an error
    names the rule."""
    text = rule_text(query.path, query.text, derived)
    text, bindings = query.with_bindings(text, bindings)
    try:
        return store.select(text, bindings).strings()
    except UsageError as exc:
        raise UsageError(f"gap rule {query.name!r}: {exc}") from None


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _check_areas(areas: Sequence[URIRef]) -> None:
    # Oxigraph refuses such IRIs with a ValueError; say what is wrong instead.
    for area in areas:
        if not isinstance(area, URIRef) or not writable_iri(str(area)):
            raise UsageError(f"not an area IRI: {str(area)!r}")


def run_gaps(
    store: Store,
    *,
    areas: Sequence[URIRef] | None = None,
    rules: Iterable[str] | None = None,
    params: dict[str, str] | None = None,
    context: bool = True,
    evidence_lines: bool = True,
) -> GapReport:
    """Run the gap rules over ``areas`` (default: every area with data).

    Parameters
    ----------
    store : Store
        The loaded dataset.
    areas : sequence of URIRef, optional
        Area IRIs (resolve user text with :func:`pcr_graph.analysis.queries.resolve_area` first).
    rules : iterable of str, optional
        Rule names (default: every gap rule of the library).
    params : dict, optional
        Passed to every rule that declares them (``area`` is bound per area, never from
        here). Values are bound as RDF terms, never written into query text; a value of the
        wrong type is a :class:`~pcr_graph.core.errors.UsageError`.
    context : bool, optional
        Also read the planning-table matrix and each area's sector link counts (the
        national part of the report and the heatmaps). Callers that compare hits only can
        skip them.
    evidence_lines : bool, optional
        Read what each hit looked at (``Hit.evidence``: the links of its providers, the
        area's forums or link counts). Callers that never show it (``what-if``, ``diff``)
        can skip it: their hits then carry none.

    Returns
    -------
    GapReport
        Hits sorted by area, severity, rule and subjects.

    Raises
    ------
    UsageError
        For an unknown rule, a bad parameter value, or an area that is not an IRI.
    """
    if areas is not None:
        _check_areas(areas)
    queries = gap_rules(rules)
    derived = ensure_derived(store)
    evidence = EvidenceIndex(store, derived)
    rule_info = [
        Rule(
            query.name,
            query.summary,
            _severity(query),
            query.header.get("theme", ""),
            _finding(store, query.header.get("finding", "")),
        )
        for query in queries
    ]
    targets: list[URIRef | None] = list(areas) if areas is not None else [None]
    jobs: list[tuple[NamedQuery, Rule, dict[str, Node]]] = []
    for query, rule in zip(queries, rule_info, strict=True):
        declared = {p.name for p in query.params}
        values = {k: v for k, v in (params or {}).items() if k in declared and k != "area"}
        bindings = bind_params(store, query, values)
        for area in targets:
            jobs.append((query, rule, {**bindings, "area": area} if area is not None else bindings))
    # Every query of the report at once: the context first (the heatmap's is the longest),
    # then the rules (per area when areas are given). Oxigraph answers them on as many
    # threads as there are CPUs; results come back in this order.
    calls: list[Callable[[], object]] = []
    if context:
        from pcr_graph.analysis.sector_matrix import sector_matrices

        calls += [
            partial(sector_matrices, store, areas, derived),
            partial(planning_matrix, store, areas),
        ]
    calls += [
        partial(store.select, q)
        for q in (
            _AREAS_WITH_DATA,
            _ALL_AREAS,
            _DERIVED_AREAS_WITH_LINKS if derived else _AREAS_WITH_LINKS,
            _AREAS_WITH_FORUMS,
        )
    ]
    kinds = (
        {query.header.get("considered", "") for query, _rule, _bindings in jobs}
        if evidence_lines
        else set()
    )
    calls += evidence.area_calls(kinds)
    first_rule = len(calls)
    calls += [
        partial(_rule_rows, store, query, bindings, derived) for query, _rule, bindings in jobs
    ]
    answers = run_concurrently(store, calls)
    rows = cast(list[list[dict[str, str]]], answers[first_rule:])
    hit_providers = {row["provider"] for found in rows for row in found if row.get("provider")}
    evidence.prepare(kinds, hit_providers)
    found_findings: dict[str, Finding | None] = {}

    def finding(iri: str) -> Finding | None:
        # Many hits cite the same few findings; look each up once per report.
        if iri not in found_findings:
            found_findings[iri] = _finding(store, iri)
        return found_findings[iri]

    hits: list[Hit] = []
    for (query, rule, _bindings), found in zip(jobs, rows, strict=True):
        hits.extend(_hits(query, found, evidence, finding, rule, evidence_lines))
    hits.sort(key=Hit.sort_key)
    context_answers = answers[:2] if context else []
    area_answers = answers[len(context_answers) : len(context_answers) + 4]
    area_rows, total_rows, linked, forums = (cast(Table, t).strings() for t in area_answers)
    covered = [(r["area"], r["areaLabel"]) for r in area_rows]
    if areas is not None:
        wanted = {str(a) for a in areas}
        covered = [c for c in covered if c[0] in wanted]
    total = int(total_rows[0]["n"])
    active = {r["area"] for r in (*linked, *forums)}
    data_only = frozenset(iri for iri, _ in covered if iri not in active)
    report = GapReport(
        rule_info, hits, covered, uncovered=total - len(area_rows), data_only=data_only
    )
    if data_only:
        report.notes.append(
            f"{len(data_only)} areas hold registry data but no recorded collaboration (no links, "
            "no planning forums): their gaps describe missing data, not observed gaps in "
            "collaboration."
        )
    if report.uncovered:
        report.notes.append(
            f"{report.uncovered} areas have no provider or collaboration data loaded; no gaps are "
            "reported for them (a gap there would describe missing data, not missing "
            "collaboration)."
        )
    if context:
        keep = {iri for iri, _ in covered}
        matrices, planning = context_answers
        assert isinstance(planning, list) and isinstance(matrices, dict)
        report.planning = [cell for cell in planning if cell.area in keep]
        report.sector_links = {iri: m for iri, m in matrices.items() if iri in keep}
    return report


def planning_matrix(
    store: Store, areas: Sequence[URIRef] | None = None, keep: Sequence[str] | None = None
) -> list[PlanningCell]:
    """Who is at the planning table: ``queries/planning-table-matrix.rq``, as cells.

    Parameters
    ----------
    store : Store
        The loaded dataset.
    areas : sequence of URIRef, optional
        Bind the query's ``area`` parameter to each in turn (default: one run, every area).
    keep : sequence of str, optional
        Keep only these area IRIs (the report keeps the areas it covers).

    Returns
    -------
    list of PlanningCell
        In the query's order (area label, then sector label).
    """
    from pcr_graph.analysis.queries import find_query

    query = find_query(PLANNING_QUERY)
    targets: list[URIRef | None] = list(areas) if areas is not None else [None]
    wanted = set(keep) if keep is not None else None
    cells: list[PlanningCell] = []
    for area in targets:
        table = store.select(query.text, {"area": area} if area is not None else None)
        for row in table.strings():
            if wanted is not None and row["area"] not in wanted:
                continue
            status = row["status"]
            if status not in PLANNING_STATUSES:
                raise UsageError(f"{query.path}: unexpected status {status!r}")
            cells.append(
                PlanningCell(
                    row["area"],
                    row["areaLabel"],
                    row["sector"],
                    row["sectorLabel"],
                    status,
                    int(row["forums"] or 0),
                    int(row["members"] or 0),
                )
            )
    return cells


def _severity(query: NamedQuery) -> str:
    severity = query.header.get("severity", "medium")
    if severity not in SEVERITIES:
        raise UsageError(f"{query.path}: severity must be one of {', '.join(SEVERITIES)}")
    return severity


def _hits(
    query: NamedQuery,
    rows: list[dict[str, str]],
    evidence: EvidenceIndex,
    finding: Callable[[str], Finding | None],
    rule: Rule,
    lines: bool = True,
) -> list[Hit]:
    template = query.header.get("explain", query.summary)
    kind = query.header.get("considered", "") if lines else ""
    out = []
    for row in rows:
        subjects = tuple(
            Subject(column, row[column], row.get(column + "Label", "") or row[column])
            for column in SUBJECT_COLUMNS
            if row.get(column)
        )
        out.append(
            Hit(
                rule=query.name,
                severity=rule.severity,
                theme=rule.theme,
                area=row.get("area", ""),
                area_label=row.get("areaLabel", ""),
                subjects=subjects,
                explanation=template.format_map(_Defaults(row)),
                finding=finding(row["finding"]) if row.get("finding") else rule.finding,
                evidence=evidence.considered(
                    kind, row.get("area", ""), [s.iri for s in subjects if s.role == "provider"]
                ),
            )
        )
    return out
