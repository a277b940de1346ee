"""Names from data never become paths outside the output folder, and never collide.

Area ids become map file names. Generated ids (path segments, dots, separators, reserved
and case-folded names) go through :func:`file_stems`; the ids an attacker used go through a
whole build.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pcr_graph.app.build import run_build
from pcr_graph.core.ids import file_stems, mint
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.store.project import Project
from pcr_graph.store.turtle import write_turtle
from tests.conftest import record_cases

PIECES = st.sampled_from(
    [
        "..",
        ".",
        "/",
        "\\",
        "%2F",
        "gaps",
        "index",
        "HOLD",
        "hold",
        "wv",
        "CON",
        "é",
        " ",
        "\x00",
        "-",
        "_",
        "a" * 70,
        "maps",
        "~",
        "$HOME",
        "*",
        ":",
        "\n",
    ]
)
AREA_IDS = st.lists(PIECES, min_size=1, max_size=6).map("".join)


@pytest.mark.slow
@settings(max_examples=2000, deadline=None)
@given(ids=st.lists(AREA_IDS, min_size=1, max_size=6), workbooks=st.integers(1, 3))
def test_file_stems_are_plain_unique_and_stable(ids: list[str], workbooks: int) -> None:
    iris = [str(mint("wb", f"w{n}", "area", i)) for i in ids for n in range(workbooks)]
    stems = file_stems(iris)
    assert set(stems) == set(iris)
    for stem in stems.values():
        assert stem and len(stem) <= 60 and stem[0].isalnum()
        assert set(stem) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        assert Path("maps", stem + ".html").parent == Path("maps")
    folded = [s.casefold() for s in stems.values()]
    assert len(folded) == len(set(folded)), "two areas would share one file"
    assert file_stems(reversed(iris)) == stems
    record_cases("area ids as file names", 1)


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


def _workbook(folder: Path, area_id: str) -> Path:
    folder.mkdir(parents=True)
    files = {
        "areas.csv": _csv(["area_id", "name"], [[area_id, f"Area {area_id} (fictional)"]]),
        "providers.csv": _csv(
            ["provider_id", "name", "sector", "area"],
            [
                ["p1", "One (fictional)", "acute-trust", area_id],
                ["p2", "Two (fictional)", "care-home", area_id],
            ],
        ),
        "links.csv": _csv(
            ["link_id", "type", "participants", "area"],
            [["L1", "mutual-aid", "p1;p2", area_id]],
        ),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_hostile_area_ids_stay_inside_the_output_folder(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    ids = ["../../../../../elsewhere/PWNED", "../gaps", "HOLD", "HOLD", "hold"]
    for n, area_id in enumerate(ids):
        result = import_workbook(
            _workbook(tmp_path / f"wb{n}", area_id), name=f"wb{n}", fictional=True
        )
        write_turtle(result.graph, workspace / "imports" / f"wb{n}.ttl")
    out = tmp_path / "deep" / "out"
    before = set(tmp_path.rglob("*"))
    assert run_build(Project(workspace=workspace, include_demo=False), out) == 0
    written = set(tmp_path.rglob("*")) - before
    # The workspace keeps its own caches beside the imports: only build outputs are checked.
    outside = [
        p
        for p in written
        if p != out and out not in p.parents and p not in out.parents and workspace not in p.parents
    ]
    assert outside == [], f"written outside --out: {outside}"
    maps = sorted(p.name for p in (out / "maps").glob("*.html"))
    assert len(maps) == len(ids), maps  # one map per area: none lost to a collision
    assert "gaps.html" not in maps
    assert "Gap" in (out / "gaps.html").read_text(encoding="utf-8")
    assert not list(out.glob(".pcr-graph-build-*")), "the staging folder was left behind"
    record_cases("area ids as file names", len(ids))


@pytest.mark.slow
def test_a_failed_build_leaves_the_previous_outputs_alone(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    result = import_workbook(_workbook(tmp_path / "wb", "ok"), name="wb", fictional=True)
    write_turtle(result.graph, workspace / "imports" / "wb.ttl")
    out = tmp_path / "out"
    assert run_build(Project(workspace=workspace, include_demo=False), out) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (workspace / "imports" / "broken.ttl").write_text("<a> <b> .", encoding="utf-8")
    with pytest.raises(Exception, match=r"broken\.ttl"):
        run_build(Project(workspace=workspace, include_demo=False), out)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
