"""The national overview page: one node per area, one edge per pair of areas sharing links."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from pcr_graph.render.html import (
    NAV_CSS,
    esc,
    fill_template,
    notices_html,
    page_nav,
    plural,
    relative_href,
    script_json,
)
from pcr_graph.render.maps.assets import map_csp, static_text, vis_assets
from pcr_graph.render.maps.layout import Footprint, arrange, wrap_label
from pcr_graph.render.maps.model import MapEdge, MapNode, Overview, OverviewArea, OverviewEdge
from pcr_graph.render.maps.palette import _SEVERITY_RANK, _line_swatch, _shape_swatch
from pcr_graph.render.maps.visoptions import plain_network_data, vis_options

__all__ = ["SCORE_COLOURS", "render_overview_html"]


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


#: The kinds of area, told apart by a heading, a label line and a shape (never colour
#: alone) when an overview holds more than one: (heading, label line, node shape).
_KINDS: dict[str, tuple[str, str, str]] = {
    "register": ("Real areas: published registers only", "real: published register", "dot"),
    "fictional": (
        "Fictional and synthetic areas (invented data)",
        "fictional: invented data",
        "diamond",
    ),
    "other": ("Other areas", "other data", "square"),
}


def _kind(area: OverviewArea) -> str:
    if area.fictional:
        return "fictional"
    return "register" if area.register else "other"


def _kinds(overview: Overview) -> list[str]:
    """The kinds of area on the map, in :data:`_KINDS` order, when there are several (one
    kind needs no telling apart: the page stays as it was)."""
    present = {_kind(a) for a in overview.areas}
    return [k for k in _KINDS if k in present] if len(present) > 1 else []


def _kind_text(kind: str, overview: Overview) -> str:
    """A kind's heading, with the register releases of the real areas."""
    heading = _KINDS[kind][0]
    if kind == "register":
        releases = sorted({a.register for a in overview.areas if _kind(a) == kind})
        heading += f" ({', '.join(releases)})"
    return heading


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
        f"{plural(count, 'collaboration link')} between {names[edge.source]} and "
        f"{names[edge.target]}"
    ]
    lines.extend("• " + line for line in edge.links[:_OVERVIEW_LINES])
    if count > _OVERVIEW_LINES:
        lines.append(f"… and {count - _OVERVIEW_LINES} more")
    return "\n".join(lines)


