"""What changed between two snapshots of the graph: links, forums, pathways and gaps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from pcr_graph.analysis.change.edits import copy_store, restrict_to_date
from pcr_graph.analysis.change.scope import (
    area_copy,
    area_quads,
    area_summaries,
    derive_copy,
    store_of,
    take_summaries,
)
from pcr_graph.analysis.evidence import values_query
from pcr_graph.analysis.gaps import run_gaps
from pcr_graph.analysis.network.figures import _names
from pcr_graph.analysis.network.records import Provider, _short
from pcr_graph.analysis.network.views import forum_records
from pcr_graph.analysis.queries import resolve_areas, writable_iri
from pcr_graph.core.errors import UsageError
from pcr_graph.core.resources import ontology_files, reference_files
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.store.engines import Store, open_store, run_concurrently
from pcr_graph.store.project import Project

if TYPE_CHECKING:
    from pcr_graph.analysis.gaps import GapReport, Hit
# Each link's facts side by side, unordered (take_snapshot keeps them in sets); the names of
# participants and areas apart (_PARTICIPANT_LABELS, _LINK_AREA_LABELS). Nested in this
# query and sorted they made it three times slower (0.26 s -> 0.09 s for the largest area
# of 55,000 providers). #WANTED# becomes the links of the areas asked for (_of_areas).
_DIFF_LINKS = """
SELECT ?link ?id ?type ?participant ?area WHERE {
  #WANTED#
  ?link a pcr:CollaborationLink .
  OPTIONAL { ?link dcterms:identifier ?id }
  OPTIONAL { ?link pcr:linkType/skos:notation ?type }
  OPTIONAL { ?link pcr:participant ?participant }
  OPTIONAL { ?link pcr:area ?area }
}
"""


_PARTICIPANT_LABELS = """
SELECT DISTINCT ?participant ?label WHERE {
  #WANTED#
  ?link a pcr:CollaborationLink ; pcr:participant ?participant .
  ?participant skos:prefLabel ?label .
}
"""


# Sorted: an area not typed pcr:Area takes its first label in SPARQL order.
_LINK_AREA_LABELS = """
SELECT DISTINCT ?area ?label WHERE {
  #WANTED#
  ?link a pcr:CollaborationLink ; pcr:area ?area .
  ?area skos:prefLabel ?label .
}
ORDER BY ?area ?label
"""


_PRESENT_LINKS = """
SELECT ?link WHERE {
  #WANTED#
  ?link a pcr:CollaborationLink .
}
"""


_POINTS_TO_DATED = """
ASK {
  #WANTED#
  ?link a pcr:CollaborationLink ; ?p ?x .
  { ?x a pcr:CollaborationLink } UNION { ?x a org:Membership }
}
"""


def _of_areas(template: str, areas: Sequence[URIRef] | None) -> str:
    """``template`` for the links of ``areas`` (every link when None, or when an area IRI
    cannot be written: it is then bound nowhere, and take_snapshot keeps the links of
    ``areas`` itself).

    A ``VALUES`` block leading the group makes Oxigraph start from those areas' links (a
    bound variable would not: it plans before it substitutes). The IRIs are the store's own
    areas (resolve_areas), each checked by ``values_clause`` to be a plain IRI that cannot
    end the ``<…>`` it is written in.
    """
    if not areas or not all(writable_iri(str(a)) for a in areas):
        return template.replace("#WANTED#", "")
    wanted = "#VALUES#\n  ?link pcr:area ?wanted ."
    return values_query(template.replace("#WANTED#", wanted), "wanted", [str(a) for a in areas])


_AREA_LABELS = """
SELECT ?area ?label WHERE { ?area a pcr:Area ; skos:prefLabel ?label }
ORDER BY ?area ?label
"""


@dataclass(frozen=True)
class Change:
    """One difference between two snapshots (or before and after a what-if)."""

    change: str
    area: str
    area_label: str
    kind: str
    item: str
    detail: str


CHANGE_COLUMNS = ("change", "area", "kind", "item", "detail")


_KIND_ORDER = (
    "provider",
    "link",
    "planning sector",
    "sector",
    "pathway",
    "integration",
    "gap",
)


def change_rows(changes: Iterable[Change]) -> list[tuple[str, str, str, str, str]]:
    """Changes as rows for :func:`pcr_graph.render.tables.format_rows` (``CHANGE_COLUMNS``)."""
    return [(c.change, c.area_label or _short(c.area), c.kind, c.item, c.detail) for c in changes]


def _sort_changes(changes: Iterable[Change]) -> list[Change]:
    def key(c: Change) -> tuple[str, str, int, str, str, str]:
        order = _KIND_ORDER.index(c.kind) if c.kind in _KIND_ORDER else len(_KIND_ORDER)
        return (c.area_label, c.area, order, c.change, c.item, c.detail)

    return sorted(set(changes), key=key)


@dataclass(frozen=True)
class _LinkState:
    name: str
    link_type: str
    participants: tuple[str, ...]
    """Participants' names, for reading."""
    areas: tuple[str, ...]
    members: tuple[str, ...] = ()
    """Participants' IRIs, for comparing: a renamed provider does not change a link."""

    def same_link(self, other: _LinkState) -> bool:
        return (self.link_type, self.members, self.areas) == (
            other.link_type,
            other.members,
            other.areas,
        )


