"""Network analysis: a NetworkX view of the collaboration graph, metrics, diffs and what-ifs.

RDF stays the source of truth. Each view reads the store with one SPARQL query, expands
n-ary collaboration links into provider pairs in Python and returns a read-only
:class:`networkx.Graph`; the metric functions take such a graph first and return plain data
(frozen dataclasses of strings and numbers), as networkx does. The pure builders
(:func:`build_provider_graph`, :func:`build_sector_graph`, :func:`build_membership_graph`)
make the same graphs from plain records, so a notebook or a test needs no store.

Definitions and formulas are in ``docs/network.md``; every headline number comes with a
plain-English sentence (:attr:`AreaMetrics.figures`).

Examples
--------
>>> G = build_provider_graph(
...     [Provider("a", "Hospital", ("acute-trust",)), Provider("b", "Home", ("care-home",))],
...     [Link("L1", "discharge-coordination", ("a", "b"))],
...     broader={"care-home": ("adult-social-care",)},
...     expected=[("acute-trust", "adult-social-care")],
... )
>>> m = area_metrics(G)
>>> m.density, m.integration
(1.0, 1.0)
>>> print(m.figure("density").text)
Density 1.00: 100% of possible provider pairs are directly linked.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef

from pcr_graph.core.errors import UsageError
from pcr_graph.core.ids import last_segment
from pcr_graph.store.engines import Store

if TYPE_CHECKING:
    from pcr_graph.analysis.gaps import GapReport, Hit
    from pcr_graph.store.project import Project

# ---------------------------------------------------------------------------------------
# Records and weights
# ---------------------------------------------------------------------------------------

LINK_TYPE_WEIGHTS: Mapping[str, float] = {
    "shared-governance": 1.0,
    "joint-planning": 1.0,
    "shared-pathway": 1.0,
    "discharge-coordination": 1.0,
    "information-sharing": 0.75,
    "mutual-aid": 0.75,
    "staff-redeployment": 0.75,
    "joint-training": 0.5,
    "community-engagement": 0.5,
}
"""How much one link of each type counts towards the integration index (see docs)."""

UNKNOWN_TYPE_WEIGHT = 0.5
"""The weight of a link type missing from the weights (a type added to the vocabulary later)."""

DEFAULT_SEED = 42
"""Seed for Louvain community detection and for the sources sampled to estimate betweenness,
so the same graph gives the same communities and the same estimates."""

EXACT_BETWEENNESS_MAX_PROVIDERS = 1_000
"""The largest provider graph whose betweenness and brokerage :func:`area_metrics` computes
exactly; above it they are estimated from :data:`BETWEENNESS_PIVOTS` sampled sources."""

BETWEENNESS_PIVOTS = 256
"""How many source providers (pivots) the betweenness and brokerage estimates sample."""


@dataclass(frozen=True)
class Provider:
    """A provider as the views see it: IRI, label, sector notations and area IRIs."""

    iri: str
    label: str = ""
    sectors: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """A collaboration link: its type notation, participants (IRIs) and period."""

    iri: str
    link_type: str
    participants: tuple[str, ...]
    areas: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    label: str = ""

    def active_on(self, day: dt.date) -> bool:
        """True when ``day`` lies in the link's period (a missing bound is open).

        >>> Link("L", "mutual-aid", ("a", "b"), end=dt.date(2020, 6, 30)).active_on(
        ...     dt.date(2020, 7, 1)
        ... )
        False
        """
        return (self.start is None or self.start <= day) and (self.end is None or self.end >= day)


@dataclass(frozen=True)
class Forum:
    """A planning forum: its members (provider IRIs) and areas."""

    iri: str
    label: str = ""
    members: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExpectedPair:
    """An expected pathway between two sectors (undirected), optionally of one link type."""

    from_sector: str
    to_sector: str
    link_type: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        a, b = sorted((self.from_sector, self.to_sector))
        return (a, b, self.link_type or "")

    def __str__(self) -> str:
        text = f"{self.from_sector} ↔ {self.to_sector}"
        return f"{text} ({self.link_type})" if self.link_type else text


PairLike = ExpectedPair | tuple[str, str] | tuple[str, str, str | None]


def _as_pair(value: PairLike) -> ExpectedPair:
    if isinstance(value, ExpectedPair):
        return value
    if len(value) == 2:
        return ExpectedPair(value[0], value[1])
    return ExpectedPair(value[0], value[1], value[2] or None)


def _unique_pairs(pairs: Iterable[PairLike]) -> tuple[ExpectedPair, ...]:
    seen: dict[tuple[str, str, str], ExpectedPair] = {}
    for value in pairs:
        pair = _as_pair(value)
        seen.setdefault(pair.key, pair)
    return tuple(
        sorted(seen.values(), key=lambda p: (p.from_sector, p.to_sector, p.link_type or ""))
    )


def _short(iri: str) -> str:
    return last_segment(iri) or iri


def _label(G: Any, node: str) -> str:
    return str(G.nodes[node].get("label") or _short(node))


# ---------------------------------------------------------------------------------------
# Pure builders
# ---------------------------------------------------------------------------------------


def build_provider_graph(
    providers: Iterable[Provider],
    links: Iterable[Link],
    *,
    at: dt.date | None = None,
    broader: Mapping[str, Sequence[str]] | None = None,
    expected: Iterable[PairLike] = (),
    area: str = "",
    area_label: str = "",
) -> Any:
    """The provider graph from plain records (no store needed).

    Parameters
    ----------
    providers
        The nodes. A link participant missing here is added with no sector, so no link
        is ever dropped silently.
    links
        Each link joins every pair of its distinct participants.
    at
        Keep only links active on this date (start and end dates, open when missing).
    broader
        Sector hierarchy, notation to broader notations, used to match expected pathways.
    expected
        Expected sector pathways (see :func:`integration_index`).
    area, area_label
        What the graph is about (kept in ``G.graph``).

    Returns
    -------
    networkx.Graph
        Nodes are provider IRIs with ``label``, ``sectors`` (sorted notations) and
        ``areas``; an edge joins two providers that share at least one link and carries
        ``links`` (sorted link IRIs), ``types`` (sorted link-type notations),
        ``typed_links`` (sorted ``(link, type)`` pairs) and ``weight`` (number of links).
        ``G.graph`` holds ``area``, ``area_label``, ``at``, ``broader`` and ``expected``.

    Examples
    --------
    >>> G = build_provider_graph(
    ...     [Provider("a", "A", ("gp-practice",)), Provider("b", "B", ("pharmacy",))],
    ...     [Link("L1", "information-sharing", ("a", "b")), Link("L2", "mutual-aid", ("b", "a"))],
    ... )
    >>> G.edges["a", "b"]["links"], G.edges["a", "b"]["weight"]
    (('L1', 'L2'), 2)
    """
    import networkx as nx

    merged: dict[str, Provider] = {}
    for record in providers:
        old = merged.get(record.iri)
        if old is not None:
            record = Provider(
                record.iri,
                old.label or record.label,
                old.sectors + record.sectors,
                old.areas + record.areas,
            )
        merged[record.iri] = record
    pair_links: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for link in links:
        if at is not None and not link.active_on(at):
            continue
        members = sorted(set(link.participants))
        for member in members:
            merged.setdefault(member, Provider(member))
        for a, b in itertools.combinations(members, 2):
            pair_links[(a, b)].add((link.iri, link.link_type))
    G = nx.Graph(
        area=area,
        area_label=area_label,
        at=at.isoformat() if at else None,
        broader={k: tuple(sorted(set(v))) for k, v in sorted((broader or {}).items())},
        expected=_unique_pairs(expected),
    )
    for iri in sorted(merged):
        record = merged[iri]
        G.add_node(
            iri,
            label=record.label or _short(iri),
            sectors=tuple(sorted(set(record.sectors))),
            areas=tuple(sorted(set(record.areas))),
        )
    for (a, b), typed in sorted(pair_links.items()):
        ordered = tuple(sorted(typed))
        link_iris = tuple(sorted({iri for iri, _ in ordered}))
        G.add_edge(
            a,
            b,
            links=link_iris,
            types=tuple(sorted({t for _, t in ordered})),
            typed_links=ordered,
            weight=len(link_iris),
        )
    return G


def build_sector_graph(G: Any) -> Any:
    """The sector graph derived from a provider graph.

    Nodes are the sector notations present (attribute ``providers``: how many providers
    carry it). An edge joins two sectors when a link joins a provider of one with a
    different provider of the other; ``weight`` is the number of such links and ``links``
    lists them. Links between two providers of the same sector make a self-loop.

    Examples
    --------
    >>> G = build_provider_graph(
    ...     [Provider("a", "A", ("acute-trust", "emergency-department")),
    ...      Provider("b", "B", ("ambulance",))],
    ...     [Link("L1", "shared-pathway", ("a", "b"))],
    ... )
    >>> S = build_sector_graph(G)
    >>> sorted(S.edges(data="weight"))
    [('acute-trust', 'ambulance', 1), ('ambulance', 'emergency-department', 1)]
    """
    import networkx as nx

    counts: dict[str, int] = defaultdict(int)
    for node in G:
        for sector in G.nodes[node].get("sectors", ()):
            counts[sector] += 1
    S = nx.Graph(area=G.graph.get("area", ""), area_label=G.graph.get("area_label", ""))
    for sector in sorted(counts):
        S.add_node(sector, providers=counts[sector])
    for (a, b), link_iris in _sector_pair_links(G).items():
        S.add_edge(a, b, links=tuple(sorted(link_iris)), weight=len(link_iris))
    return S


def _sector_pair_links(G: Any) -> dict[tuple[str, str], set[str]]:
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p, q, data in G.edges(data=True):
        for s in G.nodes[p].get("sectors", ()):
            for t in G.nodes[q].get("sectors", ()):
                a, b = sorted((s, t))
                pairs[(a, b)].update(data["links"])
    return dict(sorted(pairs.items()))


def build_membership_graph(forums: Iterable[Forum], providers: Iterable[Provider] = ()) -> Any:
    """The bipartite forum–provider graph from plain records.

    Forum nodes have ``kind="forum"``, ``bipartite=0``; provider nodes ``kind="provider"``,
    ``bipartite=1`` with ``sectors``. An edge means "is a member of".

    Examples
    --------
    >>> M = build_membership_graph([Forum("f", "Board", ("a", "b"))],
    ...                            [Provider("a", "A", ("acute-trust",))])
    >>> sorted(M.neighbors("f")), M.nodes["b"]["kind"]
    (['a', 'b'], 'provider')
    """
    import networkx as nx

    known = {p.iri: p for p in providers}
    forum_list = sorted(forums, key=lambda f: f.iri)
    M = nx.Graph()
    members = sorted({m for f in forum_list for m in f.members} | set(known))
    for forum in forum_list:
        M.add_node(
            forum.iri,
            kind="forum",
            bipartite=0,
            label=forum.label or _short(forum.iri),
            areas=tuple(sorted(set(forum.areas))),
        )
    for iri in members:
        record = known.get(iri, Provider(iri))
        M.add_node(
            iri,
            kind="provider",
            bipartite=1,
            label=record.label or _short(iri),
            sectors=tuple(sorted(set(record.sectors))),
        )
    for forum in forum_list:
        for member in sorted(set(forum.members)):
            M.add_edge(forum.iri, member)
    return M


def forums_of(M: Any) -> tuple[Forum, ...]:
    """The forums of a membership graph, as records (for :func:`area_metrics`).

    >>> forums_of(build_membership_graph([Forum("f", "Board", ("b", "a"))]))
    (Forum(iri='f', label='Board', members=('a', 'b'), areas=()),)
    """
    return tuple(
        Forum(
            node,
            str(data.get("label", "")),
            tuple(sorted(M.neighbors(node))),
            tuple(data.get("areas", ())),
        )
        for node, data in sorted(M.nodes(data=True))
        if data.get("kind") == "forum"
    )


# ---------------------------------------------------------------------------------------
# Views over the store
# ---------------------------------------------------------------------------------------

_PROVIDER_VIEW_AREA = """
SELECT ?area ?areaLabel ?provider ?label ?sector ?operatesIn ?link ?type ?start ?end WHERE {
  { SELECT DISTINCT ?area ?provider WHERE {
      { ?provider pcr:operatesIn ?area }
      UNION { ?scopeLink pcr:area ?area ; pcr:participant ?provider } } }
  ?provider a pcr:Provider .
  OPTIONAL { ?area skos:prefLabel ?areaLabel }
  OPTIONAL { ?provider skos:prefLabel ?label }
  OPTIONAL { ?provider pcr:sector/skos:notation ?sector }
  OPTIONAL { ?provider pcr:operatesIn ?operatesIn }
  OPTIONAL {
    ?link a pcr:CollaborationLink ; pcr:area ?area ; pcr:participant ?provider .
    OPTIONAL { ?link pcr:linkType/skos:notation ?type }
    OPTIONAL { ?link pcr:startDate ?start }
    OPTIONAL { ?link pcr:endDate ?end }
  }
}
ORDER BY ?provider ?label ?sector ?operatesIn ?link ?type ?start ?end
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
    from pcr_graph.analysis.queries import resolve_area

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
        rows = store.select(_PROVIDER_VIEW_AREA, {"area": iri}).strings()
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
        if row["label"] and (provider not in labels or row["label"] < labels[provider]):
            labels[provider] = row["label"]
        labels.setdefault(provider, "")
        if row["sector"]:
            sectors[provider].add(row["sector"])
        if row["operatesIn"]:
            areas[provider].add(row["operatesIn"])
        if row["link"]:
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