def _overview_panels(overview: Overview, bins: Sequence[tuple[int, int]]) -> tuple[str, str]:
    ranked = sorted(overview.areas, key=lambda a: (-a.score, a.label, a.id))
    kinds = _kinds(overview)
    items = []
    for area in ranked:
        name = esc(area.label)
        if area.href:
            name = f'<a href="{esc(relative_href(area.href))}">{name}</a>'
        counts = dict(area.gaps_by_severity)
        badges = " ".join(
            f'<span class="sev {s}">{esc(s)} {counts.get(s, 0)}</span>' for s in _SEVERITY_RANK
        )
        items.append(
            (
                _kind(area),
                f'<li class="area"><span class="name">{name}</span> '
                f'<span class="rule">score {area.score} · '
                f"{esc(plural(area.providers, 'provider'))}</span> {badges}</li>",
            )
        )
    report = (
        f'<p class="hint"><a href="{esc(relative_href(overview.report_href))}">'
        "The full gap report</a></p>"
        if overview.report_href
        else ""
    )
    ranking = (
        '<details open id="pcr-gaps"><summary>Areas by gap score</summary>'
        + (f'<p class="hint">{esc(overview.score_rule)}</p>' if overview.score_rule else "")
        + report
        + (
            "".join(
                f'<h3 class="kind">{esc(_kind_text(kind, overview))}</h3>'
                + f'<ol class="gaps overview">{"".join(i for k, i in items if k == kind)}</ol>'
                for kind in kinds
            )
            if kinds
            else f'<ol class="gaps overview">{"".join(i for _k, i in items)}</ol>'
        )
        + "</details>"
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
    shapes = "".join(
        "<li><label>"
        + _shape_swatch(_KINDS[kind][2], "#FFFFFF", _SCORE_BORDER)
        + f' <span class="name">{esc(_kind_text(kind, overview))}: labelled '
        f"“{esc(_KINDS[kind][1])}”</span></label></li>"
        for kind in kinds
    )
    legend = (
        '<details open id="pcr-legend"><summary>Legend</summary>'
        + (
            f'<h3>Areas: shape and label = kind of data</h3><ul class="legend">{shapes}</ul>'
            if kinds
            else ""
        )
        + '<h3>Areas: colour = gap score</h3><ul class="legend">'
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
    vis_js, vis_css = vis_assets()
    app_js = static_text("map.js")
    most = max((area.providers for area in overview.areas), default=0) or 1
    radius = {a.id: round(10 + 40 * math.sqrt(a.providers / most), 1) for a in overview.areas}
    kinds = _kinds(overview)
    labels = {
        a.id: f"{wrap_label(a.label, 24)}\nscore {a.score} · {a.providers} prov."
        + (f"\n{_KINDS[_kind(a)][1]}" if kinds else "")
        for a in overview.areas
    }
    # The area maps' layout: label boxes kept apart, labels that matter first.
    arranged = arrange(
        [MapNode(a.id, a.label, "provider", (), ()) for a in overview.areas],
        [MapEdge(f"x{k}", e.source, e.target, "link") for k, e in enumerate(overview.edges)],
        {},
        {a.id: Footprint.of(labels[a.id], radius[a.id]) for a in overview.areas},
        {a.id: float(a.score) + a.providers / (most + 1) for a in overview.areas},
        seed,
    )
    positions = arranged.positions
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
            label=labels[area.id] if arranged.zooms[area.id] <= 1 else "",
            **(
                {}
                if arranged.zooms[area.id] <= 1
                else {"pcrLabel": labels[area.id], "pcrZoom": arranged.zooms[area.id]}
                if arranged.zooms[area.id] < math.inf
                else {"pcrLabel": labels[area.id]}
            ),
            shape=_KINDS[_kind(area)][2] if kinds else "dot",
            color={
                "background": fill,
                "border": _SCORE_BORDER,
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
            size=radius[area.id],
            borderWidth=1.5,
            borderWidthSelected=3,
            title=_overview_tooltip(area, crossing.get(area.id, 0))
            + (f"\n{_kind_text(_kind(area), overview)}" if kinds else ""),
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
    net.options = vis_options(
        arranged.font,
        seed,
        node_font={"multi": False},
        edges={"font": {"size": 15, "strokeWidth": 5, "strokeColor": "#FFFFFF"}},
    )
    plain_nodes, plain_edges = plain_network_data(net)
    data = {"nodes": plain_nodes, "edges": plain_edges, "options": net.options, "gaps": []}
    crossing_links = len({line for edge in overview.edges for line in edge.links})
    gaps = sum(n for area in overview.areas for _s, n in area.gaps_by_severity)
    summary = " · ".join(
        [
            plural(len(overview.areas), "area"),
            plural(crossing_links, "collaboration link") + " between areas",
            plural(gaps, "gap"),
        ]
    )
    csp = map_csp(vis_js, app_js)
    ranking, legend = _overview_panels(overview, bins)
    subtitle = f'<p class="subtitle">{esc(overview.subtitle)}</p>\n' if overview.subtitle else ""
    return fill_template(
        static_text("map.html"),
        {
            "CSP": esc(csp),
            "TITLE": esc(overview.title),
            "SUBTITLE": subtitle,
            "SUMMARY": esc(summary),
            "VISCSS": vis_css,
            "CSS": static_text("map.css") + _OVERVIEW_CSS + NAV_CSS,
            "NAV": page_nav(overview.pages),
            "NOTICES": notices_html(overview.notices),
            "VIEWS": "",
            "MAPLABEL": esc(
                "Overview map: one node per area, joined by the links between areas; the same "
                "data is in the table view beside it"
            ),
            "TABLE": _overview_table(overview),
            "GAPS": ranking,
            "LEGEND": legend,
            "DATA": script_json(data),
            "VISJS": vis_js,
            "APPJS": app_js,
        },
    )


_OVERVIEW_CSS = """
ol.overview li.area{border:1px solid #ccc;border-radius:4px;padding:.3rem .5rem;background:#fff}
ol.overview .name{display:block;font-weight:600;overflow-wrap:anywhere}
"""


def _overview_table(overview: Overview) -> str:
    """The areas as a table: the keyboard- and screen-reader equivalent of the canvas."""
    crossing: dict[str, int] = {}
    for edge in overview.edges:
        for end in {edge.source, edge.target}:
            crossing[end] = crossing.get(end, 0) + len(edge.links)
    kinds = _kinds(overview)
    rows = []
    for area in sorted(overview.areas, key=lambda a: (-a.score, a.label, a.id)):
        kind = f"<td>{esc(_KINDS[_kind(area)][1])}</td>" if kinds else ""
        name = (
            f'<a href="{esc(relative_href(area.href))}">{esc(area.label)}</a>'
            if area.href
            else esc(area.label)
        )
        rows.append(
            f'<tr data-key="area"><td>{name} <button type="button" class="row" '
            f'data-node="{esc(area.id)}">show</button></td>{kind}'
            f'<td class="n">{area.providers}</td><td class="n">{area.links}</td>'
            f'<td class="n">{area.score}</td><td class="n">{crossing.get(area.id, 0)}</td></tr>'
        )
    return (
        '<details id="pcr-table"><summary>Table view: areas</summary>'
        '<table class="data"><caption>Areas by gap score</caption><thead><tr>'
        '<th scope="col">Area</th>'
        + ('<th scope="col">Kind of data</th>' if kinds else "")
        + '<th scope="col" class="n">Providers</th>'
        '<th scope="col" class="n">Links</th><th scope="col" class="n">Gap score</th>'
        '<th scope="col" class="n">Links with other areas</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )
