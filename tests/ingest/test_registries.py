"""The registry importers on the real ONS, ODS and CQC files in ``../shared/data/raw``.

Expected figures are either facts of the files (211 trusts, 15,971 practice rows …) or
computed here, independently of the importer, with the csv module.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS

from pcr_graph.core.ids import area_iri, mint, provider_iri
from pcr_graph.core.namespaces import PCR, SECTOR
from pcr_graph.ingest.registries import (
    SETTING_SECTORS,
    Accounting,
    Lookup,
    detect,
    import_file,
    import_registries,
    restore_telephone,
)
from pcr_graph.store.turtle import to_turtle

SUBFOLDER_FILES = (
    "eccg_jhau-nhs-spend_2025-12.csv",
    "etr_jhau-nhs-spend_2025-12.csv",
    "succ_ods_2026-05_maglehoj.csv",
    "ePCN_2019-12_psychty.xlsx",
    "ePCN_2023-01_blackwellrd.xlsx",
    "gp-reg-pat-prac-map_2022-01_nhsx.csv",
)
"""Files in the ods/ and pcn/ subfolders (tests/ingest/test_registries_pcn.py covers them)."""

FILES = {
    "cqc_derived_icb_la_lookup_2022.csv": "cqc-la-lookup",
    "cqc_derived_subicb_la_lookup_2022.csv": "cqc-la-lookup",
    "cqc_gm_care_homes_2019.csv": "cqc-care-homes",
    "cqc_trafford_care_homes_2026.csv": "cqc-care-homes",
    "ods_ect_dfe.csv": "ods-trusts",
    "ods_epraccur_2019.csv": "ods-practices",
    "ods_epraccur_2023-12.csv": "ods-practices",
    "ods_etr_dfe.csv": "ods-trusts",
    "ons_ccg21_names_codes.csv": "ons-ccg21",
    "ons_loc22_icb22_nhser22_lookup.csv": "ons-subicb-icb",
    "ons_sicbl22_icb22_nhser22_lookup.csv": "ons-subicb-icb",
    "ons_stp21_nhser21_lookup.csv": "ons-stp21",
}
LOOKUP_FILES = (
    "ons_sicbl22_icb22_nhser22_lookup.csv",
    "ons_ccg21_names_codes.csv",
    "ons_stp21_nhser21_lookup.csv",
    "cqc_derived_icb_la_lookup_2022.csv",
    "cqc_derived_subicb_la_lookup_2022.csv",
)
GP_SECTOR = SECTOR["gp-practice"]


# -- independent readings of the files ---------------------------------------------------


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def dict_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def subicb_area(raw_dir: Path) -> dict[str, str]:
    """Sub-ICB ODS code -> ICB Q-code, straight from the ONS file."""
    return {
        r["SICBL22CDH"]: r["ICB22CDH"]
        for r in dict_rows(raw_dir / "ons_sicbl22_icb22_nhser22_lookup.csv")
    }


@pytest.fixture(scope="module")
def lookup(raw_dir: Path) -> Lookup:
    return Lookup.from_folder(raw_dir)


@pytest.fixture(scope="module")
def full(raw_dir: Path) -> tuple[Graph, dict[str, Accounting]]:
    """Every file of the raw folder imported together (the expensive part, done once)."""
    graph, accountings = import_registries(raw_dir)
    return graph, {a.file: a for a in accountings}


def practice_area(row: list[str], subicb_area: dict[str, str]) -> str | None:
    """Where the importer should place an epraccur row: its Sub-ICB's area, else its own."""
    if row[25] not in SETTING_SECTORS:
        return None
    areas = set(subicb_area.values())
    return subicb_area.get(row[14]) or (row[3] if row[3] in areas else None)


def home_key(name: str, postcode: str) -> tuple[str, str]:
    return " ".join(name.split()).casefold(), "".join(postcode.split()).upper()


