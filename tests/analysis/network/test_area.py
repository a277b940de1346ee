"""Every metric of an area at once: hand-computed answers on small graphs."""

from __future__ import annotations

import json
import random
import sys
import types

import pytest

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Link, Provider
from tests.support.small_graphs import PATH, STAR, TRIANGLE_SECTORS, TWO_TRIANGLES, graph, values


def test_path_density_cut_points_bridges_and_betweenness() -> None:
    m = nw.area_metrics(graph(PATH), top=10)
    assert m.density == pytest.approx(3 / 6)
    assert [s.iri for s in m.articulation_points] == ["b", "c"]
    assert [(b.a, b.b) for b in m.bridges] == [("a", "b"), ("b", "c"), ("c", "d")]
    # b lies on the a–c and a–d paths: 2 of the 3 pairs not involving it.
    assert values(m.betweenness) == {"b": 0.6667, "c": 0.6667, "a": 0.0, "d": 0.0}
    assert values(m.degree) == {"b": 0.6667, "c": 0.6667, "a": 0.3333, "d": 0.3333}
    assert m.components == 1 and m.largest_component == 4


def test_star_centre_is_the_only_broker_and_cut_point() -> None:
    m = nw.area_metrics(graph(STAR), top=10)
    assert m.density == pytest.approx(4 / 10)
    assert values(m.betweenness)["h"] == 1.0
    assert all(v == 0.0 for k, v in values(m.betweenness).items() if k != "h")
    assert values(m.degree)["h"] == 1.0 and values(m.degree)["1"] == 0.25
    assert [s.iri for s in m.articulation_points] == ["h"]
    assert len(m.bridges) == 4
    assert m.mean_degree == pytest.approx(8 / 5)


def test_two_triangles_joined_by_a_bridge() -> None:
    G = graph(TWO_TRIANGLES, TRIANGLE_SECTORS)
    m = nw.area_metrics(G, top=10)
    assert m.density == pytest.approx(7 / 15)
    assert [s.label for s in m.articulation_points] == ["C", "D"]
    assert [(b.a, b.b, b.links) for b in m.bridges] == [("c", "d", ("L7",))]
    # c carries all 6 shortest paths between {a, b} and {d, e, f}, of 10 pairs without it.
    assert values(m.betweenness) == {"c": 0.6, "d": 0.6, "a": 0.0, "b": 0.0, "e": 0.0, "f": 0.0}
    # Ties broken by label: C before D.
    assert [s.label for s in m.betweenness[:2]] == ["C", "D"]
    # Cross-sector pairs without c: {a, b} x {d, e, f} = 6, all through c.
    assert values(m.brokers) == {"c": 1.0, "d": 1.0, "a": 0.0, "b": 0.0, "e": 0.0, "f": 0.0}
    assert [(g.sector, g.provider, g.providers) for g in m.gateways] == [
        ("x", "c", 3),
        ("y", "d", 3),
    ]
    assert [(d.provider, d.sectors) for d in m.disconnections] == [
        ("c", ("x", "y")),
        ("d", ("x", "y")),
    ]
    assert m.mixing == (("x", "x", 3), ("x", "y", 1), ("y", "y", 3))
    assert m.communities == (("a", "b", "c"), ("d", "e", "f"))
    assert m.cross_sector_links == 1 and m.links == 7


def test_metrics_are_deterministic_whatever_the_input_order() -> None:
    rng = random.Random(7)
    providers = [Provider(n, n.upper(), TRIANGLE_SECTORS[n]) for n in "abcdef"]
    links = [Link(f"L{i}", "mutual-aid", e) for i, e in enumerate(TWO_TRIANGLES, 1)]
    first = nw.area_metrics(nw.build_provider_graph(providers, links)).to_dict()
    for _ in range(5):
        rng.shuffle(providers)
        rng.shuffle(links)
        again = nw.area_metrics(nw.build_provider_graph(providers, links)).to_dict()
        assert again == first
    json.dumps(first)  # plain data all the way down


def test_to_dataframe_says_how_to_get_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        nw.to_dataframe(nw.area_metrics(graph(PATH)))


def test_to_dataframe_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("pandas")
    fake.DataFrame = lambda records: records  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pandas", fake)
    m = nw.area_metrics(graph(PATH))
    rows = nw.to_dataframe(m)
    assert rows[2] == {
        "key": "density",
        "metric": "Density",
        "value": 0.5,
        "explanation": m.figure("density").text,
    }
    wide = nw.to_dataframe([m, m])
    assert len(wide) == 2 and wide[0]["density"] == 0.5
