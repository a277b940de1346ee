"""Views over the store: each reads the store with one SPARQL query and returns records or a
read-only graph (:mod:`pcr_graph.analysis.network.build` makes the graphs)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import partial
from typing import Any

from rdflib import Literal, URIRef

from pcr_graph.analysis.network.build import (
    build_membership_graph,
    build_provider_graph,
    build_sector_graph,
)
from pcr_graph.analysis.network.records import ExpectedPair, Forum, Link, Provider, _unique_pairs
from pcr_graph.analysis.queries import lead_with_values, resolve_area
from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import Store, run_concurrently

# An area's providers, then (_LINK_VIEW_AREA) its links: one query holding both gave a row
# per provider, sector, area and link (15,000 rows for the largest area at 55,000 providers,
# 0.3 s; the two 0.2 s). The orders keep what provider_records keeps from the first row.
_PROVIDER_VIEW_AREA = """
SELECT ?area ?areaLabel ?provider ?label ?sector ?operatesIn WHERE {
  { SELECT DISTINCT ?area ?provider WHERE {
      { ?provider pcr:operatesIn ?area }
      UNION { ?scopeLink pcr:area ?area ; pcr:participant ?provider } } }
  ?provider a pcr:Provider .
  OPTIONAL { ?area skos:prefLabel ?areaLabel }
  OPTIONAL { ?provider skos:prefLabel ?label }
  OPTIONAL { ?provider pcr:sector/skos:notation ?sector }
  OPTIONAL { ?provider pcr:operatesIn ?operatesIn }
}
ORDER BY ?provider ?label ?sector ?operatesIn ?areaLabel
"""


# Run with the area as a leading VALUES (lead_with_values), so evaluation starts from the
# area's links, not every link of the country. Whether a participant is a pcr:Provider is
# checked in Python, against _PROVIDER_VIEW_AREA's providers (which hold every participant
# of the area's links that is one): joined here, the test read all 55,000 providers. The
# two together: 0.32 s for the largest area at 55,000 providers, 0.13 s; the same rows.
_LINK_VIEW_AREA = """
SELECT ?area ?provider ?link ?type ?start ?end
WHERE {
  ?link pcr:area ?area ; a pcr:CollaborationLink ; pcr:participant ?provider .
  OPTIONAL { ?link pcr:linkType/skos:notation ?type }
  OPTIONAL { ?link pcr:startDate ?start }
  OPTIONAL { ?link pcr:endDate ?end }
}
ORDER BY ?provider ?link ?type ?start ?end
"""


_PROVIDER_VIEW_ALL = """
SELECT ?provider ?label ?sector ?operatesIn ?link ?type ?start ?end WHERE {
  ?provider a pcr:Provider .
  OPTIONAL { ?provider skos:prefLabel ?label }
  OPTIONAL { ?provider pcr:sector/skos:notation ?sector }
  OPTIONAL { ?provider pcr:operatesIn ?operatesIn }
  OPTIONAL {
    ?link a pcr:CollaborationLink ; pcr:participant ?provider .
    OPTIONAL { ?link pcr:linkType/skos:notation ?type }
    OPTIONAL { ?link pcr:startDate ?start }
    OPTIONAL { ?link pcr:endDate ?end }
  }
}
ORDER BY ?provider ?label ?sector ?operatesIn ?link ?type ?start ?end
"""


# With ?area unbound every forum is returned with its area; bound, only that area's.
_MEMBERSHIP_VIEW = """
SELECT ?area ?forum ?forumLabel ?member ?memberLabel ?sector WHERE {
  ?forum a pcr:PlanningForum ; pcr:area ?area .
  OPTIONAL { ?forum skos:prefLabel ?forumLabel }
  OPTIONAL {
    ?forum org:hasMember ?member .
    OPTIONAL { ?member skos:prefLabel ?memberLabel }
    OPTIONAL { ?member pcr:sector/skos:notation ?sector }
  }
}
ORDER BY ?forum ?forumLabel ?member ?memberLabel ?sector
"""


_SECTOR_HIERARCHY = """
SELECT ?notation ?broaderNotation WHERE {
  ?concept skos:inScheme scheme:sectors ; skos:notation ?notation .
  OPTIONAL { ?concept skos:broader/skos:notation ?broaderNotation }
}
ORDER BY ?notation ?broaderNotation
"""


_PATHWAY_EXPECTATIONS = """
SELECT DISTINCT ?expectation ?from ?to ?type WHERE {
  ?expectation a pcr:PathwayExpectation ;
               pcr:fromSector/skos:notation ?from ;
               pcr:toSector/skos:notation ?to .
  OPTIONAL { ?expectation pcr:linkType/skos:notation ?type }
}
ORDER BY ?from ?to ?type ?expectation
"""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _area_iri(store: Store, area: URIRef | str | None) -> URIRef | None:
    if area is None or isinstance(area, URIRef):
        return area
    return resolve_area(store, area)


def sector_hierarchy(store: Store) -> dict[str, tuple[str, ...]]:
    """Sector notation to its direct broader notations, from the sector scheme."""
    broader: dict[str, set[str]] = defaultdict(set)
    for row in store.select(_SECTOR_HIERARCHY).strings():
        broader[row["notation"]]
        if row["broaderNotation"]:
            broader[row["notation"]].add(row["broaderNotation"])
    return {k: tuple(sorted(v)) for k, v in sorted(broader.items())}


def expected_pathways(store: Store) -> tuple[ExpectedPair, ...]:
    """The pathway expectations (``pcr:PathwayExpectation``) of every profile in the store."""
    return _unique_pairs(
        ExpectedPair(r["from"], r["to"], r["type"] or None)
        for r in store.select(_PATHWAY_EXPECTATIONS).strings()
    )


def provider_records(
    store: Store, area: URIRef | str | None = None
) -> tuple[list[Provider], list[Link], str]:
    """The providers and links of one area (or everything), and the area's label.

    An area's view holds the providers operating there plus outside providers taking part
    in its links; its links are those whose ``pcr:area`` is the area. Without an area,
    every provider and every link.
    """
    iri = _area_iri(store, area)
    if iri is None:
        rows = store.select(_PROVIDER_VIEW_ALL).strings()
    else:
        # Both at once (on Oxigraph, on two threads: see run_concurrently).
        text, bindings = lead_with_values(_LINK_VIEW_AREA, {"area": iri})
        rows, link_rows = run_concurrently(
            store,
            [
                partial(store.select_strings, _PROVIDER_VIEW_AREA, {"area": iri}),
                partial(store.select_strings, text, bindings),
            ],
        )
        typed = {row["provider"] for row in rows}
        rows += [row for row in link_rows if row["provider"] in typed]
    labels: dict[str, str] = {}
    sectors: dict[str, set[str]] = defaultdict(set)
    areas: dict[str, set[str]] = defaultdict(set)
    link_type: dict[str, set[str]] = defaultdict(set)
    link_members: dict[str, set[str]] = defaultdict(set)
    link_dates: dict[str, tuple[str, str]] = {}
    area_label = ""
    for row in rows:
        provider = row["provider"]
        area_label = area_label or row.get("areaLabel", "")
        label = row.get("label", "")
        if label and (provider not in labels or label < labels[provider]):
            labels[provider] = label
        labels.setdefault(provider, "")
        if row.get("sector"):
            sectors[provider].add(row["sector"])
        if row.get("operatesIn"):
            areas[provider].add(row["operatesIn"])
        if row.get("link"):
            link_members[row["link"]].add(provider)
            if row["type"]:
                link_type[row["link"]].add(row["type"])
            link_dates.setdefault(row["link"], (row["start"], row["end"]))
    providers = [
        Provider(p, labels[p], tuple(sorted(sectors[p])), tuple(sorted(areas[p])))
        for p in sorted(labels)
    ]
    links = [
        Link(
            link,
            min(link_type[link]) if link_type[link] else "",
            tuple(sorted(members)),
            (str(iri),) if iri is not None else (),
            _date(link_dates[link][0]),
            _date(link_dates[link][1]),
        )
        for link, members in sorted(link_members.items())
    ]
    return providers, links, area_label


def provider_graph(
    store: Store, area: URIRef | str | None = None, *, at: dt.date | None = None
) -> Any:
    """The provider graph of one area (or of everything), read from the store.

    ``area`` is an area IRI or anything :func:`pcr_graph.analysis.queries.resolve_area` accepts;
    ``at`` keeps only links active on that date. ``G.graph`` also carries the sector
    hierarchy and the profile's expected pathways, so :func:`area_metrics` needs nothing
    else. See :func:`build_provider_graph` for the node and edge attributes.
    """
    iri = _area_iri(store, area)
    providers, links, label = provider_records(store, iri)
    return build_provider_graph(
        providers,
        links,
        at=at,
        broader=sector_hierarchy(store),
        expected=expected_pathways(store),
        area=str(iri) if iri is not None else "",
        area_label=label,
    )


def sector_graph(
    store: Store, area: URIRef | str | None = None, *, at: dt.date | None = None
) -> Any:
    """The sector graph of one area (see :func:`build_sector_graph`), read from the store."""
    return build_sector_graph(provider_graph(store, area, at=at))


def forum_records(
    store: Store, area: URIRef | str | None = None
) -> tuple[list[Forum], list[Provider]]:
    """The planning forums of one area (or all) and their member providers."""
    iri = _area_iri(store, area)
    rows = store.select(_MEMBERSHIP_VIEW, {"area": iri} if iri is not None else None).strings()
    forum_label: dict[str, str] = {}
    forum_areas: dict[str, set[str]] = defaultdict(set)
    forum_members: dict[str, set[str]] = defaultdict(set)
    member_label: dict[str, str] = {}
    member_sectors: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        forum = row["forum"]
        forum_label.setdefault(forum, row["forumLabel"])
        forum_areas[forum].add(row["area"])
        if row["member"]:
            forum_members[forum].add(row["member"])
            member_label.setdefault(row["member"], row["memberLabel"])
            if row["sector"]:
                member_sectors[row["member"]].add(row["sector"])
    forums = [
        Forum(f, forum_label[f], tuple(sorted(forum_members[f])), tuple(sorted(forum_areas[f])))
        for f in sorted(forum_label)
    ]
    members = [
        Provider(m, member_label[m], tuple(sorted(member_sectors[m]))) for m in sorted(member_label)
    ]
    return forums, members


def membership_graph(store: Store, area: URIRef | str | None = None) -> Any:
    """The bipartite forum–provider graph of one area (or all), read from the store."""
    forums, members = forum_records(store, area)
    return build_membership_graph(forums, members)


_PROVIDER_CODES = """
SELECT DISTINCT ?provider ?code WHERE {
  ?provider a pcr:Provider .
  { ?provider dcterms:identifier ?code } UNION { ?provider pcr:odsCode ?code }
  UNION { ?provider pcr:cqcLocationId ?code }
}
ORDER BY ?provider
"""


_IS_PROVIDER = "ASK { ?provider a pcr:Provider }"


def resolve_provider(store: Store, text: str) -> URIRef:
    """The provider named by a workbook id (``dcterms:identifier``), ODS code, CQC id or IRI."""
    value = text.strip()
    if value.startswith(("http://", "https://", "urn:")):
        if store.ask(_IS_PROVIDER, {"provider": URIRef(value)}):
            return URIRef(value)
    else:
        for candidate in dict.fromkeys((value, value.upper())):
            rows = store.select(_PROVIDER_CODES, {"code": Literal(candidate)}).strings()
            found = sorted({r["provider"] for r in rows})
            if len(found) == 1:
                return URIRef(found[0])
            if len(found) > 1:
                raise UsageError(
                    f"provider {text!r} is ambiguous ({', '.join(found)}): give the IRI instead"
                )
    raise UsageError(
        f"unknown provider {text!r}: give a workbook provider id, an ODS code, a CQC "
        "location id or the provider's IRI"
    )


__all__ = [
    "expected_pathways",
    "forum_records",
    "membership_graph",
    "provider_graph",
    "provider_records",
    "resolve_provider",
    "sector_graph",
    "sector_hierarchy",
]
