"""Hypothesis: malformed workbooks never crash, always say where, and never half-write."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pcr_graph.cli.commands import main
from pcr_graph.core.errors import ImportProblems
from pcr_graph.ingest.workbook import TEMPLATE, import_workbook
from tests.conftest import record_cases

NASTY = st.sampled_from(
    ['"', '""', "\n", "\r\n", ";", ",", "\x00", "\ufeff", "é", "\u2028", "{", "}", "#", "<", ""]
)
CELL = st.one_of(
    st.sampled_from(
        [
            "p1",
            "p2",
            "f1",
            "L1",
            "E1",
            "a1",
            "care-home",
            "Hospice",
            "QOP",
            "mutual-aid",
            "2020-01-01",
            "2020-13-45",
            "p1;p2",
            "p1;zz",
            "nope",
            "",
        ]
    ),
    st.text(max_size=12),
    st.lists(NASTY, max_size=4).map("".join),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"])


@st.composite
def csv_file(draw: st.DrawFn, name: str) -> bytes:
    spec = TEMPLATE[name]
    columns = list(draw(st.permutations(spec.columns)))[: draw(st.integers(0, len(spec.columns)))]
    if draw(st.booleans()):
        columns += draw(st.lists(st.sampled_from(["", "extra", *spec.required]), max_size=2))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=len(columns) + 1), max_size=5))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(columns)
    writer.writerows(rows)
    text = out.getvalue()
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # truncated file, broken quoting
    encoding = draw(ENCODINGS)
    return text.encode(encoding, errors="replace")


@st.composite
def workbook(draw: st.DrawFn) -> dict[str, bytes]:
    names = draw(st.sets(st.sampled_from(sorted(TEMPLATE)), min_size=1))
    return {name: draw(csv_file(name)) for name in sorted(names | {"providers.csv"})}


def _write(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


@pytest.mark.slow
@settings(
    max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=workbook(), lenient=st.booleans())
def test_malformed_workbooks_fail_cleanly(
    tmp_path: Path, files: dict[str, bytes], lenient: bool
) -> None:
    folder = _write(tmp_path / "wb", files)
    record_cases("spreadsheet workbooks", 1)
    try:
        result = import_workbook(folder, lenient=lenient)
    except ImportProblems as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.file in TEMPLATE
            assert problem.line >= 0
            assert str(problem).startswith(f"{problem.file}:{problem.line}")
        return
    for reject in result.rejects:
        # a rejected row has problems of its own, or waits for a rejected row it refers to
        assert lenient and (reject.problems or reject.causes)
        assert all(p.file == reject.row.file for p in reject.problems)
        assert all(file in TEMPLATE and line >= 2 for file, line in reject.causes)
    rows_read = sum(result.rows_read.values())
    assert sum(result.rows_imported.values()) + len(result.rejects) == rows_read


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=workbook())
def test_cli_never_half_writes(
    tmp_path: Path, files: dict[str, bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _write(tmp_path / "wb", files)
    workspace = tmp_path / "ws"
    target = workspace / "imports" / "wb.ttl"
    if target.exists():
        target.unlink()
    with pytest.raises(SystemExit) as exit_info:
        main(["--workspace", str(workspace), "import", "csv", str(folder)])
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    if exit_info.value.code == 0:
        assert target.exists() and target.read_text(encoding="utf-8").startswith("#")
    else:
        assert exit_info.value.code == 2 and err.startswith("error: ")
        assert not target.exists()
        assert not list((workspace / "imports").glob("*.tmp")) if workspace.exists() else True
