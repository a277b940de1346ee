"""One area's interactive map page: providers, forums, links, the gap panel and legend."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
from pcr_graph.render.maps.groups import SUMMARY_LIMIT, by_network, by_sector, group_view
from pcr_graph.render.maps.layout import SPRING_LIMIT
from pcr_graph.render.maps.model import AreaMap, MapEdge, MapGap, MapNode
from pcr_graph.render.maps.palette import (
    _edge_key,
    _link_id,
    _link_style,
    _node_key,
)
from pcr_graph.render.maps.panels import gap_panel, legend, table_view
from pcr_graph.render.maps.positions import draw_nodes
from pcr_graph.render.maps.visoptions import plain_lists, vis_options

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
    if node.group_note:
        lines.append("Primary Care Network (published register): " + node.group_note)
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
    """The vis-network nodes, edges and options of ``area``, as pyvis's ``Node`` and
    ``Edge`` make them."""
    # Imported here: pyvis loads jinja2, kept off `pcr-graph --help`.
    from pyvis.edge import Edge
    from pyvis.node import Node

    _check(area)
    drawn = draw_nodes(area, seed)
    degree, members, gap_texts = drawn.degree, drawn.members, drawn.gap_texts
    arranged = drawn.arranged
    large = len(area.nodes) > SPRING_LIMIT
    names = {node.id: node.label for node in area.nodes}
    looks = {
        node_id: (look.shape, look.colour, look.border, look.size, drawn.labels[node_id])
        for node_id, look in drawn.looks.items()
    }

    # pyvis's Node and Edge, not Network.add_node / add_edge: those look each node up in a
    # list (0.25 s for the largest area at 55,000 providers), and add_edge's duplicate check
    # on an undirected Network would merge two different links between the same pair.
    # _check has made sure ids are unique and every edge's ends are nodes. The dicts are
    # what a directed Network holds, less its arrows (see plain_network_data).
    vis_nodes: list[dict[str, Any]] = []
    vis_edges: list[dict[str, Any]] = []
    for node in area.nodes:
        marked = bool(gap_texts[node.id])
        x, y = arranged.positions[node.id]
        shape, fill, border, size, label = looks[node.id]
        zoom = arranged.zooms[node.id]
        extra: dict[str, Any] = {"label": label} if zoom <= 1 else {"label": "", "pcrLabel": label}
        if 1 < zoom < math.inf:
            extra["pcrZoom"] = zoom
        shown: dict[str, Any] = dict(
            color={
                "background": fill,
                "border": border,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
            size=size,
            borderWidth=5 if marked else 1.5,
            borderWidthSelected=6 if marked else 3,
            title=_node_tooltip(
                node, degree.get(node.id, 0), members.get(node.id, 0), gap_texts[node.id]
            ),
            x=x,
            y=y,
            pcrName=node.label,
            pcrSector="Planning forum" if node.kind == "forum" else ", ".join(node.sector_labels),
            pcrKey=_node_key(node),
            pcrGap=marked,
            **({"pcrGroup": node.group, "pcrGroupNote": node.group_note} if node.group else {}),
            **extra,
        )
        # As Network.add_node: a node with no label is labelled with its id.
        text = shown.pop("label")
        vis_nodes.append(Node(node.id, shape, label=text or node.id, **shown).options)
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
        vis_edges.append(
            Edge(
                edge.source,
                edge.target,
                directed=True,
                id=edge.id,
                color={"color": colour, "highlight": colour, "hover": colour, "inherit": False},
                dashes=list(dashes) if dashes else False,
                width=1 if membership else 2.5,
                smooth=smooth,
                title=_edge_tooltip(edge, names),
                pcrKey=_edge_key(edge),
                **({"pcrLink": _link_id(edge)} if edge.kind != "membership" else {}),
            ).options
        )
    options = vis_options(
        arranged.font,
        seed,
        interaction={"hideEdgesOnDrag": large, "hideEdgesOnZoom": large},
    )
    plain_nodes, plain_edges = plain_lists(vis_nodes, vis_edges)
    return _Prepared(plain_nodes, plain_edges, options)


def _gap_data(
    gap: MapGap, known: set[str], link_ids: set[str], network_keys: set[str]
) -> dict[str, Any]:
    """What the page's script needs of one gap: the nodes, links, sectors and Primary Care
    Networks it names that are on the map."""
    data: dict[str, Any] = {
        "text": gap.text,
        "rule": gap.rule,
        "nodes": [i for i in gap.node_ids if i in known],
        "links": [i for i in gap.link_ids if i in link_ids],
        "sectors": list(gap.sectors),
        "finding": gap.finding,
        "source": gap.finding_source,
        "url": gap.finding_url,
    }
    groups = [g for g in gap.groups if g in network_keys]
    if groups:  # only then: the pages of gaps about no PCN keep their bytes
        data["groups"] = groups
    return data


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
    providers = sum(1 for node in area.nodes if node.kind != "forum")
    forums = len(area.nodes) - providers
    link_ids = {_link_id(e) for e in area.edges if e.kind != "membership"}
    network_keys = {node.group for node in area.nodes if node.group}
    data: dict[str, Any] = {
        "nodes": prepared.nodes,
        "edges": prepared.edges,
        "options": prepared.options,
        "links": _link_panels(area),
        "gaps": [_gap_data(gap, known, link_ids, network_keys) for gap in area.gaps],
    }
    views = ""
    networks = any(node.group for node in area.nodes)
    if providers > SUMMARY_LIMIT or networks:
        missing = [
            ("sector:" + gap.sectors[0], "sector:" + gap.sectors[1], gap.text)
            for gap in area.gaps
            if len(gap.sectors) == 2
        ]
        grouping = by_network if networks else by_sector
        data["groups"] = group_view(area, grouping, missing=missing, seed=seed)
        back = "Primary Care Networks" if networks else "sectors"
        views = (
            f'<button type="button" id="pcr-back" hidden>Back to {back}</button>'
            '<button type="button" id="pcr-all">Show every provider</button>\n'
        )
    summary = " · ".join(
        [
            plural(providers, "provider"),
            plural(len(link_ids), "collaboration link"),
            plural(forums, "planning forum"),
            plural(len(area.gaps), "gap"),
        ]
    )
    map_label = (
        "Network map of providers and their links; the same data is in the table view "
        "and the gap list beside it"
    )
    if networks:
        map_label = (
            "Summary map: one node per Primary Care Network (published register), other "
            "providers by sector; " + map_label
        )
    elif "groups" in data:
        map_label = "Summary map: one node per sector; " + map_label
    subtitle = f'<p class="subtitle">{esc(area.subtitle)}</p>\n' if area.subtitle else ""
    return fill_template(
        static_text("map.html"),
        {
            "CSP": esc(map_csp(vis_js, app_js)),
            "TITLE": esc(area.title),
            "SUBTITLE": subtitle,
            "SUMMARY": esc(summary),
            "VISCSS": vis_css,
            "CSS": static_text("map.css") + NAV_CSS,
            "NAV": page_nav(area.pages),
            "NOTICES": notices_html(area.notices),
            "VIEWS": views,
            "MAPLABEL": esc(map_label),
            "GAPS": gap_panel(area),
            "LEGEND": legend(area),
            "TABLE": table_view(),
            "DATA": script_json(data),
            "VISJS": vis_js,
            "APPJS": app_js,
        },
    )


def _link_panels(area: AreaMap) -> dict[str, dict[str, Any]]:
    """What the link panel shows for each collaboration link, keyed by the link's IRI."""
    names = {node.id: node.label for node in area.nodes}
    out: dict[str, dict[str, Any]] = {}
    for edge in area.edges:
        if edge.kind == "membership":
            continue
        key = _link_id(edge)
        panel = out.get(key)
        if panel is None:
            evidence = [
                {
                    "title": e.title,
                    "publisher": e.publisher,
                    "date": e.date,
                    "url": e.url,
                    "quote": e.quote,
                }
                for e in edge.sources
            ] or [
                {"title": line, "publisher": "", "date": "", "url": "", "quote": ""}
                for line in edge.evidence
                if line != "no evidence recorded"
            ]
            panel = out[key] = {
                "id": edge.link_id,
                "type": edge.link_type_label or edge.link_type,
                "period": edge.period,
                "themes": list(edge.themes),
                "notes": edge.notes,
                "evidence": evidence,
                "between": [],
            }
        for end in (edge.source, edge.target):
            if names[end] not in panel["between"]:
                panel["between"].append(names[end])
    for panel in out.values():
        panel["between"] = " — ".join(panel["between"])
    return out
