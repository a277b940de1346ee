"""Betweenness and brokerage: exact up to a size, estimated from seeded sampled sources
above it (Brandes' algorithm, counting cross-sector paths apart)."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from typing import Any

from pcr_graph.analysis.network.records import (
    BETWEENNESS_PIVOTS,
    DEFAULT_SEED,
    EXACT_BETWEENNESS_MAX_PROVIDERS,
)


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

    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
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

    >>> from pcr_graph.analysis.network import Link, Provider, build_provider_graph
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
    # Per sector set of the source: 1.0 for each provider of a crossing sector set.
    ends = [[1.0 if crosses[k][kind[w]] else 0.0 for w in range(n)] for k in range(len(kinds))]
    counted = [bool(kinds[kind[source]]) for source in sources]
    source_ends = [ends[kind[source]] for source in sources]
    sums = _sums_arrays(adjacency, sources, counted, source_ends, plain)
    score, plain_score = sums or _sums(adjacency, sources, counted, source_ends, plain)
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


def _sums(
    adjacency: list[list[int]],
    sources: list[int],
    counted: list[bool],
    source_ends: list[list[float]],
    plain: bool,
) -> tuple[list[float], list[float]]:
    """Brandes' sums, cross-sector and plain, one source at a time in plain Python.

    ``counted[i]``: whether source ``i`` counts for the cross-sector sums (it has sectors);
    ``source_ends[i][w]``: 1.0 if ``w`` is a provider of a sector crossing source ``i``'s.
    """
    n = len(adjacency)
    score = [0.0] * n
    plain_score = [0.0] * n
    for source, counts_cross, end in zip(sources, counted, source_ends, strict=True):
        if not counts_cross and not plain:
            continue
        dist = [-1] * n
        sigma = [0] * n
        pred: list[list[int]] = [[]] * n
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
        order.reverse()
        # Brandes' accumulation, both measures in one pass over the paths (each sum in the
        # order it always had): the cross-sector one counts only targets of another
        # sector; the plain one every target, as networkx's _accumulate_basic.
        if counts_cross and plain:
            delta = [0.0] * n
            plain_delta = [0.0] * n
            for w in order:
                carried = delta[w] + end[w]
                paths = sigma[w]
                coefficient = (1.0 + plain_delta[w]) / paths
                for v in pred[w]:
                    delta[v] += sigma[v] / paths * carried
                    plain_delta[v] += sigma[v] * coefficient
                if w != source:
                    score[w] += delta[w]
                    plain_score[w] += plain_delta[w]
        elif counts_cross:
            delta = [0.0] * n
            for w in order:
                carried = delta[w] + end[w]
                paths = sigma[w]
                for v in pred[w]:
                    delta[v] += sigma[v] / paths * carried
                if w != source:
                    score[w] += delta[w]
        else:
            plain_delta = [0.0] * n
            for w in order:
                coefficient = (1.0 + plain_delta[w]) / sigma[w]
                for v in pred[w]:
                    plain_delta[v] += sigma[v] * coefficient
                if w != source:
                    plain_score[w] += plain_delta[w]
    return score, plain_score


def _sums_arrays(
    adjacency: list[list[int]],
    sources: list[int],
    counted: list[bool],
    source_ends: list[list[float]],
    plain: bool,
) -> tuple[list[float], list[float]] | None:
    """:func:`_sums` with numpy, many sources at once, level by level: the same floats.

    Every float is computed by the same operations in the same order as :func:`_sums`:
    a node's sum over its successors is a ``bincount`` over them sorted as the
    one-source search meets them (descending position in its breadth-first order, which is
    rebuilt: a node is placed by the first-placed of its predecessors, then by index), and
    the sources' sums are added one source at a time, in order. Path counts are summed as
    floats, exact below 2**53; above it (never seen: it would take some 10**15 shortest
    paths between two providers) this returns None and :func:`_sums` does the work.
    """
    import numpy as np  # inside: a slow import, kept off `pcr-graph --help`

    n = len(adjacency)
    score = np.zeros(n)
    plain_score = np.zeros(n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(a) for a in adjacency])
    indices = np.array([w for a in adjacency for w in a], dtype=np.int64)
    degree = np.diff(indptr)
    batch = max(1, min(256, 2_000_000 // max(n, 1)))
    # The sources share a few lists (one per sector set): each made an array once.
    arrays: dict[int, Any] = {}

    def as_array(values: list[float]) -> Any:
        if id(values) not in arrays:
            arrays[id(values)] = np.array(values, dtype=np.float64)
        return arrays[id(values)]

    # Positions fit 16 bits for up to 32,767 providers: numpy then sorts them by radix.
    small = np.int16 if n < 2**15 else np.int64
    for first in range(0, len(sources), batch):
        rows = len(sources[first : first + batch])
        size = rows * n
        origin = np.array(sources[first : first + batch], dtype=np.int64)
        # Row r of each (rows x n) table, flattened, is the search from origin[r].
        dist = np.full(size, -1, dtype=np.int64)
        sigma = np.zeros(size)
        position = np.zeros(size, dtype=np.int64)
        start = np.arange(rows, dtype=np.int64) * n + origin
        dist[start], sigma[start] = 0, 1.0
        placed = np.ones(rows, dtype=np.int64)
        front_row, front_node = np.arange(rows, dtype=np.int64), origin
        levels: list[tuple[Any, Any]] = []
        step = 0
        while front_row.size:
            fan = degree[front_node]
            total = int(fan.sum())
            if not total:
                break
            row = np.repeat(front_row, fan)
            offsets = np.repeat(indptr[front_node] - (np.cumsum(fan) - fan), fan)
            head = row * n + indices[offsets + np.arange(total)]
            tail = row * n + np.repeat(front_node, fan)
            dist[head[dist[head] < 0]] = step + 1
            keep = dist[head] == step + 1
            head, tail = head[keep], tail[keep]
            if not head.size:
                break
            sigma += np.bincount(head, weights=sigma[tail], minlength=size)
            # Place the new nodes: by their first-placed predecessor, then by index.
            first_from = np.full(size, n, dtype=np.int64)
            np.minimum.at(first_from, head, position[tail])
            reached = np.zeros(size, dtype=bool)
            reached[head] = True
            found = np.flatnonzero(reached)  # by row, then index
            found_row = found // n
            found = found[np.argsort(found_row * n + first_from[found], kind="stable")]
            found_row = found // n
            rank = np.arange(found.size) - np.searchsorted(found_row, found_row)
            position[found] = placed[found_row] + rank
            placed += np.bincount(found_row, minlength=rows)
            levels.append((tail, head))
            front_row, front_node = found_row, found % n
            step += 1
        if sigma.max() >= 2.0**53:
            return None
        delta = np.zeros(size)
        plain_delta = np.zeros(size)
        end = np.concatenate([as_array(e) for e in source_ends[first : first + rows]])
        for tail, head in reversed(levels):
            # Each tail's successors in the order the one-source loop meets them: the later
            # placed first (bincount adds each bucket's weights in array order).
            order = np.argsort((n - 1 - position[head]).astype(small), kind="stable")
            tail, head = tail[order], head[order]
            paths = sigma[head]
            carried = delta[head] + end[head]
            delta += np.bincount(tail, weights=sigma[tail] / paths * carried, minlength=size)
            if plain:
                coefficient = (1.0 + plain_delta[head]) / paths
                plain_delta += np.bincount(tail, weights=sigma[tail] * coefficient, minlength=size)
        delta[start] = 0.0
        plain_delta[start] = 0.0
        for r in range(rows):
            if counted[first + r]:
                score += delta[r * n : (r + 1) * n]
            if plain:
                plain_score += plain_delta[r * n : (r + 1) * n]
    return score.tolist(), plain_score.tolist()


def _sampled_sources(n: int, k: int | None, seed: int) -> list[int]:
    """The ``k`` source indices networkx samples from ``n`` nodes with ``seed``, sorted."""
    assert k is not None
    return sorted(random.Random(seed).sample(range(n), k))


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


__all__ = [
    "betweenness_pivots",
    "cross_sector_betweenness",
    "estimated_betweenness",
]