@dataclass
class Snapshot:
    """What a diff compares: links, sectors at the planning table, and gap-rule hits."""

    links: dict[str, _LinkState]
    planning: dict[tuple[str, str], tuple[str, ...]]
    hits: dict[tuple[str, str, tuple[tuple[str, str], ...]], Hit]
    area_labels: dict[str, str]
    providers: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Each linked provider's IRI: its name and the areas of its links."""


def _hit_key(hit: Hit) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return (hit.rule, hit.area, tuple((s.role, s.iri) for s in hit.subjects))


@dataclass(frozen=True)
class _Links:
    """What a snapshot reads of the links: each link's facts (sets of ``id``, ``type``,
    ``area``, ``participants``, ``members``), the participants' names, the areas' labels."""

    parts: dict[str, dict[str, set[str]]]
    names: dict[str, set[str]]
    area_labels: dict[str, str]


def _read_links(store: Store, areas: Sequence[URIRef] | None) -> _Links:
    area_labels = {r["area"]: r["label"] for r in store.select(_AREA_LABELS).strings()}
    for row in store.select(_of_areas(_LINK_AREA_LABELS, areas)).strings():
        if row["label"]:
            area_labels.setdefault(row["area"], row["label"])
    labels: dict[str, set[str]] = defaultdict(set)
    for row in store.select(_of_areas(_PARTICIPANT_LABELS, areas)).strings():
        labels[row["participant"]].add(row["label"])
    # A participant's names: its labels, or its IRI's last part for an empty or no label.
    names = {
        member: {label or _short(member) for label in found} for member, found in labels.items()
    }
    parts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.select(_of_areas(_DIFF_LINKS, areas)).strings():
        state = parts[row["link"]]
        for key in ("id", "type", "area"):
            if row[key]:
                state[key].add(row[key])
        member = row["participant"]
        if member:
            if member not in names:
                names[member] = {_short(member)}
            state["participants"] |= names[member]
            state["members"].add(member)
    return _Links(parts, names, area_labels)


def _read_rest(
    store: Store, areas: Sequence[URIRef] | None, report: GapReport | None = None
) -> tuple[dict[tuple[str, str], set[str]], GapReport]:
    """What a snapshot reads besides the links: who sits at each area's planning table,
    and the gap report."""
    wanted = {str(a) for a in areas} if areas is not None else None
    planning: dict[tuple[str, str], set[str]] = defaultdict(set)
    forums, members = forum_records(store)
    member_info = {m.iri: m for m in members}
    for forum in forums:
        for area in forum.areas:
            if wanted is not None and area not in wanted:
                continue
            for member in forum.members:
                info = member_info.get(member, Provider(member))
                for sector in info.sectors:
                    planning[(area, sector)].add(info.label or _short(member))
    if report is None:
        # Without the hits' evidence lines: a diff shows none.
        report = run_gaps(store, areas=areas, context=False, evidence_lines=False)
    return planning, report


def _snapshot(
    read: _Links,
    present: set[str] | None,
    planning: dict[tuple[str, str], set[str]],
    report: GapReport,
    areas: Sequence[URIRef] | None,
) -> Snapshot:
    """The snapshot of the links read (those ``present`` only, when given), the planning
    tables and the report."""
    wanted = {str(a) for a in areas} if areas is not None else None
    names = read.names
    links = {}
    provider_areas: dict[str, set[str]] = defaultdict(set)
    for iri, state in read.parts.items():
        if present is not None and iri not in present:
            continue
        link_areas = tuple(sorted(state["area"]))
        if wanted is not None and not wanted & set(link_areas):
            continue
        links[iri] = _LinkState(
            min(state["id"]) if state["id"] else _short(iri),
            min(state["type"]) if state["type"] else "",
            tuple(sorted(state["participants"])),
            link_areas,
            tuple(sorted(state["members"])),
        )
        for member in state["members"]:
            provider_areas[member].update(link_areas)
    area_labels = dict(read.area_labels)
    hits = {_hit_key(h): h for h in report.hits}
    for iri, label in report.areas:
        area_labels.setdefault(iri, label)
    return Snapshot(
        links,
        {k: tuple(sorted(v)) for k, v in planning.items()},
        hits,
        area_labels,
        {p: (min(names[p]), tuple(sorted(a))) for p, a in sorted(provider_areas.items())},
    )


