"""The derived summary graph: rules read from it give the rows they gave from the base data,
and its cache (and validation's) is used only while every source byte is unchanged.

``queries/base/`` keeps the plain texts of the rules rewritten on the derived graph (reading
only the base data, for stores without it); every comparison below runs both on one
store, on the demo, the golden fixture and synthetic Englands of several sizes and seeds,
for all areas and for single areas.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from pcr_graph.analysis import derived
from pcr_graph.analysis.change.edits import copy_store, remove_provider
from pcr_graph.analysis.gaps import run_gaps
from pcr_graph.analysis.queries import NamedQuery, find_query, load_query, run_named
from pcr_graph.core.errors import UsageError
from pcr_graph.core.files import FOOTER, footer_line
from pcr_graph.ingest.synth import write_synthetic
from pcr_graph.store import cache
from pcr_graph.store.engines import Store, Table, open_store
from pcr_graph.store.project import Project
from pcr_graph.validation import validate as validate_module
from tests.analysis.test_gaps_report import fixture_files

BASE = derived.base_dir()
BASE_RULES = sorted(BASE.glob("*.rq"))
NAMES = [p.stem for p in BASE_RULES]


def rows(store: Store, query: NamedQuery, area: URIRef | None = None) -> list[dict[str, str]]:
    table = store.query(query.text, {"area": area} if area is not None else None)
    assert isinstance(table, Table)
    return table.strings()


def compare_summaries(store: Store, some: list[URIRef]) -> int:
    """The report's context read from the derived graph equals it read from the links: the
    sector heatmaps (national and per area) and the areas' link and evidence counts."""
    from pcr_graph.analysis import evidence, gaps
    from pcr_graph.analysis.sector_matrix import sector_matrices

    assert derived.ensure_derived(store)
    national = sector_matrices(store, None, derived=True)
    assert national == sector_matrices(store, None, derived=False)
    for area in some:
        assert sector_matrices(store, [area], derived=True) == sector_matrices(
            store, [area], derived=False
        )
    pairs = [
        (store.select(derived_text).strings(), store.select(base_text).strings())
        for derived_text, base_text in (
            (gaps._DERIVED_AREAS_WITH_LINKS, gaps._AREAS_WITH_LINKS),
            (evidence._DERIVED_AREA_LINKS, evidence._AREA_LINKS),
        )
    ]
    for from_derived, from_links in pairs:
        assert from_derived == from_links
    return sum(len(m.counts) for m in national.values()) + len(pairs[1][0])


def compare(store: Store, areas: int = 2) -> int:
    """Compare every rewritten rule with its base text on ``store``; the rows compared."""
    derived.ensure_derived(store)
    table = store.query("SELECT DISTINCT ?a WHERE { ?p pcr:operatesIn ?a } ORDER BY ?a")
    assert isinstance(table, Table)
    some = [row[0] for row in table.rows][:areas]
    assert some, "the data has no area with providers"
    compared = 0
    for path in BASE_RULES:
        base, rewritten = load_query(path), find_query(path.stem)
        for area in (None, *some):
            expected = rows(store, base, area)  # type: ignore[arg-type]
            assert rows(store, rewritten, area) == expected, (path.stem, area)  # type: ignore[arg-type]
            compared += len(expected)
    return compared + compare_summaries(store, [URIRef(str(a)) for a in some])


def test_every_derivation_is_read() -> None:
    """Each derive query writes a class (or property) that some rule or the report reads."""
    from pcr_graph.analysis import evidence, gaps, sector_matrix

    readers = "\n".join(
        [p.read_text(encoding="utf-8") for p in derived.queries_dir().glob("[!d]*.rq")]
        + [Path(m.__file__).read_text() for m in (evidence, gaps, sector_matrix)]
    )
    for path in derived.derive_files():
        text = path.read_text(encoding="utf-8")
        # `_:x a pcrd:Class ; …` or `?s pcrd:property ?o .`
        template = text.split("CONSTRUCT {", 1)[1].split("}", 1)[0].split()
        made = template[template.index("a") + 1] if "a" in template else template[1]
        assert made.startswith("pcrd:") and made in readers, f"{path.name}: {made} unread"


def test_base_rules_are_the_rewritten_ones() -> None:
    assert set(NAMES) == {
        "area-without-inequalities-initiative",
        "area-without-mutual-aid",
        "link-without-evidence",
        "care-home-without-discharge-link",
        "home-care-without-discharge-link",
        "isolated-sector",
        "missing-pathway",
        "single-point-of-failure",
    }
    for name in NAMES:
        assert "pcrd:" in find_query(name).text, f"{name} does not read the derived graph"
        assert "pcrd:" not in (BASE / f"{name}.rq").read_text(encoding="utf-8")


