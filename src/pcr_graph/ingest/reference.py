"""The real reference data: the 42 areas of England and the five review phases.

:func:`build_areas` reads the two ONS lookup files (April 2021 STPs, July 2022 ICBs) and
joins them on the ODS Q-code, which did not change between the two releases although 8 of
the 42 ONS ``E54`` codes did. :func:`build_programme` describes the five phases of the CQC
Provider Collaboration Reviews with the areas each one reviewed, as published.
:func:`write_reference` writes both as deterministic Turtle into ``graph/``.

Nothing here invents facts about a real area: names, codes and regions come from the ONS
files, phase dates and area lists from the CQC texts the project keeps as seeds (or the
lists CQC published for the cancer and children's mental health phases), and every phase
says where its facts came from.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from pcr_graph.core.errors import DataError, UsageError
from pcr_graph.core.files import sha256_of
from pcr_graph.core.ids import area_iri
from pcr_graph.core.namespaces import ID, PCR, PHASE, bind_prefixes
from pcr_graph.store.turtle import write_turtle

AREAS_2021_FILE = "ons_stp21_nhser21_lookup.csv"
"""ONS: STPs to NHS England regions, April 2021 (one row per area)."""

AREAS_2022_FILE = "ons_sicbl22_icb22_nhser22_lookup.csv"
"""ONS: Sub-ICB locations to ICBs to NHS England regions, July 2022 (one row per sub-ICB)."""

EXPECTED_AREAS = 42

_COLUMNS_2021 = ("STP21CD", "STP21CDH", "STP21NM", "NHSER21CD", "NHSER21CDH", "NHSER21NM")
_COLUMNS_2022 = ("ICB22CD", "ICB22CDH", "ICB22NM", "NHSER22CD", "NHSER22CDH", "NHSER22NM")

CQC = ID["org/cqc"]
"""The Care Quality Commission, which ran the reviews."""

# The seed texts, described in graph/findings.ttl (hand-written next to the quotes).
SOURCE_UEC_BLOG = ID["source/uec-collaboration-blog-2021-02-25"]
SOURCE_PCR_UPDATE = ID["source/pcr-update-blog-2021-05-28"]
SOURCE_BETTER_CARE = ID["source/collaborating-for-better-care"]
SOURCE_PCR_PAGE = ID["source/provider-collaboration-reviews-page"]
SOURCE_INSIGHT_3 = ID["source/covid-insight-issue-3-2020-07"]

SOURCE_ONS_2021 = ID["source/ons-stp21-nhser21-lookup"]
SOURCE_ONS_2022 = ID["source/ons-sicbl22-icb22-nhser22-lookup"]

# Area names exactly as CQC published them for each phase.
PHASE_1_AREAS: tuple[str, ...] = (
    "Bedfordshire, Luton and Milton Keynes ICS",
    "Devon STP",
    "Frimley Health and Care ICS",
    "Lancashire and South Cumbria ICS",
    "Lincolnshire STP",
    "Norfolk and Waveney STP",
    "North East and North Cumbria ICS",
    "North West London STP",
    "One Gloucestershire ICS",
    "Sussex Health and Care Partnership ICS",
    "The Black Country and West Birmingham STP",
)
PHASE_2_AREAS: tuple[str, ...] = (
    "Cheshire and Merseyside Health and Care Partnership",
    "Hampshire and the Isle of Wight",
    "Cornwall and the Isles of Scilly",
    "Northamptonshire Health and Care Partnership",
    "Herefordshire and Worcestershire",
    "East London Health and Care Partnership",
    "Suffolk and North East Essex",
    "West Yorkshire and Harrogate",
)
CANCER_AREAS: tuple[str, ...] = (
    "Leicester, Leicestershire and Rutland",
    "Cambridgeshire and Peterborough",
    "Shropshire, Telford and Wrekin",
    "Dorset",
    "South West London",
    "Bath and North East Somerset, Swindon and Wiltshire",
    "Greater Manchester",
    "Surrey Heartlands",
)
CYP_MENTAL_HEALTH_AREAS: tuple[str, ...] = (
    "Birmingham and Solihull",
    "Bristol, North Somerset and South Gloucestershire",
    "Buckinghamshire, Oxfordshire and Berkshire West",
    "Hertfordshire and West Essex",
    "North London",
    "Nottingham and Nottinghamshire",
    "South Yorkshire and Bassetlaw",
)
LEARNING_DISABILITY_AREAS: tuple[str, ...] = ()


@dataclass(frozen=True)
class Phase:
    """What the sources say about one review phase.

    Dates are the first and last day of the months the sources name; a phase whose
    sources give no dates has none.
    """

    notation: str
    topic: str
    areas: tuple[str, ...]
    areas_source: str
    timing_note: str
    sources: tuple[URIRef, ...]
    start: str = ""
    end: str = ""


PHASES: tuple[Phase, ...] = (
    Phase(
        notation="older-people",
        topic="Care for older people",
        areas=PHASE_1_AREAS,
        areas_source="CQC page 'Provider collaboration reviews', last updated 1 April 2021",
        timing_note=(
            "Fieldwork in July and August 2020: the COVID-19 Insight report, issue 3 "
            "(July 2020), says 'Throughout July and August we are carrying out a rapid piece "
            "of work'. The dates are the first and last day of those months."
        ),
        sources=(SOURCE_PCR_PAGE, SOURCE_INSIGHT_3),
        start="2020-07-01",
        end="2020-08-31",
    ),
    Phase(
        notation="urgent-and-emergency-care",
        topic="Urgent and emergency care",
        areas=PHASE_2_AREAS,
        areas_source="CQC page 'Provider collaboration reviews', last updated 1 April 2021",
        timing_note=(
            "Fieldwork in October 2020: the CQC page 'Provider collaboration reviews' says "
            "'The second phase looked at urgent and emergency care in 8 areas of England in "
            "October 2020'. The dates are the first and last day of that month."
        ),
        sources=(SOURCE_PCR_PAGE, SOURCE_UEC_BLOG, SOURCE_PCR_UPDATE),
        start="2020-10-01",
        end="2020-10-31",
    ),
    Phase(
        notation="cancer",
        topic="Cancer care services and pathways",
        areas=CANCER_AREAS,
        areas_source="CQC's list for this phase; the seed texts name no areas",
        timing_note=(
            "The sources give no fieldwork dates. On 28 May 2021 CQC had published learning "
            "examples from this phase and said a full report would follow in July."
        ),
        sources=(SOURCE_PCR_PAGE, SOURCE_PCR_UPDATE),
    ),
    Phase(
        notation="learning-disability",
        topic="Services for people who live with a learning disability in the community",
        areas=LEARNING_DISABILITY_AREAS,
        areas_source="",
        timing_note=(
            "The sources give no fieldwork dates and name no areas. On 28 May 2021 CQC said "
            "it had 'recently completed fieldwork' for this phase."
        ),
        sources=(SOURCE_PCR_PAGE, SOURCE_PCR_UPDATE),
    ),
    Phase(
        notation="cyp-mental-health",
        topic="Services for people with a mental health condition",
        areas=CYP_MENTAL_HEALTH_AREAS,
        areas_source="CQC's list for this phase; the seed texts name no areas",
        timing_note=(
            "Fieldwork planned for June and July 2021: on 28 May 2021 CQC said 'The fieldwork "
            "for this will take place during June and July'. The dates are the first and last "
            "day of those months."
        ),
        sources=(SOURCE_PCR_PAGE, SOURCE_PCR_UPDATE),
        start="2021-06-01",
        end="2021-07-31",
    ),
)
"""The five phases, in the order CQC ran them."""


# ---------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    values: Mapping[str, str]


def _read_rows(path: Path, required: Iterable[str]) -> list[_Row]:
    """Rows of a CSV file with every required column present and non-empty."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in required if name not in header]
        if missing:
            raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
        reader.fieldnames = header
        rows: list[_Row] = []
        for record in reader:
            # reader.line_num is the physical line just read, which is the row's line.
            values = {name: (record.get(name) or "").strip() for name in required}
            empty = [name for name, value in values.items() if not value]
            if empty:
                raise DataError(
                    f"{path}:{reader.line_num}: empty value in column(s) {', '.join(empty)}"
                )
            rows.append(_Row(reader.line_num, values))
    return rows


