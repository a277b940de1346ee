"""pcr-graph: a knowledge graph of health and social care collaboration, and its gaps.

The Python API (for notebooks), from :mod:`pcr_graph.app.api`::

    import pcr_graph as pg

    store = pg.open_project()                # ontology, reference areas, demo, imports
    pg.areas(store)                          # rows: one per area
    report = pg.gap_report(store, ["wv"])    # the gap report as an object
    pg.gap_rows(report)                      # ... and as rows (pandas.DataFrame-ready)
    pg.metrics(store, "wv")                  # network metrics as rows
    pg.network(store, "wv")                  # a networkx graph
    pg.area_map(store, "wv")                 # a map that draws itself in Jupyter

The names are imported on first use (PEP 562), so ``import pcr_graph`` and
``pcr-graph --help`` stay fast. See ``docs/api.md``.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("pcr-graph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:  # what mypy and IDEs see; at run time __getattr__ imports on first use
    from pcr_graph.analysis.gaps import GapReport, Hit
    from pcr_graph.app.api import (
        AreaMapView,
        Row,
        area_map,
        areas,
        gap_report,
        gap_rows,
        metrics,
        network,
        open_file,
        open_project,
        query,
        rows,
        validate,
    )
    from pcr_graph.core.errors import PcrGraphError
    from pcr_graph.store.engines import Store, Table
    from pcr_graph.validation.results import Violation

_EXPORTS = {
    "AreaMapView": "pcr_graph.app.api",
    "Row": "pcr_graph.app.api",
    "area_map": "pcr_graph.app.api",
    "areas": "pcr_graph.app.api",
    "gap_report": "pcr_graph.app.api",
    "gap_rows": "pcr_graph.app.api",
    "metrics": "pcr_graph.app.api",
    "network": "pcr_graph.app.api",
    "open_file": "pcr_graph.app.api",
    "open_project": "pcr_graph.app.api",
    "query": "pcr_graph.app.api",
    "rows": "pcr_graph.app.api",
    "validate": "pcr_graph.app.api",
    "GapReport": "pcr_graph.analysis.gaps",
    "Hit": "pcr_graph.analysis.gaps",
    "PcrGraphError": "pcr_graph.core.errors",
    "Store": "pcr_graph.store.engines",
    "Table": "pcr_graph.store.engines",
    "Violation": "pcr_graph.validation.results",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pcr_graph' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "AreaMapView",
    "GapReport",
    "Hit",
    "PcrGraphError",
    "Row",
    "Store",
    "Table",
    "Violation",
    "__version__",
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
