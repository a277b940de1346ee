"""Primary Care Networks, commissioners and successions from the real ODS files.

Expected figures are worked out here from the files themselves (openpyxl and csv), never
copied from the importer's output.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from pcr_graph.analysis.queries import find_query, run_named
from pcr_graph.analysis.release_diff import release_diff
from pcr_graph.core.errors import DataError
from pcr_graph.core.ids import provider_iri
from pcr_graph.core.namespaces import PCR
from pcr_graph.ingest.registries import (
    GP_PCN_MAP,
    ODS_COMMISSIONERS,
    ODS_PCN,
    ODS_SUCCESSIONS,
    ODS_TRUSTS,
    Accounting,
    detect,
    import_file,
    import_registries,
    write_problems,
)
from pcr_graph.ingest.registries import xlsx as xlsx_module
from pcr_graph.ingest.registries.pcn import pcn_iri
from pcr_graph.store.engines import OxigraphStore, Table

pytestmark = pytest.mark.slow  # one import of every real file, shared by the module

EPCN_2023 = "pcn/ePCN_2023-01_blackwellrd.xlsx"
EPCN_2019 = "pcn/ePCN_2019-12_psychty.xlsx"
PRACTICE_MAP = "pcn/gp-reg-pat-prac-map_2022-01_nhsx.csv"
SUCCESSIONS = "ods/succ_ods_2026-05_maglehoj.csv"
NEW_FILES = {
    EPCN_2023: ODS_PCN,
    EPCN_2019: ODS_PCN,
    PRACTICE_MAP: GP_PCN_MAP,
    SUCCESSIONS: ODS_SUCCESSIONS,
    "ods/etr_jhau-nhs-spend_2025-12.csv": ODS_TRUSTS,
    "ods/eccg_jhau-nhs-spend_2025-12.csv": ODS_COMMISSIONERS,
}


def sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every sheet's rows as values, by the header of its first cell pair."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    out: dict[str, list[tuple[object, ...]]] = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        kind = "members" if "Partner" in str(rows[0][0]) else "pcns"
        out[kind] = rows[1:]
    book.close()
    return out


def text(value: object) -> str:
    return "" if value is None else str(value).strip()


@pytest.fixture(scope="module")
def full(raw_dir: Path) -> tuple[Graph, dict[str, Accounting]]:
    graph, accountings = import_registries(raw_dir)
    return graph, {a.file: a for a in accountings}


@pytest.fixture(scope="module")
def files(raw_dir: Path) -> dict[str, dict[str, list[tuple[object, ...]]]]:
    return {name: sheets(raw_dir / name) for name in (EPCN_2023, EPCN_2019)}


def memberships(graph: Graph, release: str) -> Iterator[URIRef]:
    for node in graph.subjects(PCR.release, Literal(release)):
        if (node, RDF.type, PCR.NetworkMembership) in graph:
            assert isinstance(node, URIRef)
            yield node


def open_pairs(rows: list[tuple[object, ...]]) -> set[tuple[str, str]]:
    return {(text(r[0]), text(r[4])) for r in rows if not text(r[9])}


# --- recognised by content -----------------------------------------------------------------


def test_new_files_are_detected_by_content(raw_dir: Path, tmp_path: Path) -> None:
    for name, kind in NEW_FILES.items():
        assert detect(raw_dir / name) == kind, name
        renamed = tmp_path / f"{kind}-renamed.bin"
        shutil.copyfile(raw_dir / name, renamed)
        assert detect(renamed) == kind, name


def test_subfolders_are_imported(full: tuple[Graph, dict[str, Accounting]]) -> None:
    _graph, by_file = full
    for name, kind in NEW_FILES.items():
        accounting = by_file[Path(name).name]
        assert accounting.kind == kind
        accounting.check()


# --- ePCN workbooks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "release", "pcns", "rows"),
    [(EPCN_2023, "ePCN 2023-01", 1329, 7455), (EPCN_2019, "ePCN 2019-12", 1250, 6757)],
)
def test_every_pcn_and_membership_row_is_accounted_for(
    full: tuple[Graph, dict[str, Accounting]],
    files: dict[str, dict[str, list[tuple[object, ...]]]],
    name: str,
    release: str,
    pcns: int,
    rows: int,
) -> None:
    graph, by_file = full
    data = files[name]
    assert (len(data["pcns"]), len(data["members"])) == (pcns, rows)
    accounting = by_file[Path(name).name]
    assert accounting.release == release
    assert accounting.read == pcns + rows
    assert accounting.read == accounting.imported + accounting.merged + accounting.rejected
    listed = {text(r[0]) for r in data["pcns"]}
    in_graph = {
        str(graph.value(n, PCR.odsCode))
        for n in graph.subjects(PCR.release, Literal(release))
        if (n, RDF.type, PCR.PrimaryCareNetwork) in graph
    }
    assert in_graph == listed
    published = {(text(r[0]), text(r[4]), text(r[8])) for r in data["members"]}
    found = {
        (
            str(graph.value(graph.value(m, PCR.practice), PCR.odsCode) or "")
            or str(graph.value(m, PCR.practice)).rsplit("/", 1)[-1],
            str(graph.value(graph.value(m, PCR.network), PCR.odsCode)),
            str(graph.value(m, PCR.startDate)).replace("-", ""),
        )
        for m in memberships(graph, release)
    }
    assert found == published
    ended = sum(1 for m in memberships(graph, release) if graph.value(m, PCR.endDate))
    assert ended == sum(1 for r in data["members"] if text(r[9]))


def test_2023_open_memberships_and_practices(
    files: dict[str, dict[str, list[tuple[object, ...]]]],
) -> None:
    members = files[EPCN_2023]["members"]
    assert sum(1 for r in members if not text(r[9])) == 6391
    assert len({text(r[0]) for r in members}) == 6807


def test_2019_pcn_names_come_from_the_pcn_sheet_not_the_formula_column(
    raw_dir: Path, full: tuple[Graph, dict[str, Accounting]]
) -> None:
    graph, _ = full
    book = openpyxl.load_workbook(raw_dir / EPCN_2019, read_only=True, data_only=False)
    members = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    book.close()
    assert all(str(r[5]).startswith("=VLOOKUP") for r in members)
    names = {text(r[0]): text(r[1]) for r in sheets(raw_dir / EPCN_2019)["pcns"]}
    for row in members[:200]:
        record = URIRef(str(pcn_iri(text(row[4]))))
        labels = {str(o) for o in graph.objects(record, SKOS.prefLabel)}
        assert names[text(row[4])] in labels or labels  # current name wins on the node
        history = next(graph.subjects(PCR.recordOf, record))
        assert str(graph.value(history, SKOS.prefLabel)) == names[text(row[4])]


def test_reported_rows_are_exactly_the_inconsistent_ones(
    full: tuple[Graph, dict[str, Accounting]],
    files: dict[str, dict[str, list[tuple[object, ...]]]],
) -> None:
    _graph, by_file = full
    data = files[EPCN_2023]
    accounting = by_file[Path(EPCN_2023).name]
    pcn_parent = {text(r[0]): text(r[2]) for r in data["pcns"]}
    differs = {i + 2 for i, r in enumerate(data["members"]) if text(r[2]) != pcn_parent[text(r[4])]}
    reported = {p.line for p in accounting.reported if "differs from that of its PCN" in p.problem}
    assert reported == differs
    backwards = {
        i + 2 for i, r in enumerate(data["members"]) if text(r[9]) and text(r[9]) < text(r[8])
    }
    reported_backwards = {p.line for p in accounting.reported if "before it starts" in p.problem}
    assert reported_backwards == backwards


def test_each_problem_names_its_record(
    full: tuple[Graph, dict[str, Accounting]], tmp_path: Path
) -> None:
    _graph, by_file = full
    accounting = by_file[Path(EPCN_2023).name]
    assert accounting.reported
    for problem in accounting.reported:
        assert problem.key and problem.name, problem
        assert problem.key in problem.problem or problem.key in problem.column or problem.name
    target = tmp_path / "problems.csv"
    write_problems(target, list(by_file.values()))
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert rows and {"file", "line", "column", "key", "name", "outcome", "reason"} <= set(rows[0])
    epcn = [r for r in rows if r["file"] == accounting.file]
    assert len(epcn) == len(accounting.reported) + len(accounting.rejections)
    assert all(r["key"] and r["name"] for r in epcn)


def test_the_practice_map_keeps_practices_without_a_pcn_as_rejections_with_a_reason(
    raw_dir: Path, full: tuple[Graph, dict[str, Accounting]]
) -> None:
    _graph, by_file = full
    with (raw_dir / PRACTICE_MAP).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    without = [r for r in rows if len(r["PCN_CODE"].strip()) != 6]
    accounting = by_file[Path(PRACTICE_MAP).name]
    assert accounting.read == len(rows)
    assert accounting.rejected == len(without)
    assert {p.key for p in accounting.rejections} == {r["PRACTICE_CODE"] for r in without}


# --- identity over time ----------------------------------------------------------------------


def test_successions_link_old_and_new_codes(full: tuple[Graph, dict[str, Accounting]]) -> None:
    graph, by_file = full
    rw6 = provider_iri(ods_code="RW6")
    assert set(graph.objects(rw6, DCTERMS.isReplacedBy)) == {
        provider_iri(ods_code="RM3"),
        provider_iri(ods_code="R0A"),
    }
    accounting = by_file["succ_ods_2026-05_maglehoj.csv"]
    assert accounting.read == 11537
    assert accounting.imported + accounting.merged > 300
    for succession in graph.subjects(RDF.type, PCR.Succession):
        ends = [graph.value(succession, PCR.predecessor), graph.value(succession, PCR.successor)]
        # At least one end is an organisation of the import: a node, or the subject of a
        # record kept from an older release.
        assert any((e, RDF.type, None) in graph or (None, PCR.recordOf, e) in graph for e in ends)


def test_2019_and_2023_memberships_of_one_practice_meet(
    full: tuple[Graph, dict[str, Accounting]],
    files: dict[str, dict[str, list[tuple[object, ...]]]],
) -> None:
    graph, _ = full
    both = {text(r[0]) for r in files[EPCN_2019]["members"]} & {
        text(r[0]) for r in files[EPCN_2023]["members"]
    }
    assert len(both) > 6000
    for code in sorted(both)[:50]:
        releases = {
            str(graph.value(m, PCR.release))
            for m in graph.subjects(PCR.practice, provider_iri(ods_code=code))
        }
        assert {"ePCN 2019-12", "ePCN 2023-01"} <= releases


def test_pcns_are_not_collaboration_links_or_forums(
    full: tuple[Graph, dict[str, Accounting]],
) -> None:
    graph, _ = full
    assert not list(graph.subjects(RDF.type, PCR.CollaborationLink))
    assert not list(graph.subjects(RDF.type, PCR.PlanningForum))
    assert not list(graph.subjects(RDF.type, ORG.Membership))
    assert not list(graph.subjects(PCR.collaboratesWith, None))


def test_no_invented_link_touches_a_real_organisation(
    full: tuple[Graph, dict[str, Accounting]], repo_root: Path
) -> None:
    from pcr_graph.ingest.synth import synthesise
    from pcr_graph.ingest.workbook import import_workbook

    graph, _ = full
    real = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}
    invented = Graph()
    invented += import_workbook(repo_root / "graph" / "demo", name="demo", fictional=True).graph
    invented.parse(data="".join(synthesise(300).turtle()), format="turtle")
    touched = set(invented.objects(None, PCR.participant)) | set(invented.objects(None, ORG.member))
    touched |= set(invented.subjects(PCR.collaboratesWith, None))
    assert touched
    assert not touched & real
    assert not {o for o in touched if "/id/provider/ods/" in str(o) or "/id/pcn/" in str(o)}
    assert not list(graph.subjects(PCR.fictional, None))


# --- safe workbook reading -------------------------------------------------------------------


def _xlsx_with_entities(tmp_path: Path) -> Path:
    """A real workbook whose sheet declares nested XML entities ("billion laughs")."""
    book = openpyxl.Workbook()
    book.active.append(["PCN Code", "PCN Name"])  # type: ignore[union-attr]
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    hostile = tmp_path / "hostile.xlsx"
    doctype = (
        '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'
            for n in range(1, 9)
        )
        + "]>"
    )
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (doctype + data.decode().replace("PCN Code", "&lol8;")).encode()
            target.writestr(item, data)
    return hostile


def test_xml_entities_in_a_workbook_are_refused(tmp_path: Path) -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    path = _xlsx_with_entities(tmp_path)
    with pytest.raises(DataError, match=r"hostile\.xlsx.*entities"):
        xlsx_module.read_sheets(path)
    assert detect(path) is None


def test_a_workbook_that_unpacks_too_far_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = openpyxl.Workbook()
    book.active.append(["x" * 1000])  # type: ignore[union-attr]
    path = tmp_path / "big.xlsx"
    book.save(path)
    monkeypatch.setattr(xlsx_module, "MAX_UNPACKED", 1000)
    with pytest.raises(DataError, match="unpack"):
        xlsx_module.read_sheets(path)


def test_a_broken_workbook_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match=r"broken\.xlsx"):
        import_file(path, ODS_PCN)


def test_dates_in_cells_are_read_as_yyyymmdd() -> None:
    assert xlsx_module.cell_text(dt.date(2019, 10, 1)) == "20191001"


# --- rules and release diff on the real data ------------------------------------------------


@pytest.fixture(scope="module")
def store(full: tuple[Graph, dict[str, Accounting]]) -> OxigraphStore:
    from pcr_graph.core.resources import graph_dir

    graph, _ = full
    loaded = OxigraphStore()
    loaded.load(graph.serialize(format="nt", encoding="utf-8"), "nt", "registries")
    loaded.load_file(graph_dir() / "areas.ttl")
    return loaded


def _rows(store: OxigraphStore, name: str) -> list[dict[str, str]]:
    result = run_named(store, find_query(name), {})
    assert isinstance(result, Table)
    return result.strings()


def _open_by_practice(rows: list[tuple[object, ...]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for practice, pcn in open_pairs(rows):
        out.setdefault(practice, set()).add(pcn)
    return out


def test_single_practice_pcns_are_those_of_the_2023_file(
    store: OxigraphStore, files: dict[str, dict[str, list[tuple[object, ...]]]]
) -> None:
    data = files[EPCN_2023]
    members: dict[str, set[str]] = {}
    for practice, pcn in open_pairs(data["members"]):
        members.setdefault(pcn, set()).add(practice)
    still_open = {text(r[0]) for r in data["pcns"] if not text(r[5])}
    expected = {pcn for pcn, practices in members.items() if len(practices) == 1} & still_open
    found = {row["pcn"].rsplit("/", 1)[-1] for row in _rows(store, "pcn-single-practice")}
    assert expected and found == expected


def test_practices_in_no_pcn_are_active_gp_practices_missing_from_2023(
    store: OxigraphStore,
    full: tuple[Graph, dict[str, Accounting]],
    raw_dir: Path,
    files: dict[str, dict[str, list[tuple[object, ...]]]],
) -> None:
    with (raw_dir / "ods_epraccur_2023-12.csv").open(encoding="utf-8", newline="") as handle:
        active = {r[0] for r in csv.reader(handle) if r[12] == "A" and r[25] == "4"}
    members = {p for p, _ in open_pairs(files[EPCN_2023]["members"])}
    graph, _ = full
    placed = {c for c in active if (provider_iri(ods_code=c), RDF.type, PCR.Provider) in graph}
    assert len(placed) < len(active)  # Welsh practices have no area in England
    expected = placed - members
    found = {row["provider"].rsplit("/", 1)[-1] for row in _rows(store, "pcn-practice-in-no-pcn")}
    assert expected and found == expected


def test_pcns_across_areas_have_practices_outside_their_area(store: OxigraphStore) -> None:
    several = {row["pcn"] for row in _rows(store, "pcn-practices-in-several-areas")}
    elsewhere = _rows(store, "pcn-practice-in-other-area")
    assert several and elsewhere
    assert several <= {row["pcn"] for row in elsewhere}
    assert all(row["area"] != row["pcnArea"] for row in elsewhere)


def _successors(raw_dir: Path) -> dict[str, set[str]]:
    """ODS ``succ``: code -> the codes named as its successors, read with csv."""
    out: dict[str, set[str]] = {}
    with (raw_dir / SUCCESSIONS).open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            out.setdefault(row[0].strip(), set()).add(row[1].strip())
    return out


def _history(code: str, successors: dict[str, set[str]]) -> set[str]:
    """``code`` and every code that succeeded it, through chains."""
    seen, frontier = {code}, [code]
    while frontier:
        frontier = [n for c in frontier for n in successors.get(c, ()) if n not in seen]
        seen.update(frontier)
    return seen


def test_release_diff_matches_the_two_workbooks_and_the_successions(
    store: OxigraphStore, raw_dir: Path, files: dict[str, dict[str, list[tuple[object, ...]]]]
) -> None:
    before = _open_by_practice(files[EPCN_2019]["members"])
    after = _open_by_practice(files[EPCN_2023]["members"])
    successors = _successors(raw_dir)
    history = {code: _history(code, successors) for code in {*before, *after}}
    old_pcns = {pcn for pcns in before.values() for pcn in pcns}
    new_pcns = {pcn for pcns in after.values() for pcn in pcns}
    for pcn in old_pcns | new_pcns:
        history[pcn] = _history(pcn, successors)
    diff = release_diff(store)
    assert (diff.old, diff.new) == ("ePCN 2019-12", "ePCN 2023-01")
    joined = {p for p in after if not any(p in history[o] for o in before)}
    left = {p for p in before if not history[p] & set(after)}
    assert {c for c, _n, _p in diff.joined} == joined
    assert {c for c, _n, _p in diff.left} == left
    # The succ file records no GP practice changing code between these releases, so every
    # practice that left or joined is one: successions change nothing here...
    assert joined == set(after) - set(before) and left == set(before) - set(after)
    moved = {
        p
        for p in set(before) & set(after)
        if not set().union(*(history[pcn] for pcn in before[p])) & after[p]
    }
    assert {c for c, *_ in diff.moved} == moved
    # ... but PCNs did change code: a practice whose PCN was succeeded did not move, a PCN
    # with a recorded successor neither closed nor had its successor open.
    plain_moved = {p for p in set(before) & set(after) if not before[p] & after[p]}
    assert moved < plain_moved
    opened = {q for q in new_pcns if not any(q in history[p] for p in old_pcns)}
    closed = {p for p in old_pcns if not history[p] & new_pcns}
    assert {c for c, _ in diff.opened} == opened < new_pcns - old_pcns
    assert {c for c, _ in diff.closed} == closed < old_pcns - new_pcns
    recorded = {(p, q) for p in old_pcns - new_pcns for q in (history[p] - {p}) & new_pcns}
    assert recorded
    merged = {(c, into) for c, _n, into, _k, basis in diff.merged if basis == "ODS succession"}
    assert merged == recorded
    members: dict[str, set[str]] = {}
    for practice, pcns in before.items():
        for pcn in pcns:
            members.setdefault(pcn, set()).add(practice)
    for pcn, _name, into, count, basis in diff.merged:
        went = {p for p in members[pcn] if any(into in after.get(h, ()) for h in history[p])}
        assert count == len(went), (pcn, into)
        assert basis == "ODS succession" or (pcn in closed and count >= 2)
    text = diff.text()
    assert "published register" in text and "by a recorded ODS succession" in text


def test_import_of_a_folder_with_nothing_recognised_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pcr_graph.cli.commands import main

    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "hosts").write_text("127.0.0.1 localhost\n")
    target = tmp_path / "out.ttl"
    with pytest.raises(SystemExit) as exit_info:
        main(["import", "registries", str(folder), "--output", str(target)])
    assert exit_info.value.code == 2
    assert "no registry file recognised" in capsys.readouterr().err
    assert not target.exists()
