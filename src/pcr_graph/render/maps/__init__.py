"""Offline, escaped, interactive HTML maps of one area's providers, links and forums.

Each map is a single self-contained HTML file: the vis-network library that ships with
pyvis is inlined, the graph data is embedded as escaped JSON, and a Content-Security-Policy
forbids every network load, so a map opens on a laptop with no internet and a hostile
provider name cannot run script. The graph itself is assembled with pyvis's ``Network``
(``add_node`` / ``add_edge``); the page around it is our own template (``static/``),
because pyvis's ``write_html`` drops a ``lib/`` folder in the working directory and loads
Bootstrap and tom-select from CDNs.

Positions are computed here, in Python, once (:mod:`.layout`); vis draws them with physics
off, so the same input always gives the same picture and byte-identical HTML.

Modules: :mod:`.model` (view models), :mod:`.palette` (colours, shapes), :mod:`.layout`,
:mod:`.assets` (inlined script and styles), :mod:`.area` (an area's page), :mod:`.overview`,
:mod:`.index`. Escaping lives in :mod:`pcr_graph.render.html`.
"""

from __future__ import annotations

from pcr_graph.render.html import STATIC_PAGE_HEAD, csp_hash, esc, script_json, write_html
from pcr_graph.render.maps.area import render_area_html
from pcr_graph.render.maps.index import render_index_html
from pcr_graph.render.maps.layout import SPRING_LIMIT
from pcr_graph.render.maps.model import (
    AreaMap,
    IndexEntry,
    MapEdge,
    MapEvidence,
    MapGap,
    MapNode,
    Overview,
    OverviewArea,
    OverviewEdge,
    RenderError,
)
from pcr_graph.render.maps.overview import SCORE_COLOURS, render_overview_html
from pcr_graph.render.maps.palette import LINK_TYPE_STYLES, SECTOR_COLOURS
from pcr_graph.render.maps.positions import NodeLook, area_positions

__all__ = [
    "LINK_TYPE_STYLES",
    "SCORE_COLOURS",
    "SECTOR_COLOURS",
    "SPRING_LIMIT",
    "STATIC_PAGE_HEAD",
    "AreaMap",
    "IndexEntry",
    "MapEdge",
    "MapEvidence",
    "MapGap",
    "MapNode",
    "NodeLook",
    "Overview",
    "OverviewArea",
    "OverviewEdge",
    "RenderError",
    "area_positions",
    "csp_hash",
    "esc",
    "render_area_html",
    "render_index_html",
    "render_overview_html",
    "script_json",
    "write_html",
]
