"""Area copies (``analysis/change/scope.py``): ``what-if`` and ``diff --at --area`` answer on
the copy of what the areas read exactly what they answer on a copy of the whole store.

Compared on the demo, the golden fixture, Testshire (an area with a neighbour and
cross-area links) and synthetic Englands of several sizes and seeds, for NHS trusts,
providers operating in several areas, providers taking part in links of an area they do
not operate in, forum members and every area with providers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import networkx as nx
import pytest
from rdflib import URIRef

from pcr_graph.analysis.change import diff_dates, diff_stores, open_snapshot, what_if_remove
from pcr_graph.analysis.change.diff import take_snapshot
from pcr_graph.analysis.change.edits import restrict_to_date
from pcr_graph.analysis.change.scope import area_copy, area_quads, area_summaries, store_of
from pcr_graph.analysis.derived import DERIVED_NS, ensure_derived
from pcr_graph.analysis.gaps import Hit, run_gaps
from pcr_graph.analysis.network.views import provider_graph
from pcr_graph.core.resources import queries_dir
from pcr_graph.ingest.synth import write_synthetic
from pcr_graph.store.engines import DERIVED_GRAPH, Store, Table, open_store
from pcr_graph.store.project import Project
from tests.analysis.test_gaps_report import fixture_files
from tests.support.testshire import WB, fixture_turtle

DATES = [(dt.date(2019, 4, 1), dt.date(2024, 4, 1)), (dt.date(2020, 4, 1), dt.date(2021, 3, 31))]

_AREAS = "SELECT DISTINCT ?a WHERE { ?p a pcr:Provider ; pcr:operatesIn ?a } ORDER BY ?a"
_TRUSTS = """
SELECT ?p WHERE {
  { SELECT ?a (MIN(STR(?q)) AS ?first) WHERE {
      ?q a pcr:Provider ; pcr:operatesIn ?a ; pcr:sector/skos:broader* sector:nhs-trust }
    GROUP BY ?a }
  BIND (IRI(?first) AS ?p)
} ORDER BY ?p
"""
_MULTI_AREA = """
SELECT ?p WHERE { ?p a pcr:Provider ; pcr:operatesIn ?a }
GROUP BY ?p HAVING (COUNT(DISTINCT ?a) > 1) ORDER BY ?p
"""
_CROSS_AREA = """
SELECT DISTINCT ?p WHERE {
  ?l a pcr:CollaborationLink ; pcr:participant ?p ; pcr:area ?a .
  ?p a pcr:Provider .
  FILTER NOT EXISTS { ?p pcr:operatesIn ?a }
} ORDER BY ?p
"""
_MEMBERS = "SELECT DISTINCT ?p WHERE { ?f a pcr:PlanningForum ; org:hasMember ?p } ORDER BY ?p"


def _column(store: Store, query: str) -> list[URIRef]:
    table = store.query(query)
    assert isinstance(table, Table)
    return [URIRef(str(row[0])) for row in table.rows]


def _providers(store: Store, each: int) -> dict[str, list[URIRef]]:
    """Providers of each kind worth removing (at most ``each`` of a kind)."""
    return {
        "trust": _column(store, _TRUSTS)[:each],
        "multi-area": _column(store, _MULTI_AREA)[:each],
        "cross-area": _column(store, _CROSS_AREA)[:each],
        "forum member": _column(store, _MEMBERS)[:each],
    }


def _without_outside_evidence(store: Store, area: URIRef, hits: list[Hit]) -> list[Hit]:
    """Hits with the evidence lines of providers not operating in ``area`` left out: the
    copy holds only their links that concern the area (what-if and diff never read them)."""
    inside = set(map(str, _column(store, f"SELECT ?p WHERE {{ ?p pcr:operatesIn <{area}> }}")))
    return [
        h
        if all(s.iri in inside for s in h.subjects if s.role == "provider")
        else dataclasses.replace(h, evidence=())
        for h in hits
    ]


def check_area(store: Store, area: URIRef) -> int:
    """The rules, the provider graph and the diff snapshot of ``area`` on its copy are those
    on the whole store; the number of hits compared."""
    copy = area_copy(store, [area])
    assert copy is not None and len(copy) <= len(store)
    whole = run_gaps(store, areas=[area], context=False)
    scoped = run_gaps(copy, areas=[area], context=False)
    assert _without_outside_evidence(store, area, scoped.hits) == _without_outside_evidence(
        store, area, whole.hits
    )
    assert (scoped.areas, scoped.data_only) == (whole.areas, whole.data_only)
    assert nx.utils.graphs_equal(provider_graph(copy, area), provider_graph(store, area))
    before, after = take_snapshot(store, [area]), take_snapshot(copy, [area])
    assert (after.links, after.planning, after.providers) == (
        before.links,
        before.planning,
        before.providers,
    )
    assert after.hits.keys() == before.hits.keys()
    assert [h.explanation for h in after.hits.values()] == [
        h.explanation for h in before.hits.values()
    ]
    return len(whole.hits)


def check_what_if(store: Store, provider: URIRef, area: URIRef | None = None) -> int:
    """what-if on an area copy equals what-if on a whole copy; the changes compared."""
    scoped = what_if_remove(store, provider, area)
    assert scoped == what_if_remove(store, provider, area, scope=False), (provider, area)
    return len(scoped.changes)


def check_diff(store: Store, areas: list[URIRef], dates: int = len(DATES)) -> int:
    compared = 0
    for old, new in DATES[:dates]:
        scoped = diff_dates(store, old, new, areas)
        assert scoped == diff_dates(store, old, new, areas, scope=False), (areas, old, new)
        compared += len(scoped)
    return compared


def check_store(store: Store, each: int = 2, areas: int = 3) -> dict[str, int]:
    """Every comparison on ``store``; how much each compared (so a test can insist that
    identical is not identically empty)."""
    counts = {"hits": 0, "what-if changes": 0, "diff changes": 0}
    some = _column(store, _AREAS)
    for area in some[:areas]:
        counts["hits"] += check_area(store, area)
        counts["diff changes"] += check_diff(store, [area])
    counts["diff changes"] += check_diff(store, some[:2])
    for kind, providers in _providers(store, each).items():
        counts[kind] = len(providers)
        for provider in providers:
            counts["what-if changes"] += check_what_if(store, provider)
    trust = _column(store, _TRUSTS)[0]
    for area in some[:2]:  # a given area, whether or not the provider works there
        counts["what-if changes"] += check_what_if(store, trust, area)
    return counts


def test_the_demo() -> None:
    counts = check_store(Project(workspace=Path("/nonexistent-workspace")).open())
    assert counts["hits"] and counts["what-if changes"] and counts["diff changes"]


def test_the_golden_fixture() -> None:
    counts = check_store(open_store(fixture_files(), "oxigraph"))
    assert counts["hits"] and counts["what-if changes"]


BORDERS = """
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sector: <https://w3id.org/pcr-graph/def/sector/> .
@prefix linktype: <https://w3id.org/pcr-graph/def/link-type/> .
@prefix forumkind: <https://w3id.org/pcr-graph/def/forum-kind/> .
@prefix wb: <https://w3id.org/pcr-graph/id/wb/testshire/> .