def test_same_rows_on_the_demo() -> None:
    store = Project(workspace=Path("/nonexistent-workspace")).open()
    assert compare(store, areas=3) > 0


def test_same_rows_on_the_golden_fixture() -> None:
    assert compare(open_store(fixture_files(), "oxigraph")) > 0


@pytest.mark.parametrize(("providers", "seed"), [(300, 1), (900, 2), (2000, 3)])
def test_same_rows_on_synthetic_england(tmp_path: Path, providers: int, seed: int) -> None:
    data = tmp_path / "england.ttl"
    write_synthetic(data, providers, seed)
    project = Project(workspace=tmp_path / "none", include_demo=False)
    store = open_store([*project.files(), data], "oxigraph")
    # Every rule fires somewhere at these sizes, so identical rows are not identical nothing.
    assert compare(store, areas=2) > 50


def test_same_rows_on_rdflib() -> None:
    store = open_store(fixture_files(), "rdflib")
    assert compare(store, areas=1) > 0


def test_rederived_after_an_in_place_edit() -> None:
    store = Project(workspace=Path("/nonexistent-workspace")).open()
    derived.ensure_derived(store)
    copy = copy_store(store)
    derived.ensure_derived(copy)
    table = store.query(
        "SELECT ?p WHERE { ?p a pcr:Provider ; pcr:sector/skos:broader* sector:nhs-trust } "
        "ORDER BY ?p"
    )
    assert isinstance(table, Table) and table.rows
    trust = table.rows[0][0]
    before = run_gaps(copy, context=False).hits
    remove_provider(copy, trust)  # type: ignore[arg-type]
    # The derived graph follows the edit: the rewritten rules still agree with the base.
    compare(copy)
    assert run_gaps(copy, context=False).hits != before


def test_as_insert_skips_braces_in_comments_and_strings() -> None:
    text = 'CONSTRUCT { ?s <urn:p> "}" . # }\n } WHERE { ?s <urn:q> "{" }'
    assert derived.as_insert(text, "urn:g", ["urn:a"]) == (
        'INSERT { GRAPH <urn:g> { ?s <urn:p> "}" . # }\n } } USING <urn:a>\n'
        ' WHERE { ?s <urn:q> "{" }'
    )
    with pytest.raises(UsageError, match="must be a CONSTRUCT"):
        derived.as_insert("SELECT * WHERE { ?s ?p ?o }")


def test_derived_graph_is_readable_by_users() -> None:
    store = Project(workspace=Path("/nonexistent-workspace")).open()
    derived.ensure_derived(store)
    table = store.query(
        "PREFIX pcrd: <https://w3id.org/pcr-graph/def/derived#>\n"
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:pcr-graph:derived> { ?x a pcrd:SectorPair } }"
    )
    assert isinstance(table, Table) and int(table.rows[0][0]) > 0  # type: ignore[arg-type]


def test_missing_pathway_says_when_a_sector_is_absent() -> None:
    store = Project(workspace=Path("/nonexistent-workspace")).open()
    before = run_named(store, find_query("missing-pathway"))
    assert isinstance(before, Table) and before.rows, "the demo misses some pathway"
    assert all(row["absent"] == "" for row in before.strings())  # its sectors are there
    first = before.strings()[0]
    area, target, label = first["area"], first["toSector"], first["toSectorLabel"]
    # Take every provider of the pathway's second sector out of the area.
    gone = store.query(
        "SELECT DISTINCT ?p ?area ?to WHERE { ?p pcr:operatesIn ?area ; "
        "pcr:sector/skos:broader* ?to } ORDER BY ?p",
        {"area": URIRef(area), "to": URIRef(target)},
    )
    assert isinstance(gone, Table) and gone.rows
    for provider, _area, _to in gone.rows:
        store.update(f"DELETE WHERE {{ GRAPH ?g {{ <{provider}> pcr:operatesIn <{area}> }} }}")
    after = run_named(store, find_query("missing-pathway"), {"area": area})
    assert isinstance(after, Table)
    (row,) = [
        r
        for r in after.strings()
        if (r["fromSector"], r["toSector"]) == (first["fromSector"], target)
    ]
    assert f"{label} is absent: no provider of that sector operates in the area." in row[
        "absent"
    ] or row["absent"].startswith(" Both sectors are absent")
    hits = run_gaps(store, areas=[URIRef(area)], rules=["missing-pathway"], context=False).hits
    assert any("absent: no provider of" in h.explanation for h in hits)


# ------------------------------------------------------------------------------------
# The cache


