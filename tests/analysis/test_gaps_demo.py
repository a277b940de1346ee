"""On the fictional demo system, every gap rule finds exactly the hits designed into it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef

from pcr_graph.analysis.gaps import GapReport, gap_rules, run_gaps
from pcr_graph.core.resources import graph_dir
from pcr_graph.store.engines import Store
from pcr_graph.store.project import Project
from tests.support.demo_oracle import compute_gaps

EXPECTED = json.loads((graph_dir() / "demo" / "expected-gaps.json").read_text(encoding="utf-8"))
ROLE_KEYS = {"fromSector": "from", "toSector": "to"}


@pytest.fixture(scope="module")
def store() -> Store:
    return Project(workspace=Path("/nonexistent-workspace")).open()


@pytest.fixture(scope="module")
def report(store: Store) -> GapReport:
    return run_gaps(store)


def _local_ids(store: Store) -> dict[str, str]:
    table = store.select(
        "SELECT ?s ?id WHERE { { ?s dcterms:identifier ?id } UNION { ?s skos:notation ?id } }"
        " ORDER BY ?s ?id"
    )
    return {str(s): str(i) for s, i in table.rows}


def _as_oracle(report: GapReport, store: Store) -> dict[str, list[dict[str, str]]]:
    ids = _local_ids(store)
    out: dict[str, list[dict[str, str]]] = {q.name: [] for q in gap_rules()}
    for hit in report.hits:
        row = {"area": ids[hit.area]}
        for subject in hit.subjects:
            row[ROLE_KEYS.get(subject.role, subject.role)] = ids[subject.iri]
        out[hit.rule].append(row)
    return {rule: sorted(rows, key=lambda r: sorted(r.items())) for rule, rows in out.items()}


def _sorted(data: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    return {k: sorted(v, key=lambda r: sorted(r.items())) for k, v in data.items()}


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_finds_exactly_the_designed_hits(rule: str, report: GapReport, store: Store) -> None:
    assert _as_oracle(report, store)[rule] == _sorted(EXPECTED)[rule]


def test_every_rule_is_covered_by_the_design() -> None:
    assert sorted(EXPECTED) == sorted(q.name for q in gap_rules())


def test_oracle_agrees_with_design() -> None:
    assert _sorted(compute_gaps(graph_dir() / "demo")) == _sorted(EXPECTED)


@pytest.mark.slow
def test_rdflib_reference_engine_gives_the_same_report(report: GapReport) -> None:
    reference = run_gaps(Project(workspace=Path("/nonexistent-workspace"), engine="rdflib").open())
    assert reference.hits == report.hits


def test_area_filter_gives_that_areas_hits(store: Store, report: GapReport) -> None:
    area = URIRef(report.areas[0][0])
    one = run_gaps(store, areas=[area])
    assert one.hits == [h for h in report.hits if h.area == str(area)]
    assert one.hits


def test_every_hit_explains_itself(report: GapReport) -> None:
    for hit in report.hits:
        assert "?" not in hit.explanation and "{" not in hit.explanation
        assert hit.area_label.endswith("(fictional)")
    findings = [r.finding for r in report.rules]
    assert all(f is not None and f.quote for f in findings), "every rule cites a finding quote"
