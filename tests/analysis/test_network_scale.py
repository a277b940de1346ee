"""Network metrics at scale: the fast algorithms give the old answers, estimates say so.

The straightforward algorithms the module used to run (one connectivity search per
provider for cut-offs; dict-based Brandes for brokerage) are kept here as references, and
the fast ones must give identical output on many graphs: random (hypothesis), shaped
(paths, stars, chains of cycles), the demo system and synthetic areas.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Disconnection, Link, Provider
from pcr_graph.ingest.synth import synthesise
from pcr_graph.store.project import Project

# ---------------------------------------------------------------------------------------
# The reference algorithms (as the module computed them before the block-cut tree)
# ---------------------------------------------------------------------------------------


def _reference_joined_in(G: Any, component: Iterable[str]) -> set[str]:
    present: dict[str, int] = defaultdict(int)
    members = list(component)
    for node in members:
        for sector in G.nodes[node].get("sectors", ()):
            present[sector] += 1
    return {s for s, count in present.items() if count < len(members)}


def _reference_joined_sectors(G: Any, nodes: Iterable[str]) -> set[str]:
    H = G.subgraph(nodes)
    joined: set[str] = set()
    for component in nx.connected_components(H):
        joined |= _reference_joined_in(H, component)
    return joined


def reference_disconnecting_providers(G: Any) -> tuple[Disconnection, ...]:
    """Remove each provider in turn and recompute the joined sectors: O(n·(n + m))."""
    components = [sorted(c) for c in nx.connected_components(G)]
    joined_by = [_reference_joined_in(G, c) for c in components]
    joined_count: dict[str, int] = defaultdict(int)
    for joined in joined_by:
        for sector in joined:
            joined_count[sector] += 1
    holders: dict[str, int] = defaultdict(int)
    for node in G:
        for sector in G.nodes[node].get("sectors", ()):
            holders[sector] += 1
    found = []
    for index, component in enumerate(components):
        if len(component) < 2:
            continue
        for node in component:
            rest = [n for n in component if n != node]
            after = _reference_joined_sectors(G, rest)
            own = set(G.nodes[node].get("sectors", ()))
            cut = sorted(
                s
                for s in joined_by[index]
                if s not in after
                and joined_count[s] == 1
                and holders[s] - (1 if s in own else 0) > 0
            )
            if cut:
                label = str(G.nodes[node].get("label") or node)
                found.append(Disconnection(node, label, tuple(cut)))
    return tuple(sorted(found, key=lambda d: (d.label, d.provider)))


def _is_cross(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and not (a & b)


def reference_cross_sector_betweenness(G: Any) -> dict[str, float]:
    """Brandes' algorithm over dicts, every provider a source, counting cross-sector targets."""
    sectors = {n: frozenset(G.nodes[n].get("sectors", ())) for n in G}
    nodes = sorted(G)
    score = dict.fromkeys(nodes, 0.0)
    for source in nodes:
        if not sectors[source]:
            continue
        sigma: dict[str, int] = {source: 1}
        dist: dict[str, int] = {source: 0}
        pred: dict[str, list[str]] = {source: []}
        order: list[str] = []
        queue = deque([source])
        while queue:
            v = queue.popleft()
            order.append(v)
            for w in sorted(G[v]):
                if w not in dist:
                    dist[w] = dist[v] + 1
                    sigma[w] = 0
                    pred[w] = []
                    queue.append(w)
                if dist[w] == dist[v] + 1:
                    sigma[w] += sigma[v]
                    pred[w].append(v)
        delta = dict.fromkeys(order, 0.0)
        for w in reversed(order):
            carried = delta[w] + (1.0 if _is_cross(sectors[source], sectors[w]) else 0.0)
            for v in pred[w]:
                delta[v] += sigma[v] / sigma[w] * carried
            if w != source:
                score[w] += delta[w]
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
    result = {}
    for node in nodes:
        own = sum(count for g, count in groups.items() if _is_cross(sectors[node], g))
        pairs = total - own
        result[node] = score[node] / 2 / pairs if pairs else 0.0
    return result


def assert_same_as_reference(G: Any) -> None:
    assert nw.disconnecting_providers(G) == reference_disconnecting_providers(G)
    # Exactly equal, not approximately: same traversal order, same float sums.
    assert nw.cross_sector_betweenness(G) == reference_cross_sector_betweenness(G)


