"""What if a provider drops out: the area's metrics and gaps before and after."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from rdflib import URIRef

from pcr_graph.analysis.change.diff import Change, _hit_key, _sort_changes, change_rows
from pcr_graph.analysis.change.edits import copy_store, remove_provider
from pcr_graph.analysis.change.scope import (
    area_quads,
    area_summaries,
    derive_copy,
    store_of,
)
from pcr_graph.analysis.gaps import Hit, run_gaps
from pcr_graph.analysis.network.build import build_provider_graph
from pcr_graph.analysis.network.pathways import PathwayScore, index_of, pathway_scores
from pcr_graph.analysis.network.records import ExpectedPair, Link, Provider, _label, _short
from pcr_graph.analysis.network.structure import joined_sectors
from pcr_graph.analysis.network.views import (
    _area_iri,
    expected_pathways,
    provider_graph,
    provider_records,
    resolve_provider,
    sector_hierarchy,
)
from pcr_graph.store.engines import Store, run_concurrently

_PROVIDER_FACTS = """
SELECT ?provider ?label ?area ?link ?linkId ?type ?forum ?forumLabel WHERE {
  ?provider a pcr:Provider .
  # One branch per kind of fact: as OPTIONALs side by side they multiplied each other
  # (408,000 rows, 11 s, for a trust of 55,000 providers).
  { ?provider skos:prefLabel ?label }
  UNION { ?provider pcr:operatesIn ?area }
  UNION { ?areaLink pcr:participant ?provider ; pcr:area ?area }
  # The bound ?provider first: with `?link a pcr:CollaborationLink` first Oxigraph walks
  # every link of the store; the class is tested per link.
  UNION { ?link pcr:participant ?provider ; a ?linkClass .
          FILTER (?linkClass = pcr:CollaborationLink)
          OPTIONAL { ?link dcterms:identifier ?linkId }
          OPTIONAL { ?link pcr:linkType/skos:notation ?type } }
  UNION { ?forum org:hasMember ?provider . OPTIONAL { ?forum skos:prefLabel ?forumLabel } }
}
ORDER BY ?label ?area ?link ?forum ?linkId ?type ?forumLabel
"""


_LINKS = "SELECT ?link WHERE { ?link a pcr:CollaborationLink }"


@dataclass(frozen=True)
class WhatIf:
    """What changes when one provider drops out (computed on a copy of the data)."""

    provider: str
    label: str
    areas: tuple[str, ...]
    links_ended: tuple[str, ...]
    links_continuing: tuple[str, ...]
    seats: tuple[str, ...]
    integration: tuple[tuple[str, float | None, float | None], ...]
    changes: tuple[Change, ...]

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """The changes as rows (``CHANGE_COLUMNS``)."""
        return change_rows(self.changes)


def what_if_remove(
    store: Store,
    provider: URIRef | str,
    area: URIRef | str | None = None,
    *,
    scratch: Store | None = None,
    weights: Mapping[str, float] | None = None,
    scope: bool = True,
) -> WhatIf:
    """Remove one provider from a copy of the data and report what breaks.

    Parameters
    ----------
    store
        The data; never changed.
    provider
        An IRI, or a workbook id, ODS code or CQC location id (:func:`resolve_provider`).
    area
        Only this area (default: every area the provider operates in or links in).
    scratch
        A fresh store holding the same data, to change instead of copying ``store`` (not
        needed, and not used, when the areas are copied alone: ``scope``).
    weights
        Link-type weights for the integration index.
    scope
        On an Oxigraph store, copy only what the areas' rules and views read
        (:func:`~pcr_graph.analysis.change.scope.area_copy`, the same answers in a fraction
        of the time at national scale); False copies and edits the whole store.

    Returns
    -------
    WhatIf
        Links that end or continue, forum seats lost, and per area: sectors lost, sectors
        cut off from every other sector, expected pathways lost or weakened, providers left
        without links, the integration index before and after, and gap-rule hits opened
        and closed.
    """
    iri = provider if isinstance(provider, URIRef) else resolve_provider(store, provider)
    facts = store.select(_PROVIDER_FACTS, {"provider": iri}).strings()
    # The first non-empty label in SPARQL order (the query sorts by label first).
    label = next((r["label"] for r in facts if r["label"]), _short(iri))
    area_iri = _area_iri(store, area)
    areas = (
        [area_iri]
        if area_iri is not None
        else [URIRef(a) for a in sorted({r["area"] for r in facts if r["area"]})]
    )
    links = sorted(
        {(r["linkId"] or _short(r["link"]), r["link"], r["type"]) for r in facts if r["link"]}
    )
    seats = tuple(sorted({r["forumLabel"] or _short(r["forum"]) for r in facts if r["forum"]}))

    def figures(data: Store, remove: bool) -> tuple[set[str], list[Any], dict[Any, Hit]]:
        """The links left (after the removal), the areas' graphs and their gap-rule hits."""
        surviving: set[str] = set()
        if remove:
            remove_provider(data, iri)
            surviving = {r["link"] for r in data.select(_LINKS).strings()}
        graphs = [provider_graph(data, area_ref) for area_ref in areas]
        return surviving, graphs, _hits(data, areas)

    quads = area_quads(store, areas, [iri]) if scope else None
    if quads is not None:
        # Two area copies, nothing shared: Oxigraph answers their queries side by side. The
        # one left as it is takes the areas' summaries from the store's derived graph when
        # that is current (no derivation); the areas' views after the removal follow from
        # those before it (_after_view), so only the edited copy derives and only the
        # other one reads the views.
        sides: list[Callable[[], Any]] = [
            partial(_scoped_before, quads, area_summaries(store, areas), areas),
            partial(_scoped_after, quads, iri, areas),
        ]
        before, after = run_concurrently(store, sides)
        views: list[_View] = before[0]
        members: list[set[str]] = after[1]
        before_graphs, before_hits = before[1], before[2]
        surviving, after_hits = after[0], after[2]
        after_graphs = [
            _after_view(view, str(iri), surviving, kept).graph(a)
            for view, kept, a in zip(views, members, areas, strict=True)
        ]
    else:
        _, before_graphs, before_hits = figures(store, False)
        copy = scratch if scratch is not None else copy_store(store)
        surviving, after_graphs, after_hits = figures(copy, True)
    ended = tuple(f"{name} ({t})" for name, link, t in links if link not in surviving)
    continuing = tuple(f"{name} ({t})" for name, link, t in links if link in surviving)
    changes: list[Change] = [
        Change(
            "removed",
            "",
            "",
            "provider",
            label,
            f"links ending: {len(ended)}; continuing among the other participants: "
            f"{len(continuing)}; forum seats lost: {len(seats)}",
        )
    ]
    integration: list[tuple[str, float | None, float | None]] = []
    for area_ref, before_graph, after_graph in zip(areas, before_graphs, after_graphs, strict=True):
        area_label = str(before_graph.graph.get("area_label") or _short(area_ref))
        # Each graph's pathway scores once: the pathway changes and the integration index
        # (integration_index: their mean weight) both read them.
        old_scores, new_scores = (
            pathway_scores(G, G.graph.get("expected", ()), weights)
            for G in (before_graph, after_graph)
        )
        changes += _graph_changes(
            before_graph, after_graph, str(area_ref), area_label, iri, old_scores, new_scores
        )
        before_index, after_index = index_of(old_scores), index_of(new_scores)
        integration.append((str(area_ref), before_index, after_index))
        if before_index is not None and after_index is not None and before_index != after_index:
            changes.append(
                Change(
                    "changed",
                    str(area_ref),
                    area_label,
                    "integration",
                    "cross-sector integration index",
                    f"{before_index:.3f} → {after_index:.3f}",
                )
            )
    if areas:
        for key in sorted(set(before_hits) ^ set(after_hits)):
            opened = key in after_hits
            hit = after_hits[key] if opened else before_hits[key]
            changes.append(
                Change(
                    "opened" if opened else "closed",
                    hit.area,
                    hit.area_label,
                    "gap",
                    hit.rule,
                    hit.explanation,
                )
            )
    return WhatIf(
        str(iri),
        label,
        tuple(str(a) for a in areas),
        ended,
        continuing,
        seats,
        tuple(integration),
        tuple(_sort_changes(changes)),
    )


