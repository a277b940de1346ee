"""Every report format and every page says when the data came from an incomplete import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcr_graph.app.build import run_build
from pcr_graph.app.tasks import gap_report
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.render.report_text import REPORT_FORMATS, format_report
from pcr_graph.store.project import Project
from pcr_graph.store.turtle import write_turtle
from tests.support.testbury import bad_files, write

NOTICE = "Incomplete data: the import of workbook tb left out 13 rejected rows"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project(workspace=tmp_path / "ws")
    result = import_workbook(write(tmp_path / "tb", bad_files()), name="tb", lenient=True)
    write_turtle(result.graph, project.import_path("tb"))
    return project


@pytest.mark.parametrize("fmt", REPORT_FORMATS)
def test_every_report_format_names_the_incomplete_import(project: Project, fmt: str) -> None:
    text = format_report(gap_report(project), fmt)
    assert NOTICE in text
    if fmt == "json":
        assert any(n.startswith(NOTICE) for n in json.loads(text)["notes"])


def test_every_built_page_names_the_incomplete_import(project: Project, tmp_path: Path) -> None:
    lines: list[str] = []
    assert run_build(project, tmp_path / "out", echo=lines.append) == 0
    assert any(line.startswith("note: " + NOTICE) for line in lines)
    pages = ["index.html", "overview.html", "gaps.html", "gaps.md", "gaps.csv", "gaps.json"]
    pages += [f"maps/{p.name}" for p in (tmp_path / "out" / "maps").glob("*.html")]
    assert len(pages) > 6
    for page in pages:
        assert NOTICE in (tmp_path / "out" / page).read_text(encoding="utf-8"), page