# ---------------------------------------------------------------------------------------
# Graphs
# ---------------------------------------------------------------------------------------


def build(edges: Iterable[tuple[str, str]], sectors: Mapping[str, tuple[str, ...]]) -> nx.Graph:
    nodes = sorted({n for e in edges for n in e} | set(sectors))
    providers = [Provider(n, n.upper(), sectors.get(n, ())) for n in nodes]
    links = [Link(f"L{i}", "mutual-aid", e) for i, e in enumerate(edges, 1) if e[0] != e[1]]
    return nw.build_provider_graph(providers, links)


def pair(rng: random.Random, names: list[str]) -> tuple[str, str]:
    a, b = rng.sample(names, 2)
    return a, b


@st.composite
def sectored_graphs(draw: st.DrawFn) -> nx.Graph:
    """Small graphs with few sectors, so joined and cut-off sectors are common."""
    n = draw(st.integers(min_value=1, max_value=14))
    names = [f"p{i:02d}" for i in range(n)]
    index = st.integers(0, n - 1)
    edges = draw(st.lists(st.tuples(index, index), max_size=3 * n))
    sector_sets = draw(
        st.lists(st.frozensets(st.sampled_from("wxyz"), max_size=2), min_size=n, max_size=n)
    )
    G = build(
        [(names[a], names[b]) for a, b in edges],
        {name: tuple(sorted(s)) for name, s in zip(names, sector_sets, strict=True)},
    )
    # Graphs from elsewhere may carry self-loops, repeated sectors or no sector attribute.
    for a in draw(st.lists(index, max_size=2)):
        G.add_edge(names[a], names[a], links=(), types=(), typed_links=(), weight=0)
    for a in draw(st.lists(index, max_size=2)):
        G.nodes[names[a]]["sectors"] = (*G.nodes[names[a]]["sectors"], "x")
    for a in draw(st.lists(index, max_size=1)):
        del G.nodes[names[a]]["sectors"]
    return G


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(sectored_graphs())
def test_disconnecting_providers_and_brokerage_match_the_reference_on_random_graphs(
    G: nx.Graph,
) -> None:
    assert_same_as_reference(G)


