"""Exports: RDF formats round-trip isomorphically; network formats keep nodes, edges, attributes."""

from __future__ import annotations

import csv
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
from tests.conftest import record_cases

GEXF_SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "testsuites" / "gexf-schema" / "1.3"
GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"

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
    if fmt == "gexf":  # read by networkx; sectors and areas rebuilt from one flag each
        G = nx.read_gexf(path)
        for _, data in G.nodes(data=True):
            for name in ("sector", "area"):
                flags = sorted(
                    k.split(": ", 1)[1] for k, v in data.items() if k.startswith(f"{name}: ") and v
                )
                data[f"{name}s"] = "; ".join(flags)
        return G
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
    types = {row[2] for row in csv.reader(edges[1:])}
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


# --------------------------------------------------------------------------------------
# GEXF 1.3: the official schemas, and the map's look


def _gexf_schemas() -> tuple[Any, Any]:
    from lxml import etree

    if not (GEXF_SCHEMAS / "gexf.xsd").is_file():
        pytest.fail(f"the GEXF 1.3 schemas are missing: {GEXF_SCHEMAS}")
    xsd = etree.XMLSchema(etree.parse(str(GEXF_SCHEMAS / "gexf.xsd")))
    rng = etree.RelaxNG(etree.parse(str(GEXF_SCHEMAS / "gexf.rng")))
    return xsd, rng


@pytest.mark.parametrize("which", ["demo", "hostile"])
def test_gexf_is_valid_against_the_official_gexf_1_3_schemas(
    demo: Store, hostile: Store, tmp_path: Path, which: str
) -> None:
    """Valid against gexf.rng whole, and against gexf.xsd element by element.

    The official 1.3 XSD (converted from the RNG) puts ``color``, ``position``, ``size`` and
    ``shape`` in the GEXF namespace itself (its viz.xsd has no target namespace), where the
    RNG, the GEXF primer, Gephi and networkx put them in ``http://gexf.net/1.3/viz``. So the
    XSD checks a copy with the viz elements moved into the namespace it expects: every
    element and attribute, the viz ones included, is then checked against the XSD's rules.
    """
    from lxml import etree

    xsd, rng = _gexf_schemas()
    target = tmp_path / "out.gexf"
    export(demo if which == "demo" else hostile, "gexf", target)
    document = etree.parse(str(target))
    assert rng.validate(document), rng.error_log
    viz = [e for e in document.getroot().iter() if str(e.tag).startswith(VIZ)]
    nodes = document.getroot().findall(f".//{GEXF}node")
    assert len(viz) == 4 * len(nodes) > 0  # colour, position, size, shape on every node
    for element in viz:
        element.tag = GEXF + str(element.tag)[len(VIZ) :]
    assert xsd.validate(document), xsd.error_log


def test_gexf_draws_each_node_as_the_map_does(demo: Store, tmp_path: Path) -> None:
    from lxml import etree

    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.render.mapdata import area_map
    from pcr_graph.render.maps.positions import area_positions

    wv = URIRef("https://w3id.org/pcr-graph/id/wb/demo/area/wv")
    export(demo, "gexf", tmp_path / "wv.gexf", [wv])
    looks = area_positions(area_map(demo, wv, run_gaps(demo, areas=[wv])))
    drawn = {}
    for node in etree.parse(str(tmp_path / "wv.gexf")).getroot().iter(f"{GEXF}node"):
        colour = node.find(f"{VIZ}color")
        position = node.find(f"{VIZ}position")
        assert colour is not None and position is not None
        rgb = "#{:02X}{:02X}{:02X}".format(*(int(colour.get(c, "")) for c in "rgb"))
        size = float(node.find(f"{VIZ}size").get("value", ""))  # type: ignore[union-attr]
        x, y = float(position.get("x", "")), float(position.get("y", ""))
        drawn[node.get("id")] = (rgb, size, x, y)
    on_map = {n: look for n, look in looks.items() if n in drawn}
    assert len(on_map) == len(looks) > 10
    origin = min(on_map)
    for node, look in on_map.items():
        rgb, size, x, y = drawn[node]
        assert (rgb, size) == (look.colour.upper(), look.size), node
        # the same layout: offsets between nodes kept, y flipped (Gephi's y points up)
        assert x - drawn[origin][2] == look.x - looks[origin].x
        assert y - drawn[origin][3] == -(look.y - looks[origin].y)
    assert len({(x, y) for _, _, x, y in drawn.values()}) == len(drawn)  # no two stacked


def test_gexf_has_one_flag_per_sector_not_a_joined_string(demo: Store, tmp_path: Path) -> None:
    export(demo, "gexf", tmp_path / "all.gexf")
    G = nx.read_gexf(tmp_path / "all.gexf")
    lists = network_graph(demo, lists=True)
    several = [n for n, d in lists.nodes(data=True) if len(d["sector_list"]) > 1]
    assert several  # the demo has providers in two sectors
    for node, data in lists.nodes(data=True):
        flags = {
            k.split(": ", 1)[1] for k, v in G.nodes[node].items() if k.startswith("sector: ") and v
        }
        assert flags == set(data["sector_list"]), node
        assert not any("; " in str(v) for v in G.nodes[node].values())


# --------------------------------------------------------------------------------------
# Neo4j and Kumu CSV


