"""The main job, as a function: build, validate, report, draw."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import URIRef

from pcr_graph.core.errors import DataError
from pcr_graph.core.files import atomic_write_bytes
from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project

if TYPE_CHECKING:
    from pcr_graph.analysis.gaps import GapReport
    from pcr_graph.render.maps import AreaMap

REPORT_TITLE = "National gap analysis"


def write_area_map(
    store: Store,
    area: URIRef,
    report: GapReport,
    path: Path,
    pages: tuple[tuple[str, str], ...] = (),
    notices: tuple[str, ...] = (),
) -> AreaMap:
    """Draw one area's network map (with the area's gaps from ``report``) to ``path``.

    The per-area step of :func:`run_build`, and all of ``pcr-graph render``. ``pages`` are
    links to the build's other pages, relative to ``path``; ``notices`` what the page must
    say about the data (an incomplete import, the demo shown).
    """
    from dataclasses import replace  # inside: keeps `pcr-graph --help` fast

    from pcr_graph.render.mapdata import area_map
    from pcr_graph.render.maps import render_area_html, write_html

    data = replace(area_map(store, area, report), pages=pages, notices=notices)
    write_html(path, render_area_html(data))
    return data


def render_area(project: Project, area: str, output: Path) -> AreaMap:
    """Draw the area named ``area`` (id, ODS or ONS code) as one offline HTML map."""
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.analysis.queries import resolve_areas

    store = project.open()
    iris = resolve_areas(store, [area])
    assert iris is not None
    notices = tuple(project.notices(store))
    return write_area_map(store, iris[0], run_gaps(store, areas=iris), output, notices=notices)


def run_build(project: Project, out_dir: Path, echo: Callable[[str], None] = lambda _: None) -> int:
    """Build the dataset, validate it, write the gap report and maps into ``out_dir``.

    Everything is written into a staging folder inside ``out_dir`` first and moved into
    place only when the whole build has succeeded, so a failed build leaves the previous
    outputs as they were, never new reports beside old maps. See :func:`_build`.
    """
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=".pcr-graph-build-", dir=out_dir))
    except OSError as exc:
        raise DataError(f"cannot write {out_dir}: {exc.strerror}") from None
    try:
        code = _build(project, stage, out_dir, echo)
        if code == 0:
            _move_into_place(stage, out_dir)
        return code
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _move_into_place(stage: Path, out_dir: Path) -> None:
    for path in sorted(p for p in stage.rglob("*") if p.is_file()):
        final = out_dir / path.relative_to(stage)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.is_symlink() or (final.exists() and not final.is_file()):
            atomic_write_bytes(final, path.read_bytes())  # respects links and devices
        else:
            os.replace(path, final)


def _build(project: Project, out_dir: Path, shown: Path, echo: Callable[[str], None]) -> int:
    """Build the dataset, validate it, write the national gap report and one map per area.

    Writes into ``out_dir``: ``graph.ttl``; the gap report as ``gaps.md``, ``gaps.json``,
    ``gaps.csv`` and ``gaps.html``; per area with data ``maps/<area>.html`` (the network
    map) and ``maps/<area>-heatmap.svg`` (sector × sector links); ``overview.html`` (the
    national overview map); and ``index.html`` linking them all. Every file is written
    atomically.

    Returns the exit code: 0 when the data conforms, 1 when it does not (then only the
    violations are reported and nothing is written). ``shown`` is the folder named in
    messages (``out_dir`` is where the files are staged); map file names come from
    :func:`~pcr_graph.core.ids.file_stems`, so names from data stay inside ``maps/``.
    """
    from dataclasses import replace

    from pcr_graph.analysis.citations import cite
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.core.files import atomic_write_text
    from pcr_graph.core.ids import file_stems
    from pcr_graph.render.heatmap import heatmap_svg, missing_pathways
    from pcr_graph.render.mapdata import index_entry, overview_map
    from pcr_graph.render.maps import render_index_html, render_overview_html, write_html
    from pcr_graph.render.report_html import to_html
    from pcr_graph.render.report_text import format_report
    from pcr_graph.store.turtle import store_to_turtle
    from pcr_graph.validation.validate import validate

    store = project.open()
    echo(f"loaded {len(store)} triples from {len(store.sources())} sources ({store.engine})")
    violations = validate(store)
    if violations:
        for violation in violations:
            echo(str(violation))
        echo(f"{len(violations)} violation(s): nothing written")
        return 1
    echo("validated: the data conforms to the shapes")
    notices = tuple(project.notices(store))
    for notice in notices:
        echo(f"note: {notice}")
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "graph.ttl", store_to_turtle(store, "pcr-graph dataset"))
    report = cite(store, run_gaps(store))
    report.notes[:0] = notices
    for fmt in ("md", "json", "csv"):
        atomic_write_text(out_dir / f"gaps.{fmt}", format_report(report, fmt, REPORT_TITLE))
    home = ("index.html", "All areas (index)")
    atomic_write_text(
        out_dir / "gaps.html",
        to_html(report, REPORT_TITLE, pages=(home, ("overview.html", "National overview map"))),
    )
    map_pages = (
        ("../" + home[0], home[1]),
        ("../gaps.html", "Gap report"),
        ("../overview.html", "National overview map"),
    )
    echo(f"gaps: {len(report.hits)} in {len(report.areas)} areas with data")
    entries = []
    hrefs: dict[str, str] = {}
    stems = file_stems(iri for iri, _label in report.areas)
    for iri, _label in report.areas:
        stem = stems[iri]
        href = f"maps/{stem}.html"
        data = write_area_map(store, URIRef(iri), report, out_dir / href, map_pages, notices)
        heatmap_href = ""
        matrix = report.sector_links.get(iri)
        if matrix is not None:
            heatmap_href = f"maps/{stem}-heatmap.svg"
            atomic_write_text(
                out_dir / heatmap_href, heatmap_svg(matrix, missing=missing_pathways(report, iri))
            )
        hrefs[iri] = href
        entries.append(index_entry(data, href, heatmap_href))
        echo(f"map: {shown / href}")
    overview = replace(
        overview_map(store, report, hrefs, report_href="gaps.html"),
        pages=(home, ("gaps.html", "Gap report")),
        notices=notices,
    )
    write_html(out_dir / "overview.html", render_overview_html(overview))
    echo(f"overview: {shown / 'overview.html'}")
    write_html(
        out_dir / "index.html",
        render_index_html(
            "pcr-graph: collaboration maps",
            entries,
            subtitle="Maps, heatmaps and gaps per area.",
            notices=notices,
            links=[
                ("gaps.html", "Gap report (HTML, readable on a phone)"),
                ("overview.html", "National overview map: areas and the links between them"),
                ("gaps.md", "Gap report (Markdown)"),
                ("gaps.csv", "Gap report (CSV, one row per gap)"),
                ("gaps.json", "Gap report (JSON)"),
            ],
        ),
    )
    echo(f"wrote {shown / 'index.html'}")
    return 0
