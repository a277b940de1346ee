"""One area's interactive map page: providers, forums, links, the gap panel and legend."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pcr_graph.core.vocab import sector_group, sector_sort_key
from pcr_graph.render.html import (
    NAV_CSS,
    esc,
    fill_template,
    notices_html,
    page_nav,
    plural,
    script_json,
)
from pcr_graph.render.maps.assets import map_csp, static_text, vis_assets
from pcr_graph.render.maps.layout import SPRING_LIMIT, _layout
from pcr_graph.render.maps.model import AreaMap, MapEdge, MapGap, MapNode
from pcr_graph.render.maps.palette import (
    _FORUM_BORDER,
    _FORUM_COLOUR,
    _FORUM_SHAPE,
    _GAP_BORDER,
    _GROUPS,
    _MEMBERSHIP_STYLE,
    _NODE_BORDER,
    _OTHER_LINK_STYLE,
    _SEVERITY_RANK,
    LINK_TYPE_STYLES,
    _edge_key,
    _line_swatch,
    _link_id,
    _link_style,
    _node_key,
    _sector_colour,
    _shape_swatch,
    _short,
)

__all__ = ["render_area_html"]


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
    vis_js, vis_css = vis_assets()
    app_js = static_text("map.js")
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
            plural(providers, "provider"),
            plural(links, "collaboration link"),
            plural(forums, "planning forum"),
            plural(len(area.gaps), "gap"),
        ]
    )
    csp = map_csp(vis_js, app_js)
    subtitle = f'<p class="subtitle">{esc(area.subtitle)}</p>\n' if area.subtitle else ""
    return fill_template(
        static_text("map.html"),
        {
            "CSP": esc(csp),
            "TITLE": esc(area.title),
            "SUBTITLE": subtitle,
            "SUMMARY": esc(summary),
            "VISCSS": vis_css,
            "CSS": static_text("map.css") + NAV_CSS,
            "NAV": page_nav(area.pages),
            "NOTICES": notices_html(area.notices),
            "GAPS": _gap_panel(area),
            "LEGEND": _legend(area),
            "DATA": script_json(data),
            "VISJS": vis_js,
            "APPJS": app_js,
        },
    )
