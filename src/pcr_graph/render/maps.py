"""Offline, escaped, interactive HTML maps of one area's providers, links and forums.

Each map is a single self-contained HTML file: the vis-network library that ships with
pyvis is inlined, the graph data is embedded as escaped JSON, and a Content-Security-Policy
forbids every network load, so a map opens on a laptop with no internet and a hostile
provider name cannot run script. The graph itself is assembled with pyvis's ``Network``
(``add_node`` / ``add_edge``); the page around it is our own template, because pyvis's
``write_html`` drops a ``lib/`` folder in the working directory and loads Bootstrap and
tom-select from CDNs.

Positions are computed here, in Python, once: a seeded force-directed layout for small
areas and a sector-grouped layout for big ones. vis draws them with physics off, so the same
input always gives the same picture and byte-identical HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import math
import random
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pcr_graph.core.errors import PcrGraphError
from pcr_graph.core.files import atomic_write_text
from pcr_graph.core.vocab import sector_group, sector_sort_key

__all__ = [
    "LINK_TYPE_STYLES",
    "SECTOR_COLOURS",
    "SPRING_LIMIT",
    "STATIC_PAGE_HEAD",
    "AreaMap",
    "IndexEntry",
    "MapEdge",
    "MapGap",
    "MapNode",
    "Overview",
    "OverviewArea",
    "OverviewEdge",
    "RenderError",
    "csp_hash",
    "esc",
    "render_area_html",
    "render_index_html",
    "render_overview_html",
    "script_json",
    "write_html",
]


@dataclass(frozen=True)
class MapNode:
    """A provider or planning forum as drawn on a map.

    Every text field is untrusted: it is escaped wherever it is shown.
    """

    id: str
    label: str
    kind: str
    sectors: tuple[str, ...]
    sector_labels: tuple[str, ...]
    identifiers: tuple[tuple[str, str], ...] = ()
    gaps: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapEdge:
    """A collaboration link between two providers, or a forum membership.

    A link with three or more participants arrives as several pairwise edges whose ids
    share the link's IRI (``<link-iri>#1``, ``<link-iri>#2`` ...).
    """

    id: str
    source: str
    target: str
    kind: str
    link_type: str = ""
    link_type_label: str = ""
    label: str = ""
    period: str = ""
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class MapGap:
    """One gap-rule hit shown in the side panel; clicking it focuses ``node_ids``."""

    rule: str
    severity: str
    text: str
    node_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AreaMap:
    """Everything one area's map shows."""

    area_id: str
    title: str
    subtitle: str = ""
    nodes: tuple[MapNode, ...] = ()
    edges: tuple[MapEdge, ...] = ()
    gaps: tuple[MapGap, ...] = ()


@dataclass(frozen=True)
class IndexEntry:
    """One row of the index page: an area map and its headline numbers."""

    href: str
    title: str
    providers: int
    links: int
    gaps_by_severity: tuple[tuple[str, int], ...]
    heatmap_href: str = ""
    """The area's sector × sector heatmap (relative), if one was drawn."""


@dataclass(frozen=True)
class OverviewArea:
    """One area on the national overview map.

    Every text field is untrusted: it is escaped wherever it is shown.
    """

    id: str
    label: str
    providers: int
    links: int = 0
    score: int = 0
    gaps_by_severity: tuple[tuple[str, int], ...] = ()
    href: str = ""
    """The area's own map, relative to the overview page ("" for none)."""


@dataclass(frozen=True)
class OverviewEdge:
    """The collaboration links that join two areas, one descriptive line per link."""

    source: str
    target: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class Overview:
    """Everything the national overview map shows."""

    title: str
    subtitle: str = ""
    areas: tuple[OverviewArea, ...] = ()
    edges: tuple[OverviewEdge, ...] = ()
    score_rule: str = ""
    """How the gap score is computed, in words (shown in the legend)."""
    report_href: str = ""
    """The HTML gap report, relative to the overview page ("" for none)."""


class RenderError(PcrGraphError):
    """The map cannot be drawn (for example, pyvis's vis-network files are missing)."""


# --------------------------------------------------------------------------------------
# Visual vocabulary. Colours are Okabe–Ito and Paul Tol's colour-blind-safe sets; every
# sector group also has its own shape, so colour is never the only cue.

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

# group -> (legend heading, vis shape)
_GROUPS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "nhs": ("NHS trusts and services", "dot"),
        "primary": ("Primary care", "triangle"),
        "social": ("Adult social care", "square"),
        "council": ("Local authority", "hexagon"),
        "voluntary": ("Voluntary sector and hospices", "star"),
        "other": ("Other", "triangleDown"),
    }
)

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

#: Areas with more nodes than this get the cheap sector-grouped layout and straight edges.
SPRING_LIMIT = 300

_VIS_DIR = "templates/lib/vis-9.1.2"
_LINK_SUFFIX = re.compile(r"#\d+$")


# --------------------------------------------------------------------------------------
# Escaping


def esc(text: object) -> str:
    """HTML-escape ``text`` for element content and quoted attribute values.

    U+2028 and U+2029 are harmless in HTML but are written as references too, so no
    untrusted line separator reaches the page raw.
    """
    escaped = html.escape(str(text), quote=True)
    return escaped.replace("\u2028", "&#x2028;").replace("\u2029", "&#x2029;")


_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "'": "\\u0027",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JSON_UNSAFE = re.compile("[<>&'\u2028\u2029]")


def script_json(value: object) -> str:
    """JSON that is safe inside ``<script>``: no ``</script>``, ``<!--`` or line separators.

    ``'`` is escaped too, so no markup-significant character of untrusted text is left raw.
    The six characters only ever occur inside JSON strings, where ``\\uXXXX`` means the
    same thing, so the result still parses to ``value``.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], text)


def csp_hash(script: str) -> str:
    """The Content-Security-Policy source (``'sha256-…'``) that allows exactly ``script``."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _relative_href(href: str) -> str:
    """A link target that can only point at a file beside the index page."""
    if href.startswith(("/", "\\")) or "\\" in href:
        raise ValueError(f"index href must be a relative file name, not {href!r}")
    # "javascript:x.html" is a legal file name; "./" keeps the browser reading it as one.
    return "./" + href if _SCHEME.match(href) else href


# --------------------------------------------------------------------------------------
# Assets


