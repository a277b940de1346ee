"""Exports: RDF formats round-trip isomorphically; network formats keep nodes, edges, attributes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from pcr_graph.cli.commands import main
from pcr_graph.share.export import (
    EDGE_FIELDS,
    NODE_FIELDS,
    export,
    network_graph,
    read_csv_export,
    read_graphml,
)
from pcr_graph.store.engines import OxigraphStore, Store, source_graph_iri
from pcr_graph.store.project import Project

HOSTILE = """
@prefix pcr: <https://w3id.org/pcr-graph/def#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sector: <https://w3id.org/pcr-graph/def/sector/> .
@prefix linktype: <https://w3id.org/pcr-graph/def/link-type/> .
<urn:pcr-test:a> a pcr:Provider ; skos:prefLabel "A <b> & \\"c\\" 'd' (fictional)" ;
    pcr:sector sector:hospice .
<urn:pcr-test:b> a pcr:Provider ; skos:prefLabel "Ünïcödé ; semi ; colons (fictional)" .
<urn:pcr-test:c> a pcr:Provider ; skos:prefLabel "Third, with a comma\\nand a line break" .
<urn:pcr-test:link> a pcr:CollaborationLink ; pcr:linkType linktype:mutual-aid ;
    pcr:participant <urn:pcr-test:a>, <urn:pcr-test:b>, <urn:pcr-test:c> .
"""


@pytest.fixture(scope="module")
def demo() -> Store:
    return Project().open()


@pytest.fixture(scope="module")
def hostile() -> Store:
    """Fictional providers with markup, quotes, separators and a line break in their names."""
    store = OxigraphStore()
    for path in Project(include_demo=False).files():
        if "ontology" in str(path):
            store.load_file(path)
    store.load(HOSTILE, "turtle", "hostile.ttl")
    return store


@pytest.mark.slow
@pytest.mark.parametrize(
    "fmt,parse_as", [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_rdf_exports_round_trip(demo: Store, tmp_path: Path, fmt: str, parse_as: str) -> None:
    target = tmp_path / f"out.{fmt}"
    assert export(demo, fmt, target) == [target]
    assert isomorphic(Graph().parse(target, format=parse_as), demo.graph())


@pytest.mark.slow
def test_trig_keeps_one_named_graph_per_source(demo: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.trig"
    export(demo, "trig", target)
    dataset = Dataset()
    dataset.parse(target, format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == {source_graph_iri(s) for s in demo.sources()}
    for source in demo.sources():
        graph = dataset.graph(URIRef(source_graph_iri(source)))
        assert isomorphic(Graph() + graph, demo.source_graph(source)), source


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld", "trig", "graphml", "gexf", "csv"])
def test_exports_are_deterministic_and_atomic(demo: Store, tmp_path: Path, fmt: str) -> None:
    first, second = tmp_path / "a" / f"x.{fmt}", tmp_path / "b" / f"x.{fmt}"
    written = export(demo, fmt, first) + export(demo, fmt, second)
    half = len(written) // 2
    for one, two in zip(written[:half], written[half:], strict=True):
        assert one.read_bytes() == two.read_bytes() and one.stat().st_size > 0
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def _node_table(G: Any) -> dict[str, dict[str, str]]:
    return {n: {k: d.get(k, "") for k in NODE_FIELDS} for n, d in G.nodes(data=True)}


def _edge_table(G: Any) -> Counter[tuple[str, ...]]:
    return Counter(
        (*sorted((a, b)), *(str(d.get(k, "")) for k in EDGE_FIELDS))
        for a, b, d in G.edges(data=True)
    )


def _read(fmt: str, path: Path) -> Any:
    if fmt == "graphml":
        return read_graphml(path)
    if fmt == "gexf":
        return nx.read_gexf(path)
    return read_csv_export(path)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "csv"])
@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_network_formats_keep_nodes_edges_and_attributes(
    demo: Store, hostile: Store, tmp_path: Path, fmt: str, which: str
) -> None:
    store = demo if which == "demo" else hostile
    expected = network_graph(store)
    target = tmp_path / ("out" if fmt == "csv" else f"out.{fmt}")
    export(store, fmt, target)
    back = _read(fmt, target)
    assert back.number_of_nodes() == expected.number_of_nodes() > 0
    assert back.number_of_edges() == expected.number_of_edges() > 0
    assert _node_table(back) == _node_table(expected)
    assert _edge_table(back) == _edge_table(expected)


def test_network_view_of_the_demo(demo: Store) -> None:
    G = network_graph(demo)
    kinds = Counter(d["kind"] for _, d in G.nodes(data=True))
    assert kinds["provider"] > 50 and kinds["forum"] > 5
    links = [d for _, _, d in G.edges(data=True) if d["kind"] == "link"]
    assert links and all(d["link_type"] and d["link"] and d["link_iri"] for d in links)
    memberships = [d for _, _, d in G.edges(data=True) if d["kind"] == "membership"]
    assert memberships and all(d["link_type"] == "membership" for d in memberships)


def test_an_n_ary_link_becomes_every_pair(hostile: Store) -> None:
    G = network_graph(hostile)
    assert G.number_of_edges() == 3
    assert {d["link_type"] for _, _, d in G.edges(data=True)} == {"mutual-aid"}
    assert G.nodes["urn:pcr-test:a"]["sectors"] == "hospice"


def test_csv_headers_are_neo4j_style(demo: Store, tmp_path: Path) -> None:
    export(demo, "csv", tmp_path / "neo")
    nodes = (tmp_path / "neo" / "nodes.csv").read_text(encoding="utf-8").splitlines()
    edges = (tmp_path / "neo" / "edges.csv").read_text(encoding="utf-8").splitlines()
    assert nodes[0].startswith(":ID,label,:LABEL,")
    assert edges[0].startswith(":START_ID,:END_ID,:TYPE,")
    types = {line.split(",")[2] for line in edges[1:]}
    assert "MEMBER_OF" in types and "DISCHARGE_COORDINATION" in types


def test_area_restricts_network_exports(
    demo: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["export", "--format", "graphml", "-o", str(tmp_path / "wv.graphml"), "--area", "wv"])
    assert done.value.code == 0
    G = read_graphml(tmp_path / "wv.graphml")
    everything = network_graph(demo)
    assert 0 < G.number_of_nodes() < everything.number_of_nodes()
    label = "Wyndle Vale Health and Care Partnership (fictional)"
    assert all(d["area"] == label for _, _, d in G.edges(data=True))
    with pytest.raises(SystemExit) as done:
        main(["export", "--format", "turtle", "-o", str(tmp_path / "x.ttl"), "--area", "wv"])
    assert done.value.code == 2
    assert "--area applies to" in capsys.readouterr().err


def test_export_command_writes_csv_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["export", "--format", "csv", "-o", str(tmp_path / "kumu")])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "nodes.csv" in out and "edges.csv" in out
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(SystemExit) as done:
        main(["export", "--format", "csv", "-o", str(tmp_path / "file")])
    assert done.value.code == 2
