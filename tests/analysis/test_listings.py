"""Listings rewritten for scale give the rows their first, plain text gave.

``tests/analysis/base_listings/`` keeps the plain texts. ``areas`` is the query every
"unknown area" message recommends: it must stay right (here) and fast
(``benchmarks/bench_budget.py`` times it at 55,000 providers).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from pcr_graph.analysis.queries import find_query, load_query, run_named
from pcr_graph.ingest.synth import write_synthetic
from pcr_graph.store.engines import Store, Table, open_store
from pcr_graph.store.project import Project

BASE = Path(__file__).resolve().parent / "base_listings"


def _strings(store: Store, text: str, area: URIRef | None = None) -> list[dict[str, str]]:
    table = store.query(text, {"area": area} if area is not None else None)
    assert isinstance(table, Table)
    return table.strings()


def _same_areas(store: Store) -> list[dict[str, str]]:
    base = load_query(BASE / "areas.rq").text
    rows = _strings(store, find_query("areas").text)
    assert rows == _strings(store, base)
    for area in sorted({r["area"] for r in rows if r["providers"] != "0"})[:2]:
        one = _strings(store, find_query("areas").text, URIRef(area))
        assert one == _strings(store, base, URIRef(area)) == [r for r in rows if r["area"] == area]
    return rows


def test_areas_on_the_demo() -> None:
    rows = _same_areas(Project(workspace=Path("/nonexistent-workspace")).open())
    assert any(r["links"] != "0" and r["forums"] != "0" for r in rows)
    assert any(r["providers"] == "0" for r in rows)  # reference areas without data listed too


def test_areas_on_a_synthetic_england(tmp_path: Path) -> None:
    data = tmp_path / "england.ttl"
    write_synthetic(data, 900, 5)
    project = Project(workspace=tmp_path / "none", include_demo=False)
    store = open_store([*project.files(), data], "oxigraph")
    rows = _same_areas(store)
    counted = _strings(
        store,
        "SELECT ?area (COUNT(*) AS ?n) WHERE { ?p a pcr:Provider ; pcr:operatesIn ?area } "
        "GROUP BY ?area ORDER BY ?area",
    )
    assert {r["area"]: r["providers"] for r in rows if r["providers"] != "0"} == {
        r["area"]: r["n"] for r in counted
    }
    result = run_named(store, find_query("areas"), {"area": "SYN01"})
    assert isinstance(result, Table) and len(result) == 1
