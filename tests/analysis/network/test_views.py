"""Views over the store, on the Testshire fixture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from rdflib import URIRef

from pcr_graph.analysis import network as nw
from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import Store
from tests.support.testshire import WB, P, make_project


def test_provider_graph_from_the_store(store: Store) -> None:
    G = nw.provider_graph(store, "tx")
    assert G.graph["area_label"] == "Testshire (fictional)"
    assert sorted(G) == sorted(
        P(x) for x in ("tx-acute", "tx-amb", "tx-ch1", "tx-ch2", "tx-comm", "tx-la", "tx-vol")
    )
    assert G.nodes[P("tx-acute")]["sectors"] == ("acute-trust", "emergency-department")
    assert G.nodes[P("tx-acute")]["label"] == "Testshire General Hospital"
    assert G.edges[P("tx-acute"), P("tx-la")]["types"] == ("shared-governance",)
    assert G.edges[P("tx-acute"), P("tx-amb")]["links"] == (f"{WB}link/L1",)
    assert G.number_of_edges() == 7
    assert G.graph["broader"]["care-home"] == ("adult-social-care",)
    assert len(G.graph["expected"]) == 4


def test_the_rdflib_engine_gives_the_same_view(tmp_path: Path, store: Store) -> None:
    reference = make_project(tmp_path / "rdflib", engine="rdflib").open()
    G, H = nw.provider_graph(store, "tx"), nw.provider_graph(reference, "tx")
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert list(G.edges(data=True)) == list(H.edges(data=True))
    assert nw.forum_records(store, "tx") == nw.forum_records(reference, "tx")


def test_metrics_of_the_fixture_area(store: Store) -> None:
    m = nw.metrics_for(store, "tx")
    assert m.density == pytest.approx(7 / 21)
    assert m.components == 2 and m.largest_component == 6
    assert m.integration == pytest.approx(0.625)
    assert [s.label for s in m.articulation_points] == ["Alder House", "Testshire General Hospital"]
    assert sorted((b.a_label, b.b_label) for b in m.bridges) == [
        ("Alder House", "Birch Court"),
        ("Testshire Ambulance", "Testshire General Hospital"),
    ]
    assert [(g.sector, g.provider_label) for g in m.gateways] == [("care-home", "Alder House")]
    assert [(d.label, d.sectors) for d in m.disconnections] == [
        ("Alder House", ("care-home",)),
        ("Testshire General Hospital", ("ambulance",)),
    ]
    mixing = {(a, b): n for a, b, n in m.mixing}
    assert mixing[("care-home", "care-home")] == 1
    assert mixing[("acute-trust", "ambulance")] == 1
    assert ("local-authority", "voluntary-sector") not in mixing
    assert [f.label for f in m.forums] == ["Testshire Board"] and m.forums[0].members == 3


def test_metrics_at_a_date(store: Store) -> None:
    # On 1 May 2020 the discharge link (from June) and the training (to March) are out.
    m = nw.metrics_for(store, "tx", at=dt.date(2020, 5, 1))
    assert m.integration == pytest.approx(0.25)
    assert m.links == 3


def test_sector_and_membership_views(store: Store) -> None:
    S = nw.sector_graph(store, "tx")
    assert S.edges["care-home", "community-health"]["links"] == (f"{WB}link/L3",)
    assert S.nodes["care-home"]["providers"] == 2
    M = nw.membership_graph(store, "tx")
    assert sorted(M.neighbors(f"{WB}forum/F1")) == sorted(
        P(x) for x in ("tx-acute", "tx-comm", "tx-la")
    )


@pytest.mark.parametrize("text", ["tx-acute", "TXA01", "txa01", P("tx-acute")])
def test_resolve_provider(store: Store, text: str) -> None:
    assert nw.resolve_provider(store, text) == URIRef(P("tx-acute"))


def test_unknown_provider_is_a_usage_error(store: Store) -> None:
    with pytest.raises(UsageError, match="unknown provider 'nobody'"):
        nw.resolve_provider(store, "nobody")
    with pytest.raises(UsageError):
        nw.resolve_provider(store, f"{WB}link/L1")
