"""Cross-sector betweenness against brute force."""

from __future__ import annotations

import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Link, Provider


def _brute_cross_betweenness(G: nx.Graph) -> dict[str, float]:
    sectors = {n: set(G.nodes[n]["sectors"]) for n in G}
    result = {}
    for v in G:
        total, pairs = 0.0, 0
        for s, t in itertools.combinations(sorted(G), 2):
            if v in (s, t) or not sectors[s] or not sectors[t] or sectors[s] & sectors[t]:
                continue
            pairs += 1
            if nx.has_path(G, s, t):
                paths = list(nx.all_shortest_paths(G, s, t))
                total += sum(1 for p in paths if v in p[1:-1]) / len(paths)
        result[v] = total / pairs if pairs else 0.0
    return result


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=7).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=12),
            st.lists(st.frozensets(st.sampled_from("xyz"), max_size=2), min_size=n, max_size=n),
        )
    )
)
def test_cross_sector_betweenness_matches_brute_force(
    case: tuple[int, list[tuple[int, int]], list[frozenset[str]]],
) -> None:
    n, pairs, sector_sets = case
    providers = [Provider(f"p{i}", f"P{i}", tuple(sorted(sector_sets[i]))) for i in range(n)]
    links = [
        Link(f"L{k}", "mutual-aid", (f"p{a}", f"p{b}")) for k, (a, b) in enumerate(pairs) if a != b
    ]
    G = nw.build_provider_graph(providers, links)
    fast = nw.cross_sector_betweenness(G)
    slow = _brute_cross_betweenness(G)
    assert fast == pytest.approx(slow)
