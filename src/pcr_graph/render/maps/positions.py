"""Where and how each node of an area is drawn, for other renderers (GEXF export, say).

The same numbers the HTML map uses: the same layout, sizes, colours and shapes, so an
export opened in Gephi looks like the map.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pcr_graph.render.maps.layout import Arrangement, Footprint, arrange, wrap_label
from pcr_graph.render.maps.model import AreaMap
from pcr_graph.render.maps.palette import _GAP_BORDER, node_style

__all__ = ["Drawn", "NodeLook", "area_positions", "draw_nodes"]


@dataclass(frozen=True)
class NodeLook:
    """One node as the map draws it: position (pixels, y down), size, fill, border, shape."""

    x: int
    y: int
    size: float
    colour: str
    border: str
    shape: str


def _priorities(
    area: AreaMap, degree: Mapping[str, int], gap_texts: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    """Whose label matters most: forums, hubs (links), brokers (sectors reached), gaps."""
    sector = {n.id: (n.sectors[0] if n.sectors else "") for n in area.nodes}
    reached: dict[str, set[str]] = {n.id: set() for n in area.nodes}
    for edge in area.edges:
        reached[edge.source].add(sector[edge.target])
        reached[edge.target].add(sector[edge.source])
    return {
        n.id: (100.0 if n.kind == "forum" else 0.0)
        + 2.0 * degree.get(n.id, 0)
        + 3.0 * len(reached[n.id] - {sector[n.id]})
        + (4.0 if gap_texts[n.id] else 0.0)
        for n in area.nodes
    }


@dataclass(frozen=True)
class Drawn:
    """Everything the map decides about its nodes before building the page."""

    degree: dict[str, int]
    members: dict[str, int]
    gap_texts: dict[str, list[str]]
    looks: dict[str, NodeLook]
    labels: dict[str, str]
    arranged: Arrangement


def draw_nodes(area: AreaMap, seed: int = 7) -> Drawn:
    """Sizes, colours, shapes, wrapped labels and the layout of every node of ``area``."""
    degree: dict[str, int] = {}
    members: dict[str, int] = {}
    for edge in area.edges:
        counter = degree if edge.kind != "membership" else members
        for end in {edge.source, edge.target}:
            counter[end] = counter.get(end, 0) + 1
    gap_texts: dict[str, list[str]] = {node.id: list(node.gaps) for node in area.nodes}
    for gap in area.gaps:
        for node_id in gap.node_ids:
            texts = gap_texts.get(node_id)
            if texts is not None and gap.text not in texts:
                texts.append(gap.text)
    styles: dict[str, tuple[str, str, str, float]] = {}
    labels: dict[str, str] = {}
    for node in area.nodes:
        marked = bool(gap_texts[node.id])
        shape, fill, border = node_style(node)
        if node.kind == "forum":
            size = 14 + 2.5 * math.sqrt(members.get(node.id, 0))
        else:
            size = 8 + 4 * math.sqrt(degree.get(node.id, 0))
        styles[node.id] = (shape, fill, _GAP_BORDER if marked else border, round(min(size, 40), 1))
        labels[node.id] = wrap_label(("⚠ " if marked else "") + (node.label or node.id))
    footprints = {i: Footprint.of(labels[i], styles[i][3]) for i in styles}
    arranged = arrange(
        area.nodes, area.edges, degree, footprints, _priorities(area, degree, gap_texts), seed
    )
    looks = {
        i: NodeLook(*arranged.positions[i], styles[i][3], styles[i][1], styles[i][2], styles[i][0])
        for i in styles
    }
    return Drawn(degree, members, gap_texts, looks, labels, arranged)


def area_positions(area: AreaMap, seed: int = 7) -> dict[str, NodeLook]:
    """Each node of ``area`` (by id) as :func:`render_area_html` draws it with ``seed``:
    position, size, fill, border (red for a node named in a gap) and shape.

    Examples
    --------
    >>> from pcr_graph.render.maps.model import MapNode
    >>> area = AreaMap("a", "A", nodes=(MapNode("p", "P", "provider", ("care-home",), ()),))
    >>> area_positions(area)["p"].shape
    'square'
    """
    return dict(draw_nodes(area, seed).looks)
