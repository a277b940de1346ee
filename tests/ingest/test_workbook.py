"""Importing spreadsheet workbooks: strict, lenient, forgiving about encoding, never partial."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal
from rdflib.namespace import ORG, PROV, RDF, SKOS

from pcr_graph.core.errors import ImportProblems, PcrGraphError
from pcr_graph.core.ids import mint
from pcr_graph.core.namespaces import LINKTYPE, PCR, SECTOR
from pcr_graph.ingest.workbook import import_workbook
from pcr_graph.store.turtle import to_turtle

GOOD = {
    "areas.csv": "area_id,name\nx-area,Example Vale (fictional)\n",
    "evidence.csv": (
        'evidence_id,title,date,quote\nE1,Fictional minutes,2020-10-01,"We met, weekly"\n'
    ),
    "providers.csv": (
        "provider_id,name,sector,area,notes,colour\n"
        "h1,Example General Hospital,acute-trust;emergency-department,x-area,,blue\n"
        "c1,St Anne's Care & Nursing Home,Care Home,x-area,family run,\n"
        'g1,"Elm, Oak and Ash Surgery",gp-practice,x-area,,\n'
    ),
    "forums.csv": (
        "forum_id,name,area,kind\nf1,Example Partnership Board,x-area,partnership-board\n"
    ),
    "memberships.csv": "forum_id,provider_id,role,start\nf1,h1,Chair,2020-04-01\nf1,g1,member,\n",
    "links.csv": (
        "link_id,type,participants,area,start,end,themes,evidence\n"
        "L1,discharge-coordination,h1;c1,,2020-04-01,2020-12-31,ensuring-access,E1\n"
        "L2,Mutual aid,h1;c1;g1,x-area,,,,\n"
    ),
}


def write(folder: Path, files: dict[str, str], *, bom: bool = False, crlf: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        if crlf:
            text = text.replace("\n", "\r\n")
        (folder / name).write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return folder


def test_good_workbook_becomes_the_model(tmp_path: Path) -> None:
    result = import_workbook(write(tmp_path / "wb", GOOD), name="wb")
    g = result.graph
    care_home = mint("wb", "wb", "provider", "c1")
    hospital = mint("wb", "wb", "provider", "h1")
    assert (care_home, SKOS.prefLabel, Literal("St Anne's Care & Nursing Home")) in g
    assert (care_home, PCR.sector, SECTOR["care-home"]) in g  # label, any case
    assert set(g.objects(hospital, PCR.sector)) == {
        SECTOR["acute-trust"],
        SECTOR["emergency-department"],
    }
    link = mint("wb", "wb", "link", "L1")
    assert (link, PCR.linkType, LINKTYPE["discharge-coordination"]) in g
    # an empty area cell means the area the participants share
    assert (link, PCR.area, mint("wb", "wb", "area", "x-area")) in g
    assert (hospital, PCR.collaboratesWith, care_home) in g
    assert (care_home, PCR.collaboratesWith, hospital) in g
    assert (link, PROV.wasDerivedFrom, mint("wb", "wb", "evidence", "E1")) in g
    assert len(set(g.objects(mint("wb", "wb", "link", "L2"), PCR.participant))) == 3
    forum = mint("wb", "wb", "forum", "f1")
    assert (forum, ORG.hasMember, hospital) in g
    assert len(list(g.subjects(RDF.type, ORG.Membership))) == 2
    # extra columns are kept, not lost
    assert (hospital, SKOS.note, Literal("colour: blue")) in g
    assert result.rows_imported == {
        "areas.csv": 1,
        "evidence.csv": 1,
        "providers.csv": 3,
        "forums.csv": 1,
        "memberships.csv": 2,
        "links.csv": 2,
    }
    assert (mint("wb", "wb", "import", "run"), RDF.type, PCR.ImportRun) in g


def test_bom_and_crlf_give_the_same_graph(tmp_path: Path) -> None:
    plain = import_workbook(write(tmp_path / "a" / "wb", GOOD), name="wb").graph
    windows = import_workbook(
        write(tmp_path / "b" / "wb", GOOD, bom=True, crlf=True), name="wb"
    ).graph
    strip = {PCR.sha256}
    assert {t for t in plain if t[1] not in strip} == {t for t in windows if t[1] not in strip}


def test_same_workbook_twice_gives_identical_turtle(tmp_path: Path) -> None:
    folder = write(tmp_path / "wb", GOOD)
    first = to_turtle(import_workbook(folder).graph)
    assert to_turtle(import_workbook(folder).graph) == first


def test_strict_lists_every_problem_and_returns_nothing(tmp_path: Path) -> None:
    bad = dict(GOOD)
    bad["providers.csv"] = GOOD["providers.csv"] + "c1,Duplicate Home,spaceship,x-area,,\n"
    bad["links.csv"] = GOOD["links.csv"] + "L3,mutual-aid,h1;zz9,x-area,2020-13-01,,,E404\n"
    with pytest.raises(ImportProblems) as caught:
        import_workbook(write(tmp_path / "wb", bad))
    found = {(p.file, p.line, p.column) for p in caught.value.problems}
    assert ("providers.csv", 5, "provider_id") in found  # duplicate id
    assert ("providers.csv", 5, "sector") in found  # unknown sector
    assert ("links.csv", 4, "participants") in found  # unknown provider
    assert ("links.csv", 4, "start") in found  # malformed date
    assert ("links.csv", 4, "evidence") in found  # unknown evidence id
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "spaceship" in text and "expected one of" in text
    # the unknown provider suggests the closest id; every message names the record
    assert "unknown provider 'zz9'" in text
    assert "links.csv:4 (L3 'mutual-aid: h1;zz9')" in text


def test_lenient_keeps_good_rows_and_reports_rejects(tmp_path: Path) -> None:
    bad = dict(GOOD)
    bad["links.csv"] = GOOD["links.csv"] + "L3,mutual-aid,h1,x-area,,,,\n"
    result = import_workbook(write(tmp_path / "wb", bad), lenient=True)
    assert result.rows_imported["links.csv"] == 2
    assert [(r.row.file, r.row.line) for r in result.rejects] == [("links.csv", 4)]
    assert "two different participants" in str(result.problems[0])


def test_missing_required_column_is_a_line_one_problem(tmp_path: Path) -> None:
    bad = dict(GOOD)
    bad["providers.csv"] = "provider_id,name,area\nh1,X,x-area\n"
    with pytest.raises(ImportProblems) as caught:
        import_workbook(write(tmp_path / "wb", bad))
    assert [(p.file, p.line, p.column) for p in caught.value.problems] == [
        ("providers.csv", 1, "sector")
    ]


def test_end_before_start(tmp_path: Path) -> None:
    bad = dict(GOOD)
    bad["links.csv"] = (
        "link_id,type,participants,start,end\nL1,mutual-aid,h1;c1,2021-01-02,2021-01-01\n"
    )
    with pytest.raises(ImportProblems, match="1 problem"):
        import_workbook(write(tmp_path / "wb", bad))


def test_reference_area_codes_are_accepted(tmp_path: Path) -> None:
    files = {
        "providers.csv": (
            "provider_id,name,sector,area\np1,Example Hospice (fictional),hospice,QOP\n"
        )
    }
    graph = import_workbook(write(tmp_path / "wb", files)).graph
    assert (mint("wb", "wb", "provider", "p1"), PCR.operatesIn, mint("area", "QOP")) in graph


@pytest.mark.slow
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400))
def test_any_bytes_give_a_clear_error_or_a_graph(tmp_path: Path, data: bytes) -> None:
    folder = write(tmp_path / "fuzz", {k: v for k, v in GOOD.items() if k != "providers.csv"})
    (folder / "providers.csv").write_bytes(b"provider_id,name,sector,area\n" + data)
    try:
        import_workbook(folder)
    except ImportProblems as exc:
        assert exc.problems and all(p.file.endswith(".csv") for p in exc.problems)
    except PcrGraphError:
        pass


def test_rejects_folder_is_a_workbook_to_fix_and_reimport(tmp_path: Path) -> None:
    from pcr_graph.ingest.workbook import write_rejects

    bad = dict(GOOD)
    bad["providers.csv"] = GOOD["providers.csv"] + "x1,Broken Home (fictional),spaceship,x-area,,\n"
    result = import_workbook(write(tmp_path / "wb", bad), name="wb", lenient=True)
    written = write_rejects(tmp_path / "rejects", result.rejects, import_name="wb")
    assert sorted(p.name for p in written) == ["REJECTS.txt", "problems.csv", "providers.csv"]
    problems = (tmp_path / "rejects" / "problems.csv").read_text(encoding="utf-8").splitlines()
    # file, line here, line in the original, the record's key and name, then the reason
    assert problems[1].startswith(
        "providers.csv,2,5,x1,Broken Home (fictional),error,sector,unknown sector 'spaceship'"
    )
    fixed = (tmp_path / "rejects" / "providers.csv").read_text(encoding="utf-8")
    (tmp_path / "rejects" / "providers.csv").write_text(fixed.replace("spaceship", "care-home"))
    # merged into the first import, its area id resolves without copying areas.csv
    again = import_workbook(tmp_path / "rejects", name="wb", into=result.graph)
    assert again.rows_imported["providers.csv"] == 1
    assert again.rejected_rows == 0


def test_reimport_reflects_changes_without_duplicates(tmp_path: Path) -> None:
    folder = write(tmp_path / "wb", GOOD)
    first = import_workbook(folder).graph
    changed = dict(GOOD)
    changed["providers.csv"] = GOOD["providers.csv"].replace(
        "Example General Hospital", "Example Royal Hospital"
    )
    changed["links.csv"] = GOOD["links.csv"].split("L2,")[0]  # link L2 removed
    second = import_workbook(write(folder, changed)).graph
    hospital = mint("wb", "wb", "provider", "h1")
    assert list(second.objects(hospital, SKOS.prefLabel)) == [Literal("Example Royal Hospital")]
    assert (mint("wb", "wb", "link", "L2"), RDF.type, PCR.CollaborationLink) in first
    assert (mint("wb", "wb", "link", "L2"), None, None) not in second
    assert len(list(second.subjects(RDF.type, PCR.Provider))) == 3