@cache
def _vis_assets() -> tuple[str, str]:
    """The vis-network script shipped with pyvis, and the CSS rules the map needs."""
    from importlib.util import find_spec

    spec = find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise RenderError("pyvis is not installed; it provides the vis-network library")
    folder = Path(spec.origin).parent / _VIS_DIR
    js_file, css_file = folder / "vis-network.min.js", folder / "vis-network.css"
    for needed in (js_file, css_file):
        if not needed.is_file():
            raise RenderError(f"vis-network file missing from the pyvis package: {needed}")
    script = js_file.read_text(encoding="utf-8")
    if re.search(r"</script|<!--", script, re.IGNORECASE):
        # Would end (or confuse) the inline <script> element; never true for vis 9.1.2.
        raise RenderError(f"{js_file} cannot be inlined in a <script> element")
    css = css_file.read_text(encoding="utf-8")
    # Only the tooltip rule: the rest styles the editor and configurator, which maps do
    # not use (and is 200 kB).
    rules = [rule.strip() + "}" for rule in css.split("}") if "vis-tooltip" in rule]
    return script, "".join(rules)


# --------------------------------------------------------------------------------------
# Styling helpers


def _sector_colour(notation: str) -> str:
    if not notation:
        return _NO_SECTOR_COLOUR
    known = SECTOR_COLOURS.get(notation)
    if known is not None:
        return known
    return _EXTRA_COLOURS[zlib.crc32(notation.encode("utf-8")) % len(_EXTRA_COLOURS)]


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


# --------------------------------------------------------------------------------------
# Layout


def _spring_positions(
    count: int, pairs: Sequence[tuple[int, int]], seed: int
) -> list[tuple[float, float]]:
    """Fruchterman–Reingold with a grid cut-off, in plain Python, in units of edge length.

    Plain float arithmetic from a seeded ``random.Random`` gives the same numbers on every
    platform (numpy-based layouts can differ between builds), and the grid keeps the cost
    near-linear: repulsion is only computed between nodes in neighbouring cells.
    """
    rng = random.Random(seed)
    side = math.sqrt(count) + 1.0
    xs = [rng.random() * side for _ in range(count)]
    ys = [rng.random() * side for _ in range(count)]
    centre = side / 2.0
    iterations = 120 if count <= 100 else 80
    temperature = side / 6.0
    cooling = temperature / (iterations + 1)
    cell = 3.0
    gravity = 0.015
    forward = ((1, -1), (1, 0), (1, 1), (0, 1))
    for _ in range(iterations):
        fx = [0.0] * count
        fy = [0.0] * count
        grid: dict[tuple[int, int], list[int]] = {}
        for i in range(count):
            grid.setdefault((math.floor(xs[i] / cell), math.floor(ys[i] / cell)), []).append(i)
        for (cx, cy), members in grid.items():
            neighbours = [members]
            for ox, oy in forward:
                other = grid.get((cx + ox, cy + oy))
                if other is not None:
                    neighbours.append(other)
            for a_pos, i in enumerate(members):
                xi, yi = xs[i], ys[i]
                for n_pos, group in enumerate(neighbours):
                    for j in group[a_pos + 1 :] if n_pos == 0 else group:
                        dx = xi - xs[j]
                        dy = yi - ys[j]
                        d2 = dx * dx + dy * dy
                        if d2 >= cell * cell:
                            continue
                        if d2 < 1e-9:  # coincident: push apart along a fixed direction
                            dx, dy, d2 = 0.01 * (1 + (i + j) % 7), 0.01, 0.0002
                        f = 1.0 / d2
                        fx[i] += dx * f
                        fy[i] += dy * f
                        fx[j] -= dx * f
                        fy[j] -= dy * f
        for i, j in pairs:
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            d = math.sqrt(dx * dx + dy * dy)
            fx[i] -= dx * d
            fy[i] -= dy * d
            fx[j] += dx * d
            fy[j] += dy * d
        for i in range(count):
            gx = fx[i] - gravity * (xs[i] - centre)
            gy = fy[i] - gravity * (ys[i] - centre)
            length = math.sqrt(gx * gx + gy * gy)
            if length > temperature:
                gx *= temperature / length
                gy *= temperature / length
            xs[i] += gx
            ys[i] += gy
        temperature -= cooling
    return list(zip(xs, ys, strict=True))


def _grouped_positions(
    groups: Sequence[Sequence[int]], count: int, forums: Sequence[int]
) -> list[tuple[float, float]]:
    """Forums in the middle, each sector a sunflower disc on a ring around them.

    Within a disc the best-connected providers sit at the centre. Linear time, so an area
    of thousands of providers is laid out instantly, and every sector is easy to find.
    """
    positions = [(0.0, 0.0)] * count
    spread = 0.62  # disc radius factor: about one edge length between neighbours
    golden = math.pi * (3.0 - math.sqrt(5.0))

    def disc(members: Sequence[int], cx: float, cy: float) -> None:
        for rank, index in enumerate(members):
            r = spread * math.sqrt(rank + 0.5)
            positions[index] = (cx + r * math.cos(rank * golden), cy + r * math.sin(rank * golden))

    def radius(size: int) -> float:
        return spread * math.sqrt(size) + 0.5

    disc(forums, 0.0, 0.0)
    if not groups:
        return positions
    gap = 2.0
    radii = [radius(len(g)) for g in groups]
    budget = [2 * r + gap for r in radii]
    total = sum(budget)
    centres = []
    travelled = 0.0
    for share in budget:
        centres.append(2 * math.pi * (travelled + share / 2) / total - math.pi / 2)
        travelled += share
    inner = (radius(len(forums)) if forums else 0.0) + gap
    ring = max(total / (2 * math.pi), inner + max(radii))
    if len(groups) > 1:
        # Arc lengths were shared out; chords are shorter, so widen the ring until
        # neighbouring discs no longer touch.
        for _ in range(60):
            crowded = False
            for k in range(len(groups)):
                nxt = (k + 1) % len(groups)
                step = (centres[nxt] - centres[k]) % (2 * math.pi) or 2 * math.pi
                chord = 2 * ring * math.sin(min(step, math.pi) / 2)
                if chord < radii[k] + radii[nxt] + gap:
                    crowded = True
                    break
            if not crowded:
                break
            ring *= 1.08
    for members, angle in zip(groups, centres, strict=True):
        disc(members, ring * math.cos(angle), ring * math.sin(angle))
    return positions


