"""Small provider graphs with hand-computed answers, for the network tests."""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Link, Provider


def graph(
    edges: list[tuple[str, str]],
    sectors: Mapping[str, tuple[str, ...]] | None = None,
    link_type: str = "mutual-aid",
) -> nx.Graph:
    nodes = sorted({n for e in edges for n in e} | set(sectors or {}))
    providers = [Provider(n, n.upper(), (sectors or {}).get(n, ())) for n in nodes]
    links = [Link(f"L{i}", link_type, e) for i, e in enumerate(edges, 1)]
    return nw.build_provider_graph(providers, links)


PATH = [("a", "b"), ("b", "c"), ("c", "d")]


STAR = [("h", "1"), ("h", "2"), ("h", "3"), ("h", "4")]


TWO_TRIANGLES = [("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")]


TRIANGLE_SECTORS = {n: ("x",) if n in "abc" else ("y",) for n in "abcdef"}


def values(scores: tuple[nw.Score, ...]) -> dict[str, float]:
    return {s.iri: round(s.value, 4) for s in scores}
