"""The reviewer's loop: one message per cause, warnings for descriptive columns, a rejects
folder that merges back without duplicates, and a lenient import that invents no gap.

Uses the fictional Testbury workbook (tests/support/testbury.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, SKOS

from pcr_graph.cli.commands import main
from pcr_graph.core.errors import ImportProblems
from pcr_graph.core.ids import mint
from pcr_graph.core.namespaces import PCR
from pcr_graph.ingest.workbook import import_workbook, write_rejects
from tests.support.testbury import (
    FIXES,
    GOOD,
    REJECTED_AT_SOURCE,
    bad_files,
    fix_folder,
    write,
)


def test_one_cause_gets_one_message_with_the_count_of_its_dependants(tmp_path: Path) -> None:
    with pytest.raises(ImportProblems) as caught:
        import_workbook(write(tmp_path / "tb", bad_files()), name="tb")
    lines = [str(p) for p in caught.value.problems]
    assert str(caught.value) == (
        "4 problems in 4 rows (10 more rows refer to them); nothing was imported"
    )
    # only the rows with problems of their own are named
    assert {(p.file, p.line) for p in caught.value.problems} == REJECTED_AT_SOURCE
    assert not [line for line in lines if "unknown area" in line or "unknown provider" in line]
    assert (
        "areas.csv:3 (ob): was rejected (its problems follow); 3 providers, 1 forum, "
        "2 memberships and 2 links in this workbook refer to it and are held back until it "
        "is fixed"
    ) in lines
    assert any("refers to it and is held back" in line for line in lines if "tb-home" in line)
    # a fix suggests the closest valid value and lists the few valid ones
    sector = next(line for line in lines if "'carehome'" in line)
    assert "did you mean 'care-home'?" in sector and "one of acute-trust," in sector
    link_type = next(line for line in lines if "'Joint planing'" in line)
    assert "did you mean 'Joint planning'?" in link_type and "joint-planning" in link_type


def test_descriptive_columns_warn_and_keep_the_value(tmp_path: Path) -> None:
    files = dict(GOOD)
    files["areas.csv"] = GOOD["areas.csv"].replace(",Midlands\nob", ",east midlands\nob")
    files["forums.csv"] = GOOD["forums.csv"].replace("tb,partnership-board", "tb,weekly huddle")
    result = import_workbook(write(tmp_path / "tb", files), name="tb")  # strict: no rejection
    assert not result.rejects and result.rejected_rows == 0
    warnings = [str(w) for w in result.warnings]
    assert len(warnings) == 2
    assert (
        "unknown region 'east midlands'; did you mean 'Midlands'?; kept as written" in (warnings[0])
    )
    assert "Midlands, North East and Yorkshire" in warnings[0]
    area = mint("wb", "tb", "area", "tb")
    assert (area, SKOS.note, Literal("region: east midlands")) in result.graph
    forum = mint("wb", "tb", "forum", "tb-board")
    assert (forum, SKOS.note, Literal("kind: weekly huddle")) in result.graph


def test_a_link_is_kept_when_only_its_evidence_row_failed(tmp_path: Path) -> None:
    result = import_workbook(write(tmp_path / "tb", bad_files()), name="tb", lenient=True)
    link = mint("wb", "tb", "link", "L2")
    assert (link, RDF.type, PCR.CollaborationLink) in result.graph
    assert not list(result.graph.objects(link, PROV.wasDerivedFrom))
    notes = [str(n) for n in result.graph.objects(link, SKOS.note)]
    assert any("E3" in n and "was rejected" in n for n in notes)
    assert [r.row.get("link_id") for r in result.kept] == ["L2"]
    run = mint("wb", "tb", "import", "run")
    assert result.graph.value(run, PCR.rejectedRowCount) == Literal(13)


def _content(graph: Graph) -> set[tuple[object, object, object]]:
    """The triples that describe the data, not where or when it was read."""
    skip = {PCR.sourceLocation, PCR.sha256, PCR.rowCount, PROV.used, PROV.endedAtTime}
    files = set(graph.subjects(RDF.type, PROV.Entity))
    return {t for t in graph if t[1] not in skip and t[0] not in files}


def test_fixing_every_rejected_row_and_reimporting_gives_the_corrected_workbook(
    tmp_path: Path,
) -> None:
    bad = write(tmp_path / "tb", bad_files())
    first = import_workbook(bad, name="tb", lenient=True)
    rejects = tmp_path / "fix-me"
    write_rejects(rejects, first.rejects, kept=first.kept, import_name="tb")
    assert fix_folder(rejects) == len(FIXES)  # every rejected row is in the folder
    merged = import_workbook(rejects, name="tb", into=first.graph)  # strict: all fixed
    corrected = shutil.copytree(bad, tmp_path / "corrected" / "tb")
    fix_folder(corrected)
    direct = import_workbook(corrected, name="tb")
    assert _content(merged.graph) == _content(direct.graph)
    assert merged.rejected_rows == 0 and merged.merged_rows == 13
    # merging the same folder again duplicates nothing
    again = import_workbook(rejects, name="tb", into=merged.graph)
    assert _content(again.graph) == _content(direct.graph)


def test_the_cli_loop_merges_by_the_name_in_the_rejects_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path / "tb", bad_files())
    ws, rejects = tmp_path / "ws", tmp_path / "fix-me"

    def run(*args: str) -> int:
        with pytest.raises(SystemExit) as exit_info:
            main(["--workspace", str(ws), *args])
        return int(exit_info.value.code or 0)

    assert run("import", "csv", str(bad), "--lenient", "--rejects", str(rejects)) == 0
    err = capsys.readouterr().err
    assert "the import 'tb' is incomplete: 13 rows are missing" in err
    assert err.count("rejected: ") == 7  # 4 rows' own problems + 3 causes' counts
    assert (rejects / "REJECTS.txt").read_text(encoding="utf-8").startswith("import: tb\n")
    fix_folder(rejects)
    assert run("import", "csv", str(rejects)) == 0
    out = capsys.readouterr().out
    assert "merged 13 rows of " in out and "into the import 'tb'" in out
    assert [p.name for p in (ws / "imports").iterdir()] == ["tb.ttl"]
    assert run("import", "csv", str(rejects), "--into", "nope") == 2
    assert "no import called 'nope'" in capsys.readouterr().err


def test_lenient_checks_the_rejects_folder_before_importing(tmp_path: Path) -> None:
    bad = write(tmp_path / "tb", bad_files())
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    ws = tmp_path / "ws"
    args = ["import", "csv", str(bad), "--lenient", "--rejects", str(blocker / "sub")]
    with pytest.raises(SystemExit) as exit_info:
        main(["--workspace", str(ws), *args])
    assert exit_info.value.code == 2
    assert not (ws / "imports").exists()  # nothing imported


def test_a_broken_symlink_is_an_error_not_a_missing_file(tmp_path: Path) -> None:
    folder = write(tmp_path / "tb", GOOD)
    (folder / "links.csv").unlink()
    (folder / "links.csv").symlink_to(tmp_path / "gone.csv")
    with pytest.raises(ImportProblems) as caught:
        import_workbook(folder, name="tb")
    assert "links.csv:0: is a broken symbolic link" in str(caught.value.problems[0])


def _hits(workspace: Path) -> set[tuple[str, str, tuple[str, ...]]]:
    from pcr_graph.analysis.gaps import run_gaps
    from pcr_graph.store.project import Project

    report = run_gaps(Project(workspace=workspace, include_demo=False).open())
    return {(h.rule, h.area, tuple(sorted(s.iri for s in h.subjects))) for h in report.hits}


@pytest.mark.slow
def test_a_lenient_import_invents_no_gap(tmp_path: Path) -> None:
    from pcr_graph.store.turtle import write_turtle

    bad = write(tmp_path / "tb", bad_files())
    lenient = import_workbook(bad, name="tb", lenient=True)
    corrected = shutil.copytree(bad, tmp_path / "corrected" / "tb")
    fix_folder(corrected)
    direct = import_workbook(corrected, name="tb")
    write_turtle(lenient.graph, tmp_path / "a" / "imports" / "tb.ttl")
    write_turtle(direct.graph, tmp_path / "b" / "imports" / "tb.ttl")
    invented = _hits(tmp_path / "a") - _hits(tmp_path / "b")
    # What may differ: hits about the rejected rows themselves: the records left out or kept
    # incomplete, the providers of a left-out link, and those providers' sectors.
    about_rejects: set[str] = set()
    graph = direct.graph
    for reject in [*lenient.rejects, *lenient.kept]:
        kind = {"links.csv": "link", "providers.csv": "provider"}.get(reject.row.file)
        if kind is None:
            continue
        node = mint("wb", "tb", kind, reject.row.key)
        providers = [node] if kind == "provider" else list(graph.objects(node, PCR.participant))
        about_rejects |= {str(node), *map(str, providers)}
        about_rejects |= {str(s) for p in providers for s in graph.objects(p, PCR.sector)}
    for rule, _area, subjects in invented:
        assert set(subjects) & about_rejects, (rule, subjects)
    assert invented  # the kept link without evidence is reported, honestly


# -- the loop on generated bad workbooks: the demo workbook with seeded mistakes -----------

_SPOIL = {
    "areas.csv": ("name", ""),
    "evidence.csv": ("date", "31/12/2020"),
    "providers.csv": ("sector", "spaceship"),
    "forums.csv": ("name", ""),
    "memberships.csv": ("start", "2020-13-01"),
    "links.csv": ("type", "Mutal aid"),
}
"""A model value each file's row can be spoilt in (the key is left alone)."""


