"""The Python API for notebooks: ``import pcr_graph as pg``.

A small, typed surface over the library, re-exported (lazily) by :mod:`pcr_graph`:

- :func:`open_project` / :func:`open_file`: a store with the data loaded;
- :func:`areas`: the areas, with their codes and how much data each holds;
- :func:`gap_report` and :func:`gap_rows`: the gap report as an object and as rows;
- :func:`metrics`: an area's network metrics as rows (``pandas.DataFrame(rows)``);
- :func:`network`: an area's provider network as a networkx graph;
- :func:`area_map`: an area's map, which draws itself in Jupyter (``_repr_html_``);
- :func:`query` and :func:`validate`: named queries and SHACL validation.

Areas are named as on the command line: an area id (``wv``), an ODS code (``QOP``), an ONS
code (``E54000057``) or the area's IRI. Every row function returns a list of plain
dictionaries of strings and numbers, which ``pandas.DataFrame`` takes as it is (pandas is
not needed otherwise). See ``docs/api.md`` for a worked example.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import URIRef

from pcr_graph.store.engines import Store, Table
from pcr_graph.store.project import Project

if TYPE_CHECKING:
    from pcr_graph.analysis.gaps import GapReport
    from pcr_graph.render.maps import AreaMap
    from pcr_graph.validation.results import Violation

Row = dict[str, Any]
"""One row of a table: column name -> str, int or float (``pandas.DataFrame`` takes a list)."""


def open_project(
    workspace: str | Path = ".pcr-graph",
    *,
    demo: bool = True,
    profile: str | Path | None = None,
    engine: str = "oxigraph",
) -> Store:
    """The data every ``pcr-graph`` command sees: ontology, reference areas, the fictional
    demo (unless ``demo=False``) and the imports in ``workspace``.

    Parameters
    ----------
    workspace
        The folder of imports (``pcr-graph --workspace``); need not exist.
    demo
        Include the fictional demo system.
    profile
        An expectation profile (Turtle) instead of ``graph/profile-default.ttl``.
    engine
        ``oxigraph`` (embedded, fast) or ``rdflib`` (the reference engine).
    """
    project = Project(
        workspace=Path(workspace),
        include_demo=demo,
        profile=Path(profile) if profile is not None else None,
        engine=engine,
    )
    return project.open()


def open_file(*paths: str | Path, demo: bool = False, engine: str = "oxigraph") -> Store:
    """The ontology and reference areas plus the RDF files ``paths`` (Turtle, N-Triples …).

    Each file is its own source (validation reports say which file a problem is in).
    """
    from pcr_graph.core.resources import ontology_files, reference_files
    from pcr_graph.store.engines import open_store

    files = [*ontology_files(), *reference_files(include_demo=demo), *map(Path, paths)]
    return open_store(files, engine)


def _area(store: Store, area: str | URIRef) -> URIRef:
    from pcr_graph.analysis.queries import resolve_areas

    found = resolve_areas(store, [str(area)])
    assert found is not None
    return found[0]


def _plain(value: object) -> Any:
    """A result cell as a plain Python value: numbers stay numbers, the rest is text."""
    from rdflib import Literal

    if value is None:
        return ""
    if isinstance(value, Literal) and isinstance(value.toPython(), int | float):
        return value.toPython()
    return str(value)


def rows(table: Table) -> list[Row]:
    """A query result as rows of plain values (numbers as numbers)."""
    return [{c: _plain(v) for c, v in zip(table.columns, row, strict=True)} for row in table]


def query(store: Store, name: str, **params: str) -> list[Row] | bool:
    """Run a named query from ``queries/`` (or a ``.rq`` file): rows for SELECT, a bool for ASK.

    ``params`` are bound, never spliced into the query: ``query(s, "areas", area="QOP")``.
    """
    from pcr_graph.analysis.queries import find_query, run_named

    answer = run_named(store, find_query(name), params)
    return answer if isinstance(answer, bool) else rows(answer)


def areas(store: Store) -> list[Row]:
    """Every area: ``area`` (IRI), ``areaLabel``, ``odsCode``, ``onsCode2022``,
    ``regionLabel``, and counts of ``providers``, ``forums`` and ``links``."""
    found = query(store, "areas")
    assert isinstance(found, list)
    return found


def gap_report(
    store: Store,
    areas: Sequence[str] = (),
    rules: Sequence[str] = (),
    params: dict[str, str] | None = None,
) -> GapReport:
    """Run the gap rules (default all) over the named areas (default every area with data).

    The report holds every hit (``report.hits``), the ranking (``report.ranking()``), the
    planning-table matrix and per-area sector links; :func:`gap_rows` flattens the hits.
    """
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.analysis.queries import resolve_areas

    return run_gaps(
        store, areas=resolve_areas(store, areas), rules=list(rules) or None, params=params or {}
    )


def gap_rows(report: GapReport) -> list[Row]:
    """One row per gap: ``area``, ``area_label``, ``rule``, ``severity``, ``theme``,
    ``subjects`` (names, ``; `` between), ``explanation`` and ``evidence`` (count)."""
    return [
        {
            "area": hit.area,
            "area_label": hit.area_label,
            "rule": hit.rule,
            "severity": hit.severity,
            "theme": hit.theme,
            "subjects": "; ".join(s.label for s in hit.subjects),
            "explanation": hit.explanation,
            "evidence": len(hit.evidence),
        }
        for hit in report.hits
    ]


def metrics(store: Store, area: str | URIRef) -> list[Row]:
    """An area's network metrics: one row per figure (``key``, ``metric``, ``value``,
    ``explanation``), as ``pcr-graph metrics`` computes them."""
    from pcr_graph.analysis.network import metrics_for

    figures = metrics_for(store, _area(store, area)).figures
    return [
        {"key": f.key, "metric": f.label, "value": f.value, "explanation": f.text} for f in figures
    ]


def network(store: Store, area: str | URIRef | None = None) -> Any:
    """The provider network (a ``networkx.Graph``) of one area, or of everything.

    Nodes are providers (attributes ``label``, ``sectors``, ``area``); edges are active
    collaboration links (``links``: how many, ``types``: their link types).
    """
    from pcr_graph.analysis.network import provider_graph

    return provider_graph(store, _area(store, area) if area is not None else None)


@dataclass(frozen=True)
class AreaMapView:
    """One area's map: the data drawn (:attr:`data`) and the page (:attr:`html`).

    In Jupyter it draws itself (:meth:`_repr_html_`, the page in a sandboxed frame);
    :meth:`save` writes the page as a self-contained, offline HTML file.
    """

    data: AreaMap
    html: str

    @property
    def title(self) -> str:
        return self.data.title

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (atomically); the path written."""
        from pcr_graph.render.maps import write_html

        write_html(Path(path), self.html)
        return Path(path)

    def _repr_html_(self) -> str:
        # The page is a whole document with its own Content-Security-Policy: it goes into
        # a sandboxed frame (scripts only, no access to the notebook), escaped as srcdoc.
        return (
            f'<iframe title="{html.escape(self.data.title)}" sandbox="allow-scripts" '
            f'style="width:100%;height:640px;border:0" srcdoc="{html.escape(self.html)}">'
            "</iframe>"
        )


def area_map(store: Store, area: str | URIRef, *, seed: int = 7) -> AreaMapView:
    """An area's network map, with its gaps, as ``pcr-graph render`` draws it."""
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.render.mapdata import area_map as map_data
    from pcr_graph.render.maps import render_area_html

    iri = _area(store, area)
    data = map_data(store, iri, run_gaps(store, areas=[iri]))
    return AreaMapView(data, render_area_html(data, seed=seed))


def validate(store: Store, engine: str = "auto") -> list[Violation]:
    """Check the data against the SHACL shapes; [] means it conforms.

    ``engine``: ``auto``, ``fast`` (compiled to SPARQL) or ``pyshacl`` (the reference).
    """
    from pcr_graph.validation.validate import validate as run_validation

    return run_validation(store, engine)


__all__ = [
    "AreaMapView",
    "Row",
    "area_map",
    "areas",
    "gap_report",
    "gap_rows",
    "metrics",
    "network",
    "open_file",
    "open_project",
    "query",
    "rows",
    "validate",
]