def take_snapshot(
    store: Store, areas: Sequence[URIRef] | None = None, report: GapReport | None = None
) -> Snapshot:
    """Read what :func:`diff_snapshots` compares from a store (runs the gap rules, whose
    hits then carry no evidence lines: a diff shows none)."""
    read = _read_links(store, areas)
    return _snapshot(read, None, *_read_rest(store, areas, report), areas)


def diff_snapshots(old: Snapshot, new: Snapshot) -> list[Change]:
    """Providers renamed; links gained, lost and changed; sectors joining and leaving the
    planning table; gap-rule hits opened and closed.

    A provider is followed by its IRI: one whose name changed is reported once, as
    ``renamed``, and its links are not reported as changed for it.

    Examples
    --------
    >>> a = Snapshot({}, {("A", "care-home"): ("Home",)}, {}, {"A": "Area A"})
    >>> b = Snapshot({}, {}, {}, {"A": "Area A"})
    >>> [(c.change, c.item) for c in diff_snapshots(a, b)]
    [('left', 'care-home')]
    """
    labels = {**old.area_labels, **new.area_labels}

    def area_of(state: _LinkState) -> tuple[str, str]:
        return (
            "; ".join(state.areas),
            "; ".join(labels.get(a, _short(a)) for a in state.areas),
        )

    changes: list[Change] = []
    for iri in sorted(set(old.providers) & set(new.providers)):
        (was, _), (now, areas) = old.providers[iri], new.providers[iri]
        if was != now:
            changes.append(
                Change(
                    "renamed",
                    "; ".join(areas),
                    "; ".join(labels.get(a, _short(a)) for a in areas),
                    "provider",
                    now,
                    f"was {was}",
                )
            )
    for iri in sorted(set(old.links) | set(new.links)):
        before, after = old.links.get(iri), new.links.get(iri)
        state = after or before
        assert state is not None
        area, area_label = area_of(state)
        item = f"{state.name} ({state.link_type})"
        if before is None:
            changes.append(
                Change("gained", area, area_label, "link", item, "; ".join(state.participants))
            )
        elif after is None:
            changes.append(
                Change("lost", area, area_label, "link", item, "; ".join(state.participants))
            )
        elif not (before.same_link(after) if before.members else before == after):
            what = []
            if before.link_type != after.link_type:
                what.append(f"type {before.link_type} → {after.link_type}")
            if (before.members or before.participants) != (after.members or after.participants):
                old_names, new_names = "; ".join(before.participants), "; ".join(after.participants)
                what.append(f"participants {old_names} → {new_names}")
            if before.areas != after.areas:
                what.append("areas changed")
            changes.append(Change("changed", area, area_label, "link", item, ", ".join(what)))
    for area, sector in sorted(set(old.planning) ^ set(new.planning)):
        joined = (area, sector) in new.planning
        members = (new if joined else old).planning[(area, sector)]
        changes.append(
            Change(
                "joined" if joined else "left",
                area,
                labels.get(area, _short(area)),
                "planning sector",
                sector,
                ("now seated: " if joined else "was seated: ") + _names(list(members)),
            )
        )
    for key in sorted(set(old.hits) ^ set(new.hits)):
        opened = key in new.hits
        hit = (new if opened else old).hits[key]
        changes.append(
            Change(
                "opened" if opened else "closed",
                hit.area,
                hit.area_label or labels.get(hit.area, _short(hit.area)),
                "gap",
                hit.rule,
                hit.explanation,
            )
        )
    return _sort_changes(changes)


def diff_stores(
    old: Store, new: Store, areas: Sequence[URIRef] | None = None, *, scope: bool = True
) -> list[Change]:
    """The changes from ``old`` to ``new`` (see :func:`diff_snapshots`).

    With ``areas``, each Oxigraph store is read through a copy of what those areas' rules
    and link lists read (:func:`~pcr_graph.analysis.change.scope.area_copy`: the same
    answers, without deriving the summaries of every other area); ``scope=False`` reads
    the stores themselves.
    """

    def snapshot(store: Store) -> Snapshot:
        scoped = area_copy(store, areas) if areas and scope else None
        return take_snapshot(scoped if scoped is not None else store, areas)

    before, after = run_concurrently(old, [partial(snapshot, old), partial(snapshot, new)])
    return diff_snapshots(before, after)


