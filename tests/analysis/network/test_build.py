"""The pure builders: graphs from plain records."""

from __future__ import annotations

import datetime as dt

import networkx as nx

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Forum, Link, Provider


def test_provider_graph_edges_carry_links_types_and_weight() -> None:
    G = nw.build_provider_graph(
        [Provider("a", "A"), Provider("b", "B")],
        [
            Link("L2", "mutual-aid", ("b", "a")),
            Link("L1", "information-sharing", ("a", "b", "c")),
        ],
    )
    assert G.edges["a", "b"] == {
        "links": ("L1", "L2"),
        "types": ("information-sharing", "mutual-aid"),
        "typed_links": (("L1", "information-sharing"), ("L2", "mutual-aid")),
        "weight": 2,
    }
    # A participant missing from the providers still becomes a node.
    assert G.nodes["c"] == {"label": "c", "sectors": (), "areas": ()}


def test_at_date_keeps_only_active_links() -> None:
    links = [
        Link("old", "mutual-aid", ("a", "b"), end=dt.date(2020, 3, 31)),
        Link("new", "mutual-aid", ("b", "c"), start=dt.date(2020, 6, 1)),
        Link("open", "mutual-aid", ("c", "d")),
    ]
    G = nw.build_provider_graph([], links, at=dt.date(2020, 4, 1))
    assert sorted(G.edges) == [("c", "d")]
    assert G.graph["at"] == "2020-04-01"
    assert sorted(nw.build_provider_graph([], links, at=dt.date(2020, 3, 31)).edges) == [
        ("a", "b"),
        ("c", "d"),
    ]


def test_membership_graph_is_bipartite() -> None:
    M = nw.build_membership_graph(
        [Forum("f1", "Board", ("a", "b")), Forum("f2", "Cell", ("b",))],
        [Provider("a", "A", ("acute-trust",))],
    )
    forums = {n for n, d in M.nodes(data=True) if d["bipartite"] == 0}
    assert forums == {"f1", "f2"}
    assert nx.is_bipartite(M)
    assert sorted(M.neighbors("b")) == ["f1", "f2"]
    assert M.nodes["a"]["sectors"] == ("acute-trust",)
    assert nw.forums_of(M)[0] == Forum("f1", "Board", ("a", "b"), ())