@dataclass(frozen=True)
class _AreaRecord:
    ods: str
    ons: str
    name: str
    region_ons: str
    region_ods: str
    region_name: str
    line: int


def _areas_by_code(path: Path, columns: tuple[str, ...]) -> dict[str, _AreaRecord]:
    """One record per Q-code; rows repeating a Q-code must repeat its facts exactly."""
    ons_col, ods_col, name_col, reg_ons_col, reg_ods_col, reg_name_col = columns
    records: dict[str, _AreaRecord] = {}
    for row in _read_rows(path, columns):
        v = row.values
        record = _AreaRecord(
            ods=v[ods_col].upper(),
            ons=v[ons_col].upper(),
            name=v[name_col],
            region_ons=v[reg_ons_col].upper(),
            region_ods=v[reg_ods_col].upper(),
            region_name=v[reg_name_col],
            line=row.line,
        )
        first = records.setdefault(record.ods, record)
        if (first.ons, first.name, first.region_ods) != (
            record.ons,
            record.name,
            record.region_ods,
        ):
            raise DataError(
                f"{path}:{row.line}: area {record.ods} disagrees with line {first.line} "
                "(ONS code, name or region differ)"
            )
    return records


def build_areas(raw_dir: Path) -> Graph:
    """The 42 areas and 7 NHS England regions, from the 2021 and 2022 ONS lookups.

    Parameters
    ----------
    raw_dir
        Folder holding ``ons_stp21_nhser21_lookup.csv`` and
        ``ons_sicbl22_icb22_nhser22_lookup.csv``.

    Returns
    -------
    Graph
        One ``pcr:Area`` per ODS Q-code (``id/area/QOP``) with the 2022 board name as
        ``skos:prefLabel``, the 2021 partnership name as ``skos:altLabel``, both ONS codes
        and its region; one ``pcr:Region`` per ODS Y-code; and a ``pcr:SourceDocument`` for
        each file, with the SHA-256 of its bytes.

    Raises
    ------
    DataError
        A file or a required column is missing, a row is incomplete or contradicts an
        earlier one, or the join on the Q-code does not give exactly 42 areas.
    """
    raw_dir = Path(raw_dir)
    path_2021 = raw_dir / AREAS_2021_FILE
    path_2022 = raw_dir / AREAS_2022_FILE
    areas_2021 = _areas_by_code(path_2021, _COLUMNS_2021)
    areas_2022 = _areas_by_code(path_2022, _COLUMNS_2022)

    only_2021 = sorted(set(areas_2021) - set(areas_2022))
    only_2022 = sorted(set(areas_2022) - set(areas_2021))
    if only_2021 or only_2022:
        raise DataError(
            f"{path_2021} and {path_2022}: the ODS codes do not match "
            f"(only in 2021: {', '.join(only_2021) or 'none'}; "
            f"only in 2022: {', '.join(only_2022) or 'none'})"
        )
    if len(areas_2022) != EXPECTED_AREAS:
        raise DataError(
            f"{path_2022}: the join on the ODS code gives {len(areas_2022)} areas, "
            f"expected {EXPECTED_AREAS}"
        )

    graph = bind_prefixes(Graph())
    _add_ons_source(
        graph,
        SOURCE_ONS_2021,
        path_2021,
        "Sustainability and Transformation Partnerships to NHS England (Region) "
        "(April 2021) Lookup in England",
        "2021-04",
    )
    _add_ons_source(
        graph,
        SOURCE_ONS_2022,
        path_2022,
        "Sub ICB Locations to Integrated Care Boards to NHS England (Region) "
        "(July 2022) Lookup in England",
        "2022-07",
    )

    for code in sorted(areas_2022):
        old, new = areas_2021[code], areas_2022[code]
        if old.region_ods != new.region_ods:
            raise DataError(
                f"{path_2022}:{new.line}: area {code} is in region {new.region_ods}, "
                f"but in region {old.region_ods} in {path_2021}:{old.line}"
            )
        area = area_iri(code)
        region = ID["region/" + new.region_ods]
        graph.add((area, RDF.type, PCR.Area))
        graph.add((area, SKOS.prefLabel, Literal(new.name)))
        if old.name != new.name:
            graph.add((area, SKOS.altLabel, Literal(old.name)))
        graph.add((area, PCR.odsCode, Literal(code)))
        graph.add((area, PCR.onsCode2021, Literal(old.ons)))
        graph.add((area, PCR.onsCode2022, Literal(new.ons)))
        graph.add((area, PCR.region, region))
        graph.add((area, PROV.wasDerivedFrom, SOURCE_ONS_2021))
        graph.add((area, PROV.wasDerivedFrom, SOURCE_ONS_2022))

        graph.add((region, RDF.type, PCR.Region))
        graph.add((region, SKOS.prefLabel, Literal(new.region_name)))
        if old.region_name != new.region_name:
            graph.add((region, SKOS.altLabel, Literal(old.region_name)))
        graph.add((region, PCR.odsCode, Literal(new.region_ods)))
        graph.add((region, PCR.onsCode2021, Literal(old.region_ons)))
        graph.add((region, PCR.onsCode2022, Literal(new.region_ons)))
        graph.add((region, PROV.wasDerivedFrom, SOURCE_ONS_2021))
        graph.add((region, PROV.wasDerivedFrom, SOURCE_ONS_2022))

    regions = {ID["region/" + record.region_ods] for record in areas_2022.values()}
    for region_node in sorted(regions):
        for prop in (SKOS.prefLabel, PCR.onsCode2021, PCR.onsCode2022):
            if len(set(graph.objects(region_node, prop))) != 1:
                raise DataError(
                    f"{path_2021} and {path_2022}: region {region_node} has more than one "
                    f"{graph.namespace_manager.normalizeUri(prop)} across its rows"
                )
    return graph


