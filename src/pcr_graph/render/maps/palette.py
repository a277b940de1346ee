"""The maps' visual vocabulary: sector colours and shapes, link styles, legend swatches.

Colours are Okabe–Ito and Paul Tol's colour-blind-safe sets; every sector group also has
its own shape, so colour is never the only cue.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from types import MappingProxyType

from pcr_graph.core.vocab import sector_group, sector_groups
from pcr_graph.render.maps.model import MapEdge, MapNode

__all__ = ["LINK_TYPE_STYLES", "SECTOR_COLOURS", "node_style", "sector_colour"]

#: Fill colour of each sector notation (the first sector of a provider colours it).
SECTOR_COLOURS: Mapping[str, str] = MappingProxyType(
    {
        "nhs": "#332288",
        "nhs-trust": "#332288",
        "acute-trust": "#0072B2",
        "emergency-department": "#D55E00",
        "ambulance": "#E69F00",
        "community-health": "#009E73",
        "mental-health": "#CC79A7",
        "nhs-111": "#56B4E9",
        "urgent-treatment-centre": "#F0E442",
        "primary-care": "#999933",
        "gp-practice": "#117733",
        "out-of-hours": "#88CCEE",
        "pharmacy": "#44AA99",
        "dental": "#DDCC77",
        "adult-social-care": "#882255",
        "care-home": "#CC6677",
        "domiciliary-care": "#AA4499",
        "local-authority": "#332288",
        "public-health": "#999933",
        "voluntary-sector": "#E69F00",
        "hospice": "#CC79A7",
        "education": "#0072B2",
        "healthwatch": "#56B4E9",
    }
)

# Sector notations not in the vocabulary ("more may be added") get a colour from here,
# chosen by a checksum of the notation so it is the same on every run.
_EXTRA_COLOURS = ("#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33")
_NO_SECTOR_COLOUR = "#888888"

# Sector display group (core.vocab: the skos:Collection groupings of sectors.ttl) -> vis
# shape. Which groups exist, their order and their legend headings come from the ontology.
_GROUP_SHAPES: Mapping[str, str] = MappingProxyType(
    {
        "nhs": "dot",
        "primary": "triangle",
        "social": "square",
        "council": "hexagon",
        "voluntary": "star",
        "other": "triangleDown",
    }
)


def _group_heading(group: str) -> str:
    """The legend heading of a sector display group: its ``skos:prefLabel``."""
    return next((g.label for g in sector_groups() if g.notation == group), group)


_FORUM_COLOUR = "#BBBBBB"
_FORUM_BORDER = "#555555"
_FORUM_SHAPE = "diamond"
_NODE_BORDER = "#2B2B2B"
_GAP_BORDER = "#C00000"

#: Colour and dash pattern (``[]`` = solid) of each link type notation.
LINK_TYPE_STYLES: Mapping[str, tuple[str, tuple[int, ...]]] = MappingProxyType(
    {
        "mutual-aid": ("#E69F00", ()),
        "shared-governance": ("#332288", ()),
        "discharge-coordination": ("#D55E00", ()),
        "information-sharing": ("#56B4E9", (8, 4)),
        "staff-redeployment": ("#009E73", ()),
        "joint-planning": ("#0072B2", (8, 4)),
        "joint-training": ("#CC79A7", (8, 4)),
        "shared-pathway": ("#117733", ()),
        "community-engagement": ("#999933", (8, 4)),
    }
)
_OTHER_LINK_STYLE = ("#666666", (2, 3))
_MEMBERSHIP_STYLE = ("#9A9A9A", (3, 4))

_SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}

_LINK_SUFFIX = re.compile(r"#\d+$")


def sector_colour(notation: str) -> str:
    """The fill colour of a sector notation ("" = no sector), the same on every run."""
    if not notation:
        return _NO_SECTOR_COLOUR
    known = SECTOR_COLOURS.get(notation)
    if known is not None:
        return known
    return _EXTRA_COLOURS[zlib.crc32(notation.encode("utf-8")) % len(_EXTRA_COLOURS)]


_sector_colour = sector_colour


def node_style(node: MapNode) -> tuple[str, str, str]:
    """``(vis shape, fill, border)`` of a node, before any gap marking."""
    if node.kind == "forum":
        return _FORUM_SHAPE, _FORUM_COLOUR, _FORUM_BORDER
    first = node.sectors[0] if node.sectors else ""
    return _GROUP_SHAPES[sector_group(first)], sector_colour(first), _NODE_BORDER


def _link_style(edge: MapEdge) -> tuple[str, tuple[int, ...]]:
    if edge.kind == "membership":
        return _MEMBERSHIP_STYLE
    return LINK_TYPE_STYLES.get(edge.link_type, _OTHER_LINK_STYLE)


def _node_key(node: MapNode) -> str:
    if node.kind == "forum":
        return "forum"
    return "sector:" + (node.sectors[0] if node.sectors else "")


def _edge_key(edge: MapEdge) -> str:
    return "membership" if edge.kind == "membership" else "link:" + edge.link_type


def _link_id(edge: MapEdge) -> str:
    """The collaboration link an edge belongs to (pairwise splits share it)."""
    return _LINK_SUFFIX.sub("", edge.id)


def _short(text: str, limit: int = 36) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_SWATCH_SHAPES = {
    "dot": '<circle cx="9" cy="9" r="7"/>',
    "triangle": '<polygon points="9,2 16.5,16 1.5,16"/>',
    "triangleDown": '<polygon points="1.5,2 16.5,2 9,16"/>',
    "square": '<rect x="2.5" y="2.5" width="13" height="13"/>',
    "hexagon": '<polygon points="9,1.5 15.5,5.25 15.5,12.75 9,16.5 2.5,12.75 2.5,5.25"/>',
    "star": '<polygon points="9,1 11.1,6.6 17,6.8 12.4,10.5 14,16.3 9,13 4,16.3 5.6,10.5 1,6.8 '
    '6.9,6.6"/>',
    "diamond": '<polygon points="9,1 17,9 9,17 1,9"/>',
}


def _shape_swatch(shape: str, fill: str, border: str = _NODE_BORDER, width: float = 1) -> str:
    return (
        f'<svg class="sw" viewBox="0 0 18 18" aria-hidden="true">'
        f'<g fill="{fill}" stroke="{border}" stroke-width="{width}">'
        f"{_SWATCH_SHAPES[shape]}</g></svg>"
    )


def _line_swatch(colour: str, dashes: tuple[int, ...], width: float) -> str:
    dash = f' stroke-dasharray="{",".join(map(str, dashes))}"' if dashes else ""
    return (
        f'<svg class="sw wide" viewBox="0 0 30 18" aria-hidden="true"><line x1="1" y1="9" '
        f'x2="29" y2="9" stroke="{colour}" stroke-width="{width}"{dash}/></svg>'
    )
