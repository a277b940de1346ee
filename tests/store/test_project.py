"""The workspace: your data, not the demo's, and notices about incomplete imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.store.project import Project
from pcr_graph.store.turtle import write_turtle
from tests.support.testbury import GOOD, bad_files, write


def test_the_demo_shows_on_an_empty_workspace_and_says_so(tmp_path: Path) -> None:
    project = Project(workspace=tmp_path / "ws")
    assert project.uses_demo
    store = project.open()
    notices = project.notices(store)
    assert len(notices) == 1 and notices[0].startswith("Demo data:")
    assert "--demo" in notices[0]


def test_the_demo_is_left_out_once_the_workspace_has_an_import(tmp_path: Path) -> None:
    project = Project(workspace=tmp_path / "ws")
    graph = import_workbook(write(tmp_path / "tb", GOOD), name="tb").graph
    write_turtle(graph, project.import_path("tb"))
    assert not project.uses_demo
    assert not any(p.name == "demo.ttl" for p in project.files())
    assert project.notices(project.open()) == []
    asked = Project(workspace=tmp_path / "ws", include_demo=True)
    assert asked.uses_demo and any(p.name == "demo.ttl" for p in asked.files())
    assert asked.notices(asked.open()) == []  # asked for: nothing to explain


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_an_incomplete_import_is_named_with_its_rejected_row_count(
    tmp_path: Path, engine: str
) -> None:
    project = Project(workspace=tmp_path / "ws", engine=engine)
    result = import_workbook(write(tmp_path / "tb", bad_files()), name="tb", lenient=True)
    write_turtle(result.graph, project.import_path("tb"))
    store = project.open()
    assert project.incomplete_imports(store) == [("Import of workbook tb", 13)]
    (notice,) = project.notices(store)
    assert notice.startswith("Incomplete data: the import of workbook tb left out 13 rejected")
