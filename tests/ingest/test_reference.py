"""The real reference data: areas and regions from the ONS files, the review programme, the
findings quoted from CQC's texts and the default expectation profile."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from pcr_graph.core.errors import DataError, UsageError
from pcr_graph.core.files import sha256_of
from pcr_graph.core.namespaces import ID, PCR, PHASE, SECTOR, THEME
from pcr_graph.ingest.reference import (
    AREAS_2021_FILE,
    AREAS_2022_FILE,
    CANCER_AREAS,
    CYP_MENTAL_HEALTH_AREAS,
    PHASE_1_AREAS,
    PHASE_2_AREAS,
    build_areas,
    build_programme,
    normalise_area_name,
    resolve_area_name,
    write_reference,
)

# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def areas(raw_dir: Path) -> Graph:
    return build_areas(raw_dir)


@pytest.fixture(scope="session")
def programme(areas: Graph) -> Graph:
    return build_programme(areas)


@pytest.fixture(scope="session")
def findings(repo_root: Path) -> Graph:
    return Graph().parse(repo_root / "graph" / "findings.ttl", format="turtle")


@pytest.fixture(scope="session")
def profile(repo_root: Path) -> Graph:
    return Graph().parse(repo_root / "graph" / "profile-default.ttl", format="turtle")


@pytest.fixture(scope="session")
def seeds_dir(repo_root: Path) -> Path:
    configured = os.environ.get("PCR_GRAPH_SEEDS")
    folder = Path(configured) if configured else repo_root.parent / "shared" / "seeds"
    if not sorted(folder.glob("*.txt")):
        pytest.fail(
            f"seed texts not found in {folder} (set PCR_GRAPH_SEEDS to their folder)",
            pytrace=False,
        )
    return folder


def _area(code: str) -> URIRef:
    return ID["area/" + code]


def _text(graph: Graph, subject: Node, prop: URIRef) -> str:
    value = graph.value(subject, prop)
    assert value is not None, f"{subject} has no {prop}"
    return str(value)


# --------------------------------------------------------------------------------------
# Areas and regions
# --------------------------------------------------------------------------------------


def test_there_are_42_areas_in_7_regions(areas: Graph) -> None:
    assert len(set(areas.subjects(RDF.type, PCR.Area))) == 42
    regions = set(areas.subjects(RDF.type, PCR.Region))
    assert regions == {ID["region/" + y] for y in ("Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63")}
    for area in areas.subjects(RDF.type, PCR.Area):
        assert areas.value(area, PCR.region) in regions


# 2021 ONS code -> (ODS code, 2022 ONS code), from SOURCES.md and the two files.
CHANGED_ONS_CODES = {
    "E54000007": ("QOP", "E54000057"),
    "E54000009": ("QF7", "E54000061"),
    "E54000012": ("QJ2", "E54000058"),
    "E54000014": ("QT1", "E54000060"),
    "E54000016": ("QUA", "E54000062"),
    "E54000017": ("QHL", "E54000055"),
    "E54000020": ("QPM", "E54000059"),
    "E54000021": ("QUE", "E54000056"),
}


@pytest.mark.parametrize("old", sorted(CHANGED_ONS_CODES))
def test_a_changed_ons_code_lands_on_one_area_with_both_codes(areas: Graph, old: str) -> None:
    ods, new = CHANGED_ONS_CODES[old]
    assert set(areas.subjects(PCR.onsCode2021, Literal(old))) == {_area(ods)}
    assert set(areas.subjects(PCR.onsCode2022, Literal(new))) == {_area(ods)}


def test_exactly_the_8_changed_codes_differ_between_years(areas: Graph) -> None:
    changed = {
        str(areas.value(area, PCR.onsCode2021))
        for area in areas.subjects(RDF.type, PCR.Area)
        if areas.value(area, PCR.onsCode2021) != areas.value(area, PCR.onsCode2022)
    }
    assert changed == set(CHANGED_ONS_CODES)


def test_every_area_has_its_2022_and_2021_names_and_codes(areas: Graph) -> None:
    for area in areas.subjects(RDF.type, PCR.Area):
        assert isinstance(area, URIRef)
        pref = list(areas.objects(area, SKOS.prefLabel))
        alt = list(areas.objects(area, SKOS.altLabel))
        assert len(pref) == 1 and len(alt) == 1, area
        assert str(pref[0]).startswith("NHS ") and str(pref[0]).endswith("Integrated Care Board")
        assert pref[0] != alt[0]
        assert _text(areas, area, PCR.odsCode) == str(area).rsplit("/", 1)[1]
        assert re.fullmatch(r"E54\d{6}", _text(areas, area, PCR.onsCode2021))
        assert re.fullmatch(r"E54\d{6}", _text(areas, area, PCR.onsCode2022))


def test_known_areas_have_the_published_names(areas: Graph) -> None:
    gm = _area("QOP")
    assert _text(areas, gm, SKOS.prefLabel) == "NHS Greater Manchester Integrated Care Board"
    assert (
        _text(areas, gm, SKOS.altLabel) == "Greater Manchester Health and Social Care Partnership"
    )
    assert areas.value(gm, PCR.region) == ID["region/Y62"]
    assert _text(areas, _area("QWO"), SKOS.altLabel) == (
        "West Yorkshire and Harrogate (Health and Care Partnership)"
    )


def test_regions_carry_both_ons_codes_where_they_changed(areas: Graph) -> None:
    midlands, ney, london = ID["region/Y60"], ID["region/Y63"], ID["region/Y56"]
    assert _text(areas, midlands, SKOS.prefLabel) == "Midlands"
    assert (_text(areas, midlands, PCR.onsCode2021), _text(areas, midlands, PCR.onsCode2022)) == (
        "E40000008",
        "E40000011",
    )
    assert (_text(areas, ney, PCR.onsCode2021), _text(areas, ney, PCR.onsCode2022)) == (
        "E40000009",
        "E40000012",
    )
    assert _text(areas, london, PCR.onsCode2021) == _text(areas, london, PCR.onsCode2022)
    assert _text(areas, london, PCR.odsCode) == "Y56"


def test_areas_cite_both_ons_files_with_their_checksums(areas: Graph, raw_dir: Path) -> None:
    sources = {
        ID["source/ons-stp21-nhser21-lookup"]: AREAS_2021_FILE,
        ID["source/ons-sicbl22-icb22-nhser22-lookup"]: AREAS_2022_FILE,
    }
    for source, name in sources.items():
        assert (source, RDF.type, PCR.SourceDocument) in areas
        assert _text(areas, source, DCTERMS.publisher) == "Office for National Statistics"
        assert _text(areas, source, PCR.sha256) == sha256_of(raw_dir / name)
    for area in areas.subjects(RDF.type, PCR.Area):
        assert set(areas.objects(area, PROV.wasDerivedFrom)) == set(sources)


def test_the_older_loc22_column_names_give_the_same_areas(raw_dir: Path, tmp_path: Path) -> None:
    shutil.copy(raw_dir / AREAS_2021_FILE, tmp_path / AREAS_2021_FILE)
    # Same ICB columns, older sub-ICB column names, CRLF line endings.
    shutil.copy(raw_dir / "ons_loc22_icb22_nhser22_lookup.csv", tmp_path / AREAS_2022_FILE)
    ours, theirs = build_areas(raw_dir), build_areas(tmp_path)
    for graph in (ours, theirs):
        graph.remove((None, PCR.sha256, None))
    assert isomorphic(ours, theirs)


def _copy_raw(raw_dir: Path, tmp_path: Path) -> Path:
    for name in (AREAS_2021_FILE, AREAS_2022_FILE):
        shutil.copy(raw_dir / name, tmp_path / name)
    return tmp_path


def test_a_missing_column_is_reported_with_file_and_line(raw_dir: Path, tmp_path: Path) -> None:
    folder = _copy_raw(raw_dir, tmp_path)
    path = folder / AREAS_2021_FILE
    path.write_text(path.read_text().replace("STP21NM", "NAME", 1))
    with pytest.raises(DataError, match=rf"{AREAS_2021_FILE}:1: missing column\(s\) STP21NM"):
        build_areas(folder)


def test_an_empty_cell_is_reported_with_its_line(raw_dir: Path, tmp_path: Path) -> None:
    folder = _copy_raw(raw_dir, tmp_path)
    path = folder / AREAS_2021_FILE
    lines = path.read_text().splitlines(keepends=True)
    lines[4] = lines[4].replace("QKK", "")
    path.write_text("".join(lines))
    with pytest.raises(DataError, match=rf"{AREAS_2021_FILE}:5: empty value .*STP21CDH"):
        build_areas(folder)


def test_a_join_that_loses_an_area_is_an_error(raw_dir: Path, tmp_path: Path) -> None:
    folder = _copy_raw(raw_dir, tmp_path)
    path = folder / AREAS_2022_FILE
    text = path.read_text(encoding="utf-8-sig")
    path.write_text("".join(line for line in text.splitlines(True) if ",QOP," not in line))
    with pytest.raises(DataError, match="only in 2021: QOP"):
        build_areas(folder)


def test_fewer_than_42_areas_is_an_error(raw_dir: Path, tmp_path: Path) -> None:
    folder = _copy_raw(raw_dir, tmp_path)
    for name, marker in ((AREAS_2021_FILE, ",QOP,"), (AREAS_2022_FILE, ",QOP,")):
        path = folder / name
        text = path.read_text(encoding="utf-8-sig")
        path.write_text("".join(line for line in text.splitlines(True) if marker not in line))
    with pytest.raises(DataError, match="gives 41 areas, expected 42"):
        build_areas(folder)


def test_a_row_contradicting_an_earlier_one_is_an_error(raw_dir: Path, tmp_path: Path) -> None:
    folder = _copy_raw(raw_dir, tmp_path)
    path = folder / AREAS_2022_FILE
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    index = max(i for i, line in enumerate(lines) if ",QOP," in line)
    lines[index] = lines[index].replace("NHS Greater Manchester", "NHS Greater Mancunia")
    path.write_text("".join(lines))
    with pytest.raises(DataError, match=rf"{AREAS_2022_FILE}:{index + 1}: area QOP disagrees"):
        build_areas(folder)


def test_a_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        build_areas(tmp_path)


# --------------------------------------------------------------------------------------
# Generated files are deterministic and up to date
# --------------------------------------------------------------------------------------


def test_regenerating_gives_the_committed_bytes(
    raw_dir: Path, repo_root: Path, tmp_path: Path
) -> None:
    first = write_reference(raw_dir, tmp_path / "one")
    second = write_reference(raw_dir, tmp_path / "two")
    assert [p.name for p in first] == ["areas.ttl", "programme.ttl"]
    for one, two in zip(first, second, strict=True):
        assert one.read_bytes() == two.read_bytes()
        committed = repo_root / "graph" / one.name
        assert one.read_bytes() == committed.read_bytes(), (
            f"graph/{one.name} is stale: run `pcr-graph reference`"
        )


def test_generated_files_parse_back_to_the_same_graphs(
    raw_dir: Path, tmp_path: Path, areas: Graph, programme: Graph
) -> None:
    areas_path, programme_path = write_reference(raw_dir, tmp_path)
    assert areas_path.read_text(encoding="utf-8").splitlines()[1].startswith("# The 42 areas")
    assert "Do not edit" in programme_path.read_text(encoding="utf-8")
    assert isomorphic(Graph().parse(areas_path, format="turtle"), areas)
    assert isomorphic(Graph().parse(programme_path, format="turtle"), programme)


# --------------------------------------------------------------------------------------
# Resolving published area names
# --------------------------------------------------------------------------------------

EXPECTED_CODES = {
    # phase 1
    "Bedfordshire, Luton and Milton Keynes ICS": "QHG",
    "Devon STP": "QJK",
    "Frimley Health and Care ICS": "QNQ",
    "Lancashire and South Cumbria ICS": "QE1",
    "Lincolnshire STP": "QJM",
    "Norfolk and Waveney STP": "QMM",
    "North East and North Cumbria ICS": "QHM",
    "North West London STP": "QRV",
    "One Gloucestershire ICS": "QR1",
    "Sussex Health and Care Partnership ICS": "QNX",
    "The Black Country and West Birmingham STP": "QUA",
    # phase 2
    "Cheshire and Merseyside Health and Care Partnership": "QYG",
    "Hampshire and the Isle of Wight": "QRL",
    "Cornwall and the Isles of Scilly": "QT6",
    "Northamptonshire Health and Care Partnership": "QPM",
    "Herefordshire and Worcestershire": "QGH",
    "East London Health and Care Partnership": "QMF",
    "Suffolk and North East Essex": "QJG",
    "West Yorkshire and Harrogate": "QWO",
    # cancer
    "Leicester, Leicestershire and Rutland": "QK1",
    "Cambridgeshire and Peterborough": "QUE",
    "Shropshire, Telford and Wrekin": "QOC",
    "Dorset": "QVV",
    "South West London": "QWE",
    "Bath and North East Somerset, Swindon and Wiltshire": "QOX",
    "Greater Manchester": "QOP",
    "Surrey Heartlands": "QXU",
    # children and young people's mental health
    "Birmingham and Solihull": "QHL",
    "Bristol, North Somerset and South Gloucestershire": "QUY",
    "Buckinghamshire, Oxfordshire and Berkshire West": "QU9",
    "Hertfordshire and West Essex": "QM7",
    "North London": "QMJ",
    "Nottingham and Nottinghamshire": "QT1",
    "South Yorkshire and Bassetlaw": "QF7",
}


def test_the_expected_mapping_covers_every_published_name() -> None:
    published = PHASE_1_AREAS + PHASE_2_AREAS + CANCER_AREAS + CYP_MENTAL_HEALTH_AREAS
    assert sorted(published) == sorted(EXPECTED_CODES)


@pytest.mark.parametrize("name", sorted(EXPECTED_CODES))
def test_a_published_name_resolves_to_the_right_area(areas: Graph, name: str) -> None:
    assert resolve_area_name(name, areas) == _area(EXPECTED_CODES[name])


def test_every_area_label_resolves_to_its_own_area(areas: Graph) -> None:
    for area in areas.subjects(RDF.type, PCR.Area):
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for label in areas.objects(area, prop):
                assert resolve_area_name(str(label), areas) == area, label


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("QOP", "QOP"),
        ("qf7", "QF7"),
        ("E54000007", "QOP"),
        ("E54000057", "QOP"),
        ("NHS Greater Manchester ICB", "QOP"),
        ("Greater Manchester Health & Social Care Partnership", "QOP"),
        ("Staffordshire and Stoke-on-Trent", "QNC"),
        ("Derbyshire", "QJ2"),
        ("Humber Coast and Vale [2021]", "QOQ"),
    ],
)
def test_codes_and_variant_spellings_resolve(areas: Graph, name: str, code: str) -> None:
    assert resolve_area_name(name, areas) == _area(code)


@pytest.mark.parametrize(
    ("name", "candidates"),
    [
        ("London", ("QKK", "QMF", "QMJ", "QRV", "QWE")),
        ("Essex", ("QH8", "QJG", "QM7")),
        ("Cumbria", ("QE1", "QHM")),
    ],
)
def test_an_ambiguous_name_lists_its_candidates(
    areas: Graph, name: str, candidates: tuple[str, ...]
) -> None:
    with pytest.raises(UsageError, match="ambiguous") as caught:
        resolve_area_name(name, areas)
    listed = set(re.findall(r"/area/(\w+)\)", str(caught.value)))
    assert listed == set(candidates)


@pytest.mark.parametrize("name", ["Atlantis", "Midlands", "", "NHS ICS", "North Wales"])
def test_an_unknown_name_is_a_usage_error(areas: Graph, name: str) -> None:
    with pytest.raises(UsageError):
        resolve_area_name(name, areas)


_DECORATIONS = st.tuples(
    st.sampled_from(["", "The ", "NHS ", "the "]),
    st.sampled_from(["", " ICS", " STP", " Integrated Care Board", " (2021)", " ICB"]),
    st.sampled_from([str.lower, str.upper, str.title, str]),
)


@settings(max_examples=60, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(EXPECTED_CODES) - 1), decoration=_DECORATIONS)
def test_case_articles_and_suffixes_do_not_change_the_answer(
    areas: Graph, index: int, decoration: tuple[str, str, object]
) -> None:
    prefix, suffix, case = decoration
    name = sorted(EXPECTED_CODES)[index]
    assert callable(case)
    decorated = str(case(prefix + name.replace(" and ", " & ") + suffix))
    assert resolve_area_name(decorated, areas) == _area(EXPECTED_CODES[name])


def test_normalising_removes_organisational_words() -> None:
    assert normalise_area_name("North London Partners in Health and Care") == "north london"
    assert normalise_area_name("NHS North Central London ICB") == "north central london"
    assert normalise_area_name(
        "Cornwall and the Isles of Scilly Health and Social Care Partnership"
    ) == ("cornwall and isles of scilly")


# --------------------------------------------------------------------------------------
# The review programme
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notation", "count"),
    [
        ("older-people", 11),
        ("urgent-and-emergency-care", 8),
        ("cancer", 8),
        ("learning-disability", 0),
        ("cyp-mental-health", 7),
    ],
)
def test_each_phase_reviewed_the_published_number_of_areas(
    programme: Graph, notation: str, count: int
) -> None:
    phase = PHASE[notation]
    assert (phase, RDF.type, PCR.ReviewPhase) in programme
    assert len(set(programme.objects(phase, PCR.reviewedArea))) == count


def test_phase_areas_are_the_expected_ones(programme: Graph) -> None:
    for names, notation in (
        (PHASE_1_AREAS, "older-people"),
        (PHASE_2_AREAS, "urgent-and-emergency-care"),
        (CANCER_AREAS, "cancer"),
        (CYP_MENTAL_HEALTH_AREAS, "cyp-mental-health"),
    ):
        expected = {_area(EXPECTED_CODES[name]) for name in names}
        assert set(programme.objects(PHASE[notation], PCR.reviewedArea)) == expected
        note = _text(programme, PHASE[notation], SKOS.editorialNote)
        assert all(name in note for name in names)


def test_only_phases_with_dated_sources_have_dates(programme: Graph) -> None:
    dates = {
        notation: (
            programme.value(PHASE[notation], PCR.startDate),
            programme.value(PHASE[notation], PCR.endDate),
        )
        for notation in (
            "older-people",
            "urgent-and-emergency-care",
            "cancer",
            "learning-disability",
            "cyp-mental-health",
        )
    }

    def day(text: str) -> Literal:
        return Literal(text, datatype=XSD.date)

    assert dates == {
        "older-people": (day("2020-07-01"), day("2020-08-31")),
        "urgent-and-emergency-care": (day("2020-10-01"), day("2020-10-31")),
        "cancer": (None, None),
        "learning-disability": (None, None),
        "cyp-mental-health": (day("2021-06-01"), day("2021-07-31")),
    }
    assert "recently completed fieldwork" in _text(
        programme, PHASE["learning-disability"], SKOS.scopeNote
    )
    for notation in dates:
        assert programme.value(PHASE[notation], SKOS.scopeNote) is not None


def test_phases_name_cqc_and_cite_sources_described_in_findings(
    programme: Graph, findings: Graph
) -> None:
    cqc = ID["org/cqc"]
    assert _text(programme, cqc, SKOS.prefLabel) == "Care Quality Commission"
    phases = set(programme.subjects(RDF.type, PCR.ReviewPhase))
    assert len(phases) == 5
    for phase in phases:
        assert programme.value(phase, PROV.wasAssociatedWith) == cqc
        sources = set(programme.objects(phase, PROV.wasDerivedFrom))
        assert sources
        for source in sources:
            assert (source, RDF.type, PCR.SourceDocument) in findings, source


# --------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------

REQUIRED_FINDINGS = (
    "asc-not-integrated-in-planning",
    "home-care-not-represented",
    "vcs-rarely-involved-in-planning",
    "discharge-to-care-homes-poorly-coordinated",
    "collaboration-varied",
    "ld-not-involved-in-planning",
    "inequalities-not-consistently-addressed",
    "mutual-aid-and-redeployment-in-cancer",
    "information-sharing-needs-lasting-solutions",
    "relationships-drive-joined-up-care",
    "primary-secondary-dialogue",
    "siloed-working",
    "mental-health-crisis-lines",
    "nhs111-route-into-urgent-care",
    "hospice-partnerships-in-cancer",
    "multi-agency-learning-disability",
    "demographic-data-gaps-in-cancer",
    "cross-sector-communication",
)

# Which seed text each source document is the project's copy of.
SEED_OF_SOURCE = {
    "uec-collaboration-blog-2021-02-25": "000_",
    "pcr-update-blog-2021-05-28": "001_",
    "collaborating-for-better-care": "002_",
    "provider-collaboration-reviews-page": "003_",
    "covid-insight-issue-3-2020-07": "004_",
}

THEMES = {
    THEME[n]
    for n in (
        "ensuring-access",
        "tackling-inequalities",
        "governance-and-shared-planning",
        "safety-and-staff-skills",
        "use-of-technology",
    )
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_findings_other_code_cites_exist(findings: Graph, repo_root: Path) -> None:
    for slug in REQUIRED_FINDINGS:
        assert (ID["finding/" + slug], RDF.type, PCR.Finding) in findings, slug
    # and every `#+ finding:` header of a gap rule names one of them
    for query in sorted((repo_root / "queries").glob("*.rq")):
        for cited in re.findall(r"^#\+ finding: (\S+)", query.read_text(), flags=re.M):
            iri = ID[cited.removeprefix("id/")]
            assert (iri, RDF.type, PCR.Finding) in findings, f"{query.name}: {cited}"


def test_there_are_20_to_35_findings(findings: Graph) -> None:
    assert 20 <= len(set(findings.subjects(RDF.type, PCR.Finding))) <= 35


def test_every_quote_is_verbatim_from_its_seed(findings: Graph, seeds_dir: Path) -> None:
    seeds = {p.name: _squash(p.read_text(encoding="utf-8")) for p in seeds_dir.glob("*.txt")}
    checked = 0
    for finding, quote in findings.subject_objects(PCR.quote):
        source = findings.value(finding, PROV.wasDerivedFrom)
        slug = str(source).rsplit("/", 1)[1]
        seed = next(text for name, text in seeds.items() if name.startswith(SEED_OF_SOURCE[slug]))
        assert _squash(str(quote)) in seed, f"{finding}: quote not in {slug}: {quote}"
        checked += 1
    assert checked == len(set(findings.subjects(RDF.type, PCR.Finding)))


def test_every_finding_is_complete(findings: Graph) -> None:
    sources = set(findings.subjects(RDF.type, PCR.SourceDocument))
    assert {str(s).rsplit("/", 1)[1] for s in sources} == set(SEED_OF_SOURCE)
    for finding in findings.subjects(RDF.type, PCR.Finding):
        assert isinstance(finding, URIRef)
        assert str(finding).startswith(str(ID["finding/"]))
        assert len(list(findings.objects(finding, RDFS.label))) == 1
        assert len(list(findings.objects(finding, RDFS.comment))) == 1
        assert len(list(findings.objects(finding, PCR.quote))) == 1
        assert set(findings.objects(finding, PROV.wasDerivedFrom)) <= sources
        themes = set(findings.objects(finding, PCR.theme))
        assert themes and themes <= THEMES, finding
        for phase in findings.objects(finding, PCR.phase):
            assert str(phase).startswith(str(PHASE))
        for sector in findings.objects(finding, PCR.aboutSector):
            assert str(sector).startswith(str(SECTOR))
    for source in sources:
        assert _text(findings, source, DCTERMS.publisher) == "Care Quality Commission"
        assert findings.value(source, DCTERMS.title) is not None
        assert findings.value(source, DCTERMS.date) is not None


# --------------------------------------------------------------------------------------
# The default expectation profile
# --------------------------------------------------------------------------------------

PLANNING_SECTORS = {
    "acute-trust",
    "ambulance",
    "community-health",
    "mental-health",
    "primary-care",
    "adult-social-care",
    "local-authority",
    "voluntary-sector",
    "healthwatch",
}
PATHWAYS = {
    ("ambulance", "emergency-department"),
    ("nhs-111", "primary-care"),
    ("acute-trust", "adult-social-care"),
    ("hospice", "primary-care"),
    ("mental-health", "emergency-department"),
    ("mental-health", "education"),
    ("community-health", "care-home"),
    ("local-authority", "voluntary-sector"),
}


def _notation(iri: object) -> str:
    return str(iri).rsplit("/", 1)[1]


def test_the_profile_has_exactly_the_9_planning_and_8_pathway_expectations(
    profile: Graph,
) -> None:
    default = ID["profile/default"]
    assert (default, RDF.type, PCR.ExpectationProfile) in profile
    assert _text(profile, default, SKOS.prefLabel) == (
        "Default expectations (from the CQC provider collaboration reviews)"
    )
    assert "--profile" in _text(profile, default, RDFS.comment)
    planning = set(profile.subjects(RDF.type, PCR.PlanningExpectation))
    pathways = set(profile.subjects(RDF.type, PCR.PathwayExpectation))
    assert set(profile.objects(default, PCR.expectation)) == planning | pathways

    assert {_notation(profile.value(e, PCR.sector)) for e in planning} == PLANNING_SECTORS
    for expectation in planning:
        sector = _notation(profile.value(expectation, PCR.sector))
        assert expectation == ID[f"profile/default/table/{sector}"]

    pairs = {
        (_notation(profile.value(e, PCR.fromSector)), _notation(profile.value(e, PCR.toSector)))
        for e in pathways
    }
    assert pairs == PATHWAYS
    for expectation in pathways:
        one = _notation(profile.value(expectation, PCR.fromSector))
        other = _notation(profile.value(expectation, PCR.toSector))
        assert expectation == ID[f"profile/default/pathway/{one}--{other}"]
        assert "↔" in _text(profile, expectation, RDFS.label)
        assert profile.value(expectation, PCR.linkType) is None


def test_every_expectation_cites_an_existing_finding(profile: Graph, findings: Graph) -> None:
    expectations = set(profile.subjects(RDF.type, PCR.PlanningExpectation)) | set(
        profile.subjects(RDF.type, PCR.PathwayExpectation)
    )
    for expectation in expectations:
        cited = set(profile.objects(expectation, PROV.wasDerivedFrom))
        assert cited, expectation
        for finding in cited:
            assert (finding, RDF.type, PCR.Finding) in findings, f"{expectation}: {finding}"
        assert profile.value(expectation, RDFS.comment) is not None
        topics = set(profile.objects(expectation, PCR.topic))
        assert topics and all(str(t).startswith(str(PHASE)) for t in topics)
    adult_social_care = ID["profile/default/table/adult-social-care"]
    assert set(profile.objects(adult_social_care, PROV.wasDerivedFrom)) == {
        ID["finding/asc-not-integrated-in-planning"],
        ID["finding/home-care-not-represented"],
    }


# --------------------------------------------------------------------------------------
# Everything together conforms to the shapes
# --------------------------------------------------------------------------------------


def test_reference_graph_files_conform_to_the_shapes(repo_root: Path) -> None:
    data = Graph()
    for path in sorted((repo_root / "ontology").glob("*.ttl")):
        if not path.name.endswith(".shapes.ttl"):
            data.parse(path, format="turtle")
    for name in ("areas.ttl", "programme.ttl", "findings.ttl", "profile-default.ttl"):
        data.parse(repo_root / "graph" / name, format="turtle")
    shapes = Graph()
    for path in sorted((repo_root / "ontology").glob("*.shapes.ttl")):
        shapes.parse(path, format="turtle")
    conforms, _results, text = validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text
