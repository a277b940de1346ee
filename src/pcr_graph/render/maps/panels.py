"""The side panel of an area map: gaps (grouped by rule when many), legend and filters, and
the table view of providers and links (the canvas's keyboard- and screen-reader equivalent).

All untrusted text passes through :func:`pcr_graph.render.html.esc`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pcr_graph.core.vocab import sector_group, sector_sort_key
from pcr_graph.render.html import esc, plural
from pcr_graph.render.maps.model import AreaMap, MapGap
from pcr_graph.render.maps.palette import (
    _FORUM_BORDER,
    _FORUM_COLOUR,
    _FORUM_SHAPE,
    _GAP_BORDER,
    _GROUP_SHAPES,
    _MEMBERSHIP_STYLE,
    _OTHER_LINK_STYLE,
    _SEVERITY_RANK,
    LINK_TYPE_STYLES,
    _group_heading,
    _line_swatch,
    _link_id,
    _sector_colour,
    _shape_swatch,
)

__all__ = ["gap_panel", "legend", "table_view"]

#: Above this many gaps, the panel groups them by rule (each group opens on demand).
GROUP_GAPS_ABOVE = 20


def _filter_row(key: str, swatch: str, label: str, count: int) -> str:
    return (
        f'<li><label><input type="checkbox" checked data-filter="{esc(key)}"> {swatch} '
        f'<span class="name">{esc(label)}</span> <span class="count">{count}</span>'
        f"</label></li>"
    )


def legend(area: AreaMap) -> str:
    """Legend and filters: one tick box per sector, forum and link type present."""
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
            rows.append(f'<li class="group">{esc(_group_heading(group))}</li>')
            group_seen = group
        label, count = sectors[notation]
        swatch = _shape_swatch(_GROUP_SHAPES[group], _sector_colour(notation))
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


def _gap_item(index: int, gap: MapGap) -> str:
    css = gap.severity if gap.severity in _SEVERITY_RANK else "other"
    return (
        f'<li><button type="button" class="gap" data-gap="{index}">'
        f'<span class="sev {css}">{esc(gap.severity)}</span> '
        f'<span class="text">{esc(gap.text)}</span>'
        f'<span class="rule">{esc(gap.rule)}</span></button></li>'
    )


def gap_panel(area: AreaMap) -> str:
    """The gap list: one button per gap (most severe first); grouped by rule when many."""
    if not area.gaps:
        return (
            '<details open id="pcr-gaps"><summary>Gaps (0)</summary>'
            '<p class="hint">No gaps found in this area.</p></details>'
        )
    ordered = _sorted_gaps(area.gaps)
    hint = (
        '<p class="hint">Select a gap to show what it names: providers, a link, the two '
        "sectors of a pathway or a forum.</p>"
    )
    if len(area.gaps) <= GROUP_GAPS_ABOVE:
        items = "".join(_gap_item(index, gap) for index, gap in ordered)
        body = f'<ol class="gaps">{items}</ol>'
    else:
        by_rule: dict[str, list[tuple[int, MapGap]]] = {}
        for index, gap in ordered:
            by_rule.setdefault(gap.rule, []).append((index, gap))
        rules = sorted(
            by_rule,
            key=lambda r: (_SEVERITY_RANK.get(by_rule[r][0][1].severity, 3), -len(by_rule[r]), r),
        )
        body = "".join(
            f'<details class="rule"><summary>{esc(rule)} ({len(by_rule[rule])})</summary>'
            f'<ol class="gaps">{"".join(_gap_item(i, g) for i, g in by_rule[rule])}</ol>'
            "</details>"
            for rule in rules
        )
        hint += f'<p class="hint">{esc(plural(len(rules), "rule"))}: open one to list its gaps.</p>'
    return (
        f'<details open id="pcr-gaps"><summary>Gaps ({len(area.gaps)})</summary>'
        f"{hint}{body}</details>"
    )


def table_view() -> str:
    """The table view's shell: the page fills it from the map's data when it is opened.

    Providers and forums, then collaboration links: what the canvas shows, for keyboard and
    screen-reader users. Rows carry the legend's filter keys, so the filters apply here
    too; each name is a button that selects it on the map, each link id opens its panel.
    """
    return (
        '<details id="pcr-table"><summary>Table view: providers and links</summary>'
        '<p class="hint">The map as tables. The legend\'s filters apply here too; select a '
        "name to show it on the map, a link to see its evidence.</p>"
        '<table class="data"><caption>Providers and forums</caption><thead><tr>'
        '<th scope="col">Name</th><th scope="col">Sector</th>'
        '<th scope="col" class="n">Links</th><th scope="col">In a gap</th></tr></thead>'
        '<tbody id="pcr-node-rows"></tbody></table>'
        '<table class="data"><caption>Collaboration links</caption><thead><tr>'
        '<th scope="col">Link</th><th scope="col">Type</th><th scope="col">Between</th>'
        '<th scope="col">Period</th><th scope="col" class="n">Evidence</th></tr></thead>'
        '<tbody id="pcr-link-rows"></tbody></table></details>'
    )