def _layout(
    nodes: Sequence[MapNode], edges: Sequence[MapEdge], degree: Mapping[str, int], seed: int
) -> dict[str, tuple[int, int]]:
    """Pixel positions for every node, the same for the same input."""
    # Lay out in id order, so the picture does not depend on the order rows arrived in.
    order = sorted(nodes, key=lambda n: n.id)
    index = {node.id: i for i, node in enumerate(order)}
    if len(order) <= SPRING_LIMIT:
        pairs = sorted({(index[e.source], index[e.target]) for e in edges})
        raw = _spring_positions(len(order), pairs, seed)
        scale = 100.0
    else:
        forums: list[int] = []
        by_sector: dict[str, list[int]] = {}
        for i, node in enumerate(order):
            if node.kind == "forum":
                forums.append(i)
            else:
                by_sector.setdefault(node.sectors[0] if node.sectors else "", []).append(i)

        def busiest_first(i: int) -> tuple[int, str, str]:
            return (-degree.get(order[i].id, 0), order[i].label.casefold(), order[i].id)

        groups = [
            sorted(by_sector[key], key=busiest_first)
            for key in sorted(by_sector, key=sector_sort_key)
        ]
        raw = _grouped_positions(groups, len(order), sorted(forums, key=busiest_first))
        scale = 60.0
    if not raw:
        return {}
    mean_x = sum(x for x, _ in raw) / len(raw)
    mean_y = sum(y for _, y in raw) / len(raw)
    return {
        node.id: (round((x - mean_x) * scale), round((y - mean_y) * scale))
        for node, (x, y) in zip(order, raw, strict=True)
    }


# --------------------------------------------------------------------------------------
# Building the pyvis network


def _check(area: AreaMap) -> None:
    ids: set[str] = set()
    for node in area.nodes:
        if node.id in ids:
            raise ValueError(f"duplicate node id {node.id!r} in area {area.area_id!r}")
        ids.add(node.id)
    edge_ids: set[str] = set()
    for edge in area.edges:
        if edge.id in edge_ids:
            raise ValueError(f"duplicate edge id {edge.id!r} in area {area.area_id!r}")
        edge_ids.add(edge.id)
        for end in (edge.source, edge.target):
            if end not in ids:
                raise ValueError(f"edge {edge.id!r} names unknown node {end!r}")


def _node_tooltip(node: MapNode, links: int, members: int, gaps: Sequence[str]) -> str:
    lines = [node.label]
    if node.kind == "forum":
        lines.append(f"Planning forum · {members} member{'s' if members != 1 else ''}")
    else:
        names = node.sector_labels or node.sectors
        lines.append("Sector: " + (", ".join(names) if names else "unknown"))
        lines.append(f"Collaboration links: {links}")
    lines.extend(f"{scheme}: {value}" for scheme, value in node.identifiers)
    if gaps:
        lines.append("Gaps:")
        lines.extend("• " + text for text in gaps)
    return "\n".join(lines)


def _edge_tooltip(edge: MapEdge, names: Mapping[str, str]) -> str:
    if edge.kind == "membership":
        head = "Forum membership" + (f": {edge.label}" if edge.label else "")
    else:
        head = edge.link_type_label or edge.link_type or "Collaboration link"
        if edge.label:
            head += f" ({edge.label})"
    lines = [head, f"{names[edge.source]} — {names[edge.target]}"]
    if edge.period:
        lines.append(f"Period: {edge.period}")
    if edge.evidence:
        lines.append("Evidence:")
        lines.extend("• " + line for line in edge.evidence)
    elif edge.kind == "link":
        lines.append("Evidence: none recorded")
    return "\n".join(lines)


@dataclass(frozen=True)
class _Prepared:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]


