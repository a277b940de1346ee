"""The index page: one table row per area map, with its headline numbers."""

from __future__ import annotations

from collections.abc import Sequence

from pcr_graph.render.html import (
    NAV_CSS,
    STATIC_PAGE_HEAD,
    esc,
    fill_template,
    notices_html,
    plural,
    relative_href,
)
from pcr_graph.render.maps.model import IndexEntry
from pcr_graph.render.maps.palette import _SEVERITY_RANK

__all__ = ["render_index_html"]

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
h2{font-size:1.1rem;margin:1.2rem 0 .3rem}
p.kind{margin:0 0 .5rem;max-width:48rem}
"""

_TABLE = """<table>
<thead><tr><th scope="col">Area</th><th scope="col" class="n">Providers</th>\
<th scope="col" class="n">Links</th>@@SEVHEAD@@</tr></thead>
<tbody>
@@ROWS@@</tbody>
<tfoot><tr><td>Total (@@AREAS@@)</td>@@TOTALS@@</tr></tfoot>
</table>
"""

_FICTIONAL_HEADING = "Fictional and synthetic areas (invented data)"
_FICTIONAL_TEXT = (
    "Invented organisations and invented collaboration (the demo, or a synthetic England), "
    "to show what the maps and gap rules do; not a real system."
)
_REAL_HEADING = "Real areas: published registers only"
_REAL_TEXT = (
    "Real Integrated Care Boards with the structure published in national registers: "
    "practices grouped by the Primary Care Network the register lists. This is published "
    "structure, not reviewed collaboration."
)
_OTHER_HEADING = "Other areas"

_INDEX_PAGE = (
    STATIC_PAGE_HEAD
    + """@@SUBTITLE@@@@NOTICES@@</header>
<main>
@@LINKS@@@@TABLES@@</main>
</body>
</html>
"""
)


def render_index_html(
    title: str,
    entries: Sequence[IndexEntry],
    subtitle: str = "",
    links: Sequence[tuple[str, str]] = (),
    notices: Sequence[str] = (),
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
    notices : Sequence[str], optional
        Shown as visible notices under the heading (for example: the import was incomplete).

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
    heatmaps = any(entry.heatmap_href for entry in entries)
    fictional = [e for e in entries if e.fictional]
    real = [e for e in entries if e.register and not e.fictional]
    other = [e for e in entries if not e.fictional and not e.register]
    if not fictional and not real:
        tables = _table(other, severities, heatmaps)
    else:
        releases = sorted({r.strip() for e in real for r in e.register.split(",")})
        sections = [
            (_FICTIONAL_HEADING, _FICTIONAL_TEXT, fictional),
            (f"{_REAL_HEADING} ({', '.join(releases)})", _REAL_TEXT, real),
            (_OTHER_HEADING, "", other),
        ]
        tables = "".join(
            f"<section><h2>{esc(heading)}</h2>\n"
            + (f'<p class="kind">{esc(text)}</p>\n' if text else "")
            + _table(group, severities, heatmaps)
            + "</section>\n"
            for heading, text, group in sections
            if group
        )
    link_list = "".join(
        f'<li><a href="{esc(relative_href(href))}">{esc(text)}</a></li>' for href, text in links
    )
    return fill_template(
        _INDEX_PAGE,
        {
            "TITLE": esc(title),
            "SUBTITLE": f'<p class="subtitle">{esc(subtitle)}</p>\n' if subtitle else "",
            "CSS": _INDEX_CSS + NAV_CSS,
            "NOTICES": notices_html(notices),
            "LINKS": f'<ul class="links">{link_list}</ul>\n' if link_list else "",
            "TABLES": tables,
        },
    )


def _table(entries: Sequence[IndexEntry], severities: list[str], heatmaps: bool) -> str:
    """One table of areas, with its totals (each provider and link counted once)."""
    rows = []
    totals = [0, 0] + [0] * len(severities)
    for entry in entries:
        counts = dict(entry.gaps_by_severity)
        numbers = [entry.providers, entry.links] + [counts.get(s, 0) for s in severities]
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        cells = "".join(
            _number_cell(n, s) for n, s in zip(numbers, ["", "", *severities], strict=True)
        )
        if heatmaps:
            cells += (
                f'<td><a href="{esc(relative_href(entry.heatmap_href))}">heatmap</a></td>'
                if entry.heatmap_href
                else "<td></td>"
            )
        rows.append(
            f'<tr><td><a href="{esc(relative_href(entry.href))}">{esc(entry.title)}</a></td>'
            f"{cells}</tr>\n"
        )
    heads = "".join(f'<th scope="col" class="n">Gaps: {esc(s)}</th>' for s in severities)
    if entries and all(e.provider_ids or not e.providers for e in entries):
        totals[0] = len({p for e in entries for p in e.provider_ids})
    if entries and all(e.link_ids or not e.links for e in entries):
        totals[1] = len({link for e in entries for link in e.link_ids})
    total_cells = "".join(_number_cell(n, "") for n in totals)
    if heatmaps:
        heads += '<th scope="col">Links between sectors</th>'
        total_cells += "<td></td>"
    return fill_template(
        _TABLE,
        {
            "SEVHEAD": heads,
            "ROWS": "".join(rows),
            "AREAS": esc(plural(len(entries), "area")),
            "TOTALS": total_cells,
        },
    )


def _number_cell(number: int, severity: str) -> str:
    css = "n high" if severity == "high" and number else "n"
    return f'<td class="{css}">{int(number)}</td>'