# ---------------------------------------------------------------------------------------
# Metric building blocks
# ---------------------------------------------------------------------------------------


def _sector_sets(G: Any) -> dict[str, frozenset[str]]:
    return {n: frozenset(G.nodes[n].get("sectors", ())) for n in G}


def _is_cross(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and not (a & b)


def cross_sector_betweenness(
    G: Any, k: int | None = None, seed: int = DEFAULT_SEED
) -> dict[str, float]:
    """For each provider, the share of cross-sector pairs whose shortest paths pass through it.

    A pair of providers is cross-sector when both have sectors and share none. For node v
    the value is the sum, over cross-sector pairs {s, t} not involving v, of the fraction
    of shortest s–t paths through v, divided by the number of such pairs (so it lies in
    [0, 1]; unreachable pairs count as 0, as in networkx's normalised betweenness).

    Parameters
    ----------
    G
        A provider graph.
    k
        None for the exact value (every provider is a source of shortest paths). Otherwise
        an estimate from ``k`` source providers sampled as networkx's
        ``betweenness_centrality(G, k=k, seed=seed)`` samples them (from the providers in
        sorted order), rescaled to all sources the same way; ``k`` of at least the number
        of providers gives the exact value.
    seed
        Seed for the sample, so the same graph and ``k`` give the same estimate.

    Examples
    --------
    Two "x" providers reach the "y" provider only through the middle one:

    >>> G = build_provider_graph(
    ...     [Provider("a", "A", ("x",)), Provider("b", "B", ("x",)), Provider("c", "C", ("y",))],
    ...     [Link("L1", "mutual-aid", ("a", "b")), Link("L2", "mutual-aid", ("b", "c"))],
    ... )
    >>> cross_sector_betweenness(G)
    {'a': 0.0, 'b': 1.0, 'c': 0.0}
    """
    return _betweenness(G, k, seed, plain=False)[1]


def estimated_betweenness(
    G: Any, k: int, seed: int = DEFAULT_SEED
) -> tuple[dict[str, float], dict[str, float]]:
    """Betweenness and cross-sector betweenness estimated from ``k`` sampled sources.

    One shortest-path search per sampled source serves both measures. The betweenness
    is networkx's estimate ``betweenness_centrality(G, k=k, normalized=True, seed=seed)``
    for a graph with nodes in sorted order: the same sources, the same rescaling (equal up
    to rounding); the cross-sector betweenness is :func:`cross_sector_betweenness` with
    the same ``k`` and ``seed``. ``k`` of at least the number of providers gives exact
    values.

    >>> G = build_provider_graph(
    ...     [Provider(n, n.upper(), (s,)) for n, s in zip("abcd", "xxyy")],
    ...     [Link(f"L{i}", "mutual-aid", p) for i, p in enumerate(["ab", "bc", "cd"])],
    ... )
    >>> import networkx as nx
    >>> plain, cross = estimated_betweenness(G, 2, seed=1)
    >>> theirs = nx.betweenness_centrality(G, k=2, normalized=True, seed=1)
    >>> all(abs(plain[v] - theirs[v]) < 1e-12 for v in G)
    True
    >>> cross == cross_sector_betweenness(G, 2, seed=1)
    True
    """
    return _betweenness(G, k, seed, plain=True)


def _betweenness(
    G: Any, k: int | None, seed: int, *, plain: bool
) -> tuple[dict[str, float], dict[str, float]]:
    """Brandes' algorithm over integer indices: (plain if asked, cross-sector) betweenness."""
    nodes = sorted(G)
    n = len(nodes)
    if k is not None and k < 2:
        raise ValueError(f"k must be at least 2 sampled sources, not {k}")
    sampled = k is not None and k < n
    sources = _sampled_sources(n, k, seed) if sampled else list(range(n))
    sectors = _sector_sets(G)
    # Providers with the same sector set behave alike: test cross-sector-ness once per
    # pair of sector sets, not once per pair of providers.
    kinds = sorted(set(sectors.values()), key=sorted)
    kind_of = {kind: i for i, kind in enumerate(kinds)}
    kind = [kind_of[sectors[node]] for node in nodes]
    crosses = [[_is_cross(a, b) for b in kinds] for a in kinds]
    index = {node: i for i, node in enumerate(nodes)}
    # Sorted by node, as sorted indices: the traversal order, so the float sums, of the
    # original dict-based version, which the exact results must match exactly.
    adjacency = [sorted(index[w] for w in G[node]) for node in nodes]
    score = [0.0] * n
    plain_score = [0.0] * n
    for source in sources:
        counts_cross = bool(kinds[kind[source]])
        if not counts_cross and not plain:
            continue
        cross = crosses[kind[source]]
        dist = [-1] * n
        sigma = [0] * n
        pred: dict[int, list[int]] = {source: []}
        dist[source], sigma[source] = 0, 1
        order = [source]
        position = 0
        while position < len(order):
            v = order[position]
            position += 1
            step, paths = dist[v] + 1, sigma[v]
            for w in adjacency[v]:
                seen = dist[w]
                if seen < 0:
                    dist[w], sigma[w], pred[w] = step, paths, [v]
                    order.append(w)
                elif seen == step:
                    sigma[w] += paths
                    pred[w].append(v)
        if counts_cross:
            delta = [0.0] * n
            for w in reversed(order):
                # Brandes' accumulation, counting only targets of another sector.
                carried = delta[w] + (1.0 if cross[kind[w]] else 0.0)
                for v in pred[w]:
                    delta[v] += sigma[v] / sigma[w] * carried
                if w != source:
                    score[w] += delta[w]
        if plain:
            delta = [0.0] * n
            for w in reversed(order):
                # As networkx's _accumulate_basic, every target counting.
                coefficient = (1.0 + delta[w]) / sigma[w]
                for v in pred[w]:
                    delta[v] += sigma[v] * coefficient
                if w != source:
                    plain_score[w] += delta[w]
    # Each node's sums run over the other providers as sources: n - 1 of them, of which
    # the sample holds k, or k - 1 when the node itself was drawn (as networkx rescales).
    drawn = set(sources)
    drawn_from = [(k - 1 if i in drawn else k) if sampled and k else n - 1 for i in range(n)]
    if sampled:
        for i in range(n):
            score[i] *= (n - 1) / drawn_from[i]
    groups: dict[frozenset[str], int] = defaultdict(int)
    for node in nodes:
        groups[sectors[node]] += 1
    total = (
        sum(
            groups[g] * groups[h]
            for g, h in itertools.combinations(sorted(groups, key=sorted), 2)
            if _is_cross(g, h)
        )
        if groups
        else 0
    )
    # Cross-sector pairs involving a provider of each sector set.
    involving = [sum(count for g, count in groups.items() if _is_cross(a, g)) for a in kinds]
    cross_result = {}
    plain_result = {}
    for i, node in enumerate(nodes):
        pairs = total - involving[kind[i]]
        # Each unordered pair was counted once from each end.
        cross_result[node] = score[i] / 2 / pairs if pairs else 0.0
        # Normalised: ordered pairs (s, t) without v, over the sources drawn.
        plain_result[node] = plain_score[i] / (drawn_from[i] * (n - 2)) if plain and n > 2 else 0.0
    return plain_result, cross_result


def _sampled_sources(n: int, k: int | None, seed: int) -> list[int]:
    """The ``k`` source indices networkx samples from ``n`` nodes with ``seed``, sorted."""
    import random

    assert k is not None
    return sorted(random.Random(seed).sample(range(n), k))


@dataclass(frozen=True)
class Score:
    """A provider with a value (centrality, brokerage …)."""

    iri: str
    label: str
    value: float


def _ranked(G: Any, values: Mapping[str, float], top: int | None = None) -> tuple[Score, ...]:
    ranked = sorted(
        (Score(n, _label(G, n), float(v)) for n, v in values.items()),
        key=lambda s: (-s.value, s.label, s.iri),
    )
    return tuple(ranked if top is None else ranked[:top])


@dataclass(frozen=True)
class SectorGateway:
    """A sector whose providers reach other sectors only through one of them."""

    sector: str
    provider: str
    provider_label: str
    providers: int


def single_gateway_sectors(G: Any) -> tuple[SectorGateway, ...]:
    """Sectors (with at least two providers) joined to other sectors only through one provider.

    A provider of sector S is a *gateway* when it has a direct link to a provider that is
    not of S. A sector with exactly one gateway is cut off if that provider drops out.

    Examples
    --------
    >>> G = build_provider_graph(
    ...     [Provider("h1", "Home 1", ("care-home",)), Provider("h2", "Home 2", ("care-home",)),
    ...      Provider("t", "Trust", ("acute-trust",))],
    ...     [Link("L1", "mutual-aid", ("h1", "h2")),
    ...      Link("L2", "discharge-coordination", ("h1", "t"))],
    ... )
    >>> single_gateway_sectors(G)
    (SectorGateway(sector='care-home', provider='h1', provider_label='Home 1', providers=2),)
    """
    members: dict[str, list[str]] = defaultdict(list)
    for node in sorted(G):
        for sector in G.nodes[node].get("sectors", ()):
            members[sector].append(node)
    found = []
    for sector, nodes in sorted(members.items()):
        if len(nodes) < 2:
            continue
        gateways = [
            n for n in nodes if any(sector not in G.nodes[m].get("sectors", ()) for m in G[n])
        ]
        if len(gateways) == 1:
            found.append(SectorGateway(sector, gateways[0], _label(G, gateways[0]), len(nodes)))
    return tuple(found)


def joined_sectors(G: Any, nodes: Iterable[str] | None = None) -> set[str]:
    """Sectors with a provider that can reach (by any path) a provider not of that sector.

    >>> G = build_provider_graph(
    ...     [Provider("a", "A", ("x",)), Provider("b", "B", ("y",)), Provider("c", "C", ("z",))],
    ...     [Link("L1", "mutual-aid", ("a", "b"))],
    ... )
    >>> sorted(joined_sectors(G))
    ['x', 'y']
    """
    import networkx as nx

    H = G if nodes is None else G.subgraph(nodes)
    joined: set[str] = set()
    for component in nx.connected_components(H):
        joined |= _joined_in(H, component)
    return joined


def _joined_in(G: Any, component: Iterable[str]) -> set[str]:
    present: dict[str, int] = defaultdict(int)
    members = list(component)
    for node in members:
        for sector in G.nodes[node].get("sectors", ()):
            present[sector] += 1
    # S is joined when the component also holds a provider not of S.
    return {s for s, count in present.items() if count < len(members)}


@dataclass(frozen=True)
class Disconnection:
    """A provider whose removal leaves sectors with no path to any other sector."""

    provider: str
    label: str
    sectors: tuple[str, ...]


def disconnecting_providers(G: Any) -> tuple[Disconnection, ...]:
    """Providers whose removal would cut one or more sectors off from every other sector.

    A sector is cut off when, before the removal, one of its providers could reach a
    provider of another sector, and afterwards none of its remaining providers can. A
    sector whose only provider is the one removed is not listed (it is gone, not cut off).

    The pieces a provider's removal leaves are read from the block-cut tree
    (biconnected components and articulation points), so the whole graph takes
    O((n + m)·S) for n providers, m linked pairs and S sectors, not one connectivity
    search per provider.

    Examples
    --------
    >>> G = build_provider_graph(
    ...     [Provider("a", "A", ("x",)), Provider("b", "B", ("y",)), Provider("c", "C", ("z",))],
    ...     [Link("L1", "mutual-aid", ("a", "b")), Link("L2", "mutual-aid", ("b", "c"))],
    ... )
    >>> disconnecting_providers(G)
    (Disconnection(provider='b', label='B', sectors=('x', 'z')),)
    """
    import networkx as nx

    components = [sorted(c) for c in nx.connected_components(G)]
    joined_by = [_joined_in(G, c) for c in components]
    joined_count: dict[str, int] = defaultdict(int)
    for joined in joined_by:
        for sector in joined:
            joined_count[sector] += 1
    holders: dict[str, int] = defaultdict(int)
    for node in G:
        for sector in G.nodes[node].get("sectors", ()):
            holders[sector] += 1
    # Only a sector joined in this component alone can be cut off by one removal here.
    candidates: dict[Any, list[str]] = {}
    counted: dict[Any, dict[str, int]] = {}
    for component, joined in zip(components, joined_by, strict=True):
        wanted = sorted(s for s in joined if joined_count[s] == 1)
        if len(component) < 2 or not wanted:
            continue
        for node in component:
            candidates[node] = wanted
            counted[node] = _tally(s for s in G.nodes[node].get("sectors", ()) if s in wanted)
    found = []
    for node, pieces in _pieces_without_each(G, counted):
        own = set(G.nodes[node].get("sectors", ()))
        cut = [
            s
            for s in candidates[node]
            # Still joined when some piece holds providers both of s and not of s.
            if not any(0 < tally.get(s, 0) < size for size, tally in pieces)
            and holders[s] - (1 if s in own else 0) > 0
        ]
        if cut:
            found.append(Disconnection(node, _label(G, node), tuple(cut)))
    return tuple(sorted(found, key=lambda d: (d.label, d.provider)))


def _tally(items: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return dict(counts)


def _minus(total: Mapping[str, int], parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    left = dict(total)
    for part in parts:
        for key, count in part.items():
            left[key] -= count
    return left


def _pieces_without_each(
    G: Any, counted: Mapping[Any, Mapping[str, int]]
) -> Iterable[tuple[Any, list[tuple[int, dict[str, int]]]]]:
    """For each node of ``counted``: the connected pieces its removal leaves of its component.

    Each piece is ``(size, tally)``, the tally summing ``counted`` over the piece's nodes
    (every node of a component must be in ``counted`` or none). Removing a node that is
    not an articulation point leaves one piece, the rest of its component. Removing an
    articulation point v leaves one piece per block-cut tree branch at v: rooting the
    tree at a block, each child block's subtree is a piece and everything else (through
    v's parent block) is the last one.
    """
    import networkx as nx

    H = G
    if nx.number_of_selfloops(G):
        H = nx.Graph(G)
        H.remove_edges_from(list(nx.selfloop_edges(H)))
    blocks = [sorted(b) for b in nx.biconnected_components(H) if b & counted.keys()]
    cuts = sorted(set(nx.articulation_points(H)) & counted.keys())
    # Block-cut tree: block i is tree node i, articulation point j is tree node B + j.
    B = len(blocks)
    cut_id = {v: B + j for j, v in enumerate(cuts)}
    tree: list[list[int]] = [[] for _ in range(B + len(cuts))]
    own: list[list[Any]] = [[] for _ in range(B)] + [[v] for v in cuts]
    for i, block in enumerate(blocks):
        for v in block:
            if v in cut_id:
                tree[i].append(cut_id[v])
                tree[cut_id[v]].append(i)
            else:
                own[i].append(v)
    parent = [-1] * len(tree)
    root = [-1] * len(tree)
    order: list[int] = []
    for start in range(B):
        if root[start] >= 0:
            continue
        root[start] = start
        stack = [start]
        while stack:
            t = stack.pop()
            order.append(t)
            for u in tree[t]:
                if root[u] < 0:
                    root[u], parent[u] = start, t
                    stack.append(u)
    size = [len(nodes) for nodes in own]
    tally = [_tally_all(counted[v] for v in nodes) for nodes in own]
    children: list[list[int]] = [[] for _ in tree]
    for t in reversed(order):
        if parent[t] >= 0:
            children[parent[t]].append(t)
            size[parent[t]] += size[t]
            for key, count in tally[t].items():
                tally[parent[t]][key] = tally[parent[t]].get(key, 0) + count
    for i in range(B):
        total_size, total = size[root[i]], tally[root[i]]
        for v in own[i]:
            yield v, [(total_size - 1, _minus(total, [counted[v]]))]
    for v in cuts:
        t = cut_id[v]
        total_size, total = size[root[t]], tally[root[t]]
        pieces = [(size[c], tally[c]) for c in children[t]]
        rest = total_size - 1 - sum(s for s, _ in pieces)
        pieces.append((rest, _minus(total, [counted[v], *(p for _, p in pieces)])))
        yield v, pieces


def _tally_all(tallies: Iterable[Mapping[str, int]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for part in tallies:
        for key, count in part.items():
            counts[key] += count
    return dict(counts)


def mixing_matrix(G: Any) -> tuple[tuple[str, str, int], ...]:
    """Links between each pair of sectors, as ``(sector, sector, links)`` with sector ≤ sector.

    A link counts once for a sector pair when it joins a provider of one with a different
    provider of the other; the diagonal counts links inside a sector.

    Examples
    --------
    >>> G = build_provider_graph(
    ...     [Provider("g1", "G1", ("gp-practice",)), Provider("g2", "G2", ("gp-practice",)),
    ...      Provider("p", "P", ("pharmacy",))],
    ...     [Link("L1", "information-sharing", ("g1", "g2", "p"))],
    ... )
    >>> mixing_matrix(G)
    (('gp-practice', 'gp-practice', 1), ('gp-practice', 'pharmacy', 1))
    """
    return tuple((a, b, len(links)) for (a, b), links in _sector_pair_links(G).items())


@dataclass(frozen=True)
class PathwayScore:
    """How strongly an expected sector pathway is joined: its strongest link's weight."""

    from_sector: str
    to_sector: str
    link_type: str | None
    weight: float
    types: tuple[str, ...]
    links: tuple[str, ...]


def _closure(sector: str, broader: Mapping[str, Sequence[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [sector]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(broader.get(current, ()))
    return seen


def pathway_scores(
    G: Any,
    expected: Iterable[PairLike],
    weights: Mapping[str, float] | None = None,
    broader: Mapping[str, Sequence[str]] | None = None,
) -> tuple[PathwayScore, ...]:
    """The strength of each expected pathway: the weight of its strongest link (0 if none).

    A link joins pathway (A, B) when two different participants are of A and of B (a
    provider is "of A" when one of its sectors is A or lies under A). If the pathway names a
    link type, only links of that type count.
    """
    weight_of = dict(LINK_TYPE_WEIGHTS if weights is None else weights)
    hierarchy = G.graph.get("broader", {}) if broader is None else broader
    closure = {
        n: set().union(*(_closure(s, hierarchy) for s in G.nodes[n].get("sectors", ()))) for n in G
    }
    scores = []
    for pair in _unique_pairs(expected):
        a, b = pair.from_sector, pair.to_sector
        best = 0.0
        best_types: set[str] = set()
        best_links: set[str] = set()
        for p, q, data in G.edges(data=True):
            if not ((a in closure[p] and b in closure[q]) or (a in closure[q] and b in closure[p])):
                continue
            for link, link_type in data["typed_links"]:
                if pair.link_type and link_type != pair.link_type:
                    continue
                w = float(weight_of.get(link_type, UNKNOWN_TYPE_WEIGHT))
                if w > best:
                    best, best_types, best_links = w, {link_type}, {link}
                elif w == best and w > 0:
                    best_types.add(link_type)
                    best_links.add(link)
        scores.append(
            PathwayScore(
                a, b, pair.link_type, best, tuple(sorted(best_types)), tuple(sorted(best_links))
            )
        )
    return tuple(scores)


def integration_index(
    G: Any,
    expected: Iterable[PairLike] | None = None,
    weights: Mapping[str, float] | None = None,
) -> float | None:
    """The cross-sector integration index in [0, 1], or None when no pathway is expected.

    The mean, over the expected sector pathways, of the weight of the strongest link
    joining each (0 when none does). ``expected`` defaults to ``G.graph["expected"]``.

    Examples
    --------
    The worked example of ``docs/network.md``: four expected pathways, joined with weights
    1.0 (shared pathway), 1.0 (discharge coordination, care home under adult social care),
    0.5 (joint training) and 0 (no link): (1 + 1 + 0.5 + 0) / 4.

    >>> G = build_provider_graph(
    ...     [Provider("acute", "Hospital", ("acute-trust", "emergency-department")),
    ...      Provider("amb", "Ambulance", ("ambulance",)),
    ...      Provider("home", "Care home", ("care-home",)),
    ...      Provider("comm", "Community trust", ("community-health",)),
    ...      Provider("la", "Council", ("local-authority",)),
    ...      Provider("vol", "Charity", ("voluntary-sector",))],
    ...     [Link("L1", "shared-pathway", ("amb", "acute")),
    ...      Link("L2", "discharge-coordination", ("acute", "home")),
    ...      Link("L3", "joint-training", ("comm", "home"))],
    ...     broader={"care-home": ("adult-social-care",)},
    ... )
    >>> integration_index(G, [("ambulance", "emergency-department"),
    ...                       ("acute-trust", "adult-social-care"),
    ...                       ("community-health", "care-home"),
    ...                       ("local-authority", "voluntary-sector")])
    0.625
    """
    pairs = G.graph.get("expected", ()) if expected is None else expected
    scores = pathway_scores(G, pairs, weights)
    if not scores:
        return None
    return sum(s.weight for s in scores) / len(scores)


def communities(G: Any, seed: int = DEFAULT_SEED) -> tuple[tuple[str, ...], ...]:
    """Louvain communities (weighted by links, seeded), largest first, members sorted by label.

    >>> G = build_provider_graph(
    ...     [Provider(n) for n in "abcdef"],
    ...     [Link(f"L{i}", "mutual-aid", pair) for i, pair in enumerate(
    ...         [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"),
    ...          ("c", "d")])],
    ... )
    >>> communities(G)
    (('a', 'b', 'c'), ('d', 'e', 'f'))
    """
    import networkx as nx

    if G.number_of_nodes() == 0:
        return ()
    found = nx.community.louvain_communities(G, weight="weight", seed=seed)
    ordered = [tuple(sorted(c, key=lambda n: (_label(G, n), n))) for c in found]
    return tuple(sorted(ordered, key=lambda c: (-len(c), _label(G, c[0]), c[0])))


@dataclass(frozen=True)
class ForumMatch:
    """How well a planning forum's members fall into one collaboration community."""

    forum: str
    label: str
    members: int
    community: int | None
    share: float | None


def forum_alignment(
    G: Any, forums: Iterable[Forum], found: Sequence[Sequence[str]]
) -> tuple[ForumMatch, ...]:
    """For each forum, its best-matching community and the share of its members in it.

    Only members present in ``G`` count; a forum with fewer than two of them gets no share.
    ``community`` is the 1-based position in ``found`` (ties go to the earlier community).

    >>> G = build_provider_graph([Provider(n) for n in "abcd"],
    ...                          [Link("L1", "mutual-aid", ("a", "b"))])
    >>> forum_alignment(G, [Forum("f", "F", ("a", "b", "c"))], [("a", "b"), ("c",), ("d",)])
    (ForumMatch(forum='f', label='F', members=3, community=1, share=0.6666666666666666),)
    """
    index = {node: i for i, community in enumerate(found) for node in community}
    result = []
    for forum in sorted(forums, key=lambda f: (f.label, f.iri)):
        members = sorted(m for m in set(forum.members) if m in G)
        if len(members) < 2:
            result.append(ForumMatch(forum.iri, forum.label, len(members), None, None))
            continue
        counts: dict[int, int] = defaultdict(int)
        for member in members:
            if member in index:
                counts[index[member]] += 1
        if not counts:
            result.append(ForumMatch(forum.iri, forum.label, len(members), None, 0.0))
            continue
        best = min(counts, key=lambda i: (-counts[i], i))
        result.append(
            ForumMatch(forum.iri, forum.label, len(members), best + 1, counts[best] / len(members))
        )
    return tuple(result)


# ---------------------------------------------------------------------------------------
# Area metrics
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One headline number with a plain-English sentence and what it measures."""

    key: str
    label: str
    value: float | int | str | None
    text: str
    definition: str

    @property
    def display(self) -> str:
        """The value as text: n/a, a whole number, or three decimals."""
        if self.value is None:
            return "n/a"
        if isinstance(self.value, float):
            return f"{self.value:.3f}"
        return str(self.value)


@dataclass(frozen=True)
class Bridge:
    """A pair of providers whose links are the only path between two parts of the network."""

    a: str
    a_label: str
    b: str
    b_label: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class AreaMetrics:
    """Every metric of one provider graph, as plain data (see ``docs/network.md``)."""

    area: str
    area_label: str
    providers: int
    linked_providers: int
    links: int
    pairs: int
    density: float
    mean_degree: float
    components: int
    largest_component: int
    cross_sector_links: int
    degree: tuple[Score, ...]
    betweenness: tuple[Score, ...]
    brokers: tuple[Score, ...]
    articulation_points: tuple[Score, ...]
    bridges: tuple[Bridge, ...]
    gateways: tuple[SectorGateway, ...]
    disconnections: tuple[Disconnection, ...]
    communities: tuple[tuple[str, ...], ...]
    modularity: float | None
    forums: tuple[ForumMatch, ...]
    forum_alignment: float | None
    mixing: tuple[tuple[str, str, int], ...]
    pathways: tuple[PathwayScore, ...]
    integration: float | None
    weights: tuple[tuple[str, float], ...]
    betweenness_pivots: int | None = None
    """None when ``betweenness`` and ``brokers`` are exact; otherwise how many sampled
    source providers they were estimated from."""
    labels: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    figures: tuple[Figure, ...] = ()

    def figure(self, key: str) -> Figure:
        """The headline figure called ``key`` (e.g. ``density``)."""
        for item in self.figures:
            if item.key == key:
                return item
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain dicts and lists (JSON-ready)."""
        data = asdict(self)
        data.pop("labels", None)
        return data


def _names(items: Sequence[str], limit: int = 3) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def area_metrics(
    G: Any,
    expected_pairs: Iterable[PairLike] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    forums: Iterable[Forum] = (),
    use_profile: bool = True,
    top: int = 5,
    seed: int = DEFAULT_SEED,
    pivots: int | None = BETWEENNESS_PIVOTS,
    exact_up_to: int = EXACT_BETWEENNESS_MAX_PROVIDERS,
) -> AreaMetrics:
    """Every metric of a provider graph, each headline number with an explanation.

    Parameters
    ----------
    G
        A provider graph (:func:`provider_graph` or :func:`build_provider_graph`).
    expected_pairs
        Expected sector pathways added to the profile's (``G.graph["expected"]``).
    weights
        Link-type weights for the integration index (default :data:`LINK_TYPE_WEIGHTS`).
    forums
        Planning forums, compared with the communities (see :func:`forum_alignment`).
    use_profile
        False to ignore ``G.graph["expected"]`` and use only ``expected_pairs``.
    top
        How many providers to list per ranking (ties broken by label).
    seed
        Seed for Louvain community detection and for the sampled betweenness sources.
    pivots, exact_up_to
        Betweenness and cross-sector betweenness are exact for a graph of at most
        ``exact_up_to`` providers. A larger graph gets estimates from ``pivots`` source
        providers sampled with ``seed`` (see :func:`betweenness_pivots`), and
        ``betweenness_pivots`` and the ``betweenness_method`` figure say so. ``pivots=None``
        is exact at any size (slow: O(n·m) for n providers and m linked pairs).

    Examples
    --------
    Two triangles joined by one link:

    >>> G = build_provider_graph(
    ...     [Provider(n, n.upper(), ("x",) if n in "abc" else ("y",)) for n in "abcdef"],
    ...     [Link(f"L{i}", "mutual-aid", pair) for i, pair in enumerate(
    ...         [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"),
    ...          ("c", "d")])],
    ... )
    >>> m = area_metrics(G)
    >>> round(m.density, 4), [s.label for s in m.articulation_points]
    (0.4667, ['C', 'D'])
    >>> [(s.label, round(s.value, 2)) for s in m.betweenness[:2]]
    [('C', 0.6), ('D', 0.6)]
    """
    import networkx as nx

    nodes = sorted(G)
    n = len(nodes)
    labels = {node: _label(G, node) for node in nodes}
    link_iris = {link for _, _, data in G.edges(data=True) for link in data["links"]}
    sectors = _sector_sets(G)
    cross_links = {
        link
        for p, q, data in G.edges(data=True)
        if _is_cross(sectors[p], sectors[q])
        for link in data["links"]
    }
    density = float(nx.density(G)) if n > 1 else 0.0
    mean_degree = 2 * G.number_of_edges() / n if n else 0.0
    component_sets = sorted(nx.connected_components(G), key=lambda c: (-len(c), sorted(c)))
    largest = len(component_sets[0]) if component_sets else 0
    degree = _ranked(G, nx.degree_centrality(G) if n > 1 else dict.fromkeys(nodes, 0.0), top)
    k = betweenness_pivots(n, pivots, exact_up_to)
    if k is None:
        between = nx.betweenness_centrality(G, normalized=True)
        broker_values = cross_sector_betweenness(G)
    else:
        between, broker_values = estimated_betweenness(G, k, seed)
    betweenness = _ranked(G, between, top)
    brokers = _ranked(G, broker_values, top)
    cuts = _ranked(G, dict.fromkeys(nx.articulation_points(G), 0.0))
    bridge_list = []
    for p, q in nx.bridges(G):
        a, b = sorted((p, q), key=lambda x: (labels[x], x))
        bridge_list.append(Bridge(a, labels[a], b, labels[b], tuple(G.edges[p, q]["links"])))
    bridge_list.sort(key=lambda br: (br.a_label, br.b_label, br.a, br.b))
    found = communities(G, seed)
    groups = [c for c in found if len(c) > 1]
    modularity = (
        float(nx.community.modularity(G, [set(c) for c in found], weight="weight"))
        if G.number_of_edges()
        else None
    )
    forum_matches = forum_alignment(G, forums, found)
    shares = [f.share for f in forum_matches if f.share is not None]
    alignment = sum(shares) / len(shares) if shares else None
    pairs: list[PairLike] = list(G.graph.get("expected", ())) if use_profile else []
    pairs += list(expected_pairs or ())
    scores = pathway_scores(G, pairs, weights)
    integration = sum(s.weight for s in scores) / len(scores) if scores else None
    weight_table = dict(LINK_TYPE_WEIGHTS if weights is None else weights)
    metrics = AreaMetrics(
        area=str(G.graph.get("area", "")),
        area_label=str(G.graph.get("area_label", "")),
        providers=n,
        linked_providers=sum(1 for node in nodes if G.degree(node)),
        links=len(link_iris),
        pairs=G.number_of_edges(),
        density=density,
        mean_degree=mean_degree,
        components=len(component_sets),
        largest_component=largest,
        cross_sector_links=len(cross_links),
        degree=degree,
        betweenness=betweenness,
        brokers=brokers,
        articulation_points=cuts,
        bridges=tuple(bridge_list),
        gateways=single_gateway_sectors(G),
        disconnections=disconnecting_providers(G),
        communities=found,
        modularity=modularity,
        forums=forum_matches,
        forum_alignment=alignment,
        mixing=mixing_matrix(G),
        pathways=scores,
        integration=integration,
        weights=tuple(sorted(weight_table.items())),
        betweenness_pivots=k,
        labels=labels,
    )
    return _with_figures(metrics, len(groups), seed, exact_up_to)


def betweenness_pivots(
    n: int,
    pivots: int | None = BETWEENNESS_PIVOTS,
    exact_up_to: int = EXACT_BETWEENNESS_MAX_PROVIDERS,
) -> int | None:
    """How many sampled sources :func:`area_metrics` uses for betweenness: None for exact.

    Exact up to ``exact_up_to`` providers, when ``pivots`` is None, or when there are no
    more providers than pivots; otherwise ``pivots``.

    >>> betweenness_pivots(400), betweenness_pivots(2_247), betweenness_pivots(2_247, None)
    (None, 256, None)
    """
    if pivots is None or n <= exact_up_to or pivots >= n:
        return None
    if pivots < 2:
        raise ValueError(f"betweenness needs at least 2 sampled sources, not {pivots}")
    return pivots


def _count(number: int, singular: str, plural: str | None = None) -> str:
    """``1 link``, ``2 links``, ``no links``."""
    word = singular if number == 1 else (plural or singular + "s")
    return f"{number} {word}" if number else f"no {plural or singular + 's'}"


def _with_figures(m: AreaMetrics, groups: int, seed: int, exact_up_to: int) -> AreaMetrics:
    from dataclasses import replace

    figures: list[Figure] = []

    def add(
        key: str, label: str, value: float | int | str | None, text: str, definition: str
    ) -> None:
        figures.append(Figure(key, label, value, text[0].upper() + text[1:], definition))

    add(
        "providers",
        "Providers",
        m.providers,
        f"{_count(m.providers, 'provider')} in view; {m.linked_providers} with at least one link.",
        "Providers operating in the area, plus outside providers taking part in its links.",
    )
    add(
        "links",
        "Collaboration links",
        m.links,
        f"{_count(m.links, 'collaboration link')} joining "
        f"{_count(m.pairs, 'distinct pair')} of providers.",
        "Distinct collaboration links (an n-ary link counts once).",
    )
    add(
        "density",
        "Density",
        m.density,
        f"Density {m.density:.2f}: {m.density:.0%} of possible provider pairs are directly linked.",
        "Linked provider pairs divided by all possible pairs, n(n-1)/2.",
    )
    add(
        "mean_degree",
        "Mean degree",
        m.mean_degree,
        f"On average a provider is directly linked to {m.mean_degree:.1f} others.",
        "Average number of providers each provider is directly linked to.",
    )
    share = m.largest_component / m.providers if m.providers else 0.0
    add(
        "components",
        "Connected groups",
        m.components,
        f"{_count(m.components, 'connected group')}; the largest holds {m.largest_component} "
        f"of {m.providers} providers ({share:.0%}).",
        "Groups of providers joined by some chain of links (isolated providers count alone).",
    )
    cross = m.cross_sector_links / m.links if m.links else None
    add(
        "cross_sector_links",
        "Cross-sector link share",
        cross,
        f"{cross:.0%} of links join providers of different sectors."
        if cross is not None
        else "No links, so no cross-sector links.",
        "Share of links with two participants that have no sector in common.",
    )
    joined = sum(1 for p in m.pathways if p.weight > 0)
    if m.integration is None:
        integration_text = "No expected pathways were given, so the index does not apply."
    else:
        missing = [f"{p.from_sector} ↔ {p.to_sector}" for p in m.pathways if p.weight == 0]
        integration_text = (
            f"Integration {m.integration:.2f}: {joined} of {len(m.pathways)} expected sector "
            "pathways are joined by a link, each counted by its strongest link's type weight"
            + (f"; missing: {_names(missing)}." if missing else ".")
        )
    add(
        "integration",
        "Cross-sector integration index",
        m.integration,
        integration_text,
        "Mean over expected sector pathways of the weight of the strongest joining link "
        "(1.0 planning/governance/pathway/discharge, 0.75 information/mutual aid/staff, "
        "0.5 training/engagement, 0 none).",
    )
    add(
        "pathways_joined",
        "Expected pathways joined",
        f"{joined}/{len(m.pathways)}" if m.pathways else None,
        f"{joined} of {len(m.pathways)} expected sector pathways have at least one link.",
        "Expected pathways with at least one link of a qualifying type.",
    )
    top_degree = m.degree[0] if m.degree and m.degree[0].value > 0 else None
    add(
        "top_degree",
        "Most connected provider",
        top_degree.label if top_degree else None,
        f"{top_degree.label} is directly linked to {top_degree.value:.0%} of the other providers."
        if top_degree
        else "No provider has a link.",
        "Degree centrality: share of the other providers a provider is directly linked to.",
    )
    top_broker = m.brokers[0] if m.brokers and m.brokers[0].value > 0 else None
    estimated = m.betweenness_pivots is not None
    add(
        "top_broker",
        "Top cross-sector broker",
        top_broker.label if top_broker else None,
        f"{top_broker.label} lies on {'an estimated ' if estimated else ''}"
        f"{top_broker.value:.0%} of shortest paths between providers of different sectors"
        + (f" ({_estimate_note(m)})." if estimated else ".")
        if top_broker
        else "No provider sits between providers of different sectors"
        + (f" ({_estimate_note(m)})." if estimated else "."),
        "Cross-sector betweenness: share of shortest paths between providers of different "
        "sectors that pass through the provider.",
    )
    add(
        "betweenness_method",
        "Betweenness method",
        f"estimated ({m.betweenness_pivots} sources)" if estimated else "exact",
        f"Betweenness and brokerage are estimates from shortest paths out of "
        f"{m.betweenness_pivots} of the {m.providers:,} providers, sampled with seed {seed} "
        f"and scaled up to all (exact for areas of up to {exact_up_to:,} providers)."
        if estimated
        else "Betweenness and brokerage are exact: shortest paths from every provider count.",
        f"Exact up to {exact_up_to:,} providers; above, networkx's sampled estimate from a "
        "fixed number of seeded source providers (pivots).",
    )
    cut_labels = [s.label for s in m.articulation_points]
    add(
        "articulation_points",
        "Single points of failure",
        len(cut_labels),
        f"{_count(len(cut_labels), 'provider')} would split the network by dropping out"
        + (f": {_names(cut_labels)}." if cut_labels else "."),
        "Articulation points: providers whose removal disconnects some providers from others.",
    )
    add(
        "bridges",
        "Bridge links",
        len(m.bridges),
        f"{_count(len(m.bridges), 'provider pair')} joined by a bridge: the only path between "
        "two parts of the network.",
        "Bridges: pairs whose removal would split a connected group in two.",
    )
    gateway_text = [f"{g.sector} (via {g.provider_label})" for g in m.gateways]
    add(
        "single_gateway_sectors",
        "Sectors with one gateway",
        len(m.gateways),
        f"{_count(len(m.gateways), 'sector')} reaching other sectors only through one of "
        "their providers" + (f": {_names(gateway_text)}." if gateway_text else "."),
        "Sectors with two or more providers whose links to other sectors all go through one.",
    )
    add(
        "communities",
        "Communities",
        groups,
        f"{_count(groups, 'community', 'communities')} of two or more providers "
        f"(Louvain, seed {seed}).",
        "Groups of providers more densely linked to each other than to the rest.",
    )
    add(
        "modularity",
        "Modularity",
        m.modularity,
        f"Modularity {m.modularity:.2f}: "
        + ("clearly separated clusters." if m.modularity >= 0.3 else "weakly separated clusters.")
        if m.modularity is not None
        else "No links, so no community structure.",
        "How much more linking happens inside communities than chance would give (-0.5 to 1).",
    )
    counted = [f for f in m.forums if f.share is not None]
    add(
        "forum_alignment",
        "Forum–community alignment",
        m.forum_alignment,
        f"On average {m.forum_alignment:.0%} of a forum's members fall in one collaboration "
        f"community ({_count(len(counted), 'forum')}); 100% means each forum matches a "
        "working cluster."
        if m.forum_alignment is not None
        else "No planning forum with two or more members in view.",
        "Mean over forums of the share of members in the forum's best-matching community.",
    )
    return replace(m, figures=tuple(figures))


def metrics_for(
    store: Store,
    area: URIRef | str,
    *,
    expected_pairs: Iterable[PairLike] | None = None,
    weights: Mapping[str, float] | None = None,
    at: dt.date | None = None,
    top: int = 5,
    seed: int = DEFAULT_SEED,
    pivots: int | None = BETWEENNESS_PIVOTS,
    exact_up_to: int = EXACT_BETWEENNESS_MAX_PROVIDERS,
) -> AreaMetrics:
    """The metrics of one area of the store, with its planning forums (the usual entry point).

    See :func:`area_metrics` for the parameters; betweenness is estimated above
    ``exact_up_to`` providers.
    """
    iri = _area_iri(store, area)
    G = provider_graph(store, iri, at=at)
    forums, _ = forum_records(store, iri)
    return area_metrics(
        G,
        expected_pairs,
        weights,
        forums=forums,
        top=top,
        seed=seed,
        pivots=pivots,
        exact_up_to=exact_up_to,
    )


def _estimate_note(m: AreaMetrics) -> str:
    return f"estimate from {m.betweenness_pivots} of {m.providers:,} providers as sources"


def metric_rows(m: AreaMetrics) -> list[tuple[str, str, str, str]]:
    """Every metric of one area as ``(section, item, value, explanation)`` rows.

    Estimated betweenness and broker rows say so in their explanation.
    """
    rows: list[tuple[str, str, str, str]] = [
        ("summary", f.label, f.display, f.text) for f in m.figures
    ]
    estimated = m.betweenness_pivots is not None
    on = "lies on an estimated {:.0%}" if estimated else "lies on {:.0%}"
    note = f" ({_estimate_note(m)})" if estimated else ""
    for section, scores, unit, suffix in (
        ("degree", m.degree, "is directly linked to {:.0%} of the other providers", ""),
        ("betweenness", m.betweenness, on + " of shortest paths between providers", note),
        ("broker", m.brokers, on + " of shortest cross-sector paths", note),
    ):
        rows += [
            (section, s.label, f"{s.value:.3f}", f"{s.label} {unit.format(s.value)}{suffix}.")
            for s in scores
            if s.value > 0
        ]
    rows += [
        (
            "single point of failure",
            s.label,
            "",
            f"If {s.label} dropped out the network would split.",
        )
        for s in m.articulation_points
    ]
    rows += [
        (
            "bridge",
            f"{b.a_label} — {b.b_label}",
            str(len(b.links)),
            f"The only path between their parts of the network ({len(b.links)} links).",
        )
        for b in m.bridges
    ]
    rows += [
        (
            "single gateway",
            g.sector,
            g.provider_label,
            f"All {g.sector} links to other sectors go through {g.provider_label} "
            f"({g.providers} {g.sector} providers).",
        )
        for g in m.gateways
    ]
    rows += [
        (
            "cut off if removed",
            d.label,
            ", ".join(d.sectors),
            f"Without {d.label}, {', '.join(d.sectors)} would reach no other sector.",
        )
        for d in m.disconnections
    ]
    for number, community in enumerate(m.communities, 1):
        if len(community) > 1:
            names = [m.labels.get(n, _short(n)) for n in community]
            rows.append(("community", f"community {number}", str(len(community)), "; ".join(names)))
    for f in m.forums:
        if f.share is None:
            text = f"{f.label} has fewer than two members in view."
        else:
            text = f"{f.share:.0%} of its {f.members} members fall in community {f.community}."
        rows.append(("forum", f.label, "n/a" if f.share is None else f"{f.share:.3f}", text))
    for a, b, count in m.mixing:
        rows.append(("mixing", f"{a} × {b}", str(count), f"{count} links join {a} and {b}."))
    for p in m.pathways:
        name = f"{p.from_sector} ↔ {p.to_sector}" + (f" ({p.link_type})" if p.link_type else "")
        if p.weight > 0:
            text = f"Strongest link: {', '.join(p.types)} ({_names([_short(x) for x in p.links])})."
        else:
            text = "No link joins these sectors."
        rows.append(("pathway", name, f"{p.weight:.2f}", text))
    return rows


def compare_rows(
    items: Sequence[tuple[str, AreaMetrics]],
) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Side by side: one row per headline metric, one column per area, then its meaning.

    >>> G = build_provider_graph([Provider("a"), Provider("b")],
    ...                          [Link("L1", "mutual-aid", ("a", "b"))])
    >>> columns, rows = compare_rows([("one", area_metrics(G)), ("two", area_metrics(G))])
    >>> columns[:3], rows[2][:3]
    (('metric', 'one', 'two'), ('Density', '1.000', '1.000'))
    """
    names = [name for name, _ in items]
    if len(set(names)) != len(names):
        raise UsageError("each area may be compared only once")
    columns = ("metric", *names, "what it measures")
    if not items:
        return columns, []
    keys = [f.key for f in items[0][1].figures]
    rows = []
    for key in keys:
        figures = [m.figure(key) for _, m in items]
        rows.append((figures[0].label, *(f.display for f in figures), figures[0].definition))
    return columns, rows


def to_dataframe(metrics: AreaMetrics | Sequence[AreaMetrics]) -> Any:
    """A pandas DataFrame: one area's figures, or one row per area for several.

    pandas is optional: it is imported here, and a clear ImportError says how to get it.

    Examples
    --------
    >>> import importlib.util
    >>> G = build_provider_graph([Provider("a")], [])
    >>> if importlib.util.find_spec("pandas") is None:
    ...     try:
    ...         to_dataframe(area_metrics(G))
    ...     except ImportError as exc:
    ...         print(str(exc).split(":")[0])
    ... else:
    ...     print("to_dataframe needs pandas")
    to_dataframe needs pandas
    """
    import importlib

    try:
        pd = importlib.import_module("pandas")
    except ImportError:
        raise ImportError(
            "to_dataframe needs pandas: install it with `pip install pandas` "
            "(the rest of pcr_graph.analysis.network works without it)"
        ) from None
    if isinstance(metrics, AreaMetrics):
        return pd.DataFrame(
            [
                {"key": f.key, "metric": f.label, "value": f.value, "explanation": f.text}
                for f in metrics.figures
            ]
        )
    return pd.DataFrame(
        [
            {"area": m.area, "area_label": m.area_label, **{f.key: f.value for f in m.figures}}
            for m in metrics
        ]
    )


# ---------------------------------------------------------------------------------------
# Copies of a store, and changes made to a copy only
# ---------------------------------------------------------------------------------------

_PARAMS = "urn:pcr-graph:parameters"
_PARAM_SOURCE = "pcr-graph-parameters"
# Values reach an update as triples in a scratch graph, never spliced into the update text.
_P_REMOVE = URIRef("urn:pcr-graph:remove")
_P_AT = URIRef("urn:pcr-graph:at")


def copy_store(store: Store) -> Store:
    """A fresh store of the same engine holding the same sources (for changes to a copy)."""
    from pcr_graph.store.engines import OxigraphStore, RdflibStore

    copy: Store = OxigraphStore() if store.engine == "oxigraph" else RdflibStore()
    for source in store.sources():
        copy.load(store.source_graph(source).serialize(format="nt"), "nt", source)
    return copy


def _set_parameters(store: Store, values: Sequence[tuple[URIRef, URIRef | Literal]]) -> None:
    graph = Graph()
    for predicate, value in values:
        graph.add((URIRef(_PARAMS), predicate, value))
    store.load(graph.serialize(format="nt"), "nt", _PARAM_SOURCE)


_DOOM_PROVIDER = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?gone } }
WHERE { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:remove> ?gone } }
"""
_DOOM_SHRUNK_LINKS = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?link } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:remove> ?gone }
  { SELECT ?link ?gone (COUNT(DISTINCT ?other) AS ?others) WHERE {
      GRAPH ?g1 { ?link pcr:participant ?gone }
      OPTIONAL { GRAPH ?g2 { ?link pcr:participant ?other } FILTER (?other != ?gone) }
    } GROUP BY ?link ?gone }
  FILTER (?others < 2)
}
"""
_DOOM_MEMBERSHIPS_OF = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?membership } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:remove> ?gone }
  GRAPH ?g { ?membership org:member ?gone }
}
"""
_DOOM_INACTIVE = """
INSERT { GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?node } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:at> ?at }
  { GRAPH ?g3 { ?node a pcr:CollaborationLink } } UNION { GRAPH ?g4 { ?node a org:Membership } }
  OPTIONAL { GRAPH ?g1 { ?node pcr:startDate ?start } }
  OPTIONAL { GRAPH ?g2 { ?node pcr:endDate ?end } }
  # Filters stay at this level: inside a UNION branch ?at would be out of scope.
  FILTER ((BOUND(?start) && ?start > ?at) || (BOUND(?end) && ?end < ?at))
}
"""
# A forum keeps its org:hasMember shortcut only while some membership of the pair survives.
_DROP_ENDED_SEATS = """
DELETE { GRAPH ?g { ?forum org:hasMember ?member } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?ended }
  GRAPH ?g1 { ?ended org:organization ?forum ; org:member ?member }
  GRAPH ?g { ?forum org:hasMember ?member }
  FILTER NOT EXISTS {
    GRAPH ?g2 { ?kept org:organization ?forum ; org:member ?member }
    FILTER NOT EXISTS { GRAPH ?pg2 { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?kept } }
  }
}
"""
_DROP_DOOMED_SUBJECTS = """
DELETE { GRAPH ?g { ?node ?p ?o } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?node }
  GRAPH ?g { ?node ?p ?o }
}
"""
_DROP_DOOMED_OBJECTS = """
DELETE { GRAPH ?g { ?s ?p ?node } }
WHERE {
  GRAPH ?pg { <urn:pcr-graph:parameters> <urn:pcr-graph:doomed> ?node }
  GRAPH ?g { ?s ?p ?node }
}
"""
# The collaboratesWith shortcut stands only while a remaining link joins the pair.
_DROP_UNBACKED_SHORTCUTS = """
DELETE { GRAPH ?g { ?a pcr:collaboratesWith ?b } }
WHERE {
  GRAPH ?g { ?a pcr:collaboratesWith ?b }
  FILTER NOT EXISTS {
    GRAPH ?g1 { ?link pcr:participant ?a }
    GRAPH ?g2 { ?link pcr:participant ?b }
  }
}
"""
_DROP_PARAMETERS = """
DELETE { GRAPH ?pg { <urn:pcr-graph:parameters> ?p ?o } }
WHERE { GRAPH ?pg { <urn:pcr-graph:parameters> ?p ?o } }
"""


def remove_provider(store: Store, provider: URIRef) -> None:
    """Remove ``provider`` from ``store`` IN PLACE (use it on a copy: :func:`copy_store`).

    Deletes every triple about the provider or pointing to it, its memberships, and each
    link left with fewer than two participants; a link among three or more providers
    continues among the others.
    """
    _set_parameters(store, [(_P_REMOVE, URIRef(provider))])
    for update in (
        _DOOM_PROVIDER,
        _DOOM_SHRUNK_LINKS,
        _DOOM_MEMBERSHIPS_OF,
        _DROP_DOOMED_SUBJECTS,
        _DROP_DOOMED_OBJECTS,
        _DROP_UNBACKED_SHORTCUTS,
        _DROP_PARAMETERS,
    ):
        store.update(update)


def restrict_to_date(store: Store, day: dt.date) -> None:
    """Keep in ``store`` (IN PLACE) only the links and memberships active on ``day``.

    A link or membership is active when its start date is not after ``day`` and its end
    date not before it (a missing date is open). Shortcut edges follow.
    """
    _set_parameters(store, [(_P_AT, Literal(day.isoformat(), datatype=_XSD_DATE))])
    for update in (
        _DOOM_INACTIVE,
        _DROP_ENDED_SEATS,
        _DROP_DOOMED_SUBJECTS,
        _DROP_DOOMED_OBJECTS,
        _DROP_UNBACKED_SHORTCUTS,
        _DROP_PARAMETERS,
    ):
        store.update(update)


_XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")


def snapshot_at(store: Store, day: dt.date) -> Store:
    """A copy of ``store`` holding only the links and memberships active on ``day``."""
    copy = copy_store(store)
    restrict_to_date(copy, day)
    return copy


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


# ---------------------------------------------------------------------------------------
# Diff between two snapshots
# ---------------------------------------------------------------------------------------

_DIFF_LINKS = """
SELECT ?link ?id ?type ?participant ?participantLabel ?area ?areaLabel WHERE {
  ?link a pcr:CollaborationLink .
  OPTIONAL { ?link dcterms:identifier ?id }
  OPTIONAL { ?link pcr:linkType/skos:notation ?type }
  OPTIONAL { ?link pcr:participant ?participant .
             OPTIONAL { ?participant skos:prefLabel ?participantLabel } }
  OPTIONAL { ?link pcr:area ?area . OPTIONAL { ?area skos:prefLabel ?areaLabel } }
}
ORDER BY ?link ?id ?type ?participant ?participantLabel ?area ?areaLabel
"""
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
    areas: tuple[str, ...]


@dataclass
class Snapshot:
    """What a diff compares: links, sectors at the planning table, and gap-rule hits."""

    links: dict[str, _LinkState]
    planning: dict[tuple[str, str], tuple[str, ...]]
    hits: dict[tuple[str, str, tuple[tuple[str, str], ...]], Hit]
    area_labels: dict[str, str]


def _hit_key(hit: Hit) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return (hit.rule, hit.area, tuple((s.role, s.iri) for s in hit.subjects))


def take_snapshot(
    store: Store, areas: Sequence[URIRef] | None = None, report: GapReport | None = None
) -> Snapshot:
    """Read what :func:`diff_snapshots` compares from a store (runs the gap rules)."""
    from pcr_graph.analysis.gaps import run_gaps

    wanted = {str(a) for a in areas} if areas is not None else None
    area_labels = {r["area"]: r["label"] for r in store.select(_AREA_LABELS).strings()}
    parts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in store.select(_DIFF_LINKS).strings():
        state = parts[row["link"]]
        for key in ("id", "type", "area"):
            if row[key]:
                state[key].add(row[key])
        if row["participant"]:
            state["participants"].add(row["participantLabel"] or _short(row["participant"]))
        if row["area"] and row["areaLabel"]:
            area_labels.setdefault(row["area"], row["areaLabel"])
    links = {}
    for iri, state in parts.items():
        link_areas = tuple(sorted(state["area"]))
        if wanted is not None and not wanted & set(link_areas):
            continue
        links[iri] = _LinkState(
            min(state["id"]) if state["id"] else _short(iri),
            min(state["type"]) if state["type"] else "",
            tuple(sorted(state["participants"])),
            link_areas,
        )
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
    report = report if report is not None else run_gaps(store, areas=areas)
    hits = {_hit_key(h): h for h in report.hits}
    for iri, label in report.areas:
        area_labels.setdefault(iri, label)
    return Snapshot(
        links,
        {k: tuple(sorted(v)) for k, v in planning.items()},
        hits,
        area_labels,
    )


def diff_snapshots(old: Snapshot, new: Snapshot) -> list[Change]:
    """Links gained, lost and changed; sectors joining and leaving the planning table;
    gap-rule hits opened and closed.

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
        elif before != after:
            what = []
            if before.link_type != after.link_type:
                what.append(f"type {before.link_type} → {after.link_type}")
            if before.participants != after.participants:
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


def diff_stores(old: Store, new: Store, areas: Sequence[URIRef] | None = None) -> list[Change]:
    """The changes from ``old`` to ``new`` (see :func:`diff_snapshots`)."""
    return diff_snapshots(take_snapshot(old, areas), take_snapshot(new, areas))


def diff_dates(
    store: Store,
    old: dt.date,
    new: dt.date,
    areas: Sequence[URIRef] | None = None,
    *,
    copies: tuple[Store, Store] | None = None,
) -> list[Change]:
    """The changes between two dates of one dataset, by link and membership dates.

    ``copies`` are two fresh stores holding the same data to restrict (the CLI opens the
    project twice); by default ``store`` is copied and never changed.
    """
    first, second = copies if copies is not None else (copy_store(store), copy_store(store))
    restrict_to_date(first, old)
    restrict_to_date(second, new)
    return diff_stores(first, second, areas)


def open_snapshot(path: Path, project: Project | None = None) -> Store:
    """A store for one snapshot: a Turtle (or other RDF) file, a workspace, or a workbook.

    - an RDF file is loaded with the ontology and reference data (not the demo);
    - a workspace folder (with ``imports/``) is opened as a project;
    - a workbook folder (with ``providers.csv``) is imported in memory under the name
      ``snapshot``, so two rounds of the same workbook get the same IRIs.
    """
    from pcr_graph.core.resources import ontology_files, reference_files
    from pcr_graph.store.engines import open_store
    from pcr_graph.store.project import Project

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
        from pcr_graph.ingest.workbook import import_workbook

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


# ---------------------------------------------------------------------------------------
# What if a provider drops out?
# ---------------------------------------------------------------------------------------

_PROVIDER_FACTS = """
SELECT ?provider ?label ?area ?link ?linkId ?type ?forum ?forumLabel WHERE {
  ?provider a pcr:Provider .
  OPTIONAL { ?provider skos:prefLabel ?label }
  OPTIONAL { { ?provider pcr:operatesIn ?area }
             UNION { ?areaLink pcr:participant ?provider ; pcr:area ?area } }
  OPTIONAL { ?link a pcr:CollaborationLink ; pcr:participant ?provider .
             OPTIONAL { ?link dcterms:identifier ?linkId }
             OPTIONAL { ?link pcr:linkType/skos:notation ?type } }
  OPTIONAL { ?forum org:hasMember ?provider . OPTIONAL { ?forum skos:prefLabel ?forumLabel } }
}
ORDER BY ?area ?link ?forum ?label ?linkId ?type ?forumLabel
"""


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
        A fresh store holding the same data, to change instead of copying ``store``.
    weights
        Link-type weights for the integration index.

    Returns
    -------
    WhatIf
        Links that end or continue, forum seats lost, and per area: sectors lost, sectors
        cut off from every other sector, expected pathways lost or weakened, providers left
        without links, the integration index before and after, and gap-rule hits opened
        and closed.
    """
    from pcr_graph.analysis.gaps import run_gaps

    iri = provider if isinstance(provider, URIRef) else resolve_provider(store, provider)
    facts = store.select(_PROVIDER_FACTS, {"provider": iri}).strings()
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
    copy = scratch if scratch is not None else copy_store(store)
    remove_provider(copy, iri)
    surviving = {r["link"] for r in copy.select(_DIFF_LINKS).strings()}
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
    for area_ref in areas:
        before_graph = provider_graph(store, area_ref)
        after_graph = provider_graph(copy, area_ref)
        area_label = str(before_graph.graph.get("area_label") or _short(area_ref))
        changes += _graph_changes(
            before_graph, after_graph, str(area_ref), area_label, iri, weights
        )
        before_index = integration_index(before_graph, None, weights)
        after_index = integration_index(after_graph, None, weights)
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
        before_hits = {_hit_key(h): h for h in run_gaps(store, areas=areas).hits}
        after_hits = {_hit_key(h): h for h in run_gaps(copy, areas=areas).hits}
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


def _graph_changes(
    before: Any,
    after: Any,
    area: str,
    area_label: str,
    removed: str,
    weights: Mapping[str, float] | None,
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
    old_scores = pathway_scores(before, before.graph.get("expected", ()), weights)
    new_scores = {
        (s.from_sector, s.to_sector, s.link_type): s
        for s in pathway_scores(after, after.graph.get("expected", ()), weights)
    }
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
    "BETWEENNESS_PIVOTS",
    "CHANGE_COLUMNS",
    "DEFAULT_SEED",
    "EXACT_BETWEENNESS_MAX_PROVIDERS",
    "LINK_TYPE_WEIGHTS",
    "UNKNOWN_TYPE_WEIGHT",
    "AreaMetrics",
    "Bridge",
    "Change",
    "Disconnection",
    "ExpectedPair",
    "Figure",
    "Forum",
    "ForumMatch",
    "Link",
    "PathwayScore",
    "Provider",
    "Score",
    "SectorGateway",
    "Snapshot",
    "WhatIf",
    "area_metrics",
    "betweenness_pivots",
    "build_membership_graph",
    "build_provider_graph",
    "build_sector_graph",
    "change_rows",
    "communities",
    "compare_rows",
    "copy_store",
    "cross_sector_betweenness",
    "diff_dates",
    "diff_snapshots",
    "diff_stores",
    "disconnecting_providers",
    "estimated_betweenness",
    "expected_pathways",
    "forum_alignment",
    "forum_records",
    "forums_of",
    "integration_index",
    "joined_sectors",
    "membership_graph",
    "metric_rows",
    "metrics_for",
    "mixing_matrix",
    "open_snapshot",
    "pathway_scores",
    "provider_graph",
    "provider_records",
    "remove_provider",
    "resolve_provider",
    "restrict_to_date",
    "sector_graph",
    "sector_hierarchy",
    "single_gateway_sectors",
    "snapshot_at",
    "take_snapshot",
    "to_dataframe",
    "what_if_remove",
]
