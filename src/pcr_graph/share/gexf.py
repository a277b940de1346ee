"""GEXF 1.3 (Gephi's format) of the collaboration network, drawn as the maps draw it.

Written here rather than by networkx, which writes GEXF 1.2draft (with an empty ``name``
attribute the schema refuses) and no visual data. The file is valid against the official
GEXF 1.3 schema (tests/share/test_export.py checks it with lxml) and carries, per node:

- ``viz:color``, ``viz:size``, ``viz:shape`` and ``viz:position`` from the area map
  (:func:`pcr_graph.render.maps.positions.area_positions`: the same palette, sizes and
  layout as ``pcr-graph render``, gap-marked nodes included; y is flipped, as Gephi's y axis
  points up). Areas are laid side by side in a grid; a node of no area with data (a
  participant from elsewhere) sits on a ring beside them, coloured by its first sector.
- one boolean attribute per sector (``sector:care-home`` …) and per area, instead of one
  joined string, so Gephi's partition sees each sector once; ``sector`` (the first sector,
  the one the colour comes from) for colouring by partition.

Every edge is undirected (networkx cannot read a graph that mixes both kinds); a
membership's ``source`` is the member and its ``target`` the forum. Same store, same bytes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import quoteattr

from rdflib import URIRef

from pcr_graph.store.engines import Store

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"

_SHAPES = {"dot": "disc", "ellipse": "disc", "circle": "disc", "square": "square",
           "box": "square", "triangle": "triangle", "triangleDown": "triangle",
           "diamond": "diamond"}  # fmt: skip
"""vis-network shapes (the map's) to GEXF's four."""

_AREA_GAP = 250.0
"""Pixels between two areas' drawings."""


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _attr(value: object) -> str:
    """``value`` as a quoted XML attribute, without the characters XML 1.0 cannot hold."""
    return quoteattr(_NOT_XML.sub("\ufffd", str(value)))


def _rgb(colour: str) -> tuple[int, int, int]:
    text = colour.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


def _areas_with_data(store: Store) -> list[URIRef]:
    table = store.select(
        "SELECT DISTINCT ?area WHERE { { ?p a pcr:Provider ; pcr:operatesIn ?area } "
        "UNION { ?f a pcr:PlanningForum ; pcr:area ?area } } ORDER BY ?area"
    )
    return [URIRef(str(row[0])) for row in table.rows if row[0] is not None]


def map_looks(store: Store, areas: Sequence[URIRef] | None = None) -> dict[str, Any]:
    """Each node (IRI) as the area maps draw it, areas laid side by side: a ``NodeLook``
    with its position moved into the shared plane."""
    # Imported here to keep `pcr-graph --help` fast.
    from dataclasses import replace

    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.render.mapdata import area_map
    from pcr_graph.render.maps.positions import area_positions

    iris = list(areas) if areas else _areas_with_data(store)
    if not iris:
        return {}
    report = run_gaps(store, areas=iris)
    drawings = []
    for iri in iris:
        looks = area_positions(area_map(store, iri, report))
        if looks:
            drawings.append(looks)
    columns = max(1, math.ceil(math.sqrt(len(drawings))))
    placed: dict[str, Any] = {}
    x0 = y0 = row_height = 0.0
    for number, looks in enumerate(drawings):
        xs = [look.x for look in looks.values()]
        ys = [look.y for look in looks.values()]
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        if number and number % columns == 0:
            x0, y0, row_height = 0.0, y0 + row_height + _AREA_GAP, 0.0
        for node, look in sorted(looks.items()):
            if node not in placed:
                x = x0 + look.x - min(xs)
                y = y0 + look.y - min(ys)
                placed[node] = replace(look, x=round(x), y=round(y))
        x0 += width + _AREA_GAP
        row_height = max(row_height, height)
    return placed


def gexf_text(G: Any, looks: Mapping[str, Any]) -> str:
    """GEXF 1.3 of the network ``G`` (from :func:`~pcr_graph.share.export.network_graph`),
    nodes drawn with ``looks`` (:func:`map_looks`)."""
    # Imported here to keep `pcr-graph --help` fast.
    from pcr_graph.render.maps.palette import sector_colour

    sectors = sorted({s for _, d in G.nodes(data=True) for s in d["sector_list"] if s})
    areas = sorted({a for _, d in G.nodes(data=True) for a in d["area_list"] if a})
    node_attributes = [("kind", "kind", "string"), ("iri", "iri", "string"),
                       ("sector", "sector", "string")]  # fmt: skip
    node_attributes += [(f"sector:{s}", f"sector: {s}", "boolean") for s in sectors]
    node_attributes += [(f"area:{n}", f"area: {a}", "boolean") for n, a in enumerate(areas)]
    edge_fields = ("kind", "link_type", "link", "link_iri", "area", "role")

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}" version="1.3">',
        "  <meta>",
        "    <creator>pcr-graph</creator>",
        "    <description>Provider collaboration network: providers and planning forums, "
        "collaboration links and forum memberships</description>",
        "  </meta>",
        '  <graph defaultedgetype="undirected" mode="static">',
        '    <attributes class="node">',
    ]
    for key, title, kind in node_attributes:
        default = "<default>false</default>" if kind == "boolean" else ""
        out.append(
            f"      <attribute id={_attr(key)} title={_attr(title)} "
            f'type="{kind}">{default}</attribute>'
            if default
            else f'      <attribute id={_attr(key)} title={_attr(title)} type="{kind}"/>'
        )
    out += ["    </attributes>", '    <attributes class="edge">']
    out += [f'      <attribute id="{k}" title="{k}" type="string"/>' for k in edge_fields]
    out += ["    </attributes>", f'    <nodes count="{G.number_of_nodes()}">']
    loose = sorted(n for n in G.nodes if n not in looks)
    for node, data in sorted(G.nodes(data=True)):
        first = next((s for s in data["sector_list"] if s), "")
        values = [("kind", data["kind"]), ("iri", data["iri"]), ("sector", first)]
        values += [(f"sector:{s}", "true") for s in sorted(set(data["sector_list"])) if s]
        values += [(f"area:{areas.index(a)}", "true") for a in sorted(set(data["area_list"])) if a]
        look = looks.get(node)
        if look is not None:
            colour, size, shape = look.colour, look.size, _SHAPES.get(look.shape, "disc")
            x, y = float(look.x), float(-look.y)
        else:  # on a ring beside the areas, in a fixed order
            angle = 2 * math.pi * loose.index(node) / max(1, len(loose))
            colour = sector_colour(first) if data["kind"] != "forum" else "#BBBBBB"
            size, shape = 8.0, "disc" if data["kind"] != "forum" else "diamond"
            x, y = -400.0 + 300.0 * math.cos(angle), 300.0 * math.sin(angle)
        r, g, b = _rgb(colour)
        out.append(f"      <node id={_attr(node)} label={_attr(data['label'])}>")
        out.append("        <attvalues>")
        out += [f"          <attvalue for={_attr(k)} value={_attr(v)}/>" for k, v in values]
        out.append("        </attvalues>")
        out.append(f'        <viz:color r="{r}" g="{g}" b="{b}"/>')
        out.append(f'        <viz:position x="{x:g}" y="{y:g}" z="0"/>')
        out.append(f'        <viz:size value="{size:g}"/>')
        out.append(f'        <viz:shape value="{shape}"/>')
        out.append("      </node>")
    edges = sorted(
        G.edges(keys=True, data=True), key=lambda e: (e[2], e[0], e[1], sorted(e[3].items()))
    )
    out += ["    </nodes>", f'    <edges count="{len(edges)}">']
    for a, b, key, data in edges:
        source, target = (
            (b, a) if data["kind"] == "membership" and G.nodes[a]["kind"] == "forum" else (a, b)
        )
        out.append(
            f"      <edge id={_attr(key)} source={_attr(source)} "
            f"target={_attr(target)} label={_attr(data['link_type'])}>"
        )
        out.append("        <attvalues>")
        out += [
            f"          <attvalue for={_attr(k)} value={_attr(str(data[k]))}/>"
            for k in edge_fields
            if data[k]
        ]
        out.append("        </attvalues>")
        out.append("      </edge>")
    out += ["    </edges>", "  </graph>", "</gexf>"]
    return "\n".join(out) + "\n"


__all__ = ["GEXF_NS", "VIZ_NS", "gexf_text", "map_looks"]
