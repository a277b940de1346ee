"""The gap report as text: Markdown, CSV and JSON, and the one dispatcher over every format."""

from __future__ import annotations

import io
from collections import Counter

from pcr_graph.analysis.citations import CitedReport
from pcr_graph.analysis.gaps import RANKING_RULE, GapReport
from pcr_graph.core.csvsafe import SafeWriter
from pcr_graph.core.errors import UsageError
from pcr_graph.render.report_html import to_html

MD_HITS_PER_RULE = 25
"""The Markdown report lists this many hits of one rule per area; JSON lists all."""


def to_markdown(report: GapReport, title: str = "Gap analysis") -> str:
    """The report as Markdown: a summary table, then each area's gaps with evidence."""
    lines = [f"# {_md(title)}", ""]
    lines += [f"> {_md(note)}" for note in report.notes]
    if report.notes:
        lines.append("")
    lines += ["## Summary", "", "| area | high | medium | low |", "|---|---:|---:|---:|"]
    for iri, label in report.areas:
        counts = report.summary(iri)
        lines.append(f"| {_md(label)} | {counts['high']} | {counts['medium']} | {counts['low']} |")
    lines.append("")
    lines += _md_ranking(report) + _md_planning(report)
    grouped = report.by_area()
    findings = {r.name: r.finding for r in report.rules}
    for iri, label in report.areas:
        lines += [f"## {_md(label)}", ""]
        area_hits = grouped.get(iri, [])
        if not area_hits:
            lines += ["No gaps found by the rules that ran.", ""]
            continue
        if iri in report.data_only:
            lines += [
                "> Registry data only: no collaboration links or planning forums are recorded "
                "for this area, so these gaps describe missing data.",
                "",
            ]
        by_theme = [
            f"{_md(theme)} {sum(counts.values())}"
            for theme, counts in report.theme_summary(iri).items()
            if sum(counts.values())
        ]
        lines += ["By theme: " + " · ".join(by_theme), ""]
        shown: Counter[str] = Counter()
        for hit in area_hits:
            shown[hit.rule] += 1
            if shown[hit.rule] == MD_HITS_PER_RULE + 1:
                more = sum(1 for h in area_hits if h.rule == hit.rule) - MD_HITS_PER_RULE
                lines.append(f"- … and {more} more `{hit.rule}` hits (all are in the JSON report)")
            if shown[hit.rule] > MD_HITS_PER_RULE:
                continue
            lines.append(
                f"- **{hit.severity}** · `{hit.rule}` · {_md(hit.theme)}: {_md(hit.explanation)}"
            )
            for line in hit.evidence:
                lines.append(f"  - considered: {_md(line)}")
            if isinstance(report, CitedReport):
                for item in report.cited(hit):
                    lines.append(f"  - source: {_md(item.as_text())}")
            finding = hit.finding or findings.get(hit.rule)
            if finding and finding.quote:
                source = ", ".join(x for x in (finding.source, finding.date) if x)
                url = report.finding_url(finding.iri) if isinstance(report, CitedReport) else ""
                source += f", {url}" if url and source else url
                lines.append(f"  - echoes: “{_md(finding.quote)}” ({_md(source)})")
        lines.append("")
    lines += ["## Rules", "", "| rule | severity | theme | summary |", "|---|---|---|---|"]
    for rule in report.rules:
        lines.append(f"| `{rule.name}` | {rule.severity} | {rule.theme} | {_md(rule.summary)} |")
    return "\n".join(lines) + "\n"


def _md_ranking(report: GapReport) -> list[str]:
    if not report.areas:
        return []
    lines = ["## Ranking", "", RANKING_RULE, ""]
    lines += ["| rank | area | score | high | medium | low |", "|---:|---|---:|---:|---:|---:|"]
    for r in report.ranking():
        note = "" if r.collaboration_recorded else " (registry data only)"
        lines.append(
            f"| {r.rank} | {_md(r.label)}{note} | {r.score} | {r.high} | {r.medium} | {r.low} |"
        )
    return [*lines, ""]


_PLANNING_MARKS = {"present": "✓ present", "missing": "✗ missing", "no forum": "– no forum"}


def _md_planning(report: GapReport) -> list[str]:
    sectors = report.planning_sectors()
    if not sectors:
        return []
    cells = report.planning_status()
    with_cells = {area for area, _sector in cells}
    areas = [(iri, label) for iri, label in report.areas if iri in with_cells]
    lines = [
        "## Planning table",
        "",
        "Which sector the expectation profile expects at the planning table sits on a planning "
        "forum of each area: ✓ present (a member of the sector, or of a narrower one), "
        "✗ missing (the area has forums, none seats the sector), – no forum (the area has no "
        "planning forum).",
        "",
        "| sector | " + " | ".join(_md(label) for _, label in areas) + " |",
        "|---|" + "---|" * len(areas),
    ]
    for sector, sector_label in sectors:
        marks = []
        for iri, _label in areas:
            cell = cells.get((iri, sector))
            marks.append(_PLANNING_MARKS[cell.status] if cell else "")
        lines.append(f"| {_md(sector_label)} | " + " | ".join(marks) + " |")
    return [*lines, ""]


def _md(text: str) -> str:
    # Keep user text from turning into Markdown structure or raw HTML in a renderer.
    out = text.replace("\\", "\\\\").replace("\r", " ").replace("\n", " ")
    for char in "`*_[]<>|#":
        out = out.replace(char, "\\" + char)
    return out


def to_csv(report: GapReport) -> str:
    """One row per hit: rule, severity, theme, area, subjects, explanation, finding."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(
        [
            "area",
            "area_label",
            "severity",
            "rule",
            "theme",
            "subjects",
            "explanation",
            "evidence_considered",
            "finding",
            "finding_quote",
            "finding_url",
            "evidence_sources",
            "data_notes",
        ]
    )
    # Every row carries the report's notes (an incomplete import, the demo shown), so that
    # no row can be read apart from them; a report without hits still gets one row for them.
    notes = " | ".join(report.notes)
    cited = report if isinstance(report, CitedReport) else None
    if notes and not report.hits:
        writer.writerow(["", "", "", "", "", "", "", "", "", "", "", "", notes])
    for hit in report.hits:
        writer.writerow(
            [
                hit.area,
                hit.area_label,
                hit.severity,
                hit.rule,
                hit.theme,
                "; ".join(f"{s.role}: {s.label}" for s in hit.subjects),
                hit.explanation,
                " | ".join(hit.evidence),
                hit.finding.iri if hit.finding else "",
                hit.finding.quote if hit.finding else "",
                cited.finding_url(hit) if cited else "",
                " | ".join(c.as_text() for c in cited.cited(hit)) if cited else "",
                notes,
            ]
        )
    return out.getvalue()


REPORT_FORMATS = ("md", "json", "csv", "html")


def format_report(report: GapReport, fmt: str, title: str = "Gap analysis") -> str:
    """The report in one of :data:`REPORT_FORMATS`.

    ``html`` is one offline, self-contained page (:func:`pcr_graph.render.report_html.to_html`).
    """
    if fmt == "html":
        return to_html(report, title)
    if fmt == "json":
        return report.to_json()
    if fmt == "csv":
        return to_csv(report)
    if fmt == "md":
        return to_markdown(report, title)
    raise UsageError(f"unknown report format {fmt!r} (one of {', '.join(REPORT_FORMATS)})")