def _add_ons_source(graph: Graph, node: URIRef, path: Path, title: str, month: str) -> None:
    graph.add((node, RDF.type, PCR.SourceDocument))
    graph.add((node, DCTERMS.title, Literal(title)))
    graph.add((node, DCTERMS.publisher, Literal("Office for National Statistics")))
    graph.add((node, DCTERMS.date, Literal(month, datatype=XSD.gYearMonth)))
    graph.add((node, DCTERMS.license, URIRef(_OGL)))
    graph.add((node, RDFS.comment, Literal(f"Read from the file {path.name}.")))
    graph.add((node, PCR.sha256, Literal(sha256_of(path))))


_OGL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"


# ---------------------------------------------------------------------------------------
# Resolving area names as written in reports
# ---------------------------------------------------------------------------------------

# Longest first, so "health and care partnership" goes before "health and care".
_DROP_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(p.split())
            for p in (
                "integrated care board",
                "integrated care system",
                "integrated care partnership",
                "sustainability and transformation partnership",
                "health and social care partnership",
                "health and care partnership",
                "partners in health and care",
                "health and care",
            )
        ),
        key=len,
        reverse=True,
    )
)
_DROP_WORDS = frozenset({"nhs", "ics", "stp", "icb", "icp", "the"})
_LEADING_WORDS = frozenset({"one"})
_SUBSET_IGNORED = frozenset({"and", "of"})