def _workspace(tmp_path: Path) -> tuple[Project, Path]:
    project = Project(workspace=tmp_path / "ws", include_demo=False)
    data = project.import_path("synthetic-england")
    write_synthetic(data, 300, 4)
    return project, data


def _change_one_byte(path: Path) -> None:
    """Change one byte of a provider name, keeping the file's checksum line right."""
    data = path.read_bytes()
    cut = data.rfind(FOOTER.encode())
    body = data[:cut]
    at = body.index(b"Synthetic ", body.index(b"provider/")) + len("Synthetic ")
    body = body[:at] + bytes([body[at] ^ 1]) + body[at + 1 :]
    triples = int(data[cut:].decode().split(FOOTER, 1)[1].split()[0])
    path.write_bytes(body + footer_line(body, triples).encode())


class Spy:
    """Counts calls of a real function (which still runs)."""

    def __init__(self, real: object) -> None:
        self.real, self.calls = real, 0

    def __call__(self, *args: object) -> object:
        self.calls += 1
        return self.real(*args)  # type: ignore[operator]


def test_cache_is_used_until_one_byte_of_one_source_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, data = _workspace(tmp_path)
    derive = Spy(derived.derive)
    check = Spy(validate_module.validate_fast)
    monkeypatch.setattr(derived, "derive", derive)
    monkeypatch.setattr(validate_module, "validate_fast", check)

    first = project.open()
    violations = validate_module.validate(first)
    report = run_gaps(first).to_json()
    assert (derive.calls, check.calls) == (1, 1)
    entries = sorted(p.name.split("-")[0] for p in project.cache_dir.iterdir())
    assert entries == ["derived.nt", "validation"]

    second = project.open()  # unchanged sources: both read back, nothing recomputed
    assert validate_module.validate(second) == violations
    assert run_gaps(second).to_json() == report
    assert (derive.calls, check.calls) == (1, 1)

    _change_one_byte(data)
    third = project.open()
    validate_module.validate(third)
    run_gaps(third)
    assert (derive.calls, check.calls) == (2, 2), "a changed source must not use the cache"


def test_a_damaged_cache_entry_is_recomputed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _data = _workspace(tmp_path)
    run_gaps(project.open(), context=False)
    (entry,) = project.cache_dir.glob("derived.nt-*")
    text = entry.read_bytes()
    entry.write_bytes(text.replace(b"SectorPair", b"SectorPairX", 1))
    derive = Spy(derived.derive)
    monkeypatch.setattr(derived, "derive", derive)
    store = project.open()
    compare(store, areas=1)
    assert derive.calls == 1


def test_no_cache_for_a_store_changed_after_opening(tmp_path: Path) -> None:
    project, _data = _workspace(tmp_path)
    store = project.open()
    assert cache.key_of(store) is not None
    derived.ensure_derived(store)
    assert cache.key_of(store) is not None  # the derived graph is accounted for
    store.update("DELETE WHERE { GRAPH ?g { ?s pcr:operatesIn ?a } }")
    assert cache.key_of(store) is None
    assert cache.read(store, derived.CACHE_ENTRY) is None


def test_a_remote_store_without_the_derived_graph_runs_the_plain_texts(
    tmp_path: Path,
) -> None:
    from pcr_graph.share.push import push_graph
    from pcr_graph.store.remote import Endpoints, RemoteStore
    from tests.support.oxigraph_server import oxigraph_server

    demo = Project(workspace=Path("/nonexistent-workspace")).open()
    with oxigraph_server(tmp_path / "data") as url:
        push_graph(demo.graph(), Endpoints.from_url(url))
        remote = RemoteStore(url)
        size = len(remote)
        assert derived.ensure_derived(remote) is False
        assert run_gaps(remote).to_json() == run_gaps(demo).to_json()
        assert len(remote) == size, "a gap report must not write into a remote store"


def test_sector_matrices_of_a_few_areas_read_bound_equal_the_national_ones(
    tmp_path: Path,
) -> None:
    from pcr_graph.analysis import sector_matrix

    data = tmp_path / "england.ttl"
    write_synthetic(data, 900, 6)
    project = Project(workspace=tmp_path / "none", include_demo=False)
    for store in (
        Project(workspace=Path("/nonexistent-workspace")).open(),
        open_store([*project.files(), data], "oxigraph"),
    ):
        national = sector_matrix.sector_matrices(store)
        some = sorted(national)[:3]
        assert len(some) <= sector_matrix.BOUND_AREAS
        for area in some:
            assert sector_matrix.sector_matrices(store, [URIRef(area)]) == {area: national[area]}
        assert sector_matrix.sector_matrices(store, [URIRef(a) for a in some]) == {
            a: national[a] for a in some
        }