# A care home in both areas, a trust of one area in a link and a forum of the other, and
# a link of Testshire with a provider of Othershire.
wb:provider\\/both-ch a pcr:Provider ; skos:prefLabel "Elm Court" ; dcterms:identifier "both-ch" ;
    pcr:sector sector:care-home ; pcr:operatesIn wb:area\\/tx, wb:area\\/ty ;
    pcr:collaboratesWith wb:provider\\/ty-acute .
wb:provider\\/ty-acute pcr:collaboratesWith wb:provider\\/both-ch .
wb:link\\/L10 a pcr:CollaborationLink ; dcterms:identifier "L10" ;
    pcr:linkType linktype:discharge-coordination ;
    pcr:participant wb:provider\\/tx-acute, wb:provider\\/ty-ch ; pcr:area wb:area\\/ty ;
    pcr:startDate "2020-06-01"^^xsd:date ; prov:wasDerivedFrom wb:evidence\\/E1 .
wb:evidence\\/E1 a pcr:Evidence ; dcterms:title "An old letter" ;
    dcterms:date "2015-01-01"^^xsd:date .
wb:link\\/L11 a pcr:CollaborationLink ; dcterms:identifier "L11" ;
    pcr:linkType linktype:discharge-coordination ;
    pcr:participant wb:provider\\/both-ch, wb:provider\\/ty-acute ; pcr:area wb:area\\/ty .
wb:link\\/L12 a pcr:CollaborationLink ; dcterms:identifier "L12" ;
    pcr:linkType linktype:mutual-aid ;
    pcr:participant wb:provider\\/tx-vol, wb:provider\\/ty-acute, wb:provider\\/tx-ch2 ;
    pcr:area wb:area\\/tx ; pcr:endDate "2021-01-01"^^xsd:date .
