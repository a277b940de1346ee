"""The network commands (metrics, compare, diff, what-if) on the Testshire fixture."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pcr_graph.cli.network import COMMANDS
from pcr_graph.core.errors import UsageError
from pcr_graph.store.project import Project
from tests.support.testshire import make_project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path)


def run(project: Project, args: list[str]) -> tuple[int, str, BaseException | None]:
    @click.group()
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.obj = project

    for command in COMMANDS:
        group.add_command(command)
    result = CliRunner().invoke(group, args)
    error = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, error


def test_every_command_has_help_with_an_example() -> None:
    names = sorted(c.name or "" for c in COMMANDS)
    assert names == ["compare", "diff", "metrics", "what-if"]
    for command in COMMANDS:
        assert command.help and "Example:" in command.help


def test_metrics_command(project: Project) -> None:
    code, out, error = run(project, ["metrics", "--area", "tx", "--format", "json"])
    assert (code, error) == (0, None)
    rows = json.loads(out)
    density = next(r for r in rows if r["item"] == "Density")
    assert density == {
        "section": "summary",
        "item": "Density",
        "value": "0.333",
        "explanation": "Density 0.33: 33% of possible provider pairs are directly linked.",
    }
    assert any(r["section"] == "pathway" and r["value"] == "0.00" for r in rows)


def test_metrics_command_expect_and_bad_values(project: Project) -> None:
    code, out, _ = run(
        project, ["metrics", "--area", "tx", "--expect", "Hospice", "ambulance", "--format", "csv"]
    )
    assert code == 0 and "pathway,hospice ↔ ambulance,0.00" in out
    _, _, error = run(project, ["metrics", "--area", "tx", "--expect", "wizards", "ambulance"])
    assert isinstance(error, UsageError) and "wizards" in str(error)
    _, _, error = run(project, ["metrics", "--area", "tx", "--at", "soon"])
    assert isinstance(error, UsageError) and "not a date" in str(error)


def test_compare_command(project: Project, tmp_path: Path) -> None:
    target = tmp_path / "compare.md"
    code, _, error = run(project, ["compare", "tx", "ty", "--format", "md", "-o", str(target)])
    assert (code, error) == (0, None)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("| metric | tx | ty | what it measures |")
    assert "| Cross-sector integration index | 0.625 | 0.250 |" in text
    assert "| Density | 0.333 | 1.000 |" in text
    _, _, error = run(project, ["compare", "tx"])
    assert isinstance(error, UsageError) and "at least two" in str(error)
    _, _, error = run(project, ["compare", "tx", "tx"])
    assert isinstance(error, UsageError) and "only once" in str(error)


def test_diff_command_by_dates_and_usage_errors(project: Project) -> None:
    code, out, error = run(
        project, ["diff", "--at", "2020-02-01", "--at", "2020-07-01", "--format", "csv"]
    )
    assert (code, error) == (0, None)
    assert "gained,Testshire (fictional),link,L2 (discharge-coordination)" in out
    for args in (["diff"], ["diff", "--at", "2020-01-01"], ["diff", "a.ttl", "--at", "2020-01-01"]):
        _, _, error = run(project, args)
        assert isinstance(error, UsageError)


def test_what_if_command(project: Project) -> None:
    code, out, error = run(project, ["what-if", "--remove", "tx-ch1", "--format", "csv"])
    assert (code, error) == (0, None)
    assert "cut off,Testshire (fictional),sector,care-home" in out
    assert "isolated,Testshire (fictional),provider,Birch Court" in out
    _, _, error = run(project, ["what-if", "--remove", "nobody"])
    assert isinstance(error, UsageError)
