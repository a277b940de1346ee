"""The gap report as one offline, self-contained HTML page that people can act on.

The page has no script at all, loads nothing (its Content-Security-Policy forbids every
fetch; the heatmaps are inline SVG), escapes every string that comes from the data, and
reads on a phone: it never scrolls sideways at 390 px (wide tables scroll inside their own
box). The same report always gives the same bytes.

What it holds:

- the national part: areas ranked by gap score (:data:`pcr_graph.analysis.gaps.RANKING_RULE`)
  and the
  sector × area matrix of presence at the planning table;
- per area: hits by severity and by theme, the sector × sector link heatmap, then every hit
  with its rule, severity, theme, area, the providers or sectors concerned, the plain-English
  explanation, the evidence considered and the review finding it echoes (quote and source);
- the rules that ran.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache

from pcr_graph.analysis.citations import Citation, CitedReport
from pcr_graph.analysis.gaps import (
    PLANNING_STATUSES,
    RANKING_RULE,
    SEVERITIES,
    SEVERITY_WEIGHTS,
    Finding,
    GapReport,
    Hit,
    Rule,
)
from pcr_graph.render.html import NAV_CSS, STATIC_PAGE_HEAD, esc, page_nav
from pcr_graph.render.html import fill_template as _fill
from pcr_graph.render.html import plural as _plural

__all__ = ["HTML_HITS_PER_RULE", "HTML_HITS_PER_RULE_DATA_ONLY", "theme_label", "to_html"]

HTML_HITS_PER_RULE = 100
"""The page lists this many hits of one rule per area; the CSV and JSON reports list all."""
HTML_HITS_PER_RULE_DATA_ONLY = 10
"""The same limit for an area holding registry data only, whose gaps describe missing data."""

_ROLE_NAMES = {
    "provider": "Provider",
    "sector": "Sector",
    "forum": "Planning forum",
    "link": "Collaboration link",
    "evidence": "Evidence",
    "fromSector": "Sector",
    "toSector": "Sector",
    "pcn": "Primary Care Network",
}

_PLANNING_MARKS = {
    "present": ("✓", "present"),
    "missing": ("✗", "missing"),
    "no forum": ("–", "no forum"),
}

_CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1b1b1b;background:#fff}
header,main,nav,footer{max-width:62rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.5rem;margin:.2rem 0 .4rem;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:1.6rem 0 .5rem;padding-top:.6rem;border-top:2px solid #d0d0d0;
overflow-wrap:anywhere}
h3{font-size:1.05rem;margin:1.1rem 0 .4rem}
p,li,dd,dt,summary,figcaption,blockquote{overflow-wrap:anywhere}
td,th{overflow-wrap:break-word}
a{color:#0b5394}
.lede{font-size:1.05rem}
.note{background:#fff8e1;border-left:4px solid #b26a00;padding:.4rem .7rem;margin:.5rem 0}
nav ul{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.3rem .9rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0 .8rem}
th,td{padding:.3rem .45rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{background:#f3f3f1}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
.matrix th,.matrix td{white-space:normal;min-width:5.5rem}
.matrix td{text-align:center}
.matrix th[scope=row]{min-width:8rem}
.st{display:inline-block;padding:0 .35rem;border-radius:3px;border:1px solid #888;
white-space:nowrap}
.st.present{background:#d9f0d3;border-color:#1b7837}
.st.missing{background:#f4cccc;border-color:#b2182b;font-weight:700}
.st.noforum{background:#eeeeee;border-color:#999;color:#444}
.sev{display:inline-block;font-size:.78rem;font-weight:700;text-transform:uppercase;
padding:0 .35rem;border-radius:3px;border:1px solid #333;background:#fff;white-space:nowrap}
.sev.high{background:#c00000;color:#fff;border-color:#c00000}
.sev.medium{background:#f0e442;color:#000}
.sev.low{background:#e8e8e8;color:#000}
.data-only{background:#eef3fb;border-left:4px solid #0b5394;padding:.4rem .7rem}
figure.heatmap{margin:.4rem 0 1rem}
figure.heatmap .scroll{border:1px solid #e2e2e2}
figure.heatmap svg{display:block}
figcaption{font-size:.9rem;color:#444;margin-top:.3rem}
details.rule{border:1px solid #ddd;border-radius:4px;margin:.5rem 0;padding:.2rem .6rem}
details.rule>summary{cursor:pointer;padding:.3rem 0;font-weight:600}
details.rule code{font-weight:400}
ol.hits{margin:0;padding:0;list-style:none}
li.hit{border-top:1px solid #e6e6e6;padding:.5rem 0}
li.hit:first-child{border-top:0}
.explain{margin:.1rem 0 .3rem;font-weight:600}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem .8rem;margin:0;
font-size:.93rem}
dt{color:#555}
dd{margin:0;min-width:0}
dd ul{margin:0;padding-left:1.1rem}
blockquote{margin:.1rem 0;padding-left:.6rem;border-left:3px solid #999;font-style:italic}
.url{font-size:.85em;color:#444;overflow-wrap:anywhere}
ul.sources{padding-left:1.1rem}
cite{font-style:normal;color:#444}
code{font-size:.9em;overflow-wrap:anywhere}
.more{color:#555;font-style:italic}
footer{margin:2rem auto 1rem;color:#555;font-size:.9rem;border-top:1px solid #ddd;
padding-top:.6rem}
@media (max-width:520px){
dl{grid-template-columns:6.2rem minmax(0,1fr);gap:.2rem .5rem}
header,main,nav,footer{padding:0 .75rem}
table{font-size:.92rem}
th,td{padding:.25rem .3rem}
body{font-size:15px}
}
"""