wb:forum\\/F2 a pcr:PlanningForum ; skos:prefLabel "Othershire Board" ; pcr:area wb:area\\/ty ;
    pcr:forumKind forumkind:ics-board ; dcterms:identifier "F2" ;
    org:hasMember wb:provider\\/ty-acute, wb:provider\\/tx-comm, wb:provider\\/both-ch .
wb:membership\\/F2\\/ty-acute a org:Membership ; org:organization wb:forum\\/F2 ;
    org:member wb:provider\\/ty-acute .
wb:membership\\/F2\\/tx-comm a org:Membership ; org:organization wb:forum\\/F2 ;
    org:member wb:provider\\/tx-comm ; pcr:endDate "2020-12-31"^^xsd:date .
wb:membership\\/F2\\/both-ch a org:Membership ; org:organization wb:forum\\/F2 ;
    org:member wb:provider\\/both-ch ; pcr:startDate "2021-01-01"^^xsd:date .
"""


def test_testshire_and_its_neighbour(project: Project) -> None:
    (project.imports_dir / "borders.ttl").write_text(BORDERS, encoding="utf-8")
    counts = check_store(project.open(), each=3)
    assert counts["multi-area"] and counts["cross-area"] and counts["forum member"]
    assert counts["what-if changes"] and counts["diff changes"]


@pytest.mark.slow
@pytest.mark.parametrize(("providers", "seed"), [(300, 1), (900, 2), (1500, 4)])
def test_synthetic_england(tmp_path: Path, providers: int, seed: int) -> None:
    data = tmp_path / "england.ttl"
    write_synthetic(data, providers, seed)
    project = Project(workspace=tmp_path / "none", include_demo=False)
    store = open_store([*project.files(), data], "oxigraph")
    counts = check_store(store, each=1, areas=1)
    assert counts["hits"] > 5 and counts["what-if changes"] and counts["diff changes"]
    assert counts["cross-area"] and counts["multi-area"] and counts["trust"]


def test_diff_of_two_files_with_an_area(tmp_path: Path, project: Project) -> None:
    old, new = tmp_path / "old.ttl", tmp_path / "new.ttl"
    old.write_text(fixture_turtle(drop_links=("L4", "L9")), encoding="utf-8")
    new.write_text(fixture_turtle(), encoding="utf-8")
    before, after = open_snapshot(old, project), open_snapshot(new, project)
    for area in (URIRef(f"{WB}area/tx"), *_column(after, _AREAS)):
        scoped = diff_stores(before, after, [area])
        assert scoped == diff_stores(before, after, [area], scope=False)
    assert diff_stores(before, after, [URIRef(f"{WB}area/tx")])


@pytest.mark.slow
def test_rdflib_stores_are_copied_whole() -> None:
    store = open_store(fixture_files(), "rdflib")
    area = _column(store, _AREAS)[0]
    assert area_copy(store, [area]) is None
    assert check_diff(store, [area], dates=1) >= 0


def test_nothing_reads_the_shortcut_the_copy_leaves_out() -> None:
    # The copy leaves pcr:collaboratesWith out (scope._SHORTCUT): no query and no analysis
    # module other than the edits (which only delete it) and the copy may name it.
    pattern = re.compile(r"collaboratesWith|linkedTo")
    readers = [p for p in queries_dir().rglob("*.rq") if pattern.search(p.read_text())]
    analysis = Path(__file__).resolve().parents[3] / "src" / "pcr_graph" / "analysis"
    readers += [
        p
        for p in analysis.rglob("*.py")
        if p.name not in ("edits.py", "scope.py") and pattern.search(p.read_text())
    ]
    render = analysis.parent / "render"
    readers += [p for p in render.rglob("*.py") if pattern.search(p.read_text())]
    assert readers == []


def test_the_copy_follows_writes_to_the_store(tmp_path: Path) -> None:
    # What every copy shares (everything not of the scaling classes) is read once per
    # store and again after any write: a region added later is in the next copy.
    data = tmp_path / "england.ttl"
    write_synthetic(data, 300, 1)
    project = Project(workspace=tmp_path / "none", include_demo=False)
    store = open_store([*project.files(), data], "oxigraph")
    area = _column(store, _AREAS)[0]
    first = area_copy(store, [area])
    assert first is not None
    providers = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a pcr:Provider }"
    assert first.select(providers).rows[0][0] < store.select(providers).rows[0][0]  # type: ignore[operator]
    region = "ASK { <urn:test:region> a pcr:Region }"
    assert not first.ask(region)
    store.update(
        "INSERT DATA { GRAPH <urn:pcr-graph:source:extra.ttl> { <urn:test:region> a pcr:Region ; "
        'skos:prefLabel "Added later" . <urn:test:p> a pcr:Provider } }'
    )
    second = area_copy(store, [area])
    assert second is not None and second.ask(region)
    assert not second.ask("ASK { <urn:test:p> a pcr:Provider }")  # in no area: not copied


_DERIVED_TRIPLES = """
SELECT ?s ?p ?o ?area WHERE {
  GRAPH <urn:pcr-graph:derived> { ?s ?p ?o }
  OPTIONAL { GRAPH <urn:pcr-graph:derived> { ?s pcrd:area ?area } }
}
"""


def test_the_unedited_copy_takes_its_areas_summaries_from_the_store() -> None:
    # what-if's copy left as it is reads its areas' summaries from the store's derived graph
    # when that is current (scope.area_summaries), instead of deriving its own: the same
    # hits. It takes those of the area's nodes and the triples ending at the area, which
    # holds only while every derived triple is one of those or the graph's marker.
    store = open_store(fixture_files(), "oxigraph")
    areas = _column(store, _AREAS)
    assert area_summaries(store, areas[:1]) is None  # never derived: no summaries to take
    ensure_derived(store)
    table = store.query(_DERIVED_TRIPLES.replace("pcrd:area", f"<{DERIVED_NS}area>"))
    assert isinstance(table, Table)
    for s, _p, o, area in table.rows:
        assert area is not None or o in areas or str(s) == DERIVED_GRAPH, (s, _p, o)
    for area in areas:
        quads = area_quads(store, [area])
        assert quads is not None
        summaries = area_summaries(store, [area])
        assert summaries
        derived_itself = run_gaps(store_of(quads), areas=[area], context=False)
        adopted = run_gaps(store_of(quads, summaries), areas=[area], context=False)
        assert adopted.hits == derived_itself.hits, area


def test_a_date_that_ends_nothing_keeps_the_stores_summaries(tmp_path: Path) -> None:
    # diff --at: a copy that a date leaves as it is (every link and membership active)
    # takes the store's summaries of its areas instead of deriving them: the same changes.
    data = tmp_path / "england.ttl"
    write_synthetic(data, 300, 1)
    project = Project(workspace=tmp_path / "none", include_demo=False)
    store = open_store([*project.files(), data], "oxigraph")
    ensure_derived(store)
    old, new = dt.date(2019, 4, 1), dt.date(2024, 4, 1)
    for area in _column(store, _AREAS)[:2]:
        quads = area_quads(store, [area])
        assert quads is not None
        copy = store_of(quads)
        size = len(copy)
        restrict_to_date(copy, new)
        assert len(copy) == size  # the premise: nothing of this area ends before then
        changes = diff_dates(store, old, new, [area])
        assert changes and changes == diff_dates(store, old, new, [area], scope=False)


LINK_TO_A_LINK = """
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix linktype: <https://w3id.org/pcr-graph/def/link-type/> .
@prefix wb: <https://w3id.org/pcr-graph/id/wb/testshire/> .

# Invalid (a participant that is a link), so that a date deletes a triple of a link it keeps.
wb:link\\/L13 a pcr:CollaborationLink ; dcterms:identifier "L13" ;
    pcr:linkType linktype:mutual-aid ;
    pcr:participant wb:provider\\/tx-acute, wb:provider\\/tx-vol, wb:link\\/L12 ;
    pcr:area wb:area\\/tx .
"""


def test_a_link_pointing_to_a_link_that_ends(project: Project) -> None:
    # diff --at reads the links' facts once, from the store, unless a link of the areas
    # points to a link or a membership (a date that ends it deletes that triple): then
    # each copy's own. The same changes either way.
    (project.imports_dir / "borders.ttl").write_text(BORDERS, encoding="utf-8")
    (project.imports_dir / "odd.ttl").write_text(LINK_TO_A_LINK, encoding="utf-8")
    store = project.open()
    area = URIRef(f"{WB}area/tx")
    changes = diff_dates(store, dt.date(2020, 4, 1), dt.date(2021, 3, 31), [area])
    assert changes == diff_dates(
        store, dt.date(2020, 4, 1), dt.date(2021, 3, 31), [area], scope=False
    )
    assert any("L13" in c.item and c.change == "changed" for c in changes), changes
