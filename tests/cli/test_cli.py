"""The command line: help everywhere, documented exit codes, no tracebacks for user mistakes."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from pcr_graph.cli.commands import cli, main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    code = exit_info.value.code
    return (code if isinstance(code, int) else 0), out, err


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += _commands(command, prefix + name + " ")
    return found


@pytest.mark.parametrize("name,command", _commands(cli), ids=lambda x: str(x))
def test_every_command_has_help_and_is_in_the_readme(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"{name} has no help text"
    assert f"pcr-graph {name}" in README, f"`pcr-graph {name}` is not in the README"
    if not isinstance(command, click.Group):
        assert "Example:" in command.help, f"{name} help lacks an Example: block"


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and "pcr-graph" in out
    code, out, _ = run(["-h"], capsys)
    assert code == 0 and "gaps" in out


def test_unknown_option_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["gaps", "--bogus"], capsys)
    assert code == 2 and "bogus" in err


def test_unknown_query_is_exit_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["query", "no-such-query"], capsys)
    assert code == 2
    assert "unknown query 'no-such-query'" in err and "Traceback" not in err


def test_unknown_area_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["gaps", "--area", "ZZZ"], capsys)
    assert code == 2 and "unknown area 'ZZZ'" in err


def test_query_with_bound_area_by_ods_code(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["query", "areas", "-p", "area", "QOP", "--format", "json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 1 and rows[0]["odsCode"] == "QOP"
    code, out2, _ = run(["query", "areas", "-p", "area", "E54000007", "--format", "json"], capsys)
    assert json.loads(out2) == rows  # the 2021 ONS code names the same area


def test_bad_parameter_name_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["query", "areas", "-p", "nope", "x"], capsys)
    assert code == 2 and "no parameter 'nope'" in err


def test_gaps_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["gaps", "--format", "json", "--fail-on", "high"], capsys)
    assert code == 1 and "gap(s) at high or worse" in err
    assert json.loads(out)["hits"]
    code, _, _ = run(["--no-demo", "gaps", "--fail-on", "low"], capsys)
    assert code == 0  # no collaboration data: nothing to report on


def test_validate_conforms(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["validate"], capsys)
    assert code == 0 and out.startswith("conforms")


def test_validate_reports_violations_with_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    imports = tmp_path / "ws" / "imports"
    imports.mkdir(parents=True)
    (imports / "broken.ttl").write_text(
        "@prefix pcr: <https://w3id.org/pcr-graph/def#> .\n"
        "<https://example.org/p> a pcr:Provider .\n",
        encoding="utf-8",
    )
    code, out, _ = run(["--workspace", str(tmp_path / "ws"), "validate"], capsys)
    assert code == 1
    assert "broken.ttl" in out and "https://example.org/p" in out


def test_import_strict_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = tmp_path / "wb"
    wb.mkdir()
    (wb / "providers.csv").write_text(
        "provider_id,name,sector,area\np1,X,nope,QOP\n", encoding="utf-8"
    )
    workspace = tmp_path / "ws"
    code, _, err = run(["--workspace", str(workspace), "import", "csv", str(wb)], capsys)
    assert code == 2
    assert "providers.csv:2 (p1 'X'): column 'sector': unknown sector 'nope'" in err
    assert not workspace.exists()


def test_import_then_query_then_remove(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wb = tmp_path / "mine"
    wb.mkdir()
    (wb / "providers.csv").write_text(
        "provider_id,name,sector,area\np1,Example Hospice (fictional),hospice,QOP\n"
        "p2,Example Carers (fictional),voluntary-sector,QOP\n",
        encoding="utf-8",
    )
    ws = ["--workspace", str(tmp_path / "ws")]
    assert run([*ws, "import", "csv", str(wb)], capsys)[0] == 0
    code, out, _ = run([*ws, "imports"], capsys)
    assert out.split() == ["mine"]
    code, out, _ = run(
        [*ws, "query", "providers-in-area", "-p", "area", "QOP", "--format", "csv"], capsys
    )
    assert code == 0 and "Example Hospice (fictional)" in out
    assert run([*ws, "remove", "mine"], capsys)[0] == 0
    code, out, _ = run(
        [*ws, "query", "providers-in-area", "-p", "area", "QOP", "--format", "csv"], capsys
    )
    assert "Example Hospice" not in out


def test_render_writes_one_offline_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(["gaps", "--format", "json", "-o", "gaps.json"], capsys)
    area = json.loads((tmp_path / "gaps.json").read_text(encoding="utf-8"))["areas"][0]["area"]
    code, _, _ = run(["render", "--area", area, "-o", "map.html"], capsys)
    assert code == 0
    html = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert "<html" in html and "https://cdn" not in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gaps.json", "map.html"]  # no lib/