@dataclass(frozen=True)
class _View:
    """What :func:`provider_graph` reads for one area: its records and the vocabularies."""

    providers: list[Provider]
    links: list[Link]
    label: str
    broader: dict[str, tuple[str, ...]]
    expected: tuple[ExpectedPair, ...]

    def graph(self, area: URIRef) -> Any:
        """The area's provider graph, as :func:`provider_graph` makes it."""
        return build_provider_graph(
            self.providers,
            self.links,
            broader=self.broader,
            expected=self.expected,
            area=str(area),
            area_label=self.label,
        )


# The providers of an area's view (views._PROVIDER_VIEW_AREA's first part).
_VIEW_MEMBERS = """
SELECT DISTINCT ?area ?provider WHERE {
  { ?provider pcr:operatesIn ?area }
  UNION { ?scopeLink pcr:area ?area ; pcr:participant ?provider }
}
"""


def _hits(data: Store, areas: list[URIRef]) -> dict[Any, Hit]:
    """The areas' gap-rule hits by key, without evidence lines (what-if shows none)."""
    hits = run_gaps(data, areas=areas, context=False, evidence_lines=False).hits if areas else []
    return {_hit_key(h): h for h in hits}


def _scoped_before(
    quads: list[Any], summaries: list[Any] | None, areas: list[URIRef]
) -> tuple[list[_View], list[Any], dict[Any, Hit]]:
    """On an area copy as it is: each area's view and provider graph, and the areas'
    gap-rule hits."""
    data = store_of(quads, summaries)
    if summaries is None:
        derive_copy(data)
    broader, expected = sector_hierarchy(data), expected_pathways(data)
    views = [_View(*provider_records(data, area), broader, expected) for area in areas]
    graphs = [view.graph(area) for view, area in zip(views, areas, strict=True)]
    return views, graphs, _hits(data, areas)