_PAGE = (
    STATIC_PAGE_HEAD
    + """@@LEDE@@
@@PAGES@@</header>
<nav aria-label="Contents"><ul>@@NAV@@</ul></nav>
<main>
@@BODY@@
</main>
<footer>Written by pcr-graph from the data loaded. Gaps are <em>expected but missing</em> \
collaboration found by named rules; check each one against the evidence listed before acting \
on it. Areas and organisations marked “(fictional)” are invented demo data.</footer>
</body>
</html>
"""
)


@cache
def _theme_labels() -> dict[str, str]:
    from pcr_graph.core.vocab import themes

    scheme = themes()
    return {code: scheme.label[concept] for concept, code in scheme.notation.items()}


def theme_label(notation: str) -> str:
    """The PCR theme's label (``governance-and-shared-planning`` → its prefLabel).

    Examples
    --------
    >>> theme_label("not-a-theme")
    'Not a theme'
    """
    label = _theme_labels().get(notation)
    if label:
        return label
    text = notation.replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else "(no theme)"


def _sev(severity: str) -> str:
    css = severity if severity in SEVERITIES else "other"
    return f'<span class="sev {css}">{esc(severity)}</span>'


def _num_cell(value: int) -> str:
    return f'<td class="n">{int(value)}</td>'


def _anchors(report: GapReport) -> dict[str, str]:
    # Anchors are positions, never data, so no name can break out of an id.
    return {iri: f"area-{index}" for index, (iri, _label) in enumerate(report.areas, start=1)}


def _lede(report: GapReport, title: str) -> str:
    del title
    rules = _plural(len(report.rules), "rule")
    areas = _plural(len(report.areas), "area")
    counts = {s: sum(1 for h in report.hits if h.severity == s) for s in SEVERITIES}
    severity = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES)
    parts = [
        f'<p class="lede">{esc(_plural(len(report.hits), "gap"))} ({esc(severity)}) in '
        f"{esc(areas)} with data, found by {esc(rules)}.</p>"
    ]
    parts += [f'<p class="note">{esc(note)}</p>' for note in report.notes]
    return "\n".join(parts)


def _nav(report: GapReport, anchors: dict[str, str]) -> str:
    items = ['<li><a href="#ranking">Ranking</a></li>']
    if report.planning:
        items.append('<li><a href="#planning">Planning table</a></li>')
    items += [f'<li><a href="#{anchors[iri]}">{esc(label)}</a></li>' for iri, label in report.areas]
    items.append('<li><a href="#rules">Rules</a></li>')
    return "".join(items)