def copy(raw_dir: Path, folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(raw_dir / name, folder / name)
    return folder


def providers_in(graph: Graph, area: str, sector: URIRef, status: str) -> set[URIRef]:
    return {
        s
        for s in graph.subjects(PCR.operatesIn, area_iri(area))
        if (s, PCR.sector, sector) in graph and (s, PCR.status, Literal(status)) in graph
    }


def without_provenance(graph: Graph) -> Graph:
    runs = set(graph.subjects(RDF.type, PCR.ImportRun))
    used = {o for r in runs for o in graph.objects(r, None) if isinstance(o, URIRef)}
    out = Graph()
    for s, p, o in graph:
        if p != PCR.sourceLocation and s not in runs and s not in used:
            out.add((s, p, o))
    return out


# -- detection -----------------------------------------------------------------------------


def test_every_real_file_is_detected_by_its_contents(raw_dir: Path) -> None:
    found = {p.name: detect(p) for p in sorted(raw_dir.iterdir()) if p.suffix == ".csv"}
    assert found == FILES
    assert detect(raw_dir / "SOURCES.md") is None


def test_renamed_copies_are_detected_the_same(raw_dir: Path, tmp_path: Path) -> None:
    for index, (name, kind) in enumerate(sorted(FILES.items())):
        renamed = tmp_path / f"download-{index}.txt"
        shutil.copyfile(raw_dir / name, renamed)
        assert detect(renamed) == kind, name


def test_a_file_of_no_known_kind_is_not_detected(tmp_path: Path) -> None:
    other = tmp_path / "providers.csv"
    other.write_text("provider_id,name,sector,area\np1,A,care-home,QOP\n")
    assert detect(other) is None
    (tmp_path / "empty.csv").write_text("")
    assert detect(tmp_path / "empty.csv") is None


# -- ONS lookups ---------------------------------------------------------------------------


def test_both_ons_header_variants_give_the_same_graph(raw_dir: Path, lookup: Lookup) -> None:
    sicbl, a = import_file(raw_dir / "ons_sicbl22_icb22_nhser22_lookup.csv", lookup=lookup)
    loc, b = import_file(raw_dir / "ons_loc22_icb22_nhser22_lookup.csv", lookup=lookup)
    assert a.kind == b.kind == "ons-subicb-icb"
    assert a.release == b.release == "ons-subicb-icb 2022"
    assert isomorphic(without_provenance(sicbl), without_provenance(loc))


def test_106_sub_areas_in_42_areas(raw_dir: Path, lookup: Lookup) -> None:
    graph, acc = import_file(raw_dir / "ons_sicbl22_icb22_nhser22_lookup.csv", lookup=lookup)
    subareas = set(graph.subjects(RDF.type, PCR.SubArea))
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (106, 106, 0, 0)
    assert len(subareas) == 106
    assert len({graph.value(s, PCR.partOfArea) for s in subareas}) == 42
    barnsley = mint("subarea", "02P")
    assert graph.value(barnsley, SKOS.prefLabel) == Literal("NHS South Yorkshire ICB - 02P")
    assert graph.value(barnsley, PCR.onsCode2022) == Literal("E38000006")
    assert graph.value(barnsley, PCR.partOfArea) == area_iri("QF7")
    assert len(lookup.areas) == 42 and len(lookup.subarea_area) == 106


@pytest.mark.slow
def test_ccg21_names_merge_into_the_sub_areas(
    full: tuple[Graph, dict[str, Accounting]], raw_dir: Path
) -> None:
    graph, accs = full
    acc = accs["ons_ccg21_names_codes.csv"]
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (106, 0, 106, 0)
    sicbl = {r["SICBL22CD"] for r in dict_rows(raw_dir / "ons_sicbl22_icb22_nhser22_lookup.csv")}
    changed = sorted(
        r["CCG21CD"]
        for r in dict_rows(raw_dir / "ons_ccg21_names_codes.csv")
        if r["CCG21CD"] not in sicbl
    )
    assert len(changed) == 6
    assert sorted(p.problem.split("(")[1][:9] for p in acc.reported) == changed
    tameside = mint("subarea", "01Y")
    assert graph.value(tameside, SKOS.altLabel) == Literal("NHS Tameside and Glossop CCG")
    assert graph.value(tameside, PCR.onsCode2021) == Literal("E38000182")
    assert graph.value(tameside, PCR.onsCode2022) == Literal("E38000263")
    # ODS eccg (in ods/) adds the CCGs and reporting entities of other years; the 106
    # Sub-ICB locations of 2022 are those with a 2022 ONS code.
    subareas = set(graph.subjects(RDF.type, PCR.SubArea))
    assert len({s for s in subareas if (s, PCR.onsCode2022, None) in graph}) == 106
    loc = accs["ons_loc22_icb22_nhser22_lookup.csv"]
    assert (loc.imported, loc.merged) == (0, 106)  # the same lookup under its older header


@pytest.mark.slow
def test_stp21_names_merge_into_the_42_areas(full: tuple[Graph, dict[str, Accounting]]) -> None:
    graph, accs = full
    acc = accs["ons_stp21_nhser21_lookup.csv"]
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (42, 0, 42, 0)
    gm = area_iri("QOP")
    assert graph.value(gm, PCR.onsCode2021) == Literal("E54000007")
    assert (gm, RDF.type, PCR.Area) not in graph  # graph/areas.ttl owns the area itself


@pytest.mark.slow
def test_la_lookups_are_counted_row_by_row(full: tuple[Graph, dict[str, Accounting]]) -> None:
    _, accs = full
    icb = accs["cqc_derived_icb_la_lookup_2022.csv"]
    sub = accs["cqc_derived_subicb_la_lookup_2022.csv"]
    # The Sub-ICB lookup repeats a local authority once per Sub-ICB location in one ICB.
    assert (sub.read, sub.imported, sub.merged, sub.rejected) == (168, 148, 20, 0)
    assert (icb.read, icb.imported, icb.merged, icb.rejected) == (148, 148, 0, 0)


# -- ODS trusts ------------------------------------------------------------------------------


def test_211_trusts_with_the_three_welsh_ones_rejected(raw_dir: Path, lookup: Lookup) -> None:
    path = raw_dir / "ods_etr_dfe.csv"
    graph, acc = import_file(path, lookup=lookup)
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (211, 208, 0, 3)
    lines = rows(path)
    rejected = sorted(lines[p.line - 1][1] for p in acc.rejections)
    assert rejected == [
        "PUBLIC HEALTH WALES NHS TRUST",
        "VELINDRE NHS TRUST",
        "WELSH AMBULANCE SERVICES NHS TRUST",
    ]
    assert all("Q99" in p.problem and p.column == "4" for p in acc.rejections)
    providers = set(graph.subjects(RDF.type, PCR.Provider))
    assert len(providers) == 208
    ambulance = {s for s in providers if (s, PCR.sector, SECTOR["ambulance"]) in graph}
    assert len(ambulance) == 10
    alder_hey = provider_iri(ods_code="RBS")
    assert graph.value(alder_hey, SKOS.prefLabel) == Literal(
        "ALDER HEY CHILDREN'S NHS FOUNDATION TRUST"
    )
    assert graph.value(alder_hey, PCR.operatesIn) == area_iri("QYG")
    assert graph.value(alder_hey, PCR.status) == Literal("active")
    yeovil = provider_iri(ods_code="RA4")
    assert graph.value(yeovil, PCR.status) == Literal("closed")
    assert str(graph.value(yeovil, PCR.closeDate)) == "2023-03-31"
    assert graph.value(provider_iri(ods_code="RQF"), None) is None


def test_care_trusts_keep_their_ampersand(raw_dir: Path, lookup: Lookup) -> None:
    graph, acc = import_file(raw_dir / "ods_ect_dfe.csv", lookup=lookup)
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (4, 4, 0, 0)
    assert graph.value(provider_iri(ods_code="TAH"), SKOS.prefLabel) == Literal(
        "SHEFFIELD HEALTH & SOCIAL CARE NHS FOUNDATION TRUST"
    )


@pytest.mark.slow
def test_etr_and_ect_are_both_current(full: tuple[Graph, dict[str, Accounting]]) -> None:
    # ods/ holds a newer etr release (2024), so the 2023 etr is its history; ect shares no
    # code with either and stays current.
    _, accs = full
    assert accs["etr_jhau-nhs-spend_2025-12.csv"].current
    assert not accs["ods_etr_dfe.csv"].current and accs["ods_ect_dfe.csv"].current


# -- ODS practices ---------------------------------------------------------------------------


def test_practice_status_counts_of_2023(raw_dir: Path) -> None:
    data = rows(raw_dir / "ods_epraccur_2023-12.csv")
    assert len(data) == 15971
    assert Counter(r[12] for r in data) == {"A": 12083, "C": 3503, "D": 384, "P": 1}
    assert sum(r[25] == "4" for r in data) == 8647


@pytest.mark.slow
def test_practices_2023_imported_rejected_and_reported(
    full: tuple[Graph, dict[str, Accounting]], raw_dir: Path, subicb_area: dict[str, str]
) -> None:
    graph, accs = full
    acc = accs["ods_epraccur_2023-12.csv"]
    data = rows(raw_dir / "ods_epraccur_2023-12.csv")
    placed = [practice_area(r, subicb_area) for r in data]
    imported = sum(a is not None for a in placed)
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (
        15971,
        imported,
        0,
        15971 - imported,
    )
    assert (acc.imported, acc.rejected) == (11705, 4266)
    assert acc.current and acc.release == "epraccur 2023-12"
    # every rejected row says why, in the column that decided it
    reasons = Counter(p.column for p in acc.rejections)
    assert reasons == {
        "26": sum(r[25] not in SETTING_SECTORS for r in data),
        "15": sum(
            r[25] in SETTING_SECTORS and a is None for r, a in zip(data, placed, strict=True)
        ),
    }
    assert sum("prison" in p.problem for p in acc.rejections) == sum(r[25] == "25" for r in data)
    # imported providers by status, against the file
    statuses = Counter(r[12] for r, a in zip(data, placed, strict=True) if a is not None)
    from_file = {
        s
        for s, o in graph.subject_objects(PCR.sourceLocation)
        if str(o).startswith("ods_epraccur_2023-12.csv ")
    }
    assert len(from_file) == imported
    for code, word in (("A", "active"), ("C", "closed"), ("D", "dormant"), ("P", "proposed")):
        count = sum(1 for s in graph.subjects(PCR.status, Literal(word)) if s in from_file)
        assert count == statuses.get(code, 0), word
    # sub-area in another area than the practice states: reported with both codes
    mismatched = [
        (i + 1, subicb_area[r[14]], r[3])
        for i, (r, a) in enumerate(zip(data, placed, strict=True))
        if a is not None
        and r[14] in subicb_area
        and r[3] in set(subicb_area.values())
        and subicb_area[r[14]] != r[3]
    ]
    found = [p for p in acc.reported if "belongs to area" in p.problem]
    assert len(found) == len(mismatched) >= 1
    for (line, via, stated), problem in zip(mismatched, sorted(found), strict=True):
        assert problem.line == line and via in problem.problem and stated in problem.problem
    outside = sum(
        1 for r, a in zip(data, placed, strict=True) if a is not None and r[14] not in subicb_area
    )
    assert sum("is not one of the 106" in p.problem for p in acc.reported) == outside
    assert sum("has no postcode" in p.problem for p in acc.reported) == sum(
        1 for r, a in zip(data, placed, strict=True) if a is not None and not r[9]
    )


@pytest.mark.slow
def test_active_gp_practices_per_area(
    full: tuple[Graph, dict[str, Accounting]], raw_dir: Path, subicb_area: dict[str, str]
) -> None:
    graph, _ = full
    data = rows(raw_dir / "ods_epraccur_2023-12.csv")
    expected = Counter(practice_area(r, subicb_area) for r in data if r[25] == "4" and r[12] == "A")
    for area in ("QOP", "QF7", "QHM", "QWO", "QT1", "QYG", "QMJ"):
        assert len(providers_in(graph, area, GP_SECTOR, "active")) == expected[area], area
    assert expected["QOP"] > 300


@pytest.mark.slow
def test_the_surgery_stays_distinct_by_code(
    full: tuple[Graph, dict[str, Accounting]], raw_dir: Path, subicb_area: dict[str, str]
) -> None:
    graph, _ = full
    data = rows(raw_dir / "ods_epraccur_2023-12.csv")
    named = [r for r in data if r[1] == "THE SURGERY"]
    assert len(named) == 27
    kept = {r[0] for r in named if practice_area(r, subicb_area) is not None}
    nodes = {
        s
        for s in graph.subjects(SKOS.prefLabel, Literal("THE SURGERY"))
        if (s, RDF.type, PCR.Provider) in graph
    }
    assert nodes == {provider_iri(ods_code=code) for code in kept}
    assert len(nodes) == len(kept) == 8  # the others are closed with no area left to them
    records = {
        s
        for s in graph.subjects(SKOS.prefLabel, Literal("THE SURGERY"))
        if (s, RDF.type, PCR.RegistryRecord) in graph
    }
    old = rows(raw_dir / "ods_epraccur_2019.csv")
    assert len(records) == sum(r[1] == "THE SURGERY" and r[25] in SETTING_SECTORS for r in old)
    assert len(records) == 17


@pytest.mark.slow
def test_practice_telephone_without_its_zero_is_repaired(
    full: tuple[Graph, dict[str, Accounting]], raw_dir: Path
) -> None:
    graph, _ = full
    data = rows(raw_dir / "ods_epraccur_2023-12.csv")
    (row,) = [r for r in data if r[17] == "1942 822420"]
    assert graph.value(provider_iri(ods_code=row[0]), PCR.telephone) == Literal("01942 822420")
    assert graph.value(provider_iri(ods_code="A81001"), PCR.telephone) == Literal("01642 672351")


@pytest.mark.slow
def test_the_2019_practices_become_history_when_2023_is_present(
    full: tuple[Graph, dict[str, Accounting]], raw_dir: Path
) -> None:
    graph, accs = full
    acc = accs["ods_epraccur_2019.csv"]
    data = rows(raw_dir / "ods_epraccur_2019.csv")
    assert len(data) == 14357
    in_scope = sum(r[25] in SETTING_SECTORS for r in data)
    assert not acc.current and acc.release == "epraccur 2020-01"
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (
        14357,
        in_scope,
        0,
        14357 - in_scope,
    )
    records = {
        r
        for r in graph.subjects(RDF.type, PCR.RegistryRecord)
        if str(graph.value(r, PCR.release)).startswith("epraccur")
    }
    assert len(records) == in_scope
    record = mint("record", "epraccur 2020-01", "A81001")
    assert graph.value(record, PCR.recordOf) == provider_iri(ods_code="A81001")
    assert graph.value(record, PCR.release) == Literal("epraccur 2020-01")
    assert Literal("commissioner: 00K") in set(graph.objects(record, SKOS.note))
    # the 2019 facts stay on the record: the provider has only its 2023 commissioner
    practice = provider_iri(ods_code="A81001")
    assert graph.value(practice, PCR.subArea) == mint("subarea", "16C")
    assert len(set(graph.objects(practice, SKOS.prefLabel))) == 1
    assert len(set(graph.objects(practice, PCR.sourceLocation))) == 1


@pytest.mark.slow
def test_the_2019_practices_alone_are_current(
    raw_dir: Path, tmp_path: Path, subicb_area: dict[str, str]
) -> None:
    folder = copy(raw_dir, tmp_path / "raw", (*LOOKUP_FILES, "ods_epraccur_2019.csv"))
    graph, accountings = import_registries(folder)
    (acc,) = [a for a in accountings if a.kind == "ods-practices"]
    assert acc.current and acc.imported > 0
    assert not set(graph.subjects(RDF.type, PCR.RegistryRecord))
    # A CCG code that survived as a Sub-ICB code places a 2019 practice; others cannot be.
    placed = [r for r in rows(folder / "ods_epraccur_2019.csv") if practice_area(r, subicb_area)]
    assert acc.imported == len(placed)
    assert (provider_iri(ods_code=placed[0][0]), RDF.type, PCR.Provider) in graph


# -- CQC care homes -----------------------------------------------------------------------


def test_trafford_homes_get_cqc_ids_and_their_leading_zero(raw_dir: Path, lookup: Lookup) -> None:
    path = raw_dir / "cqc_trafford_care_homes_2026.csv"
    graph, acc = import_file(path, lookup=lookup)
    assert (acc.read, acc.imported, acc.merged, acc.rejected) == (56, 56, 0, 0)
    home = provider_iri(cqc_location_id="1-466088203")
    assert graph.value(home, SKOS.prefLabel) == Literal("10 Spennithorne Road")
    assert graph.value(home, PCR.telephone) == Literal("01617486414")
    assert graph.value(home, PCR.operatorName) == Literal("Future Directions CIC")
    assert graph.value(home, PCR.operatesIn) == area_iri("QOP")
    assert graph.value(home, PCR.website) is None  # "NA" is no website
    assert graph.value(home, PCR.sector) == SECTOR["care-home"]
    data = dict_rows(path)
    fixed = sum(1 for r in data if r["telephone"].isdigit() and len(r["telephone"]) == 10)
    assert sum("lost its leading zero" in p.problem for p in acc.reported) == fixed == 54
    websites = sum(1 for r in data if r["website"] != "NA")
    assert len(set(graph.subject_objects(PCR.website))) == websites == 56 - 26


def test_greater_manchester_homes_all_land_in_qop(raw_dir: Path, lookup: Lookup) -> None:
    path = raw_dir / "cqc_gm_care_homes_2019.csv"
    graph, acc = import_file(path, lookup=lookup)
    data = dict_rows(path)
    keys = Counter(home_key(r["name"], r["postcode"]) for r in data)
    assert (acc.read, acc.rejected) == (559, 0)
    assert acc.imported == len(keys) and acc.merged == 559 - len(keys) == 4
    homes = set(graph.subjects(RDF.type, PCR.Provider))
    assert len(homes) == len(keys)
    assert {o for h in homes for o in graph.objects(h, PCR.operatesIn)} == {area_iri("QOP")}
    tameside = [p for p in acc.reported if "Tameside" in p.problem]
    assert len(tameside) == sum(r["area_name"] == "Tameside" for r in data) == 38
    assert "NHS Tameside and Glossop CCG" in tameside[0].problem
    willows = {s for s in homes if graph.value(s, SKOS.prefLabel) == Literal("The Willows")}
    assert len(willows) == sum(r["name"] == "The Willows" for r in data) >= 2


def expected_phone_reports(data: list[dict[str, str]]) -> int:
    count = 0
    for row in data:
        phone = row["telephone"]
        if phone != "NA" and not phone.startswith("0"):
            count += 1  # repaired, or dropped as scientific notation or too short
    return count


def test_gm_reports_are_counted_exactly(raw_dir: Path, lookup: Lookup) -> None:
    path = raw_dir / "cqc_gm_care_homes_2019.csv"
    _, acc = import_file(path, lookup=lookup)
    data = dict_rows(path)
    tameside = sum(r["area_name"] == "Tameside" for r in data)
    assert len(acc.reported) == expected_phone_reports(data) + tameside
    dropped = [p for p in acc.reported if "not kept" in p.problem]
    assert len(dropped) == sum(
        1 for r in data if r["telephone"] != "NA" and len(r["telephone"]) != 10
    )


@pytest.mark.slow
def test_a_home_in_both_lists_is_one_node(
    full: tuple[Graph, dict[str, Accounting]], raw_dir: Path
) -> None:
    graph, accs = full
    trafford = dict_rows(raw_dir / "cqc_trafford_care_homes_2026.csv")
    seen = {home_key(r["name"], r["postcode"]) for r in trafford}
    merged = 0
    for row in dict_rows(raw_dir / "cqc_gm_care_homes_2019.csv"):
        key = home_key(row["name"], row["postcode"])
        merged += key in seen
        seen.add(key)
    acc = accs["cqc_gm_care_homes_2019.csv"]
    assert acc.merged == merged and acc.imported == 559 - merged
    assert accs["cqc_trafford_care_homes_2026.csv"].imported == 56
    homes = {s for s in graph.subjects(PCR.sector, SECTOR["care-home"]) if "cqc" in str(s)}
    assert len(homes) == 56 + acc.imported
    # Same name and postcode but two CQC location ids (two registrations): two homes.
    for name in ("Halecroft Grange", "Oakfield Croft"):
        ids = {r["cqc_id"] for r in trafford if r["name"] == name}
        assert len(ids) == 2
        assert {s for s in homes if graph.value(s, SKOS.prefLabel) == Literal(name)} == {
            provider_iri(cqc_location_id=i) for i in ids
        }
    spennithorne = provider_iri(cqc_location_id="1-466088203")
    sources = sorted(str(o) for o in graph.objects(spennithorne, PCR.sourceLocation))
    assert [s.split(" line ")[0] for s in sources] == [
        "cqc_gm_care_homes_2019.csv",
        "cqc_trafford_care_homes_2026.csv",
    ]
    assert len(set(graph.objects(spennithorne, SKOS.prefLabel))) == 1


# -- whole folder ------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_file_is_accounted_for(full: tuple[Graph, dict[str, Accounting]]) -> None:
    graph, accs = full
    assert set(accs) == {*FILES, *SUBFOLDER_FILES, "SOURCES.md"}
    assert accs["SOURCES.md"].kind == "unrecognised" and accs["SOURCES.md"].read == 0
    for acc in accs.values():
        assert acc.read == acc.imported + acc.merged + acc.rejected, acc.file
        assert len(acc.rejections) == acc.rejected, acc.file
        assert all(p.file == acc.file and p.line >= 1 and p.problem for p in acc.rejections)
    runs = set(graph.subjects(RDF.type, PCR.ImportRun))
    assert len(runs) == len(FILES) + len(SUBFOLDER_FILES)
    assert {int(graph.value(r, PCR.rowCount)) for r in runs} >= {14357, 15971, 211}


@pytest.mark.slow
def test_every_provider_has_one_name_a_sector_and_an_area(
    full: tuple[Graph, dict[str, Accounting]],
) -> None:
    from pcr_graph.core.vocab import sectors

    graph, _ = full
    scheme = set(sectors().notation)
    for provider in set(graph.subjects(RDF.type, PCR.Provider)):
        assert len(set(graph.objects(provider, SKOS.prefLabel))) == 1, provider
        assert set(graph.objects(provider, PCR.sector)) <= scheme, provider
        assert set(graph.objects(provider, PCR.sector)), provider
        assert set(graph.objects(provider, PCR.operatesIn)), provider
        assert graph.value(provider, PCR.sourceLocation) is not None, provider


@pytest.mark.slow
def test_reimport_gives_byte_identical_turtle(raw_dir: Path, tmp_path: Path) -> None:
    names = (
        *LOOKUP_FILES,
        "ons_loc22_icb22_nhser22_lookup.csv",
        "ods_etr_dfe.csv",
        "ods_ect_dfe.csv",
        "cqc_trafford_care_homes_2026.csv",
        "cqc_gm_care_homes_2019.csv",
    )
    first, _ = import_registries(copy(raw_dir, tmp_path / "a", names))
    second, _ = import_registries(copy(raw_dir, tmp_path / "b", names))
    assert to_turtle(first) == to_turtle(second)
    assert len(first) > 5000


def test_progress_is_reported_to_the_end(raw_dir: Path, lookup: Lookup) -> None:
    calls: list[tuple[int, int]] = []
    import_file(
        raw_dir / "ods_etr_dfe.csv", lookup=lookup, progress=lambda d, t: calls.append((d, t))
    )
    assert calls[-1] == (211, 211)


def test_an_unknown_file_is_refused_by_import_file(tmp_path: Path) -> None:
    from pcr_graph.core.errors import DataError

    other = tmp_path / "notes.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match="not a registry file"):
        import_file(other)


# -- telephone repair -----------------------------------------------------------------------


@given(st.from_regex(r"[1-9][0-9]{9}", fullmatch=True))
def test_ten_digits_without_zero_get_it_back(digits: str) -> None:
    fixed, note = restore_telephone(digits)
    assert fixed == "0" + digits and "leading zero" in note


@given(st.from_regex(r"0[0-9 ]{9,12}", fullmatch=True))
def test_numbers_with_their_zero_are_kept_as_given(text: str) -> None:
    assert restore_telephone(text) == (text.strip(), "")
