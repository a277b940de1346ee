"""Queries answered concurrently give the same results, in the same order, as one by one."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from rdflib import URIRef

from pcr_graph.analysis.evidence import EvidenceIndex
from pcr_graph.analysis.gaps import run_gaps
from pcr_graph.core.resources import ontology_files, reference_files
from pcr_graph.ingest.synth import write_synthetic
from pcr_graph.store.engines import (
    OxigraphStore,
    RdflibStore,
    Store,
    open_store,
    run_concurrently,
)
from pcr_graph.store.project import Project
from pcr_graph.validation.validate import validate


class _Concurrent:
    concurrent = True


@pytest.fixture(scope="module")
def demo() -> Store:
    return Project(workspace=Path("/nonexistent-workspace")).open()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("concurrency") / "england.ttl"
    write_synthetic(path, 600, 5)
    return open_store([*ontology_files(), *reference_files(include_demo=False), path])


def test_results_keep_the_order_of_the_calls() -> None:
    def slow_then(value: int) -> int:
        time.sleep(0.05 if value == 0 else 0)
        return value

    calls = [lambda v=v: slow_then(v) for v in range(8)]
    assert run_concurrently(_Concurrent(), calls) == list(range(8))


def test_calls_run_on_several_threads_only_where_the_store_allows() -> None:
    seen: set[int] = set()
    barrier = threading.Barrier(2, timeout=5)

    def record() -> None:
        seen.add(threading.get_ident())
        barrier.wait()  # both calls must be running at once, or this times out

    run_concurrently(_Concurrent(), [record, record])
    assert len(seen) == 2
    assert OxigraphStore.concurrent is True
    # rdflib's store is not thread-safe: its calls run one after another on this thread.
    seen.clear()
    run_concurrently(RdflibStore(), [lambda: seen.add(threading.get_ident())] * 3)
    assert seen == {threading.get_ident()}


def test_the_first_failure_in_call_order_is_raised_after_every_call_finished() -> None:
    finished: list[str] = []

    def fail(name: str, delay: float) -> None:
        time.sleep(delay)
        finished.append(name)
        raise ValueError(name)

    def ok() -> str:
        time.sleep(0.1)
        finished.append("ok")
        return "ok"

    with pytest.raises(ValueError, match="first"):
        run_concurrently(
            _Concurrent(), [ok, lambda: fail("first", 0.05), lambda: fail("second", 0)]
        )
    assert sorted(finished) == ["first", "ok", "second"]


@pytest.mark.slow
def test_concurrent_queries_equal_sequential_ones(synthetic: Store) -> None:
    queries = [
        "SELECT ?p ?s WHERE { ?p pcr:sector ?s } ORDER BY ?p ?s",
        "SELECT ?l ?a WHERE { ?l pcr:area ?a } ORDER BY ?l ?a",
        "SELECT ?l ?p WHERE { ?l pcr:participant ?p } ORDER BY ?l ?p",
    ] * 3
    sequential = [synthetic.select(q) for q in queries]
    concurrent = run_concurrently(synthetic, [lambda q=q: synthetic.select(q) for q in queries])  # type: ignore[misc]
    assert concurrent == sequential
    assert all(len(t) > 0 for t in concurrent)


class _OneByOne(OxigraphStore):
    concurrent = False


@pytest.mark.slow
def test_gap_report_and_validation_equal_run_concurrently_or_one_by_one(tmp_path: Path) -> None:
    path = tmp_path / "england.ttl"
    write_synthetic(path, 800, 2)
    files = [*ontology_files(), *reference_files(include_demo=False), path]
    together, one_by_one = open_store(files, "oxigraph"), _OneByOne()
    for file in files:
        one_by_one.load_file(file)
    report = run_gaps(together)
    assert report.to_json() == run_gaps(one_by_one).to_json()
    assert len(report.hits) > 50 and report.sector_links and report.planning
    assert validate(together, "fast") == validate(one_by_one, "fast") == []


@pytest.mark.parametrize("fixture", ["demo", "synthetic"])
def test_evidence_read_per_provider_equals_evidence_read_at_once(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    store: Store = request.getfixturevalue(fixture)
    table = store.select("SELECT DISTINCT ?p WHERE { ?p a pcr:Provider } ORDER BY ?p")
    providers = [str(row[0]) for row in table.rows]
    per_provider = EvidenceIndex(store)
    per_provider.prepare({"links-of-provider"}, providers)
    at_once = EvidenceIndex(store)
    at_once._read_all_providers()
    with_links = 0
    for iri in providers:
        assert per_provider.provider(iri) == at_once.provider(iri), iri
        with_links += bool(at_once.provider(iri))
    assert with_links > len(providers) // 2
    # A provider that is not in the graph has no links either way.
    missing = str(URIRef("https://example.org/no-such-provider"))
    per_provider.prepare({"links-of-provider"}, [missing])
    assert per_provider.provider(missing) == []
