"""``pcr-graph gaps`` keeps its report in the workspace's cache, keyed by every byte it
depends on: read back while nothing changed, computed again as soon as anything did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pcr_graph.app import tasks
from pcr_graph.cli.commands import cli
from pcr_graph.render.report_text import format_report
from pcr_graph.store.project import Project
from tests.analysis.test_derived import _change_one_byte, _workspace


def _fresh(project: Project, fmt: str, **kwargs: object) -> str:
    """The report computed without the cache."""
    return format_report(tasks.gap_report(project, **kwargs), fmt)  # type: ignore[arg-type]


def test_read_back_while_nothing_changed_and_computed_again_after_one_byte(
    tmp_path: Path,
) -> None:
    project, data = _workspace(tmp_path)
    first = tasks.gap_report_text(project, "json")
    assert not first.reused and json.loads(first.text)["hits"]
    again = tasks.gap_report_text(project, "json")
    assert again.reused and again.text == first.text and again.at_least == first.at_least

    _change_one_byte(data)
    changed = tasks.gap_report_text(project, "json")
    assert not changed.reused
    assert changed.text == _fresh(project, "json")  # (the name changed is in no hit)


def test_other_arguments_are_other_entries(tmp_path: Path) -> None:
    project, _ = _workspace(tmp_path)
    national = tasks.gap_report_text(project, "md")
    area = "SYN01"
    one = tasks.gap_report_text(project, "md", areas=[area])
    assert not one.reused and one.text == _fresh(project, "md", areas=[area]) != national.text
    stale = tasks.gap_report_text(project, "md", params={"before": "2019-01-01"})
    assert not stale.reused
    assert stale.text == _fresh(project, "md", params={"before": "2019-01-01"})


def test_an_altered_entry_is_not_read(tmp_path: Path) -> None:
    project, _ = _workspace(tmp_path)
    first = tasks.gap_report_text(project, "csv")
    (entry,) = project.cache_dir.glob("gaps-csv-*")
    entry.write_bytes(entry.read_bytes().replace(b",", b";", 1))
    again = tasks.gap_report_text(project, "csv")
    assert not again.reused and again.text == first.text


def test_no_cache_without_a_workspace(tmp_path: Path) -> None:
    project = Project(workspace=tmp_path / "absent")
    assert not tasks.gap_report_text(project, "json").reused
    assert not tasks.gap_report_text(project, "json").reused
    assert not (tmp_path / "absent").exists()


@pytest.mark.parametrize("reused", [False, True])
def test_fail_on_counts_the_same_when_read_back(tmp_path: Path, reused: bool) -> None:
    project, _ = _workspace(tmp_path)
    if reused:
        tasks.gap_report_text(project, "json")
    result = CliRunner().invoke(
        cli, ["--workspace", str(project.workspace), "gaps", "--fail-on", "high"]
    )
    assert result.exit_code == 1
    assert "gap(s) at high or worse" in result.output
