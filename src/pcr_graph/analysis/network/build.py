"""Pure builders: NetworkX graphs (provider, sector, membership) made from plain records,
so a notebook or a test needs no store."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pcr_graph.analysis.network.records import (
    Forum,
    Link,
    PairLike,
    Provider,
    _short,
    _unique_pairs,
)


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
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

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
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

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
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

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


__all__ = [
    "build_membership_graph",
    "build_provider_graph",
    "build_sector_graph",
    "forums_of",
]