def _table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    import csv
    import io

    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def _text(columns: list[str], rows: list[dict[str, str]]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _key(file: str, row: dict[str, str]) -> str:
    from pcr_graph.ingest.workbook.template import KEY_COLUMNS

    return "/".join(row[c] for c in KEY_COLUMNS[file])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_rejected_row_of_a_generated_bad_workbook_fixed_and_reimported(
    tmp_path: Path, seed: int
) -> None:
    import random

    from pcr_graph.core.resources import graph_dir

    rng = random.Random(seed)
    original = {name: (graph_dir() / "demo" / name).read_text(encoding="utf-8") for name in _SPOIL}
    spoilt: dict[str, str] = {}
    by_key: dict[tuple[str, str], dict[str, str]] = {}
    for name, text in original.items():
        columns, rows = _table(text)
        for row in rows:
            by_key[(name, _key(name, row))] = dict(row)
        column, bad = _SPOIL[name]
        for index in rng.sample(range(len(rows)), k=min(2, len(rows))):
            rows[index][column] = bad
        spoilt[name] = _text(columns, rows)
    good = write(tmp_path / "good" / "wb", original)
    bad = write(tmp_path / "bad" / "wb", spoilt)
    first = import_workbook(bad, name="wb", lenient=True, fictional=True)
    assert first.rejected_rows >= 12  # at least the 12 spoilt rows
    rejects = tmp_path / "fix-me"
    write_rejects(rejects, first.rejects, kept=first.kept, import_name="wb")
    # the reader corrects every row of the folder (here: puts back what the row said)
    for name in _SPOIL:
        path = rejects / name
        if path.exists():
            columns, rows = _table(path.read_text(encoding="utf-8"))
            fixed = [by_key[(name, _key(name, row))] for row in rows]
            path.write_text(_text(columns, fixed), encoding="utf-8")
    merged = import_workbook(rejects, name="wb", into=first.graph)  # strict: nothing left
    direct = import_workbook(good, name="wb", fictional=True)
    assert merged.rejected_rows == 0 and merged.merged_rows >= 12
    assert _content(first.graph) != _content(direct.graph)  # the lenient import lacked rows
    assert _content(merged.graph) == _content(direct.graph)