def _prepare(area: AreaMap, seed: int) -> _Prepared:
    """Build the pyvis Network for ``area`` and take its nodes, edges and options."""
    from pyvis.network import Network

    _check(area)
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
    large = len(area.nodes) > SPRING_LIMIT
    positions = _layout(area.nodes, area.edges, degree, seed)
    names = {node.id: node.label for node in area.nodes}

    # directed=True only to skip pyvis's quadratic duplicate-edge check, which would also
    # merge two different links between the same pair; arrows are switched off below.
    net = Network(directed=True, cdn_resources="in_line")
    for node in area.nodes:
        marked = bool(gap_texts[node.id])
        x, y = positions[node.id]
        if node.kind == "forum":
            shape, fill, border = _FORUM_SHAPE, _FORUM_COLOUR, _FORUM_BORDER
            size = 14 + 2.5 * math.sqrt(members.get(node.id, 0))
        else:
            first = node.sectors[0] if node.sectors else ""
            shape = _GROUPS[sector_group(first)][1]
            fill, border = _sector_colour(first), _NODE_BORDER
            size = 9 + 5 * math.sqrt(degree.get(node.id, 0))
        if marked:
            border = _GAP_BORDER
        label = _short(node.label or node.id)
        net.add_node(
            node.id,
            label=("⚠ " + label) if marked else label,
            shape=shape,
            color={
                "background": fill,
                "border": border,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
            size=round(min(size, 48), 1),
            borderWidth=5 if marked else 1.5,
            borderWidthSelected=6 if marked else 3,
            title=_node_tooltip(
                node, degree.get(node.id, 0), members.get(node.id, 0), gap_texts[node.id]
            ),
            x=x,
            y=y,
            pcrName=node.label,
            pcrKey=_node_key(node),
            pcrGap=marked,
        )
    seen_pairs: dict[frozenset[str], int] = {}
    for edge in area.edges:
        colour, dashes = _link_style(edge)
        pair = frozenset((edge.source, edge.target))
        parallel = seen_pairs.get(pair, 0)
        seen_pairs[pair] = parallel + 1
        # Several links between one pair fan out as curves, so none hides another.
        smooth: dict[str, Any] | bool = False
        if parallel and not large:
            side = "curvedCW" if parallel % 2 else "curvedCCW"
            smooth = {"enabled": True, "type": side, "roundness": 0.2 * ((parallel + 1) // 2)}
        membership = edge.kind == "membership"
        net.add_edge(
            edge.source,
            edge.target,
            id=edge.id,
            color={"color": colour, "highlight": colour, "hover": colour, "inherit": False},
            dashes=list(dashes) if dashes else False,
            width=1 if membership else 2.5,
            smooth=smooth,
            title=_edge_tooltip(edge, names),
            pcrKey=_edge_key(edge),
        )
    net.options = {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": large,
            "hideEdgesOnZoom": large,
            "multiselect": True,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {
            "font": {
                "size": 14,
                "face": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "color": "#1B1B1B",
                "strokeWidth": 4,
                "strokeColor": "#FFFFFF",
            },
        },
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1},
    }
    vis_nodes, vis_edges, *_rest = net.get_network_data()
    # pyvis adds "arrows": "to" to every edge of a directed Network; these are undirected.
    plain_edges = [{k: v for k, v in e.items() if k != "arrows"} for e in vis_edges]
    return _Prepared(list(vis_nodes), plain_edges, net.options)


# --------------------------------------------------------------------------------------
# Page fragments (all untrusted text passes through esc)

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


def _filter_row(key: str, swatch: str, label: str, count: int) -> str:
    return (
        f'<li><label><input type="checkbox" checked data-filter="{esc(key)}"> {swatch} '
        f'<span class="name">{esc(label)}</span> <span class="count">{count}</span>'
        f"</label></li>"
    )


def _legend(area: AreaMap) -> str:
    sectors: dict[str, tuple[str, int]] = {}
    forums = 0
    for node in area.nodes:
        if node.kind == "forum":
            forums += 1
            continue
        notation = node.sectors[0] if node.sectors else ""
        label = node.sector_labels[0] if node.sector_labels else (notation or "Unknown sector")
        old = sectors.get(notation)
        sectors[notation] = (old[0] if old else label, (old[1] if old else 0) + 1)
    rows: list[str] = []
    group_seen = ""
    for notation in sorted(sectors, key=sector_sort_key):
        group = sector_group(notation)
        if group != group_seen:
            rows.append(f'<li class="group">{esc(_GROUPS[group][0])}</li>')
            group_seen = group
        label, count = sectors[notation]
        swatch = _shape_swatch(_GROUPS[group][1], _sector_colour(notation))
        rows.append(_filter_row("sector:" + notation, swatch, label, count))
    if forums:
        rows.append('<li class="group">Planning forums</li>')
        swatch = _shape_swatch(_FORUM_SHAPE, _FORUM_COLOUR, _FORUM_BORDER)
        rows.append(_filter_row("forum", swatch, "Planning forum", forums))

    link_types: dict[str, tuple[str, set[str]]] = {}
    memberships = 0
    for edge in area.edges:
        if edge.kind == "membership":
            memberships += 1
            continue
        old_link = link_types.get(edge.link_type)
        name = old_link[0] if old_link else (edge.link_type_label or edge.link_type or "Other")
        ids = old_link[1] if old_link else set()
        ids.add(_link_id(edge))
        link_types[edge.link_type] = (name, ids)
    link_rows: list[str] = []
    order = {notation: rank for rank, notation in enumerate(LINK_TYPE_STYLES)}
    for notation in sorted(link_types, key=lambda t: (order.get(t, 99), t)):
        name, ids = link_types[notation]
        colour, dashes = LINK_TYPE_STYLES.get(notation, _OTHER_LINK_STYLE)
        link_rows.append(
            _filter_row("link:" + notation, _line_swatch(colour, dashes, 3), name, len(ids))
        )
    if memberships:
        colour, dashes = _MEMBERSHIP_STYLE
        link_rows.append(
            _filter_row(
                "membership", _line_swatch(colour, dashes, 1.5), "Forum membership", memberships
            )
        )
    marker = _shape_swatch("dot", "#FFFFFF", _GAP_BORDER, 3)
    return (
        '<details open id="pcr-legend"><summary>Legend and filters</summary>'
        '<p class="hint">Untick to hide. Size = number of collaboration links.</p>'
        '<h3>Providers by sector</h3><ul class="legend" id="pcr-sector-filters">'
        + ("".join(rows) or '<li class="empty">No providers.</li>')
        + '</ul><h3>Links by type</h3><ul class="legend" id="pcr-link-filters">'
        + ("".join(link_rows) or '<li class="empty">No links.</li>')
        + f'</ul><p class="hint">{marker} ⚠ thick red outline: named in a gap.</p></details>'
    )


def _sorted_gaps(gaps: Sequence[MapGap]) -> list[tuple[int, MapGap]]:
    """Gaps with their input position, most severe first (stable within a severity)."""
    return sorted(enumerate(gaps), key=lambda p: (_SEVERITY_RANK.get(p[1].severity, 3), p[0]))


def _gap_panel(area: AreaMap) -> str:
    if not area.gaps:
        return (
            '<details open id="pcr-gaps"><summary>Gaps (0)</summary>'
            '<p class="hint">No gaps found in this area.</p></details>'
        )
    items = []
    for index, gap in _sorted_gaps(area.gaps):
        css = gap.severity if gap.severity in _SEVERITY_RANK else "other"
        items.append(
            f'<li><button type="button" class="gap" data-gap="{index}">'
            f'<span class="sev {css}">{esc(gap.severity)}</span> '
            f'<span class="text">{esc(gap.text)}</span>'
            f'<span class="rule">{esc(gap.rule)}</span></button></li>'
        )
    return (
        f'<details open id="pcr-gaps"><summary>Gaps ({len(area.gaps)})</summary>'
        '<p class="hint">Select a gap to show the providers it names.</p>'
        f'<ol class="gaps">{"".join(items)}</ol></details>'
    )


_MAP_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{display:flex;flex-direction:column;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,
sans-serif;color:#1b1b1b;background:#fff}
header{padding:.5rem 1rem;border-bottom:1px solid #d0d0d0;background:#f6f6f4}
header h1{font-size:1.2rem;margin:0}
header p{margin:.1rem 0 0;color:#444}
.subtitle{font-weight:600;color:#7a4a00}
.layout{flex:1;display:flex;min-height:0}
#pcr-map{flex:1;min-width:0;min-height:300px;position:relative;background:#fff}
aside{width:23rem;max-width:40vw;overflow:auto;border-left:1px solid #d0d0d0;padding:.5rem .8rem;
background:#fbfbfa}
aside h3{font-size:.85rem;margin:.6rem 0 .2rem;text-transform:uppercase;color:#555}
summary{font-weight:700;cursor:pointer;padding:.3rem 0}
details{border-bottom:1px solid #e2e2e2;padding-bottom:.4rem}
.hint{color:#555;font-size:.85rem;margin:.2rem 0}
form.search{display:flex;gap:.3rem;margin:.3rem 0}
form.search input{flex:1;min-width:0;font:inherit;padding:.35rem .5rem;border:1px solid #888;
border-radius:4px}
form.search button,#pcr-reset{font:inherit;padding:.35rem .7rem;border:1px solid #888;
border-radius:4px;background:#fff;cursor:pointer}
#pcr-status{min-height:1.2em}
ul.legend{list-style:none;margin:0;padding:0}
ul.legend li{margin:.1rem 0}
ul.legend li.group{font-size:.8rem;color:#555;margin-top:.35rem}
ul.legend label{display:flex;align-items:center;gap:.35rem;cursor:pointer}
ul.legend .name{flex:1;overflow-wrap:anywhere}
.count{color:#555;font-variant-numeric:tabular-nums}
svg.sw{width:18px;height:18px;flex:none;vertical-align:middle}
svg.sw.wide{width:30px}
ol.gaps{list-style:none;margin:0;padding:0}
ol.gaps li{margin:.25rem 0}
button.gap{display:block;width:100%;text-align:left;font:inherit;background:#fff;
border:1px solid #ccc;border-radius:4px;padding:.35rem .5rem;cursor:pointer}
button.gap:hover,button.gap:focus{border-color:#333}
.gap .text{overflow-wrap:anywhere}
.gap .rule{display:block;color:#666;font-size:.8rem;overflow-wrap:anywhere}
.sev{display:inline-block;font-size:.75rem;font-weight:700;text-transform:uppercase;
padding:0 .3rem;border-radius:3px;border:1px solid #333;background:#fff}
.sev.high{background:#C00000;color:#fff;border-color:#C00000}
.sev.medium{background:#F0E442;color:#000}
.sev.low{background:#e8e8e8;color:#000}
#pcr-details{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.9rem;margin:.3rem 0;
background:#fff;border:1px solid #ddd;padding:.4rem;border-radius:4px}
div.vis-tooltip{white-space:pre-wrap!important;max-width:min(28rem,85vw);
overflow-wrap:anywhere;font-family:inherit!important;font-size:13px!important}
@media (max-width:760px){
html,body{height:auto}
.layout{flex-direction:column}
#pcr-map{flex:none;height:70vh}
aside{width:auto;max-width:none;border-left:0;border-top:1px solid #d0d0d0}
}
"""

_MAP_JS = r"""
(function () {
  "use strict";
  var raw = JSON.parse(document.getElementById("pcr-data").textContent);
  var nodes = new vis.DataSet(raw.nodes);
  var edges = new vis.DataSet(raw.edges);
  var network = new vis.Network(document.getElementById("pcr-map"),
    {nodes: nodes, edges: edges}, raw.options);
  window.pcrNetwork = network;
  window.pcrData = {nodes: nodes, edges: edges};
  window.pcrReady = false;
  network.once("afterDrawing", function () {
    window.pcrReadyMs = performance.now();
    window.pcrReady = true;
  });
  function overview() {
    network.fit({animation: false});
    // fit() frames the nodes, not their labels: leave a margin for the outer labels.
    network.moveTo({scale: network.getScale() * 0.9, animation: false});
  }
  overview();

  var details = document.getElementById("pcr-details");
  var statusLine = document.getElementById("pcr-status");
  function show(text) { details.textContent = text; details.hidden = !text; }
  function say(text) { statusLine.textContent = text; }

  // vis animates frame by frame: on a big map each frame is slow, so jump instead.
  var animation = raw.nodes.length <= 500 ? {duration: 300, easingFunction: "easeInOutQuad"}
    : false;

  var hidden = {};
  function applyFilters() {
    var off = {};
    var nodeChanges = [];
    raw.nodes.forEach(function (n) {
      var h = hidden[n.pcrKey] === true;
      if (h) { off[n.id] = true; }
      if ((nodes.get(n.id).hidden === true) !== h) { nodeChanges.push({id: n.id, hidden: h}); }
    });
    var edgeChanges = [];
    raw.edges.forEach(function (e) {
      var h = hidden[e.pcrKey] === true || off[e.from] === true || off[e.to] === true;
      if ((edges.get(e.id).hidden === true) !== h) { edgeChanges.push({id: e.id, hidden: h}); }
    });
    if (nodeChanges.length) { nodes.update(nodeChanges); }
    if (edgeChanges.length) { edges.update(edgeChanges); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-filter]"), function (box) {
    box.addEventListener("change", function () {
      hidden[box.getAttribute("data-filter")] = !box.checked;
      applyFilters();
    });
  });

  function visible(id) { var n = nodes.get(id); return n !== null && n.hidden !== true; }
  function focusNodes(ids) {
    ids = ids.filter(visible);
    if (!ids.length) { network.unselectAll(); return 0; }
    network.selectNodes(ids);
    if (ids.length === 1) {
      network.focus(ids[0], {scale: Math.max(network.getScale(), 1.1), animation: animation});
      show(nodes.get(ids[0]).title);
    } else {
      network.fit({nodes: ids, maxZoomLevel: 1.4, animation: animation});
    }
    return ids.length;
  }
  window.pcrFocus = focusNodes;

  var list = document.getElementById("pcr-names");
  var byName = {};
  raw.nodes.slice().sort(function (a, b) {
    return a.pcrName < b.pcrName ? -1 : a.pcrName > b.pcrName ? 1 : 0;
  }).forEach(function (n) {
    var key = n.pcrName.toLowerCase();
    if (!(key in byName)) {
      byName[key] = n.id;
      var option = document.createElement("option");
      option.value = n.pcrName;
      list.appendChild(option);
    }
  });
  function search(text) {
    var q = text.trim().toLowerCase();
    if (!q) { return; }
    var found = byName[q];
    if (found === undefined || !visible(found)) {
      found = undefined;
      var all = raw.nodes.filter(function (n) { return visible(n.id); });
      var starts = all.filter(function (n) { return n.pcrName.toLowerCase().indexOf(q) === 0; });
      var within = all.filter(function (n) { return n.pcrName.toLowerCase().indexOf(q) >= 0; });
      var hit = starts[0] || within[0];
      if (hit) { found = hit.id; }
    }
    if (found === undefined) { say("No shown provider or forum matches."); return; }
    focusNodes([found]);
    say("Showing: " + nodes.get(found).pcrName);
  }
  document.getElementById("pcr-search").addEventListener("submit", function (event) {
    event.preventDefault();
    search(document.getElementById("pcr-q").value);
  });
  // Picking a suggestion from the list is an "input" event with no typing behind it.
  document.getElementById("pcr-q").addEventListener("input", function (event) {
    if (!event.inputType || event.inputType === "insertReplacementText") {
      search(event.target.value);
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("button.gap"), function (button) {
    button.addEventListener("click", function () {
      var gap = raw.gaps[Number(button.getAttribute("data-gap"))];
      var shown = focusNodes(gap.nodes);
      // One node: the details box shows that node, gap texts included.
      if (shown !== 1) { show(gap.text); }
      say(shown ? "" : gap.nodes.length ? "Its providers are hidden by a filter." :
        "This gap concerns the whole area.");
    });
  });

  network.on("click", function (params) {
    if (params.nodes.length) { show(nodes.get(params.nodes[0]).title); }
    else if (params.edges.length) { show(edges.get(params.edges[0]).title); }
    else { show(""); }
  });
  document.getElementById("pcr-reset").addEventListener("click", function () {
    network.unselectAll();
    overview();
    show("");
    say("");
  });
})();
"""

_MAP_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<link rel="icon" href="data:,">
<style>@@VISCSS@@</style>
<style>@@CSS@@</style>
</head>
<body>
<header>
<h1>@@TITLE@@</h1>
@@SUBTITLE@@<p class="summary">@@SUMMARY@@</p>
</header>
<div class="layout">
<div id="pcr-map" role="img" aria-label="Network map of providers and their links"></div>
<aside>
<form class="search" id="pcr-search" role="search">
<input id="pcr-q" type="search" list="pcr-names" placeholder="Find by name…"
 aria-label="Find a provider or forum" autocomplete="off">
<button type="submit">Find</button><button type="button" id="pcr-reset">Reset</button>
</form>
<datalist id="pcr-names"></datalist>
<p class="hint" id="pcr-status" aria-live="polite"></p>
<div id="pcr-details" hidden></div>
@@GAPS@@
@@LEGEND@@
</aside>
</div>
<script type="application/json" id="pcr-data">@@DATA@@</script>
<script>@@VISJS@@</script>
<script>@@APPJS@@</script>
</body>
</html>
"""

_TOKEN = re.compile(r"@@([A-Z]+)@@")


def _fill(template: str, parts: Mapping[str, str]) -> str:
    # One pass: text put in is never scanned again, so a name containing "@@DATA@@" is
    # just text.
    return _TOKEN.sub(lambda m: parts[m.group(1)], template)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_area_html(area: AreaMap, *, seed: int = 7) -> str:
    """A self-contained, offline HTML page with an interactive map of ``area``.

    Parameters
    ----------
    area : AreaMap
        The providers, forums, links, memberships and gaps to draw. Every text in it is
        treated as untrusted and escaped.
    seed : int, optional
        Seed of the force-directed layout; the same area and seed give the same bytes.

    Returns
    -------
    str
        The page. It loads nothing from the network (its Content-Security-Policy forbids
        it) and exposes ``window.pcrNetwork`` (the vis Network), ``window.pcrData``
        (``nodes`` and ``edges`` DataSets) and ``window.pcrReady`` (true once drawn).

    Raises
    ------
    ValueError
        If node or edge ids repeat, or an edge names a node that is not in ``area``.
    RenderError
        If pyvis's copy of vis-network cannot be found.
    """
    vis_js, vis_css = _vis_assets()
    prepared = _prepare(area, seed)
    known = {node.id for node in area.nodes}
    data = {
        "nodes": prepared.nodes,
        "edges": prepared.edges,
        "options": prepared.options,
        "gaps": [
            {"text": gap.text, "nodes": [i for i in gap.node_ids if i in known]}
            for gap in area.gaps
        ],
    }
    providers = sum(1 for node in area.nodes if node.kind != "forum")
    forums = len(area.nodes) - providers
    links = len({_link_id(e) for e in area.edges if e.kind != "membership"})
    summary = " · ".join(
        [
            _plural(providers, "provider"),
            _plural(links, "collaboration link"),
            _plural(forums, "planning forum"),
            _plural(len(area.gaps), "gap"),
        ]
    )
    csp = (
        "default-src 'none'; "
        f"script-src {csp_hash(vis_js)} {csp_hash(_MAP_JS)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    subtitle = f'<p class="subtitle">{esc(area.subtitle)}</p>\n' if area.subtitle else ""
    return _fill(
        _MAP_PAGE,
        {
            "CSP": esc(csp),
            "TITLE": esc(area.title),
            "SUBTITLE": subtitle,
            "SUMMARY": esc(summary),
            "VISCSS": vis_css,
            "CSS": _MAP_CSS,
            "GAPS": _gap_panel(area),
            "LEGEND": _legend(area),
            "DATA": script_json(data),
            "VISJS": vis_js,
            "APPJS": _MAP_JS,
        },
    )


# --------------------------------------------------------------------------------------
# The national overview: areas as nodes, links that cross area borders as edges

#: Gap-score fills, lowest to highest: ColorBrewer YlOrRd (colour-blind safe, and in order
#: in grey scale too). Non-zero scores are banded by quartile among the areas on the map;
#: the score is also written in each label, so colour is never the only cue.
SCORE_COLOURS = ("#F0F0F0", "#FED976", "#FD8D3C", "#E31A1C", "#800026")
_SCORE_BORDER = "#2B2B2B"
_CROSS_COLOUR = "#4D4D4D"
_OVERVIEW_LINES = 25  # link lines listed in one edge's tooltip


def _score_bins(scores: Sequence[int]) -> list[tuple[int, int]]:
    """Inclusive score ranges of up to four colour bands: quartiles of the non-zero scores.

    Quartiles, not equal widths, because a few large areas would otherwise push every other
    area into the palest band.

    >>> _score_bins([0, 5, 32, 58])
    [(1, 5), (6, 32), (33, 58)]
    >>> _score_bins([1, 2, 3, 4, 5, 6, 7, 100])
    [(1, 2), (3, 4), (5, 6), (7, 100)]
    >>> _score_bins([0, 0])
    []
    """
    values = sorted(score for score in scores if score > 0)
    if not values:
        return []
    bands = min(4, len(set(values)))
    uppers = sorted({values[math.ceil(len(values) * k / bands) - 1] for k in range(1, bands + 1)})
    bins, low = [], 1
    for high in uppers:
        bins.append((low, high))
        low = high + 1
    return bins


def _score_colour(score: int, bins: Sequence[tuple[int, int]]) -> str:
    if score <= 0 or not bins:
        return SCORE_COLOURS[0]
    offset = len(SCORE_COLOURS) - 1 - len(bins)  # few bins take the darker end
    for k, (low, high) in enumerate(bins):
        if low <= score <= high:
            return SCORE_COLOURS[offset + k + 1]
    return SCORE_COLOURS[-1]


def _overview_check(overview: Overview) -> None:
    ids: set[str] = set()
    for area in overview.areas:
        if area.id in ids:
            raise ValueError(f"duplicate area id {area.id!r} in the overview")
        ids.add(area.id)
    for edge in overview.edges:
        for end in (edge.source, edge.target):
            if end not in ids:
                raise ValueError(f"overview edge names unknown area {end!r}")


def _overview_tooltip(area: OverviewArea, crossing: int) -> str:
    counts = dict(area.gaps_by_severity)
    severities = ", ".join(f"{s} {counts.get(s, 0)}" for s in _SEVERITY_RANK)
    lines = [
        area.label,
        f"Providers: {area.providers}",
        f"Collaboration links: {area.links}",
        f"Gap score: {area.score} ({severities})",
        f"Links with other areas: {crossing}",
    ]
    return "\n".join(lines)


def _overview_edge_tooltip(edge: OverviewEdge, names: Mapping[str, str]) -> str:
    count = len(edge.links)
    lines = [
        f"{_plural(count, 'collaboration link')} between {names[edge.source]} and "
        f"{names[edge.target]}"
    ]
    lines.extend("• " + line for line in edge.links[:_OVERVIEW_LINES])
    if count > _OVERVIEW_LINES:
        lines.append(f"… and {count - _OVERVIEW_LINES} more")
    return "\n".join(lines)


def _overview_panels(overview: Overview, bins: Sequence[tuple[int, int]]) -> tuple[str, str]:
    ranked = sorted(overview.areas, key=lambda a: (-a.score, a.label, a.id))
    items = []
    for area in ranked:
        name = esc(area.label)
        if area.href:
            name = f'<a href="{esc(_relative_href(area.href))}">{name}</a>'
        counts = dict(area.gaps_by_severity)
        badges = " ".join(
            f'<span class="sev {s}">{esc(s)} {counts.get(s, 0)}</span>' for s in _SEVERITY_RANK
        )
        items.append(
            f'<li class="area"><span class="name">{name}</span> '
            f'<span class="rule">score {area.score} · {esc(_plural(area.providers, "provider"))}'
            f"</span> {badges}</li>"
        )
    report = (
        f'<p class="hint"><a href="{esc(_relative_href(overview.report_href))}">'
        "The full gap report</a></p>"
        if overview.report_href
        else ""
    )
    ranking = (
        '<details open id="pcr-gaps"><summary>Areas by gap score</summary>'
        + (f'<p class="hint">{esc(overview.score_rule)}</p>' if overview.score_rule else "")
        + report
        + f'<ol class="gaps overview">{"".join(items)}</ol></details>'
    )
    rows = [
        "<li><label>"
        + _shape_swatch("dot", SCORE_COLOURS[0], _SCORE_BORDER)
        + ' <span class="name">score 0</span></label></li>'
    ]
    offset = len(SCORE_COLOURS) - 1 - len(bins)
    for k, (low, high) in enumerate(bins):
        text = f"score {low}" if low == high else f"score {low}–{high}"
        rows.append(
            "<li><label>"
            + _shape_swatch("dot", SCORE_COLOURS[offset + k + 1], _SCORE_BORDER)
            + f' <span class="name">{esc(text)}</span></label></li>'
        )
    legend = (
        '<details open id="pcr-legend"><summary>Legend</summary>'
        '<h3>Areas: colour = gap score</h3><ul class="legend">'
        + "".join(rows)
        + '</ul><p class="hint">The bands split the areas with gaps into four groups of about '
        "equal size. Size = number of providers. Each label gives the score.</p>"
        '<h3>Lines</h3><ul class="legend"><li><label>'
        + _line_swatch(_CROSS_COLOUR, (), 3)
        + ' <span class="name">collaboration links joining two areas (the number is on the '
        "line): a link whose participants operate in different areas, or a link recorded for "
        "several areas</span></label></li></ul></details>"
    )
    return ranking, legend


def render_overview_html(overview: Overview, *, seed: int = 7) -> str:
    """The national overview: one node per area, one edge per pair of areas that share links.

    Nodes are sized by number of providers (area proportional to the largest area's) and
    coloured by gap score (:data:`SCORE_COLOURS`,
    banded by quartile); an edge's width and number give the links that
    join its two areas. The page is built like the area maps (inlined vis-network, escaped
    data, a Content-Security-Policy forbidding every network load, a fixed layout), so it
    opens offline and the same input gives the same bytes.

    Parameters
    ----------
    overview : Overview
        The areas and the links between them; every text is untrusted and escaped.
    seed : int, optional
        Seed of the force-directed layout.

    Returns
    -------
    str
        The page. Like an area map it exposes ``window.pcrNetwork``, ``window.pcrData`` and
        ``window.pcrReady``.

    Raises
    ------
    ValueError
        If area ids repeat or an edge names an unknown area.
    RenderError
        If pyvis's copy of vis-network cannot be found.
    """
    from pyvis.network import Network

    _overview_check(overview)
    vis_js, vis_css = _vis_assets()
    order = sorted(overview.areas, key=lambda a: a.id)
    index = {area.id: i for i, area in enumerate(order)}
    pairs = sorted({(index[e.source], index[e.target]) for e in overview.edges})
    raw = _spring_positions(len(order), pairs, seed)
    most = max((area.providers for area in overview.areas), default=0) or 1
    radius = {a.id: round(10 + 50 * math.sqrt(a.providers / most), 1) for a in overview.areas}
    # Spread the layout until no two discs (and their labels) overlap.
    scale = 80.0
    for (i, a), (j, b) in itertools.combinations(enumerate(order), 2):
        gap = math.dist(raw[i], raw[j]) or 1e-6
        scale = max(scale, (radius[a.id] + radius[b.id] + 120) / gap)
    scale = min(scale, 2000.0)
    positions: dict[str, tuple[int, int]] = {}
    if raw:
        mean_x = sum(x for x, _ in raw) / len(raw)
        mean_y = sum(y for _, y in raw) / len(raw)
        positions = {
            area.id: (round((x - mean_x) * scale), round((y - mean_y) * scale))
            for area, (x, y) in zip(order, raw, strict=True)
        }
    crossing: dict[str, int] = {}
    for edge in overview.edges:
        for end in {edge.source, edge.target}:
            crossing[end] = crossing.get(end, 0) + len(edge.links)
    bins = _score_bins([a.score for a in overview.areas])
    names = {area.id: area.label for area in overview.areas}

    net = Network(directed=True, cdn_resources="in_line")
    for area in overview.areas:
        fill = _score_colour(area.score, bins)
        x, y = positions[area.id]
        net.add_node(
            area.id,
            label=f"{_short(area.label, 40)}\nscore {area.score} · {area.providers} prov.",
            shape="dot",
            color={
                "background": fill,
                "border": _SCORE_BORDER,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
            size=radius[area.id],
            borderWidth=1.5,
            borderWidthSelected=3,
            title=_overview_tooltip(area, crossing.get(area.id, 0)),
            x=x,
            y=y,
            pcrName=area.label,
            pcrKey="area",
            pcrGap=area.score > 0,
        )
    for number, edge in enumerate(overview.edges, start=1):
        count = len(edge.links)
        net.add_edge(
            edge.source,
            edge.target,
            id=f"cross:{number}",
            color={
                "color": _CROSS_COLOUR,
                "highlight": "#000000",
                "hover": "#000000",
                "inherit": False,
            },
            width=round(1.5 + 2 * math.sqrt(count), 1),
            label=str(count),
            smooth=False,
            title=_overview_edge_tooltip(edge, names),
            pcrKey="cross",
        )
    net.options = {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": seed},
        "interaction": {
            "hover": True,
            "tooltipDelay": 150,
            "multiselect": True,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {
            "font": {
                "size": 15,
                "face": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                "color": "#1B1B1B",
                "strokeWidth": 4,
                "strokeColor": "#FFFFFF",
                "multi": False,
            },
        },
        "edges": {
            "smooth": False,
            "selectionWidth": 2,
            "hoverWidth": 1,
            "font": {"size": 15, "strokeWidth": 5, "strokeColor": "#FFFFFF"},
        },
    }
    vis_nodes, vis_edges, *_rest = net.get_network_data()
    plain_edges = [{k: v for k, v in e.items() if k != "arrows"} for e in vis_edges]
    data = {"nodes": list(vis_nodes), "edges": plain_edges, "options": net.options, "gaps": []}
    crossing_links = len({line for edge in overview.edges for line in edge.links})
    gaps = sum(n for area in overview.areas for _s, n in area.gaps_by_severity)
    summary = " · ".join(
        [
            _plural(len(overview.areas), "area"),
            _plural(crossing_links, "collaboration link") + " between areas",
            _plural(gaps, "gap"),
        ]
    )
    csp = (
        "default-src 'none'; "
        f"script-src {csp_hash(vis_js)} {csp_hash(_MAP_JS)}; "
        "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    ranking, legend = _overview_panels(overview, bins)
    subtitle = f'<p class="subtitle">{esc(overview.subtitle)}</p>\n' if overview.subtitle else ""
    return _fill(
        _MAP_PAGE,
        {
            "CSP": esc(csp),
            "TITLE": esc(overview.title),
            "SUBTITLE": subtitle,
            "SUMMARY": esc(summary),
            "VISCSS": vis_css,
            "CSS": _MAP_CSS + _OVERVIEW_CSS,
            "GAPS": ranking,
            "LEGEND": legend,
            "DATA": script_json(data),
            "VISJS": vis_js,
            "APPJS": _MAP_JS,
        },
    )


_OVERVIEW_CSS = """
ol.overview li.area{border:1px solid #ccc;border-radius:4px;padding:.3rem .5rem;background:#fff}
ol.overview .name{display:block;font-weight:600;overflow-wrap:anywhere}
"""


_INDEX_CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b}
header{padding:.8rem 1rem;border-bottom:1px solid #d0d0d0;background:#f6f6f4}
h1{font-size:1.3rem;margin:0}
.subtitle{margin:.2rem 0 0;font-weight:600;color:#7a4a00}
main{padding:1rem;overflow-x:auto}
table{border-collapse:collapse;min-width:100%}
th,td{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tfoot td{font-weight:700;border-top:2px solid #999}
a{color:#0b5394}
.high{color:#C00000;font-weight:700}
ul.links{margin:0 0 1rem;padding-left:1.2rem}
"""

STATIC_PAGE_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<link rel="icon" href="data:,">
<style>@@CSS@@</style>
</head>
<body>
<header>
<h1>@@TITLE@@</h1>
"""
"""The start of every script-free page (index, gap report): a policy that allows no script
and no network load, then the title, up to the open ``<header>``'s heading."""

_INDEX_PAGE = (
    STATIC_PAGE_HEAD
    + """@@SUBTITLE@@</header>
<main>
@@LINKS@@<table>
<thead><tr><th scope="col">Area</th><th scope="col" class="n">Providers</th>\
<th scope="col" class="n">Links</th>@@SEVHEAD@@</tr></thead>
<tbody>
@@ROWS@@</tbody>
<tfoot><tr><td>Total (@@AREAS@@)</td>@@TOTALS@@</tr></tfoot>
</table>
</main>
</body>
</html>
"""
)


def render_index_html(
    title: str,
    entries: Sequence[IndexEntry],
    subtitle: str = "",
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """An offline index page: one table row per area map, with its headline numbers.

    Parameters
    ----------
    title, subtitle : str
        Page heading and a line under it (untrusted; escaped).
    entries : Sequence[IndexEntry]
        One per area, shown in the given order. ``href`` must be relative (a file beside
        the index); gap counts get one column per severity (high, medium, low, then any
        other severity in order of first appearance). When any entry has a
        ``heatmap_href``, a last column links each area's heatmap.
    links : Sequence[tuple[str, str]], optional
        ``(href, text)`` of other pages (the gap report, the overview map), listed above
        the table; relative, like ``href``.

    Returns
    -------
    str
        The page, with no scripts and nothing loaded from the network.

    Raises
    ------
    ValueError
        If an ``href`` is absolute.
    """
    present = [severity for entry in entries for severity, _count in entry.gaps_by_severity]
    severities = [s for s in _SEVERITY_RANK if s in present]
    severities += [s for s in dict.fromkeys(present) if s not in _SEVERITY_RANK]
    rows = []
    totals = [0, 0] + [0] * len(severities)
    heatmaps = any(entry.heatmap_href for entry in entries)
    for entry in entries:
        counts = dict(entry.gaps_by_severity)
        numbers = [entry.providers, entry.links] + [counts.get(s, 0) for s in severities]
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        cells = "".join(
            _number_cell(n, s) for n, s in zip(numbers, ["", "", *severities], strict=True)
        )
        if heatmaps:
            cells += (
                f'<td><a href="{esc(_relative_href(entry.heatmap_href))}">heatmap</a></td>'
                if entry.heatmap_href
                else "<td></td>"
            )
        rows.append(
            f'<tr><td><a href="{esc(_relative_href(entry.href))}">{esc(entry.title)}</a></td>'
            f"{cells}</tr>\n"
        )
    heads = "".join(f'<th scope="col" class="n">Gaps: {esc(s)}</th>' for s in severities)
    total_cells = "".join(_number_cell(n, "") for n in totals)
    if heatmaps:
        heads += '<th scope="col">Links between sectors</th>'
        total_cells += "<td></td>"
    link_list = "".join(
        f'<li><a href="{esc(_relative_href(href))}">{esc(text)}</a></li>' for href, text in links
    )
    return _fill(
        _INDEX_PAGE,
        {
            "TITLE": esc(title),
            "SUBTITLE": f'<p class="subtitle">{esc(subtitle)}</p>\n' if subtitle else "",
            "CSS": _INDEX_CSS,
            "LINKS": f'<ul class="links">{link_list}</ul>\n' if link_list else "",
            "SEVHEAD": heads,
            "ROWS": "".join(rows),
            "AREAS": esc(_plural(len(entries), "area")),
            "TOTALS": total_cells,
        },
    )


def _number_cell(number: int, severity: str) -> str:
    css = "n high" if severity == "high" and number else "n"
    return f'<td class="{css}">{int(number)}</td>'


def write_html(path: Path, html: str) -> None:
    """Write a page atomically (a crash leaves the old file or the new one, whole).

    Parameters
    ----------
    path : Path
        Target file; missing parent folders are created.
    html : str
        The page, written as UTF-8.
    """
    atomic_write_text(Path(path), html)
