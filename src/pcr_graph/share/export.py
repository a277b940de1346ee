"""Exports: the graph for Gephi (GraphML, GEXF), Neo4j or Kumu (CSV), and RDF tools.

RDF formats carry every triple: ``turtle`` (deterministic, as ``graph.ttl``), ``nt``
(sorted lines), ``jsonld`` (with a ``@context`` of the project's prefixes, nodes and values
sorted) and ``trig`` (one named graph per source, so provenance survives).

The network formats carry the collaboration network only, as a multigraph: a node per
provider and planning forum (``label``, ``kind``, ``sectors``, ``areas``, ``iri``), an edge
per pair of participants of each collaboration link (``kind=link``, ``link_type``, ``link``,
``link_iri``, ``area``) and an edge from each member to its forum (``kind=membership``,
``role``). GEXF is written by :mod:`pcr_graph.share.gexf` (with the maps' colours and
layout); ``csv`` writes Neo4j's import files (``nodes.csv``, ``edges.csv``) and Kumu's
(``kumu-elements.csv``, ``kumu-connections.csv``), every cell through
:func:`~pcr_graph.core.csvsafe.safe_cell`. docs/sharing.md says what each format cannot
carry.

Every file is written atomically (a temporary file, then a rename).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from pcr_graph.core.errors import UsageError
from pcr_graph.core.namespaces import PREFIXES
from pcr_graph.store.engines import Store

EXPORT_FORMATS = ("graphml", "gexf", "csv", "jsonld", "turtle", "nt", "trig")
RDF_FORMATS = ("jsonld", "turtle", "nt", "trig")
NODE_FIELDS = ("label", "kind", "sectors", "areas", "iri")
EDGE_FIELDS = ("kind", "link_type", "link", "link_iri", "area", "role")
SEPARATOR = "; "
"""Between several values in one attribute (sectors, areas): GraphML, GEXF and CSV
attributes hold one string each."""


# --------------------------------------------------------------------------------------
# RDF


def nt_text(graph: Graph) -> str:
    """N-Triples, one triple a line, lines sorted (same triples, same bytes)."""
    lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
    return "\n".join(lines) + "\n" if lines else ""


def _sort_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sort_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def jsonld_text(graph: Graph) -> str:
    """JSON-LD with the project's prefixes as ``@context``; nodes and values sorted.

    JSON-LD lists (``@list``) would need their order kept, but the graph holds none: RDF
    collections arrive as ``rdf:first``/``rdf:rest`` triples, which sorting does not alter.
    """
    text = graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    data = json.loads(text)
    if isinstance(data, dict) and "@graph" in data:
        data["@graph"] = _sort_json(data["@graph"])
    elif isinstance(data, list):
        data = _sort_json(data)
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def trig_text(store: Store) -> str:
    """TriG with each source of the store in its own named graph, in source order."""
    from pcr_graph.store.engines import source_graph_iri
    from pcr_graph.store.turtle import to_turtle

    prefixes: dict[str, str] = {}
    blocks: list[str] = []
    sources = store.sources()
    if not sources and len(store):
        # A remote graph pushed whole has no per-source graphs: an empty file would lose it.
        raise UsageError(
            "the store holds no source graphs (a graph pushed whole?), so TriG cannot keep "
            "provenance: export --format turtle or nt instead"
        )
    for source in sources:
        text = to_turtle(store.source_graph(source))
        head, _, body = text.partition("\n\n")
        footer = body.rfind("# pcr-graph end: ")  # the Turtle file's checksum line
        if footer >= 0:
            body = body[:footer]
        for line in head.splitlines():
            if line.startswith("@prefix "):
                prefixes[line.split()[1]] = line
        blocks.append(f"<{source_graph_iri(source)}> {{\n{body.rstrip()}\n}}\n")
    ordered = [prefixes[f"{p}:"] for p in PREFIXES if f"{p}:" in prefixes]
    return "\n".join(ordered) + "\n\n" + "\n".join(blocks)


# --------------------------------------------------------------------------------------
# The network view


_NODES = """
SELECT ?node ?kind ?label ?sector ?areaLabel WHERE {
  { ?node a pcr:Provider . BIND("provider" AS ?kind)
    OPTIONAL { ?node pcr:sector/skos:notation ?sector }
    OPTIONAL { ?node pcr:operatesIn/skos:prefLabel ?areaLabel } }
  UNION
  { ?node a pcr:PlanningForum . BIND("forum" AS ?kind)
    OPTIONAL { ?node pcr:area/skos:prefLabel ?areaLabel } }
  OPTIONAL { ?node skos:prefLabel ?label }
}
ORDER BY ?node ?sector ?areaLabel
"""
_LINKS = """
SELECT ?link ?participant ?type ?linkId ?areaLabel WHERE {
  ?link a pcr:CollaborationLink ; pcr:participant ?participant .
  OPTIONAL { ?link pcr:linkType/skos:notation ?type }
  OPTIONAL { ?link dcterms:identifier ?linkId }
  OPTIONAL { ?link pcr:area/skos:prefLabel ?areaLabel }
}
ORDER BY ?link ?participant ?type ?linkId ?areaLabel
"""
_MEMBERSHIPS = """
SELECT ?forum ?member ?role ?areaLabel WHERE {
  { ?membership org:organization ?forum ; org:member ?member .
    OPTIONAL { ?membership org:role/skos:prefLabel ?role } }
  UNION
  { ?forum org:hasMember ?member .
    FILTER NOT EXISTS { ?m org:organization ?forum ; org:member ?member } }
  ?forum a pcr:PlanningForum .
  OPTIONAL { ?forum pcr:area/skos:prefLabel ?areaLabel }
}
ORDER BY ?forum ?member ?role
"""


def _lists(entry: dict[str, Any], wanted: bool) -> dict[str, tuple[str, ...]]:
    if not wanted:
        return {}
    return {
        "sector_list": tuple(sorted({v for v in entry.get("sectors", []) if v})),
        "area_list": tuple(sorted({v for v in entry.get("areas", []) if v})),
    }


def _joined(values: Sequence[str]) -> str:
    return SEPARATOR.join(sorted({v for v in values if v}))


def network_graph(store: Store, areas: Sequence[str] | None = None, *, lists: bool = False) -> Any:
    """The collaboration network as a :class:`networkx.MultiGraph` with string attributes.

    ``areas`` (area labels) keeps only the nodes and edges of those areas: providers
    operating there, their forums, and the links recorded there. With ``lists``, each node
    also has ``sector_list`` and ``area_list`` (sorted tuples; GEXF and Kumu keep values
    apart, GraphML cannot hold them).
    """
    import networkx as nx

    nodes: dict[str, dict[str, Any]] = {}
    for row in store.select(_NODES).strings():
        entry = nodes.setdefault(
            row["node"],
            {"label": row["label"], "kind": row["kind"], "sectors": [], "areas": []},
        )
        entry["sectors"].append(row["sector"])
        entry["areas"].append(row["areaLabel"])
        if not entry["label"]:
            entry["label"] = row["label"]

    links: dict[str, dict[str, Any]] = {}
    for row in store.select(_LINKS).strings():
        link = links.setdefault(row["link"], {**row, "participants": []})
        if row["participant"] not in link["participants"]:
            link["participants"].append(row["participant"])

    memberships = store.select(_MEMBERSHIPS).strings()
    wanted = set(areas) if areas else None

    G = nx.MultiGraph()
    for iri, entry in sorted(nodes.items()):
        node_areas = _joined(entry["areas"])
        if wanted is not None and not wanted & set(entry["areas"]):
            continue
        G.add_node(
            iri,
            label=entry["label"] or iri,
            kind=entry["kind"],
            sectors=_joined(entry["sectors"]),
            areas=node_areas,
            iri=iri,
            **_lists(entry, lists),
        )

    def ensure(node: str) -> None:
        if node not in G:  # a participant from elsewhere, or not typed as a provider
            entry = nodes.get(node, {"label": node, "kind": "organisation"})
            G.add_node(
                node,
                label=entry["label"] or node,
                kind=entry["kind"],
                sectors=_joined(entry.get("sectors", [])),
                areas=_joined(entry.get("areas", [])),
                iri=node,
                **_lists(entry, lists),
            )

    for iri, link in sorted(links.items()):
        if wanted is not None and link["areaLabel"] not in wanted:
            continue
        name = link["linkId"] or iri
        for a, b in itertools.combinations(sorted(link["participants"]), 2):
            ensure(a)
            ensure(b)
            G.add_edge(
                a,
                b,
                key=f"{iri}|{a}|{b}",
                kind="link",
                link_type=link["type"],
                link=name,
                link_iri=iri,
                area=link["areaLabel"],
                role="",
            )
    for row in memberships:
        if wanted is not None and row["areaLabel"] not in wanted:
            continue
        ensure(row["member"])
        ensure(row["forum"])
        G.add_edge(
            row["member"],
            row["forum"],
            key=f"membership|{row['member']}|{row['forum']}|{row['role']}",
            kind="membership",
            link_type="membership",
            link="",
            link_iri="",
            area=row["areaLabel"],
            role=row["role"],
        )
    return G


# --------------------------------------------------------------------------------------
# Network formats


def graphml_text(G: Any) -> str:
    """GraphML (opens in Gephi, yEd, Cytoscape); edge ids are the multigraph keys."""
    import networkx as nx

    return "\n".join(nx.generate_graphml(G, encoding="utf-8", prettyprint=True)) + "\n"


def _neo4j_type(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.upper()) or "RELATED_TO"


def _member_first(G: Any, a: str, b: str, data: dict[str, Any]) -> tuple[str, str]:
    """An edge's ends in the order the formats write them: a membership from the member to
    its forum (``(:Provider)-[:MEMBER_OF]->(:PlanningForum)``), a link as stored."""
    if data["kind"] == "membership" and G.nodes[a]["kind"] == "forum":
        return b, a
    return a, b


def _sorted_edges(G: Any) -> list[tuple[str, str, dict[str, Any]]]:
    ordered = ((*_member_first(G, a, b, d), d) for a, b, d in G.edges(data=True))
    return sorted(ordered, key=lambda e: (e[0], e[1], sorted(e[2].items())))


def _csv(rows: list[list[str]]) -> str:
    """CSV text, every cell through :func:`~pcr_graph.core.csvsafe.safe_cell` (OWASP).

    Data rows quote every cell: Python's writer leaves a lone carriage return unquoted
    when lines end in ``\\n``, and a reader would split the row there.
    """
    # Imported here to keep `pcr-graph --help` fast.
    from pcr_graph.core.csvsafe import safe_row

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(rows[0])
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerows(safe_row(row) for row in rows[1:])
    return buffer.getvalue()


_NEO4J_LABELS = {"provider": "Provider", "forum": "PlanningForum"}


def csv_texts(G: Any) -> tuple[str, str]:
    """``nodes.csv`` and ``edges.csv`` with Neo4j admin import headers.

    Nodes: ``:ID`` (the IRI), ``label``, ``:LABEL`` (``Provider``, ``PlanningForum`` or
    ``Organisation``) and the node fields. Edges: ``:START_ID``, ``:END_ID``, ``:TYPE``
    (``MEMBER_OF`` from member to forum; a link's type, as ``JOINT_TRAINING`` …, between
    its participants) and the edge fields.
    """
    node_rows = [[":ID", "label", ":LABEL", *NODE_FIELDS[1:]]]
    for node, data in sorted(G.nodes(data=True)):
        neo_label = _NEO4J_LABELS.get(data["kind"], "Organisation")
        node_rows.append([node, data["label"], neo_label, *(data[k] for k in NODE_FIELDS[1:])])
    edge_rows = [[":START_ID", ":END_ID", ":TYPE", *EDGE_FIELDS]]
    for a, b, data in _sorted_edges(G):
        relation = "MEMBER_OF" if data["kind"] == "membership" else _neo4j_type(data["link_type"])
        edge_rows.append([a, b, relation, *(data[k] for k in EDGE_FIELDS)])
    return _csv(node_rows), _csv(edge_rows)


KUMU_SEPARATOR = "|"
"""Between several values in one Kumu cell (Kumu's own convention)."""


def kumu_texts(G: Any) -> tuple[str, str]:
    """``kumu-elements.csv`` and ``kumu-connections.csv`` in Kumu's import shape.

    Elements: ``Label`` first (Kumu requires it in column A), then ``ID`` (the IRI, which
    connections refer to, so two organisations with one name stay two), ``Type``
    (Provider, Planning forum, Organisation), ``Sectors``, ``Areas`` and ``Tags`` with
    ``|`` between values. Connections: ``From``, ``To`` (element IDs), ``Type``,
    ``Direction`` (a membership is directed from member to forum, a link undirected),
    ``Label`` (the link id), ``Area``, ``Role``, ``Link IRI``.
    """
    kinds = {"provider": "Provider", "forum": "Planning forum"}

    def joined(values: Sequence[str]) -> str:
        # A value holding the separator would split in two: Kumu has no escape for it.
        return KUMU_SEPARATOR.join(v.replace(KUMU_SEPARATOR, "/") for v in values)

    elements = [["Label", "ID", "Type", "Sectors", "Areas", "Tags"]]
    for node, data in sorted(G.nodes(data=True)):
        sectors, areas = data["sector_list"], data["area_list"]
        kind = kinds.get(data["kind"], "Organisation")
        elements.append(
            [data["label"], node, kind, joined(sectors), joined(areas), joined([kind, *sectors])]
        )
    connections = [["From", "To", "Type", "Direction", "Label", "Area", "Role", "Link IRI"]]
    for a, b, data in _sorted_edges(G):
        membership = data["kind"] == "membership"
        connections.append(
            [
                a,
                b,
                "Member of" if membership else data["link_type"],
                "directed" if membership else "undirected",
                data["link"],
                data["area"],
                data["role"],
                data["link_iri"],
            ]
        )
    return _csv(elements), _csv(connections)


# --------------------------------------------------------------------------------------
# Writing


def export(
    store: Store, fmt: str, output: Path, areas: Sequence[URIRef] | None = None
) -> list[Path]:
    """Write ``store`` in format ``fmt`` to ``output`` (a folder for ``csv``); the files written.

    ``areas`` restricts the network formats (graphml, gexf, csv) to those areas.
    """
    from pcr_graph.core.files import atomic_write_text
    from pcr_graph.store.turtle import to_turtle

    output = Path(output)
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    if areas and fmt in RDF_FORMATS:
        raise UsageError("--area applies to graphml, gexf and csv; RDF exports hold everything")
    if fmt in RDF_FORMATS:
        if fmt == "trig":
            text = trig_text(store)
        else:
            graph = store.graph()
            text = {"turtle": to_turtle, "nt": nt_text, "jsonld": jsonld_text}[fmt](graph)
        atomic_write_text(output, text)
        return [output]
    labels = _area_labels(store, areas) if areas else None
    G = network_graph(store, labels, lists=fmt != "graphml")
    if fmt == "graphml":
        atomic_write_text(output, graphml_text(G))
        return [output]
    if fmt == "gexf":
        # Imported here to keep `pcr-graph --help` fast.
        from pcr_graph.share.gexf import gexf_text, map_looks

        atomic_write_text(output, gexf_text(G, map_looks(store, areas)))
        return [output]
    if output.exists() and not output.is_dir():
        raise UsageError(f"{output}: csv export writes a folder (nodes.csv, edges.csv)")
    written = []
    for names, texts in (
        (("nodes.csv", "edges.csv"), csv_texts(G)),
        (("kumu-elements.csv", "kumu-connections.csv"), kumu_texts(G)),
    ):
        for name, text in zip(names, texts, strict=True):
            atomic_write_text(output / name, text)
            written.append(output / name)
    return written


def _area_labels(store: Store, areas: Sequence[URIRef]) -> list[str]:
    labels = []
    for area in areas:
        table = store.select(
            "SELECT ?area ?label WHERE { ?area skos:prefLabel ?label } ORDER BY ?label",
            {"area": area},
        )
        labels += [str(row[1]) for row in table.rows if row[1] is not None]
    return labels


def read_graphml(path: Path) -> Any:
    """Read an exported GraphML file back (a MultiGraph keyed by edge id)."""
    import networkx as nx

    return nx.read_graphml(path, force_multigraph=True)


def read_csv_export(folder: Path) -> Any:
    """Read an exported ``nodes.csv``/``edges.csv`` pair back into a MultiGraph."""
    import networkx as nx

    G = nx.MultiGraph()
    with (Path(folder) / "nodes.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            G.add_node(row[":ID"], **{k: row[k] for k in NODE_FIELDS})
    with (Path(folder) / "edges.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            G.add_edge(row[":START_ID"], row[":END_ID"], **{k: row[k] for k in EDGE_FIELDS})
    return G


__all__ = [
    "EXPORT_FORMATS",
    "SEPARATOR",
    "csv_texts",
    "export",
    "graphml_text",
    "jsonld_text",
    "kumu_texts",
    "network_graph",
    "nt_text",
    "read_csv_export",
    "read_graphml",
    "trig_text",
]
