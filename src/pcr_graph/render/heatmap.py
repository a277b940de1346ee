"""Sector × sector heatmaps as standalone, escaped SVG.

The counts come from :mod:`pcr_graph.analysis.sector_matrix`.

The palette is a colour-blind-safe sequential scale (ColorBrewer YlGnBu), and each cell
carries its count as text, so colour is never the only cue. The same SVG is a file of its
own (``out/maps/<area>-heatmap.svg``) and is inlined in the HTML gap report.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Collection, Sequence

from pcr_graph.analysis.gaps import GapReport
from pcr_graph.analysis.sector_matrix import SectorMatrix

#: Count bins and their fills: ColorBrewer YlGnBu (colour-blind safe, prints in grey
#: scale in order). ``(lowest count, fill, text colour)``; fixed, so areas compare.
BINS: tuple[tuple[int, str, str], ...] = (
    (0, "#F7F7F7", "#767676"),
    (1, "#C7E9B4", "#1B1B1B"),
    (2, "#7FCDBB", "#1B1B1B"),
    (3, "#41B6C4", "#1B1B1B"),
    (5, "#1D91C0", "#FFFFFF"),
    (8, "#225EA8", "#FFFFFF"),
    (13, "#0C2C84", "#FFFFFF"),
)

_CELL = 34
_FONT = 12
_CHAR = 7.0  # average width of one character at 12 px, for sizing the label margins
_LABEL_MAX = 30
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _xml(text: object) -> str:
    """Text safe in SVG and HTML: escaped, and without characters XML 1.0 forbids."""
    cleaned = _CONTROL.sub("\ufffd", str(text))
    escaped = html.escape(cleaned, quote=True)
    return escaped.replace("\u2028", "&#x2028;").replace("\u2029", "&#x2029;")


def _short(text: str, limit: int = _LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _bin(count: int) -> tuple[str, str]:
    fill, ink = BINS[0][1], BINS[0][2]
    for lowest, bin_fill, bin_ink in BINS:
        if count >= lowest:
            fill, ink = bin_fill, bin_ink
    return fill, ink


def _bin_label(index: int) -> str:
    lowest = BINS[index][0]
    if index + 1 == len(BINS):
        return f"{lowest}+"
    highest = BINS[index + 1][0] - 1
    return str(lowest) if highest == lowest else f"{lowest}–{highest}"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


_MISSING = "#C00000"
_HEADING = 30  # room for the visible title


def missing_pathways(report: GapReport, area: str) -> list[tuple[str, str]]:
    """The expected-but-missing sector pathways of ``area``: ``(from, to)`` notations.

    Taken from the ``missing-pathway`` hits of ``report`` (their ``fromSector`` and
    ``toSector`` subjects).
    """
    out: list[tuple[str, str]] = []
    for hit in report.hits:
        if hit.area != area or hit.rule != "missing-pathway":
            continue
        ends = {s.role: s.iri.rstrip("/").rsplit("/", 1)[-1] for s in hit.subjects}
        pair = (ends.get("fromSector", ""), ends.get("toSector", ""))
        if all(pair) and pair not in out:
            out.append(pair)
    return out


def heatmap_svg(
    matrix: SectorMatrix,
    *,
    title: str | None = None,
    missing: Sequence[tuple[str, str]] = (),
) -> str:
    """A standalone SVG heatmap of ``matrix``: one row and one column per sector.

    Parameters
    ----------
    matrix : SectorMatrix
        The counts to draw. Every label in it is untrusted and escaped.
    title : str, optional
        Title, shown at the top and as the accessible name (default: "Collaboration links
        between sectors: <area>").
    missing : Sequence[tuple[str, str]], optional
        Expected-but-missing pathways as sector notation pairs (see
        :func:`missing_pathways`): both cells of each pair get a red outline and a ✕, and
        the legend says so.

    Returns
    -------
    str
        An ``<svg>`` element with its namespace, valid as a file of its own and inline in
        HTML. It references nothing outside itself, has no script and no ``id``, so several
        can share a page. The same matrix always gives the same text.

    Examples
    --------
    >>> m = SectorMatrix("a", "A & B", (("x", "Care home", 3), ("y", "GP <1>", 2)),
    ...                  (("x", "y", 4),))
    >>> svg = heatmap_svg(m)
    >>> "GP &lt;1&gt;" in svg and ">4</text>" in svg and "<script" not in svg
    True
    """
    sectors = matrix.sectors
    size = len(sectors)
    grid = matrix.grid()
    heading = (
        title if title is not None else f"Collaboration links between sectors: {matrix.area_label}"
    )
    row_labels = [f"{_short(label)} ({providers})" for _n, label, providers in sectors]
    col_labels = [_short(label) for _n, label, _p in sectors]
    left = math.ceil(max((len(t) for t in row_labels), default=10) * _CHAR) + 14
    diagonal = 0.7071
    longest = max((len(t) for t in col_labels), default=10) * _CHAR
    top = math.ceil(longest * diagonal) + 16 + _HEADING
    # A column label runs up and to the right of its column, 45° from the horizontal.
    reach = max(
        (j * _CELL + _CELL / 2 + len(t) * _CHAR * diagonal for j, t in enumerate(col_labels)),
        default=0.0,
    )
    right = max(math.ceil(reach - size * _CELL) + 12, 24)
    legend_top = top + size * _CELL + 26
    legend_cell = 46
    width = max(left + size * _CELL + right, 24 + len(BINS) * legend_cell + 24, 320)
    gone = _missing_cells(missing, [n for n, _l, _p in sectors])
    height = legend_top + (76 if gone else 58)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pcr-heatmap" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{_FONT}">',
        f"<title>{_xml(heading)}</title>",
        f"<desc>{_xml(_description(matrix))}</desc>",
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>',
        f'<text x="12" y="20" font-size="15" font-weight="700" fill="#1B1B1B">'
        f"{_xml(_short(heading, 90))}</text>",
    ]
    if not size:
        parts.append(
            f'<text x="12" y="24" fill="#1B1B1B">{_xml("No provider of this area has a sector.")}'
            "</text></svg>"
        )
        return "".join(parts)
    for j, label in enumerate(col_labels):
        x = left + j * _CELL + _CELL / 2
        y = top - 6
        parts.append(
            f'<text x="{_num(x)}" y="{y}" transform="rotate(-45 {_num(x)} {y})" '
            f'fill="#1B1B1B">{_xml(label)}</text>'
        )
    for i, label in enumerate(row_labels):
        baseline = top + i * _CELL + _CELL / 2 + _FONT * 0.35
        parts.append(
            f'<text x="{left - 8}" y="{_num(baseline)}" text-anchor="end" fill="#1B1B1B">'
            f"{_xml(label)}</text>"
        )
        for j in range(size):
            count = grid[i][j]
            fill, ink = _bin(count)
            x0, y0 = left + j * _CELL, top + i * _CELL
            stroke = "#1B1B1B" if i == j else "#FFFFFF"
            cell_title = _cell_title(sectors[i][1], sectors[j][1], count)
            marked = (i, j) in gone
            if marked:
                cell_title += " (an expected pathway with no link)"
            parts.append(
                f"<g><title>{_xml(cell_title)}</title>"
                f'<rect x="{x0}" y="{y0}" width="{_CELL}" height="{_CELL}" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="{1.5 if i == j else 1}"/>'
                f'<text x="{_num(x0 + _CELL / 2)}" y="{_num(y0 + _CELL / 2 + _FONT * 0.35)}" '
                f'text-anchor="middle" fill="{ink}">{count}</text>'
                + (_missing_mark(x0, y0) if marked else "")
                + "</g>"
            )
    parts.append(
        f'<text x="24" y="{legend_top - 6}" fill="#1B1B1B">'
        f"{_xml('Links per sector pair (the diagonal: links within one sector)')}</text>"
    )
    for k, (_lowest, fill, ink) in enumerate(BINS):
        x0 = 24 + k * legend_cell
        parts.append(
            f'<rect x="{x0}" y="{legend_top}" width="{legend_cell}" height="20" '
            f'fill="{fill}" stroke="#767676" stroke-width="0.5"/>'
            f'<text x="{x0 + legend_cell // 2}" y="{legend_top + 14}" text-anchor="middle" '
            f'fill="{ink}">{_xml(_bin_label(k))}</text>'
        )
    parts.append(
        f'<text x="24" y="{legend_top + 40}" fill="#555555">'
        f"{_xml('Row labels: sector (number of providers in the area view).')}</text>"
    )
    if gone:
        parts.append(
            f'<rect x="24" y="{legend_top + 50}" width="18" height="18" fill="none" '
            f'stroke="{_MISSING}" stroke-width="3"/>'
            f'<text x="50" y="{legend_top + 63}" fill="#1B1B1B">'
            f"{_xml('Red outline, ✕: an expected pathway between the two sectors has no link.')}"
            "</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _missing_cells(
    missing: Sequence[tuple[str, str]], notations: Sequence[str]
) -> Collection[tuple[int, int]]:
    index = {n: k for k, n in enumerate(notations)}
    cells: set[tuple[int, int]] = set()
    for a, b in missing:
        if a in index and b in index:
            cells.add((index[a], index[b]))
            cells.add((index[b], index[a]))
    return cells


def _missing_mark(x0: int, y0: int) -> str:
    inset = 2
    return (
        f'<rect x="{x0 + inset}" y="{y0 + inset}" width="{_CELL - 2 * inset}" '
        f'height="{_CELL - 2 * inset}" fill="none" stroke="{_MISSING}" stroke-width="3"/>'
        f'<text x="{x0 + _CELL - 8}" y="{y0 + 12}" text-anchor="middle" font-size="10" '
        f'font-weight="700" fill="{_MISSING}">✕</text>'
    )


def _cell_title(one: str, other: str, count: int) -> str:
    links = f"{count} link{'' if count == 1 else 's'}"
    if one == other:
        return f"{one}: {links} between two of its providers"
    return f"{one} – {other}: {links}"


def _description(matrix: SectorMatrix) -> str:
    if not matrix.counts:
        return f"{len(matrix.sectors)} sectors, no collaboration link between them."
    top = sorted(matrix.counts, key=lambda c: (-c[2], c[0], c[1]))[:3]
    names = {n: label for n, label, _p in matrix.sectors}
    busiest = "; ".join(f"{names[a]} – {names[b]}: {n}" for a, b, n in top)
    return f"{len(matrix.sectors)} sectors. Most links: {busiest}."