def normalise_area_name(name: str) -> str:
    """The comparable core of an area name: no organisational words, case or punctuation.

    Examples
    --------
    >>> normalise_area_name("NHS Shropshire, Telford and Wrekin Integrated Care Board")
    'shropshire telford and wrekin'
    >>> normalise_area_name("The Black Country & West Birmingham STP")
    'black country and west birmingham'
    >>> normalise_area_name("West Yorkshire and Harrogate (Health and Care Partnership)")
    'west yorkshire and harrogate'
    >>> normalise_area_name("One Gloucestershire ICS")
    'gloucestershire'
    """
    text = name.lower().replace("&", " and ")
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    kept: list[str] = []
    i = 0
    while i < len(words):
        phrase = next((p for p in _DROP_PHRASES if tuple(words[i : i + len(p)]) == p), None)
        if phrase:
            i += len(phrase)
            continue
        if words[i] not in _DROP_WORDS:
            kept.append(words[i])
        i += 1
    while kept and kept[0] in _LEADING_WORDS:
        kept.pop(0)
    return " ".join(kept)


def _area_names(areas: Graph) -> dict[URIRef, set[str]]:
    names: dict[URIRef, set[str]] = {}
    for area in areas.subjects(RDF.type, PCR.Area):
        if not isinstance(area, URIRef):
            continue
        labels = names.setdefault(area, set())
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for label in areas.objects(area, prop):
                labels.add(str(label))
    return names


