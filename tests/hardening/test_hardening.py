"""Generated bad input for every importer: no traceback, a place named, nothing half-loaded.

Each family runs at least 2,000 generated cases per CI run (hypothesis), and the counts
are recorded for ``benchmarks/hardening_summary.py``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from pcr_graph.analysis.queries import find_query, library, run_named
from pcr_graph.core.errors import PcrGraphError
from pcr_graph.core.namespaces import PCR
from pcr_graph.ingest.registries import KINDS, Lookup, import_file
from pcr_graph.store.engines import Store, Table, open_store
from tests.conftest import record_cases
from tests.support.corpus import SPARQL_BREAKOUTS

CASES = 2000
SETTINGS = settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TEXT = st.text(st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    ["", "NA", '"', "\x00", "\ufeff", "R0A", "QOP", "A81001", "19740401", "4", "1-123"]
)
SEED_TURTLE = (
    "@prefix pcr: <https://w3id.org/pcr-graph/def#> .\n"
    "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    '<https://example.org/p1> a pcr:Provider ; skos:prefLabel "Example Care (fictional)" .\n'
)
SEED_JSONLD = (
    '{"@context": {"skos": "http://www.w3.org/2004/02/skos/core#"},'
    ' "@id": "https://example.org/p1", "skos:prefLabel": "Example (fictional)"}'
)


@pytest.fixture(scope="module")
def lookup(raw_dir: Path) -> Lookup:
    return Lookup.from_folder(raw_dir)


def _mutate(data: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    for position, insert in cuts:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + len(insert) // 2 :]
    return data


MUTATIONS = st.lists(
    st.tuples(
        st.integers(0, 10_000),
        st.binary(max_size=8)
        | st.sampled_from(
            [
                b'"',
                b"\n",
                b"\r",
                b"\x00",
                b"\xff\xfe",
                b"\xef\xbb\xbf",
                b"}",
                b"{",
                b"<",
                b">",
                b"\\",
            ]
        ),
    ),
    max_size=4,
)


@st.composite
def registry_file(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from(sorted(KINDS)))
    width = draw(st.sampled_from([27, 10, 14, 9, 4, 0]))
    rows = draw(st.lists(st.lists(TEXT, min_size=width, max_size=width), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out, quoting=draw(st.sampled_from([csv.QUOTE_ALL, csv.QUOTE_MINIMAL])))
    if draw(st.booleans()):
        writer.writerow(draw(st.lists(TEXT, max_size=width + 1)))
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    data = out.getvalue().encode(encoding, errors="replace")
    return kind, _mutate(data, draw(MUTATIONS))


@pytest.mark.slow
@SETTINGS
@given(case=registry_file())
def test_registry_importers_never_crash(
    tmp_path: Path, lookup: Lookup, case: tuple[str, bytes]
) -> None:
    kind, data = case
    path = tmp_path / "registry.csv"
    path.write_bytes(data)
    try:
        graph, accounting = import_file(path, kind, lookup=lookup)
    except PcrGraphError as exc:
        assert "registry.csv" in str(exc)
    else:
        accounting.check()
        assert all(p.file == "registry.csv" and p.line >= 1 for p in accounting.rejections)
        if accounting.imported + accounting.merged == 0:
            # Rejected rows add nothing: only the import's own provenance is there.
            subjects = set(graph.subjects())
            runs = set(graph.subjects(RDF.type, PCR.ImportRun))
            files = set(graph.subjects(RDF.type, PROV.Entity))
            assert len(runs) == 1 and subjects == runs | files
        # What was imported is RDF a store takes whole: no term it cannot hold.
        store = open_store([], "oxigraph")
        store.load(graph.serialize(format="nt"), "nt", "registry.nt")
        assert len(store) == len(graph)
    record_cases("registry files", 1)


@pytest.mark.slow
@pytest.mark.parametrize("fmt,seed", [("turtle", SEED_TURTLE), ("json-ld", SEED_JSONLD)])
def test_rdf_loaders_never_half_load(fmt: str, seed: str) -> None:
    store = open_store([], "oxigraph")
    store.load(SEED_TURTLE, "turtle", "base.ttl")
    before = len(store)

    @SETTINGS
    @given(mutations=MUTATIONS, tail=st.binary(max_size=20))
    def check(mutations: list[tuple[int, bytes]], tail: bytes) -> None:
        data = _mutate(seed.encode("utf-8"), mutations) + tail
        try:
            store.load(data, fmt, "user.data")
        except PcrGraphError as exc:
            assert str(exc).startswith(("user.data: not valid", "user.data: refused"))
            assert len(store) == before, "a failed load added triples"
        else:
            store.update("DROP SILENT GRAPH <urn:pcr-graph:source:user.data>")
        record_cases(f"{fmt} files", 1)

    check()


@pytest.fixture(scope="module")
def demo_store() -> Store:
    from pcr_graph.store.project import Project

    return Project(workspace=Path("/nonexistent-workspace")).open()


PARAMETERISED = [q for q in library() if q.params]


@pytest.mark.parametrize("query", PARAMETERISED, ids=[q.name for q in PARAMETERISED])
def test_breakout_payloads_change_no_result(query, demo_store: Store) -> None:  # type: ignore[no-untyped-def]
    baseline: dict[str, object] = {}
    for param in query.params:
        for payload in SPARQL_BREAKOUTS:
            values = {param.name: payload}
            try:
                result = run_named(demo_store, query, values)
            except PcrGraphError as exc:
                assert "SPARQL syntax" not in str(exc), "a payload reached the parser"
                record_cases("sparql payloads", 1)
                continue
            # A string parameter is bound as a literal: it can only match nothing.
            assert isinstance(result, Table)
            key = param.name
            baseline.setdefault(key, len(result))
            assert len(result) == baseline[key]
            record_cases("sparql payloads", 1)


def test_breakout_payloads_as_a_bound_area_iri(demo_store: Store) -> None:
    query = find_query("providers-in-area")
    for payload in SPARQL_BREAKOUTS:
        table = demo_store.select(query.text, {"area": URIRef("urn:x:" + payload.encode().hex())})
        assert len(table) == 0
        record_cases("sparql payloads", 1)