def property_graph(folder: Path) -> nx.MultiDiGraph:
    """The Neo4j admin-import files as a property graph, by their headers' meaning:
    ``:ID`` names a node, ``:LABEL`` its labels (``;``-separated), ``:START_ID`` and
    ``:END_ID`` an edge's direction, ``:TYPE`` its relationship type."""
    G = nx.MultiDiGraph()
    with (folder / "nodes.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            labels = set(row.pop(":LABEL").split(";"))
            G.add_node(row.pop(":ID"), labels=labels, **row)
    with (folder / "edges.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            start, end, kind = row.pop(":START_ID"), row.pop(":END_ID"), row.pop(":TYPE")
            assert start in G and end in G, (start, end)  # Neo4j refuses dangling ids
            G.add_edge(start, end, type=kind, **row)
    return G


def test_neo4j_csv_points_member_of_from_member_to_forum(demo: Store, tmp_path: Path) -> None:
    export(demo, "csv", tmp_path / "neo")
    G = property_graph(tmp_path / "neo")
    members = demo.select(
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?forum ?member WHERE { "
        "?forum a pcr:PlanningForum ; org:hasMember ?member } } }"
    )
    expected = int(str(members.rows[0][0]))
    member_of = [(a, b) for a, b, d in G.edges(data=True) if d["type"] == "MEMBER_OF"]
    assert len({*member_of}) == expected > 40
    # (:Provider)-[:MEMBER_OF]->(:PlanningForum), as docs/sharing.md says, matches them all
    matched = [
        (a, b)
        for a, b in member_of
        if "Provider" in G.nodes[a]["labels"] and "PlanningForum" in G.nodes[b]["labels"]
    ]
    assert len(matched) == len(member_of)
    assert not [a for a, _ in member_of if "PlanningForum" in G.nodes[a]["labels"]]


def test_kumu_csv_has_kumus_shape(demo: Store, tmp_path: Path) -> None:
    export(demo, "csv", tmp_path / "kumu")
    with (tmp_path / "kumu" / "kumu-elements.csv").open(encoding="utf-8", newline="") as f:
        elements = list(csv.DictReader(f))
    with (tmp_path / "kumu" / "kumu-connections.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        connections = list(reader)
        header = reader.fieldnames or []
    first = (tmp_path / "kumu" / "kumu-elements.csv").read_text(encoding="utf-8").split(",")[0]
    assert first == "Label" and header[:2] == ["From", "To"] and "Type" in header
    ids = {e["ID"] for e in elements}
    assert len(ids) == len(elements) and all(e["Label"] for e in elements)
    assert all(c["From"] in ids and c["To"] in ids for c in connections)
    several = [e for e in elements if "|" in e["Sectors"]]
    assert several and all("; " not in e["Sectors"] for e in elements)
    kinds = {e["ID"]: e["Type"] for e in elements}
    members = [c for c in connections if c["Type"] == "Member of"]
    assert members and all(
        c["Direction"] == "directed" and kinds[c["To"]] == "Planning forum" for c in members
    )
    G = network_graph(demo)
    assert len(connections) == G.number_of_edges()


FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]
PAYLOADS = [
    '=HYPERLINK("http://127.0.0.1/x","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1; =2+2",
]


def test_no_export_csv_cell_starts_a_formula(tmp_path: Path) -> None:
    """Formula text in every field that reaches a CSV: labels, link ids, roles, areas."""
    store = OxigraphStore()
    for path in Project(include_demo=False).files():
        if "ontology" in str(path):
            store.load_file(path)
    lines = ["@prefix pcr: <https://w3id.org/pcr-graph/def#> .",
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
             "@prefix org: <http://www.w3.org/ns/org#> .",
             "@prefix dcterms: <http://purl.org/dc/terms/> .",
             "@prefix linktype: <https://w3id.org/pcr-graph/def/link-type/> ."]  # fmt: skip
    for n, payload in enumerate(PAYLOADS):
        text = (
            payload.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\t", "\\t")
            .replace("\r", "\\r")
        )
        lines += [
            f'<urn:pcr-test:area{n}> a pcr:Area ; skos:prefLabel "{text}" .',
            f'<urn:pcr-test:p{n}> a pcr:Provider ; skos:prefLabel "{text}" ; '
            f"pcr:operatesIn <urn:pcr-test:area{n}> .",
            f'<urn:pcr-test:q{n}> a pcr:Provider ; skos:prefLabel "{text} 2" .',
            f'<urn:pcr-test:f{n}> a pcr:PlanningForum ; skos:prefLabel "{text}" ; '
            f"pcr:area <urn:pcr-test:area{n}> .",
            f"<urn:pcr-test:m{n}> org:organization <urn:pcr-test:f{n}> ; "
            f"org:member <urn:pcr-test:p{n}> ; org:role <urn:pcr-test:role{n}> .",
            f'<urn:pcr-test:role{n}> skos:prefLabel "{text}" .',
            f"<urn:pcr-test:l{n}> a pcr:CollaborationLink ; pcr:linkType linktype:mutual-aid ; "
            f'dcterms:identifier "{text}" ; pcr:area <urn:pcr-test:area{n}> ; '
            f"pcr:participant <urn:pcr-test:p{n}>, <urn:pcr-test:q{n}> .",
        ]
    store.load("\n".join(lines), "turtle", "formulas.ttl")
    written = export(store, "csv", tmp_path / "csv")
    assert {p.name for p in written} == {
        "nodes.csv", "edges.csv", "kumu-elements.csv", "kumu-connections.csv"
    }  # fmt: skip
    cells = 0
    seen_payloads = 0
    for path in written:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in list(csv.reader(handle))[1:]:
                for cell in row:
                    cells += 1
                    assert (
                        not cell.startswith(tuple(FORMULA_STARTS))
                        or cell.lstrip("+-").replace(".", "").isdigit()
                    ), (path.name, cell)
                    seen_payloads += any(p in cell for p in PAYLOADS)
    assert seen_payloads >= 4 * len(PAYLOADS)  # the payloads arrived, neutralised
    record_cases("csv formula cells (export)", cells)
