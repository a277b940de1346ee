"""The commands' work as library functions: areas resolved in one place, imports, catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from pcr_graph.analysis.queries import library
from pcr_graph.app.build import render_area
from pcr_graph.app.tasks import (
    format_answer,
    query_catalogue,
    remove_import,
    resolve_areas,
    run_query,
)
from pcr_graph.core.errors import UsageError
from pcr_graph.store.engines import open_store
from pcr_graph.store.project import Project

WV = URIRef("https://w3id.org/pcr-graph/id/wb/demo/area/wv")
QOP = URIRef("https://w3id.org/pcr-graph/id/area/QOP")


def test_resolve_areas_none_means_every_area() -> None:
    store = Project(workspace=Path("/nonexistent")).open()
    assert resolve_areas(store, []) is None
    assert resolve_areas(store, ["wv", "qop", "E54000057"]) == [WV, QOP, QOP]


def test_resolve_areas_asks_each_store_in_turn(tmp_path: Path) -> None:
    with_demo = Project(workspace=tmp_path).open()
    without = Project(workspace=tmp_path, include_demo=False).open()
    # The demo area exists only in the first store; either order finds it.
    assert resolve_areas([without, with_demo], ["wv"]) == [WV]
    with pytest.raises(UsageError, match="unknown area 'nowhere'"):
        resolve_areas([without, with_demo], ["nowhere"])
    with pytest.raises(UsageError, match="unknown area 'wv'"):
        resolve_areas(without, ["wv"])


def test_query_catalogue_lists_every_query() -> None:
    table = query_catalogue()
    assert table.columns == ("name", "family", "severity", "params", "summary")
    assert [str(row[0]) for row in table.rows] == [q.name for q in library()]
    gaps = {str(r[0]): str(r[2]) for r in table.rows if str(r[1]) == "gap"}
    assert gaps and all(severity in {"high", "medium", "low"} for severity in gaps.values())


def test_run_query_and_format_answer(tmp_path: Path) -> None:
    project = Project(workspace=tmp_path)
    answer = run_query(project, "areas", {"area": "QOP"})
    assert format_answer(answer, "csv").splitlines()[1].startswith(str(QOP))
    assert format_answer(True, "table") == "true\n"
    assert format_answer(False, "json") == "false\n"


def test_remove_import(tmp_path: Path) -> None:
    project = Project(workspace=tmp_path)
    with pytest.raises(UsageError, match="no import called 'mine'"):
        remove_import(project, "mine")
    path = project.import_path("mine")
    path.parent.mkdir(parents=True)
    path.write_text("", encoding="utf-8")
    assert remove_import(project, "mine") == path and not path.exists()


def test_render_area_is_builds_per_area_step(tmp_path: Path) -> None:
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.app.build import write_area_map

    project = Project(workspace=tmp_path)
    data = render_area(project, "wv", tmp_path / "one.html")
    assert data.nodes and data.edges
    store = open_store(project.files())
    notices = tuple(project.notices(store))  # the demo, shown on an empty workspace
    write_area_map(store, WV, run_gaps(store), tmp_path / "built.html", notices=notices)
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "built.html").read_bytes()
