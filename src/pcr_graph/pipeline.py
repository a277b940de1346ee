"""The main job, as a function: build, validate, report, draw."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .project import Project


def run_build(project: Project, out_dir: Path, echo: Callable[[str], None] = lambda _: None) -> int:
    """Build the dataset, validate it, write the national gap report and one map per area.

    Returns the exit code: 0 when the data conforms, 1 when it does not (then only the
    violations are reported and nothing is written).
    """
    from .gaps import run_gaps, to_markdown
    from .mapdata import area_map, index_entry
    from .rdfio import atomic_write_text, to_turtle
    from .render import render_area_html, render_index_html, write_html
    from .validate import validate

    store = project.open()
    echo(f"loaded {len(store)} triples from {len(store.sources())} sources ({store.engine})")
    violations = validate(store)
    if violations:
        for violation in violations:
            echo(str(violation))
        echo(f"{len(violations)} violation(s): nothing written")
        return 1
    echo("validated: the data conforms to the shapes")
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out_dir / "graph.ttl", to_turtle(store.graph(), "pcr-graph dataset"))
    report = run_gaps(store)
    atomic_write_text(out_dir / "gaps.md", to_markdown(report, "National gap analysis"))
    atomic_write_text(out_dir / "gaps.json", report.to_json())
    echo(f"gaps: {len(report.hits)} in {len(report.areas)} areas with data")
    entries = []
    from .ids import last_segment

    for iri, _label in report.areas:
        from rdflib import URIRef

        data = area_map(store, URIRef(iri), report)
        href = f"maps/{last_segment(iri)}.html"
        write_html(out_dir / href, render_area_html(data))
        entries.append(index_entry(data, href))
        echo(f"map: {out_dir / href}")
    write_html(
        out_dir / "index.html",
        render_index_html(
            "pcr-graph: collaboration maps",
            entries,
            subtitle="Maps and gaps per area; see gaps.md for the full report.",
        ),
    )
    echo(f"wrote {out_dir / 'index.html'}")
    return 0