def _label_of(area: URIRef, areas: Graph) -> str:
    label = areas.value(area, SKOS.prefLabel)
    return f"{label} ({area})" if label is not None else str(area)


def resolve_area_name(name: str, areas: Graph) -> URIRef:
    """The one area a published name refers to.

    The name and every area's 2021 and 2022 labels are normalised with
    :func:`normalise_area_name` ("Devon STP" and "NHS Devon Integrated Care Board" both
    become "devon"); an exact match of the normalised forms wins. Failing that, an area
    matches when every word of the name (ignoring "and" and "of") is a word of one of its
    labels, so "Derbyshire" finds "Joined Up Care Derbyshire" and "NHS Derby and Derbyshire
    Integrated Care Board", which are one area. An ODS or ONS code of the area is accepted
    too.

    Parameters
    ----------
    name
        An area name as written in a report or list, or an area's ODS or ONS code.
    areas
        A graph with ``pcr:Area`` resources and their labels, as from :func:`build_areas`.

    Returns
    -------
    URIRef
        The area's IRI.

    Raises
    ------
    UsageError
        No area matches, or more than one does (the candidates are listed).
    """
    names = _area_names(areas)
    code = name.strip().upper()
    by_code = sorted(
        area
        for area in names
        for prop in (PCR.odsCode, PCR.onsCode2021, PCR.onsCode2022)
        if code and Literal(code) in set(areas.objects(area, prop))
    )
    if len(set(by_code)) == 1:
        return by_code[0]

    wanted = normalise_area_name(name)
    if not wanted:
        raise UsageError(f"area name {name!r}: nothing left to match after normalising it")
    exact = sorted(
        area
        for area, labels in names.items()
        if any(normalise_area_name(label) == wanted for label in labels)
    )
    if len(exact) == 1:
        return exact[0]
    if not exact:
        words = set(wanted.split()) - _SUBSET_IGNORED
        exact = sorted(
            area
            for area, labels in names.items()
            if words and any(words <= set(normalise_area_name(label).split()) for label in labels)
        )
        if len(exact) == 1:
            return exact[0]
    if not exact:
        raise UsageError(f"area name {name!r}: no area matches")
    candidates = "; ".join(_label_of(area, areas) for area in exact)
    raise UsageError(f"area name {name!r} is ambiguous: it matches {candidates}")


# ---------------------------------------------------------------------------------------
# The review programme
# ---------------------------------------------------------------------------------------