def _ranking(report: GapReport, anchors: dict[str, str]) -> str:
    weights = ", ".join(f"{s} = {w}" for s, w in SEVERITY_WEIGHTS.items())
    head = (
        '<section id="ranking"><h2>Areas ranked by gap score</h2>'
        f"<p>{esc(RANKING_RULE)} (Weights: {esc(weights)}.) A high score means many or "
        "serious gaps; it is a place to start looking, not a verdict.</p>"
    )
    if not report.areas:
        return head + "<p>No area has provider or collaboration data loaded.</p></section>"
    rows = []
    for r in report.ranking():
        note = "" if r.collaboration_recorded else " <small>(registry data only)</small>"
        rows.append(
            f'<tr><td class="n">{r.rank}</td>'
            f'<td><a href="#{anchors[r.area]}">{esc(r.label)}</a>{note}</td>'
            f'<td class="n"><strong>{r.score}</strong></td>'
            + "".join(_num_cell(n) for n in (r.high, r.medium, r.low))
            + "</tr>"
        )
    return (
        head + '<div class="scroll"><table class="ranking"><thead><tr>'
        '<th scope="col" class="n">#</th><th scope="col">Area</th>'
        '<th scope="col" class="n">Score</th><th scope="col" class="n">High</th>'
        '<th scope="col" class="n">Medium</th><th scope="col" class="n">Low</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _status(status: str, members: int) -> str:
    mark, word = _PLANNING_MARKS.get(status, ("?", status))
    css = "noforum" if status == "no forum" else status
    extra = f" ({members})" if status == "present" else ""
    return f'<span class="st {esc(css)}">{mark} {esc(word)}{extra}</span>'


def _planning(report: GapReport, anchors: dict[str, str]) -> str:
    sectors = report.planning_sectors()
    if not sectors:
        return ""
    cells = report.planning_status()
    with_cells = {area for area, _sector in cells}
    areas = [(iri, label) for iri, label in report.areas if iri in with_cells]
    head = "".join(
        f'<th scope="col"><a href="#{anchors[iri]}">{esc(label)}</a></th>' for iri, label in areas
    )
    rows = []
    for sector, sector_label in sectors:
        tds = []
        for iri, _label in areas:
            cell = cells.get((iri, sector))
            tds.append(f"<td>{_status(cell.status, cell.members) if cell else ''}</td>")
        rows.append(f'<tr><th scope="row">{esc(sector_label)}</th>{"".join(tds)}</tr>')
    legend = " ".join(_status(s, 1 if s == "present" else 0) for s in PLANNING_STATUSES)
    return (
        '<section id="planning"><h2>Who is at the planning table</h2>'
        "<p>For each sector the expectation profile expects at the planning table, whether it "
        "sits on a planning forum of the area. <strong>Present</strong>: a forum member "
        "belongs to the sector or to a narrower one (the number is how many members); "
        "<strong>missing</strong>: the area has forums but none seats the sector; "
        "<strong>no forum</strong>: the area has no planning forum recorded.</p>"
        f'<p class="legend">{legend}</p>'
        '<div class="scroll"><table class="matrix"><thead><tr><th scope="col">Sector</th>'
        f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _severity_table(report: GapReport, iri: str) -> str:
    counts = report.summary(iri)
    cells = "".join(_num_cell(counts[s]) for s in SEVERITIES)
    total = sum(counts.values())
    return (
        '<div class="scroll"><table class="by-severity"><thead><tr>'
        + "".join(f'<th scope="col" class="n">{_sev(s)}</th>' for s in SEVERITIES)
        + '<th scope="col" class="n">Total</th><th scope="col" class="n">Score</th></tr>'
        f"</thead><tbody><tr>{cells}{_num_cell(total)}{_num_cell(report.score(iri))}</tr>"
        "</tbody></table></div>"
    )


def _theme_table(report: GapReport, iri: str) -> str:
    rows = []
    for theme, counts in report.theme_summary(iri).items():
        rows.append(
            f'<tr><th scope="row">{esc(theme_label(theme))}</th>'
            + "".join(_num_cell(counts[s]) for s in SEVERITIES)
            + _num_cell(sum(counts.values()))
            + "</tr>"
        )
    return (
        '<div class="scroll"><table class="by-theme"><thead><tr><th scope="col">Theme</th>'
        '<th scope="col" class="n">High</th><th scope="col" class="n">Medium</th>'
        '<th scope="col" class="n">Low</th><th scope="col" class="n">Total</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="more">Themes no rule covers are not listed.</p>'
    )


def _heatmap(report: GapReport, iri: str) -> str:
    from pcr_graph.render.heatmap import heatmap_svg, missing_pathways

    matrix = report.sector_links.get(iri)
    if matrix is None:
        return "<p>No sector is recorded for this area's providers.</p>"
    links = sum(n for _a, _b, n in matrix.counts)
    return (
        '<figure class="heatmap"><div class="scroll" tabindex="0" role="region" '
        'aria-label="Sector heatmap (scrolls sideways on a narrow screen)">'
        + heatmap_svg(matrix, missing=missing_pathways(report, iri))
        + "</div><figcaption>Collaboration links between sectors. Each cell counts the links of "
        "the area joining a provider of the row's sector with a different provider of the "
        "column's sector (the diagonal: two providers of the same sector); darker means more, "
        f"and the number is written in every cell. {esc(_plural(len(matrix.sectors), 'sector'))}"
        f"; {links} sector-pair links in all.</figcaption></figure>"
    )


def _hit(hit: Hit, rule_finding: Finding | None, report: GapReport) -> str:
    concerns = "".join(
        f"<li>{esc(_ROLE_NAMES.get(s.role, s.role))}: {esc(s.label)}</li>" for s in hit.subjects
    )
    evidence = "".join(f"<li>{esc(line)}</li>" for line in hit.evidence)
    finding = hit.finding if hit.finding is not None else rule_finding
    echoes = "<dd>no review finding recorded for this rule</dd>"
    if finding is not None and (finding.quote or finding.label):
        quote = f"<blockquote>“{esc(finding.quote)}”</blockquote>" if finding.quote else ""
        label = f"{esc(finding.label)}" if finding.label else ""
        echoes = f"<dd>{quote}{label}{_finding_cite(finding, report)}</dd>"
    cited = report.cited(hit) if isinstance(report, CitedReport) else ()
    sources = f"<dt>Sources</dt><dd>{_sources(cited)}</dd>" if cited else ""
    return (
        f'<li class="hit"><p class="explain">{esc(hit.explanation)}</p><dl>'
        f"<dt>Rule</dt><dd><code>{esc(hit.rule)}</code></dd>"
        f"<dt>Severity</dt><dd>{_sev(hit.severity)}</dd>"
        f"<dt>Theme</dt><dd>{esc(theme_label(hit.theme))}</dd>"
        f"<dt>Area</dt><dd>{esc(hit.area_label or hit.area)}</dd>"
        f"<dt>Concerns</dt><dd>{f'<ul>{concerns}</ul>' if concerns else 'the whole area'}</dd>"
        "<dt>Evidence considered</dt>"
        f"<dd>{f'<ul>{evidence}</ul>' if evidence else 'no evidence applies to this rule'}</dd>"
        f"{sources}<dt>Echoes</dt>{echoes}</dl></li>"
    )


def _link(text: str, url: str) -> str:
    """``text`` escaped, linked to ``url`` when it is a web address (opens nothing itself)."""
    if url.startswith(("http://", "https://")):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(text)}</a>'
    return esc(text)


def _sources(cited: Sequence[Citation]) -> str:
    """Each evidence item as a citation: title (linked), publisher, date, URL, quote."""
    items = []
    for item in cited:
        where = ", ".join(x for x in (item.publisher, item.date) if x)
        quote = f"<blockquote>“{esc(item.quote)}”</blockquote>" if item.quote else ""
        url = f' <span class="url">{esc(item.url)}</span>' if item.url else ""
        items.append(
            f"<li><cite>{_link(item.title, item.url)}</cite>"
            f"{f' ({esc(where)})' if where else ''}{url}{quote}</li>"
        )
    return f'<ul class="sources">{"".join(items)}</ul>'


def _finding_cite(finding: Finding, report: GapReport) -> str:
    source = ", ".join(x for x in (finding.source, finding.date) if x)
    url = report.finding_url(finding.iri) if isinstance(report, CitedReport) else ""
    if not source and not url:
        return ""
    shown = _link(source or url, url)
    tail = f' <span class="url">{esc(url)}</span>' if url else ""
    return f" <cite>({shown})</cite>{tail}"


def _hits(hits: Sequence[Hit], rules: dict[str, Rule], limit: int, report: GapReport) -> str:
    if not hits:
        return "<p>No gaps found by the rules that ran.</p>"
    by_rule: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_rule[hit.rule].append(hit)
    blocks = []
    for name, group in by_rule.items():
        rule = rules.get(name)
        shown = group[:limit]
        items = "".join(_hit(h, rule.finding if rule else None, report) for h in shown)
        if len(group) > len(shown):
            more = len(group) - len(shown)
            items += (
                f'<li class="more">… and {more} more hits of this rule in this area: every hit '
                "is in the CSV and JSON reports.</li>"
            )
        summary = f" — {esc(rule.summary)}" if rule and rule.summary else ""
        blocks.append(
            f'<details class="rule" open><summary>{_sev(group[0].severity)} '
            f"<code>{esc(name)}</code> ({len(group)}){summary}</summary>"
            f'<ol class="hits">{items}</ol></details>'
        )
    return "".join(blocks)


def _area(report: GapReport, iri: str, label: str, anchor: str, hits: Sequence[Hit]) -> str:
    rules = {r.name: r for r in report.rules}
    limit = HTML_HITS_PER_RULE_DATA_ONLY if iri in report.data_only else HTML_HITS_PER_RULE
    data_only = (
        '<p class="data-only">Registry data only: no collaboration links or planning forums are '
        "recorded for this area, so its gaps describe missing data.</p>"
        if iri in report.data_only
        else ""
    )
    return (
        f'<section id="{anchor}" class="area"><h2>{esc(label)}</h2>{data_only}'
        f"<h3>Summary</h3>{_severity_table(report, iri)}{_theme_table(report, iri)}"
        f"<h3>Links between sectors</h3>{_heatmap(report, iri)}"
        f"<h3>Gaps ({len(hits)})</h3>{_hits(hits, rules, limit, report)}</section>"
    )


def _rules(report: GapReport) -> str:
    rows = []
    for rule in report.rules:
        finding = rule.finding
        echoes = ""
        if finding is not None and finding.quote:
            echoes = f"“{esc(finding.quote)}”" + _finding_cite(finding, report)
        rows.append(
            f"<tr><td><code>{esc(rule.name)}</code></td><td>{_sev(rule.severity)}</td>"
            f"<td>{esc(theme_label(rule.theme))}</td><td>{esc(rule.summary)}</td>"
            f"<td>{echoes}</td></tr>"
        )
    return (
        '<section id="rules"><h2>Rules that ran</h2><div class="scroll"><table class="rules">'
        '<thead><tr><th scope="col">Rule</th><th scope="col">Severity</th>'
        '<th scope="col">Theme</th><th scope="col">Looks for</th>'
        '<th scope="col">Echoes the finding</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def to_html(
    report: GapReport, title: str = "Gap analysis", pages: Sequence[tuple[str, str]] = ()
) -> str:
    """The gap report as one offline, self-contained, phone-readable HTML page.

    Parameters
    ----------
    report : GapReport
        From :func:`pcr_graph.analysis.gaps.run_gaps` (with ``context=True`` for the planning matrix
        and the heatmaps). Every text in it is untrusted and escaped.
    title : str, optional
        The page heading.
    pages : Sequence[tuple[str, str]], optional
        ``(href, text)`` of the other pages of the build (index, overview), relative.

    Returns
    -------
    str
        The page: no script, nothing loaded from the network (its Content-Security-Policy
        forbids it), the same bytes for the same report.
    """
    anchors = _anchors(report)
    grouped = report.by_area()
    body = [_ranking(report, anchors), _planning(report, anchors)]
    body += [
        _area(report, iri, label, anchors[iri], grouped.get(iri, [])) for iri, label in report.areas
    ]
    body.append(_rules(report))
    return _fill(
        _PAGE,
        {
            "TITLE": esc(title),
            "CSS": _CSS + NAV_CSS,
            "LEDE": _lede(report, title),
            "PAGES": page_nav(pages),
            "NAV": _nav(report, anchors),
            "BODY": "\n".join(part for part in body if part),
        },
    )
