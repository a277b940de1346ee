"""Network analysis: hand-computed answers on small graphs, and the store-backed commands."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import sys
import types
from collections.abc import Mapping
from pathlib import Path

import click
import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from pcr_graph.analysis import network as nw
from pcr_graph.analysis.network import Forum, Link, Provider
from pcr_graph.cli.network import COMMANDS
from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project
from tests.support.testshire import WB, P, make_project

# ---------------------------------------------------------------------------------------
# Small graphs
# ---------------------------------------------------------------------------------------


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


def test_mixing_matrix_counts_each_link_once_per_sector_pair() -> None:
    G = nw.build_provider_graph(
        [
            Provider("t", "Trust", ("acute-trust", "emergency-department")),
            Provider("g1", "GP 1", ("gp-practice",)),
            Provider("g2", "GP 2", ("gp-practice",)),
        ],
        [
            Link("L1", "information-sharing", ("t", "g1", "g2")),
            Link("L2", "mutual-aid", ("g1", "g2")),
        ],
    )
    assert nw.mixing_matrix(G) == (
        ("acute-trust", "gp-practice", 1),
        ("emergency-department", "gp-practice", 1),
        ("gp-practice", "gp-practice", 2),
    )
    S = nw.build_sector_graph(G)
    assert S.nodes["gp-practice"]["providers"] == 2
    assert S.edges["gp-practice", "gp-practice"]["links"] == ("L1", "L2")
    assert S.edges["acute-trust", "gp-practice"]["weight"] == 1


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


def test_area_metrics_adds_given_pairs_to_the_profile() -> None:
    G = worked_graph()
    m = nw.area_metrics(G, [("hospice", "ambulance")])
    assert len(m.pathways) == 5
    assert m.integration == pytest.approx(2.5 / 5)
    only = nw.area_metrics(G, [("ambulance", "acute-trust")], use_profile=False)
    assert only.integration == 1.0 and len(only.pathways) == 1
    # The same pathway written the other way round is one expectation.
    assert len(nw.area_metrics(G, [("emergency-department", "ambulance")]).pathways) == 4


def test_every_figure_has_a_sentence_with_its_number() -> None:
    m = nw.area_metrics(graph(PATH))
    assert m.figure("density").text == (
        "Density 0.50: 50% of possible provider pairs are directly linked."
    )
    assert m.figure("articulation_points").text == "2 providers would split the network by " + (
        "dropping out: B, C."
    )
    assert all(f.text and f.definition for f in m.figures)
    assert m.figure("integration").value is None
    assert m.figure("integration").display == "n/a"
    with pytest.raises(KeyError):
        m.figure("no-such-metric")


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


def test_compare_rows_one_row_per_metric_one_column_per_area() -> None:
    path, star = nw.area_metrics(graph(PATH)), nw.area_metrics(graph(STAR))
    columns, rows = nw.compare_rows([("path", path), ("star", star)])
    assert columns == ("metric", "path", "star", "what it measures")
    assert len(rows) == len(path.figures)
    density = next(r for r in rows if r[0] == "Density")
    assert density[1:3] == ("0.500", "0.400")
    with pytest.raises(UsageError):
        nw.compare_rows([("path", path), ("path", path)])


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


# ---------------------------------------------------------------------------------------
# A small fictional system in the store
# ---------------------------------------------------------------------------------------


# The collaboratesWith shortcut, both directions, for every pair of link participants.


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path)


@pytest.fixture
def store(project: Project) -> Store:
    return project.open()


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


# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------


def run(project: Project, args: list[str]) -> tuple[int, str, BaseException | None]:
    @click.group()
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.obj = project

    for command in COMMANDS:
        group.add_command(command)
    result = CliRunner().invoke(group, args)
    error = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, error


def test_every_command_has_help_with_an_example() -> None:
    names = sorted(c.name or "" for c in COMMANDS)
    assert names == ["compare", "diff", "metrics", "what-if"]
    for command in COMMANDS:
        assert command.help and "Example:" in command.help


def test_metrics_command(project: Project) -> None:
    code, out, error = run(project, ["metrics", "--area", "tx", "--format", "json"])
    assert (code, error) == (0, None)
    rows = json.loads(out)
    density = next(r for r in rows if r["item"] == "Density")
    assert density == {
        "section": "summary",
        "item": "Density",
        "value": "0.333",
        "explanation": "Density 0.33: 33% of possible provider pairs are directly linked.",
    }
    assert any(r["section"] == "pathway" and r["value"] == "0.00" for r in rows)


def test_metrics_command_expect_and_bad_values(project: Project) -> None:
    code, out, _ = run(
        project, ["metrics", "--area", "tx", "--expect", "Hospice", "ambulance", "--format", "csv"]
    )
    assert code == 0 and "pathway,hospice ↔ ambulance,0.00" in out
    _, _, error = run(project, ["metrics", "--area", "tx", "--expect", "wizards", "ambulance"])
    assert isinstance(error, UsageError) and "wizards" in str(error)
    _, _, error = run(project, ["metrics", "--area", "tx", "--at", "soon"])
    assert isinstance(error, UsageError) and "not a date" in str(error)


def test_compare_command(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "compare.md"
    code, _, error = run(project, ["compare", "tx", "ty", "--format", "md", "-o", str(target)])
    assert (code, error) == (0, None)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("| metric | tx | ty | what it measures |")
    assert "| Cross-sector integration index | 0.625 | 0.250 |" in text
    assert "| Density | 0.333 | 1.000 |" in text
    _, _, error = run(project, ["compare", "tx"])
    assert isinstance(error, UsageError) and "at least two" in str(error)
    _, _, error = run(project, ["compare", "tx", "tx"])
    assert isinstance(error, UsageError) and "only once" in str(error)


def test_diff_command_by_dates_and_usage_errors(project: Project) -> None:
    code, out, error = run(
        project, ["diff", "--at", "2020-02-01", "--at", "2020-07-01", "--format", "csv"]
    )
    assert (code, error) == (0, None)
    assert "gained,Testshire (fictional),link,L2 (discharge-coordination)" in out
    for args in (["diff"], ["diff", "--at", "2020-01-01"], ["diff", "a.ttl", "--at", "2020-01-01"]):
        _, _, error = run(project, args)
        assert isinstance(error, UsageError)


def test_what_if_command(project: Project) -> None:
    code, out, error = run(project, ["what-if", "--remove", "tx-ch1", "--format", "csv"])
    assert (code, error) == (0, None)
    assert "cut off,Testshire (fictional),sector,care-home" in out
    assert "isolated,Testshire (fictional),provider,Birch Court" in out
    _, _, error = run(project, ["what-if", "--remove", "nobody"])
    assert isinstance(error, UsageError)


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


def test_resolve_pairs_takes_notations_and_labels() -> None:
    assert nw.resolve_pairs([("Care home", "gp-practice"), ("HOSPICE", "Pharmacy")]) == [
        nw.ExpectedPair("care-home", "gp-practice"),
        nw.ExpectedPair("hospice", "pharmacy"),
    ]
    with pytest.raises(
        UsageError, match=r"--expect: unknown sector 'nowhere' \(one of .*care-home"
    ):
        nw.resolve_pairs([("care-home", "nowhere")])
