"""The shape of a provider graph: rankings, sectors joined through a single provider, cut-offs,
sector mixing and communities."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pcr_graph.analysis.network.build import _sector_pair_links
from pcr_graph.analysis.network.records import DEFAULT_SEED, _label


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
    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
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

    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
    >>> G = build_provider_graph(
    ...     [Provider("a", "A", ("x",)), Provider("b", "B", ("y",)), Provider("c", "C", ("z",))],
    ...     [Link("L1", "mutual-aid", ("a", "b"))],
    ... )
    >>> sorted(joined_sectors(G))
    ['x', 'y']
    """
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

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
    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
    >>> G = build_provider_graph(
    ...     [Provider("a", "A", ("x",)), Provider("b", "B", ("y",)), Provider("c", "C", ("z",))],
    ...     [Link("L1", "mutual-aid", ("a", "b")), Link("L2", "mutual-aid", ("b", "c"))],
    ... )
    >>> disconnecting_providers(G)
    (Disconnection(provider='b', label='B', sectors=('x', 'z')),)
    """
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

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
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

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
    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
    >>> G = build_provider_graph(
    ...     [Provider("g1", "G1", ("gp-practice",)), Provider("g2", "G2", ("gp-practice",)),
    ...      Provider("p", "P", ("pharmacy",))],
    ...     [Link("L1", "information-sharing", ("g1", "g2", "p"))],
    ... )
    >>> mixing_matrix(G)
    (('gp-practice', 'gp-practice', 1), ('gp-practice', 'pharmacy', 1))
    """
    return tuple((a, b, len(links)) for (a, b), links in _sector_pair_links(G).items())


def communities(G: Any, seed: int = DEFAULT_SEED) -> tuple[tuple[str, ...], ...]:
    """Louvain communities (weighted by links, seeded), largest first, members sorted by label.

    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
    >>> G = build_provider_graph(
    ...     [Provider(n) for n in "abcdef"],
    ...     [Link(f"L{i}", "mutual-aid", pair) for i, pair in enumerate(
    ...         [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"),
    ...          ("c", "d")])],
    ... )
    >>> communities(G)
    (('a', 'b', 'c'), ('d', 'e', 'f'))
    """
    import networkx as nx  # inside: a slow import, kept off `pcr-graph --help`

    if G.number_of_nodes() == 0:
        return ()
    found = nx.community.louvain_communities(G, weight="weight", seed=seed)
    ordered = [tuple(sorted(c, key=lambda n: (_label(G, n), n))) for c in found]
    return tuple(sorted(ordered, key=lambda c: (-len(c), _label(G, c[0]), c[0])))


__all__ = [
    "Disconnection",
    "Score",
    "SectorGateway",
    "communities",
    "disconnecting_providers",
    "joined_sectors",
    "mixing_matrix",
    "single_gateway_sectors",
]
