"""Expected pathways, the integration index and forum alignment."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from rdflib import URIRef

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Forum, Link, Provider
from pcr_graph.store.project import Project
from tests.support.small_graphs import TRIANGLE_SECTORS, TWO_TRIANGLES, graph


def test_forum_alignment_share_of_members_in_best_community() -> None:
    G = graph(TWO_TRIANGLES, TRIANGLE_SECTORS)
    forums = [
        Forum("f1", "Board", ("a", "b", "c")),
        Forum("f2", "Cell", ("a", "d")),
        Forum("f3", "Solo", ("e", "nobody")),
    ]
    m = nw.area_metrics(G, forums=forums)
    by_label = {f.label: f for f in m.forums}
    assert (by_label["Board"].community, by_label["Board"].share) == (1, 1.0)
    # One member in each community: the tie goes to the first (largest) community.
    assert (by_label["Cell"].community, by_label["Cell"].share) == (1, 0.5)
    assert by_label["Solo"].share is None and by_label["Solo"].members == 1
    assert m.forum_alignment == pytest.approx(0.75)


WORKED_PROVIDERS = [
    Provider("acute", "Hospital", ("acute-trust", "emergency-department")),
    Provider("amb", "Ambulance", ("ambulance",)),
    Provider("home", "Care home", ("care-home",)),
    Provider("comm", "Community trust", ("community-health",)),
    Provider("la", "Council", ("local-authority",)),
    Provider("vol", "Charity", ("voluntary-sector",)),
]


WORKED_LINKS = [
    Link("L1", "shared-pathway", ("amb", "acute")),
    Link("L2", "discharge-coordination", ("acute", "home")),
    Link("L3", "joint-training", ("comm", "home")),
]


EXPECTED = [
    ("ambulance", "emergency-department"),
    ("acute-trust", "adult-social-care"),
    ("community-health", "care-home"),
    ("local-authority", "voluntary-sector"),
]


BROADER = {"care-home": ("adult-social-care",), "emergency-department": ("acute-trust",)}


def worked_graph(extra: list[Link] | None = None) -> nx.Graph:
    return nw.build_provider_graph(
        WORKED_PROVIDERS,
        [*WORKED_LINKS, *(extra or [])],
        broader=BROADER,
        expected=EXPECTED,
    )


def test_integration_index_worked_example() -> None:
    G = worked_graph()
    assert nw.integration_index(G) == pytest.approx((1.0 + 1.0 + 0.5 + 0.0) / 4)
    scores = {(s.from_sector, s.to_sector): s for s in nw.pathway_scores(G, EXPECTED)}
    assert scores[("acute-trust", "adult-social-care")].links == ("L2",)
    assert scores[("community-health", "care-home")].types == ("joint-training",)
    assert scores[("local-authority", "voluntary-sector")].weight == 0.0


def test_integration_counts_a_pair_with_its_strongest_link() -> None:
    G = worked_graph([Link("L4", "joint-planning", ("comm", "home"))])
    assert nw.integration_index(G) == pytest.approx((1.0 + 1.0 + 1.0 + 0.0) / 4)


def test_integration_with_custom_weights_and_unknown_types() -> None:
    G = worked_graph([Link("L5", "carrier-pigeons", ("la", "vol"))])
    weights = {"shared-pathway": 0.2, "discharge-coordination": 0.4, "joint-training": 0.1}
    # carrier-pigeons is not in the weights: it counts as UNKNOWN_TYPE_WEIGHT (0.5).
    assert nw.integration_index(G, weights=weights) == pytest.approx((0.2 + 0.4 + 0.1 + 0.5) / 4)


def test_integration_expectation_with_a_link_type_ignores_other_types() -> None:
    G = worked_graph()
    typed = [("community-health", "care-home", "discharge-coordination")]
    assert nw.integration_index(G, typed) == 0.0
    assert nw.integration_index(G, [("community-health", "care-home")]) == 0.5


def test_integration_matches_sectors_through_the_hierarchy_only() -> None:
    G = nw.build_provider_graph(WORKED_PROVIDERS, WORKED_LINKS)
    # Without skos:broader, a care home is not "adult social care".
    assert nw.integration_index(G, [("acute-trust", "adult-social-care")]) == 0.0
    assert nw.integration_index(G, []) is None


def test_zero_strength_pathways_are_the_missing_pathway_gaps_on_the_demo() -> None:
    from pcr_graph.analysis.gaps import run_gaps

    store = Project(workspace=Path("/nonexistent-workspace")).open()
    report = run_gaps(store, rules=["missing-pathway"])
    assert report.areas, "the demo system should have areas with data"
    for area, _label in report.areas:
        gaps = {
            tuple(
                s.iri.rsplit("/", 1)[-1] for s in h.subjects if s.role in ("fromSector", "toSector")
            )
            for h in report.hits
            if h.area == area
        }
        scores = nw.metrics_for(store, URIRef(area)).pathways
        assert {(p.from_sector, p.to_sector) for p in scores if p.weight == 0} == gaps


def test_area_metrics_adds_given_pairs_to_the_profile() -> None:
    G = worked_graph()
    m = nw.area_metrics(G, [("hospice", "ambulance")])
    assert len(m.pathways) == 5
    assert m.integration == pytest.approx(2.5 / 5)
    only = nw.area_metrics(G, [("ambulance", "acute-trust")], use_profile=False)
    assert only.integration == 1.0 and len(only.pathways) == 1
    # The same pathway written the other way round is one expectation.
    assert len(nw.area_metrics(G, [("emergency-department", "ambulance")]).pathways) == 4