def diff_dates(
    store: Store,
    old: dt.date,
    new: dt.date,
    areas: Sequence[URIRef | str] | None = None,
    *,
    copies: tuple[Store, Store] | None = None,
    scope: bool = True,
) -> list[Change]:
    """The changes between two dates of one dataset, by link and membership dates.

    ``areas`` are IRIs or anything :func:`~pcr_graph.analysis.queries.resolve_area` takes
    (none: every area). With areas, on an Oxigraph store, only what those areas' rules and
    link lists read is copied, twice, and restricted
    (:func:`~pcr_graph.analysis.change.scope.area_copy`; ``scope=False``: the whole store).
    Otherwise ``copies`` are two fresh stores holding the same data to restrict (the CLI
    opens the project twice; ``store`` may be one of them); by default ``store`` is copied
    and never changed.
    """
    wanted = resolve_areas(store, [str(a) for a in areas or ()])
    quads = area_quads(store, wanted) if wanted and scope else None
    if quads is not None and wanted:
        summaries = area_summaries(store, wanted)

        def on(day: dt.date) -> tuple[Store, set[str], dict[tuple[str, str], set[str]], GapReport]:
            copy = store_of(quads)
            size = len(copy)
            restrict_to_date(copy, day)
            if summaries is not None and len(copy) == size:
                # Every link and membership of the copy is active on the day (the edits
                # delete only, so the size tells): the copy is the unedited area copy and
                # takes the store's summaries of its areas (scope.area_summaries), as
                # what-if's unedited copy does, instead of deriving them again.
                take_summaries(copy, summaries)
            else:
                derive_copy(copy)
            present = {r["link"] for r in copy.select(_of_areas(_PRESENT_LINKS, wanted)).strings()}
            return copy, present, *_read_rest(copy, wanted)

        def links() -> tuple[_Links, bool]:
            return _read_links(store, wanted), store.ask(_of_areas(_POINTS_TO_DATED, wanted))

        # The links' facts are read once, from the store: a date only takes links away (the
        # links present on it are read from its copy), unless a link points to a link or a
        # membership, whose end would delete that triple; then each copy's own (never in
        # data that passes the shapes). The two copies' queries run side by side.
        jobs: list[Callable[[], Any]] = [links, partial(on, old), partial(on, new)]
        (read, dated), *sides = run_concurrently(store, jobs)
        then, now = (
            _snapshot(
                _read_links(copy, wanted) if dated else read, present, planning, report, wanted
            )
            for copy, present, planning, report in sides
        )
        return diff_snapshots(then, now)
    first, second = copies if copies is not None else (copy_store(store), copy_store(store))
    restrict_to_date(first, old)
    restrict_to_date(second, new)
    return diff_stores(first, second, wanted, scope=False)


def diff_files(
    old: Path, new: Path, project: Project | None = None, areas: Sequence[str] = ()
) -> list[Change]:
    """The changes between two snapshots on disk (see :func:`open_snapshot`).

    An area name is looked up in the new snapshot first, then the old one.
    """
    before, after = open_snapshot(old, project), open_snapshot(new, project)
    return diff_stores(before, after, resolve_areas((after, before), areas))


def open_snapshot(path: Path, project: Project | None = None) -> Store:
    """A store for one snapshot: a Turtle (or other RDF) file, a workspace, or a workbook.

    - an RDF file is loaded with the ontology and reference data (not the demo);
    - a workspace folder (with ``imports/``) is opened as a project;
    - a workbook folder (with ``providers.csv``) is imported in memory under the name
      ``snapshot``, so two rounds of the same workbook get the same IRIs.
    """
    base = project or Project()
    path = Path(path)
    if path.is_file():
        files = [
            *ontology_files(),
            *reference_files(include_demo=False, profile=base.profile),
            path,
        ]
        return open_store(files, base.engine)
    if (path / "imports").is_dir():
        return Project(
            workspace=path,
            include_demo=base.include_demo,
            profile=base.profile,
            engine=base.engine,
        ).open()
    if (path / "providers.csv").is_file():
        result = import_workbook(path, name="snapshot")
        store = open_store(
            [*ontology_files(), *reference_files(include_demo=False, profile=base.profile)],
            base.engine,
        )
        store.load(result.graph.serialize(format="nt"), "nt", str(path))
        return store
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    raise UsageError(
        f"{path}: not a snapshot (give an RDF file, a workspace folder with imports/, "
        "or a workbook folder with providers.csv)"
    )


__all__ = [
    "CHANGE_COLUMNS",
    "Change",
    "Snapshot",
    "change_rows",
    "diff_dates",
    "diff_files",
    "diff_snapshots",
    "diff_stores",
    "open_snapshot",
    "take_snapshot",
]