def build_programme(areas: Graph) -> Graph:
    """The five review phases as ``pcr:ReviewPhase`` activities over the areas they reviewed.

    Parameters
    ----------
    areas
        The reference areas (from :func:`build_areas`), used to resolve the published
        area names.

    Returns
    -------
    Graph
        Per phase: its topic as published, dates only where the sources give them (as
        ``pcr:startDate``/``pcr:endDate`` dates and ``prov:startedAtTime``/
        ``prov:endedAtTime``), a ``skos:scopeNote`` quoting where the timing comes from,
        ``pcr:reviewedArea`` for each area, a ``skos:editorialNote`` with the area names as
        published, ``prov:wasAssociatedWith`` CQC and ``prov:wasDerivedFrom`` its sources
        (described in ``graph/findings.ttl``).

    Raises
    ------
    UsageError
        A published area name does not resolve to exactly one area.
    """
    graph = bind_prefixes(Graph())
    graph.add((CQC, RDF.type, ORG.Organization))
    graph.add((CQC, SKOS.prefLabel, Literal("Care Quality Commission")))
    for phase in PHASES:
        node = PHASE[phase.notation]
        graph.add((node, RDF.type, PCR.ReviewPhase))
        graph.add((node, DCTERMS.description, Literal(phase.topic)))
        graph.add((node, SKOS.scopeNote, Literal(phase.timing_note)))
        graph.add((node, PROV.wasAssociatedWith, CQC))
        for source in phase.sources:
            graph.add((node, PROV.wasDerivedFrom, source))
        if phase.start:
            graph.add((node, PCR.startDate, Literal(phase.start, datatype=XSD.date)))
            graph.add(
                (
                    node,
                    PROV.startedAtTime,
                    Literal(f"{phase.start}T00:00:00", datatype=XSD.dateTime),
                )
            )
        if phase.end:
            graph.add((node, PCR.endDate, Literal(phase.end, datatype=XSD.date)))
            graph.add(
                (node, PROV.endedAtTime, Literal(f"{phase.end}T23:59:59", datatype=XSD.dateTime))
            )
        for name in phase.areas:
            graph.add((node, PCR.reviewedArea, resolve_area_name(name, areas)))
        if phase.areas:
            graph.add(
                (
                    node,
                    SKOS.editorialNote,
                    Literal(
                        f"Area names as published ({phase.areas_source}): " + "; ".join(phase.areas)
                    ),
                )
            )
    return graph


# ---------------------------------------------------------------------------------------
# Writing graph/
# ---------------------------------------------------------------------------------------


def write_reference(raw_dir: Path, graph_dir: Path) -> list[Path]:
    """Generate ``areas.ttl`` and ``programme.ttl`` in ``graph_dir``.

    The output holds no timestamps or local paths, so the same input files give
    byte-identical Turtle.

    Parameters
    ----------
    raw_dir
        Folder with the ONS lookup files.
    graph_dir
        Folder to write to (created if missing).

    Returns
    -------
    list of Path
        The files written.
    """
    areas = build_areas(raw_dir)
    programme = build_programme(areas)
    graph_dir = Path(graph_dir)
    areas_path = graph_dir / "areas.ttl"
    programme_path = graph_dir / "programme.ttl"
    write_turtle(
        areas,
        areas_path,
        header=(
            "The 42 areas (ICS/STP/ICB footprints) of England and the 7 NHS England regions.\n"
            "Generated by `pcr-graph reference` from the ONS files\n"
            f"{AREAS_2021_FILE} and {AREAS_2022_FILE}.\n"
            "Do not edit: regenerate instead."
        ),
    )
    write_turtle(
        programme,
        programme_path,
        header=(
            "The five phases of the CQC Provider Collaboration Reviews and the areas each "
            "reviewed.\n"
            "Generated by `pcr-graph reference` from the area names and dates in\n"
            "pcr_graph/reference.py, resolved against the areas read from\n"
            f"{AREAS_2021_FILE} and {AREAS_2022_FILE}.\n"
            "Do not edit: regenerate instead."
        ),
    )
    return [areas_path, programme_path]