def test_disconnecting_providers_on_random_sparse_graphs() -> None:
    # Sparse random graphs are full of articulation points and nested blocks.
    rng = random.Random(3)
    for trial in range(60):
        n = rng.randint(5, 60)
        names = [f"n{i:03d}" for i in range(n)]
        edges = []
        for i in range(1, n):
            if rng.random() < 0.9:
                edges.append((names[i], names[rng.randrange(i)]))
        edges += [pair(rng, names) for _ in range(rng.randint(0, n // 3))]
        sectors = {
            name: tuple(sorted(rng.sample("abcdef", rng.choice((0, 1, 1, 1, 2))))) for name in names
        }
        G = build(edges, sectors)
        assert nw.disconnecting_providers(G) == reference_disconnecting_providers(G), trial


@pytest.mark.parametrize(
    ("edges", "sectors"),
    [
        # A path: every inner provider cuts the ends off.
        ([("a", "b"), ("b", "c"), ("c", "d")], {"a": ("x",), "b": ("y",), "d": ("x",)}),
        # A star whose centre is the only provider of another sector.
        ([("h", str(i)) for i in range(5)], {**{str(i): ("x",) for i in range(5)}, "h": ("y",)}),
        # A chain of triangles through shared corners: nested articulation points.
        (
            [(f"t{i}", f"t{i + 1}") for i in range(8)]
            + [(f"t{i}", f"t{i + 2}") for i in range(0, 7, 2)],
            {f"t{i}": (("x",), ("y",), ("z",))[i % 3] for i in range(9)},
        ),
        # Two components, one sector joined in both: never cut off.
        ([("a", "b"), ("c", "d")], {"a": ("x",), "b": ("y",), "c": ("x",), "d": ("z",)}),
        # The only holder of a sector in the component, another holder elsewhere, alone.
        ([("a", "b"), ("b", "c")], {"a": ("x",), "b": ("y",), "c": ("y",), "e": ("x",)}),
        # Every provider but one of the same sector.
        ([("a", "b"), ("b", "c"), ("c", "a")], {"a": ("x",), "b": ("x",), "c": ("y",)}),
    ],
)
def test_shaped_graphs_match_the_reference(
    edges: list[tuple[str, str]], sectors: dict[str, tuple[str, ...]]
) -> None:
    G = build(edges, sectors)
    assert_same_as_reference(G)


def test_a_path_cut_off_by_hand() -> None:
    G = build(
        [("a", "b"), ("b", "c"), ("c", "d")],
        {"a": ("x",), "b": ("y",), "c": ("x",), "d": ("x",)},
    )
    # Without b: {a} and {c, d}, all x, reach no other sector; y is gone, not cut off.
    # Without c: a still reaches b. Without an end: the rest stays one mixed piece.
    assert [(d.provider, d.sectors) for d in nw.disconnecting_providers(G)] == [("b", ("x",))]


def synthetic_area_graphs(providers: int, seed: int) -> list[nx.Graph]:
    england = synthesise(providers, seed=seed)
    graphs = []
    for area in sorted({a for areas in england.areas for a in areas}):
        chosen = [(k, link) for k, link in enumerate(england.links) if area in link.areas]
        members = {i for i, areas in enumerate(england.areas) if area in areas}
        members |= {i for _, link in chosen for i in link.participants}
        links = [
            Link(f"L{k}", link.type, tuple(f"p{i:05d}" for i in link.participants))
            for k, link in chosen
        ]
        records = [
            Provider(f"p{i:05d}", f"Provider {i}", england.sectors[i]) for i in sorted(members)
        ]
        graphs.append(nw.build_provider_graph(records, links))
    return graphs


@pytest.mark.slow
def test_synthetic_areas_match_the_reference() -> None:
    graphs = synthetic_area_graphs(3_000, seed=2)
    assert len(graphs) == 42
    assert any(nw.disconnecting_providers(G) for G in graphs)
    for G in graphs:
        assert_same_as_reference(G)


def test_demo_areas_match_the_reference() -> None:
    store = Project().open()
    areas = store.query("SELECT DISTINCT ?a WHERE { ?p pcr:operatesIn ?a } ORDER BY ?a")
    iris = [row["a"] for row in areas.strings()]  # type: ignore[union-attr]
    assert iris
    for iri in iris:
        assert_same_as_reference(nw.provider_graph(store, URIRef(iri)))


# ---------------------------------------------------------------------------------------
# Sampled betweenness
# ---------------------------------------------------------------------------------------


def random_graph(n: int, seed: int, sectors: str = "abcdef") -> nx.Graph:
    rng = random.Random(seed)
    names = [f"n{i:04d}" for i in range(n)]
    edges = [(names[i], names[rng.randrange(i)]) for i in range(1, n)]
    edges += [pair(rng, names) for _ in range(n)]
    return build(edges, {name: (rng.choice(sectors),) for name in names})


def test_betweenness_pivots_threshold() -> None:
    assert nw.betweenness_pivots(nw.EXACT_BETWEENNESS_MAX_PROVIDERS) is None
    assert nw.betweenness_pivots(nw.EXACT_BETWEENNESS_MAX_PROVIDERS + 1) == nw.BETWEENNESS_PIVOTS
    assert nw.betweenness_pivots(5_000, pivots=None) is None
    assert nw.betweenness_pivots(50, pivots=60, exact_up_to=10) is None
    with pytest.raises(ValueError, match="at least 2"):
        nw.betweenness_pivots(50, pivots=1, exact_up_to=10)


def test_below_the_threshold_betweenness_is_exact_and_unlabelled() -> None:
    G = random_graph(120, seed=1)
    m = nw.area_metrics(G, top=120)
    exact = nx.betweenness_centrality(G, normalized=True)
    assert m.betweenness_pivots is None
    assert {s.iri: s.value for s in m.betweenness} == exact
    assert {s.iri: s.value for s in m.brokers} == reference_cross_sector_betweenness(G)
    assert m.figure("betweenness_method").value == "exact"
    assert not any("estimate" in row[3] for row in nw.metric_rows(m))


def test_above_the_threshold_betweenness_is_a_labelled_repeatable_estimate() -> None:
    G = random_graph(300, seed=2)
    m = nw.area_metrics(G, top=300, exact_up_to=100, pivots=150)
    assert m.betweenness_pivots == 150
    again = nw.area_metrics(G, top=300, exact_up_to=100, pivots=150)
    assert again.to_dict() == m.to_dict()
    figure = m.figure("betweenness_method")
    assert figure.value == "estimated (150 sources)"
    assert "150 of the 300 providers" in figure.text and "seed 42" in figure.text
    rows = [r for r in nw.metric_rows(m) if r[0] in ("betweenness", "broker")]
    assert rows and all("estimate from 150 of 300 providers as sources" in r[3] for r in rows)
    assert "an estimated" in m.figure("top_broker").text
    # Another seed samples other sources, so gives another (but close) estimate.
    other = nw.area_metrics(G, top=300, exact_up_to=100, pivots=150, seed=7)
    assert other.betweenness != m.betweenness
    # Close to exact: the ranking's head and every value.
    exact = nx.betweenness_centrality(G, normalized=True)
    estimate = {s.iri: s.value for s in m.betweenness}
    assert max(abs(estimate[v] - exact[v]) for v in G) < 0.25 * max(exact.values())
    assert m.betweenness[0].iri == max(exact, key=lambda v: (exact[v], v))


def test_sampled_brokerage_is_repeatable_and_close_to_exact() -> None:
    G = random_graph(300, seed=4, sectors="abc")
    exact = nw.cross_sector_betweenness(G)
    estimate = nw.cross_sector_betweenness(G, k=120, seed=5)
    assert estimate == nw.cross_sector_betweenness(G, k=120, seed=5)
    assert estimate != nw.cross_sector_betweenness(G, k=120, seed=6)
    assert estimate != exact
    assert max(abs(estimate[v] - exact[v]) for v in G) < 0.25 * max(exact.values())
    top = sorted(exact, key=lambda v: -exact[v])[:5]
    assert sorted(estimate, key=lambda v: -estimate[v])[0] in top
    # Sampling every provider is the exact computation.
    assert nw.cross_sector_betweenness(G, k=300) == exact
    with pytest.raises(ValueError, match="at least 2"):
        nw.cross_sector_betweenness(G, k=1)


def test_sampled_brokerage_samples_and_scales_as_networkx_does() -> None:
    # With every provider of its own sector, every pair is cross-sector and brokerage is
    # plain betweenness, so networkx's own sampled estimate (same seed, same sources) is
    # the expected answer.
    rng = random.Random(9)
    names = [f"n{i:03d}" for i in range(80)]
    edges = [(names[i], names[rng.randrange(i)]) for i in range(1, 80)]
    edges += [pair(rng, names) for _ in range(40)]
    G = build(edges, {name: (f"s{name}",) for name in names})
    for k in (2, 10, 79):
        ours = nw.cross_sector_betweenness(G, k=k, seed=3)
        theirs = nx.betweenness_centrality(G, k=k, seed=3, normalized=True)
        assert ours == pytest.approx(theirs)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(sectored_graphs(), st.integers(min_value=2, max_value=14), st.integers(0, 99))
def test_estimated_betweenness_is_networkx_estimate(G: nx.Graph, k: int, seed: int) -> None:
    k = min(k, len(G))
    if k < 2:
        return
    plain, cross = nw.estimated_betweenness(G, k, seed)
    # build() inserts nodes in sorted order, so networkx samples the same sources.
    assert list(G) == sorted(G)
    assert plain == pytest.approx(nx.betweenness_centrality(G, k=k, normalized=True, seed=seed))
    assert cross == nw.cross_sector_betweenness(G, k, seed)
    if k == len(G):
        assert cross == reference_cross_sector_betweenness(G)


def test_sampled_metrics_do_not_depend_on_input_order() -> None:
    G = random_graph(150, seed=6)
    shuffled = nx.Graph()
    nodes = list(G.nodes(data=True))
    random.Random(1).shuffle(nodes)
    shuffled.add_nodes_from(nodes)
    edges = list(G.edges(data=True))
    random.Random(2).shuffle(edges)
    shuffled.add_edges_from(edges)
    shuffled.graph.update(G.graph)
    first = nw.area_metrics(G, top=150, exact_up_to=50, pivots=40)
    again = nw.area_metrics(shuffled, top=150, exact_up_to=50, pivots=40)
    assert (again.betweenness, again.brokers) == (first.betweenness, first.brokers)