def _scoped_after(
    quads: list[Any], provider: URIRef, areas: list[URIRef]
) -> tuple[set[str], list[set[str]], dict[Any, Hit]]:
    """On an area copy without ``provider``: the links left, each area's view's providers
    and the areas' gap-rule hits."""
    data = store_of(quads)
    remove_provider(data, provider)
    derive_copy(data)
    surviving = {r["link"] for r in data.select(_LINKS).strings()}
    members = [
        {r["provider"] for r in data.select(_VIEW_MEMBERS, {"area": area}).strings()}
        for area in areas
    ]
    return surviving, members, _hits(data, areas)


def _after_view(view: _View, removed: str, surviving: set[str], members: set[str]) -> _View:
    """An area's view once ``removed`` is gone, from the view before: the providers still in
    it (``members``) and the links left (``surviving``) without it.

    The removal (:func:`remove_provider`) deletes what is said of the provider, of the
    links it leaves with fewer than two participants and of its memberships, and what
    points to them: nothing else a view reads (a provider's names, sectors and areas, a
    link's type and dates, the other participants) changes.
    """
    links = []
    for link in view.links:
        if link.iri not in surviving:
            continue
        if removed in link.participants:
            left = tuple(p for p in link.participants if p != removed)
            if left:
                links.append(dataclasses.replace(link, participants=left))
        else:
            links.append(link)
    providers = [p for p in view.providers if p.iri in members]
    return dataclasses.replace(
        view, providers=providers, links=links, label=view.label if providers else ""
    )


def _graph_changes(
    before: Any,
    after: Any,
    area: str,
    area_label: str,
    removed: str,
    old_scores: tuple[PathwayScore, ...],
    scores: tuple[PathwayScore, ...],
) -> list[Change]:
    changes: list[Change] = []

    def present(G: Any) -> set[str]:
        return {s for n in G for s in G.nodes[n].get("sectors", ())}

    lost = present(before) - present(after)
    for sector in sorted(lost):
        changes.append(
            Change("lost", area, area_label, "sector", sector, "no provider of this sector is left")
        )
    cut = (joined_sectors(before) - joined_sectors(after)) - lost
    for sector in sorted(cut):
        changes.append(
            Change(
                "cut off",
                area,
                area_label,
                "sector",
                sector,
                "its providers no longer reach any provider of another sector",
            )
        )
    for node in sorted(after):
        if node != removed and node in before and before.degree(node) and not after.degree(node):
            changes.append(
                Change(
                    "isolated",
                    area,
                    area_label,
                    "provider",
                    _label(after, node),
                    "left with no collaboration link",
                )
            )
    new_scores = {(s.from_sector, s.to_sector, s.link_type): s for s in scores}
    for old in old_scores:
        new = new_scores.get((old.from_sector, old.to_sector, old.link_type))
        new_weight = new.weight if new is not None else 0.0
        if new_weight >= old.weight:
            continue
        name = f"{old.from_sector} ↔ {old.to_sector}"
        detail = f"strength {old.weight:.2f} ({', '.join(old.types)}) → {new_weight:.2f}"
        changes.append(
            Change(
                "lost" if new_weight == 0 else "weakened", area, area_label, "pathway", name, detail
            )
        )
    return changes


__all__ = [
    "WhatIf",
    "what_if_remove",
]
